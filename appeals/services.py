"""Writing appeals: submission, and the one writer of an appeal's status, appeal_transition.

The same pattern as the issues (issues.services.lifecycle): lock the row, ask the status machine
(appeals.rules.transitions, built on the issues' check_transition), validate the action's input,
apply it, write exactly one event, queue the notifications for after the commit. Terms come from
the kind's policy (data) through appeals.rules.terms and the shared working calendar.
"""

from __future__ import annotations

import dataclasses
import datetime
from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Executor, User
from appeals.attachments import appeal_attach
from appeals.models import (
    CITIZENS_APPEAL_KINDS,
    Appeal,
    AppealEvent,
    AppealEventKind,
    AppealKind,
    AppealOutcome,
    AppealPolicy,
    RefusalGround,
)
from appeals.notifications import queue_appeal_notifications
from appeals.rules.terms import TermRefused, extension_due, forward_due, initial_due, shortened_due
from appeals.rules.transitions import (
    STATUS_KEEPING_ACTIONS,
    AppealAction,
    AppealStatus,
    appeal_check_transition,
)
from appeals.selectors import appeal_actor_roles, policy_terms
from issues.models import Category
from issues.rules.transitions import ActorNotAllowed, TransitionNotAllowed
from opencity.errors import Conflict, Forbidden, InvalidInput, RateLimited

MAX_SUBJECT_LENGTH = 200
MAX_TEXT_LENGTH = 20000
MAX_NOTE_LENGTH = 4000
# Steps inside the council that the author does not see in "my appeals".
INTERNAL_ACTIONS = frozenset({AppealAction.RETURN, AppealAction.REASSIGN})

NEXT_NUMBER_SQL = """
INSERT INTO appeals_appealrefcounter (prefix, year, last_number) VALUES (%s, %s, 1)
ON CONFLICT (prefix, year) DO UPDATE SET last_number = appeals_appealrefcounter.last_number + 1
RETURNING last_number
"""


def appeal_next_ref(*, kind: str, at: datetime.datetime) -> str:
    """The next registration number, e.g. DRH-A-2026-000123 (appeals) or DRH-I-2026-000045
    (information requests): per local year, no gaps (the counter row is locked until commit)."""
    letter = "I" if kind == AppealKind.INFORMATION_REQUEST else "A"
    prefix = f"{settings.OPENCITY_COMMUNITY_CODE}-{letter}"
    year = timezone.localtime(at).year
    with connection.cursor() as cursor:
        cursor.execute(NEXT_NUMBER_SQL, [prefix, year])
        number = cursor.fetchone()[0]
    return f"{prefix}-{year}-{number:06d}"


@dataclass(frozen=True)
class AppealInput:
    kind: str
    subject: str
    text: str
    author_name: str = ""
    postal_address: str = ""
    phone: str = ""
    category: Category | None = None
    urgent: bool = False
    urgent_reason: str = ""
    shorter_term_reason: str = ""
    privileged: bool = False
    idempotency_key: str = ""


def _submission_errors(*, data: AppealInput, author: User) -> dict[str, list]:
    errors: dict[str, list] = {}
    if data.kind not in AppealKind.values:
        errors["kind"] = [_("Choose the kind of appeal.")]
    if not data.subject.strip():
        errors["subject"] = [_("Please give the subject.")]
    elif len(data.subject.strip()) > MAX_SUBJECT_LENGTH:
        errors["subject"] = [_("The text is too long (at most %(n)d characters).") % {"n": MAX_SUBJECT_LENGTH}]
    if not data.text.strip():
        errors["text"] = [_("Please state the matter of your appeal.")]
    elif len(data.text) > MAX_TEXT_LENGTH:
        errors["text"] = [_("The text is too long (at most %(n)d characters).") % {"n": MAX_TEXT_LENGTH}]
    # Law 393/96-ВР, Art. 5: an appeal states the person's name and place of residence; anonymous
    # appeals are not considered (Art. 8). An information request needs only a way to answer.
    if data.kind in CITIZENS_APPEAL_KINDS:
        if not (data.author_name.strip() or author.get_full_name().strip()):
            errors["author_name"] = [_("The law asks for your full name on an appeal.")]
        if not data.postal_address.strip():
            errors["postal_address"] = [_("The law asks for your postal address on an appeal.")]
    if data.urgent and data.kind != AppealKind.INFORMATION_REQUEST:
        errors["urgent"] = [_("Only an information request can be answered within 48 hours.")]
    if data.urgent and not data.urgent_reason.strip():
        errors["urgent_reason"] = [_("Please say why the information is needed urgently.")]
    if len(data.postal_address) > 300:
        errors["postal_address"] = [_("The text is too long (at most %(n)d characters).") % {"n": 300}]
    if len(data.author_name) > 200:
        errors["author_name"] = [_("The text is too long (at most %(n)d characters).") % {"n": 200}]
    return errors


