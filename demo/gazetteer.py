"""The Drohobych demo gazetteer: the streets the demo's reports, outages and executors name, from
`fixtures/drohobych/streets.geojson`, with house numbers laid along each line (odd on the left, even
on the right, as Ukrainian streets number them), loaded through the real import
(geo.address_import), so the demo exercises the same checks as a city's own register.

Idempotent like the rest of the demo: an existing street or address is left as it is.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path

from django.conf import settings
from django.contrib.gis.geos import LineString, Point

from geo.address_import import address_import

FIXTURES_DIR = Path(settings.BASE_DIR) / "fixtures" / "drohobych"
# A metric projection for laying the houses out (UTM zone 34N covers Drohobych): metres, not degrees.
METRIC_SRID = 32634
HOUSE_SETBACK_M = 14.0


class DemoGazetteerError(Exception):
    """The demo fixture itself is wrong (a bug in the file, not in anyone's input)."""


def _houses(line: LineString, count: int) -> Iterator[tuple[str, Point]]:
    """House numbers 1..count along the line: pairs (1, 2), (3, 4)… at equal steps, odd ones set
    back to the left of the direction of travel and even ones to the right."""
    metric = line.transform(METRIC_SRID, clone=True)
    pairs = (count + 1) // 2
    step = metric.length / (pairs + 1)
    for pair in range(pairs):
        at = step * (pair + 1)
        here, ahead = metric.interpolate(at), metric.interpolate(min(at + 1.0, metric.length))
        dx, dy = ahead.x - here.x, ahead.y - here.y
        norm = (dx * dx + dy * dy) ** 0.5 or 1.0
        left = (-dy / norm * HOUSE_SETBACK_M, dx / norm * HOUSE_SETBACK_M)
        for number, side in ((2 * pair + 1, 1), (2 * pair + 2, -1)):
            if number > count:
                break
            point = Point(here.x + side * left[0], here.y + side * left[1], srid=METRIC_SRID)
            yield str(number), point.transform(4326, clone=True)


def demo_gazetteer_rows() -> list[tuple[str, dict]]:
    """The fixture as import rows: each street's line, then its addresses."""
    collection = json.loads((FIXTURES_DIR / "streets.geojson").read_text(encoding="utf-8"))
    rows: list[tuple[str, dict]] = []
    for index, feature in enumerate(collection["features"], start=1):
        street = feature["properties"]["street"]
        coordinates = feature["geometry"]["coordinates"]
        rows.append((f"street {index}", {"kind": "line", "street": street, "line": coordinates}))
        line = LineString(coordinates, srid=4326)
        for number, point in _houses(line, feature["properties"]["house_numbers"]):
            rows.append(
                (
                    f"street {index} № {number}",
                    {"street": street, "house_number": number, "lon": point.x, "lat": point.y},
                )
            )
    return rows


def demo_gazetteer_load(count: Callable[[str, bool], None]) -> None:
    """Load the demo streets and addresses (only those missing)."""
    report = address_import(rows=demo_gazetteer_rows())
    if report.rejected:
        raise DemoGazetteerError(f"fixtures/drohobych/streets.geojson has bad rows: {report.rejected[:5]}")
    for _ in range(report.streets_created):
        count("streets", True)
    for _ in range(report.created):
        count("addresses", True)
    for _ in range(report.unchanged):
        count("addresses", False)
