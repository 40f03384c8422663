"""The installable app (opencity/pwa.py): the web app manifest, the service worker's script and the
offline copy of the map it keeps. What the worker may store is checked here, from the list the
server gives it: static files and the anonymous shell page only, never an API or a personal page."""

from __future__ import annotations

import json
import re

import pytest
from django.contrib.staticfiles import finders
from django.core.management import call_command
from PIL import Image, ImageChops

pytestmark = pytest.mark.django_db

PERSONAL_OR_API = (
    "/api/",
    "/me/",
    "/admin/",
    "/queue/",
    "/dispatch/",
    "/dashboard/",
    "/accounts/",
    "/media/",
    "/alerts/",
)


def worker_config(response) -> dict:
    """The CONFIG object the worker script is rendered with."""
    match = re.search(r"^var CONFIG = (\{.*?\n\});$", response.content.decode(), re.S | re.M)
    assert match, "the worker script carries its configuration"
    return json.loads(match.group(1))


def test_the_manifest_makes_the_site_installable(client):
    response = client.get("/manifest.webmanifest")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/manifest+json"
    assert response["Cache-Control"] == "no-cache"
    manifest = json.loads(response.content)
    assert manifest["name"] == "Відкрите місто"
    assert (manifest["lang"], manifest["display"], manifest["scope"]) == ("uk", "standalone", "/")
    assert manifest["start_url"].startswith("/")
    assert manifest["theme_color"] == "#0b5394"
    assert [icon["sizes"] for icon in manifest["icons"]] == ["192x192", "512x512"]
    for icon, size in zip(manifest["icons"], (192, 512), strict=True):
        assert icon["type"] == "image/png"
        path = finders.find(icon["src"].removeprefix("/static/"))
        assert path, icon["src"]
        with Image.open(path) as image:
            assert (image.format, image.size) == ("PNG", (size, size))


def test_every_page_links_the_manifest_and_registers_the_worker(client):
    html = client.get("/budget/").content.decode()
    assert '<link rel="manifest" href="/manifest.webmanifest">' in html
    assert '<meta name="theme-color" content="#0b5394">' in html
    assert '<script src="/static/js/pwa.js" defer></script>' in html


def test_the_worker_is_served_from_the_root_and_always_revalidated(client):
    response = client.get("/sw.js")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/javascript; charset=utf-8"
    assert response["Service-Worker-Allowed"] == "/"
    assert response["Cache-Control"] == "no-cache"
    config = worker_config(response)
    assert config["shellUrl"] == "/offline/"
    assert config["issuesUrl"] == "/api/v1/issues/"  # Background Sync posts queued reports there
    assert config["draftStore"] == "/static/js/draft-store.js"
    assert config["staticUrl"] == "/static/"
    assert re.fullmatch(r"[0-9a-f]{16}", config["version"])


def test_the_worker_stores_only_static_files_and_never_a_personal_url(client):
    config = worker_config(client.get("/sw.js"))
    assert "/static/js/report.js" in config["assets"]
    assert "/static/js/draft-store.js" in config["assets"]
    assert "/static/leaflet/leaflet.js" in config["assets"]
    for url in config["assets"]:
        assert url.startswith("/static/"), url
        assert not url.startswith(PERSONAL_OR_API), url
        assert finders.find(url.removeprefix("/static/")), f"{url} is not a static file"
    # Whatever else the worker sees there goes to the network untouched.
    for prefix in PERSONAL_OR_API:
        assert prefix in config["networkOnly"], prefix
    assert not any("/offline/".startswith(prefix) for prefix in config["networkOnly"])
    # The script itself: only GET is ever handled, and the only page it stores is the shell.
    script = client.get("/sw.js").content.decode()
    assert 'if (request.method !== "GET") { return; }' in script
    assert script.count("cache.put(") == 3  # the shell, and static files (cache first, network first)
    assert "cache.put(CONFIG.shellUrl, response)" in script


def test_the_cache_name_follows_the_static_files(client, monkeypatch):
    first = worker_config(client.get("/sw.js"))["version"]
    assert worker_config(client.get("/sw.js"))["version"] == first  # stable between requests
    real = finders.find

    def changed(path, *args, **kwargs):
        found = real(path, *args, **kwargs)
        if path == "js/report.js":
            return finders.find("js/map.js")  # as if report.js had new contents
        return found

    monkeypatch.setattr(finders, "find", changed)
    assert worker_config(client.get("/sw.js"))["version"] != first


def test_under_the_manifest_storage_the_worker_names_hashed_files(client, settings, tmp_path):
    settings.STATIC_ROOT = tmp_path / "static"
    settings.STORAGES = {
        **settings.STORAGES,
        # The names are hashed as in production (where WhiteNoise also compresses them).
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"},
    }
    ignore = ("-i", "admin", "-i", "rest_framework", "-i", "drf_spectacular_sidecar")
    call_command("collectstatic", "--no-input", "-v", "0", *ignore)
    config = worker_config(client.get("/sw.js"))
    assert "/static/js/report.js" not in config["assets"]
    for url in [*config["assets"], config["draftStore"]]:
        assert re.search(r"\.[0-9a-f]{12}\.(js|css|png)$", url), url
        assert (tmp_path / "static" / url.removeprefix("/static/")).is_file(), url
    # A deploy (another manifest) is another cache.
    from django.contrib.staticfiles.storage import staticfiles_storage

    assert staticfiles_storage.manifest_hash  # the version is the manifest's
    version = config["version"]
    staticfiles_storage.manifest_hash = "another deploy"
    assert worker_config(client.get("/sw.js"))["version"] != version
    manifest = json.loads(client.get("/manifest.webmanifest").content)
    assert all(re.search(r"icon-\d+\.[0-9a-f]{12}\.png$", icon["src"]) for icon in manifest["icons"])


def test_the_offline_map_holds_nobody_s_data(client, world):
    world.citizen.set_password("secret-pass-123")
    world.citizen.save()
    client.force_login(world.citizen)
    assert world.citizen.get_username() in client.get("/").content.decode()  # the live page knows them
    response = client.get("/offline/")
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-cache"
    html = response.content.decode()
    assert world.citizen.get_username() not in html
    assert world.citizen.email not in html
    assert "/me/" not in html and "/accounts/logout/" not in html
    assert 'id="report-form"' in html and 'id="offline-notice"' in html
    config = json.loads(re.search(r'<script id="map-config" type="application/json">(.*?)</script>', html).group(1))
    assert (config["shell"], config["authenticated"]) == (True, None)


def test_the_offline_map_speaks_the_language_asked_for(client):
    response = client.get("/offline/?lang=en")
    assert response["Content-Language"] == "en"
    assert '<html lang="en">' in response.content.decode()
    response = client.get("/offline/?lang=xx")
    assert response["Content-Language"] == "uk"
    assert "Немає зв'язку" in response.content.decode().replace("&#x27;", "'")


def test_the_shipped_icons_are_what_the_icon_script_draws():
    from scripts.make_icons import icon

    for size in (192, 512):
        with Image.open(finders.find(f"icons/icon-{size}.png")) as shipped:
            assert ImageChops.difference(shipped.convert("RGB"), icon(size)).getbbox() is None
