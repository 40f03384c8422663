"""The small answers built whole by PostgreSQL (issue 13, item 4) say exactly what the Python path
said before them: the same keys in the same order and the same values, in both languages.

Each test keeps the old path as its reference (the selectors and serializers it used are still the
project's) and compares the parsed bodies with the order of every object's keys kept."""

from __future__ import annotations

import datetime
import json

import pytest
from django.contrib.gis.geos import Point
from django.utils import timezone, translation
from rest_framework.exceptions import ValidationError
from rest_framework.renderers import JSONRenderer
from rest_framework.test import APIClient

from geo.api.filters import OutagePointQuery
from geo.api.views import _detail_url, _outage_labels
from geo.selectors import point_in_community
from geo.sql import outage_feature_collection
from issues.api.serializers import NearbyInput, NearbyIssueOutput
from issues.services import TransitionInput, issue_transition
from issues.sql import issues_nearby
from opencity.api import exception_handler
from tests.factories import (
    CENTRE_LAT,
    CENTRE_LON,
    CommunityBoundaryFactory,
    ExecutorFactory,
    OutageFactory,
    point,
    square,
)
from tests.world import kyiv

pytestmark = pytest.mark.django_db
HOUR = datetime.timedelta(hours=1)
LANGUAGES = ["uk", "en"]


def ordered(text: str | bytes):
    """Parsed JSON whose objects are lists of (key, value): equal only with the keys in the same order."""
    return json.loads(text, object_pairs_hook=list)


def get(path: str, language: str, **query):
    return APIClient(headers={"accept-language": language}).get(path, query)


# --- GET /api/v1/outages/at/ --------------------------------------------------------------------------


def outages_at_before(*, query: dict, language: str):
    """The answer as the view made it before: the community check, the layer's collection for the
    point, then the question's point and moment put in front of its features by Python."""
    with translation.override(language):
        checked = OutagePointQuery(data=query)
        checked.is_valid(raise_exception=True)
        lon, lat = checked.validated_data["lon"], checked.validated_data["lat"]
        if not point_in_community(point=Point(lon, lat, srid=4326)):
            return None
        at = checked.validated_data.get("at") or timezone.now()
        body = outage_feature_collection(
            language=language,
            labels=_outage_labels(),
            detail_url=_detail_url("geo:outage-detail"),
            at=at,
            point=(lon, lat),
        )
        collection = json.loads(body)
        answer = {"type": collection["type"], "point": [lon, lat], "at": at.isoformat(), **collection}
        return ordered(json.dumps(answer, ensure_ascii=False))


@pytest.fixture
def outages():
    CommunityBoundaryFactory()
    gas = ExecutorFactory(code="gas", name_uk="Газмережі", name_en="Gas networks", phone="+380324400000")
    now = timezone.now()
    return {
        # in force, with an expected end; in force past its expected end (overdue); with no end given
        "water": OutageFactory(starts_at=now - 2 * HOUR),
        "late": OutageFactory(starts_at=now - 10 * HOUR, expected_end_at=now - HOUR, kind="gas", provider=gas),
        "open": OutageFactory(starts_at=now - HOUR, expected_end_at=None, kind="heating"),
        # to come; ended an hour ago (in force at an earlier moment); cancelled before it began
        "power": OutageFactory(starts_at=now + 5 * HOUR, kind="electricity", nature="planned", provider=gas),
        "over": OutageFactory(starts_at=now - 6 * HOUR, ended_at=now - HOUR, public_notes="Відновлено."),
        "cancelled": OutageFactory(starts_at=now + HOUR, ended_at=now - HOUR),
        # elsewhere in the community
        "east": OutageFactory(area=square(CENTRE_LON + 0.05, CENTRE_LAT, half=0.005)),
    }


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize(
    "place",
    [
        (CENTRE_LON, CENTRE_LAT),  # under several
        (CENTRE_LON - 0.005, CENTRE_LAT),  # on the edge of the areas
        (CENTRE_LON + 0.05, CENTRE_LAT),  # under one
        (CENTRE_LON - 0.05, CENTRE_LAT + 0.05),  # under none
    ],
)
@pytest.mark.parametrize("moment", [None, -3, +6])  # now, or hours from now
def test_outages_at_a_point_answer_as_before(outages, monkeypatch, language, place, moment):
    now = timezone.now()
    monkeypatch.setattr(timezone, "now", lambda: now)  # the same "now" for both paths
    query = {"lon": place[0], "lat": place[1]}
    if moment is not None:
        query["at"] = (now + moment * HOUR).astimezone(datetime.UTC).isoformat()
    response = get("/api/v1/outages/at/", language, **query)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/geo+json"
    assert ordered(response.content) == outages_at_before(query=query, language=language)


