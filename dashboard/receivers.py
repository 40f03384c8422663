"""Keeps the dashboard's pre-aggregated tables current on write: every event that can change a
figure refreshes its issue's rows in the transaction that writes it (the issues app never imports
the dashboard; it only writes events, and every write path of the services writes one)."""

from __future__ import annotations

from django.db.models.signals import post_save
from django.dispatch import receiver

from dashboard.aggregates import REFRESHING_EVENT_KINDS, dashboard_issues_refresh
from issues.models import IssueEvent


@receiver(post_save, sender=IssueEvent, dispatch_uid="dashboard.refresh_issue_aggregates")
def refresh_issue_aggregates(sender, instance: IssueEvent, created: bool, raw: bool = False, **kwargs) -> None:
    if created and not raw and instance.kind in REFRESHING_EVENT_KINDS:
        dashboard_issues_refresh(issue_ids=[instance.issue_id])
