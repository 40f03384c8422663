"""The issues REST API: exact shapes, filters, caps, errors, transitions and the queue."""

import datetime
import json

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from issues.models import Issue
from issues.services import TransitionInput, issue_transition
from tests.factories import CENTRE_LAT, CENTRE_LON

pytestmark = pytest.mark.django_db

POINT = {"type": "Point", "coordinates": [CENTRE_LON - 0.01, CENTRE_LAT]}


def client_for(user=None, language="uk") -> APIClient:
    client = APIClient(headers={"accept-language": language})
    if user is not None:
        client.force_authenticate(user)
    return client


def post_issue(client, **overrides):
    body = {"category": "pothole", "description": "Яма біля зупинки", "location": POINT, "address": "вул. Стрийська, 3"}
    return client.post("/api/v1/issues/", {**body, **overrides}, format="json")


def test_token_authentication(world):
    world.citizen.set_password("a-long-password-1")
    world.citizen.save()
    anonymous = APIClient()
    token = anonymous.post("/api/v1/auth/token/", {"username": "citizen", "password": "a-long-password-1"}).json()[
        "token"
    ]
    response = post_issue(APIClient(headers={"authorization": f"Token {token}"}))
    assert response.status_code == 201
    bad = anonymous.post("/api/v1/auth/token/", {"username": "citizen", "password": "wrong"})
    assert bad.status_code == 400
    assert bad.json()["code"] == "invalid"


def test_create_answers_201_with_the_routed_issue(world):
    response = post_issue(client_for(world.citizen))
    assert response.status_code == 201
    data = response.json()
    issue = Issue.objects.get()
    local = timezone.localtime
    assert set(data) == {
        "ref",
        "status",
        "status_label",
        "category",
        "category_name",
        "description",
        "address",
        "location",
        "district",
        "executor",
        "response_due_at",
        "resolve_due_at",
        "response_due_text",
        "resolve_due_text",
        "promised_date",
        "support_count",
        "duplicate_of",
        "created_at",
        "updated_at",
        "url",
        "attributes",
        "timeline",
        "media",
        "held_for_confirmation",
        "outage",
        "outage_notice",
        "budget_project",
    }
    assert data["ref"] == issue.ref
    assert data["status"] == "assigned"
    assert data["status_label"] == "призначено"
    assert data["category"] == "pothole"
    assert data["district"] == "Західний"
    assert data["executor"] == {"code": "roads", "name": "Дорожня служба"}
    assert data["response_due_at"] == local(issue.response_due_at).isoformat()
    assert data["response_due_at"].endswith("+02:00")
    assert data["location"] == POINT
    from issues.presentation import deadline_in_words

    assert data["response_due_text"] == deadline_in_words(issue.response_due_at)
    assert data["response_due_text"].split(", ")[0] in {
        "понеділок",
        "вівторок",
        "середа",
        "четвер",
        "пʼятниця",
        "п’ятниця",
        "п'ятниця",
    }
    assert [event["kind"] for event in data["timeline"]] == ["created", "routed"]
    assert data["timeline"][1]["summary"] == "Надіслано: Дорожня служба"
    assert "reporter" not in json.dumps(data)
    assert (data["outage"], data["outage_notice"], data["budget_project"]) == (None, None, None)
    assert data["attributes"] == {}


@pytest.fixture
def no_water_outage(world):
    """A "no water" category routed to the water utility, and an active water outage around the town hall."""
    from geo.models import OutageKindGrant
    from issues.models import Category, RoutingRule
    from tests.factories import OutageFactory, box

    category = Category.objects.create(
        code="no-water", group=world.pothole.group, name_uk="Немає води", name_en="No water",
        sla_policy=world.emergency, outage_kind="water",
    )  # fmt: skip
    RoutingRule.objects.create(category=category, executor=world.water)
    OutageKindGrant.objects.create(executor=world.water, kind="water")
    OutageFactory(
        provider=world.water, area=box(CENTRE_LON - 0.005, CENTRE_LAT - 0.005, CENTRE_LON + 0.005, CENTRE_LAT + 0.005)
    )
    return category


