"""The issues API (v1). One thin view per operation: validate, call one service or selector,
serialize. Errors come out through opencity.api.exception_handler."""

from __future__ import annotations

from django.conf import settings
from django.http import Http404, HttpResponse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.exceptions import Throttled
from rest_framework.permissions import IsAuthenticated
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.roles import user_executor
from issues.api.detail import FOR_THE_SERIALIZER, issue_detail_json
from issues.api.serializers import (
    CategoryOutput,
    IssueCellsInput,
    IssueCreateInput,
    IssueDetailOutput,
    IssueLayerInput,
    MediaAddInput,
    NearbyInput,
    NearbyIssueOutput,
    NearbyQuery,
    QueueItemOutput,
    QueuePageInput,
    TransitionInput,
    unknown_category,
)
from issues.models import Issue, IssueStatus
from issues.selectors import categories_active, issue_for_viewer, issue_public_timeline, queue_for_executor
from issues.services import TransitionInput as TransitionData
from issues.services import issue_create, issue_transition
from issues.services.media import issue_add_media, issue_media_add_check, media_intake_for_request
from issues.services.support import issue_support
from issues.sql import (
    CELL_PX,
    MAX_CELLS_ACROSS,
    PIN_TITLE_CHARS,
    issue_cells_geojson,
    issue_layer_geojson,
    issue_pins_geojson,
    issues_nearby_json,
)
from media_store.api.views import media_upload_allowed
from media_store.selectors import media_get_many
from opencity.api import NO_FORMAT_PARAMETER, AcceptHeaderNegotiation, GeoJSONRenderer
from opencity.errors import Forbidden, InvalidInput
from opencity.openapi import (
    BAD_REQUEST,
    BBOX_DESCRIPTION,
    BBOX_PATTERN,
    FORBIDDEN,
    ISSUE_REF_PATTERN,
    MEDIA_UNAVAILABLE,
    NOT_FOUND,
    RATE_LIMITED,
    UNAUTHORIZED,
    comma_list_pattern,
    error,
    feature_collection,
)

LAYER_EXTRA = {
    "count": {"type": "integer", "description": "Features in this answer."},
    "limit": {"type": "integer", "description": "The most features this answer could hold."},
    "truncated": {"type": "boolean", "description": "More issues matched than the limit allowed."},
    "next": {
        "type": "string",
        "nullable": True,
        "description": "When truncated: the cursor of the next page (pass it as `after`); otherwise null.",
    },
}
ISSUE_LAYER = feature_collection(
    {
        "ref": {"type": "string"},
        "status": {"type": "string", "enum": list(IssueStatus.values)},
        "category": {"type": "string"},
        "category_name": {"type": "string"},
        "group": {"type": "string"},
        "district": {"type": "string", "nullable": True},
        "executor": {
            "type": "object",
            "nullable": True,
            "properties": {"code": {"type": "string"}, "name": {"type": "string"}},
        },
        "title": {"type": "string"},
        "address": {"type": "string"},
        "support_count": {"type": "integer"},
        "created_at": {"type": "string", "format": "date-time"},
        "updated_at": {"type": "string", "format": "date-time"},
        "response_due_at": {"type": "string", "nullable": True, "format": "date-time"},
        "resolve_due_at": {"type": "string", "nullable": True, "format": "date-time"},
        "url": {"type": "string"},
        "thumbnail_url": {"type": "string", "nullable": True},
    },
    extra=LAYER_EXTRA,
    description="Public issues as a GeoJSON FeatureCollection, newest first.",
)
ISSUE_PINS = feature_collection(
    {
        "ref": {"type": "string"},
        "status": {"type": "string", "enum": list(IssueStatus.values)},
        "category": {"type": "string"},
        "category_name": {"type": "string"},
        "overdue": {"type": "boolean", "description": "Past its response or resolution deadline now."},
        "title": {"type": "string", "description": f"The first {PIN_TITLE_CHARS} characters of the description."},
        "address": {"type": "string"},
    },
    extra=LAYER_EXTRA,
    description="`view=pins`: the same issues as the full layer for the same filters, each with only what a "
    "map pin and its list line need; the rest is in GET /api/v1/issues/{ref}/.",
)

