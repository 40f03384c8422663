"""Open311 reads: discovery, services, definitions, requests with every filter, one request,
tokens and updates — exact values, JSON validated by the schemas, XML equal to its JSON twin."""

from __future__ import annotations

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from issues.models import Issue
from issues.rules.transitions import Action
from issues.services import TransitionInput, issue_transition
from issues.services.moderation import issue_set_hidden
from media_store.services import media_intake
from tests.factories import CENTRE_LAT, CENTRE_LON, point
from tests.world import TUESDAY_10, kyiv

pytestmark = pytest.mark.django_db

ANSWERS = {"depth": 12, "where": "roadway"}


@pytest.fixture
def pothole(report, questions):
    return report(attributes=ANSWERS)


def test_discovery(open311):
    data = open311.get("discovery", "discovery.json")
    assert data == {
        "changeset": "2026-12-04T00:00:00+02:00",
        "contact": "opencity@drohobych.gov.ua",
        "key_service": "Ключі API видають адміністратори міста інтеграторам: напишіть на "
        "opencity@drohobych.gov.ua, назвавши свій застосунок і обліковий запис, від імені якого він "
        "повідомлятиме.",
        "endpoints": [
            {
                "specification": "http://wiki.open311.org/GeoReport_v2",
                "url": "http://testserver/open311/v2",
                "changeset": "2026-12-04T00:00:00+02:00",
                "type": "production",
                "formats": ["application/json", "text/xml"],
            }
        ],
    }


def test_the_root_leads_to_discovery(client):
    answer = client.get("/open311/v2/")
    assert (answer.status_code, answer["Location"]) == (302, "/open311/v2/discovery.json")


def test_services_in_both_languages(world, questions, open311, open311_en):
    world.pothole.description_uk = "Вибоїна на проїжджій частині"
    world.pothole.save()
    data = open311.get("services", "services.json")
    assert [service["service_code"] for service in data] == ["open-manhole", "playground", "pothole"]
    assert data[2] == {
        "service_code": "pothole",
        "service_name": "Яма",
        "description": "Вибоїна на проїжджій частині",
        "metadata": True,
        "type": "realtime",
        "keywords": "Яма, Pothole, Дороги",
        "group": "Дороги",
    }
    assert data[0]["metadata"] is False and data[0]["description"] is None
    english = open311_en.get("services", "services.json")
    assert english[2] == {
        "service_code": "pothole",
        "service_name": "Pothole",
        "description": "Вибоїна на проїжджій частині",  # no English text: the Ukrainian one
        "metadata": True,
        "type": "realtime",
        "keywords": "Яма, Pothole, Roads",
        "group": "Roads",
    }


def test_an_inactive_category_is_no_service(world, open311):
    world.playground.is_active = False
    world.playground.save()
    assert [s["service_code"] for s in open311.get("services", "services.json")] == ["open-manhole", "pothole"]
    open311.get("services/playground", "service_definition.json", expect=404)


def test_service_definition(questions, open311_en):
    data = open311_en.get("services/pothole", "service_definition.json")
    assert data == {
        "service_code": "pothole",
        "attributes": [
            {
                "variable": True,
                "code": "depth",
                "datatype": "number",
                "required": True,
                "datatype_description": "in centimetres",
                "order": 1,
                "description": "How deep is the pothole, cm?",
                "values": [],
            },
            {
                "variable": True,
                "code": "where",
                "datatype": "singlevaluelist",
                "required": False,
                "datatype_description": None,
                "order": 2,
                "description": "Where exactly is it?",
                "values": [{"key": "roadway", "name": "Roadway"}, {"key": "sidewalk", "name": "Pavement"}],
            },
            {
                "variable": True,
                "code": "hazards",
                "datatype": "multivaluelist",
                "required": False,
                "datatype_description": None,
                "order": 3,
                "description": "What else is dangerous?",
                "values": [
                    {"key": "water", "name": "Water in it"},
                    {"key": "edge", "name": "Sharp edge"},
                    {"key": "night", "name": "Invisible at night"},
                ],
            },
            {
                "variable": False,
                "code": "warning",
                "datatype": "string",
                "required": False,
                "datatype_description": None,
                "order": 4,
                "description": "If it is deeper than 20 cm, mark it with something visible.",
                "values": [],
            },
        ],
    }


def test_a_service_without_questions_has_an_empty_definition(world, open311):
    assert open311.get("services/playground", "service_definition.json") == {
        "service_code": "playground",
        "attributes": [],
    }


