"""Issues meet the other layers: reports inside a known outage are linked to it and resolved when it
ends; issues are planned against budget projects, whose pages list them."""

import datetime
import json

import pytest
from django.contrib.gis.geos import Point
from django.core import mail
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from geo.models import Outage, OutageKindGrant
from geo.services import outage_publish
from issues.models import Category, Issue, IssueEvent
from issues.services import TransitionInput, issue_create, issue_transition
from opencity.errors import Forbidden, InvalidInput
from tests.factories import CENTRE_LAT, CENTRE_LON, BudgetProjectFactory, OutageFactory, box, point

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("immediate_tasks")]


@pytest.fixture
def no_water(world):
    """A "no water" category routed to the water utility, matching water outages."""
    category = Category.objects.create(
        code="no-water",
        group=world.pothole.group,
        name_uk="Немає води",
        name_en="No water",
        sla_policy=world.emergency,
        outage_kind="water",
    )
    from issues.models import RoutingRule

    RoutingRule.objects.create(category=category, executor=world.water)
    return category


@pytest.fixture
def outage(world):
    """An active water outage of the water utility over a square around the town hall."""
    OutageKindGrant.objects.create(executor=world.water, kind="water")
    return OutageFactory(
        provider=world.water, area=box(CENTRE_LON - 0.005, CENTRE_LAT - 0.005, CENTRE_LON + 0.005, CENTRE_LAT + 0.005)
    )


def report_no_water(world, category, where=None, reporter=None):
    return issue_create(
        reporter=reporter or world.citizen,
        category=category,
        description="Немає води з ранку",
        point=where or point(CENTRE_LON, CENTRE_LAT),
    ).issue


def test_a_report_inside_a_known_outage_is_linked_and_the_citizen_told(world, no_water, outage):
    issue = report_no_water(world, no_water)
    assert issue.outage == outage
    event = issue.events.get(kind="outage_linked")
    assert event.is_public
    assert event.data["outage_id"] == outage.pk and event.data["kind"] == "water"
    data = APIClient(headers={"accept-language": "uk"}).get(f"/api/v1/issues/{issue.ref}/").json()
    from issues.presentation import deadline_in_words

    assert (
        data["outage_notice"]
        == f"Тут відоме відключення води; очікуване відновлення: {deadline_in_words(outage.expected_end_at)}."
    )
    assert data["outage"]["id"] == outage.pk
    assert "Тут відоме відключення води" in Client().get(f"/issues/{issue.ref}/").content.decode()


def test_the_zone_edge_counts_and_other_cases_do_not_link(world, no_water, outage, report):
    on_edge = report_no_water(world, no_water, where=point(CENTRE_LON + 0.005, CENTRE_LAT))
    assert on_edge.outage == outage
    outside = report_no_water(world, no_water, where=point(CENTRE_LON + 0.02, CENTRE_LAT))
    assert outside.outage is None
    pothole = report(where=point(CENTRE_LON, CENTRE_LAT))  # a category with no outage kind
    assert pothole.outage is None
    OutageFactory(provider=world.water, kind="electricity")
    upcoming = OutageFactory(provider=world.water, starts_at=timezone.now() + datetime.timedelta(hours=5))
    Outage.objects.filter(pk=outage.pk).update(ended_at=timezone.now())
    later = report_no_water(world, no_water)
    assert later.outage is None
    assert upcoming.pk  # upcoming outages are not linked either


def test_closing_the_outage_resolves_its_open_reports_and_tells_their_followers(
    world, no_water, outage, django_capture_on_commit_callbacks
):
    from issues.services.support import issue_support

    first = report_no_water(world, no_water)
    second = report_no_water(world, no_water, reporter=world.other_citizen)
    rejected = report_no_water(world, no_water, reporter=world.other_citizen)
    issue_transition(issue=rejected, actor=world.dispatcher, action="reject", data=TransitionInput(note="Дубль"))
    issue_support(issue=first, user=world.mayor)
    mail.outbox.clear()
    desk = Client()
    desk.force_login(world.water_staff)
    with django_capture_on_commit_callbacks(execute=True):
        response = desk.post(f"/outages/manage/{outage.pk}/close/", {"note": "Водопостачання відновлено"})
    assert response.status_code == 302
    outage.refresh_from_db()
    assert outage.ended_at is not None
    for issue in (first, second):
        issue.refresh_from_db()
        assert issue.status == "resolved"
        event = issue.events.latest("pk")
        assert (event.actor, event.data) == (
            None,
            {"action": "resolve", "reason": "outage_closed", "outage_id": outage.pk, "kind": "water"},
        )
    rejected.refresh_from_db()
    assert rejected.status == "rejected"
    recipients = sorted(m.to[0] for m in mail.outbox)
    assert recipients == ["citizen@example.org", "mayor@example.org", "neighbour@example.org"]
    timeline = Client().get(f"/issues/{first.ref}/").content.decode()
    assert "Вирішено: постачальник повідомляє, що відключення завершилося" in timeline


