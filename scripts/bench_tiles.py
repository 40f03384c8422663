"""Vector tiles timed on a generated city: through Django (the test client: URL routing, middleware,
validation, ETag) against the tile function alone and against the bare `ST_AsMVT` statement that
gives the same features.

Uses a database of its own: OPENCITY_BENCH_DATABASE_URL, or a cluster under var/bench-tiles-pg that
this script starts (and leaves running; `--stop` stops it). The first run migrates, loads the
Drohobych reference data and generates the issues; later runs reuse them while the count matches.
Each measurement runs once to warm the cache and then `--repeat` times; the median is printed.

    .venv/bin/python scripts/bench_tiles.py [--count 100000] [--repeat 20] [--stop]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

# The same features as the app's issue tile (visible issues in the tile, ref/status/category/group/
# overdue), with nothing else: no threshold check, no unknown-code check. Run without JIT, as the app
# runs its tiles (geo.tiles.NO_JIT).
BARE_SQL = """
SELECT ST_AsMVT(t, 'issues', 4096, 'geom') FROM (
    SELECT i.ref, i.status, c.code AS category, g.code AS "group",
           ((i.status = 'assigned' AND i.response_due_at < now())
            OR (i.status IN ('assigned', 'in_progress') AND i.resolve_due_at < now())) AS overdue,
           ST_AsMVTGeom(ST_Transform(i.point, 3857), ST_TileEnvelope(%(z)s, %(x)s, %(y)s), 4096, 64, true) AS geom
    FROM issues_issue i
    JOIN issues_category c ON c.id = i.category_id
    JOIN issues_categorygroup g ON g.id = c.group_id
    WHERE NOT i.is_hidden AND NOT i.awaiting_confirmation
      AND i.point && ST_Transform(ST_TileEnvelope(%(z)s, %(x)s, %(y)s), 4326) {status}
) t
"""

DENSEST_Z16 = """
SELECT floor((ST_X(p) + 20037508.342789244) / (40075016.68557849 / 65536))::int AS x,
       floor((20037508.342789244 - ST_Y(p)) / (40075016.68557849 / 65536))::int AS y,
       count(*)
FROM (SELECT ST_Transform(point, 3857) AS p FROM issues_issue
      WHERE NOT is_hidden AND NOT awaiting_confirmation) q
GROUP BY 1, 2 ORDER BY 3 DESC LIMIT 1
"""


def database_url(stop: bool) -> str:
    url = os.environ.get("OPENCITY_BENCH_DATABASE_URL")
    if url:
        return url
    from opencity.localdb import LocalCluster

    cluster = LocalCluster(ROOT / "var" / "bench-tiles-pg", 54341)
    if stop:
        cluster.stop()
        print("Benchmark cluster stopped.")
        sys.exit(0)
    cluster.start(fast_unsafe=True)
    cluster.create_database("opencity_bench_tiles")
    return cluster.url("opencity_bench_tiles")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--count", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--stop", action="store_true", help="stop the benchmark cluster and exit")
    args = parser.parse_args()

    os.environ["DATABASE_URL"] = database_url(args.stop)
    os.environ["DJANGO_SETTINGS_MODULE"] = "opencity.settings.local"
    os.environ["DJANGO_DEBUG"] = "0"
    # Generating the city runs statements longer than the app's 10 s limit.
    os.environ.setdefault("OPENCITY_STATEMENT_TIMEOUT_MS", "0")
    os.environ["OPENCITY_API_ANON_RATE"] = "1000000/minute"  # one client asks hundreds of times
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.utils import timezone

    from demo.generator import issues_generate
    from demo.issues import demo_load
    from geo.tiles import NO_JIT, TileAddress
    from issues.models import Issue
    from issues.sql import IssueLayerFilter
    from issues.tiles import issue_tile

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
        f"OPENCITY_TILE_MAX_FEATURES={settings.OPENCITY_TILE_MAX_FEATURES}; median of {args.repeat}.\n"
    )
    with connection.cursor() as cursor:
        cursor.execute(DENSEST_Z16)
        x16, y16, densest = cursor.fetchone()
    tiles = [(16, x16, y16), (14, x16 >> 2, y16 >> 2), (12, x16 >> 4, y16 >> 4), (10, x16 >> 6, y16 >> 6)]
    print(f"Densest z16 tile: 16/{x16}/{y16} with {densest:,} public issues (all statuses).\n")

    def measure(function) -> float:
        function()
        samples = []
        for _ in range(args.repeat):
            began = time.perf_counter()
            function()
            samples.append((time.perf_counter() - began) * 1000)
        return statistics.median(samples)

    client = Client()
    print(f"{'tile':<16} {'filter':<12} {'answer':<22} {'HTTP':>8} {'tile fn':>8} {'bare SQL':>9} {'HTTP/bare':>9}")
    for z, x, y in tiles:
        for label, query, statuses in (("open", "?status=open", ["new", "assigned", "in_progress", "planned"]),
                                       ("all", "", [])):  # fmt: skip
            url = f"/api/v1/tiles/issues/{z}/{x}/{y}.mvt{query}"
            response = client.get(url)
            answer = issue_tile(
                tile=TileAddress(z, x, y),
                filters=IssueLayerFilter(statuses=statuses),
                now=timezone.now(),
                max_features=settings.OPENCITY_TILE_MAX_FEATURES,
                cells=settings.OPENCITY_TILE_GRID_CELLS,
            )
            kind = "cells" if b"issue_cells" in answer.content else "pins"
            http = measure(lambda url=url: client.get(url))
            function = measure(
                lambda z=z, x=x, y=y, statuses=statuses: issue_tile(
                    tile=TileAddress(z, x, y),
                    filters=IssueLayerFilter(statuses=statuses),
                    now=timezone.now(),
                    max_features=settings.OPENCITY_TILE_MAX_FEATURES,
                    cells=settings.OPENCITY_TILE_GRID_CELLS,
                )
            )
            status = "AND i.status IN ('new', 'assigned', 'in_progress', 'planned')" if statuses else ""

            def bare(z=z, x=x, y=y, status=status):
                with connection.cursor() as cursor:
                    cursor.execute(NO_JIT + BARE_SQL.format(status=status), {"z": z, "x": x, "y": y})
                    return cursor.fetchone()[0]

            bare_ms = measure(bare)
            shown = f"{response.status_code} {kind} {len(response.content) / 1024:.0f} kB"
            print(
                f"{z}/{x}/{y:<9} {label:<12} {shown:<22} {http:7.1f}  {function:7.1f}  {bare_ms:8.1f}  "
                f"{http / bare_ms:8.2f}×"
            )
    print("\n(bare SQL always returns every pin, even where the app answers cells)")


if __name__ == "__main__":
    main()
