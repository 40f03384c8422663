"""Keyset paging of the Open311 lists: the `cursor` of the `Link: rel="next"` header continues after
the last row given, so every public row comes exactly once, in order, whatever is inserted or hidden
meanwhile, and a deep page costs what the first one does (no OFFSET, an index range scan)."""

from __future__ import annotations

import datetime
import re
from urllib.parse import unquote

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from issues.models import Issue, IssueEvent
from issues.rules.transitions import Action
from issues.services import TransitionInput, issue_transition
from issues.services.moderation import issue_comment, issue_set_hidden
from open311.params import cursor_token
from tests.world import TUESDAY_10

pytestmark = pytest.mark.django_db

LINK = re.compile(r'^<http://testserver(/open311/v2/[^>]+)>; rel="next"$')


@pytest.fixture(autouse=True)
def _no_report_limit(settings):
    settings.OPENCITY_REPORTS_PER_HOUR = 1000


def _follow(client, first: str, key: str) -> tuple[list[str], list[str]]:
    """Fetch `first` and every page its Link headers lead to; the ids in order, and the addresses."""
    ids, addresses, url = [], [], first
    while url:
        answer = client.get(url)
        assert answer.status_code == 200, answer.content.decode()
        ids += [row[key] for row in answer.json()]
        addresses.append(url)
        link = answer.headers.get("Link")
        url = LINK.match(link).group(1) if link else None
        assert len(addresses) < 50
    return ids, addresses


@pytest.fixture
def many(world, report):
    """17 issues over five minutes, three of them reported at the very same instant (a tie in
    created_at that only the primary key orders), one hidden, one waiting for an e-mail confirmation."""
    made = [report(now=TUESDAY_10 + datetime.timedelta(minutes=n % 5, seconds=n)) for n in range(14)]
    made += [report(category=world.manhole, now=TUESDAY_10 + datetime.timedelta(minutes=9)) for _ in range(3)]
    issue_set_hidden(issue=made[4], actor=world.dispatcher, hidden=True, note="Особисті дані")
    Issue.objects.filter(pk=made[7].pk).update(awaiting_confirmation=True)
    return made


def _public_newest_first() -> list[str]:
    return list(Issue.objects.public().order_by("-created_at", "-pk").values_list("ref", flat=True))


def test_the_cursor_gives_every_public_request_once_in_order(world, many, client):
    expected = _public_newest_first()
    assert len(expected) == 15
    seen, addresses = _follow(
        client, "/open311/v2/requests.json?page_size=4&start_date=2026-11-01", "service_request_id"
    )
    assert seen == expected
    assert many[4].ref not in seen and many[7].ref not in seen  # hidden, unconfirmed
    assert len(addresses) == 4  # 4 + 4 + 4 + 3: the last page has no Link
    assert all("cursor=" in address and "page=" not in address for address in addresses[1:])
    assert all("page_size=4" in address and "start_date=2026-11-01" in address for address in addresses[1:])


def test_a_page_client_is_moved_onto_the_cursor(world, many, client):
    """`page` still works shallow; its Link continues by cursor from where that page ended."""
    answer = client.get("/open311/v2/requests.json?page_size=4&page=2&start_date=2026-11-01")
    second = [row["service_request_id"] for row in answer.json()]
    assert second == _public_newest_first()[4:8]
    rest, _addresses = _follow(client, LINK.match(answer.headers["Link"]).group(1), "service_request_id")
    assert rest == _public_newest_first()[8:]


def test_inserts_and_hiding_while_paging_neither_repeat_nor_skip(world, many, report, client):
    expected = _public_newest_first()
    first = client.get("/open311/v2/requests.json?page_size=5&start_date=2026-11-01")
    seen = [row["service_request_id"] for row in first.json()]
    # Meanwhile: new reports arrive (the newest, at the head of the list: with OFFSET they would push
    # the rows of page 1 onto page 2 again), and a report not yet given is hidden.
    for n in range(3):
        report(now=TUESDAY_10 + datetime.timedelta(hours=1, minutes=n))
    later = Issue.objects.get(ref=expected[9])
    issue_set_hidden(issue=later, actor=world.dispatcher, hidden=True, note="Особисті дані")
    rest, _addresses = _follow(client, LINK.match(first.headers["Link"]).group(1), "service_request_id")
    seen += rest
    assert seen == [ref for ref in expected if ref != later.ref]
    assert len(seen) == len(set(seen))


def test_the_xml_pages_the_same_way(world, many, client):
    answer = client.get("/open311/v2/requests.xml?page_size=10&start_date=2026-11-01")
    url = LINK.match(answer.headers["Link"]).group(1)
    assert url.startswith("/open311/v2/requests.xml?")
    last = client.get(url)
    assert last.status_code == 200
    assert last.content.decode().count("<request>") == 5
    assert "Link" not in last.headers


