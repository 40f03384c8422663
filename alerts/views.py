"""Pages of the area alerts: the list (with the districts' public feeds), the form, deletion, and
the unsubscribe page the e-mails link to (no sign-in: the link is signed)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from alerts.delivery import alert_place_in_words, alert_title
from alerts.feeds import FEED_MAX_AGE, AlertFeed, DistrictFeed
from alerts.forms import AlertForm
from alerts.models import Alert
from alerts.services import (
    alert_by_unsubscribe_token,
    alert_create,
    alert_delete,
    alert_may_subscribe,
    alert_of_user,
    alert_set_emails,
    alert_update,
)
from geo.forms import sign_map_scripts
from geo.models import District
from opencity.errors import DomainError, NotFound

district_feed = cache_control(public=True, max_age=FEED_MAX_AGE)(DistrictFeed())
# A saved alert's feed is as private as its address: no shared cache keeps it.
alert_feed = cache_control(private=True, max_age=FEED_MAX_AGE)(AlertFeed())


def alert_list(request: HttpRequest) -> HttpResponse:
    """GET /alerts/ — my alerts (signed in) and every district's public feed (everyone)."""
    alerts = []
    if request.user.is_authenticated:
        rows = Alert.objects.filter(user=request.user).select_related("district").prefetch_related("category_groups")
        alerts = [{"alert": alert, "title": alert_title(alert), "place": alert_place_in_words(alert)} for alert in rows]
    return render(
        request,
        "alerts/list.html",
        {
            "alerts": alerts,
            "may_subscribe": request.user.is_authenticated and alert_may_subscribe(user=request.user),
            "districts": District.objects.order_by("name_uk").only("code", "name_uk", "name_en"),
        },
    )


def _form_page(request: HttpRequest, form: AlertForm, *, alert: Alert | None, status: int = 200) -> HttpResponse:
    return render(
        request,
        "alerts/form.html",
        {
            "form": sign_map_scripts(form, request),  # the maps' inline set-up runs only with the CSP nonce
            "alert": alert,
            "territory_url": reverse("geo:territory"),
            "may_subscribe": True,
        },
        status=status,
    )


def _refused(request: HttpRequest) -> HttpResponse:
    return render(request, "alerts/form.html", {"form": None, "alert": None, "may_subscribe": False}, status=403)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def alert_new(request: HttpRequest) -> HttpResponse:
    """GET/POST /alerts/new/ — subscribe (a confirmed e-mail address is needed)."""
    if not alert_may_subscribe(user=request.user):
        return _refused(request)
    form = AlertForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            alert_create(user=request.user, data=form.alert_input())
        except DomainError as error:
            form.add_service_error(error)
        else:
            messages.success(request, _("The alert is saved."))
            return redirect("alerts:list")
    return _form_page(request, form, alert=None, status=400 if form.errors else 200)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def alert_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """GET/POST /alerts/<id>/edit/ — change one of my alerts (another person's is a 404)."""
    try:
        alert = alert_of_user(user=request.user, alert_id=pk)
    except NotFound:
        raise Http404 from None
    if not alert_may_subscribe(user=request.user):
        return _refused(request)
    form = AlertForm(request.POST or None, initial=AlertForm.initial_for(alert))
    if request.method == "POST" and form.is_valid():
        try:
            alert_update(user=request.user, alert_id=alert.pk, data=form.alert_input())
        except DomainError as error:
            form.add_service_error(error)
        else:
            messages.success(request, _("The alert is saved."))
            return redirect("alerts:list")
    return _form_page(request, form, alert=alert, status=400 if form.errors else 200)


@login_required
@require_POST
def alert_remove(request: HttpRequest, pk: int) -> HttpResponse:
    """POST /alerts/<id>/delete/ — delete one of my alerts."""
    try:
        alert_delete(user=request.user, alert_id=pk)
    except NotFound:
        raise Http404 from None
    messages.success(request, _("The alert is deleted."))
    return redirect("alerts:list")


@csrf_exempt  # mail programs POST here (RFC 8058) with no session; the signed token is the credential
@require_http_methods(["GET", "HEAD", "POST"])
def alert_unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """GET /alerts/unsubscribe/<token>/ — the e-mail's link: a page with one button (a GET changes
    nothing, so link checkers that open every link unsubscribe nobody). POST — stop the e-mails
    (the button, or a mail program's one-click `List-Unsubscribe=One-Click`); `resubscribe=1` undoes it."""
    try:
        alert = alert_by_unsubscribe_token(token=token)
    except NotFound as error:
        return render(request, "alerts/unsubscribe.html", {"error": error.message}, status=404)
    done = False
    if request.method == "POST":
        alert = alert_set_emails(token=token, on=request.POST.get("resubscribe") == "1")
        done = True
    return render(
        request,
        "alerts/unsubscribe.html",
        {
            "alert": alert,
            "title": alert_title(alert),
            "done": done,
            "action": reverse("alerts:unsubscribe", args=[token]),
        },
    )
