"""The issue map layer as GeoJSON, assembled by PostGIS in one query.

Per-object serializers were measured ~20x slower than this for 500 features (PLATFORM.md), so the
layer never passes through Python objects: filters become a parameterised WHERE, and the
FeatureCollection comes back as text that the view passes through.
"""

from __future__ import annotations

import datetime
import functools
import math
import re
from collections.abc import Iterable
from dataclasses import dataclass, field, replace

from django.utils import timezone

from accounts.localized import localized_sql
from issues.rules.clocks import RESOLVE_CLOCK_STATUSES, RESPONSE_CLOCK_STATUSES
from issues.rules.transitions import OPEN_STATUSES, Status, statuses_in_order
from opencity.dbrouter import reading_connection
from opencity.prepared import PreparedStatement
from opencity.sqljson import drf_datetime_sql, round_sql

_VALUE = re.compile(r"^[a-z_]+$")


def sql_values(values: Iterable[str]) -> str:
    """A fixed SQL list of our own enumeration values, e.g. `('new', 'assigned')`. Only for values
    of the project's enums (checked), so raw SQL reads a rule from the same enum as the ORM."""
    values = [str(value) for value in values]
    if not values or not all(_VALUE.match(value) for value in values):
        raise ValueError(f"not a list of enumeration values: {values!r}")
    return "(" + ", ".join(f"'{value}'" for value in values) + ")"


def status_sql(statuses: frozenset[Status]) -> str:
    """The statuses of a set as an SQL list, in the enum's order."""
    return sql_values(statuses_in_order(statuses))


def overdue_sql(*, alias: str = "i", at: str = "%(now)s") -> str:
    """issues.rules.clocks' "overdue" as an SQL condition on the issue row `alias` at the bound
    parameter `at` (the same test as Issue.objects.overdue and the SLA sweep)."""
    return (
        f"(({alias}.status IN {status_sql(RESPONSE_CLOCK_STATUSES)} AND {alias}.response_due_at < {at})"
        f" OR ({alias}.status IN {status_sql(RESOLVE_CLOCK_STATUSES)} AND {alias}.resolve_due_at < {at}))"
    )


OPEN_STATUSES_SQL = status_sql(OPEN_STATUSES)


def public_sql(alias: str = "i") -> str:
    """IssueQuerySet.public() as an SQL condition on the issue row `alias`: not hidden by a
    moderator, and not a report still waiting for its reporter to confirm their address."""
    if not _VALUE.match(alias):
        raise ValueError(f"not an SQL alias: {alias!r}")
    return f"(NOT {alias}.is_hidden AND NOT {alias}.awaiting_confirmation)"


