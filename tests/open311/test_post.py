"""POST requests: an Open311 report is an issue like any other — the same validation, routing,
deadlines, rate limits and notifications — created as the key's account, recording the key, with
the client's contact details kept private."""

from __future__ import annotations

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile

from accounts.api_keys import api_key_revoke
from accounts.models import ApiKey
from issues.models import Issue, IssueEvent
from media_store.models import MediaAsset
from open311.models import Open311Submission
from tests.factories import CENTRE_LAT, CENTRE_LON
from tests.gazetteer import gazetteer_make

pytestmark = pytest.mark.django_db

WEST = {"lat": str(CENTRE_LAT), "long": str(CENTRE_LON - 0.01)}


def form(api_key, **more):
    return {
        "api_key": api_key,
        "service_code": "pothole",
        **WEST,
        "address_string": "вул. Стрийська, 12",
        "description": "Яма на переході",
        **more,
    }


def test_a_post_creates_a_routed_issue_as_the_keys_account(world, questions, integrator, api_key, open311):
    data = open311.post(
        form(
            api_key,
            **{
                "attribute[depth]": "15",
                "attribute[where]": "roadway",
                "attribute[hazards][]": ["water", "edge"],
                "email": "olena@example.net",
                "first_name": "Олена",
                "last_name": "Коваль",
                "phone": "+380671234567",
                "device_id": "device-42",
                "account_id": "app-user-7",
                "media_url": "https://civic-app.example/photos/1.jpg",
                "jurisdiction_id": "drohobych.gov.ua",
            },
        )
    )
    issue = Issue.objects.get()
    assert data == [{"service_request_id": issue.ref, "service_notice": None, "account_id": None}]
    assert (issue.source, issue.reporter, issue.category, issue.status, issue.executor) == (
        "open311",
        integrator,
        world.pothole,
        "assigned",
        world.roads,
    )
    assert issue.description == "Яма на переході" and issue.address == "вул. Стрийська, 12"
    assert issue.district == world.west
    assert issue.response_due_at is not None and issue.resolve_due_at is not None
    assert issue.attributes == {"depth": 15, "where": "roadway", "hazards": ["water", "edge"]}
    assert [event.kind for event in issue.events.order_by("pk")] == ["created", "routed"]
    assert issue.events.get(kind="created").data == {"source": "open311", "held_for_email_confirmation": False}
    submission = Open311Submission.objects.get(issue=issue)
    assert submission.api_key == ApiKey.objects.get(user=integrator)
    assert (submission.email, submission.first_name, submission.last_name, submission.phone) == (
        "olena@example.net",
        "Олена",
        "Коваль",
        "+380671234567",
    )
    assert (submission.device_id, submission.account_id, submission.media_url) == (
        "device-42",
        "app-user-7",
        "https://civic-app.example/photos/1.jpg",
    )
    # None of it leaves again, in any answer.
    for path in (f"requests/{issue.ref}.json?extensions=true", f"requests/{issue.ref}.xml?extensions=true",
                 "servicerequestupdates.json"):  # fmt: skip
        body = open311.client.get(f"/open311/v2/{path}").content.decode()
        for private in ("olena", "Олена", "Коваль", "380671234567", "device-42", "app-user-7", "civic-app", "1.jpg"):
            assert private not in body, (path, private)
    detail = open311.get(f"requests/{issue.ref}", "service_requests_extended.json", extensions="true")[0]
    assert detail["media_url"] is None  # the client's media_url was never fetched, so it is not served
    assert [(a["code"], a["value"], [v["key"] for v in a["values"]]) for a in detail["attributes"]] == [
        ("depth", "15", []),
        ("where", None, ["roadway"]),
        ("hazards", None, ["water", "edge"]),
    ]


def test_a_post_notifies_like_a_report_from_the_map(world, report, integrator, api_key, open311, immediate_tasks):
    from django.test import TestCase

    def sent(reporter) -> list[tuple]:
        """Who got what, with the reporter's address as REPORTER (the two reports have different reporters)."""
        return sorted(
            tuple(sorted("REPORTER" if to == reporter.email else to for to in message.to)) for message in mail.outbox
        )

    with TestCase.captureOnCommitCallbacks(execute=True):
        report(category=world.manhole, reporter=world.citizen)
    by_map = sent(world.citizen)
    mail.outbox.clear()
    with TestCase.captureOnCommitCallbacks(execute=True):
        open311.post(form(api_key, service_code="open-manhole"))
    assert sent(integrator) == by_map
    assert ("water-staff@example.org",) in by_map  # the executor's staff were told


