"""Importing the gazetteer from the address register (CSV) and from OpenStreetMap (.osm.pbf):
good rows kept, bad rows reported with their line and reason, dry runs write nothing, re-imports
change nothing."""

from io import StringIO

import osmium
import pytest
from django.core.management import CommandError, call_command
from django.utils import translation
from osmium.osm.mutable import Node, Way

from geo.address_import import AddressFileError, address_import, address_rows_from_csv, address_rows_from_osm
from geo.models import AddressPoint, Street
from tests.factories import CommunityBoundaryFactory, DistrictFactory, box

pytestmark = pytest.mark.django_db

CSV = """street,house_number,lat,lon,district,postcode
вул. Стрийська,9,49.3480,23.5100,,82100
вул. Стрийська,9А,49.3481,23.5102,,
вулиця Стрийська,11,"49,3479","23,5110",,
пл. Ринок,1,49.3489,23.5056,centre,
вул. Знамʼянська,3,49.3495,23.5040,,
вул. Стрийська,,49.3480,23.5100,,
вул. Стрийська,13,сорок,23.5100,,
вул. Стрийська,15,23.5100,49.3480,,
,17,49.3480,23.5100,,
вул. Стрийська,19,49.3480,23.5100,Марс,
вул. Стрийська,21,49.3480,23.5100,,8210
вул. Стрийська,9,49.3482,23.5101,,
вул. Стрийська,корпус,49.3482,23.5101,,
"""


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def territory():
    CommunityBoundaryFactory()
    DistrictFactory(code="centre", name_uk="Центральний", name_en="Centre", geom=box(23.49, 49.34, 23.52, 49.36))
    DistrictFactory(code="east", name_uk="Східний", name_en="East", geom=box(23.52, 49.34, 23.60, 49.36))


def test_csv_rows_are_imported_and_bad_rows_reported_by_line():
    report = address_import(rows=address_rows_from_csv(CSV))

    assert (report.created, report.updated, report.unchanged) == (5, 0, 0)
    assert report.streets_created == 3
    assert [(item.row, item.field) for item in report.rejected] == [
        ("7", "house_number"),
        ("8", "lat"),
        ("9", "lat"),
        ("10", "street"),
        ("11", "district"),
        ("12", "postcode"),
        ("13", "house_number"),
        ("14", "house_number"),
    ]
    messages = {item.row: item.message for item in report.rejected}
    assert messages["7"] == "The house number is missing."
    assert messages["9"] == "The point is outside the community's territory (are longitude and latitude swapped?)."
    assert messages["11"] == "No district is called “Марс”."
    assert messages["13"] == "The address is repeated; row 2 has it too."
    assert messages["14"] == "“корпус” is not a house number (e.g. 9, 9А, 12/3)."

    stryiska = Street.objects.get(name_uk="Стрийська")
    assert (stryiska.kind, stryiska.name_en, stryiska.search_uk, stryiska.search_en) == (
        "street",
        "Stryiska",
        "стрийська",
        "stryiska",
    )
    assert stryiska.district.code == "centre"  # the district containing the point
    assert sorted(stryiska.addresses.values_list("house_number", "house_key", "postcode")) == [
        ("11", "11", ""),
        ("9", "9", "82100"),
        ("9А", "9а", ""),
    ]
    eleven = AddressPoint.objects.get(street=stryiska, house_key="11")
    assert (round(eleven.point.x, 4), round(eleven.point.y, 4)) == (23.511, 49.3479)  # decimal commas read
    rynok = Street.objects.get(name_uk="Ринок")
    assert (rynok.kind, rynok.district.code) == ("square", "centre")
    znamianska = Street.objects.get(name_uk="Знамʼянська")
    assert (znamianska.name_en, znamianska.search_uk) == ("Znamianska", "знамянська")


def test_reimporting_changes_nothing_and_a_moved_point_is_updated():
    address_import(rows=address_rows_from_csv(CSV))
    again = address_import(rows=address_rows_from_csv(CSV))
    assert (again.created, again.updated, again.unchanged, again.streets_created) == (0, 0, 5, 0)

    moved = "street,house_number,lat,lon\nвул. Стрийська,9,49.3490,23.5105\n"
    report = address_import(rows=address_rows_from_csv(moved))
    assert (report.created, report.updated) == (0, 1)
    point = AddressPoint.objects.get(street__name_uk="Стрийська", house_key="9").point
    assert (round(point.x, 4), round(point.y, 4)) == (23.5105, 49.349)
    assert AddressPoint.objects.count() == 5


def test_dry_run_writes_nothing_but_reports_the_same():
    report = address_import(rows=address_rows_from_csv(CSV), dry_run=True)
    assert (report.created, report.rejected_rows) == (5, 8)
    assert not Street.objects.exists()
    assert not AddressPoint.objects.exists()


def test_a_file_without_the_required_columns_is_refused_whole():
    with pytest.raises(AddressFileError, match="no column: lat, lon"):
        address_rows_from_csv("street,house_number\nСтрийська,9\n")


def test_command_prints_a_summary_and_the_rejected_rows_and_fails(tmp_path):
    path = tmp_path / "register.csv"
    path.write_text(CSV, encoding="utf-8")
    report_path = tmp_path / "rejected.csv"
    out = StringIO()
    with pytest.raises(CommandError, match="8 row\\(s\\) rejected; the others were imported"):
        call_command("opencity_import_addresses", str(path), "--report", str(report_path), "--no-progress", stdout=out)
    text = out.getvalue()
    assert (
        "13 rows: 5 addresses created, 0 updated, 0 unchanged; 3 streets created, 0 street lines set; 8 rejected."
        in text
    )
    assert "  row 7 (вул. Стрийська), house_number: The house number is missing." in text
    lines = report_path.read_text(encoding="utf-8").splitlines()
    assert lines[0] == "row,street,field,message"
    assert len(lines) == 9
    assert AddressPoint.objects.count() == 5


