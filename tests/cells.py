"""Helpers for the map's cells tests: the 64-pixel grid of a zoom (Leaflet's Web Mercator pixels),
computed here on their own, not by the code under test."""

from __future__ import annotations

import math


def _across(zoom: int) -> float:
    return 256 * 2**zoom / 64


def _x(lon: float, across: float) -> float:
    return (lon + 180) / 360 * across


def _y(lat: float, across: float) -> float:
    s = math.sin(math.radians(lat))
    return (0.5 - math.log((1 + s) / (1 - s)) / (4 * math.pi)) * across


def _lat(row: float, across: float) -> float:
    return math.degrees(2 * math.atan(math.exp(math.pi * (1 - 2 * row / across))) - math.pi / 2)


def snapped(bbox, zoom: int) -> tuple[float, float, float, float]:
    """The bbox widened to the cells of the zoom's grid that it touches."""
    across = _across(zoom)
    min_lon, min_lat, max_lon, max_lat = bbox
    return (
        math.floor(_x(min_lon, across)) / across * 360 - 180,
        _lat(math.floor(_y(min_lat, across)) + 1, across),
        (math.floor(_x(max_lon, across)) + 1) / across * 360 - 180,
        _lat(math.floor(_y(max_lat, across)), across),
    )


def cell_bounds(cell_id: str) -> tuple[float, float, float, float]:
    """A cell's bounds from its id `zoom/column/row`."""
    zoom, column, row = (int(part) for part in cell_id.split("/"))
    across = _across(zoom)
    return (column / across * 360 - 180, _lat(row + 1, across), (column + 1) / across * 360 - 180, _lat(row, across))


def base_cell(lon: float, lat: float, zoom: int) -> tuple[int, int]:
    """A point's cell (column, row) at a zoom."""
    across = _across(zoom)
    return math.floor(_x(lon, across)), math.floor(_y(lat, across))
