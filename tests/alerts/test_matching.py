"""Which events an alert matches (alerts/sql.py), against PostGIS: district, drawn area (edge
included), radius on the spheroid, category groups, kinds of events, and never what is not public."""

from __future__ import annotations

import datetime

import pytest
from django.contrib.gis.geos import Point
from django.utils import timezone

from alerts.models import AlertFrequency, AlertKind
from alerts.sql import alert_feed_event_ids, alerts_due_for_digest, alerts_due_for_event, district_feed_event_ids
from issues.models import Category, CategoryGroup, IssueEvent, IssueEventKind, NotificationDelivery
from issues.services import TransitionInput, issue_transition
from issues.services.moderation import issue_set_hidden
from tests.factories import CENTRE_LAT, CENTRE_LON, UserFactory, box, point
from tests.world import TUESDAY_10

pytestmark = pytest.mark.django_db
LONG_AGO = TUESDAY_10 - datetime.timedelta(days=30)


def created(issue) -> IssueEvent:
    return IssueEvent.objects.get(issue=issue, kind=IssueEventKind.CREATED)


def matches(alert) -> list[str]:
    """The references of the issues whose events the alert's feed holds, oldest first."""
    ids = alert_feed_event_ids(alert_id=alert.pk, limit=100)
    events = IssueEvent.objects.filter(pk__in=ids).select_related("issue").order_by("at", "pk")
    return [f"{event.issue.ref}:{event.kind}" for event in events]


def metres_east(metres: float) -> Point:
    """A point `metres` east of the alert's centre (1° of longitude at 49.35° N ≈ 72,560 m)."""
    return point(CENTRE_LON - 0.01 + metres / 72_560, CENTRE_LAT)


def test_a_district_alert_matches_new_reports_in_its_district_only(world, report, make_alert):
    alert = make_alert(AlertKind.DISTRICT, district=world.west)
    inside = report(where=world.inside_west)
    report(where=world.inside_east)
    assert matches(alert) == [f"{inside.ref}:created"]


def test_an_area_alert_matches_inside_and_on_the_edge_not_outside(world, report, make_alert):
    half = 0.002
    alert = make_alert(
        AlertKind.AREA,
        area=box(CENTRE_LON - 0.01 - half, CENTRE_LAT - half, CENTRE_LON - 0.01 + half, CENTRE_LAT + half),
    )
    inside = report(where=point(CENTRE_LON - 0.01, CENTRE_LAT), now=TUESDAY_10)
    edge = report(where=point(CENTRE_LON - 0.01 + half, CENTRE_LAT), now=TUESDAY_10 + datetime.timedelta(minutes=1))
    report(where=point(CENTRE_LON - 0.01 + 2 * half, CENTRE_LAT), now=TUESDAY_10 + datetime.timedelta(minutes=2))
    assert matches(alert) == [f"{inside.ref}:created", f"{edge.ref}:created"]


def test_a_radius_alert_measures_metres_on_the_spheroid(world, report, make_alert):
    alert = make_alert(AlertKind.RADIUS, center=point(CENTRE_LON - 0.01, CENTRE_LAT), radius_m=500)
    near = report(where=metres_east(480), now=TUESDAY_10)
    report(where=metres_east(520), now=TUESDAY_10 + datetime.timedelta(minutes=1))
    assert matches(alert) == [f"{near.ref}:created"]


def test_category_groups_narrow_an_alert(world, report, make_alert):
    parks = CategoryGroup.objects.create(code="parks", name_uk="Парки", name_en="Parks")
    bench = Category.objects.create(
        code="bench", group=parks, name_uk="Лавка", name_en="Bench", sla_policy=world.standard
    )
    roads_only = make_alert(AlertKind.DISTRICT, groups=[world.pothole.group])
    everything = make_alert(AlertKind.DISTRICT)
    pothole = report(category=world.pothole, now=TUESDAY_10)
    broken_bench = report(category=bench, now=TUESDAY_10 + datetime.timedelta(minutes=1))
    assert matches(roads_only) == [f"{pothole.ref}:created"]
    assert matches(everything) == [f"{pothole.ref}:created", f"{broken_bench.ref}:created"]


