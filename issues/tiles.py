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
from issues.sql import OPEN_STATUSES_SQL, IssueLayerFilter, overdue_sql, public_sql
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

ISSUE_TILE_SQL = """
WITH hits AS (
    SELECT i.ref, i.status, c.code AS category, g.code AS "group",
           {overdue} AS overdue,
           ST_Transform(i.point, 3857) AS point
    FROM issues_issue i
    JOIN issues_category c ON c.id = i.category_id
    JOIN issues_categorygroup g ON g.id = c.group_id
    WHERE {public} AND i.point && {envelope_4326} {where}
),
-- Only whether there are more than the threshold: counting stops one past it.
dense AS (
    SELECT count(*) > %(max_features)s AS dense FROM (SELECT 1 FROM hits LIMIT %(max_features)s + 1) enough
),
features AS (
    SELECT h.ref, h.status, h.category, h."group", h.overdue,
           ST_AsMVTGeom(h.point, {envelope_3857}, %(extent)s, %(buffer)s, true) AS geom
    FROM hits h
    WHERE NOT (SELECT dense FROM dense)
),
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
) -> IssueTile:
    """The public issues in the tile matching the filters (status, category, group, district,
    executor): every one of them, or above `max_features` a `cells` × `cells` grid of counts."""
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
    sql = ISSUE_TILE_SQL.format(
        public=public_sql("i"),
        overdue=overdue_sql(alias="i", at="%(now)s"),
        open_statuses=OPEN_STATUSES_SQL,
        envelope_3857=ENVELOPE_3857,
        envelope_4326=ENVELOPE_4326,
        where="".join(f" AND {clause}" for clause in where),
        unknown=f"json_build_object({', '.join(checks)})" if checks else "'{}'::json",
    )
    with reading_connection().cursor() as cursor:
        cursor.execute(NO_JIT + sql, params)
        content, unknown = cursor.fetchone()
    return IssueTile(
        content=bytes(content or b""),
        unknown_codes={name: codes for name, codes in (unknown or {}).items() if codes},
    )