@pytest.mark.parametrize("language", LANGUAGES)
def test_outages_at_a_point_found_several_kinds_and_ends(outages, language):
    """The fixture's cases are really in the answers compared above."""
    response = get("/api/v1/outages/at/", language, lon=CENTRE_LON, lat=CENTRE_LAT)
    data = response.json()
    assert list(data) == ["type", "point", "at", "features"]
    found = {feature["id"]: feature["properties"] for feature in data["features"]}
    names = {outage.pk: name for name, outage in outages.items()}
    assert sorted(names[pk] for pk in found) == ["late", "open", "power", "water"]
    assert found[outages["open"].pk]["expected_end_at"] is None
    assert found[outages["late"].pk]["overdue"] is True
    provider = found[outages["late"].pk]["provider"]["name"]
    assert provider == {"uk": "Газмережі", "en": "Gas networks"}[language]


def test_outages_at_a_point_outside_the_community_is_refused_as_before(outages):
    query = {"lon": 24.03, "lat": 49.84}
    assert outages_at_before(query=query, language="en") is None
    response = get("/api/v1/outages/at/", "en", **query)
    assert response.status_code == 400
    assert response.json()["code"] == "outside_community"


# --- GET /api/v1/issues/nearby/ ----------------------------------------------------------------------

HERE = (CENTRE_LON - 0.01, CENTRE_LAT)


def nearby_before(*, query: dict, language: str):
    """The answer as the view made it before: the input with the category's lookup, the Python rows
    of issues_nearby, and NearbyIssueOutput through DRF's JSON renderer."""
    with translation.override(language):
        payload = NearbyInput(data=query)
        payload.is_valid(raise_exception=True)
        category = payload.validated_data["category"]
        rows = issues_nearby(
            lon=payload.validated_data["lon"],
            lat=payload.validated_data["lat"],
            category_id=category.pk,
            radius_m=category.duplicate_radius_m,
        )
        answer = {
            "category": category.code,
            "radius_m": category.duplicate_radius_m,
            "results": NearbyIssueOutput(rows, many=True).data,
        }
        return ordered(JSONRenderer().render(answer))


def errors_before(*, query: dict, language: str):
    """The 400 answer the full input's validation gave."""
    with translation.override(language):
        payload = NearbyInput(data=query)
        assert not payload.is_valid()
        response = exception_handler(ValidationError(payload.errors), {})
        return ordered(JSONRenderer().render(response.data))


