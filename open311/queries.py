"""The reads behind Open311: public issues and their public events only. The reporter is never
selected; hidden issues never match."""

from __future__ import annotations

from django.db.models import FloatField, Func, OuterRef, Prefetch, Q, QuerySet, Subquery, TextField
from django.db.models.functions import Cast, JSONObject

from issues.models import Category, Issue, IssueEvent, IssueMedia, MediaRole
from issues.presentation import EventNames
from media_store.models import MediaStatus
from open311.mapping import open311_statuses
from open311.params import RequestFilters, UpdateFilters


def open311_services() -> QuerySet[Category]:
    """The services: categories a citizen can choose, in display order, with their questions."""
    return (
        Category.objects.filter(is_active=True)
        .select_related("group")
        .prefetch_related("attributes")
        .order_by("group__order", "group__code", "order", "code")
    )


def open311_service(*, code: str) -> Category | None:
    return open311_services().filter(code=code).first()


def _with_details(issues: QuerySet[Issue], *, extensions: bool) -> list[Issue]:
    """Load what a request object shows: the latest public status event (for status_notes), the
    media, and with extensions the public timeline and the category's questions; and the names
    those events mention, for the whole page at once (`open311_event_names`)."""
    latest_status_event = (
        IssueEvent.objects.filter(issue=OuterRef("pk"), is_public=True)
        .exclude(to_status="")
        .order_by("-at", "-pk")
        .values("pk")[:1]
    )
    media = IssueMedia.objects.select_related("asset").exclude(asset__status=MediaStatus.FAILED)
    issues = issues.select_related("category__group", "executor", "district", "outage").annotate(
        status_event_id=Subquery(latest_status_event)
    )
    prefetches: list = [Prefetch("media", queryset=media, to_attr="open311_media")]
    if extensions:
        public_events = IssueEvent.objects.filter(is_public=True).order_by("at", "pk")
        prefetches += [
            Prefetch("events", queryset=public_events, to_attr="open311_notes"),
            "category__attributes",
        ]
    rows = list(issues.prefetch_related(*prefetches))
    events = IssueEvent.objects.in_bulk([row.status_event_id for row in rows if row.status_event_id])
    for row in rows:
        row.open311_status_event = events.get(row.status_event_id)
    shown = [*events.values(), *(event for row in rows for event in getattr(row, "open311_notes", []))]
    names = EventNames.for_events(shown)
    for row in rows:
        row.open311_event_names = names
    return rows


def _listing(filters: RequestFilters) -> QuerySet[Issue]:
    """The public issues the filters select, newest first (before the page is cut)."""
    issues = Issue.objects.public()
    if filters.ids:
        issues = issues.filter(ref__in=filters.ids)
    else:
        if filters.service_codes:
            issues = issues.filter(category__code__in=filters.service_codes)
        if filters.statuses:
            issues = issues.filter(status__in=open311_statuses(filters.statuses))
        if filters.start is not None:
            issues = issues.filter(created_at__gte=filters.start)
        if filters.end is not None:
            issues = issues.filter(created_at__lte=filters.end)
        if filters.updated_after is not None:
            issues = issues.filter(updated_at__gte=filters.updated_after)
        if filters.updated_before is not None:
            issues = issues.filter(updated_at__lte=filters.updated_before)
        if filters.near is not None:
            lon, lat, radius = filters.near
            issues = issues.within(lon=lon, lat=lat, metres=radius)
    if filters.cursor is not None:
        # Written as `created_at <= t AND (created_at < t OR pk < id)`: the first part bounds the
        # index scan, the second drops the few rows of the same instant already given.
        at, pk = filters.cursor.at, filters.cursor.pk
        issues = issues.filter(Q(created_at__lte=at), Q(created_at__lt=at) | Q(pk__lt=pk))
    return issues.order_by("-created_at", "-pk")


def _page_bounds(filters: RequestFilters) -> slice:
    offset = (filters.page - 1) * filters.page_size
    return slice(offset, offset + filters.page_size + 1)  # one more: does another page follow?


