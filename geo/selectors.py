"""Reads of the territory and of the map layers (budget projects, outages, duty contacts)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING

from django.contrib.gis.geos import Point
from django.db.models import Count, F, Max, QuerySet, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone

from accounts.roles import user_executor, user_is_dispatcher
from geo.models import (
    BudgetProject,
    BudgetSector,
    BudgetStatus,
    CommunityBoundary,
    District,
    DutyContact,
    Outage,
)

if TYPE_CHECKING:
    from accounts.models import User


def point_in_community(*, point: Point) -> bool:
    """Whether the point lies inside (or on) the community boundary in force today."""
    return CommunityBoundary.objects.current().covering(point).exists()


def district_at(*, point: Point) -> District | None:
    """The district containing the point; on a shared border, the one with the smallest code."""
    return District.objects.covering(point).first()


# --- Outages ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class OutagesAtPoint:
    """The outages covering one point: those in force at the moment asked and those to come."""

    at: datetime.datetime
    active: list[Outage] = field(default_factory=list)
    upcoming: list[Outage] = field(default_factory=list)


def outages_at(*, point: Point, at: datetime.datetime | None = None) -> OutagesAtPoint:
    """Active and upcoming outages whose area covers the point (its edge included), each list in
    order of start. `at` defaults to now."""
    at = at or timezone.now()
    covering = Outage.objects.covering(point).select_related("provider").order_by("starts_at", "pk")
    return OutagesAtPoint(
        at=at,
        active=list(covering.active_at(at)),
        upcoming=list(covering.upcoming(at)),
    )


def outage_covering(*, point: Point, kind: str, at: datetime.datetime | None = None) -> Outage | None:
    """The active outage of `kind` covering the point at `at` (now by default), or None.

    This is what a new report of, say, "no water" is linked to. Where zones of one kind overlap,
    the one expected to end last wins (an unknown end counts as last), because it decides when the
    supply is back; then the latest started, then the newest row — always the same answer."""
    at = at or timezone.now()
    return (
        Outage.objects.active_at(at)
        .of_kind(kind)
        .covering(point)
        .select_related("provider")
        .order_by(F("expected_end_at").desc(nulls_first=True), "-starts_at", "-pk")
        .first()
    )


def outages_manageable_by(*, user: User) -> QuerySet[Outage]:
    """The outages a user's outage desk lists: every one for a dispatcher, the organisation's own
    for a provider's staff, none for anyone else. Open ones first, then the most recent."""
    queryset = Outage.objects.select_related("provider", "published_by")
    if not user_is_dispatcher(user):
        executor = user_executor(user)
        queryset = queryset.filter(provider=executor) if executor is not None else queryset.none()
    return queryset.order_by(F("ended_at").desc(nulls_first=True), "-starts_at", "-pk")


# --- Budget -------------------------------------------------------------------------------------


def budget_years() -> list[int]:
    """The budget years that have projects, newest first."""
    return list(BudgetProject.objects.order_by("-budget_year").values_list("budget_year", flat=True).distinct())


def budget_default_year(*, today: datetime.date | None = None) -> int:
    """The year the budget page opens on: this year if it has projects, else the latest that does."""
    today = today or timezone.localdate()
    years = budget_years()
    if not years or today.year in years:
        return today.year
    return years[0]


def budget_projects(
    *, year: int | None = None, sectors: list[str] | None = None, statuses: list[str] | None = None
) -> QuerySet[BudgetProject]:
    """Budget projects filtered by year, sectors and statuses, by sector then code."""
    queryset = BudgetProject.objects.select_related("executor")
    if year is not None:
        queryset = queryset.of_year(year)
    if sectors:
        queryset = queryset.filter(sector__in=sectors)
    if statuses:
        queryset = queryset.filter(status__in=statuses)
    return queryset.order_by("sector", "code")


def budget_projects_unfinished_near(*, point: Point, distance_m: float, limit: int = 30) -> list[BudgetProject]:
    """Projects not done yet within `distance_m` metres of the point, the newest budget year first
    (the ones an issue there may be planned against)."""
    return list(
        BudgetProject.objects.near(point, distance_m)
        .filter(status__in=[BudgetStatus.PLANNED, BudgetStatus.PROCUREMENT, BudgetStatus.IN_PROGRESS])
        .order_by("-budget_year", "title_uk")[:limit]
    )


@dataclass(frozen=True)
class BudgetLine:
    """One row of a totals table: a sector or a status, with its project count and money."""

    key: str
    label: str
    count: int
    planned: Decimal
    spent: Decimal


@dataclass(frozen=True)
class BudgetTotals:
    by_sector: list[BudgetLine]
    by_status: list[BudgetLine]
    total: BudgetLine


def budget_totals(
    *, year: int | None = None, sectors: list[str] | None = None, statuses: list[str] | None = None
) -> BudgetTotals:
    """Planned and spent amounts summed in the database by sector and by status (in the order the
    choices are declared), and overall, for the same filters as `budget_projects`."""
    queryset = budget_projects(year=year, sectors=sectors, statuses=statuses).order_by()
    sums = {
        "count": Count("id"),
        "planned": Coalesce(Sum("planned_amount"), Decimal(0)),
        "spent": Coalesce(Sum("spent_amount"), Decimal(0)),
    }

    def lines(field_name: str, choices: type[BudgetSector] | type[BudgetStatus]) -> list[BudgetLine]:
        rows = {row[field_name]: row for row in queryset.values(field_name).annotate(**sums)}
        return [
            BudgetLine(key=value, label=str(label), **{k: rows[value][k] for k in sums})
            for value, label in choices.choices
            if value in rows
        ]

    total = queryset.aggregate(**sums)
    return BudgetTotals(
        by_sector=lines("sector", BudgetSector),
        by_status=lines("status", BudgetStatus),
        total=BudgetLine(key="total", label="", **total),
    )


# --- Duty contacts ------------------------------------------------------------------------------


def duty_contacts() -> QuerySet[DutyContact]:
    """The contacts shown to the public: emergency services first, then by the administrator's order."""
    return DutyContact.objects.filter(is_active=True).order_by("-is_emergency", "order", "code")


def outage_last_change() -> datetime.datetime | None:
    """When the outage layer last changed (for feeds' `updated`)."""
    return Outage.objects.aggregate(last=Max("updated_at"))["last"]
