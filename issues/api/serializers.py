"""Input and output serializers of the issues API. Input serializers only validate shapes and
look up references; every rule lives in the services."""

from __future__ import annotations

import json

from django.conf import settings
from django.contrib.gis.geos import GEOSGeometry, Point
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from accounts.localized import localized
from accounts.models import Executor
from geo.models import BudgetProject, District, Outage
from issues.models import Category, CategoryGroup, Issue, IssueEvent, IssueStatus
from issues.presentation import EventNames, deadline_in_words, event_summary, outage_notice
from issues.rules.transitions import CLOSED_STATUSES, OPEN_STATUSES, Action, statuses_in_order
from issues.selectors import issue_held_for_confirmation
from issues.sql import MAX_CELL_ZOOM, MAX_CELLS_ACROSS, NEARBY_TITLE_CHARS, IssueLayerFilter, cells_spanned
from media_store.models import MediaAsset


def parse_point(value) -> Point:
    """A GeoJSON Point (object or text) with WGS84 coordinates in range, or a ValidationError."""
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            raise serializers.ValidationError(_("Location must be a GeoJSON Point.")) from None
    if not isinstance(value, dict) or value.get("type") != "Point":
        raise serializers.ValidationError(_("Location must be a GeoJSON Point."))
    coordinates = value.get("coordinates")
    if (
        not isinstance(coordinates, list)
        or len(coordinates) != 2
        or not all(isinstance(c, int | float) and not isinstance(c, bool) for c in coordinates)
    ):
        raise serializers.ValidationError(_("A point has exactly two numbers: [longitude, latitude]."))
    lon, lat = coordinates
    if not (-180 <= lon <= 180 and -90 <= lat <= 90):
        raise serializers.ValidationError(_("Longitude must be between -180 and 180 and latitude between -90 and 90."))
    point = GEOSGeometry(f"POINT({lon} {lat})", srid=4326)
    return point


@extend_schema_field(
    {
        "type": "object",
        "description": "A GeoJSON Point: [longitude, latitude] in WGS84.",
        "properties": {
            "type": {"type": "string", "enum": ["Point"]},
            "coordinates": {"type": "array", "items": {"type": "number"}, "minItems": 2, "maxItems": 2},
        },
        "required": ["type", "coordinates"],
    }
)
class PointField(serializers.Field):
    default_error_messages = {"required": _("Please put the pin on the map.")}

    def to_internal_value(self, data) -> Point:
        return parse_point(data)

    def to_representation(self, value: Point) -> dict:
        return {"type": "Point", "coordinates": [round(value.x, 7), round(value.y, 7)]}


class CategoryCodeField(serializers.SlugRelatedField):
    default_error_messages = {
        "does_not_exist": _("Unknown category “{value}”."),
        "invalid": _("Unknown category."),
    }

    def __init__(self, **kwargs):
        super().__init__(slug_field="code", queryset=Category.objects.filter(is_active=True), **kwargs)


@extend_schema_field(
    {
        "type": "object",
        "description": "Answers to the category's extra questions by code: text, a number, an ISO 8601 datetime, "
        "an option key, or a list of option keys (see `attributes` of GET /api/v1/categories/).",
        "additionalProperties": {
            "oneOf": [
                {"type": "string"},
                {"type": "number"},
                {"type": "array", "items": {"type": "string"}},
            ]
        },
    }
)
class AttributesField(serializers.Field):
    """Answers to the category's extra questions: a JSON object `{"code": value}` (a list for a
    multi-value question). Multipart requests send the object as JSON text. The reporting service
    checks the answers against the category's questions."""

    default_error_messages = {"invalid": _("Answers must be an object of question codes and answers.")}

    def to_internal_value(self, data) -> dict:
        if isinstance(data, str):
            try:
                data = json.loads(data) if data.strip() else {}
            except ValueError:
                self.fail("invalid")
        if not isinstance(data, dict) or not all(
            isinstance(value, str | int | float | list | type(None)) for value in data.values()
        ):
            self.fail("invalid")
        return data

    def to_representation(self, value: dict) -> dict:
        return value


