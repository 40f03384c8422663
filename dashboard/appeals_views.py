"""The public statistics of appeals: a page (/dashboard/appeals/) and its JSON
(/api/v1/dashboard/appeals/). Open to everyone: counts only (dashboard.appeals says which).
A bad period is a form error on the page and a 400 with field messages from the API."""

from __future__ import annotations

import datetime
from urllib.parse import urlencode

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_safe
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from dashboard.appeals import (
    MAX_PERIOD_DAYS,
    AppealStatistics,
    AppealStatsPeriod,
    Tally,
    appeal_statistics,
    appeal_stats_default_period,
)
from dashboard.forms import DATE_FORMATS, EARLIEST
from opencity.errors import InvalidInput
from opencity.openapi import BAD_REQUEST


class AppealStatsForm(forms.Form):
    """`from` and `to` (dates, inclusive; default the last twelve months)."""

    def __init__(self, data=None, *, today: datetime.date | None = None) -> None:
        super().__init__(data)
        self.today = today or timezone.localdate()
        messages = {"invalid": _("Enter a date like 2026-12-31.")}
        date_input = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
        for name, label in (("from", _("From")), ("to", _("To"))):
            self.fields[name] = forms.DateField(
                label=label, required=False, input_formats=DATE_FORMATS, error_messages=messages, widget=date_input
            )
        default = appeal_stats_default_period(today=self.today)
        self.initial = {"from": default.start, "to": default.end}

    def clean(self) -> dict:
        data = super().clean()
        if self.errors:
            return data
        default = appeal_stats_default_period(today=self.today)
        end = data.get("to") or default.end
        start = data.get("from") or (end - datetime.timedelta(days=364))
        if start < EARLIEST:
            self.add_error("from", _("The period cannot start before 2000."))
        elif start > end:
            self.add_error("to", _("The end of the period is before its start."))
        elif (end - start).days + 1 > MAX_PERIOD_DAYS:
            self.add_error(
                "to", _("The period is too long: at most two years (%(days)d days).") % {"days": MAX_PERIOD_DAYS}
            )
        data["from"], data["to"] = start, end
        return data

    def period(self) -> AppealStatsPeriod:
        return AppealStatsPeriod(start=self.cleaned_data["from"], end=self.cleaned_data["to"])


def _tally(tally: Tally, key: str) -> dict:
    return {
        key: tally.code,
        "name": tally.label,
        "received": tally.received,
        "answered": tally.answered,
        "answered_in_time": tally.answered_in_time,
        "answered_in_time_pct": tally.answered_in_time_pct,
    }


def appeal_statistics_output(stats: AppealStatistics) -> dict:
    """The counts as JSON: no text, subject, name or address exists in them to leak."""
    return {
        "period": {"from": stats.period.start.isoformat(), "to": stats.period.end.isoformat()},
        "generated_at": stats.now.isoformat(),
        "received": stats.total.received,
        "answered": stats.total.answered,
        "answered_in_time": stats.total.answered_in_time,
        "answered_in_time_pct": stats.total.answered_in_time_pct,
        "open_overdue": stats.open_overdue,
        "by_kind": [_tally(tally, "kind") for tally in stats.by_kind],
        "by_unit": [_tally(tally, "unit") for tally in stats.by_unit],
        "by_result": [{"result": r.code, "name": r.label, "count": r.count} for r in stats.by_result],
    }


@require_safe
def appeal_statistics_page(request: HttpRequest) -> HttpResponse:
    """Appeals and information requests in figures, for everyone."""
    form = AppealStatsForm(request.GET)
    if not form.is_valid():
        return render(request, "dashboard/appeals.html", {"form": form}, status=400)
    stats = appeal_statistics(period=form.period())
    query = urlencode({"from": stats.period.start.isoformat(), "to": stats.period.end.isoformat()})
    return render(request, "dashboard/appeals.html", {"form": form, "stats": stats, "query": query})


_TALLY_SCHEMA = {
    "type": "object",
    "properties": {
        "name": {"type": "string"},
        "received": {"type": "integer"},
        "answered": {"type": "integer"},
        "answered_in_time": {"type": "integer"},
        "answered_in_time_pct": {"type": "number", "nullable": True},
    },
}
APPEAL_STATISTICS_SCHEMA = {
    "type": "object",
    "properties": {
        "period": {
            "type": "object",
            "properties": {"from": {"type": "string", "format": "date"}, "to": {"type": "string", "format": "date"}},
        },
        "generated_at": {"type": "string", "format": "date-time"},
        "received": {"type": "integer"},
        "answered": {"type": "integer", "description": "Answered or refused on legal grounds."},
        "answered_in_time": {"type": "integer", "description": "Answered within the term in force."},
        "answered_in_time_pct": {"type": "number", "nullable": True},
        "open_overdue": {"type": "integer", "description": "Still open and past their term now."},
        "by_kind": {"type": "array", "items": _TALLY_SCHEMA, "description": "Each item also has `kind`."},
        "by_unit": {
            "type": "array",
            "items": _TALLY_SCHEMA,
            "description": "Each item also has `unit` (its code; null: not routed yet).",
        },
        "by_result": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {"result": {"type": "string"}, "name": {"type": "string"}, "count": {"type": "integer"}},
            },
        },
    },
}


class AppealStatisticsApi(APIView):
    permission_classes = [AllowAny]

    @extend_schema(
        tags=["dashboard"],
        summary="Appeals and information requests in figures (public)",
        operation_id="dashboard_appeals_retrieve",
        parameters=[
            OpenApiParameter(
                "from",
                OpenApiTypes.DATE,
                description="First day of the period of receipt (default: 364 days before `to`).",
            ),
            OpenApiParameter(
                "to",
                OpenApiTypes.DATE,
                description=f"Last day of the period (default: today); at most {MAX_PERIOD_DAYS} days in all.",
            ),
        ],
        responses={
            200: OpenApiResponse(APPEAL_STATISTICS_SCHEMA, description="Counts only: never a text or a name."),
            400: BAD_REQUEST,
        },
    )
    def get(self, request: Request) -> Response:
        """Counts of the appeals received in a period by kind, unit and result, and the share answered
        within the legal term."""
        form = AppealStatsForm(request.query_params)
        if not form.is_valid():
            raise InvalidInput(_("The request has invalid fields."), fields=dict(form.errors))
        return Response(appeal_statistics_output(appeal_statistics(period=form.period())))