# Hidden issues never leave through the public layer. The reporter is never selected at all.
LAYER_SQL = """
WITH hits AS (
    SELECT i.id, i.ref, i.status, i.point, i.created_at, i.updated_at, i.response_due_at, i.resolve_due_at,
           i.support_count, i.description, i.address,
           c.code AS category_code,
           {category_name} AS category_name,
           g.code AS group_code,
           d.code AS district_code,
           {district_name} AS district_name,
           e.code AS executor_code,
           {executor_name} AS executor_name
    FROM issues_issue i
    JOIN issues_category c ON c.id = i.category_id
    JOIN issues_categorygroup g ON g.id = c.group_id
    LEFT JOIN geo_district d ON d.id = i.district_id
    LEFT JOIN accounts_executor e ON e.id = i.executor_id
    WHERE {public} {where}
    ORDER BY i.created_at DESC, i.id DESC
    LIMIT %(limit_plus_one)s
),
shown AS (
    SELECT * FROM hits ORDER BY created_at DESC, id DESC LIMIT %(limit)s
),
-- The first picture of each report, for the pop-up: a redirect URL, so signed storage URLs are
-- made by the storage when someone actually looks.
pictures AS (
    SELECT DISTINCT ON (m.issue_id) m.issue_id, a.public_id
    FROM issues_issuemedia m JOIN media_store_mediaasset a ON a.id = m.asset_id
    WHERE m.issue_id IN (SELECT id FROM shown) AND m.role = 'report' AND a.status <> 'failed'
    ORDER BY m.issue_id, (a.kind = 'photo') DESC, m.position, m.id
)
SELECT json_build_object(
    'type', 'FeatureCollection',
    'features', COALESCE((
        SELECT json_agg(json_build_object(
            'type', 'Feature',
            'id', s.ref,
            'geometry', ST_AsGeoJSON(s.point, 6)::json,
            'properties', json_build_object(
                'ref', s.ref,
                'status', s.status,
                'category', s.category_code,
                'category_name', s.category_name,
                'group', s.group_code,
                'district', s.district_name,
                'executor', CASE WHEN s.executor_code IS NULL THEN NULL
                                 ELSE json_build_object('code', s.executor_code, 'name', s.executor_name) END,
                'title', left(s.description, 140),
                'address', s.address,
                'support_count', s.support_count,
                -- whole seconds, a fixed-length ISO 8601 with the offset (see geo/sql.py)
                'created_at', date_trunc('second', s.created_at),
                'updated_at', date_trunc('second', s.updated_at),
                'response_due_at', date_trunc('second', s.response_due_at),
                'resolve_due_at', date_trunc('second', s.resolve_due_at),
                'url', '/issues/' || s.ref || '/',
                'thumbnail_url', CASE WHEN p.public_id IS NULL THEN NULL
                                      ELSE '/issues/pictures/' || p.public_id || '/thumbnail/' END
            )
        ) ORDER BY s.created_at DESC, s.id DESC)
        FROM shown s LEFT JOIN pictures p ON p.issue_id = s.id
    ), '[]'::json),
    'count', (SELECT count(*) FROM shown),
    'limit', %(limit)s,
    'truncated', (SELECT count(*) FROM hits) > %(limit)s,
    -- the next page's cursor (`after`): the last issue shown, when more matched
    'next', CASE WHEN (SELECT count(*) FROM hits) > %(limit)s
                 THEN (SELECT ref FROM shown ORDER BY created_at, id LIMIT 1) END
)::text
"""


@dataclass
class IssueLayerFilter:
    """Validated filters for the layer (the API's filter serializer builds this)."""

    bbox: tuple[float, float, float, float] | None = None
    statuses: list[str] = field(default_factory=list)
    category_codes: list[str] = field(default_factory=list)
    group_codes: list[str] = field(default_factory=list)
    district_codes: list[str] = field(default_factory=list)
    executor_codes: list[str] = field(default_factory=list)
    reporter_id: int | None = None
    overdue: bool = False  # only issues past a deadline now (issues.rules.clocks)
    refs: list[str] = field(default_factory=list)
    budget_project_id: int | None = None  # issues planned against the project
    near_budget_project_id: int | None = None  # open issues within NEAR_PROJECT_M of the project
    after_ref: str | None = None  # keyset paging: only issues older than this one (in the layer's order)
    limit: int = 1000


# "Issues around a budget project": open reports this close to the project's geometry.
NEAR_PROJECT_M = 300


# The map's lean form of the layer (`?view=pins`): what the map draws and the side list shows, no
# more. The pop-up's details (picture, dates, supporters) are fetched when a pin is opened. Same
# filters, same visibility rule, same order and limit as LAYER_SQL, so the same features.
PINS_SQL = """
WITH hits AS (
    -- one past the limit, numbered in the layer's order as they stream by (no second sort)
    SELECT i.ref, i.status, i.point, i.description, i.address,
           c.code AS category_code,
           {category_name} AS category_name,
           {overdue} AS overdue,
           row_number() OVER (ORDER BY i.created_at DESC, i.id DESC) AS n
    FROM issues_issue i
    JOIN issues_category c ON c.id = i.category_id
    {joins}
    WHERE {public} {where}
    ORDER BY i.created_at DESC, i.id DESC
    LIMIT %(limit_plus_one)s
)
SELECT json_build_object(
    'type', 'FeatureCollection',
    'features', COALESCE(json_agg(json_build_object(
        'type', 'Feature',
        'id', h.ref,
        'geometry', ST_AsGeoJSON(h.point, 6)::json,
        'properties', json_build_object(
            'ref', h.ref,
            'status', h.status,
            'category', h.category_code,
            'category_name', h.category_name,
            'overdue', h.overdue,
            -- one line of the side list: the start of the description, and the address
            'title', left(h.description, %(pin_title)s),
            'address', h.address
        )
    ) ORDER BY h.n) FILTER (WHERE h.n <= %(limit)s), '[]'::json),
    'count', count(*) FILTER (WHERE h.n <= %(limit)s),
    'limit', %(limit)s,
    'truncated', count(*) > %(limit)s,
    -- the next page's cursor (`after`): the last issue shown, when more matched
    'next', CASE WHEN count(*) > %(limit)s THEN max(h.ref) FILTER (WHERE h.n = %(limit)s) END
)::text
FROM hits h
"""

