"""The dashboard's tables as CSV and as Excel workbooks, with the figures the page shows.

CSV is UTF-8 with a byte-order mark (so Excel reads the Cyrillic), comma-separated, with a dot as
the decimal separator (RFC 4180: what scripts and other tools expect). For people working in
Excel the .xlsx has the same table with real numbers and dates (openpyxl).
"""

from __future__ import annotations

import csv
import datetime
import io
from dataclasses import dataclass
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font

from dashboard.selectors import Dashboard, ExecutorSla

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


def dashboard_tables(dashboard: Dashboard) -> dict[str, Table]:
    """Every table of the dashboard, by name, in the order the page shows them."""
    backlog = dashboard.backlog
    trends = dashboard.trends
    satisfaction = dashboard.satisfaction
    budget = dashboard.budget
    answered = satisfaction.confirmed + satisfaction.disputed
    tables = [
        Table(
            "backlog",
            _("Open issues by status and age"),
            [_("Status"), *backlog.age_labels, _("Total")],
            [[row.label, *row.by_age, row.total] for row in backlog.rows]
            + [[_("Total"), *backlog.by_age, backlog.total]],
        ),
        Table(
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
            [_executor_cells(row) for row in dashboard.sla.rows] + [_executor_cells(dashboard.sla.total)],
        ),
        Table(
            "trends",
            _("Reports received and fixed per week"),
            [_("Week (Monday)"), _("Category group"), _("Received"), _("Fixed")],
            [
                [week, series.label, series.received[i], series.resolved[i]]
                for i, week in enumerate(trends.weeks)
                for series in trends.series
            ],
        ),
        Table(
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
                for s in dashboard.spots
            ],
        ),
        Table(
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
        ),
        Table(
            "budget",
            _("Budget execution by sector"),
            [_("Sector"), _("Projects"), _("Planned, UAH"), _("Spent, UAH"), _("Spent, %")],
            [[line.label, line.projects, line.planned, line.spent, line.spent_pct] for line in budget.sectors]
            + (
                [[_("Total"), sum(x.projects for x in budget.sectors), budget.planned, budget.spent, budget.spent_pct]]
                if budget.sectors
                else []
            ),
        ),
    ]
    return {table.name: table for table in tables}


def _text(value: Cell) -> str:
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
    writer.writerow(table.headers)
    writer.writerows([[_text(cell) for cell in row] for row in table.rows])
    return "\ufeff".encode() + buffer.getvalue().encode("utf-8")


def tables_xlsx(tables: list[Table], *, title: str) -> bytes:
    """The tables as an Excel workbook, one sheet each (header in bold, frozen, sized columns)."""

    workbook = Workbook()
    workbook.remove(workbook.active)
    workbook.properties.title = title
    for table in tables:
        sheet = workbook.create_sheet(table.name)
        sheet.append(table.headers)
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for row in table.rows:
            # Excel keeps no time zone: local wall-clock time, as people read it.
            sheet.append([cell.replace(tzinfo=None) if isinstance(cell, datetime.datetime) else cell for cell in row])
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