REF = OpenApiParameter(
    "ref",
    str,
    OpenApiParameter.PATH,
    pattern=ISSUE_REF_PATTERN,
    description="The issue's public reference, e.g. DRH-2026-000123 (404 for one that does not exist).",
)
# A token is optional here, but one that is wrong (revoked, mistyped) is refused, not ignored.
BAD_TOKEN = error(
    "The token sent is not valid (leave it out to ask anonymously).", example_code="authentication_failed"
)
# Tokens are optional where the answer depends on who asks (a reporter sees their own reports).
OPTIONAL_AUTH = [{"tokenAuth": []}, {"cookieAuth": []}, {}]
UNKNOWN_CODES = "Comma-separated codes; an unknown code is refused with 400 (`fields` names it)."
ISSUE_LIST_PARAMETERS = [
    OpenApiParameter("bbox", str, pattern=BBOX_PATTERN, description=BBOX_DESCRIPTION),
    OpenApiParameter(
        "status",
        str,
        pattern=comma_list_pattern(["open", "closed", *IssueStatus.values]),
        description="Comma-separated statuses, or `open` / `closed` for the groups.",
    ),
    OpenApiParameter("category", str, description="Category codes. " + UNKNOWN_CODES),
    OpenApiParameter("group", str, description="Category group codes. " + UNKNOWN_CODES),
    OpenApiParameter("district", str, description="District codes. " + UNKNOWN_CODES),
    OpenApiParameter("executor", str, description="Executor codes. " + UNKNOWN_CODES),
    OpenApiParameter(
        "mine", bool, description="Only the caller's own reports; `true` needs a token (400 without one)."
    ),
    OpenApiParameter(
        "budget_project", int, description="Issues linked to this budget project (id); an unknown id is a 400."
    ),
    OpenApiParameter(
        "near_budget_project",
        int,
        description="Issues near this budget project's geometry (id); an unknown id is a 400.",
    ),
    OpenApiParameter("overdue", bool, description="Only issues past their response or resolution deadline now."),
]
ISSUE_PAGE_PARAMETERS = [
    OpenApiParameter(
        "limit",
        {"type": "integer", "minimum": 1, "maximum": settings.OPENCITY_ISSUE_LIST_MAX_LIMIT},
        description=f"The most features to return (default {settings.OPENCITY_ISSUE_LIST_LIMIT}).",
    ),
    OpenApiParameter(
        "after",
        str,
        description="Keyset paging: the `next` of the previous answer; the page continues after that issue in the "
        "order (newest first). A reference that names no visible issue gives an empty page.",
    ),
]
ISSUE_CELLS = feature_collection(
    {
        "count": {"type": "integer", "description": "Issues in the cell matching the filters."},
        "open": {"type": "integer", "description": "Of them, open."},
        "overdue": {"type": "integer", "description": "Of them, past a deadline now."},
    },
    extra={
        "zoom": {"type": "integer"},
        "cell_px": {"type": "integer", "description": "The side of a cell in screen pixels at that zoom."},
        "total": {
            "type": "integer",
            "description": "Every matching issue in the cells the bbox touches, whole (the sum of the counts).",
        },
        "open": {"type": "integer"},
        "overdue": {"type": "integer"},
    },
    description=f"The matching public issues counted in square cells of {CELL_PX} screen pixels of the zoom's "
    "Web Mercator grid, in the cells the bbox touches, whole; each cell is a point at the mean of its issues, "
    "id `zoom/column/row`.",
)


class IssueMultipartInput(serializers.Serializer):
    """A report sent as multipart/form-data, with its files."""

    category = serializers.CharField(help_text="A category code from GET /api/v1/categories/.")
    description = serializers.CharField(max_length=4000)
    location = serializers.CharField(help_text='A GeoJSON Point as text: {"type": "Point", "coordinates": [lon, lat]}.')
    address = serializers.CharField(max_length=300, required=False)
    media = serializers.ListField(child=serializers.UUIDField(), required=False, help_text="Ids of earlier uploads.")
    attributes = serializers.CharField(required=False, help_text="Answers to the extra questions, as JSON text.")
    photos = serializers.ListField(child=serializers.FileField(), required=False, help_text="Up to 5 photos.")
    video = serializers.FileField(required=False, help_text="Or one video.")


