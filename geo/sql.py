"""SQL that PostGIS does better than the ORM: GeoJSON assembled in the database.

Serializing features one by one in Python was measured ~20x slower than letting PostGIS build the
FeatureCollection (PLATFORM.md), so map layers are produced here and passed through as text.
"""

from __future__ import annotations

import datetime
import functools
import json

from django.db import connections
from django.utils import timezone

from accounts.localized import localized_sql
from opencity.dbrouter import reading_connection
from opencity.prepared import PreparedStatement

# The reader's language comes as the bound parameter `lang`; names are chosen by accounts.localized.
ENGLISH = "%(lang)s = 'en'"

# BoundaryQuerySet.current() on the boundary row `b`: the versions in force on the bound `today`.
CURRENT_BOUNDARY = (
    "(b.valid_from IS NULL OR b.valid_from <= %(today)s) AND (b.valid_until IS NULL OR b.valid_until >= %(today)s)"
)

TERRITORY_SQL = """
WITH features AS (
    SELECT json_build_object(
        'type', 'Feature',
        'geometry', ST_AsGeoJSON(b.geom, 6)::json,
        'properties', json_build_object('layer', 'boundary', 'code', b.code, 'name', b.name)
    ) AS feature, 0 AS sort_key, b.code AS code
    FROM geo_communityboundary b
    WHERE {current}
    UNION ALL
    SELECT json_build_object(
        'type', 'Feature',
        'geometry', ST_AsGeoJSON(d.geom, 6)::json,
        'properties', json_build_object(
            'layer', 'district', 'code', d.code, 'kind', d.kind,
            'name', {district_name}
        )
    ), 1, d.code
    FROM geo_district d
)
SELECT json_build_object(
    'type', 'FeatureCollection',
    'features', COALESCE(json_agg(feature ORDER BY sort_key, code), '[]'::json)
)::text
FROM features
"""


def territory_feature_collection(*, language: str) -> str:
    """The current community boundary and every district as one GeoJSON FeatureCollection text."""
    with reading_connection().cursor() as cursor:
        cursor.execute(
            TERRITORY_SQL.format(current=CURRENT_BOUNDARY, district_name=localized_sql("d", english=ENGLISH)),
            {"today": timezone.localdate(), "lang": language[:2]},
        )
        return cursor.fetchone()[0]


# --- Map layers: budget projects and outages ------------------------------------------------------
#
# Filters arrive validated (geo/api/filters.py) and only ever as query parameters; the WHERE clause
# is assembled from the fixed fragments below, so no input text reaches the SQL itself. Labels of
# the choices come in the request's language as one JSON parameter, so the layer stays one query.

BBOX_CLAUSE = "ST_Intersects({column}, ST_MakeEnvelope(%(min_lon)s, %(min_lat)s, %(max_lon)s, %(max_lat)s, 4326))"

BUDGET_SQL = """
SELECT json_build_object(
    'type', 'FeatureCollection',
    'features', COALESCE(json_agg(json_build_object(
        'type', 'Feature',
        'id', p.id,
        'geometry', ST_AsGeoJSON(p.geom, 6)::json,
        'properties', json_build_object(
            'layer', 'budget',
            'id', p.id,
            'code', p.code,
            'title', {project_title},
            'sector', p.sector,
            'sector_label', %(labels)s::jsonb -> 'sector' ->> p.sector,
            'status', p.status,
            'status_label', %(labels)s::jsonb -> 'status' ->> p.status,
            'budget_year', p.budget_year,
            'planned_amount', p.planned_amount,
            'spent_amount', p.spent_amount,
            'executor', CASE WHEN e.id IS NULL THEN NULL
                        ELSE {executor_name} END,
            'contractor', p.contractor,
            'start_date', p.start_date,
            'end_date', p.end_date,
            'prozorro_tender_id', NULLIF(p.prozorro_tender_id, ''),
            'prozorro_url', CASE WHEN p.prozorro_tender_id = '' THEN NULL
                            ELSE replace(%(prozorro_url)s, '{{}}', p.prozorro_tender_id) END,
            'url', replace(%(detail_url)s, '{{id}}', p.id::text)
        )
    ) ORDER BY p.sector, p.code), '[]'::json)
)::text
FROM geo_budgetproject p
LEFT JOIN accounts_executor e ON e.id = p.executor_id
WHERE {where}
"""

