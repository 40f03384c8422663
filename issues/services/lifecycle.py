"""The one writer of an issue's status: issue_transition.

It locks the row, asks the pure status machine whether this actor may take this action from the
current status, writes exactly one event, recomputes the stored deadlines and queues notifications
for after the commit. Two people acting on one issue at the same moment are serialised by the row
lock: the second one sees the first one's result and is refused with a conflict.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db import connection
from django.db.transaction import TransactionManagementError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Executor, User
from issues.events import Deadlines, StatusChanged
from issues.models import STATUS_EVENT_KINDS, Issue, IssueEvent, IssueEventKind, IssueMedia, IssueStatus, MediaRole
from issues.notifications import queue_event_notifications
from issues.rules.deadlines import deadline
from issues.rules.media import media_check_set
from issues.rules.transitions import (
    RESPONSIBLE_STATUSES,
    Action,
    ActorNotAllowed,
    Status,
    Transition,
    TransitionNotAllowed,
    check_transition,
)
from issues.selectors import calendar_spec, issue_actor_roles
from issues.services.media import issue_attach_media
from issues.services.support import issue_move_followers
from opencity.db import service_transaction
from opencity.errors import Conflict, Forbidden, InvalidInput

EVENT_KIND_FOR_ACTION = {
    Action.ROUTE: IssueEventKind.ROUTED,
    Action.REASSIGN: IssueEventKind.REASSIGNED,
    Action.MERGE: IssueEventKind.MERGED,
}
# A wrong assignment handed back is the city's internal business; every other step is public.
INTERNAL_ACTIONS = {Action.HAND_BACK}
# Actions that set the stored deadlines (a new assignment period, a pause, the end of a pause): their
# event records the deadlines they set, so the dashboard can judge every assignment period against
# the deadlines in force at the time, even after a later one overwrote the stored fields.
DEADLINE_SETTING_ACTIONS = {Action.ROUTE, Action.REASSIGN, Action.DISPUTE, Action.PLAN, Action.RESUME}
MAX_NOTE_LENGTH = 4000
# The columns a transition may change (_apply, the status and the clock, issue_recompute_deadlines).
TRANSITION_FIELDS = (
    "status",
    "updated_at",
    "executor",
    "routing_rule",
    "clock_started_at",
    "response_due_at",
    "resolve_due_at",
    "responded_at",
    "resolved_at",
    "closed_at",
    "promised_date",
    "duplicate_of",
    "budget_project",
)


@dataclass(frozen=True)
class TransitionInput:
    """What an action may carry besides the actor: see Transition.requires for what each needs."""

    note: str = ""
    promised_date: datetime.date | None = None
    executor: Executor | None = None
    duplicate_of: Issue | None = None
    budget_project_id: int | None = None
    routing_rule_id: int | None = None
    routing_reason: dict | None = None
    # Photos or a video taken with the action (the "after" pictures of a fix).
    media: tuple = ()
    # Language-neutral facts for the event (e.g. {"reason": "confirmation_timeout"}); pages turn
    # them into words in the reader's language.
    extra: dict | None = None


def _validate_input(
    *, issue: Issue, action: Action, requires: tuple[str, ...], data: TransitionInput, today, system: bool = False
) -> None:
    errors: dict[str, list] = {}
    note = data.note.strip()
    # The platform's own steps (e.g. an outage closing) explain themselves with a reason code that
    # pages turn into words; people write their explanation.
    if "note" in requires and not note and not (system and data.extra):
        errors["note"] = [_("Please write a short explanation.")]
    if len(note) > MAX_NOTE_LENGTH:
        errors["note"] = [_("The text is too long (at most %(n)d characters).") % {"n": MAX_NOTE_LENGTH}]
    if "promised_date" in requires:
        if data.promised_date is None:
            errors["promised_date"] = [_("Please give the date by which it will be fixed.")]
        elif data.promised_date < today:
            errors["promised_date"] = [_("The promised date cannot be in the past.")]
    if "plan_target" in requires:
        if data.promised_date is None and data.budget_project_id is None:
            errors["promised_date"] = [_("Planning needs a date or a budget project.")]
        elif data.promised_date is not None and data.promised_date < today:
            errors["promised_date"] = [_("The promised date cannot be in the past.")]
    if "executor" in requires:
        if data.executor is None:
            errors["executor"] = [_("Please choose the executor.")]
        elif not data.executor.is_active:
            errors["executor"] = [_("This executor is no longer active.")]
        elif data.executor.pk == issue.executor_id and issue.status != IssueStatus.NEW:
            errors["executor"] = [_("The issue is already assigned to this executor.")]
    if "duplicate_of" in requires:
        original = data.duplicate_of
        if original is None:
            errors["duplicate_of"] = [_("Please give the reference of the original issue.")]
        elif original.pk == issue.pk:
            errors["duplicate_of"] = [_("An issue cannot be a duplicate of itself.")]
        elif original.status == IssueStatus.DUPLICATE:
            errors["duplicate_of"] = [_("That issue is itself a duplicate; merge into its original.")]
    if errors:
        raise InvalidInput(_("Some fields need attention."), code="invalid", fields=errors)


def _check_after_photos(*, issue: Issue, data: TransitionInput) -> None:
    """Where the category asks for a photo, a fix needs an "after" photo (now or added before)."""
    media_check_set(kinds=[asset.kind for asset in data.media])
    if not issue.category.photo_required:
        return
    has_after = IssueMedia.objects.filter(issue=issue, role=MediaRole.AFTER).exists()
    if not has_after and not any(asset.kind == "photo" for asset in data.media):
        message = _("Please add an “after” photo of the fix.")
        raise InvalidInput(message, code="after_photo_required", fields={"media": [message]})


StatusChange = tuple[datetime.datetime, str, str]


def _planned_pauses(
    *, issue: Issue, since: datetime.datetime, pending: StatusChange | None = None
) -> list[tuple[datetime.datetime, datetime.datetime | None]]:
    """Intervals spent `planned` since the clock started, from the event log (the last may be open).
    `pending` is a status change about to be written as an event, counted as if it already were."""
    pauses: list[tuple[datetime.datetime, datetime.datetime | None]] = []
    if pending is not None and pending[0] == since:
        # The clock starts with this very change (a new assignment, a reopening): nothing written
        # before it can pause it (what shares its instant makes at most a pause of no length), so
        # the log is not read. Every report's routing took this query for nothing.
        changes = []
    else:
        changes = list(
            IssueEvent.objects.filter(issue=issue, kind__in=STATUS_EVENT_KINDS, at__gte=since)
            .order_by("at", "pk")
            .values_list("at", "from_status", "to_status")
        )
    if pending is not None:
        changes.append(pending)
    opened: datetime.datetime | None = None
    for at, from_status, to_status in changes:
        if to_status == IssueStatus.PLANNED and opened is None:
            opened = at
        elif from_status == IssueStatus.PLANNED and opened is not None:
            pauses.append((opened, at))
            opened = None
    if opened is not None:
        pauses.append((opened, None))
    return pauses


def issue_recompute_deadlines(*, issue: Issue, pending: StatusChange | None = None) -> None:
    """Set the stored deadlines from the category's SLA policy, the calendar and the pauses.

    Deadlines exist while someone is responsible (assigned, in progress, planned); a new issue has
    none; a finished one keeps the last ones, and an answered one keeps its answer deadline
    (statistics compare them with what happened). While planned the fix deadline is None: the
    clock is stopped. `pending` is the status change being made (at, from, to), whose event is
    written after the deadlines, so that the event can record them.
    """
    if issue.status == IssueStatus.NEW or issue.clock_started_at is None:
        issue.response_due_at = issue.resolve_due_at = None
        return
    if issue.status not in RESPONSIBLE_STATUSES:
        return
    policy = issue.category.sla_policy
    calendar = calendar_spec(policy.calendar)
    pauses = _planned_pauses(issue=issue, since=issue.clock_started_at, pending=pending)
    common = {"start": issue.clock_started_at, "clock": policy.clock, "calendar": calendar, "pauses": pauses}
    if issue.responded_at is None:  # once answered, the answer deadline is history: keep it
        issue.response_due_at = deadline(hours=policy.response_hours, **common)
    issue.resolve_due_at = deadline(hours=policy.resolution_hours, **common)


def issue_deadlines_record(issue: Issue) -> Deadlines:
    """The stored deadlines as event data (UTC ISO 8601, None where there is none)."""

    def iso(value: datetime.datetime | None) -> str | None:
        return value.astimezone(datetime.UTC).isoformat() if value is not None else None

    return Deadlines(response_due_at=iso(issue.response_due_at), resolve_due_at=iso(issue.resolve_due_at))


def _start_clock(issue: Issue, now: datetime.datetime) -> None:
    issue.clock_started_at = now
    issue.responded_at = None
    issue.resolved_at = None
    issue.closed_at = None
    issue.promised_date = None


def _apply(*, issue: Issue, action: Action, data: TransitionInput, now: datetime.datetime) -> dict:
    """Action-specific changes to the issue; returns what the event records about them."""
    recorded: dict = {"action": str(action), **(data.extra or {})}
    if action == Action.ROUTE:
        issue.executor = data.executor  # the object, not its id: whoever shows the issue next needs no query
        issue.routing_rule_id = data.routing_rule_id
        _start_clock(issue, now)
        recorded.update(executor=data.executor.code, routing=data.routing_reason)
    elif action == Action.REASSIGN:
        recorded.update(from_executor=issue.executor.code if issue.executor_id else None, executor=data.executor.code)
        issue.executor = data.executor
        issue.routing_rule_id = None
        _start_clock(issue, now)
    elif action == Action.ACCEPT:
        issue.promised_date = data.promised_date
        issue.responded_at = issue.responded_at or now
        recorded["promised_date"] = data.promised_date.isoformat()
    elif action == Action.PLAN:
        issue.promised_date = data.promised_date or issue.promised_date
        issue.responded_at = issue.responded_at or now
        if data.promised_date:
            recorded["promised_date"] = data.promised_date.isoformat()
        if data.budget_project_id:
            issue.budget_project_id = data.budget_project_id
            recorded["budget_project_id"] = data.budget_project_id
    elif action == Action.RESOLVE:
        issue.responded_at = issue.responded_at or now
        issue.resolved_at = now
    elif action in (Action.REJECT, Action.CONFIRM, Action.CLOSE):
        issue.closed_at = now
    elif action == Action.HAND_BACK:
        recorded["from_executor"] = issue.executor.code
        issue.executor = None
        issue.routing_rule_id = None
        issue.clock_started_at = None
        issue.promised_date = None
    elif action == Action.DISPUTE:
        _start_clock(issue, now)  # reopened: the same executor, fresh deadlines
    elif action == Action.MERGE:
        issue.duplicate_of = data.duplicate_of
        issue.closed_at = now
        recorded["duplicate_of"] = data.duplicate_of.ref
        recorded["followers_moved"] = issue_move_followers(duplicate=issue, original=data.duplicate_of)
    return recorded


def _permitted_transition(*, issue: Issue, actor: User | None, action: Action) -> Transition:
    roles = issue_actor_roles(issue=issue, user=actor)
    try:
        return check_transition(action=action, status=Status(issue.status), roles=roles)
    except ActorNotAllowed:
        raise Forbidden(_("You may not do this with this issue."), code="action_forbidden") from None
    except TransitionNotAllowed:
        raise Conflict(
            _("This cannot be done while the issue is “%(status)s”.") % {"status": issue.get_status_display()},
            code="transition_not_allowed",
        ) from None


def issue_transition_check(*, issue: Issue, actor: User | None, action: Action | str) -> None:
    """Refuse early (Forbidden, Conflict, InvalidInput) an action the actor may not take now, so a
    request's uploads are not taken and processed for nothing. issue_transition checks again, locked."""
    try:
        action = Action(action)
    except ValueError:
        raise InvalidInput(
            _("Unknown action."), code="unknown_action", fields={"action": [_("Unknown action.")]}
        ) from None
    _permitted_transition(issue=issue, actor=actor, action=action)


