"""The report form asks the chosen category's extra questions, shows the service's refusal next to
the question, and sends the answers with the report."""

import pytest

from issues.models import Issue
from tests.browser.conftest import DESKTOP, screenshot
from tests.open311.conftest import questions  # noqa: F401 (the pothole's questions)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_citizen_answers_the_extra_questions(new_page, world, questions, live_server):  # noqa: F811
    world.citizen.set_password("secret-pass-123")
    world.citizen.save()
    page = new_page(DESKTOP)
    page.goto("/accounts/login/?next=/%3Freport%3D1")
    page.fill("#id_username", "citizen")
    page.fill("#id_password", "secret-pass-123")
    page.click("main form button[type=submit]")
    page.wait_for_selector("#report:not([hidden])")
    page.wait_for_selector("#map[data-loaded=territory]")
    page.locator("#map").click(position={"x": 300, "y": 250})
    page.wait_for_selector("#report[data-point]")
    assert not page.locator('[data-questions-for="pothole"]').is_visible()
    page.get_by_label("Яма", exact=True).check()
    questions_box = page.locator('[data-questions-for="pothole"]')
    assert questions_box.is_visible()
    assert "Якщо яма глибша за 20 см" in questions_box.inner_text()
    page.fill("#report-description", "Яма біля школи")
    # The required depth is missing: the service's message appears under the question.
    page.get_by_role("button", name="Надіслати звернення").click()
    page.wait_for_selector('[data-errors-for="attributes.depth"] li')
    assert page.locator('[data-errors-for="attributes.depth"]').inner_text() == "Дайте відповідь: Яка глибина ями, см?"
    assert not Issue.objects.exists()
    page.get_by_label("Яка глибина ями, см?").fill("14")
    page.get_by_label("Де саме яма?").select_option("sidewalk")
    page.get_by_label("Гострий край").check()
    page.get_by_label("Не видно вночі").check()
    screenshot(page, "report-questions")
    page.get_by_role("button", name="Надіслати звернення").click()
    page.wait_for_selector("#report-done:not([hidden])")
    issue = Issue.objects.get(ref=page.locator("#done-ref").inner_text())
    assert issue.attributes == {"depth": 14, "where": "sidewalk", "hazards": ["edge", "night"]}
    # Another category hides the pothole's questions.
    page.get_by_role("button", name="Повідомити ще про одну проблему").click()
    page.get_by_label("Майданчик", exact=True).check()
    assert not questions_box.is_visible()
