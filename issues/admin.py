from django import forms
from django.contrib import admin
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from geo.admin import MapAdmin
from issues.models import (
    CalendarDate,
    Category,
    CategoryAttribute,
    CategoryGroup,
    Issue,
    IssueEvent,
    RoutingRule,
    SlaPolicy,
    WorkingCalendar,
)
from issues.services.corrections import issue_correct
from opencity.errors import DomainError


class CalendarDateInline(admin.TabularInline):
    model = CalendarDate
    extra = 1


@admin.register(WorkingCalendar)
class WorkingCalendarAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "time_zone", "day_start", "day_end", "working_weekdays")
    inlines = [CalendarDateInline]


@admin.register(SlaPolicy)
class SlaPolicyAdmin(admin.ModelAdmin):
    list_display = ("code", "name_uk", "clock", "response_hours", "resolution_hours", "calendar")
    list_filter = ("clock",)


@admin.register(CategoryGroup)
class CategoryGroupAdmin(admin.ModelAdmin):
    list_display = ("code", "name_uk", "name_en", "order")


class AttributeOptionsField(forms.CharField):
    """The options of a list question, one per line: `key | Ukrainian name | English name`.
    Stored as the JSON list the model keeps; the model's clean() checks it."""

    widget = forms.Textarea(attrs={"rows": 3, "cols": 40})

    def __init__(self, **kwargs) -> None:
        kwargs.setdefault("required", False)
        kwargs.setdefault("help_text", _("List questions only: one option per line, “key | Ukrainian | English”."))
        super().__init__(**kwargs)

    def prepare_value(self, value) -> str:
        if isinstance(value, list):
            return "\n".join(
                " | ".join([item.get("key", ""), item.get("name_uk", ""), item.get("name_en", "")]).rstrip(" |")
                for item in value
                if isinstance(item, dict)
            )
        return value or ""

    def to_python(self, value) -> list[dict]:
        options = []
        for line in (value or "").splitlines():
            if not line.strip():
                continue
            parts = [part.strip() for part in line.split("|")]
            if len(parts) < 2 or len(parts) > 3:
                raise forms.ValidationError(_("Write each option as “key | Ukrainian | English”."))
            key, name_uk, name_en = (parts + [""])[:3]
            options.append({"key": key, "name_uk": name_uk, "name_en": name_en})
        return options


class CategoryAttributeForm(forms.ModelForm):
    values = AttributeOptionsField(label=_("options"))

    class Meta:
        model = CategoryAttribute
        fields = (
            "order",
            "code",
            "datatype",
            "variable",
            "required",
            "description_uk",
            "description_en",
            "datatype_description_uk",
            "datatype_description_en",
            "values",
        )
        widgets = {
            "description_uk": forms.Textarea(attrs={"rows": 2, "cols": 30}),
            "description_en": forms.Textarea(attrs={"rows": 2, "cols": 30}),
        }


class CategoryAttributeInline(admin.StackedInline):
    """The category's extra questions (the Open311 service definition)."""

    model = CategoryAttribute
    form = CategoryAttributeForm
    extra = 0


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = (
        "code",
        "name_uk",
        "group",
        "sla_policy",
        "photo_required",
        "duplicate_radius_m",
        "outage_kind",
        "is_active",
    )
    list_filter = ("group", "sla_policy", "outage_kind", "is_active")
    search_fields = ("code", "name_uk", "name_en")
    inlines = [CategoryAttributeInline]


@admin.register(RoutingRule)
class RoutingRuleAdmin(MapAdmin):
    list_display = ("category", "executor", "district", "priority", "valid_from", "valid_until", "is_active")
    list_filter = ("executor", "is_active", "category__group")
    search_fields = ("category__code", "executor__code", "note")
    autocomplete_fields = ["category", "executor"]


class IssueEventInline(admin.TabularInline):
    """The event log, read-only: history is never edited."""

    model = IssueEvent
    extra = 0
    can_delete = False
    fields = ("at", "kind", "actor", "from_status", "to_status", "is_public", "note", "data")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None) -> bool:
        return False


class _TrialRun(Exception):
    """Raised to roll back a correction that was only tried, to see whether it would be refused."""


class IssueCorrectionForm(forms.ModelForm):
    """The fields of an issue staff may correct. The form asks issue_correct itself whether it
    would take the correction (in a savepoint that is always rolled back), so the admin refuses
    exactly what the service refuses, as errors on the form rather than a failed save."""

    actor = None  # the person correcting; IssueAdmin.get_form sets it for each request

    class Meta:
        model = Issue
        fields = ("category", "description", "address", "point")

    def corrections(self) -> dict:
        """The changed fields, as issue_correct's arguments."""
        return {name: self.cleaned_data[name] for name in self.changed_data if name in self.Meta.fields}

    def clean(self) -> dict:
        cleaned = super().clean()
        if self.errors or not self.changed_data:
            return cleaned
        try:
            with transaction.atomic():
                issue_correct(issue=self.instance, actor=self.actor, **self.corrections())
                raise _TrialRun
        except _TrialRun:
            pass
        except DomainError as error:
            for name, messages in error.fields.items():
                self.add_error(name if name in self.fields else None, messages)
            if not error.fields:
                self.add_error(None, error.message)
        return cleaned


@admin.register(Issue)
class IssueAdmin(MapAdmin):
    """Issues in the admin: the location, text and category can be corrected, through the
    correction service (one event, the district, routing and outage link kept right); the status,
    executor and deadlines only change through the lifecycle (the issue page and the API)."""

    form = IssueCorrectionForm

    list_display = ("ref", "category", "status", "executor", "district", "created_at", "resolve_due_at", "is_hidden")
    list_filter = ("status", "is_hidden", "source", "category__group", "executor", "district")
    search_fields = ("ref", "description", "address")
    date_hierarchy = "created_at"
    readonly_fields = (
        "ref",
        "status",
        "executor",
        "routing_rule",
        "district",
        "clock_started_at",
        "response_due_at",
        "resolve_due_at",
        "responded_at",
        "resolved_at",
        "closed_at",
        "promised_date",
        "reporter",
        "duplicate_of",
        "is_hidden",
        "support_count",
        "source",
        "attributes",
        "created_at",
        "updated_at",
    )
    fields = ("ref", *IssueCorrectionForm.Meta.fields, *readonly_fields[1:])
    inlines = [IssueEventInline]

    def has_add_permission(self, request) -> bool:
        return False  # reports come through the map, the API or Open311, with routing and deadlines

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        return type(form.__name__, (form,), {"actor": request.user})

    def save_model(self, request, obj, form, change) -> None:
        """Never obj.save(): the correction service saves the changed fields and writes the event."""
        issue_correct(issue=obj, actor=request.user, **form.corrections())
        obj.refresh_from_db()  # the form had set its values on obj; show what was stored

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


admin.site.site_header = _("Open City administration")
admin.site.site_title = _("Open City")
admin.site.index_title = _("Reference data, issues and layers")
