"""HTML and script typed into any free-text field is shown as text everywhere: pages, the staff
pages, the map's data (escaped again by the pop-up code), the budget pages, and e-mails."""

from pathlib import Path

import pytest
from django.core import mail
from django.test import Client

from issues.models import Issue
from issues.services import TransitionInput, issue_transition
from issues.services.moderation import issue_comment
from issues.services.support import issue_support
from tests.factories import BudgetProjectFactory, OutageFactory
from tests.world import kyiv

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("immediate_tasks")]

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = '<script>alert("xss")</script>'
IMAGE = '<img src=x onerror="alert(1)">'


def assert_escaped(html: str) -> None:
    assert SCRIPT not in html
    assert IMAGE not in html
    assert "&lt;script&gt;" in html or "\\u003Cscript\\u003E" in html or "&lt;img" in html


def test_issue_texts_are_escaped_on_every_page(world, report, django_capture_on_commit_callbacks):
    issue = report(description=f"Яма {SCRIPT}")
    Issue.objects.filter(pk=issue.pk).update(address=IMAGE)  # as a correction could set it
    issue.refresh_from_db()
    issue_comment(issue=issue, actor=world.roads_staff, note=f"Публічно {SCRIPT}", is_public=True)
    issue_comment(issue=issue, actor=world.roads_staff, note=f"Внутрішньо {IMAGE}", is_public=False)
    issue_support(issue=issue, user=world.other_citizen)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        issue_transition(
            issue=issue,
            actor=world.roads_staff,
            action="resolve",
            data=TransitionInput(note=f"Готово {SCRIPT}"),
            now=kyiv(2026, 12, 2, 9, 0),
        )
    anonymous = Client()
    assert_escaped(anonymous.get(f"/issues/{issue.ref}/").content.decode())
    for user, urls in (
        (world.citizen, ["/me/", f"/issues/{issue.ref}/"]),
        (world.roads_staff, ["/queue/", f"/issues/{issue.ref}/"]),
        (world.dispatcher, ["/dispatch/", f"/issues/{issue.ref}/"]),
    ):
        client = Client()
        client.force_login(user)
        for url in urls:
            answer = client.get(url)
            assert answer.status_code == 200, url
            html = answer.content.decode()
            assert SCRIPT not in html and IMAGE not in html, url
    # The map's data is JSON, never HTML; the pop-up code escapes every text it shows.
    layer = anonymous.get("/api/v1/issues/", headers={"accept": "application/geo+json"})
    assert layer.status_code == 200
    assert "json" in layer["Content-Type"]
    popup = (ROOT / "static/js/issues-map.js").read_text(encoding="utf-8")
    assert "escapeHtml(p.title)" in popup and "escapeHtml(p.category_name)" in popup
    # E-mails are plain text: the text arrives as typed, never turned into markup or HTML alternatives.
    assert mail.outbox
    for message in mail.outbox:
        assert not getattr(message, "alternatives", None)
        assert message.content_subtype == "plain"
    # …and as typed: plain text is not HTML, so nothing in it is HTML-escaped either (an escaped
    # apostrophe turned "п'ятниця" into "п&#x27;ятниця" in every deadline).
    bodies = "\n".join(f"{message.subject}\n{message.body}" for message in mail.outbox)
    assert f"Готово {SCRIPT}" in bodies
    assert not any(entity in bodies for entity in ("&lt;", "&gt;", "&#x27;", "&quot;", "&amp;"))


def test_budget_and_outage_texts_are_escaped(client):
    project = BudgetProjectFactory(title_uk=f"Сквер {SCRIPT}", description_uk=IMAGE, contractor=SCRIPT)
    for url in ("/budget/", f"/budget/{project.pk}/"):
        html = client.get(url).content.decode()
        assert SCRIPT not in html and IMAGE not in html, url
    outage = OutageFactory(affected_streets=SCRIPT, public_notes=IMAGE)
    for url in ("/outages/", f"/outages/{outage.pk}/", "/outages/feed.atom"):
        body = client.get(url).content.decode()
        assert SCRIPT not in body and IMAGE not in body, url
