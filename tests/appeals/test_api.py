"""The appeals' REST API (issue 15, item 5): exact answers, field messages in the caller's language,
404 for whoever may not read an appeal, the council's actions, files, and query budgets."""

from __future__ import annotations

import datetime

import pytest
from rest_framework.test import APIClient

from accounts.models import User
from appeals.models import Appeal, AppealEvent
from appeals.rules.transitions import AppealStatus
from appeals.services import AppealInput, AppealTransitionInput, appeal_submit, appeal_transition
from media_store.models import MediaAsset
from media_store.services import media_intake
from tests.factories import UserFactory
from tests.media_store.media import image_bytes, upload
from tests.world import kyiv

pytestmark = pytest.mark.django_db

RECEIVED = kyiv(2027, 2, 10, 11, 0)  # a Wednesday
ADDRESS = "м. Дрогобич, вул. Шевченка, 5, кв. 2"


def client_for(user: User | None = None, language: str = "uk") -> APIClient:
    client = APIClient(headers={"accept-language": language})
    if user is not None:
        client.force_authenticate(user)
    return client


def complaint(**overrides) -> dict:
    return {
        "kind": "complaint",
        "subject": "Не вивозять сміття",
        "text": "Третій тиждень не вивозять сміття з двору на вул. Шевченка, 5.",
        "postal_address": ADDRESS,
        **overrides,
    }


def post_appeal(client: APIClient, body: dict, **headers):
    return client.post("/api/v1/appeals/", body, format="json", headers=headers)


def submit(author: User, **overrides) -> Appeal:
    """An appeal registered through the service (the API's own answers are tested below)."""
    values = {"kind": "complaint", "subject": "Яма у дворі", "text": "Глибока яма.", "postal_address": ADDRESS}
    return appeal_submit(author=author, data=AppealInput(**{**values, **overrides}))


def routed(appeals_city, *, unit=None, **overrides) -> Appeal:
    appeal = submit(appeals_city.author, **overrides)
    unit = unit or appeals_city.world.housing
    return appeal_transition(
        appeal=appeal, actor=appeals_city.clerk, action="route", data=AppealTransitionInput(unit=unit)
    )


def photo_of(user: User) -> MediaAsset:
    return media_intake(
        uploaded_file=upload(image_bytes("PNG", (40, 30)), "a.png", "image/png"), uploaded_by=user
    ).asset


def local(value: str) -> datetime.datetime:
    return datetime.datetime.fromisoformat(value)


# --- sending ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "extra", "ref", "due"),
    [
        ("proposal", {}, "DRH-A-2027-000001", kyiv(2027, 3, 12, 17, 0)),
        ("application", {}, "DRH-A-2027-000001", kyiv(2027, 3, 12, 17, 0)),
        ("complaint", {}, "DRH-A-2027-000001", kyiv(2027, 3, 12, 17, 0)),
        # 5 working days: Thu 11, Fri 12, Mon 15, Tue 16, Wed 17 February.
        ("information_request", {"postal_address": ""}, "DRH-I-2027-000001", kyiv(2027, 2, 17, 17, 0)),
        (
            "information_request",
            {"postal_address": "", "urgent": True, "urgent_reason": "Аварія на водогоні"},
            "DRH-I-2027-000001",
            RECEIVED + datetime.timedelta(hours=48),
        ),
    ],
)
def test_each_kind_is_registered_with_its_number_and_the_term_of_its_policy(
    appeals_city, monkeypatch, kind, extra, ref, due
):
    monkeypatch.setattr("django.utils.timezone.now", lambda: RECEIVED)
    response = post_appeal(client_for(appeals_city.author), complaint(kind=kind, **extra))
    assert response.status_code == 201, response.json()
    data = response.json()
    assert data["ref"] == ref
    assert data["status"] == "registered"
    assert data["kind"] == kind
    assert local(data["due_at"]) == due
    assert local(data["received_at"]) == RECEIVED
    assert data["subject"] == "Не вивозять сміття"
    assert data["links"] == {
        "self": f"/api/v1/appeals/{ref}/",
        "transitions": f"/api/v1/appeals/{ref}/transitions/",
        "shorter_term": f"/api/v1/appeals/{ref}/shorter-term/",
    }
    assert data["author_name"] == "Тарас Шевчук"
    assert data["available_actions"] == [] and data["may_ask_shorter_term"] is True
    assert [event["kind"] for event in data["timeline"]] == ["registered"]
    appeal = Appeal.objects.get()
    assert (appeal.ref, appeal.kind, appeal.due_at, appeal.urgent) == (ref, kind, due, bool(extra.get("urgent")))


