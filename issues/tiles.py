"""The issue layer as vector tiles, built by PostGIS in one statement per tile (see geo/tiles.py).

A tile holds either every public issue in it (layer `issues`: ref, status, category, group,
overdue) or, when more than OPENCITY_TILE_MAX_FEATURES match, a grid of OPENCITY_TILE_GRID_CELLS ×
OPENCITY_TILE_GRID_CELLS cells over the tile (layer `issue_cells`) with exact counts — `count`,
`open`, `overdue` — placed at the centre of their issues. Never a silent cut: the counts of a tile
add up to COUNT(*) of the same filter over the tile's square (tests/geo/test_tiles.py).

Visibility, the status sets and "overdue" come from issues.sql, the same fragments the GeoJSON
layer and the SLA sweep use. The filter codes are checked inside the same statement (unknown ones
come back by name), so a tile is one query however it is filtered.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from geo.tiles import ENVELOPE_3857, ENVELOPE_4326, NO_JIT, TileAddress
from issues.sql import CELL_BASE_ZOOM, OPEN_STATUSES_SQL, IssueLayerFilter, cells_across, overdue_sql, public_sql
from opencity.dbrouter import reading_connection

# Which reference table each code filter names, for the unknown-code check.
CODE_FILTERS = (
    # (filter field, query parameter name, table, the issue-side condition)
    ("category_codes", "category", "issues_category", "c.code = ANY(%(category)s)"),
    ("group_codes", "group", "issues_categorygroup", "g.code = ANY(%(group)s)"),
    (
        "district_codes",
        "district",
        "geo_district",
        "i.district_id IN (SELECT id FROM geo_district WHERE code = ANY(%(district)s))",
    ),
    (
        "executor_codes",
        "executor",
        "accounts_executor",
        "i.executor_id IN (SELECT id FROM accounts_executor WHERE code = ANY(%(executor)s))",
    ),
)

# The issues in the tile (`hits`), and as the tile's features when it is not dense (`features`): the
# same in both forms of the tile below.
_HITS_SQL = """
hits AS (
    SELECT i.ref, i.status, c.code AS category, g.code AS "group",
           {overdue} AS overdue,
           ST_Transform(i.point, 3857) AS point
    FROM issues_issue i
    JOIN issues_category c ON c.id = i.category_id
    JOIN issues_categorygroup g ON g.id = c.group_id
    WHERE {public} AND i.point && {envelope_4326} {where}
)"""
_FEATURES_SQL = """
features AS (
    SELECT h.ref, h.status, h.category, h."group", h.overdue,
           ST_AsMVTGeom(h.point, {envelope_3857}, %(extent)s, %(buffer)s, true) AS geom
    FROM hits h
    WHERE NOT (SELECT dense FROM dense)
)"""

ISSUE_TILE_SQL = (
    "WITH"  # noqa: S608 (fixed fragments; the values are bound)
    + _HITS_SQL
    + """,
-- Only whether there are more than the threshold: counting stops one past it.
dense AS (
    SELECT count(*) > %(max_features)s AS dense FROM (SELECT 1 FROM hits LIMIT %(max_features)s + 1) enough
),"""
    + _FEATURES_SQL
    + """,