def test_command_dry_run_writes_nothing(tmp_path):
    path = tmp_path / "register.csv"
    path.write_text("street,house_number,lat,lon\nвул. Стрийська,9,49.3480,23.5100\n", encoding="utf-8")
    out = StringIO()
    call_command("opencity_import_addresses", str(path), "--dry-run", "--no-progress", stdout=out)
    assert out.getvalue().startswith("Dry run, nothing written: 1 rows: 1 addresses created")
    assert not AddressPoint.objects.exists()


def _osm_extract(path) -> None:
    """A tiny extract: two address nodes, a building way with an address, a named street made of
    two ways, an unnamed road, an address without a street and one far outside the community."""
    writer = osmium.SimpleWriter(str(path))
    try:
        tags = {"addr:street": "вулиця Стрийська", "addr:housenumber": "9", "addr:postcode": "82100"}
        writer.add_node(Node(id=1, location=(23.5100, 49.3480), tags=tags))
        writer.add_node(
            Node(id=2, location=(23.5104, 49.3479), tags={"addr:street": "вулиця Стрийська", "addr:housenumber": "11"})
        )
        writer.add_node(Node(id=3, location=(23.5080, 49.3485)))
        writer.add_node(Node(id=4, location=(23.5150, 49.3470)))
        writer.add_node(Node(id=5, location=(23.5250, 49.3450)))
        for node_id, (lon, lat) in enumerate(
            [(23.5110, 49.3482), (23.5112, 49.3482), (23.5112, 49.3484), (23.5110, 49.3484)], start=10
        ):
            writer.add_node(Node(id=node_id, location=(lon, lat)))
        writer.add_node(Node(id=20, location=(23.5060, 49.3490), tags={"addr:housenumber": "5"}))
        writer.add_node(
            Node(id=21, location=(30.5, 50.45), tags={"addr:street": "вулиця Хрещатик", "addr:housenumber": "1"})
        )
        writer.add_way(
            Way(
                id=100,
                nodes=[3, 4],
                tags={"highway": "secondary", "name": "вулиця Стрийська", "name:en": "Stryiska Street"},
            )
        )
        writer.add_way(Way(id=101, nodes=[4, 5], tags={"highway": "secondary", "name": "вулиця Стрийська"}))
        writer.add_way(Way(id=102, nodes=[3, 5], tags={"highway": "service"}))
        building = {"building": "yes", "addr:street": "вулиця Стрийська", "addr:housenumber": "13А"}
        writer.add_way(Way(id=200, nodes=[10, 11, 12, 13, 10], tags=building))
    finally:
        writer.close()


def test_osm_extract_addresses_and_street_lines(tmp_path):
    path = tmp_path / "drohobych.osm.pbf"
    _osm_extract(path)
    rows = list(address_rows_from_osm(path))
    assert [where for where, _ in rows] == ["node/1", "node/2", "node/20", "node/21", "way/100", "way/101", "way/200"]

    report = address_import(rows=rows)

    assert (report.created, report.streets_created, report.street_lines) == (3, 1, 1)
    assert [(item.row, item.field) for item in report.rejected] == [("node/20", "street"), ("node/21", "lat")]
    street = Street.objects.get()
    assert (street.name_uk, street.kind, street.district.code) == ("Стрийська", "street", "centre")
    assert street.name_en == "Stryiska"  # the first name met names the street; name:en of a later way is not used
    assert street.geom.num_geom == 2
    assert sorted(street.addresses.values_list("house_number", "postcode")) == [("11", ""), ("13А", ""), ("9", "82100")]
    building = AddressPoint.objects.get(house_key="13а").point
    assert 23.5110 < building.x < 23.5112 and 49.3482 < building.y < 49.3484  # inside the outline


def test_command_imports_an_osm_extract(tmp_path):
    path = tmp_path / "drohobych.osm.pbf"
    _osm_extract(path)
    out = StringIO()
    with pytest.raises(CommandError, match="2 object\\(s\\) rejected"):
        call_command("opencity_import_addresses", str(path), "--no-progress", stdout=out)
    assert "7 objects: 3 addresses created" in out.getvalue()
    assert "  object node/21 (вулиця Хрещатик), lat: The point is outside the community's territory" in out.getvalue()


def test_a_file_that_is_not_osm_is_refused(tmp_path):
    path = tmp_path / "broken.osm.pbf"
    path.write_bytes(b"not a protobuf file at all")
    with pytest.raises(CommandError, match="could not be read"):
        call_command("opencity_import_addresses", str(path), "--no-progress", stdout=StringIO())


def test_one_street_across_a_district_border_and_two_of_one_name_far_apart():
    register = """street,house_number,lat,lon
вул. Стрийська,9,49.3480,23.5100
вул. Стрийська,101,49.3470,23.5250
вул. Шевченка,1,49.3500,23.5000
вул. Шевченка,1,49.3500,23.5900
"""
    report = address_import(rows=address_rows_from_csv(register))
    assert (report.created, report.rejected) == (4, [])
    stryiska = Street.objects.get(name_uk="Стрийська")  # 1.1 km apart, across the border: one street
    assert (stryiska.district.code, stryiska.addresses.count()) == ("centre", 2)
    assert sorted(Street.objects.filter(name_uk="Шевченка").values_list("district__code", flat=True)) == [
        "centre",
        "east",
    ]
