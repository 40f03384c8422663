"""Every page, for every role, on a 360 px phone: axe-core finds no serious or critical WCAG
violation, and nothing scrolls sideways (issue 14, items 3 and 4).

The pages come from the permission matrix (tests/test_permission_matrix.py), which must have a row
for every URL of the project: each actor opens every GET row the matrix answers 200 for it, so a
new page is checked here as soon as it has its row. Pages that need an object take it from the
matrix's test city. Answers that are not HTML (the APIs, feeds, exports) are not pages. Added to
those: the error pages (403, 404, 500), the 2FA code page and a valid password-reset link.

The admin (/admin/) is left out: it is Django's own markup and stylesheet, used by a handful of the
city's trained staff on desktops, not by the public; its accessibility is Django's.

One browser, one context per actor (signed in once), every page visited once: the axe verdict and
the sideways-scroll verdict are two tests over the same visit. Every visit is measured; axe runs
again only on what it has not seen: a page whose content (title and all but the header) and whose
header (the actor's menu) were both checked before, on other visits, is not checked twice.
"""

from __future__ import annotations

import datetime
import hashlib
import os
import re
import time
from dataclasses import dataclass, field
from decimal import Decimal

import pytest
from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.core.management import call_command
from django.test import Client, override_settings
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django_otp.plugins.otp_totp.models import TOTPDevice

from geo.models import OutageKindGrant
from issues.models import Category, Issue, RoutingRule
from issues.services import TransitionInput, issue_create, issue_transition
from tests.browser.axe import Violation, axe_check
from tests.browser.conftest import SCREENSHOTS, ForeignRequestGuard
from tests.browser.error_urls import SERVER_ERROR_PATH
from tests.factories import BudgetProjectFactory, ExecutorFactory, OutageFactory, StaffFactory, point
from tests.test_permission_matrix import ROWS
from tests.trust_city import TrustCity, build_trust_city

pytestmark = [pytest.mark.browser]

PHONE_360 = {"width": 360, "height": 800}

# Who looks: the public, a citizen (with reports, and one whose e-mail is unconfirmed), the staff
# of two executors (the issue's own and the water utility, which owns the outage), a dispatcher,
# the mayor's office and an administrator (who sees the public side like anyone).
ACTORS = ("anonymous", "owner", "unconfirmed", "exec_this", "exec_other", "dispatcher", "leadership", "admin")

# The longest names the demo data has: they are what pushes a select or a chart label too wide.
LONG_CATEGORY = "Бар'єр для людей з інвалідністю (немає пандуса, з'їзду)"
LONG_EXECUTOR = "Дрогобицький район електромереж ПрАТ «Львівобленерго»"


def _is_admin(row) -> bool:
    return row.key.startswith(("admin:", "admin/"))


@dataclass
class Visit:
    actor: str
    path: str
    status: int
    scroll_width: int
    inner_width: int
    checked: bool  # axe ran (False: the same content was already checked for another actor)
    too_wide: list[str]  # the outermost elements reaching past the window's right edge

    @property
    def label(self) -> str:
        return f"{self.actor} {self.path}"


@dataclass
class Survey:
    visits: list[Visit] = field(default_factory=list)
    violations: list[Violation] = field(default_factory=list)
    not_pages: list[str] = field(default_factory=list)
    wrong_status: list[str] = field(default_factory=list)
    seen_content: set[str] = field(default_factory=set)
    seconds: float = 0.0