@pytest.fixture
def around(world, report):
    """Issues of every kind around HERE: open ones at several distances (one at a coordinate with
    eight decimals ending in 5, a rounding tie's neighbour), summer and winter times, with and
    without microseconds, a long text; and those never offered: closed, hidden, unconfirmed, of
    another category, too far."""
    from issues.models import Issue
    from issues.services.moderation import issue_set_hidden

    lon, lat = HERE
    made = {
        "near": report(where=point(lon + 0.0001, lat)),
        "tie": report(where=point(23.49560015, 49.34890025), now=kyiv(2026, 7, 1, 9, 30, 0, 123400)),
        "north": report(
            where=point(lon, lat + 0.0002),
            now=kyiv(2026, 3, 29, 4, 0, 0, 5),  # the hour after the clocks went forward
            description="Дуже довгий опис ями, що займає більше ніж сто сорок символів 🚧 " * 4,
        ),
        # the second 03:30 of the night the clocks went back
        "same-place": report(where=point(lon + 0.0001, lat), now=kyiv(2026, 10, 25, 3, 30).replace(fold=1)),
    }
    closed = report(where=point(lon, lat))
    issue_transition(issue=closed, actor=world.dispatcher, action="reject", data=TransitionInput(note="Дубль"))
    hidden = report(where=point(lon, lat))
    issue_set_hidden(issue=hidden, actor=world.dispatcher, hidden=True)
    waiting = report(where=point(lon, lat))
    Issue.objects.filter(pk=waiting.pk).update(awaiting_confirmation=True)
    report(category=world.manhole, where=point(lon, lat))
    report(where=point(lon + 0.001, lat))  # ~72 m: outside the 30 m radius
    return made


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize(
    "query",
    [
        {"lon": HERE[0], "lat": HERE[1], "category": "pothole"},  # several found
        {"lon": HERE[0] + 0.0001, "lat": HERE[1], "category": "pothole"},  # the nearest at 0 m
        {"lon": HERE[0] - 0.01, "lat": HERE[1], "category": "pothole"},  # none found
        {"lon": HERE[0], "lat": HERE[1], "category": "open-manhole"},  # another category's one
        {"lon": str(HERE[0]), "lat": f"{HERE[1]:.9f}", "category": "playground"},  # none of that category
    ],
)
def test_nearby_answers_as_before(around, language, query):
    response = get("/api/v1/issues/nearby/", language, **query)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert ordered(response.content) == nearby_before(query=query, language=language)


def test_nearby_found_the_cases_it_is_compared_on(around):
    data = get("/api/v1/issues/nearby/", "uk", lon=HERE[0], lat=HERE[1], category="pothole").json()
    assert sorted(item["ref"] for item in data["results"]) == sorted(issue.ref for issue in around.values())
    created = {item["ref"]: item["created_at"] for item in data["results"]}
    assert created[around["tie"].ref] == "2026-07-01T09:30:00.123400+03:00"
    assert created[around["north"].ref] == "2026-03-29T04:00:00.000005+03:00"
    assert created[around["same-place"].ref] == "2026-10-25T03:30:00+02:00"
    location = {item["ref"]: item["location"] for item in data["results"]}
    assert location[around["tie"].ref]["coordinates"] == [round(23.49560015, 7), round(49.34890025, 7)]


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize(
    "query",
    [
        {"lon": HERE[0], "lat": HERE[1], "category": "nope"},
        {"lon": HERE[0], "lat": HERE[1], "category": " pothole"},
        {"lon": HERE[0], "lat": HERE[1], "category": ""},
        {"lon": HERE[0], "lat": HERE[1], "category": "pot\x00hole"},
        {"lon": HERE[0], "lat": HERE[1]},
        {"lon": "east", "lat": 91, "category": "nope"},
        {"lon": 181, "lat": HERE[1], "category": "pothole"},
        {"lat": HERE[1], "category": "retired"},
    ],
)
def test_nearby_refuses_as_before(around, world, language, query):
    world.playground.is_active = False
    world.playground.code = "retired"
    world.playground.save()
    response = get("/api/v1/issues/nearby/", language, **query)
    assert response.status_code == 400
    assert ordered(response.content) == errors_before(query=query, language=language)


def test_nearby_is_one_statement_and_an_inactive_category_is_unknown(around, world, django_assert_num_queries):
    client = APIClient()
    query = {"lon": HERE[0], "lat": HERE[1], "category": "pothole"}
    client.get("/api/v1/issues/nearby/", query)
    with django_assert_num_queries(1):
        assert client.get("/api/v1/issues/nearby/", query).status_code == 200
    world.pothole.is_active = False
    world.pothole.save()
    response = client.get("/api/v1/issues/nearby/", query, headers={"accept-language": "en"})
    assert response.status_code == 400
    assert response.json()["fields"] == {"category": ["Unknown category “pothole”."]}


