"""The territory: the community boundary and its districts.

Geometries are stored in WGS84 (EPSG:4326), the SRID every client speaks; distances are measured on
the geography type (metres on the spheroid), never by converting degrees by hand.

A *community* (територіальна громада) is the unit of local self-government since the 2020 reform:
the city of Drohobych plus the villages around it. Its *districts* here are the city's own parts and
the starosta districts (старостинські округи) that group the villages.
"""

from __future__ import annotations

import datetime
import re
import uuid

from django.conf import settings
from django.contrib.gis.db import models
from django.contrib.gis.geos import GEOSGeometry, Point
from django.contrib.gis.measure import D
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex, GistIndex
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db.models import F, Q
from django.db.models.expressions import RawSQL
from django.db.models.functions import Cast
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from accounts.localized import localized
from accounts.models import Executor, LocalizedNameMixin
from geo.gazetteer import address_label, street_label

WGS84 = 4326


class BoundaryQuerySet(models.QuerySet):
    def current(self, on: datetime.date | None = None) -> BoundaryQuerySet:
        """Versions in force on a date (today by default)."""
        on = on or timezone.localdate()
        return self.filter(Q(valid_from__lte=on) | Q(valid_from__isnull=True)).filter(
            Q(valid_until__gte=on) | Q(valid_until__isnull=True)
        )

    def covering(self, point: Point) -> BoundaryQuerySet:
        """Boundaries that contain the point, the boundary line itself included (ST_Covers)."""
        return self.filter(geom__covers=point)


class CommunityBoundary(models.Model):
    """The territory served. Versioned over time rather than edited in place (as MapIt does):
    a new boundary gets a new row with `valid_from`, the old one gets `valid_until`."""

    code = models.SlugField(_("code"), max_length=32)
    name = models.CharField(_("name"), max_length=200)
    geom = models.MultiPolygonField(_("area"), srid=WGS84)
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    source = models.CharField(_("source of the geometry"), max_length=300, blank=True)

    objects = BoundaryQuerySet.as_manager()

    class Meta:
        verbose_name = _("community boundary")
        verbose_name_plural = _("community boundaries")
        constraints = [
            models.UniqueConstraint(fields=["code", "valid_from"], name="boundary_code_version_unique"),
            models.CheckConstraint(
                condition=Q(valid_until__isnull=True)
                | Q(valid_from__isnull=True)
                | Q(valid_until__gte=models.F("valid_from")),
                name="boundary_validity_ordered",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class DistrictKind(models.TextChoices):
    CITY_DISTRICT = "city_district", _("city district")
    STAROSTA_DISTRICT = "starosta_district", _("starosta district")


class DistrictQuerySet(models.QuerySet):
    def covering(self, point: Point) -> DistrictQuerySet:
        """Districts containing the point. A point on a shared border is covered by both; callers
        that need one take `.first()`, which is deterministic because of the ordering by code."""
        return self.filter(geom__covers=point).order_by("code")


class District(LocalizedNameMixin, models.Model):
    """A named part of the community: a city district or a starosta district."""

    code = models.SlugField(_("code"), max_length=32, unique=True)
    kind = models.CharField(_("kind"), max_length=32, choices=DistrictKind, default=DistrictKind.CITY_DISTRICT)
    geom = models.MultiPolygonField(_("area"), srid=WGS84)

    objects = DistrictQuerySet.as_manager()

    class Meta:
        verbose_name = _("district")
        verbose_name_plural = _("districts")
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=DistrictKind.values), name="district_kind_valid"),
        ]


class OutageKind(models.TextChoices):
    """What a shutoff cuts off. Issue categories name the kind they correspond to."""

    WATER = "water", _("water")
    ELECTRICITY = "electricity", _("electricity")
    GAS = "gas", _("gas")
    HEATING = "heating", _("heating")


