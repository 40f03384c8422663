"""`make bench`: the whole product on a generated city, through HTTP, against the bare SQL that gives
the same answer and against tipg (a PostGIS OGC Features and vector-tile server) on the same database.

    .venv/bin/python scripts/bench.py [--count 1000000] [--small 100000] [--repeat 50] [--seconds 10]

Each count has a database of its own, `opencity_bench_<count>`, in a PostgreSQL cluster under
var/bench-pg that this script starts (and leaves running; `make bench-stop` stops it), or the server
named by OPENCITY_BENCH_SERVER_URL (a DATABASE_URL without the database name: `postgis://user@host:port`).
The first run migrates, loads the Drohobych reference data and generates the issues over two years
(`demo.generator`: a million takes about twenty minutes here); later runs reuse them while the count
matches. tipg 1.6.1 is installed by `make bench` into a virtualenv of its own (var/tipg-venv).

For `--count` it times every operation below; then, for `--small`, the map and the tiles again, to
show that their cost follows what is in view, not the size of the table. Each count runs in a process
of its own (Django is set up once per database) that starts gunicorn with the production settings
(deploy/gunicorn.conf.py, 2 processes, DEBUG off) and tipg (uvicorn, one process) on free ports of
127.0.0.1. One client on a keep-alive connection sends each request once to warm up, then `--repeat`
times (fewer for the slow ones); p50 and p95 are printed. "SQL" is the same answer assembled by
PostgreSQL alone, through psycopg on a persistent connection from this process; "tipg" is tipg's
nearest equivalent request (its own SQL, its own JSON/MVT), where it has one.

The printed tables, with the machine they ran on, go in docs/benchmarks.md. CI runs this with a few
thousand issues (`make bench-smoke`), so it can never break unseen.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import statistics
import subprocess
import sys
import time
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

import bench_requests as http_bench  # noqa: E402 — the HTTP client, the server and the bare SQL of item 4
from bench_cells import BARE_SQL as CELLS_BARE_SQL  # noqa: E402
from bench_tiles import BARE_SQL as TILE_BARE_SQL  # noqa: E402

TIPG_VENV = ROOT / "var" / "tipg-venv"
TIPG_VERSION = "1.6.1"
CLUSTER_PORT = int(os.environ.get("OPENCITY_BENCH_PORT", "54331"))
OPEN = ("new", "assigned", "in_progress", "planned")

# The same pins as issues.sql.PINS_SQL (open, visible, in the bbox, newest first, the same
# properties), with nothing else: no cursor, no truncation flag.
PINS_BARE_SQL = """
SELECT json_build_object('type', 'FeatureCollection', 'features', COALESCE(json_agg(json_build_object(
    'type', 'Feature', 'id', s.ref, 'geometry', ST_AsGeoJSON(s.point, 6)::json,
    'properties', json_build_object('ref', s.ref, 'status', s.status, 'category', s.code,
                                    'category_name', s.name_uk, 'overdue', s.overdue,
                                    'title', left(s.description, 80), 'address', s.address)
) ORDER BY s.created_at DESC, s.id DESC), '[]'::json))::text
FROM (
    SELECT i.id, i.ref, i.status, i.point, i.created_at, i.description, i.address, c.code, c.name_uk,
           ((i.status = 'assigned' AND i.response_due_at < now())
            OR (i.status IN ('assigned', 'in_progress') AND i.resolve_due_at < now())) AS overdue
    FROM issues_issue i JOIN issues_category c ON c.id = i.category_id
    WHERE NOT i.is_hidden AND NOT i.awaiting_confirmation
      AND i.status IN ('new', 'assigned', 'in_progress', 'planned')
      AND i.point && ST_MakeEnvelope(%(w)s, %(s)s, %(e)s, %(n)s, 4326)
    ORDER BY i.created_at DESC, i.id DESC
    LIMIT %(limit)s
) s
"""

# The same cells from the pre-aggregated counts (issues_issuecellcount), with nothing else: the base
# cells of the cells the bbox touches, summed per cell of the zoom; no overdue (the app counts it live
# from the open issues on top), the smallest JSON.
CELLS_TABLE_BARE_SQL = """
SELECT json_agg(json_build_array(cx, cy, n, o, lon, lat))::text FROM (
    SELECT a.cx >> %(shift)s AS cx, a.cy >> %(shift)s AS cy, sum(a.count) AS n,
           sum(a.count) FILTER (WHERE a.status IN ('new', 'assigned', 'in_progress', 'planned')) AS o,
           round((sum(a.sum_lon) / sum(a.count))::numeric, 6) AS lon,
           round((sum(a.sum_lat) / sum(a.count))::numeric, 6) AS lat
    FROM issues_issuecellcount a
    WHERE a.cx BETWEEN issues_cell_column(%(w)s, %(across)s) * %(scale)s
                   AND (issues_cell_column(%(e)s, %(across)s) + 1) * %(scale)s - 1
      AND a.cy BETWEEN issues_cell_row(%(n)s, %(across)s) * %(scale)s
                   AND (issues_cell_row(%(s)s, %(across)s) + 1) * %(scale)s - 1 {status}
    GROUP BY 1, 2
) cells
"""

# tipg's filter for the same issues (CQL2 text): visible and open.
TIPG_OPEN = "is_hidden=false AND awaiting_confirmation=false AND status IN ('new','assigned','in_progress','planned')"
TIPG_VISIBLE = "is_hidden=false AND awaiting_confirmation=false"
TIPG_PIN_PROPERTIES = "ref,status,category_id,description,address"


# --- the databases -------------------------------------------------------------------------------


def server_url() -> str:
    """The PostgreSQL server of the benchmark databases, as a DATABASE_URL without a name."""
    url = os.environ.get("OPENCITY_BENCH_SERVER_URL")
    if url:
        return url.rstrip("/")
    from opencity.localdb import LocalCluster

    cluster = LocalCluster(ROOT / "var" / "bench-pg", CLUSTER_PORT)
    cluster.start(fast_unsafe=True)
    return cluster.url("x").rsplit("/", 1)[0]


def create_database(server: str, name: str) -> str:
    import psycopg2

    parsed = urllib.parse.urlparse(server)
    connection = psycopg2.connect(
        dbname="postgres",
        user=parsed.username,
        host=urllib.parse.unquote(parsed.hostname or "") or None,
        port=parsed.port,
    )
    connection.autocommit = True
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        if cursor.fetchone() is None:
            cursor.execute(f'CREATE DATABASE "{name}"')
    connection.close()
    return f"{server}/{name}"


# --- tipg --------------------------------------------------------------------------------------------


def tipg_install() -> Path:
    """tipg in its own virtualenv (its FastAPI/asyncpg stack never meets the app's)."""
    python = TIPG_VENV / "bin" / "python"
    marker = TIPG_VENV / f".tipg-{TIPG_VERSION}"
    if not marker.exists():
        print(f"Installing tipg {TIPG_VERSION} into {TIPG_VENV.relative_to(ROOT)}…", flush=True)
        subprocess.run([sys.executable, "-m", "venv", str(TIPG_VENV)], check=True)
        subprocess.run([str(python), "-m", "pip", "install", "-q", f"tipg=={TIPG_VERSION}", "uvicorn"], check=True)
        marker.touch()
    return python


def tipg_start(url: str) -> tuple[subprocess.Popen, int]:
    """tipg (uvicorn, one process) on the benchmark database, serving the issues and the outages."""
    python = tipg_install()
    parsed = urllib.parse.urlparse(url)
    host = urllib.parse.unquote(parsed.hostname or "")
    database = parsed.path.lstrip("/")
    port = http_bench.free_port()
    env = {
        **os.environ,
        # the socket directory percent-encoded as the host, as the app's own URL has it
        "DATABASE_URL": f"postgresql://{parsed.username}@{urllib.parse.quote(host, safe='')}:{parsed.port}/{database}",
        "TIPG_DB_TABLES": json.dumps(["public.issues_issue", "public.geo_outage"]),
        "TIPG_DB_SPATIAL_EXTENT": "false",
        "TIPG_DB_DATETIME_EXTENT": "false",
    }
    log = open(ROOT / "var" / "bench-tipg.log", "ab")  # noqa: SIM115 — open for the server's life
    server = subprocess.Popen(
        [
            str(python),
            "-m",
            "uvicorn",
            "tipg.main:app",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--log-level",
            "warning",
        ],
        env=env,
        cwd=ROOT / "var",
        stdout=log,
        stderr=log,
        start_new_session=True,
    )
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit("tipg stopped at start-up (var/bench-tipg.log)")
        try:
            status, _, _ = http_bench.Client(port).request("GET", "/collections/public.issues_issue")
            if status == 200:
                return server, port
        except OSError:
            time.sleep(0.5)
    http_bench.stop_server(server)
    raise SystemExit("tipg did not serve the issues within two minutes (var/bench-tipg.log)")


# --- what is asked -------------------------------------------------------------------------------


def mercator_tile(lon: float, lat: float, z: int) -> tuple[int, int]:
    import math

    n = 2**z
    x = int((lon + 180) / 360 * n)
    y = int((1 - math.log(math.tan(math.radians(lat)) + 1 / math.cos(math.radians(lat))) / math.pi) / 2 * n)
    return x, y


def view_bbox(lon: float, lat: float, zoom: int, width: int, height: int) -> tuple[float, float, float, float]:
    """The bbox a map of width × height pixels centred on a point shows at a zoom (Web Mercator)."""
    import math

    world = 256 * 2**zoom
    cx = (lon + 180) / 360 * world
    cy = (1 - math.log(math.tan(math.radians(lat)) + 1 / math.cos(math.radians(lat))) / math.pi) / 2 * world

    def to_lonlat(px: float, py: float) -> tuple[float, float]:
        return px / world * 360 - 180, math.degrees(math.atan(math.sinh(math.pi * (1 - 2 * py / world))))

    west, north = to_lonlat(cx - width / 2, cy - height / 2)
    east, south = to_lonlat(cx + width / 2, cy + height / 2)
    return round(west, 6), round(south, 6), round(east, 6), round(north, 6)


def bbox_text(bbox) -> str:
    return ",".join(f"{v:.6f}" for v in bbox)


def map_operations() -> list[dict]:
    """The map and the tiles: the city at the map's opening zoom and the densest place zoomed in,
    as pins and as cells; the issue tiles z10–z16 over the densest place."""
    from bench_tiles import DENSEST_Z16
    from django.conf import settings
    from django.db import connection

    from issues.sql import CELL_BASE_ZOOM, cells_across

    with connection.cursor() as cursor:
        cursor.execute(DENSEST_Z16)
        x16, y16, _ = cursor.fetchone()
        cursor.execute("SELECT ST_X(c), ST_Y(c) FROM (SELECT ST_Centroid(ST_Collect(geom)) AS c FROM geo_district) d")
        city_lon, city_lat = cursor.fetchone()
    import math

    n = 2**16
    dense_lon = (x16 + 0.5) / n * 360 - 180
    dense_lat = math.degrees(math.atan(math.sinh(math.pi * (1 - 2 * (y16 + 0.5) / n))))
    limit = settings.OPENCITY_ISSUE_LIST_LIMIT
    views = {
        "city": (view_bbox(city_lon, city_lat, 13, 1280, 800), 13),
        "centre": (view_bbox(dense_lon, dense_lat, 15, 1280, 800), 15),
    }
    operations = []
    for place, (bbox, zoom) in views.items():
        w, s, e, n_ = bbox
        operations.append(
            {
                "name": f"pins, {place} (z{zoom}, open)",
                "path": f"/api/v1/issues/?bbox={bbox_text(bbox)}&view=pins&status=open&limit={limit}",
                "sql": (PINS_BARE_SQL, {"w": w, "s": s, "e": e, "n": n_, "limit": limit}),
                "tipg": "/collections/public.issues_issue/items?"
                + urllib.parse.urlencode(
                    {
                        "bbox": bbox_text(bbox),
                        "limit": limit,
                        "properties": TIPG_PIN_PROPERTIES,
                        "sortby": "-created_at",
                        "filter": TIPG_OPEN,
                        "filter-lang": "cql2-text",
                    }
                ),
                "weight": 1.0,
            }
        )
    cell_views = [
        ("city", views["city"][0], 12, "open"),
        ("city", views["city"][0], 12, ""),
        ("centre", views["centre"][0], 14, ""),
    ]
    for place, bbox, zoom, status in cell_views:
        w, s, e, n_ = bbox
        status_sql = f"AND status IN {OPEN!r}" if status else ""
        across = cells_across(zoom)
        table = {"w": w, "s": s, "e": e, "n": n_, "across": across, "shift": CELL_BASE_ZOOM - zoom}
        table["scale"] = 1 << table["shift"]
        operations.append(
            {
                "name": f"cells, {place} (z{zoom}, {'open' if status else 'all statuses'})",
                "path": f"/api/v1/issues/cells/?bbox={bbox_text(bbox)}&zoom={zoom}"
                + (f"&status={status}" if status else ""),
                # the same cells from the counts table where the app reads it, else from the issues
                "sql": (
                    (CELLS_TABLE_BARE_SQL.format(status=status_sql.replace("status", "a.status")), table)
                    if zoom <= CELL_BASE_ZOOM
                    else (CELLS_BARE_SQL.format(status=status_sql), {"w": w, "s": s, "e": e, "n": n_, "across": across})
                ),
                "tipg": None,
                "weight": 1.0,
            }
        )
    for z in (10, 12, 14, 16):
        x, y = x16 >> (16 - z), y16 >> (16 - z)
        operations.append(
            {
                "name": f"tile z{z} (open)",
                "path": f"/api/v1/tiles/issues/{z}/{x}/{y}.mvt?status=open",
                "sql": (
                    TILE_BARE_SQL.format(status="AND i.status IN ('new', 'assigned', 'in_progress', 'planned')"),
                    {"z": z, "x": x, "y": y},
                ),
                "tipg": f"/collections/public.issues_issue/tiles/WebMercatorQuad/{z}/{x}/{y}?"
                + urllib.parse.urlencode(
                    {"properties": "ref,status,category_id", "filter": TIPG_OPEN, "filter-lang": "cql2-text"}
                ),
                "weight": 1.0,
            }
        )
    return operations


def product_operations(url: str) -> tuple[list[dict], dict]:
    """Everything else a city's users ask: an issue, nearby issues, the outages at a point, Open311
    pages, the largest executor's queue, the dashboard; and what creation needs (tokens, places)."""
    from django.db import connection
    from django.db.models import Count, Q
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from accounts.access_tokens import access_token_issue
    from accounts.models import Executor, User
    from dashboard.forms import DashboardFilterForm
    from dashboard.selectors import dashboard_get
    from issues.api.serializers import QUEUE_API_LIMIT
    from issues.models import Issue, IssueStatus
    from issues.selectors import queue_for_executor

    fixtures = http_bench.bench_fixtures()
    bare = fixtures["bare"]
    detail_id = Issue.objects.get(ref=fixtures["detail_ref"]).pk
    lon, lat, category = fixtures["near"]
    olon, olat = fixtures["outage_point"]
    operations = [
        {
            "name": "issue detail",
            "path": f"/api/v1/issues/{fixtures['detail_ref']}/",
            "sql": bare["detail"],
            "tipg": f"/collections/public.issues_issue/items/{detail_id}",
            "weight": 1.0,
        },
        {
            "name": "nearby",
            "path": f"/api/v1/issues/nearby/?lon={lon}&lat={lat}&category={category}",
            "sql": bare["nearby"],
            "tipg": None,  # no distance search in OGC Features
            "weight": 1.0,
        },
        {
            "name": "outages/at",
            "path": f"/api/v1/outages/at/?lon={olon}&lat={olat}",
            "sql": bare["outages/at"],
            "tipg": "/collections/public.geo_outage/items?"
            + urllib.parse.urlencode(
                {"filter": f"S_INTERSECTS(area,POINT({olon} {olat}))", "filter-lang": "cql2-text"}
            ),
            "weight": 1.0,
        },
    ]
    start = (timezone.now() - datetime.timedelta(days=90)).isoformat()
    open311_tipg = {
        "limit": 1000,
        "sortby": "-created_at",
        "properties": "ref,status,category_id,description,address,created_at,updated_at,resolve_due_at",
        "filter": f"{TIPG_VISIBLE} AND created_at >= TIMESTAMP('{start[:19]}Z')",
        "filter-lang": "cql2-text",
    }
    operations.append(
        {
            "name": "Open311 page 1",
            "path": "/open311/v2/requests.json?page_size=1000",
            "sql": bare["open311 page 1"],
            "tipg": "/collections/public.issues_issue/items?" + urllib.parse.urlencode(open311_tipg),
            "weight": 0.2,
        }
    )
    if fixtures["open311_page50"]:
        operations.append(
            {
                "name": "Open311 page 50",
                "path": "/open311/v2/requests.json?page_size=1000&cursor="
                + urllib.parse.quote(fixtures["open311_page50"]),
                "sql": bare["open311 page 50"],
                "tipg": "/collections/public.issues_issue/items?"
                + urllib.parse.urlencode({**open311_tipg, "offset": 49000}),
                "weight": 0.2,
            }
        )

    # The queue of the executor with the most open issues, as one of its staff sees it.
    executor = (
        Executor.objects.annotate(open=Count("issues", filter=Q(issues__status__in=OPEN)))
        .order_by("-open", "code")
        .first()
    )
    staff = User.objects.filter(membership__executor=executor).order_by("pk").first()
    open_count = queue_for_executor(executor=executor).count()
    with CaptureQueriesContext(connection) as captured:  # the API's first page (QUEUE_API_LIMIT issues)
        list(queue_for_executor(executor=executor)[:QUEUE_API_LIMIT])
    queue_sql = f"SELECT json_agg(q)::text FROM ({captured.captured_queries[-1]['sql']}) q"  # noqa: S608
    operations.append(
        {
            "name": f"queue of {executor.code} ({open_count:,} open), page 1",
            "path": "/api/v1/queue/",
            "sql": (queue_sql, None),
            "tipg": None,
            "weight": 0.1,
            "token": access_token_issue(user=staff)[1],
        }
    )

    # The dashboard: the statements the API runs for the period, replayed in one connection.
    leader = User.objects.get(username="dispatcher")
    today = timezone.localdate()
    for title, days in (("30 days", 30), ("two years", 730)):
        query = {"from": (today - datetime.timedelta(days=days - 1)).isoformat(), "to": today.isoformat()}
        form = DashboardFilterForm(query)
        assert form.is_valid(), form.errors
        with CaptureQueriesContext(connection) as captured:
            dashboard_get(filters=form.to_filter())
        statements = ";\n".join(q["sql"] for q in captured.captured_queries)
        operations.append(
            {
                "name": f"dashboard, {title}",
                "path": "/api/v1/dashboard/?" + urllib.parse.urlencode(query),
                "sql": (statements, None),
                "tipg": None,
                "weight": 0.05 if days > 30 else 0.2,
                "token": access_token_issue(user=leader)[1],
            }
        )
    assert IssueStatus.NEW in OPEN
    return operations, fixtures


# --- the run ----------------------------------------------------------------------------------------


def measure(args) -> None:
    """One database: prepare it, start gunicorn and tipg, time the operations; the results as JSON."""
    server = server_url()
    url = create_database(server, f"opencity_bench_{args.count}")
    http_bench.prepare_database(count=args.count, days=args.days, url=url)
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*), count(*) FILTER (WHERE status IN ('new', 'assigned', 'in_progress', 'planned')) "
            "FROM issues_issue"
        )
        issues, open_issues = cursor.fetchone()
    operations = map_operations()
    fixtures = None
    if args.part == "all":
        more, fixtures = product_operations(url)
        operations += more
    connection.close()

    app, app_port = http_bench.start_server(url, args.workers)
    try:
        tipg, tipg_port = tipg_start(url)
    except BaseException:
        http_bench.stop_server(app)
        raise
    results = {"count": issues, "open": open_issues, "operations": []}
    print(
        f"\n{issues:,} issues ({open_issues:,} open) — app p50/p95, its bare SQL, tipg; ms "
        f"(load average {os.getloadavg()[0]:.1f})"
    )
    print(
        f"{'operation':<34} {'app p50':>8} {'app p95':>8} {'SQL p50':>8} {'app÷SQL':>8} {'tipg p50':>9} {'tipg÷app':>9}"
    )
    try:
        for operation in operations:
            repeat = max(3, int(args.repeat * operation["weight"]))
            client = http_bench.Client(app_port, token=operation.get("token"))
            samples = http_bench.time_http(
                client, "GET", operation["path"], repeat, expect=operation.get("expect", 200)
            )
            sql, params = operation["sql"]
            bare = http_bench.time_sql(url, sql, params, repeat)
            row = {
                "name": operation["name"],
                "app_p50": statistics.median(samples),
                "app_p95": http_bench.percentile(samples, 0.95),
                "sql_p50": statistics.median(bare),
                "tipg_p50": None,
            }
            if operation["tipg"]:
                tipg_samples = tipg_time(tipg_port, operation["tipg"], repeat)
                row["tipg_p50"] = statistics.median(tipg_samples) if tipg_samples else None
            results["operations"].append(row)
            print(format_row(row), flush=True)
        if fixtures is not None:
            results["creates"] = creation(args, url, app_port, fixtures)
    finally:
        http_bench.stop_server(app)
        http_bench.stop_server(tipg)
    Path(args.out).write_text(json.dumps(results))


