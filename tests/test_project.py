"""Project-wide guards: migrations match the models, the Ukrainian catalogue is complete."""

import os
import shutil
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.django_db
def test_models_and_migrations_agree():
    out = StringIO()
    call_command("makemigrations", "--check", "--dry-run", stdout=out)
    assert "No changes detected" in out.getvalue()


def _po_entries(path: Path) -> list[tuple[str, str, bool]]:
    """(msgid, msgstr, fuzzy) for every entry of a .po file (a small parser; no extra dependency)."""
    entries, msgid, msgstr, fuzzy, current = [], None, [], False, None
    lines = path.read_text(encoding="utf-8").splitlines() + [""]

    def unquote(line: str) -> str:
        return line[line.index('"') + 1 : line.rindex('"')].encode().decode("unicode_escape").encode("latin-1").decode()

    for line in lines:
        if line.startswith("#,") and "fuzzy" in line:
            fuzzy = True
        elif line.startswith("msgid "):
            msgid, msgstr, current = unquote(line), [], "id"
        elif line.startswith("msgid_plural"):
            current = "plural"
        elif line.startswith("msgstr"):
            msgstr.append(unquote(line))
            current = "str"
        elif line.startswith('"') and current == "id":
            msgid += unquote(line)
        elif line.startswith('"') and current == "str":
            msgstr[-1] += unquote(line)
        elif not line.strip() and msgid is not None:
            entries.append((msgid, msgstr, fuzzy))
            msgid, msgstr, fuzzy, current = None, [], False, None
    return entries


SOURCE_DIRS = (
    "accounts",
    "geo",
    "issues",
    "media_store",
    "dashboard",
    "open311",
    "alerts",
    "demo",
    "opencity",
    "templates",
    "static",
)


def test_every_interface_string_has_a_ukrainian_translation(tmp_path, settings, monkeypatch):
    """Extract the strings afresh from the code and templates into a copy of the catalogue, so a
    string added without a translation is caught even if nobody ran `make messages`. The copy lives
    in a scratch tree of symlinks: makemessages writes into ./locale, which must not be ours."""
    for name in SOURCE_DIRS:
        (tmp_path / name).symlink_to(ROOT / name)
    catalogue = tmp_path / "locale" / "uk" / "LC_MESSAGES"
    catalogue.mkdir(parents=True)
    shutil.copy(ROOT / "locale" / "uk" / "LC_MESSAGES" / "django.po", catalogue / "django.po")
    settings.LOCALE_PATHS = [str(tmp_path / "locale")]
    monkeypatch.chdir(tmp_path)
    call_command("makemessages", locale=["uk"], no_obsolete=True, symlinks=True, verbosity=0)
    entries = [e for e in _po_entries(catalogue / "django.po") if e[0]]
    assert len(entries) > 50
    untranslated = [msgid for msgid, msgstr, _ in entries if not all(msgstr)]
    fuzzy = [msgid for msgid, _, is_fuzzy in entries if is_fuzzy]
    assert untranslated == []
    assert fuzzy == []


def test_the_local_settings_keep_database_connections_open():
    """`make run` and the demo under gunicorn use the project's own cluster; a new connection for
    every request cost 20-30 ms each (issue 13)."""
    script = (
        "from django.conf import settings; d = settings.DATABASES['default'];"
        "print(d['CONN_MAX_AGE'], d['CONN_HEALTH_CHECKS'])"
    )
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "DATABASE_CONN_MAX_AGE"}}
    env["DJANGO_SETTINGS_MODULE"] = "opencity.settings.local"
    result = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, check=True)
    assert result.stdout.split() == ["60", "True"]
