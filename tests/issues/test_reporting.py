"""Reporting: a report becomes an issue, routed at once, with deadlines, or waits for the dispatcher."""

import datetime

import pytest
from django.contrib.gis.geos import MultiPolygon

from issues.models import CalendarDate, Issue, IssueEvent, IssueRefCounter, RoutingRule, WorkingCalendar
from issues.selectors import calendar_spec
from issues.services import issue_create, issue_next_ref
from issues.services.reporting import issues_release_after_confirmation
from opencity.errors import InvalidInput, RateLimited
from tests.factories import UserFactory, box, point
from tests.world import TUESDAY_10, kyiv

pytestmark = pytest.mark.django_db


def test_a_report_is_routed_with_deadlines_and_its_reason(world, report):
    issue = report()
    assert issue.ref == "DRH-2026-000001"
    assert issue.status == "assigned"
    assert issue.executor == world.roads
    assert issue.district == world.west
    assert issue.clock_started_at == TUESDAY_10
    # 9 working hours from Tuesday 10:00 → Wednesday 10:00; 45 → Tuesday next week 10:00
    assert issue.response_due_at == kyiv(2026, 12, 2, 10, 0)
    assert issue.resolve_due_at == kyiv(2026, 12, 8, 10, 0)
    kinds = list(issue.events.order_by("pk").values_list("kind", "from_status", "to_status"))
    assert kinds == [("created", "", "new"), ("routed", "new", "assigned")]
    routed = issue.events.get(kind="routed")
    rule = RoutingRule.objects.get(category=world.pothole)
    assert issue.routing_rule == rule
    assert routed.data == {
        "action": "route",
        "executor": "roads",
        "routing": {
            "rule_id": rule.pk,
            "scope": "community",
            "priority": 0,
            "area_m2": None,
            "candidates": 1,
            "in_force": 1,
            "outranked": [],
        },
        "deadlines": {"response_due_at": "2026-12-02T08:00:00+00:00", "resolve_due_at": "2026-12-08T08:00:00+00:00"},
    }


def test_emergency_categories_run_around_the_clock(world, report):
    issue = report(category=world.manhole, now=kyiv(2026, 12, 5, 23, 0))  # Saturday night
    assert issue.executor == world.water
    assert issue.response_due_at == kyiv(2026, 12, 6, 1, 0)
    assert issue.resolve_due_at == kyiv(2026, 12, 6, 23, 0)


def test_no_rule_leaves_the_issue_new_for_the_dispatcher(world, report):
    issue = report(category=world.playground)
    assert (issue.status, issue.executor, issue.response_due_at, issue.resolve_due_at) == ("new", None, None, None)
    assert list(issue.events.values_list("kind", flat=True)) == ["created"]


def test_references_count_per_year_without_gaps(world, report):
    refs = [report().ref, report().ref, report(now=kyiv(2027, 1, 1, 0, 30)).ref]
    assert refs == ["DRH-2026-000001", "DRH-2026-000002", "DRH-2027-000001"]


def test_a_reference_has_six_digits_at_least_and_more_when_a_year_needs_them(world, report):
    """The report's reference is formatted in SQL, with the number it takes: as issue_next_ref does."""
    IssueRefCounter.objects.create(prefix="DRH", year=2026, last_number=999_998)
    assert report().ref == "DRH-2026-999999"
    assert report().ref == "DRH-2026-1000000"
    assert issue_next_ref(at=TUESDAY_10) == "DRH-2026-1000001"


@pytest.mark.parametrize(
    ("changes", "field", "code"),
    [
        ({"point": point(24.03, 49.84)}, "location", "outside_community"),
        ({"point": None}, "location", "invalid"),
        ({"description": "   "}, "description", "invalid"),
        ({"description": "я" * 4001}, "description", "invalid"),
        ({"category": None}, "category", "invalid"),
        ({"address": "a" * 301}, "address", "invalid"),
    ],
)
def test_a_bad_report_is_refused_and_nothing_is_written(world, changes, field, code):
    arguments = {
        "reporter": world.citizen,
        "category": world.pothole,
        "description": "Яма",
        "point": world.inside_west,
        "address": "",
        "now": TUESDAY_10,
    }
    with pytest.raises(InvalidInput) as refused:
        issue_create(**{**arguments, **changes})
    assert refused.value.code == code
    assert list(refused.value.fields) == [field]
    assert not Issue.objects.exists()
    assert not IssueEvent.objects.exists()
    assert not IssueRefCounter.objects.exists()


