from django.contrib import admin
from leaflet.admin import LeafletGeoAdmin

from issues.models import CalendarDate, Category, CategoryGroup, RoutingRule, SlaPolicy, WorkingCalendar


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


@admin.register(RoutingRule)
class RoutingRuleAdmin(LeafletGeoAdmin):
    list_display = ("category", "executor", "district", "priority", "valid_from", "valid_until", "is_active")
    list_filter = ("executor", "is_active", "category__group")
    search_fields = ("category__code", "executor__code", "note")
    autocomplete_fields = ["category", "executor"]
