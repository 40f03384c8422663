"""`make bench-dashboard`: the dashboard's queries on a million generated issues, timed.

Uses a database of its own (never the development one): OPENCITY_BENCH_DATABASE_URL, or a cluster
under var/bench-pg that this script starts (and leaves running; `--stop` stops it). The first run
migrates, loads the Drohobych reference data and generates the issues (a few minutes); later runs
reuse them while the count matches. Each query runs once to warm the cache and then `--repeat`
times; the median is printed with its ratio to a baseline run in the same process: the map's
default layer (the newest 1,000 public issues as GeoJSON built by PostGIS), what every visitor of
the home page asks for.

    .venv/bin/python scripts/bench_dashboard.py [--count 1000000] [--repeat 5] [--live] [--stop]

The SLA table, trends, satisfaction and heat grid read the pre-aggregated tables (dashboard.models);
`--live` also times their live computation from the event log (the reference) next to them.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def database_url(stop: bool, count: int) -> str:
    url = os.environ.get("OPENCITY_BENCH_DATABASE_URL")
    if url:
        return url
    from opencity.localdb import LocalCluster

    cluster = LocalCluster(ROOT / "var" / "bench-pg", int(os.environ.get("OPENCITY_BENCH_PORT", "54331")))
    if stop:
        cluster.stop()
        print("Benchmark cluster stopped.")
        sys.exit(0)
    cluster.start(fast_unsafe=True)
    # One database per count, shared with `make bench` (scripts/bench.py).
    cluster.create_database(f"opencity_bench_{count}")
    return cluster.url(f"opencity_bench_{count}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--count", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--stop", action="store_true", help="stop the benchmark cluster and exit")
    parser.add_argument(
        "--live",
        action="store_true",
        help="also time the live computation (the reference: from the whole event log) of the pre-aggregated figures",
    )
    args = parser.parse_args()

    os.environ["DATABASE_URL"] = database_url(args.stop, args.count)
    os.environ["DJANGO_SETTINGS_MODULE"] = "opencity.settings.local"
    # The web requests' statement timeout would cancel the generator's statements at 1,000,000
    # issues: off for this script's own connection only (the dashboard still sets its own limit).
    os.environ["OPENCITY_STATEMENT_TIMEOUT_MS"] = "0"
    import django

    django.setup()
    import datetime

    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone

    from dashboard import selectors, sql
    from demo.generator import issues_generate
    from demo.issues import demo_load
    from geo.models import District
    from issues.models import Issue, IssueEvent
    from issues.sql import IssueLayerFilter, issue_layer_geojson

    call_command("migrate", verbosity=0)
    demo_load(with_history=False)
    have = Issue.objects.count()
    if have != args.count:
        print(f"Generating {args.count:,} issues (the database has {have:,}); this takes a few minutes…", flush=True)
        began = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute("TRUNCATE issues_issueevent, issues_issuefollower, issues_issuemedia, issues_issue CASCADE")
        written = issues_generate(count=args.count)
        print(f"  {written['issues']:,} issues, {written['events']:,} events in {time.perf_counter() - began:.0f} s")
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE issues_issue")
            cursor.execute("VACUUM ANALYZE issues_issueevent")
    events = IssueEvent.objects.count()
    open_issues = Issue.objects.open().count()
    print(
        f"Database: {args.count:,} issues ({open_issues:,} open), {events:,} events; PostgreSQL "
        f"{connection.cursor().connection.server_version}; repeat {args.repeat}, median shown.\n"
    )

    def measure(function) -> float:
        function()  # warm the cache
        samples = []
        for _ in range(args.repeat):
            began = time.perf_counter()
            function()
            samples.append((time.perf_counter() - began) * 1000)
        return statistics.median(samples)

    baseline = measure(lambda: issue_layer_geojson(filters=IssueLayerFilter(limit=1000), language="uk"))
    print(f"baseline: the map's default layer (1,000 newest issues as GeoJSON)  {baseline:8.1f} ms   1.0×\n")

    now = timezone.now()
    today = timezone.localdate()
    district = District.objects.order_by("code").first()
    scenarios = [
        ("last 30 days", selectors.DashboardFilter(start=today - datetime.timedelta(days=29), end=today)),
        ("last 90 days", selectors.DashboardFilter(start=today - datetime.timedelta(days=89), end=today)),
        ("last 365 days", selectors.DashboardFilter(start=today - datetime.timedelta(days=364), end=today)),
        (
            "two years (the longest allowed)",
            selectors.DashboardFilter(start=today - datetime.timedelta(days=729), end=today),
        ),
        (
            f"last 30 days, district {district.code}",
            selectors.DashboardFilter(start=today - datetime.timedelta(days=29), end=today, district=district),
        ),
        (
            "a past month (backlog from the log)",
            selectors.DashboardFilter(
                start=today - datetime.timedelta(days=210), end=today - datetime.timedelta(days=180)
            ),
        ),
    ]
    parts = [
        ("backlog", selectors.dashboard_backlog),
        ("SLA per executor", selectors.dashboard_executor_sla),
        ("trends", selectors.dashboard_trends),
        ("heat grid", selectors.dashboard_heat_grid),
        ("problem spots", selectors.dashboard_hot_spots),
        ("satisfaction", selectors.dashboard_satisfaction),
        ("budget", selectors.dashboard_budget),
    ]
    # The figures read from the pre-aggregated tables, and their live reference in dashboard.sql.
    aggregated = {
        "backlog": ["backlog_rows"],  # from the status spans when the period ends before now
        "SLA per executor": ["executor_sla_rows"],
        "trends": ["trend_rows"],
        "heat grid": ["heat_grid_rows"],
        "satisfaction": ["satisfaction_rows"],
    }

    @contextlib.contextmanager
    def live(names):
        saved = {name: getattr(sql, name) for name in names}
        for name in names:
            setattr(sql, name, getattr(sql, f"{name}_live"))
        try:
            yield
        finally:
            for name, function in saved.items():
                setattr(sql, name, function)

    header = f"  {'figure':<18} {'ms':>9}  {'× base':>7}" + (f"  {'live ms':>9}  {'live/agg':>8}" if args.live else "")
    for title, filters in scenarios:
        print(f"{title} ({filters.start} – {filters.end})")
        print(header)
        total = total_live = 0.0
        for name, function in parts:
            run = lambda function=function, filters=filters: function(filters=filters, now=now)  # noqa: E731
            elapsed = measure(run)
            total += elapsed
            line = f"  {name:<18} {elapsed:9.1f}  {elapsed / baseline:7.1f}×"
            if args.live:
                if name in aggregated:
                    with live(aggregated[name]):
                        reference = measure(run)
                    line += f"  {reference:9.1f}  {reference / elapsed:7.1f}×"
                else:
                    reference = elapsed
                total_live += reference
            print(line)
        line = f"  {'whole dashboard':<18} {total:9.1f}  {total / baseline:7.1f}×"
        if args.live:
            line += f"  {total_live:9.1f}  {total_live / total:7.1f}×"
        print(line + "\n")


if __name__ == "__main__":
    main()
