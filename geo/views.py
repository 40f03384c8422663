"""Pages of the map layers: the budget map, outages (public and the outage desk), duty contacts.
(The city map itself, with the issues, is issues.views.map_page; every map page takes its
configuration from geo.mapconfig.) Views validate, call one service or selector, and render."""

from __future__ import annotations

import json

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from accounts.models import Executor
from accounts.roles import user_executor, user_is_dispatcher
from geo.forms import (
    BudgetFilterForm,
    OutageCloseForm,
    OutageEditForm,
    OutageExtendForm,
    OutagePublishForm,
    sign_map_scripts,
)
from geo.mapconfig import layers_config, map_config
from geo.models import BudgetProject, Outage, OutageKind
from geo.permissions import user_can_manage_outages, user_can_manage_outages_of
from geo.selectors import (
    budget_default_year,
    budget_projects,
    budget_totals,
    budget_years,
    duty_contacts,
    outages_manageable_by,
)
from geo.services import outage_extend, outage_publish, outage_update
from geo.sql import territory_feature_collection
from opencity.errors import DomainError, Forbidden


@require_safe
def territory_geojson(request: HttpRequest) -> HttpResponse:
    """The community boundary and districts as GeoJSON, built by PostGIS."""
    body = territory_feature_collection(language=get_language() or "uk")
    return HttpResponse(body, content_type="application/geo+json")


# --- Budget ---------------------------------------------------------------------------------------


@require_safe
def budget_page(request: HttpRequest) -> HttpResponse:
    """The budget map of a year: projects on the map, totals by sector and status, the list."""
    default_year = budget_default_year()
    years = sorted({*budget_years(), default_year}, reverse=True)
    form = BudgetFilterForm(request.GET or None, years=years, initial={"year": default_year})
    chosen = {"year": default_year, "sector": "", "status": ""}
    if form.is_bound:
        form.is_valid()  # a bad value is shown as an error; the valid ones still apply
        chosen.update({name: value for name, value in form.cleaned_data.items() if value is not None})
    year, sector, status = chosen["year"], chosen["sector"], chosen["status"]
    sectors, statuses = ([sector] if sector else None), ([status] if status else None)
    projects = budget_projects(year=year, sectors=sectors, statuses=statuses)
    totals = budget_totals(year=year, sectors=sectors, statuses=statuses)
    filters = {"year": year, "sector": sectors, "status": statuses}
    return render(
        request,
        "geo/budget.html",
        {
            "form": form,
            "year": year,
            "projects": projects,
            "totals": totals,
            "map_config": map_config(),
            "layers_config": layers_config(page="budget", filters=filters),
        },
    )


@require_safe
def budget_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One budget project: money, dates, tender, photos, and (filled by the issues app) the issues
    reported around it."""
    project = get_object_or_404(BudgetProject.objects.select_related("executor").prefetch_related("photos"), pk=pk)
    return render(
        request,
        "geo/budget_detail.html",
        {
            "project": project,
            "geometry": json.loads(project.geom.json),
            "map_config": map_config(),
            "layers_config": layers_config(page="budget-project", status=project.status),
        },
    )


# --- Outages (public) -----------------------------------------------------------------------------


@require_safe
def outages_page(request: HttpRequest) -> HttpResponse:
    """Outages in force and to come, on the map and as a list, and "is my address affected?"."""
    now = timezone.now()
    outages = list(Outage.objects.active_or_upcoming(now).select_related("provider").order_by("starts_at", "pk"))
    active = [o for o in outages if o.state_at(now) == "active"]
    upcoming = [o for o in outages if o.state_at(now) == "upcoming"]
    return render(
        request,
        "geo/outages.html",
        {
            "now": now,
            "active": active,
            "upcoming": upcoming,
            "kinds": OutageKind.choices,
            "map_config": map_config(),
            "layers_config": layers_config(page="outages"),
        },
    )


@require_safe
def outage_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One outage with its public history: a stable link for the feeds and for local media."""
    outage = get_object_or_404(Outage.objects.select_related("provider"), pk=pk)
    now = timezone.now()
    return render(
        request,
        "geo/outage_detail.html",
        {
            "outage": outage,
            "state": outage.state_at(now),
            "overdue": outage.is_overdue_at(now),
            "events": outage.events.order_by("at", "pk"),
            "geometry": json.loads(outage.area.json),
            "can_manage": user_can_manage_outages_of(request.user, provider=outage.provider, kind=outage.kind),
            "map_config": map_config(),
            "layers_config": layers_config(page="outage", kind=outage.kind),
        },
    )


@require_safe
def contacts_page(request: HttpRequest) -> HttpResponse:
    """The duty officer, the emergency services and the utilities' dispatchers, click to call."""
    contacts = list(duty_contacts())
    return render(
        request,
        "geo/contacts.html",
        {
            "emergency": [c for c in contacts if c.is_emergency],
            "others": [c for c in contacts if not c.is_emergency],
        },
    )


