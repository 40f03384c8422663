"""The fixed cost of a request, creation throughput and Open311 pages: the app through HTTP against
the bare SQL that gives the same answer (issue 13, item 4).

Uses a database of its own (OPENCITY_BENCH_REQUESTS_DATABASE_URL, or `opencity_bench_requests` in the
cluster of `make bench` under var/bench-pg), with `--count` generated issues over `--days` (100,000
over 120 days by default, so that Open311's 90-day window holds more than 50 pages of 1,000; generated
on the first run, reused while they match). It starts gunicorn with the production settings
(deploy/gunicorn.conf.py, `--workers` processes, DEBUG off, persistent connections, WhiteNoise) on a
free port of 127.0.0.1 and times, one client on a keep-alive connection:

- issue detail (`GET /api/v1/issues/<ref>/`), nearby, outages/at: the small answers;
- Open311 `requests.json` page 1 and page 50 of 1,000 requests (the keyset cursor);
- `HEAD /` (the home page);
- creating issues through `POST /api/v1/issues/` with 1 and 2 clients (issues per second).

Each read runs once to warm up and then `--repeat` times; p50 and p95 are printed with the bare
SQL's p50 (the same answer assembled by PostgreSQL, run through psycopg on a persistent connection
from this process) and the ratio. The machine is shared: compare the ratios, and repeat.

    .venv/bin/python scripts/bench_requests.py [--count 100000] [--repeat 200] [--workers 2] [--only NAME]
        [--code DIR]   # the server from another checkout: `git archive main | tar -x -C DIR`, before/after
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

# The traffic of many people, as a city's site gets it: each request comes from one of this many
# client addresses (X-Forwarded-For, behind one trusted proxy as in deploy/), and the reports are
# made by this many accounts; the API limits per address and per account stay the production ones.
CLIENT_ADDRESSES = 5000
ACCOUNTS = 40
BENCH_SECRET_KEY = "bench-key-NOT-A-SECRET"  # noqa: S105 — the benchmark database's own, printed in the docs


def database_url() -> str:
    """OPENCITY_BENCH_REQUESTS_DATABASE_URL, or a database of its own (not `make bench`'s million
    issues, which this script would replace) in the benchmark cluster under var/bench-pg."""
    url = os.environ.get("OPENCITY_BENCH_REQUESTS_DATABASE_URL")
    if url:
        return url
    from opencity.localdb import LocalCluster

    cluster = LocalCluster(ROOT / "var" / "bench-pg", int(os.environ.get("OPENCITY_BENCH_PORT", "54331")))
    cluster.start(fast_unsafe=True)
    cluster.create_database("opencity_bench_requests")
    return cluster.url("opencity_bench_requests")


def prepare_database(*, count: int, days: int, url: str | None = None) -> str:
    """The benchmark database (migrated, reference data, `count` generated issues over `days`); its
    URL. `url` names another database than this script's own (`make bench` has one per count)."""
    url = url or database_url()
    os.environ["DATABASE_URL"] = url
    os.environ["DJANGO_SETTINGS_MODULE"] = "opencity.settings.local"
    # The server's key too: the Open311 cursor made here is signed with it.
    os.environ["DJANGO_SECRET_KEY"] = BENCH_SECRET_KEY
    os.environ["OPENCITY_STATEMENT_TIMEOUT_MS"] = "0"  # the generator's statements run for minutes
    import django

    django.setup()
    import datetime

    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone

    from demo.generator import issues_generate
    from demo.issues import demo_load
    from issues.models import Issue

    call_command("migrate", verbosity=0)
    call_command("createcachetable", verbosity=0)
    demo_load(with_history=False)
    generated = Issue.objects.filter(ref__startswith="GEN-")
    older = generated.filter(created_at__lt=timezone.now() - datetime.timedelta(days=days + 1)).exists()
    if generated.count() != count or older:
        print(f"Generating {count:,} issues over {days} days; this takes a few minutes…", flush=True)
        began = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute("TRUNCATE issues_issueevent, issues_issuefollower, issues_issuemedia, issues_issue CASCADE")
        written = issues_generate(count=count, days=days)
        print(f"  {written['issues']:,} issues, {written['events']:,} events in {time.perf_counter() - began:.0f} s")
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
    return url