def test_the_xml_answer(world, api_key, open311):
    data = open311.post(form(api_key, service_code="playground"), fmt="xml")
    issue = Issue.objects.get()
    assert data == [{"service_request_id": issue.ref, "service_notice": "", "account_id": ""}]
    assert issue.status == "new"  # no rule for playgrounds: it waits for the dispatcher, like any report


def test_an_outage_notice_is_the_service_notice(world, api_key, open311):
    import datetime

    from django.utils import timezone

    from geo.models import OutageKind
    from tests.factories import OutageFactory, square

    world.manhole.outage_kind = OutageKind.WATER
    world.manhole.save()
    OutageFactory(
        kind=OutageKind.WATER,
        area=square(CENTRE_LON - 0.01, CENTRE_LAT, half=0.005),
        starts_at=timezone.now() - datetime.timedelta(hours=1),
        expected_end_at=None,
    )
    data = open311.post(form(api_key, service_code="open-manhole"))
    assert data[0]["service_notice"] == "Тут відоме відключення води."


def test_a_multipart_post_with_a_photo(world, api_key, open311):
    from tests.media_store.media import image_bytes

    world.playground.photo_required = True
    world.playground.save()
    photo = SimpleUploadedFile("swing.jpg", image_bytes(), content_type="image/jpeg")
    data = open311.post(form(api_key, service_code="playground", media=photo))
    issue = Issue.objects.get(ref=data[0]["service_request_id"])
    assert issue.media.get().asset.kind == "photo"
    detail = open311.get(f"requests/{issue.ref}", "service_requests.json")[0]
    assert detail["media_url"] == f"http://testserver/issues/pictures/{issue.media.get().asset.public_id}/web/"


def test_photo_required_without_a_photo_is_refused_like_on_the_map(world, api_key, open311):
    world.playground.photo_required = True
    world.playground.save()
    data = open311.post(form(api_key, service_code="playground"), status=400)
    assert data == [{"code": 400, "description": "media: Для такої проблеми потрібне фото."}]
    assert not Issue.objects.exists()


def test_a_refused_post_leaves_nothing(world, questions, api_key, open311):
    from tests.media_store.media import image_bytes

    photo = SimpleUploadedFile("p.jpg", image_bytes(), content_type="image/jpeg")
    data = open311.post(
        form(api_key, **{"attribute[depth]": "", "attribute[where]": "ceiling"}, media=photo), status=400
    )
    assert data == [
        {"code": 400, "description": "attribute[depth]: Дайте відповідь: Яка глибина ями, см?"},
        {"code": 400, "description": "attribute[where]: «Де саме яма?»: «ceiling» — не з переліку варіантів."},
    ]
    assert (Issue.objects.count(), IssueEvent.objects.count(), Open311Submission.objects.count()) == (0, 0, 0)
    assert not MediaAsset.objects.exists()


def test_the_service_checks_every_field(world, api_key, open311_en):
    data = open311_en.post(
        form(api_key, service_code="playground", description="", lat="49.84", long="24.03"), status=400
    )
    assert data == [
        {"code": 400, "description": "description: Please describe the problem."},
        {
            "code": 400,
            "description": "lat, long: This place is outside the community. We can only take reports from inside "
            "its boundary.",
        },
    ]
    shape = open311_en.post(
        {"api_key": api_key, "service_code": "playground", "address_string": "Ринок, 1", "email": "not-an-address"},
        status=400,
    )
    assert shape == [{"code": 400, "description": "email: not a valid e-mail address."}]
    assert not Issue.objects.exists()


def test_rate_limits_apply_per_account(world, api_key, open311, settings):
    settings.OPENCITY_REPORTS_PER_HOUR = 2
    open311.post(form(api_key, service_code="playground"))
    open311.post(form(api_key, service_code="playground"))
    data = open311.post(form(api_key, service_code="playground"), status=429)
    assert data == [
        {
            "code": 429,
            "description": "За останню годину ви надіслали багато звернень. Спробуйте трохи пізніше.",
        }
    ]
    assert Issue.objects.count() == 2


