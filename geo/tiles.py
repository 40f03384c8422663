"""Vector tiles (Mapbox Vector Tile 2.1) built by PostGIS: one SQL statement per tile.

`ST_TileEnvelope` gives a tile's square in Web Mercator, `ST_AsMVTGeom` clips and quantizes each
geometry into it, `ST_AsMVT` encodes the layer; the tile leaves the database as bytes and the view
passes them through. Raw SQL lives here (and in issues/tiles.py for the issue layer, which geo may
not know) because PostGIS encodes tiles far better than anything in Python (PLATFORM.md).

Nothing is ever silently cut from a tile:

- points (issues) are all in the tile up to OPENCITY_TILE_MAX_FEATURES; above that the tile holds
  a grid of cells with exact counts instead (issues/tiles.py);
- lines and areas (budget projects, outages) are all in the tile. One that quantizes to nothing at
  a low zoom (a small park at z10 is smaller than a tile pixel) is kept as a point on the part of it
  inside the tile, so it still shows and can be clicked. These layers are small by nature (a budget
  year's projects, the outages in force), so they have no aggregate form.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from accounts.localized import localized_sql
from geo.sql import ENGLISH, OUTAGE_ACTIVE, OUTAGE_STATE_SQL, outage_filters
from opencity.dbrouter import reading_connection

MAX_ZOOM = 22
# Tile coordinate space (MVT's default) and the margin around it, in tile units, that keeps
# symbols and lines drawn across a tile's edge from being cut at the seam.
EXTENT = 4096
BUFFER = 64


@dataclass(frozen=True)
class TileAddress:
    """A tile in the XYZ scheme (Web Mercator, y from the north), already validated."""

    z: int
    x: int
    y: int

    @classmethod
    def is_valid(cls, z: int, x: int, y: int) -> bool:
        """0 ≤ z ≤ MAX_ZOOM and 0 ≤ x, y < 2^z."""
        return 0 <= z <= MAX_ZOOM and 0 <= x < 2**z and 0 <= y < 2**z

    def params(self) -> dict:
        return {"tile_z": self.z, "tile_x": self.x, "tile_y": self.y, "extent": EXTENT, "buffer": BUFFER}


# The tile's square: in Web Mercator for ST_AsMVTGeom, and in WGS84 (the columns' SRID) for the
# index. Web Mercator's x depends on the longitude only and y on the latitude only, so the
# transformed square is exactly the tile's lon/lat rectangle. Written inline (not in a CTE) so the
# planner folds it into a constant and the GiST index can use it.
ENVELOPE_3857 = "ST_TileEnvelope(%(tile_z)s, %(tile_x)s, %(tile_y)s)"
ENVELOPE_4326 = f"ST_Transform({ENVELOPE_3857}, 4326)"


def mvt_geometry(column: str) -> str:
    """`column` (WGS84) as a tile geometry. A line or area that quantizes to nothing in this tile
    becomes a point on its part inside the tile rather than vanishing (see the module docstring)."""
    mercator = f"ST_Transform({column}, 3857)"
    clip = f"ST_AsMVTGeom({{g}}, {ENVELOPE_3857}, %(extent)s, %(buffer)s, true)"
    kept = f"ST_PointOnSurface(ST_Intersection({mercator}, {ENVELOPE_3857}))"
    return f"COALESCE({clip.format(g=mercator)}, {clip.format(g=kept)})"


def utc_text(column: str) -> str:
    """A timestamp as ISO 8601 text in UTC with whole seconds (MVT values have no date type)."""
    return f"""to_char({column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"')"""


# PostGIS functions carry high cost estimates, so a low-zoom tile over a large city looks expensive
# enough for PostgreSQL to JIT-compile it: measured on 100,000 issues, a z12 tile spent 1.4 s of its
# 1.8 s compiling. Sent in the same query string as the tile (one round trip, one implicit
# transaction, so SET LOCAL ends with it).
NO_JIT = "SET LOCAL jit = off;\n"


def fetch_tile(sql: str, params: dict) -> bytes:
    """Run one tile statement (a single bytea) on the reading connection; b"" when empty."""
    with reading_connection().cursor() as cursor:
        cursor.execute(NO_JIT + sql, params)
        value = cursor.fetchone()[0]
    return bytes(value) if value is not None else b""


BUDGET_TILE_SQL = """
SELECT ST_AsMVT(t, 'budget', %(extent)s, 'geom', 'feature_id') FROM (
    SELECT p.id AS feature_id, p.id, p.code, {title} AS title, p.sector, p.status, p.budget_year,
           {geometry} AS geom
    FROM geo_budgetproject p
    WHERE p.geom && {envelope} AND ST_Intersects(p.geom, {envelope}) AND {where}
) t
"""


def budget_tile(
    *,
    tile: TileAddress,
    language: str,
    year: int | None = None,
    sectors: list[str] | None = None,
    statuses: list[str] | None = None,
) -> bytes:
    """The budget projects crossing the tile as one MVT layer `budget` (every one of them)."""
    where, params = ["TRUE"], {"lang": language[:2], **tile.params()}
    if year is not None:
        where.append("p.budget_year = %(year)s")
        params["year"] = year
    if sectors:
        where.append("p.sector = ANY(%(sectors)s)")
        params["sectors"] = list(sectors)
    if statuses:
        where.append("p.status = ANY(%(statuses)s)")
        params["statuses"] = list(statuses)
    sql = BUDGET_TILE_SQL.format(
        title=localized_sql("p", field="title", english=ENGLISH),
        geometry=mvt_geometry("p.geom"),
        envelope=ENVELOPE_4326,
        where=" AND ".join(where),
    )
    return fetch_tile(sql, params)


OUTAGE_TILE_SQL = """
SELECT ST_AsMVT(t, 'outages', %(extent)s, 'geom', 'feature_id') FROM (
    SELECT o.id AS feature_id, o.id, o.kind, o.nature, {state} AS state,
           {active} AS active,
           {starts_at} AS starts_at, {expected_end_at} AS expected_end_at, {ended_at} AS ended_at,
           {geometry} AS geom
    FROM geo_outage o
    WHERE o.area && {envelope} AND ST_Intersects(o.area, {envelope}) AND {where}
) t
"""


def outage_tile(
    *,
    tile: TileAddress,
    at: datetime.datetime,
    active: bool | None = None,
    kinds: list[str] | None = None,
    natures: list[str] | None = None,
) -> bytes:
    """The outages crossing the tile as one MVT layer `outages`; `active` as in the GeoJSON layer
    (None: in force and upcoming, the map's default; True: in force; False: the others)."""
    where, params = ["TRUE"], {"at": at, **tile.params()}
    outage_filters(where, params, active=active, kinds=kinds, natures=natures)
    sql = OUTAGE_TILE_SQL.format(
        state=OUTAGE_STATE_SQL,
        active=OUTAGE_ACTIVE,
        starts_at=utc_text("o.starts_at"),
        expected_end_at=utc_text("o.expected_end_at"),
        ended_at=utc_text("o.ended_at"),
        geometry=mvt_geometry("o.area"),
        envelope=ENVELOPE_4326,
        where=" AND ".join(where),
    )
    return fetch_tile(sql, params)