def bench_fixtures() -> dict:
    """Two citizens with API tokens, the places and references the requests ask about, and the
    bare SQL of each read (run by this process, on the same database)."""
    import datetime

    from django.db import connection
    from django.db.models import Count, Exists, OuterRef
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from accounts.access_tokens import access_token_issue
    from accounts.models import User
    from geo.models import Outage
    from issues.models import Category, CategoryAttribute, Issue, IssueStatus, RoutingRule
    from issues.sql import issues_nearby
    from open311.params import cursor_token

    tokens = []
    for n in range(1, ACCOUNTS + 1):
        user, _ = User.objects.get_or_create(username=f"bench-client-{n}", defaults={"email": f"bench{n}@example.org"})
        user.email_confirmed_at = user.email_confirmed_at or timezone.now()
        user.save()
        tokens.append(access_token_issue(user=user)[1])
    required = CategoryAttribute.objects.filter(category=OuterRef("pk"), required=True)
    routed = RoutingRule.objects.filter(category=OuterRef("pk"), is_active=True)
    category = (
        Category.objects.filter(is_active=True, photo_required=False)
        .filter(Exists(routed))
        .exclude(Exists(required))
        .annotate(reported=Count("issues"))
        .order_by("-reported", "code")
        .first()
    )
    places = [
        (p.x, p.y) for p in Issue.objects.filter(category=category).order_by("?").values_list("point", flat=True)[:2000]
    ]
    detail = (
        Issue.objects.public()
        .filter(status=IssueStatus.CLOSED)
        .annotate(n=Count("events"))
        .filter(n__gte=4)
        .order_by("-created_at")
        .first()
    )
    near = Issue.objects.public().open().filter(category=category).order_by("-created_at").first()
    outage = Outage.objects.order_by("-pk").first()
    outage_point = outage.area.point_on_surface if outage is not None else near.point

    now = timezone.now()
    window = Issue.objects.public().filter(created_at__gte=now - datetime.timedelta(days=89))
    ordered = window.order_by("-created_at", "-pk").values_list("created_at", "pk")
    depth = 49 * 1000
    total = window.count()
    page50 = None
    if total > depth:
        at, pk = ordered[depth - 1]
        page50 = cursor_token("requests", at=at, pk=pk)

    with CaptureQueriesContext(connection) as captured:
        issues_nearby(lon=near.point.x, lat=near.point.y, category_id=category.pk, radius_m=category.duplicate_radius_m)
    nearby_sql = captured.captured_queries[-1]["sql"]
    start = now - datetime.timedelta(days=90)
    return {
        "tokens": tokens,
        "category": category.code,
        "places": places,
        "detail_ref": detail.ref,
        "near": (near.point.x, near.point.y, category.code),
        "outage_point": (outage_point.x, outage_point.y),
        "open311_total": total,
        "open311_page50": page50,
        "bare": {
            "detail": (DETAIL_SQL, {"ref": detail.ref}),
            "nearby": (nearby_sql, None),
            "outages/at": (OUTAGES_AT_SQL, {"lon": outage_point.x, "lat": outage_point.y}),
            "open311 page 1": (
                OPEN311_SQL,
                {"start": start, "cursor_at": None, "cursor_pk": None},
            ),
            "open311 page 50": (OPEN311_SQL, {"start": start, **_cursor(ordered, depth)}),
        },
    }


def _cursor(ordered, depth: int) -> dict:
    try:
        at, pk = ordered[depth - 1]
    except IndexError:
        return {"cursor_at": None, "cursor_pk": None}
    return {"cursor_at": at, "cursor_pk": pk}


