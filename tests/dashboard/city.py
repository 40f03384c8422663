"""A small, hand-checked history for the dashboard, made through the real services with explicit
times (so every event has a known instant). The expected figures are worked out by hand in the
tests; the comments here give the deadlines each step runs against.

The world's policies: `standard` (pothole, playground) answers in 9 and fixes in 45 working hours,
Monday to Friday 08:00–17:00 Kyiv; `emergency` (open manhole) in 2 and 24 hours around the clock.
The period is Monday 30 November – Sunday 13 December 2026; "now" is Wednesday 16 December, 12:00.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

import pytest

from dashboard.selectors import DashboardFilter
from issues.models import CategoryGroup, Issue
from issues.services import TransitionInput, issue_transition
from tests.factories import BudgetProjectFactory, point
from tests.world import kyiv

PERIOD_START = datetime.date(2026, 11, 30)
PERIOD_END = datetime.date(2026, 12, 13)
NOW = kyiv(2026, 12, 16, 12, 0)


def act(issue, actor, action, at, **data):
    return issue_transition(issue=issue, actor=actor, action=action, data=TransitionInput(**data), now=at)


@dataclass
class City:
    issues: dict[str, Issue]
    period: DashboardFilter


@pytest.fixture
def city(world, report) -> City:
    # Open manholes are in a group of their own, so the trends have two groups.
    water_group = CategoryGroup.objects.create(code="water", name_uk="Вода", name_en="Water", order=1)
    world.manhole.group = water_group
    world.manhole.save()
    west, east = world.inside_west, world.inside_east
    roads, water, housing, reporter = world.roads_staff, world.water_staff, world.housing_staff, world.citizen
    dispatcher = world.dispatcher
    promised = datetime.date(2026, 12, 20)
    issues: dict[str, Issue] = {}

    # A: answered in 2 h and fixed in 48 h (due Wed 2 Dec 10:00 and Tue 8 Dec 10:00); confirmed.
    a = report(where=west, now=kyiv(2026, 12, 1, 10, 0))
    a = act(a, roads, "accept", kyiv(2026, 12, 1, 12, 0), promised_date=promised)
    a = act(a, roads, "resolve", kyiv(2026, 12, 3, 10, 0), note="Залатали")
    issues["A"] = act(a, reporter, "confirm", kyiv(2026, 12, 4, 10, 0))

    # B, reopened: first period answered in 4 h, fixed in 24 h (on time); disputed; the second
    # period (from Thu 3 Dec 11:00: due Fri 4 Dec 11:00 and Thu 10 Dec 11:00) answered after 94 h
    # and fixed after 192 h, both late; the reporter has not answered the second fix yet.
    b = report(where=west, now=kyiv(2026, 12, 1, 11, 0))
    b = act(b, roads, "accept", kyiv(2026, 12, 1, 15, 0), promised_date=promised)
    b = act(b, roads, "resolve", kyiv(2026, 12, 2, 11, 0), note="Залатали")
    b = act(b, reporter, "dispute", kyiv(2026, 12, 3, 11, 0), note="Яма на місці")
    b = act(b, roads, "accept", kyiv(2026, 12, 7, 9, 0), promised_date=promised)
    issues["B"] = act(b, roads, "resolve", kyiv(2026, 12, 11, 11, 0), note="Тепер точно")

    # C, planned: answered by planning after 4 h (due Thu 3 Dec 10:00); paused from Wed 2 Dec 14:00
    # to Thu 10 Dec 10:00; the fix deadline moves from Wed 9 Dec 10:00 to Wed 16 Dec 15:00 (4 working
    # hours before the pause, 7 + 9 + 9 + 9 + 7 after it), so the fix on Tue 15 Dec is on time, after
    # 4 + 120 = 124 running hours (without the pause it would be late).
    c = report(where=east, now=kyiv(2026, 12, 2, 10, 0))
    c = act(c, roads, "plan", kyiv(2026, 12, 2, 14, 0), promised_date=datetime.date(2026, 12, 10))
    c = act(c, roads, "resume", kyiv(2026, 12, 10, 10, 0))
    issues["C"] = act(c, roads, "resolve", kyiv(2026, 12, 15, 10, 0), note="Зроблено")

    # D, reassigned: the road service never answered (due Fri 4 Dec 10:00: missed); the dispatcher
    # gives it to the water utility on Mon 7 Dec 10:00 (before the road service's fix deadline,
    # Thu 10 Dec 10:00, so that one is not judged). The water utility answers after 3 h and fixes
    # after 48 h (due Tue 8 Dec 10:00 and Mon 14 Dec 10:00); confirmed.
    d = report(where=east, now=kyiv(2026, 12, 3, 10, 0))
    d = act(d, dispatcher, "reassign", kyiv(2026, 12, 7, 10, 0), executor=world.water)
    d = act(d, water, "accept", kyiv(2026, 12, 7, 13, 0), promised_date=promised)
    d = act(d, water, "resolve", kyiv(2026, 12, 9, 10, 0), note="Замінили трубу")
    issues["D"] = act(d, reporter, "confirm", kyiv(2026, 12, 10, 10, 0))

    # E, an emergency rejected after 1 h (due 2 h later); not judged for the fix.
    e = report(category=world.manhole, where=west, now=kyiv(2026, 12, 4, 20, 0))
    issues["E"] = act(e, water, "reject", kyiv(2026, 12, 4, 21, 0), note="Люк не наш, це телеком")

    # F: nobody acts. Due Thu 10 Dec 10:00 and Wed 16 Dec 10:00: both missed by now.
    issues["F"] = report(where=west, now=kyiv(2026, 12, 9, 10, 0))

    # G: no rule for playgrounds; the dispatcher assigns it to housing, which hands it back in 2 h.
    g = report(category=world.playground, where=east, now=kyiv(2026, 12, 1, 11, 30))
    g = act(g, dispatcher, "reassign", kyiv(2026, 12, 1, 12, 0), executor=world.housing)
    issues["G"] = act(g, housing, "hand_back", kyiv(2026, 12, 1, 14, 0), note="Це двір ОСББ")

    # H: reported before the period, accepted, still in progress and past its fix deadline.
    h = report(where=west, now=kyiv(2026, 11, 26, 10, 0))
    issues["H"] = act(h, roads, "accept", kyiv(2026, 11, 27, 10, 0), promised_date=datetime.date(2026, 12, 1))

    # I: reported after the period; its answer deadline (Wed 16 Dec 10:00) has passed by now.
    issues["I"] = report(where=east, now=kyiv(2026, 12, 15, 10, 0))

    # J: answered in 1 h, fixed in 23 h; a dispatcher closes it without the reporter's answer.
    j = report(where=west, now=kyiv(2026, 12, 7, 10, 0))
    j = act(j, roads, "accept", kyiv(2026, 12, 7, 11, 0), promised_date=promised)
    j = act(j, roads, "resolve", kyiv(2026, 12, 8, 10, 0), note="Готово")
    issues["J"] = act(j, dispatcher, "close", kyiv(2026, 12, 8, 12, 0))

    # Budget: two 2026 projects (one in each district) and one of 2025 outside the period's years.
    BudgetProjectFactory(
        code="2026-roads",
        sector="roads",
        planned_amount=Decimal("1000000.00"),
        spent_amount=Decimal("250000.00"),
        geom=point(west.x, west.y),
    )
    BudgetProjectFactory(
        code="2026-light",
        sector="lighting",
        planned_amount=Decimal("200000.00"),
        spent_amount=Decimal("200000.00"),
        geom=point(east.x, east.y),
    )
    BudgetProjectFactory(code="2025-roads", sector="roads", budget_year=2025, geom=point(west.x, west.y))
    return City(issues=issues, period=DashboardFilter(start=PERIOD_START, end=PERIOD_END))