def test_the_cursor_pages_through_the_updates(world, many, client):
    """servicerequestupdates: oldest first by (at, pk); events that happen while paging come at the end, once."""
    for issue in many[:6]:
        issue_comment(issue=issue, actor=world.dispatcher, note="Передано на перевірку", is_public=True)
    issue_comment(issue=many[8], actor=world.dispatcher, note="Службова примітка", is_public=False)
    public = IssueEvent.objects.filter(is_public=True, issue__is_hidden=False, issue__awaiting_confirmation=False)
    expected = [str(pk) for pk in public.order_by("at", "pk").values_list("pk", flat=True)]
    assert len(expected) > 20
    first = client.get("/open311/v2/servicerequestupdates.json?page_size=7&start_date=2026-11-01")
    seen = [row["update_id"] for row in first.json()]
    late = issue_transition(
        issue=many[0],
        actor=world.roads_staff,
        action=Action.ACCEPT,
        data=TransitionInput(promised_date=datetime.date(2026, 12, 20)),
    )
    rest, _addresses = _follow(client, LINK.match(first.headers["Link"]).group(1), "update_id")
    seen += rest
    news = [
        str(pk)
        for pk in public.exclude(pk__in=[int(pk) for pk in expected]).order_by("at", "pk").values_list("pk", flat=True)
    ]
    assert news and late.status == "in_progress"
    assert seen == expected + news
    hidden_ids = set(IssueEvent.objects.filter(issue__in=[many[4], many[7]]).values_list("pk", flat=True))
    assert not hidden_ids & {int(pk) for pk in seen}


@pytest.mark.parametrize(("language", "words"), [("uk", "курсор"), ("en", "not a cursor this server gave")])
def test_a_tampered_cursor_is_a_400_in_the_spec_format(world, many, client, language, words):
    answer = client.get("/open311/v2/requests.json?page_size=3&start_date=2026-11-01")
    cursor = LINK.match(answer.headers["Link"]).group(1).split("cursor=")[1].split("&")[0]
    cursor = unquote(cursor)
    value, signature = cursor.rsplit(":", 1)
    forged = value.rsplit(".", 1)[0] + ".999999:" + signature  # another row's key, same signature
    wrong_list = cursor_token("updates", at=TUESDAY_10, pk=1)
    for bad in (forged, cursor[:-3], "r1.1", "garbage", wrong_list):
        for fmt in ("json", "xml"):
            refused = client.get(f"/open311/v2/requests.{fmt}", {"cursor": bad}, headers={"accept-language": language})
            assert refused.status_code == 400, bad
            if fmt == "json":
                [error] = refused.json()
                assert error["code"] == 400
                assert error["description"].startswith("cursor: ")
                assert words in error["description"].lower()
            else:
                assert "<errors><error><code>400</code><description>cursor: " in refused.content.decode()
    both = client.get("/open311/v2/requests.json", {"cursor": cursor, "page": "2"}, headers={"accept-language": "en"})
    assert both.status_code == 400
    assert both.json() == [{"code": 400, "description": "page: give either page or cursor, not both."}]
    refused = client.get("/open311/v2/servicerequestupdates.json", {"cursor": cursor})
    assert refused.status_code == 400  # a cursor of the requests list does not continue the updates


def _plan(sql: str, params) -> dict:
    with connection.cursor() as cursor:
        # A small test table would be read whole, or through a bitmap of the whole range, where a
        # large one is read in index order up to the LIMIT: plan as for the large one. Whether a
        # bitmap is chosen here depended on the table's statistics, i.e. on the tests run before.
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_bitmapscan = off")
        cursor.execute("EXPLAIN (ANALYZE, FORMAT JSON) " + sql, params)
        return cursor.fetchone()[0][0]["Plan"]


def _scans(plan: dict) -> list[dict]:
    found = [plan] if "Scan" in plan["Node Type"] else []
    for child in plan.get("Plans", []):
        found += _scans(child)
    return found


@pytest.mark.parametrize(
    ("path", "table", "index"),
    [
        ("requests.json", "issues_issue", "issue_public_created_idx"),
        ("servicerequestupdates.json", "issues_issueevent", "issue_event_public_at_idx"),
    ],
)
def test_a_deep_page_is_an_index_range_scan_without_offset(world, many, client, path, table, index):
    for issue in many:
        if not issue.is_hidden:
            issue_comment(issue=issue, actor=world.dispatcher, note="Перевірено", is_public=True)
    key = "service_request_id" if path.startswith("requests") else "update_id"
    url, pages = f"/open311/v2/{path}?page_size=3&start_date=2026-11-01", 0
    while True:  # walk to the last page, then look at how that page was read
        with CaptureQueriesContext(connection) as queries:
            answer = client.get(url)
        pages += 1
        if "Link" not in answer.headers:
            break
        url = LINK.match(answer.headers["Link"]).group(1)
    assert pages >= 5 and answer.json() and key in answer.json()[0]
    [listing] = [q["sql"] for q in queries.captured_queries if f'FROM "{table}"' in q["sql"] and "LIMIT 4" in q["sql"]]
    assert "OFFSET" not in listing.upper()
    plan = _plan(listing, None)  # the captured SQL has its values inlined
    [scan] = [node for node in _scans(plan) if node.get("Index Name") == index]
    assert scan["Node Type"] == "Index Scan" and scan["Relation Name"] == table
    assert ("created_at <=" if table == "issues_issue" else "at >=") in scan["Index Cond"]
    assert scan["Actual Rows"] <= 4  # the page and one more: nothing read only to be skipped
    assert scan.get("Rows Removed by Filter", 0) <= 3