class OutageKindGrant(models.Model):
    """Reference data: which kind of outage an organisation may publish (the water utility water,
    the grid company electricity). Edited by an administrator; an outage of a kind its provider has
    no grant for is refused, whoever publishes it, so closing it cannot touch other utilities' reports."""

    executor = models.ForeignKey(
        Executor, verbose_name=_("provider"), on_delete=models.CASCADE, related_name="outage_kind_grants"
    )
    kind = models.CharField(_("kind"), max_length=16, choices=OutageKind)

    class Meta:
        verbose_name = _("outage kind of a provider")
        verbose_name_plural = _("outage kinds of providers")
        ordering = ["executor__code", "kind"]
        constraints = [
            models.UniqueConstraint(fields=["executor", "kind"], name="outage_kind_grant_unique"),
            models.CheckConstraint(condition=Q(kind__in=OutageKind.values), name="outage_kind_grant_kind_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.executor.code}: {self.kind}"


# --- Outages ------------------------------------------------------------------------------------
#
# An *outage* (відключення) is a shutoff of a utility over an area: the water utility closing a
# main for a repair, the grid company's scheduled works or an emergency on a feeder, gas cut for a
# leak, heating stopped for a pipe replacement. It is *planned* (announced ahead, with a window) or
# an *emergency* (already happening; the end is the provider's estimate, sometimes unknown).
#
# Its life: published (start, expected end) → extended (a later expected end, any number of
# times) → closed (the actual end, when the supply is back). The actual end is the provider's
# word: an outage whose expected end has passed without one is still active ("overdue"), because
# only the provider knows whether the water is back. Closing an outage that has not started yet
# cancels it: its actual end is then before its start, so it is neither active nor upcoming.


class OutageNature(models.TextChoices):
    PLANNED = "planned", pgettext_lazy("outage nature", "planned")
    EMERGENCY = "emergency", pgettext_lazy("outage nature", "emergency")


# A title for each (nature, kind), whole phrases so that each language can word them its own way.
OUTAGE_TITLES = {
    ("planned", "water"): _("Planned water outage"),
    ("planned", "electricity"): _("Planned power outage"),
    ("planned", "gas"): _("Planned gas outage"),
    ("planned", "heating"): _("Planned heating outage"),
    ("emergency", "water"): _("Emergency water outage"),
    ("emergency", "electricity"): _("Emergency power outage"),
    ("emergency", "gas"): _("Emergency gas outage"),
    ("emergency", "heating"): _("Emergency heating outage"),
}


class OutageQuerySet(models.QuerySet):
    def active_at(self, at: datetime.datetime) -> OutageQuerySet:
        """Outages in force at `at`: started, and not yet ended by the provider."""
        return self.filter(starts_at__lte=at).filter(Q(ended_at__isnull=True) | Q(ended_at__gt=at))

    def upcoming(self, at: datetime.datetime) -> OutageQuerySet:
        """Outages announced to start after `at` (cancelled ones excluded)."""
        return self.filter(starts_at__gt=at, ended_at__isnull=True)

    def active_or_upcoming(self, at: datetime.datetime) -> OutageQuerySet:
        """What the map shows at `at`: outages in force and those still to come."""
        return self.filter(Q(ended_at__isnull=True) | Q(starts_at__lte=at, ended_at__gt=at))

    def overdue(self, at: datetime.datetime) -> OutageQuerySet:
        """Active outages whose expected end has passed without the provider closing them."""
        return self.active_at(at).filter(ended_at__isnull=True, expected_end_at__lt=at)

    def covering(self, point: Point) -> OutageQuerySet:
        """Outages whose area contains the point, its edge included (ST_Covers)."""
        return self.filter(area__covers=point)

    def of_kind(self, kind: str) -> OutageQuerySet:
        """Outages of one kind (water, electricity, gas, heating)."""
        return self.filter(kind=kind)

    def open(self) -> OutageQuerySet:
        """Outages not closed yet (active, overdue or upcoming)."""
        return self.filter(ended_at__isnull=True)


class Outage(models.Model):
    """A planned or emergency shutoff of water, electricity, gas or heating over an area."""

    kind = models.CharField(_("kind"), max_length=16, choices=OutageKind)
    nature = models.CharField(_("planned or emergency"), max_length=16, choices=OutageNature)
    area = models.MultiPolygonField(_("area"), srid=WGS84)
    affected_streets = models.TextField(
        _("affected streets and buildings"),
        blank=True,
        help_text=_("As the provider lists them, e.g. “Stryiska St. 1–45”."),
    )
    starts_at = models.DateTimeField(_("starts at"))
    expected_end_at = models.DateTimeField(
        _("expected end"), null=True, blank=True, help_text=_("May be unknown for an emergency.")
    )
    ended_at = models.DateTimeField(_("actual end"), null=True, blank=True)
    provider = models.ForeignKey(Executor, verbose_name=_("provider"), on_delete=models.PROTECT, related_name="outages")
    public_notes = models.TextField(_("public notes"), blank=True)
    reference = models.CharField(
        _("provider's reference"),
        max_length=64,
        blank=True,
        help_text=_("The provider's own number for this notice, if any; unique when given."),
    )
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("published by"),
        on_delete=models.PROTECT,
        related_name="published_outages",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = OutageQuerySet.as_manager()

    class Meta:
        verbose_name = _("outage")
        verbose_name_plural = _("outages")
        ordering = ["starts_at", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=OutageKind.values), name="outage_kind_valid"),
            models.CheckConstraint(condition=Q(nature__in=OutageNature.values), name="outage_nature_valid"),
            models.CheckConstraint(
                condition=Q(expected_end_at__isnull=True) | Q(expected_end_at__gt=models.F("starts_at")),
                name="outage_expected_end_after_start",
            ),
            # A planned outage is announced with its window; only an emergency may have no estimate.
            models.CheckConstraint(
                condition=Q(nature="emergency") | Q(expected_end_at__isnull=False),
                name="outage_planned_has_expected_end",
            ),
            models.CheckConstraint(condition=Q(area__isvalid=True), name="outage_area_valid"),
            models.UniqueConstraint(
                fields=["provider", "reference"], condition=~Q(reference=""), name="outage_reference_unique"
            ),
        ]
        indexes = [
            models.Index(fields=["starts_at"], name="outage_starts_idx"),
            # The hot query: which open outages cover this point (every new report asks it).
            # An expression, not fields=["area"]: Django's PostGIS schema editor drops the condition of
            # a spatial index declared by field name and builds a full index instead.
            GistIndex(F("area"), condition=Q(ended_at__isnull=True), name="outage_open_area_gist"),
        ]

    def __str__(self) -> str:
        return f"{self.title} · {timezone.localtime(self.starts_at):%Y-%m-%d %H:%M}"

    @property
    def title(self) -> str:
        """E.g. "Emergency water outage", in the active language."""
        return str(OUTAGE_TITLES.get((self.nature, self.kind), self.get_kind_display()))

    def state_at(self, at: datetime.datetime) -> str:
        """'upcoming', 'active', 'ended' or 'cancelled' at the given moment."""
        if self.ended_at is not None and self.ended_at <= self.starts_at:
            return "cancelled"
        if at < self.starts_at:
            return "upcoming"
        if self.ended_at is not None and self.ended_at <= at:
            return "ended"
        return "active"

    def is_overdue_at(self, at: datetime.datetime) -> bool:
        """Whether the expected end has passed and the provider has not closed the outage."""
        return self.ended_at is None and self.expected_end_at is not None and self.expected_end_at < at


