"""Reads for the leadership dashboard: every figure, defined here, computed by dashboard/sql.py
from the issue events and the stored deadlines (never from counters kept by hand).

The figures, for a period (whole local days, `start` to `end` inclusive, Europe/Kyiv) and
optionally one district (the issue's district):

* **Backlog** — issues open (new, assigned, in progress, planned) at the end of the period (or now,
  if the period reaches today), by status and by age: the time since the report, in calendar days,
  bucketed 0–2, 3–7, 8–30, 31–90 and over 90 days. The status at a past instant comes from the log.
* **SLA compliance per executor** — over *assignment periods* that started in the period. A period
  starts when an executor gets the issue with fresh deadlines (routed by the rules, reassigned by a
  dispatcher, or reopened by the reporter's dispute) and lasts until the next one. Each executor is
  judged on its own periods, against the deadlines recorded when they were set:
    - *answered on time %* = periods answered (accepted, planned, resolved, rejected or handed
      back, from `assigned`) by the response deadline ÷ periods judged for the answer (answered,
      or whose response deadline passed unanswered, even if the period then ended by
      reassignment or is still running now). A period reassigned or merged before its deadline
      with no answer is not judged: the executor did not get its full time.
    - *fixed on time %* = periods resolved with the fix clock never past the fix deadline ÷ periods
      resolved or whose fix deadline passed while the clock ran. The fix clock runs while the issue
      is assigned or in progress: time `planned` is a pause (the resumed deadline is later by the
      pause), so a fix made while planned counts as on time if the pause began in time.
    - *median time to answer* — calendar hours from the start of the period to the answer, over
      answered periods. *Median time to fix* — calendar hours with the clock running (planned time
      excluded) from the start of the period to the fix, over resolved periods. Calendar, not
      working, time: what the reporter waited; the on-time shares use the SLA's own clock.
    - A reopened issue counts once per period: the disputed fix is judged in its period and the
      new fix in the next. A reassigned issue counts for each executor who had it.
    - *currently overdue* — the executor's issues past a running deadline right now (no answer by
      the response deadline while assigned, or not fixed by the fix deadline while assigned or in
      progress), whatever the period: the same test as the dispatch desk and the SLA sweep.
* **Trends** — per calendar week (Monday first) and category group: reports received (issues
  created) and fixes (resolve events: an issue fixed again after a dispute counts again).
* **Heat map** — reports received in the period per square cell of `HEAT_CELL_M` metres.
* **Problem spots** — issues reported in the period that are still open now, clustered with
  DBSCAN: at least `SPOT_MIN_ISSUES` issues each within `SPOT_EPS_M` metres of another.
* **Satisfaction** — the fixes made in the period and what the reporter did next: confirmed,
  disputed, no answer (closed when the confirmation window passed, or by a dispatcher), or
  awaiting. *Confirmed share* = confirmed ÷ (confirmed + disputed).
* **Budget execution** — budget projects of the years the period touches (in the district: those
  whose geometry intersects it), planned and spent (UAH) per sector.
"""

from __future__ import annotations

import datetime
import time
from dataclasses import dataclass, field
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Executor
from dashboard import sql
from geo.models import BudgetSector, District
from issues.models import Category, CategoryGroup, Issue, IssueStatus, next_deadline_expression
from issues.rules.transitions import OPEN_STATUSES, statuses_in_order
from opencity.db import longer_statement_timeout

AGE_BUCKETS = [_("0–2 days"), _("3–7 days"), _("8–30 days"), _("31–90 days"), _("over 90 days")]
HEAT_CELL_M = sql.HEAT_CELL_M
SPOT_EPS_M = 150
SPOT_MIN_ISSUES = 3
SPOT_LIMIT = 10
MAX_PERIOD_DAYS = 731  # two years, leap day included


@dataclass(frozen=True)
class DashboardFilter:
    """The validated choice of the viewer: a period of whole local days and an optional district."""

    start: datetime.date
    end: datetime.date
    district: District | None = None

    def window(self, *, now: datetime.datetime) -> sql.Window:
        zone = ZoneInfo(settings.TIME_ZONE)
        return sql.Window(
            start=datetime.datetime.combine(self.start, datetime.time(0), tzinfo=zone),
            end=datetime.datetime.combine(self.end + datetime.timedelta(days=1), datetime.time(0), tzinfo=zone),
            now=now,
            district_id=self.district.pk if self.district else None,
            time_zone=settings.TIME_ZONE,
        )

    @property
    def slug(self) -> str:
        """For file names: the period, and the district's code when one is chosen."""
        suffix = f"_{self.district.code}" if self.district else ""
        return f"{self.start.isoformat()}_{self.end.isoformat()}{suffix}"


