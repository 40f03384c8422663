"""issue_transition: the effects of each action, rights per person, validation, deadlines."""

import datetime

import pytest
from django.db.transaction import TransactionManagementError

from issues.models import CalendarDate, IssueEvent
from issues.services import TransitionInput, issue_transition
from opencity.errors import Conflict, Forbidden, InvalidInput
from tests.world import TUESDAY_10, kyiv

pytestmark = pytest.mark.django_db

DEC_4 = datetime.date(2026, 12, 4)


def act(issue, actor, action, now, **data):
    return issue_transition(issue=issue, actor=actor, action=action, data=TransitionInput(**data), now=now)


def snapshot(issue):
    issue.refresh_from_db()
    return (issue.status, issue.executor_id, issue.response_due_at, issue.resolve_due_at, issue.events.count())


def test_accept_records_the_answer_and_the_promised_date(world, report):
    issue = act(
        report(), world.roads_staff, "accept", kyiv(2026, 12, 1, 11, 0), promised_date=DEC_4, note="Виїдемо в четвер"
    )
    assert issue.status == "in_progress"
    assert issue.promised_date == DEC_4
    assert issue.responded_at == kyiv(2026, 12, 1, 11, 0)
    assert issue.response_due_at == kyiv(2026, 12, 2, 10, 0)  # kept: statistics compare it
    event = issue.events.latest("pk")
    assert (event.kind, event.from_status, event.to_status, event.actor, event.note, event.is_public) == (
        "status_changed",
        "assigned",
        "in_progress",
        world.roads_staff,
        "Виїдемо в четвер",
        True,
    )
    assert event.data == {"action": "accept", "promised_date": "2026-12-04"}


def test_another_organisations_staff_is_refused_and_nothing_changes(world, report):
    issue = report()
    before = snapshot(issue)
    for person in (world.water_staff, world.citizen, world.other_citizen, world.mayor):
        with pytest.raises(Forbidden) as refused:
            act(issue, person, "accept", TUESDAY_10, promised_date=DEC_4)
        assert refused.value.code == "action_forbidden"
    assert snapshot(issue) == before


def test_a_wrong_status_is_a_conflict_and_nothing_changes(world, report):
    issue = report()
    before = snapshot(issue)
    with pytest.raises(Conflict) as refused:
        act(issue, world.roads_staff, "resume", TUESDAY_10)
    assert refused.value.code == "transition_not_allowed"
    assert snapshot(issue) == before


@pytest.mark.parametrize(
    ("action", "data", "field"),
    [
        ("accept", {}, "promised_date"),
        ("accept", {"promised_date": datetime.date(2026, 11, 30)}, "promised_date"),
        ("resolve", {"note": "   "}, "note"),
        ("reject", {}, "note"),
        ("hand_back", {}, "note"),
        ("plan", {}, "promised_date"),
    ],
)
def test_missing_or_wrong_input_is_refused_with_the_field(world, report, action, data, field):
    issue = report()
    before = snapshot(issue)
    with pytest.raises(InvalidInput) as refused:
        act(issue, world.roads_staff, action, TUESDAY_10, **data)
    assert list(refused.value.fields) == [field]
    assert snapshot(issue) == before


def test_plan_pauses_the_fix_clock_and_resume_adds_the_paused_working_time(world, report):
    issue = report()  # fix due Tuesday 8 December 10:00
    issue = act(issue, world.roads_staff, "plan", kyiv(2026, 12, 2, 10, 0), promised_date=datetime.date(2027, 4, 1))
    assert issue.status == "planned"
    assert issue.resolve_due_at is None
    assert issue.responded_at == kyiv(2026, 12, 2, 10, 0)
    # Planned from Wednesday 10:00 to Friday 10:00: 18 working hours paused.
    issue = act(issue, world.roads_staff, "resume", kyiv(2026, 12, 4, 10, 0))
    assert issue.status == "in_progress"
    assert issue.resolve_due_at == kyiv(2026, 12, 10, 10, 0)


def test_resolve_confirm_closes(world, report):
    issue = act(report(), world.roads_staff, "accept", TUESDAY_10, promised_date=DEC_4)
    issue = act(issue, world.roads_staff, "resolve", kyiv(2026, 12, 3, 15, 0), note="Яму залатано")
    assert (issue.status, issue.resolved_at) == ("resolved", kyiv(2026, 12, 3, 15, 0))
    issue = act(issue, world.citizen, "confirm", kyiv(2026, 12, 3, 18, 0))
    assert (issue.status, issue.closed_at) == ("closed", kyiv(2026, 12, 3, 18, 0))