def appeal_submit(
    *, author: User, data: AppealInput, media: tuple = (), now: datetime.datetime | None = None
) -> Appeal:
    """Register a citizen's appeal or information request: a number, the term, one event.

    The author must be signed in with a confirmed e-mail (the answer goes there). A postal address
    not given is taken from the account; one given is kept on an account that has none. Raises
    InvalidInput with field messages, Forbidden for an unconfirmed account.
    """
    now = now or timezone.now()
    if not author.is_authenticated or not author.is_active:
        raise Forbidden(_("Please sign in to send an appeal."), code="not_authenticated")
    if author.email_confirmed_at is None or not author.email:
        raise Forbidden(
            _("Please confirm your e-mail address first: the answer will be sent there."), code="email_not_confirmed"
        )
    if not data.postal_address.strip() and author.postal_address:
        data = dataclasses.replace(data, postal_address=author.postal_address)
    errors = _submission_errors(data=data, author=author)
    if errors:
        raise InvalidInput(_("Some fields need attention."), code="invalid", fields=errors)
    if data.idempotency_key:
        existing = Appeal.objects.filter(author=author, idempotency_key=data.idempotency_key).first()
        if existing is not None:
            return existing
    # The same guard as the map reports' (OPENCITY_REPORTS_PER_HOUR): a person writes a few letters
    # an hour, a script thousands; the general department reads every one.
    recent = Appeal.objects.filter(author=author, received_at__gt=now - datetime.timedelta(hours=1)).count()
    if recent >= settings.OPENCITY_APPEALS_PER_HOUR:
        raise RateLimited(
            _("You have sent many appeals in the last hour. Please try again a little later."), code="rate_limited"
        )
    policy = AppealPolicy.objects.select_related("calendar").filter(kind=data.kind).first()
    if policy is None:
        message = _("This kind of appeal is not accepted yet.")
        raise InvalidInput(message, code="kind_not_accepted", fields={"kind": [message]})
    terms, calendar = policy_terms(policy)
    try:
        with transaction.atomic():
            appeal = Appeal.objects.create(
                ref=appeal_next_ref(kind=data.kind, at=now),
                kind=data.kind,
                policy=policy,
                subject=data.subject.strip(),
                text=data.text.strip(),
                author=author,
                author_name=(data.author_name.strip() or author.get_full_name().strip()),
                postal_address=data.postal_address.strip(),
                email=author.email,
                phone=data.phone.strip(),
                category=data.category,
                privileged=data.privileged,
                urgent=data.urgent,
                urgent_reason=data.urgent_reason.strip(),
                shorter_term_reason=data.shorter_term_reason.strip(),
                received_at=now,
                due_at=initial_due(policy=terms, received=now, calendar=calendar, urgent=data.urgent),
                forward_due_at=forward_due(policy=terms, received=now, calendar=calendar),
                idempotency_key=data.idempotency_key,
                created_at=now,
                updated_at=now,
            )
            event = AppealEvent.objects.create(
                appeal=appeal,
                kind=AppealEventKind.REGISTERED,
                at=now,
                actor=author,
                to_status=AppealStatus.REGISTERED,
                data={
                    "due_at": appeal.due_at.astimezone(datetime.UTC).isoformat(),
                    "urgent": appeal.urgent,
                    "shorter_term_asked": bool(appeal.shorter_term_reason),
                },
            )
            if media:
                appeal_attach(appeal=appeal, assets=list(media), role="appeal", actor=author, now=now)
            if appeal.postal_address and not author.postal_address:  # kept for the next appeal
                User.objects.filter(pk=author.pk).update(postal_address=appeal.postal_address)
                author.postal_address = appeal.postal_address
            queue_appeal_notifications(event)
    except IntegrityError:
        if data.idempotency_key:  # the same submission twice at the same moment: the first one won
            existing = Appeal.objects.filter(author=author, idempotency_key=data.idempotency_key).first()
            if existing is not None:
                return existing
        raise
    return appeal


@dataclass(frozen=True)
class AppealTransitionInput:
    note: str = ""
    unit: Executor | None = None
    answer: str = ""
    outcome: str = ""
    grounds: str = ""
    forwarded_to: str = ""
    duplicate_of: Appeal | None = None
    # extend / shorten: the new last day (None: the longest / the short term the policy allows)
    last_day: datetime.date | None = None
    media: tuple = ()
    extra: dict | None = None


def _too_long(value: str, limit: int) -> list | None:
    if len(value) > limit:
        return [_("The text is too long (at most %(n)d characters).") % {"n": limit}]
    return None