OUTAGE_STATE_SQL = """CASE
    WHEN o.ended_at IS NOT NULL AND o.ended_at <= o.starts_at THEN 'cancelled'
    WHEN o.starts_at > %(at)s THEN 'upcoming'
    WHEN o.ended_at IS NOT NULL AND o.ended_at <= %(at)s THEN 'ended'
    ELSE 'active' END"""

OUTAGES_SQL = """
SELECT json_build_object(
    'type', 'FeatureCollection',{members}
    'features', COALESCE(json_agg(json_build_object(
        'type', 'Feature',
        'id', o.id,
        'geometry', ST_AsGeoJSON(o.area, 6)::json,
        'properties', json_build_object(
            'layer', 'outage',
            'id', o.id,
            'title', %(labels)s::jsonb -> 'title' ->> (o.nature || ':' || o.kind),
            'kind', o.kind,
            'kind_label', %(labels)s::jsonb -> 'kind' ->> o.kind,
            'nature', o.nature,
            'nature_label', %(labels)s::jsonb -> 'nature' ->> o.nature,
            'state', {state},
            'overdue', (o.ended_at IS NULL AND o.expected_end_at IS NOT NULL
                        AND o.starts_at <= %(at)s AND o.expected_end_at < %(at)s),
            -- whole seconds: PostgreSQL's JSON drops trailing zeros of microseconds, which gives
            -- timestamps of varying length; clients (and Open311) expect whole seconds anyway
            'starts_at', date_trunc('second', o.starts_at),
            'expected_end_at', date_trunc('second', o.expected_end_at),
            'ended_at', date_trunc('second', o.ended_at),
            'affected_streets', o.affected_streets,
            'public_notes', o.public_notes,
            'provider', json_build_object(
                'code', e.code,
                'name', {executor_name},
                'phone', e.phone
            ),
            'url', replace(%(detail_url)s, '{{id}}', o.id::text)
        )
    ) ORDER BY (o.starts_at > %(at)s), o.starts_at, o.id), '[]'::json)
)::text
FROM (
    -- bounded: `active=false` reaches every ended outage ever published; the latest ones win
    SELECT * FROM geo_outage o WHERE {where} ORDER BY o.starts_at DESC, o.id DESC LIMIT %(limit)s
) o
JOIN accounts_executor e ON e.id = o.provider_id
{having}
"""
# The most outages one layer answer carries (the newest first when there are more).
OUTAGE_LAYER_LIMIT = 500

# Outage states as WHERE fragments, the same rules as OutageQuerySet.active_at / upcoming.
OUTAGE_ACTIVE = "(o.starts_at <= %(at)s AND (o.ended_at IS NULL OR o.ended_at > %(at)s))"
OUTAGE_UPCOMING = "(o.starts_at > %(at)s AND o.ended_at IS NULL)"


def _bbox_params(bbox: tuple[float, float, float, float] | None) -> dict:
    if bbox is None:
        return {}
    return dict(zip(("min_lon", "min_lat", "max_lon", "max_lat"), bbox, strict=True))


def _fetch_text(sql: str, params: dict) -> str:
    with reading_connection().cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone()[0]


def budget_feature_collection(
    *,
    language: str,
    labels: dict[str, dict[str, str]],
    detail_url: str,
    prozorro_url: str,
    year: int | None = None,
    sectors: list[str] | None = None,
    statuses: list[str] | None = None,
    bbox: tuple[float, float, float, float] | None = None,
) -> str:
    """Budget projects as one GeoJSON FeatureCollection text, built by PostGIS.

    `labels` maps "sector" and "status" to {code: label}; `detail_url` contains "{id}" and
    `prozorro_url` "{}" where the project's id and tender ID go."""
    where, params = ["TRUE"], {"lang": language[:2], "labels": json.dumps(labels)}
    if year is not None:
        where.append("p.budget_year = %(year)s")
        params["year"] = year
    if sectors:
        where.append("p.sector = ANY(%(sectors)s)")
        params["sectors"] = list(sectors)
    if statuses:
        where.append("p.status = ANY(%(statuses)s)")
        params["statuses"] = list(statuses)
    if bbox is not None:
        where.append(BBOX_CLAUSE.format(column="p.geom"))
        params.update(_bbox_params(bbox))
    params.update(detail_url=detail_url, prozorro_url=prozorro_url)
    names = {
        "project_title": localized_sql("p", field="title", english=ENGLISH),
        "executor_name": localized_sql("e", english=ENGLISH),
    }
    return _fetch_text(BUDGET_SQL.format(where=" AND ".join(where), **names), params)


