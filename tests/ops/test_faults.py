"""Faults with the production configuration serving: PostgreSQL stopped in the middle of a stream
of reports, and a task worker killed in the middle of a task. Nothing is lost, nothing happens
twice, clients get 503 + Retry-After (never a 500), and everything recovers without a restart."""

from __future__ import annotations

import hashlib
import json
import os
import signal
import subprocess
import threading
import time
from datetime import timedelta
from pathlib import Path

import pytest
import requests
from django.db import connections
from django.tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult
from PIL import Image

from accounts.access_tokens import access_token_issue
from issues.models import Issue, IssueEvent, IssueMedia, NotificationDelivery
from issues.notifications import send_event_notifications
from issues.services.sla import sla_sweep
from media_store.models import MediaAsset
from media_store.services import media_intake, media_prune_orphan_files, media_prune_unattached
from opencity.taskqueue import task_queue_requeue_abandoned
from tests.factories import CENTRE_LAT, CENTRE_LON
from tests.media_store.media import image_bytes, make_video, upload
from tests.ops.conftest import manage, production_env, test_cluster
from tests.ops.servers import ROOT, VENV_BIN, start_worker
from tests.world import kyiv

pytestmark = pytest.mark.ops


VIDEO_EVERY = 4  # every fourth report carries a short video, the others a photo


def photo_for(number: int) -> tuple[bytes, tuple[int, int]]:
    """A small JPEG whose width says which submission it belongs to."""
    size = (300 + number % 200, 200)
    return image_bytes("JPEG", size), size


def submit(port: int, token: str, key: str, number: int, video: bytes) -> tuple[int, dict, dict]:
    """POST one report with its media as multipart (a photo, or every VIDEO_EVERY-th a video), with its
    Idempotency-Key; a retry sends the same fields and the same file again."""
    if number % VIDEO_EVERY == 0:
        files = [("video", ("clip.mp4", video, "video/mp4"))]
    else:
        files = [("photos", (f"IMG_{number:04d}.jpg", photo_for(number)[0], "image/jpeg"))]
    response = requests.post(
        f"http://127.0.0.1:{port}/api/v1/issues/",
        data={
            "category": "pothole",
            "description": f"Яма №{number} біля зупинки",
            "location": json.dumps({"type": "Point", "coordinates": [CENTRE_LON - 0.01, CENTRE_LAT]}),
            "address": "вул. Стрийська, 3",
        },
        files=files,
        headers={"Authorization": f"Token {token}", "Idempotency-Key": key},
        timeout=60,
    )
    try:
        data = response.json()
    except ValueError:
        data = {"raw": response.text[:300]}
    return response.status_code, dict(response.headers), data


def stored_files(root: Path) -> list[str]:
    return sorted(str(path.relative_to(root)) for path in root.rglob("*") if path.is_file())