def issue_transition(
    *,
    issue: Issue,
    actor: User | None,
    action: Action | str,
    data: TransitionInput | None = None,
    now: datetime.datetime | None = None,
    just_inserted: bool = False,
) -> Issue:
    """Take `action` on the issue as `actor` (None: the platform). The only code that sets status.

    Raises Forbidden (the actor may not take this action), Conflict (not from the current status)
    or InvalidInput (a required field is missing or wrong). A refused action changes nothing.

    `just_inserted`: the caller's open transaction inserted the issue's row and `issue` is that row
    as it stands (a report routed as it is stored). No other transaction can see the row yet, so it
    is neither locked nor read again, and no savepoint is taken: an error ends the caller's
    transaction, as it would end the report. `issue` itself is changed and returned.
    """
    try:
        action = Action(action)
    except ValueError:
        raise InvalidInput(
            _("Unknown action."), code="unknown_action", fields={"action": [_("Unknown action.")]}
        ) from None
    data = data or TransitionInput()
    now = now or timezone.now()
    if just_inserted:
        if not connection.in_atomic_block:
            raise TransactionManagementError("A just-inserted issue is routed inside the transaction that inserted it.")
        return _transition_locked(locked=issue, actor=actor, action=action, data=data, now=now)
    with service_transaction():
        locked = (
            Issue.objects.select_for_update(of=("self",))
            .select_related("category__sla_policy__calendar", "executor")
            .get(pk=issue.pk)
        )
        return _transition_locked(locked=locked, actor=actor, action=action, data=data, now=now)


