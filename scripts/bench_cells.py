"""The map's counts per cell timed on a generated city: through Django (the test client: URL routing,
middleware, validation), the query function on each of its paths (the pre-aggregated table,
issues_issuecellcount, and the issues counted live) and the bare SQL that counts the same cells live
(no filters beyond visibility and status, no JSON beyond the cells). The ratio live/table is what the
table saves.

`--write-cost` times instead what the table's triggers add to single-row writes of issues_issue
(1,000 statements of each kind, with the triggers and without them, in a transaction rolled back),
and the first such write of a new session (the trigger's plans are made then).

Uses a database of its own: OPENCITY_BENCH_DATABASE_URL, or a cluster under var/bench-cells-pg that
this script starts (and leaves running; `--stop` stops it). The first run migrates, loads the
Drohobych reference data and generates the issues; later runs reuse them while the count matches.
Each measurement runs once to warm the cache and then `--repeat` times; the median is printed.

    .venv/bin/python scripts/bench_cells.py [--count 100000] [--repeat 20] [--write-cost] [--stop]
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
# no localized names, the smallest JSON (one array per cell). The cells the bbox (w, s, e, n) touches,
# whole: the envelope is those cells' bounds (constants once planned), a hair wider.
BARE_SQL = """
SELECT json_agg(json_build_array(cx, cy, n, o, late, lon, lat))::text FROM (
    SELECT cx, cy, count(*) AS n,
           count(*) FILTER (WHERE status IN ('new', 'assigned', 'in_progress', 'planned')) AS o,
           count(*) FILTER (WHERE (status = 'assigned' AND response_due_at < now())
                             OR (status IN ('assigned', 'in_progress') AND resolve_due_at < now())) AS late,
           round(avg(lon)::numeric, 6) AS lon, round(avg(lat)::numeric, 6) AS lat
    FROM (
        SELECT status, response_due_at, resolve_due_at, ST_X(point) AS lon, ST_Y(point) AS lat,
               issues_cell_column(ST_X(point), %(across)s) AS cx, issues_cell_row(ST_Y(point), %(across)s) AS cy
        FROM issues_issue
        WHERE NOT is_hidden AND NOT awaiting_confirmation {status}
          AND point && ST_MakeEnvelope(
            issues_cell_column(%(w)s, %(across)s)::float8 / %(across)s * 360 - 180 - 1e-9,
            degrees(atan(sinh(pi() * (1 - 2 * (issues_cell_row(%(s)s, %(across)s) + 1)::float8 / %(across)s)))) - 1e-9,
            (issues_cell_column(%(e)s, %(across)s) + 1)::float8 / %(across)s * 360 - 180 + 1e-9,
            degrees(atan(sinh(pi() * (1 - 2 * issues_cell_row(%(n)s, %(across)s)::float8 / %(across)s)))) + 1e-9,
            4326)
        OFFSET 0
    ) placed
    WHERE cx BETWEEN issues_cell_column(%(w)s, %(across)s) AND issues_cell_column(%(e)s, %(across)s)
      AND cy BETWEEN issues_cell_row(%(n)s, %(across)s) AND issues_cell_row(%(s)s, %(across)s)
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
    parser.add_argument("--write-cost", action="store_true", help="time single-row writes with and without triggers")
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
    from issues.models import Issue, IssueCellCount
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
        f"Database: {Issue.objects.count():,} issues ({Issue.objects.open().count():,} open), "
        f"{IssueCellCount.objects.count():,} rows of cell counts; median of {args.repeat}.\n"
    )
    if args.write_cost:
        write_cost(connection, repeat=1000)
        return

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
        f"{'view':<15} {'filter':<7} {'cells':>6} {'issues':>8} {'HTTP ms':>8} {'table ms':>9} {'live ms':>8}"
        f" {'bare ms':>8} {'live/table':>10}"
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
            paths = {}
            for path in (True, False):
                answer = json.loads(issue_cells_geojson(filters=filters, zoom=zoom, aggregated=path))
                assert (answer["total"], answer["open"]) == (data["total"], data["open"]), (name, label, path)
                paths[path] = measure(
                    lambda filters=filters, zoom=zoom, path=path: issue_cells_geojson(
                        filters=filters, zoom=zoom, aggregated=path
                    )
                )
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
                f"{name:<15} {label:<7} {len(data['features']):>6} {data['total']:>8,} {http:8.1f} {paths[True]:9.1f}"
                f" {paths[False]:8.1f} {bare_ms:8.1f} {paths[False] / paths[True]:9.1f}×"
            )

    # The side list: the first page and a page deep in the view (keyset), through HTTP.
    newest = list(Issue.objects.public().order_by("-created_at", "-id").values_list("ref", flat=True)[:20_001])
    print(f"\n{'side list (50 pins, all statuses)':<40} {'HTTP ms':>8}")
    for label, after in (("page 1", None), ("after 1,000", newest[999]), ("after 20,000", newest[-1])):
        url = "/api/v1/issues/?view=pins&limit=50&status=open,closed" + (f"&after={after}" if after else "")
        print(
            f"{label:<40} {measure(lambda url=url: client.get(url, headers={'accept': 'application/geo+json'})):8.1f}"
        )