class OutageEventKind(models.TextChoices):
    PUBLISHED = "published", _("published")
    UPDATED = "updated", _("updated")
    EXTENDED = "extended", _("extended")
    CLOSED = "closed", _("closed")
    CANCELLED = "cancelled", _("cancelled")


class OutageEvent(models.Model):
    """An append-only notice about an outage: what happened, who did it, when. The Atom feed and the
    outage's history read these rows; nothing updates or deletes them."""

    outage = models.ForeignKey(Outage, verbose_name=_("outage"), on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(_("what happened"), max_length=16, choices=OutageEventKind)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("by"), on_delete=models.PROTECT, related_name="outage_events"
    )
    at = models.DateTimeField(_("at"), default=timezone.now)
    note = models.TextField(_("public note"), blank=True)
    data = models.JSONField(_("data"), default=dict, blank=True)

    class Meta:
        verbose_name = _("outage event")
        verbose_name_plural = _("outage events")
        ordering = ["at", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=OutageEventKind.values), name="outage_event_kind_valid"),
        ]
        indexes = [models.Index(fields=["-at"], name="outage_event_recent_idx")]

    def __str__(self) -> str:
        return f"{self.outage_id} {self.kind} {self.at:%Y-%m-%d %H:%M}"


# --- Budget projects ----------------------------------------------------------------------------
#
# A *budget project* is a public work paid from the community's budget for a year: a road repair,
# new street lights, a school's shelter, a park. Its geometry is where the work is (a point for a
# building, a line for a street, an area for a park). Money is in hryvnias, kept exactly (Decimal).
# The Prozorro tender ID links to the public procurement record that shows who won and for how
# much; its format is UA-YYYY-MM-DD-NNNNNN-x (e.g. UA-2026-03-15-001234-a).

