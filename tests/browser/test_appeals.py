"""Appeals and information requests in a real browser, on a 360 px phone (issue 15, "What it must
show"): a citizen files an appeal and an information request, the general department's clerk routes
both, the unit answers one (with an attachment) and extends the other, the citizen reads the answer.
Every page on the way: axe-core finds no serious or critical violation, nothing scrolls sideways."""

from __future__ import annotations

import re

import pytest
from django.utils import timezone

from appeals.models import Appeal, AppealKind
from appeals.rules.transitions import AppealStatus
from tests.appeals.city import appeals_city  # noqa: F401
from tests.browser.axe import assert_accessible
from tests.browser.conftest import PHONE, screenshot, sign_in
from tests.media_store.media import image_bytes, pdf_bytes

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ADDRESS = "м. Дрогобич, вул. Шевченка, 5, кв. 2"


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")


def check(page, name: str) -> None:
    """The page as a phone shows it: accessible, no sideways scroll, and a screenshot to look at."""
    assert_accessible(page, name)
    assert page.evaluate("() => document.documentElement.scrollWidth") <= PHONE["width"], name
    screenshot(page, name)


def test_a_citizen_files_the_council_answers_and_extends_the_citizen_reads(new_page, appeals_city):  # noqa: F811
    world = appeals_city.world
    for user in (appeals_city.author, appeals_city.clerk, world.roads_staff):
        user.set_password("secret-pass-123")
        user.save()

    # The citizen: the front doors, then an appeal.
    citizen = new_page(PHONE)
    sign_in(citizen, "author")
    citizen.goto("/appeals/")
    assert citizen.locator("h2#appeal-door").inner_text() == "Електронне звернення"
    assert "30 календарних днів" in citizen.locator("main").inner_text()
    check(citizen, "appeals-index-phone")
    citizen.get_by_role("link", name="Написати звернення").click()
    citizen.wait_for_url(re.compile(r"/appeals/new/\?kind=application$"))
    assert citizen.locator("#id_author_name").input_value() == "Тарас Шевчук"
    # The urgent term belongs to information requests: not shown for an appeal.
    assert not citizen.locator("#id_urgent").is_visible()
    citizen.get_by_label("Скарга").check()
    citizen.fill("#id_subject", "Не вивозять сміття")
    citizen.fill("#id_text", "Третій тиждень не вивозять сміття з двору на вул. Шевченка, 5.")
    citizen.click("main form button.send-button")
    # The law asks for a postal address: the form comes back with the message and what was typed.
    citizen.wait_for_selector("#id_postal_address_error")
    assert citizen.locator("#id_subject").input_value() == "Не вивозять сміття"
    check(citizen, "appeal-form-error-phone")
    citizen.fill("#id_postal_address", ADDRESS)
    citizen.click("main form button.send-button")
    citizen.wait_for_selector(".due-card")
    complaint = Appeal.objects.get(kind=AppealKind.COMPLAINT)
    assert citizen.locator(".appeal-ref .ref").inner_text() == complaint.ref
    due = timezone.localtime(complaint.due_at)
    assert f"{due.year}, {due:%H:%M}" in citizen.locator(".due-date").inner_text()
    check(citizen, "appeal-acknowledgement-phone")

    # … and an information request, asking for the urgent term.
    citizen.goto("/appeals/new/?kind=information_request")
    assert citizen.locator("#id_urgent").is_visible()
    citizen.fill("#id_subject", "Кошторис ремонту Стрийської")
    citizen.fill("#id_text", "Прошу надати кошторис і акти виконаних робіт за 2026 рік.")
    check(citizen, "information-request-form-phone")
    citizen.click("main form button.send-button")
    citizen.wait_for_selector(".due-card")
    request = Appeal.objects.get(kind=AppealKind.INFORMATION_REQUEST)
    citizen.goto("/appeals/mine/")
    assert citizen.locator(".appeal-item").count() == 2
    check(citizen, "my-appeals-phone")

    # The clerk routes both to the roads unit from the desk.
    clerk = new_page(PHONE)
    sign_in(clerk, "clerk")
    clerk.goto("/appeals/desk/")
    items = clerk.locator(".appeal-desk-item")
    assert [items.nth(i).get_attribute("data-ref") for i in range(items.count())] == [request.ref, complaint.ref]
    check(clerk, "appeals-desk-phone")
    for appeal in (request, complaint):
        item = clerk.locator(f".appeal-desk-item[data-ref='{appeal.ref}']")
        item.locator("select[name=unit]").select_option("roads")
        item.get_by_role("button", name="Передати підрозділу").click()
        clerk.wait_for_selector(".message.success")
    assert set(Appeal.objects.values_list("status", flat=True)) == {AppealStatus.ASSIGNED}

    # The unit answers the complaint with the signed answer as a PDF and a photo of the site …
    unit = new_page(PHONE)
    sign_in(unit, "roads-staff")
    unit.goto("/appeals/queue/")
    assert unit.locator(".queue-row").count() == 2
    check(unit, "appeals-queue-phone")
    unit.locator(f".queue-row[data-ref='{complaint.ref}'] a").click()
    unit.wait_for_selector("#actions-title")
    check(unit, "appeal-unit-actions-phone")
    answer = unit.locator("form.action-answer")
    answer.locator("textarea[name=answer]").fill("Вивезення сміття відновлено з понеділка, графік додано.")
    answer.locator("select[name=outcome]").select_option("supported")
    signed = pdf_bytes(2, title="Відповідь, підписано КЕП")
    answer.locator("input[type=file]").set_input_files(
        files=[
            {"name": "vidpovid.pdf", "mimeType": "application/pdf", "buffer": signed},
            {"name": "dvir.png", "mimeType": "image/png", "buffer": image_bytes("PNG", (120, 160))},
        ]
    )
    answer.get_by_role("button", name="Надіслати відповідь").click()
    unit.wait_for_selector(".message.success")
    assert unit.locator("h2#answer-title").inner_text() == "Відповідь"

    # … and extends the request's term to the longest the law allows, with the reasons.
    unit.goto(f"/appeals/{request.ref}/")
    extend = unit.locator("form.action-extend")
    extend.locator("textarea[name=note]").fill("Великий обсяг: акти за рік шукаємо в архіві.")
    extend.get_by_role("button", name="Продовжити строк").click()
    unit.wait_for_selector(".message.success")
    request.refresh_from_db()
    assert request.extended
    assert "Строк продовжено до" in unit.locator(".timeline").inner_text()
    check(unit, "information-request-extended-phone")

    # The citizen reads the answer, opens its attachment, and sees the request's new term.
    citizen.goto(f"/appeals/{complaint.ref}/")
    assert "Вивезення сміття відновлено з понеділка" in citizen.locator(".answer").inner_text()
    assert citizen.locator(".timeline-summary").all_inner_texts() == [
        "Зареєстровано",
        "Передано до підрозділу: Дорожня служба",
        "Надано відповідь",
        "До відповіді додано файли",
    ]
    check(citizen, "appeal-answered-phone")
    assert citizen.locator(".answer .files .file-facts").first.inner_text().startswith("PDF, 2 сторінки, ")
    pdf_link, photo_link = citizen.locator(".answer .files a").all()
    response = citizen.request.get(pdf_link.get_attribute("href"))
    assert response.status == 200 and response.headers["content-type"] == "application/pdf"
    assert response.headers["content-disposition"].startswith('attachment; filename="DRH-A-')
    assert response.body() == signed
    response = citizen.request.get(photo_link.get_attribute("href"))
    assert response.status == 200 and response.headers["content-type"] == "image/png"
    citizen.goto(f"/appeals/{request.ref}/")
    assert "Строк продовжено." in citizen.locator(".due-card").inner_text()
    assert "Великий обсяг" in citizen.locator(".timeline").inner_text()
    check(citizen, "information-request-citizen-phone")
