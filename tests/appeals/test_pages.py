"""The appeals' pages (issue 15, items 2 and 3): the citizen's form, the acknowledgement, "my
appeals", an appeal's page and its files, the general department's desk and the unit's queue, each
action through the pages, and the query budgets of the lists."""

from __future__ import annotations

import datetime
import uuid

import pytest
from django.core import mail
from django.utils import timezone

from appeals.models import Appeal, AppealAttachment, AppealEvent, AppealEventKind, AttachmentRole
from appeals.rules.transitions import AppealAction, AppealStatus
from appeals.services import AppealInput, AppealTransitionInput, appeal_submit, appeal_transition
from issues.models import RoutingRule
from media_store.models import MediaAsset
from tests.factories import UserFactory
from tests.media_store.media import image_bytes, upload

pytestmark = pytest.mark.django_db

ADDRESS = "м. Дрогобич, вул. Шевченка, 5, кв. 2"


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    return tmp_path / "media"


def _complaint(author, **overrides) -> Appeal:
    values = {
        "kind": "complaint",
        "subject": "Не вивозять сміття",
        "text": "Третій тиждень.",
        "postal_address": ADDRESS,
    }
    return appeal_submit(author=author, data=AppealInput(**{**values, **overrides}))


def _request(author, **overrides) -> Appeal:
    values = {"kind": "information_request", "subject": "Кошторис", "text": "Прошу надати кошторис ремонту."}
    return appeal_submit(author=author, data=AppealInput(**{**values, **overrides}))


def _routed(appeals_city, appeal: Appeal) -> Appeal:
    return appeal_transition(
        appeal=appeal,
        actor=appeals_city.clerk,
        action=AppealAction.ROUTE,
        data=AppealTransitionInput(unit=appeals_city.world.roads),
    )


def _text(response) -> str:
    return response.content.decode()


# --- the front doors and the form -------------------------------------------------------------------


def test_the_index_shows_both_front_doors_and_the_terms_from_the_policies(appeals_city, client):
    response = client.get("/appeals/")
    assert response.status_code == 200
    text = _text(response)
    assert "Електронне звернення" in text
    assert "Запит на публічну інформацію" in text
    assert "30 календарних днів" in text and "45 календарних днів" in text
    assert "5 робочих днів" in text and "48 годин" in text and "20 робочих днів" in text
    assert "/appeals/new/?kind=information_request" in text
    assert "/dashboard/appeals/" in text and "Звернення в цифрах" in text  # the public figures


def test_the_form_is_prefilled_from_the_account(appeals_city, client):
    author = appeals_city.author
    author.postal_address = ADDRESS
    author.phone = "+380501112233"
    author.save()
    client.force_login(author)
    response = client.get("/appeals/new/?kind=information_request")
    assert response.status_code == 200
    form = response.context["form"]
    assert form["kind"].value() == "information_request"
    assert form["author_name"].value() == "Тарас Шевчук"
    assert form["postal_address"].value() == ADDRESS
    assert form["phone"].value() == "+380501112233"
    assert "<h1>Запит на публічну інформацію</h1>" in _text(response)


def test_an_unconfirmed_account_is_told_to_confirm_first_and_cannot_file(appeals_city, client):
    unconfirmed = UserFactory(username="unconfirmed", email_confirmed_at=None)
    client.force_login(unconfirmed)
    page = client.get("/appeals/new/?kind=complaint")
    assert page.status_code == 200
    assert "/accounts/confirm/resend/" in _text(page)
    assert "form" not in page.context or page.context.get("form") is None
    refused = client.post("/appeals/new/", {"kind": "information_request", "subject": "S", "text": "T"})
    assert refused.status_code == 403
    assert not Appeal.objects.exists()


