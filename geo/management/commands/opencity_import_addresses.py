"""manage.py opencity_import_addresses FILE [--dry-run] [--report rejected.csv]

Imports the gazetteer (streets and address points) from an OpenStreetMap extract (.osm.pbf, .osm)
or from the city's address register as CSV (columns: see geo/address_import.py and the README).
Exits with status 1 when rows were rejected, after importing the good ones."""

from __future__ import annotations

import csv
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from geo.address_import import AddressFileError, address_import, address_rows_from_file


class Command(BaseCommand):
    help = (
        "Import streets and address points from an OpenStreetMap extract (.osm.pbf or .osm) or from the "
        "address register as CSV (street, house_number, lat, lon[, district, postcode, street_en]). "
        "Re-importing a file changes nothing; moved points are updated. Bad rows are reported and "
        "skipped; good rows are kept."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("file", type=Path, help="a .csv, .osm.pbf or .osm file")
        parser.add_argument("--dry-run", action="store_true", help="check every row and write nothing")
        parser.add_argument("--encoding", default="utf-8-sig", help="a CSV file's text encoding (default UTF-8)")
        parser.add_argument("--report", type=Path, help="also write the rejected rows to this CSV file")
        parser.add_argument("--no-progress", action="store_true", help="no progress bar")

    def handle(self, *args, **options) -> None:
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(f"No such file: {path}")
        try:
            rows = address_rows_from_file(path, encoding=options["encoding"])
        except AddressFileError as error:
            raise CommandError(str(error)) from error

        progress = tqdm(
            rows,
            total=len(rows),
            unit="row",
            desc="Checking" if options["dry_run"] else "Importing",
            file=self.stderr._out,
            disable=True if options["no_progress"] else None,  # None: only on a terminal
        )
        report = address_import(rows=progress, dry_run=options["dry_run"])
        progress.close()

        unit = "row" if path.suffix.lower() == ".csv" else "object"
        prefix = "Dry run, nothing written: " if report.dry_run else ""
        self.stdout.write(
            f"{prefix}{len(rows)} {unit}s: {report.created} addresses created, {report.updated} updated, "
            f"{report.unchanged} unchanged; {report.streets_created} streets created, "
            f"{report.street_lines} street lines set; {report.rejected_rows} rejected."
        )
        for item in report.rejected:
            where = f"{unit} {item.row}" + (f" ({item.street})" if item.street else "")
            self.stdout.write(f"  {where}, {item.field or 'row'}: {item.message}")
        if options["report"]:
            with options["report"].open("w", newline="", encoding="utf-8") as handle:
                writer = csv.writer(handle)
                writer.writerow([unit, "street", "field", "message"])
                writer.writerows([item.row, item.street, item.field, item.message] for item in report.rejected)
        if report.rejected:
            done = "checked" if report.dry_run else "imported"
            raise CommandError(f"{report.rejected_rows} {unit}(s) rejected; the others were {done}.")