def _enrich(city: TrustCity) -> None:
    """Give every page something in each of its states: issues in every status (the reporter's
    list, the queue with overdue and due-soon rows, the desk), budget projects in every status,
    outages of every kind, upcoming and ended, and the demo's longest names."""
    w = city.world
    now = timezone.now()
    promised = timezone.localdate() + datetime.timedelta(days=10)
    barrier = Category.objects.create(
        code="no-ramp", group=w.pothole.group, name_uk=LONG_CATEGORY, name_en="Barrier", sla_policy=w.standard
    )
    RoutingRule.objects.create(category=barrier, executor=w.roads)

    def report(description, *, hours=0.0, category=w.pothole, east=0.0):
        where = point(w.inside_west.x + east, w.inside_west.y + 0.002)
        return issue_create(
            reporter=w.citizen,
            category=category,
            description=description,
            point=where,
            address="вул. Лесі Українки, 12",
            now=now - datetime.timedelta(hours=hours),
        ).issue

    def act(issue, actor, action, **data) -> Issue:
        return issue_transition(issue=issue, actor=actor, action=action, data=TransitionInput(**data))

    report("Давня яма, про яку забули", hours=24 * 20, east=0.001)  # overdue
    report("Відкритий люк біля зупинки", hours=1.5, category=w.manhole, east=0.002)  # due soon (2 h to answer)
    report("Немає пандуса до аптеки", category=barrier, east=0.003)
    act(report("Вибоїна на розі", east=0.004), w.roads_staff, "accept", promised_date=promised)
    act(report("Провалля дороги", east=0.005), w.roads_staff, "plan", promised_date=promised)
    act(report("Бордюр розбитий", east=0.006), w.roads_staff, "reject", note="Це приватна територія.")
    fixed = act(report("Яма біля школи", east=0.007), w.roads_staff, "accept", promised_date=promised)
    act(fixed, w.roads_staff, "resolve", note="Залатали.")
    closed = act(report("Яма біля ринку", east=0.008), w.roads_staff, "accept", promised_date=promised)
    act(act(closed, w.roads_staff, "resolve", note="Залатали."), w.citizen, "confirm")
    report("Зламана гойдалка", category=w.playground, east=0.009)  # no rule: new, on the desk
    act(report("Ще раз про яму", east=0.0095), w.dispatcher, "merge", duplicate_of=city.issue)

    year = timezone.localdate().year
    for status, sector, spent in (
        ("planned", "roads", 0),
        ("procurement", "lighting", 0),
        ("in_progress", "education", 350_000),
        ("done", "parks", 990_000),
    ):
        BudgetProjectFactory(
            code=f"a11y-{status}",
            status=status,
            sector=sector,
            budget_year=year,
            planned_amount=Decimal(1_000_000),
            spent_amount=Decimal(spent),
            executor=w.roads,
        )

    power = ExecutorFactory(code="electricity", name_uk=LONG_EXECUTOR, name_en="Drohobych power district")
    StaffFactory(username="power-staff", executor=power)
    for kind in ("electricity", "gas", "heating"):
        OutageKindGrant.objects.create(executor=power, kind=kind)
    hour = datetime.timedelta(hours=1)
    for kind, nature, starts, ends, ended in (
        ("electricity", "planned", 20, 28, None),  # upcoming
        ("gas", "emergency", -30, -2, None),  # past its expected end: overdue
        ("heating", "planned", -50, -40, -41),  # over
    ):
        OutageFactory(
            kind=kind,
            nature=nature,
            provider=power,
            published_by=w.dispatcher,
            starts_at=now + starts * hour,
            expected_end_at=now + ends * hour,
            ended_at=None if ended is None else now + ended * hour,
        )


def _session_cookie(user, url: str) -> list[dict]:
    client = Client()
    client.force_login(user)
    value = client.cookies[settings.SESSION_COOKIE_NAME].value
    return [{"name": settings.SESSION_COOKIE_NAME, "value": value, "url": url}]


def _pages_for(city: TrustCity, actor: str) -> list[tuple[str, int]]:
    """(path, expected status) of every page the actor may open, plus the error pages it meets."""
    pages = [
        (row.path(city), 200) for row in ROWS if row.method == "GET" and not _is_admin(row) and row.expect[actor] == 200
    ]
    refused = next((r for r in ROWS if r.method == "GET" and not _is_admin(r) and r.expect[actor] == 403), None)
    if refused is not None:
        pages.append((refused.path(city), 403))
    pages.append(("/no-such-page/", 404))
    return pages