def test_the_xml_of_a_definition_uses_the_spec_element_names(questions, client):
    body = client.get("/open311/v2/services/pothole.xml").content.decode()
    assert body.startswith('<?xml version="1.0" encoding="utf-8"?>\n<service_definition><service_code>pothole<')
    assert "<attributes><attribute><variable>true</variable><code>depth</code>" in body
    assert "<values><value><key>roadway</key><name>Проїжджа частина</name></value>" in body
    assert "<datatype_description /><order>2</order>" in body  # null: an empty element


def test_a_request_in_full(world, pothole, open311):
    data = open311.get("requests", "service_requests.json")
    assert data == [
        {
            "service_request_id": pothole.ref,
            "status": "open",
            "status_notes": "Призначено: Надіслано: Дорожня служба",
            "service_name": "Яма",
            "service_code": "pothole",
            "description": "Глибока яма посеред дороги",
            "agency_responsible": "Дорожня служба",
            "service_notice": None,
            "requested_datetime": "2026-12-01T10:00:00+02:00",
            "updated_datetime": "2026-12-01T10:00:00+02:00",
            "expected_datetime": "2026-12-08T10:00:00+02:00",
            "address": "вул. Стрийська, 10",
            "address_id": None,
            "zipcode": None,
            "lat": CENTRE_LAT,
            "long": round(CENTRE_LON - 0.01, 6),
            "media_url": None,
        }
    ]
    assert (
        data[0]["expected_datetime"]
        == pothole.resolve_due_at.astimezone(datetime.UTC).astimezone(kyiv(2026, 1, 1).tzinfo).isoformat()
    )
    assert open311.get(f"requests/{pothole.ref}", "service_requests.json") == data


def test_a_request_with_extensions(world, pothole, open311_en):
    issue_transition(
        issue=pothole,
        actor=world.roads_staff,
        action=Action.ACCEPT,
        data=TransitionInput(promised_date=datetime.date(2026, 12, 4), note="Бригада виїде в четвер"),
        now=TUESDAY_10 + datetime.timedelta(hours=2),
    )
    data = open311_en.get(f"requests/{pothole.ref}", "service_requests_extended.json", extensions="true")
    request = data[0]
    assert request["status"] == "open"
    assert (
        request["status_notes"]
        == "In progress: Accepted; promised to be fixed by 4 December 2026. Бригада виїде в четвер"
    )
    assert request["updated_datetime"] == "2026-12-01T12:00:00+02:00"
    assert request["attributes"] == [
        {
            "code": "depth",
            "datatype": "number",
            "description": "How deep is the pothole, cm?",
            "value": "12",
            "values": [],
        },
        {
            "code": "where",
            "datatype": "singlevaluelist",
            "description": "Where exactly is it?",
            "value": None,
            "values": [{"key": "roadway", "name": "Roadway"}],
        },
    ]
    assert request["extended_attributes"] == {"detailed_status": "in_progress", "district": "West", "media_urls": []}
    assert request["notes"] == [
        {"datetime": "2026-12-01T10:00:00+02:00", "description": "Reported", "type": "created"},
        {"datetime": "2026-12-01T10:00:00+02:00", "description": "Sent to Road service", "type": "routed"},
        {
            "datetime": "2026-12-01T12:00:00+02:00",
            "description": "Accepted; promised to be fixed by 4 December 2026. Бригада виїде в четвер",
            "type": "status_changed",
        },
    ]
    # Without extensions=true, the plain v2 shape (validated by the strict schema).
    plain = open311_en.get(f"requests/{pothole.ref}", "service_requests.json", extensions="false")
    assert set(plain[0]) == set(request) - {"attributes", "extended_attributes", "notes"}


def test_closed_states_and_the_fine_state(world, report, open311):
    rejected = report(category=world.manhole)
    issue_transition(
        issue=rejected,
        actor=world.water_staff,
        action=Action.REJECT,
        data=TransitionInput(note="Люк належить залізниці"),
        now=TUESDAY_10 + datetime.timedelta(hours=1),
    )
    data = open311.get("requests", "service_requests_extended.json", extensions="true")
    assert (data[0]["status"], data[0]["extended_attributes"]["detailed_status"]) == ("closed", "rejected")
    assert data[0]["status_notes"] == "Відхилено: Відхилено. Люк належить залізниці"
    assert data[0]["expected_datetime"] is None or data[0]["expected_datetime"].endswith("+02:00")


