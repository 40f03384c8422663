"""The map's counts per cell timed on a generated city: through Django (the test client: URL routing,
middleware, validation) against the query function alone and against the bare SQL that gives the
same counts (no filters beyond visibility and status, no JSON beyond the cells).

Uses a database of its own: OPENCITY_BENCH_DATABASE_URL, or a cluster under var/bench-cells-pg that
this script starts (and leaves running; `--stop` stops it). The first run migrates, loads the
Drohobych reference data and generates the issues; later runs reuse them while the count matches.
Each measurement runs once to warm the cache and then `--repeat` times; the median is printed.

    .venv/bin/python scripts/bench_cells.py [--count 100000] [--repeat 20] [--stop]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

# The same counts as issues.sql.CELLS_SQL for a status filter, with nothing else: no category join,
# no localized names, the smallest JSON (one array per cell).
BARE_SQL = """
SELECT json_agg(json_build_array(cx, cy, n, o, late, lon, lat))::text FROM (
    SELECT floor((ST_X(point) + 180) / 360 * %(across)s)::bigint AS cx,
           floor((1 - ln(tan(radians(ST_Y(point))) + 1 / cos(radians(ST_Y(point)))) / pi()) / 2 * %(across)s)::bigint
               AS cy,
           count(*) AS n,
           count(*) FILTER (WHERE status IN ('new', 'assigned', 'in_progress', 'planned')) AS o,
           count(*) FILTER (WHERE (status = 'assigned' AND response_due_at < now())
                             OR (status IN ('assigned', 'in_progress') AND resolve_due_at < now())) AS late,
           round(avg(ST_X(point))::numeric, 6) AS lon, round(avg(ST_Y(point))::numeric, 6) AS lat
    FROM issues_issue
    WHERE NOT is_hidden AND NOT awaiting_confirmation
      AND point && ST_MakeEnvelope(%(w)s, %(s)s, %(e)s, %(n)s, 4326) {status}
    GROUP BY 1, 2
) cells
"""

OPEN = ["new", "assigned", "in_progress", "planned"]


def database_url(stop: bool) -> str:
    url = os.environ.get("OPENCITY_BENCH_DATABASE_URL")
    if url:
        return url
    from opencity.localdb import LocalCluster

    cluster = LocalCluster(ROOT / "var" / "bench-cells-pg", 54351)
    if stop:
        cluster.stop()
        print("Benchmark cluster stopped.")
        sys.exit(0)
    cluster.start(fast_unsafe=True)
    cluster.create_database("opencity_bench_cells")
    return cluster.url("opencity_bench_cells")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--count", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--stop", action="store_true", help="stop the benchmark cluster and exit")
    args = parser.parse_args()

    os.environ["DATABASE_URL"] = database_url(args.stop)
    os.environ["DJANGO_SETTINGS_MODULE"] = "opencity.settings.local"
    os.environ["DJANGO_DEBUG"] = "0"
    os.environ.setdefault("OPENCITY_STATEMENT_TIMEOUT_MS", "0")  # generating runs long statements
    os.environ["OPENCITY_API_ANON_RATE"] = "1000000/minute"  # one client asks hundreds of times
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    from demo.generator import issues_generate
    from demo.issues import demo_load
    from issues.models import Issue
    from issues.sql import IssueLayerFilter, cells_across, issue_cells_geojson

    settings.ALLOWED_HOSTS = ["*"]
    call_command("migrate", verbosity=0)
    call_command("createcachetable", verbosity=0)
    demo_load(with_history=False)
    have = Issue.objects.count()
    if have != args.count:
        print(f"Generating {args.count:,} issues (the database has {have:,})…", flush=True)
        began = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute("TRUNCATE issues_issueevent, issues_issuefollower, issues_issuemedia, issues_issue CASCADE")
        written = issues_generate(count=args.count)
        print(f"  {written['issues']:,} issues in {time.perf_counter() - began:.0f} s")
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE issues_issue")
    print(
        f"Database: {Issue.objects.count():,} issues ({Issue.objects.open().count():,} open); "
        f"median of {args.repeat}.\n"
    )

    def measure(function) -> float:
        function()
        samples = []
        for _ in range(args.repeat):
            began = time.perf_counter()
            function()
            samples.append((time.perf_counter() - began) * 1000)
        return statistics.median(samples)

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT ST_X(ST_Centroid(ST_Collect(point))), ST_Y(ST_Centroid(ST_Collect(point))) FROM issues_issue"
        )
        lon, lat = cursor.fetchone()
    views = [
        # (name, zoom, bbox): the map's default view of the community (a desktop at z11), and a
        # phone-sized and a desktop-sized view of the centre just below the pins' zoom.
        ("community z11", 11, (23.20, 49.20, 23.80, 49.50)),
        ("centre z13", 13, (lon - 0.04, lat - 0.02, lon + 0.04, lat + 0.02)),
        ("centre z14", 14, (lon - 0.03, lat - 0.012, lon + 0.03, lat + 0.012)),
    ]
    client = Client()
    print(
        f"{'view':<15} {'filter':<7} {'cells':>6} {'issues':>8} {'HTTP ms':>8} {'fn ms':>7} {'bare ms':>8}"
        f" {'HTTP/bare':>9}"
    )
    for name, zoom, bbox in views:
        for label, statuses in (("open", OPEN), ("all", [])):
            query = f"bbox={','.join(f'{n:.6f}' for n in bbox)}&zoom={zoom}" + (
                "&status=open" if statuses else "&status=open,closed"
            )
            url = f"/api/v1/issues/cells/?{query}"
            response = client.get(url, headers={"accept": "application/geo+json"})
            assert response.status_code == 200, response.content[:300]
            data = json.loads(response.content)
            filters = IssueLayerFilter(bbox=bbox, statuses=statuses)
            http = measure(lambda url=url: client.get(url, headers={"accept": "application/geo+json"}))
            function = measure(lambda filters=filters, zoom=zoom: issue_cells_geojson(filters=filters, zoom=zoom))
            status = "AND status IN ('new', 'assigned', 'in_progress', 'planned')" if statuses else ""
            params = dict(zip(("w", "s", "e", "n"), bbox, strict=True), across=cells_across(zoom))

            def bare(status=status, params=params):
                with connection.cursor() as cursor:
                    cursor.execute(BARE_SQL.format(status=status), params)
                    return cursor.fetchone()[0]

            answer = json.loads(bare() or "[]")
            assert sum(cell[2] for cell in answer) == data["total"], (name, label)
            bare_ms = measure(bare)
            print(
                f"{name:<15} {label:<7} {len(data['features']):>6} {data['total']:>8,} {http:8.1f} {function:7.1f} "
                f"{bare_ms:8.1f} {http / bare_ms:8.2f}×"
            )

    # The side list: the first page and a page deep in the view (keyset), through HTTP.
    newest = list(Issue.objects.public().order_by("-created_at", "-id").values_list("ref", flat=True)[:20_001])
    print(f"\n{'side list (50 pins, all statuses)':<40} {'HTTP ms':>8}")
    for label, after in (("page 1", None), ("after 1,000", newest[999]), ("after 20,000", newest[-1])):
        url = "/api/v1/issues/?view=pins&limit=50&status=open,closed" + (f"&after={after}" if after else "")
        print(
            f"{label:<40} {measure(lambda url=url: client.get(url, headers={'accept': 'application/geo+json'})):8.1f}"
        )


if __name__ == "__main__":
    main()