def test_the_answer_lists_every_field_of_an_appeal(appeals_city):
    data = post_appeal(client_for(appeals_city.author), complaint(phone="+380971234567")).json()
    assert set(data) == {
        "ref", "kind", "kind_label", "status", "subject", "received_at", "due_at", "answered_at", "urgent",
        "extended", "unit", "links", "text", "author_name", "postal_address", "email", "phone", "privileged",
        "urgent_reason", "shorter_term_reason", "category", "forward_due_at", "closed_at", "answer", "outcome",
        "refusal_ground", "forwarded_to", "duplicate_of", "timeline", "attachments", "available_actions",
        "may_ask_shorter_term",
    }  # fmt: skip
    assert data["kind_label"] == "скарга"
    assert (data["postal_address"], data["phone"], data["email"]) == (
        ADDRESS,
        "+380971234567",
        appeals_city.author.email,
    )
    assert data["unit"] is None and data["category"] is None and data["duplicate_of"] is None


def test_the_postal_address_is_kept_with_the_account_and_not_asked_again(appeals_city):
    client = client_for(appeals_city.author)
    assert post_appeal(client, complaint()).status_code == 201
    appeals_city.author.refresh_from_db()
    assert appeals_city.author.postal_address == ADDRESS
    second = post_appeal(client, complaint(postal_address=""))
    assert second.status_code == 201
    assert second.json()["postal_address"] == ADDRESS


def test_an_upload_goes_with_the_appeal_privately(appeals_city):
    asset = photo_of(appeals_city.author)
    response = post_appeal(client_for(appeals_city.author), complaint(media=[str(asset.public_id)]))
    assert response.status_code == 201
    [attachment] = response.json()["attachments"]
    assert attachment["id"] == str(asset.public_id) and attachment["role"] == "appeal"
    ref = response.json()["ref"]
    assert attachment["url"] == f"/api/v1/appeals/{ref}/attachments/{asset.public_id}/"
    # Someone else's upload cannot be taken: 409, nothing registered.
    theirs = photo_of(appeals_city.world.other_citizen)
    refused = post_appeal(client_for(appeals_city.author), complaint(media=[str(theirs.public_id)]))
    assert refused.status_code == 409 and refused.json()["code"] == "media_unavailable"
    assert Appeal.objects.count() == 1


def test_a_retry_with_the_same_idempotency_key_returns_the_first_appeal(appeals_city):
    client = client_for(appeals_city.author)
    first = post_appeal(client, complaint(), **{"Idempotency-Key": "form-42"})
    again = post_appeal(client, complaint(), **{"Idempotency-Key": "form-42"})
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["ref"] == again.json()["ref"]
    assert Appeal.objects.count() == 1 and AppealEvent.objects.count() == 1
    too_long = post_appeal(client, complaint(), **{"Idempotency-Key": "x" * 65})
    assert too_long.status_code == 400 and set(too_long.json()["fields"]) == {"Idempotency-Key"}


# --- refusals with field messages in the caller's language ------------------------------------------


