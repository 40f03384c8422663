"""The project's own PostgreSQL + PostGIS cluster, for development and tests.

With no ``DATABASE_URL`` the project runs a private cluster under ``var/pg`` (``make run``) or in a
throwaway directory (the test suite). PostgreSQL refuses to run as root, so when we are root the
server programs run as the unprivileged ``postgres`` OS user, which the Debian package creates.
The server listens on a unix socket only: nothing else on the machine can collide with it.

Standard library only, so that it works before Django is importable.

    python -m opencity.localdb start|stop|status|url [--dir PATH] [--port N]
"""

from __future__ import annotations

import argparse
import glob
import hashlib
import os
import pwd
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DIR = ROOT / "var" / "pg"
DEFAULT_PORT = 54329
DATABASE_NAME = "opencity"
SERVER_USER = "postgres"

# Settings for a cluster whose data may be thrown away: a crash loses at most the last moments,
# which is fine for development and tests and makes them several times faster.
FAST_UNSAFE_SETTINGS = ("fsync=off", "synchronous_commit=off", "full_page_writes=off")


class LocalDatabaseError(RuntimeError):
    """The local cluster could not be set up; the message says what to do."""


def _bin_dir() -> Path:
    """The newest installed PostgreSQL server's bin directory (Debian keeps them side by side)."""
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=lambda p: int(Path(p).parent.name))
    if not candidates:
        raise LocalDatabaseError(
            "PostgreSQL server programs not found under /usr/lib/postgresql; "
            "run `make setup` (installs postgresql-postgis)."
        )
    return Path(candidates[-1])


def _running_as_root() -> bool:
    return os.geteuid() == 0


def _as_server_user(args: list[str], **kwargs) -> subprocess.CompletedProcess:
    """Run a server program, as `postgres` when we are root (initdb and postgres refuse root)."""
    if _running_as_root():
        args = ["runuser", "-u", SERVER_USER, "--", *args]
    return subprocess.run(args, check=False, capture_output=True, text=True, **kwargs)


def _reachable_by_server_user(path: Path) -> bool:
    if not _running_as_root():
        return True
    probe = _as_server_user(["test", "-w", str(path)])
    return probe.returncode == 0


