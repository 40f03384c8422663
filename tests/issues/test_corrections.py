"""issue_correct: staff corrections of an issue's location, text and category. A moved point
finds its district again, a `new` issue is routed again, the outage link is checked again; one
internal `corrected` event records old and new values. The admin corrects through it too."""

import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from issues.models import Category, Issue, IssueEvent, RoutingRule
from issues.presentation import event_summary
from issues.rules.corrections import CorrectionRecord
from issues.services import issue_create
from issues.services.corrections import issue_correct
from opencity.errors import Forbidden, InvalidInput
from tests.factories import CENTRE_LAT, CENTRE_LON, OutageFactory, UserFactory, box, point
from tests.world import kyiv

pytestmark = pytest.mark.django_db

ELEVEN = kyiv(2026, 12, 1, 11, 0)


def row(issue):
    """Everything stored about the issue, and its events, to show that nothing changed."""
    return (
        Issue.objects.filter(pk=issue.pk).values().get(),
        list(IssueEvent.objects.filter(issue=issue).values_list("pk", flat=True)),
    )


def corrections(issue):
    return list(issue.events.filter(kind="corrected"))


def test_a_point_moved_into_another_district_changes_the_district_and_records_one_event(world, report):
    issue = report(where=world.inside_west)
    events_before = issue.events.count()
    corrected = issue_correct(issue=issue, actor=world.dispatcher, point=world.inside_east, now=ELEVEN)
    corrected.refresh_from_db()
    assert (corrected.point.x, corrected.point.y) == (CENTRE_LON + 0.01, CENTRE_LAT)
    assert corrected.district == world.east
    assert corrected.updated_at == ELEVEN
    # Assigned already: the correction does not touch who is responsible or the deadlines.
    assert (corrected.status, corrected.executor) == ("assigned", world.roads)
    assert issue.events.count() == events_before + 1
    [event] = corrections(issue)
    assert (event.actor, event.at, event.is_public, event.note) == (world.dispatcher, ELEVEN, False, "")
    assert event.data == {
        "point": {"old": [CENTRE_LON - 0.01, CENTRE_LAT], "new": [CENTRE_LON + 0.01, CENTRE_LAT]},
        "district": {"old": "west", "new": "east"},
    }


def test_the_timeline_reads_what_the_correction_wrote(world, report):
    from django.utils import translation

    issue = report(where=world.inside_west)
    issue_correct(
        issue=issue, actor=world.dispatcher, point=world.inside_east, description="Яма біля зупинки", now=ELEVEN
    )
    [event] = corrections(issue)
    assert CorrectionRecord.from_data(event.data).fields == ("point", "description", "district")
    assert event_summary(event) == "Виправлено працівниками: місце, опис, район / округ"
    with translation.override("en"):
        assert event_summary(event) == "Corrected by staff: location, description, district"


def test_a_new_issue_moved_into_a_routing_rules_area_is_routed(world, report):
    RoutingRule.objects.create(category=world.playground, executor=world.housing, district=world.east)
    issue = report(category=world.playground, where=world.inside_west)
    assert (issue.status, issue.executor) == ("new", None)  # no rule in the west
    corrected = issue_correct(issue=issue, actor=world.dispatcher, point=world.inside_east, now=ELEVEN)
    assert (corrected.status, corrected.executor, corrected.district) == ("assigned", world.housing, world.east)
    assert corrected.clock_started_at == ELEVEN
    assert list(issue.events.order_by("pk").values_list("kind", flat=True)) == ["created", "corrected", "routed"]
    routed = issue.events.get(kind="routed")
    assert (routed.actor, routed.from_status, routed.to_status) == (None, "new", "assigned")
    assert routed.data["executor"] == "housing"
    assert routed.data["routing"]["scope"] == "district:east"


def test_a_new_issue_moved_where_no_rule_applies_stays_new(world, report):
    issue = report(category=world.playground, where=world.inside_west)
    corrected = issue_correct(issue=issue, actor=world.dispatcher, point=world.inside_east, now=ELEVEN)
    assert (corrected.status, corrected.executor, corrected.district) == ("new", None, world.east)
    assert list(issue.events.order_by("pk").values_list("kind", flat=True)) == ["created", "corrected"]