def test_postgres_stopped_mid_stream_loses_no_report_nor_its_media(world, production_server, settings, tmp_path):
    token = access_token_issue(user=world.citizen)[1]
    port = production_server.port
    media_root = tmp_path / "media"  # the server's OPENCITY_MEDIA_ROOT (production_env)
    settings.MEDIA_ROOT = str(media_root)
    video = make_video(tmp_path / "clip.mp4", seconds=1, size="160x120")
    answers: dict[str, tuple[int, dict, dict]] = {}
    numbers: dict[str, int] = {}
    stop = threading.Event()

    def client(name: str) -> None:
        number = 0
        while not stop.is_set():
            number += 1
            key = f"{name}-{number:04d}"
            numbers[key] = number
            answers[key] = submit(port, token, key, number, video)
            if answers[key][0] == 503:
                time.sleep(0.25)  # a polite client waits (Retry-After, shortened for the test)

    cluster = test_cluster()
    connections.close_all()
    threads = [threading.Thread(target=client, args=(f"client{i}",)) for i in (1, 2)]
    for thread in threads:
        thread.start()
    try:
        time.sleep(2)
        cluster.stop()  # fast shutdown: open transactions are rolled back, connections cut
        down_at = time.monotonic()
        time.sleep(3)
    finally:
        cluster.start(fast_unsafe=True)
    up_for = time.monotonic() - down_at
    time.sleep(2)
    stop.set()
    for thread in threads:
        thread.join()
    connections.close_all()

    statuses = [status for status, _headers, _data in answers.values()]
    created = {key for key, (status, _h, _d) in answers.items() if status == 201}
    refused = {key: answer for key, answer in answers.items() if answer[0] != 201}
    videos = sum(1 for key in answers if numbers[key] % VIDEO_EVERY == 0)
    print(
        f"\n{len(answers)} submissions ({videos} with a video), {len(created)} × 201, {len(refused)} × 503; "
        f"database down {up_for:.1f} s"
    )
    assert set(statuses) <= {201, 503}, sorted(set(statuses))
    assert created and refused
    # Every 201 is stored, with the reference it was answered with.
    refs = {answers[key][2]["ref"] for key in created}
    assert set(Issue.objects.filter(ref__in=refs).values_list("ref", flat=True)) == refs
    for _status, headers, data in refused.values():
        assert headers.get("Retry-After") == "5"
        assert data["code"] == "unavailable" and "Traceback" not in json.dumps(data)
        assert len(headers.get("X-Request-ID", "")) >= 8
    # A retry with the same key and the same file succeeds; a key whose first try did commit is not
    # stored twice, and the retry's copy of the file is not kept.
    for key in refused:
        status, _headers, _data = submit(port, token, key, numbers[key], video)
        assert status in (200, 201), (key, status, _data)
    assert Issue.objects.count() == len(answers)
    assert sorted(Issue.objects.values_list("idempotency_key", flat=True)) == sorted(answers)

    # Each report has exactly its own picture: one link, the kind it sent, a photo of its own width.
    links = {
        link.issue.idempotency_key: link
        for link in IssueMedia.objects.select_related("issue", "asset").filter(issue__idempotency_key__in=answers)
    }
    assert IssueMedia.objects.count() == len(links) == len(answers)
    assert MediaAsset.objects.filter(attached_at__isnull=False).count() == len(answers)
    for key, link in links.items():
        assert link.role == "report"
        if numbers[key] % VIDEO_EVERY == 0:
            assert (link.asset.kind, link.asset.width, link.asset.height) == ("video", 160, 120)
        else:
            assert (link.asset.kind, (link.asset.width, link.asset.height)) == ("photo", photo_for(numbers[key])[1])

    # The worker makes their derivatives; every stored file is whole (its checksum) and opens.
    manage(production_env(tmp_path), "db_worker", "--batch", "--no-reload", "--no-startup-delay", timeout=600)
    for link in links.values():
        asset = MediaAsset.objects.get(pk=link.asset_id)
        assert (asset.status, asset.error) == ("ready", ""), asset.error
        digest = hashlib.sha256((media_root / asset.file.name).read_bytes()).hexdigest()
        assert digest == asset.sha256
        stills = [asset.thumbnail_file, asset.web_file if asset.kind == "photo" else asset.poster_file]
        if asset.kind == "photo":
            stills.append(asset.file)
        for still in stills:
            with Image.open(media_root / still.name) as image:
                image.load()

    # Uploads of refused attempts that the server could not delete while the database was down are
    # unattached: the hourly prune removes them, and then storage holds the reports' files only.
    leftovers = MediaAsset.objects.filter(attached_at__isnull=True).count()
    assert media_prune_unattached(older_than=timedelta(0)) == leftovers
    media_prune_orphan_files(older_than=timedelta(0))
    kept = sorted(name for link in links.values() for name in MediaAsset.objects.get(pk=link.asset_id).stored_names)
    assert stored_files(media_root) == kept
    print(f"{leftovers} unattached uploads of refused attempts pruned")

    # The same gunicorn, never restarted, serves again.
    assert production_server.popen.poll() is None
    assert submit(port, token, "after-the-fault", 1, video)[0] == 201


class_slow_mail = "tests.ops.slow_mail.SlowFileBackend"


