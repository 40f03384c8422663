"""Importing the gazetteer: streets and address points from an OpenStreetMap extract or from the
city's address register.

Sources:

- **OpenStreetMap** (`.osm.pbf` or `.osm`, read with pyosmium): every node or building way tagged
  `addr:street` + `addr:housenumber` is an address (a way's point is the centre of its outline;
  `addr:postcode` is kept), and every `highway` way with a `name` is part of that street's line.
  OSM in Ukraine writes the kind as a word ("вулиця Стрийська"); `name:en` is used when present,
  else the national transliteration.
- **The address register as CSV** (a header row names the columns; order does not matter):

      street*        the street with its kind: "вул. Стрийська", "вулиця Стрийська", "Стрийська вулиця"
                     (no kind word: a street)
      house_number*  as written: 9, 9А, 12/3
      lat*, lon*     WGS84 latitude and longitude (a decimal comma is read too)
      district       the district's code or name (else the district containing the point)
      postcode       five digits
      street_en      the street's English name (else transliterated)

Every row is checked on its own and saved in its own savepoint, as the budget import does: a bad
row is reported (row number, field, message) and skipped, the good rows are kept, and no row is ever
half-written. Importing the same file again changes nothing; a moved point is updated. A dry run
does all the work, database constraints included, inside a transaction that is rolled back.
"""

from __future__ import annotations

import contextlib
import csv
import io
import math
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from django.contrib.gis.geos import LineString, MultiLineString, MultiPoint, Point, Polygon
from django.db import DatabaseError, transaction
from django.utils.translation import gettext as _

from geo.budget_import import RowErrors
from geo.gazetteer import normalize_house_number, street_kind_from_words
from geo.models import WGS84, AddressPoint, CommunityBoundary, District, Street, StreetKind
from geo.services import street_create

REQUIRED_COLUMNS = ("street", "house_number", "lat", "lon")


class AddressFileError(Exception):
    """The file as a whole cannot be read (wrong format, missing columns); nothing was imported."""


@dataclass(frozen=True)
class RejectedAddressRow:
    row: str  # "12" (a CSV line) or "node/123", "way/45" (an OSM object)
    street: str
    field: str
    message: str


@dataclass
class AddressImportReport:
    dry_run: bool = False
    streets_created: int = 0
    street_lines: int = 0  # streets whose line was set from the file
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: list[RejectedAddressRow] = field(default_factory=list)

    @property
    def rejected_rows(self) -> int:
        return len({item.row for item in self.rejected})


# --- Reading files ----------------------------------------------------------------------------