class MediaAddMultipartInput(serializers.Serializer):
    media = serializers.ListField(child=serializers.UUIDField(), required=False, help_text="Ids of earlier uploads.")
    role = serializers.ChoiceField(choices=["report", "before", "after"], required=False)
    photos = serializers.ListField(child=serializers.FileField(), required=False, help_text="Up to 5 photos.")
    video = serializers.FileField(required=False, help_text="Or one video.")


def issue_visible_to(*, ref: str, user) -> Issue:
    """The issue by reference as this user may see it (selectors.issue_for_viewer), else 404."""
    issue, _roles = issue_for_viewer(ref=ref, user=user)
    if issue is None:
        raise Http404
    return issue


def _form_data(request: Request) -> dict:
    """The request's fields as a plain dict; repeated multipart `media` fields become a list."""
    if hasattr(request.data, "getlist"):
        data = {key: request.data.get(key) for key in request.data if key not in ("photos", "video")}
        if "media" in request.data:
            data["media"] = request.data.getlist("media")
        return data
    return request.data


def _files(request: Request) -> list:
    """The files of a multipart request: `photos`, repeated, and `video`, counted against the
    uploader's hourly media budget (the one POST /api/v1/media/ uses) before any is taken."""
    files = [*request.FILES.getlist("photos"), *request.FILES.getlist("video")]
    wait = media_upload_allowed(request, files=len(files))
    if wait is not None:
        raise Throttled(wait=wait)
    return files


def detail_response(
    issue: Issue, *, status_code: int = status.HTTP_200_OK, viewer=None, timeline=None, media=None
) -> Response:
    """The issue's detail answer; `timeline` and `media` when the caller has them already (a new
    report's, from the service that wrote them), else they are read."""
    context = {
        "timeline": issue_public_timeline(issue=issue) if timeline is None else timeline,
        "media": media,
        "viewer": viewer,
    }
    data = IssueDetailOutput(issue, context=context).data
    return Response(data, status=status_code)


class CategoryListApi(APIView):
    """Categories a citizen can choose, with their group, SLA targets and urgent notices."""

    @extend_schema(
        tags=["issues"],
        summary="Categories",
        operation_id="categories_list",
        description="Categories a citizen can choose, in display order, with their group, SLA targets, urgent "
        "notice and extra questions.",
        responses={
            200: OpenApiResponse(CategoryOutput(many=True), description="The categories."),
            401: BAD_TOKEN,
        },
        auth=OPTIONAL_AUTH,
    )
    def get(self, request: Request) -> Response:
        return Response(CategoryOutput(categories_active(), many=True).data)


