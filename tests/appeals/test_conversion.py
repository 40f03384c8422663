"""Turning a map report into an appeal and back (issue 15, item 6): who may, what each side keeps,
and the refusals that change nothing."""

from __future__ import annotations

import pytest
from django.core import mail
from django.utils import translation
from django.utils.translation import gettext

from appeals.models import Appeal, AppealEventKind
from issues.models import Issue, IssueEvent
from issues.services import TransitionInput, issue_transition
from issues.services.media import media_intake_many
from issues.services.moderation import issue_set_hidden
from media_store.models import MediaAsset
from tests.factories import UserFactory
from tests.media_store.media import image_bytes, upload
from tests.world import TUESDAY_10, kyiv

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("immediate_tasks")]

ADDRESS = "м. Дрогобич, вул. Стрийська, 10, кв. 4"


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")


@pytest.fixture
def reporter(appeals_city):
    citizen = appeals_city.world.citizen
    citizen.first_name, citizen.last_name, citizen.postal_address = "Марта", "Коваль", ADDRESS
    citizen.save()
    return citizen


def _photo(user) -> MediaAsset:
    [asset], _gps = media_intake_many(
        files=[upload(image_bytes("PNG", (40, 30)), "p.png", "image/png")], uploaded_by=user
    )
    return asset


def _from(client, user, issue, **data):
    client.force_login(user)
    return client.post(f"/appeals/from-report/{issue.ref}/", {"kind": "complaint", **data})


def _state() -> tuple:
    return (
        Appeal.objects.count(),
        sorted(Issue.objects.values_list("ref", "status", "is_hidden")),
        IssueEvent.objects.count(),
        MediaAsset.objects.count(),
    )


# --- a map report becomes an appeal -----------------------------------------------------------------


def test_the_dispatcher_turns_a_report_into_an_appeal_received_when_the_report_was_sent(
    appeals_city, reporter, report, client, django_capture_on_commit_callbacks
):
    world = appeals_city.world
    photo = _photo(reporter)
    issue = report(reporter=reporter, media=[photo], description="Сусід перекрив проїзд, прошу вжити заходів")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        answer = _from(client, world.dispatcher, issue, hide="on")
    assert answer.status_code == 302
    assert answer["Location"] == f"/issues/{issue.ref}/"
    appeal = Appeal.objects.get()
    assert appeal.ref == "DRH-A-2026-000001"
    assert (appeal.kind, appeal.status, appeal.author, appeal.issue) == ("complaint", "registered", reporter, issue)
    assert (appeal.subject, appeal.text, appeal.category) == ("Яма", issue.description, world.pothole)
    assert (appeal.author_name, appeal.postal_address, appeal.email) == ("Марта Коваль", ADDRESS, reporter.email)
    # The legal clock runs from the citizen's submission: 30 days from Tuesday 1 December.
    assert appeal.received_at == TUESDAY_10
    assert appeal.due_at == kyiv(2026, 12, 31, 17, 0)
    # The photo is copied, privately: the report keeps its own.
    [attachment] = appeal.attachments.all()
    assert attachment.role == "appeal" and attachment.asset_id != photo.pk
    assert attachment.asset.uploaded_by == reporter and attachment.asset.kind == "photo"
    assert issue.media.get().asset_id == photo.pk
    kinds = list(appeal.events.values_list("kind", flat=True))
    assert kinds == [AppealEventKind.REGISTERED, AppealEventKind.ATTACHMENT_ADDED, AppealEventKind.CONVERTED]
    converted = appeal.events.get(kind=AppealEventKind.CONVERTED)
    assert converted.actor == world.dispatcher
    assert converted.data == {"direction": "from_issue", "issue": issue.ref, "media_copied": 1, "media_failed": 0}
    # The report is rejected through its own lifecycle, with a public note that does not name the
    # appeal, and hidden; the appeal's number is in an internal comment.
    issue.refresh_from_db()
    assert (issue.status, issue.is_hidden) == ("rejected", True)
    rejected = issue.events.get(kind="status_changed")
    assert rejected.data == {"action": "reject", "reason": "converted_to_appeal"}
    assert rejected.is_public and appeal.ref not in rejected.note
    assert "письмового звернення" in rejected.note
    comment = issue.events.get(kind="comment")
    assert not comment.is_public and appeal.ref in comment.note
    assert list(issue.events.filter(is_public=True, note__contains=appeal.ref)) == []
    public_page = client.get(f"/issues/{issue.ref}/")  # the dispatcher's view; the words are the same for all
    assert "Перетворено на письмове звернення до ради" in public_page.content.decode()
    # The general department hears of a new appeal to route; the reporter hears the report's news.
    subjects = {(m.to[0], m.subject) for m in mail.outbox}
    with translation.override("uk"):
        to_route = gettext("New appeal to route: %(ref)s (%(kind)s)") % {
            "ref": appeal.ref,
            "kind": gettext("complaint"),
        }
    assert ("clerk@example.org", to_route) in subjects
    assert (reporter.email, f"{issue.ref}: відхилено") in subjects


