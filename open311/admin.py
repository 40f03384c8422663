"""Open311 in the admin: what clients sent with their reports, and the same on each issue's page."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from issues.admin import IssueAdmin
from issues.models import Issue
from open311.models import Open311Submission
from open311.services import open311_submission_erase_contact


class Open311SubmissionInline(admin.StackedInline):
    """How the issue came in through Open311: the key, and the contact details the client sent
    (private: staff only, never in any public answer)."""

    model = Open311Submission
    extra = 0
    can_delete = False
    fields = (
        "api_key",
        "created_at",
        "email",
        "first_name",
        "last_name",
        "phone",
        "device_id",
        "account_id",
        "address_id",
        "media_url",
    )
    readonly_fields = fields

    def has_add_permission(self, request, obj=None) -> bool:
        return False


# The issue's admin page shows how it came in through Open311 above its event log. The issues app
# knows nothing of Open311, so this app extends the issue's admin instead of the other way round.
admin.site.unregister(Issue)


@admin.register(Issue)
class IssueWithOpen311Admin(IssueAdmin):
    inlines = [Open311SubmissionInline, *IssueAdmin.inlines]


@admin.register(Open311Submission)
class Open311SubmissionAdmin(admin.ModelAdmin):
    """What Open311 clients sent with their reports: the key, and private contact details that
    only staff see. Read-only; the contact details can be erased (a data-protection request)."""

    list_display = ("issue", "api_key", "created_at", "email", "phone")
    list_filter = ("api_key",)
    search_fields = ("issue__ref", "email", "phone", "account_id", "device_id")
    readonly_fields = [field.name for field in Open311Submission._meta.fields]
    actions = ["erase_contact"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    @admin.action(description=_("Erase the contact details"), permissions=["change"])
    def erase_contact(self, request, queryset):
        for submission in queryset:
            open311_submission_erase_contact(submission=submission)
        self.message_user(request, _("Contact details erased."))
