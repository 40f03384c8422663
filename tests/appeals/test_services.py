"""Submission and the one status writer: numbers, terms, events, refusals that change nothing."""

from __future__ import annotations

import datetime

import pytest

from appeals.models import Appeal, AppealEvent, AppealEventKind
from appeals.rules.transitions import AppealAction, AppealStatus
from appeals.services import AppealInput, AppealTransitionInput, appeal_submit, appeal_transition
from opencity.errors import Conflict, Forbidden, InvalidInput, RateLimited
from tests.factories import UserFactory
from tests.world import kyiv

pytestmark = pytest.mark.django_db

RECEIVED = kyiv(2027, 2, 10, 11, 0)  # a Wednesday


def complaint(**overrides) -> AppealInput:
    values = {
        "kind": "complaint",
        "subject": "Не вивозять сміття",
        "text": "Третій тиждень не вивозять сміття з двору на вул. Шевченка, 5.",
        "postal_address": "м. Дрогобич, вул. Шевченка, 5, кв. 2",
    }
    return AppealInput(**{**values, **overrides})


def test_a_complaint_is_registered_with_a_number_and_the_30_day_term(appeals_city):
    appeal = appeal_submit(author=appeals_city.author, data=complaint(), now=RECEIVED)
    assert appeal.ref == "DRH-A-2027-000001"
    assert appeal.status == AppealStatus.REGISTERED
    assert appeal.author_name == "Тарас Шевчук"
    assert appeal.due_at == kyiv(2027, 3, 12, 17, 0)
    assert appeal.forward_due_at == kyiv(2027, 2, 15, 17, 0)
    event = appeal.events.get()
    assert event.kind == AppealEventKind.REGISTERED and event.for_author


def test_an_information_request_gets_its_own_series_and_needs_no_postal_address(appeals_city):
    appeal_submit(author=appeals_city.author, data=complaint(), now=RECEIVED)
    request = appeal_submit(
        author=appeals_city.author,
        data=AppealInput(kind="information_request", subject="Кошторис ремонту", text="Прошу надати кошторис."),
        now=RECEIVED,
    )
    assert request.ref == "DRH-I-2027-000001"
    assert request.due_at == kyiv(2027, 2, 17, 17, 0)


def test_an_appeal_without_name_or_postal_address_is_refused_with_field_messages(appeals_city):
    nameless = UserFactory(username="nameless", first_name="", last_name="")
    with pytest.raises(InvalidInput) as refused:
        appeal_submit(author=nameless, data=complaint(postal_address=""), now=RECEIVED)
    assert set(refused.value.fields) == {"author_name", "postal_address"}
    assert not Appeal.objects.exists()


def test_an_unconfirmed_account_cannot_send_an_appeal(appeals_city):
    unconfirmed = UserFactory(username="unconfirmed", email_confirmed_at=None)
    with pytest.raises(Forbidden):
        appeal_submit(author=unconfirmed, data=complaint(author_name="Іван Петренко"), now=RECEIVED)


def test_the_clerk_routes_the_unit_answers_and_the_timeline_holds_each_step(appeals_city):
    world = appeals_city.world
    appeal = appeal_submit(author=appeals_city.author, data=complaint(), now=RECEIVED)
    appeal = appeal_transition(
        appeal=appeal,
        actor=appeals_city.clerk,
        action="route",
        data=AppealTransitionInput(unit=world.housing),
        now=kyiv(2027, 2, 11, 9, 0),
    )
    assert appeal.status == AppealStatus.ASSIGNED and appeal.unit == world.housing
    with pytest.raises(Forbidden):  # another unit's staff
        appeal_transition(
            appeal=appeal,
            actor=world.roads_staff,
            action=AppealAction.ANSWER,
            data=AppealTransitionInput(answer="Так", outcome="supported"),
            now=kyiv(2027, 2, 12, 9, 0),
        )
    appeal = appeal_transition(
        appeal=appeal,
        actor=world.housing_staff,
        action=AppealAction.ANSWER,
        data=AppealTransitionInput(answer="Графік вивезення відновлено.", outcome="supported"),
        now=kyiv(2027, 2, 12, 10, 0),
    )
    assert appeal.status == AppealStatus.ANSWERED and appeal.answered_at is not None
    kinds = list(AppealEvent.objects.filter(appeal=appeal).values_list("kind", "to_status"))
    assert kinds == [("registered", "registered"), ("status_changed", "assigned"), ("status_changed", "answered")]
    with pytest.raises(Conflict):
        appeal_transition(
            appeal=appeal,
            actor=world.housing_staff,
            action=AppealAction.ANSWER,
            data=AppealTransitionInput(answer="Ще раз", outcome="supported"),
        )


