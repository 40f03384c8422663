"""Helpers for the vector-tile tests: which tile holds a point, where in the tile it is, decoding."""

from __future__ import annotations

import math

import mapbox_vector_tile

EXTENT = 4096
HALF_WORLD = 20037508.342789244  # Web Mercator's half width, metres


def mercator(lon: float, lat: float) -> tuple[float, float]:
    x = math.radians(lon) * 6378137.0
    y = math.log(math.tan(math.pi / 4 + math.radians(lat) / 2)) * 6378137.0
    return x, y


def tile_of(lon: float, lat: float, z: int) -> tuple[int, int]:
    """The XYZ tile (x, y) holding the point at zoom z."""
    x, y = mercator(lon, lat)
    size = 2 * HALF_WORLD / 2**z
    return int((x + HALF_WORLD) // size), int((HALF_WORLD - y) // size)


def tile_bounds(z: int, x: int, y: int) -> tuple[float, float, float, float]:
    """(xmin, ymin, xmax, ymax) of the tile in Web Mercator metres."""
    size = 2 * HALF_WORLD / 2**z
    return -HALF_WORLD + x * size, HALF_WORLD - (y + 1) * size, -HALF_WORLD + (x + 1) * size, HALF_WORLD - y * size


def tile_lonlat_bounds(z: int, x: int, y: int) -> tuple[float, float, float, float]:
    """(west, south, east, north) of the tile in degrees."""

    def lon(mx: float) -> float:
        return math.degrees(mx / 6378137.0)

    def lat(my: float) -> float:
        return math.degrees(2 * math.atan(math.exp(my / 6378137.0)) - math.pi / 2)

    xmin, ymin, xmax, ymax = tile_bounds(z, x, y)
    return lon(xmin), lat(ymin), lon(xmax), lat(ymax)


def position_in_tile(lon: float, lat: float, z: int, x: int, y: int) -> tuple[int, int]:
    """Where the point lands in the tile's 4096 × 4096 grid (y from the top, as MVT stores it)."""
    mx, my = mercator(lon, lat)
    xmin, ymin, xmax, ymax = tile_bounds(z, x, y)
    return round((mx - xmin) / (xmax - xmin) * EXTENT), round((ymax - my) / (ymax - ymin) * EXTENT)


def decode(content: bytes) -> dict:
    """The tile's layers as mapbox-vector-tile decodes them, coordinates as stored (y down)."""
    return mapbox_vector_tile.decode(content, default_options={"y_coord_down": True})


def tile_url(layer: str, lon: float, lat: float, z: int, query: str = "") -> str:
    x, y = tile_of(lon, lat, z)
    return f"/api/v1/tiles/{layer}/{z}/{x}/{y}.mvt" + (f"?{query}" if query else "")
