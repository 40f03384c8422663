"""The dashboard's tables as CSV and as Excel workbooks, with the figures the page shows.

CSV is UTF-8 with a byte-order mark (so Excel reads the Cyrillic), comma-separated, with a dot as
the decimal separator (RFC 4180: what scripts and other tools expect). For people working in
Excel the .xlsx has the same table with real numbers and dates (openpyxl).
"""

from __future__ import annotations

import csv
import datetime
import io
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font

from dashboard.selectors import (
    Backlog,
    BudgetExecution,
    Dashboard,
    DashboardFilter,
    ExecutorSla,
    HotSpot,
    Satisfaction,
    SlaTable,
    Trends,
    dashboard_backlog,
    dashboard_budget,
    dashboard_executor_sla,
    dashboard_hot_spots,
    dashboard_satisfaction,
    dashboard_trends,
)
from opencity.db import longer_statement_timeout

Cell = str | int | float | Decimal | datetime.date | datetime.datetime | None


@dataclass(frozen=True)
class Table:
    name: str  # in URLs and file names
    title: str
    headers: list[str]
    rows: list[list[Cell]]


def _executor_cells(row: ExecutorSla) -> list[Cell]:
    return [
        row.name,
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
    ]


def _backlog_table(backlog: Backlog) -> Table:
    return Table(
        "backlog",
        _("Open issues by status and age"),
        [_("Status"), *backlog.age_labels, _("Total")],
        [[row.label, *row.by_age, row.total] for row in backlog.rows] + [[_("Total"), *backlog.by_age, backlog.total]],
    )


def _executors_table(sla: SlaTable) -> Table:
    return Table(
        "executors",
        _("SLA compliance per executor"),
        [
            _("Executor"),
            _("Code"),
            _("Assignment periods"),
            _("Judged for the answer"),
            _("Answered on time"),
            _("Answered on time, %"),
            _("Median time to answer, hours"),
            _("Judged for the fix"),
            _("Fixed on time"),
            _("Fixed on time, %"),
            _("Median time to fix, hours"),
            _("Overdue now"),
        ],
        [_executor_cells(row) for row in sla.rows] + [_executor_cells(sla.total)],
    )


def _trends_table(trends: Trends) -> Table:
    return Table(
        "trends",
        _("Reports received and fixed per week"),
        [_("Week (Monday)"), _("Category group"), _("Received"), _("Fixed")],
        [
            [week, series.label, series.received[i], series.resolved[i]]
            for i, week in enumerate(trends.weeks)
            for series in trends.series
        ],
    )


def _spots_table(spots: list[HotSpot]) -> Table:
    return Table(
        "spots",
        _("Problem spots"),
        [
            _("Rank"),
            _("Open issues"),
            _("Most frequent category"),
            _("District"),
            _("Longitude"),
            _("Latitude"),
            _("Radius, m"),
            _("Oldest report"),
        ],
        [
            [s.rank, s.issues, s.category, s.district, s.lon, s.lat, s.radius_m, timezone.localtime(s.oldest_at)]
            for s in spots
        ],
    )


def _satisfaction_table(satisfaction: Satisfaction) -> Table:
    answered = satisfaction.confirmed + satisfaction.disputed
    return Table(
        "satisfaction",
        _("Reporters' answers to fixes"),
        [_("Answer"), _("Fixes"), _("Share of the answers, %")],
        [
            [_("Confirmed"), satisfaction.confirmed, satisfaction.confirmed_pct],
            [_("Disputed"), satisfaction.disputed, satisfaction.disputed_pct],
            [_("No answer (closed)"), satisfaction.no_answer, None],
            [_("Awaiting the answer"), satisfaction.awaiting, None],
            [_("All fixes"), satisfaction.fixes, 100.0 if answered else None],
        ],
    )


def _budget_table(budget: BudgetExecution) -> Table:
    return Table(
        "budget",
        _("Budget execution by sector"),
        [_("Sector"), _("Projects"), _("Planned, UAH"), _("Spent, UAH"), _("Spent, %")],
        [[line.label, line.projects, line.planned, line.spent, line.spent_pct] for line in budget.sectors]
        + (
            [[_("Total"), sum(x.projects for x in budget.sectors), budget.planned, budget.spent, budget.spent_pct]]
            if budget.sectors
            else []
        ),
    )