def test_a_revoked_key_opens_nothing(world, integrator, api_key, open311):
    api_key_revoke(key=ApiKey.objects.get(user=integrator))
    assert open311.post(form(api_key), status=403) == [{"code": 403, "description": "api_key: недійсний ключ."}]
    assert not Issue.objects.exists()


def test_a_key_of_a_deactivated_account_opens_nothing(world, integrator, api_key, open311):
    integrator.is_active = False
    integrator.save()
    assert open311.post(form(api_key), status=403) == [{"code": 403, "description": "api_key: недійсний ключ."}]


def test_the_key_may_come_in_the_query_string(world, api_key, open311):
    body = form(api_key, service_code="playground")
    del body["api_key"]
    answer = open311.client.post(f"/open311/v2/requests.json?api_key={api_key}", body)
    assert answer.status_code == 201
    assert Issue.objects.get().source == "open311"


def test_staff_can_erase_the_contact_details(world, api_key, open311, client):
    open311.post(form(api_key, service_code="playground", email="olena@example.net", phone="+380671234567"))
    submission = Open311Submission.objects.get()
    client.force_login(world.dispatcher)
    assert client.get("/admin/open311/open311submission/").status_code in (302, 403)  # not staff
    from tests.factories import UserFactory

    client.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))
    page = client.get(f"/admin/issues/issue/{submission.issue_id}/change/").content.decode()
    assert "olena@example.net" in page
    client.post("/admin/open311/open311submission/", {"action": "erase_contact", "_selected_action": [submission.pk]})
    submission.refresh_from_db()
    assert (submission.email, submission.phone, submission.api_key.user.username) == ("", "", "civic-app")


# --- Placed by the address alone (the gazetteer) --------------------------------------------------


def test_a_post_with_an_address_only_is_placed_through_the_gazetteer(world, api_key, open311):
    gazetteer_make()
    data = open311.post(
        {
            "api_key": api_key,
            "service_code": "playground",
            "address_string": "вул. Стрийська, 9",
            "description": "Гойдалка",
        }
    )
    issue = Issue.objects.get()
    assert data[0]["service_request_id"] == issue.ref
    assert (issue.point.x, issue.point.y) == (23.51, 49.348)
    assert issue.address == "вул. Стрийська, 9"  # as the client wrote it
    assert issue.district == world.east


def test_a_post_with_an_address_id_from_the_search_api(world, api_key, open311, client):
    gazetteer_make()
    found = client.get("/api/v1/addresses/", {"q": "Трускавецька 9"}).json()["results"][0]
    open311.post(
        {
            "api_key": api_key,
            "service_code": "playground",
            "address_id": str(found["address_id"]),
            "description": "Гойдалка",
        }
    )
    issue = Issue.objects.get()
    assert (issue.point.x, issue.point.y, issue.address) == (23.503, 49.346, "вул. Трускавецька, 9")


@pytest.mark.parametrize(
    ("params", "description"),
    [
        (
            {"address_string": "вул. Хрещатик, 1"},
            "address_string: “вул. Хрещатик, 1” was not found in the community's gazetteer; send lat and long instead.",
        ),
        (
            {"address_string": "вул. Стрийська, 999"},  # the street exists, that house does not: not guessed
            "address_string: “вул. Стрийська, 999” was not found in the community's gazetteer; send lat and long "
            "instead.",
        ),
        ({"address_id": "999999"}, "address_id: no address “999999” in the community's gazetteer."),
        ({"address_id": "abc"}, "address_id: no address “abc” in the community's gazetteer."),
    ],
)
def test_an_address_the_gazetteer_does_not_know_is_the_specs_400(world, api_key, open311_en, params, description):
    gazetteer_make()
    data = open311_en.post(
        {"api_key": api_key, "service_code": "playground", "description": "Гойдалка", **params}, status=400
    )
    assert data == [{"code": 400, "description": description}]
    assert not Issue.objects.exists()
    assert not Open311Submission.objects.exists()


def test_a_post_without_an_address_gets_one_from_the_gazetteer(world, api_key, open311):
    gazetteer_make()
    open311.post(
        {
            "api_key": api_key,
            "service_code": "playground",
            "lat": "49.34806",
            "long": "23.51010",
            "description": "Гойдалка",
        }
    )
    assert Issue.objects.get().address == "вул. Стрийська, 9"
