"""The reads behind the issue pages: the issue's pictures and the viewer's support, the held-report
notice, the executor's queue with its overdue and due-soon marks, "my issues", the map's categories
and the picture redirect."""

import datetime
import uuid
from pathlib import Path

import pytest
from django.contrib.auth.models import AnonymousUser
from django.utils import translation

from issues.models import Category, CategoryAttribute, CategoryGroup
from issues.rules.clocks import DUE_SOON
from issues.selectors import (
    category_groups_active,
    category_groups_for_map,
    issue_by_ref,
    issue_held_for_confirmation,
    issue_media_visible,
    issue_pictures,
    issue_support_of_viewer,
    issues_followed_by,
    queue_entries_for_executor,
)
from issues.services import TransitionInput, issue_transition
from issues.services.media import issue_add_media, media_intake_many
from issues.services.moderation import issue_set_hidden
from issues.services.support import issue_support
from tests.factories import UserFactory
from tests.media_store.media import image_bytes, upload
from tests.world import TUESDAY_10

pytestmark = pytest.mark.django_db

ANONYMOUS = AnonymousUser()


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path) -> Path:
    root = tmp_path / "media"
    root.mkdir()
    settings.MEDIA_ROOT = str(root)
    return root


def assets(user, count: int) -> list:
    files = [upload(image_bytes("PNG", (40 + n, 30)), f"p{n}.png", "image/png") for n in range(count)]
    return media_intake_many(files=files, uploaded_by=user)[0]


def act(issue, actor, action, at=TUESDAY_10, **data):
    return issue_transition(issue=issue, actor=actor, action=action, data=TransitionInput(**data), now=at)


def test_an_issue_by_its_reference(world, report):
    issue = report()
    assert issue_by_ref(ref=issue.ref) == issue
    assert issue_by_ref(ref="DRH-2026-999999") is None


def test_the_citizens_pictures_and_the_executors_before_and_after(world, report):
    reported = assets(world.citizen, 2)
    issue = report(media=reported)
    before, after = assets(world.roads_staff, 2)
    issue_add_media(issue=issue, actor=world.roads_staff, assets=[after], role="after")
    issue_add_media(issue=issue, actor=world.roads_staff, assets=[before], role="before")
    pictures = issue_pictures(issue=issue)
    assert pictures.report == reported
    # By position, then by when they were added: the "after" came first, each at position 0.
    assert [(link.role, link.asset) for link in pictures.work] == [("after", after), ("before", before)]


def test_an_issue_without_pictures(world, report):
    pictures = issue_pictures(issue=report())
    assert (pictures.report, pictures.work) == ([], [])


def test_who_may_support_and_who_does(world, report, django_assert_num_queries):
    issue = report()
    with django_assert_num_queries(0):
        anonymous = issue_support_of_viewer(issue=issue, user=ANONYMOUS)
    assert (anonymous.can_support, anonymous.supports) == (False, False)
    reporter = issue_support_of_viewer(issue=issue, user=world.citizen)
    assert (reporter.can_support, reporter.supports) == (False, False)
    neighbour = issue_support_of_viewer(issue=issue, user=world.other_citizen)
    assert (neighbour.can_support, neighbour.supports) == (True, False)
    issue, _added = issue_support(issue=issue, user=world.other_citizen)
    neighbour = issue_support_of_viewer(issue=issue, user=world.other_citizen)
    assert (neighbour.can_support, neighbour.supports) == (True, True)
    closed = act(issue, world.roads_staff, "reject", note="Не наша ділянка")
    neighbour = issue_support_of_viewer(issue=closed, user=world.other_citizen)
    assert (neighbour.can_support, neighbour.supports) == (False, True)


def test_a_held_report_is_told_to_its_reporter_only(world, report):
    newcomer = UserFactory(username="newcomer", email_confirmed_at=None)
    held = report(reporter=newcomer)
    assert (held.status, held.executor) == ("new", None)
    assert issue_held_for_confirmation(issue=held, viewer=newcomer) is True
    for other in (world.citizen, world.dispatcher, ANONYMOUS, None):
        assert issue_held_for_confirmation(issue=held, viewer=other) is False
    # Routed, rejected or merged by the dispatcher, it no longer waits.
    rejected = act(held, world.dispatcher, "reject", note="Дубль")
    assert issue_held_for_confirmation(issue=rejected, viewer=newcomer) is False


def test_a_confirmed_reporters_report_is_not_held(world, report):
    issue = report()
    assert issue_held_for_confirmation(issue=issue, viewer=world.citizen) is False


def test_the_queue_marks_overdue_and_due_soon(world, report):
    issue = report()
    due = issue.response_due_at
    marks = {
        "long before": due - DUE_SOON - datetime.timedelta(hours=1),
        "within a day": due - DUE_SOON + datetime.timedelta(minutes=1),
        "just due": due,
        "past it": due + datetime.timedelta(minutes=1),
    }
    states = {
        name: [(entry.issue, entry.state) for entry in queue_entries_for_executor(executor=world.roads, at=at)]
        for name, at in marks.items()
    }
    assert states == {
        "long before": [(issue, "")],
        "within a day": [(issue, "soon")],
        "just due": [(issue, "soon")],
        "past it": [(issue, "overdue")],
    }