def test_a_worker_killed_mid_task_sends_each_mail_once(transactional_db, world, report, tmp_path):
    issue = report()
    sla_sweep(now=kyiv(2026, 12, 2, 10, 1))  # the answer deadline passes: one escalation, 3 people
    escalation = IssueEvent.objects.get(issue=issue, kind="escalated")
    DBTaskResult.objects.all().delete()  # only the escalation's notification is under test
    task = send_event_notifications.enqueue(escalation.pk)
    mail_dir = tmp_path / "mail"
    mail_dir.mkdir()
    env = production_env(
        tmp_path,
        OPENCITY_EMAIL_BACKEND=class_slow_mail,
        OPENCITY_TEST_MAIL_DIR=str(mail_dir),
        OPENCITY_TEST_MAIL_DELAY="1.5",
    )
    worker = subprocess.Popen(
        [str(VENV_BIN / "python"), "manage.py", "db_worker", "--no-reload", "--no-startup-delay", "--interval", "0.2"],
        cwd=ROOT,
        env=env,
        stdout=(tmp_path / "worker.log").open("w"),
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 30
        while not list(mail_dir.iterdir()) and time.monotonic() < deadline:
            time.sleep(0.05)
        time.sleep(0.5)  # the first delivery is committed; the second is being "sent"
        worker.send_signal(signal.SIGKILL)
        worker.wait()
    finally:
        if worker.poll() is None:
            worker.kill()
    assert len(list(mail_dir.iterdir())) == 1, (tmp_path / "worker.log").read_text()[-3000:]
    assert DBTaskResult.objects.get(id=task.id).status == TaskResultStatus.RUNNING  # abandoned
    assert NotificationDelivery.objects.filter(event=escalation).count() == 1

    # The sweep loop takes the task back after its lease; another worker runs it to the end.
    assert task_queue_requeue_abandoned(lease_seconds=0) == 1
    manage({**env, "OPENCITY_TEST_MAIL_DELAY": "0"}, "db_worker", "--batch", "--no-reload", "--no-startup-delay")
    assert DBTaskResult.objects.get(id=task.id).status == TaskResultStatus.SUCCESSFUL
    recipients = sorted(Path(name).read_text().splitlines()[0] for name in mail_dir.iterdir())
    assert recipients == ["dispatcher@example.org", "housing-staff@example.org", "housing@example.org"]
    assert NotificationDelivery.objects.filter(event=escalation).count() == 3


@pytest.mark.parametrize(
    ("kind", "killed_while_storing", "derivatives"),
    [
        ("photo", "thumbnail.webp", {"web_file": "web.webp", "thumbnail_file": "thumbnail.webp"}),
        ("video", "poster.webp", {"poster_file": "poster.webp", "thumbnail_file": "thumbnail.webp"}),
    ],
)
def test_a_worker_killed_while_making_derivatives_makes_each_once(
    transactional_db, settings, tmp_path, kind, killed_while_storing, derivatives
):
    media_root = tmp_path / "media"
    settings.MEDIA_ROOT = str(media_root)  # the worker's OPENCITY_MEDIA_ROOT (production_env)
    if kind == "photo":
        content, name = image_bytes("JPEG", (2400, 1200)), "photo.jpg"
    else:
        content, name = make_video(tmp_path / "clip.mp4", seconds=2), "clip.mp4"
    DBTaskResult.objects.all().delete()
    asset = media_intake(uploaded_file=upload(content, name), uploaded_by=None).asset
    task = DBTaskResult.objects.get()  # its processing, queued when the upload committed
    folder = f"uploads/{asset.public_id.hex[:2]}/{asset.public_id}"
    original = asset.file.name
    partial = media_root / folder / killed_while_storing

    env = production_env(tmp_path)
    scratch = tmp_path / "worker-tmp"
    scratch.mkdir()
    slow = {
        **env,
        "DJANGO_SETTINGS_MODULE": "tests.ops.slow_media_settings",
        "OPENCITY_TEST_SLOW_MEDIA_NAME": killed_while_storing,
        "OPENCITY_TEST_SLOW_MEDIA_SECONDS": "60",
        # The killed worker's scratch copy stays where it was made (on a server the units' PrivateTmp
        # is emptied when the worker restarts): here, in this test's directory, not in /tmp.
        "TMPDIR": str(scratch),
    }
    worker = start_worker("worker-media", env["DATABASE_URL"], tmp_path, env=slow)
    try:
        deadline = time.monotonic() + 60
        while not partial.exists() and time.monotonic() < deadline:
            assert worker.popen.poll() is None, worker.output()
            time.sleep(0.05)
        assert partial.exists(), worker.output()
        os.killpg(worker.popen.pid, signal.SIGKILL)  # mid-write: half of the file is on disk
        worker.popen.wait(timeout=10)
    finally:
        worker.stop()

    # What the dead worker left: a half-written derivative (and, for a photo, the whole web size
    # made before it), the asset still pending, the task still "running".
    asset.refresh_from_db()
    assert asset.status == "pending" and not any(getattr(asset, field) for field in derivatives)
    assert DBTaskResult.objects.get(id=task.id).status == TaskResultStatus.RUNNING
    left = stored_files(media_root)
    assert f"{folder}/{killed_while_storing}" in left and original in left

    # The sweep loop takes the task back after its lease; another worker runs it to the end.
    assert task_queue_requeue_abandoned(lease_seconds=0) == 1
    manage(env, "db_worker", "--batch", "--no-reload", "--no-startup-delay")
    assert DBTaskResult.objects.get(id=task.id).status == TaskResultStatus.SUCCESSFUL
    asset.refresh_from_db()
    assert (asset.status, asset.error) == ("ready", "")
    # One file per derivative, under its own name, in the asset's field; nothing else in storage.
    for field, filename in derivatives.items():
        assert getattr(asset, field).name == f"{folder}/{filename}"
    assert stored_files(media_root) == sorted([original, *(f"{folder}/{name}" for name in derivatives.values())])
    for field in derivatives:
        with getattr(asset, field).open("rb") as stored, Image.open(stored) as image:
            image.load()  # the whole file decodes: not the half the killed worker wrote
            assert image.format == "WEBP"
            assert max(image.size) <= settings.OPENCITY_MEDIA_WEB_SIZE
    with asset.thumbnail_file.open("rb") as stored, Image.open(stored) as thumbnail:
        assert max(thumbnail.size) == min(settings.OPENCITY_MEDIA_THUMBNAIL_SIZE, max(asset.width, asset.height))