def test_photos_are_public_addresses_that_follow_moderation(world, report, client, open311):
    from tests.media_store.media import image_bytes

    asset = media_intake(
        uploaded_file=SimpleUploadedFile("a.jpg", image_bytes(), content_type="image/jpeg"), uploaded_by=world.citizen
    ).asset
    issue = report(category=world.manhole, media=[asset])
    data = open311.get("requests", "service_requests_extended.json", extensions="true")
    url = f"http://testserver/issues/pictures/{asset.public_id}/web/"
    assert data[0]["media_url"] == url
    assert data[0]["extended_attributes"]["media_urls"] == [url]
    assert client.get(url).status_code == 200  # sent by the checking view
    issue_set_hidden(issue=issue, actor=world.dispatcher, hidden=True, note="Номер авто на фото")
    assert client.get(url).status_code == 404


def test_hidden_issues_never_appear(world, report, open311):
    visible = report()
    hidden = report(category=world.manhole)
    issue_set_hidden(issue=hidden, actor=world.dispatcher, hidden=True, note="Особисті дані в описі")
    assert [r["service_request_id"] for r in open311.get("requests", "service_requests.json")] == [visible.ref]
    ids = f"{visible.ref},{hidden.ref}"
    assert [
        r["service_request_id"] for r in open311.get("requests", "service_requests.json", service_request_id=ids)
    ] == [visible.ref]
    open311.get(f"requests/{hidden.ref}", "service_requests.json", expect=404)
    open311.get(f"tokens/{hidden.ref}", "tokens.json", expect=404)
    updates = open311.get("servicerequestupdates", "service_request_updates.json")
    assert {u["service_request_id"] for u in updates} == {visible.ref}


def test_personal_data_never_appears(world, report, client):
    world.citizen.first_name, world.citizen.last_name, world.citizen.phone = "Олена", "Коваль", "+380671234567"
    world.citizen.save()
    issue = report()
    for path in (
        "requests.json?extensions=true",
        "requests.xml?extensions=true",
        f"requests/{issue.ref}.json?extensions=true",
        "servicerequestupdates.json",
        f"tokens/{issue.ref}.json",
    ):
        body = client.get(f"/open311/v2/{path}").content.decode()
        assert issue.ref in body
        for private in ("citizen", "Олена", "Коваль", "380671234567", "example.org", "reporter"):
            assert private not in body, (path, private)


def test_filters_service_code_status_and_id(world, report, open311):
    first = report()
    manhole = report(category=world.manhole)
    issue_transition(
        issue=manhole,
        actor=world.water_staff,
        action=Action.REJECT,
        data=TransitionInput(note="Не наш"),
        now=TUESDAY_10 + datetime.timedelta(hours=1),
    )
    ids = lambda **params: [r["service_request_id"] for r in open311.get("requests", "service_requests.json", **params)]  # noqa: E731
    assert ids() == [manhole.ref, first.ref]
    assert ids(service_code="pothole") == [first.ref]
    assert ids(service_code="pothole,open-manhole") == [manhole.ref, first.ref]
    assert ids(service_code="no-such-service") == []
    assert ids(status="open") == [first.ref]
    assert ids(status="closed") == [manhole.ref]
    assert ids(status="open,closed") == [manhole.ref, first.ref]
    # service_request_id overrides every other filter
    assert ids(service_request_id=manhole.ref, status="open", service_code="pothole") == [manhole.ref]
    # an empty parameter is an absent one
    assert ids(status="", service_code="", start_date="", page="") == [manhole.ref, first.ref]


def test_filters_dates_default_window_and_updates(world, report, open311):
    old = report(now=TUESDAY_10 - datetime.timedelta(days=100))
    recent = report(category=world.manhole, now=TUESDAY_10)
    ids = lambda **params: [r["service_request_id"] for r in open311.get("requests", "service_requests.json", **params)]  # noqa: E731
    assert ids(start_date="2026-11-01T00:00:00+02:00", end_date="2026-12-31T00:00:00+02:00") == [recent.ref]
    assert ids(start_date="2026-08-01T00:00:00+03:00", end_date="2026-09-01T00:00:00+03:00") == [old.ref]
    # A "+" sent without URL-encoding arrives as a space, and is still read as the offset.
    assert ids(start_date="2026-08-01T00:00:00 03:00", end_date="2026-09-01") == [old.ref]
    # Only an end: the 90 days before it. Only a start: the 90 days after it.
    assert ids(end_date="2026-12-02") == [recent.ref]
    assert ids(start_date="2026-08-20") == [old.ref]
    # updated_after/updated_before: how clients sync; without dates, no default window.
    issue_transition(
        issue=old,
        actor=world.roads_staff,
        action=Action.ACCEPT,
        data=TransitionInput(promised_date=datetime.date(2026, 12, 10)),
        now=TUESDAY_10 + datetime.timedelta(hours=3),
    )
    assert ids(updated_after="2026-12-01T12:00:00+02:00") == [old.ref]
    assert ids(updated_before="2026-12-01T11:00:00+02:00") == [recent.ref]


