"""Every page that answers GET answers HEAD too (RFC 9110: HEAD is GET without the body), so link
checkers, uptime monitors and caches that probe with HEAD are not told 405."""

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

pytestmark = pytest.mark.django_db


def _plain_paths(patterns=None, prefix: str = "") -> list[str]:
    """The paths of every URL pattern without parameters (those can be asked for as they are)."""
    paths: list[str] = []
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        route = str(pattern.pattern)
        if "<" in route or route.startswith("^"):
            continue
        if isinstance(pattern, URLResolver):
            paths += _plain_paths(pattern.url_patterns, prefix + route)
        elif isinstance(pattern, URLPattern):
            paths.append("/" + prefix + route)
    return sorted(set(paths))


def test_the_home_page_answers_head_as_get_without_a_body():
    get, head = Client().get("/"), Client().head("/")
    assert (get.status_code, head.status_code) == (200, 200)
    assert head["Content-Type"] == get["Content-Type"]
    assert head.content == b""


def test_every_plain_url_that_answers_get_answers_head_with_the_same_status(world, report):
    issue = report()
    paths = [*_plain_paths(), f"/issues/{issue.ref}/"]
    assert "/" in paths and "/healthz" in paths and len(paths) > 30  # the walk found the site
    refused = {}
    for path in paths:
        got = Client().get(path)
        if got.status_code == 405:
            continue  # a POST-only endpoint
        headed = Client().head(path)
        if headed.status_code != got.status_code:
            refused[path] = (got.status_code, headed.status_code)
    assert refused == {}