def test_an_assigned_issue_moved_is_not_routed_again(world, report):
    RoutingRule.objects.create(category=world.pothole, executor=world.water, district=world.east)
    issue = report(where=world.inside_west)
    assert (issue.status, issue.executor) == ("assigned", world.roads)
    deadlines = (issue.routing_rule_id, issue.clock_started_at, issue.response_due_at, issue.resolve_due_at)
    corrected = issue_correct(issue=issue, actor=world.dispatcher, point=world.inside_east, now=ELEVEN)
    corrected.refresh_from_db()
    assert (corrected.status, corrected.executor, corrected.district) == ("assigned", world.roads, world.east)
    assert (
        corrected.routing_rule_id,
        corrected.clock_started_at,
        corrected.response_due_at,
        corrected.resolve_due_at,
    ) == deadlines
    assert issue.events.filter(kind__in=["routed", "reassigned"]).count() == 1  # the first routing only


def test_a_new_issue_of_an_unconfirmed_reporter_stays_held_when_moved(world):
    newcomer = UserFactory(username="newcomer", email_confirmed_at=None)
    issue = issue_create(
        reporter=newcomer, category=world.pothole, description="Яма", point=world.inside_west, now=ELEVEN
    ).issue
    corrected = issue_correct(issue=issue, actor=world.dispatcher, point=world.inside_east, now=ELEVEN)
    assert (corrected.status, corrected.executor, corrected.district) == ("new", None, world.east)
    assert not issue.events.filter(kind="routed").exists()


@pytest.mark.parametrize(
    ("changes", "fields", "code"),
    [
        ({"point": "outside"}, ["point"], "outside_community"),
        ({"point": "outside", "description": "Інший опис"}, ["point"], "outside_community"),
        ({"description": "   "}, ["description"], "invalid"),
        ({"address": "в" * 301}, ["address"], "invalid"),
        ({"point": "outside", "description": ""}, ["description", "point"], "invalid"),
    ],
)
def test_a_refused_correction_changes_nothing(world, report, changes, fields, code):
    issue = report(where=world.inside_west)
    before = row(issue)
    if changes.get("point") == "outside":
        changes["point"] = world.outside
    with pytest.raises(InvalidInput) as refused:
        issue_correct(issue=issue, actor=world.dispatcher, now=ELEVEN, **changes)
    assert refused.value.code == code
    assert sorted(refused.value.fields) == fields
    assert row(issue) == before


def test_a_point_outside_the_boundary_gets_the_reports_message(world, report):
    issue = report()
    with pytest.raises(InvalidInput) as refused:
        issue_correct(issue=issue, actor=world.dispatcher, point=world.outside, now=ELEVEN)
    with pytest.raises(InvalidInput) as report_refused:
        issue_create(reporter=world.citizen, category=world.pothole, description="Яма", point=world.outside)
    assert refused.value.fields["point"] == report_refused.value.fields["location"]
    assert report_refused.value.code == refused.value.code == "outside_community"


def test_only_dispatchers_and_administrators_may_correct(world, report):
    issue = report()
    before = row(issue)
    for person in (world.citizen, world.roads_staff, world.mayor):
        with pytest.raises(Forbidden) as refused:
            issue_correct(issue=issue, actor=person, description="Виправлено", now=ELEVEN)
        assert refused.value.code == "corrector_only"
    assert row(issue) == before
    root = UserFactory(username="root", is_staff=True, is_superuser=True)
    issue_correct(issue=issue, actor=root, description="Виправлено", now=ELEVEN)
    assert corrections(issue)[0].actor == root


def test_nothing_to_change_writes_nothing(world, report):
    issue = report(where=world.inside_west)
    before = row(issue)
    with CaptureQueriesContext(connection) as queries:
        same = issue_correct(
            issue=issue,
            actor=world.dispatcher,
            point=point(CENTRE_LON - 0.01, CENTRE_LAT),
            description="  Глибока яма посеред дороги ",  # the same text once trimmed
            address="вул. Стрийська, 10",
            category=world.pothole,
            now=ELEVEN,
        )
    assert same.pk == issue.pk
    assert row(issue) == before
    assert not [q for q in queries.captured_queries if q["sql"].startswith(("UPDATE", "INSERT"))]