-- The cell of each issue: its column and row in an n × n grid over the tile (an issue on the
-- tile's far edge belongs to the last cell).
placed AS (
    SELECT h.*,
           GREATEST(0, LEAST(%(cells)s - 1, floor(
               (ST_X(h.point) - ST_XMin({envelope_3857})) / (ST_XMax({envelope_3857}) - ST_XMin({envelope_3857}))
               * %(cells)s)::int)) AS column_number,
           GREATEST(0, LEAST(%(cells)s - 1, floor(
               (ST_YMax({envelope_3857}) - ST_Y(h.point)) / (ST_YMax({envelope_3857}) - ST_YMin({envelope_3857}))
               * %(cells)s)::int)) AS row_number
    FROM hits h
    WHERE (SELECT dense FROM dense)
),
cells AS (
    SELECT count(*)::int AS count,
           (count(*) FILTER (WHERE p.status IN {open_statuses}))::int AS open,
           (count(*) FILTER (WHERE p.overdue))::int AS overdue,
           ST_AsMVTGeom(ST_Centroid(ST_Collect(p.point)), {envelope_3857}, %(extent)s, %(buffer)s, true) AS geom
    FROM placed p
    GROUP BY p.column_number, p.row_number
)
SELECT COALESCE((SELECT ST_AsMVT(features, 'issues', %(extent)s, 'geom') FROM features), ''::bytea)
       || COALESCE((SELECT ST_AsMVT(cells, 'issue_cells', %(extent)s, 'geom') FROM cells), ''::bytea),
       {unknown}
"""
)


# A low-zoom tile from the pre-aggregated counts (issues.models.IssueCellCount), when its grid's cells
# are whole cells of the table's grid and the filters are the table's keys (no executor): whether the
# tile is dense is a sum over the tile's base cells, and a dense tile's cells are those sums grouped
# into the tile's grid — what the issues in the tile would give, without reading them. "Overdue"
# depends on the moment: it is counted from the open issues, in the same statement. A tile under the
# threshold reads its issues, as ISSUE_TILE_SQL does. A cell is drawn at the mean of its issues.
ISSUE_TILE_AGGREGATED_SQL = (
    "WITH"  # noqa: S608 (fixed fragments; the values are bound)
    + """
dense AS (
    SELECT COALESCE(sum(a.count), 0) > %(max_features)s AS dense
    FROM issues_issuecellcount a
    WHERE a.cx BETWEEN %(base_x0)s AND %(base_x1)s AND a.cy BETWEEN %(base_y0)s AND %(base_y1)s {table_where}
),"""
    + _HITS_SQL
    + ","
    + _FEATURES_SQL
    + """,
parts AS (
    SELECT a.cx >> %(shift)s AS column_number, a.cy >> %(shift)s AS row_number, sum(a.count) AS count,
           COALESCE(sum(a.count) FILTER (WHERE a.status IN {open_statuses}), 0) AS open, 0 AS overdue,
           sum(a.sum_lon) AS sum_lon, sum(a.sum_lat) AS sum_lat
    FROM issues_issuecellcount a
    WHERE (SELECT dense FROM dense)
      AND a.cx BETWEEN %(base_x0)s AND %(base_x1)s AND a.cy BETWEEN %(base_y0)s AND %(base_y1)s {table_where}
    GROUP BY 1, 2
    UNION ALL
    SELECT issues_cell_column(ST_X(i.point), %(across)s), issues_cell_row(ST_Y(i.point), %(across)s), 0, 0,
           count(*), 0, 0
    FROM issues_issue i
    JOIN issues_category c ON c.id = i.category_id
    JOIN issues_categorygroup g ON g.id = c.group_id
    WHERE (SELECT dense FROM dense)
      AND {public} AND i.status IN {open_statuses} AND {overdue_now}
      AND i.point && {envelope_4326} {where}
    GROUP BY 1, 2
),
cells AS (
    SELECT sum(p.count)::int AS count, sum(p.open)::int AS open, sum(p.overdue)::int AS overdue,
           ST_AsMVTGeom(
               ST_Transform(
                   ST_SetSRID(ST_MakePoint(sum(p.sum_lon) / sum(p.count), sum(p.sum_lat) / sum(p.count)), 4326), 3857
               ),
               {envelope_3857}, %(extent)s, %(buffer)s, true) AS geom
    FROM parts p
    -- the overdue side reads the tile's square: only the cells of this tile
    WHERE p.column_number BETWEEN %(cell_x0)s AND %(cell_x1)s AND p.row_number BETWEEN %(cell_y0)s AND %(cell_y1)s
    GROUP BY p.column_number, p.row_number
    HAVING sum(p.count) > 0
)
SELECT COALESCE((SELECT ST_AsMVT(features, 'issues', %(extent)s, 'geom') FROM features), ''::bytea)
       || COALESCE((SELECT ST_AsMVT(cells, 'issue_cells', %(extent)s, 'geom') FROM cells), ''::bytea),
       {unknown}
"""
)

# The table's keys among the tile's filters (as conditions on its rows `a`).
TABLE_FILTERS = {
    "statuses": "a.status = ANY(%(statuses)s)",
    "category_codes": "a.category_id IN (SELECT id FROM issues_category WHERE code = ANY(%(category)s))",
    "group_codes": (
        "a.category_id IN (SELECT c.id FROM issues_category c JOIN issues_categorygroup g ON g.id = c.group_id"
        " WHERE g.code = ANY(%(group)s))"
    ),
    "district_codes": "a.district_id IN (SELECT id FROM geo_district WHERE code = ANY(%(district)s))",
}


def tile_grid_zoom(z: int, cells: int) -> int | None:
    """The zoom whose 64-px cells are a `cells` × `cells` grid over a tile of zoom z, or None when the
    grid is not such a power-of-two grid."""
    if cells < 4 or cells & (cells - 1):
        return None
    return z + cells.bit_length() - 1 - 2


def tile_aggregated(tile: TileAddress, filters: IssueLayerFilter, cells: int) -> bool:
    """Whether the pre-aggregated counts can answer the tile: its grid's cells are whole cells of the
    table's grid, and the filters are the table's keys."""
    grid_zoom = tile_grid_zoom(tile.z, cells)
    return grid_zoom is not None and grid_zoom <= CELL_BASE_ZOOM and not filters.executor_codes


@dataclass(frozen=True)
class IssueTile:
    """A tile's bytes (b"" when empty) and the filter codes that name nothing ({filter: [codes]})."""

    content: bytes
    unknown_codes: dict[str, list[str]]


def issue_tile(
    *,
    tile: TileAddress,
    filters: IssueLayerFilter,
    now: datetime.datetime,
    max_features: int,
    cells: int,
    aggregated: bool | None = None,
) -> IssueTile:
    """The public issues in the tile matching the filters (status, category, group, district,
    executor): every one of them, or above `max_features` a `cells` × `cells` grid of counts — read
    from the pre-aggregated counts where tile_aggregated() says they can answer (`aggregated`
    forces a path, for the tests and the benchmark)."""
    if aggregated is None:
        aggregated = tile_aggregated(tile, filters, cells)
    elif aggregated and not tile_aggregated(tile, filters, cells):
        raise ValueError("this tile's grid or filters are not in the pre-aggregated table")
    params: dict = {**tile.params(), "now": now, "max_features": max_features, "cells": cells}
    where: list[str] = []
    checks: list[str] = []
    if filters.statuses:
        where.append("i.status = ANY(%(statuses)s)")
        params["statuses"] = list(filters.statuses)
    for field_name, name, table, condition in CODE_FILTERS:
        codes = getattr(filters, field_name)
        if codes:
            where.append(condition)
            params[name] = list(codes)
            checks.append(
                f"'{name}', ARRAY(SELECT v FROM unnest(%({name})s::text[]) v"  # noqa: S608 (own identifiers)
                f" WHERE NOT EXISTS (SELECT 1 FROM {table} t WHERE t.code = v))"
            )
    fragments = {
        "public": public_sql("i"),
        "overdue": overdue_sql(alias="i", at="%(now)s"),
        "open_statuses": OPEN_STATUSES_SQL,
        "envelope_3857": ENVELOPE_3857,
        "envelope_4326": ENVELOPE_4326,
        "where": "".join(f" AND {clause}" for clause in where),
        "unknown": f"json_build_object({', '.join(checks)})" if checks else "'{}'::json",
    }
    if aggregated:
        grid_zoom = tile_grid_zoom(tile.z, cells)
        scale = 1 << (CELL_BASE_ZOOM - grid_zoom)
        cell_x0, cell_y0 = tile.x * cells, tile.y * cells
        params.update(
            shift=CELL_BASE_ZOOM - grid_zoom,
            across=cells_across(grid_zoom),
            cell_x0=cell_x0,
            cell_x1=cell_x0 + cells - 1,
            cell_y0=cell_y0,
            cell_y1=cell_y0 + cells - 1,
            base_x0=cell_x0 * scale,
            base_x1=(cell_x0 + cells) * scale - 1,
            base_y0=cell_y0 * scale,
            base_y1=(cell_y0 + cells) * scale - 1,
        )
        table_where = [TABLE_FILTERS[name] for name in TABLE_FILTERS if getattr(filters, name)]
        sql = ISSUE_TILE_AGGREGATED_SQL.format(
            **fragments,
            overdue_now=overdue_sql(alias="i", at="%(now)s"),
            table_where="".join(f" AND {clause}" for clause in table_where),
        )
    else:
        sql = ISSUE_TILE_SQL.format(**fragments)
    with reading_connection().cursor() as cursor:
        cursor.execute(NO_JIT + sql, params)
        content, unknown = cursor.fetchone()
    return IssueTile(
        content=bytes(content or b""),
        unknown_codes={name: codes for name, codes in (unknown or {}).items() if codes},
    )