@pytest.mark.parametrize(
    "case", ["routed", "unrouted", "unconfirmed reporter", "in an outage", "near another", "with a photo", "english"]
)
def test_the_answer_to_a_report_is_the_issue_as_it_is_read_back(world, case, no_water_outage, report, settings):
    """The 201 answer is built from what the service wrote (its timeline, no pictures) without
    reading the issue back: it must be exactly what GET answers for the issue afterwards."""
    from tests.factories import UserFactory
    from tests.media_store.media import image_bytes, upload

    settings.MEDIA_ROOT = str(settings.MEDIA_ROOT) + "/answer"
    reporter, overrides, language = world.citizen, {}, "uk"
    if case == "unrouted":
        overrides = {"category": "playground"}
    elif case == "unconfirmed reporter":
        reporter = UserFactory(username="newcomer", email_confirmed_at=None)
    elif case == "in an outage":
        overrides = {"category": "no-water", "location": {"type": "Point", "coordinates": [CENTRE_LON, CENTRE_LAT]}}
    elif case == "near another":
        report(where=world.inside_west)  # flagged as a possible duplicate: an internal event
    elif case == "english":
        language = "en"
    client = client_for(reporter, language)
    if case == "with a photo":
        photo = client.post("/api/v1/media/", {"file": upload(image_bytes())}, format="multipart").json()
        overrides = {"media": [photo["id"]]}
    created = post_issue(client, **overrides)
    assert created.status_code == 201, created.content
    answer = created.json()
    read_back = client.get(f"/api/v1/issues/{answer['ref']}/")
    assert read_back.status_code == 200
    assert answer == read_back.json()
    assert answer["timeline"]
    assert bool(answer["media"]) == (case == "with a photo")
    assert (answer["outage"] is not None) == (case == "in an outage")
    assert answer["held_for_confirmation"] == (case == "unconfirmed reporter")


def test_create_unrouted_has_null_executor_and_deadlines(world):
    data = post_issue(client_for(world.citizen), category="playground").json()
    assert (data["status"], data["executor"], data["response_due_at"], data["resolve_due_at"]) == (
        "new",
        None,
        None,
        None,
    )


def test_a_retry_with_the_same_idempotency_key_returns_the_first_issue(world):
    client = client_for(world.citizen)
    client.credentials(HTTP_IDEMPOTENCY_KEY="phone-42")
    first, again = post_issue(client), post_issue(client)
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["ref"] == again.json()["ref"]
    assert Issue.objects.count() == 1


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"category": "unicorns"}, "category"),
        ({"description": ""}, "description"),
        ({"description": "   "}, "description"),
        ({"location": {"type": "Point", "coordinates": [23.5]}}, "location"),
        ({"location": {"type": "Point", "coordinates": ["23.5", 49.3]}}, "location"),
        ({"location": {"type": "Point", "coordinates": [523.5, 49.3]}}, "location"),
        ({"location": {"type": "Point", "coordinates": [23.5, 99]}}, "location"),
        ({"location": {"type": "LineString", "coordinates": [[23.5, 49.3], [23.6, 49.3]]}}, "location"),
        ({"location": "not json"}, "location"),
        ({"location": {"type": "Point", "coordinates": [24.03, 49.84]}}, "location"),
    ],
)
def test_bad_input_is_a_400_with_the_field_and_nothing_is_saved(world, overrides, field):
    response = post_issue(client_for(world.citizen), **overrides)
    assert response.status_code == 400
    body = response.json()
    assert set(body) == {"code", "detail", "fields"}
    assert list(body["fields"]) == [field]
    assert all(isinstance(message, str) and message for message in body["fields"][field])
    assert not Issue.objects.exists()


def test_outside_the_community_says_so_in_the_users_language(world):
    outside = {"type": "Point", "coordinates": [24.03, 49.84]}
    uk = post_issue(client_for(world.citizen), location=outside).json()
    en = post_issue(client_for(world.citizen, "en"), location=outside).json()
    assert uk["code"] == en["code"] == "outside_community"
    assert uk["fields"]["location"] == ["Це місце поза межами громади. Ми приймаємо звернення лише з її території."]
    assert en["fields"]["location"] == [
        "This place is outside the community. We can only take reports from inside its boundary."
    ]


def test_anonymous_cannot_report(world):
    response = post_issue(APIClient())
    assert response.status_code == 401
    assert not Issue.objects.exists()


def test_the_list_is_a_feature_collection_built_by_postgis(world, report):
    issue = report()
    response = client_for().get("/api/v1/issues/", headers={"accept": "application/geo+json"})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/geo+json"
    data = json.loads(response.content)
    assert set(data) == {"type", "features", "count", "limit", "truncated", "next"}
    assert (data["type"], data["count"], data["limit"], data["truncated"], data["next"]) == (
        "FeatureCollection", 1, 1000, False, None,
    )  # fmt: skip
    [feature] = data["features"]
    assert feature["id"] == issue.ref
    assert feature["geometry"] == {"type": "Point", "coordinates": [CENTRE_LON - 0.01, CENTRE_LAT]}
    properties = feature["properties"]
    assert set(properties) == {
        "ref",
        "status",
        "category",
        "category_name",
        "group",
        "district",
        "executor",
        "title",
        "address",
        "support_count",
        "created_at",
        "updated_at",
        "response_due_at",
        "resolve_due_at",
        "url",
        "thumbnail_url",
    }
    assert properties["executor"] == {"code": "roads", "name": "Дорожня служба"}
    assert properties["district"] == "Західний"
    assert properties["url"] == f"/issues/{issue.ref}/"
    assert properties["response_due_at"] == issue.response_due_at.replace(microsecond=0).isoformat()
    assert properties["created_at"] == issue.created_at.replace(microsecond=0).isoformat()
    english = json.loads(client_for(language="en").get("/api/v1/issues/").content)["features"][0]["properties"]
    assert (english["category_name"], english["district"]) == ("Pothole", "West")


