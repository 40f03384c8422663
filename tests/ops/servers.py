"""Start and stop real servers for the ops tests: gunicorn instances (one way, with the deployed
configuration), db_worker processes and PgBouncer, as separate OS processes against the suite's test
database. Everything listens on 127.0.0.1 (free ports) or a unix socket."""

from __future__ import annotations

import http.client
import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parents[2]
VENV_BIN = Path(sys.executable).parent


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def database_url(settings_dict: dict, *, host: str | None = None, port: str | int | None = None) -> str:
    """A DATABASE_URL for a Django connection's settings (optionally another host and port)."""
    host = str(host or settings_dict["HOST"])
    port = port or settings_dict["PORT"]
    return f"postgis://{settings_dict['USER']}@{quote(host, safe='')}:{port}/{settings_dict['NAME']}"


def server_environment(url: str, **extra: str) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith(("DJANGO_", "DATABASE_"))}
    env.update(DJANGO_SETTINGS_MODULE="tests.ops.server_settings", DATABASE_URL=url, PYTHONPATH=str(ROOT))
    env.update(extra)
    return env


@dataclass
class Process:
    name: str
    popen: subprocess.Popen
    log: Path
    url: str = ""
    bind: str = ""
    port: int | None = None
    extra: dict = field(default_factory=dict)

    def stop(self, timeout: float = 10) -> None:
        """Stop the process (and its children: gunicorn's workers) by its own process group."""
        if self.popen.poll() is None:
            os.killpg(self.popen.pid, signal.SIGTERM)
            try:
                self.popen.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                os.killpg(self.popen.pid, signal.SIGKILL)
                self.popen.wait(timeout=timeout)

    def output(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""


def _spawn(name: str, args: list[str], env: dict[str, str], log_dir: Path) -> Process:
    log = log_dir / f"{name}.log"
    with log.open("wb") as out:
        popen = subprocess.Popen(  # noqa: S603
            args, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
    return Process(name=name, popen=popen, log=log)


class UnixConnection(http.client.HTTPConnection):
    """HTTP over a unix socket (gunicorn bound to `unix:<path>`, as behind nginx)."""

    def __init__(self, path: str, timeout: float = 10) -> None:
        super().__init__("localhost", timeout=timeout)
        self.socket_path = path

    def connect(self) -> None:
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.settimeout(self.timeout)
        self.sock.connect(self.socket_path)


def _answers(bind: str, path: str) -> bool:
    """Whether the server at `bind` answers `path` with a 200."""
    if bind.startswith("unix:"):
        conn: http.client.HTTPConnection = UnixConnection(bind.removeprefix("unix:"))
    else:
        host, port = bind.rsplit(":", 1)
        conn = http.client.HTTPConnection(host, int(port), timeout=10)
    try:
        conn.request("GET", path, headers={"Host": "localhost"})
        return conn.getresponse().status == 200
    except OSError:  # not listening yet, or its first answer slow on a busy machine
        return False
    finally:
        conn.close()


def start_gunicorn(
    name: str,
    log_dir: Path,
    *,
    environment: dict[str, str],
    bind: str | None = None,
    workers: int | None = None,
    threads: int | None = None,
) -> Process:
    """gunicorn with the deployed configuration (deploy/gunicorn.conf.py) and the given environment
    (`server_environment(...)` for the test settings, `production_env(...)` for production), bound to
    `bind` (`unix:<path>`) or to 127.0.0.1:<a free port>; returns once /healthz answers 200.
    `workers`/`threads` default to the configuration's (2 × 4)."""
    port = None
    if bind is None:
        port = free_port()
        bind = f"127.0.0.1:{port}"
    env = {**environment, "OPENCITY_BIND": bind}
    if workers is not None:
        env["OPENCITY_WEB_WORKERS"] = str(workers)
    if threads is not None:
        env["OPENCITY_WEB_THREADS"] = str(threads)
    args = [str(VENV_BIN / "gunicorn"), "-c", "deploy/gunicorn.conf.py", "--graceful-timeout=5", "opencity.wsgi"]
    process = _spawn(name, args, env, log_dir)
    process.bind, process.port = bind, port
    process.url = f"http://{bind}" if port else ""
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if process.popen.poll() is not None:
                raise RuntimeError(f"{name} exited:\n{process.output()}")
            if _answers(bind, "/healthz"):
                return process
            time.sleep(0.2)
        raise RuntimeError(f"{name} did not answer in time:\n{process.output()}")
    except BaseException:
        process.stop()  # never leave a server behind when the test cannot use it
        raise


def start_worker(name: str, url: str, log_dir: Path, *, interval: float = 0.05, env: dict | None = None) -> Process:
    """`manage.py db_worker` with a fixed worker id; its connections are named after it (PGAPPNAME)."""
    args = [
        sys.executable,
        "manage.py",
        "db_worker",
        f"--worker-id={name}",
        f"--interval={interval}",
        "--no-startup-delay",
        "--no-reload",
    ]
    return _spawn(name, args, server_environment(url, PGAPPNAME=name, **(env or {})), log_dir)


@dataclass
class PgBouncer:
    port: int
    process: Process

    def stop(self) -> None:
        self.process.stop()


def start_pgbouncer(
    directory: Path, *, server_host: str, server_port: str | int, database: str, pool_size: int = 2
) -> PgBouncer:
    """PgBouncer in transaction mode on 127.0.0.1 in front of one database of a local server.

    `auth_type = any` with the server user fixed in [databases]: the server trusts its socket, and
    PgBouncer listens on loopback only. Run as the `postgres` OS user (PgBouncer refuses root)."""
    import pwd

    port = free_port()
    directory.mkdir(parents=True, exist_ok=True)
    config = directory / "pgbouncer.ini"
    config.write_text(
        "[databases]\n"
        f"{database} = host={server_host} port={server_port} dbname={database} user=postgres\n"
        "[pgbouncer]\n"
        "listen_addr = 127.0.0.1\n"
        f"listen_port = {port}\n"
        "unix_socket_dir =\n"
        "auth_type = any\n"
        "pool_mode = transaction\n"
        f"default_pool_size = {pool_size}\n"
        "max_client_conn = 200\n"
        "server_round_robin = 0\n"
        "ignore_startup_parameters = extra_float_digits\n"
        f"pidfile = {directory / 'pgbouncer.pid'}\n"
    )
    args = ["/usr/sbin/pgbouncer", str(config)]
    if os.geteuid() == 0:
        server = pwd.getpwnam("postgres")
        os.chown(directory, server.pw_uid, server.pw_gid)
        args = ["runuser", "-u", "postgres", "--", *args]
    process = _spawn("pgbouncer", args, dict(os.environ), directory)
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        if process.popen.poll() is not None:
            raise RuntimeError(f"pgbouncer exited:\n{process.output()}")
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return PgBouncer(port=port, process=process)
        time.sleep(0.05)
    process.stop()
    raise RuntimeError(f"pgbouncer did not listen:\n{process.output()}")
