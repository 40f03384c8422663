"""The pre-aggregated tables (dashboard.models) give exactly the figures of the live computation
from the event log (dashboard.sql's `*_live` queries, the reference): on the hand-checked history
of city.py, after further writes through the services, after a rebuild, and on a generated city."""

import datetime

import pytest
from django.core.management import call_command

from dashboard import selectors, sql
from dashboard.models import (
    AssignmentPeriod,
    DailyCount,
    Fix,
    HeatCount,
    IssueFact,
    SlaCount,
    SlaHistogram,
    StatusSpan,
)
from issues.models import Issue
from issues.services.corrections import issue_correct
from issues.services.moderation import issue_change_category
from tests.dashboard.city import NOW, act
from tests.world import kyiv

pytestmark = pytest.mark.django_db

AGGREGATED = ["backlog_rows", "executor_sla_rows", "trend_rows", "satisfaction_rows", "heat_grid_rows"]
RANGES = [
    (datetime.date(2026, 11, 30), datetime.date(2026, 12, 13)),  # the city's period
    (datetime.date(2026, 12, 1), datetime.date(2026, 12, 1)),  # one day
    (datetime.date(2026, 12, 3), datetime.date(2026, 12, 9)),  # a week cutting through histories
    (datetime.date(2026, 12, 7), datetime.date(2026, 12, 16)),  # up to "now"
    (datetime.date(2025, 1, 1), datetime.date(2026, 12, 31)),  # two years, everything
]
# Before, between and after the deadlines of city.py, so every running tail is judged both ways.
NOWS = [kyiv(2026, 12, 2, 9, 0), kyiv(2026, 12, 8, 12, 0), NOW, kyiv(2027, 3, 1, 12, 0)]


def figures(filters, now):
    return (
        selectors.dashboard_backlog(filters=filters, now=now),
        selectors.dashboard_executor_sla(filters=filters, now=now),
        selectors.dashboard_trends(filters=filters, now=now),
        selectors.dashboard_satisfaction(filters=filters, now=now),
        selectors.dashboard_heat_grid(filters=filters, now=now),
    )


def raw_rows(filters, now):
    """The SQL rows before the selectors round them (medians, shares), in a stable order."""
    window = filters.window(now=now)
    return (
        sorted(sql.backlog_rows(window=window, at=min(window.end, now)), key=lambda r: (r["status"], r["age_bucket"])),
        sorted(sql.executor_sla_rows(window=window), key=lambda r: (r["is_total"], r["executor_code"] or "")),
        sorted(sql.trend_rows(window=window), key=lambda r: (r["measure"], r["week"], r["group_code"])),
        sql.heat_grid_rows(window=window, cell_m=selectors.HEAT_CELL_M, srid=selectors.metric_srid()),
    )


def assert_equal_to_live(monkeypatch, districts):
    checked = 0
    for start, end in RANGES:
        for district in districts:
            for now in NOWS:
                filters = selectors.DashboardFilter(start=start, end=end, district=district)
                aggregated = (figures(filters, now), raw_rows(filters, now))
                with monkeypatch.context() as live:
                    for name in AGGREGATED:
                        live.setattr(sql, name, getattr(sql, f"{name}_live"))
                    reference = (figures(filters, now), raw_rows(filters, now))
                assert aggregated == reference, (start, end, district, now)
                checked += 1
    return checked


