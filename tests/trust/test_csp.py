"""The Content-Security-Policy: every answer carries it, it allows only this site's scripts and
styles (plus the request's nonce for django-leaflet's inline set-up), and no template or script of
ours relies on what it refuses. The browser tests (tests/browser/conftest.py) fail on any refusal
the browser reports; tests/browser/test_csp.py opens the pages that need the nonce."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.urls import reverse

from opencity.csp import content_security_policy, media_origins, origin_of

ROOT = Path(__file__).resolve().parents[2]
TEMPLATE_DIRS = [
    ROOT / "templates",
    *(ROOT / app / "templates" for app in ("accounts", "geo", "issues", "dashboard", "open311", "media_store")),
]


def directives(header: str) -> dict[str, list[str]]:
    return {name: values for name, *values in (part.split() for part in header.split(";") if part.strip())}


def test_the_policy_allows_only_this_site_the_tile_server_and_the_media_bucket():
    policy = content_security_policy(
        tile_url="https://{s}.tile.openstreetmap.org/{z}/{x}/{y}.png", media=["https://media.example.org"]
    )
    assert policy["script-src"] == ["'self'", "<CSP_NONCE_SENTINEL>"]
    assert policy["style-src"] == ["'self'"]
    assert "https://*.tile.openstreetmap.org" in policy["img-src"]
    assert "https://media.example.org" in policy["img-src"] and "https://media.example.org" in policy["media-src"]
    assert policy["frame-ancestors"] == ["'none'"] and policy["object-src"] == ["'none'"]
    assert not any("unsafe" in value for values in policy.values() for value in values)


@pytest.mark.parametrize(
    ("url", "origin"),
    [
        ("https://tile.openstreetmap.org/{z}/{x}/{y}.png", "https://tile.openstreetmap.org"),
        ("https://{s}.tiles.example.com:8443/{z}/{x}/{y}.png", "https://*.tiles.example.com:8443"),
        ("/tiles/{z}/{x}/{y}.png", None),
        ("", None),
    ],
)
def test_origin_of_a_url_template(url, origin):
    assert origin_of(url) == origin


def test_media_origins_follow_the_bucket_configuration():
    assert media_origins(bucket="", endpoint_url="http://127.0.0.1:9000", public_url="") == []
    assert media_origins(bucket="b", endpoint_url="http://127.0.0.1:9000/", public_url="") == ["http://127.0.0.1:9000"]
    assert media_origins(bucket="b", endpoint_url="", public_url="https://cdn.example.org/media") == [
        "https://cdn.example.org"
    ]
    assert media_origins(bucket="b", endpoint_url="", public_url="") == ["https://*.amazonaws.com"]


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/", "/budget/", "/outages/", "/accounts/login/", "/api/docs/", "/no-such-page/"])
def test_every_answer_carries_the_policy(client, path):
    response = client.get(path)
    policy = directives(response.headers["Content-Security-Policy"])
    assert policy["default-src"] == ["'self'"]
    assert policy["style-src"] == ["'self'"]
    assert policy["script-src"][0] == "'self'"
    assert policy["frame-ancestors"] == ["'none'"]


@pytest.mark.django_db
def test_the_outage_form_signs_the_map_set_up_with_the_header_nonce(client, world):
    from geo.models import OutageKindGrant

    OutageKindGrant.objects.create(executor=world.water, kind="water")
    client.force_login(world.water_staff)
    response = client.get(reverse("geo:outage-new"))
    assert response.status_code == 200
    nonce = re.search(r"'nonce-([^']+)'", response.headers["Content-Security-Policy"]).group(1)
    html = response.content.decode()
    inline = re.findall(r"<script(?![^>]*\bsrc=)(?![^>]*application/json)([^>]*)>", html)
    assert inline, "the drawing map's set-up script is inline"
    assert all(f'nonce="{nonce}"' in attributes for attributes in inline)


@pytest.mark.django_db
def test_the_admin_map_widget_carries_the_header_nonce(admin_client, world):
    response = admin_client.get(reverse("admin:geo_district_change", args=[world.west.pk]))
    assert response.status_code == 200
    nonce = re.search(r"'nonce-([^']+)'", response.headers["Content-Security-Policy"]).group(1)
    inline = re.findall(r"<script(?![^>]*\bsrc=)(?![^>]*application/json)([^>]*)>", response.content.decode())
    assert inline and all(f'nonce="{nonce}"' in attributes for attributes in inline)


def test_our_templates_need_nothing_the_policy_refuses():
    """No style attribute, no inline event handler, no inline script without a nonce (data blocks of
    type application/json are not run and are fine)."""
    problems = []
    for directory in TEMPLATE_DIRS:
        for template in directory.rglob("*.html"):
            text = template.read_text()
            for number, line in enumerate(text.splitlines(), 1):
                where = f"{template.relative_to(ROOT)}:{number}"
                if re.search(r"\sstyle=", line):
                    problems.append(f"{where}: style attribute")
                if re.search(r"\son[a-z]+=", line):
                    problems.append(f"{where}: inline event handler")
            for tag in re.findall(r"<script\b[^>]*>", text):
                if "src=" not in tag and "application/json" not in tag and "nonce=" not in tag:
                    problems.append(f"{template.relative_to(ROOT)}: inline script {tag}")
    assert not problems, "\n".join(problems)


def test_our_scripts_write_no_style_attributes():
    """Markup built in JavaScript obeys the policy too: `element.style` is allowed, a style
    attribute in an HTML string is not."""
    offenders = [
        f"{script.relative_to(ROOT)}:{number}"
        for script in (ROOT / "static" / "js").rglob("*.js")
        for number, line in enumerate(script.read_text().splitlines(), 1)
        if re.search(r"style=\\?[\"']|setAttribute\(\s*[\"']style", line)
    ]
    assert not offenders, offenders


def test_every_admin_with_a_map_signs_its_scripts():
    """django-leaflet's own admin class renders its widgets' inline set-up without the nonce, so
    its map would never start under the policy; geo.admin.MapAdmin passes the nonce."""
    from django.contrib import admin
    from leaflet.admin import LeafletGeoAdminMixin

    from geo.admin import MapAdmin

    unsigned = [
        type(model_admin).__name__
        for model_admin in admin.site._registry.values()
        if isinstance(model_admin, LeafletGeoAdminMixin) and not isinstance(model_admin, MapAdmin)
    ]
    assert not unsigned
