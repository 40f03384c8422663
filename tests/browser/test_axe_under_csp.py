"""axe-core still runs when pages carry a strict Content-Security-Policy (the lead is adding one):
the engine goes in through the DevTools protocol (`page.evaluate`), which the policy does not
govern, where a `<script>` tag added to the page is refused."""

from __future__ import annotations

import pytest
from playwright.sync_api import Error as PlaywrightError

from tests.browser.axe import axe_check
from tests.browser.conftest import PHONE

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

STRICT = "default-src 'self'"


def with_strict_policy(route) -> None:
    response = route.fetch()
    route.fulfill(response=response, headers={**response.headers, "content-security-policy": STRICT})


def test_axe_runs_under_a_strict_content_security_policy(new_page, world):  # noqa: ARG001
    page = new_page(PHONE)
    page.route("**/contacts/", with_strict_policy)
    violations = []
    page.on(
        "console",
        lambda message: violations.append(message.text) if "Content Security Policy" in message.text else None,
    )
    response = page.goto("/contacts/")
    assert response.headers["content-security-policy"] == STRICT

    # The policy is in force: an inline script added to the page does not run.
    with pytest.raises(PlaywrightError):
        page.add_script_tag(content="window.inlineRan = true;")
    assert page.evaluate("() => window.inlineRan === undefined")
    assert any("Content Security Policy" in text for text in violations)

    # axe-core is injected and runs all the same (and finds nothing serious on this page).
    assert axe_check(page, "/contacts/ under a strict CSP") == []
    assert page.evaluate("() => typeof window.axe.run") == "function"