# The side list shows one line of text per issue (ellipsised by CSS); 80 characters fill it.
PIN_TITLE_CHARS = 80
PIN_PROPERTIES = ("ref", "status", "category", "category_name", "overdue", "title", "address")

# The joins a filter needs beyond the category (the lean layer takes only those its filters use).
_CATEGORY_JOIN = "JOIN issues_category c ON c.id = i.category_id"
_GROUP_JOIN = "JOIN issues_categorygroup g ON g.id = c.group_id"
_DISTRICT_JOIN = "LEFT JOIN geo_district d ON d.id = i.district_id"
_EXECUTOR_JOIN = "LEFT JOIN accounts_executor e ON e.id = i.executor_id"


def _layer_where(filters: IssueLayerFilter, *, now: datetime.datetime) -> tuple[list[str], dict]:
    """The layer's filters as SQL conditions (on i, c, g, d, e) and their bound parameters; `now`
    is the moment "overdue" is judged at. The full layer, the pins and the cells all use it."""
    where: list[str] = []
    params: dict = {"limit": filters.limit, "limit_plus_one": filters.limit + 1, "now": now}
    if filters.bbox is not None:
        where.append("i.point && ST_MakeEnvelope(%(min_lon)s, %(min_lat)s, %(max_lon)s, %(max_lat)s, 4326)")
        params.update(zip(("min_lon", "min_lat", "max_lon", "max_lat"), filters.bbox, strict=True))
    for column, values, name in (
        ("i.status", filters.statuses, "statuses"),
        ("c.code", filters.category_codes, "categories"),
        ("g.code", filters.group_codes, "groups"),
        ("d.code", filters.district_codes, "districts"),
        ("e.code", filters.executor_codes, "executors"),
        ("i.ref", filters.refs, "refs"),
    ):
        if values:
            where.append(f"{column} = ANY(%({name})s)")
            params[name] = list(values)
    if filters.budget_project_id is not None:
        where.append("i.budget_project_id = %(budget_project_id)s")
        params["budget_project_id"] = filters.budget_project_id
    if filters.near_budget_project_id is not None:
        where.append(
            f"i.status IN {OPEN_STATUSES_SQL} AND EXISTS ("  # noqa: S608 (fixed fragments, bound values)
            "SELECT 1 FROM geo_budgetproject bp WHERE bp.id = %(near_project_id)s"
            " AND i.point && ST_Envelope(ST_Buffer(bp.geom::geography, %(near_m)s)::geometry)"
            " AND ST_DWithin(i.point::geography, bp.geom::geography, %(near_m)s))"
        )
        params.update(near_project_id=filters.near_budget_project_id, near_m=NEAR_PROJECT_M)
    if filters.reporter_id is not None:
        where.append("i.reporter_id = %(reporter_id)s")
        params["reporter_id"] = filters.reporter_id
    if filters.overdue:
        where.append(overdue_sql(alias="i", at="%(now)s"))
    if filters.after_ref is not None:
        # A visible issue's place in the order (created_at DESC, id DESC); an unknown or hidden
        # ref gives an empty page, never a hint about the hidden issue.
        where.append(
            f"(i.created_at, i.id) < (SELECT a.created_at, a.id FROM issues_issue a"  # noqa: S608 (fixed fragment)
            f" WHERE a.ref = %(after_ref)s AND {public_sql('a')})"
        )
        params["after_ref"] = filters.after_ref
    return where, params