def _extra_pages(city: TrustCity) -> list[tuple[str, str, int]]:
    """(actor, path, status) of the pages no plain GET of the matrix reaches."""
    owner = city.actors["owner"]
    uid, token = urlsafe_base64_encode(force_bytes(owner.pk)), default_token_generator.make_token(owner)
    return [
        ("anonymous", f"/accounts/password/reset/{uid}/{token}/", 200),  # the form behind a valid link
        ("dispatcher", "/accounts/2fa/verify/", 200),  # the code page, for someone with an authenticator
        ("anonymous", SERVER_ERROR_PATH, 500),
        ("owner", SERVER_ERROR_PATH, 500),
    ]


# Waits until the page has made no request for a while: the map pages fetch their layers after
# load (and the issue list 150 ms after the map settles). Cheaper than Playwright's networkidle,
# which always waits 500 ms.
QUIET_SECONDS = 0.25


class NetworkWatch:
    def __init__(self, page) -> None:
        self.pending = 0
        self.last = time.monotonic()
        page.on("request", self._started)
        page.on("requestfinished", self._ended)
        page.on("requestfailed", self._ended)

    def _started(self, _request) -> None:
        self.pending += 1
        self.last = time.monotonic()

    def _ended(self, _request) -> None:
        self.pending = max(0, self.pending - 1)
        self.last = time.monotonic()

    def settle(self, page, limit: float = 10.0) -> None:
        deadline = time.monotonic() + limit
        while time.monotonic() < deadline and (self.pending or time.monotonic() - self.last < QUIET_SECONDS):
            page.wait_for_timeout(40)


# The page's content with the header apart (the same on every page of one actor, but for the
# current page's address in it) and without the per-request CSRF tokens: a visit whose header and
# content were both checked already (by another actor, on another page) needs no axe run again.
CONTENT_KEYS = """() => {
    const body = document.body.cloneNode(true);
    body.querySelectorAll('input[name=csrfmiddlewaretoken]').forEach((e) => e.remove());
    const header = body.querySelector('.site-header');
    if (header) {
        header.querySelectorAll('input[name=next]').forEach((e) => e.remove());
        header.querySelectorAll('[aria-current=page]').forEach((e) => e.removeAttribute('aria-current'));
        header.querySelectorAll('a[href*="?next="]').forEach((e) => e.setAttribute('href', e.pathname));
    }
    const headerHtml = header ? header.outerHTML : '';
    if (header) header.remove();
    return [headerHtml, document.title + body.innerHTML];
}"""


# The document's width, the window's, and the outermost elements that stick out (for the message).
WIDTHS = """() => {
    const limit = window.innerWidth;
    const name = (e) => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') +
        [...e.classList].map((c) => '.' + c).join('');
    const wide = [...document.body.querySelectorAll('*')].filter((e) =>
        e.getBoundingClientRect().right > limit + 1 && e.parentElement.getBoundingClientRect().right <= limit + 1);
    return [document.documentElement.scrollWidth, limit, wide.slice(0, 4).map(name)];
}"""


def _visit(page, watch: NetworkWatch, actor: str, path: str, expected: int, survey: Survey, shots: bool) -> None:
    response = page.goto(path)
    status = response.status if response else 0
    if status != expected:
        survey.wrong_status.append(f"{actor} {path}: {status}, expected {expected}")
    watch.settle(page)
    scroll_width, inner_width, too_wide = page.evaluate(WIDTHS)
    keys = {hashlib.sha256(part.encode()).hexdigest() for part in page.evaluate(CONTENT_KEYS)}
    fresh = not keys <= survey.seen_content
    survey.seen_content |= keys
    visit = Visit(actor, path, status, scroll_width, inner_width, checked=fresh, too_wide=too_wide)
    survey.visits.append(visit)
    if fresh:
        survey.violations += axe_check(page, visit.label)
    if shots:
        name = re.sub(r"[^a-z0-9]+", "-", f"{actor}{path}".lower()).strip("-")
        (SCREENSHOTS / "every-page").mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / "every-page" / f"{name}.png"), full_page=True)