# --- GET /api/v1/issues/<ref>/ -----------------------------------------------------------------------


def detail_before(*, ref: str, language: str, viewer=None):
    """The answer as the view made it before: the issue as the viewer may see it, through
    IssueDetailOutput (detail_response) and DRF's JSON renderer; None for a 404."""
    from django.contrib.auth.models import AnonymousUser
    from django.http import Http404

    from issues.api.views import detail_response, issue_visible_to

    user = viewer or AnonymousUser()
    with translation.override(language):
        try:
            issue = issue_visible_to(ref=ref, user=user)
        except Http404:
            return None
        return ordered(JSONRenderer().render(detail_response(issue, viewer=user).data))


@pytest.fixture
def details(world, report, settings, tmp_path):
    """Issues of every shape: a long history (every kind of event, a budget project, photos); one in
    an outage that goes on (with and without an expected end) and one in an outage that ended; a
    merged duplicate; answers to extra questions; a video and a photo without derivatives; a hidden
    one; one waiting for its reporter's confirmation; one an unconfirmed reporter may see held."""
    from geo.models import OutageKindGrant
    from issues.models import Category, CategoryAttribute, Issue, IssueMedia, RoutingRule
    from media_store.models import MediaAsset
    from tests.test_query_budgets import History, Town

    settings.MEDIA_ROOT = str(tmp_path / "media")
    history = History(world, Town(world))
    history.grow(2)
    world.roads.name_en = ""  # an English reader gets the Ukrainian name
    world.roads.save()

    no_water = Category.objects.create(
        code="no-water",
        group=world.pothole.group,
        name_uk="Немає води",
        name_en="No water",
        sla_policy=world.emergency,
        outage_kind="water",
    )
    RoutingRule.objects.create(category=no_water, executor=world.water)
    OutageKindGrant.objects.create(executor=world.water, kind="water")
    lon, lat = CENTRE_LON, CENTRE_LAT
    now = timezone.now()
    OutageFactory(provider=world.water, area=square(lon, lat, half=0.004), starts_at=now - HOUR)
    in_outage = report(category=no_water, where=point(lon, lat), now=now)
    OutageFactory(provider=world.water, area=square(lon + 0.02, lat, half=0.004), expected_end_at=None)
    no_end = report(category=no_water, where=point(lon + 0.02, lat), now=now)
    ended = OutageFactory(provider=world.water, area=square(lon - 0.02, lat, half=0.004))
    after_outage = report(category=no_water, where=point(lon - 0.02, lat), now=now)
    ended.ended_at = now + HOUR
    ended.save()

    original = report()
    duplicate = report()
    issue_transition(
        issue=duplicate,
        actor=world.dispatcher,
        action="merge",
        data=TransitionInput(duplicate_of=original, note="Та сама яма"),
    )

    asked = Category.objects.create(
        code="asked", group=world.pothole.group, name_uk="З питаннями", name_en="", sla_policy=world.standard
    )
    CategoryAttribute.objects.create(category=asked, code="depth", datatype="number", order=1, description_uk="Глибина")
    CategoryAttribute.objects.create(category=asked, code="lane", datatype="string", order=2, description_uk="Смуга")
    attributes = report(category=asked, attributes={"lane": "ліва", "depth": "12.5"})

    videos = report()
    for position, (kind, duration, poster, thumbnail) in enumerate(
        [("video", 12.0, "", ""), ("video", 3.25, "p.jpg", "t.jpg"), ("photo", None, "", "")]
    ):
        asset = MediaAsset.objects.create(
            kind=kind,
            status="ready",
            file=f"uploads/{kind}-{position}",
            thumbnail_file=thumbnail,
            poster_file=poster,
            content_type="video/mp4" if kind == "video" else "image/jpeg",
            size_bytes=1000,
            width=640 if kind == "photo" else None,
            height=480 if kind == "photo" else None,
            duration_seconds=duration,
            sha256="0" * 64,
            processed_at=now,
        )
        IssueMedia.objects.create(issue=videos, asset=asset, role="report", position=position)

    hidden = report()
    from issues.services.moderation import issue_set_hidden

    issue_set_hidden(issue=hidden, actor=world.dispatcher, hidden=True)
    waiting = report(reporter=world.other_citizen)
    Issue.objects.filter(pk=waiting.pk).update(awaiting_confirmation=True)
    held = report(category=asked, reporter=world.other_citizen)  # not routed: still new
    type(world.other_citizen).objects.filter(pk=world.other_citizen.pk).update(email_confirmed_at=None)
    world.other_citizen.refresh_from_db()
    return {
        "history": history.issue,
        "in outage": in_outage,
        "outage without an end": no_end,
        "after the outage": after_outage,
        "duplicate": duplicate,
        "original": original,
        "attributes": attributes,
        "videos": videos,
        "hidden": hidden,
        "waiting": waiting,
        "held": held,
    }