def test_the_form_needs_signing_in(appeals_city, client):
    response = client.get("/appeals/new/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_errors_come_back_per_field_and_nothing_typed_is_lost(appeals_city, client):
    nameless = UserFactory(username="nameless", first_name="", last_name="")
    client.force_login(nameless)
    response = client.post(
        "/appeals/new/",
        {"kind": "complaint", "subject": "Шум уночі", "text": "Сусіди шумлять.", "phone": "+380501112233"},
    )
    assert response.status_code == 400
    form = response.context["form"]
    assert form.errors["author_name"] == ["Закон вимагає зазначити у зверненні ваше прізвище, ім'я та по батькові."]
    assert form.errors["postal_address"] == ["Закон вимагає зазначити у зверненні вашу поштову адресу."]
    assert form["subject"].value() == "Шум уночі"
    assert form["text"].value() == "Сусіди шумлять."
    assert form["phone"].value() == "+380501112233"
    assert not Appeal.objects.exists()


def test_urgent_is_for_information_requests_only(appeals_city, client):
    client.force_login(appeals_city.author)
    response = client.post(
        "/appeals/new/",
        {"kind": "proposal", "subject": "S", "text": "T", "postal_address": ADDRESS, "urgent": "on"},
    )
    assert response.status_code == 400
    assert list(response.context["form"].errors) == ["urgent", "urgent_reason"]


def test_a_refused_photo_is_an_error_on_the_files_field(appeals_city, client):
    client.force_login(appeals_city.author)
    fake = upload(b"%PDF-1.4 not a photo", "scan.pdf", "application/pdf")
    response = client.post(
        "/appeals/new/",
        {"kind": "information_request", "subject": "S", "text": "T", "files": [fake]},
    )
    assert response.status_code == 400
    assert response.context["form"].errors["files"]
    assert not Appeal.objects.exists() and not MediaAsset.objects.exists()


def test_filing_leads_to_the_acknowledgement_with_the_number_and_the_due_date(appeals_city, client):
    client.force_login(appeals_city.author)
    photo = upload(image_bytes("PNG", (40, 30)), "p.png", "image/png")
    response = client.post(
        "/appeals/new/",
        {
            "kind": "complaint",
            "subject": "Не вивозять сміття",
            "text": "Третій тиждень не вивозять сміття.",
            "author_name": "Тарас Шевчук",
            "postal_address": ADDRESS,
            "shorter_term_reason": "Сміття гниє біля дитячого майданчика",
            "files": [photo],
        },
    )
    appeal = Appeal.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/appeals/{appeal.ref}/"
    assert appeal.shorter_term_reason == "Сміття гниє біля дитячого майданчика"
    assert appeal.attachments.get().role == AttachmentRole.APPEAL
    appeals_city.author.refresh_from_db()
    assert appeals_city.author.postal_address == ADDRESS  # kept for the next appeal
    page = client.get(response["Location"])
    text = _text(page)
    assert appeal.ref in text
    local_due = timezone.localtime(appeal.due_at)
    months = ["", "січня", "лютого", "березня", "квітня", "травня", "червня", "липня", "серпня", "вересня",
              "жовтня", "листопада", "грудня"]  # fmt: skip
    assert f"{local_due.day} {months[local_due.month]} {local_due.year}, {local_due:%H:%M}" in text
    assert "Зареєстровано" in text


# --- my appeals ----------------------------------------------------------------------------------------


def test_my_appeals_lists_only_ones_own(appeals_city, client):
    mine = _complaint(appeals_city.author)
    theirs = _complaint(appeals_city.world.citizen, subject="Чуже звернення", author_name="Іван Франко")
    client.force_login(appeals_city.author)
    response = client.get("/appeals/mine/")
    assert response.status_code == 200
    assert [row["appeal"].ref for row in response.context["rows"]] == [mine.ref]
    assert theirs.ref not in _text(response) and "Чуже звернення" not in _text(response)


def test_my_appeals_marks_overdue_and_is_paged(appeals_city, client):
    long_ago = timezone.now() - datetime.timedelta(days=60)
    old = appeal_submit(
        author=appeals_city.author,
        data=AppealInput(kind="information_request", subject="Давній", text="T"),
        now=long_ago,
    )
    for n in range(20):
        _request(appeals_city.author, subject=f"Запит {n}")
    client.force_login(appeals_city.author)
    first = client.get("/appeals/mine/")
    assert len(first.context["rows"]) == 20
    second = client.get("/appeals/mine/?page=2")
    assert [(row["appeal"].ref, row["state"]) for row in second.context["rows"]] == [(old.ref, "overdue")]
    assert "Прострочено" in _text(second)


def test_my_appeals_query_budget(appeals_city, client, django_assert_max_num_queries):
    for n in range(12):
        _request(appeals_city.author, subject=f"Запит {n}")
    client.force_login(appeals_city.author)
    client.get("/appeals/mine/")  # sessions and the like warmed up
    with django_assert_max_num_queries(6):
        assert client.get("/appeals/mine/").status_code == 200


# --- one appeal: who sees it, its files, the shorter term ------------------------------------------------


def test_the_detail_is_not_found_for_anyone_else(appeals_city, client):
    appeal = _routed(appeals_city, _complaint(appeals_city.author))
    for user in (appeals_city.world.citizen, appeals_city.world.water_staff, appeals_city.world.dispatcher):
        client.force_login(user)
        assert client.get(f"/appeals/{appeal.ref}/").status_code == 404
    client.force_login(appeals_city.world.roads_staff)
    assert client.get(f"/appeals/{appeal.ref}/").status_code == 200
    client.force_login(appeals_city.clerk)
    assert client.get(f"/appeals/{appeal.ref}/").status_code == 200


def test_the_author_sees_only_the_steps_meant_for_them(appeals_city, client):
    appeal = _routed(appeals_city, _complaint(appeals_city.author))
    appeal = appeal_transition(
        appeal=appeal,
        actor=appeals_city.world.roads_staff,
        action=AppealAction.RETURN,
        data=AppealTransitionInput(note="Не наше: це управління ЖКГ"),
    )
    client.force_login(appeals_city.author)
    author_view = client.get(f"/appeals/{appeal.ref}/")
    summaries = [item["summary"] for item in author_view.context["timeline"]]
    assert summaries == ["Зареєстровано", "Передано до підрозділу: Дорожня служба"]
    assert "Не наше" not in _text(author_view)
    assert author_view.context["actions"] == []
    client.force_login(appeals_city.clerk)
    clerk_view = client.get(f"/appeals/{appeal.ref}/")
    assert [item["summary"] for item in clerk_view.context["timeline"]][-1] == "Повернуто до загального відділу"
    assert "Не наше" in _text(clerk_view)
    assert clerk_view.context["actions"] == ["route", "shorten", "forward", "merge"]


def test_attachments_are_served_to_those_who_may_read_the_appeal_only(appeals_city, client):
    client.force_login(appeals_city.author)
    photo = upload(image_bytes("PNG", (40, 30)), "p.png", "image/png")
    client.post(
        "/appeals/new/",
        {"kind": "information_request", "subject": "S", "text": "T", "files": [photo]},
    )
    appeal = Appeal.objects.get()
    link = appeal.attachments.select_related("asset").get()
    url = f"/appeals/{appeal.ref}/files/{link.asset.public_id}/"
    assert url in _text(client.get(f"/appeals/{appeal.ref}/"))
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert response["Content-Disposition"] == f'inline; filename="{appeal.ref}-appeal-{link.pk}.png"'
    assert response["Cache-Control"] == "private, no-store"
    assert b"".join(response.streaming_content).startswith(b"\x89PNG")
    assert client.get(f"/appeals/{appeal.ref}/files/{uuid.uuid4()}/").status_code == 404
    for user in (appeals_city.world.citizen, appeals_city.world.roads_staff):
        client.force_login(user)
        assert client.get(url).status_code == 404
    client.logout()
    assert client.get(url).status_code == 302


def test_the_author_asks_for_a_shorter_term(appeals_city, client):
    appeal = _complaint(appeals_city.author)
    client.force_login(appeals_city.author)
    empty = client.post(f"/appeals/{appeal.ref}/shorter-term/", {"reason": ""})
    assert empty.status_code == 400
    assert empty.context["shorter_form"].errors["reason"]
    response = client.post(f"/appeals/{appeal.ref}/shorter-term/", {"reason": "Операція через тиждень"})
    assert response.status_code == 302
    appeal.refresh_from_db()
    assert appeal.shorter_term_reason == "Операція через тиждень"
    assert appeal.events.filter(kind=AppealEventKind.SHORTER_TERM_ASKED).count() == 1
    client.force_login(appeals_city.world.citizen)
    assert client.post(f"/appeals/{appeal.ref}/shorter-term/", {"reason": "x"}).status_code == 404


# --- the desk ------------------------------------------------------------------------------------------


def test_the_desk_is_for_clerks(appeals_city, client):
    assert client.get("/appeals/desk/").status_code == 302
    for user in (appeals_city.world.roads_staff, appeals_city.world.dispatcher, appeals_city.author):
        client.force_login(user)
        assert client.get("/appeals/desk/").status_code == 403
    client.force_login(appeals_city.clerk)
    assert client.get("/appeals/desk/").status_code == 200


def test_the_desk_puts_registered_first_by_due_date_with_the_suggestion(appeals_city, client):
    world = appeals_city.world
    RoutingRule.objects.create(category=world.pothole, executor=world.roads)
    routed = _routed(appeals_city, _complaint(appeals_city.author, subject="Вже в підрозділі"))
    complaint = _complaint(appeals_city.author, category=world.pothole)  # due in 30 days
    request = _request(appeals_city.author)  # due in 5 working days
    client.force_login(appeals_city.clerk)
    response = client.get("/appeals/desk/")
    rows = response.context["rows"]
    assert [row["appeal"].ref for row in rows] == [request.ref, complaint.ref, routed.ref]
    assert rows[1]["suggestion"] == world.roads
    assert rows[0]["suggestion"] is None
    text = _text(response)
    assert "Передати іншому органу до" in text
    assert 'value="roads" selected' in text
    only_requests = client.get("/appeals/desk/?kind=information_request")
    assert [row["appeal"].ref for row in only_requests.context["rows"]] == [request.ref]
    assigned = client.get("/appeals/desk/?status=assigned")
    assert [row["appeal"].ref for row in assigned.context["rows"]] == [routed.ref]
    assert client.get("/appeals/desk/?overdue=on").context["rows"] == []


def test_the_desk_query_budget(appeals_city, client, django_assert_max_num_queries):
    world = appeals_city.world
    RoutingRule.objects.create(category=world.pothole, executor=world.roads)
    for n in range(8):
        _complaint(appeals_city.author, subject=f"Скарга {n}", category=world.pothole)
        _routed(appeals_city, _request(appeals_city.author, subject=f"Запит {n}"))
    client.force_login(appeals_city.clerk)
    client.get("/appeals/desk/")
    with django_assert_max_num_queries(9):
        response = client.get("/appeals/desk/")
    assert len(response.context["rows"]) == 16


def _act(client, appeal: Appeal, **data):
    return client.post(f"/appeals/{appeal.ref}/act/", data)


def test_the_clerk_routes_forwards_merges_and_shortens_from_the_desk(
    appeals_city, client, immediate_tasks, django_capture_on_commit_callbacks
):
    world = appeals_city.world
    first = _complaint(appeals_city.author, subject="Перше")
    repeat = _complaint(appeals_city.author, subject="Повторне")
    elsewhere = _request(appeals_city.author, subject="Не нашого органу")
    hurried = _complaint(appeals_city.author, subject="Термінове", shorter_term_reason="Операція")
    client.force_login(appeals_city.clerk)

    routed = _act(client, first, action="route", unit="roads", next="/appeals/desk/")
    assert routed.status_code == 302 and routed["Location"] == "/appeals/desk/"
    first.refresh_from_db()
    assert (first.status, first.unit) == (AppealStatus.ASSIGNED, world.roads)

    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        forwarded = _act(
            client, elsewhere, action="forward", forwarded_to="Держгеокадастр", note="Надіслано за належністю"
        )
    assert forwarded.status_code == 302
    elsewhere.refresh_from_db()
    assert (elsewhere.status, elsewhere.forwarded_to) == (AppealStatus.FORWARDED, "Держгеокадастр")
    assert [m.to for m in mail.outbox] == [[appeals_city.author.email]]

    merged = _act(client, repeat, action="merge", duplicate_of=first.ref.lower())
    assert merged.status_code == 302
    repeat.refresh_from_db()
    assert (repeat.status, repeat.duplicate_of) == (AppealStatus.MERGED, first)

    due_before = hurried.due_at
    shortened = _act(client, hurried, action="shorten")
    assert shortened.status_code == 302
    hurried.refresh_from_db()
    assert hurried.due_at < due_before and hurried.status == AppealStatus.REGISTERED


def test_a_refused_desk_action_shows_its_message_keeps_the_input_and_changes_nothing(appeals_city, client):
    appeal = _complaint(appeals_city.author)
    events = AppealEvent.objects.count()
    client.force_login(appeals_city.clerk)
    no_unit = _act(client, appeal, action="route", unit="")
    assert no_unit.status_code == 400
    assert no_unit.context["action_errors"] == ["Оберіть, будь ласка, структурний підрозділ."]
    unknown = _act(client, appeal, action="merge", duplicate_of="DRH-A-2000-999999")
    assert unknown.status_code == 400
    assert "DRH-A-2000-999999" in _text(unknown)  # typed value kept in the merge form
    not_now = _act(client, appeal, action="answer", answer="Відповідь", outcome="supported")
    assert not_now.status_code == 403
    assert not_now.context["action_errors"] == ["Ви не можете зробити це з цим зверненням."]
    appeal.refresh_from_db()
    assert appeal.status == AppealStatus.REGISTERED
    assert AppealEvent.objects.count() == events


# --- the unit's queue ----------------------------------------------------------------------------------


def test_the_queue_is_for_a_units_staff_and_shows_its_own(appeals_city, client):
    assert client.get("/appeals/queue/").status_code == 302
    for user in (appeals_city.clerk, appeals_city.author):
        client.force_login(user)
        assert client.get("/appeals/queue/").status_code == 403
    ours = _routed(appeals_city, _request(appeals_city.author))
    theirs = appeal_transition(
        appeal=_complaint(appeals_city.author),
        actor=appeals_city.clerk,
        action=AppealAction.ROUTE,
        data=AppealTransitionInput(unit=appeals_city.world.water),
    )
    _complaint(appeals_city.author)  # registered, with no unit yet
    client.force_login(appeals_city.world.roads_staff)
    response = client.get("/appeals/queue/")
    assert response.status_code == 200
    assert [row["appeal"].ref for row in response.context["rows"]] == [ours.ref]
    assert theirs.ref not in _text(response)


def test_the_queue_marks_due_soon_and_overdue(appeals_city, client):
    now = timezone.now()
    old = appeal_submit(
        author=appeals_city.author,
        data=AppealInput(kind="information_request", subject="Давній", text="T"),
        now=now - datetime.timedelta(days=40),
    )
    _routed(appeals_city, old)
    urgent = AppealInput(kind="information_request", subject="Аварія", text="T", urgent=True, urgent_reason="Аварія")
    # 48 hours from 30 hours ago: within the 24 hours' warning window
    soon = _routed(
        appeals_city, appeal_submit(author=appeals_city.author, data=urgent, now=now - datetime.timedelta(hours=30))
    )
    later = _routed(appeals_city, _complaint(appeals_city.author))
    client.force_login(appeals_city.world.roads_staff)
    rows = client.get("/appeals/queue/").context["rows"]
    assert [(row["appeal"].ref, row["state"]) for row in rows] == [
        (old.ref, "overdue"),
        (soon.ref, "soon"),
        (later.ref, ""),
    ]


def test_the_queue_query_budget(appeals_city, client, django_assert_max_num_queries):
    for n in range(10):
        _routed(appeals_city, _request(appeals_city.author, subject=f"Запит {n}"))
    client.force_login(appeals_city.world.roads_staff)
    client.get("/appeals/queue/")
    with django_assert_max_num_queries(7):
        response = client.get("/appeals/queue/")
    assert len(response.context["rows"]) == 10


def test_the_unit_answers_with_an_attachment_and_the_author_reads_it(
    appeals_city, client, immediate_tasks, django_capture_on_commit_callbacks
):
    appeal = _routed(appeals_city, _complaint(appeals_city.author))
    client.force_login(appeals_city.world.roads_staff)
    page = client.get(f"/appeals/{appeal.ref}/")
    assert page.context["actions"] == ["answer", "extend", "shorten", "refuse", "forward", "return"]
    mail.outbox.clear()
    scan = upload(image_bytes("PNG", (60, 80)), "answer.png", "image/png")
    with django_capture_on_commit_callbacks(execute=True):
        response = _act(
            client,
            appeal,
            action="answer",
            answer="Вивезення відновлено з понеділка.",
            outcome="supported",
            files=[scan],
        )
    assert response.status_code == 302
    appeal.refresh_from_db()
    assert (appeal.status, appeal.outcome) == (AppealStatus.ANSWERED, "supported")
    link = AppealAttachment.objects.select_related("asset").get(appeal=appeal)
    assert link.role == AttachmentRole.ANSWER
    assert [m.to for m in mail.outbox] == [[appeals_city.author.email]]
    client.force_login(appeals_city.author)
    text = _text(client.get(f"/appeals/{appeal.ref}/"))
    assert "Вивезення відновлено з понеділка." in text
    assert f"/appeals/{appeal.ref}/files/{link.asset.public_id}/" in text
    assert client.get(f"/appeals/{appeal.ref}/files/{link.asset.public_id}/").status_code == 200


def test_the_unit_extends_with_reasons_and_the_author_is_told(
    appeals_city, client, immediate_tasks, django_capture_on_commit_callbacks
):
    appeal = _routed(appeals_city, _request(appeals_city.author))
    client.force_login(appeals_city.world.roads_staff)
    no_reason = _act(client, appeal, action="extend")
    assert no_reason.status_code == 400
    assert no_reason.context["action_errors"] == ["Напишіть коротке пояснення."]
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = _act(client, appeal, action="extend", note="Великий обсяг: акти за п'ять років")
    assert response.status_code == 302
    appeal.refresh_from_db()
    assert appeal.extended
    assert [m.to for m in mail.outbox] == [[appeals_city.author.email]]
    assert "Великий обсяг" in mail.outbox[0].body
    too_far = (timezone.localdate() + datetime.timedelta(days=60)).isoformat()
    again = _act(client, appeal, action="extend", note="Ще раз", last_day=too_far)
    assert again.status_code == 400  # at most the longest term in all
    assert again.context["action_errors"][0].startswith("Закон дозволяє загалом не довше ніж до ")
    assert too_far in _text(again)  # the date typed is kept in the form


def test_the_unit_refuses_with_grounds_and_returns_to_the_desk(appeals_city, client):
    refused = _routed(appeals_city, _request(appeals_city.author))
    returned = _routed(appeals_city, _complaint(appeals_city.author))
    client.force_login(appeals_city.world.roads_staff)
    no_grounds = _act(client, refused, action="refuse", note="Пояснення")
    assert no_grounds.status_code == 400
    response = _act(client, refused, action="refuse", grounds="not_held", note="Інформація у Держгеокадастру")
    assert response.status_code == 302
    refused.refresh_from_db()
    assert (refused.status, refused.refusal_ground) == (AppealStatus.REFUSED, "not_held")
    back = _act(client, returned, action="return", note="Це не дороги")
    assert back.status_code == 302 and back["Location"] == "/appeals/queue/"  # no longer theirs to see
    returned.refresh_from_db()
    assert (returned.status, returned.unit) == (AppealStatus.REGISTERED, None)
    client.force_login(appeals_city.author)
    text = _text(client.get(f"/appeals/{refused.ref}/"))
    assert "Відмовлено" in text and "Інформація у Держгеокадастру" in text


def test_another_unit_cannot_act(appeals_city, client):
    appeal = _routed(appeals_city, _complaint(appeals_city.author))
    client.force_login(appeals_city.world.water_staff)
    assert _act(client, appeal, action="answer", answer="x", outcome="supported").status_code == 404
    appeal.refresh_from_db()
    assert appeal.status == AppealStatus.ASSIGNED


def test_the_pages_speak_english_after_the_language_switch(appeals_city, client):
    client.post("/i18n/setlang/", {"language": "en", "next": "/appeals/"})
    text = _text(client.get("/appeals/"))
    assert "E-appeal" in text and "Public-information request" in text
    assert "answered within 30 calendar days of receipt" in text
    assert "extendable to 20 working days in all, with a notice" in text


def test_the_appeal_page_query_budget(appeals_city, client, django_assert_max_num_queries):
    """The unit's view: the timeline with its unit names, the files, the actions (not one query per event)."""
    appeal = _routed(appeals_city, _complaint(appeals_city.author))
    for _n in range(6):
        appeal = appeal_transition(
            appeal=appeal,
            actor=appeals_city.world.roads_staff,
            action=AppealAction.RETURN,
            data=AppealTransitionInput(note="Не наше"),
        )
        appeal = _routed(appeals_city, appeal)
    client.force_login(appeals_city.world.roads_staff)
    client.get(f"/appeals/{appeal.ref}/")
    with django_assert_max_num_queries(9):
        response = client.get(f"/appeals/{appeal.ref}/")
    assert len(response.context["timeline"]) == 14
