"""What the file-import commands share (budget projects, addresses): read a file into rows, import
them one by one with a progress bar, print what was done and every rejected row, optionally write
the rejected rows to a CSV report, and exit with status 1 when any row was rejected."""

from __future__ import annotations

import csv
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm


class RowImportCommand(BaseCommand):
    file_help = ""
    # What a rejected row is named by in the output and the report ("code", "street").
    key = ""

    def read_rows(self, path: Path, *, encoding: str) -> list:
        """The file's rows; raise CommandError when the file cannot be read at all."""
        raise NotImplementedError

    def import_rows(self, rows, *, dry_run: bool):
        """Import (or only check) the rows; a report with `dry_run`, `rejected` (items with `row`,
        `field`, `message` and the `key` attribute) and `rejected_rows`."""
        raise NotImplementedError

    def unit(self, path: Path) -> str:
        """What one row of this file is called: "row" for CSV."""
        raise NotImplementedError

    def summary(self, report, *, rows: list, unit: str) -> str:
        raise NotImplementedError

    def add_arguments(self, parser) -> None:
        parser.add_argument("file", type=Path, help=self.file_help)
        parser.add_argument("--dry-run", action="store_true", help="check every row and write nothing")
        parser.add_argument("--encoding", default="utf-8-sig", help="the file's text encoding (default UTF-8)")
        parser.add_argument("--report", type=Path, help="also write the rejected rows to this CSV file")
        parser.add_argument("--no-progress", action="store_true", help="no progress bar")

    def handle(self, *args, **options) -> None:
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(f"No such file: {path}")
        rows = self.read_rows(path, encoding=options["encoding"])

        progress = tqdm(
            rows,
            total=len(rows),
            unit="row",
            desc="Checking" if options["dry_run"] else "Importing",
            file=self.stderr._out,
            disable=True if options["no_progress"] else None,  # None: only on a terminal
        )
        report = self.import_rows(progress, dry_run=options["dry_run"])
        progress.close()

        unit = self.unit(path)
        prefix = "Dry run, nothing written: " if report.dry_run else ""
        self.stdout.write(prefix + self.summary(report, rows=rows, unit=unit))
        for item in report.rejected:
            key = getattr(item, self.key)
            where = f"{unit} {item.row}" + (f" ({key})" if key else "")
            self.stdout.write(f"  {where}, {item.field or 'row'}: {item.message}")
        if options["report"]:
            with options["report"].open("w", newline="", encoding="utf-8") as handle:
                writer = csv.writer(handle)
                writer.writerow([unit, self.key, "field", "message"])
                writer.writerows(
                    [item.row, getattr(item, self.key), item.field, item.message] for item in report.rejected
                )
        if report.rejected:
            done = "checked" if report.dry_run else "imported"
            raise CommandError(f"{report.rejected_rows} {unit}(s) rejected; the others were {done}.")
