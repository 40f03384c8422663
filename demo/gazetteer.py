"""The Drohobych demo gazetteer: the streets the demo's reports, outages and executors name, from
`fixtures/drohobych/streets.geojson`, with house numbers laid along each line (odd on the left, even
on the right, as Ukrainian streets number them).

Loaded once, in bulk (a few queries for some 3,400 addresses: the demo loads in every browser
test), and only into an empty gazetteer: a city's own imported register is never mixed with it.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path

from django.conf import settings
from django.contrib.gis.geos import LineString, MultiLineString, Point

from geo.gazetteer import normalize_house_number, street_kind_from_words
from geo.models import AddressPoint, District, Street, StreetKind
from geo.services import street_create

FIXTURES_DIR = Path(settings.BASE_DIR) / "fixtures" / "drohobych"
# A metric projection for laying the houses out (UTM zone 34N covers Drohobych): metres, not degrees.
METRIC_SRID = 32634
HOUSE_SETBACK_M = 14.0


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


def demo_gazetteer_load(count: Callable[[str, bool], None]) -> None:
    """Load the demo streets and their addresses, when the gazetteer is empty."""
    if Street.objects.exists():
        count("streets", False)
        return
    districts = list(District.objects.all())
    collection = json.loads((FIXTURES_DIR / "streets.geojson").read_text(encoding="utf-8"))
    addresses = []
    for feature in collection["features"]:
        kind, name = street_kind_from_words(feature["properties"]["street"])
        line = LineString(feature["geometry"]["coordinates"], srid=4326)
        middle = line.interpolate_normalized(0.5)
        street = street_create(
            name_uk=name,
            kind=kind or StreetKind.STREET,
            district=next((d for d in districts if d.geom.covers(middle)), None),
            geom=MultiLineString(line, srid=4326),
        )
        count("streets", True)
        addresses += [
            AddressPoint(street=street, house_number=number, house_key=normalize_house_number(number), point=point)
            for number, point in _houses(line, feature["properties"]["house_numbers"])
        ]
    AddressPoint.objects.bulk_create(addresses, batch_size=1000)
    for _ in addresses:
        count("addresses", True)