# --- The outage desk (dispatchers and providers' staff) ---------------------------------------------


def _desk_user(request: HttpRequest) -> None:
    if not user_can_manage_outages(request.user):
        raise PermissionDenied(_("Only dispatchers and utilities' staff manage outages."))


def _managed_outage(request: HttpRequest, pk: int) -> Outage:
    outage = get_object_or_404(Outage.objects.select_related("provider"), pk=pk)
    if not user_can_manage_outages_of(request.user, provider=outage.provider, kind=outage.kind):
        raise PermissionDenied(_("This outage belongs to another organisation."))
    return outage


def _providers_for(request: HttpRequest):
    if user_is_dispatcher(request.user):
        return Executor.objects.filter(is_active=True).order_by("name_uk")
    executor = user_executor(request.user)
    return Executor.objects.filter(pk=executor.pk) if executor else Executor.objects.none()


@login_required
@require_safe
def outage_desk(request: HttpRequest) -> HttpResponse:
    """The outage desk: the outages this user may manage, open ones first."""
    _desk_user(request)
    now = timezone.now()
    outages = list(outages_manageable_by(user=request.user)[:200])
    return render(
        request,
        "geo/outage_desk.html",
        {"outages": [(o, o.state_at(now), o.is_overdue_at(now)) for o in outages], "now": now},
    )


def _run_service(form, call):
    """Run one service call for a form: a refusal is a 403 page, bad input becomes form errors.
    Returns the service's result, or None when it refused the input."""
    try:
        return call()
    except Forbidden as error:
        raise PermissionDenied(str(error.message)) from error
    except DomainError as error:
        form.add_service_error(error)
        return None


def _desk_form_context(request: HttpRequest, *, form, **context) -> dict:
    return {"territory_url": reverse("geo:territory"), "form": sign_map_scripts(form, request), **context}


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def outage_new(request: HttpRequest) -> HttpResponse:
    """Publish an outage: kind, times, the zone drawn on the map, the streets."""
    _desk_user(request)
    providers = _providers_for(request)
    form = OutagePublishForm(request.POST or None, providers=providers)
    if request.method == "POST" and form.is_valid():
        outage = _run_service(form, lambda: outage_publish(actor=request.user, **form.cleaned_data))
        if outage is not None:
            messages.success(request, _("The outage is published."))
            return redirect("geo:outage-detail", pk=outage.pk)
    return render(request, "geo/outage_form.html", _desk_form_context(request, form=form, outage=None))


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def outage_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Correct an open outage's zone, streets and notice; extend it from the same page."""
    _desk_user(request)
    outage = _managed_outage(request, pk)
    initial = {"area": outage.area, "affected_streets": outage.affected_streets, "public_notes": outage.public_notes}
    form = OutageEditForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        updated = _run_service(form, lambda: outage_update(actor=request.user, outage=outage, **form.cleaned_data))
        if updated is not None:
            messages.success(request, _("The outage is updated."))
            return redirect("geo:outage-detail", pk=outage.pk)
    extend_form = OutageExtendForm(initial={"expected_end_at": outage.expected_end_at})
    return render(
        request,
        "geo/outage_form.html",
        _desk_form_context(request, form=form, outage=outage, extend_form=extend_form),
    )


@login_required
@require_POST
def outage_extend_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Move the expected end later (posted from the edit page)."""
    _desk_user(request)
    outage = _managed_outage(request, pk)
    extend_form = OutageExtendForm(request.POST)
    if extend_form.is_valid():
        extended = _run_service(
            extend_form, lambda: outage_extend(actor=request.user, outage=outage, **extend_form.cleaned_data)
        )
        if extended is not None:
            messages.success(request, _("The expected end is moved."))
            return redirect("geo:outage-detail", pk=outage.pk)
    initial = {"area": outage.area, "affected_streets": outage.affected_streets, "public_notes": outage.public_notes}
    return render(
        request,
        "geo/outage_form.html",
        _desk_form_context(request, form=OutageEditForm(initial=initial), outage=outage, extend_form=extend_form),
        status=400,
    )


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def outage_close_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Close an outage (the supply is back), or cancel one that has not started."""
    _desk_user(request)
    outage = _managed_outage(request, pk)
    if outage.ended_at is not None:
        raise Http404(_("This outage is already closed."))
    form = OutageCloseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        close = import_string(settings.OPENCITY_OUTAGE_CLOSE_SERVICE)  # see the setting: it may do more
        closed = _run_service(form, lambda: close(actor=request.user, outage=outage, **form.cleaned_data))
        if closed is not None:
            messages.success(request, _("The outage is closed."))
            return redirect("geo:outage-detail", pk=outage.pk)
    now = timezone.now()
    return render(
        request,
        "geo/outage_close.html",
        {"form": form, "outage": outage, "not_started": outage.starts_at > now},
    )
