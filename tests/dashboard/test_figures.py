"""Every dashboard figure on the hand-checked history of city.py, with exact values worked out by
hand (the arithmetic is in the comments; the deadlines are in city.py)."""

import datetime
from decimal import Decimal

import pytest

from dashboard.selectors import (
    DashboardFilter,
    dashboard_backlog,
    dashboard_budget,
    dashboard_executor_sla,
    dashboard_heat_grid,
    dashboard_hot_spots,
    dashboard_overdue_issues,
    dashboard_satisfaction,
    dashboard_trends,
)
from tests.dashboard.city import NOW, PERIOD_END, PERIOD_START
from tests.world import kyiv

pytestmark = pytest.mark.django_db


def figures(row):
    return (
        row.code,
        row.periods,
        row.answer_judged,
        row.answered_on_time,
        row.answered_on_time_pct,
        row.median_answer_hours,
        row.fix_judged,
        row.fixed_on_time,
        row.fixed_on_time_pct,
        row.median_fix_hours,
        row.overdue,
    )


def test_sla_per_executor_judges_each_assignment_period(city):
    table = dashboard_executor_sla(filters=city.period, now=NOW, sort="name", descending=False)
    assert [figures(row) for row in table.rows] == [  # by name: Водоканал, Дорожня служба, Управління ЖКГ
        # Water utility: D after the reassignment (3 h, fixed in 48 h), E rejected after 1 h.
        ("water", 2, 2, 2, 100.0, 2.0, 1, 1, 100.0, 48.0, 0),
        # Road service, periods A, B¹, B², C, D (until reassigned), F, J (H began before the period).
        # Answer: on time A, B¹, C, J; late B² (94 h), D (never, deadline passed), F (never) → 4/7.
        # Median answer over A 2, B¹ 4, B² 94, C 4, J 1 → 1 2 4 4 94 → 4.
        # Fix: on time A, B¹, C (planned time paused the clock), J; late B² and F (deadline passed
        # by now); D not judged (reassigned before its fix deadline) → 4/6.
        # Median fix over A 48, B¹ 24, B² 192, C 124, J 23 → 23 24 48 124 192 → 48.
        # Overdue now: F (no answer), H (not fixed), I (no answer; reported after the period).
        ("roads", 7, 7, 4, 57.1, 4.0, 6, 4, 66.7, 48.0, 3),
        # Housing: G, handed back after 2 h (an answer, on time); no fix judged.
        ("housing", 1, 1, 1, 100.0, 2.0, 0, 0, None, None, 0),
    ]
    # All: answers 1 1 2 2 3 4 4 94 → 2.5; fixes 23 24 48 48 124 192 → 48.
    assert figures(table.total) == ("", 10, 10, 7, 70.0, 2.5, 7, 5, 71.4, 48.0, 3)


def test_sla_in_one_district(city, world):
    east = DashboardFilter(start=PERIOD_START, end=PERIOD_END, district=world.east)
    table = dashboard_executor_sla(filters=east, now=NOW, sort="name", descending=False)
    assert [figures(row) for row in table.rows] == [
        ("water", 1, 1, 1, 100.0, 3.0, 1, 1, 100.0, 48.0, 0),  # D
        ("roads", 2, 2, 1, 50.0, 4.0, 1, 1, 100.0, 124.0, 1),  # C and D; overdue: I
        ("housing", 1, 1, 1, 100.0, 2.0, 0, 0, None, None, 0),  # G
    ]
    assert figures(table.total) == ("", 4, 4, 3, 75.0, 3.0, 2, 2, 100.0, 86.0, 1)


def test_executors_sort_by_any_column_with_empty_values_last(city):
    def order(sort, descending):
        return [
            r.code for r in dashboard_executor_sla(filters=city.period, now=NOW, sort=sort, descending=descending).rows
        ]

    # Ties keep the order by name (Водоканал, Дорожня служба, Управління ЖКГ).
    assert order("name", False) == ["water", "roads", "housing"]
    assert order("overdue", True) == ["roads", "water", "housing"]  # 3, 0, 0
    assert order("answered", False) == ["roads", "water", "housing"]  # 57.1, 100, 100
    assert order("fixed", True) == ["water", "roads", "housing"]  # 100, 66.7, none
    assert order("fix_time", False) == ["water", "roads", "housing"]  # 48, 48, none
    assert order("answer_time", True) == ["roads", "water", "housing"]  # 4, 2, 2
    assert order("no-such-column", True) == order("overdue", True)