class LocalCluster:
    """A PostgreSQL cluster in a directory of ours, listening on a unix socket in that directory."""

    def __init__(self, directory: Path = DEFAULT_DIR, port: int = DEFAULT_PORT) -> None:
        self.directory = Path(directory).resolve()
        self.port = port

    # Where things live. The socket path must stay short (unix sockets allow ~100 bytes).
    @property
    def data_dir(self) -> Path:
        return self.directory / "data"

    @property
    def socket_dir(self) -> Path:
        return self.directory / "run"

    @property
    def log_file(self) -> Path:
        return self.directory / "server.log"

    def _prepare_directory(self) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        self.socket_dir.mkdir(exist_ok=True)
        if len(str(self.socket_dir / f".s.PGSQL.{self.port}")) > 100:
            raise LocalDatabaseError(
                f"The socket path under {self.socket_dir} is too long for a unix socket; "
                "set OPENCITY_PG_DIR to a shorter directory."
            )
        if _running_as_root():
            server = pwd.getpwnam(SERVER_USER)
            for path in (self.directory, self.socket_dir):
                os.chown(path, server.pw_uid, server.pw_gid)
            if not _reachable_by_server_user(self.directory):
                raise LocalDatabaseError(
                    f"The `{SERVER_USER}` OS user cannot reach {self.directory} (a parent directory "
                    "is private, e.g. under /root). Set OPENCITY_PG_DIR to a directory it can reach, "
                    "such as /var/tmp/opencity-pg."
                )

    def initialised(self) -> bool:
        return (self.data_dir / "PG_VERSION").exists()

    def init(self) -> None:
        """Create the cluster once (trust authentication: only the socket, only this machine)."""
        self._prepare_directory()
        if self.initialised():
            return
        result = _as_server_user(
            [
                str(_bin_dir() / "initdb"),
                "--pgdata",
                str(self.data_dir),
                "--auth=trust",
                "--username=postgres",
                "--encoding=UTF8",
                "--locale=C.UTF-8",
                "--no-sync",
            ]
        )
        if result.returncode != 0:
            raise LocalDatabaseError(f"initdb failed:\n{result.stdout}\n{result.stderr}")

    def make_replica_of(self, *, host: str, port: int | str, user: str = "postgres") -> None:
        """Fill this new cluster with a base backup of a running server and make it that server's
        streaming replica (`pg_basebackup -R` writes `standby.signal` and `primary_conninfo`).
        The server needs a `replication` line in pg_hba.conf (initdb writes one for the socket)."""
        self._prepare_directory()
        if self.initialised():
            raise LocalDatabaseError(f"{self.data_dir} already holds a cluster.")
        result = _as_server_user(
            [
                str(_bin_dir() / "pg_basebackup"),
                "--pgdata",
                str(self.data_dir),
                "--write-recovery-conf",
                "--wal-method=stream",
                "--checkpoint=fast",
                "--no-sync",
                "--host",
                str(host),
                "--port",
                str(port),
                "--username",
                user,
            ]
        )
        if result.returncode != 0:
            raise LocalDatabaseError(f"pg_basebackup failed:\n{result.stdout}\n{result.stderr}")

    def running(self) -> bool:
        result = _as_server_user([str(_bin_dir() / "pg_ctl"), "status", "--pgdata", str(self.data_dir)])
        return result.returncode == 0

    def start(self, *, fast_unsafe: bool = False) -> None:
        """Start the server if it is not running, and wait until it accepts connections."""
        self.init()
        if self.running():
            return
        options = [
            "-c listen_addresses=''",
            f"-c unix_socket_directories='{self.socket_dir}'",
            f"-p {self.port}",
            # Parallel query makes small spatial queries slower here (see PLATFORM.md).
            "-c max_parallel_workers_per_gather=0",
        ]
        if fast_unsafe:
            options += [f"-c {setting}" for setting in FAST_UNSAFE_SETTINGS]
        result = _as_server_user(
            [
                str(_bin_dir() / "pg_ctl"),
                "start",
                "--pgdata",
                str(self.data_dir),
                "--log",
                str(self.log_file),
                "--wait",
                "--options",
                " ".join(options),
            ]
        )
        if result.returncode != 0:
            log = self.log_file.read_text(errors="replace")[-2000:] if self.log_file.exists() else ""
            raise LocalDatabaseError(f"PostgreSQL did not start:\n{result.stderr}\n{log}")
        self._wait_ready()

    def _wait_ready(self, timeout: float = 30.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            ready = subprocess.run(
                [str(_bin_dir() / "pg_isready"), "-h", str(self.socket_dir), "-p", str(self.port)],
                capture_output=True,
                check=False,
            )
            if ready.returncode == 0:
                return
            time.sleep(0.1)
        raise LocalDatabaseError("PostgreSQL started but does not accept connections.")

    def stop(self) -> None:
        if self.initialised() and self.running():
            _as_server_user(
                [str(_bin_dir() / "pg_ctl"), "stop", "--pgdata", str(self.data_dir), "--mode", "fast", "--wait"]
            )

    def create_database(self, name: str = DATABASE_NAME) -> None:
        """Create the database if it does not exist yet."""
        if not name.replace("_", "").isalnum():
            raise LocalDatabaseError(f"Refusing an unusual database name: {name!r}")
        psql = [str(_bin_dir() / "psql"), "-h", str(self.socket_dir), "-p", str(self.port), "-U", "postgres"]
        exists = subprocess.run(
            [*psql, "-tAc", f"SELECT 1 FROM pg_database WHERE datname = '{name}'", "postgres"],  # noqa: S608 (checked above),
            capture_output=True,
            text=True,
            check=False,
        )
        if exists.stdout.strip() != "1":
            created = subprocess.run(
                [*psql, "-c", f'CREATE DATABASE "{name}"', "postgres"], capture_output=True, text=True, check=False
            )
            if created.returncode != 0:
                raise LocalDatabaseError(f"Could not create database {name}: {created.stderr}")

    def url(self, name: str = DATABASE_NAME) -> str:
        """A DATABASE_URL for this cluster (the socket directory as the host)."""
        return f"postgis://postgres@{quote(str(self.socket_dir), safe='')}:{self.port}/{name}"

    def django_settings(self, name: str = DATABASE_NAME) -> dict:
        """The DATABASES['default'] entry for this cluster."""
        return {
            "ENGINE": "django.contrib.gis.db.backends.postgis",
            "NAME": name,
            "USER": "postgres",
            "HOST": str(self.socket_dir),
            "PORT": str(self.port),
        }


def default_cluster() -> LocalCluster:
    """The development cluster: under var/pg, or OPENCITY_PG_DIR when the checkout is unreachable."""
    directory = Path(os.environ.get("OPENCITY_PG_DIR") or DEFAULT_DIR)
    port = int(os.environ.get("OPENCITY_PG_PORT") or DEFAULT_PORT)
    return LocalCluster(directory, port)


def throwaway_cluster() -> LocalCluster:
    """A fresh cluster in a temporary directory that the server user can reach, for one test run."""
    # As root, the default temp dir may be private to root; /tmp is reachable by `postgres`.
    base = "/tmp" if _running_as_root() else None  # noqa: S108
    digest = hashlib.sha256(str(ROOT).encode()).hexdigest()[:6]
    directory = Path(tempfile.mkdtemp(prefix=f"ocpg-{digest}-", dir=base))
    directory.chmod(0o755)
    return LocalCluster(directory, DEFAULT_PORT + 1)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("command", choices=["start", "stop", "status", "url"])
    args = parser.parse_args(argv)
    cluster = default_cluster()
    try:
        if args.command == "start":
            cluster.start()
            cluster.create_database()
            print(f"PostgreSQL + PostGIS running in {cluster.directory}")
        elif args.command == "stop":
            cluster.stop()
            print("PostgreSQL stopped.")
        elif args.command == "status":
            print("running" if cluster.initialised() and cluster.running() else "stopped")
        else:
            print(cluster.url())
    except LocalDatabaseError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
