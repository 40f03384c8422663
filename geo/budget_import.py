"""Importing budget projects from the finance department's files: GeoJSON, or CSV with WKT or
longitude/latitude columns.

Rows are matched to projects by `code`, so importing the same file again changes nothing and an
updated file updates its projects. Every row is checked on its own and saved in its own savepoint:
a bad row is reported (row number, field, message) and skipped, the good rows are kept, and no
row is ever half-written. A dry run checks everything, database constraints included, inside a
transaction that is rolled back.

CSV columns (the header row names them; order does not matter; unknown columns are ignored):

    code*               stable identifier of the project, letters/digits/-/_ (e.g. 2026-roads-01)
    title_uk*           title in Ukrainian;   title_en: in English
    description_uk      description;          description_en
    sector*             roads, lighting, education, parks, playgrounds, water, housing, transport,
                        health, culture, sport, civil_protection, other
    status              planned (default), procurement, in_progress, done
    budget_year*        e.g. 2026
    planned_amount*     UAH; "1250000.50", "1 250 000,50" and "1,250,000.50" are all read alike
    spent_amount        UAH, default 0
    executor            the code of a registered executor (e.g. roads)
    contractor          the contractor's name, as text
    start_date, end_date   2026-04-01 or 01.04.2026
    prozorro_tender_id  e.g. UA-2026-03-15-001234-a
    wkt*                the geometry as WKT in WGS84 (POINT(23.5056 49.3489), LINESTRING(…), POLYGON(…))
    lon*, lat*          …or, for a point, its longitude and latitude instead of wkt

A GeoJSON file is a FeatureCollection whose features carry the same names as properties.
"""

from __future__ import annotations

import contextlib
import csv
import datetime
import io
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path

from django.contrib.gis.geos import GEOSException, GEOSGeometry, Point
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.core.validators import validate_slug
from django.db import DatabaseError, transaction
from django.utils.translation import gettext as _

from accounts.models import Executor
from geo.models import BUDGET_GEOMETRY_TYPES, WGS84, BudgetProject, BudgetSector, BudgetStatus, CommunityBoundary

REQUIRED_COLUMNS = ("code", "title_uk", "sector", "budget_year", "planned_amount")
TEXT_FIELDS = ("title_uk", "title_en", "description_uk", "description_en", "contractor", "prozorro_tender_id")
COMPARED_FIELDS = (
    *TEXT_FIELDS,
    "sector",
    "status",
    "budget_year",
    "planned_amount",
    "spent_amount",
    "executor_id",
    "start_date",
    "end_date",
)


class BudgetFileError(Exception):
    """The file as a whole cannot be read (wrong format, missing columns); nothing was imported."""


@dataclass(frozen=True)
class RejectedRow:
    row: int
    code: str
    field: str
    message: str


@dataclass
class BudgetImportReport:
    dry_run: bool = False
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    kept: int = 0  # existing projects left as they were (update_existing=False)
    rejected: list[RejectedRow] = field(default_factory=list)

    @property
    def rejected_rows(self) -> int:
        return len({item.row for item in self.rejected})

    @property
    def total(self) -> int:
        return self.created + self.updated + self.unchanged + self.kept + self.rejected_rows


# --- Reading files ----------------------------------------------------------------------------