@pytest.mark.parametrize(
    ("language", "body", "fields"),
    [
        (
            "uk",
            complaint(postal_address=""),
            {"postal_address": ["Закон вимагає зазначити у зверненні вашу поштову адресу."]},
        ),
        (
            "en",
            complaint(postal_address=""),
            {"postal_address": ["The law asks for your postal address on an appeal."]},
        ),
        (
            "uk",
            complaint(urgent=True, urgent_reason="Терміново"),
            {"urgent": ["Протягом 48 годин відповідають лише на запит на інформацію."]},
        ),
        (
            "en",
            complaint(urgent=True, urgent_reason="Terminovo"),
            {"urgent": ["Only an information request can be answered within 48 hours."]},
        ),
        (
            "uk",
            complaint(subject="С" * 201),
            {"subject": ["Переконайтесь, що кількість символів в цьому полі не перевищує 200."]},
        ),
        ("en", complaint(subject="S" * 201), {"subject": ["Ensure this field has no more than 200 characters."]}),
        ("uk", complaint(kind="petition"), {"kind": ["Оберіть вид звернення."]}),
        ("en", complaint(kind="petition"), {"kind": ["Choose the kind of appeal."]}),
        ("uk", complaint(subject="  "), {"subject": ["Вкажіть, будь ласка, тему."]}),
        ("uk", {"kind": "complaint"}, {"subject": ["Це поле обов'язкове."], "text": ["Це поле обов'язкове."]}),
        ("en", complaint(category="no-such"), {"category": ["Unknown category “no-such”."]}),
        ("uk", complaint(media=["not-an-id"]), {"media.0": ["Має бути коректний UUID."]}),
        ("uk", complaint(urgent="maybe"), {"urgent": ["Має бути логічне значення (true або false)."]}),
    ],
)
def test_bad_input_is_a_400_with_messages_per_field_in_the_callers_language(appeals_city, language, body, fields):
    response = post_appeal(client_for(appeals_city.author, language), body)
    assert response.status_code == 400, response.json()
    assert response.json()["fields"] == fields
    assert not Appeal.objects.exists() and not AppealEvent.objects.exists()


def test_an_anonymous_caller_gets_401_and_an_unconfirmed_one_403(appeals_city):
    anonymous = client_for()
    assert post_appeal(anonymous, complaint()).status_code == 401
    assert anonymous.get("/api/v1/appeals/").status_code == 401
    unconfirmed = UserFactory(username="unconfirmed", first_name="Іван", last_name="Петренко", email_confirmed_at=None)
    response = post_appeal(client_for(unconfirmed), complaint())
    assert response.status_code == 403
    assert response.json()["code"] == "email_not_confirmed"
    assert response.json()["detail"] == ("Спершу підтвердьте свою адресу e-mail: на неї надійде відповідь.")
    assert not Appeal.objects.exists()


# --- reading ------------------------------------------------------------------------------------


def test_the_list_holds_only_the_callers_own_appeals(appeals_city):
    world = appeals_city.world
    mine = [submit(appeals_city.author), submit(appeals_city.author, kind="information_request", postal_address="")]
    theirs = submit(world.other_citizen, author_name="Інна Інша")
    data = client_for(appeals_city.author).get("/api/v1/appeals/").json()
    assert data["count"] == 2
    assert [row["ref"] for row in data["results"]] == [mine[1].ref, mine[0].ref]  # newest first
    assert set(data["results"][0]) == {
        "ref", "kind", "kind_label", "status", "subject", "received_at", "due_at", "answered_at", "urgent",
        "extended", "unit", "links",
    }  # fmt: skip
    others = client_for(world.other_citizen).get("/api/v1/appeals/").json()
    assert [row["ref"] for row in others["results"]] == [theirs.ref]
    # Staff see only their own appeals in "mine" too: none.
    assert client_for(world.water_staff).get("/api/v1/appeals/").json()["results"] == []
    assert client_for(appeals_city.clerk).get("/api/v1/appeals/").json()["results"] == []


def test_the_desk_and_the_units_lists(appeals_city):
    world = appeals_city.world
    with_housing = routed(appeals_city)
    with_roads = routed(appeals_city, unit=world.roads)
    waiting = submit(appeals_city.author)
    desk = client_for(appeals_city.clerk).get("/api/v1/appeals/?scope=desk").json()
    assert {row["ref"] for row in desk["results"]} == {with_housing.ref, with_roads.ref, waiting.ref}
    registered = client_for(appeals_city.clerk).get("/api/v1/appeals/?scope=desk&status=registered").json()
    assert [row["ref"] for row in registered["results"]] == [waiting.ref]
    unit = client_for(world.housing_staff).get("/api/v1/appeals/?scope=unit").json()
    assert [row["ref"] for row in unit["results"]] == [with_housing.ref]
    assert unit["results"][0]["unit"] == {"code": "housing", "name": "Управління ЖКГ"}
    citizen = client_for(appeals_city.author)
    assert citizen.get("/api/v1/appeals/?scope=desk").status_code == 403
    assert citizen.get("/api/v1/appeals/?scope=unit").status_code == 403
    assert client_for(world.housing_staff).get("/api/v1/appeals/?scope=desk").status_code == 403
    bad = citizen.get("/api/v1/appeals/?scope=everything")
    assert bad.status_code == 400 and set(bad.json()["fields"]) == {"scope"}


