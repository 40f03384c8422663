"""The appeals' escalation sweep: a term near its end and a missed term marked once each, at the
edges of the warning window, with the e-mails to the right people in their language."""

from __future__ import annotations

import datetime
from io import StringIO

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone, translation
from django.utils.translation import gettext

from appeals.models import AppealEvent, AppealEventKind
from appeals.services import AppealInput, AppealTransitionInput, appeal_submit, appeal_transition
from appeals.sweep import appeal_sweep
from tests.world import kyiv

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("immediate_tasks")]

RECEIVED = kyiv(2027, 2, 10, 11, 0)  # a Wednesday: the answer is due Fri 12 March 17:00, forwarding by 15 Feb
DUE = kyiv(2027, 3, 12, 17, 0)
WARN_FROM = DUE - datetime.timedelta(hours=72)  # the complaints' policy warns 72 hours ahead
NOTHING = {"appeals_due_soon": 0, "appeals_overdue": 0, "appeals_forward_missed": 0}


def uk(message: str, **values) -> str:
    """The catalogue's Ukrainian wording of a message (tests name the message, not its translation)."""
    with translation.override("uk"):
        return gettext(message) % values


@pytest.fixture
def capture(django_capture_on_commit_callbacks):
    """Run on-commit callbacks (the notification tasks) as the transaction ends."""

    def run(callable_, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return callable_(*args, **kwargs)

    return run


def _complaint(city, *, routed: bool = True, received: datetime.datetime = RECEIVED):
    appeal = appeal_submit(
        author=city.author,
        data=AppealInput(
            kind="complaint",
            subject="Не вивозять сміття",
            text="Третій тиждень не вивозять сміття з двору.",
            postal_address="м. Дрогобич, вул. Шевченка, 5, кв. 2",
        ),
        now=received,
    )
    if routed:
        appeal = appeal_transition(
            appeal=appeal,
            actor=city.clerk,
            action="route",
            data=AppealTransitionInput(unit=city.world.roads),
            now=received + datetime.timedelta(hours=1),
        )
    if received == RECEIVED:
        assert appeal.due_at == DUE
    return appeal


def _marks(appeal, kind):
    return list(AppealEvent.objects.filter(appeal=appeal, kind=kind).values_list("data", flat=True))


def test_the_warning_comes_once_at_the_edge_of_the_window(appeals_city):
    appeal = _complaint(appeals_city)
    assert appeal_sweep(now=WARN_FROM - datetime.timedelta(minutes=1)) == NOTHING
    assert not _marks(appeal, AppealEventKind.DUE_SOON)
    assert appeal_sweep(now=WARN_FROM) == {**NOTHING, "appeals_due_soon": 1}
    assert appeal_sweep(now=WARN_FROM + datetime.timedelta(hours=5)) == NOTHING
    assert appeal_sweep(now=DUE) == NOTHING  # the last instant of the term: warned already, not missed
    assert _marks(appeal, AppealEventKind.DUE_SOON) == [{"due_at": "2027-03-12T15:00:00+00:00", "term": "answer"}]
    event = appeal.events.get(kind=AppealEventKind.DUE_SOON)
    assert (event.actor, event.for_author, event.at) == (None, False, WARN_FROM)
    assert not _marks(appeal, AppealEventKind.OVERDUE)


def test_a_missed_term_is_recorded_once_and_the_status_is_left_alone(appeals_city):
    appeal = _complaint(appeals_city)
    after = DUE + datetime.timedelta(minutes=1)
    # The first sweep after the term: the miss only (no late warning of a term already gone).
    assert appeal_sweep(now=after) == {**NOTHING, "appeals_overdue": 1}
    assert appeal_sweep(now=after) == NOTHING
    assert appeal_sweep(now=after + datetime.timedelta(days=3)) == NOTHING
    assert _marks(appeal, AppealEventKind.OVERDUE) == [{"due_at": "2027-03-12T15:00:00+00:00", "term": "answer"}]
    assert not _marks(appeal, AppealEventKind.DUE_SOON)
    appeal.refresh_from_db()
    assert appeal.status == "assigned"


def test_an_extended_term_is_warned_of_again_and_an_answered_appeal_never(appeals_city):
    appeal = _complaint(appeals_city)
    appeal_sweep(now=WARN_FROM)
    appeal = appeal_transition(
        appeal=appeal,
        actor=appeals_city.world.roads_staff,
        action="extend",
        data=AppealTransitionInput(note="Потрібна перевірка на місці."),
        now=WARN_FROM + datetime.timedelta(hours=1),
    )
    assert appeal.due_at == kyiv(2027, 3, 29, 17, 0)  # 45 days from receipt: Saturday 27th, rolled to Monday
    assert appeal_sweep(now=DUE + datetime.timedelta(hours=1)) == NOTHING  # the old term no longer counts
    assert appeal_sweep(now=appeal.due_at - datetime.timedelta(hours=72)) == {**NOTHING, "appeals_due_soon": 1}
    assert len(_marks(appeal, AppealEventKind.DUE_SOON)) == 2
    appeal_transition(
        appeal=appeal,
        actor=appeals_city.world.roads_staff,
        action="answer",
        data=AppealTransitionInput(answer="Вивезення відновлено.", outcome="supported"),
        now=appeal.due_at - datetime.timedelta(hours=1),
    )
    assert appeal_sweep(now=appeal.due_at + datetime.timedelta(days=1)) == NOTHING
    assert not _marks(appeal, AppealEventKind.OVERDUE)


def test_a_registered_appeal_past_the_forwarding_term_is_flagged_once(appeals_city, capture):
    waiting = _complaint(appeals_city, routed=False)
    routed = _complaint(appeals_city)
    forward_due = kyiv(2027, 2, 15, 17, 0)
    assert appeal_sweep(now=forward_due) == NOTHING
    mail.outbox.clear()
    assert capture(appeal_sweep, now=forward_due + datetime.timedelta(minutes=1)) == {
        **NOTHING,
        "appeals_forward_missed": 1,
    }
    assert appeal_sweep(now=forward_due + datetime.timedelta(days=1)) == NOTHING
    assert _marks(waiting, AppealEventKind.OVERDUE) == [{"due_at": "2027-02-15T15:00:00+00:00", "term": "forward"}]
    assert not _marks(routed, AppealEventKind.OVERDUE)
    # The general department hears it (no unit has it yet), in the clerk's Ukrainian.
    assert [(m.to, m.subject) for m in mail.outbox] == [
        (["clerk@example.org"], f"Пропущено строк пересилання: звернення {waiting.ref}")
    ]
    assert "строк пересилання минув" in mail.outbox[0].body


def test_the_warning_and_the_miss_reach_the_right_people_in_their_language(appeals_city, capture):
    world = appeals_city.world
    world.roads_staff.language = "en"
    world.roads_staff.save()
    appeal = _complaint(appeals_city)
    mail.outbox.clear()
    capture(appeal_sweep, now=WARN_FROM)
    # The general department and the unit (its staff and its mailbox); never the author.
    soon = uk("Term runs out soon: %(ref)s", ref=appeal.ref)
    assert sorted((m.to[0], m.subject) for m in mail.outbox) == [
        ("clerk@example.org", soon),
        ("roads-staff@example.org", f"Term runs out soon: {appeal.ref}"),
        ("roads@example.org", soon),
    ]
    mail.outbox.clear()
    capture(appeal_sweep, now=DUE + datetime.timedelta(minutes=1))
    # The miss: the unit, its supervisor (the housing department) and the general department.
    missed = uk("Term missed: appeal %(ref)s", ref=appeal.ref)
    assert sorted((m.to[0], m.subject) for m in mail.outbox) == [
        ("clerk@example.org", missed),
        ("housing-staff@example.org", missed),
        ("housing@example.org", missed),
        ("roads-staff@example.org", f"Term missed: appeal {appeal.ref}"),
        ("roads@example.org", missed),
    ]
    english = next(m for m in mail.outbox if m.to == ["roads-staff@example.org"])
    assert "has run out without an answer" in english.body
    assert appeals_city.author.email not in {m.to[0] for m in mail.outbox}
    # Sent once: a second pass finds nothing new to say.
    mail.outbox.clear()
    capture(appeal_sweep, now=DUE + datetime.timedelta(hours=2))
    assert mail.outbox == []


def test_the_periodic_sweep_runs_the_appeals_pass_through_its_registry(appeals_city, settings):
    long_ago = timezone.now() - datetime.timedelta(days=60)
    appeal = _complaint(appeals_city, received=long_ago)
    assert settings.OPENCITY_SWEEPS == ["appeals.sweep.appeal_sweep"]
    out = StringIO()
    call_command("opencity_sla_sweep", stdout=out)  # one pass now: long after the appeal's term
    assert "appeals_overdue: 1" in out.getvalue()
    assert len(_marks(appeal, AppealEventKind.OVERDUE)) == 1
    settings.OPENCITY_SWEEPS = []  # unplugged: the issues' sweep alone, the appeals untouched
    appeal_two = _complaint(appeals_city, received=long_ago)
    call_command("opencity_sla_sweep", stdout=StringIO())
    assert not _marks(appeal_two, AppealEventKind.OVERDUE)


def test_a_pass_over_appeals_already_marked_costs_a_few_queries(appeals_city, django_assert_max_num_queries):
    for _ in range(6):
        _complaint(appeals_city)
    after = DUE + datetime.timedelta(minutes=1)
    assert appeal_sweep(now=after)["appeals_overdue"] == 6
    with django_assert_max_num_queries(3):  # the widest warning, the candidates, their marks
        assert appeal_sweep(now=after + datetime.timedelta(hours=1)) == NOTHING