def test_overdue_list_of_an_executor(city, world):
    issues = city.issues
    overdue = dashboard_overdue_issues(executor=world.roads, district=None, now=NOW)
    # Longest overdue first, by the deadline missed: H's fix (Thu 3 Dec 10:00), F's answer
    # (Thu 10 Dec 10:00), I's answer (Wed 16 Dec 10:00).
    assert [(i.ref, i.missed_at) for i in overdue] == [
        (issues["H"].ref, kyiv(2026, 12, 3, 10, 0)),
        (issues["F"].ref, kyiv(2026, 12, 10, 10, 0)),
        (issues["I"].ref, kyiv(2026, 12, 16, 10, 0)),
    ]
    in_east = dashboard_overdue_issues(executor=world.roads, district=world.east, now=NOW)
    assert [i.ref for i in in_east] == [issues["I"].ref]
    assert list(dashboard_overdue_issues(executor=world.water, district=None, now=NOW)) == []


def test_backlog_at_the_end_of_a_past_period_comes_from_the_log(city):
    backlog = dashboard_backlog(filters=city.period, now=NOW)
    assert backlog.at == kyiv(2026, 12, 14, 0, 0)
    # On 14 Dec: G new (handed back, 12.5 days old), F assigned (4.6 days), C in progress (resumed
    # on 10 Dec; resolved only on 15 Dec, after the period) and H in progress (17.6 days).
    assert [(row.status, row.by_age) for row in backlog.rows] == [
        ("new", [0, 0, 1, 0, 0]),
        ("assigned", [0, 1, 0, 0, 0]),
        ("in_progress", [0, 0, 2, 0, 0]),
        ("planned", [0, 0, 0, 0, 0]),
    ]
    assert (backlog.total, backlog.by_age) == (4, [0, 1, 3, 0, 0])


def test_backlog_now_when_the_period_reaches_today(city):
    today = DashboardFilter(start=datetime.date(2026, 12, 1), end=datetime.date(2026, 12, 16))
    backlog = dashboard_backlog(filters=today, now=NOW)
    assert backlog.at == NOW
    # Now: G new (15 days), F assigned (7.1 days), I assigned (1.1 days), H in progress (20 days).
    assert [(row.status, row.by_age) for row in backlog.rows] == [
        ("new", [0, 0, 1, 0, 0]),
        ("assigned", [1, 1, 0, 0, 0]),
        ("in_progress", [0, 0, 1, 0, 0]),
        ("planned", [0, 0, 0, 0, 0]),
    ]


def test_trends_per_week_and_category_group(city):
    trends = dashboard_trends(filters=city.period, now=NOW)
    assert trends.weeks == [datetime.date(2026, 11, 30), datetime.date(2026, 12, 7)]
    # Received: A B C D G in the first week, F J in the second; E (a manhole) is in "water".
    # Fixes: A, B¹ in the first week; D, J, B² in the second (C's on 15 Dec is after the period).
    assert [(s.group, s.received, s.resolved) for s in trends.series] == [
        ("roads", [5, 2], [2, 3]),
        ("water", [1, 0], [0, 0]),
    ]
    assert (trends.received, trends.resolved) == ([6, 2], [2, 3])


def test_satisfaction_follows_each_fix_to_the_reporters_answer(city):
    # Fixes in the period: A (confirmed), B¹ (disputed), B² (awaiting), D (confirmed), J (closed
    # by a dispatcher: no answer). Confirmed share: 2 of the 3 answers.
    satisfaction = dashboard_satisfaction(filters=city.period, now=NOW)
    assert (satisfaction.fixes, satisfaction.confirmed, satisfaction.disputed) == (5, 2, 1)
    assert (satisfaction.no_answer, satisfaction.awaiting) == (1, 1)
    assert (satisfaction.confirmed_pct, satisfaction.disputed_pct) == (66.7, 33.3)