def test_an_appeal_is_read_by_its_author_the_clerks_and_its_unit_and_is_missing_for_everyone_else(appeals_city):
    world = appeals_city.world
    appeal = routed(appeals_city)
    path = f"/api/v1/appeals/{appeal.ref}/"
    for reader in (appeals_city.author, appeals_city.clerk, world.housing_staff):
        assert client_for(reader).get(path).status_code == 200
    for stranger in (world.other_citizen, world.water_staff, world.roads_staff, world.dispatcher, world.mayor):
        response = client_for(stranger).get(path)
        assert response.status_code == 404, stranger
        assert response.json() == {"code": "not_found", "detail": "Такого звернення немає.", "fields": {}}
        assert appeal.subject not in response.content.decode()
    assert client_for().get(path).status_code == 401
    assert client_for(appeals_city.author).get("/api/v1/appeals/DRH-A-2027-999999/").status_code == 404


# --- the council's actions -------------------------------------------------------------------------


def act(user: User, appeal: Appeal, language: str = "uk", **body):
    return client_for(user, language).post(f"/api/v1/appeals/{appeal.ref}/transitions/", body, format="json")


def test_the_clerk_routes_and_only_the_clerk_may(appeals_city):
    world = appeals_city.world
    appeal = submit(appeals_city.author)
    refused = act(appeals_city.author, appeal, action="route", unit="housing")
    assert refused.status_code == 403 and refused.json()["code"] == "action_forbidden"
    assert act(world.housing_staff, appeal, action="route", unit="housing").status_code == 404
    unknown_unit = act(appeals_city.clerk, appeal, "en", action="route", unit="nowhere")
    assert unknown_unit.status_code == 400
    assert unknown_unit.json()["fields"] == {"unit": ["Unknown executor “nowhere”."]}
    assert AppealEvent.objects.filter(appeal=appeal).count() == 1  # only "registered"
    response = act(appeals_city.clerk, appeal, action="route", unit="housing")
    assert response.status_code == 200
    data = response.json()
    assert data["status"] == "assigned" and data["unit"]["code"] == "housing"
    assert data["available_actions"] == ["reassign", "forward", "merge", "shorten"]
    unit_view = client_for(world.housing_staff).get(f"/api/v1/appeals/{appeal.ref}/").json()
    assert unit_view["available_actions"] == ["return", "answer", "refuse", "forward", "extend", "shorten"]
    # Routing again is not possible once assigned: 409, nothing changes.
    again = act(appeals_city.clerk, appeal, action="route", unit="roads")
    assert again.status_code == 409 and again.json()["code"] == "transition_not_allowed"
    assert Appeal.objects.get(pk=appeal.pk).unit == world.housing


def test_an_action_with_bad_input_is_a_400_and_changes_nothing(appeals_city):
    appeal = routed(appeals_city)
    unknown = act(appeals_city.clerk, appeal, "en", action="fly")
    assert unknown.status_code == 400 and unknown.json()["fields"] == {"action": ["Unknown action."]}
    no_answer = act(appeals_city.world.housing_staff, appeal, "en", action="answer", outcome="explained")
    assert no_answer.status_code == 400 and set(no_answer.json()["fields"]) == {"answer"}
    not_theirs = submit(appeals_city.world.other_citizen, author_name="Інна Інша")
    # The earlier appeal must be the same person's (and one the clerk can name at all).
    merge = act(appeals_city.clerk, appeal, "en", action="merge", duplicate_of=not_theirs.ref)
    assert merge.status_code == 400
    assert merge.json()["fields"] == {"duplicate_of": ["Only an appeal by the same person can be merged into it."]}
    missing = act(appeals_city.clerk, appeal, "en", action="merge", duplicate_of="DRH-A-2027-999999")
    assert missing.json()["fields"] == {"duplicate_of": ["No appeal with the number “DRH-A-2027-999999”."]}
    assert Appeal.objects.get(pk=appeal.pk).status == AppealStatus.ASSIGNED
    assert AppealEvent.objects.filter(appeal=appeal).count() == 2  # registered, routed


