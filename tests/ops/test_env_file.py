"""The environment file of docs/deploy.md (section 4): .env.example copied and the required values
filled in. The shell that loads it for commands by hand (`set -a; . opencity.env; set +a`) reads every
line without an error, and what the copy leaves empty takes the production default."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

from tests.ops.servers import ROOT, VENV_BIN

# What docs/deploy.md tells the operator to set (demo values).
FILLED_IN = {
    "DJANGO_SETTINGS_MODULE": "opencity.settings.production",
    "DJANGO_SECRET_KEY": "env-file-test-" + "x9Kq2mZ4" * 6,
    "DATABASE_URL": "postgis://opencity:secret@localhost:5432/opencity",
    "DJANGO_ALLOWED_HOSTS": "opencity.example.gov.ua",
    "OPENCITY_SITE_URL": "https://opencity.example.gov.ua",
    "OPENCITY_EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
}
SHOW = """
import json
from django.conf import settings
print(json.dumps({
    "log_formatter": settings.LOGGING["handlers"]["console"]["formatter"],
    "log_level": settings.LOGGING["root"]["level"],
    "media_root": str(settings.MEDIA_ROOT),
    "from": settings.DEFAULT_FROM_EMAIL,
    "attribution": settings.OPENCITY_TILE_ATTRIBUTION,
}))
"""


def env_file(tmp_path: Path, **values: str) -> Path:
    text = (ROOT / ".env.example").read_text()
    for name, value in {**FILLED_IN, **values}.items():
        text, count = re.subn(rf"^{name}=.*$", f"{name}={value}", text, flags=re.MULTILINE)
        assert count == 1, name
    path = tmp_path / "opencity.env"
    path.write_text(text)
    return path


def settings_from(path: Path) -> tuple[dict, str]:
    script = f'set -a; . "{path}"; set +a; exec "{VENV_BIN / "python"}" manage.py shell --no-imports -c "$SHOW"'
    env = {"PATH": "/usr/bin:/bin", "SHOW": SHOW, "HOME": "/nonexistent"}
    result = subprocess.run(  # noqa: S603
        ["/bin/bash", "-c", script], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, check=False
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1]), result.stderr


def test_the_env_file_loads_in_a_shell_and_empty_values_mean_the_defaults(tmp_path):
    shown, errors = settings_from(env_file(tmp_path))
    assert "command not found" not in errors and "syntax error" not in errors, errors
    assert shown == {
        "log_formatter": "json",  # DJANGO_LOG_FORMAT= is left empty: production's JSON lines
        "log_level": "INFO",
        "media_root": str(ROOT / "media"),  # OPENCITY_MEDIA_ROOT= empty: the default, not the working directory
        "from": "Відкрите місто <noreply@opencity.example.gov.ua>",
        "attribution": "&copy; OpenStreetMap contributors",
    }


def test_the_values_the_guide_sets_are_taken(tmp_path):
    shown, _errors = settings_from(
        env_file(
            tmp_path, OPENCITY_MEDIA_ROOT="/srv/opencity/media", DJANGO_LOG_FORMAT="text", DJANGO_LOG_LEVEL="WARNING"
        )
    )
    assert (shown["media_root"], shown["log_formatter"], shown["log_level"]) == (
        "/srv/opencity/media",
        "text",
        "WARNING",
    )
