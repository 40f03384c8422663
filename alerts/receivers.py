"""The alerts app listens to the issues app's committed events (issues.notifications.
event_committed): issues never imports alerts. The listener only enqueues the worker's task."""

from __future__ import annotations

from django.dispatch import receiver

from alerts.delivery import ALERTABLE_KINDS, send_alerts_for_event
from issues.notifications import event_committed


@receiver(event_committed, dispatch_uid="alerts.send_alerts_for_event")
def queue_alerts_for_event(*, event_id: int, kind: str, **_kwargs) -> None:
    """Enqueue the immediate alerts' e-mails for an event that could match an alert."""
    if kind in ALERTABLE_KINDS:
        send_alerts_for_event.enqueue(event_id)