# The bare SQL: the same answer assembled by PostgreSQL alone, in one statement.
DETAIL_SQL = """
SELECT json_build_object(
    'ref', i.ref, 'status', i.status, 'category', c.code, 'description', i.description,
    'address', i.address, 'location', ST_AsGeoJSON(i.point)::json, 'created_at', i.created_at,
    'updated_at', i.updated_at, 'support_count', i.support_count,
    'response_due_at', i.response_due_at, 'resolve_due_at', i.resolve_due_at,
    'district', d.name_uk, 'executor', x.name_uk,
    'timeline', (
        SELECT json_agg(json_build_object('kind', e.kind, 'at', e.at, 'from_status', e.from_status,
                                          'to_status', e.to_status, 'note', e.note, 'data', e.data)
                        ORDER BY e.at, e.id)
        FROM issues_issueevent e WHERE e.issue_id = i.id AND e.is_public
    )
)::text
FROM issues_issue i
JOIN issues_category c ON c.id = i.category_id
LEFT JOIN geo_district d ON d.id = i.district_id
LEFT JOIN accounts_executor x ON x.id = i.executor_id
WHERE i.ref = %(ref)s AND NOT i.is_hidden
"""

OUTAGES_AT_SQL = """
SELECT json_build_object('type', 'FeatureCollection', 'features', COALESCE(json_agg(json_build_object(
    'type', 'Feature', 'id', o.id, 'geometry', ST_AsGeoJSON(o.area)::json,
    'properties', json_build_object('kind', o.kind, 'nature', o.nature, 'streets', o.affected_streets,
                                    'notes', o.public_notes, 'starts_at', o.starts_at,
                                    'expected_end_at', o.expected_end_at)
)), '[]'::json))::text
FROM geo_outage o
WHERE ST_Covers(o.area, ST_SetSRID(ST_MakePoint(%(lon)s, %(lat)s), 4326))
  AND (o.ended_at IS NULL OR o.ended_at > now())
"""

# A page of 1,000 Open311 requests (the spec's fields: ids, status, texts, times, place, picture)
# read by keyset on issue_public_created_idx, like the app.
OPEN311_SQL = """
SELECT json_agg(r ORDER BY r.created_at DESC, r.id DESC)::text FROM (
    SELECT i.id, i.created_at, i.ref AS service_request_id, i.status, c.name_uk AS service_name,
           c.code AS service_code, i.description, x.name_uk AS agency_responsible,
           to_char(i.created_at AT TIME ZONE 'Europe/Kyiv', 'YYYY-MM-DD"T"HH24:MI:SS') AS requested_datetime,
           to_char(i.updated_at AT TIME ZONE 'Europe/Kyiv', 'YYYY-MM-DD"T"HH24:MI:SS') AS updated_datetime,
           to_char(i.resolve_due_at AT TIME ZONE 'Europe/Kyiv', 'YYYY-MM-DD"T"HH24:MI:SS') AS expected_datetime,
           i.address, round(ST_Y(i.point)::numeric, 6) AS lat, round(ST_X(i.point)::numeric, 6) AS long,
           (SELECT e.note FROM issues_issueevent e WHERE e.issue_id = i.id AND e.is_public AND e.to_status <> ''
            ORDER BY e.at DESC, e.id DESC LIMIT 1) AS status_notes,
           (SELECT a.public_id FROM issues_issuemedia m JOIN media_store_mediaasset a ON a.id = m.asset_id
            WHERE m.issue_id = i.id AND m.role = 'report' AND a.kind = 'photo' ORDER BY m.position, m.id LIMIT 1)
            AS media_url
    FROM issues_issue i
    JOIN issues_category c ON c.id = i.category_id
    LEFT JOIN accounts_executor x ON x.id = i.executor_id
    WHERE NOT i.is_hidden AND NOT i.awaiting_confirmation AND i.created_at >= %(start)s
      AND (%(cursor_at)s::timestamptz IS NULL
           OR (i.created_at <= %(cursor_at)s AND (i.created_at < %(cursor_at)s OR i.id < %(cursor_pk)s)))
    ORDER BY i.created_at DESC, i.id DESC
    LIMIT 1001
) r
"""