def _validate(*, appeal: Appeal, action: AppealAction, requires: tuple, data: AppealTransitionInput) -> None:
    errors: dict[str, list] = {}
    if "note" in requires and not data.note.strip():
        errors["note"] = [_("Please write a short explanation.")]
    if message := _too_long(data.note, MAX_NOTE_LENGTH):
        errors["note"] = message
    if "unit" in requires:
        if data.unit is None:
            errors["unit"] = [_("Please choose the structural unit.")]
        elif not data.unit.is_active:
            errors["unit"] = [_("This unit is no longer active.")]
        elif data.unit.pk == appeal.unit_id and appeal.status == AppealStatus.ASSIGNED:
            errors["unit"] = [_("The appeal is already with this unit.")]
    if "answer" in requires:
        if not data.answer.strip():
            errors["answer"] = [_("Please write the answer.")]
        elif message := _too_long(data.answer, MAX_TEXT_LENGTH):
            errors["answer"] = message
        if data.outcome not in AppealOutcome.values:
            errors["outcome"] = [_("Choose what the answer decided.")]
    if "grounds" in requires and data.grounds not in RefusalGround.values:
        errors["grounds"] = [_("Choose the legal grounds for the refusal.")]
    if "forwarded_to" in requires:
        if not data.forwarded_to.strip():
            errors["forwarded_to"] = [_("Name the body the appeal is forwarded to.")]
        elif message := _too_long(data.forwarded_to, 300):
            errors["forwarded_to"] = message
    if "duplicate_of" in requires:
        original = data.duplicate_of
        if original is None:
            errors["duplicate_of"] = [_("Give the registration number of the earlier appeal.")]
        elif original.pk == appeal.pk:
            errors["duplicate_of"] = [_("An appeal cannot repeat itself.")]
        elif original.status == AppealStatus.MERGED:
            errors["duplicate_of"] = [_("That appeal is itself a repeat; merge into the earlier one.")]
        elif original.author_id != appeal.author_id:
            errors["duplicate_of"] = [_("Only an appeal by the same person can be merged into it.")]
    if errors:
        raise InvalidInput(_("Some fields need attention."), code="invalid", fields=errors)


TERM_REFUSALS = {
    "not_extendable": _("The law gives no longer term for this kind of appeal."),
    "notice_too_late": _("Too late: an extension must be decided and the person told by %(limit)s."),
    "beyond_longest": _("The law allows at most %(limit)s in total."),
    "not_later": _("The new term must end after the current one (%(limit)s)."),
    "not_shortenable": _("The policy gives no shorter term; give the last day."),
    "not_shorter": _("The new term must end before the current one (%(limit)s)."),
    "in_the_past": _("The new term cannot end in the past."),
}


def _term_refused(refusal: TermRefused) -> InvalidInput:
    limit = timezone.localtime(refusal.limit).strftime("%d.%m.%Y %H:%M") if refusal.limit else ""
    message = TERM_REFUSALS[refusal.code] % {"limit": limit}
    return InvalidInput(message, code=f"term_{refusal.code}", fields={"last_day": [message]})


def _apply(*, appeal: Appeal, action: AppealAction, data: AppealTransitionInput, now: datetime.datetime) -> dict:
    """The action's changes to the appeal; returns what the event records about them."""
    recorded: dict = {"action": str(action), **(data.extra or {})}
    if action in (AppealAction.ROUTE, AppealAction.REASSIGN):
        recorded.update(from_unit=appeal.unit.code if appeal.unit_id else None, unit=data.unit.code)
        appeal.unit = data.unit
    elif action == AppealAction.RETURN:
        recorded["from_unit"] = appeal.unit.code
        appeal.unit = None
    elif action == AppealAction.ANSWER:
        appeal.answer = data.answer.strip()
        appeal.outcome = data.outcome
        appeal.answered_at = appeal.closed_at = now
        recorded["outcome"] = data.outcome
    elif action == AppealAction.REFUSE:
        appeal.refusal_ground = data.grounds
        appeal.answer = data.note.strip()
        appeal.answered_at = appeal.closed_at = now
        recorded["grounds"] = data.grounds
    elif action == AppealAction.FORWARD:
        appeal.forwarded_to = data.forwarded_to.strip()
        appeal.closed_at = now
        recorded.update(forwarded_to=appeal.forwarded_to, in_time=now <= appeal.forward_due_at)
    elif action == AppealAction.MERGE:
        appeal.duplicate_of = data.duplicate_of
        appeal.closed_at = now
        recorded["duplicate_of"] = data.duplicate_of.ref
    elif action in (AppealAction.EXTEND, AppealAction.SHORTEN):
        terms, calendar = policy_terms(appeal.policy)
        compute = extension_due if action == AppealAction.EXTEND else shortened_due
        try:
            new_due = compute(
                policy=terms,
                received=appeal.received_at,
                current_due=appeal.due_at,
                calendar=calendar,
                last_day=data.last_day,
                now=now,
            )
        except TermRefused as refusal:
            raise _term_refused(refusal) from None
        recorded.update(
            from_due_at=appeal.due_at.astimezone(datetime.UTC).isoformat(),
            due_at=new_due.astimezone(datetime.UTC).isoformat(),
        )
        appeal.due_at = new_due
        appeal.extended = appeal.extended or action == AppealAction.EXTEND
    return recorded