@pytest.fixture(scope="module")
def survey(browser, live_server, django_db_setup, django_db_blocker, tmp_path_factory):  # noqa: ARG001
    """Build the matrix's city (committed: the live server reads it), visit everything, clean up.
    OPENCITY_EVERY_PAGE_SCREENSHOTS=1 keeps a screenshot of each visit in test-artifacts/."""
    started = time.monotonic()
    shots = bool(os.environ.get("OPENCITY_EVERY_PAGE_SCREENSHOTS"))
    result = Survey()
    with (
        django_db_blocker.unblock(),
        override_settings(MEDIA_ROOT=str(tmp_path_factory.mktemp("media")), ROOT_URLCONF="tests.browser.error_urls"),
    ):
        try:
            city = build_trust_city()
            _enrich(city)
            TOTPDevice.objects.create(user=city.actors["dispatcher"], name="phone", confirmed=True)
            wanted = {actor: _pages_for(city, actor) for actor in ACTORS}
            for actor, path, status in _extra_pages(city):
                wanted[actor].append((path, status))
            for actor in ACTORS:
                context = browser.new_context(viewport=PHONE_360, locale="uk-UA", base_url=live_server.url)
                guard = ForeignRequestGuard()
                context.route("**/*", guard)
                if city.actors[actor] is not None:
                    context.add_cookies(_session_cookie(city.actors[actor], live_server.url))
                page = context.new_page()
                page.set_default_timeout(15_000)
                watch = NetworkWatch(page)
                for path, status in wanted[actor]:
                    if status == 200:
                        kind = context.request.get(path, max_redirects=0).headers.get("content-type", "")
                        if "text/html" not in kind:
                            result.not_pages.append(path)
                            continue
                    _visit(page, watch, actor, path, status, result, shots)
                context.close()
                assert not guard.blocked, f"pages requested third-party hosts: {guard.blocked}"
            result.seconds = time.monotonic() - started
            yield result
        finally:
            call_command("flush", interactive=False, verbosity=0)


def test_every_page_was_visited(survey):
    """The list is derived, so check it holds what it must: each role's own pages and the errors."""
    seen = {(visit.actor, re.sub(r"/\d+/", "/N/", visit.path)) for visit in survey.visits}
    for expected in (
        ("anonymous", "/"),
        ("anonymous", "/budget/"),
        ("anonymous", "/outages/"),
        ("anonymous", "/contacts/"),
        ("anonymous", "/accounts/register/"),
        ("anonymous", "/accounts/password/reset/"),
        ("anonymous", "/no-such-page/"),
        ("anonymous", SERVER_ERROR_PATH),
        ("owner", "/me/"),
        ("owner", "/accounts/2fa/setup/"),
        ("owner", "/queue/"),  # refused: the 403 page
        ("exec_this", "/queue/"),
        ("exec_other", "/outages/manage/"),
        ("exec_other", "/outages/manage/N/edit/"),
        ("dispatcher", "/dispatch/"),
        ("dispatcher", "/accounts/2fa/verify/"),
        ("leadership", "/dashboard/"),
        ("leadership", "/dashboard/print/"),
        ("admin", "/"),
    ):
        assert expected in seen, expected
    assert any(v.path.startswith("/issues/DRH-") for v in survey.visits)
    assert "/api/v1/issues/" in survey.not_pages
    assert survey.wrong_status == []
    print(
        f"{len(survey.visits)} visits, axe ran on {sum(v.checked for v in survey.visits)}, "
        f"{survey.seconds:.0f} s with the city's build"
    )


def test_no_serious_or_critical_axe_violation_on_any_page(survey):
    assert survey.violations == [], "axe-core found:\n" + "\n".join(str(v) for v in survey.violations)


def test_no_page_scrolls_sideways_on_a_360px_phone(survey):
    wide = [
        f"{visit.label}: document {visit.scroll_width} px wide in a {visit.inner_width} px window "
        f"({', '.join(visit.too_wide)})"
        for visit in survey.visits
        if visit.scroll_width > visit.inner_width
    ]
    assert wide == [], "pages wider than the phone:\n" + "\n".join(wide)