def test_list_filters(world, report):
    west = report(where=world.inside_west)
    east = report(where=world.inside_east, category=world.manhole)
    new = report(category=world.playground)
    client = client_for()

    def refs(query):
        response = client.get("/api/v1/issues/" + query)
        assert response.status_code == 200, response.content
        return sorted(f["id"] for f in json.loads(response.content)["features"])

    assert refs(f"?bbox={CENTRE_LON},{CENTRE_LAT - 0.02},{CENTRE_LON + 0.02},{CENTRE_LAT + 0.02}") == [east.ref]
    assert refs("?status=new") == [new.ref]
    assert refs("?status=open") == sorted([west.ref, east.ref, new.ref])
    assert refs("?status=closed") == []
    assert refs("?category=open-manhole") == [east.ref]
    assert refs("?category=open-manhole,pothole") == sorted([west.ref, east.ref])
    assert refs("?district=east") == [east.ref]
    assert refs("?executor=water") == [east.ref]
    assert refs("?executor=&status=") == sorted([west.ref, east.ref, new.ref])  # empty = absent
    other = report(reporter=world.other_citizen)
    mine = client_for(world.other_citizen).get("/api/v1/issues/?mine=true")
    assert [f["id"] for f in json.loads(mine.content)["features"]] == [other.ref]
    anonymous_mine = client.get("/api/v1/issues/?mine=true")
    assert (anonymous_mine.status_code, list(anonymous_mine.json()["fields"])) == (400, ["mine"])


def test_the_list_is_capped_and_says_so(world, report):
    for _ in range(3):
        report()
    data = json.loads(client_for().get("/api/v1/issues/?limit=2").content)
    assert (data["count"], data["limit"], data["truncated"], len(data["features"])) == (2, 2, True, 2)
    exact = json.loads(client_for().get("/api/v1/issues/?limit=3").content)
    assert (exact["count"], exact["truncated"]) == (3, False)


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("bbox=1,2,3", "bbox"),
        ("bbox=a,b,c,d", "bbox"),
        ("bbox=1,2,3,4,5", "bbox"),
        ("bbox=23.6,49.3,23.5,49.4", "bbox"),
        ("bbox=-200,49.3,23.5,49.4", "bbox"),
        ("bbox=nan,49.3,23.5,49.4", "bbox"),
        ("status=lost", "status"),
        ("category=unicorns", "category"),
        ("district=atlantis", "district"),
        ("executor=nobody", "executor"),
        ("limit=0", "limit"),
        ("limit=99999", "limit"),
        ("limit=ten", "limit"),
    ],
)
def test_bad_filters_are_400s(world, query, field):
    response = client_for().get(f"/api/v1/issues/?{query}")
    assert response.status_code == 400
    assert list(response.json()["fields"]) == [field]


def test_hidden_issues_never_leave_through_public_endpoints(world, report):
    from issues.services.moderation import issue_set_hidden

    issue = report()
    issue_set_hidden(issue=issue, actor=world.dispatcher, hidden=True, note="Номер телефону в описі")
    assert json.loads(client_for().get("/api/v1/issues/").content)["features"] == []
    assert client_for().get(f"/api/v1/issues/{issue.ref}/").status_code == 404
    assert client_for(world.other_citizen).get(f"/api/v1/issues/{issue.ref}/").status_code == 404
    assert client_for(world.citizen).get(f"/api/v1/issues/{issue.ref}/").status_code == 200
    assert client_for(world.dispatcher).get(f"/api/v1/issues/{issue.ref}/").status_code == 200


def test_detail_has_the_public_timeline_only(world, report):
    issue = report()
    issue_transition(issue=issue, actor=world.roads_staff, action="hand_back", data=TransitionInput(note="не наше"))
    data = client_for().get(f"/api/v1/issues/{issue.ref}/").json()
    assert [e["kind"] for e in data["timeline"]] == ["created", "routed"]
    assert client_for().get("/api/v1/issues/DRH-2026-999999/").status_code == 404


