"""Issues and outages: a report of "no water" inside a known water outage is linked to it at once,
and when the provider closes the outage its linked reports assigned to that provider are resolved
with a public note; the others get an internal note for the dispatcher."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.models import User
from geo.models import Outage
from geo.selectors import outage_covering
from geo.services import outage_close
from issues.events import OutageLinked
from issues.models import Issue, IssueEvent, IssueEventKind, IssueStatus
from issues.rules.transitions import Action
from issues.services.lifecycle import TransitionInput, issue_transition


def issue_link_outage(*, issue: Issue, now: datetime.datetime | None = None) -> Outage | None:
    """Link a new issue to the active outage of its category's kind covering its point, if any
    (inside the caller's transaction), and record it publicly so the citizen sees it at once."""
    kind = issue.category.outage_kind
    if not kind:
        return None
    now = now or timezone.now()
    outage = outage_covering(point=issue.point, kind=kind, at=now)
    if outage is None:
        return None
    Issue.objects.filter(pk=issue.pk).update(outage=outage)
    issue.outage = outage
    IssueEvent.objects.create(
        issue=issue,
        kind=IssueEventKind.OUTAGE_LINKED,
        at=now,
        is_public=True,
        data=OutageLinked(
            outage_id=outage.pk,
            kind=outage.kind,
            provider=outage.provider.code,
            expected_end_at=outage.expected_end_at.isoformat() if outage.expected_end_at else None,
        ).as_json(),
    )
    return outage


def outage_close_resolving_issues(
    *, actor: User, outage: Outage, ended_at: datetime.datetime | None = None, note: str = ""
) -> Outage:
    """Close an outage (geo.services.outage_close, with its permission checks) and, in the same
    transaction, resolve the open issues linked to it; their followers hear about it.

    This is the service the outage desk calls (settings.OPENCITY_OUTAGE_CLOSE_SERVICE)."""
    with transaction.atomic():
        closed = outage_close(actor=actor, outage=outage, ended_at=ended_at, note=note)
        reason = {"reason": "outage_closed", "outage_id": closed.pk, "kind": closed.kind}
        linked = Issue.objects.filter(outage=closed).open().select_related("executor").order_by("pk")
        for issue in linked:
            # The provider's word ends only its own work: a report in `new` (not yet checked by a
            # dispatcher) or assigned to another organisation stays open for a person to look at.
            if issue.executor_id == closed.provider_id and issue.status != IssueStatus.NEW:
                issue_transition(issue=issue, actor=None, action=Action.RESOLVE, data=TransitionInput(extra=reason))
            else:
                _hand_to_dispatcher(issue=issue, outage=closed)
    return closed


def _hand_to_dispatcher(*, issue: Issue, outage: Outage) -> IssueEvent:
    """An internal note on a report the outage's closure did not resolve, for the dispatcher's queue."""
    with translation.override(settings.LANGUAGE_CODE):
        note = _(
            "The %(provider)s outage this report was linked to has ended; it was not resolved "
            "automatically because the report is not assigned to that provider. Please check it."
        ) % {"provider": outage.provider.name}
    return IssueEvent.objects.create(
        issue=issue,
        kind=IssueEventKind.COMMENT,
        at=timezone.now(),
        is_public=False,
        note=str(note),
    )