class IssueCreateInput(serializers.Serializer):
    """JSON or multipart. Media either uploaded beforehand (`media`: ids from POST /api/v1/media/)
    or sent with the report as files (`photos`, repeated, and `video`; handled by the view)."""

    category = CategoryCodeField()
    description = serializers.CharField(max_length=4000, allow_blank=False, trim_whitespace=True)
    location = PointField()
    address = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")
    media = serializers.ListField(child=serializers.UUIDField(), required=False, default=list, max_length=5)
    attributes = AttributesField(required=False, default=dict)


class MediaAddInput(serializers.Serializer):
    media = serializers.ListField(child=serializers.UUIDField(), required=False, default=list, max_length=5)
    role = serializers.ChoiceField(choices=["report", "before", "after"], required=False, allow_null=True, default=None)


def picture_url(asset: MediaAsset, variant: str) -> str | None:
    """The address of a variant ("web", "thumbnail", "poster") of an issue's photo or video, or None
    for a thumbnail or poster the asset has not got. Every address goes through the checking view
    (issues.views.issue_picture): it stops working when the issue is hidden, unlike a storage URL."""
    if (variant == "thumbnail" and not asset.file_for("thumbnail")) or (variant == "poster" and not asset.poster_file):
        return None
    return reverse("issues:picture", args=[asset.public_id, variant])


class IssueMediaOutput(serializers.Serializer):
    id = serializers.UUIDField(source="asset.public_id")
    role = serializers.CharField()
    kind = serializers.CharField(source="asset.kind")
    status = serializers.CharField(source="asset.status")
    url = serializers.SerializerMethodField()
    thumbnail_url = serializers.SerializerMethodField()
    poster_url = serializers.SerializerMethodField()
    width = serializers.IntegerField(source="asset.width")
    height = serializers.IntegerField(source="asset.height")
    duration_seconds = serializers.FloatField(source="asset.duration_seconds", allow_null=True)

    def get_url(self, link) -> str:
        return picture_url(link.asset, "web")

    def get_thumbnail_url(self, link) -> str | None:
        return picture_url(link.asset, "thumbnail")

    def get_poster_url(self, link) -> str | None:
        return picture_url(link.asset, "poster")