def table_contents():
    return (
        sorted(IssueFact.objects.values_list("issue_id", "created_at", "district_id", "category_id", "x", "y", "open")),
        sorted(Fix.objects.values_list("issue_id", "at", "outcome")),
        sorted(
            (s.issue_id, s.district_id, s.created_at, s.status, s.span.lower, s.span.upper)
            for s in StatusSpan.objects.all()
        ),
        sorted(
            AssignmentPeriod.objects.values_list(
                "issue_id",
                "period_no",
                "district_id",
                "executor_code",
                "started_at",
                "answered_at",
                "fixed_at",
                "response_missed",
                "fix_missed",
                "running_seconds",
                "tail_at",
                "tail_status",
                "tail_response_due",
                "tail_resolve_due",
                "answer_hours",
                "fix_hours",
                "answer_bucket",
                "fix_bucket",
            )
        ),
        # Rows emptied by a refresh (all zero) count for nothing: compare what is counted.
        sorted(
            row
            for row in DailyCount.objects.values_list(
                "day",
                "district_id",
                "category_id",
                "received",
                "fixed",
                "confirmed",
                "disputed",
                "no_answer",
                "awaiting",
            )
            if any(row[3:])
        ),
        sorted(
            (
                row
                for row in SlaCount.objects.values_list(
                    "grain",
                    "day",
                    "district_id",
                    "executor_code",
                    "periods",
                    "answer_judged",
                    "answered_on_time",
                    "fix_judged",
                    "fixed_on_time",
                )
                if any(row[4:])
            ),
            key=str,  # a period with no executor has None among the codes
        ),
        sorted(
            (
                row
                for row in SlaHistogram.objects.values_list(
                    "grain", "day", "executor_code", "measure", "bucket", "periods"
                )
                if row[5]
            ),
            key=str,
        ),
        sorted(
            (row for row in HeatCount.objects.values_list("grain", "day", "district_id", "x", "y", "issues") if row[5]),
            key=str,
        ),
    )


def test_the_aggregates_of_the_hand_checked_city_equal_the_live_figures(city, world, monkeypatch):
    # A 1, B 2 (disputed), C 1, D 2 (reassigned), E 1, F 1, G 1 (no rule: assigned by hand), H 1, I 1, J 1
    assert AssignmentPeriod.objects.count() == 12
    assert assert_equal_to_live(monkeypatch, [None, world.west, world.east]) == 60


def test_figures_stay_equal_to_the_live_ones_after_more_writes_through_the_services(city, world, monkeypatch):
    issues = city.issues
    # F, left alone so far, is answered late and fixed; I is reassigned; B's second fix confirmed.
    act(
        Issue.objects.get(pk=issues["F"].pk),
        world.roads_staff,
        "accept",
        kyiv(2026, 12, 14, 9, 0),
        promised_date=datetime.date(2026, 12, 20),
    )
    act(Issue.objects.get(pk=issues["F"].pk), world.roads_staff, "resolve", kyiv(2026, 12, 15, 9, 0), note="Є")
    act(
        Issue.objects.get(pk=issues["I"].pk),
        world.dispatcher,
        "reassign",
        kyiv(2026, 12, 15, 12, 0),
        executor=world.water,
    )
    act(Issue.objects.get(pk=issues["B"].pk), world.citizen, "confirm", kyiv(2026, 12, 12, 9, 0))
    # A moves to the other district (its counts and periods move with it); H changes category.
    issue_correct(issue=Issue.objects.get(pk=issues["A"].pk), actor=world.dispatcher, point=world.inside_east, now=NOW)
    issue_change_category(
        issue=Issue.objects.get(pk=issues["H"].pk), actor=world.dispatcher, category=world.manhole, now=NOW
    )
    moved = IssueFact.objects.get(issue_id=issues["A"].pk)
    assert moved.district_id == world.east.pk
    assert assert_equal_to_live(monkeypatch, [None, world.west, world.east]) == 60


def test_the_rebuild_command_gives_the_rows_the_services_kept_and_is_idempotent(city):
    kept = table_contents()
    assert all(kept)
    call_command("opencity_rebuild_dashboard", stdout=None)
    assert table_contents() == kept
    call_command("opencity_rebuild_dashboard", stdout=None)
    assert table_contents() == kept


def test_a_refresh_repeated_changes_no_count(city):
    from dashboard.aggregates import dashboard_issues_refresh

    kept = table_contents()
    dashboard_issues_refresh(issue_ids=[issue.pk for issue in city.issues.values()])
    dashboard_issues_refresh(issue_ids=[city.issues["B"].pk, city.issues["B"].pk])
    assert table_contents() == kept


