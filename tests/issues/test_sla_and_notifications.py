"""The SLA sweep (once per breach, escalation, auto-close) and the e-mails events send."""

import datetime

import pytest
from django.core import mail

from issues.models import IssueEvent
from issues.services import TransitionInput, issue_transition
from issues.services.sla import sla_sweep
from tests.world import TUESDAY_10, kyiv

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("immediate_tasks")]


@pytest.fixture
def capture(django_capture_on_commit_callbacks):
    """Run on-commit callbacks (the notification tasks) as the transaction ends."""

    def run(callable_, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return callable_(*args, **kwargs)

    return run


def test_the_sweep_records_each_breach_once_and_escalates(world, report, capture):
    issue = report()  # answer due Wed 10:00, fix due Tue 8 Dec 10:00
    assert sla_sweep(now=kyiv(2026, 12, 2, 9, 59)).breaches == 0
    first = capture(sla_sweep, now=kyiv(2026, 12, 2, 10, 1))
    assert (first.breaches, first.escalations) == (1, 1)
    again = sla_sweep(now=kyiv(2026, 12, 2, 11, 0))
    assert (again.breaches, again.escalations) == (0, 0)
    breach = issue.events.get(kind="sla_breached")
    assert breach.data == {"deadline": "response", "due_at": "2026-12-02T08:00:00+00:00", "executor": "roads"}
    assert breach.is_public
    escalation = issue.events.get(kind="escalated")
    assert escalation.data == {
        "deadline": "response",
        "executor": "roads",
        "supervisor": "housing",
        "dispatchers": True,
    }
    assert not escalation.is_public
    # The supervisor's staff, its mailbox and the dispatcher hear about it; the reporter does not.
    assert sorted(m.to[0] for m in mail.outbox) == [
        "dispatcher@example.org",
        "housing-staff@example.org",
        "housing@example.org",
    ]
    # Later the fix deadline passes too: that is a second, separate breach.
    later = sla_sweep(now=kyiv(2026, 12, 9, 9, 0))
    assert later.breaches == 1
    assert sorted(issue.events.filter(kind="sla_breached").values_list("data__deadline", flat=True)) == [
        "resolution",
        "response",
    ]


def test_answered_and_planned_issues_are_not_breached_for_the_answer(world, report):
    issue = report()
    issue_transition(
        issue=issue,
        actor=world.roads_staff,
        action="plan",
        data=TransitionInput(promised_date=datetime.date(2027, 5, 1)),
        now=TUESDAY_10,
    )
    assert sla_sweep(now=kyiv(2027, 1, 1, 12, 0)).breaches == 0
    assert not IssueEvent.objects.filter(kind="sla_breached").exists()


def test_a_reassigned_issue_can_be_breached_again_under_its_new_deadline(world, report):
    issue = report()
    sla_sweep(now=kyiv(2026, 12, 2, 11, 0))
    issue_transition(
        issue=issue,
        actor=world.dispatcher,
        action="reassign",
        data=TransitionInput(executor=world.water),
        now=kyiv(2026, 12, 2, 11, 0),
    )
    assert sla_sweep(now=kyiv(2026, 12, 3, 12, 0)).breaches == 1
    assert issue.events.filter(kind="sla_breached").count() == 2


def test_resolved_issues_close_after_the_confirmation_window(world, report, settings):
    settings.OPENCITY_CONFIRM_DAYS = 7
    issue = report()
    issue_transition(
        issue=issue,
        actor=world.roads_staff,
        action="resolve",
        data=TransitionInput(note="Готово"),
        now=kyiv(2026, 12, 2, 9, 0),
    )
    assert sla_sweep(now=kyiv(2026, 12, 9, 8, 59)).closed == 0
    assert sla_sweep(now=kyiv(2026, 12, 9, 9, 0)).closed == 1
    issue.refresh_from_db()
    assert issue.status == "closed"
    assert issue.events.latest("pk").data == {"action": "close", "reason": "confirmation_timeout", "days": 7}


def test_the_reporter_hears_of_public_changes_in_their_language(world, report, capture):
    issue = capture(report)
    # Routing: the reporter (uk) and the road service's staff and mailbox.
    by_recipient = {m.to[0]: m for m in mail.outbox}
    assert set(by_recipient) == {"citizen@example.org", "roads-staff@example.org", "roads@example.org"}
    assert by_recipient["citizen@example.org"].subject == f"{issue.ref}: призначено"
    assert "Надіслано: Дорожня служба" in by_recipient["citizen@example.org"].body
    assert by_recipient["roads-staff@example.org"].subject == f"Нове звернення для вас: {issue.ref} (Яма)"
    mail.outbox.clear()
    world.citizen.language = "en"
    world.citizen.save()
    capture(
        issue_transition,
        issue=issue,
        actor=world.roads_staff,
        action="accept",
        data=TransitionInput(promised_date=datetime.date(2026, 12, 4)),
        now=TUESDAY_10,
    )
    [message] = mail.outbox
    assert message.to == ["citizen@example.org"]
    assert message.subject == f"{issue.ref}: in progress"
    assert "Accepted; promised to be fixed by 4 December 2026" in message.body
    assert f"http://127.0.0.1:8000/issues/{issue.ref}/" in message.body


def test_internal_steps_and_ones_own_actions_send_nothing_to_the_reporter(world, report, capture):
    issue = report()
    capture(
        issue_transition,
        issue=issue,
        actor=world.roads_staff,
        action="hand_back",
        data=TransitionInput(note="Не наше"),
        now=TUESDAY_10,
    )
    assert mail.outbox == []
    capture(
        issue_transition,
        issue=issue,
        actor=world.dispatcher,
        action="reassign",
        data=TransitionInput(executor=world.water),
        now=TUESDAY_10,
    )
    capture(
        issue_transition,
        issue=issue,
        actor=world.water_staff,
        action="resolve",
        data=TransitionInput(note="Закрили люк"),
        now=TUESDAY_10,
    )
    mail.outbox.clear()
    capture(issue_transition, issue=issue, actor=world.citizen, action="confirm", now=TUESDAY_10)
    assert mail.outbox == []