def _joins(filters: IssueLayerFilter) -> str:
    """The joins beyond the category that the filters need (the lean queries take only those)."""
    return "\n    ".join(
        join
        for join, needed in (
            (_GROUP_JOIN, filters.group_codes),
            (_DISTRICT_JOIN, filters.district_codes),
            (_EXECUTOR_JOIN, filters.executor_codes),
        )
        if needed
    )


def issue_layer_geojson(*, filters: IssueLayerFilter, language: str) -> str:
    """A FeatureCollection of the visible issues matching the filters, newest first, with `count`,
    `limit` and `truncated` (true when more matched than the limit allowed)."""
    where, params = _layer_where(filters, now=timezone.now())
    params["en"] = language.startswith("en")
    sql = LAYER_SQL.format(
        where="".join(f" AND {clause}" for clause in where),
        public=public_sql("i"),
        category_name=localized_sql("c"),
        district_name=localized_sql("d"),
        executor_name=localized_sql("e"),
    )
    with reading_connection().cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone()[0]


def issue_pins_geojson(*, filters: IssueLayerFilter, language: str) -> str:
    """The same features as issue_layer_geojson for the same filters, each carrying only
    PIN_PROPERTIES (`overdue` is issues.rules.clocks' test at this moment)."""
    where, params = _layer_where(filters, now=timezone.now())
    params.update(en=language.startswith("en"), pin_title=PIN_TITLE_CHARS)
    sql = PINS_SQL.format(
        where="".join(f" AND {clause}" for clause in where),
        joins=_joins(filters),
        public=public_sql("i"),
        category_name=localized_sql("c"),
        overdue=overdue_sql(alias="i"),
    )
    with reading_connection().cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone()[0]


# The map below MAP_PINS_ZOOM (`GET /api/v1/issues/cells/`): every visible issue matching the
# filters, counted into square cells of CELL_PX screen pixels. The grid is Leaflet's own pixel grid at
# the zoom (Web Mercator, 256-pixel tiles), so a cell keeps its place while the map pans; the column
# and row are plain arithmetic on the stored WGS84 point (no ST_Transform per row), computed by the
# database functions issues_cell_column/issues_cell_row (migration 0012), which the pre-aggregated
# table's triggers use too. A view counts the cells its bbox touches, whole: the bbox is snapped
# outward to the zoom's cells, so a cell's counts never depend on the view's edges, and the counts add
# up to COUNT(*) of the same filter over the snapped bbox (tests/issues/test_issue_cells.py). A cell
# is drawn at the mean of its issues.
CELL_PX = 64
# The most cells a view may span per side (a 4K screen is 60 of them): a larger bbox for the zoom is
# refused rather than grouped into a coarser grid than the one asked for.
MAX_CELLS_ACROSS = 256
MAX_CELL_ZOOM = 22
# About a neighbourhood on a phone: from this zoom on the map shows pins (below it, cells).
MAP_PINS_ZOOM = 15
# The grid of the pre-aggregated counts (issues.models.IssueCellCount): the last zoom the map shows
# as cells. Every zoom up to it is read from the table, its cells being whole base cells; above it
# (a crowded view of pins) the issues are counted live. Frozen in migration 0012 as BASE_ACROSS
# (cells_across(CELL_BASE_ZOOM)): changing it takes a migration that rebuilds the table.
CELL_BASE_ZOOM = MAP_PINS_ZOOM - 1
# Web Mercator's square world, as the database functions clamp it.
_MAX_LAT = 85.0511287798