class ExecutorOutput(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()


class TimelineEventOutput(serializers.Serializer):
    at = serializers.DateTimeField()
    kind = serializers.CharField()
    status = serializers.CharField(source="to_status", allow_blank=True)
    summary = serializers.SerializerMethodField()
    note = serializers.CharField()

    def get_summary(self, event: IssueEvent) -> str:
        return event_summary(event, names=self.context.get("event_names"))


class OutageRefOutput(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.CharField()
    title = serializers.CharField()
    expected_end_at = serializers.DateTimeField(allow_null=True)
    ended_at = serializers.DateTimeField(allow_null=True)
    url = serializers.CharField()


class BudgetProjectRefOutput(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    url = serializers.CharField()


def outage_reference(outage: Outage | None) -> dict | None:
    """The outage an issue falls in, as the issue's answer shows it."""
    if outage is None:
        return None
    return {
        "id": outage.pk,
        "kind": outage.kind,
        "title": outage.title,
        "expected_end_at": serializers.DateTimeField().to_representation(outage.expected_end_at)
        if outage.expected_end_at
        else None,
        "ended_at": serializers.DateTimeField().to_representation(outage.ended_at) if outage.ended_at else None,
        "url": reverse("geo:outage-detail", kwargs={"pk": outage.pk}),
    }


def outage_notice_for(outage: Outage | None) -> str | None:
    """What the issue's reader is told about the outage it falls in, while the outage lasts."""
    if outage is None or outage.ended_at is not None:
        return None
    return outage_notice(kind=outage.kind, expected_end=outage.expected_end_at)


def budget_project_reference(project: BudgetProject | None) -> dict | None:
    """The budget project an issue is planned in, as the issue's answer shows it."""
    if project is None:
        return None
    return {
        "id": project.pk,
        "title": project.title,
        "url": reverse("geo:budget-detail", kwargs={"pk": project.pk}),
    }


class IssueOutput(serializers.Serializer):
    ref = serializers.CharField()
    status = serializers.ChoiceField(choices=IssueStatus.choices)
    status_label = serializers.CharField(source="get_status_display")
    category = serializers.CharField(source="category.code")
    category_name = serializers.CharField(source="category.name")
    description = serializers.CharField()
    address = serializers.CharField()
    location = PointField(source="point")
    district = serializers.SerializerMethodField()
    executor = serializers.SerializerMethodField()
    response_due_at = serializers.DateTimeField(allow_null=True, help_text="Null until the issue is routed.")
    resolve_due_at = serializers.DateTimeField(allow_null=True, help_text="Null until the issue is routed.")
    response_due_text = serializers.SerializerMethodField()
    resolve_due_text = serializers.SerializerMethodField()
    promised_date = serializers.DateField(allow_null=True, help_text="The executor's promised date, if any.")
    support_count = serializers.IntegerField()
    duplicate_of = serializers.CharField(
        source="duplicate_of.ref", default=None, allow_null=True, help_text="The issue this one duplicates, if any."
    )
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()
    url = serializers.CharField(source="get_absolute_url")

    def get_response_due_text(self, issue: Issue) -> str:
        return deadline_in_words(issue.response_due_at)

    def get_resolve_due_text(self, issue: Issue) -> str:
        return deadline_in_words(issue.resolve_due_at)

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_district(self, issue: Issue) -> str | None:
        return issue.district.name if issue.district_id else None

    @extend_schema_field(ExecutorOutput(allow_null=True))
    def get_executor(self, issue: Issue) -> dict | None:
        return ExecutorOutput(issue.executor).data if issue.executor_id else None


class IssueDetailOutput(IssueOutput):
    attributes = serializers.DictField(
        read_only=True, child=serializers.JSONField(), help_text="Answers to the category's extra questions, by code."
    )
    timeline = serializers.SerializerMethodField()
    media = serializers.SerializerMethodField()
    held_for_confirmation = serializers.SerializerMethodField()
    outage = serializers.SerializerMethodField()
    outage_notice = serializers.SerializerMethodField()
    budget_project = serializers.SerializerMethodField()

    @extend_schema_field(OutageRefOutput(allow_null=True))
    def get_outage(self, issue: Issue) -> dict | None:
        return outage_reference(issue.outage)

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_outage_notice(self, issue: Issue) -> str | None:
        return outage_notice_for(issue.outage)

    @extend_schema_field(BudgetProjectRefOutput(allow_null=True))
    def get_budget_project(self, issue: Issue) -> dict | None:
        return budget_project_reference(issue.budget_project)

    def get_held_for_confirmation(self, issue: Issue) -> bool:
        """True, for its own reporter only, while the report waits for an e-mail confirmation."""
        return issue_held_for_confirmation(issue=issue, viewer=self.context.get("viewer"))

    @extend_schema_field(IssueMediaOutput(many=True))
    def get_media(self, issue: Issue) -> list:
        links = self.context.get("media")
        if links is None:
            links = issue.media.select_related("asset").order_by("role", "position", "pk")
        return IssueMediaOutput(links, many=True).data

    @extend_schema_field(TimelineEventOutput(many=True))
    def get_timeline(self, issue: Issue) -> list:
        events = self.context.get("timeline")
        if events is None:
            events = issue.events.filter(is_public=True).order_by("at", "pk")
        events = list(events)
        # One query per kind of name, not per event; none for the issue's own executor, loaded with it.
        known = [issue.executor] if issue.executor_id else []
        context = {"event_names": EventNames.for_events(events, executors=known)}
        return TimelineEventOutput(events, many=True, context=context).data


# The queue API's page: what one screen of an executor's app needs by default, at most a day's work of
# the largest department.
QUEUE_API_LIMIT = 100
QUEUE_API_MAX_LIMIT = 1000


class QueuePageInput(serializers.Serializer):
    """A page of the executor's queue: `limit` issues (at most QUEUE_API_MAX_LIMIT) from `offset`."""

    limit = serializers.IntegerField(
        required=False, default=QUEUE_API_LIMIT, min_value=1, max_value=QUEUE_API_MAX_LIMIT
    )
    offset = serializers.IntegerField(required=False, default=0, min_value=0)


class QueueItemOutput(IssueOutput):
    is_overdue = serializers.SerializerMethodField()
    next_due_at = serializers.DateTimeField(allow_null=True)

    def get_is_overdue(self, issue: Issue) -> bool:
        return issue.is_overdue_rank == 0


# The actions the API takes (routing is the platform's); named in SPECTACULAR_SETTINGS' enum overrides,
# so the schema keeps calling them ActionEnum beside the appeals' actions.
TRANSITION_ACTIONS = [a.value for a in Action if a != Action.ROUTE]


class TransitionInput(serializers.Serializer):
    action = serializers.ChoiceField(choices=TRANSITION_ACTIONS)
    media = serializers.ListField(child=serializers.UUIDField(), required=False, default=list, max_length=5)
    note = serializers.CharField(max_length=4000, required=False, allow_blank=True, default="")
    promised_date = serializers.DateField(required=False, allow_null=True, default=None)
    executor = serializers.SlugRelatedField(
        slug_field="code",
        queryset=Executor.objects.all(),
        required=False,
        allow_null=True,
        default=None,
        error_messages={"does_not_exist": _("Unknown executor “{value}”.")},
    )
    budget_project = serializers.PrimaryKeyRelatedField(
        queryset=BudgetProject.objects.all(),
        required=False,
        allow_null=True,
        default=None,
        error_messages={"does_not_exist": _("No budget project with the number “{pk_value}”.")},
    )
    duplicate_of = serializers.SlugRelatedField(
        slug_field="ref",
        queryset=Issue.objects.all(),
        required=False,
        allow_null=True,
        default=None,
        error_messages={"does_not_exist": _("No issue with the reference “{value}”.")},
    )


class AttributeOptionOutput(serializers.Serializer):
    key = serializers.CharField()
    name = serializers.CharField()


class CategoryAttributeOutput(serializers.Serializer):
    """An extra question, in the reader's language."""

    code = serializers.CharField()
    datatype = serializers.CharField()
    required = serializers.BooleanField()
    variable = serializers.BooleanField()
    order = serializers.IntegerField()
    description = serializers.CharField()
    datatype_description = serializers.CharField()
    values = serializers.SerializerMethodField()

    @extend_schema_field(AttributeOptionOutput(many=True))
    def get_values(self, attribute) -> list[dict]:
        options = [{"key": item["key"], "name": attribute.value_name(item["key"])} for item in attribute.values]
        return AttributeOptionOutput(options, many=True).data


class CategoryGroupOutput(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()


class SlaOutput(serializers.Serializer):
    clock = serializers.ChoiceField(choices=["working_hours", "calendar_hours"])
    response_hours = serializers.FloatField()
    resolution_hours = serializers.FloatField()


class CategoryOutput(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    name_uk = serializers.CharField()
    name_en = serializers.CharField()
    group = serializers.SerializerMethodField()
    photo_required = serializers.BooleanField()
    duplicate_radius_m = serializers.IntegerField()
    outage_kind = serializers.CharField()
    urgent_notice = serializers.SerializerMethodField()
    sla = serializers.SerializerMethodField()
    attributes = CategoryAttributeOutput(many=True, read_only=True)

    @extend_schema_field(CategoryGroupOutput)
    def get_group(self, category: Category) -> dict:
        return {"code": category.group.code, "name": category.group.name}

    def get_urgent_notice(self, category: Category) -> str:
        return localized(category.urgent_notice_uk, category.urgent_notice_en)

    @extend_schema_field(SlaOutput)
    def get_sla(self, category: Category) -> dict:
        policy = category.sla_policy
        return {
            "clock": policy.clock,
            "response_hours": float(policy.response_hours),
            "resolution_hours": float(policy.resolution_hours),
        }


def _split(value: str) -> list[str]:
    return [item.strip() for item in value.split(",") if item.strip()]


class IssueListFilterInput(serializers.Serializer):
    bbox = serializers.CharField(required=False, allow_blank=True)
    status = serializers.CharField(required=False, allow_blank=True)
    category = serializers.CharField(required=False, allow_blank=True)
    group = serializers.CharField(required=False, allow_blank=True)
    district = serializers.CharField(required=False, allow_blank=True)
    executor = serializers.CharField(required=False, allow_blank=True)
    mine = serializers.BooleanField(required=False, default=False)
    overdue = serializers.BooleanField(required=False, default=False)
    after = serializers.CharField(required=False, max_length=40)
    budget_project = serializers.PrimaryKeyRelatedField(queryset=BudgetProject.objects.all(), required=False)
    near_budget_project = serializers.PrimaryKeyRelatedField(queryset=BudgetProject.objects.all(), required=False)
    limit = serializers.IntegerField(required=False, min_value=1)

    def validate_mine(self, value: bool) -> bool:
        request = self.context.get("request")
        if value and (request is None or not request.user.is_authenticated):
            raise serializers.ValidationError(_("Sign in to see your own reports."))
        return value

    def validate_bbox(self, value: str):
        if not value:
            return None
        parts = value.split(",")
        try:
            numbers = [float(part) for part in parts]
        except ValueError:
            numbers = []
        if len(parts) != 4 or len(numbers) != 4 or any(n != n or n in (float("inf"), float("-inf")) for n in numbers):
            raise serializers.ValidationError(_("bbox must be four numbers: minLon,minLat,maxLon,maxLat."))
        min_lon, min_lat, max_lon, max_lat = numbers
        if not (-180 <= min_lon <= 180 and -180 <= max_lon <= 180 and -90 <= min_lat <= 90 and -90 <= max_lat <= 90):
            raise serializers.ValidationError(_("bbox coordinates are out of range."))
        if min_lon > max_lon or min_lat > max_lat:
            raise serializers.ValidationError(_("bbox must go from the south-west corner to the north-east one."))
        return (min_lon, min_lat, max_lon, max_lat)

    def validate_status(self, value: str) -> list[str]:
        statuses = _split(value or "")
        expanded = []
        for status in statuses:
            if status == "open":
                expanded += statuses_in_order(OPEN_STATUSES)
            elif status == "closed":
                expanded += statuses_in_order(CLOSED_STATUSES)
            elif status in IssueStatus.values:
                expanded.append(status)
            else:
                raise serializers.ValidationError(_("Unknown status “%(status)s”.") % {"status": status})
        return expanded

    def _known_codes(self, value: str, model, message) -> list[str]:
        codes = _split(value or "")
        known = set(model.objects.filter(code__in=codes).values_list("code", flat=True))
        unknown = [code for code in codes if code not in known]
        if unknown:
            raise serializers.ValidationError(message % {"codes": ", ".join(unknown)})
        return codes

    def validate_category(self, value: str) -> list[str]:
        return self._known_codes(value, Category, _("Unknown category: %(codes)s."))

    def validate_group(self, value: str) -> list[str]:
        return self._known_codes(value, CategoryGroup, _("Unknown category group: %(codes)s."))

    def validate_district(self, value: str) -> list[str]:
        return self._known_codes(value, District, _("Unknown district: %(codes)s."))

    def validate_executor(self, value: str) -> list[str]:
        return self._known_codes(value, Executor, _("Unknown executor: %(codes)s."))

    def validate_limit(self, value: int) -> int:
        if value > settings.OPENCITY_ISSUE_LIST_MAX_LIMIT:
            raise serializers.ValidationError(
                _("At most %(n)d issues per request.") % {"n": settings.OPENCITY_ISSUE_LIST_MAX_LIMIT}
            )
        return value

    def to_filter(self) -> IssueLayerFilter:
        data = self.validated_data
        return IssueLayerFilter(
            bbox=data.get("bbox"),
            statuses=data.get("status") or [],
            category_codes=data.get("category") or [],
            group_codes=data.get("group") or [],
            district_codes=data.get("district") or [],
            executor_codes=data.get("executor") or [],
            reporter_id=self.context["request"].user.pk if data.get("mine") else None,
            overdue=data.get("overdue", False),
            after_ref=data.get("after") or None,
            budget_project_id=data["budget_project"].pk if data.get("budget_project") else None,
            near_budget_project_id=data["near_budget_project"].pk if data.get("near_budget_project") else None,
            limit=data.get("limit") or settings.OPENCITY_ISSUE_LIST_LIMIT,
        )


class IssueLayerInput(IssueListFilterInput):
    """The issue layer's filters and its form: `full` (every property, the default for API
    clients) or `pins` (the map's lean pins: issues.sql.PIN_PROPERTIES)."""

    view = serializers.ChoiceField(choices=["full", "pins"], required=False, default="full")


class IssueCellsInput(IssueListFilterInput):
    """The map's aggregates: the layer's filters (not its paging) over a required bbox, counted in
    the grid of an integer zoom (issues.sql.CELLS_SQL)."""

    limit = None
    after = None
    bbox = serializers.CharField()
    zoom = serializers.IntegerField(min_value=0, max_value=MAX_CELL_ZOOM)

    def validate(self, data: dict) -> dict:
        across, down = cells_spanned(data["bbox"], data["zoom"])
        if max(across, down) > MAX_CELLS_ACROSS:
            raise serializers.ValidationError(
                {
                    "bbox": _("This bbox is too large for zoom %(zoom)d: zoom out, or ask for a smaller area.")
                    % {"zoom": data["zoom"]}
                }
            )
        return data


class NearbyInput(serializers.Serializer):
    lon = serializers.FloatField(min_value=-180, max_value=180)
    lat = serializers.FloatField(min_value=-90, max_value=90)
    category = CategoryCodeField()


class NearbyQuery(NearbyInput):
    """NearbyInput without the category's lookup: the answer's own statement finds the category
    (issues.sql.issues_nearby_json); the code is taken as sent, as the lookup would take it."""

    category = serializers.CharField(trim_whitespace=False)


def unknown_category(code: str) -> str:
    """CategoryCodeField's message for a code that names no active category."""
    return CategoryCodeField.default_error_messages["does_not_exist"].format(value=code)


# One issue of the nearby answer: its schema, and the reference that issues.sql.NEARBY_JSON_SQL
# writes the same as (tests/api/test_small_answers.py holds them equal).
class NearbyIssueOutput(serializers.Serializer):
    ref = serializers.CharField()
    status = serializers.ChoiceField(choices=IssueStatus.choices)
    title = serializers.SerializerMethodField()
    address = serializers.CharField()
    support_count = serializers.IntegerField()
    created_at = serializers.DateTimeField()
    distance_m = serializers.SerializerMethodField()
    location = serializers.SerializerMethodField()
    url = serializers.SerializerMethodField()

    def get_title(self, row: dict) -> str:
        return row["description"][:NEARBY_TITLE_CHARS]

    def get_distance_m(self, row: dict) -> float:
        return round(row["distance_m"], 1)

    @extend_schema_field(PointField)
    def get_location(self, row: dict) -> dict:
        return {"type": "Point", "coordinates": [round(row["lon"], 7), round(row["lat"], 7)]}

    def get_url(self, row: dict) -> str:
        return f"/issues/{row['ref']}/"
