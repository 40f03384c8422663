"""The appeals in the admin.

- The term policies are the law as data: "a change in the law is an admin edit". Only superusers
  edit them, with the law's own checks as form errors; a policy is never deleted (appeals keep it).
  A change applies to appeals received after it: an appeal's terms are fixed when it is received.
- Appeals and their events are read here, never written: the status, the terms and the answer change
  only through appeals.services (the desk, the unit's queue, the API), which write the event log.
  An appeal is found by its registration number; its text is not searched (privacy).
"""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from appeals.models import CITIZENS_APPEAL_KINDS, Appeal, AppealAttachment, AppealEvent, AppealPolicy

POLICY_TERMS = (
    "unit",
    "standard_term",
    "short_term",
    "urgent_hours",
    "longest_term",
    "extension_notice_term",
    "forward_term",
    "forward_unit",
    "roll_to_working_day",
    "warn_hours",
)


class AppealPolicyForm(forms.ModelForm):
    """The terms checked against each other, with messages a person can act on (the database's
    check constraints stay as the last guard)."""

    class Meta:
        model = AppealPolicy
        fields = (
            "kind",
            "name_uk",
            "name_en",
            "law_reference",
            "calendar",
            *POLICY_TERMS,
        )

    def clean(self) -> dict:
        data = super().clean()
        standard = data.get("standard_term")
        short, longest = data.get("short_term"), data.get("longest_term")
        notice = data.get("extension_notice_term")
        if standard is None:
            return data
        if short is not None and short >= standard:
            self.add_error("short_term", _("The short term must be shorter than the standard term."))
        if short == 0:
            self.add_error("short_term", _("A term is at least one day."))
        if longest is not None and longest <= standard:
            self.add_error("longest_term", _("The longest total term must be longer than the standard term."))
        if notice is not None and longest is None:
            self.add_error("extension_notice_term", _("Without a longest term there is no extension to notify."))
        elif notice is not None and not 1 <= notice <= longest:
            self.add_error("extension_notice_term", _("The notice must come within the longest term."))
        kind = data.get("kind") or self.instance.kind  # read-only once the policy exists
        if data.get("urgent_hours") and kind in CITIZENS_APPEAL_KINDS:
            self.add_error(
                "urgent_hours", _("The 48-hour term is for information requests (Law 2939-VI, Art. 20) only.")
            )
        if data.get("urgent_hours") == 0:
            self.add_error("urgent_hours", _("A term is at least one hour."))
        if data.get("forward_term") == 0:
            self.add_error("forward_term", _("A term is at least one day."))
        return data


@admin.register(AppealPolicy)
class AppealPolicyAdmin(admin.ModelAdmin):
    form = AppealPolicyForm
    list_display = ("kind", "name_uk", "unit", "standard_term", "short_term", "urgent_hours", "longest_term")
    fieldsets = (
        (None, {"fields": ("kind", "name_uk", "name_en", "law_reference", "calendar")}),
        (
            _("Terms"),
            {
                "fields": POLICY_TERMS,
                "description": _("A change applies to appeals received after it; earlier ones keep their terms."),
            },
        ),
    )

    def get_readonly_fields(self, request, obj=None):
        return ("kind",) if obj is not None else ()  # the kind names the law's case; edit its terms

    def has_change_permission(self, request, obj=None) -> bool:
        return request.user.is_active and request.user.is_superuser

    def has_delete_permission(self, request, obj=None) -> bool:
        return False  # appeals keep their policy; the law changes, the row is edited


class AppealEventInline(admin.TabularInline):
    """The event log, read-only: history is never edited."""

    model = AppealEvent
    extra = 0
    can_delete = False
    fields = ("at", "kind", "actor", "from_status", "to_status", "for_author", "note", "data")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


class AppealAttachmentInline(admin.TabularInline):
    model = AppealAttachment
    extra = 0
    can_delete = False
    fields = ("role", "asset", "added_by", "created_at")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Appeal)
class AppealAdmin(admin.ModelAdmin):
    """Read only: every change to an appeal goes through appeals.services, which writes its event."""

    list_display = ("ref", "kind", "status", "unit", "received_at", "due_at", "answered_at", "extended")
    list_filter = ("kind", "status", "unit", "extended", "urgent")
    search_fields = ("=ref",)
    search_help_text = _("The registration number, e.g. DRH-A-2026-000123.")
    date_hierarchy = "received_at"
    list_select_related = ("unit",)
    fields = (
        "ref",
        "kind",
        "policy",
        "status",
        "unit",
        "category",
        "subject",
        "text",
        "author",
        "author_name",
        "postal_address",
        "email",
        "phone",
        "privileged",
        "urgent",
        "urgent_reason",
        "shorter_term_reason",
        "received_at",
        "due_at",
        "forward_due_at",
        "extended",
        "answered_at",
        "closed_at",
        "answer",
        "outcome",
        "refusal_ground",
        "forwarded_to",
        "duplicate_of",
        "issue",
        "created_at",
        "updated_at",
    )
    readonly_fields = fields
    inlines = [AppealAttachmentInline, AppealEventInline]

    def has_add_permission(self, request) -> bool:
        return False  # appeals come from citizens (the form, the API) or a converted map report

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(AppealEvent)
class AppealEventAdmin(admin.ModelAdmin):
    """Append-only: the database refuses to change or delete an event, and so does the admin."""

    list_display = ("appeal", "kind", "at", "actor", "from_status", "to_status", "for_author")
    list_filter = ("kind", "for_author")
    search_fields = ("=appeal__ref",)
    search_help_text = _("The appeal's registration number.")
    list_select_related = ("appeal", "actor")
    fields = ("appeal", "kind", "at", "actor", "from_status", "to_status", "for_author", "note", "data")
    readonly_fields = fields

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