def address_rows_from_csv(text: str) -> list[tuple[str, dict]]:
    """(line number as a spreadsheet shows it, row) for each data row; the header is line 1. The
    delimiter (comma, semicolon, tab) is detected; a column may be named `house` for `house_number`."""
    first_line = text[:8192].splitlines()[0] if text.strip() else ""
    try:
        dialect = csv.Sniffer().sniff(first_line, delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.DictReader(io.StringIO(text), dialect=dialect)
    columns = {(name or "").strip().lower() for name in (reader.fieldnames or [])}
    if "house" in columns:
        columns.add("house_number")
    missing = [name for name in REQUIRED_COLUMNS if name not in columns]
    if missing:
        raise AddressFileError(_("The file has no column: %(columns)s.") % {"columns": ", ".join(missing)})
    rows = []
    for number, row in enumerate(reader, start=2):
        cleaned = {(key or "").strip().lower(): (value or "").strip() for key, value in row.items() if key is not None}
        if None in row:  # more cells than the header names
            cleaned["_extra"] = "1"
        if "house" in cleaned and not cleaned.get("house_number"):
            cleaned["house_number"] = cleaned.pop("house")
        if any(value for key, value in cleaned.items() if key != "_extra"):
            rows.append((str(number), cleaned))
    return rows


def address_rows_from_osm(path: Path) -> Iterator[tuple[str, dict]]:
    """Addresses (nodes and ways with addr:street and addr:housenumber) and named street lines
    (highway ways) of an OSM extract, in the file's order (nodes, then ways)."""
    import osmium  # noqa: PLC0415 (a compiled library: loaded only when an OSM file is imported)

    try:
        processor = (
            osmium.FileProcessor(str(path))
            .with_locations()
            .with_filter(osmium.filter.KeyFilter("addr:housenumber", "highway"))
        )
        for obj in processor:
            tags = {tag.k: tag.v for tag in obj.tags}
            if obj.is_node():
                where = f"node/{obj.id}"
                location = obj.location
                point = (location.lon, location.lat) if location.valid() else None
            elif obj.is_way():
                where = f"way/{obj.id}"
                coordinates = [(node.lon, node.lat) for node in obj.nodes if node.location.valid()]
                if "highway" in tags and "addr:housenumber" not in tags:
                    if tags.get("name"):
                        yield (
                            where,
                            {
                                "kind": "line",
                                "street": tags["name"],
                                "street_en": tags.get("name:en", ""),
                                "line": coordinates,
                            },
                        )
                    continue
                point = _centre(coordinates) if coordinates else None
            else:
                continue
            if "addr:housenumber" not in tags:
                continue
            yield (
                where,
                {
                    "street": tags.get("addr:street", ""),
                    "street_en": "",
                    "house_number": tags["addr:housenumber"],
                    "lon": point[0] if point else None,
                    "lat": point[1] if point else None,
                    "postcode": tags.get("addr:postcode", ""),
                },
            )
    except RuntimeError as error:  # libosmium's "not a valid file" and the like
        raise AddressFileError(_("The OpenStreetMap file could not be read: %(error)s") % {"error": error}) from error


def _centre(coordinates: list[tuple[float, float]]) -> tuple[float, float]:
    """A point inside a building's outline (or on its line when the outline is not closed)."""
    if len(coordinates) >= 4 and coordinates[0] == coordinates[-1]:
        polygon = Polygon(coordinates)
        if polygon.valid:
            surface = polygon.point_on_surface
            return surface.x, surface.y
    points = MultiPoint([Point(x, y) for x, y in coordinates])
    return points.centroid.x, points.centroid.y


def address_rows_from_file(path: Path, *, encoding: str = "utf-8-sig") -> Iterable[tuple[str, dict]]:
    """Rows of a .csv (the register) or an .osm.pbf / .osm (OpenStreetMap) file."""
    name = path.name.lower()
    if name.endswith((".pbf", ".osm", ".osm.bz2", ".osm.gz")):
        return list(address_rows_from_osm(path))
    if name.endswith(".csv"):
        try:
            text = path.read_text(encoding=encoding)
        except UnicodeDecodeError as error:
            raise AddressFileError(
                _("The file is not in %(encoding)s; save it as UTF-8 or give --encoding.") % {"encoding": encoding}
            ) from error
        return address_rows_from_csv(text)
    raise AddressFileError(_("Give a .csv, .osm.pbf or .osm file."))


# --- Checking and saving one row --------------------------------------------------------------


def _coordinate(raw, name: str, low: float, high: float, errors: list) -> float | None:
    try:
        number = float(str(raw).replace(",", ".")) if raw not in (None, "") else None
    except ValueError:
        number = None
    if number is None or not math.isfinite(number):
        errors.append((name, _("Give the %(name)s as a number, e.g. 49.3489.") % {"name": name}))
        return None
    if not low <= number <= high:
        errors.append(
            (name, _("The %(name)s must be within %(low)s…%(high)s.") % {"name": name, "low": low, "high": high})
        )
        return None
    return number


# Addresses of one street name this close together belong to one street.
STREET_SAME_WITHIN_M = 1500


class _Streets:
    """The streets met so far in this import, by (name, kind, district), created when missing."""

    def __init__(self, report: AddressImportReport) -> None:
        self.report = report
        self.cache: dict[tuple[str, str, int | None], Street] = {}

    def get(self, *, name: str, name_en: str, kind: str, district: District | None) -> Street:
        key = (name, kind, district.pk if district else None)
        if key not in self.cache:
            street = Street.objects.filter(name_uk=name, kind=kind, district=district).first()
            if street is None:
                street = street_create(name_uk=name, name_en=name_en, kind=kind, district=district)
                self.report.streets_created += 1
            self.cache[key] = street
        return self.cache[key]

    def near(self, *, name: str, kind: str, point: Point) -> Street | None:
        """A street of this name and kind with an address or its line within STREET_SAME_WITHIN_M."""
        street_id = (
            AddressPoint.objects.filter(street__name_uk=name, street__kind=kind)
            .near(point, STREET_SAME_WITHIN_M)
            .values_list("street_id", flat=True)
            .first()
        )
        if street_id is None:
            street_id = (
                Street.objects.filter(name_uk=name, kind=kind)
                .near(point, STREET_SAME_WITHIN_M)
                .values_list("pk", flat=True)
                .first()
            )
        if street_id is None:
            return None
        street = next((known for known in self.cache.values() if known.pk == street_id), None)
        return street or Street.objects.select_related("district").get(pk=street_id)


def _street_name(raw: str, errors: list) -> tuple[str, str]:
    kind, name = street_kind_from_words(" ".join(raw.split()))
    name = name.strip(" ,.")
    if not name:
        errors.append(("street", _("The street is missing.")))
    elif len(name) > 200:
        errors.append(("street", _("The street's name is too long (at most 200 characters).")))
    return kind or StreetKind.STREET, name


class _Districts:
    def __init__(self) -> None:
        self.all = list(District.objects.all())
        self.boundary = list(CommunityBoundary.objects.current())

    def named(self, text: str) -> District | None:
        wanted = text.strip().lower()
        return next(
            (d for d in self.all if wanted in {d.code.lower(), d.name_uk.lower(), (d.name_en or "").lower()}), None
        )

    def covering(self, geometry) -> District | None:
        return next((d for d in self.all if d.geom.covers(geometry)), None)

    def inside(self, geometry) -> bool:
        return any(b.geom.intersects(geometry) for b in self.boundary)


def _address_row(row: dict, *, where: str, streets: _Streets, districts: _Districts, seen: dict) -> str:
    errors: list[tuple[str, str]] = []
    if row.get("_extra"):
        errors.append(("row", _("The row has more cells than the header names (a comma in a value?).")))
    kind, name = _street_name(row.get("street") or "", errors)
    raw_house = (row.get("house_number") or "").strip()
    house_key = normalize_house_number(raw_house)
    if not raw_house:
        errors.append(("house_number", _("The house number is missing.")))
    elif not house_key or len(raw_house) > 20:
        errors.append(
            ("house_number", _("“%(value)s” is not a house number (e.g. 9, 9А, 12/3).") % {"value": raw_house[:30]})
        )
    lat = _coordinate(row.get("lat"), "lat", -90, 90, errors)
    lon = _coordinate(row.get("lon"), "lon", -180, 180, errors)
    postcode = (row.get("postcode") or "").strip()
    if postcode and not (len(postcode) == 5 and postcode.isdigit()):
        errors.append(("postcode", _("A postcode is five digits, e.g. 82100.")))
    point = Point(lon, lat, srid=WGS84) if lat is not None and lon is not None else None
    if point is not None and not districts.inside(point):
        errors.append(
            ("lat", _("The point is outside the community's territory (are longitude and latitude swapped?)."))
        )
        point = None
    district = None
    if row.get("district"):
        district = districts.named(row["district"])
        if district is None:
            errors.append(("district", _("No district is called “%(name)s”.") % {"name": row["district"][:60]}))
    if errors:
        raise RowErrors(errors)
    street = None
    if not row.get("district"):
        # A street crosses district borders: the addresses of one name near each other are one
        # street (the district of its first address); the same name far away is another street.
        street = streets.near(name=name, kind=kind, point=point)
        district = street.district if street is not None else districts.covering(point)
    # The same address twice in one file (after the street's kind and district are known: вул.
    # Шевченка in two settlements is two streets).
    key = (name, kind, district.pk if district else None, house_key)
    if key in seen:
        raise RowErrors([("house_number", _("The address is repeated; row %(row)s has it too.") % {"row": seen[key]})])
    seen[key] = where
    street = street or streets.get(name=name, name_en=row.get("street_en") or "", kind=kind, district=district)
    existing = AddressPoint.objects.filter(street=street, house_key=house_key).first()
    if existing is not None:
        if (
            existing.point.equals_exact(point, tolerance=1e-7)
            and existing.postcode == postcode
            and existing.house_number == raw_house
        ):
            return "unchanged"
        existing.point, existing.postcode, existing.house_number = point, postcode, raw_house
        existing.save(update_fields=["point", "postcode", "house_number"])
        return "updated"
    AddressPoint.objects.create(
        street=street, house_number=raw_house, house_key=house_key, point=point, postcode=postcode
    )
    return "created"


def _line_row(row: dict, *, streets: _Streets, districts: _Districts, lines: dict[int, list[LineString]]) -> None:
    errors: list[tuple[str, str]] = []
    kind, name = _street_name(row.get("street") or "", errors)
    coordinates = row.get("line") or []
    if len(coordinates) < 2:
        errors.append(("line", _("The street's line has fewer than two points.")))
    if errors:
        raise RowErrors(errors)
    line = LineString(coordinates, srid=WGS84)
    if not districts.inside(line):
        raise RowErrors([("line", _("The street's line is outside the community's territory."))])
    middle = line.interpolate_normalized(0.5)
    street = streets.near(name=name, kind=kind, point=middle) or streets.get(
        name=name, name_en=row.get("street_en") or "", kind=kind, district=districts.covering(middle)
    )
    lines.setdefault(street.pk, []).append(line)


def address_import(*, rows: Iterable[tuple[str, dict]], dry_run: bool = False) -> AddressImportReport:
    """Import gazetteer rows (addresses, and street lines from OSM). Returns what happened to every row."""
    report = AddressImportReport(dry_run=dry_run)
    streets = _Streets(report)
    districts = _Districts()
    lines: dict[int, list[LineString]] = {}
    seen: dict[tuple, str] = {}
    with transaction.atomic() if dry_run else contextlib.nullcontext():
        for where, row in rows:
            street_text = (row.get("street") or "")[:200]
            try:
                with transaction.atomic():
                    if row.get("kind") == "line":
                        _line_row(row, streets=streets, districts=districts, lines=lines)
                        continue
                    outcome = _address_row(row, where=where, streets=streets, districts=districts, seen=seen)
            except RowErrors as error:
                report.rejected += [
                    RejectedAddressRow(where, street_text, name, str(message)) for name, message in error.errors
                ]
                continue
            except DatabaseError as error:
                streets.cache.clear()  # a street created in the rolled-back savepoint is gone
                report.rejected.append(
                    RejectedAddressRow(
                        where, street_text, "row", _("The database refused the row: %(error)s") % {"error": error}
                    )
                )
                continue
            setattr(report, outcome, getattr(report, outcome) + 1)
        for street_id, parts in lines.items():
            Street.objects.filter(pk=street_id).update(geom=MultiLineString(parts, srid=WGS84))
            report.street_lines += 1
        if dry_run:
            transaction.set_rollback(True)
    return report
