"""The issue status machine: which action, from which status, by which role, to which status.

    new ──route──▶ assigned ──accept──▶ in_progress ──resolve──▶ resolved ──confirm / timeout──▶ closed
     │               │  ▲                 │    │                    │
     │               │  └──hand back──────┘    └──plan──▶ planned ──┘(resume)
     │               ├──reject──▶ rejected              resolved ──dispute──▶ assigned (reopened)
     └──merge──▶ duplicate (any open state)

The table below is the whole truth; the one service that writes a status (issue_transition) asks
`check_transition` before touching anything.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class Status(StrEnum):
    NEW = "new"
    ASSIGNED = "assigned"
    IN_PROGRESS = "in_progress"
    PLANNED = "planned"
    RESOLVED = "resolved"
    CLOSED = "closed"
    REJECTED = "rejected"
    DUPLICATE = "duplicate"


# The sets of statuses every other module uses (the ORM, the raw SQL, the dashboard, Open311, the
# API's filters): defined here once. `statuses_in_order` turns a set into a list in the order above,
# so querysets, generated SQL and migrations always see the same list.
OPEN_STATUSES = frozenset({Status.NEW, Status.ASSIGNED, Status.IN_PROGRESS, Status.PLANNED})
CLOSED_STATUSES = frozenset({Status.RESOLVED, Status.CLOSED, Status.REJECTED, Status.DUPLICATE})
# Someone is responsible for the issue (it names its executor).
RESPONSIBLE_STATUSES = frozenset({Status.ASSIGNED, Status.IN_PROGRESS, Status.PLANNED})
# While planned, the clocks are paused; while resolved, the reporter's confirmation is awaited.
CLOCK_RUNNING_STATUSES = frozenset({Status.ASSIGNED, Status.IN_PROGRESS})


def statuses_in_order(statuses: frozenset[Status]) -> list[str]:
    """The statuses of a set as plain values, in the order the Status enum declares them."""
    return [status.value for status in Status if status in statuses]


class Action(StrEnum):
    ROUTE = "route"
    REASSIGN = "reassign"
    ACCEPT = "accept"
    PLAN = "plan"
    RESUME = "resume"
    RESOLVE = "resolve"
    REJECT = "reject"
    HAND_BACK = "hand_back"
    CONFIRM = "confirm"
    DISPUTE = "dispute"
    CLOSE = "close"
    MERGE = "merge"


class ActorRole(StrEnum):
    """Roles relative to one issue (a person can hold several: a dispatcher who reported it)."""

    SYSTEM = "system"  # the platform itself: routing at creation, timeouts, outage closures
    REPORTER = "reporter"  # the citizen who reported this issue
    EXECUTOR = "executor"  # staff of the organisation the issue is assigned to
    DISPATCHER = "dispatcher"  # the city's duty officers


@dataclass(frozen=True)
class Transition:
    action: Action
    target: Status
    # For each role allowed to take the action, the statuses it may take it from.
    allowed: dict[ActorRole, frozenset[Status]]
    # Input the action needs: "note", "promised_date", "executor", "duplicate_of", "plan_target".
    requires: tuple[str, ...] = field(default=())

    @property
    def sources(self) -> frozenset[Status]:
        return frozenset().union(*self.allowed.values())


S = Status
R = ActorRole
_OPEN = OPEN_STATUSES

TRANSITIONS: dict[Action, Transition] = {
    t.action: t
    for t in (
        Transition(Action.ROUTE, S.ASSIGNED, {R.SYSTEM: frozenset({S.NEW})}),
        Transition(
            Action.REASSIGN,
            S.ASSIGNED,
            {R.DISPATCHER: frozenset({S.NEW, S.ASSIGNED, S.IN_PROGRESS, S.PLANNED})},
            requires=("executor",),
        ),
        Transition(Action.ACCEPT, S.IN_PROGRESS, {R.EXECUTOR: frozenset({S.ASSIGNED})}, requires=("promised_date",)),
        Transition(
            Action.PLAN,
            S.PLANNED,
            {R.EXECUTOR: frozenset({S.ASSIGNED, S.IN_PROGRESS}), R.DISPATCHER: frozenset({S.ASSIGNED, S.IN_PROGRESS})},
            requires=("plan_target",),
        ),
        Transition(
            Action.RESUME,
            S.IN_PROGRESS,
            {R.EXECUTOR: frozenset({S.PLANNED}), R.DISPATCHER: frozenset({S.PLANNED})},
        ),
        Transition(
            Action.RESOLVE,
            S.RESOLVED,
            {
                R.EXECUTOR: frozenset({S.ASSIGNED, S.IN_PROGRESS, S.PLANNED}),
                # An outage that ends resolves the issues it caused and its provider was given —
                # never one in `new`, which no person has looked at yet.
                R.SYSTEM: frozenset({S.ASSIGNED, S.IN_PROGRESS, S.PLANNED}),
            },
            requires=("note",),
        ),
        Transition(
            Action.REJECT,
            S.REJECTED,
            {
                R.EXECUTOR: frozenset({S.ASSIGNED, S.IN_PROGRESS}),
                R.DISPATCHER: frozenset({S.NEW, S.ASSIGNED, S.IN_PROGRESS}),
            },
            requires=("note",),
        ),
        Transition(Action.HAND_BACK, S.NEW, {R.EXECUTOR: frozenset({S.ASSIGNED, S.IN_PROGRESS})}, requires=("note",)),
        Transition(Action.CONFIRM, S.CLOSED, {R.REPORTER: frozenset({S.RESOLVED})}),
        Transition(Action.DISPUTE, S.ASSIGNED, {R.REPORTER: frozenset({S.RESOLVED})}, requires=("note",)),
        Transition(Action.CLOSE, S.CLOSED, {R.SYSTEM: frozenset({S.RESOLVED}), R.DISPATCHER: frozenset({S.RESOLVED})}),
        Transition(Action.MERGE, S.DUPLICATE, {R.DISPATCHER: _OPEN}, requires=("duplicate_of",)),
    )
}


class TransitionRefused(Exception):
    """Base of the two ways a transition is refused."""


class ActorNotAllowed(TransitionRefused):
    """None of the actor's roles may take this action at all (an HTTP 403)."""


class TransitionNotAllowed(TransitionRefused):
    """The actor may take this action, but not from the issue's current status (an HTTP 409)."""


def check_transition(
    *, action: Action, status: Status, roles: frozenset[ActorRole] | set[ActorRole], table: dict | None = None
) -> Transition:
    """The transition for `action` from `status` by an actor holding `roles`, or a refusal.

    Rights come first: an actor who may never take the action is refused as such, whatever the
    status; an actor who may, but not from this status, gets "not from here".

    `table` is the machine to ask: the issues' TRANSITIONS unless another workflow built on the same
    pattern (the appeals, appeals.rules.transitions) passes its own table of Transition rows, keyed by
    its own Action values and using its own Status and role values.
    """
    table = TRANSITIONS if table is None else table
    transition = table[action]
    permitted = [role for role in roles if role in transition.allowed]
    if not permitted:
        raise ActorNotAllowed(action)
    if not any(status in transition.allowed[role] for role in permitted):
        raise TransitionNotAllowed(action)
    return transition


def available_actions(
    *, status: Status, roles: frozenset[ActorRole] | set[ActorRole], table: dict | None = None
) -> list[Action]:
    """Actions an actor with these roles may take from this status (for offering buttons)."""
    table = TRANSITIONS if table is None else table
    return [
        action
        for action, transition in table.items()
        if any(status in transition.allowed.get(role, frozenset()) for role in roles)
    ]
