"""`manage.py opencity_rebuild_dashboard`: recompute the dashboard's pre-aggregated tables from the
issues and their events (after an import, the generator, a migration, or a change of the time zone
or the map centre). Idempotent; the services keep the tables current between rebuilds."""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand

from dashboard.aggregates import dashboard_aggregates_rebuild


class Command(BaseCommand):
    help = "Recompute the dashboard's pre-aggregated tables (daily counts, assignment periods) from the event log."

    def handle(self, *args, **options) -> None:
        began = time.perf_counter()
        written = dashboard_aggregates_rebuild()
        rows = ", ".join(f"{table} {count:,}" for table, count in written.items())
        self.stdout.write(f"Dashboard aggregates rebuilt in {time.perf_counter() - began:.1f} s: {rows}")