# The answer (`{output}` below), from a CTE `cells` (column_number, row_number, count, open, overdue, lon, lat).
CELLS_OUTPUT_SQL = """
SELECT json_build_object(
    'type', 'FeatureCollection',
    'features', COALESCE((
        SELECT json_agg(json_build_object(
            'type', 'Feature',
            'id', %(zoom)s::text || '/' || c.column_number || '/' || c.row_number,
            'geometry', json_build_object('type', 'Point', 'coordinates', json_build_array(c.lon, c.lat)),
            'properties', json_build_object('count', c.count, 'open', c.open, 'overdue', c.overdue)
        ) ORDER BY c.row_number, c.column_number)
        FROM cells c
    ), '[]'::json),
    'zoom', %(zoom)s,
    'cell_px', %(cell_px)s,
    'total', (SELECT COALESCE(sum(count), 0)::int FROM cells),
    'open', (SELECT COALESCE(sum(open), 0)::int FROM cells),
    'overdue', (SELECT COALESCE(sum(overdue), 0)::int FROM cells)
)::text
"""

# The issues' side: the view's cells counted from the issues themselves (any filter, any zoom). The
# envelope is the snapped bbox with a cell to spare (it only lets the spatial index prefilter); the
# cell range, computed by the same functions as each issue's cell, decides.
CELLS_SQL = """
WITH hits AS (
    SELECT i.status, ST_X(i.point) AS lon, ST_Y(i.point) AS lat, {overdue} AS overdue
    FROM issues_issue i
    {joins}
    WHERE {public} AND i.point && ST_MakeEnvelope(%(env_w)s, %(env_s)s, %(env_e)s, %(env_n)s, 4326) {where}
),
placed AS (
    SELECT h.*,
           issues_cell_column(h.lon, %(across)s) AS column_number,
           issues_cell_row(h.lat, %(across)s) AS row_number
    FROM hits h
    OFFSET 0  -- keeps the cell range below from being pushed into the scan: each cell computed once
),
cells AS (
    SELECT p.column_number, p.row_number,
           count(*)::int AS count,
           (count(*) FILTER (WHERE p.status IN {open_statuses}))::int AS open,
           (count(*) FILTER (WHERE p.overdue))::int AS overdue,
           round(avg(p.lon)::numeric, 6) AS lon, round(avg(p.lat)::numeric, 6) AS lat
    FROM placed p
    WHERE {span}
    GROUP BY p.column_number, p.row_number
)
{output}"""

# The table's side (zoom <= CELL_BASE_ZOOM, filters the table has keys for): the view's base cells
# summed into the zoom's cells. Overdue depends on "now", so it is counted from the issues, in the
# same statement: overdue issues are open ones, found through the partial index of the open issues'
# points. The two are grouped per cell, stacked and grouped again (no join to plan wrong).
CELLS_AGGREGATED_SQL = """
WITH parts AS (
    SELECT a.cx >> %(shift)s AS column_number, a.cy >> %(shift)s AS row_number, sum(a.count) AS count,
           COALESCE(sum(a.count) FILTER (WHERE a.status IN {open_statuses}), 0) AS open, 0 AS overdue,
           sum(a.sum_lon) AS sum_lon, sum(a.sum_lat) AS sum_lat
    FROM issues_issuecellcount a
    WHERE a.cx BETWEEN issues_cell_column(%(min_lon)s, %(across)s) * %(scale)s
                   AND (issues_cell_column(%(max_lon)s, %(across)s) + 1) * %(scale)s - 1
      AND a.cy BETWEEN issues_cell_row(%(max_lat)s, %(across)s) * %(scale)s
                   AND (issues_cell_row(%(min_lat)s, %(across)s) + 1) * %(scale)s - 1
      {where}
    GROUP BY 1, 2
    UNION ALL
    SELECT p.column_number, p.row_number, 0, 0, count(*), 0, 0
    FROM (
        SELECT issues_cell_column(ST_X(i.point), %(across)s) AS column_number,
               issues_cell_row(ST_Y(i.point), %(across)s) AS row_number
        FROM issues_issue i
        {joins}
        WHERE {public} AND i.status IN {open_statuses} AND {overdue}
          AND i.point && ST_MakeEnvelope(%(env_w)s, %(env_s)s, %(env_e)s, %(env_n)s, 4326) {live_where}
        OFFSET 0
    ) p
    WHERE {span}
    GROUP BY 1, 2
),
cells AS (
    SELECT column_number, row_number,
           sum(count)::int AS count, sum(open)::int AS open, sum(overdue)::int AS overdue,
           round((sum(sum_lon) / sum(count))::numeric, 6) AS lon, round((sum(sum_lat) / sum(count))::numeric, 6) AS lat
    FROM parts
    GROUP BY column_number, row_number
    HAVING sum(count) > 0
)
{output}"""