def tipg_time(port: int, path: str, repeat: int) -> list[float]:
    """tipg's answer times; an error answer (a request tipg cannot serve) is reported, not timed."""
    client = http_bench.Client(port)
    status, body, _ = client.request("GET", path)
    if status not in (200, 204):
        print(f"    tipg answered {status} to {path[:100]}: {body[:160]!r}", flush=True)
        return []
    return http_bench.time_http(client, "GET", path, repeat, expect=status)


def creation(args, url: str, port: int, fixtures: dict) -> dict:
    """Reports through `POST /api/v1/issues/` with 1 and 2 clients, against the bare transaction."""
    bare = http_bench.time_sql(url, http_bench.CREATE_SQL, None, 50)
    result = {"bare_p50": statistics.median(bare)}
    print(f"\n{'creation':<34} {'issues/s':>8} {'p50 ms':>8} {'p95 ms':>8}")
    for clients in (1, 2):
        rate, latencies = http_bench.creates(
            port, fixtures["tokens"], clients, fixtures["category"], fixtures["places"], args.seconds
        )
        result[f"clients_{clients}"] = {
            "rate": rate,
            "p50": statistics.median(latencies),
            "p95": http_bench.percentile(latencies, 0.95),
        }
        print(
            f"{f'create, {clients} client' + ('s' if clients > 1 else ''):<34} {rate:8.1f} "
            f"{statistics.median(latencies):8.1f} {http_bench.percentile(latencies, 0.95):8.1f}",
            flush=True,
        )
    print(f"{'bare transaction (issue + event)':<34} {1000 / result['bare_p50']:8.1f} {result['bare_p50']:8.2f}")
    return result


