"""`make backup` then `make restore FROM=…` into a fresh cluster: the same rows, the same issues and
events, the same media bytes."""

from __future__ import annotations

import hashlib
import io
import os
import shutil
import stat
import subprocess
import tempfile
from datetime import date
from pathlib import Path
from urllib.parse import quote

import psycopg2
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from PIL import Image

from issues.services import TransitionInput, issue_transition
from media_store.models import MediaAsset
from media_store.services import media_intake
from opencity.localdb import LocalCluster
from tests.ops.conftest import ROOT, test_database_url

pytestmark = pytest.mark.ops


def _photo(colour: str) -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), colour).save(buffer, "JPEG")
    return SimpleUploadedFile(f"{colour}.jpg", buffer.getvalue(), content_type="image/jpeg")


def _tables(cursor) -> list[str]:
    cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename")
    return [row[0] for row in cursor.fetchall()]


def _snapshot(cursor) -> dict:
    """Row counts of every table, and a sample of issues and events as text."""
    counts = {}
    for table in _tables(cursor):
        cursor.execute(f'SELECT count(*) FROM "{table}"')  # noqa: S608 (names from the catalogue)
        counts[table] = cursor.fetchone()[0]
    cursor.execute("SELECT ref, status, description, ST_AsText(point) FROM issues_issue ORDER BY id LIMIT 20")
    issues = cursor.fetchall()
    cursor.execute("SELECT id, kind, data::text, at FROM issues_issueevent ORDER BY id LIMIT 50")
    events = cursor.fetchall()
    cursor.execute("SELECT file, sha256 FROM media_store_mediaasset ORDER BY id")
    media = cursor.fetchall()
    return {"counts": counts, "issues": issues, "events": events, "media": media}


def _checksums(root: Path) -> dict[str, str]:
    return {
        str(path.relative_to(root)): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(root.rglob("*"))
        if path.is_file()
    }


def test_backup_restores_into_a_fresh_cluster(transactional_db, world, report, settings, tmp_path):
    media_root = tmp_path / "media"
    settings.MEDIA_ROOT = str(media_root)
    assets = [media_intake(uploaded_file=_photo(colour), uploaded_by=world.citizen).asset for colour in ("red", "blue")]
    first = report(media=assets)
    report(description="Не світить ліхтар біля школи")
    planned = TransitionInput(promised_date=date(2026, 12, 20))
    issue_transition(issue=first, actor=world.roads_staff, action="accept", data=planned)
    assert MediaAsset.objects.count() == 2 and any(media_root.rglob("*.jpg"))

    env = {**os.environ, "DATABASE_URL": test_database_url(), "OPENCITY_MEDIA_ROOT": str(media_root),
           "OPENCITY_BACKUP_DIR": str(tmp_path / "backups")}  # fmt: skip
    backup = subprocess.run(["bash", "scripts/backup.sh"], cwd=ROOT, env=env, capture_output=True, text=True)
    assert backup.returncode == 0, backup.stderr
    (folder,) = (tmp_path / "backups").iterdir()
    assert {p.name for p in folder.iterdir()} == {"database.dump", "media.tar", "SHA256SUMS"}
    # Personal data: the folder and every file in it are the owner's only (umask 077).
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    assert {stat.S_IMODE(p.stat().st_mode) for p in folder.iterdir()} == {0o600}

    directory = Path(tempfile.mkdtemp(prefix="ocpg-restore-", dir="/tmp"))
    directory.chmod(0o755)
    fresh = LocalCluster(directory, 54339)
    try:
        fresh.start(fast_unsafe=True)
        restored_url = f"postgis://postgres@{quote(str(fresh.socket_dir), safe='')}:54339/opencity_restored"
        restored_media = tmp_path / "restored-media"
        restore = subprocess.run(
            ["bash", "scripts/restore.sh", str(folder)],
            cwd=ROOT,
            env={**env, "DATABASE_URL": restored_url, "OPENCITY_MEDIA_ROOT": str(restored_media)},
            capture_output=True,
            text=True,
        )
        assert restore.returncode == 0, restore.stderr
        with connection.cursor() as cursor:
            original = _snapshot(cursor)
        copy = psycopg2.connect(host=str(fresh.socket_dir), port=54339, user="postgres", dbname="opencity_restored")
        try:
            with copy.cursor() as cursor:
                restored = _snapshot(cursor)
        finally:
            copy.close()
        assert restored == original
        assert original["counts"]["issues_issue"] == 2 and original["counts"]["issues_issueevent"] >= 3
        assert _checksums(restored_media) == _checksums(media_root)
        # Each stored checksum matches the restored file's bytes.
        for name, sha256 in restored["media"]:
            assert hashlib.sha256((restored_media / name).read_bytes()).hexdigest() == sha256

        # Restoring never overwrites: a second restore into the now full database is refused.
        again = subprocess.run(
            ["bash", "scripts/restore.sh", str(folder)],
            cwd=ROOT,
            env={**env, "DATABASE_URL": restored_url, "OPENCITY_MEDIA_ROOT": str(tmp_path / "other")},
            capture_output=True,
            text=True,
        )
        assert again.returncode != 0 and "fresh database" in again.stderr
    finally:
        fresh.stop()
        shutil.rmtree(directory, ignore_errors=True)