def test_heat_grid_counts_reports_received_per_cell(city, world):
    grid = dashboard_heat_grid(filters=city.period, now=NOW)
    assert (grid.cell_m, grid.srid) == (250, 32634)  # UTM zone 34N for Drohobych
    # West point: A B E F J; east point: C D G (H and I are outside the period).
    assert [cell.issues for cell in grid.cells] == [5, 3]
    assert [(cell.x % 250, cell.y % 250) for cell in grid.cells] == [(0, 0), (0, 0)]
    east = dashboard_heat_grid(
        filters=DashboardFilter(start=PERIOD_START, end=PERIOD_END, district=world.east), now=NOW
    )
    assert [cell.issues for cell in east.cells] == [3]


def test_budget_execution_by_sector(city, world):
    budget = dashboard_budget(filters=city.period, now=NOW)
    assert [(line.sector, line.projects, line.planned, line.spent, line.spent_pct) for line in budget.sectors] == [
        ("roads", 1, Decimal("1000000.00"), Decimal("250000.00"), 25.0),
        ("lighting", 1, Decimal("200000.00"), Decimal("200000.00"), 100.0),
    ]
    assert (budget.planned, budget.spent, budget.spent_pct) == (Decimal("1200000.00"), Decimal("450000.00"), 37.5)
    east = DashboardFilter(start=PERIOD_START, end=PERIOD_END, district=world.east)
    assert [line.sector for line in dashboard_budget(filters=east, now=NOW).sectors] == ["lighting"]
    earlier = DashboardFilter(start=datetime.date(2025, 3, 1), end=datetime.date(2025, 3, 31))
    assert [(line.sector, line.planned) for line in dashboard_budget(filters=earlier, now=NOW).sectors] == [
        ("roads", Decimal("1000000.00"))
    ]


def test_hot_spots_are_clusters_of_open_issues(world, report):
    from tests.factories import point

    base_lon, base_lat = world.inside_west.x, world.inside_west.y
    # Four open potholes about 70 m apart in a row (0.001° of longitude ≈ 72 m here), two far away.
    cluster = [report(where=point(base_lon + 0.001 * k, base_lat), now=kyiv(2026, 12, 1, 10 + k)) for k in range(4)]
    report(where=point(base_lon + 0.02, base_lat), now=kyiv(2026, 12, 2, 10))
    report(where=point(base_lon + 0.02, base_lat + 0.02), now=kyiv(2026, 12, 2, 11))
    period = DashboardFilter(start=PERIOD_START, end=PERIOD_END)
    spots = dashboard_hot_spots(filters=period, now=NOW)
    assert [(s.rank, s.issues, s.category, s.district) for s in spots] == [(1, 4, "Яма", "Західний")]
    spot = spots[0]
    assert spot.oldest_at == cluster[0].created_at
    assert (spot.lon, spot.lat) == pytest.approx((base_lon + 0.0015, base_lat), abs=1e-5)
    assert 105 <= spot.radius_m <= 112  # half of 3 × 72 m
    # A fixed issue leaves the spot; three are still a spot, two are not.
    from issues.services import TransitionInput, issue_transition

    for issue in cluster[:2]:
        issue_transition(
            issue=issue,
            actor=world.roads_staff,
            action="resolve",
            data=TransitionInput(note="Готово"),
            now=kyiv(2026, 12, 3, 10),
        )
    assert dashboard_hot_spots(filters=period, now=NOW) == []


def test_the_events_record_the_deadlines_they_set(city):
    """What the SLA figures stand on: a pause stops the fix clock and its end moves the deadline."""
    events = city.issues["C"].events.filter(kind__in=["routed", "status_changed"]).order_by("at", "pk")
    assert [(e.data["action"], e.data.get("deadlines")) for e in events] == [
        ("route", {"response_due_at": "2026-12-03T08:00:00+00:00", "resolve_due_at": "2026-12-09T08:00:00+00:00"}),
        ("plan", {"response_due_at": "2026-12-03T08:00:00+00:00", "resolve_due_at": None}),
        ("resume", {"response_due_at": "2026-12-03T08:00:00+00:00", "resolve_due_at": "2026-12-16T13:00:00+00:00"}),
        ("resolve", None),
    ]
