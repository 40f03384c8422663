"""The leadership dashboard's pages: the dashboard, the printable summary, an executor's overdue
issues, and the exports. Leadership and dispatchers only (others get 403, anonymous visitors the
sign-in page). Bad filters are a form error on the page and a 400 for the exports, never a 500."""

from __future__ import annotations

import json

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from accounts.models import Executor
from dashboard.access import user_may_see_dashboard
from dashboard.charts import dashboard_charts, heat_colour
from dashboard.exports import TABLES, dashboard_table, dashboard_tables, export_filename, table_csv, tables_xlsx
from dashboard.forms import DashboardFilterForm
from dashboard.selectors import (
    EXECUTOR_SORTS,
    Dashboard,
    dashboard_get,
    dashboard_overdue_issues,
)
from geo.mapconfig import map_config
from issues.presentation import deadline_in_words

ASCENDING_BY_DEFAULT = {"name", "answer_time", "fix_time"}


def _require_viewer(request: HttpRequest) -> None:
    if not user_may_see_dashboard(request.user):
        raise PermissionDenied(_("The dashboard is for the mayor's office and the dispatchers."))


def _sort(request: HttpRequest) -> tuple[str, bool]:
    sort = request.GET.get("sort", "overdue")
    if sort not in EXECUTOR_SORTS:
        sort = "overdue"
    direction = request.GET.get("dir", "asc" if sort in ASCENDING_BY_DEFAULT else "desc")
    return sort, direction != "asc"


def _map_layers(dashboard: Dashboard) -> dict:
    """The heat cells and the spots for static/js/dashboard-map.js, as GeoJSON."""
    return {
        "cells": {
            "type": "FeatureCollection",
            "features": [
                {
                    "type": "Feature",
                    "geometry": json.loads(cell.outline),
                    "properties": {
                        "issues": cell.issues,
                        "colour": heat_colour(cell.issues, dashboard.heat.max_issues),
                    },
                }
                for cell in dashboard.heat.cells
            ],
        },
        "spots": [
            {
                "rank": s.rank,
                "issues": s.issues,
                "category": s.category,
                "lon": s.lon,
                "lat": s.lat,
                "radius": s.radius_m,
            }
            for s in dashboard.spots
        ],
        "text": {"reports": _("Reports in this square"), "spot": _("Problem spot"), "openIssues": _("Open issues")},
    }


def _context(request: HttpRequest, form: DashboardFilterForm, *, with_map: bool = False) -> dict:
    sort, descending = _sort(request)
    dashboard = dashboard_get(filters=form.to_filter(), sort=sort, descending=descending)
    query = form.query()
    return {
        "form": form,
        "dashboard": dashboard,
        "query": query,
        "sort": sort,
        "descending": descending,
        "tables": dashboard_tables(dashboard),
        "charts": dashboard_charts(dashboard=dashboard, with_map=with_map),
        "age_labels": dashboard.backlog.age_labels,
        "weekly": list(zip(dashboard.trends.weeks, dashboard.trends.received, dashboard.trends.resolved, strict=True)),
    }


@login_required
@require_safe
def dashboard_page(request: HttpRequest) -> HttpResponse:
    """The dashboard: backlog, SLA per executor, trends, the map with problem spots, satisfaction
    and budget, for a period and a district."""
    _require_viewer(request)
    form = DashboardFilterForm(request.GET)
    if not form.is_valid():
        return render(request, "dashboard/dashboard.html", {"form": form}, status=400)

    context = _context(request, form)
    context["map_config"] = map_config()
    context["map_layers"] = _map_layers(context["dashboard"])
    context["sorts"] = list(EXECUTOR_SORTS)
    return render(request, "dashboard/dashboard.html", context)


@login_required
@require_safe
def dashboard_print(request: HttpRequest) -> HttpResponse:
    """A summary for a council session: A4, charts and tables, nothing interactive."""
    _require_viewer(request)
    form = DashboardFilterForm(request.GET)
    if not form.is_valid():
        return render(request, "dashboard/dashboard.html", {"form": form}, status=400)
    return render(request, "dashboard/print.html", _context(request, form, with_map=True))


@login_required
@require_safe
def dashboard_overdue(request: HttpRequest, code: str) -> HttpResponse:
    """An executor's issues overdue now (in the chosen district), the longest overdue first."""
    _require_viewer(request)
    executor = get_object_or_404(Executor, code=code)
    form = DashboardFilterForm(request.GET)
    if not form.is_valid():
        return render(request, "dashboard/dashboard.html", {"form": form}, status=400)
    filters = form.to_filter()
    now = timezone.now()
    issues = dashboard_overdue_issues(executor=executor, district=filters.district, now=now)
    rows = [{"issue": issue, "missed": deadline_in_words(issue.missed_at)} for issue in issues]
    return render(
        request,
        "dashboard/overdue.html",
        {"executor": executor, "rows": rows, "filters": filters, "query": form.query()},
    )


EXPORT_FORMATS = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


@login_required
@require_safe
def dashboard_export(request: HttpRequest, table: str, extension: str) -> HttpResponse:
    """One table (or `all`, as one workbook) as CSV or XLSX, for the same filters as the page."""
    _require_viewer(request)
    if extension not in EXPORT_FORMATS or (table == "all" and extension != "xlsx"):
        raise Http404
    form = DashboardFilterForm(request.GET)
    if not form.is_valid():
        lines = [f"{name}: {message}" for name, errors in form.errors.items() for message in errors]
        return HttpResponse("\n".join(lines), status=400, content_type="text/plain; charset=utf-8")
    if table != "all" and table not in TABLES:
        raise Http404
    sort, descending = _sort(request)
    filters = form.to_filter()
    slug = filters.slug
    if table == "all":
        chosen = list(dashboard_tables(dashboard_get(filters=filters, sort=sort, descending=descending)).values())
    else:  # only the part this table needs, not the whole dashboard
        chosen = [dashboard_table(name=table, filters=filters, sort=sort, descending=descending)]
    if extension == "csv":
        body = table_csv(chosen[0])
    else:
        body = tables_xlsx(chosen, title=_("Open City dashboard, %(slug)s") % {"slug": slug})
    response = HttpResponse(body, content_type=EXPORT_FORMATS[extension])
    response["Content-Disposition"] = f'attachment; filename="{export_filename(table, slug, extension)}"'
    return response