def test_the_unit_answers_with_a_file_and_the_author_reads_and_downloads_it(appeals_city):
    world = appeals_city.world
    appeal = routed(appeals_city)
    # An internal step first: the unit hands it back, the clerk routes it again.
    assert act(world.housing_staff, appeal, action="return", note="Не наше питання").status_code == 200
    assert act(appeals_city.clerk, appeal, action="route", unit="housing").status_code == 200
    answer_file = photo_of(world.housing_staff)
    response = act(
        world.housing_staff,
        appeal,
        action="answer",
        answer="Сміття вивезено, графік відновлено.",
        outcome="supported",
        media=[str(answer_file.public_id)],
    )
    assert response.status_code == 200, response.json()
    assert response.json()["status"] == "answered" and response.json()["available_actions"] == []

    detail = client_for(appeals_city.author).get(f"/api/v1/appeals/{appeal.ref}/").json()
    assert detail["status"] == "answered"
    assert detail["answer"] == "Сміття вивезено, графік відновлено." and detail["outcome"] == "supported"
    [attachment] = detail["attachments"]
    assert attachment["role"] == "answer" and attachment["id"] == str(answer_file.public_id)
    # The author does not see the unit handing it back; the clerk does.
    author_steps = [(e["kind"], e["to_status"]) for e in detail["timeline"]]
    assert ("status_changed", "registered") not in author_steps
    assert author_steps[0] == ("registered", "registered") and author_steps[-1][0] == "attachment_added"
    clerk_steps = client_for(appeals_city.clerk).get(f"/api/v1/appeals/{appeal.ref}/").json()["timeline"]
    assert ("status_changed", "registered") in [(e["kind"], e["to_status"]) for e in clerk_steps]
    assert len(clerk_steps) == len(author_steps) + 1

    download = client_for(appeals_city.author).get(attachment["url"])
    assert download.status_code == 200
    assert download["Content-Type"] == "image/png"
    assert download["Content-Disposition"].startswith("attachment;")
    answer_file.refresh_from_db()
    with answer_file.file.open("rb") as stored:
        assert b"".join(download.streaming_content) == stored.read()
    for stranger in (world.other_citizen, world.water_staff):
        assert client_for(stranger).get(attachment["url"]).status_code == 404
    assert client_for().get(attachment["url"]).status_code == 401
    # Another appeal's number with this file: not found either.
    own_other = submit(appeals_city.author)
    other_path = f"/api/v1/appeals/{own_other.ref}/attachments/{answer_file.public_id}/"
    assert client_for(appeals_city.author).get(other_path).status_code == 404


def test_an_extension_past_45_days_is_refused_on_last_day(appeals_city):
    appeal = routed(appeals_city)
    staff = appeals_city.world.housing_staff
    too_late = (appeal.received_at + datetime.timedelta(days=50)).date()
    before = (appeal.due_at, AppealEvent.objects.filter(appeal=appeal).count())
    response = act(staff, appeal, "en", action="extend", note="Потрібна перевірка", last_day=too_late.isoformat())
    assert response.status_code == 400
    assert response.json()["code"] == "term_beyond_longest"
    [message] = response.json()["fields"]["last_day"]
    assert message.startswith("The law allows at most ")
    appeal.refresh_from_db()
    assert (appeal.due_at, AppealEvent.objects.filter(appeal=appeal).count()) == before
    assert not appeal.extended
    granted = act(staff, appeal, action="extend", note="Потрібна перевірка")  # the longest the law allows
    assert granted.status_code == 200
    assert granted.json()["extended"] is True and local(granted.json()["due_at"]) > before[0]


def test_the_author_asks_for_a_shorter_term(appeals_city):
    world = appeals_city.world
    appeal = routed(appeals_city)
    path = f"/api/v1/appeals/{appeal.ref}/shorter-term/"
    blank = client_for(appeals_city.author, "en").post(path, {"reason": " "}, format="json")
    assert blank.status_code == 400
    assert blank.json()["fields"] == {"reason": ["Please say why you need the answer sooner."]}
    assert client_for(appeals_city.clerk).post(path, {"reason": "Так треба"}, format="json").status_code == 403
    assert client_for(world.other_citizen).post(path, {"reason": "Так треба"}, format="json").status_code == 404
    response = client_for(appeals_city.author).post(path, {"reason": "Суд призначено на 1 березня"}, format="json")
    assert response.status_code == 200
    assert response.json()["shorter_term_reason"] == "Суд призначено на 1 березня"
    assert response.json()["timeline"][-1]["kind"] == "shorter_term_asked"
    # The clerk grants it (without a day: the short term the law gives).
    granted = act(appeals_city.clerk, appeal, action="shorten")
    assert granted.status_code == 200
    assert local(granted.json()["due_at"]) < local(response.json()["due_at"])


