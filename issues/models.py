"""Issues and the reference data that governs them: categories, SLA policies, the working calendar
and routing rules."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.contrib.gis.db import models
from django.contrib.gis.geos import Point, Polygon
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GistIndex
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db.models import BooleanField, Case, F, Q, When
from django.db.models.expressions import RawSQL
from django.db.models.fields.json import KeyTextTransform
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.localized import localized
from accounts.models import Executor, LocalizedNameMixin
from geo.models import WGS84, District, OutageKind
from issues.rules.attributes import attribute_values_problems
from issues.rules.clocks import RESOLVE_CLOCK_STATUSES, RESPONSE_CLOCK_STATUSES
from issues.rules.transitions import OPEN_STATUSES, RESPONSIBLE_STATUSES, Status, statuses_in_order


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


class AttributeDatatype(models.TextChoices):
    """What kind of answer an extra question takes (the Open311 GeoReport v2 datatypes)."""

    STRING = "string", _("short text")
    NUMBER = "number", _("number")
    DATETIME = "datetime", _("date and time")
    TEXT = "text", _("long text")
    SINGLE = "singlevaluelist", _("one option from a list")
    MULTI = "multivaluelist", _("several options from a list")


LIST_DATATYPES = [AttributeDatatype.SINGLE, AttributeDatatype.MULTI]


class CategoryAttribute(models.Model):
    """An extra question asked when a problem of this category is reported ("how deep is the
    pothole?", "which floor?"). Open311 publishes them as the service definition. A non-variable
    one is only an explanation shown to the reporter; it takes no answer.

    The options of a list question are a small JSON list `[{"key", "name_uk", "name_en"}]`: they
    are edited together with the question in the category's admin page, checked by `clean()`, and a
    check constraint keeps list questions with options and the others without.
    """

    category = models.ForeignKey(
        Category, verbose_name=_("category"), on_delete=models.CASCADE, related_name="attributes"
    )
    code = models.CharField(
        _("code"),
        max_length=40,
        validators=[RegexValidator(r"^[A-Za-z0-9_-]{1,40}$", _("Latin letters, digits, “-” and “_” only."))],
    )
    datatype = models.CharField(_("answer type"), max_length=16, choices=AttributeDatatype)
    required = models.BooleanField(_("answer required"), default=False)
    variable = models.BooleanField(
        _("takes an answer"), default=True, help_text=_("Off: an explanation shown to the reporter, with no answer.")
    )
    order = models.PositiveSmallIntegerField(_("order"), default=1, validators=[MinValueValidator(1)])
    description_uk = models.TextField(_("question (Ukrainian)"), max_length=1000)
    description_en = models.TextField(_("question (English)"), max_length=1000, blank=True)
    datatype_description_uk = models.CharField(_("answer hint (Ukrainian)"), max_length=300, blank=True)
    datatype_description_en = models.CharField(_("answer hint (English)"), max_length=300, blank=True)
    values = models.JSONField(_("options"), default=list, blank=True)

    class Meta:
        verbose_name = _("extra question")
        verbose_name_plural = _("extra questions")
        ordering = ["category", "order", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["category", "code"], name="category_attribute_code_unique"),
            models.CheckConstraint(
                condition=Q(datatype__in=AttributeDatatype.values), name="category_attribute_datatype_valid"
            ),
            models.CheckConstraint(condition=Q(order__gte=1), name="category_attribute_order_from_one"),
            models.CheckConstraint(
                condition=Q(variable=True) | Q(required=False), name="category_attribute_informational_not_required"
            ),
            # List questions have options; the others have none.
            models.CheckConstraint(
                condition=(Q(datatype__in=LIST_DATATYPES) & ~Q(values=[]))
                | (~Q(datatype__in=LIST_DATATYPES) & Q(values=[])),
                name="category_attribute_options_match_type",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.category.code}/{self.code}"

    def clean(self) -> None:
        problems = attribute_values_problems(datatype=self.datatype, values=self.values)
        if problems:
            raise ValidationError({"values": problems})
        if not self.variable and self.required:
            raise ValidationError({"required": _("An explanation takes no answer, so it cannot be required.")})

    def _localized(self, uk: str, en: str) -> str:
        return localized(uk, en)

    @property
    def description(self) -> str:
        return self._localized(self.description_uk, self.description_en)

    @property
    def datatype_description(self) -> str:
        return self._localized(self.datatype_description_uk, self.datatype_description_en)

    def value_name(self, key: str) -> str:
        """The option's name in the active language (the key itself if it is no longer offered)."""
        for item in self.values:
            if item.get("key") == key:
                return self._localized(item.get("name_uk", key), item.get("name_en", ""))
        return key


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


# --- Issues ------------------------------------------------------------------------------------


class IssueStatus(models.TextChoices):
    """The database's names for the status machine's states (issues.rules.transitions.Status), with
    their labels. The values are taken from the rules' enum, so the two cannot drift apart."""

    NEW = Status.NEW.value, _("new")
    ASSIGNED = Status.ASSIGNED.value, _("assigned")
    IN_PROGRESS = Status.IN_PROGRESS.value, _("in progress")
    PLANNED = Status.PLANNED.value, _("planned")
    RESOLVED = Status.RESOLVED.value, _("resolved")
    CLOSED = Status.CLOSED.value, _("closed")
    REJECTED = Status.REJECTED.value, _("rejected")
    DUPLICATE = Status.DUPLICATE.value, _("duplicate")


OPEN_STATUS_VALUES = statuses_in_order(OPEN_STATUSES)


def status_q(statuses: frozenset[Status]) -> Q:
    """A filter on the status being one of a set (an equality for a set of one, as PostgreSQL
    would plan it anyway; it keeps the partial indexes' conditions exactly as they were created)."""
    values = statuses_in_order(statuses)
    return Q(status=values[0]) if len(values) == 1 else Q(status__in=values)


def overdue_q(at: datetime.datetime) -> Q:
    """The ORM's form of issues.rules.clocks' "overdue": a running deadline has passed at `at`."""
    return (status_q(RESPONSE_CLOCK_STATUSES) & Q(response_due_at__lt=at)) | (
        status_q(RESOLVE_CLOCK_STATUSES) & Q(resolve_due_at__lt=at)
    )


def next_deadline_expression() -> Case:
    """The ORM's form of issues.rules.clocks.next_deadline: the answer deadline until answered,
    then the fix deadline."""
    return Case(
        When(status_q(RESPONSE_CLOCK_STATUSES), then=F("response_due_at")),
        default=F("resolve_due_at"),
    )


class IssueSource(models.TextChoices):
    WEB = "web", _("web site")
    API = "api", _("REST API")
    OPEN311 = "open311", _("Open311")
    DEMO = "demo", _("demo data")


class IssueQuerySet(models.QuerySet):
    def open(self) -> IssueQuerySet:
        """Issues somebody still has to act on (new, assigned, in progress, planned)."""
        return self.filter(status__in=OPEN_STATUS_VALUES)

    def public(self) -> IssueQuerySet:
        """Issues anyone may see: not hidden by moderation, and not waiting for their reporter to
        confirm an e-mail address."""
        return self.filter(is_hidden=False, awaiting_confirmation=False)

    def in_bbox(self, bbox: tuple[float, float, float, float]) -> IssueQuerySet:
        """Issues whose point lies in (min_lon, min_lat, max_lon, max_lat)."""
        return self.filter(point__coveredby=Polygon.from_bbox(bbox))

    def within(self, *, lon: float, lat: float, metres: float) -> IssueQuerySet:
        """Issues within `metres` of a point, measured on the spheroid (geography). The `&&` against
        the envelope of a geography buffer lets the GiST index prefilter without converting metres
        to degrees by hand."""
        here = "ST_SetSRID(ST_MakePoint(%s, %s), 4326)"
        near = RawSQL(  # noqa: S611 (fixed SQL text; the numbers are bound parameters)
            f"issues_issue.point && ST_Envelope(ST_Buffer({here}::geography, %s)::geometry)"
            f" AND ST_DWithin(issues_issue.point::geography, {here}::geography, %s)",
            (lon, lat, metres, lon, lat, metres),
            output_field=BooleanField(),
        )
        return self.filter(near)

    def for_executor(self, executor: Executor) -> IssueQuerySet:
        return self.filter(executor=executor)

    def overdue(self, at: datetime.datetime) -> IssueQuerySet:
        """Open issues past a running deadline: no answer in time, or not fixed in time."""
        return self.filter(overdue_q(at))


class Issue(models.Model):
    """A citizen's report and everything the city does about it.

    The status is written by exactly one service (issues.services.issue_transition); the history is
    the append-only IssueEvent table. Deadlines are stored, computed from the category's SLA policy
    on the working calendar when the issue is assigned, and recomputed on reassignment, reopening
    and after a pause in `planned`.
    """

    ref = models.CharField(_("reference"), max_length=24, unique=True, editable=False)
    category = models.ForeignKey(Category, verbose_name=_("category"), on_delete=models.PROTECT, related_name="issues")
    description = models.TextField(_("description"), max_length=4000)
    point = models.PointField(_("location"), srid=WGS84)
    address = models.CharField(_("address"), max_length=300, blank=True)
    district = models.ForeignKey(
        District, verbose_name=_("district"), on_delete=models.PROTECT, null=True, blank=True, related_name="issues"
    )
    status = models.CharField(_("status"), max_length=16, choices=IssueStatus, default=IssueStatus.NEW)
    executor = models.ForeignKey(
        Executor, verbose_name=_("executor"), on_delete=models.PROTECT, null=True, blank=True, related_name="issues"
    )
    routing_rule = models.ForeignKey(
        RoutingRule, verbose_name=_("routing rule"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    clock_started_at = models.DateTimeField(_("clock started at"), null=True, blank=True)
    response_due_at = models.DateTimeField(_("answer due by"), null=True, blank=True)
    resolve_due_at = models.DateTimeField(_("fix due by"), null=True, blank=True)
    responded_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    promised_date = models.DateField(_("promised date"), null=True, blank=True)
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reporter"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="reported_issues",
    )
    duplicate_of = models.ForeignKey(
        "self",
        verbose_name=_("duplicate of"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="duplicates",
    )
    outage = models.ForeignKey(
        "geo.Outage",
        verbose_name=_("known outage"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="issues",
    )
    budget_project = models.ForeignKey(
        "geo.BudgetProject",
        verbose_name=_("budget project"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="issues",
    )
    is_hidden = models.BooleanField(_("hidden by moderation"), default=False)
    # A report by someone who has not confirmed their e-mail address: shown to nobody but its
    # reporter and the dispatchers (and not routed) until they confirm. Trust comes before publicity:
    # throwaway accounts cannot put text and photos on the public map.
    # (A database default too: bulk SQL inserts, such as the demo generator's, need not name it.)
    awaiting_confirmation = models.BooleanField(
        _("waiting for the reporter's e-mail confirmation"), default=False, db_default=False
    )
    # Answers to the category's extra questions, by question code, as checked by the reporting
    # service (issues/rules/attributes.py): text, numbers, ISO datetimes, option keys or lists of them.
    attributes = models.JSONField(_("answers to extra questions"), default=dict, blank=True)
    support_count = models.PositiveIntegerField(_("supporters"), default=0)
    source = models.CharField(_("source"), max_length=16, choices=IssueSource, default=IssueSource.WEB)
    idempotency_key = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(_("reported at"), default=timezone.now, db_index=True)
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)

    objects = IssueQuerySet.as_manager()

    class Meta:
        verbose_name = _("issue")
        verbose_name_plural = _("issues")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(condition=Q(status__in=IssueStatus.values), name="issue_status_valid"),
            models.CheckConstraint(condition=Q(source__in=IssueSource.values), name="issue_source_valid"),
            # An issue that someone is responsible for names them; a duplicate names its original.
            models.CheckConstraint(
                condition=~status_q(RESPONSIBLE_STATUSES) | Q(executor__isnull=False),
                name="issue_assigned_has_executor",
            ),
            models.CheckConstraint(
                condition=~Q(status=IssueStatus.DUPLICATE) | Q(duplicate_of__isnull=False),
                name="issue_duplicate_has_original",
            ),
            models.CheckConstraint(condition=~Q(duplicate_of=F("pk")), name="issue_not_own_duplicate"),
            models.UniqueConstraint(
                fields=["reporter", "idempotency_key"],
                condition=~Q(idempotency_key=""),
                name="issue_idempotency_key_unique",
            ),
        ]
        indexes = [
            # The map of open issues: a partial GiST index keeps viewport queries fast (PLATFORM.md).
            # An expression, not fields=["point"]: Django's PostGIS schema editor drops the condition
            # of a spatial index declared by field name and would build a full index instead.
            GistIndex(F("point"), name="issue_open_point_gist", condition=status_q(OPEN_STATUSES)),
            models.Index(fields=["executor", "status"], name="issue_executor_status_idx"),
            models.Index(
                fields=["resolve_due_at"],
                name="issue_open_resolve_due_idx",
                condition=status_q(RESOLVE_CLOCK_STATUSES),
            ),
            models.Index(
                fields=["response_due_at"],
                name="issue_open_response_due_idx",
                condition=status_q(RESPONSE_CLOCK_STATUSES),
            ),
            models.Index(fields=["category", "status"], name="issue_category_status_idx"),
            models.Index(fields=["updated_at"], name="issue_updated_at_idx"),
            # Open311's keyset paging: public issues newest first, `(created_at, id) < cursor`.
            models.Index(
                fields=["created_at", "id"],
                name="issue_public_created_idx",
                condition=Q(is_hidden=False, awaiting_confirmation=False),
            ),
        ]

    def __str__(self) -> str:
        return self.ref

    def get_absolute_url(self) -> str:
        return reverse("issues:detail", kwargs={"ref": self.ref})

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUS_VALUES


class IssueCellCount(models.Model):
    """The public issues counted per cell of the map's base grid, per category, district and status:
    a read model of issues_issue that the map's counts per cell (issues.sql.issue_cells_geojson)
    read instead of the issues at every zoom up to issues.sql.CELL_BASE_ZOOM.

    The base grid is the 64-pixel grid of zoom CELL_BASE_ZOOM (the last zoom that shows cells; 65,536
    cells around the world), numbered by the database functions issues_cell_column/issues_cell_row;
    a coarser zoom's cell is (cx >> k, cy >> k), exactly. Only public issues (not hidden, not waiting
    for their reporter's confirmation) are counted. Nothing here is written by Python: statement-level
    triggers on issues_issue keep the rows exact on every insert, update, delete and truncate, whoever
    writes (services, admin, the demo generator, raw SQL); a row whose count reaches 0 is deleted.
    `manage.py opencity_rebuild_cell_counts` recomputes the table (after writes made with the
    triggers disabled). The functions and triggers are created by migration 0012."""

    cx = models.IntegerField()  # the column in the base grid, west to east
    cy = models.IntegerField()  # the row in the base grid, north to south
    category_id = models.BigIntegerField()
    district_id = models.BigIntegerField(null=True)
    status = models.CharField(max_length=16)
    count = models.IntegerField()
    # For the cell's mean position (sum / count), in degrees.
    sum_lon = models.FloatField()
    sum_lat = models.FloatField()

    class Meta:
        constraints = [
            # The triggers' upsert key; also the range scan of a view (cx first).
            models.UniqueConstraint(
                fields=["cx", "cy", "category_id", "district_id", "status"],
                name="issue_cell_count_key",
                nulls_distinct=False,
            ),
        ]
        # A status filter (the map's default is the open issues, a small share of the rows) reads
        # only its statuses' rows of the view.
        indexes = [models.Index(fields=["status", "cx", "cy"], name="issue_cell_count_status_idx")]

    def __str__(self) -> str:
        return f"{self.cx}/{self.cy} {self.status}: {self.count}"


class IssueEventKind(models.TextChoices):
    CREATED = "created", _("reported")
    ROUTED = "routed", _("routed")
    REASSIGNED = "reassigned", _("reassigned")
    STATUS_CHANGED = "status_changed", _("status changed")
    MERGED = "merged", _("merged into another issue")
    COMMENT = "comment", _("comment")
    SLA_BREACHED = "sla_breached", _("deadline missed")
    ESCALATED = "escalated", _("escalated")
    HIDDEN = "hidden", _("hidden")
    SHOWN = "shown", _("shown again")
    CATEGORY_CHANGED = "category_changed", _("category changed")
    DUPLICATE_FLAGGED = "duplicate_flagged", _("possible duplicate")
    MEDIA_ADDED = "media_added", _("media added")
    SUPPORTED = "supported", _("supported")
    OUTAGE_LINKED = "outage_linked", _("linked to an outage")
    # Staff corrected the location or text (issues.services.corrections); the data holds each
    # changed field's old and new value (issues.rules.corrections.CorrectionRecord).
    CORRECTED = "corrected", _("corrected")


# Events that set an issue's status (besides `created`, which sets the first one, `new`): their
# from_status/to_status are the issue's history of statuses.
STATUS_EVENT_KINDS = frozenset(
    {IssueEventKind.ROUTED, IssueEventKind.REASSIGNED, IssueEventKind.STATUS_CHANGED, IssueEventKind.MERGED}
)
# Events that give an executor the issue (the action that starts the clock: routing, reassignment).
ASSIGNMENT_EVENT_KINDS = frozenset({IssueEventKind.ROUTED, IssueEventKind.REASSIGNED})


def event_kinds_in_order(kinds: frozenset[IssueEventKind]) -> list[str]:
    """The kinds of a set as plain values, in the order IssueEventKind declares them."""
    return [kind.value for kind in IssueEventKind if kind in kinds]


class IssueEvent(models.Model):
    """One thing that happened to an issue. Append-only: a database trigger refuses updates and
    deletes. The timeline a citizen sees is the public events; statistics and notifications are
    computed from all of them."""

    issue = models.ForeignKey(Issue, on_delete=models.PROTECT, related_name="events")
    kind = models.CharField(max_length=24, choices=IssueEventKind)
    at = models.DateTimeField(default=timezone.now)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    from_status = models.CharField(max_length=16, choices=IssueStatus, blank=True)
    to_status = models.CharField(max_length=16, choices=IssueStatus, blank=True)
    is_public = models.BooleanField(default=True)
    note = models.TextField(blank=True, max_length=4000)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = _("issue event")
        verbose_name_plural = _("issue events")
        ordering = ["at", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=IssueEventKind.values), name="issue_event_kind_valid"),
            # A deadline is breached once: the SLA sweep can run any number of times.
            models.UniqueConstraint(
                F("issue"),
                KeyTextTransform("deadline", "data"),
                KeyTextTransform("due_at", "data"),
                condition=Q(kind="sla_breached"),
                name="issue_event_breach_once",
            ),
        ]
        indexes = [
            models.Index(fields=["issue", "at"], name="issue_event_issue_at_idx"),
            models.Index(fields=["kind", "at"], name="issue_event_kind_at_idx"),
            # Open311's servicerequestupdates: public events oldest first, `(at, id) > cursor`.
            models.Index(fields=["at", "id"], name="issue_event_public_at_idx", condition=Q(is_public=True)),
        ]

    def __str__(self) -> str:
        return f"{self.issue_id} {self.kind} {self.at:%Y-%m-%d %H:%M}"


class IssueRefCounter(models.Model):
    """The last number used for public references per community prefix and year (DRH-2026-000123)."""

    prefix = models.CharField(max_length=8)
    year = models.PositiveSmallIntegerField()
    last_number = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["prefix", "year"], name="issue_ref_counter_unique")]


