"""`manage.py opencity_rebuild_cell_counts`: recompute the map's pre-aggregated counts per cell from
the issues (idempotent; triggers keep the table current between rebuilds)."""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand

from issues.services.cells import issue_cell_counts_rebuild


class Command(BaseCommand):
    help = (
        "Recompute the map's counts per cell (issues_issuecellcount) from the public issues. Triggers keep "
        "them exact on every write; run this after writing issues with the triggers disabled."
    )

    def handle(self, *args, **options) -> None:
        began = time.perf_counter()
        written = issue_cell_counts_rebuild()
        self.stdout.write(f"Map cell counts rebuilt in {time.perf_counter() - began:.1f} s: {written:,} rows.")
