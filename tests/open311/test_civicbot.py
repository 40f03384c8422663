"""An outside check: civicbot, an Open311 client written by others (PyPI), walks a live server on
127.0.0.1 — services, definitions, requests with filters, one request, tokens — and files a real
POST that it first validates against the live service definition."""

from __future__ import annotations

import pytest
from civicbot.http import HttpError, HttpTransport, RateLimiter
from civicbot.open311 import Open311Client, ValidationError
from civicbot.registry import Endpoint

from issues.models import Issue
from open311.models import Open311Submission
from tests.factories import CENTRE_LAT, CENTRE_LON

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def civicbot(live_server):
    """civicbot pointed at the live server, with no pause between calls (its default waits 0.5 s)."""
    endpoint = Endpoint(
        id="drohobych",
        name="Open City Drohobych",
        # The live server listens on the loopback interface; name it by address, not by host name.
        base_url=f"http://127.0.0.1:{live_server.thread.port}/open311/v2",
        write=True,
        api_key_required_for_write=True,
    )
    transport = HttpTransport(rate_limiter=RateLimiter(min_interval=0.0), timeout=10)
    return Open311Client(endpoint, transport=transport, jurisdiction_id="drohobych.gov.ua")


def test_civicbot_walks_the_server_and_files_a_report(world, questions, report, api_key, civicbot):
    assert civicbot.endpoint.base_url.startswith("http://127.0.0.1:")
    existing = report(attributes={"depth": 9})
    rejected = report(category=world.manhole, description="Люк без кришки")

    services = civicbot.list_services()
    assert [s["service_code"] for s in services] == ["open-manhole", "playground", "pothole"]
    pothole = next(s for s in services if s["service_code"] == "pothole")
    assert pothole["metadata"] is True

    definition = civicbot.get_service_definition("pothole")
    assert [a["code"] for a in definition["attributes"]] == ["depth", "where", "hazards", "warning"]
    assert civicbot.get_service_definition("playground") == {"service_code": "playground", "attributes": []}
    with pytest.raises(HttpError) as missing:
        civicbot.get_service_definition("no-such-service")
    assert missing.value.status == 404

    listed = civicbot.list_requests(status="open", service_code="pothole", page_size=50)
    assert [r["service_request_id"] for r in listed] == [existing.ref]
    both = civicbot.list_requests(service_request_ids=[existing.ref, rejected.ref])
    assert {r["service_request_id"] for r in both} == {existing.ref, rejected.ref}
    window = civicbot.list_requests(start_date="2026-11-20T00:00:00+02:00", end_date="2026-12-20T00:00:00+02:00")
    assert len(window) == 2
    one = civicbot.get_request(existing.ref)
    assert (one["service_request_id"], one["agency_responsible"]) == (existing.ref, "Дорожня служба")
    assert civicbot.get_token(existing.ref) == [{"service_request_id": existing.ref, "token": existing.ref}]

    # civicbot refuses to send what the live definition says is incomplete…
    with pytest.raises(ValidationError) as invalid:
        civicbot.create_request(
            "pothole", lat=CENTRE_LAT, lng=CENTRE_LON - 0.01, description="Яма", validate_remote=True
        )
    assert "required attribute 'depth' missing" in invalid.value.problems[0]
    assert Issue.objects.count() == 2

    # …and a complete one goes through, checked against the definition, then filed for real.
    sent = civicbot.create_request(
        "pothole",
        dry_run=False,
        confirm="SEND",
        api_key=api_key,
        validate_remote=True,
        lat=CENTRE_LAT,
        lng=CENTRE_LON - 0.01,
        address_string="вул. Стрийська, 20",
        description="Глибока яма біля зупинки",
        attributes={"depth": "18", "where": "roadway", "hazards": ["water", "night"]},
        email="resident@example.net",
        first_name="Ірина",
    )
    assert sent.dry_run is False
    ref = sent.response[0]["service_request_id"]
    issue = Issue.objects.get(ref=ref)
    assert (issue.source, issue.status, issue.executor) == ("open311", "assigned", world.roads)
    assert issue.attributes == {"depth": 18, "where": "roadway", "hazards": ["water", "night"]}
    assert Open311Submission.objects.get(issue=issue).email == "resident@example.net"
    filed = civicbot.get_request(ref)
    assert (filed["status"], filed["service_code"], filed["address"]) == ("open", "pothole", "вул. Стрийська, 20")
    assert "resident@example.net" not in str(civicbot.list_requests(service_request_ids=[ref]))

    # A wrong key is refused with the spec's 403 and error list.
    with pytest.raises(HttpError) as refused:
        civicbot.create_request(
            "playground",
            dry_run=False,
            confirm="SEND",
            api_key="wrong",
            lat=CENTRE_LAT,
            lng=CENTRE_LON,
            description="Гойдалка зламана",
        )
    assert refused.value.status == 403
    assert '"code": 403' in refused.value.body
