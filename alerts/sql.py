"""Which issue events an alert matches: the one home of the rule, as SQL, because PostGIS answers
"does this place contain that point" for every alert and event in one statement (the e-mails, the
digest and the feeds all read it from here).

An event matches an alert when
- the issue is public (not hidden, not waiting for its reporter's e-mail confirmation) *now*, and
  the event itself is public: an issue hidden after the event is dropped;
- it is a new report (`created`) and the alert wants new reports, or a public status change and the
  alert wants those — except the platform's own routing of a report as it is published (`routed`
  with no actor), which is part of the new report, not news of its own;
- the issue's point lies in the alert's place: its district (the issue's stored district), the drawn
  area (edge included), or within `radius_m` metres of the point, measured on the spheroid;
- the alert names no category groups, or the issue's category is in one of them.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db import connection

from alerts.models import Alert, AlertFrequency, AlertKind
from issues.models import STATUS_EVENT_KINDS, IssueEventKind, NotificationDelivery, event_kinds_in_order

STATUS_KINDS = tuple(event_kinds_in_order(STATUS_EVENT_KINDS))
ALERT_TABLE = Alert._meta.db_table
GROUPS_TABLE = Alert.category_groups.through._meta.db_table
DELIVERY_TABLE = NotificationDelivery._meta.db_table

# `e` an issue event, `i` its issue, `c` its category, `a` an alert.
PUBLIC_SQL = "e.is_public AND NOT i.is_hidden AND NOT i.awaiting_confirmation"
WHAT_SQL = f"""(
    (a.new_reports AND e.kind = '{IssueEventKind.CREATED.value}')
    OR (a.status_changes AND e.kind = ANY(%(status_kinds)s)
        AND NOT (e.kind = '{IssueEventKind.ROUTED.value}' AND e.actor_id IS NULL))
)"""
WHERE_SQL = f"""(
    (a.kind = '{AlertKind.DISTRICT.value}' AND i.district_id = a.district_id)
    OR (a.kind = '{AlertKind.AREA.value}' AND ST_Covers(a.area, i.point))
    OR (a.kind = '{AlertKind.RADIUS.value}' AND ST_DWithin(a.center::geography, i.point::geography, a.radius_m))
)"""
GROUPS_SQL = f"""(
    NOT EXISTS (SELECT 1 FROM {GROUPS_TABLE} g WHERE g.alert_id = a.id)
    OR EXISTS (SELECT 1 FROM {GROUPS_TABLE} g WHERE g.alert_id = a.id AND g.categorygroup_id = c.group_id)
)"""
MATCH_SQL = f"{PUBLIC_SQL} AND {WHAT_SQL} AND {WHERE_SQL} AND {GROUPS_SQL}"

FROM_SQL = """
FROM issues_issueevent e
JOIN issues_issue i ON i.id = e.issue_id
JOIN issues_category c ON c.id = i.category_id
"""

# Who is owed an e-mail: alerts with e-mails on, of an active account with a confirmed address,
# not told about this event yet (by an alert or any other notification), never about their own act.
DUE_SQL = f"""
SELECT a.id, e.id, lower(u.email)
{FROM_SQL}
JOIN {ALERT_TABLE} a ON a.frequency = %(frequency)s AND a.unsubscribed_at IS NULL
JOIN accounts_user u ON u.id = a.user_id
WHERE {{events}}
  AND {MATCH_SQL}
  AND u.is_active AND u.email <> '' AND u.email_confirmed_at IS NOT NULL
  AND e.actor_id IS DISTINCT FROM u.id
  AND NOT EXISTS (SELECT 1 FROM {DELIVERY_TABLE} d WHERE d.event_id = e.id AND d.email = lower(u.email))
ORDER BY a.id, e.at, e.id
"""


@dataclass(frozen=True)
class Due:
    """An event an alert's subscriber should hear about, at this address (lower-cased)."""

    alert_id: int
    event_id: int
    email: str


def _due(events_sql: str, params: dict) -> list[Due]:
    with connection.cursor() as cursor:
        cursor.execute(DUE_SQL.format(events=events_sql), {"status_kinds": list(STATUS_KINDS), **params})
        return [Due(*row) for row in cursor.fetchall()]


def alerts_due_for_event(*, event_id: int) -> list[Due]:
    """The immediate alerts owed an e-mail about one event."""
    return _due("e.id = %(event_id)s", {"event_id": event_id, "frequency": AlertFrequency.IMMEDIATE.value})


def alerts_due_for_digest(*, since: datetime.datetime) -> list[Due]:
    """The daily-digest alerts owed the events since `since` (and since each alert was made)."""
    return _due(
        "e.at > %(since)s AND e.at >= a.created_at",
        {"since": since, "frequency": AlertFrequency.DAILY.value},
    )


FEED_SQL = f"""
SELECT e.id
{FROM_SQL}
JOIN {ALERT_TABLE} a ON a.id = %(alert_id)s
WHERE {MATCH_SQL}
ORDER BY e.at DESC, e.id DESC
LIMIT %(limit)s
"""


def alert_feed_event_ids(*, alert_id: int, limit: int) -> list[int]:
    """The newest events an alert matches, newest first (its feed; no e-mail state involved)."""
    with connection.cursor() as cursor:
        cursor.execute(FEED_SQL, {"alert_id": alert_id, "limit": limit, "status_kinds": list(STATUS_KINDS)})
        return [row[0] for row in cursor.fetchall()]


# A district's feed is the alert "this district, new reports and status changes, every category".
DISTRICT_FEED_SQL = f"""
SELECT e.id
{FROM_SQL}
JOIN (SELECT '{AlertKind.DISTRICT.value}'::text AS kind, %(district_id)s::bigint AS district_id,
             NULL::geometry AS area, NULL::geometry AS center, NULL::integer AS radius_m,
             TRUE AS new_reports, TRUE AS status_changes, 0::bigint AS id) a ON TRUE
WHERE i.district_id = %(district_id)s AND {MATCH_SQL}
ORDER BY e.at DESC, e.id DESC
LIMIT %(limit)s
"""


def district_feed_event_ids(*, district_id: int, limit: int) -> list[int]:
    """The newest public new reports and status changes in a district, newest first."""
    with connection.cursor() as cursor:
        cursor.execute(
            DISTRICT_FEED_SQL, {"district_id": district_id, "limit": limit, "status_kinds": list(STATUS_KINDS)}
        )
        return [row[0] for row in cursor.fetchall()]


CLAIM_SQL = f"""
INSERT INTO {DELIVERY_TABLE} (event_id, email, sent_at)
SELECT event_id, %(email)s, now() FROM unnest(%(event_ids)s::bigint[]) AS event_id
ON CONFLICT DO NOTHING
RETURNING event_id
"""


def deliveries_claim(*, event_ids: list[int], email: str) -> list[int]:
    """Record the events as delivered to the address; returns those not recorded before. Run in the
    transaction that sends the e-mail: a failed send rolls the records back, and a concurrent run
    waits on the rows and then finds them taken."""
    if not event_ids:
        return []
    with connection.cursor() as cursor:
        cursor.execute(CLAIM_SQL, {"event_ids": event_ids, "email": email})
        return [row[0] for row in cursor.fetchall()]
