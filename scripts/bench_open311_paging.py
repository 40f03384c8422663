"""Open311 paging on a million generated issues: OFFSET (`page`) against keyset (`cursor`), timed.

Uses the database of `make bench` (scripts/bench_dashboard.py: OPENCITY_BENCH_DATABASE_URL, or its own
cluster under var/bench-pg, generated on the first run). For each depth it takes the SQL the Open311
listing really runs (open311.queries, captured) and prints the median `EXPLAIN ANALYZE` execution time
and how many index entries the scan read.

    .venv/bin/python scripts/bench_open311_paging.py [--count 1000000] [--repeat 5]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--count", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--page-size", type=int, default=1000)
    args = parser.parse_args()

    from bench_dashboard import database_url

    os.environ["DATABASE_URL"] = database_url(False)
    os.environ["DJANGO_SETTINGS_MODULE"] = "opencity.settings.local"
    os.environ.setdefault("OPENCITY_STATEMENT_TIMEOUT_MS", "0")  # generating a million rows takes minutes
    import django

    django.setup()
    import datetime

    from django.core.management import call_command
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from demo.generator import issues_generate
    from demo.issues import demo_load
    from issues.models import Issue
    from open311 import queries
    from open311.params import Cursor, RequestFilters

    call_command("migrate", verbosity=0)
    demo_load(with_history=False)
    if Issue.objects.count() != args.count:
        with connection.cursor() as cursor:
            cursor.execute("TRUNCATE issues_issueevent, issues_issuefollower, issues_issuemedia, issues_issue CASCADE")
        issues_generate(count=args.count)
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE issues_issue")
            cursor.execute("VACUUM ANALYZE issues_issueevent")

    now = timezone.now()
    window = {"start": now - datetime.timedelta(days=90), "end": now}
    listed = Issue.objects.public().filter(created_at__gte=window["start"], created_at__lte=window["end"])
    total = listed.count()
    print(f"{Issue.objects.count():,} issues; {total:,} public in the 90-day window; page_size {args.page_size}")

    def listing_sql(filters: RequestFilters) -> str:
        with CaptureQueriesContext(connection) as captured:
            queries.open311_requests(filters=filters)
        listings = [q["sql"] for q in captured.captured_queries if 'FROM "issues_issue"' in q["sql"]]
        [sql] = [sql for sql in listings if "LIMIT" in sql]
        return sql

    def timed(sql: str) -> tuple[float, int]:
        times, read = [], 0
        with connection.cursor() as cursor:
            for run in range(args.repeat + 1):
                cursor.execute("EXPLAIN (ANALYZE, FORMAT JSON) " + sql)
                plan = cursor.fetchone()[0][0]
                if run:  # the first run warms the cache
                    times.append(plan["Execution Time"])
                read = max(read, _scanned(plan["Plan"]))
        return statistics.median(times), read

    print(f"{'depth':>8}  {'OFFSET ms':>10} {'rows read':>10}  {'cursor ms':>10} {'rows read':>10}")
    ordered = listed.order_by("-created_at", "-pk").values_list("created_at", "pk")
    for depth in (0, 9_000, 49_000, 100_000):
        if depth >= total:
            continue
        offset_ms, offset_read = timed(
            listing_sql(RequestFilters(**window, page=depth // args.page_size + 1, page_size=args.page_size))
        )
        if depth:
            at, pk = ordered[depth - 1]
            keyset = RequestFilters(**window, page_size=args.page_size, cursor=Cursor(at=at, pk=pk))
        else:
            keyset = RequestFilters(**window, page_size=args.page_size)
        cursor_ms, cursor_read = timed(listing_sql(keyset))
        print(f"{depth:>8,}  {offset_ms:>10.1f} {offset_read:>10,}  {cursor_ms:>10.1f} {cursor_read:>10,}")


def _scanned(plan: dict) -> int:
    """Rows the scans of issues_issue produced (what a LIMIT/OFFSET then keeps or throws away)."""
    own = plan.get("Actual Rows", 0) if plan.get("Relation Name") == "issues_issue" else 0
    return own + sum(_scanned(child) for child in plan.get("Plans", []))


if __name__ == "__main__":
    main()