# The exact cell range of the view: the cells of the bbox's corners, by the same functions as the issues'.
_SPAN_SQL = (
    "p.column_number BETWEEN issues_cell_column(%(min_lon)s, %(across)s)"
    " AND issues_cell_column(%(max_lon)s, %(across)s)"
    " AND p.row_number BETWEEN issues_cell_row(%(max_lat)s, %(across)s) AND issues_cell_row(%(min_lat)s, %(across)s)"
)


def cells_across(zoom: int) -> int:
    """How many CELL_PX cells span the world's width at a zoom (256-pixel tiles)."""
    return (256 << zoom) // CELL_PX


def _cell_column(lon: float, across: int) -> int:
    return math.floor((lon + 180) / 360 * across)


def _cell_row(lat: float, across: int) -> int:
    lat = max(-_MAX_LAT, min(_MAX_LAT, lat))
    return math.floor((1 - math.log(math.tan(math.pi / 4 + math.radians(lat) / 2)) / math.pi) / 2 * across)


def _row_lat(row: int, across: int) -> float:
    """The latitude of a row's northern edge."""
    return math.degrees(math.atan(math.sinh(math.pi * (1 - 2 * row / across))))


def _cells_envelope(bbox: tuple[float, float, float, float], across: int) -> dict[str, float]:
    """The snapped bbox with one cell to spare on each side (the edge rows to the poles, where the
    grid clamps the latitude): a prefilter for the spatial index, never the decision."""
    min_lon, min_lat, max_lon, max_lat = bbox
    top, bottom = _cell_row(max_lat, across), _cell_row(min_lat, across)
    return {
        "env_w": (_cell_column(min_lon, across) - 1) / across * 360 - 180,
        "env_e": (_cell_column(max_lon, across) + 2) / across * 360 - 180,
        "env_n": 90.0 if top <= 1 else _row_lat(top - 1, across),
        "env_s": -90.0 if bottom >= across - 2 else _row_lat(bottom + 2, across),
    }


def cells_spanned(bbox: tuple[float, float, float, float], zoom: int) -> tuple[float, float]:
    """How many cells of the zoom's grid a bbox spans across and down (Web Mercator)."""
    min_lon, min_lat, max_lon, max_lat = bbox

    def mercator_y(lat: float) -> float:
        lat = max(-_MAX_LAT, min(_MAX_LAT, lat))
        return math.log(math.tan(math.pi / 4 + math.radians(lat) / 2)) / (2 * math.pi)

    across = cells_across(zoom)
    return (max_lon - min_lon) / 360 * across, (mercator_y(max_lat) - mercator_y(min_lat)) * across


def cells_aggregated(filters: IssueLayerFilter, zoom: int) -> bool:
    """Whether the pre-aggregated table answers: a zoom whose cells are whole base cells, and only
    filters that are the table's keys (status, category, group through the category, district)."""
    return (
        zoom <= CELL_BASE_ZOOM
        and not filters.executor_codes
        and filters.reporter_id is None
        and not filters.overdue
        and not filters.refs
        and filters.budget_project_id is None
        and filters.near_budget_project_id is None
        and filters.after_ref is None
    )