def test_transitions_200_403_409_400(world, report):
    issue = report()
    url = f"/api/v1/issues/{issue.ref}/transition/"
    tomorrow = (timezone.localdate() + datetime.timedelta(days=1)).isoformat()
    other = client_for(world.water_staff).post(url, {"action": "accept", "promised_date": tomorrow}, format="json")
    assert (other.status_code, other.json()["code"]) == (403, "action_forbidden")
    bad = client_for(world.roads_staff).post(url, {"action": "accept"}, format="json")
    assert (bad.status_code, list(bad.json()["fields"])) == (400, ["promised_date"])
    unknown = client_for(world.roads_staff).post(url, {"action": "teleport"}, format="json")
    assert (unknown.status_code, list(unknown.json()["fields"])) == (400, ["action"])
    no_executor = client_for(world.dispatcher).post(url, {"action": "reassign", "executor": "nobody"}, format="json")
    assert (no_executor.status_code, list(no_executor.json()["fields"])) == (400, ["executor"])
    ok = client_for(world.roads_staff).post(
        url, {"action": "accept", "promised_date": tomorrow, "note": "Беремо"}, format="json"
    )
    assert ok.status_code == 200
    assert (ok.json()["status"], ok.json()["promised_date"]) == ("in_progress", tomorrow)
    again = client_for(world.roads_staff).post(url, {"action": "accept", "promised_date": tomorrow}, format="json")
    assert (again.status_code, again.json()["code"]) == (409, "transition_not_allowed")
    assert APIClient().post(url, {"action": "accept"}, format="json").status_code == 401
    assert issue.events.filter(data__action="accept").count() == 1


def test_the_queue_lists_own_issues_overdue_first_then_by_deadline(world, report):
    later = report(now=timezone.now())
    overdue = report(now=timezone.now() - datetime.timedelta(days=30))
    emergency_for_water = report(category=world.manhole)
    data = client_for(world.roads_staff).get("/api/v1/queue/").json()
    assert [item["ref"] for item in data] == [overdue.ref, later.ref]
    assert [item["is_overdue"] for item in data] == [True, False]
    assert emergency_for_water.ref not in [item["ref"] for item in data]
    assert client_for(world.citizen).get("/api/v1/queue/").status_code == 403
    assert client_for(world.dispatcher).get("/api/v1/queue/").status_code == 403
    assert APIClient().get("/api/v1/queue/").status_code == 401


def test_categories(world):
    data = client_for(language="en").get("/api/v1/categories/").json()
    # In display order: group, then the category's own order, then code.
    assert [c["code"] for c in data] == ["open-manhole", "playground", "pothole"]
    assert data[0] == {
        "code": "open-manhole",
        "name": "Open manhole",
        "name_uk": "Відкритий люк",
        "name_en": "Open manhole",
        "group": {"code": "roads", "name": "Roads"},
        "photo_required": False,
        "duplicate_radius_m": 50,
        "outage_kind": "",
        "urgent_notice": "",
        "sla": {"clock": "calendar_hours", "response_hours": 2.0, "resolution_hours": 24.0},
        "attributes": [],
    }


def test_the_queue_comes_a_page_at_a_time_with_its_length_and_the_next_address(world, report):
    """A department with thousands of open issues gets `limit` of them from `offset`; the Link
    header leads through the rest, in the queue's own order, and X-Total-Count gives the length."""
    start = timezone.now() - datetime.timedelta(days=10)
    for n in range(5):
        report(now=start + datetime.timedelta(days=n))
    client = client_for(world.roads_staff)
    whole = client.get("/api/v1/queue/").json()
    assert len(whole) == 5
    seen, url, pages = [], "/api/v1/queue/?limit=2", 0
    while url:
        answer = client.get(url)
        assert (answer.status_code, answer["X-Total-Count"]) == (200, "5")
        seen += [item["ref"] for item in answer.json()]
        pages += 1
        url = answer.headers.get("Link", "").removeprefix("<").split(">;")[0].removeprefix("http://testserver")
    assert (pages, seen) == (3, [item["ref"] for item in whole])
    beyond = client.get("/api/v1/queue/?offset=5")
    assert (beyond.json(), beyond["X-Total-Count"], "Link" in beyond.headers) == ([], "5", False)


@pytest.mark.parametrize(
    ("query", "field"),
    [("limit=0", "limit"), ("limit=1001", "limit"), ("limit=many", "limit"), ("offset=-1", "offset")],
)
def test_a_bad_queue_page_is_a_400_naming_the_field(world, query, field):
    answer = client_for(world.roads_staff).get(f"/api/v1/queue/?{query}")
    assert (answer.status_code, list(answer.json()["fields"])) == (400, [field])