def dashboard_default_filter(*, today: datetime.date | None = None) -> DashboardFilter:
    """The last 30 days, today included, for the whole community."""
    today = today or timezone.localdate()
    return DashboardFilter(start=today - datetime.timedelta(days=29), end=today)


def metric_srid() -> int:
    """The UTM zone (WGS84) of the community's map centre: metres with little distortion."""
    lat, lon = settings.OPENCITY_MAP_CENTER
    zone = int((lon + 180) // 6) + 1
    return (32600 if lat >= 0 else 32700) + zone


# --- Backlog -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class BacklogRow:
    status: str
    label: str
    by_age: list[int]

    @property
    def total(self) -> int:
        return sum(self.by_age)


@dataclass(frozen=True)
class Backlog:
    at: datetime.datetime
    rows: list[BacklogRow]
    age_labels: list[str]

    @property
    def by_age(self) -> list[int]:
        return [sum(row.by_age[i] for row in self.rows) for i in range(len(self.age_labels))]

    @property
    def total(self) -> int:
        return sum(row.total for row in self.rows)


def dashboard_backlog(*, filters: DashboardFilter, now: datetime.datetime) -> Backlog:
    """Issues open at the end of the period (or now, if earlier), by status and by age bucket."""
    window = filters.window(now=now)
    at = min(window.end, now)
    counts = {(row["status"], row["age_bucket"]): row["issues"] for row in sql.backlog_rows(window=window, at=at)}
    labels = dict(IssueStatus.choices)
    rows = [
        BacklogRow(status=status, label=str(labels[status]), by_age=[counts.get((status, b), 0) for b in range(5)])
        for status in statuses_in_order(OPEN_STATUSES)
    ]
    return Backlog(at=at, rows=rows, age_labels=[str(label) for label in AGE_BUCKETS])


# --- SLA per executor ------------------------------------------------------------------------------


def _share(part: int, whole: int) -> float | None:
    return round(100.0 * part / whole, 1) if whole else None


def _hours(value: float | None) -> float | None:
    return round(value, 1) if value is not None else None


@dataclass(frozen=True)
class ExecutorSla:
    code: str  # "" for the community total
    name: str
    periods: int
    answer_judged: int
    answered_on_time: int
    median_answer_hours: float | None
    fix_judged: int
    fixed_on_time: int
    median_fix_hours: float | None
    overdue: int

    @property
    def answered_on_time_pct(self) -> float | None:
        return _share(self.answered_on_time, self.answer_judged)

    @property
    def fixed_on_time_pct(self) -> float | None:
        return _share(self.fixed_on_time, self.fix_judged)


EXECUTOR_SORTS = {
    "name": lambda row: row.name.casefold(),
    "periods": lambda row: row.periods,
    "answered": lambda row: row.answered_on_time_pct,
    "fixed": lambda row: row.fixed_on_time_pct,
    "answer_time": lambda row: row.median_answer_hours,
    "fix_time": lambda row: row.median_fix_hours,
    "overdue": lambda row: row.overdue,
}


@dataclass(frozen=True)
class SlaTable:
    rows: list[ExecutorSla]
    total: ExecutorSla


def dashboard_executor_sla(
    *, filters: DashboardFilter, now: datetime.datetime, sort: str = "overdue", descending: bool = True
) -> SlaTable:
    """SLA compliance per executor over the assignment periods that started in the period, with the
    issues each has overdue now; sorted by `sort` (a key of EXECUTOR_SORTS; empty values last)."""
    window = filters.window(now=now)
    figures = {row["executor_code"]: row for row in sql.executor_sla_rows(window=window)}
    overdue = {row["executor_code"]: row["overdue"] for row in sql.overdue_rows(window=window)}
    codes = {code for code in figures if code} | set(overdue)
    names = {e.code: e.name for e in Executor.objects.filter(code__in=codes)}

    def make(code: str, name: str, row: dict | None, overdue_count: int) -> ExecutorSla:
        row = row or {}
        return ExecutorSla(
            code=code,
            name=name,
            periods=row.get("periods", 0),
            answer_judged=row.get("answer_judged", 0),
            answered_on_time=row.get("answered_on_time", 0),
            median_answer_hours=_hours(row.get("median_answer_hours")),
            fix_judged=row.get("fix_judged", 0),
            fixed_on_time=row.get("fixed_on_time", 0),
            median_fix_hours=_hours(row.get("median_fix_hours")),
            overdue=overdue_count,
        )

    totals = next((row for row in figures.values() if row["is_total"]), None)
    rows = [make(code, names.get(code, code), figures.get(code), overdue.get(code, 0)) for code in codes]
    key = EXECUTOR_SORTS.get(sort, EXECUTOR_SORTS["overdue"])
    by_name = sorted(rows, key=lambda r: r.name.casefold())  # ties stay in name order (sorts are stable)
    present = sorted((r for r in by_name if key(r) is not None), key=key, reverse=descending)
    rows_sorted = present + [r for r in by_name if key(r) is None]
    total = make("", str(_("All executors")), totals, sum(overdue.values()))
    return SlaTable(rows=rows_sorted, total=total)


def dashboard_overdue_issues(
    *, executor: Executor, district: District | None, now: datetime.datetime
) -> QuerySet[Issue]:
    """The executor's issues past a running deadline now, the longest overdue first (`missed_at`:
    the answer deadline of an unanswered issue, else the fix deadline)."""
    issues = Issue.objects.overdue(now).filter(executor=executor)
    if district is not None:
        issues = issues.filter(district=district)
    missed_at = next_deadline_expression()
    return (
        issues.select_related("category", "district")
        .annotate(missed_at=missed_at)
        .order_by("missed_at", "created_at", "pk")
    )


# --- Trends --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TrendSeries:
    group: str
    label: str
    received: list[int]
    resolved: list[int]


@dataclass(frozen=True)
class Trends:
    weeks: list[datetime.date]  # Mondays
    series: list[TrendSeries]

    @property
    def received(self) -> list[int]:
        return [sum(s.received[i] for s in self.series) for i in range(len(self.weeks))]

    @property
    def resolved(self) -> list[int]:
        return [sum(s.resolved[i] for s in self.series) for i in range(len(self.weeks))]


def dashboard_trends(*, filters: DashboardFilter, now: datetime.datetime) -> Trends:
    """Reports received and fixes made per week (Monday first) and category group."""
    first = filters.start - datetime.timedelta(days=filters.start.weekday())
    weeks = []
    while first <= filters.end:
        weeks.append(first)
        first += datetime.timedelta(days=7)
    index = {week: i for i, week in enumerate(weeks)}
    counts: dict[str, dict[str, list[int]]] = {}
    for row in sql.trend_rows(window=filters.window(now=now)):
        series = counts.setdefault(row["group_code"], {"received": [0] * len(weeks), "resolved": [0] * len(weeks)})
        series[row["measure"]][index[row["week"]]] = row["issues"]
    series = [
        TrendSeries(
            group=g.code, label=g.name, received=counts[g.code]["received"], resolved=counts[g.code]["resolved"]
        )
        for g in CategoryGroup.objects.filter(code__in=counts).order_by("order", "code")
    ]
    return Trends(weeks=weeks, series=series)


# --- Heat map and problem spots -------------------------------------------------------------------------


@dataclass(frozen=True)
class HeatCell:
    x: float  # south-west corner in the metric projection
    y: float
    issues: int
    outline: str  # GeoJSON polygon, WGS84


@dataclass(frozen=True)
class HeatGrid:
    cell_m: int
    srid: int
    cells: list[HeatCell]

    @property
    def max_issues(self) -> int:
        return max((cell.issues for cell in self.cells), default=0)


def dashboard_heat_grid(*, filters: DashboardFilter, now: datetime.datetime, cell_m: int = HEAT_CELL_M) -> HeatGrid:
    """Reports received in the period per square cell of `cell_m` metres, busiest first."""
    srid = metric_srid()
    rows = sql.heat_grid_rows(window=filters.window(now=now), cell_m=cell_m, srid=srid)
    return HeatGrid(cell_m=cell_m, srid=srid, cells=[HeatCell(**row) for row in rows])


@dataclass(frozen=True)
class HotSpot:
    rank: int
    issues: int
    category: str
    district: str
    lon: float
    lat: float
    x: float
    y: float
    radius_m: float
    oldest_at: datetime.datetime


def dashboard_hot_spots(
    *,
    filters: DashboardFilter,
    now: datetime.datetime,
    eps_m: float = SPOT_EPS_M,
    min_issues: int = SPOT_MIN_ISSUES,
    limit: int = SPOT_LIMIT,
) -> list[HotSpot]:
    """The largest clusters of open issues (DBSCAN in metres), biggest first."""
    rows = sql.hot_spot_rows(
        window=filters.window(now=now), srid=metric_srid(), eps_m=eps_m, min_points=min_issues, limit=limit
    )
    categories = {c.pk: c.name for c in Category.objects.filter(pk__in=[r["category_id"] for r in rows])}
    districts = {d.pk: d.name for d in District.objects.filter(pk__in=[r["district_id"] for r in rows])}
    return [
        HotSpot(
            rank=rank,
            issues=row["issues"],
            category=categories.get(row["category_id"], ""),
            district=districts.get(row["district_id"], ""),
            lon=round(row["lon"], 6),
            lat=round(row["lat"], 6),
            x=row["x"],
            y=row["y"],
            radius_m=round(row["radius_m"]),
            oldest_at=row["oldest_at"],
        )
        for rank, row in enumerate(rows, start=1)
    ]


@dataclass(frozen=True)
class MapOutline:
    """The territory shown on the printable map, in the metric projection (SVG path data)."""

    path: str
    min_x: float
    min_y: float
    max_x: float
    max_y: float


def dashboard_outline(*, filters: DashboardFilter) -> MapOutline | None:
    """The community's (or the chosen district's) outline for the printable map."""
    row = sql.outline_row(srid=metric_srid(), district_id=filters.district.pk if filters.district else None)
    return MapOutline(**row) if row and row["path"] else None


# --- Satisfaction -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Satisfaction:
    fixes: int
    confirmed: int
    disputed: int
    no_answer: int
    awaiting: int

    @property
    def confirmed_pct(self) -> float | None:
        return _share(self.confirmed, self.confirmed + self.disputed)

    @property
    def disputed_pct(self) -> float | None:
        return _share(self.disputed, self.confirmed + self.disputed)


def dashboard_satisfaction(*, filters: DashboardFilter, now: datetime.datetime) -> Satisfaction:
    """Fixes made in the period and whether their reporters confirmed or disputed them."""
    outcomes = {row["outcome"]: row["fixes"] for row in sql.satisfaction_rows(window=filters.window(now=now))}
    return Satisfaction(
        fixes=sum(outcomes.values()),
        confirmed=outcomes.get("confirm", 0),
        disputed=outcomes.get("dispute", 0),
        no_answer=outcomes.get("close", 0),
        awaiting=outcomes.get("awaiting", 0),
    )


# --- Budget ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class BudgetSectorLine:
    sector: str
    label: str
    projects: int
    planned: Decimal
    spent: Decimal

    @property
    def spent_pct(self) -> float | None:
        return round(float(100 * self.spent / self.planned), 1) if self.planned else None


@dataclass(frozen=True)
class BudgetExecution:
    years: tuple[int, int]
    sectors: list[BudgetSectorLine]

    @property
    def planned(self) -> Decimal:
        return sum((line.planned for line in self.sectors), Decimal(0))

    @property
    def spent(self) -> Decimal:
        return sum((line.spent for line in self.sectors), Decimal(0))

    @property
    def spent_pct(self) -> float | None:
        return round(float(100 * self.spent / self.planned), 1) if self.planned else None


def dashboard_budget(*, filters: DashboardFilter, now: datetime.datetime) -> BudgetExecution:
    """Planned and spent per sector for the budget years the period touches (empty: no projects)."""
    years = (filters.start.year, filters.end.year)
    rows = {
        row["sector"]: row
        for row in sql.budget_rows(window=filters.window(now=now), first_year=years[0], last_year=years[1])
    }
    sectors = [
        BudgetSectorLine(
            sector=value,
            label=str(label),
            projects=rows[value]["projects"],
            planned=rows[value]["planned"],
            spent=rows[value]["spent"],
        )
        for value, label in BudgetSector.choices
        if value in rows
    ]
    return BudgetExecution(years=years, sectors=sectors)


# --- Everything ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Dashboard:
    filters: DashboardFilter
    now: datetime.datetime
    backlog: Backlog
    sla: SlaTable
    trends: Trends
    heat: HeatGrid
    spots: list[HotSpot]
    satisfaction: Satisfaction
    budget: BudgetExecution
    timings_ms: dict[str, float] = field(default_factory=dict, compare=False)


def dashboard_get(
    *, filters: DashboardFilter, now: datetime.datetime | None = None, sort: str = "overdue", descending: bool = True
) -> Dashboard:
    """Every figure of the dashboard for the filters, as of `now` (under the longer statement
    timeout of reports, OPENCITY_REPORT_STATEMENT_TIMEOUT_MS)."""

    now = now or timezone.now()
    timings: dict[str, float] = {}

    def timed(name, function, **kwargs):
        began = time.perf_counter()
        result = function(filters=filters, now=now, **kwargs)
        timings[name] = round((time.perf_counter() - began) * 1000, 1)
        return result

    with longer_statement_timeout():  # a period's history: more than a web request's limit
        return Dashboard(
            filters=filters,
            now=now,
            backlog=timed("backlog", dashboard_backlog),
            sla=timed("sla", dashboard_executor_sla, sort=sort, descending=descending),
            trends=timed("trends", dashboard_trends),
            heat=timed("heat", dashboard_heat_grid),
            spots=timed("spots", dashboard_hot_spots),
            satisfaction=timed("satisfaction", dashboard_satisfaction),
            budget=timed("budget", dashboard_budget),
            timings_ms=timings,
        )
