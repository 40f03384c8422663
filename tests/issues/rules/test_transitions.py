"""The status machine, exhaustively: every action from every status for every role."""

import itertools

import pytest

from issues.rules.transitions import (
    TRANSITIONS,
    Action,
    ActorNotAllowed,
    ActorRole,
    Status,
    TransitionNotAllowed,
    available_actions,
    check_transition,
)

S, A, R = Status, Action, ActorRole

# The contract, written out by hand from DESIGN.md: (action, role) → statuses it may start from.
EXPECTED = {
    (A.ROUTE, R.SYSTEM): {S.NEW},
    (A.REASSIGN, R.DISPATCHER): {S.NEW, S.ASSIGNED, S.IN_PROGRESS, S.PLANNED},
    (A.ACCEPT, R.EXECUTOR): {S.ASSIGNED},
    (A.PLAN, R.EXECUTOR): {S.ASSIGNED, S.IN_PROGRESS},
    (A.PLAN, R.DISPATCHER): {S.ASSIGNED, S.IN_PROGRESS},
    (A.RESUME, R.EXECUTOR): {S.PLANNED},
    (A.RESUME, R.DISPATCHER): {S.PLANNED},
    (A.RESOLVE, R.EXECUTOR): {S.ASSIGNED, S.IN_PROGRESS, S.PLANNED},
    (A.RESOLVE, R.SYSTEM): {S.ASSIGNED, S.IN_PROGRESS, S.PLANNED},
    (A.REJECT, R.EXECUTOR): {S.ASSIGNED, S.IN_PROGRESS},
    (A.REJECT, R.DISPATCHER): {S.NEW, S.ASSIGNED, S.IN_PROGRESS},
    (A.HAND_BACK, R.EXECUTOR): {S.ASSIGNED, S.IN_PROGRESS},
    (A.CONFIRM, R.REPORTER): {S.RESOLVED},
    (A.DISPUTE, R.REPORTER): {S.RESOLVED},
    (A.CLOSE, R.SYSTEM): {S.RESOLVED},
    (A.CLOSE, R.DISPATCHER): {S.RESOLVED},
    (A.MERGE, R.DISPATCHER): {S.NEW, S.ASSIGNED, S.IN_PROGRESS, S.PLANNED},
}
TARGETS = {
    A.ROUTE: S.ASSIGNED,
    A.REASSIGN: S.ASSIGNED,
    A.ACCEPT: S.IN_PROGRESS,
    A.PLAN: S.PLANNED,
    A.RESUME: S.IN_PROGRESS,
    A.RESOLVE: S.RESOLVED,
    A.REJECT: S.REJECTED,
    A.HAND_BACK: S.NEW,
    A.CONFIRM: S.CLOSED,
    A.DISPUTE: S.ASSIGNED,
    A.CLOSE: S.CLOSED,
    A.MERGE: S.DUPLICATE,
}


def roles_allowed(action):
    return {role for (a, role) in EXPECTED if a == action}


CASES = list(itertools.product(Action, Status, ActorRole))


@pytest.mark.parametrize(("action", "status", "role"), CASES, ids=[f"{a}-{s}-{r}" for a, s, r in CASES])
def test_every_action_from_every_status_for_every_role(action, status, role):
    allowed_from = EXPECTED.get((action, role))
    if allowed_from is None:
        with pytest.raises(ActorNotAllowed):
            check_transition(action=action, status=status, roles={role})
    elif status in allowed_from:
        assert check_transition(action=action, status=status, roles={role}).target == TARGETS[action]
    else:
        with pytest.raises(TransitionNotAllowed):
            check_transition(action=action, status=status, roles={role})


def test_the_table_has_exactly_the_expected_entries():
    actual = {(a, role): set(sources) for a, t in TRANSITIONS.items() for role, sources in t.allowed.items()}
    assert actual == EXPECTED
    assert {a: t.target for a, t in TRANSITIONS.items()} == TARGETS


def test_several_roles_combine():
    # A dispatcher who is also the reporter may confirm and may close.
    roles = {R.DISPATCHER, R.REPORTER}
    assert check_transition(action=A.CONFIRM, status=S.RESOLVED, roles=roles).target == S.CLOSED
    assert check_transition(action=A.CLOSE, status=S.RESOLVED, roles=roles).target == S.CLOSED


def test_no_roles_means_no_rights():
    with pytest.raises(ActorNotAllowed):
        check_transition(action=A.CONFIRM, status=S.RESOLVED, roles=set())


def test_closed_states_have_no_way_out_but_the_reporters():
    for status in (S.CLOSED, S.REJECTED, S.DUPLICATE):
        assert available_actions(status=status, roles=set(ActorRole)) == []
    assert available_actions(status=S.RESOLVED, roles={R.REPORTER}) == [A.CONFIRM, A.DISPUTE]


def test_available_actions_for_an_executor_on_an_assigned_issue():
    assert available_actions(status=S.ASSIGNED, roles={R.EXECUTOR}) == [
        A.ACCEPT,
        A.PLAN,
        A.RESOLVE,
        A.REJECT,
        A.HAND_BACK,
    ]


def test_required_inputs():
    assert TRANSITIONS[A.ACCEPT].requires == ("promised_date",)
    assert TRANSITIONS[A.REASSIGN].requires == ("executor",)
    assert TRANSITIONS[A.MERGE].requires == ("duplicate_of",)
    for action in (A.RESOLVE, A.REJECT, A.HAND_BACK, A.DISPUTE):
        assert TRANSITIONS[action].requires == ("note",)