def outage_filters(
    where: list[str], params: dict, *, active: bool | None, kinds: list[str] | None, natures: list[str] | None
) -> None:
    """Add the outage layer's filters (on the alias `o`; `params` needs `at`) to a WHERE list and
    its parameters: `active` None is in force or upcoming at `at`, True in force, False the others."""
    if active is None:
        where.append(f"({OUTAGE_ACTIVE} OR {OUTAGE_UPCOMING})")
    elif active:
        where.append(OUTAGE_ACTIVE)
    else:
        where.append(f"NOT {OUTAGE_ACTIVE}")
    if kinds:
        where.append("o.kind = ANY(%(kinds)s)")
        params["kinds"] = list(kinds)
    if natures:
        where.append("o.nature = ANY(%(natures)s)")
        params["natures"] = list(natures)


def _outages_sql(
    *,
    language: str,
    labels: dict[str, dict[str, str]],
    detail_url: str,
    at: datetime.datetime,
    active: bool | None = None,
    kinds: list[str] | None = None,
    natures: list[str] | None = None,
    bbox: tuple[float, float, float, float] | None = None,
    point: tuple[float, float] | None = None,
    members: str = "",
    having: str = "",
) -> tuple[str, dict]:
    """OUTAGES_SQL for these filters and its parameters (see outage_feature_collection)."""
    where = ["TRUE"]
    params = {
        "lang": language[:2],
        "labels": json.dumps(labels),
        "at": at,
        "detail_url": detail_url,
        "limit": OUTAGE_LAYER_LIMIT,
    }
    outage_filters(where, params, active=active, kinds=kinds, natures=natures)
    if bbox is not None:
        where.append(BBOX_CLAUSE.format(column="o.area"))
        params.update(_bbox_params(bbox))
    if point is not None:
        where.append("ST_Covers(o.area, ST_SetSRID(ST_MakePoint(%(lon)s, %(lat)s), 4326))")
        params.update(lon=point[0], lat=point[1])
    sql = OUTAGES_SQL.format(
        state=OUTAGE_STATE_SQL,
        where=" AND ".join(where),
        executor_name=localized_sql("e", english=ENGLISH),
        members=members,
        having=having,
    )
    return sql, params


def outage_feature_collection(
    *,
    language: str,
    labels: dict[str, dict[str, str]],
    detail_url: str,
    at: datetime.datetime,
    active: bool | None = None,
    kinds: list[str] | None = None,
    natures: list[str] | None = None,
    bbox: tuple[float, float, float, float] | None = None,
    point: tuple[float, float] | None = None,
) -> str:
    """Outages as one GeoJSON FeatureCollection text, built by PostGIS; active ones first.

    `active=None` gives what the map shows at `at` (active and upcoming), True only the active,
    False those not active (upcoming, ended and cancelled). `point` (lon, lat) keeps the outages
    whose area covers it, edge included. `labels` maps "kind" and "nature" to {code: label} and
    "title" to {"nature:kind": title}. At most OUTAGE_LAYER_LIMIT outages, the latest starts first."""
    sql, params = _outages_sql(
        language=language,
        labels=labels,
        detail_url=detail_url,
        at=at,
        active=active,
        kinds=kinds,
        natures=natures,
        bbox=bbox,
        point=point,
    )
    return _fetch_text(sql, params)


# "Is my address affected?": the question's own point and moment travel with the answer (GeoJSON
# foreign members, before the features), and a point outside the community in force today gets no
# row at all (the aggregate's HAVING asks what geo.selectors.point_in_community asks), so the whole
# answer is one statement.
OUTAGES_AT_MEMBERS = """
    'point', %(point_json)s::json,
    'at', %(at_text)s::text,"""
IN_COMMUNITY_HAVING = """HAVING EXISTS (
    SELECT 1 FROM geo_communityboundary b
    WHERE {current}
      AND ST_Covers(b.geom, ST_SetSRID(ST_MakePoint(%(lon)s, %(lat)s), 4326))
)"""


