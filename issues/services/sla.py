"""The SLA sweep: missed deadlines are recorded once, escalated and notified; fixes that the
reporter neither confirmed nor disputed in time are closed."""

from __future__ import annotations

import datetime
import logging
from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from issues.events import Escalated, SlaBreached
from issues.models import Issue, IssueEvent, IssueEventKind, IssueStatus
from issues.notifications import queue_event_notifications
from issues.rules.clocks import missed_deadlines
from issues.rules.transitions import Action
from issues.services.lifecycle import TransitionInput, issue_transition
from opencity.errors import DomainError

logger = logging.getLogger(__name__)


@dataclass
class SweepResult:
    breaches: int = 0
    escalations: int = 0
    closed: int = 0
    skipped: int = 0


def _record_breach(*, issue_id: int, now: datetime.datetime, result: SweepResult) -> None:
    with transaction.atomic():
        issue = Issue.objects.select_for_update(of=("self",)).select_related("executor__supervisor").get(pk=issue_id)
        missed = missed_deadlines(
            status=issue.status, response_due_at=issue.response_due_at, resolve_due_at=issue.resolve_due_at, at=now
        )
        for deadline_kind, due_at in missed:
            try:
                with transaction.atomic():  # the unique index says whether this breach is news
                    IssueEvent.objects.create(
                        issue=issue,
                        kind=IssueEventKind.SLA_BREACHED,
                        at=now,
                        is_public=True,
                        data=SlaBreached(
                            deadline=deadline_kind,
                            due_at=due_at.astimezone(datetime.UTC).isoformat(),
                            executor=issue.executor.code,
                        ).as_json(),
                    )
            except IntegrityError:
                continue
            result.breaches += 1
            supervisor = issue.executor.supervisor
            escalation = IssueEvent.objects.create(
                issue=issue,
                kind=IssueEventKind.ESCALATED,
                at=now,
                is_public=False,
                data=Escalated(
                    deadline=deadline_kind,
                    executor=issue.executor.code,
                    supervisor=supervisor.code if supervisor else None,
                    dispatchers=True,
                ).as_json(),
            )
            result.escalations += 1
            queue_event_notifications(escalation)


def sla_sweep(*, now: datetime.datetime | None = None) -> SweepResult:
    """Find open issues past a deadline and record each breach once (running it again changes
    nothing), escalate to the executor's supervisor and the dispatchers; close resolved issues
    whose confirmation window has passed."""
    now = now or timezone.now()
    result = SweepResult()
    for issue_id in Issue.objects.overdue(now).values_list("pk", flat=True).iterator():
        _record_breach(issue_id=issue_id, now=now, result=result)
    cutoff = now - datetime.timedelta(days=settings.OPENCITY_CONFIRM_DAYS)
    for issue in Issue.objects.filter(status=IssueStatus.RESOLVED, resolved_at__lte=cutoff).order_by("pk").iterator():
        reason = {"reason": "confirmation_timeout", "days": settings.OPENCITY_CONFIRM_DAYS}
        try:
            issue_transition(issue=issue, actor=None, action=Action.CLOSE, data=TransitionInput(extra=reason), now=now)
        except DomainError:
            # One issue that changed under us (reopened, disputed) must not stop the city's sweep.
            logger.warning("SLA sweep could not close issue %s", issue.ref, exc_info=True)
            result.skipped += 1
            continue
        result.closed += 1
    return result