def format_row(row: dict) -> str:
    tipg = row["tipg_p50"]
    return (
        f"{row['name']:<34} {row['app_p50']:8.2f} {row['app_p95']:8.2f} {row['sql_p50']:8.2f} "
        f"{row['app_p50'] / row['sql_p50']:7.2f}× "
        + (f"{tipg:9.2f} {tipg / row['app_p50']:8.1f}×" if tipg else f"{'—':>9} {'—':>9}")
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--count", type=int, default=1_000_000, help="issues in the whole product's run")
    parser.add_argument("--small", type=int, default=100_000, help="issues in the map's second run (0: none)")
    parser.add_argument("--days", type=int, default=730, help="the generated issues' span")
    parser.add_argument("--repeat", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=10, help="how long each creation run lasts")
    parser.add_argument("--workers", type=int, default=2)
    # internal: one database's measurement, in a process of its own
    parser.add_argument("--part", choices=["all", "map"], help=argparse.SUPPRESS)
    parser.add_argument("--out", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.part:
        measure(args)
        return

    print(
        f"make bench, {datetime.datetime.now(datetime.UTC):%Y-%m-%d %H:%M} UTC: {os.cpu_count()} CPUs "
        f"({platform.processor() or platform.machine()}), {platform.platform()}, Python {platform.python_version()}",
        flush=True,
    )
    runs = [(args.count, "all")] + ([(args.small, "map")] if args.small else [])
    results = {}
    for count, part in runs:
        out = ROOT / "var" / f"bench-{count}.json"
        command = [sys.executable, __file__, "--part", part, "--count", str(count), "--out", str(out)]
        command += ["--days", str(args.days), "--repeat", str(args.repeat), "--seconds", str(args.seconds)]
        command += ["--workers", str(args.workers)]
        subprocess.run(command, check=True)
        results[count] = json.loads(out.read_text())
    if args.small:
        large, small = results[args.count], results[args.small]
        print(f"\nThe map at {large['count']:,} against {small['count']:,} issues (app p50, ms)")
        print(f"{'operation':<34} {'large':>8} {'small':>8} {'large÷small':>12}")
        smaller = {row["name"]: row for row in small["operations"]}
        for row in large["operations"]:
            other = smaller.get(row["name"])
            if other:
                print(
                    f"{row['name']:<34} {row['app_p50']:8.2f} {other['app_p50']:8.2f} "
                    f"{row['app_p50'] / other['app_p50']:11.2f}×"
                )


if __name__ == "__main__":
    main()