class IssueListCreateApi(APIView):
    renderer_classes = [JSONRenderer, GeoJSONRenderer]
    content_negotiation_class = AcceptHeaderNegotiation

    def get_permissions(self):
        return [IsAuthenticated()] if self.request.method == "POST" else []

    @extend_schema(
        tags=["issues"],
        summary="Public issues (GeoJSON)",
        operation_id="issues_list",
        parameters=[
            *ISSUE_LIST_PARAMETERS,
            *ISSUE_PAGE_PARAMETERS,
            OpenApiParameter(
                "view",
                str,
                enum=["full", "pins"],
                default="full",
                description="`full`: every property, for API clients. `pins`: the same features with only `ref`, "
                "`status`, `category`, `category_name`, `overdue`, `title` (shortened) and `address`, for maps "
                "that fetch an issue's details (GET /api/v1/issues/{ref}/) when its pin is opened.",
            ),
            NO_FORMAT_PARAMETER,
        ],
        responses={
            (200, "application/geo+json"): OpenApiResponse(
                {"anyOf": [ISSUE_LAYER, ISSUE_PINS]},
                description="The issues: every property (`view=full`, the default) or the lean pins (`view=pins`).",
            ),
            (400, "application/json"): BAD_REQUEST,
            (400, "application/geo+json"): BAD_REQUEST,
            (401, "application/json"): BAD_TOKEN,
            (401, "application/geo+json"): BAD_TOKEN,
        },
        auth=OPTIONAL_AUTH,
    )
    def get(self, request: Request) -> HttpResponse:
        """The public issues as a GeoJSON FeatureCollection built by PostGIS."""
        filters = IssueLayerInput(data=request.query_params, context={"request": request})
        filters.is_valid(raise_exception=True)
        build = issue_pins_geojson if filters.validated_data["view"] == "pins" else issue_layer_geojson
        body = build(filters=filters.to_filter(), language=get_language() or "uk")
        return HttpResponse(body, content_type="application/geo+json")

    @extend_schema(
        tags=["issues"],
        summary="Report a problem",
        operation_id="issues_create",
        parameters=[
            NO_FORMAT_PARAMETER,
            OpenApiParameter(
                "Idempotency-Key",
                str,
                OpenApiParameter.HEADER,
                description="Any unique string per report: a retry with the same key returns the first issue (200).",
            ),
        ],
        request={"application/json": IssueCreateInput, "multipart/form-data": IssueMultipartInput},
        responses={
            201: OpenApiResponse(IssueDetailOutput, description="The new issue, routed when a rule matched."),
            200: OpenApiResponse(IssueDetailOutput, description="A retry: the issue the key made first."),
            400: BAD_REQUEST,
            401: UNAUTHORIZED,
            409: MEDIA_UNAVAILABLE,
            429: RATE_LIMITED,
        },
    )
    def post(self, request: Request) -> Response:
        """Report a problem, with photos or a video (uploaded before by id, or as files here).
        A retry with the same Idempotency-Key header returns the first issue."""
        payload = IssueCreateInput(data=_form_data(request))
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        uploaded = media_get_many(public_ids=data["media"], uploaded_by=request.user)
        with media_intake_for_request(files=_files(request), uploaded_by=request.user) as sent:
            result = issue_create(
                reporter=request.user,
                category=data["category"],
                description=data["description"],
                point=data["location"],
                address=data["address"],
                media=[*uploaded, *sent.assets],
                attributes=data["attributes"],
                source="api",
                idempotency_key=request.headers.get("Idempotency-Key", ""),
            )
            if not result.created:
                sent.discard()  # a retry: the first submission already has its files
        created = status.HTTP_201_CREATED if result.created else status.HTTP_200_OK
        return detail_response(
            result.issue, status_code=created, viewer=request.user, timeline=result.timeline, media=result.media
        )


class IssueDetailApi(APIView):
    @extend_schema(
        tags=["issues"],
        summary="One issue",
        operation_id="issues_retrieve",
        parameters=[REF],
        responses={
            200: OpenApiResponse(IssueDetailOutput, description="The issue."),
            401: BAD_TOKEN,
            404: NOT_FOUND,
        },
        auth=OPTIONAL_AUTH,
    )
    def get(self, request: Request, ref: str) -> HttpResponse:
        """One issue with its public timeline."""
        # One statement writes the answer (issues.api.detail); a hidden issue asked by someone
        # signed in takes the serializer's path, where their roles are worked out.
        body = issue_detail_json(
            ref=ref,
            viewer=request.user,
            language=get_language() or "uk",
            time_zone=timezone.get_current_timezone_name(),
        )
        if body is FOR_THE_SERIALIZER:
            return detail_response(issue_visible_to(ref=ref, user=request.user), viewer=request.user)
        if body is None:
            raise Http404
        return HttpResponse(body, content_type="application/json")


class IssueTransitionApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        tags=["issues"],
        summary="Act on an issue",
        operation_id="issues_transition",
        parameters=[REF],
        request={"application/json": TransitionInput},  # form bodies work too: see TokenApi
        responses={
            200: OpenApiResponse(IssueDetailOutput, description="Done; the issue as it is now."),
            400: BAD_REQUEST,
            401: UNAUTHORIZED,
            403: FORBIDDEN,
            404: NOT_FOUND,
            409: error(
                "Not possible in the issue's current status (`transition_not_allowed`), or a photo given by id "
                "is unavailable (`media_unavailable`).",
                example_code="transition_not_allowed",
            ),
        },
    )
    def post(self, request: Request, ref: str) -> Response:
        """Take an action on an issue: 200 with the new state, 403, 409 or 400."""
        issue = issue_visible_to(ref=ref, user=request.user)
        payload = TransitionInput(data=_form_data(request))
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        media = media_get_many(public_ids=data["media"], uploaded_by=request.user)
        updated = issue_transition(
            issue=issue,
            actor=request.user,
            action=data["action"],
            data=TransitionData(
                note=data["note"],
                promised_date=data["promised_date"],
                executor=data["executor"],
                duplicate_of=data["duplicate_of"],
                budget_project_id=data["budget_project"].pk if data["budget_project"] else None,
                media=tuple(media),
            ),
        )
        return detail_response(Issue.objects.select_related("category", "district", "executor").get(pk=updated.pk))


class IssueMediaApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        tags=["issues"],
        summary="Add photos or a video",
        operation_id="issues_media_add",
        parameters=[REF],
        request={"application/json": MediaAddInput, "multipart/form-data": MediaAddMultipartInput},
        responses={
            201: OpenApiResponse(IssueDetailOutput, description="Added; the issue as it is now."),
            400: BAD_REQUEST,
            401: UNAUTHORIZED,
            403: FORBIDDEN,
            404: NOT_FOUND,
            409: MEDIA_UNAVAILABLE,
        },
    )
    def post(self, request: Request, ref: str) -> Response:
        """Add photos or a video to an issue (the reporter's, or the executor's before/after)."""
        issue = issue_visible_to(ref=ref, user=request.user)
        payload = MediaAddInput(data=_form_data(request))
        payload.is_valid(raise_exception=True)
        # The right to add pictures here first: files are only taken (and probed) for someone who may.
        issue_media_add_check(issue=issue, actor=request.user, role=payload.validated_data["role"])
        uploaded = media_get_many(public_ids=payload.validated_data["media"], uploaded_by=request.user)
        with media_intake_for_request(files=_files(request), uploaded_by=request.user) as sent:
            assets = [*uploaded, *sent.assets]
            if not assets:
                raise InvalidInput(
                    _("Please add a photo or a video."), fields={"media": [_("Please add a photo or a video.")]}
                )
            issue_add_media(issue=issue, actor=request.user, assets=assets, role=payload.validated_data["role"])
        return detail_response(issue, status_code=status.HTTP_201_CREATED)


class IssueCellsApi(APIView):
    renderer_classes = [JSONRenderer, GeoJSONRenderer]
    content_negotiation_class = AcceptHeaderNegotiation

    @extend_schema(
        tags=["issues"],
        summary="Public issues counted per map cell (GeoJSON)",
        operation_id="issues_cells",
        description="Every public issue matching the filters, counted into the cells of the zoom's grid (what the "
        "map shows where pins would hide one another): the counts of the cells the bbox touches, whole. The bbox "
        "is widened to those cells, so a cell's counts never depend on the view's edges; `total`, `open` and "
        "`overdue` are the sums over them, nothing left out. `overdue` is judged at the moment of the request.",
        parameters=[
            *[parameter for parameter in ISSUE_LIST_PARAMETERS if parameter.name != "bbox"],
            OpenApiParameter("bbox", str, required=True, pattern=BBOX_PATTERN, description=BBOX_DESCRIPTION),
            OpenApiParameter(
                "zoom",
                {"type": "integer", "minimum": 0, "maximum": 22},
                required=True,
                description=f"The map's zoom (an integer); a bbox wider or taller than {MAX_CELLS_ACROSS} cells "
                "at it is a 400.",
            ),
            NO_FORMAT_PARAMETER,
        ],
        responses={
            (200, "application/geo+json"): OpenApiResponse(ISSUE_CELLS, description="The cells."),
            (400, "application/json"): BAD_REQUEST,
            (400, "application/geo+json"): BAD_REQUEST,
            (401, "application/json"): BAD_TOKEN,
            (401, "application/geo+json"): BAD_TOKEN,
        },
        auth=OPTIONAL_AUTH,
    )
    def get(self, request: Request) -> HttpResponse:
        """The public issues in the cells a bbox touches (whole) counted per cell of the zoom's grid,
        built by PostGIS (from the pre-aggregated counts where they answer; issues.sql)."""
        filters = IssueCellsInput(data=request.query_params, context={"request": request})
        filters.is_valid(raise_exception=True)
        body = issue_cells_geojson(filters=filters.to_filter(), zoom=filters.validated_data["zoom"])
        return HttpResponse(body, content_type="application/geo+json")