def test_an_information_request_needs_no_postal_address_and_an_appeal_takes_a_typed_one(appeals_city, report, client):
    world = appeals_city.world
    homeless = UserFactory(username="no-address", first_name="Іван", last_name="Без-Адреси")
    issue = report(reporter=homeless)
    before = _state()
    refused = _from(client, world.dispatcher, issue)
    assert refused.status_code == 400
    assert refused.context["form"].errors["postal_address"] == [
        "В обліковому записі автора немає поштової адреси, а закон вимагає її у зверненні: "
        "введіть адресу, яку він указав, або оформіть запит на інформацію."
    ]
    assert _state() == before
    typed = _from(client, world.dispatcher, issue, postal_address="вул. Лесі Українки, 3")
    assert typed.status_code == 302
    appeal = Appeal.objects.get()
    assert appeal.postal_address == "вул. Лесі Українки, 3"
    homeless.refresh_from_db()
    assert homeless.postal_address == "вул. Лесі Українки, 3"  # kept for the next appeal, as a citizen's own

    second = report(reporter=UserFactory(username="requester"), description="Скільки коштував ремонт?")
    answer = _from(client, world.dispatcher, second, kind="information_request")
    assert answer.status_code == 302
    assert Appeal.objects.get(issue=second).ref == "DRH-I-2026-000001"


def test_only_the_dispatcher_may_and_others_change_nothing(appeals_city, reporter, report, client):
    world = appeals_city.world
    issue = report(reporter=reporter)
    before = _state()
    for user in (reporter, world.roads_staff, world.mayor, appeals_city.clerk):
        client.force_login(user)
        assert client.get(f"/appeals/from-report/{issue.ref}/").status_code == 403
        assert _from(client, user, issue).status_code == 403
    assert _state() == before
    client.logout()
    assert client.post(f"/appeals/from-report/{issue.ref}/", {"kind": "complaint"}).status_code == 302  # sign in
    assert _state() == before
    client.force_login(world.dispatcher)
    assert client.get(f"/appeals/from-report/{issue.ref}/").status_code == 200
    assert client.get("/appeals/from-report/DRH-2026-999999/").status_code == 404


def test_a_hidden_or_finished_report_is_refused_and_nothing_is_copied(appeals_city, reporter, report, client):
    world = appeals_city.world
    hidden = report(reporter=reporter, media=[_photo(reporter)])
    issue_set_hidden(issue=hidden, actor=world.dispatcher, hidden=True, note="особисті дані")
    resolved = report(reporter=reporter, where=world.inside_east)
    issue_transition(issue=resolved, actor=world.roads_staff, action="resolve", data=TransitionInput(note="Зроблено"))
    before = _state()
    answer = _from(client, world.dispatcher, hidden)
    assert answer.status_code == 409
    assert "Приховане повідомлення не можна перетворити на звернення" in answer.content.decode()
    answer = _from(client, world.dispatcher, resolved)
    assert answer.status_code == 409
    assert _state() == before


def test_a_reporter_who_could_not_receive_the_answer_is_refused(appeals_city, report, client):
    unconfirmed = UserFactory(username="unconfirmed", first_name="Ян", last_name="Непідтверджений")
    issue = report(reporter=unconfirmed)
    unconfirmed.email_confirmed_at = None
    unconfirmed.save()
    before = _state()
    answer = _from(client, appeals_city.world.dispatcher, issue, postal_address=ADDRESS)
    assert answer.status_code == 409
    assert _state() == before


def test_a_report_is_converted_once(appeals_city, reporter, report, client):
    issue = report(reporter=reporter)
    assert _from(client, appeals_city.world.dispatcher, issue).status_code == 302
    assert _from(client, appeals_city.world.dispatcher, issue).status_code == 409
    assert Appeal.objects.count() == 1


# --- an appeal becomes a map report -----------------------------------------------------------------


def _appeal(city):
    from appeals.services import AppealInput, appeal_submit

    return appeal_submit(
        author=city.author,
        data=AppealInput(
            kind="complaint",
            subject="Яма біля школи",
            text="Приватний текст: мій син упав у яму, квартира 12.",
            postal_address=ADDRESS,
        ),
        now=TUESDAY_10,
    )


def _to(client, user, appeal, **data):
    client.force_login(user)
    return client.post(f"/appeals/{appeal.ref}/to-report/", data)