def _aggregated_where(filters: IssueLayerFilter) -> tuple[list[str], dict]:
    """The filters as conditions on the table's rows `a` (codes looked up once, as ids)."""
    where: list[str] = []
    params: dict = {}
    if filters.statuses:
        where.append("a.status = ANY(%(statuses)s)")
        params["statuses"] = list(filters.statuses)
    if filters.category_codes:
        where.append("a.category_id IN (SELECT c.id FROM issues_category c WHERE c.code = ANY(%(categories)s))")
        params["categories"] = list(filters.category_codes)
    if filters.group_codes:
        where.append(
            "a.category_id IN (SELECT c.id FROM issues_category c JOIN issues_categorygroup g ON g.id = c.group_id"
            " WHERE g.code = ANY(%(groups)s))"
        )
        params["groups"] = list(filters.group_codes)
    if filters.district_codes:
        where.append("a.district_id IN (SELECT d.id FROM geo_district d WHERE d.code = ANY(%(districts)s))")
        params["districts"] = list(filters.district_codes)
    return where, params


def issue_cells_geojson(*, filters: IssueLayerFilter, zoom: int, aggregated: bool | None = None) -> str:
    """The visible issues matching the filters counted per cell of the zoom's grid, over the cells
    the bbox touches (whole): a FeatureCollection of points (count, open, overdue) with the view's
    `total`, `open`, `overdue`. One statement; read from the pre-aggregated table when
    cells_aggregated() says it can (`aggregated` forces a path, for the tests and the benchmark)."""
    if filters.bbox is None:
        raise ValueError("the cells need a bbox")
    if aggregated is None:
        aggregated = cells_aggregated(filters, zoom)
    elif aggregated and not cells_aggregated(filters, zoom):
        raise ValueError("these filters or this zoom are not in the pre-aggregated table")
    across = cells_across(zoom)
    # The bbox is applied as the cells it touches, not as the layer's envelope.
    where, params = _layer_where(replace(filters, bbox=None), now=timezone.now())
    params.update(zip(("min_lon", "min_lat", "max_lon", "max_lat"), filters.bbox, strict=True))
    params.update(_cells_envelope(filters.bbox, across), zoom=zoom, cell_px=CELL_PX, across=across)
    # Every issue has a category: the join is there only for a category or group filter.
    category_join = _CATEGORY_JOIN if filters.category_codes or filters.group_codes else ""
    joins = "\n    ".join(join for join in (category_join, _joins(filters)) if join)
    live_where = "".join(f" AND {clause}" for clause in where)
    if aggregated:
        table_where, table_params = _aggregated_where(filters)
        params.update(table_params, shift=CELL_BASE_ZOOM - zoom, scale=1 << (CELL_BASE_ZOOM - zoom))
        sql = CELLS_AGGREGATED_SQL.format(
            where="".join(f" AND {clause}" for clause in table_where),
            live_where=live_where,
            joins=joins,
            public=public_sql("i"),
            overdue=overdue_sql(alias="i", at="%(now)s"),
            open_statuses=OPEN_STATUSES_SQL,
            span=_SPAN_SQL,
            output=CELLS_OUTPUT_SQL,
        )
    else:
        sql = CELLS_SQL.format(
            where=live_where,
            joins=joins,
            public=public_sql("i"),
            overdue=overdue_sql(alias="i", at="%(now)s"),
            open_statuses=OPEN_STATUSES_SQL,
            span=_SPAN_SQL,
            output=CELLS_OUTPUT_SQL,
        )
    with reading_connection().cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone()[0]


# Open, visible issues of one category within a radius, nearest first. Distances are measured on
# the spheroid (geography); the `&&` against the envelope of a geography buffer lets the GiST index
# on the geometry column prefilter without converting metres to degrees by hand. `{category_id}` and
# `{radius}` are the bound parameters of issues_nearby, or the category row of the API's answer.
NEARBY_SQL = """
WITH here AS (
    SELECT ST_SetSRID(ST_MakePoint(%(lon)s, %(lat)s), 4326) AS geom
)
SELECT i.ref, i.status, i.description, i.address, i.support_count, i.created_at,
       ST_Distance(i.point::geography, here.geom::geography) AS distance_m,
       ST_X(i.point) AS lon, ST_Y(i.point) AS lat
FROM issues_issue i, here
WHERE i.category_id = {category_id}
  AND i.status IN {open_statuses}
  AND NOT i.is_hidden
  AND NOT i.awaiting_confirmation
  AND i.point && ST_Envelope(ST_Buffer(here.geom::geography, {radius})::geometry)
  AND ST_DWithin(i.point::geography, here.geom::geography, {radius})
  {exclude}
ORDER BY distance_m, i.created_at
LIMIT %(limit)s
"""
NEARBY_LIMIT = 20