def test_a_generated_city_leaves_aggregates_equal_to_the_live_figures(world, monkeypatch):
    # The generator writes in bulk (no services) and rebuilds at the end; its histories have every
    # shape: planned, handed back, merged, disputed, late answers, escalations.
    call_command("opencity_generate_issues", count=400, days=120, seed=0.42, stdout=None)
    assert AssignmentPeriod.objects.count() >= 400
    today = datetime.date.today()
    now = kyiv(today.year, today.month, today.day, 23, 0)
    # Ranges up to today, and past ones (their backlog is read from the status spans).
    for days, ago in ((1, 0), (30, 0), (120, 0), (731, 0), (7, 20), (30, 45), (1, 90)):
        for district in (None, world.west):
            end = today - datetime.timedelta(days=ago)
            filters = selectors.DashboardFilter(
                start=end - datetime.timedelta(days=days - 1), end=end, district=district
            )
            aggregated = (figures(filters, now), raw_rows(filters, now))
            with monkeypatch.context() as live:
                for name in AGGREGATED:
                    live.setattr(sql, name, getattr(sql, f"{name}_live"))
                reference = (figures(filters, now), raw_rows(filters, now))
            assert aggregated == reference, (days, ago, district)
            assert sum(row.periods for row in aggregated[0][1].rows) == aggregated[0][1].total.periods


def test_the_medians_read_from_the_histogram_equal_a_sort_of_every_period(city, monkeypatch):
    # Periods made up to stress the selection: hours on, just below and just above the bucket
    # bounds, repeated values, an executor of its own and none, even and odd counts, month and day
    # grains, and periods fixed but on a clock again (their fix hours grow with now, read live).
    import math
    import random

    from dashboard.aggregates import dashboard_sla_tables_fill
    from dashboard.models import SlaCount, SlaHistogram

    rng = random.Random(7)
    bounds = sql.MEDIAN_BUCKET_BOUNDS

    def hours():
        bound = rng.choice(bounds[:40])
        return rng.choice([bound, math.nextafter(bound, 0), math.nextafter(bound, math.inf), 2.0, rng.uniform(0, 300)])

    issues = list(city.issues.values())
    periods = []
    for k in range(600):
        started = kyiv(2026, 1, 1, 0, 0) + datetime.timedelta(hours=rng.uniform(0, 24 * 350))
        answer = hours() if rng.random() < 0.8 else None
        fix = hours() if rng.random() < 0.7 else None
        on_clock = fix is None and rng.random() < 0.1
        periods.append(
            AssignmentPeriod(
                issue=issues[k % len(issues)],
                period_no=100 + k,
                executor_code=rng.choice(["roads", "water", "solo", None]),
                started_at=started,
                answered_at=started if answer is not None else None,
                fixed_at=started if fix is not None or on_clock else None,
                response_missed=rng.random() < 0.3,
                fix_missed=rng.random() < 0.3,
                running_seconds=rng.randint(0, 10**6) if on_clock else None,
                answer_hours=answer,
                fix_hours=fix,
                tail_at=started + datetime.timedelta(days=2) if on_clock else None,
                tail_status="in_progress" if on_clock else None,
                tail_resolve_due=started + datetime.timedelta(days=3) if on_clock else None,
            )
        )
    AssignmentPeriod.objects.bulk_create(periods)
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE dashboard_assignmentperiod SET answer_bucket = {sql.median_bucket_sql('answer_hours')},"
            f" fix_bucket = {sql.median_bucket_sql('fix_hours')}"
        )
    SlaCount.objects.all().delete()
    SlaHistogram.objects.all().delete()
    dashboard_sla_tables_fill()

    sorted_sql = sql.AGGREGATED_SLA_SQL.format(figures=sql._period_figures(' COLLATE "C"'), district="")
    key = lambda row: (row["is_total"], row["executor_code"] or "")  # noqa: E731
    ranges = [
        (datetime.date(2026, 1, 1), datetime.date(2026, 12, 31)),  # whole months only
        (datetime.date(2026, 1, 17), datetime.date(2026, 11, 3)),  # days at both ends
        (datetime.date(2026, 3, 2), datetime.date(2026, 3, 30)),  # days only
        (datetime.date(2026, 6, 1), datetime.date(2026, 6, 1)),
    ]
    for start, end in ranges:
        for now in (kyiv(2026, 6, 15, 12, 0), kyiv(2027, 1, 10, 12, 0)):
            window = selectors.DashboardFilter(start=start, end=end).window(now=now)
            fast = sorted(sql.executor_sla_rows(window=window), key=key)
            assert fast == sorted(sql._rows(sorted_sql, window.params()), key=key), (start, end, now)
            assert fast[-1]["is_total"] and fast[-1]["median_answer_hours"] is not None
