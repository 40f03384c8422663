"""The executor's queue a page at a time, as a phone shows it: the pager leads through the whole
queue, every page passes axe-core and none scrolls sideways."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from tests.browser.axe import assert_accessible
from tests.browser.conftest import PHONE, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_queue_pages_through_a_large_department(new_page, world, report, monkeypatch):
    monkeypatch.setattr("issues.selectors.QUEUE_PAGE_SIZE", 3)
    start = timezone.now() - datetime.timedelta(days=10)
    refs = {report(now=start + datetime.timedelta(days=n)).ref for n in range(7)}
    world.roads_staff.set_password("secret-pass-123")
    world.roads_staff.save()
    page = new_page(PHONE)
    page.goto("/accounts/login/?next=/queue/")
    page.fill("#id_username", "roads-staff")
    page.fill("#id_password", "secret-pass-123")
    page.locator("#id_password").press("Enter")
    seen = []
    for number in (1, 2, 3):
        page.wait_for_selector("tr.queue-row")
        assert page.locator("nav.pager").inner_text().count(f"Сторінка {number} з 3") == 1
        seen += page.locator("tr.queue-row").evaluate_all("(rows) => rows.map((r) => r.dataset.ref)")
        assert_accessible(page, f"queue page {number}")
        assert page.evaluate("() => document.documentElement.scrollWidth") <= PHONE["width"]
        if number == 2:
            screenshot(page, "queue-pager-phone")
        if number < 3:
            page.locator("nav.pager a[rel=next]").click()
            page.wait_for_url(f"**page={number + 1}**")
    assert len(seen) == 7 and set(seen) == refs
    assert page.locator("nav.pager a[rel=next]").count() == 0