def test_the_general_department_turns_an_appeal_into_a_map_report(
    appeals_city, client, django_capture_on_commit_callbacks
):
    world = appeals_city.world
    appeal = _appeal(appeals_city)
    lon, lat = world.inside_west.coords
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        answer = _to(
            client,
            appeals_city.clerk,
            appeal,
            category=world.pothole.pk,
            lat=lat,
            lon=lon,
            address="вул. Шкільна, 2",
            description="Глибока яма біля школи",
        )
    assert answer.status_code == 302
    issue = Issue.objects.get(reporter=appeals_city.author)
    assert answer["Location"] == f"/issues/{issue.ref}/"
    assert (issue.category, issue.description, issue.status, issue.executor) == (
        world.pothole,
        "Глибока яма біля школи",
        "assigned",
        world.roads,
    )
    appeal.refresh_from_db()
    assert (appeal.status, appeal.issue) == ("forwarded", issue)
    assert issue.ref in appeal.forwarded_to
    forwarded = appeal.events.get(kind="status_changed")
    assert forwarded.data["converted_to"] == issue.ref and forwarded.for_author
    converted = appeal.events.get(kind=AppealEventKind.CONVERTED)
    assert converted.data == {"direction": "to_issue", "issue": issue.ref, "media_copied": 0, "media_failed": 0}
    # The appeal's private text went nowhere public.
    assert "Приватний текст" not in client.get(f"/issues/{issue.ref}/").content.decode()
    # The author is told where the matter went.
    [told] = [m for m in mail.outbox if m.to == [appeals_city.author.email] and appeal.ref in m.subject]
    assert issue.ref in told.body


def test_an_appeal_has_no_place_on_the_map_so_the_clerk_must_choose_one(appeals_city, client):
    world = appeals_city.world
    appeal = _appeal(appeals_city)
    before = _state()
    answer = _to(client, appeals_city.clerk, appeal, category=world.pothole.pk, description="Яма")
    assert answer.status_code == 400
    assert answer.context["form"].errors["lat"] == ["У звернення немає місця на карті: вкажіть, де проблема."]
    outside = _to(
        client, appeals_city.clerk, appeal, category=world.pothole.pk, description="Яма", lat=49.84, lon=24.03
    )
    assert outside.status_code == 400
    half = _to(client, appeals_city.clerk, appeal, category=world.pothole.pk, description="Яма", lat=49.3)
    assert half.status_code == 400 and "lon" in half.context["form"].errors
    assert _state() == before
    appeal.refresh_from_db()
    assert (appeal.status, appeal.issue) == ("registered", None)


def test_only_the_general_department_may_and_others_do_not_see_the_appeal(appeals_city, client):
    world = appeals_city.world
    appeal = _appeal(appeals_city)
    lon, lat = world.inside_west.coords
    form = {"category": world.pothole.pk, "lat": lat, "lon": lon, "description": "Яма"}
    before = _state()
    assert _to(client, appeals_city.author, appeal, **form).status_code == 403  # sees it, may not convert
    for stranger in (world.other_citizen, world.dispatcher, world.roads_staff, world.mayor):
        assert _to(client, stranger, appeal, **form).status_code == 404  # not theirs to see
    assert _state() == before
    client.force_login(appeals_city.clerk)
    page = client.get(f"/appeals/{appeal.ref}/to-report/")
    assert page.status_code == 200
    assert page.context["form"]["description"].value() == "Яма біля школи"


def test_a_closed_appeal_is_not_converted(appeals_city, client):
    from appeals.services import AppealTransitionInput, appeal_transition

    world = appeals_city.world
    appeal = _appeal(appeals_city)
    appeal_transition(
        appeal=appeal,
        actor=appeals_city.clerk,
        action="forward",
        data=AppealTransitionInput(forwarded_to="Львівська ОВА", note="Не наша компетенція."),
    )
    lon, lat = world.inside_west.coords
    before = _state()
    answer = _to(client, appeals_city.clerk, appeal, category=world.pothole.pk, lat=lat, lon=lon, description="Яма")
    assert answer.status_code == 409
    assert _state() == before


def test_the_forms_keep_their_query_budget(appeals_city, reporter, report, client, django_assert_max_num_queries):
    issue = report(reporter=reporter)
    appeal = _appeal(appeals_city)
    client.force_login(appeals_city.world.dispatcher)
    with django_assert_max_num_queries(15):
        assert client.get(f"/appeals/from-report/{issue.ref}/").status_code == 200
    client.force_login(appeals_city.clerk)
    with django_assert_max_num_queries(15):
        assert client.get(f"/appeals/{appeal.ref}/to-report/").status_code == 200
