"""Issue pages: the permission matrix, the issue page's words, and actions through forms."""

import datetime

import pytest
from django.test import Client
from django.utils import timezone

from issues.models import IssueEvent
from issues.selectors import queue_entries_for_executor

pytestmark = pytest.mark.django_db

PEOPLE = ["anonymous", "citizen", "roads_staff", "water_staff", "dispatcher", "mayor"]


def browser(world, who: str, language: str = "uk") -> Client:
    client = Client(headers={"accept-language": language})
    if who != "anonymous":
        client.force_login(getattr(world, who))
    return client


@pytest.mark.parametrize(
    ("who", "queue_status", "dispatch_status"),
    [
        ("anonymous", 302, 302),
        ("citizen", 403, 403),
        ("roads_staff", 200, 403),
        ("water_staff", 200, 403),
        ("dispatcher", 403, 200),
        ("mayor", 403, 403),
    ],
)
def test_who_may_open_the_queue_and_the_desk(world, who, queue_status, dispatch_status):
    client = browser(world, who)
    queue, desk = client.get("/queue/"), client.get("/dispatch/")
    assert (queue.status_code, desk.status_code) == (queue_status, dispatch_status)
    if who == "anonymous":
        assert queue["Location"].startswith("/accounts/login/?next=/queue/")


def test_each_executor_sees_only_its_own_queue(world, report):
    mine, theirs = report(), report(category=world.manhole)
    roads = browser(world, "roads_staff").get("/queue/").content.decode()
    water = browser(world, "water_staff").get("/queue/").content.decode()
    assert mine.ref in roads and theirs.ref not in roads
    assert theirs.ref in water and mine.ref not in water


def test_the_queue_page_shows_a_page_at_a_time_in_the_queue_order(world, report, monkeypatch):
    """Thousands of open issues are not one page: QUEUE_PAGE_SIZE rows, a pager, and the pages
    together are the whole queue in its order (the filters kept from page to page)."""
    monkeypatch.setattr("issues.selectors.QUEUE_PAGE_SIZE", 2)
    start = timezone.now() - datetime.timedelta(days=10)
    refs = [report(now=start + datetime.timedelta(days=n)).ref for n in range(5)]
    client = browser(world, "roads_staff")
    pages = [client.get("/queue/", {"status": "assigned", "page": n}).content.decode() for n in (1, 2, 3)]
    shown = [
        sorted((ref for ref in refs if f'data-ref="{ref}"' in page), key=lambda ref, page=page: page.index(ref))
        for page in pages
    ]
    assert [len(rows) for rows in shown] == [2, 2, 1]
    whole = queue_entries_for_executor(executor=world.roads, status="assigned")
    assert sum(shown, []) == [entry.issue.ref for entry in whole] and len(whole) == 5
    assert "Сторінка 1 з 3" in pages[0] and 'rel="next"' in pages[0] and "status=assigned" in pages[0]
    assert 'rel="next"' not in pages[2] and 'rel="prev"' in pages[2]
    # A page past the end, or not a number, shows the nearest page rather than an error.
    assert client.get("/queue/", {"page": 99}).status_code == client.get("/queue/", {"page": "x"}).status_code == 200


@pytest.mark.parametrize(
    ("who", "expected_status", "changed"),
    [
        ("anonymous", 302, False),
        ("citizen", 403, False),
        ("water_staff", 403, False),
        ("dispatcher", 403, False),
        ("mayor", 403, False),
        ("roads_staff", 302, True),
    ],
)
def test_accepting_through_the_page_form(world, report, who, expected_status, changed):
    issue = report()
    tomorrow = (timezone.localdate() + datetime.timedelta(days=1)).isoformat()
    response = browser(world, who).post(f"/issues/{issue.ref}/act/", {"action": "accept", "promised_date": tomorrow})
    assert response.status_code == expected_status
    issue.refresh_from_db()
    assert (issue.status == "in_progress") is changed
    assert IssueEvent.objects.filter(issue=issue, data__action="accept").count() == int(changed)


def test_a_refused_form_shows_the_reason_on_the_page(world, report):
    issue = report()
    response = browser(world, "roads_staff").post(f"/issues/{issue.ref}/act/", {"action": "accept"})
    assert response.status_code == 400
    assert "Вкажіть дату, до якої буде виконано." in response.content.decode()
    conflict = browser(world, "roads_staff").post(f"/issues/{issue.ref}/act/", {"action": "resume"})
    assert conflict.status_code == 409
    assert "Це неможливо, поки звернення має статус «призначено»." in conflict.content.decode()


def test_the_issue_page_says_the_deadlines_in_words(world, report):
    issue = report()  # reported Tuesday 1 December 10:00; answer due Wednesday 10:00
    html = browser(world, "anonymous").get(f"/issues/{issue.ref}/").content.decode()
    assert "Відповідь до" in html and "середа, 2 грудня, 10:00" in html
    assert "Виконати до" in html and "вівторок, 8 грудня, 10:00" in html
    assert "Надіслано: Дорожня служба" in html
    english = browser(world, "anonymous", "en").get(f"/issues/{issue.ref}/").content.decode()
    assert "Answer due by" in english and "Wednesday, 2 December, 10:00" in english


def test_the_public_issue_page_shows_no_internal_events_or_personal_data(world, report):
    from issues.services.moderation import issue_comment

    issue = report()
    issue_comment(issue=issue, actor=world.roads_staff, note="Службова примітка для бригади", is_public=False)
    public = browser(world, "other_citizen").get(f"/issues/{issue.ref}/").content.decode()
    assert "Службова примітка" not in public
    assert world.citizen.email not in public and world.citizen.username not in public.replace("citizen@", "")
    staff = browser(world, "roads_staff").get(f"/issues/{issue.ref}/").content.decode()
    assert "Службова примітка для бригади" in staff


def test_the_dispatcher_assigns_an_unrouted_issue_from_the_desk(world, report):
    issue = report(category=world.playground)
    desk = browser(world, "dispatcher")
    assert f'data-ref="{issue.ref}"' in desk.get("/dispatch/").content.decode()
    response = desk.post(
        f"/issues/{issue.ref}/act/", {"action": "reassign", "executor": "housing", "next": "/dispatch/"}
    )
    assert (response.status_code, response["Location"]) == (302, "/dispatch/")
    issue.refresh_from_db()
    assert (issue.status, issue.executor.code) == ("assigned", "housing")
    assert f'data-ref="{issue.ref}"' not in desk.get("/dispatch/").content.decode()


def test_an_external_next_url_is_not_followed(world, report):
    issue = report(category=world.playground)
    response = browser(world, "dispatcher").post(
        f"/issues/{issue.ref}/act/", {"action": "reassign", "executor": "housing", "next": "//evil.example/"}
    )
    assert response["Location"] == f"/issues/{issue.ref}/"


def test_moderation_hides_and_changes_category(world, report):
    issue = report(category=world.playground)
    desk = browser(world, "dispatcher")
    desk.post(f"/issues/{issue.ref}/moderate/", {"operation": "category", "category": "pothole"})
    issue.refresh_from_db()
    assert (issue.category.code, issue.status, issue.executor.code) == ("pothole", "assigned", "roads")
    desk.post(f"/issues/{issue.ref}/moderate/", {"operation": "hide", "note": "Телефон в описі"})
    assert browser(world, "anonymous").get(f"/issues/{issue.ref}/").status_code == 404
    assert browser(world, "citizen").post(f"/issues/{issue.ref}/moderate/", {"operation": "show"}).status_code == 403
    assert desk.get(f"/issues/{issue.ref}/").status_code == 200