def test_dispute_reopens_for_the_same_executor_with_fresh_deadlines(world, report):
    issue = act(report(), world.roads_staff, "resolve", kyiv(2026, 12, 2, 9, 0), note="Готово")
    assert issue.responded_at == kyiv(2026, 12, 2, 9, 0)
    with pytest.raises(Forbidden):
        act(issue, world.other_citizen, "dispute", kyiv(2026, 12, 2, 12, 0), note="Не моє")
    issue = act(issue, world.citizen, "dispute", kyiv(2026, 12, 4, 16, 0), note="Яма на місці")
    assert (issue.status, issue.executor, issue.responded_at, issue.resolved_at) == (
        "assigned",
        world.roads,
        None,
        None,
    )
    assert issue.clock_started_at == kyiv(2026, 12, 4, 16, 0)
    assert issue.response_due_at == kyiv(2026, 12, 7, 16, 0)  # Friday 16:00 + 9 working hours


def test_hand_back_returns_the_issue_to_the_dispatcher_quietly(world, report):
    issue = act(report(), world.roads_staff, "hand_back", TUESDAY_10, note="Це не дорога, а двір ОСББ")
    assert (issue.status, issue.executor, issue.clock_started_at, issue.resolve_due_at) == ("new", None, None, None)
    event = issue.events.latest("pk")
    assert (event.is_public, event.data) == (False, {"action": "hand_back", "from_executor": "roads"})


def test_the_dispatcher_reassigns_and_the_clock_restarts(world, report):
    issue = report()
    with pytest.raises(InvalidInput):
        act(issue, world.dispatcher, "reassign", TUESDAY_10, executor=world.roads)  # already theirs
    issue = act(issue, world.dispatcher, "reassign", kyiv(2026, 12, 1, 16, 0), executor=world.water)
    assert (issue.status, issue.executor, issue.routing_rule) == ("assigned", world.water, None)
    assert issue.response_due_at == kyiv(2026, 12, 2, 16, 0)
    event = issue.events.latest("pk")
    assert (event.kind, event.data) == (
        "reassigned",
        {
            "action": "reassign",
            "from_executor": "roads",
            "executor": "water",
            # 9 and 45 working hours from Tuesday 16:00 (Kyiv), recorded for the dashboard
            "deadlines": {
                "response_due_at": "2026-12-02T14:00:00+00:00",
                "resolve_due_at": "2026-12-08T14:00:00+00:00",
            },
        },
    )
    with pytest.raises(Forbidden):
        act(issue, world.roads_staff, "accept", TUESDAY_10, promised_date=DEC_4)


def test_merge_into_an_original(world, report):
    original, copy = report(), report()
    with pytest.raises(InvalidInput):
        act(copy, world.dispatcher, "merge", TUESDAY_10, duplicate_of=copy)
    copy = act(copy, world.dispatcher, "merge", TUESDAY_10, duplicate_of=original)
    assert (copy.status, copy.duplicate_of) == ("duplicate", original)
    assert copy.events.latest("pk").kind == "merged"


def test_reject_needs_a_public_reason_and_ends_the_issue(world, report):
    issue = act(report(), world.dispatcher, "reject", TUESDAY_10, note="Приватна територія")
    assert (issue.status, issue.closed_at) == ("rejected", TUESDAY_10)
    assert issue.events.latest("pk").note == "Приватна територія"


def test_deadlines_skip_a_weekend_and_a_non_working_date(world, report):
    CalendarDate.objects.create(calendar=world.calendar, date=datetime.date(2026, 12, 7), is_working=False)
    issue = report(now=kyiv(2026, 12, 4, 16, 0))  # Friday 16:00
    # 1h Friday, Monday is off, 8h Tuesday → Tuesday 16:00
    assert issue.response_due_at == kyiv(2026, 12, 8, 16, 0)


def test_events_cannot_be_edited_or_deleted(world, report):
    from django.db import IntegrityError, transaction

    issue = report()
    event = issue.events.first()
    with pytest.raises(IntegrityError, match="append-only"), transaction.atomic():
        IssueEvent.objects.filter(pk=event.pk).update(note="rewritten")
    with pytest.raises(IntegrityError, match="append-only"), transaction.atomic():
        IssueEvent.objects.filter(pk=event.pk).delete()
    assert IssueEvent.objects.get(pk=event.pk).note == ""


@pytest.mark.django_db(transaction=True)
def test_only_the_transaction_that_inserted_an_issue_may_skip_its_lock(world, report):
    """issue_transition(just_inserted=True) routes a report in the transaction storing it, without
    locking or re-reading the row; outside a transaction that promise cannot hold, and is refused."""
    issue = report(category=world.playground)  # no rule: still new
    with pytest.raises(TransactionManagementError):
        issue_transition(
            issue=issue,
            actor=world.dispatcher,
            action="reassign",
            data=TransitionInput(executor=world.roads),
            just_inserted=True,
        )
    issue.refresh_from_db()
    assert (issue.status, list(issue.events.values_list("kind", flat=True))) == ("new", ["created"])
