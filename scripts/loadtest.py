"""Load test: citizens browsing the map and reporting, executors working their queue, against the
production configuration exactly as `make run-prod` starts it, on 127.0.0.1 with the Drohobych demo
data. Locust drives it as a library; bounded in time and requests.

    make load                                     # one minute, own database under var/load-pg
    .venv/bin/python scripts/loadtest.py --duration 60 --users 30 [--max-requests 60000]
    .venv/bin/python scripts/loadtest.py --url http://127.0.0.1:8000 --duration 5   # an existing server

Without --url it starts its own PostgreSQL cluster (OPENCITY_LOAD_PG_DIR, default var/load-pg, with the
project's normal durability settings), migrates, loads the demo (`opencity_load_demo`), adds the load
accounts, drains the demo's media tasks, and then runs `scripts/run_prod.sh` (what `make run-prod` runs:
opencity.settings.production, gunicorn with deploy/gunicorn.conf.py, WhiteNoise, two db_workers, the SLA
sweep loop and the media pruning) against that database on a free port; everything is stopped at the
end (the cluster too, unless --keep). With --url the server must hold the demo data and the load
accounts (see `setup_accounts`).

It prints requests per second, latency percentiles per route and the errors, and exits 1 if any answer
was a 5xx or a connection failed. Loopback only: the URL must be on 127.0.0.1.
"""

from __future__ import annotations

# Locust patches the standard library with gevent; it must come before anything that uses sockets.
from gevent import monkey  # isort: skip

monkey.patch_all()

import argparse  # noqa: E402
import datetime  # noqa: E402
import os  # noqa: E402
import platform  # noqa: E402
import random  # noqa: E402
import signal  # noqa: E402
import socket  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402
from urllib.parse import urlparse  # noqa: E402

import gevent  # noqa: E402
from locust import HttpUser, between, events, task  # noqa: E402
from locust.env import Environment  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from opencity.localdb import LocalCluster  # noqa: E402

# Drohobych's town centre and the box the map's viewports are drawn in (all inside the community).
CENTRE_LAT, CENTRE_LON = 49.3487, 23.5069
CITY_BOX = (23.475, 49.330, 23.540, 49.368)  # min lon, min lat, max lon, max lat
# Demo categories a citizen can report without a photo or a required extra answer.
REPORT_CATEGORIES = ["road-sign", "overflowing-bins", "fallen-tree", "grass-cutting", "bus-stop", "snow-ice"]
LOAD_CITIZENS = 40
LOAD_PASSWORD = "load-test-password-1"  # noqa: S105 (accounts made by this script on its own database)
EXECUTOR_ACCOUNTS = ["roads", "lighting", "water", "heating", "waste", "parks", "housing", "transport"]


class Accounts:
    """Who the simulated people sign in as (set from the command line before the run)."""

    citizens: list[str] = [f"load-citizen-{number}" for number in range(LOAD_CITIZENS)]
    citizen_password: str = LOAD_PASSWORD
    executors: list[str] = EXECUTOR_ACCOUNTS
    executor_password: str = os.environ.get("OPENCITY_DEMO_PASSWORD", "opencity-demo")
    categories: list[str] = REPORT_CATEGORIES


def random_bbox() -> str:
    """A viewport of about a phone's screen at zoom 15-16 somewhere in the city."""
    width, height = random.uniform(0.006, 0.02), random.uniform(0.004, 0.012)  # noqa: S311
    lon = random.uniform(CITY_BOX[0], CITY_BOX[2] - width)  # noqa: S311
    lat = random.uniform(CITY_BOX[1], CITY_BOX[3] - height)  # noqa: S311
    return f"{lon:.5f},{lat:.5f},{lon + width:.5f},{lat + height:.5f}"


def signed_in_token(user: HttpUser, username: str, password: str) -> dict:
    response = user.client.post(
        "/api/v1/auth/token/", data={"username": username, "password": password}, name="POST /api/v1/auth/token/"
    )
    response.raise_for_status()
    return {"Authorization": f"Token {response.json()['token']}"}