PROZORRO_TENDER_ID_REGEX = r"^UA-[0-9]{4}-[0-9]{2}-[0-9]{2}-[0-9]{6}-[a-z]$"
PROZORRO_TENDER_URL = "https://prozorro.gov.ua/tender/{}"
BUDGET_GEOMETRY_TYPES = ("POINT", "MULTIPOINT", "LINESTRING", "MULTILINESTRING", "POLYGON", "MULTIPOLYGON")
BUDGET_YEAR_MIN, BUDGET_YEAR_MAX = 2000, 2100


class BudgetSector(models.TextChoices):
    ROADS = "roads", _("roads and pavements")
    LIGHTING = "lighting", _("street lighting")
    EDUCATION = "education", _("schools and kindergartens")
    PARKS = "parks", _("parks and green areas")
    PLAYGROUNDS = "playgrounds", _("playgrounds and yards")
    WATER = "water", _("water supply and sewerage")
    HOUSING = "housing", _("housing and energy efficiency")
    TRANSPORT = "transport", _("public transport")
    HEALTH = "health", _("health care")
    CULTURE = "culture", _("culture and heritage")
    SPORT = "sport", _("sport")
    CIVIL_PROTECTION = "civil_protection", _("civil protection and shelters")
    OTHER = "other", _("other")


class BudgetStatus(models.TextChoices):
    PLANNED = "planned", pgettext_lazy("budget status", "planned")
    PROCUREMENT = "procurement", _("procurement")
    IN_PROGRESS = "in_progress", pgettext_lazy("budget project status", "in progress")
    DONE = "done", _("done")


prozorro_tender_id_validator = RegexValidator(
    PROZORRO_TENDER_ID_REGEX,
    message=_("A Prozorro tender ID looks like UA-2026-03-15-001234-a."),
    code="invalid_prozorro_id",
)


class BudgetProjectQuerySet(models.QuerySet):
    def of_year(self, year: int) -> BudgetProjectQuerySet:
        """Projects of one budget year."""
        return self.filter(budget_year=year)

    def intersecting(self, geometry: GEOSGeometry) -> BudgetProjectQuerySet:
        """Projects whose geometry touches or crosses the given one (a viewport, a district)."""
        return self.filter(geom__intersects=geometry)

    def near(self, point: Point, distance_m: float) -> BudgetProjectQuerySet:
        """Projects within `distance_m` metres of the point, measured on the spheroid (geography),
        e.g. the works around a citizen's report."""
        return self.annotate(geog=Cast("geom", models.GeometryField(geography=True, srid=WGS84))).filter(
            geog__dwithin=(point, D(m=distance_m))
        )


