"""Background work, run by Django's database task worker (`manage.py db_worker`)."""

from __future__ import annotations

from django.tasks import task

from issues.notifications import notify_event
from issues.services.sla import sla_sweep


@task
def send_event_notifications(event_id: int) -> int:
    """E-mail everyone an event concerns; returns the number of messages sent."""
    return notify_event(event_id=event_id)


@task
def run_sla_sweep() -> dict:
    """One pass of the SLA sweep (see issues.services.sla)."""
    result = sla_sweep()
    return {"breaches": result.breaches, "escalations": result.escalations, "closed": result.closed}