def test_the_queue_narrowed_by_status_category_and_overdue(world, report):
    assigned = report()
    started = act(report(), world.roads_staff, "accept", promised_date=datetime.date(2026, 12, 4))
    manhole = report(category=world.manhole)  # the water utility's, never in the roads queue
    late = assigned.response_due_at + datetime.timedelta(minutes=1)

    def refs(**filters):
        return [entry.issue.ref for entry in queue_entries_for_executor(executor=world.roads, at=TUESDAY_10, **filters)]

    assert sorted(refs()) == sorted([assigned.ref, started.ref])
    assert refs(status="assigned") == [assigned.ref]
    assert refs(status="in_progress") == [started.ref]
    assert refs(category=world.manhole) == []
    assert sorted(refs(category=world.pothole)) == sorted([assigned.ref, started.ref])
    assert refs(overdue_only=True) == []
    overdue = queue_entries_for_executor(executor=world.roads, at=late, overdue_only=True)
    assert [(entry.issue.ref, entry.state) for entry in overdue] == [(assigned.ref, "overdue")]
    assert manhole.ref not in refs()


def test_my_issues_reported_and_supported(world, report):
    first = report()
    second = report(now=TUESDAY_10 + datetime.timedelta(hours=1))
    theirs = report(reporter=world.other_citizen, category=world.manhole)
    issue_support(issue=theirs, user=world.citizen)
    followed = issues_followed_by(user=world.citizen)
    # The most recently changed first: supporting does not change the issue.
    assert [f.issue for f in followed.reported] == [second, first]
    assert [f.issue for f in followed.supported] == [theirs]
    assert {f.reason for f in followed.reported} == {"reporter"}
    assert issues_followed_by(user=world.dispatcher).reported == []


def test_the_maps_categories_by_group_with_their_questions(world):
    world.manhole.urgent_notice_uk = "Телефонуйте 101"
    world.manhole.urgent_notice_en = "Call 101"
    world.manhole.photo_required = True
    world.manhole.save()
    CategoryAttribute.objects.create(
        category=world.pothole,
        code="where",
        datatype="singlevaluelist",
        order=2,
        description_uk="Де?",
        description_en="Where?",
        values=[{"key": "road", "name_uk": "Дорога", "name_en": "Road"}],
    )
    CategoryAttribute.objects.create(
        category=world.pothole,
        code="depth",
        datatype="number",
        required=True,
        order=1,
        description_uk="Глибина, см",
        description_en="Depth, cm",
        datatype_description_en="A number",
    )
    lighting = CategoryGroup.objects.create(code="lighting", name_uk="Освітлення", name_en="Lighting", order=1)
    Category.objects.create(
        code="lamp", group=lighting, name_uk="Ліхтар", name_en="Lamp", sla_policy=world.standard, is_active=False
    )
    with translation.override("en"):
        groups = category_groups_for_map(language="en")
    assert groups == [
        {
            "code": "roads",
            "name": "Roads",
            "categories": [
                {
                    "code": "open-manhole",
                    "name": "Open manhole",
                    "duplicate_radius_m": world.manhole.duplicate_radius_m,
                    "photo_required": True,
                    "urgent_notice": "Call 101",
                    "questions": [],
                },
                {
                    "code": "playground",
                    "name": "Playground",
                    "duplicate_radius_m": world.playground.duplicate_radius_m,
                    "photo_required": False,
                    "urgent_notice": "",
                    "questions": [],
                },
                {
                    "code": "pothole",
                    "name": "Pothole",
                    "duplicate_radius_m": 30,
                    "photo_required": False,
                    "urgent_notice": "",
                    "questions": [
                        {
                            "code": "depth",
                            "datatype": "number",
                            "required": True,
                            "variable": True,
                            "description": "Depth, cm",
                            "hint": "A number",
                            "options": [],
                        },
                        {
                            "code": "where",
                            "datatype": "singlevaluelist",
                            "required": False,
                            "variable": True,
                            "description": "Where?",
                            "hint": "",
                            "options": [{"key": "road", "name": "Road"}],
                        },
                    ],
                },
            ],
        }
    ]
    # The group with only an inactive category is neither in the form nor in the filters.
    assert list(category_groups_active()) == [world.pothole.group]


def test_a_picture_of_a_visible_issue_only(world, report):
    [photo] = assets(world.citizen, 1)
    issue = report(media=[photo])
    link = issue_media_visible(public_id=photo.public_id)
    assert (link.issue, link.asset) == (issue, photo)
    assert issue_media_visible(public_id=uuid.uuid4()) is None
    issue_set_hidden(issue=issue, actor=world.dispatcher, hidden=True, note="Особисті дані")
    assert issue_media_visible(public_id=photo.public_id) is None