# --- query budgets ------------------------------------------------------------------------------
# Measured when set (the caller's groups and unit, the count, the page; the appeal, its timeline,
# its files), and the same for one row or many.
LIST_BUDGET = 4
DETAIL_BUDGET = 6


def test_the_list_takes_the_same_queries_for_one_appeal_or_many(appeals_city, django_assert_max_num_queries):
    world = appeals_city.world
    counts = []
    # The request log remembers an account's role for a minute: warm that up, as a live server is.
    assert client_for(User.objects.get(pk=appeals_city.clerk.pk)).get("/api/v1/appeals/").status_code == 200
    for extra, unit in ((1, world.housing), (6, world.roads)):
        for _ in range(extra):
            routed(appeals_city, unit=unit)
        # A fresh user each time, as a request loads it (force_authenticate would keep its caches).
        client = client_for(User.objects.get(pk=appeals_city.clerk.pk))
        with django_assert_max_num_queries(LIST_BUDGET) as captured:
            answer = client.get("/api/v1/appeals/?scope=desk")
        assert answer.status_code == 200 and answer.json()["count"] == len(answer.json()["results"])
        counts.append(len(captured))
    assert counts[0] == counts[1]
    assert answer.json()["count"] == 7


def test_the_detail_takes_the_same_queries_for_a_short_or_long_history(appeals_city, django_assert_max_num_queries):
    counts = []
    for steps in (0, 3):
        appeal = routed(appeals_city)
        for _ in range(steps):
            appeal = appeal_transition(
                appeal=appeal,
                actor=appeals_city.world.housing_staff,
                action="return",
                data=AppealTransitionInput(note="x"),
            )
            appeal = appeal_transition(
                appeal=appeal,
                actor=appeals_city.clerk,
                action="route",
                data=AppealTransitionInput(unit=appeals_city.world.housing),
            )
        appeal_transition(
            appeal=appeal,
            actor=appeals_city.world.housing_staff,
            action="extend",
            data=AppealTransitionInput(
                note="x", media=tuple(photo_of(appeals_city.world.housing_staff) for _ in range(steps))
            ),
        )
        client = client_for(User.objects.get(pk=appeals_city.world.housing_staff.pk))
        with django_assert_max_num_queries(DETAIL_BUDGET) as captured:
            assert client.get(f"/api/v1/appeals/{appeal.ref}/").status_code == 200
        counts.append(len(captured))
    assert counts[0] == counts[1]


@pytest.mark.parametrize(
    ("action", "last_day"), [("extend", "9999-12-31"), ("shorten", "0001-01-01"), ("extend", "2027-02-30")]
)
def test_a_last_day_far_out_of_range_is_a_400_not_a_500(appeals_city, action, last_day):
    appeal = routed(appeals_city)
    response = act(appeals_city.world.housing_staff, appeal, action=action, note="x", last_day=last_day)
    assert response.status_code == 400, response.content
    assert set(response.json()["fields"]) == {"last_day"}


def test_past_the_hourly_limit_the_api_answers_429_with_retry_after(appeals_city, settings):
    settings.OPENCITY_APPEALS_PER_HOUR = 1
    client = client_for(appeals_city.author)
    assert post_appeal(client, complaint()).status_code == 201
    refused = post_appeal(client, complaint(subject="Ще одне"))
    assert refused.status_code == 429
    assert refused.json()["code"] == "rate_limited"
    assert refused.json()["detail"].startswith("Ви надіслали багато звернень за останню годину.")
    assert int(refused["Retry-After"]) > 0
    assert Appeal.objects.count() == 1


def test_an_unknown_appeal_is_a_404_with_a_code_and_a_message(appeals_city):
    response = client_for(appeals_city.author).get("/api/v1/appeals/DRH-A-2027-999999/")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
    assert response.json()["detail"]
