"""manage.py opencity_import_addresses FILE [--dry-run] [--report rejected.csv]

Imports the gazetteer (streets and address points) from an OpenStreetMap extract (.osm.pbf, .osm)
or from the city's address register as CSV (columns: see geo/address_import.py and the README).
Exits with status 1 when rows were rejected, after importing the good ones."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import CommandError

from geo.address_import import AddressFileError, address_import, address_rows_from_file
from geo.management.row_import import RowImportCommand


class Command(RowImportCommand):
    help = (
        "Import streets and address points from an OpenStreetMap extract (.osm.pbf or .osm) or from the "
        "address register as CSV (street, house_number, lat, lon[, district, postcode, street_en]). "
        "Re-importing a file changes nothing; moved points are updated. Bad rows are reported and "
        "skipped; good rows are kept."
    )

    file_help = "a .csv, .osm.pbf or .osm file"
    key = "street"

    def read_rows(self, path: Path, *, encoding: str) -> list:
        try:
            return address_rows_from_file(path, encoding=encoding)
        except AddressFileError as error:
            raise CommandError(str(error)) from error

    def import_rows(self, rows, *, dry_run: bool):
        return address_import(rows=rows, dry_run=dry_run)

    def unit(self, path: Path) -> str:
        return "row" if path.suffix.lower() == ".csv" else "object"

    def summary(self, report, *, rows: list, unit: str) -> str:
        return (
            f"{len(rows)} {unit}s: {report.created} addresses created, {report.updated} updated, "
            f"{report.unchanged} unchanged; {report.streets_created} streets created, "
            f"{report.street_lines} street lines set; {report.rejected_rows} rejected."
        )
