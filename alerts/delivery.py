"""Alert e-mails, sent by the task worker: one e-mail per event for immediate alerts, one digest a
day per alert for the others; in the subscriber's language, plain text with an HTML alternative, and
with an unsubscribe link that works without signing in (RFC 8058 one-click headers too).

Each event reaches an address once, whatever sends it and however often a task runs: the sending
shares a transaction with its records in issues' notification_delivery table (alerts.sql.
deliveries_claim), as issues.notifications does for followers. Which events an alert matches — and
that hidden and pending issues never go out — is alerts/sql.py's rule, asked at sending time, so an
issue hidden between the event and the digest is dropped.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.tasks import task
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.text import Truncator
from django.utils.translation import gettext as _

from alerts.models import Alert, AlertKind
from alerts.services import alert_unsubscribe_token
from alerts.sql import STATUS_KINDS, Due, alerts_due_for_digest, alerts_due_for_event, deliveries_claim
from issues.models import IssueEvent, IssueEventKind
from issues.presentation import EventNames, event_summary

# The most events one digest lists; the rest are counted and the feed has them.
DIGEST_MAX_EVENTS = 100


def site_url(path: str) -> str:
    return settings.OPENCITY_SITE_URL.rstrip("/") + path


def alert_place_in_words(alert: Alert) -> str:
    """Where the alert looks, in the active language."""
    if alert.kind == AlertKind.DISTRICT and alert.district_id:
        return _("district %(name)s") % {"name": alert.district.name}
    if alert.kind == AlertKind.RADIUS:
        return _("within %(metres)d m of a point") % {"metres": alert.radius_m or 0}
    return _("an area drawn on the map")


def alert_title(alert: Alert) -> str:
    """The alert's own name, or where it looks."""
    return alert.name or alert_place_in_words(alert)


@dataclass(frozen=True)
class Item:
    """One event as an e-mail or a feed shows it."""

    event: IssueEvent
    ref: str
    is_new: bool
    summary: str
    category: str
    status: str
    address: str
    description: str
    url: str
    at: datetime.datetime


def items_for(events: list[IssueEvent]) -> list[Item]:
    """The events in the active language (their names loaded once for all)."""
    names = EventNames.for_events(events)
    items = []
    for event in events:
        issue = event.issue
        items.append(
            Item(
                event=event,
                ref=issue.ref,
                is_new=event.kind == IssueEventKind.CREATED,
                summary=event_summary(event, names=names),
                category=issue.category.name,
                status=issue.get_status_display(),
                address=issue.address,
                description=Truncator(issue.description).chars(300),
                url=site_url(issue.get_absolute_url()),
                at=timezone.localtime(event.at),
            )
        )
    return items


def _events(event_ids: list[int]) -> list[IssueEvent]:
    return list(IssueEvent.objects.filter(pk__in=event_ids).select_related("issue__category").order_by("at", "pk"))


def _message(*, alert: Alert, email: str, events: list[IssueEvent], more: int, digest: bool) -> EmailMultiAlternatives:
    unsubscribe = site_url(reverse("alerts:unsubscribe", args=[alert_unsubscribe_token(alert=alert)]))
    with translation.override(alert.user.language):
        items = items_for(events)
        context = {
            "alert": alert,
            "title": alert_title(alert),
            "place": alert_place_in_words(alert),
            "items": items,
            "item": items[0],
            "more": more,
            "digest": digest,
            "language": alert.user.language,
            "unsubscribe_url": unsubscribe,
            "manage_url": site_url(reverse("alerts:list")),
            "feed_url": site_url(reverse("alerts:feed", args=[alert.feed_token])),
        }
        template = "digest" if digest else "immediate"
        subject = " ".join(render_to_string(f"alerts/email/{template}_subject.txt", context).split())
        text = render_to_string(f"alerts/email/{template}.txt", context)
        html = render_to_string(f"alerts/email/{template}.html", context)
    message = EmailMultiAlternatives(
        subject=subject,
        body=text,
        to=[email],
        headers={
            # RFC 2369 and RFC 8058: mail programs offer "unsubscribe" and may POST it in one click.
            "List-Unsubscribe": f"<{unsubscribe}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            "List-Id": f"<alert-{alert.pk}.alerts.{settings.OPENCITY_COMMUNITY_CODE.lower()}.opencity>",
            "Auto-Submitted": "auto-generated",
        },
    )
    message.attach_alternative(html, "text/html")
    return message


def _send(*, alert: Alert, email: str, event_ids: list[int], digest: bool) -> int:
    """Claim the events for the address and send them in one e-mail; 0 when another run had them."""
    with transaction.atomic():
        claimed = deliveries_claim(event_ids=event_ids, email=email)
        if not claimed:
            return 0
        shown = claimed[:DIGEST_MAX_EVENTS] if digest else claimed
        events = _events(shown)
        if not events:
            return 0
        return _message(alert=alert, email=email, events=events, more=len(claimed) - len(shown), digest=digest).send()


def _by_alert(due: list[Due]) -> dict[tuple[int, str], list[int]]:
    grouped: dict[tuple[int, str], list[int]] = defaultdict(list)
    for row in due:
        grouped[(row.alert_id, row.email)].append(row.event_id)
    return grouped


def _alerts(ids) -> dict[int, Alert]:
    return Alert.objects.select_related("user", "district").in_bulk(list(ids))


def alerts_notify_event(*, event_id: int) -> int:
    """E-mail the immediate alerts that match one event; returns how many e-mails were sent."""
    grouped = _by_alert(alerts_due_for_event(event_id=event_id))
    alerts = _alerts(alert_id for alert_id, _email in grouped)
    return sum(
        _send(alert=alerts[alert_id], email=email, event_ids=ids, digest=False)
        for (alert_id, email), ids in grouped.items()
        if alert_id in alerts  # deleted a moment ago: nothing to send
    )


def alerts_send_digests(*, now: datetime.datetime | None = None) -> int:
    """E-mail each daily alert the events of the last OPENCITY_ALERT_DIGEST_LOOKBACK_HOURS not sent
    to its address yet; returns how many digests were sent. Safe to run twice or concurrently."""
    now = now or timezone.now()
    since = now - datetime.timedelta(hours=settings.OPENCITY_ALERT_DIGEST_LOOKBACK_HOURS)
    grouped = _by_alert(alerts_due_for_digest(since=since))
    alerts = _alerts(alert_id for alert_id, _email in grouped)
    return sum(
        _send(alert=alerts[alert_id], email=email, event_ids=ids, digest=True)
        for (alert_id, email), ids in grouped.items()
        if alert_id in alerts  # deleted a moment ago: nothing to send
    )


# Only these kinds can match an alert (alerts.sql): the others are not worth a task.
ALERTABLE_KINDS = frozenset({IssueEventKind.CREATED.value, *STATUS_KINDS})


@task
def send_alerts_for_event(event_id: int) -> int:
    """E-mail the immediate alerts an event matches (the worker runs it after the event commits)."""
    return alerts_notify_event(event_id=event_id)


@task
def send_alert_digests() -> int:
    """Send the daily digests (enqueued by `manage.py opencity_alert_digest --enqueue`)."""
    return alerts_send_digests()
