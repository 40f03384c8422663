"""How Open City's concepts map onto Open311's."""

from __future__ import annotations

import datetime

from django.utils import timezone

from issues.models import OPEN_STATUS_VALUES, IssueStatus
from issues.rules.transitions import CLOSED_STATUSES, statuses_in_order

SPECIFICATION_URL = "http://wiki.open311.org/GeoReport_v2"


def open311_status(status: str) -> str:
    """GeoReport v2 knows two states: `open` (someone still has to act) or `closed`."""
    return "open" if status in OPEN_STATUS_VALUES else "closed"


def open311_statuses(values: list[str]) -> list[str]:
    """Our statuses behind a list of Open311 ones (`open`, `closed`)."""
    ours: list[str] = []
    if "open" in values:
        ours += list(OPEN_STATUS_VALUES)
    if "closed" in values:
        ours += statuses_in_order(CLOSED_STATUSES)
    return ours


# mySociety's finer states for servicerequestupdates. "rejected" means "not possible, or not the
# city's competence", which is FixMyStreet's "unable to fix".
UPDATE_STATUSES = {
    IssueStatus.NEW: "open",
    IssueStatus.ASSIGNED: "open",
    IssueStatus.IN_PROGRESS: "in_progress",
    IssueStatus.PLANNED: "planned",
    IssueStatus.RESOLVED: "fixed",
    IssueStatus.CLOSED: "closed",
    IssueStatus.REJECTED: "no_further_action",
    IssueStatus.DUPLICATE: "duplicate",
}


def update_status(status: str) -> str:
    return UPDATE_STATUSES.get(status, "open")


def open311_datetime(value: datetime.datetime | None, *, zone: datetime.tzinfo | None = None) -> str | None:
    """ISO 8601 in the city's time zone with its offset, whole seconds (2026-05-01T10:00:00+03:00).
    `zone`: the current time zone, when a caller formatting many has already looked it up."""
    if value is None:
        return None
    return value.astimezone(zone or timezone.get_current_timezone()).isoformat(timespec="seconds")