def test_an_extension_past_45_days_is_refused_and_changes_nothing(appeals_city):
    world = appeals_city.world
    appeal = appeal_submit(author=appeals_city.author, data=complaint(), now=RECEIVED)
    appeal = appeal_transition(
        appeal=appeal,
        actor=appeals_city.clerk,
        action="route",
        data=AppealTransitionInput(unit=world.housing),
        now=kyiv(2027, 2, 11, 9, 0),
    )
    before = appeal.due_at
    with pytest.raises(InvalidInput) as refused:
        appeal_transition(
            appeal=appeal,
            actor=world.housing_staff,
            action="extend",
            data=AppealTransitionInput(note="Потрібна перевірка на місці", last_day=datetime.date(2027, 3, 30)),
            now=kyiv(2027, 3, 1, 10, 0),
        )
    assert refused.value.code == "term_beyond_longest"
    appeal.refresh_from_db()
    assert appeal.due_at == before and not appeal.extended
    appeal = appeal_transition(
        appeal=appeal,
        actor=world.housing_staff,
        action="extend",
        data=AppealTransitionInput(note="Потрібна перевірка на місці"),
        now=kyiv(2027, 3, 1, 10, 0),
    )
    assert appeal.due_at == kyiv(2027, 3, 29, 17, 0)  # 10 Feb + 45 days = Sat 27 Mar → Mon 29 Mar
    assert appeal.status == AppealStatus.ASSIGNED and appeal.extended
    event = appeal.events.order_by("-at", "-pk").first()
    assert event.kind == AppealEventKind.TERM_CHANGED and event.for_author


def test_the_postal_address_is_kept_on_the_account_and_reused(appeals_city):
    author = appeals_city.author
    assert author.postal_address == ""
    first = appeal_submit(
        author=author,
        data=AppealInput(kind="application", subject="Лавка", text="Поставте лавку", postal_address="вул. Лесі, 5"),
    )
    author.refresh_from_db()
    assert (first.postal_address, author.postal_address) == ("вул. Лесі, 5", "вул. Лесі, 5")
    second = appeal_submit(author=author, data=AppealInput(kind="proposal", subject="Сквер", text="Озелените сквер"))
    assert second.postal_address == "вул. Лесі, 5"
    third = appeal_submit(
        author=author,
        data=AppealInput(kind="complaint", subject="Шум", text="Шумить завод", postal_address="вул. Нова, 1"),
    )
    author.refresh_from_db()
    assert (third.postal_address, author.postal_address) == ("вул. Нова, 1", "вул. Лесі, 5")


def test_an_account_files_at_most_the_hourly_limit_and_a_refusal_saves_nothing(appeals_city, settings):
    settings.OPENCITY_APPEALS_PER_HOUR = 2
    author = appeals_city.author
    appeal_submit(author=author, data=complaint(), now=RECEIVED)
    appeal_submit(author=author, data=complaint(subject="Друге"), now=RECEIVED + datetime.timedelta(minutes=5))
    with pytest.raises(RateLimited):
        appeal_submit(author=author, data=complaint(subject="Третє"), now=RECEIVED + datetime.timedelta(minutes=10))
    assert Appeal.objects.count() == 2
    # An hour after the first, one more is welcome.
    appeal_submit(author=author, data=complaint(subject="Третє"), now=RECEIVED + datetime.timedelta(minutes=61))
    assert Appeal.objects.count() == 3
