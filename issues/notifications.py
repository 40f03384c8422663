"""E-mail notifications, computed from events after the transaction that wrote them commits.

Who hears about what:
- the reporter: every public status change of their issue;
- the executor's staff (and the organisation's mailbox): a new assignment, including a reopening;
- the supervisor organisation's staff and the dispatchers: an escalation after a missed deadline.
Each person gets the message in their own language.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.dispatch import Signal
from django.tasks import task
from django.template.loader import render_to_string
from django.utils import translation

from accounts.models import User
from accounts.roles import DISPATCHERS_GROUP
from issues.models import (
    STATUS_EVENT_KINDS,
    FollowReason,
    IssueEvent,
    IssueEventKind,
    IssueFollower,
    IssueStatus,
    NotificationDelivery,
)
from issues.presentation import EventNames, deadline_in_words, event_summary


@dataclass(frozen=True)
class Recipient:
    email: str
    language: str
    template: str  # "status", "assigned" or "escalated"


_silence = threading.local()
logger = logging.getLogger(__name__)

# Other apps act on issue events without this app knowing them (the area alerts listen here; issues
# never imports them). Sent once the transaction that wrote the event has committed, with the
# keyword arguments `event_id` and `kind`; a receiver should only enqueue work. Status changes and
# escalations are announced as they are written; a report's `created` event when the report becomes
# public — at once for a confirmed reporter, else when the reporter confirms the e-mail address.
event_committed = Signal()


@contextmanager
def notifications_suppressed() -> Iterator[None]:
    """Write events without e-mailing anyone (loading demo history, imports of old records)."""
    previous = getattr(_silence, "active", False)
    _silence.active = True
    try:
        yield
    finally:
        _silence.active = previous


def notifications_are_suppressed() -> bool:
    """Whether the current thread writes events silently (also honoured by the appeals' e-mails)."""
    return getattr(_silence, "active", False)


def queue_event_notifications(event: IssueEvent) -> None:
    """Send the event's notifications in the background once the current transaction commits."""
    if notifications_are_suppressed():
        return

    event_id = event.pk
    transaction.on_commit(lambda: send_event_notifications.enqueue(event_id))
    announce_event(event)


def announce_event(event: IssueEvent) -> None:
    """Tell the listeners of `event_committed` about the event once the current transaction commits."""
    if notifications_are_suppressed():
        return

    event_id, kind = event.pk, str(event.kind)
    transaction.on_commit(lambda: _send_event_committed(event_id=event_id, kind=kind))


def _send_event_committed(*, event_id: int, kind: str) -> None:
    # The event is committed whatever a listener does: a failing one is logged, never turned into
    # an error answer for the person whose action wrote the event.
    for receiver, result in event_committed.send_robust(sender=IssueEvent, event_id=event_id, kind=kind):
        if isinstance(result, Exception):
            logger.error("event_committed listener %r failed for event %s", receiver, event_id, exc_info=result)


def _staff_recipients(executor, template: str) -> list[Recipient]:
    recipients = [
        Recipient(user.email, user.language, template)
        for user in User.objects.filter(membership__executor=executor, is_active=True).exclude(email="")
    ]
    if executor.email:
        recipients.append(Recipient(executor.email, settings.LANGUAGE_CODE, template))
    return recipients


def event_recipients(event: IssueEvent) -> list[Recipient]:
    """Everyone who should hear about this event, once each."""
    issue = event.issue
    recipients: list[Recipient] = []
    if event.kind in STATUS_EVENT_KINDS and event.is_public:
        # The reporter and the supporters, unless they switched e-mails off for this issue, and
        # never the person who took the action.
        followers = IssueFollower.objects.filter(issue=issue, notify=True, user__is_active=True)
        if issue.is_hidden:
            # Moderation hid it: its reporter still hears of their own report, nobody else does.
            followers = followers.filter(reason=FollowReason.REPORTER)
        followers = followers.exclude(user__email="").select_related("user").order_by("reason", "created_at")
        for follower in followers:
            if follower.user_id != event.actor_id:
                recipients.append(Recipient(follower.user.email, follower.user.language, "status"))
    if event.kind in STATUS_EVENT_KINDS and event.to_status == IssueStatus.ASSIGNED and issue.executor_id:
        recipients += _staff_recipients(issue.executor, "assigned")
    if event.kind == IssueEventKind.ESCALATED:
        if issue.executor_id and issue.executor.supervisor_id:
            recipients += _staff_recipients(issue.executor.supervisor, "escalated")
        for user in User.objects.filter(groups__name=DISPATCHERS_GROUP, is_active=True).exclude(email=""):
            recipients.append(Recipient(user.email, user.language, "escalated"))
    seen, unique = set(), []
    for recipient in recipients:
        key = recipient.email.lower()
        if key not in seen:
            seen.add(key)
            unique.append(recipient)
    return unique


def _message(event: IssueEvent, recipient: Recipient, names: EventNames) -> EmailMessage:
    issue = event.issue
    with translation.override(recipient.language):
        context = {
            "issue": issue,
            "event": event,
            "summary": event_summary(event, names=names),
            "executor": issue.executor.name if issue.executor_id else "",
            "category": issue.category.name,
            "status": issue.get_status_display(),
            "response_due": deadline_in_words(issue.response_due_at),
            "resolve_due": deadline_in_words(issue.resolve_due_at),
            "url": settings.OPENCITY_SITE_URL.rstrip("/") + issue.get_absolute_url(),
        }
        subject = render_to_string(f"issues/email/{recipient.template}_subject.txt", context).strip()
        body = render_to_string(f"issues/email/{recipient.template}.txt", context)
    return EmailMessage(subject=subject, body=body, to=[recipient.email])


def notify_event(*, event_id: int) -> int:
    """Send the e-mails an event calls for; returns how many were sent."""
    event = IssueEvent.objects.select_related("issue__category", "issue__executor__supervisor", "issue__reporter").get(
        pk=event_id
    )
    names = EventNames.for_events([event])  # once for all the recipients, whatever their language
    already = set(NotificationDelivery.objects.filter(event=event).values_list("email", flat=True))
    sent = 0
    for recipient in event_recipients(event):
        email = recipient.email.lower()
        if email in already:
            continue  # a run of this task before (killed mid-way) reached this address
        # The record and the sending share a transaction: a failed send leaves no record (the retry
        # sends it); a concurrent run of the same task waits on the unique row and then skips it.
        # Only a crash between the SMTP server's acceptance and the commit can send twice.
        with transaction.atomic():
            _delivery, created = NotificationDelivery.objects.get_or_create(event=event, email=email)
            if created:
                sent += _message(event, recipient, names).send()
    return sent


@task
def send_event_notifications(event_id: int) -> int:
    """E-mail everyone an event concerns; returns the number of messages sent (the worker runs it)."""
    return notify_event(event_id=event_id)
