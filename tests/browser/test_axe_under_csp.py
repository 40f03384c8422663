"""axe-core still runs under the site's Content-Security-Policy: the engine goes in through the
DevTools protocol (`page.evaluate`), which the policy does not govern, where a `<script>` tag added
to the page is refused. (Its own browser context: the `new_page` fixture fails any test on a refusal,
and here one is provoked on purpose.)"""

from __future__ import annotations

import pytest
from playwright.sync_api import Error as PlaywrightError

from tests.browser.axe import axe_check
from tests.browser.conftest import PHONE

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(viewport=PHONE, locale="uk-UA", base_url=live_server.url)
    yield context.new_page()
    context.close()


def test_axe_runs_under_the_sites_content_security_policy(page, world):  # noqa: ARG001
    violations = []
    page.on(
        "console",
        lambda message: violations.append(message.text) if "Content Security Policy" in message.text else None,
    )
    response = page.goto("/contacts/")
    policy = response.headers["content-security-policy"]
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy

    # The policy is in force: an inline script added to the page does not run.
    with pytest.raises(PlaywrightError):
        page.add_script_tag(content="window.inlineRan = true;")
    assert page.evaluate("() => window.inlineRan === undefined")
    assert any("Content Security Policy" in text for text in violations)

    # axe-core is injected and runs all the same (and finds nothing serious on this page).
    assert axe_check(page, "/contacts/ under the CSP") == []
    assert page.evaluate("() => typeof window.axe.run") == "function"