def test_status_changes_are_matched_when_asked_for_and_the_platforms_routing_never(world, report, make_alert):
    new_only = make_alert(AlertKind.DISTRICT)
    changes_only = make_alert(AlertKind.DISTRICT, new_reports=False, status_changes=True)
    both = make_alert(AlertKind.DISTRICT, status_changes=True)
    issue = report()  # created, and routed by the platform in the same breath
    assert IssueEvent.objects.filter(issue=issue, kind=IssueEventKind.ROUTED).count() == 1
    issue_transition(
        issue=issue,
        actor=world.roads_staff,
        action="accept",
        data=TransitionInput(promised_date=datetime.date(2030, 1, 1)),
        now=TUESDAY_10 + datetime.timedelta(hours=1),
    )
    assert matches(new_only) == [f"{issue.ref}:created"]
    assert matches(changes_only) == [f"{issue.ref}:status_changed"]
    assert matches(both) == [f"{issue.ref}:created", f"{issue.ref}:status_changed"]


def test_hidden_and_pending_issues_are_never_matched(world, report, make_alert):
    alert = make_alert(AlertKind.DISTRICT)
    hidden = report()
    issue_set_hidden(issue=hidden, actor=world.dispatcher, hidden=True, note="особисті дані")
    newcomer = UserFactory(username="newcomer", email_confirmed_at=None)
    pending = report(reporter=newcomer, now=TUESDAY_10 + datetime.timedelta(minutes=1))
    assert pending.awaiting_confirmation
    assert matches(alert) == []
    assert district_feed_event_ids(district_id=world.west.pk, limit=10) == []
    assert alerts_due_for_event(event_id=created(hidden).pk) == []
    assert alerts_due_for_event(event_id=created(pending).pk) == []
    assert alerts_due_for_digest(since=LONG_AGO) == []


def test_who_is_owed_what(world, report, make_alert, subscriber):
    """Immediate alerts by event, daily ones by period; never the subscriber's own report, an
    address already told, a stopped alert, or an unconfirmed address."""
    at_once = make_alert(AlertKind.DISTRICT, frequency=AlertFrequency.IMMEDIATE)
    daily = make_alert(AlertKind.RADIUS)
    stopped = make_alert(AlertKind.DISTRICT, unsubscribed_at=TUESDAY_10)
    unconfirmed = UserFactory(username="unsure", email_confirmed_at=None)
    make_alert(AlertKind.DISTRICT, user=unconfirmed)
    mine = make_alert(AlertKind.DISTRICT, user=world.citizen, frequency=AlertFrequency.IMMEDIATE)
    issue = report(now=timezone.now())  # by world.citizen, after the alerts were made
    event = created(issue)
    due = alerts_due_for_event(event_id=event.pk)
    assert [(row.alert_id, row.email) for row in due] == [(at_once.pk, "watcher@example.org")]
    assert mine.pk not in {row.alert_id for row in due} and stopped.pk not in {row.alert_id for row in due}
    assert [(row.alert_id, row.event_id) for row in alerts_due_for_digest(since=LONG_AGO)] == [(daily.pk, event.pk)]
    NotificationDelivery.objects.create(event=event, email="watcher@example.org")
    assert alerts_due_for_event(event_id=event.pk) == []
    assert alerts_due_for_digest(since=LONG_AGO) == []


def test_the_district_feed_has_new_reports_and_status_changes(world, report):
    issue = report()
    issue_transition(
        issue=issue,
        actor=world.roads_staff,
        action="accept",
        data=TransitionInput(promised_date=datetime.date(2030, 1, 1)),
        now=TUESDAY_10 + datetime.timedelta(hours=1),
    )
    ids = district_feed_event_ids(district_id=world.west.pk, limit=10)
    kinds = list(IssueEvent.objects.filter(pk__in=ids).order_by("-at", "-pk").values_list("kind", flat=True))
    assert kinds == ["status_changed", "created"]
    assert district_feed_event_ids(district_id=world.west.pk, limit=1) == ids[:1]
    assert district_feed_event_ids(district_id=world.east.pk, limit=10) == []
