"""E-mails about appeals, sent by the task worker after the transaction that wrote the event.

Who hears about what:
- the author: the acknowledgement (number and due date), every step meant for them (an answer, a
  refusal, a forwarding, a merge, a change of term with its reasons — the law's notice);
- the general department (the `appeal_clerks` group): a new appeal, an appeal handed back, a
  request for a shorter term, a term near or missed;
- the unit's staff and mailbox: an appeal assigned to them, a term near or missed;
- the unit's supervisor organisation: a missed term.
Each person gets the message in their own language; an address gets an event's message once.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.tasks import task
from django.template.loader import render_to_string
from django.utils import timezone, translation

from accounts.models import User
from accounts.roles import APPEAL_CLERKS_GROUP
from appeals.models import AppealEvent, AppealEventKind, AppealNotificationDelivery
from appeals.rules.transitions import AppealStatus
from issues.notifications import notifications_are_suppressed


@dataclass(frozen=True)
class Recipient:
    email: str
    language: str
    template: str  # "author", "clerks", "unit" or "escalated"


def queue_appeal_notifications(event: AppealEvent) -> None:
    """Send the event's e-mails in the background once the current transaction commits (not while
    the issues' notifications_suppressed() is on: demo history, imports of old records)."""
    if notifications_are_suppressed():
        return
    event_id = event.pk
    transaction.on_commit(lambda: send_appeal_notifications.enqueue(event_id))


def _clerks(template: str) -> list[Recipient]:
    users = User.objects.filter(groups__name=APPEAL_CLERKS_GROUP, is_active=True).exclude(email="")
    return [Recipient(user.email, user.language, template) for user in users]


def _unit(executor, template: str) -> list[Recipient]:
    if executor is None:
        return []
    users = User.objects.filter(membership__executor=executor, is_active=True).exclude(email="")
    recipients = [Recipient(user.email, user.language, template) for user in users]
    if executor.email:
        recipients.append(Recipient(executor.email, settings.LANGUAGE_CODE, template))
    return recipients


def appeal_event_recipients(event: AppealEvent) -> list[Recipient]:
    """Everyone who should hear about this event, once each; the person who acted only for the
    acknowledgement of their own appeal."""
    appeal = event.appeal
    recipients: list[Recipient] = []
    author_hears = event.for_author and event.kind in (
        AppealEventKind.REGISTERED,
        AppealEventKind.STATUS_CHANGED,
        AppealEventKind.TERM_CHANGED,
    )
    if author_hears and not (event.kind == AppealEventKind.STATUS_CHANGED and event.to_status == AppealStatus.ASSIGNED):
        recipients.append(Recipient(appeal.email, appeal.author.language, "author"))
    if event.kind in (AppealEventKind.REGISTERED, AppealEventKind.SHORTER_TERM_ASKED, AppealEventKind.DUE_SOON):
        recipients += _clerks("clerks")
    if event.kind == AppealEventKind.STATUS_CHANGED and event.to_status == AppealStatus.REGISTERED:
        recipients += _clerks("clerks")  # handed back by a unit
    if event.kind == AppealEventKind.STATUS_CHANGED and event.to_status == AppealStatus.ASSIGNED:
        recipients += _unit(appeal.unit, "unit")
    if event.kind in (AppealEventKind.SHORTER_TERM_ASKED, AppealEventKind.DUE_SOON) and appeal.is_open:
        recipients += _unit(appeal.unit, "unit")
    if event.kind == AppealEventKind.OVERDUE:
        recipients += _unit(appeal.unit, "escalated") + _clerks("escalated")
        if appeal.unit is not None and appeal.unit.supervisor_id:
            recipients += _unit(appeal.unit.supervisor, "escalated")
    actor_email = (event.actor.email or "").lower() if event.actor_id else ""
    seen, unique = set(), []
    for recipient in recipients:
        key = recipient.email.lower()
        # The acknowledgement is the one message the person who acted gets: the law's receipt.
        acknowledgement = event.kind == AppealEventKind.REGISTERED and recipient.template == "author"
        if key == actor_email and not acknowledgement:
            continue
        if key and key not in seen:
            seen.add(key)
            unique.append(recipient)
    return unique


def _message(event: AppealEvent, recipient: Recipient) -> EmailMessage:
    appeal = event.appeal
    with translation.override(recipient.language):
        context = {
            "appeal": appeal,
            "event": event,
            "kind": appeal.get_kind_display(),
            "due": timezone.localtime(appeal.due_at).strftime("%d.%m.%Y %H:%M"),
            "url": settings.OPENCITY_SITE_URL.rstrip("/") + f"/appeals/{appeal.ref}/",
        }
        subject = render_to_string(f"appeals/email/{recipient.template}_subject.txt", context).strip()
        body = render_to_string(f"appeals/email/{recipient.template}.txt", context)
    return EmailMessage(subject=subject, body=body, to=[recipient.email])


def notify_appeal_event(*, event_id: int) -> int:
    """Send the e-mails an appeal's event calls for; returns how many were sent."""
    event = AppealEvent.objects.select_related("appeal__unit__supervisor", "appeal__author", "actor").get(pk=event_id)
    already = set(AppealNotificationDelivery.objects.filter(event=event).values_list("email", flat=True))
    sent = 0
    for recipient in appeal_event_recipients(event):
        email = recipient.email.lower()
        if email in already:
            continue
        with transaction.atomic():  # as issues.notifications.notify_event: record and send together
            _delivery, created = AppealNotificationDelivery.objects.get_or_create(event=event, email=email)
            if created:
                sent += _message(event, recipient).send()
    return sent


@task
def send_appeal_notifications(event_id: int) -> int:
    return notify_appeal_event(event_id=event_id)