def issues_nearby(
    *,
    lon: float,
    lat: float,
    category_id: int,
    radius_m: float,
    limit: int = NEARBY_LIMIT,
    exclude_id: int | None = None,
) -> list[dict]:
    """Open public issues of a category within `radius_m` metres of a point, nearest first."""
    params = {"lon": lon, "lat": lat, "category_id": category_id, "radius": radius_m, "limit": limit}
    exclude = ""
    if exclude_id is not None:
        exclude = "AND i.id <> %(exclude_id)s"
        params["exclude_id"] = exclude_id
    sql = NEARBY_SQL.format(
        category_id="%(category_id)s", radius="%(radius)s", exclude=exclude, open_statuses=OPEN_STATUSES_SQL
    )
    with reading_connection().cursor() as cursor:
        cursor.execute(sql, params)
        columns = [column.name for column in cursor.description]
        return [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]


# GET /api/v1/issues/nearby/ whole, in one statement: the active category by its code (no row at all
# for an unknown one), and the issues of issues_nearby within its duplicate radius, each written as
# issues.api.serializers.NearbyIssueOutput writes it (tests/api/test_small_answers.py holds them
# equal): the title is the description's first NEARBY_TITLE_CHARS characters, the distance in metres
# to 0.1, the location to 7 decimals, the time as DRF writes it in the zone `time_zone`.
NEARBY_TITLE_CHARS = 140
NEARBY_JSON_SQL = """
SELECT json_build_object(
    'category', c.code,
    'radius_m', c.duplicate_radius_m,
    'results', COALESCE((
        SELECT json_agg(json_build_object(
            'ref', n.ref,
            'status', n.status,
            'title', left(n.description, %(title_chars)s),
            'address', n.address,
            'support_count', n.support_count,
            'created_at', {created_at},
            'distance_m', {distance_m},
            'location', json_build_object('type', 'Point', 'coordinates', json_build_array({lon}, {lat})),
            'url', '/issues/' || n.ref || '/'
        ) ORDER BY n.distance_m, n.created_at)
        FROM ({nearby}) n
    ), '[]'::json)
)::text
FROM issues_category c
WHERE c.code = %(category)s AND c.is_active
"""


@functools.cache
def _nearby_json_statement() -> PreparedStatement:
    """NEARBY_JSON_SQL with its fragments in place (the same text for every request), prepared."""
    nearby = NEARBY_SQL.format(
        category_id="c.id", radius="c.duplicate_radius_m", exclude="", open_statuses=OPEN_STATUSES_SQL
    )
    sql = NEARBY_JSON_SQL.format(
        nearby=nearby,
        created_at=drf_datetime_sql("n.created_at"),
        distance_m=round_sql("n.distance_m", 1),
        lon=round_sql("n.lon", 7),
        lat=round_sql("n.lat", 7),
    )
    return PreparedStatement("issues_nearby", sql)


def issues_nearby_json(*, lon: float, lat: float, category_code: str, time_zone: str) -> str | None:
    """The nearby answer's JSON text for the active category with this code (issues_nearby within
    its duplicate radius, as NEARBY_JSON_SQL writes it), or None when there is no such category."""
    params = {
        "lon": lon,
        "lat": lat,
        "category": category_code,
        "limit": NEARBY_LIMIT,
        "title_chars": NEARBY_TITLE_CHARS,
        "time_zone": time_zone,
    }
    with reading_connection().cursor() as cursor:
        _nearby_json_statement().execute(cursor, params)
        row = cursor.fetchone()
    return None if row is None else row[0]