def _permitted(*, appeal: Appeal, actor: User | None, action: AppealAction):
    roles = appeal_actor_roles(appeal=appeal, user=actor)
    try:
        return appeal_check_transition(action=action, status=AppealStatus(appeal.status), roles=roles)
    except ActorNotAllowed:
        raise Forbidden(_("You may not do this with this appeal."), code="action_forbidden") from None
    except TransitionNotAllowed:
        raise Conflict(
            _("This cannot be done with the appeal in its present state."), code="transition_not_allowed"
        ) from None


def _action(action: AppealAction | str) -> AppealAction:
    try:
        return AppealAction(action)
    except ValueError:
        raise InvalidInput(
            _("Unknown action."), code="unknown_action", fields={"action": [_("Unknown action.")]}
        ) from None


def appeal_transition_check(*, appeal: Appeal, actor: User | None, action: AppealAction | str) -> None:
    """Refuse early an action the actor may not take now (before uploads are processed)."""
    _permitted(appeal=appeal, actor=actor, action=_action(action))


def appeal_transition(
    *,
    appeal: Appeal,
    actor: User | None,
    action: AppealAction | str,
    data: AppealTransitionInput | None = None,
    now: datetime.datetime | None = None,
) -> Appeal:
    """Take `action` on the appeal as `actor` (None: the platform). The only code that sets status.

    Raises Forbidden, Conflict or InvalidInput; a refused action changes nothing.
    """
    action = _action(action)
    data = data or AppealTransitionInput()
    now = now or timezone.now()
    with transaction.atomic():
        locked = (
            Appeal.objects.select_for_update(of=("self",)).select_related("policy__calendar", "unit").get(pk=appeal.pk)
        )
        transition = _permitted(appeal=locked, actor=actor, action=action)
        _validate(appeal=locked, action=action, requires=transition.requires, data=data)
        from_status = locked.status
        recorded = _apply(appeal=locked, action=action, data=data, now=now)
        to_status = from_status if action in STATUS_KEEPING_ACTIONS else transition.target
        locked.status = to_status
        locked.updated_at = now
        locked.save()
        event = AppealEvent.objects.create(
            appeal=locked,
            kind=AppealEventKind.TERM_CHANGED if action in STATUS_KEEPING_ACTIONS else AppealEventKind.STATUS_CHANGED,
            at=now,
            actor=actor,
            from_status=from_status,
            to_status=to_status,
            for_author=action not in INTERNAL_ACTIONS,
            note=data.note.strip(),
            data=recorded,
        )
        if data.media:
            appeal_attach(appeal=locked, assets=list(data.media), role="answer", actor=actor, now=now)
        queue_appeal_notifications(event)
    return locked


def appeal_ask_shorter_term(
    *, appeal: Appeal, actor: User, reason: str, now: datetime.datetime | None = None
) -> AppealEvent:
    """The author asks for a shorter term, with the reason (Art. 20); the council decides (SHORTEN)."""
    now = now or timezone.now()
    if appeal.author_id != actor.pk:
        raise Forbidden(_("You may not do this with this appeal."), code="action_forbidden")
    if not appeal.is_open:
        raise Conflict(_("This cannot be done with the appeal in its present state."), code="transition_not_allowed")
    reason = reason.strip()
    if not reason:
        raise InvalidInput(
            _("Please say why you need the answer sooner."),
            code="invalid",
            fields={"reason": [_("Please say why you need the answer sooner.")]},
        )
    if message := _too_long(reason, 1000):
        raise InvalidInput(message[0], code="invalid", fields={"reason": message})
    with transaction.atomic():
        locked = Appeal.objects.select_for_update(of=("self",)).get(pk=appeal.pk)
        locked.shorter_term_reason = reason
        locked.updated_at = now
        locked.save(update_fields=["shorter_term_reason", "updated_at"])
        event = AppealEvent.objects.create(
            appeal=locked, kind=AppealEventKind.SHORTER_TERM_ASKED, at=now, actor=actor, note=reason
        )
        queue_appeal_notifications(event)
    return event