def test_only_the_changed_columns_are_saved(world, report):
    issue = report()
    with CaptureQueriesContext(connection) as queries:
        issue_correct(
            issue=issue,
            actor=world.dispatcher,
            description="Яма біля зупинки",
            address="вул. Стрийська, 10",
            now=ELEVEN,
        )
    updates = [q["sql"] for q in queries.captured_queries if q["sql"].startswith('UPDATE "issues_issue"')]
    assert len(updates) == 1
    assigned = updates[0].split(" WHERE ")[0]
    assert assigned.count(" = ") == 2
    assert '"description" = ' in assigned and '"updated_at" = ' in assigned
    [event] = corrections(issue)
    assert event.data == {"description": {"old": "Глибока яма посеред дороги", "new": "Яма біля зупинки"}}


def test_a_new_category_goes_through_the_category_change(world, report):
    RoutingRule.objects.create(category=world.playground, executor=world.housing, district=world.east)
    issue = report(category=world.manhole, where=world.inside_west)
    issue_correct(issue=issue, actor=world.dispatcher, category=world.playground, now=ELEVEN)
    issue.refresh_from_db()
    assert issue.category == world.playground
    assert not corrections(issue)  # nothing else changed
    changed = issue.events.get(kind="category_changed")
    assert (changed.actor, changed.is_public, changed.data["from"], changed.data["to"]) == (
        world.dispatcher,
        True,
        "open-manhole",
        "playground",
    )


def test_a_new_issue_moved_and_recategorised_is_routed_once_by_both(world, report):
    RoutingRule.objects.create(category=world.pothole, executor=world.housing, district=world.east)
    issue = report(category=world.playground, where=world.inside_west)
    assert issue.status == "new"  # no rule for playgrounds
    corrected = issue_correct(
        issue=issue, actor=world.dispatcher, point=world.inside_east, category=world.pothole, now=ELEVEN
    )
    assert (corrected.status, corrected.executor, corrected.category) == ("assigned", world.housing, world.pothole)
    assert list(issue.events.order_by("pk").values_list("kind", flat=True)) == [
        "created",
        "corrected",
        "category_changed",
        "routed",
    ]
    assert issue.events.get(kind="routed").data["routing"]["scope"] == "district:east"


def test_an_inactive_category_is_refused_and_nothing_changes(world, report):
    Category.objects.filter(pk=world.playground.pk).update(is_active=False)
    world.playground.refresh_from_db()
    issue = report()
    before = row(issue)
    with pytest.raises(InvalidInput) as refused:
        issue_correct(
            issue=issue, actor=world.dispatcher, category=world.playground, description="Інший опис", now=ELEVEN
        )
    assert list(refused.value.fields) == ["category"]
    assert row(issue) == before


@pytest.fixture
def no_water(world):
    """A "no water" category matching water outages (routed to the water utility)."""
    category = Category.objects.create(
        code="no-water",
        group=world.pothole.group,
        name_uk="Немає води",
        name_en="No water",
        sla_policy=world.emergency,
        outage_kind="water",
    )
    RoutingRule.objects.create(category=category, executor=world.water)
    return category


@pytest.fixture
def outage(world):
    """An active water outage over a small square around the town hall (inside the west and east)."""
    return OutageFactory(
        provider=world.water, area=box(CENTRE_LON - 0.005, CENTRE_LAT - 0.005, CENTRE_LON + 0.005, CENTRE_LAT + 0.005)
    )


def report_no_water(world, category, where):
    return issue_create(reporter=world.citizen, category=category, description="Немає води", point=where).issue


def test_a_point_moved_out_of_its_outage_loses_the_link(world, no_water, outage):
    issue = report_no_water(world, no_water, where=point(CENTRE_LON - 0.001, CENTRE_LAT))
    assert issue.outage == outage
    corrected = issue_correct(issue=issue, actor=world.dispatcher, point=world.inside_west)
    corrected.refresh_from_db()
    assert corrected.outage is None
    [event] = corrections(issue)
    assert event.data["outage"] == {"old": outage.pk, "new": None}
    assert "district" not in event.data  # still in the west


def test_a_point_moved_within_its_outage_keeps_the_link(world, no_water, outage):
    issue = report_no_water(world, no_water, where=point(CENTRE_LON - 0.001, CENTRE_LAT))
    corrected = issue_correct(issue=issue, actor=world.dispatcher, point=point(CENTRE_LON + 0.001, CENTRE_LAT))
    corrected.refresh_from_db()
    assert (corrected.outage, corrected.district) == (outage, world.east)
    assert set(corrections(issue)[0].data) == {"point", "district"}
    assert issue.events.filter(kind="outage_linked").count() == 1


