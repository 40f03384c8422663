"""The lifecycle in a real browser: the executor's queue, accepting and resolving, the citizen's
view of each step, and the dispatcher's desk."""

import datetime

import pytest
from django.utils import timezone

from tests.browser.conftest import DESKTOP, PHONE, screenshot, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_executor_works_through_the_queue_and_the_citizen_follows(new_page, world, report):
    now = timezone.now()
    soon = report(now=now - datetime.timedelta(hours=1), description="Яма біля школи №2")
    overdue = report(now=now - datetime.timedelta(days=20), description="Стара яма на Стрийській")
    later = report(now=now, description="Вибоїна на розі")
    for user in (world.roads_staff, world.citizen):
        user.set_password("secret-pass-123")
        user.save()

    page = new_page(DESKTOP)
    sign_in(page, "roads-staff")
    page.goto("/queue/")
    rows = page.locator("tr.queue-row")
    assert [rows.nth(i).get_attribute("data-ref") for i in range(rows.count())] == [overdue.ref, soon.ref, later.ref]
    assert "overdue" in rows.nth(0).get_attribute("class")
    screenshot(page, "queue-desktop")

    promised = (timezone.localdate() + datetime.timedelta(days=3)).isoformat()
    row = page.locator(f"tr.queue-row[data-ref='{soon.ref}']")
    row.locator("input[type=date]").fill(promised)
    row.get_by_role("button", name="Прийняти").click()
    page.wait_for_selector(".message.success")
    assert page.locator(f"tr.queue-row[data-ref='{soon.ref}'] .status").inner_text() == "у роботі"

    page.goto(f"/issues/{soon.ref}/")
    page.fill("textarea[name=note] >> nth=0", "Яму засипано та заасфальтовано")
    page.get_by_role("button", name="Позначити виконаним").click()
    page.wait_for_selector(".message.success")
    assert page.locator(".issue-header .status").inner_text() == "виконано"

    citizen = new_page(PHONE)
    sign_in(citizen, "citizen")
    citizen.goto(f"/issues/{soon.ref}/")
    steps = citizen.locator(".timeline-summary").all_inner_texts()
    assert steps[0] == "Подано"
    assert steps[1] == "Надіслано: Дорожня служба"
    assert steps[2].startswith("Прийнято в роботу; обіцяють виконати до ")
    assert steps[3] == "Позначено як виконане"
    assert "Яму засипано та заасфальтовано" in citizen.locator(".timeline").inner_text()
    assert citizen.get_by_role("button", name="Так, виправлено").is_visible()
    screenshot(citizen, "issue-resolved-phone")
    citizen.get_by_role("button", name="Так, виправлено").click()
    citizen.wait_for_selector(".message.success")
    assert citizen.locator(".issue-header .status").inner_text() == "закрито"


def test_the_dispatch_desk(new_page, world, report):
    unrouted = report(category=world.playground, description="Зламана гойдалка")
    report(now=timezone.now() - datetime.timedelta(days=20))
    world.dispatcher.set_password("secret-pass-123")
    world.dispatcher.save()
    page = new_page(DESKTOP)
    sign_in(page, "dispatcher")
    page.goto("/dispatch/")
    item = page.locator(f".desk-item[data-ref='{unrouted.ref}']")
    assert item.is_visible()
    assert page.locator("#overdue-title .count").inner_text() == "1"
    screenshot(page, "dispatch-desktop")
    item.locator("select[name=executor]").select_option("housing")
    item.get_by_role("button", name="Призначити").click()
    page.wait_for_selector(".message.success")
    assert page.locator(f".desk-item[data-ref='{unrouted.ref}']").count() == 0
    screenshot(page, "dispatch-after-assign-desktop")
    phone = new_page(PHONE)
    sign_in(phone, "dispatcher")
    phone.goto("/dispatch/")
    screenshot(phone, "dispatch-phone")