def test_a_refused_close_changes_neither_the_outage_nor_the_reports(world, no_water, outage):
    issue = report_no_water(world, no_water)
    events_before = IssueEvent.objects.count()
    other = Client()
    other.force_login(world.roads_staff)
    assert other.post(f"/outages/manage/{outage.pk}/close/", {"note": "?"}).status_code == 403
    outage.refresh_from_db()
    issue.refresh_from_db()
    assert (outage.ended_at, issue.status, IssueEvent.objects.count()) == (None, "assigned", events_before)


def test_closing_resolves_only_the_providers_own_reports_and_hands_the_rest_to_the_dispatcher(
    world, no_water, outage, django_capture_on_commit_callbacks
):
    own = report_no_water(world, no_water)
    elsewhere = report_no_water(world, no_water, reporter=world.other_citizen)
    issue_transition(
        issue=elsewhere,
        actor=world.dispatcher,
        action="reassign",
        data=TransitionInput(executor=world.roads, note="Це дорожня служба"),
    )
    waiting = report_no_water(world, no_water, reporter=world.mayor)
    Issue.objects.filter(pk=waiting.pk).update(status="new", executor=None)  # not yet looked at
    desk = Client()
    desk.force_login(world.water_staff)
    with django_capture_on_commit_callbacks(execute=True):
        assert desk.post(f"/outages/manage/{outage.pk}/close/", {"note": "Відновлено"}).status_code == 302
    statuses = {issue.pk: issue.status for issue in Issue.objects.filter(pk__in=[own.pk, elsewhere.pk, waiting.pk])}
    assert statuses == {own.pk: "resolved", elsewhere.pk: "assigned", waiting.pk: "new"}
    for issue in (elsewhere, waiting):
        note = issue.events.latest("pk")
        assert (note.kind, note.is_public, note.actor) == ("comment", False, None)
        assert "Водоканал" in note.note
    assert not own.events.filter(kind="comment").exists()


def test_a_provider_publishes_only_the_outage_kinds_granted_to_it(world):
    parks = world.roads  # any organisation without a water grant
    OutageKindGrant.objects.create(executor=parks, kind="electricity")
    desk = Client()
    desk.force_login(world.roads_staff)
    area = box(CENTRE_LON - 0.005, CENTRE_LAT - 0.005, CENTRE_LON + 0.005, CENTRE_LAT + 0.005)
    with pytest.raises(Forbidden):
        outage_publish(
            actor=world.roads_staff,
            provider=parks,
            kind="water",
            nature="emergency",
            area=area,
            starts_at=timezone.now(),
        )
    with pytest.raises(InvalidInput) as refused:  # a dispatcher cannot give it that kind either
        outage_publish(
            actor=world.dispatcher,
            provider=parks,
            kind="water",
            nature="emergency",
            area=area,
            starts_at=timezone.now(),
        )
    assert list(refused.value.fields) == ["kind"]
    assert not Outage.objects.exists()
    granted = outage_publish(
        actor=world.roads_staff,
        provider=parks,
        kind="electricity",
        nature="emergency",
        area=area,
        starts_at=timezone.now(),
    )
    assert granted.kind == "electricity"


def test_planning_against_a_budget_project(world, report):
    project = BudgetProjectFactory(code="2026-roads-01", geom=Point(CENTRE_LON - 0.01, CENTRE_LAT, srid=4326))
    now = timezone.now()
    issue = report(now=now)  # at the project's point
    far = report(where=point(CENTRE_LON - 0.01 + 0.01, CENTRE_LAT), now=now)  # ~725 m east
    url = f"/api/v1/issues/{issue.ref}/transition/"
    client = APIClient(headers={"accept-language": "uk"})
    client.force_authenticate(world.roads_staff)
    bad = client.post(url, {"action": "plan", "budget_project": 999999}, format="json")
    assert (bad.status_code, list(bad.json()["fields"])) == (400, ["budget_project"])
    near = json.loads(APIClient().get(f"/api/v1/issues/?near_budget_project={project.pk}").content)
    assert [f["id"] for f in near["features"]] == [issue.ref]
    planned = client.post(url, {"action": "plan", "budget_project": project.pk}, format="json")
    assert planned.status_code == 200
    body = planned.json()
    assert (body["status"], body["budget_project"]["id"]) == ("planned", project.pk)
    assert body["timeline"][-1]["summary"] == f"Заплановано в межах бюджетного проєкту «{project.title}»"
    linked = json.loads(APIClient().get(f"/api/v1/issues/?budget_project={project.pk}&status=").content)
    assert [f["id"] for f in linked["features"]] == [issue.ref]
    assert far.ref not in [f["id"] for f in near["features"]]
    page = Client().get(f"/budget/{project.pk}/").content.decode()
    assert 'id="project-issues"' in page and "/static/js/project-issues.js" in page