def open311_requests(*, filters: RequestFilters) -> tuple[list[Issue], bool]:
    """Public issues matching the filters, newest first, one page of them, and whether another page
    follows. `service_request_id` overrides every other filter.

    Paging is by keyset when a cursor is given: `(created_at, pk) < the cursor's` read backwards on
    the partial index `issue_public_created_idx` (public issues only), so the last page costs what
    the first does. `page` is an OFFSET, allowed only a little deep (params.MAX_PAGE_DEPTH)."""
    rows = _with_details(_listing(filters)[_page_bounds(filters)], extensions=filters.extensions)
    return rows[: filters.page_size], len(rows) > filters.page_size


class _Coordinate(Func):
    output_field = FloatField()


# What a request object without extensions shows, read as plain values (no model objects): a page
# of 1,000 built 6,000 of them (issue, category, group, executor, district, outage) plus the media
# and events, and that was most of its 300 ms.
REQUEST_ROW_FIELDS = (
    "pk",
    "ref",
    "status",
    "description",
    "address",
    "created_at",
    "updated_at",
    "resolve_due_at",
    "category__code",
    "category__name_uk",
    "category__name_en",
    "executor_id",
    "executor__name_uk",
    "executor__name_en",
    "outage_id",
    "outage__ended_at",
    "outage__kind",
    "outage__expected_end_at",
    "lon",
    "lat",
    "status_event",
    "photo_id",
)


def open311_request_rows(*, filters: RequestFilters) -> tuple[list[dict], bool]:
    """The page open311_requests gives, as plain rows (REQUEST_ROW_FIELDS) for a request object
    without extensions: the latest public status event as the JSON text of {kind, data, note} (a page
    repeats a few dozen distinct ones: each is parsed once), and the public id of the first report
    photo. The same filters, order and paging."""
    latest_status_event = (
        IssueEvent.objects.filter(issue=OuterRef("pk"), is_public=True)
        .exclude(to_status="")
        .order_by("-at", "-pk")
        .values(json=Cast(JSONObject(kind="kind", data="data", note="note"), TextField()))[:1]
    )
    first_photo = (
        IssueMedia.objects.filter(issue=OuterRef("pk"), role=MediaRole.REPORT, asset__kind="photo")
        .exclude(asset__status=MediaStatus.FAILED)
        .order_by("position", "pk")
        .values("asset__public_id")[:1]
    )
    listing = _listing(filters).annotate(
        lon=_Coordinate("point", function="ST_X"),
        lat=_Coordinate("point", function="ST_Y"),
        status_event=Subquery(latest_status_event, output_field=TextField()),
        photo_id=Subquery(first_photo),
    )
    rows = list(listing.values(*REQUEST_ROW_FIELDS)[_page_bounds(filters)])
    return rows[: filters.page_size], len(rows) > filters.page_size


def open311_request(*, ref: str, extensions: bool) -> Issue | None:
    """One public issue by its reference."""
    rows = _with_details(Issue.objects.public().filter(ref=ref), extensions=extensions)
    return rows[0] if rows else None


def open311_updates(*, filters: UpdateFilters) -> tuple[list[IssueEvent], bool]:
    """Public events of public issues in the window, oldest first, each with the issue's status
    right after it (`status_then`) and the names the page's events mention (`open311_event_names`);
    and whether another page follows. A cursor continues by keyset, `(at, pk) > the cursor's`, on
    the partial index `issue_event_public_at_idx`."""
    status_then = (
        IssueEvent.objects.filter(issue=OuterRef("issue"))
        .filter(Q(at__lt=OuterRef("at")) | Q(at=OuterRef("at"), pk__lte=OuterRef("pk")))
        .exclude(to_status="")
        .order_by("-at", "-pk")
        .values("to_status")[:1]
    )
    events = IssueEvent.objects.filter(is_public=True, issue__is_hidden=False, issue__awaiting_confirmation=False)
    if filters.start is not None:
        events = events.filter(at__gte=filters.start)
    if filters.end is not None:
        events = events.filter(at__lte=filters.end)
    if filters.cursor is not None:
        at, pk = filters.cursor.at, filters.cursor.pk
        events = events.filter(Q(at__gte=at), Q(at__gt=at) | Q(pk__gt=pk))
    offset = (filters.page - 1) * filters.page_size
    rows = list(
        events.select_related("issue")
        .annotate(status_then=Subquery(status_then))
        .order_by("at", "pk")[offset : offset + filters.page_size + 1]
    )
    more = len(rows) > filters.page_size
    rows = rows[: filters.page_size]
    names = EventNames.for_events(rows)
    for row in rows:
        row.open311_event_names = names
    return rows, more