class BudgetProject(models.Model):
    """A planned or running public work of the community's budget."""

    code = models.SlugField(
        _("code"), max_length=64, unique=True, help_text=_("A stable identifier; imports match rows by it.")
    )
    title_uk = models.CharField(_("title (Ukrainian)"), max_length=300)
    title_en = models.CharField(_("title (English)"), max_length=300, blank=True)
    description_uk = models.TextField(_("description (Ukrainian)"), blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)
    sector = models.CharField(_("sector"), max_length=32, choices=BudgetSector)
    geom = models.GeometryField(
        _("location"), srid=WGS84, help_text=_("A point, a line (a street) or an area (a park, a yard).")
    )
    budget_year = models.PositiveSmallIntegerField(
        _("budget year"), validators=[MinValueValidator(BUDGET_YEAR_MIN), MaxValueValidator(BUDGET_YEAR_MAX)]
    )
    planned_amount = models.DecimalField(
        _("planned amount, UAH"), max_digits=14, decimal_places=2, validators=[MinValueValidator(0)]
    )
    spent_amount = models.DecimalField(
        _("spent amount, UAH"), max_digits=14, decimal_places=2, default=0, validators=[MinValueValidator(0)]
    )
    status = models.CharField(_("status"), max_length=16, choices=BudgetStatus, default=BudgetStatus.PLANNED)
    executor = models.ForeignKey(
        Executor,
        verbose_name=_("responsible executor"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="budget_projects",
    )
    contractor = models.CharField(_("contractor"), max_length=300, blank=True)
    start_date = models.DateField(_("start date"), null=True, blank=True)
    end_date = models.DateField(_("end date"), null=True, blank=True)
    prozorro_tender_id = models.CharField(
        _("Prozorro tender ID"), max_length=32, blank=True, validators=[prozorro_tender_id_validator]
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = BudgetProjectQuerySet.as_manager()

    class Meta:
        verbose_name = _("budget project")
        verbose_name_plural = _("budget projects")
        ordering = ["-budget_year", "sector", "code"]
        constraints = [
            models.CheckConstraint(condition=Q(sector__in=BudgetSector.values), name="budget_sector_valid"),
            models.CheckConstraint(condition=Q(status__in=BudgetStatus.values), name="budget_status_valid"),
            models.CheckConstraint(
                condition=Q(geom__geom_type__in=BUDGET_GEOMETRY_TYPES), name="budget_geometry_type_valid"
            ),
            models.CheckConstraint(condition=Q(geom__isvalid=True), name="budget_geometry_valid"),
            models.CheckConstraint(
                condition=Q(budget_year__gte=BUDGET_YEAR_MIN, budget_year__lte=BUDGET_YEAR_MAX),
                name="budget_year_range",
            ),
            models.CheckConstraint(condition=Q(planned_amount__gte=0), name="budget_planned_non_negative"),
            models.CheckConstraint(condition=Q(spent_amount__gte=0), name="budget_spent_non_negative"),
            models.CheckConstraint(
                condition=Q(start_date__isnull=True)
                | Q(end_date__isnull=True)
                | Q(end_date__gte=models.F("start_date")),
                name="budget_dates_ordered",
                violation_error_message=_("The end date must not be before the start date."),
            ),
            models.CheckConstraint(
                condition=Q(prozorro_tender_id="") | Q(prozorro_tender_id__regex=PROZORRO_TENDER_ID_REGEX),
                name="budget_prozorro_id_format",
            ),
        ]
        indexes = [models.Index(fields=["budget_year", "status"], name="budget_year_status_idx")]

    def __str__(self) -> str:
        return self.title

    @property
    def title(self) -> str:
        return localized(self.title_uk, self.title_en)

    @property
    def description(self) -> str:
        return localized(self.description_uk, self.description_en)

    @property
    def prozorro_url(self) -> str:
        """The tender's public page on Prozorro, or "" when there is no tender yet."""
        return PROZORRO_TENDER_URL.format(self.prozorro_tender_id) if self.prozorro_tender_id else ""


def budget_photo_path(photo: BudgetProjectPhoto, filename: str) -> str:
    """Photos under budget/<project code>/, keeping only the file's extension from the upload."""
    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else "jpg"
    return f"budget/{photo.project.code}/{uuid.uuid4().hex}.{extension}"


class BudgetProjectPhoto(models.Model):
    """A photo of a budget project: the place before the work, the progress, the result."""

    project = models.ForeignKey(
        BudgetProject, verbose_name=_("project"), on_delete=models.CASCADE, related_name="photos"
    )
    image = models.ImageField(_("photo"), upload_to=budget_photo_path)
    caption = models.CharField(_("caption"), max_length=300, blank=True)
    taken_on = models.DateField(_("taken on"), null=True, blank=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("budget project photo")
        verbose_name_plural = _("budget project photos")
        ordering = ["order", "pk"]

    def __str__(self) -> str:
        return self.caption or self.image.name


# --- Duty contacts ------------------------------------------------------------------------------


phone_validator = RegexValidator(
    r"^\+?[0-9][0-9 ()\-]{1,30}$",
    message=_("Enter a phone number of digits, optionally starting with + (e.g. +380 3244 2 11 00 or 104)."),
    code="invalid_phone",
)


class DutyContact(LocalizedNameMixin, models.Model):
    """Who to call: the city's duty officer, the emergency services (101, 102, 103, 104, 112), the
    utilities' dispatchers. Shown on /contacts/ with click-to-call links."""

    code = models.SlugField(_("code"), max_length=32, unique=True)
    description_uk = models.TextField(_("description (Ukrainian)"), blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)
    phones = ArrayField(
        models.CharField(max_length=32, validators=[phone_validator]),
        verbose_name=_("phone numbers"),
        help_text=_("Comma-separated, as they should be dialled (e.g. 104, +380324421400)."),
    )
    is_emergency = models.BooleanField(_("emergency service"), default=False)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    is_active = models.BooleanField(_("shown"), default=True)

    class Meta:
        verbose_name = _("duty contact")
        verbose_name_plural = _("duty contacts")
        ordering = ["-is_emergency", "order", "code"]
        constraints = [
            models.CheckConstraint(condition=Q(phones__len__gte=1), name="duty_contact_has_phone"),
        ]

    @property
    def description(self) -> str:
        return localized(self.description_uk, self.description_en)

    @property
    def phone_links(self) -> list[tuple[str, str]]:
        """(number as shown, tel: URL) for each phone; the URL keeps only digits and a leading +."""
        return [(phone, "tel:" + re.sub(r"[^0-9+]", "", phone)) for phone in self.phones]


# --- The gazetteer: streets and address points -------------------------------------------------
#
# A local gazetteer (no outside geocoder): the community's streets and the points of its buildings'
# addresses, imported from OpenStreetMap or from the city's address register
# (`manage.py opencity_import_addresses`). It answers "where is Stryiska 9?" (the map's search) and
# "what is here?" (the address of a new pin, and of every issue made without one).
#
# A street is named in Ukrainian, as the register writes it without its kind ("Стрийська"), with
# its kind (вулиця, проспект, площа…) apart and an English form transliterated by the national
# system (geo/gazetteer.py). `search_uk` and `search_en` keep both names in the normal form the
# search compares (lower case, no apostrophes or kind words); trigram indexes on them make the
# fuzzy match ("Стриська", "stryiska", "Знамянська") cheap however many streets there are.
# A house number is text as written ("9А", "12/3"); `house_key` is its normal form for matching.


class StreetKind(models.TextChoices):
    STREET = "street", pgettext_lazy("street kind", "street")
    AVENUE = "avenue", pgettext_lazy("street kind", "avenue")
    SQUARE = "square", pgettext_lazy("street kind", "square")
    LANE = "lane", pgettext_lazy("street kind", "lane")
    BOULEVARD = "boulevard", pgettext_lazy("street kind", "boulevard")
    PASSAGE = "passage", pgettext_lazy("street kind", "passage")
    HIGHWAY = "highway", pgettext_lazy("street kind", "highway")
    DESCENT = "descent", pgettext_lazy("street kind", "descent")
    EMBANKMENT = "embankment", pgettext_lazy("street kind", "embankment")
    DEAD_END = "dead_end", pgettext_lazy("street kind", "dead end")
    MAIDAN = "maidan", pgettext_lazy("street kind", "maidan")


# Within `metres` of a point, on the geography type; the bounding box of the circle first, so the
# spatial index of the column picks the candidates (ST_DWithin on a cast alone cannot use it).
_WITHIN_SQL = (
    "{column} && ST_Envelope(ST_Buffer(ST_SetSRID(ST_MakePoint(%s, %s), 4326)::geography, %s)::geometry)"
    " AND ST_DWithin({column}::geography, ST_SetSRID(ST_MakePoint(%s, %s), 4326)::geography, %s)"
)


def _within(column: str, point: Point, metres: float) -> RawSQL:
    return RawSQL(  # noqa: S611 (our own column name; the numbers are bound parameters)
        _WITHIN_SQL.format(column=column),
        (point.x, point.y, metres, point.x, point.y, metres),
        output_field=models.BooleanField(),
    )


class StreetQuerySet(models.QuerySet):
    def near(self, point: Point, metres: float) -> StreetQuerySet:
        """Streets whose line passes within `metres` of the point."""
        return self.filter(_within("geo_street.geom", point, metres))


class Street(models.Model):
    """A named street (or square, avenue, lane…) of the community. The same name may exist in two
    settlements of one community (вул. Шевченка in Drohobych and in Stebnyk): the district tells
    them apart."""

    name_uk = models.CharField(_("name (Ukrainian)"), max_length=200, help_text=_("Without its kind: “Стрийська”."))
    name_en = models.CharField(
        _("name (English)"), max_length=200, blank=True, help_text=_("Transliterated by the national system.")
    )
    kind = models.CharField(_("kind"), max_length=16, choices=StreetKind, default=StreetKind.STREET)
    district = models.ForeignKey(
        District, verbose_name=_("district"), on_delete=models.PROTECT, null=True, blank=True, related_name="streets"
    )
    geom = models.MultiLineStringField(_("line"), srid=WGS84, null=True, blank=True)
    search_uk = models.CharField(_("search form (Ukrainian)"), max_length=200, editable=False)
    search_en = models.CharField(_("search form (English)"), max_length=200, editable=False)

    objects = StreetQuerySet.as_manager()

    class Meta:
        verbose_name = _("street")
        verbose_name_plural = _("streets")
        ordering = ["name_uk", "kind", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=StreetKind.values), name="street_kind_valid"),
            models.UniqueConstraint(
                fields=["name_uk", "kind", "district"], nulls_distinct=False, name="street_name_kind_district_unique"
            ),
        ]
        indexes = [
            GinIndex(fields=["search_uk"], opclasses=["gin_trgm_ops"], name="street_search_uk_trgm"),
            GinIndex(fields=["search_en"], opclasses=["gin_trgm_ops"], name="street_search_en_trgm"),
        ]

    def __str__(self) -> str:
        return self.label_uk

    @property
    def label_uk(self) -> str:
        return street_label(kind=self.kind, name_uk=self.name_uk, name_en=self.name_en, language="uk")

    def label(self, language: str) -> str:
        """ "вул. Стрийська" / "Stryiska St."."""
        return street_label(kind=self.kind, name_uk=self.name_uk, name_en=self.name_en, language=language)


class AddressPointQuerySet(models.QuerySet):
    def near(self, point: Point, metres: float) -> AddressPointQuerySet:
        """Addresses within `metres` of the point."""
        return self.filter(_within("geo_addresspoint.point", point, metres))


class AddressPoint(models.Model):
    """One address: a house number on a street, at a point (the building's entrance or centre)."""

    street = models.ForeignKey(Street, verbose_name=_("street"), on_delete=models.CASCADE, related_name="addresses")
    house_number = models.CharField(_("house number"), max_length=20, help_text=_("As written: “9А”, “12/3”."))
    house_key = models.CharField(_("house number (normal form)"), max_length=20, editable=False)
    point = models.PointField(_("location"), srid=WGS84)
    postcode = models.CharField(_("postcode"), max_length=5, blank=True)

    objects = AddressPointQuerySet.as_manager()

    class Meta:
        verbose_name = _("address")
        verbose_name_plural = _("addresses")
        ordering = ["street", "house_key"]
        constraints = [
            models.UniqueConstraint(fields=["street", "house_key"], name="address_street_house_unique"),
            models.CheckConstraint(condition=~Q(house_key=""), name="address_house_key_not_empty"),
            models.CheckConstraint(
                condition=Q(postcode="") | Q(postcode__regex=r"^[0-9]{5}$"), name="address_postcode_format"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.street}, {self.house_number}"

    def label(self, language: str) -> str:
        """ "вул. Стрийська, 9" / "Stryiska St., 9"."""
        street = self.street
        return address_label(
            kind=street.kind,
            name_uk=street.name_uk,
            name_en=street.name_en,
            house_number=self.house_number,
            language=language,
        )