def test_default_window_is_the_last_90_days(world, report, open311):
    from django.utils import timezone

    report(now=timezone.now() - datetime.timedelta(days=91))
    fresh = report(category=world.manhole, now=timezone.now() - datetime.timedelta(days=1))
    assert [r["service_request_id"] for r in open311.get("requests", "service_requests.json")] == [fresh.ref]


def test_paging_and_near_me(world, report, open311):
    made = [report(category=world.manhole, now=TUESDAY_10 + datetime.timedelta(minutes=n)) for n in range(5)]
    newest_first = [issue.ref for issue in reversed(made)]
    ids = lambda **params: [r["service_request_id"] for r in open311.get("requests", "service_requests.json", **params)]  # noqa: E731
    assert ids(page_size="2") == newest_first[:2]
    assert ids(page_size="2", page="2") == newest_first[2:4]
    assert ids(page_size="2", page="3") == newest_first[4:]
    assert ids(page_size="2", page="4") == []
    far = report(category=world.playground, where=point(CENTRE_LON + 0.02, CENTRE_LAT))  # ~2.2 km east
    here = {"lat": str(CENTRE_LAT), "long": str(CENTRE_LON - 0.01)}
    assert far.ref not in ids(**here, radius="1000")
    assert set(ids(**here, radius="1000")) == set(newest_first)
    assert set(ids(**here, radius="3000")) == {*newest_first, far.ref}
    assert set(ids(**here)) == set(newest_first)  # default radius: 500 m


def test_tokens_are_request_ids(world, report, open311):
    issue = report()
    assert open311.get(f"tokens/{issue.ref}", "tokens.json") == [{"service_request_id": issue.ref, "token": issue.ref}]
    open311.get("tokens/DRH-2026-999999", "tokens.json", expect=404)


def test_service_request_updates(world, report, open311_en):
    issue = report()
    issue_transition(
        issue=issue,
        actor=world.roads_staff,
        action=Action.ACCEPT,
        data=TransitionInput(promised_date=datetime.date(2026, 12, 3)),
        now=TUESDAY_10 + datetime.timedelta(hours=1),
    )
    issue_transition(
        issue=issue,
        actor=world.roads_staff,
        action=Action.RESOLVE,
        data=TransitionInput(note="Залатали"),
        now=TUESDAY_10 + datetime.timedelta(hours=5),
    )
    updates = open311_en.get(
        "servicerequestupdates",
        "service_request_updates.json",
        start_date="2026-12-01T00:00:00+02:00",
        end_date="2026-12-02T00:00:00+02:00",
    )
    events = list(issue.events.filter(is_public=True).order_by("at", "pk"))
    assert updates == [
        {
            "update_id": str(events[0].pk),
            "service_request_id": issue.ref,
            "status": "open",
            "updated_datetime": "2026-12-01T10:00:00+02:00",
            "description": "Reported",
            "media_url": None,
        },
        {
            "update_id": str(events[1].pk),
            "service_request_id": issue.ref,
            "status": "open",
            "updated_datetime": "2026-12-01T10:00:00+02:00",
            "description": "Sent to Road service",
            "media_url": None,
        },
        {
            "update_id": str(events[2].pk),
            "service_request_id": issue.ref,
            "status": "in_progress",
            "updated_datetime": "2026-12-01T11:00:00+02:00",
            "description": "Accepted; promised to be fixed by 3 December 2026",
            "media_url": None,
        },
        {
            "update_id": str(events[3].pk),
            "service_request_id": issue.ref,
            "status": "fixed",
            "updated_datetime": "2026-12-01T15:00:00+02:00",
            "description": "Marked as fixed. Залатали",
            "media_url": None,
        },
    ]
    later = open311_en.get(
        "servicerequestupdates", "service_request_updates.json", start_date="2026-12-01T12:00:00+02:00"
    )
    assert [u["status"] for u in later] == ["fixed"]
    assert Issue.objects.count() == 1
