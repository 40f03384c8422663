"""Issues and the reference data that governs them: categories, SLA policies, the working calendar
and routing rules."""

from __future__ import annotations

import datetime

from django.contrib.gis.db import models
from django.contrib.gis.geos import Point
from django.contrib.postgres.fields import ArrayField
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from accounts.models import Executor, LocalizedNameMixin
from geo.models import WGS84, District, OutageKind


class WorkingCalendar(models.Model):
    """Working days and hours of the city's offices, in its time zone.

    Non-working dates (public holidays) and transferred working days are rows of `CalendarDate`,
    never code: under martial law public holidays are working days, and the Cabinet of Ministers
    changes the rules by decree.
    """

    code = models.SlugField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=200)
    time_zone = models.CharField(_("time zone"), max_length=64, default="Europe/Kyiv")
    day_start = models.TimeField(_("working day starts"), default=datetime.time(8, 0))
    day_end = models.TimeField(_("working day ends"), default=datetime.time(17, 0))
    working_weekdays = ArrayField(
        models.PositiveSmallIntegerField(validators=[MinValueValidator(1), MaxValueValidator(7)]),
        verbose_name=_("working weekdays (1 = Monday … 7 = Sunday)"),
        default=list,
    )

    class Meta:
        verbose_name = _("working calendar")
        verbose_name_plural = _("working calendars")
        constraints = [
            models.CheckConstraint(condition=Q(day_end__gt=F("day_start")), name="calendar_day_ordered"),
            models.CheckConstraint(
                condition=Q(working_weekdays__contained_by=[1, 2, 3, 4, 5, 6, 7]),
                name="calendar_weekdays_valid",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class CalendarDate(models.Model):
    """An exception to the weekly pattern: a non-working date, or a working day on a weekend."""

    calendar = models.ForeignKey(WorkingCalendar, on_delete=models.CASCADE, related_name="dates")
    date = models.DateField(_("date"))
    is_working = models.BooleanField(_("working day"), default=False)
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("calendar date")
        verbose_name_plural = _("calendar dates")
        ordering = ["date"]
        constraints = [
            models.UniqueConstraint(fields=["calendar", "date"], name="calendar_date_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.date} {'+' if self.is_working else '-'} {self.note}"


class SlaClock(models.TextChoices):
    WORKING_HOURS = "working_hours", _("working hours")
    CALENDAR_HOURS = "calendar_hours", _("calendar hours (24/7)")


class SlaPolicy(LocalizedNameMixin, models.Model):
    """How fast an issue must be answered (acknowledged) and fixed.

    Targets are hours: working hours on the policy's calendar, or calendar hours around the clock
    for emergencies (an open manhole does not wait for Monday).
    """

    code = models.SlugField(_("code"), max_length=32, unique=True)
    clock = models.CharField(_("clock"), max_length=16, choices=SlaClock, default=SlaClock.WORKING_HOURS)
    response_hours = models.DecimalField(_("response target, hours"), max_digits=7, decimal_places=2)
    resolution_hours = models.DecimalField(_("resolution target, hours"), max_digits=7, decimal_places=2)
    calendar = models.ForeignKey(WorkingCalendar, verbose_name=_("calendar"), on_delete=models.PROTECT)

    class Meta:
        verbose_name = _("SLA policy")
        verbose_name_plural = _("SLA policies")
        constraints = [
            models.CheckConstraint(condition=Q(clock__in=SlaClock.values), name="sla_clock_valid"),
            models.CheckConstraint(condition=Q(response_hours__gt=0), name="sla_response_positive"),
            models.CheckConstraint(
                condition=Q(resolution_hours__gte=F("response_hours")), name="sla_resolution_after_response"
            ),
        ]


class CategoryGroup(LocalizedNameMixin, models.Model):
    """A family of categories shown together: roads, lighting, water and sewage…"""

    code = models.SlugField(_("code"), max_length=32, unique=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("category group")
        verbose_name_plural = _("category groups")
        ordering = ["order", "code"]


class Category(LocalizedNameMixin, models.Model):
    """A kind of problem a citizen can report."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    group = models.ForeignKey(
        CategoryGroup, verbose_name=_("group"), on_delete=models.PROTECT, related_name="categories"
    )
    description_uk = models.TextField(_("description (Ukrainian)"), blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)
    sla_policy = models.ForeignKey(SlaPolicy, verbose_name=_("SLA policy"), on_delete=models.PROTECT)
    photo_required = models.BooleanField(_("photo required"), default=False)
    duplicate_radius_m = models.PositiveIntegerField(
        _("duplicate radius, metres"), default=50, validators=[MinValueValidator(1), MaxValueValidator(5000)]
    )
    outage_kind = models.CharField(_("matching outage kind"), max_length=16, choices=OutageKind, blank=True)
    urgent_notice_uk = models.TextField(_("urgent notice (Ukrainian)"), blank=True)
    urgent_notice_en = models.TextField(_("urgent notice (English)"), blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("category")
        verbose_name_plural = _("categories")
        ordering = ["group__order", "order", "code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(outage_kind="") | Q(outage_kind__in=OutageKind.values), name="category_outage_kind_valid"
            ),
            models.CheckConstraint(
                condition=Q(duplicate_radius_m__gte=1, duplicate_radius_m__lte=5000),
                name="category_duplicate_radius_range",
            ),
        ]


class RoutingRuleQuerySet(models.QuerySet):
    def for_category(self, category: Category) -> RoutingRuleQuerySet:
        return self.filter(category=category)

    def covering(self, point: Point) -> RoutingRuleQuerySet:
        """Rules whose area (own polygon or district) covers the point, plus rules with no area."""
        return self.filter(
            Q(area__covers=point) | Q(district__geom__covers=point) | Q(area__isnull=True, district__isnull=True)
        )


class RoutingRule(models.Model):
    """Who fixes a category of problem, optionally only inside an area or a district.

    Among the active rules covering a point the highest `priority` wins, then the smallest area, so
    a rule for one district beats the city-wide rule for the same category without any priority.
    """

    category = models.ForeignKey(
        Category, verbose_name=_("category"), on_delete=models.PROTECT, related_name="routing_rules"
    )
    executor = models.ForeignKey(
        Executor, verbose_name=_("executor"), on_delete=models.PROTECT, related_name="routing_rules"
    )
    district = models.ForeignKey(District, verbose_name=_("district"), on_delete=models.PROTECT, null=True, blank=True)
    area = models.MultiPolygonField(_("area"), srid=WGS84, null=True, blank=True)
    priority = models.SmallIntegerField(_("priority (higher wins)"), default=0)
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    note = models.CharField(_("note"), max_length=300, blank=True)

    objects = RoutingRuleQuerySet.as_manager()

    class Meta:
        verbose_name = _("routing rule")
        verbose_name_plural = _("routing rules")
        ordering = ["category__code", "-priority", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(area__isnull=True) | Q(district__isnull=True), name="routing_rule_one_area_kind"
            ),
            models.CheckConstraint(
                condition=Q(valid_until__isnull=True)
                | Q(valid_from__isnull=True)
                | Q(valid_until__gte=F("valid_from")),
                name="routing_rule_validity_ordered",
            ),
        ]
        indexes = [models.Index(fields=["category", "is_active"], name="routing_rule_category_idx")]

    def __str__(self) -> str:
        where = self.district or (_("own area") if self.area else _("whole community"))
        return f"{self.category.code} → {self.executor.code} ({where})"
