"""Production settings fail closed: `check --deploy` is clean with the required environment, a
missing or development-only value refuses to start, the demo loader refuses to run, and the media
admin's reprocess action needs a permission."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.contrib.auth.models import Permission
from django.core.exceptions import ImproperlyConfigured

from demo.issues import demo_load
from media_store import admin as media_admin
from tests.factories import UserFactory

ROOT = Path(__file__).resolve().parents[2]
PRODUCTION_ENV = {
    "DJANGO_SETTINGS_MODULE": "opencity.settings.production",
    "DJANGO_SECRET_KEY": "test-value-" + "k7#Qz!m2$Lw9&" * 5,
    "DATABASE_URL": "postgis://opencity:secret@127.0.0.1:1/opencity",
    "OPENCITY_EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
    "OPENCITY_SITE_URL": "https://opencity.example",
    "DJANGO_ALLOWED_HOSTS": "opencity.example",
}


def manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "OPENCITY_", "DATABASE_"))}
    return subprocess.run(  # noqa: S603 - our own manage.py with fixed arguments
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**clean, **PRODUCTION_ENV, **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_check_deploy_is_clean_with_production_settings():
    result = manage("check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("OPENCITY_EMAIL_BACKEND", "", "OPENCITY_EMAIL_BACKEND must be set"),
        ("OPENCITY_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend", "delivers mail"),
        ("OPENCITY_SITE_URL", "", "OPENCITY_SITE_URL must be set"),
        ("OPENCITY_SITE_URL", "http://127.0.0.1:8000", "public https://"),
    ],
)
def test_production_refuses_to_start_without_mail_and_a_public_address(name, value, message):
    result = manage("check", **{name: value})
    assert result.returncode != 0
    assert message in result.stderr


def test_the_proxy_header_is_believed_only_when_a_trusted_proxy_is_declared():
    show = "from django.conf import settings; print(settings.SECURE_PROXY_SSL_HEADER)"
    assert manage("shell", "--no-imports", "-c", show).stdout.strip() == "None"
    declared = manage("shell", "--no-imports", "-c", show, OPENCITY_BEHIND_TLS_PROXY="true").stdout.strip()
    assert declared == "('HTTP_X_FORWARDED_PROTO', 'https')"


@pytest.mark.django_db
def test_the_demo_loader_refuses_production_settings(settings):
    settings.OPENCITY_DEMO_DATA_ALLOWED = False
    with pytest.raises(ImproperlyConfigured):
        demo_load(with_history=False)
    from accounts.models import User

    assert not User.objects.exists()


@pytest.mark.django_db
def test_reprocessing_media_needs_the_change_permission(rf):
    viewer = UserFactory(username="viewer", is_staff=True)
    viewer.user_permissions.add(Permission.objects.get(codename="view_mediaasset"))
    request = rf.get("/admin/media_store/mediaasset/")
    request.user = viewer
    model_admin = media_admin.MediaAssetAdmin(media_admin.MediaAsset, media_admin.admin.site)
    assert "reprocess" not in model_admin.get_actions(request)
    viewer.user_permissions.add(Permission.objects.get(codename="change_mediaasset"))
    request.user = type(viewer).objects.get(pk=viewer.pk)  # permissions are cached per instance
    assert "reprocess" in model_admin.get_actions(request)