class IssueNearbyApi(APIView):
    @extend_schema(
        tags=["issues"],
        summary="Open issues nearby",
        operation_id="issues_nearby",
        parameters=[NearbyInput],
        responses={
            200: OpenApiResponse(
                inline_serializer(
                    "NearbyIssues",
                    {
                        "category": serializers.CharField(),
                        "radius_m": serializers.IntegerField(),
                        "results": NearbyIssueOutput(many=True),
                    },
                ),
                description="Nearest first, within the category's duplicate radius.",
            ),
            400: BAD_REQUEST,
            401: BAD_TOKEN,
        },
        auth=OPTIONAL_AUTH,
    )
    def get(self, request: Request) -> HttpResponse:
        """Open issues of a category within its duplicate radius of a point, nearest first, so a
        citizen can support one instead of reporting it again."""
        # One statement finds the category and builds the whole answer (issues.sql.NEARBY_JSON_SQL).
        query = NearbyQuery(data=request.query_params)
        if not query.is_valid():
            # Every bad field named, with the messages of the full input (it looks the category up too).
            NearbyInput(data=request.query_params).is_valid(raise_exception=True)
            raise serializers.ValidationError(query.errors)  # not reached: the full input refuses as much
        data = query.validated_data
        body = issues_nearby_json(
            lon=data["lon"],
            lat=data["lat"],
            category_code=data["category"],
            time_zone=timezone.get_current_timezone_name(),
        )
        if body is None:
            raise serializers.ValidationError({"category": [unknown_category(data["category"])]})
        return HttpResponse(body, content_type="application/json")


class IssueSupportApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        tags=["issues"],
        summary="Support an issue (“me too”)",
        operation_id="issues_support",
        parameters=[REF],
        request=None,
        responses={
            200: OpenApiResponse(
                inline_serializer(
                    "SupportResult",
                    {
                        "ref": serializers.CharField(),
                        "support_count": serializers.IntegerField(),
                        "supported": serializers.BooleanField(),
                        "added": serializers.BooleanField(help_text="False when this citizen supported it before."),
                    },
                ),
                description="Supported (once per citizen).",
            ),
            401: UNAUTHORIZED,
            403: FORBIDDEN,
            404: NOT_FOUND,
            409: error(
                "Not possible for this issue: the caller reported it (`own_issue`) or it is closed (`issue_not_open`).",
                example_code="own_issue",
            ),
        },
    )
    def post(self, request: Request, ref: str) -> Response:
        """ "Me too": once per citizen; saying it again changes nothing."""
        issue, added = issue_support(issue=issue_visible_to(ref=ref, user=request.user), user=request.user)
        return Response({"ref": issue.ref, "support_count": issue.support_count, "supported": True, "added": added})


class QueueApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        tags=["issues"],
        summary="The executor's queue",
        operation_id="queue_list",
        parameters=[QueuePageInput],
        responses={
            200: OpenApiResponse(
                QueueItemOutput(many=True),
                description="Overdue first, then by the nearest deadline: `limit` issues from `offset`. "
                '`X-Total-Count` gives the queue\'s length; `Link: <…>; rel="next"` (RFC 8288) the next '
                "page's address while more follow.",
            ),
            400: BAD_REQUEST,
            401: UNAUTHORIZED,
            403: FORBIDDEN,
        },
    )
    def get(self, request: Request) -> Response:
        """The signed-in executor's open issues: overdue first, then by the nearest deadline, a page
        at a time (a large department has thousands open)."""
        executor = user_executor(request.user)
        if executor is None:
            raise Forbidden(_("The queue is for executors' staff."), code="not_executor_staff")
        paging = QueuePageInput(data=request.query_params)
        paging.is_valid(raise_exception=True)
        limit, offset = paging.validated_data["limit"], paging.validated_data["offset"]
        issues = queue_for_executor(executor=executor)
        total = issues.count()
        response = Response(QueueItemOutput(issues[offset : offset + limit], many=True).data)
        response["X-Total-Count"] = str(total)
        if offset + limit < total:
            params = request.query_params.copy()
            params["offset"] = str(offset + limit)
            params["limit"] = str(limit)
            response["Link"] = f'<{request.build_absolute_uri(f"{request.path}?{params.urlencode()}")}>; rel="next"'
        return response