DETAIL_CASES = [
    "history",
    "in outage",
    "outage without an end",
    "after the outage",
    "duplicate",
    "attributes",
    "videos",
    "hidden",
    "waiting",
    "held",
]


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("who", [None, "citizen", "other_citizen", "dispatcher", "roads_staff"])
def test_the_issue_detail_answers_as_before(world, details, language, who):
    viewer = getattr(world, who) if who else None
    client = APIClient(headers={"accept-language": language})
    if viewer is not None:
        client.force_authenticate(viewer)
    for case in DETAIL_CASES:
        ref = details[case].ref
        expected = detail_before(ref=ref, language=language, viewer=viewer)
        response = client.get(f"/api/v1/issues/{ref}/")
        if expected is None:
            assert response.status_code == 404, case
            assert response.json()["code"] == "not_found"
        else:
            assert response.status_code == 200, case
            assert ordered(response.content) == expected, case
    assert client.get("/api/v1/issues/DRH-2026-999999/").status_code == 404
    assert detail_before(ref="DRH-2026-999999", language=language, viewer=viewer) is None


def test_the_issue_detail_cases_are_what_they_say(world, details):
    """The answers compared above hold what the fixture meant them to."""
    client = APIClient(headers={"accept-language": "en"})
    history = client.get(f"/api/v1/issues/{details['history'].ref}/").json()
    kinds = {item["kind"] for item in history["timeline"]}
    assert kinds >= {"routed", "reassigned", "category_changed", "comment", "status_changed", "media_added"}
    assert history["budget_project"] is not None and history["media"]
    outage = client.get(f"/api/v1/issues/{details['in outage'].ref}/").json()
    assert outage["outage"]["expected_end_at"] and outage["outage_notice"]
    assert (
        client.get(f"/api/v1/issues/{details['outage without an end'].ref}/").json()["outage"]["expected_end_at"]
        is None
    )
    after = client.get(f"/api/v1/issues/{details['after the outage'].ref}/").json()
    assert after["outage"]["ended_at"] and after["outage_notice"] is None
    assert client.get(f"/api/v1/issues/{details['duplicate'].ref}/").json()["duplicate_of"] == details["original"].ref
    assert client.get(f"/api/v1/issues/{details['attributes'].ref}/").json()["attributes"] == {
        "lane": "ліва",
        "depth": 12.5,
    }
    media = client.get(f"/api/v1/issues/{details['videos'].ref}/").json()["media"]
    assert [(m["thumbnail_url"] is None, m["poster_url"] is None, m["duration_seconds"]) for m in media] == [
        (True, True, 12.0),
        (False, False, 3.25),
        (False, True, None),
    ]
    held = APIClient()
    held.force_authenticate(world.other_citizen)
    assert held.get(f"/api/v1/issues/{details['held'].ref}/").json()["held_for_confirmation"] is True
    assert client.get(f"/api/v1/issues/{details['hidden'].ref}/").status_code == 404


def test_the_issue_detail_keeps_its_private_member_in(world, details):
    body = APIClient().get(f"/api/v1/issues/{details['history'].ref}/").content.decode()
    assert "_private" not in body and "reporter" not in body