# Each table: the Dashboard attribute it is built from, the selector that computes just that part,
# and the builder. In the order the page shows them.
TABLES: dict[str, tuple[str, Callable[..., Any], Callable[[Any], Table]]] = {
    "backlog": ("backlog", dashboard_backlog, _backlog_table),
    "executors": ("sla", dashboard_executor_sla, _executors_table),
    "trends": ("trends", dashboard_trends, _trends_table),
    "spots": ("spots", dashboard_hot_spots, _spots_table),
    "satisfaction": ("satisfaction", dashboard_satisfaction, _satisfaction_table),
    "budget": ("budget", dashboard_budget, _budget_table),
}


def dashboard_tables(dashboard: Dashboard) -> dict[str, Table]:
    """Every table of the dashboard, by name, in the order the page shows them."""
    return {name: build(getattr(dashboard, part)) for name, (part, _selector, build) in TABLES.items()}


def dashboard_table(
    *,
    name: str,
    filters: DashboardFilter,
    now: datetime.datetime | None = None,
    sort: str = "overdue",
    descending: bool = True,
) -> Table:
    """One table for the filters, computing only its own part of the dashboard (an export of the
    budget does not run the SLA and heat-map queries). KeyError for an unknown name."""
    _part, selector, build = TABLES[name]
    now = now or timezone.now()
    extra = {"sort": sort, "descending": descending} if name == "executors" else {}
    with longer_statement_timeout():
        return build(selector(filters=filters, now=now, **extra))


# A text cell starting with one of these is a formula to Excel, LibreOffice and Google Sheets
# (a category, district or executor name typed by someone is enough: "=HYPERLINK(…)").
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise_formula(value: str) -> str:
    """Text that a spreadsheet would run as a formula, made plain text by a leading apostrophe."""
    return "'" + value if value.startswith(FORMULA_STARTS) else value


def _text(value: Cell) -> str:
    if isinstance(value, str):
        return neutralise_formula(value)
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        return value.isoformat(timespec="minutes")
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value)


def table_csv(table: Table) -> bytes:
    """The table as CSV: UTF-8 with a byte-order mark, a header row, then the rows."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([neutralise_formula(str(header)) for header in table.headers])
    writer.writerows([[_text(cell) for cell in row] for row in table.rows])
    return "\ufeff".encode() + buffer.getvalue().encode("utf-8")


def _xlsx_value(value: Cell) -> Cell:
    if isinstance(value, str):
        return neutralise_formula(value)  # openpyxl writes a string starting with "=" as a formula
    if isinstance(value, datetime.datetime):
        return value.replace(tzinfo=None)  # Excel keeps no time zone: local wall-clock time
    return value


def tables_xlsx(tables: list[Table], *, title: str) -> bytes:
    """The tables as an Excel workbook, one sheet each (header in bold, frozen, sized columns)."""

    workbook = Workbook()
    workbook.remove(workbook.active)
    workbook.properties.title = title
    for table in tables:
        sheet = workbook.create_sheet(table.name)
        sheet.append([neutralise_formula(str(header)) for header in table.headers])
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for row in table.rows:
            sheet.append([_xlsx_value(cell) for cell in row])
        sheet.freeze_panes = "A2"
        for column in sheet.columns:
            longest = max(len(_text(cell.value)) for cell in column)
            sheet.column_dimensions[column[0].column_letter].width = min(max(10, longest + 2), 60)
        for row in sheet.iter_rows(min_row=2):
            for cell in row:
                if isinstance(cell.value, datetime.datetime):
                    cell.number_format = "yyyy-mm-dd hh:mm"
                elif isinstance(cell.value, datetime.date):
                    cell.number_format = "yyyy-mm-dd"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def export_filename(name: str, slug: str, extension: str) -> str:
    """e.g. opencity-executors-2026-11-30_2026-12-13.csv (the district's code added when chosen)."""
    return f"opencity-{name}-{slug}.{extension}"