# --- timing ------------------------------------------------------------------------------------


def percentile(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def time_sql(url: str, sql: str, params, repeat: int) -> list[float]:
    """The bare statement through psycopg on one persistent connection, as the app's would be."""
    import psycopg2

    parsed = urllib.parse.urlparse(url)
    connection = psycopg2.connect(
        dbname=parsed.path.lstrip("/"),
        user=parsed.username,
        host=urllib.parse.unquote(parsed.hostname or "") or None,
        port=parsed.port,
        options="-c max_parallel_workers_per_gather=0",
    )
    connection.autocommit = True
    samples = []
    with connection.cursor() as cursor:
        for run in range(repeat + 1):
            began = time.perf_counter()
            cursor.execute(sql, params)
            if cursor.description:
                cursor.fetchall()
            if run:
                samples.append((time.perf_counter() - began) * 1000)
    connection.close()
    return samples


class Client:
    """One keep-alive HTTP/1.1 connection to the server."""

    def __init__(self, port: int, token: str | None = None) -> None:
        self.port = port
        self.token = token
        self.sent = 0
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)

    def request(
        self, method: str, path: str, body: bytes | None = None, headers: dict | None = None, token: str | None = None
    ):
        self.sent += 1
        n = self.sent * 7919 % CLIENT_ADDRESSES
        headers = {"Host": "127.0.0.1", "X-Forwarded-For": f"10.{n // 250}.{n % 250}.1", **(headers or {})}
        if token or self.token:
            headers["Authorization"] = f"Token {token or self.token}"
        for attempt in range(2):
            try:
                self.connection.request(method, path, body=body, headers=headers)
                response = self.connection.getresponse()
                data = response.read()
                return response.status, data, response
            except (http.client.RemoteDisconnected, ConnectionError, http.client.CannotSendRequest):
                # keep-alive closed by the server (5 s idle): reconnect once
                self.connection.close()
                self.connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
                if attempt:
                    raise
        raise AssertionError("unreachable")


def time_http(client: Client, method: str, path: str, repeat: int, expect: int = 200) -> list[float]:
    samples = []
    for run in range(repeat + 1):
        began = time.perf_counter()
        status, body, _ = client.request(method, path)
        elapsed = (time.perf_counter() - began) * 1000
        if status != expect:
            raise SystemExit(f"{method} {path}: {status} {body[:300]!r}")
        if run:
            samples.append(elapsed)
    return samples


def creates(
    port: int, tokens: list[str], clients: int, category: str, places: list, seconds: float
) -> tuple[float, list[float]]:
    """`clients` clients POSTing reports for `seconds`, each on its own connection, taking turns
    with their share of the accounts: issues made per second and the latency of each."""
    stop = time.perf_counter() + seconds
    made: list[int] = []
    latencies: list[float] = []
    lock = threading.Lock()

    def run(index: int, accounts: list[str]) -> None:
        client = Client(port)
        n = 0
        while time.perf_counter() < stop:
            lon, lat = places[(index * 7919 + n) % len(places)]
            n += 1
            body = json.dumps(
                {
                    "category": category,
                    "description": "Перевірка швидкості створення",
                    "address": "вул. Шевченка, 1",
                    "location": {"type": "Point", "coordinates": [lon, lat]},
                }
            ).encode()
            began = time.perf_counter()
            token = accounts[n % len(accounts)]
            status, answer, _ = client.request(
                "POST", "/api/v1/issues/", body, {"Content-Type": "application/json"}, token=token
            )
            elapsed = (time.perf_counter() - began) * 1000
            if status != 201:
                raise SystemExit(f"POST /api/v1/issues/: {status} {answer[:300]!r}")
            with lock:
                made.append(1)
                latencies.append(elapsed)

    threads = [threading.Thread(target=run, args=(i, tokens[i::clients])) for i in range(clients)]
    began = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return len(made) / (time.perf_counter() - began), latencies


