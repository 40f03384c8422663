"""A small gazetteer around Drohobych's centre for the tests of search, reverse geocoding, reports
and Open311: imported through the real import, like a city's register."""

from __future__ import annotations

from django.contrib.gis.geos import LineString, MultiLineString

from geo.address_import import address_import, address_rows_from_csv
from geo.models import Street

REGISTER = """street,house_number,lat,lon,postcode
вул. Стрийська,7,49.34810,23.50960,82100
вул. Стрийська,9,49.34800,23.51000,82100
вул. Стрийська,9А,49.34795,23.51020,82100
вул. Стрийська,90,49.34700,23.52000,82100
вул. Трускавецька,9,49.34600,23.50300,
вул. Знамʼянська,3,49.35000,23.50200,
пл. Ринок,1,49.34890,23.50560,
просп. Шевченка,9,49.35200,23.51200,
"""
# Stryiska 9 (above): a pin this close (about 10 m away) gets its address.
NEAR_STRYISKA_9 = (23.51010, 49.34806)
# Stryiska's line runs east; this point is ~350 m from any address but ~30 m from the line.
NEAR_STRYISKA_LINE = (23.51500, 49.34780)
STRYISKA_LINE = [(23.5090, 49.3482), (23.5250, 49.3465)]


def gazetteer_make() -> None:
    """Import the register above and draw Stryiska's line."""
    report = address_import(rows=address_rows_from_csv(REGISTER))
    assert not report.rejected, report.rejected
    Street.objects.filter(name_uk="Стрийська").update(
        geom=MultiLineString(LineString(STRYISKA_LINE, srid=4326), srid=4326)
    )
