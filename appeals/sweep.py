"""The appeals' escalation sweep: a term near its end warned of once, a missed term recorded once.

It runs in the same periodic pass as the issues' SLA sweep (issues.tasks.run_sla_sweep, which calls
every callable in settings.OPENCITY_SWEEPS after its own work: the issues never import the appeals).
For each open appeal:

- its answer term runs out within the policy's warning window (appeals.rules.terms.is_due_soon):
  one DUE_SOON event, which tells the general department and the unit;
- its answer term has run out: one OVERDUE event, which tells the unit, its supervisor and the
  general department;
- it is still only registered after the forwarding term (Art. 7: an appeal for another body is
  forwarded within 5 days): one OVERDUE event for that term, which tells the general department.

"Once" is the database's word, not ours: a unique index on (appeal, kind, data.due_at) refuses a
second mark for the same term, so a sweep run twice, or by two workers at once, writes nothing new.
A term moved by an extension is a new term and is warned of again. The events are the platform's
(actor None) and internal (the author is told of terms by the council, not by the alarm).
"""

from __future__ import annotations

import datetime
from dataclasses import asdict, dataclass

from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone

from appeals.models import Appeal, AppealEvent, AppealEventKind, AppealPolicy
from appeals.notifications import queue_appeal_notifications
from appeals.rules.terms import is_due_soon
from appeals.rules.transitions import AppealStatus


@dataclass(frozen=True)
class TermMark:
    """The data of a DUE_SOON or OVERDUE event (read by the unique index and the e-mail templates)."""

    due_at: str  # the term's end, ISO 8601 in UTC: the index's key, so one mark per term
    term: str  # "answer" (the answer term, due_at) or "forward" (the forwarding term, forward_due_at)

    def as_json(self) -> dict:
        return asdict(self)


@dataclass
class AppealSweepResult:
    due_soon: int = 0
    overdue: int = 0
    forward_missed: int = 0

    def as_counts(self) -> dict[str, int]:
        return {
            "appeals_due_soon": self.due_soon,
            "appeals_overdue": self.overdue,
            "appeals_forward_missed": self.forward_missed,
        }


def _iso(moment: datetime.datetime) -> str:
    return moment.astimezone(datetime.UTC).isoformat()


def _mark(*, appeal: Appeal, kind: AppealEventKind, due_at: datetime.datetime, term: str, now) -> bool:
    """Write the mark unless this term already has one (the unique index decides); True if new."""
    try:
        with transaction.atomic():
            event = AppealEvent.objects.create(
                appeal=appeal,
                kind=kind,
                at=now,
                actor=None,
                from_status=appeal.status,
                to_status=appeal.status,
                for_author=False,
                data=TermMark(due_at=_iso(due_at), term=term).as_json(),
            )
    except IntegrityError:
        return False
    queue_appeal_notifications(event)
    return True


def _sweep_one(*, appeal_id: int, now: datetime.datetime, result: AppealSweepResult) -> None:
    with transaction.atomic():
        appeal = Appeal.objects.select_for_update(of=("self",)).select_related("policy").get(pk=appeal_id)
        if not appeal.is_open:  # answered between the query and the lock
            return
        if appeal.due_at < now:
            if _mark(appeal=appeal, kind=AppealEventKind.OVERDUE, due_at=appeal.due_at, term="answer", now=now):
                result.overdue += 1
        elif is_due_soon(policy=appeal.policy.as_terms(), due_at=appeal.due_at, now=now):
            if _mark(appeal=appeal, kind=AppealEventKind.DUE_SOON, due_at=appeal.due_at, term="answer", now=now):
                result.due_soon += 1
        if appeal.status == AppealStatus.REGISTERED and appeal.forward_due_at < now:
            forward_due = appeal.forward_due_at
            if _mark(appeal=appeal, kind=AppealEventKind.OVERDUE, due_at=forward_due, term="forward", now=now):
                result.forward_missed += 1


def _marks_due(appeal: Appeal, *, now: datetime.datetime) -> set[tuple[int, str, str]]:
    """The marks the appeal's terms call for now, as (appeal, kind, due_at) keys of the unique index."""
    due: set[tuple[int, str, str]] = set()
    if appeal.due_at < now:
        due.add((appeal.pk, AppealEventKind.OVERDUE.value, _iso(appeal.due_at)))
    elif is_due_soon(policy=appeal.policy.as_terms(), due_at=appeal.due_at, now=now):
        due.add((appeal.pk, AppealEventKind.DUE_SOON.value, _iso(appeal.due_at)))
    if appeal.status == AppealStatus.REGISTERED and appeal.forward_due_at < now:
        due.add((appeal.pk, AppealEventKind.OVERDUE.value, _iso(appeal.forward_due_at)))
    return due


def appeal_sweep(*, now: datetime.datetime | None = None) -> dict[str, int]:
    """Warn once of every open appeal's term running out, record once every missed term, and the
    registered appeals past their forwarding term. Running it again changes nothing."""
    now = now or timezone.now()
    result = AppealSweepResult()
    widest = max(AppealPolicy.objects.values_list("warn_hours", flat=True), default=0)
    candidates = list(
        Appeal.objects.open()
        .filter(
            Q(due_at__lte=now + datetime.timedelta(hours=widest))
            | Q(status=AppealStatus.REGISTERED, forward_due_at__lt=now)
        )
        .select_related("policy")
        .order_by(F("due_at").asc(), "pk")  # the most urgent first
    )
    # An appeal past its term stays a candidate until it is answered: the marks it already has are
    # read in one query, so a pass over a city's overdue appeals costs two queries, not one each.
    marked = set(
        AppealEvent.objects.filter(
            appeal__in=[appeal.pk for appeal in candidates],
            kind__in=[AppealEventKind.DUE_SOON, AppealEventKind.OVERDUE],
        ).values_list("appeal_id", "kind", "data__due_at")
    )
    for appeal in candidates:
        if _marks_due(appeal, now=now) - marked:
            _sweep_one(appeal_id=appeal.pk, now=now, result=result)
    return result.as_counts()
