"""GET /api/v1/dashboard/?from=…&to=…&district=… — the dashboard's figures as JSON, for
leadership and dispatchers. The filters are checked by the page's own form, so a bad date or an
unknown district is a 400 with the same field messages (in the request's language)."""

from __future__ import annotations

import json

from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from dashboard.access import user_may_see_dashboard
from dashboard.forms import EARLIEST, DashboardFilterForm
from dashboard.selectors import MAX_PERIOD_DAYS, Dashboard, ExecutorSla, dashboard_get
from opencity.errors import Forbidden, InvalidInput
from opencity.openapi import BAD_REQUEST, FORBIDDEN, UNAUTHORIZED


def _executor(row: ExecutorSla) -> dict:
    return {
        "code": row.code or None,
        "name": row.name,
        "assignment_periods": row.periods,
        "answer_judged": row.answer_judged,
        "answered_on_time": row.answered_on_time,
        "answered_on_time_pct": row.answered_on_time_pct,
        "median_answer_hours": row.median_answer_hours,
        "fix_judged": row.fix_judged,
        "fixed_on_time": row.fixed_on_time,
        "fixed_on_time_pct": row.fixed_on_time_pct,
        "median_fix_hours": row.median_fix_hours,
        "overdue_now": row.overdue,
    }


def dashboard_output(dashboard: Dashboard) -> dict:
    """The figures as plain JSON values (amounts in UAH as strings, to keep the kopiykas exact)."""
    f, backlog, trends, satisfaction, budget = (
        dashboard.filters,
        dashboard.backlog,
        dashboard.trends,
        dashboard.satisfaction,
        dashboard.budget,
    )
    return {
        "period": {
            "from": f.start.isoformat(),
            "to": f.end.isoformat(),
            "district": f.district.code if f.district else None,
        },
        "generated_at": dashboard.now.isoformat(),
        "backlog": {
            "at": backlog.at.isoformat(),
            "age_buckets": backlog.age_labels,
            "by_status": [
                {"status": str(r.status), "label": r.label, "by_age": r.by_age, "total": r.total} for r in backlog.rows
            ],
            "by_age": backlog.by_age,
            "total": backlog.total,
        },
        "executors": [_executor(row) for row in dashboard.sla.rows],
        "executors_total": _executor(dashboard.sla.total),
        "trends": {
            "weeks": [week.isoformat() for week in trends.weeks],
            "groups": [
                {"code": s.group, "name": s.label, "received": s.received, "resolved": s.resolved}
                for s in trends.series
            ],
            "received": trends.received,
            "resolved": trends.resolved,
        },
        "heat_grid": {
            "cell_m": dashboard.heat.cell_m,
            "srid": dashboard.heat.srid,
            "cells": [
                {"x": c.x, "y": c.y, "issues": c.issues, "geometry": json.loads(c.outline)}
                for c in dashboard.heat.cells
            ],
        },
        "spots": [
            {
                "rank": s.rank,
                "open_issues": s.issues,
                "category": s.category,
                "district": s.district,
                "location": {"type": "Point", "coordinates": [s.lon, s.lat]},
                "radius_m": s.radius_m,
                "oldest_report_at": s.oldest_at.isoformat(),
            }
            for s in dashboard.spots
        ],
        "satisfaction": {
            "fixes": satisfaction.fixes,
            "confirmed": satisfaction.confirmed,
            "disputed": satisfaction.disputed,
            "no_answer": satisfaction.no_answer,
            "awaiting": satisfaction.awaiting,
            "confirmed_pct": satisfaction.confirmed_pct,
        },
        "budget": {
            "years": list(budget.years),
            "sectors": [
                {
                    "sector": line.sector,
                    "label": line.label,
                    "projects": line.projects,
                    "planned": str(line.planned),
                    "spent": str(line.spent),
                    "spent_pct": line.spent_pct,
                }
                for line in budget.sectors
            ],
            "planned": str(budget.planned),
            "spent": str(budget.spent),
            "spent_pct": budget.spent_pct,
        },
    }


_NUMBER = {"type": "number", "nullable": True}
_INT = {"type": "integer"}
_STR = {"type": "string"}
_EXECUTOR = {
    "type": "object",
    "properties": {
        "code": {"type": "string", "nullable": True},
        "name": _STR,
        "assignment_periods": _INT,
        "answer_judged": _INT,
        "answered_on_time": _INT,
        "answered_on_time_pct": _NUMBER,
        "median_answer_hours": _NUMBER,
        "fix_judged": _INT,
        "fixed_on_time": _INT,
        "fixed_on_time_pct": _NUMBER,
        "median_fix_hours": _NUMBER,
        "overdue_now": _INT,
    },
}
# The answer's shape, for the OpenAPI schema (the figures are defined in dashboard/selectors.py).
DASHBOARD_SCHEMA = {
    "type": "object",
    "properties": {
        "period": {
            "type": "object",
            "properties": {
                "from": {"type": "string", "format": "date"},
                "to": {"type": "string", "format": "date"},
                "district": {"type": "string", "nullable": True},
            },
        },
        "generated_at": {"type": "string", "format": "date-time"},
        "backlog": {"type": "object", "description": "Open issues by status and by age bucket."},
        "executors": {"type": "array", "items": _EXECUTOR},
        "executors_total": _EXECUTOR,
        "trends": {"type": "object", "description": "Reports received and resolved per week, by category group."},
        "heat_grid": {"type": "object", "description": "Reports per square of the metric grid, with outlines."},
        "spots": {"type": "array", "items": {"type": "object"}, "description": "Clusters of open issues."},
        "satisfaction": {"type": "object", "description": "Fixes confirmed, disputed, unanswered, awaiting."},
        "budget": {"type": "object", "description": "Planned and spent per sector (UAH as strings)."},
    },
}


class DashboardApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        tags=["dashboard"],
        summary="Dashboard figures",
        operation_id="dashboard_retrieve",
        parameters=[
            OpenApiParameter(
                "from",
                OpenApiTypes.DATE,
                description=f"First day of the period (default: 29 days before `to`, or 30 days ago); not before "
                f"{EARLIEST.isoformat()}. The period from `from` to `to` is at most two years ({MAX_PERIOD_DAYS} "
                f"days, both ends counted) and must not end before it starts: otherwise 400.",
            ),
            OpenApiParameter(
                "to",
                OpenApiTypes.DATE,
                description=f"Last day of the period (default: today). At most {MAX_PERIOD_DAYS} days after `from`.",
            ),
            OpenApiParameter(
                "district",
                OpenApiTypes.STR,
                description="A district's code; the whole community if absent. An unknown code is refused with 400.",
            ),
        ],
        responses={
            200: OpenApiResponse(DASHBOARD_SCHEMA, description="The figures for the period and district."),
            400: BAD_REQUEST,
            401: UNAUTHORIZED,
            403: FORBIDDEN,
        },
    )
    def get(self, request: Request) -> Response:
        """Every figure of the dashboard for a period (`from`, `to`: dates, at most two years) and
        an optional `district` (code); see the README for their definitions."""
        if not user_may_see_dashboard(request.user):
            raise Forbidden(_("The dashboard is for the mayor's office and the dispatchers."), code="not_leadership")
        form = DashboardFilterForm(request.query_params)
        if not form.is_valid():
            raise InvalidInput(_("The request has invalid fields."), fields=dict(form.errors))
        return Response(dashboard_output(dashboard_get(filters=form.to_filter())))
