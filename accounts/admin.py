from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.core.exceptions import ValidationError
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from accounts.api_keys import api_key_issue, api_key_revoke
from accounts.forms import AdminSignInForm
from accounts.models import AccessToken, ApiKey, Executor, ExecutorMembership, User
from opencity.errors import DomainError

# The admin's sign-in says "locked out" when django-axes refused the attempt.
admin.site.login_form = AdminSignInForm


@admin.register(AccessToken)
class AccessTokenAdmin(admin.ModelAdmin):
    """API sign-in tokens: only their first characters are known (the rest is a digest). An
    administrator can see who holds tokens and delete them (sign an account out of the API)."""

    list_display = ("user", "prefix", "created_at", "expires_at", "last_used_at")
    search_fields = ("user__username", "user__email", "prefix")
    fields = ("user", "prefix", "created_at", "expires_at", "last_used_at")
    readonly_fields = fields

    def has_add_permission(self, request) -> bool:
        return False  # tokens are got with a password, through the API

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    fieldsets = (
        *DjangoUserAdmin.fieldsets,
        (_("Open City"), {"fields": ("language", "phone", "email_confirmed_at")}),
    )
    list_display = ("username", "email", "first_name", "last_name", "is_staff", "language")


class MembershipInline(admin.TabularInline):
    model = ExecutorMembership
    extra = 1
    autocomplete_fields = ["user"]


@admin.register(Executor)
class ExecutorAdmin(admin.ModelAdmin):
    list_display = ("code", "name_uk", "name_en", "phone", "email", "supervisor", "is_active")
    list_filter = ("is_active",)
    search_fields = ("code", "name_uk", "name_en")
    inlines = [MembershipInline]


class ApiKeyIssueForm(forms.ModelForm):
    """Issuing a key: the account it acts as, and who uses it. The key itself is made by the
    service and shown once on the next page."""

    class Meta:
        model = ApiKey
        fields = ("user", "name")

    def clean(self):
        cleaned = super().clean()
        user = cleaned.get("user")
        if user is not None and not self.errors:
            # The service's own checks, run before saving so the admin shows them on the form.
            if not user.is_active:
                raise ValidationError({"user": _("This account is deactivated.")})
            if user.email_confirmed_at is None:
                raise ValidationError(
                    {"user": _("Confirm this account's e-mail address first: its reports would wait unrouted.")}
                )
        return cleaned


@admin.register(ApiKey)
class ApiKeyAdmin(admin.ModelAdmin):
    """Integrators' API keys. "Add" issues a key and shows it once; the actions revoke keys or
    replace them (revoke and issue a new one for the same account)."""

    form = ApiKeyIssueForm
    list_display = ("name", "prefix", "user", "created_at", "last_used_at", "revoked_at")
    list_filter = (("revoked_at", admin.EmptyFieldListFilter),)
    search_fields = ("name", "prefix", "user__username", "user__email")
    autocomplete_fields = ["user"]
    actions = ["revoke", "replace"]
    readonly_fields = ("prefix", "created_at", "created_by", "last_used_at", "revoked_at")

    def get_fields(self, request, obj=None):
        if obj is None:
            return ("user", "name")
        return ("user", "name", *self.readonly_fields)

    def get_readonly_fields(self, request, obj=None):
        return ("user", *self.readonly_fields) if obj is not None else ()

    def has_delete_permission(self, request, obj=None) -> bool:
        return False  # keys are revoked, never deleted: issues keep a record of the key they came through

    def save_model(self, request, obj, form, change):
        if change:
            obj.save(update_fields=["name"])
            return
        key, raw_key = api_key_issue(user=obj.user, name=obj.name, created_by=request.user)
        obj.pk = key.pk
        obj.__dict__.update({field: getattr(key, field) for field in ("prefix", "key_digest", "created_at")})
        # The ModelAdmin instance is shared between requests: the key travels on this request only.
        request.opencity_issued_keys = [(key, raw_key)]

    def response_add(self, request, obj, post_url_continue=None):
        return self._show_issued(request, getattr(request, "opencity_issued_keys", []))

    def _show_issued(self, request, issued):
        context = {
            **self.admin_site.each_context(request),
            "title": _("API key issued"),
            "issued": issued,
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "admin/accounts/apikey/issued.html", context)

    @admin.action(description=_("Revoke the selected keys"), permissions=["change"])
    def revoke(self, request, queryset):
        count = 0
        for key in queryset.filter(revoked_at__isnull=True):
            api_key_revoke(key=key)
            count += 1
        self.message_user(
            request, ngettext("%(n)d key revoked.", "%(n)d keys revoked.", count) % {"n": count}, messages.SUCCESS
        )

    @admin.action(description=_("Replace the selected keys (revoke, and issue new ones)"), permissions=["add"])
    def replace(self, request, queryset):
        issued = []
        for key in queryset.select_related("user"):
            try:
                new_key = api_key_issue(user=key.user, name=key.name, created_by=request.user)
            except DomainError as error:
                self.message_user(request, f"{key}: {error.message}", messages.ERROR)
                continue
            api_key_revoke(key=key)
            issued.append(new_key)
        return self._show_issued(request, issued) if issued else None