def write_cost(connection, *, repeat: int) -> None:
    """Single-row writes of issues_issue, each its own statement, with the cell counts' triggers and
    without them (disabled in the same transaction, which is rolled back: the data stay as they were)."""
    import statistics
    import time

    from django.db import connections, transaction

    from issues.models import Issue

    triggers = ("issues_cell_counts_insert", "issues_cell_counts_update", "issues_cell_counts_delete")
    columns = [f.column for f in Issue._meta.concrete_fields if f.column not in ("id", "ref")]
    public = Issue.objects.public()
    closed = list(public.filter(status__in=["closed", "resolved"]).order_by("?").values_list("pk", flat=True)[:repeat])
    some = list(public.order_by("?").values_list("pk", flat=True)[:repeat])
    column_list = ", ".join(columns)
    kinds = {
        # what most writes are: a comment, a supporter, a deadline (the trigger finds nothing to do)
        "update, other columns": ("UPDATE issues_issue SET support_count = support_count + 1 WHERE id = %s", some),
        "update, status": (
            "UPDATE issues_issue SET status = CASE status WHEN 'closed' THEN 'resolved' ELSE 'closed' END"
            " WHERE id = %s",
            closed,
        ),
        "update, point moved": ("UPDATE issues_issue SET point = ST_Translate(point, 0.01, 0.002) WHERE id = %s", some),
        "insert": (
            f"INSERT INTO issues_issue (ref, {column_list}) SELECT 'BENCH-' || id, {column_list}"  # noqa: S608
            " FROM issues_issue WHERE id = %s",
            some,
        ),
        "delete (of those inserted)": ("DELETE FROM issues_issue WHERE ref = 'BENCH-' || %s", some),
    }

    def run(with_triggers: bool) -> dict[str, float]:
        timings = {}
        with transaction.atomic():
            with connection.cursor() as cursor:
                if not with_triggers:
                    for trigger in triggers:
                        cursor.execute(f"ALTER TABLE issues_issue DISABLE TRIGGER {trigger}")
                for kind, (sql, ids) in kinds.items():
                    began = time.perf_counter()
                    for pk in ids:
                        cursor.execute(sql, [pk])
                    timings[kind] = (time.perf_counter() - began) / len(ids) * 1e6
            transaction.set_rollback(True)
        return timings

    run(True)  # warm the cache and the trigger's plans
    rounds = {True: [], False: []}
    for _ in range(3):
        for with_triggers in (False, True):
            rounds[with_triggers].append(run(with_triggers))
    print(f"Single-row writes, {repeat:,} statements each, µs per statement (median of 3 rounds):")
    print(f"{'write':<44} {'no triggers':>12} {'triggers':>9} {'added':>7}")
    for kind in kinds:
        without = statistics.median(r[kind] for r in rounds[False])
        with_ = statistics.median(r[kind] for r in rounds[True])
        print(f"{kind:<44} {without:12.0f} {with_:9.0f} {with_ - without:7.0f}")

    # The trigger's own time as PostgreSQL reports it (EXPLAIN ANALYZE), less sensitive to a busy
    # machine than the differences above.
    own = {}
    with transaction.atomic():
        with connection.cursor() as cursor:
            for kind, (sql, ids) in kinds.items():
                samples = []
                for pk in ids[:300]:
                    cursor.execute(f"EXPLAIN (ANALYZE, FORMAT JSON) {sql}", [pk])
                    plan = cursor.fetchone()[0]
                    plan = json.loads(plan) if isinstance(plan, str) else plan
                    samples.append(
                        sum(t["Time"] for t in plan[0].get("Triggers", []) if "cell_counts" in t["Trigger Name"])
                    )
                own[kind] = statistics.median(samples) * 1000
        transaction.set_rollback(True)
    print(f"{'trigger time per statement (EXPLAIN), µs':<44} " + ", ".join(f"{k}: {v:.0f}" for k, v in own.items()))

    # One statement writing every issue: a bulk insert (as the generator's) and a bulk status change.
    bulk = {
        "bulk insert of every issue": f"INSERT INTO issues_issue (ref, {column_list})"  # noqa: S608
        f" SELECT 'BULK-' || id, {column_list} FROM issues_issue",
        "bulk status change (all)": "UPDATE issues_issue SET status = CASE status WHEN 'closed' THEN 'resolved'"
        " WHEN 'resolved' THEN 'closed' ELSE status END",
    }
    for kind, sql in bulk.items():
        took = {}
        for with_triggers in (False, True):
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute("SET LOCAL statement_timeout = 0")
                if not with_triggers:
                    for trigger in triggers:
                        cursor.execute(f"ALTER TABLE issues_issue DISABLE TRIGGER {trigger}")
                began = time.perf_counter()
                cursor.execute(sql)
                took[with_triggers] = (time.perf_counter() - began) * 1000
                rows = cursor.rowcount
                transaction.set_rollback(True)
        label = f"{kind} ({rows:,} rows), ms"
        print(f"{label:<44} {took[False]:12.0f} {took[True]:9.0f} {took[True] - took[False]:7.0f}")

    # The first write of a new session: the trigger's statements are planned then (persistent
    # connections, DATABASE_CONN_MAX_AGE, keep them for the next requests).
    firsts = {True: [], False: []}
    sql, ids = kinds["update, status"]
    for n in range(20):
        for with_triggers in (False, True):
            connections["default"].close()
            with transaction.atomic(), connection.cursor() as cursor:
                if not with_triggers:
                    for trigger in triggers:
                        cursor.execute(f"ALTER TABLE issues_issue DISABLE TRIGGER {trigger}")
                began = time.perf_counter()
                cursor.execute(sql, [ids[n]])
                firsts[with_triggers].append((time.perf_counter() - began) * 1e6)
                transaction.set_rollback(True)
    without, with_ = statistics.median(firsts[False]), statistics.median(firsts[True])
    print(f"{'first status change of a session, µs':<44} {without:12.0f} {with_:9.0f} {with_ - without:7.0f}")


if __name__ == "__main__":
    main()
