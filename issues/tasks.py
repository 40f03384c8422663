"""Periodic background work, run by Django's database task worker (`manage.py db_worker`). The
notification task lives beside the notifications it sends (issues.notifications)."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.tasks import task
from django.utils import timezone
from django.utils.module_loading import import_string

from issues.services.sla import sla_sweep


def run_registered_sweeps(*, now: datetime.datetime) -> dict[str, int]:
    """The other apps' passes in the periodic sweep (settings.OPENCITY_SWEEPS: dotted paths of
    callables taking `now=` and returning counts), so the issues never import the apps that plug in.
    Only what happened is returned (the counts above zero): a quiet pass reads as the issues' alone."""
    counts: dict[str, int] = {}
    for path in settings.OPENCITY_SWEEPS:
        counts.update(import_string(path)(now=now))
    return {name: count for name, count in counts.items() if count}


@task
def run_sla_sweep() -> dict:
    """One pass of the SLA sweep (see issues.services.sla), then the registered ones."""
    now = timezone.now()
    result = sla_sweep(now=now)
    counts = {"breaches": result.breaches, "escalations": result.escalations, "closed": result.closed}
    return counts | run_registered_sweeps(now=now)
