"""manage.py opencity_import_budget FILE [--dry-run] [--report rejected.csv]

Imports budget projects from a GeoJSON or CSV file (columns: see geo/budget_import.py and the
README). Exits with status 1 when rows were rejected, after importing the good ones."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import CommandError

from geo.budget_import import BudgetFileError, budget_import, budget_rows_from_file
from geo.management.row_import import RowImportCommand


class Command(RowImportCommand):
    help = (
        "Import budget projects from a GeoJSON FeatureCollection or a CSV (with a wkt column, or lon and "
        "lat). Rows are matched by their code: re-importing a file changes nothing, an updated file "
        "updates its projects. Bad rows are reported and skipped; good rows are kept."
    )

    file_help = "a .csv, .geojson or .json file"
    key = "code"

    def read_rows(self, path: Path, *, encoding: str) -> list:
        try:
            return budget_rows_from_file(path, encoding=encoding)
        except BudgetFileError as error:
            raise CommandError(str(error)) from error

    def import_rows(self, rows, *, dry_run: bool):
        return budget_import(rows=rows, dry_run=dry_run)

    def unit(self, path: Path) -> str:
        return "row" if path.suffix.lower() == ".csv" else "feature"

    def summary(self, report, *, rows: list, unit: str) -> str:
        return (
            f"{report.total} {unit}s: {report.created} created, {report.updated} updated, "
            f"{report.unchanged} unchanged, {report.rejected_rows} rejected."
        )
