"""The appeals' e-mails: who hears of each step, in their own language, once, never the actor."""

from __future__ import annotations

import pytest
from django.core import mail

from appeals.models import AppealEvent, AppealEventKind
from appeals.notifications import notify_appeal_event
from appeals.rules.transitions import AppealAction
from appeals.services import AppealInput, AppealTransitionInput, appeal_submit, appeal_transition
from tests.world import kyiv

pytestmark = pytest.mark.django_db

RECEIVED = kyiv(2027, 2, 10, 11, 0)


def _send(event: AppealEvent) -> dict[str, mail.EmailMessage]:
    mail.outbox.clear()
    notify_appeal_event(event_id=event.pk)
    return {message.to[0]: message for message in mail.outbox}


def _submit(city, **overrides):
    values = {
        "kind": "complaint",
        "subject": "Не вивозять сміття",
        "text": "Третій тиждень не вивозять сміття.",
        "postal_address": "м. Дрогобич, вул. Шевченка, 5",
    }
    return appeal_submit(author=city.author, data=AppealInput(**{**values, **overrides}), now=RECEIVED)


def test_the_acknowledgement_goes_to_the_author_and_the_new_appeal_to_the_clerks(appeals_city):
    appeals_city.clerk.language = "en"
    appeals_city.clerk.save()
    appeal = _submit(appeals_city)
    sent = _send(appeal.events.get())
    assert set(sent) == {appeals_city.author.email, appeals_city.clerk.email}
    ack = sent[appeals_city.author.email]
    assert appeal.ref in ack.subject
    assert f"Ваше звернення зареєстровано за номером {appeal.ref}." in ack.body
    assert "12.03.2027 17:00" in ack.body  # the answer is due by, in local time
    assert f"/appeals/{appeal.ref}/" in ack.body
    clerks = sent[appeals_city.clerk.email]
    assert clerks.subject == f"New appeal to route: {appeal.ref} (complaint)"  # the clerk reads English


def test_the_unit_hears_of_an_assignment_and_the_author_of_the_answer_once(appeals_city):
    world = appeals_city.world
    appeal = _submit(appeals_city)
    routed = appeal_transition(
        appeal=appeal,
        actor=appeals_city.clerk,
        action=AppealAction.ROUTE,
        data=AppealTransitionInput(unit=world.roads),
        now=RECEIVED,
    )
    sent = _send(routed.events.latest("pk"))
    assert world.roads_staff.email in sent and "roads@example.org" in sent
    assert appeals_city.author.email not in sent  # an internal step: the author hears of the answer
    assert appeals_city.clerk.email not in sent  # the actor
    answered = appeal_transition(
        appeal=routed,
        actor=world.roads_staff,
        action=AppealAction.ANSWER,
        data=AppealTransitionInput(answer="Графік вивезення відновлено з 12 лютого.", outcome="supported"),
        now=RECEIVED,
    )
    event = answered.events.latest("pk")
    sent = _send(event)
    assert list(sent) == [appeals_city.author.email]
    body = sent[appeals_city.author.email].body
    assert f"На ваше звернення {appeal.ref} надано відповідь." in body
    assert "Графік вивезення відновлено з 12 лютого." in body
    assert _send(event) == {}  # sent once: a second run of the task finds the delivery recorded


def test_an_overdue_term_escalates_to_the_unit_its_supervisor_and_the_clerks(appeals_city):
    world = appeals_city.world
    appeal = appeal_transition(
        appeal=_submit(appeals_city),
        actor=appeals_city.clerk,
        action=AppealAction.ROUTE,
        data=AppealTransitionInput(unit=world.roads),
        now=RECEIVED,
    )
    event = AppealEvent.objects.create(appeal=appeal, kind=AppealEventKind.OVERDUE, for_author=False)
    sent = _send(event)
    assert {world.roads_staff.email, appeals_city.clerk.email, world.roads.supervisor.email} <= set(sent)
    assert appeals_city.author.email not in sent
    assert all(appeal.ref in message.subject for message in sent.values())