def outages_at_point_geojson(
    *,
    language: str,
    labels: dict[str, dict[str, str]],
    detail_url: str,
    at: datetime.datetime,
    lon: float,
    lat: float,
) -> str | None:
    """The outages whose area covers the point (edge included), in force at `at` and to come, as
    outage_feature_collection builds them, with `point` ([lon, lat]) and `at` (`at.isoformat()`)
    before the features; None when the point lies outside the community."""
    sql, params = _outages_sql(
        language=language,
        labels=labels,
        detail_url=detail_url,
        at=at,
        point=(lon, lat),
        members=OUTAGES_AT_MEMBERS,
        having=IN_COMMUNITY_HAVING.format(current=CURRENT_BOUNDARY),
    )
    # The point and the moment as Python writes them, as the answer always gave them.
    params.update(point_json=json.dumps([lon, lat]), at_text=at.isoformat(), today=timezone.localdate())
    with reading_connection().cursor() as cursor:
        _prepared("outages_at", sql).execute(cursor, params)
        row = cursor.fetchone()
    return None if row is None else row[0]


@functools.cache
def _prepared(name: str, sql: str) -> PreparedStatement:
    """One PreparedStatement per text (a text that never changes for a given answer)."""
    return PreparedStatement(name, sql)


# --- Reverse geocoding ----------------------------------------------------------------------------
#
# What is at each of many points, in one statement: the nearest address point and the nearest
# street line within `far` metres, and the district. Distances are on the geography type (metres on
# the spheroid); a bounding box of the search circle first lets the GiST indexes on the geometries
# pick the few candidates (PLATFORM.md: ST_DWithin on geography alone cannot use them). One
# statement for a batch is what lets `opencity_fill_addresses` label thousands of old issues without
# a query per issue; one pin is a batch of one.

REVERSE_SQL = """
WITH pts AS (
    SELECT p.key, ST_SetSRID(ST_MakePoint(p.lon, p.lat), 4326) AS g
    FROM unnest(%(keys)s::bigint[], %(lons)s::float8[], %(lats)s::float8[]) AS p(key, lon, lat)
)
SELECT pts.key,
       a.id, a.house_number, a.postcode, ST_X(a.point), ST_Y(a.point), a.distance,
       sa.id, sa.kind, sa.name_uk, sa.name_en,
       sl.id, sl.kind, sl.name_uk, sl.name_en, sl.distance,
       d.name_uk, d.name_en
FROM pts
LEFT JOIN LATERAL (
    SELECT a.id, a.house_number, a.postcode, a.point, a.street_id,
           ST_Distance(a.point::geography, pts.g::geography) AS distance
    FROM geo_addresspoint a
    WHERE a.point && ST_Envelope(ST_Buffer(pts.g::geography, %(far)s)::geometry)
      AND ST_DWithin(a.point::geography, pts.g::geography, %(far)s)
    ORDER BY distance, a.id
    LIMIT 1
) a ON true
LEFT JOIN geo_street sa ON sa.id = a.street_id
LEFT JOIN LATERAL (
    SELECT s.id, s.kind, s.name_uk, s.name_en, ST_Distance(s.geom::geography, pts.g::geography) AS distance
    FROM geo_street s
    WHERE s.geom && ST_Envelope(ST_Buffer(pts.g::geography, %(far)s)::geometry)
      AND ST_DWithin(s.geom::geography, pts.g::geography, %(far)s)
    ORDER BY distance, s.id
    LIMIT 1
) sl ON true
LEFT JOIN LATERAL (
    SELECT d.name_uk, d.name_en FROM geo_district d WHERE ST_Covers(d.geom, pts.g) ORDER BY d.code LIMIT 1
) d ON true
"""


def reverse_geocode_rows(*, points: dict[int, tuple[float, float]], far_m: float) -> dict[int, tuple]:
    """For each key → (lon, lat), the raw row of REVERSE_SQL (without the key). Callers label them
    (geo.selectors.addresses_at)."""
    if not points:
        return {}
    keys = list(points)
    with reading_connection().cursor() as cursor:
        cursor.execute(
            REVERSE_SQL,
            {
                "keys": keys,
                "lons": [points[key][0] for key in keys],
                "lats": [points[key][1] for key in keys],
                "far": far_m,
            },
        )
        return {row[0]: row[1:] for row in cursor.fetchall()}


def word_similarity_threshold_set(*, alias: str, threshold: float) -> None:
    """pg_trgm's word-similarity threshold (what `%>` accepts) for the current transaction only."""
    with connections[alias].cursor() as cursor:
        cursor.execute("SELECT set_config('pg_trgm.word_similarity_threshold', %s, true)", [str(threshold)])
