"""Database size per report: generate N issues (with their events) on a scratch database and measure.

    .venv/bin/python scripts/measure_size.py [--count 100000]

Uses the load test's cluster (OPENCITY_LOAD_PG_DIR, default var/load-pg) and a database of its own,
`opencity_size`, dropped and made again each run: migrated, the Drohobych reference data without the
demo history, then `opencity_generate_issues` (demo.generator) for N issues, VACUUM ANALYZE, and
pg_database_size and the largest relations before and after. Prints the growth per million issues.
The cluster is left running (`python -m opencity.localdb`-style: stop it with --stop).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from opencity.localdb import LocalCluster, _bin_dir  # noqa: E402

DATABASE = "opencity_size"

SIZES_SQL = """
SELECT c.relname, pg_total_relation_size(c.oid) AS total, pg_relation_size(c.oid) AS heap,
       pg_indexes_size(c.oid) AS indexes
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname = 'public' AND c.relkind = 'r'
ORDER BY total DESC LIMIT 6
"""


def megabytes(size: int) -> str:
    return f"{size / 1024 / 1024:,.1f} MB"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--count", type=int, default=100_000)
    parser.add_argument("--stop", action="store_true", help="only stop the cluster")
    args = parser.parse_args()
    cluster = LocalCluster(Path(os.environ.get("OPENCITY_LOAD_PG_DIR") or ROOT / "var" / "load-pg"), 54333)
    if args.stop:
        cluster.stop()
        return 0
    cluster.start()
    psql = [str(_bin_dir() / "psql"), "-h", str(cluster.socket_dir), "-p", str(cluster.port), "-U", "postgres"]
    subprocess.run([*psql, "-qc", f"DROP DATABASE IF EXISTS {DATABASE}", "postgres"], check=True)  # noqa: S603
    cluster.create_database(DATABASE)

    os.environ["DJANGO_SETTINGS_MODULE"] = "opencity.settings.local"
    os.environ["DATABASE_URL"] = cluster.url(DATABASE)
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from demo.issues import demo_load
    from issues.models import Issue, IssueEvent

    call_command("migrate", verbosity=0)
    demo_load(with_history=False)
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
        cursor.execute("SELECT pg_database_size(current_database())")
        before = cursor.fetchone()[0]
    began = time.perf_counter()
    call_command("opencity_generate_issues", count=args.count, verbosity=0)
    seconds = time.perf_counter() - began
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
        cursor.execute("SELECT pg_database_size(current_database())")
        after = cursor.fetchone()[0]
        cursor.execute(SIZES_SQL)
        largest = cursor.fetchall()
    issues, events = Issue.objects.count(), IssueEvent.objects.count()
    growth = after - before
    print(f"{issues:,} issues, {events:,} events generated in {seconds:.0f} s")
    print(f"pg_database_size: {megabytes(before)} before, {megabytes(after)} after: +{megabytes(growth)}")
    print(
        f"per issue (with its {events / issues:.1f} events): {growth / issues / 1024:.2f} kB; "
        f"per million issues: {growth / issues * 1_000_000 / 1024**3:.2f} GB"
    )
    print("largest tables (total = heap + indexes + TOAST):")
    for name, total, heap, indexes in largest:
        print(f"  {name}: {megabytes(total)} (heap {megabytes(heap)}, indexes {megabytes(indexes)})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
