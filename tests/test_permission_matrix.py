"""The permission matrix: every URL of the project × every kind of actor → the expected status, and
no side effect when a write is refused (issue 11, "What it must show").

The rows are checked against the URL configuration itself: a URL pattern without a row fails
`test_every_url_has_a_row`, so whoever adds a URL must say here who may use it. The admin's rows are
generated from `admin.site._registry`.

Every cell holds the expectation a city needs (issue 11's fixes made the last wrong ones right).
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.contrib import admin
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone

from accounts.models import ApiKey, User
from alerts.models import Alert
from alerts.services import alert_unsubscribe_token
from appeals.models import Appeal, AppealAttachment, AppealEvent
from geo.models import Outage, OutageEvent
from issues.models import Issue, IssueEvent, IssueFollower, IssueMedia
from media_store.models import MediaAsset
from open311.models import Open311Submission
from tests.appeals.files import appeal_file_path
from tests.factories import square
from tests.trust_city import TrustCity, module_city_fixture

city = module_city_fixture()

ACTORS = (
    "anonymous",
    "owner",  # citizen, reporter of the issue
    "other",  # another citizen
    "unconfirmed",  # a citizen whose e-mail is not confirmed
    "exec_this",  # staff of the roads executor, the issue's executor
    "exec_other",  # staff of the water utility
    "exec_off",  # staff of a deactivated executor
    "dispatcher",
    "leadership",
    "admin",  # superuser
    "admin_viewer",  # staff of the admin holding only the view_* permissions
)
CITIZENS = ("owner", "other", "unconfirmed")
EXECUTORS = ("exec_this", "exec_other", "exec_off")
SIGNED_IN = tuple(a for a in ACTORS if a != "anonymous")


PROMISED = "2027-01-15"
# Who may say "me too" about the issue: anyone signed in and confirmed but its reporter.
SUPPORTERS = ("other", "exec_this", "exec_other", "exec_off", "dispatcher", "leadership", "admin", "admin_viewer")


@dataclass
class Row:
    """One URL with one method: how to reach it, and what each actor gets."""

    key: str  # the pattern's name (namespaced) or, unnamed, its full route
    method: str
    path: Callable[[TrustCity], str]
    expect: dict[str, int]
    data: Callable[[TrustCity], dict] | None = None
    changes: frozenset[str] = frozenset()  # actors whose request is allowed to change something
    label: str = ""

    @property
    def id(self) -> str:
        return f"{self.method} {self.label or self.key}"


def expect(default: int, **cells: int) -> dict[str, int]:
    """Every actor gets `default` unless named; `citizens=`, `executors=`, `signed_in=` name groups."""
    table = dict.fromkeys(ACTORS, default)
    for group, members in (("signed_in", SIGNED_IN), ("citizens", CITIZENS), ("executors", EXECUTORS)):
        if group in cells:
            table.update(dict.fromkeys(members, cells.pop(group)))
    unknown = set(cells) - set(ACTORS)
    assert not unknown, unknown
    table.update(cells)
    return table


PUBLIC = expect(200)
CITY_BBOX = "23.3,49.2,23.7,49.5"  # the whole community, for the map's counts per cell
LOGIN = 302  # a page that needs signing in sends the anonymous visitor to the login page
API_ANON = 401  # the API answers an anonymous caller 401 (token authentication first)


def _outage_form(provider) -> dict:
    now = timezone.localtime()
    return {
        "kind": "water",
        "nature": "planned",
        "provider": str(provider.pk),
        "starts_at": (now + datetime.timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"),
        "expected_end_at": (now + datetime.timedelta(hours=6)).strftime("%Y-%m-%dT%H:%M"),
        "area": square(half=0.004).geojson,
        "affected_streets": "вул. Стрийська, 1–57",
        "public_notes": "Заміна засувки.",
        "reference": "",
    }


ROWS: list[Row] = [
    # --- citizens' pages --------------------------------------------------------------------------
    Row("issues:map", "GET", lambda c: "/", PUBLIC),
    # The offline copy of the map the service worker keeps: the same anonymous page for everyone.
    Row("issues:offline", "GET", lambda c: "/offline/", PUBLIC),
    Row("issues:detail", "GET", lambda c: f"/issues/{c.issue.ref}/", PUBLIC),
    Row(
        "issues:detail",
        "GET",
        lambda c: f"/issues/{c.hidden.ref}/",
        # A hidden issue exists only for its reporter, its executor's staff and the dispatchers.
        expect(404, owner=200, exec_this=200, dispatcher=200),
        label="issues:detail (hidden)",
    ),
    Row("issues:picture", "GET", lambda c: f"/issues/pictures/{c.photo.public_id}/thumbnail/", PUBLIC),
    Row(
        "issues:picture",
        "GET",
        lambda c: f"/issues/pictures/{c.hidden_photo.public_id}/web/",
        expect(404),
        label="issues:picture (hidden issue)",
    ),
    Row(
        "issues:act",
        "POST",
        lambda c: f"/issues/{c.issue.ref}/act/",
        expect(403, anonymous=LOGIN, exec_this=302),
        data=lambda c: {"action": "accept", "promised_date": PROMISED},
        changes=frozenset({"exec_this"}),
    ),
    Row(
        "issues:moderate",
        "POST",
        lambda c: f"/issues/{c.issue.ref}/moderate/",
        expect(403, anonymous=LOGIN, dispatcher=302),
        data=lambda c: {"operation": "hide", "note": "перевірка"},
        changes=frozenset({"dispatcher"}),
    ),
    Row(
        "issues:support",
        "POST",
        lambda c: f"/issues/{c.issue.ref}/support/",
        # Always back to the issue page; another citizen's "me too" is recorded (an unconfirmed
        # account's waits, uncounted, until the address is confirmed).
        expect(302),
        changes=frozenset({*SUPPORTERS, "unconfirmed"}),
    ),
    Row("issues:me", "GET", lambda c: "/me/", expect(200, anonymous=LOGIN)),
    Row(
        "issues:me-notifications",
        "POST",
        lambda c: f"/me/notifications/{c.issue.ref}/",
        expect(302),
        data=lambda c: {"notify": ""},
        changes=frozenset({"owner"}),
    ),
    Row(
        "issues:queue",
        "GET",
        lambda c: "/queue/",
        expect(403, anonymous=LOGIN, exec_this=200, exec_other=200),
    ),
    Row("issues:dispatch", "GET", lambda c: "/dispatch/", expect(403, anonymous=LOGIN, dispatcher=200)),
    # --- accounts ---------------------------------------------------------------------------------
    Row("accounts:login", "GET", lambda c: "/accounts/login/", PUBLIC),
    Row("accounts:logout", "POST", lambda c: "/accounts/logout/", expect(302)),
    Row("accounts:register", "GET", lambda c: "/accounts/register/", PUBLIC),
    Row("accounts:resend-confirmation", "POST", lambda c: "/accounts/confirm/resend/", expect(302)),
    Row("accounts-confirm", "GET", lambda c: "/accounts/confirm/not-a-token/", expect(302)),
    Row("set_language", "POST", lambda c: "/i18n/setlang/", expect(302), data=lambda c: {"language": "en"}),
    Row("accounts:register-sent", "GET", lambda c: "/accounts/register/sent/", PUBLIC),
    Row("accounts:password-reset", "GET", lambda c: "/accounts/password/reset/", PUBLIC),
    Row("accounts:password-reset-done", "GET", lambda c: "/accounts/password/reset/sent/", PUBLIC),
    Row("accounts:password-reset-confirm", "GET", lambda c: "/accounts/password/reset/MQ/not-a-token/", PUBLIC),
    Row("accounts:password-reset-complete", "GET", lambda c: "/accounts/password/reset/complete/", PUBLIC),
    Row("accounts:two-factor-setup", "GET", lambda c: "/accounts/2fa/setup/", expect(200, anonymous=LOGIN)),
    Row("accounts:two-factor-verify", "GET", lambda c: "/accounts/2fa/verify/", expect(302, anonymous=LOGIN)),
    # --- health ---------------------------------------------------------------------------------------
    Row("healthz", "GET", lambda c: "/healthz", PUBLIC),
    # --- the installable app ----------------------------------------------------------------------
    Row("service-worker", "GET", lambda c: "/sw.js", PUBLIC),
    Row("web-manifest", "GET", lambda c: "/manifest.webmanifest", PUBLIC),
    # Not ready in the test city: no task worker has beaten. The answer is the same for everyone.
    Row("readyz", "GET", lambda c: "/readyz", expect(503)),
    # --- the REST API -----------------------------------------------------------------------------
    Row(
        "api:auth-token",
        "POST",
        lambda c: "/api/v1/auth/token/",
        expect(400),
        data=lambda c: {"username": "citizen", "password": "wrong"},
    ),
    Row("api:categories", "GET", lambda c: "/api/v1/categories/", PUBLIC),
    Row("api:issues", "GET", lambda c: "/api/v1/issues/", PUBLIC),
    # --- the map at every zoom (issue 13): counts per cell, the list's pages ----------------------
    Row("api:issues-cells", "GET", lambda c: f"/api/v1/issues/cells/?bbox={CITY_BBOX}&zoom=12", PUBLIC),
    Row(
        "api:issues-cells",
        "GET",
        lambda c: f"/api/v1/issues/cells/?bbox={CITY_BBOX}&zoom=12&mine=true&overdue=true",
        expect(200, anonymous=400),
        label="api:issues-cells (mine)",
    ),
    Row(
        "api:issues",
        "GET",
        lambda c: f"/api/v1/issues/?view=pins&limit=1&after={c.issue.ref}",
        PUBLIC,
        label="api:issues (pins, a later page)",
    ),
    Row(
        "api:issues",
        "POST",
        lambda c: "/api/v1/issues/",
        expect(201, anonymous=API_ANON),
        data=lambda c: {
            "category": "pothole",
            "description": "Ще одна яма",
            "location": {"type": "Point", "coordinates": [23.4956, 49.3489]},
        },
        changes=frozenset(SIGNED_IN),
        label="api:issues (report)",
    ),
    Row(
        "api:issues-nearby", "GET", lambda c: "/api/v1/issues/nearby/?category=pothole&lon=23.4956&lat=49.3489", PUBLIC
    ),
    Row("api:issue-detail", "GET", lambda c: f"/api/v1/issues/{c.issue.ref}/", PUBLIC),
    Row(
        "api:issue-detail",
        "GET",
        lambda c: f"/api/v1/issues/{c.hidden.ref}/",
        expect(404, owner=200, exec_this=200, dispatcher=200),
        label="api:issue-detail (hidden)",
    ),
    Row(
        "api:issue-support",
        "POST",
        lambda c: f"/api/v1/issues/{c.issue.ref}/support/",
        expect(200, anonymous=API_ANON, owner=409),
        changes=frozenset({*SUPPORTERS, "unconfirmed"}),
    ),
    Row(
        "api:issue-media",
        "POST",
        lambda c: f"/api/v1/issues/{c.issue.ref}/media/",
        # No photo sent: refused for rights first; for input only to whoever may add media.
        expect(403, anonymous=API_ANON, owner=400, exec_this=400, dispatcher=400),
        data=lambda c: {"media": []},
    ),
    Row(
        "api:issue-transition",
        "POST",
        lambda c: f"/api/v1/issues/{c.issue.ref}/transition/",
        expect(403, anonymous=API_ANON, exec_this=200),
        data=lambda c: {"action": "accept", "promised_date": PROMISED},
        changes=frozenset({"exec_this"}),
    ),
    Row(
        "api:queue",
        "GET",
        lambda c: "/api/v1/queue/",
        expect(403, anonymous=API_ANON, exec_this=200, exec_other=200),
    ),
    Row(
        "api:dashboard",
        "GET",
        lambda c: "/api/v1/dashboard/",
        expect(403, anonymous=API_ANON, dispatcher=200, leadership=200),
    ),
    Row("api-schema", "GET", lambda c: "/api/schema/", PUBLIC),
    Row("api-docs", "GET", lambda c: "/api/docs/", PUBLIC),
    Row("media_api:upload", "POST", lambda c: "/api/v1/media/", expect(400, anonymous=API_ANON), data=lambda c: {}),
    Row(
        "media_api:detail",
        "GET",
        lambda c: f"/api/v1/media/{c.photo.public_id}/",
        expect(404, anonymous=API_ANON, owner=200),
    ),
    Row("geo_api:budget-projects", "GET", lambda c: "/api/v1/budget-projects/", PUBLIC),
    Row("geo_api:outages", "GET", lambda c: "/api/v1/outages/", PUBLIC),
    Row("geo_api:outages-at", "GET", lambda c: "/api/v1/outages/at/?lon=23.5056&lat=49.3489", PUBLIC),
    # Vector tiles and their TileJSON: public and anonymous (the z0 tile holds the whole city).
    Row("api:tiles-issues", "GET", lambda c: "/api/v1/tiles/issues/0/0/0.mvt", PUBLIC),
    Row("api:tilejson-issues", "GET", lambda c: "/api/v1/tiles/issues.json", PUBLIC),
    Row("geo_api:tiles-budget", "GET", lambda c: "/api/v1/tiles/budget/0/0/0.mvt", PUBLIC),
    Row("geo_api:tilejson-budget", "GET", lambda c: "/api/v1/tiles/budget.json", PUBLIC),
    Row("geo_api:tiles-outages", "GET", lambda c: "/api/v1/tiles/outages/0/0/0.mvt", PUBLIC),
    Row("geo_api:tilejson-outages", "GET", lambda c: "/api/v1/tiles/outages.json", PUBLIC),
    Row("geo_api:addresses", "GET", lambda c: "/api/v1/addresses/?q=Стрийська%209", PUBLIC),
    Row("geo_api:addresses-reverse", "GET", lambda c: "/api/v1/addresses/reverse/?lon=23.5056&lat=49.3489", PUBLIC),
    # --- the dashboard and its exports -------------------------------------------------------------
    *[
        Row(name, "GET", path, expect(403, anonymous=LOGIN, dispatcher=200, leadership=200), label=label)
        for name, path, label in (
            ("dashboard:page", lambda c: "/dashboard/", ""),
            ("dashboard:print", lambda c: "/dashboard/print/", ""),
            ("dashboard:overdue", lambda c: "/dashboard/overdue/roads/", ""),
            ("dashboard:export", lambda c: "/dashboard/export/backlog.csv", "dashboard:export (CSV)"),
            ("dashboard:export", lambda c: "/dashboard/export/all.xlsx", "dashboard:export (XLSX)"),
        )
    ],
    # --- Open311 GeoReport v2: the same for every actor (writes need an API key) --------------------
    Row("open311:root", "GET", lambda c: "/open311/v2/", expect(302)),  # to the discovery document
    Row("open311:discovery", "GET", lambda c: "/open311/v2/discovery.json", PUBLIC),
    Row("open311:services", "GET", lambda c: "/open311/v2/services.xml", PUBLIC),
    Row("open311:service", "GET", lambda c: "/open311/v2/services/pothole.json", PUBLIC),
    Row("open311:requests", "GET", lambda c: "/open311/v2/requests.json", PUBLIC),
    Row(
        "open311:requests",
        "POST",
        lambda c: "/open311/v2/requests.json",
        expect(403),
        data=lambda c: {
            "api_key": "not-a-key",
            "service_code": "pothole",
            "lat": "49.3489",
            "long": "23.4956",
            "description": "Яма",
        },
        label="open311:requests (wrong key)",
    ),
    Row(
        "open311:requests",
        "POST",
        lambda c: "/open311/v2/requests.json",
        expect(201),
        data=lambda c: {
            "api_key": c.raw_api_key,
            "service_code": "pothole",
            "lat": "49.3489",
            "long": "23.4956",
            "description": "Яма",
        },
        changes=frozenset(ACTORS),
        label="open311:requests (key)",
    ),
    Row("open311:request", "GET", lambda c: f"/open311/v2/requests/{c.issue.ref}.xml", PUBLIC),
    Row(
        "open311:request",
        "GET",
        lambda c: f"/open311/v2/requests/{c.hidden.ref}.json",
        expect(404),
        label="open311:request (hidden)",
    ),
    Row("open311:token", "GET", lambda c: f"/open311/v2/tokens/{c.issue.ref}.json", PUBLIC),
    Row("open311:updates", "GET", lambda c: "/open311/v2/servicerequestupdates.json", PUBLIC),
    # --- the map layers, budget and outages --------------------------------------------------------
    Row("geo:territory", "GET", lambda c: "/geo/territory.geojson", PUBLIC),
    Row("geo:budget", "GET", lambda c: "/budget/", PUBLIC),
    Row("geo:budget-detail", "GET", lambda c: f"/budget/{c.project.pk}/", PUBLIC),
    Row("geo:outages", "GET", lambda c: "/outages/", PUBLIC),
    Row("geo:outage-detail", "GET", lambda c: f"/outages/{c.outage.pk}/", PUBLIC),
    Row("geo:outages-ics", "GET", lambda c: "/outages/planned.ics", PUBLIC),
    Row("geo:outages-atom", "GET", lambda c: "/outages/feed.atom", PUBLIC),
    Row("geo:contacts", "GET", lambda c: "/contacts/", PUBLIC),
    Row(
        "geo:outage-desk",
        "GET",
        lambda c: "/outages/manage/",
        expect(403, anonymous=LOGIN, exec_this=200, exec_other=200, dispatcher=200),
    ),
    Row(
        "geo:outage-new",
        "GET",
        lambda c: "/outages/manage/new/",
        expect(403, anonymous=LOGIN, exec_this=200, exec_other=200, dispatcher=200),
    ),
    Row(
        "geo:outage-new",
        "POST",
        lambda c: "/outages/manage/new/",
        # The water utility's own outage: its staff and the dispatchers publish it; another
        # organisation's staff may not name the water utility as provider (the form refuses).
        expect(403, anonymous=LOGIN, exec_this=200, exec_other=302, dispatcher=302),
        data=lambda c: _outage_form(c.world.water),
        changes=frozenset({"exec_other", "dispatcher"}),
        label="geo:outage-new (publish, water)",
    ),
    Row(
        "geo:outage-new",
        "POST",
        lambda c: "/outages/manage/new/",
        # The road service declaring a water outage: no one may publish an outage of a kind its
        # provider does not supply.
        # (the staff and dispatchers who may open the form get it back with the refusal).
        expect(403, anonymous=LOGIN, exec_other=200, dispatcher=200),
        data=lambda c: _outage_form(c.world.roads),
        label="geo:outage-new (publish, roads as water)",
    ),
    Row(
        "geo:outage-edit",
        "GET",
        lambda c: f"/outages/manage/{c.outage.pk}/edit/",
        expect(403, anonymous=LOGIN, exec_other=200, dispatcher=200),
    ),
    Row(
        "geo:outage-extend",
        "POST",
        lambda c: f"/outages/manage/{c.outage.pk}/extend/",
        expect(403, anonymous=LOGIN, exec_other=302, dispatcher=302),
        data=lambda c: {"expected_end_at": "2030-01-01T10:00", "note": "ще трохи"},
        changes=frozenset({"exec_other", "dispatcher"}),
    ),
    Row(
        "geo:outage-close",
        "POST",
        lambda c: f"/outages/manage/{c.outage.pk}/close/",
        expect(403, anonymous=LOGIN, exec_other=302, dispatcher=302),
        data=lambda c: {"note": "відновлено"},
        changes=frozenset({"exec_other", "dispatcher"}),
    ),
]


# Who may subscribe to area alerts: everyone signed in with a confirmed e-mail address.
CONFIRMED = tuple(a for a in SIGNED_IN if a != "unconfirmed")

ROWS += [
    # --- area alerts --------------------------------------------------------------------------------
    Row("alerts:list", "GET", lambda c: "/alerts/", PUBLIC),
    Row("alerts:new", "GET", lambda c: "/alerts/new/", expect(200, anonymous=LOGIN, unconfirmed=403)),
    Row(
        "alerts:new",
        "POST",
        lambda c: "/alerts/new/",
        expect(302, anonymous=LOGIN, unconfirmed=403),
        data=lambda c: {
            "kind": "district",
            "district": str(c.world.west.pk),
            "new_reports": "on",
            "frequency": "daily",
            "emails_on": "on",
        },
        changes=frozenset(CONFIRMED),
    ),
    # Another person's alert is as good as missing.
    Row("alerts:edit", "GET", lambda c: f"/alerts/{c.alert.pk}/edit/", expect(404, anonymous=LOGIN, owner=200)),
    Row(
        "alerts:delete",
        "POST",
        lambda c: f"/alerts/{c.alert.pk}/delete/",
        expect(404, anonymous=LOGIN, owner=302),
        changes=frozenset({"owner"}),
    ),
    # The e-mail's link: its signed token is the credential, whoever follows it (no sign-in).
    Row(
        "alerts:unsubscribe", "GET", lambda c: f"/alerts/unsubscribe/{alert_unsubscribe_token(alert=c.alert)}/", PUBLIC
    ),
    Row(
        "alerts:unsubscribe",
        "POST",
        lambda c: f"/alerts/unsubscribe/{alert_unsubscribe_token(alert=c.alert)}/",
        PUBLIC,
        changes=frozenset(ACTORS),
    ),
    Row("alerts:district-feed", "GET", lambda c: "/alerts/districts/east/feed.atom", PUBLIC),
    Row("alerts:feed", "GET", lambda c: f"/alerts/feed/{c.alert.feed_token}.atom", PUBLIC),
]


# --- appeals and information requests (issue 15) ----------------------------------------------------
# The owner is the author of both; the dispatcher keeps the general department's desk (a clerk);
# exec_this is the unit the complaint is with; everyone else sees neither text nor existence (404).

# The citizen's API and the council's transitions through the API.
# Anyone signed in may send one (but an unconfirmed account); each sees only their own in the list.
APPEAL_SENDERS = tuple(a for a in SIGNED_IN if a != "unconfirmed")
ROWS += [
    Row("api:appeals", "GET", lambda c: "/api/v1/appeals/", expect(200, anonymous=API_ANON)),
    Row(
        "api:appeals",
        "GET",
        lambda c: "/api/v1/appeals/?scope=desk",
        expect(403, anonymous=API_ANON, dispatcher=200),
        label="api:appeals (the desk)",
    ),
    Row(
        "api:appeals",
        "GET",
        lambda c: "/api/v1/appeals/?scope=unit",
        expect(403, anonymous=API_ANON, exec_this=200, exec_other=200),
        label="api:appeals (the unit's)",
    ),
    Row(
        "api:appeals",
        "POST",
        lambda c: "/api/v1/appeals/",
        expect(201, anonymous=API_ANON, unconfirmed=403),
        data=lambda c: {"kind": "information_request", "subject": "Кошторис", "text": "Прошу надати кошторис."},
        changes=frozenset(APPEAL_SENDERS),
        label="api:appeals (send)",
    ),
    Row(
        "api:appeal-detail",
        "GET",
        lambda c: f"/api/v1/appeals/{c.appeal.ref}/",
        expect(404, anonymous=API_ANON, owner=200, exec_this=200, dispatcher=200),
    ),
    Row(
        "api:appeal-detail",
        "GET",
        lambda c: f"/api/v1/appeals/{c.request.ref}/",
        expect(404, anonymous=API_ANON, owner=200, dispatcher=200),
        label="api:appeal-detail (request at the desk)",
    ),
    Row(
        "api:appeal-attachment",
        "GET",
        lambda c: appeal_file_path(c.appeal),
        expect(404, anonymous=API_ANON, owner=200, exec_this=200, dispatcher=200),
    ),
    Row(
        "api:appeal-attachment",
        "GET",
        lambda c: appeal_file_path(c.request),
        expect(404, anonymous=API_ANON, owner=200, dispatcher=200),
        label="api:appeal-attachment (request at the desk)",
    ),
    Row(
        "api:appeal-attachment",
        "GET",
        lambda c: f"/api/v1/appeals/{c.appeal.ref}/attachments/{c.photo.public_id}/",
        expect(404, anonymous=API_ANON),
        label="api:appeal-attachment (an issue's photo, not the appeal's)",
    ),
    Row(
        "api:appeal-transitions",
        "POST",
        lambda c: f"/api/v1/appeals/{c.appeal.ref}/transitions/",
        # The unit it is with extends the term; its author and the clerk see it but may not.
        expect(404, anonymous=API_ANON, owner=403, exec_this=200, dispatcher=403),
        data=lambda c: {"action": "extend", "note": "Потрібна перевірка на місці"},
        changes=frozenset({"exec_this"}),
        label="api:appeal-transitions (extend)",
    ),
    Row(
        "api:appeal-transitions",
        "POST",
        lambda c: f"/api/v1/appeals/{c.request.ref}/transitions/",
        expect(404, anonymous=API_ANON, owner=403, dispatcher=200),
        data=lambda c: {"action": "route", "unit": "roads"},
        changes=frozenset({"dispatcher"}),
        label="api:appeal-transitions (route)",
    ),
    Row(
        "api:appeal-shorter-term",
        "POST",
        lambda c: f"/api/v1/appeals/{c.appeal.ref}/shorter-term/",
        expect(404, anonymous=API_ANON, owner=200, exec_this=403, dispatcher=403),
        data=lambda c: {"reason": "Судове засідання 1 березня"},
        changes=frozenset({"owner"}),
    ),
]


# The citizen's pages, the general department's desk and the unit's queue.
def _appeal_file(appeal: Appeal) -> str:
    return f"/appeals/{appeal.ref}/files/{appeal.attachments.get().asset.public_id}/"


# Who may file: anyone signed in with a confirmed e-mail (staff too, as citizens).
APPEAL_FILERS = frozenset(set(SIGNED_IN) - {"unconfirmed"})
ROWS += [
    Row("appeals:index", "GET", lambda c: "/appeals/", PUBLIC),
    # An unconfirmed account gets the page asking to confirm first (with the resend link).
    Row("appeals:new", "GET", lambda c: "/appeals/new/?kind=complaint", expect(200, anonymous=LOGIN)),
    Row(
        "appeals:new",
        "POST",
        lambda c: "/appeals/new/",
        expect(302, unconfirmed=403),
        data=lambda c: {"kind": "information_request", "subject": "Графік прибирання", "text": "Прошу надати."},
        changes=APPEAL_FILERS,
    ),
    Row("appeals:mine", "GET", lambda c: "/appeals/mine/", expect(200, anonymous=LOGIN)),
    Row("appeals:desk", "GET", lambda c: "/appeals/desk/", expect(403, anonymous=LOGIN, dispatcher=200)),
    Row(
        "appeals:queue",
        "GET",
        lambda c: "/appeals/queue/",
        expect(403, anonymous=LOGIN, exec_this=200, exec_other=200),
    ),
    Row(
        "appeals:detail",
        "GET",
        lambda c: f"/appeals/{c.appeal.ref}/",
        expect(404, anonymous=LOGIN, owner=200, exec_this=200, dispatcher=200),
    ),
    Row(
        "appeals:detail",
        "GET",
        lambda c: f"/appeals/{c.request.ref}/",
        expect(404, anonymous=LOGIN, owner=200, dispatcher=200),
        label="appeals:detail (request at the desk)",
    ),
    Row(
        "appeals:file",
        "GET",
        lambda c: _appeal_file(c.appeal),
        expect(404, anonymous=LOGIN, owner=200, exec_this=200, dispatcher=200),
    ),
    Row(
        "appeals:file",
        "GET",
        lambda c: _appeal_file(c.request),
        expect(404, anonymous=LOGIN, owner=200, dispatcher=200),
        label="appeals:file (request at the desk)",
    ),
    Row(
        "appeals:act",
        "POST",
        lambda c: f"/appeals/{c.appeal.ref}/act/",
        # The unit extends; the clerk and the author may read it but not do this (403).
        expect(404, anonymous=LOGIN, owner=403, dispatcher=403, exec_this=302),
        data=lambda c: {"action": "extend", "note": "Потрібен висновок експерта"},
        changes=frozenset({"exec_this"}),
    ),
    Row(
        "appeals:act",
        "POST",
        lambda c: f"/appeals/{c.request.ref}/act/",
        expect(404, anonymous=LOGIN, owner=403, dispatcher=302),
        data=lambda c: {"action": "route", "unit": "roads"},
        changes=frozenset({"dispatcher"}),
        label="appeals:act (route the request)",
    ),
    Row(
        "appeals:shorter-term",
        "POST",
        lambda c: f"/appeals/{c.appeal.ref}/shorter-term/",
        expect(404, anonymous=LOGIN, owner=302, exec_this=403, dispatcher=403),
        data=lambda c: {"reason": "Операція через тиждень"},
        changes=frozenset({"owner"}),
    ),
]


# Turning a map report into an appeal and back (the dispatcher's desk).
# The dispatcher turns a report they may see into an appeal (a report another may not see is a 404
# for them, one they see a 403); the general department (the dispatcher here is also a clerk) turns
# an appeal into a report, and an appeal the person may not see is a 404. The owner has a name, a
# postal address and a confirmed e-mail: the conversion goes through.
def _to_report_form(c: TrustCity) -> dict:
    lon, lat = c.world.inside_west.coords
    return {"category": str(c.world.pothole.pk), "lat": lat, "lon": lon, "description": "Яма біля зупинки"}


ROWS += [
    Row(
        "appeal_conversion:from_issue",
        "GET",
        lambda c: f"/appeals/from-report/{c.issue.ref}/",
        expect(403, anonymous=LOGIN, dispatcher=200),
    ),
    Row(
        "appeal_conversion:from_issue",
        "POST",
        lambda c: f"/appeals/from-report/{c.issue.ref}/",
        expect(403, anonymous=LOGIN, dispatcher=302),
        data=lambda c: {"kind": "complaint"},
        changes=frozenset({"dispatcher"}),
    ),
    Row(
        "appeal_conversion:from_issue",
        "GET",
        lambda c: f"/appeals/from-report/{c.hidden.ref}/",
        expect(404, anonymous=LOGIN, owner=403, exec_this=403, dispatcher=200),
        label="appeal_conversion:from_issue (hidden)",
    ),
    Row(
        "appeal_conversion:from_issue",
        "POST",
        lambda c: f"/appeals/from-report/{c.hidden.ref}/",
        # Even the dispatcher is refused: a hidden report is not converted (409, nothing written).
        expect(404, anonymous=LOGIN, owner=403, exec_this=403, dispatcher=409),
        data=lambda c: {"kind": "complaint"},
        label="appeal_conversion:from_issue (hidden)",
    ),
    Row(
        "appeal_conversion:to_issue",
        "GET",
        lambda c: f"/appeals/{c.request.ref}/to-report/",
        expect(404, anonymous=LOGIN, owner=403, dispatcher=200),
    ),
    Row(
        "appeal_conversion:to_issue",
        "POST",
        lambda c: f"/appeals/{c.request.ref}/to-report/",
        expect(404, anonymous=LOGIN, owner=403, dispatcher=302),
        data=_to_report_form,
        changes=frozenset({"dispatcher"}),
    ),
    Row(
        "appeal_conversion:to_issue",
        "POST",
        lambda c: f"/appeals/{c.appeal.ref}/to-report/",
        # The unit the complaint is with sees it, but only the general department converts.
        expect(404, anonymous=LOGIN, owner=403, exec_this=403, dispatcher=302),
        data=_to_report_form,
        changes=frozenset({"dispatcher"}),
        label="appeal_conversion:to_issue (with the unit)",
    ),
    # The public statistics of appeals on the dashboard: counts only, for everyone.
    Row("dashboard:appeals", "GET", lambda c: "/dashboard/appeals/", PUBLIC),
    Row("api:dashboard-appeals", "GET", lambda c: "/api/v1/dashboard/appeals/", PUBLIC),
]


# --- the admin, generated from its registry ---------------------------------------------------------

ADMIN_ONLY = expect(302, admin=200, admin_viewer=403)  # non-staff are sent to the admin's login
ADMIN_VIEW = expect(302, admin=200, admin_viewer=200)
# Rows the test city has none of (written by the worker, the sign-in guard, or a person enrolling).
NO_ROWS = {"django_tasks_database.dbtaskresult", "axes.accessattempt", "axes.accessfailurelog", "otp_totp.totpdevice"}
# Of those, the ones whose delete page checks the permission before looking for the row.
DELETE_CHECKED_FIRST = {"axes.accessattempt", "axes.accessfailurelog", "otp_totp.totpdevice"}


def _admin_object(c: TrustCity, model) -> object:
    """A row of each registered model to open its change page on."""
    known = {
        Issue: c.issue,
        User: c.actors["owner"],
        ApiKey: c.api_key,
        MediaAsset: c.photo,
        Outage: c.outage,
        Open311Submission: c.submission,
    }
    return known.get(model) or model._default_manager.order_by("pk").first()


def _admin_pk(c: TrustCity, model) -> object:
    row = _admin_object(c, model)
    return row.pk if row is not None else "0"  # no row: the admin sends even a superuser back


def _admin_rows() -> list[Row]:
    rows = [
        Row("admin:index", "GET", lambda c: "/admin/", ADMIN_VIEW),
        Row("admin:login", "GET", lambda c: "/admin/login/", expect(200, admin=302, admin_viewer=302)),
        Row("admin:logout", "POST", lambda c: "/admin/logout/", expect(302)),
        Row("admin:password_change", "GET", lambda c: "/admin/password_change/", ADMIN_VIEW),
        Row("admin:password_change_done", "GET", lambda c: "/admin/password_change/done/", ADMIN_VIEW),
        Row("admin:autocomplete", "GET", lambda c: "/admin/autocomplete/", expect(302, admin=403, admin_viewer=403)),
        Row("admin:jsi18n", "GET", lambda c: "/admin/jsi18n/", ADMIN_VIEW),
        Row("admin:view_on_site", "GET", lambda c: "/admin/r/0/0/", expect(302, admin=404, admin_viewer=404)),
        Row("admin:app_list", "GET", lambda c: "/admin/issues/", ADMIN_VIEW),
        Row("admin/(?P<url>.*)$", "GET", lambda c: "/admin/no-such-page/", expect(302, admin=404, admin_viewer=404)),
        Row(
            "admin:auth_user_password_change",
            "GET",
            lambda c: f"/admin/accounts/user/{c.actors['owner'].pk}/password/",
            ADMIN_ONLY,
        ),
        Row(
            "admin:media_store_mediaasset_changelist",
            "POST",
            lambda c: "/admin/media_store/mediaasset/",
            # The action asks for the change permission: the viewer gets the list back, nothing queued.
            expect(302, admin_viewer=200),
            data=lambda c: {"action": "reprocess", "_selected_action": [c.photo.pk], "index": 0},
            changes=frozenset({"admin"}),
            label="admin action: media reprocess",
        ),
        Row(
            "admin:open311_open311submission_changelist",
            "POST",
            lambda c: "/admin/open311/open311submission/",
            # The action asks for the change permission: the viewer gets the list back, nothing erased.
            expect(302, admin_viewer=200),
            data=lambda c: {"action": "erase_contact", "_selected_action": [c.submission.pk], "index": 0},
            changes=frozenset({"admin"}),
            label="admin action: Open311 erase contact",
        ),
    ]
    # django-otp's own admin pages show a TOTP secret: hidden from everyone (OTP_ADMIN_HIDE_SENSITIVE_DATA).
    for view in ("config", "qrcode"):
        rows.append(
            Row(
                f"admin:otp_totp_totpdevice_{view}",
                "GET",
                lambda c, view=view: f"/admin/otp_totp/totpdevice/1/{view}/",
                expect(302, admin=403, admin_viewer=403),
            )
        )
    for model, model_admin in admin.site._registry.items():
        opts = model._meta
        prefix = f"admin:{opts.app_label}_{opts.model_name}"
        base = f"/admin/{opts.app_label}/{opts.model_name}/"

        def obj_path(suffix: str, model=model, base=base) -> Callable[[TrustCity], str]:
            return lambda c: f"{base}{_admin_pk(c, model)}/{suffix}"

        # What a superuser may do is the model admin's own decision (some lists are read-only).
        may_add = model_admin.has_add_permission.__func__ is admin.ModelAdmin.has_add_permission
        may_delete = model_admin.has_delete_permission.__func__ is admin.ModelAdmin.has_delete_permission
        # Task results are written by the worker only; the city has none, so their pages are
        # reached with a missing id, which the admin answers with a redirect, to everyone.
        on_row = expect(302) if opts.label_lower in NO_ROWS else None
        rows += [
            Row(f"{prefix}_changelist", "GET", lambda c, base=base: base, ADMIN_VIEW),
            Row(
                f"{prefix}_add",
                "GET",
                lambda c, base=base: f"{base}add/",
                ADMIN_ONLY if may_add else expect(302, admin=403, admin_viewer=403),
            ),
            Row(f"{prefix}_change", "GET", obj_path("change/"), on_row or ADMIN_VIEW),
            Row(f"{prefix}_history", "GET", obj_path("history/"), on_row or ADMIN_VIEW),
            Row(
                f"{prefix}_delete",
                "GET",
                obj_path("delete/"),
                (expect(302, admin_viewer=403) if opts.label_lower in DELETE_CHECKED_FIRST else (on_row or ADMIN_ONLY))
                if may_delete
                else expect(302, admin=403, admin_viewer=403),
            ),
            Row(f"admin/{opts.app_label}/{opts.model_name}/<path:object_id>/", "GET", obj_path(""), expect(302)),
        ]
    return rows


ROWS += _admin_rows()


# --- the check that the matrix covers the URL configuration -----------------------------------------


def _url_keys(resolver: URLResolver, prefix: str = "", namespace: str = "") -> set[str]:
    keys = set()
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            inner = (
                f"{namespace}:{pattern.namespace}"
                if namespace and pattern.namespace
                else (pattern.namespace or namespace)
            )
            keys |= _url_keys(pattern, prefix + str(pattern.pattern), inner or "")
        elif isinstance(pattern, URLPattern):
            if pattern.name:
                keys.add(f"{namespace}:{pattern.name}" if namespace else pattern.name)
            else:
                keys.add(prefix + str(pattern.pattern))
    return keys


def test_every_url_has_a_row():
    """A new URL must say here who may use it."""
    covered = {row.key for row in ROWS}
    missing = sorted(_url_keys(get_resolver()) - covered)
    assert missing == [], f"URL patterns with no row in the permission matrix: {missing}"
    unknown = sorted(covered - _url_keys(get_resolver()))
    assert unknown == [], f"rows for URLs that do not exist: {unknown}"


# --- the cells ---------------------------------------------------------------------------------------


def _snapshot(c: TrustCity) -> dict:
    """What a write could change: counts, and the rows the matrix's writes aim at."""
    issue = Issue.objects.get(pk=c.issue.pk)
    outage = Outage.objects.get(pk=c.outage.pk)
    submission = Open311Submission.objects.get(pk=c.submission.pk)
    photo = MediaAsset.objects.get(pk=c.photo.pk)
    return {
        "issues": Issue.objects.count(),
        "events": IssueEvent.objects.count(),
        "followers": sorted(IssueFollower.objects.values_list("issue_id", "user_id", "notify")),
        "issue_media": IssueMedia.objects.count(),
        "media": MediaAsset.objects.count(),
        "issue": (
            issue.status,
            issue.is_hidden,
            issue.category_id,
            issue.executor_id,
            issue.support_count,
            issue.description,
        ),
        "outages": Outage.objects.count(),
        "outage_events": OutageEvent.objects.count(),
        "outage": (outage.expected_end_at, outage.ended_at, outage.kind, outage.area.wkt),
        "submission": (submission.email, submission.first_name, submission.last_name, submission.phone),
        "photo": (photo.status, photo.processed_at),
        "api_keys": ApiKey.objects.count(),
        "alerts": sorted(Alert.objects.values_list("pk", "user_id", "district_id", "unsubscribed_at")),
        "appeals": sorted(
            Appeal.objects.values_list("pk", "kind", "status", "unit_id", "due_at", "shorter_term_reason", "issue_id")
        ),
        "appeal_events": AppealEvent.objects.count(),
        "appeal_attachments": AppealAttachment.objects.count(),
    }


def _cells():
    for row in ROWS:
        for actor in ACTORS:
            yield pytest.param(row, actor, id=f"{row.id} | {actor}")


@pytest.mark.parametrize(("row", "actor"), list(_cells()))
def test_cell(city, db, client, row: Row, actor: str):  # noqa: ARG001
    user = city.actors[actor]
    if user is not None:
        client.force_login(user)
    path = row.path(city)
    before = _snapshot(city) if row.method != "GET" else None
    data = row.data(city) if row.data else {}
    if row.method == "GET":
        response = client.get(path)
    else:
        as_json = row.key.startswith("api:")  # the REST API takes JSON; pages and Open311 take forms
        response = client.post(path, data, content_type="application/json") if as_json else client.post(path, data)
    expected = row.expect[actor]
    assert response.status_code == expected, f"{row.method} {path} as {actor}"
    if before is not None:
        after = _snapshot(city)
        if actor in row.changes:
            assert after != before, f"{row.method} {path} as {actor}: allowed, but nothing changed"
        else:
            assert after == before, f"{row.method} {path} as {actor}: refused, yet something changed"