class BrowsingCitizen(HttpUser):
    """Looks at the map in random viewports, opens an issue now and then."""

    weight = 7
    wait_time = between(0.5, 2.0)
    refs: list[str] = []

    @task(6)
    def map_layer(self) -> None:
        response = self.client.get(
            f"/api/v1/issues/?bbox={random_bbox()}&limit=300", name="GET /api/v1/issues/?bbox (map layer)"
        )
        if response.ok:
            features = response.json().get("features", [])
            if features:
                BrowsingCitizen.refs = [feature["properties"]["ref"] for feature in features[:50]]

    @task(1)
    def outage_layer(self) -> None:
        self.client.get("/api/v1/outages/", name="GET /api/v1/outages/")

    @task(2)
    def issue_page(self) -> None:
        if BrowsingCitizen.refs:
            ref = random.choice(BrowsingCitizen.refs)  # noqa: S311
            self.client.get(f"/issues/{ref}/", name="GET /issues/<ref>/ (page)")


class ReportingCitizen(HttpUser):
    """Signs in with a token and reports problems at random points in the city."""

    weight = 2
    wait_time = between(1.0, 4.0)
    counter = 0

    def on_start(self) -> None:
        ReportingCitizen.counter += 1
        username = Accounts.citizens[ReportingCitizen.counter % len(Accounts.citizens)]
        self.headers = signed_in_token(self, username, Accounts.citizen_password)

    @task
    def report(self) -> None:
        lon = random.uniform(CITY_BOX[0], CITY_BOX[2])  # noqa: S311
        lat = random.uniform(CITY_BOX[1], CITY_BOX[3])  # noqa: S311
        body = {
            "category": random.choice(Accounts.categories),  # noqa: S311
            "description": "Навантажувальний тест: проблема на вулиці",
            "location": {"type": "Point", "coordinates": [round(lon, 6), round(lat, 6)]},
            "address": "вул. Тестова, 1",
        }
        self.client.post("/api/v1/issues/", json=body, headers=self.headers, name="POST /api/v1/issues/")


class Executor(HttpUser):
    """A department's staff member: reads the queue, accepts what is assigned, resolves what is in hand."""

    weight = 1
    wait_time = between(1.0, 3.0)
    counter = 0

    def on_start(self) -> None:
        Executor.counter += 1
        username = Accounts.executors[Executor.counter % len(Accounts.executors)]
        self.headers = signed_in_token(self, username, Accounts.executor_password)

    @task
    def work_the_queue(self) -> None:
        response = self.client.get("/api/v1/queue/", headers=self.headers, name="GET /api/v1/queue/")
        if not response.ok:
            return
        items = response.json()
        if not items:
            return
        item = random.choice(items[:20])  # noqa: S311
        if item["status"] == "assigned":
            in_a_week = datetime.datetime.now(datetime.UTC).date() + datetime.timedelta(days=7)
            body = {"action": "accept", "promised_date": in_a_week.isoformat()}
        elif item["status"] == "in_progress":
            body = {"action": "resolve", "note": "Виконано (навантажувальний тест)"}
        else:
            return
        # Designed answers, not failures: two colleagues acting on one issue at once (the loser's 409),
        # and resolving without the "after" photo that some categories require (400 after_photo_required).
        with self.client.post(
            f"/api/v1/issues/{item['ref']}/transition/",
            json=body,
            headers=self.headers,
            name="POST /api/v1/issues/<ref>/transition/",
            catch_response=True,
        ) as answer:
            if answer.status_code == 409 or (
                answer.status_code == 400 and answer.json().get("code") == "after_photo_required"
            ):
                answer.success()


