"""Periodic background work, run by Django's database task worker (`manage.py db_worker`). The
notification task lives beside the notifications it sends (issues.notifications)."""

from __future__ import annotations

from django.tasks import task

from issues.services.sla import sla_sweep


@task
def run_sla_sweep() -> dict:
    """One pass of the SLA sweep (see issues.services.sla)."""
    result = sla_sweep()
    return {"breaches": result.breaches, "escalations": result.escalations, "closed": result.closed}
