"""Keeps the dashboard's pre-aggregated tables current on write: every event that can change a
figure refreshes its issue's rows in the transaction that writes it (the issues app never imports
the dashboard; it only writes events, and every write path of the services writes one).

Inside a service transaction (opencity.db.service_transaction: a report with its `created` and
`routed` events) an issue's rows are refreshed once, at the end of the writes, still inside the
transaction: a refresh derives the rows from the issue and its whole log, so the last one alone
gives what one after each event gave."""

from __future__ import annotations

from django.db.models.signals import post_save
from django.dispatch import receiver

from dashboard.aggregates import REFRESHING_EVENT_KINDS, dashboard_issues_refresh
from issues.models import IssueEvent
from opencity.db import at_service_end


def _refresh(issue_ids: list[int]) -> None:
    dashboard_issues_refresh(issue_ids=issue_ids)


@receiver(post_save, sender=IssueEvent, dispatch_uid="dashboard.refresh_issue_aggregates")
def refresh_issue_aggregates(sender, instance: IssueEvent, created: bool, raw: bool = False, **kwargs) -> None:
    if created and not raw and instance.kind in REFRESHING_EVENT_KINDS:
        at_service_end("dashboard.refresh_issue_aggregates", _refresh, [instance.issue_id])