# --- the server --------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_server(url: str, workers: int, code: Path = ROOT) -> tuple[subprocess.Popen, int]:
    """gunicorn with the production settings (as scripts/run_prod.sh starts it), on a free port.
    the production API limits (the requests come from CLIENT_ADDRESSES addresses and ACCOUNTS accounts)."""
    port = free_port()
    var = ROOT / "var"
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "DJANGO_SETTINGS_MODULE": "opencity.settings.production",
        "DJANGO_SECRET_KEY": BENCH_SECRET_KEY,
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
        "DJANGO_SECURE_COOKIES": "0",
        "DJANGO_SECURE_SSL_REDIRECT": "0",
        "OPENCITY_SITE_URL": "https://opencity.example",
        "OPENCITY_EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
        "OPENCITY_EMAIL_FILE_PATH": str(var / "bench-mail"),
        "OPENCITY_STATIC_ROOT": str(var / "bench-static"),
        "OPENCITY_BIND": f"127.0.0.1:{port}",
        "OPENCITY_WEB_WORKERS": str(workers),
        "OPENCITY_TRUSTED_PROXIES": "1",
        # A citizen's ten reports an hour is a rule of the service, not a cost: lifted, as `make load` does.
        "OPENCITY_REPORTS_PER_HOUR": "100000000",
    }
    env.pop("OPENCITY_STATEMENT_TIMEOUT_MS", None)
    python = str(ROOT / ".venv" / "bin" / "python")
    if not (var / "bench-static" / "staticfiles.json").exists():
        subprocess.run([python, "manage.py", "collectstatic", "--no-input", "-v", "0"], env=env, cwd=ROOT, check=True)
    log = open(var / "bench-gunicorn.log", "ab")  # noqa: SIM115 — open for the server's life
    server = subprocess.Popen(
        # No worker recycling during the run (deploy/gunicorn.conf.py recycles every ~2,000 requests).
        [
            str(ROOT / ".venv" / "bin" / "gunicorn"),
            "-c",
            "deploy/gunicorn.conf.py",
            "--max-requests",
            "0",
            "opencity.wsgi",
        ],
        env=env,
        cwd=code,
        stdout=log,
        stderr=log,
        start_new_session=True,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            status, _, _ = Client(port).request("GET", "/healthz")
            if status == 200:
                return server, port
        except OSError:
            time.sleep(0.3)
    server.kill()
    raise SystemExit("gunicorn did not answer /healthz within a minute (var/bench-gunicorn.log)")


def stop_server(server: subprocess.Popen) -> None:
    os.killpg(server.pid, signal.SIGTERM)
    try:
        server.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(server.pid, signal.SIGKILL)


# --- the run -----------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--count", type=int, default=100_000)
    parser.add_argument("--days", type=int, default=120, help="spread the generated issues over this many days")
    parser.add_argument("--repeat", type=int, default=200)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--seconds", type=float, default=10, help="how long each creation run lasts")
    parser.add_argument("--only", help="run only the operations whose name contains this")
    parser.add_argument(
        "--code",
        type=Path,
        default=ROOT,
        help="run the server from this checkout (e.g. `git archive main | tar -x -C DIR`: before and after)",
    )
    args = parser.parse_args()

    url = prepare_database(count=args.count, days=args.days)
    fixtures = bench_fixtures()
    print(
        f"{args.count:,} generated issues over {args.days} days; {fixtures['open311_total']:,} public in "
        f"Open311's 90-day window; gunicorn {args.workers} workers (production settings); "
        f"repeat {args.repeat}; load average {os.getloadavg()[0]:.1f}\n"
    )
    server, port = start_server(url, args.workers, args.code)
    try:
        run(args, url, port, fixtures)
    finally:
        stop_server(server)


def run(args, url: str, port: int, fixtures: dict) -> None:
    anonymous = Client(port)
    lon, lat, category = fixtures["near"]
    olon, olat = fixtures["outage_point"]
    reads = [
        ("detail", f"/api/v1/issues/{fixtures['detail_ref']}/", 0.1),
        ("nearby", f"/api/v1/issues/nearby/?lon={lon}&lat={lat}&category={category}", 0.1),
        ("outages/at", f"/api/v1/outages/at/?lon={olon}&lat={olat}", 0.1),
        ("open311 page 1", "/open311/v2/requests.json?page_size=1000", 1.0),
    ]
    if fixtures["open311_page50"]:
        reads.append(
            (
                "open311 page 50",
                "/open311/v2/requests.json?page_size=1000&cursor=" + urllib.parse.quote(fixtures["open311_page50"]),
                1.0,
            )
        )
    print(f"{'operation':<18} {'app p50':>9} {'app p95':>9} {'SQL p50':>9} {'SQL p95':>9} {'app−SQL':>9} {'ratio':>7}")
    for name, path, weight in reads:
        if args.only and args.only not in name:
            continue
        repeat = max(10, int(args.repeat * weight))
        app = time_http(anonymous, "GET", path, repeat)
        sql, params = fixtures["bare"][name]
        bare = time_sql(url, sql, params, repeat)
        a50, a95, s50, s95 = (
            statistics.median(app),
            percentile(app, 0.95),
            statistics.median(bare),
            percentile(bare, 0.95),
        )
        print(f"{name:<18} {a50:9.2f} {a95:9.2f} {s50:9.2f} {s95:9.2f} {a50 - s50:9.2f} {a50 / s50:6.1f}×", flush=True)
    if not args.only or "healthz" in args.only:
        # The floor: HTTP, gunicorn, every middleware and the log line, no database at all.
        floor = time_http(anonymous, "GET", "/healthz", max(10, args.repeat // 2))
        print(f"{'/healthz (floor)':<18} {statistics.median(floor):9.2f} {percentile(floor, 0.95):9.2f}", flush=True)
    if not args.only or "head" in args.only:
        status, _, _ = anonymous.request("HEAD", "/")
        if status == 200:
            head = time_http(anonymous, "HEAD", "/", max(10, args.repeat // 10))
            print(f"{'HEAD /':<18} {statistics.median(head):9.2f} {percentile(head, 0.95):9.2f}", flush=True)
        else:
            print(f"{'HEAD /':<18} answered {status}", flush=True)
    if not args.only or "create" in args.only:
        bare = time_sql(url, CREATE_SQL, None, args.repeat)
        print(f"\nbare create transaction (an issue and its event, committed): p50 {statistics.median(bare):.2f} ms")
        for clients in (1, 2):
            rate, latencies = creates(
                port, fixtures["tokens"], clients, fixtures["category"], fixtures["places"], args.seconds
            )
            print(
                f"create, {clients} client{'s' if clients > 1 else ' '}: {rate:6.1f} issues/s   "
                f"p50 {statistics.median(latencies):.1f} ms  p95 {percentile(latencies, 0.95):.1f} ms",
                flush=True,
            )


# One issue and its `created` event in one transaction: what storing a report needs at the least.
CREATE_SQL = """
WITH issue AS (
    INSERT INTO issues_issue (ref, category_id, description, point, address, status, source, idempotency_key,
                              created_at, updated_at, awaiting_confirmation, is_hidden, support_count, attributes)
    SELECT 'BARE-' || left(md5(random()::text), 16), c.id, 'bare', ST_SetSRID(ST_MakePoint(23.5, 49.35), 4326),
           'bare', 'new', 'api', '', now(), now(), false, true, 0, '{}'
    FROM issues_category c ORDER BY c.id LIMIT 1
    RETURNING id
), event AS (
    INSERT INTO issues_issueevent (issue_id, kind, at, from_status, to_status, is_public, note, data)
    SELECT id, 'created', now(), '', 'new', true, '', '{}' FROM issue RETURNING issue_id
)
DELETE FROM issues_issueevent WHERE false
"""


if __name__ == "__main__" and sys.argv[1:2] == ["--prepare-only"]:
    prepare_database(count=int(sys.argv[2]), days=int(sys.argv[3]))
elif __name__ == "__main__":
    main()