def test_a_reporter_has_an_hourly_limit_of_reports(world, report, settings):
    settings.OPENCITY_REPORTS_PER_HOUR = 2
    report(now=TUESDAY_10)
    report(now=TUESDAY_10 + datetime.timedelta(minutes=20))
    with pytest.raises(RateLimited) as refused:
        report(now=TUESDAY_10 + datetime.timedelta(minutes=40))
    assert refused.value.code == "rate_limited"
    assert report(reporter=world.other_citizen, now=TUESDAY_10 + datetime.timedelta(minutes=40)).ref
    assert report(now=TUESDAY_10 + datetime.timedelta(minutes=61)).ref  # the first is an hour old
    assert report(now=TUESDAY_10 + datetime.timedelta(minutes=62), source="demo").ref  # the demo loader's own
    assert Issue.objects.filter(reporter=world.citizen).count() == 4


def test_an_inactive_category_is_refused(world):
    world.pothole.is_active = False
    world.pothole.save()
    with pytest.raises(InvalidInput) as refused:
        issue_create(reporter=world.citizen, category=world.pothole, description="x", point=world.inside_west)
    assert list(refused.value.fields) == ["category"]


def test_a_point_on_the_community_boundary_is_accepted(world, report):
    from tests.factories import CENTRE_LAT, CENTRE_LON

    issue = report(where=point(CENTRE_LON + 0.1, CENTRE_LAT))
    assert issue.status == "assigned"
    assert issue.district is None


def test_the_same_idempotency_key_creates_one_issue(world):
    arguments = {
        "reporter": world.citizen,
        "category": world.pothole,
        "description": "Яма",
        "point": world.inside_west,
        "idempotency_key": "c0ffee-1",
        "now": TUESDAY_10,
    }
    first = issue_create(**arguments)
    again = issue_create(**arguments)
    assert (first.created, again.created) == (True, False)
    assert again.issue.pk == first.issue.pk
    assert Issue.objects.count() == 1
    # Another person may use the same key for their own report.
    other = issue_create(**{**arguments, "reporter": world.other_citizen})
    assert other.created and Issue.objects.count() == 2


def test_a_district_rule_beats_the_community_rule_and_a_border_point_routes_deterministically(world, report):
    RoutingRule.objects.create(category=world.pothole, executor=world.water, district=world.west)
    RoutingRule.objects.create(category=world.pothole, executor=world.housing, district=world.east)
    assert report(where=world.inside_west).executor == world.water
    assert report(where=world.inside_east).executor == world.housing
    # On the shared border both district rules cover the point; the areas are equal, so the older
    # rule (west, created first) wins, every time; the district is the one with the smaller code.
    border = [report(where=world.on_border) for _ in range(3)]
    assert {i.executor.code for i in border} == {"water"}
    assert {i.district.code for i in border} == {"east"}


def test_priority_beats_area_and_rules_out_of_force_are_skipped(world, report):
    area = MultiPolygon(box(23.49, 49.34, 23.50, 49.35)[0], srid=4326)
    RoutingRule.objects.create(category=world.pothole, executor=world.water, area=area)
    RoutingRule.objects.create(
        category=world.pothole, executor=world.housing, priority=5, valid_until=datetime.date(2026, 11, 30)
    )
    assert report(where=point(23.495, 49.345)).executor == world.water
    RoutingRule.objects.filter(executor=world.housing).update(valid_until=None)
    assert report(where=point(23.495, 49.345)).executor == world.housing


