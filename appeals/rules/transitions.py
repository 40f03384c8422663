"""The status machine of written appeals and public-information requests.

     registered ──route──▶ assigned ──answer──▶ answered
        │   ▲                 │  │ └──refuse──▶ refused
        │   └──return─────────┘  └──extend / shorten (stays assigned, new due date)
        ├──forward──▶ forwarded   (to the competent body; also from `assigned`)
        └──merge──▶ merged        (a repeat of another appeal; also from `assigned`)

Built on the issues' machine (issues.rules.transitions): the same Transition rows, the same
check_transition and available_actions, asked with this table. One service writes a status
(appeals.services.appeal_transition) and asks check_transition first.
"""

from __future__ import annotations

from enum import StrEnum

from issues.rules.transitions import Transition, available_actions, check_transition


class AppealStatus(StrEnum):
    REGISTERED = "registered"  # received and registered by the general department
    ASSIGNED = "assigned"  # a structural unit prepares the answer
    ANSWERED = "answered"
    REFUSED = "refused"  # refused on grounds the law gives
    FORWARDED = "forwarded"  # sent on to the competent body
    MERGED = "merged"  # a repeat: answered with the appeal it repeats


OPEN_APPEAL_STATUSES = frozenset({AppealStatus.REGISTERED, AppealStatus.ASSIGNED})
CLOSED_APPEAL_STATUSES = frozenset(AppealStatus) - OPEN_APPEAL_STATUSES


class AppealAction(StrEnum):
    ROUTE = "route"
    REASSIGN = "reassign"
    RETURN = "return"  # the unit: not ours, back to the general department
    ANSWER = "answer"
    REFUSE = "refuse"
    FORWARD = "forward"
    MERGE = "merge"
    EXTEND = "extend"  # the longer term the law allows, with the notice to the person
    SHORTEN = "shorten"  # the shorter term the person asked for (or the law's privilege)


class AppealRole(StrEnum):
    SYSTEM = "system"
    AUTHOR = "author"
    CLERK = "clerk"  # the general department: registers, routes, forwards, merges
    UNIT = "unit"  # staff of the structural unit the appeal is assigned to


S = AppealStatus
A = AppealAction
R = AppealRole
_OPEN = OPEN_APPEAL_STATUSES

APPEAL_TRANSITIONS: dict[AppealAction, Transition] = {
    t.action: t
    for t in (
        Transition(A.ROUTE, S.ASSIGNED, {R.CLERK: frozenset({S.REGISTERED})}, requires=("unit",)),
        Transition(A.REASSIGN, S.ASSIGNED, {R.CLERK: frozenset({S.ASSIGNED})}, requires=("unit",)),
        Transition(A.RETURN, S.REGISTERED, {R.UNIT: frozenset({S.ASSIGNED})}, requires=("note",)),
        Transition(A.ANSWER, S.ANSWERED, {R.UNIT: frozenset({S.ASSIGNED})}, requires=("answer",)),
        Transition(A.REFUSE, S.REFUSED, {R.UNIT: frozenset({S.ASSIGNED})}, requires=("grounds", "note")),
        Transition(
            A.FORWARD,
            S.FORWARDED,
            {R.CLERK: _OPEN, R.UNIT: frozenset({S.ASSIGNED})},
            requires=("forwarded_to", "note"),
        ),
        Transition(A.MERGE, S.MERGED, {R.CLERK: _OPEN}, requires=("duplicate_of",)),
        Transition(A.EXTEND, S.ASSIGNED, {R.UNIT: frozenset({S.ASSIGNED})}, requires=("note",)),
        Transition(A.SHORTEN, S.ASSIGNED, {R.CLERK: _OPEN, R.UNIT: frozenset({S.ASSIGNED})}),
    )
}
# Actions after which the status is unchanged (they move the due date, not the appeal): the writer
# keeps the current status whatever the row's target says (SHORTEN may be granted while registered).
STATUS_KEEPING_ACTIONS = frozenset({A.EXTEND, A.SHORTEN})


def appeal_check_transition(*, action: AppealAction, status: AppealStatus, roles: frozenset[AppealRole]) -> Transition:
    """check_transition of the issues' machine, asked with the appeals' table."""
    return check_transition(
        action=AppealAction(action), status=AppealStatus(status), roles=roles, table=APPEAL_TRANSITIONS
    )


def appeal_available_actions(*, status: AppealStatus, roles: frozenset[AppealRole]) -> list[AppealAction]:
    return available_actions(status=AppealStatus(status), roles=roles, table=APPEAL_TRANSITIONS)