def _transition_locked(
    *, locked: Issue, actor: User | None, action: Action, data: TransitionInput, now: datetime.datetime
) -> Issue:
    """issue_transition on the issue's row, locked (or not visible to anyone else) in the caller's
    transaction."""
    transition = _permitted_transition(issue=locked, actor=actor, action=action)
    _validate_input(
        issue=locked,
        action=action,
        requires=transition.requires,
        data=data,
        today=timezone.localdate(now),
        system=actor is None,
    )
    if action == Action.RESOLVE and actor is not None:
        _check_after_photos(issue=locked, data=data)
    from_status = locked.status
    recorded = _apply(issue=locked, action=action, data=data, now=now)
    locked.status = transition.target
    locked.updated_at = now
    issue_recompute_deadlines(issue=locked, pending=(now, from_status, transition.target))
    if action in DEADLINE_SETTING_ACTIONS:
        recorded["deadlines"] = issue_deadlines_record(locked)
    event = IssueEvent.objects.create(
        issue=locked,
        kind=EVENT_KIND_FOR_ACTION.get(action, IssueEventKind.STATUS_CHANGED),
        at=now,
        actor=actor,
        from_status=from_status,
        to_status=transition.target,
        is_public=action not in INTERNAL_ACTIONS,
        note=data.note.strip(),
        data=StatusChanged(**recorded).as_json(),
    )
    # Only what a transition changes (_apply, the status, the clock): the rest of the row is as read.
    locked.save(update_fields=TRANSITION_FIELDS)
    if data.media:
        role = MediaRole.AFTER if action == Action.RESOLVE else MediaRole.REPORT
        issue_attach_media(issue=locked, assets=list(data.media), role=role, actor=actor, now=now)
    queue_event_notifications(event)
    return locked