# --- Running it ------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def manage(env: dict, *args: str) -> str:
    result = subprocess.run(  # noqa: S603
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        sys.exit(f"manage.py {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
    return result.stdout


SETUP_ACCOUNTS = f"""
from django.utils import timezone
from accounts.models import User
for number in range({LOAD_CITIZENS}):
    user, created = User.objects.get_or_create(
        username=f"load-citizen-{{number}}", defaults={{"email": f"load{{number}}@example.org"}}
    )
    if created or not user.email_confirmed_at:
        user.set_password("{LOAD_PASSWORD}")
        user.email_confirmed_at = timezone.now()
        user.save()
"""


def setup_accounts(env: dict) -> None:
    """The load citizens (confirmed e-mail, known password); the executors are the demo accounts."""
    manage(env, "shell", "-c", SETUP_ACCOUNTS)


def wait_for(url: str, process: subprocess.Popen, timeout: float = 60) -> None:
    import requests

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            sys.exit("gunicorn exited before it answered")
        try:
            requests.get(f"{url}/api/v1/categories/", timeout=5)
            return
        except requests.RequestException:
            time.sleep(0.3)
    sys.exit(f"{url} did not answer in {timeout} s")


def percentile(entry, fraction: float) -> float:
    return entry.get_response_time_percentile(fraction) if entry.num_requests else 0


def print_table(environment: Environment, elapsed: float, server_errors: int, users: int) -> None:
    stats = environment.stats
    rows = sorted(stats.entries.values(), key=lambda entry: -entry.num_requests)
    print()
    print("| route | requests | req/s | p50 ms | p90 ms | p99 ms | max ms | failures |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for entry in rows:
        print(
            f"| {entry.name} | {entry.num_requests} | {entry.num_requests / elapsed:.1f} | "
            f"{percentile(entry, 0.5):.0f} | {percentile(entry, 0.9):.0f} | {percentile(entry, 0.99):.0f} | "
            f"{entry.max_response_time or 0:.0f} | {entry.num_failures} |"
        )
    total = stats.total
    print(
        f"| **all** | **{total.num_requests}** | **{total.num_requests / elapsed:.1f}** | "
        f"{percentile(total, 0.5):.0f} | {percentile(total, 0.9):.0f} | {percentile(total, 0.99):.0f} | "
        f"{total.max_response_time or 0:.0f} | {total.num_failures} |"
    )
    print()
    print(
        f"Run: {elapsed:.1f} s, {users} users; 5xx answers: {server_errors}; "
        f"failures (any non-2xx but a transition's designed 409/400, or no answer): {total.num_failures}"
    )
    for error in stats.errors.values():
        print(f"  {error.occurrences} × {error.method} {error.name}: {error.error}")


def run_load(url: str, *, users: int, spawn_rate: float, duration: float, max_requests: int) -> int:
    """Run the users against `url` for `duration` seconds or `max_requests` requests; 1 on any 5xx."""
    host = urlparse(url).hostname
    if host not in ("127.0.0.1", "localhost"):
        sys.exit("The load test runs against 127.0.0.1 only.")
    environment = Environment(user_classes=[BrowsingCitizen, ReportingCitizen, Executor], host=url, events=events)
    runner = environment.create_local_runner()
    server_errors = no_answer = 0

    def on_request(response=None, exception=None, **_kwargs) -> None:
        nonlocal server_errors, no_answer
        status = getattr(response, "status_code", 0) or 0
        if status >= 500:
            server_errors += 1
        elif exception is not None and status == 0:  # refused, reset or timed out: no HTTP answer at all
            no_answer += 1
        if environment.stats.total.num_requests >= max_requests and runner.state != "stopped":
            gevent.spawn(runner.quit)

    environment.events.request.add_listener(on_request)
    started = time.monotonic()
    runner.start(users, spawn_rate=spawn_rate)
    stopper = gevent.spawn_later(duration, runner.quit)
    runner.greenlet.join()
    stopper.kill()
    elapsed = time.monotonic() - started
    print_table(environment, elapsed, server_errors, users)
    print(f"Requests with no answer at all: {no_answer}")
    return 1 if server_errors or no_answer else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--url", help="an already running server on 127.0.0.1 (skips all set-up)")
    parser.add_argument("--duration", type=float, default=60.0, help="seconds (default 60)")
    parser.add_argument("--users", type=int, default=30, help="simulated people at once (default 30)")
    parser.add_argument("--spawn-rate", type=float, default=10.0, help="users started per second")
    parser.add_argument("--max-requests", type=int, default=100_000, help="stop after this many requests")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn worker processes (default 2)")
    parser.add_argument("--threads", type=int, default=4, help="threads per gunicorn worker (default 4)")
    parser.add_argument("--keep", action="store_true", help="leave the load database's cluster running")
    parser.add_argument(
        "--database",
        default="opencity",
        help="database in the load cluster (e.g. opencity_size, made by measure_size.py)",
    )
    parser.add_argument("--citizens", help="comma-separated citizen accounts (default: the load accounts)")
    parser.add_argument("--citizen-password", default=LOAD_PASSWORD)
    parser.add_argument("--executors", help="comma-separated executor staff accounts (default: the demo's)")
    parser.add_argument("--executor-password", default=Accounts.executor_password)
    parser.add_argument("--categories", help="comma-separated category codes to report in (default: demo ones)")
    args = parser.parse_args(argv)
    Accounts.citizen_password, Accounts.executor_password = args.citizen_password, args.executor_password
    if args.citizens:
        Accounts.citizens = args.citizens.split(",")
    if args.executors:
        Accounts.executors = args.executors.split(",")
    if args.categories:
        Accounts.categories = args.categories.split(",")

    if args.url:
        return run_load(
            args.url,
            users=args.users,
            spawn_rate=args.spawn_rate,
            duration=args.duration,
            max_requests=args.max_requests,
        )

    cluster = LocalCluster(Path(os.environ.get("OPENCITY_LOAD_PG_DIR") or ROOT / "var" / "load-pg"), 54333)
    cluster.start()
    cluster.create_database(args.database)
    env = {key: value for key, value in os.environ.items() if not key.startswith(("DJANGO_", "DATABASE_"))}
    env.update(
        DJANGO_SETTINGS_MODULE="opencity.settings.local",
        DJANGO_DEBUG="0",
        DATABASE_URL=cluster.url(args.database),
        # The per-account report limit (10 an hour) would turn a load test into a test of the limit.
        OPENCITY_REPORTS_PER_HOUR="1000000",
        OPENCITY_EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
    )
    processes: list[subprocess.Popen] = []
    try:
        print("==> migrate, cache table, demo data, load accounts", flush=True)
        manage(env, "migrate", "--noinput", "-v", "0")
        manage(env, "createcachetable")
        count_issues = ("shell", "-v", "0", "-c", "from issues.models import Issue; print(Issue.objects.count())")
        if manage(env, *count_issues).strip() == "0":  # the demo, once (about a minute and a half here)
            manage(env, "opencity_load_demo", "-v", "0")
        setup_accounts(env)
        counts = manage(env, *count_issues)
        # Work left over from loading the demo (its photos' derivatives) is done before, not during.
        manage(env, "db_worker", "--batch", "--no-startup-delay", "--no-reload")
        port = free_port()
        url = f"http://127.0.0.1:{port}"
        load_dir = cluster.directory.parent / f"{cluster.directory.name}-run-prod"
        prod_env = {key: value for key, value in env.items() if not key.startswith("OPENCITY_EMAIL")}
        prod_env.update(
            HOST="127.0.0.1",
            PORT=str(port),
            OPENCITY_WEB_WORKERS=str(args.workers),
            OPENCITY_WEB_THREADS=str(args.threads),
            # A media directory and a mail directory of this database's own: the prune of one
            # database must never see another's files.
            OPENCITY_MEDIA_ROOT=str(load_dir / "media"),
            OPENCITY_EMAIL_FILE_PATH=str(load_dir / "mail"),
            OPENCITY_STATIC_ROOT=str(load_dir / "static"),
            # Every simulated person comes from 127.0.0.1: the per-address API limits (anonymous
            # calls, token sign-ins) would make this a test of the limits; so would the per-account
            # report limit (set above).
            OPENCITY_API_ANON_RATE="1000000/minute",
            OPENCITY_API_AUTH_RATE="1000000/minute",
            OPENCITY_API_USER_RATE="1000000/minute",
        )
        # run_prod.sh sets DJANGO_SETTINGS_MODULE=opencity.settings.production itself.
        prod_env.pop("DJANGO_SETTINGS_MODULE", None)
        prod_env.pop("DJANGO_DEBUG", None)
        with (cluster.directory / "load-run-prod.log").open("wb") as log:
            processes.append(
                subprocess.Popen(  # noqa: S603
                    ["bash", "scripts/run_prod.sh"],
                    cwd=ROOT,
                    env=prod_env,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                    start_new_session=True,
                )
            )
        wait_for(url, processes[0], timeout=300)
        print(
            f"==> {args.users} users for {args.duration:.0f} s (at most {args.max_requests} requests) against "
            f"make run-prod (scripts/run_prod.sh: production settings, gunicorn --workers {args.workers} "
            f"--threads {args.threads}, two db_workers, the sweep loop) at {url}; "
            f"{counts.strip()} issues in the database; {os.cpu_count()} CPUs, {platform.platform()}",
            flush=True,
        )
        return run_load(
            url, users=args.users, spawn_rate=args.spawn_rate, duration=args.duration, max_requests=args.max_requests
        )
    finally:
        for process in processes:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        for process in processes:
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
        if not args.keep:
            cluster.stop()


if __name__ == "__main__":
    sys.exit(main())