class FollowReason(models.TextChoices):
    REPORTER = "reporter", _("reported it")
    SUPPORTER = "supporter", _("supports it")


class IssueFollower(models.Model):
    """Someone who follows an issue: its reporter, or a citizen who said "me too" (a supporter).

    Followers get an e-mail on every public status change unless they switched it off for this
    issue. The issue's support count is the number of supporters (kept on the issue by the service
    that adds them, in the same transaction)."""

    issue = models.ForeignKey(Issue, on_delete=models.CASCADE, related_name="followers")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="followed_issues")
    reason = models.CharField(max_length=16, choices=FollowReason)
    notify = models.BooleanField(_("e-mail me about changes"), default=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("follower")
        verbose_name_plural = _("followers")
        constraints = [
            models.UniqueConstraint(fields=["issue", "user"], name="issue_follower_unique"),
            models.CheckConstraint(condition=Q(reason__in=FollowReason.values), name="issue_follower_reason_valid"),
        ]
        indexes = [models.Index(fields=["user", "created_at"], name="issue_follower_user_idx")]


class NotificationDelivery(models.Model):
    """One e-mail sent about one event to one address. The notification task runs at least once
    (a worker killed mid-task leaves it to be run again); this record makes the second run skip the
    addresses the first one reached, so nobody gets the same message twice."""

    event = models.ForeignKey(IssueEvent, on_delete=models.CASCADE, related_name="deliveries")
    email = models.CharField(max_length=254)  # lower-cased
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("notification delivery")
        verbose_name_plural = _("notification deliveries")
        constraints = [models.UniqueConstraint(fields=["event", "email"], name="notification_delivery_unique")]


class MediaRole(models.TextChoices):
    REPORT = "report", _("with the report")
    BEFORE = "before", _("before the work")
    AFTER = "after", _("after the work")


class IssueMedia(models.Model):
    """A photo or video attached to an issue: the citizen's, or the executor's before/after."""

    issue = models.ForeignKey(Issue, on_delete=models.CASCADE, related_name="media")
    asset = models.OneToOneField("media_store.MediaAsset", on_delete=models.PROTECT, related_name="issue_link")
    role = models.CharField(_("role"), max_length=8, choices=MediaRole, default=MediaRole.REPORT)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    position = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("issue photo or video")
        verbose_name_plural = _("issue photos and videos")
        ordering = ["role", "position", "pk"]
        constraints = [models.CheckConstraint(condition=Q(role__in=MediaRole.values), name="issue_media_role_valid")]
        indexes = [models.Index(fields=["issue", "role"], name="issue_media_issue_role_idx")]