def test_the_rules_read_for_a_route_are_what_the_orm_reads(world, django_assert_num_queries):
    """_routing_rules reads raw SQL and builds the models itself: every value is the ORM's, the
    polygons are left out, and each area's size is PostGIS's on the spheroid."""
    from django.db import connection

    from issues.services.reporting import _routing_rules

    world.calendar.working_weekdays = [1, 2, 3, 4, 5, 6]
    world.calendar.save()
    CalendarDate.objects.create(calendar=world.calendar, date=datetime.date(2026, 12, 25), is_working=False)
    CalendarDate.objects.create(calendar=world.calendar, date=datetime.date(2026, 12, 27), is_working=True)
    area = MultiPolygon(box(23.49, 49.34, 23.50, 49.35)[0], srid=4326)
    RoutingRule.objects.create(category=world.pothole, executor=world.water, area=area, priority=2)
    RoutingRule.objects.create(category=world.pothole, executor=world.housing, district=world.west, note="Захід")
    RoutingRule.objects.create(category=world.manhole, executor=world.housing)  # another category
    RoutingRule.objects.create(category=world.pothole, executor=world.housing, district=world.east)  # elsewhere
    here = point(23.495, 49.345)
    rules = _routing_rules(category=world.pothole, point=here)
    expected = (
        RoutingRule.objects.for_category(world.pothole)
        .covering(here)
        .select_related("executor", "district", "category__sla_policy__calendar")
        .order_by("-priority", "pk")
    )

    def values(instance, *skip):
        fields = [f.attname for f in instance._meta.concrete_fields if f.attname not in skip]
        return {name: getattr(instance, name) for name in fields}

    assert [rule.pk for rule in rules] == [rule.pk for rule in expected] and len(rules) == 3
    for rule, orm in zip(rules, expected, strict=True):
        assert values(rule, "area") == values(orm, "area")
        assert values(rule.executor) == values(orm.executor)
        assert values(rule.category) == values(orm.category)
        assert values(rule.category.sla_policy) == values(orm.category.sla_policy)
        assert values(rule.category.sla_policy.calendar) == values(orm.category.sla_policy.calendar)
        assert (rule.district.code if rule.district_id else None) == (orm.district.code if orm.district_id else None)
        assert rule.has_area == (orm.area is not None)
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT ST_Area(COALESCE(r.area, d.geom)::geography) FROM issues_routingrule r"
                " LEFT JOIN geo_district d ON d.id = r.district_id WHERE r.id = %s",
                [rule.pk],
            )
            assert rule.area_m2 == cursor.fetchone()[0]
    assert rules[0].category.sla_policy.calendar.working_weekdays == [1, 2, 3, 4, 5, 6]
    assert "area" in rules[0].get_deferred_fields()
    # The calendar came with its dates: its spec for the deadlines needs no query, and is the same.
    with django_assert_num_queries(0):
        spec = calendar_spec(rules[0].category.sla_policy.calendar)
    assert spec == calendar_spec(WorkingCalendar.objects.get(pk=world.calendar.pk))
    assert spec.non_working_dates == {datetime.date(2026, 12, 25)}
    assert spec.extra_working_dates == {datetime.date(2026, 12, 27)}


def test_reports_by_unconfirmed_people_wait_until_they_confirm(world):
    newcomer = UserFactory(username="newcomer", email_confirmed_at=None)
    issue = issue_create(
        reporter=newcomer, category=world.pothole, description="Яма", point=world.inside_west, now=TUESDAY_10
    ).issue
    assert issue.status == "new" and issue.executor is None
    assert issue.events.get().data == {"source": "web", "held_for_email_confirmation": True}
    released = issues_release_after_confirmation(user=newcomer, now=kyiv(2026, 12, 1, 11, 0))
    assert [i.pk for i in released] == [issue.pk]
    issue.refresh_from_db()
    assert issue.status == "assigned" and issue.executor == world.roads
    assert issue.clock_started_at == kyiv(2026, 12, 1, 11, 0)


def test_a_routed_report_is_stored_in_a_bounded_number_of_queries(world, report, django_assert_max_num_queries):
    """The create path's round trips (26, then 21, before issue 13's cuts): the hourly limit and the
    category's questions (one query), the boundary and district (one query), the issue with its
    follower and `created` event (one statement), the duplicate search, the rules (with the SLA
    policy and calendar), the `routed` event, the issue's new state, the dashboard's refresh (once
    for both events), the reference; and the transaction's two."""
    report()  # the first report warms nothing that counts: every lookup below is per report
    with django_assert_max_num_queries(11) as captured:
        issue = report(where=world.inside_east)
    assert issue.status == "assigned" and issue.executor == world.roads
    assert issue.ref == Issue.objects.get(pk=issue.pk).ref == "DRH-2026-000002"
    statements = [q["sql"] for q in captured.captured_queries]
    # Nothing is read twice: not the executor the rule named, not the log of a clock just started,
    # not the issue just inserted (routed without locking a row nobody else can see yet).
    assert not [sql for sql in statements if 'FROM "accounts_executor"' in sql]
    assert not [sql for sql in statements if 'FROM "issues_issueevent"' in sql]
    assert not [sql for sql in statements if 'FROM "issues_issue"' in sql and "FOR UPDATE" in sql]
    # The reference counter's row lock is held to the commit: it is taken after every other write,
    # so concurrent reports wait on each other only for the end of a transaction.
    counter = next(n for n, sql in enumerate(statements) if "issues_issuerefcounter" in sql)
    writes = [n for n, sql in enumerate(statements) if "INSERT INTO" in sql or sql.lstrip().startswith("UPDATE")]
    assert writes[-1] == counter  # the counter, and the issue's reference in the same statement