def test_a_point_moved_into_an_outage_is_linked_like_a_report(world, no_water, outage):
    issue = report_no_water(world, no_water, where=world.inside_west)
    assert issue.outage is None
    corrected = issue_correct(issue=issue, actor=world.dispatcher, point=point(CENTRE_LON - 0.001, CENTRE_LAT))
    corrected.refresh_from_db()
    assert corrected.outage == outage
    linked = issue.events.get(kind="outage_linked")
    assert (linked.is_public, linked.data["outage_id"]) == (True, outage.pk)


# --- The admin -----------------------------------------------------------------------------------


@pytest.fixture
def admin_client(client):
    client.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))
    return client


def change_form(issue, **values):
    """The admin's change form as the browser posts it (the inlines are read-only: no rows)."""
    return {
        "category": issue.category_id,
        "description": issue.description,
        "address": issue.address,
        "point": json.dumps({"type": "Point", "coordinates": [issue.point.x, issue.point.y]}),
        **{
            f"{prefix}-{name}": value
            for prefix in ("events", "open311_submission")
            for name, value in (("TOTAL_FORMS", "0"), ("INITIAL_FORMS", "0"), ("MAX_NUM_FORMS", "1000"))
        },
        **values,
    }


def test_the_admin_shows_only_the_correctable_fields_as_inputs(world, report, admin_client):
    issue = report()
    page = admin_client.get(f"/admin/issues/issue/{issue.pk}/change/")
    assert page.status_code == 200
    assert set(page.context["adminform"].form.fields) == {"category", "description", "address", "point"}


def test_a_correction_in_the_admin_goes_through_the_service(world, report, admin_client):
    issue = report(where=world.inside_west)
    east = json.dumps({"type": "Point", "coordinates": [CENTRE_LON + 0.01, CENTRE_LAT]})
    answer = admin_client.post(f"/admin/issues/issue/{issue.pk}/change/", change_form(issue, point=east))
    assert answer.status_code == 302
    issue.refresh_from_db()
    assert issue.district == world.east
    [event] = corrections(issue)
    assert event.actor.username == "root"
    assert event.data == {
        "point": {"old": [CENTRE_LON - 0.01, CENTRE_LAT], "new": [CENTRE_LON + 0.01, CENTRE_LAT]},
        "district": {"old": "west", "new": "east"},
    }


def test_the_admins_trial_of_a_correction_leaves_no_trace(world, report, admin_client):
    """The form tries the correction to find errors, then rolls the trial back: one routing, one
    `corrected` event and one `category_changed` event, not two of each."""
    RoutingRule.objects.create(category=world.pothole, executor=world.housing, district=world.east)
    issue = report(category=world.playground, where=world.inside_west)
    east = json.dumps({"type": "Point", "coordinates": [CENTRE_LON + 0.01, CENTRE_LAT]})
    answer = admin_client.post(
        f"/admin/issues/issue/{issue.pk}/change/", change_form(issue, point=east, category=world.pothole.pk)
    )
    assert answer.status_code == 302
    issue.refresh_from_db()
    assert (issue.category, issue.status, issue.executor) == (world.pothole, "assigned", world.housing)
    assert list(issue.events.order_by("pk").values_list("kind", flat=True)) == [
        "created",
        "corrected",
        "category_changed",
        "routed",
    ]


def test_saving_the_admin_form_unchanged_records_nothing(world, report, admin_client):
    issue = report()
    before = row(issue)
    answer = admin_client.post(f"/admin/issues/issue/{issue.pk}/change/", change_form(issue))
    assert answer.status_code == 302
    assert row(issue) == before


def test_a_point_outside_the_boundary_is_a_form_error_in_the_admin(world, report, admin_client):
    issue = report()
    before = row(issue)
    lviv = json.dumps({"type": "Point", "coordinates": [24.03, 49.84]})
    answer = admin_client.post(
        f"/admin/issues/issue/{issue.pk}/change/",
        change_form(issue, point=lviv, description="Інший опис"),
        headers={"accept-language": "en"},
    )
    assert answer.status_code == 200
    form = answer.context["adminform"].form
    assert form.errors == {
        "point": ["This place is outside the community. We can only take reports from inside its boundary."]
    }
    assert row(issue) == before