def budget_rows_from_csv(text: str) -> list[tuple[int, dict]]:
    """(row number as a spreadsheet shows it, row) for each data row; the header is row 1.
    The delimiter (comma, semicolon — Excel's choice in Ukrainian locales — or tab) is detected."""
    sample = text[:8192]
    try:
        dialect = csv.Sniffer().sniff(sample.splitlines()[0] if sample else "", delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.DictReader(io.StringIO(text), dialect=dialect)
    columns = {name.strip() for name in (reader.fieldnames or []) if name}
    missing = [name for name in REQUIRED_COLUMNS if name not in columns]
    if "wkt" not in columns and not {"lon", "lat"} <= columns:
        missing.append("wkt (or lon and lat)")
    if missing:
        raise BudgetFileError(_("The file has no column: %(columns)s.") % {"columns": ", ".join(missing)})
    rows = []
    for number, row in enumerate(reader, start=2):
        cleaned = {(key or "").strip(): (value or "").strip() for key, value in row.items() if key is not None}
        if any(cleaned.values()):  # spreadsheets leave empty rows at the end
            rows.append((number, cleaned))
    return rows


def budget_rows_from_geojson(text: str) -> list[tuple[int, dict]]:
    """(feature number from 1, properties plus "geometry") for each feature of a FeatureCollection."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise BudgetFileError(_("The file is not valid JSON: %(error)s") % {"error": error}) from error
    if (
        not isinstance(data, dict)
        or data.get("type") != "FeatureCollection"
        or not isinstance(data.get("features"), list)
    ):
        raise BudgetFileError(_("The file is not a GeoJSON FeatureCollection."))
    rows = []
    for number, feature in enumerate(data["features"], start=1):
        feature = feature if isinstance(feature, dict) else {}
        properties = feature.get("properties") if isinstance(feature.get("properties"), dict) else {}
        rows.append((number, {**properties, "geometry": feature.get("geometry")}))
    return rows


def budget_rows_from_file(path: Path, *, encoding: str = "utf-8-sig") -> list[tuple[int, dict]]:
    """Rows of a .csv, .geojson or .json file (UTF-8, with or without Excel's byte order mark)."""
    try:
        text = path.read_text(encoding=encoding)
    except UnicodeDecodeError as error:
        raise BudgetFileError(
            _("The file is not in %(encoding)s; save it as UTF-8 or give --encoding.") % {"encoding": encoding}
        ) from error
    suffix = path.suffix.lower()
    if suffix == ".csv":
        return budget_rows_from_csv(text)
    if suffix in {".geojson", ".json"}:
        return budget_rows_from_geojson(text)
    raise BudgetFileError(_("Give a .csv, .geojson or .json file."))


# --- Checking one row -------------------------------------------------------------------------


class RowErrors(Exception):
    def __init__(self, errors: list[tuple[str, str]]) -> None:
        super().__init__(errors)
        self.errors = errors


def _text(row: dict, name: str) -> str:
    value = row.get(name)
    return "" if value is None else str(value).strip()


def _amount(value: str) -> Decimal:
    value = re.sub(r"[\s\u00a0\u202f]|грн\.?|uah", "", value, flags=re.IGNORECASE)
    if "," in value and "." in value:
        value = value.replace(",", "")
    elif value.count(",") == 1:
        value = value.replace(",", ".")
    amount = Decimal(value)
    if not amount.is_finite():
        raise InvalidOperation
    return amount


def _date(value: str) -> datetime.date:
    for pattern in ("%Y-%m-%d", "%d.%m.%Y"):
        try:
            return datetime.datetime.strptime(value, pattern).date()  # noqa: DTZ007 (a date, no time)
        except ValueError:
            continue
    raise ValueError(value)


def _geometry(row: dict, errors: list[tuple[str, str]]) -> GEOSGeometry | None:
    if "geometry" in row:
        name, raw = "geometry", row.get("geometry")
        if not isinstance(raw, dict):
            errors.append((name, _("The feature has no geometry.")))
            return None
        source = json.dumps(raw)
    elif _text(row, "wkt"):
        name, source = "wkt", _text(row, "wkt")
    elif _text(row, "lon") or _text(row, "lat"):
        name = "lon"
        try:
            return Point(
                float(_text(row, "lon").replace(",", ".")), float(_text(row, "lat").replace(",", ".")), srid=WGS84
            )
        except ValueError:
            errors.append(("lon", _("Give the longitude and latitude as numbers, e.g. 23.5056 and 49.3489.")))
            return None
    else:
        errors.append(("wkt", _("The row has no geometry: fill in wkt, or lon and lat.")))
        return None
    try:
        geometry = GEOSGeometry(source)
    except (GEOSException, ValueError, TypeError):
        errors.append((name, _("The geometry could not be read.")))
        return None
    if geometry.srid not in (None, WGS84):
        errors.append((name, _("Coordinates must be WGS84 longitude and latitude (EPSG:4326).")))
        return None
    geometry.srid = WGS84
    return geometry


def budget_row_clean(row: dict, *, executors: dict[str, Executor]) -> dict:
    """The model fields of one row, or RowErrors listing (field, message) for everything wrong."""
    errors: list[tuple[str, str]] = []
    values: dict = {name: _text(row, name) for name in TEXT_FIELDS}
    values["code"] = _text(row, "code")
    try:
        validate_slug(values["code"])
    except ValidationError:
        errors.append(("code", _("Give a code of letters, digits, hyphens and underscores, e.g. 2026-roads-01.")))

    values["sector"] = _text(row, "sector")
    if values["sector"] not in BudgetSector.values:
        errors.append(
            ("sector", _("Unknown sector; use one of: %(values)s.") % {"values": ", ".join(BudgetSector.values)})
        )
    values["status"] = _text(row, "status") or BudgetStatus.PLANNED
    if values["status"] not in BudgetStatus.values:
        errors.append(
            ("status", _("Unknown status; use one of: %(values)s.") % {"values": ", ".join(BudgetStatus.values)})
        )

    try:
        values["budget_year"] = int(_text(row, "budget_year"))
    except ValueError:
        errors.append(("budget_year", _("Give the year as a number, e.g. 2026.")))

    for name, default in (("planned_amount", None), ("spent_amount", Decimal(0))):
        raw = _text(row, name)
        if not raw and default is not None:
            values[name] = default
            continue
        try:
            values[name] = _amount(raw)
        except (InvalidOperation, ValueError):
            errors.append((name, _("Give the amount in hryvnias as a number, e.g. 1250000.50.")))
            continue
        if values[name] < 0:
            errors.append((name, _("The amount cannot be negative.")))

    for name in ("start_date", "end_date"):
        raw = _text(row, name)
        try:
            values[name] = _date(raw) if raw else None
        except ValueError:
            errors.append((name, _("Give the date as 2026-04-01 or 01.04.2026.")))

    executor_code = _text(row, "executor")
    values["executor"] = executors.get(executor_code) if executor_code else None
    if executor_code and values["executor"] is None:
        errors.append(("executor", _("No executor has the code “%(code)s”.") % {"code": executor_code[:40]}))

    geometry = _geometry(row, errors)
    if geometry is not None:
        name = "geometry" if "geometry" in row else ("wkt" if _text(row, "wkt") else "lon")
        if geometry.empty or geometry.geom_type.upper() not in BUDGET_GEOMETRY_TYPES:
            errors.append((name, _("The geometry must be a point, a line or an area.")))
        elif not geometry.valid:
            errors.append((name, _("The geometry is not valid: %(reason)s.") % {"reason": geometry.valid_reason}))
        elif not CommunityBoundary.objects.current().filter(geom__covers=geometry).exists():
            errors.append(
                (name, _("The geometry is outside the community's territory (are longitude and latitude swapped?)."))
            )
        else:
            values["geom"] = geometry
    if errors:
        raise RowErrors(errors)
    return values


# --- Importing --------------------------------------------------------------------------------


def _differs(project: BudgetProject, values: dict) -> bool:
    candidate = BudgetProject(**values)
    if any(getattr(project, name) != getattr(candidate, name) for name in COMPARED_FIELDS):
        return True
    return not project.geom.equals_exact(values["geom"], tolerance=1e-9)


def budget_import(
    *,
    rows: Iterable[tuple[int, dict]],
    dry_run: bool = False,
    update_existing: bool = True,
) -> BudgetImportReport:
    """Import budget project rows. Existing projects (same code) are updated, or kept as they are
    with `update_existing=False` (the demo loader). Returns what happened to every row."""
    report = BudgetImportReport(dry_run=dry_run)
    executors = {executor.code: executor for executor in Executor.objects.all()}
    seen: dict[str, int] = {}
    # A real import commits row by row (each in its own transaction); a dry run does the same work
    # inside one outer transaction that is rolled back, so database constraints are checked too.
    with transaction.atomic() if dry_run else contextlib.nullcontext():
        for number, row in rows:
            code = _text(row, "code")
            try:
                if code and code in seen:
                    raise RowErrors(
                        [("code", _("The code is repeated; row %(row)d has it too.") % {"row": seen[code]})]
                    )
                if code:
                    seen[code] = number
                values = budget_row_clean(row, executors=executors)
                outcome = _save_row(values, update_existing=update_existing)
            except RowErrors as error:
                report.rejected += [RejectedRow(number, code, name, str(message)) for name, message in error.errors]
                continue
            setattr(report, outcome, getattr(report, outcome) + 1)
        if dry_run:
            transaction.set_rollback(True)
    return report


def _save_row(values: dict, *, update_existing: bool) -> str:
    """Save one checked row atomically; returns created/updated/unchanged/kept."""
    project = BudgetProject.objects.filter(code=values["code"]).first()
    if project is not None and not update_existing:
        return "kept"
    if project is not None and not _differs(project, values):
        return "unchanged"
    outcome = "created" if project is None else "updated"
    project = project or BudgetProject()
    for name, value in values.items():
        setattr(project, name, value)
    try:
        project.full_clean()
    except ValidationError as error:
        raise RowErrors(
            [
                ("" if name == NON_FIELD_ERRORS else name, message)
                for name, messages in error.message_dict.items()
                for message in messages
            ]
        ) from error
    try:
        with transaction.atomic():
            project.save()
    except DatabaseError as error:  # a constraint the checks above missed: report it, keep going
        raise RowErrors([("", _("The database refused the row: %(error)s") % {"error": error})]) from error
    return outcome
