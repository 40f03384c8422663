"""Synthetic issues in bulk, for benchmarks: `manage.py opencity_generate_issues --count N`.

Set-based SQL, not the services: a million reports through `issue_create` would take hours, and a
benchmark needs the *shape* of real data (how many events per issue, how many open, how clustered),
not each deadline to the working minute. So the generator draws every issue's story at once in a
few statements inside the demo territory and writes the issues and their events with the same
columns and event data the services write (including the deadlines an event sets), so the
dashboard, the map and the queues read them as they read real ones.

What is approximate: deadlines are the policy's hours on the calendar clock, stretched ×3.73 for
working-hour policies (168 hours a week against 45 working hours); actors are left empty.

The stories, for each report (at a random moment of the last `days` days, hours 07–22):
  - 3 % match no routing rule: the dispatcher assigns most to housing 2–30 h later, 0.2 % stay `new`;
  - the executor answers in 0.5–6 h (or 30–120 h for the 30 % of late answers), and then
      4 % reject · 7 % hand back (the dispatcher reassigns to housing, which fixes it) ·
      3 % are merged into an earlier report before any answer · 7 % are planned for 20–200 days,
      then resumed and fixed · the rest are accepted and fixed in 3 h–6 days (late: 12–30 days);
  - after a fix, 55 % of reporters confirm, 10 % dispute (the executor accepts again and fixes it
    in 1–5 days), the others let it close after 7 days;
  - a missed answer deadline leaves an `sla_breached` and an `escalated` event.
Whatever would happen after "now" has not happened yet: those issues are open in their status.
30 % of the points are drawn around 200 hot places (σ ≈ 60 m), the rest evenly in the districts.
"""

from __future__ import annotations

import datetime
import io

from django.conf import settings
from django.core.management import call_command
from django.db import connection, transaction
from django.utils import timezone

from dashboard.selectors import metric_srid

WORKING_STRETCH = 168 / 45

SETUP_SQL = """
SELECT setseed(%(seed)s);

DROP TABLE IF EXISTS gen_category, gen_point, gen_issue, gen_event;

-- Categories with weights (as the demo's history sees them) and the executor of their rule.
CREATE TEMP TABLE gen_category AS
SELECT c.id AS category_id, c.group_id, w.weight,
       sum(w.weight) OVER (ORDER BY c.id) - w.weight AS low, sum(w.weight) OVER (ORDER BY c.id) AS high,
       (SELECT r.executor_id FROM issues_routingrule r
        WHERE r.category_id = c.id AND r.is_active AND r.district_id IS NULL AND r.area IS NULL
        ORDER BY r.priority DESC, r.id LIMIT 1) AS executor_id,
       p.response_hours * CASE WHEN p.clock = 'working_hours' THEN %(stretch)s ELSE 1 END AS response_h,
       p.resolution_hours * CASE WHEN p.clock = 'working_hours' THEN %(stretch)s ELSE 1 END AS resolution_h
FROM issues_category c
JOIN issues_slapolicy p ON p.id = c.sla_policy_id
JOIN LATERAL (SELECT CASE c.code WHEN 'pothole' THEN 14 WHEN 'streetlight-out' THEN 12 WHEN 'overflowing-bins' THEN 10
              WHEN 'damaged-pavement' THEN 7 WHEN 'illegal-dump' THEN 6 ELSE 3 END AS weight) w ON true
WHERE c.is_active;

-- Points: districts weighted (city districts 5, starosta districts 2), 30 %% around hot places.
CREATE TEMP TABLE gen_point AS
WITH d AS (
    SELECT id, geom, CASE WHEN kind = 'city_district' THEN 5 ELSE 2 END AS weight FROM geo_district
),
quota AS (
    SELECT id, geom, ceil(%(count)s * weight::numeric / sum(weight) OVER ())::int AS points FROM d
),
even AS (
    SELECT q.id AS district_id, (ST_Dump(ST_GeneratePoints(q.geom, q.points, %(seed_int)s))).geom AS point
    FROM quota q
),
numbered AS (
    SELECT row_number() OVER (ORDER BY random()) AS n, district_id, point FROM even
),
hot AS (
    SELECT row_number() OVER () - 1 AS h, ST_Transform(point, %(srid)s) AS centre, district_id
    FROM numbered WHERE n <= 200
)
SELECT n.n,
       CASE WHEN n.n %% 10 < 3 THEN hot.district_id ELSE n.district_id END AS district_id,
       CASE WHEN n.n %% 10 < 3 THEN
           ST_Transform(ST_Translate(hot.centre,
               60 * sqrt(-2 * ln(1 - random())) * cos(2 * pi() * random()),
               60 * sqrt(-2 * ln(1 - random())) * sin(2 * pi() * random())), 4326)
       ELSE n.point END AS point
FROM numbered n JOIN hot ON hot.h = n.n %% 200
WHERE n.n <= %(count)s;

-- Each issue's random draws and the times of everything that may happen to it.
CREATE TEMP TABLE gen_issue AS
WITH base AS (
    SELECT p.n AS point_n, p.point, p.district_id,
           least(date_trunc('day', %(now)s - random() * %(days)s * interval '1 day')
                 + (7 + random() * 15) * interval '1 hour', %(now)s - interval '1 minute') AS created_at,
           random() * (SELECT max(high) FROM gen_category) AS category_draw,
           random() AS r_route, random() AS r_late, random() AS r_outcome, random() AS r_reporter,
           random() AS r1, random() AS r2, random() AS r3, random() AS r4, random() AS r5
    FROM gen_point p
),
drawn AS (
    SELECT b.*, c.category_id, c.response_h, c.resolution_h,
           CASE WHEN b.r_route < 0.03 THEN NULL ELSE c.executor_id END AS routed_to
    FROM base b JOIN gen_category c ON b.category_draw >= c.low AND b.category_draw < c.high
),
assigned AS (
    SELECT d.*,
           CASE WHEN d.routed_to IS NOT NULL THEN d.created_at
                WHEN d.r_route < 0.028 OR d.r_route >= 0.03 THEN d.created_at + (2 + 28 * d.r1) * interval '1 hour'
           END AS assigned_at,
           coalesce(d.routed_to, (SELECT id FROM accounts_executor WHERE code = 'housing')) AS executor_id,
           CASE WHEN d.r_late < 0.3 THEN 30 + 90 * d.r2 ELSE 0.5 + 5.5 * d.r2 END AS answer_h,
           CASE WHEN d.r_late < 0.3 THEN 24 * (12 + 18 * d.r3) ELSE 3 + 141 * d.r3 END AS fix_h,
           CASE WHEN d.r_outcome < 0.04 THEN 'reject' WHEN d.r_outcome < 0.11 THEN 'hand_back'
                WHEN d.r_outcome < 0.14 THEN 'merge' WHEN d.r_outcome < 0.21 THEN 'plan' ELSE 'accept' END AS outcome,
           CASE WHEN d.r_reporter < 0.55 THEN 'confirm' WHEN d.r_reporter < 0.65 THEN 'dispute' ELSE 'close' END
               AS reporter
    FROM drawn d
)
-- Numbered in the order of reporting, as real issues get their ids (and their place on disk).
SELECT row_number() OVER (ORDER BY a.created_at, a.point_n) AS n, a.*,
       a.assigned_at + a.answer_h * interval '1 hour' AS answered_at,
       a.assigned_at + (1 + 47 * a.r4) * interval '1 hour' AS merged_at,
       a.assigned_at + a.answer_h * interval '1 hour' + (2 + 22 * a.r4) * interval '1 hour' AS second_assigned_at,
       a.assigned_at + a.answer_h * interval '1 hour' + (20 + 180 * a.r4) * interval '1 day' AS resumed_at,
       %(now)s AS now
FROM assigned a;
"""

# Events as (n, seq, at, kind, from, to, action, executor, deadlines-from, response_h-base…).
# Each SELECT is one step of a story; steps after "now" are dropped at the end.
EVENTS_SQL = """
CREATE TEMP TABLE gen_event AS
WITH steps AS (
    -- reported
    SELECT n, 0 AS seq, created_at AS at, 'created' AS kind, '' AS from_status, 'new' AS to_status,
           NULL::text AS action, NULL::bigint AS executor_id, NULL::timestamptz AS period_start, NULL::float AS pause_h
    FROM gen_issue
    UNION ALL  -- routed by the rules, or assigned to housing by the dispatcher
    SELECT n, 1, assigned_at, CASE WHEN routed_to IS NULL THEN 'reassigned' ELSE 'routed' END, 'new', 'assigned',
           CASE WHEN routed_to IS NULL THEN 'reassign' ELSE 'route' END, executor_id, assigned_at, NULL
    FROM gen_issue WHERE assigned_at IS NOT NULL
    UNION ALL  -- a missed answer deadline
    SELECT n, 2, assigned_at + (response_h + 0.1) * interval '1 hour', 'sla_breached', '', '', 'response', executor_id,
           assigned_at, NULL
    FROM gen_issue WHERE assigned_at IS NOT NULL AND answer_h > response_h AND outcome <> 'merge'
    UNION ALL
    SELECT n, 3, assigned_at + (response_h + 0.1) * interval '1 hour', 'escalated', '', '', 'response', executor_id,
           NULL, NULL
    FROM gen_issue WHERE assigned_at IS NOT NULL AND answer_h > response_h AND outcome <> 'merge'
    UNION ALL  -- merged into an earlier report before any answer
    SELECT n, 4, merged_at, 'merged', 'assigned', 'duplicate', 'merge', NULL, NULL, NULL
    FROM gen_issue WHERE assigned_at IS NOT NULL AND outcome = 'merge' AND n > 1
    UNION ALL  -- the answer: reject, hand back, plan or accept
    SELECT n, 5, answered_at, 'status_changed', 'assigned',
           CASE outcome WHEN 'reject' THEN 'rejected' WHEN 'hand_back' THEN 'new' WHEN 'plan' THEN 'planned'
                ELSE 'in_progress' END,
           outcome, NULL, CASE WHEN outcome = 'plan' THEN assigned_at END, NULL
    FROM gen_issue WHERE assigned_at IS NOT NULL AND outcome IN ('reject', 'hand_back', 'plan', 'accept')
    UNION ALL  -- handed back: the dispatcher gives it to housing, which accepts it in 1–8 h
    SELECT n, 6, second_assigned_at, 'reassigned', 'new', 'assigned', 'reassign',
           (SELECT id FROM accounts_executor WHERE code = 'housing'), second_assigned_at, NULL
    FROM gen_issue WHERE assigned_at IS NOT NULL AND outcome = 'hand_back'
    UNION ALL
    SELECT n, 7, second_assigned_at + (1 + 7 * r5) * interval '1 hour', 'status_changed', 'assigned', 'in_progress',
           'accept', NULL, NULL, NULL
    FROM gen_issue WHERE assigned_at IS NOT NULL AND outcome = 'hand_back'
    UNION ALL  -- planned: resumed after the pause
    SELECT n, 8, resumed_at, 'status_changed', 'planned', 'in_progress', 'resume', NULL, assigned_at,
           extract(epoch FROM resumed_at - answered_at) / 3600
    FROM gen_issue WHERE assigned_at IS NOT NULL AND outcome = 'plan'
),
fixes AS (
    -- when the (first) fix comes: after acceptance, after the pause, or after the second assignment
    SELECT n, CASE outcome WHEN 'accept' THEN answered_at + fix_h * interval '1 hour'
                           WHEN 'plan' THEN resumed_at + (24 + 216 * r5) * interval '1 hour'
                           WHEN 'hand_back' THEN second_assigned_at + (8 + 5 * 24 * r3) * interval '1 hour'
           END AS fixed_at,
           CASE outcome WHEN 'plan' THEN 'in_progress' ELSE 'in_progress' END AS from_status, reporter, r4, r5
    FROM gen_issue WHERE assigned_at IS NOT NULL AND outcome IN ('accept', 'plan', 'hand_back')
),
after_fix AS (
    SELECT n, 10 AS seq, fixed_at AS at, 'status_changed' AS kind, from_status, 'resolved' AS to_status,
           'resolve' AS action, NULL::bigint AS executor_id, NULL::timestamptz AS period_start, NULL::float AS pause_h
    FROM fixes
    UNION ALL  -- the reporter confirms, or disputes, or says nothing and it closes after 7 days
    SELECT n, 11, CASE reporter WHEN 'close' THEN fixed_at + interval '7 days'
                                ELSE fixed_at + (2 + 70 * r4) * interval '1 hour' END,
           'status_changed', 'resolved', CASE reporter WHEN 'dispute' THEN 'assigned' ELSE 'closed' END,
           reporter, NULL, CASE WHEN reporter = 'dispute' THEN fixed_at + (2 + 70 * r4) * interval '1 hour' END, NULL
    FROM fixes
    UNION ALL  -- reopened: accepted again in 1–24 h, fixed in 1–5 days, closed 7 days later
    SELECT n, 12, fixed_at + (2 + 70 * r4 + 1 + 23 * r5) * interval '1 hour', 'status_changed', 'assigned',
           'in_progress', 'accept', NULL, NULL, NULL
    FROM fixes WHERE reporter = 'dispute'
    UNION ALL
    SELECT n, 13, fixed_at + (2 + 70 * r4 + 1 + 23 * r5 + 24 + 96 * r4) * interval '1 hour', 'status_changed',
           'in_progress', 'resolved', 'resolve', NULL, NULL, NULL
    FROM fixes WHERE reporter = 'dispute'
    UNION ALL
    SELECT n, 14, fixed_at + (2 + 70 * r4 + 1 + 23 * r5 + 24 + 96 * r4 + 168) * interval '1 hour', 'status_changed',
           'resolved', 'closed', 'close', NULL, NULL, NULL
    FROM fixes WHERE reporter = 'dispute'
)
SELECT s.*, g.response_h, g.resolution_h
FROM (SELECT * FROM steps UNION ALL SELECT * FROM after_fix) s
JOIN gen_issue g ON g.n = s.n
WHERE s.at <= g.now;
"""

# The issue rows, their state derived from the events that have happened by now.
ISSUES_SQL = """
WITH story AS (
    SELECT n,
           (array_agg(to_status ORDER BY at DESC, seq DESC) FILTER (WHERE to_status <> ''))[1] AS status,
           (array_agg(executor_id ORDER BY at DESC, seq DESC)
               FILTER (WHERE kind IN ('routed', 'reassigned')))[1] AS executor_id,
           max(at) FILTER (WHERE kind IN ('routed', 'reassigned') OR action = 'dispute') AS clock_started_at,
           max(at) FILTER (WHERE action = 'resolve') AS resolved_at,
           max(at) FILTER (WHERE to_status IN ('closed', 'rejected', 'duplicate')) AS closed_at,
           max(pause_h) AS pause_h
    FROM gen_event GROUP BY n
),
answered AS (
    SELECT s.n, min(e.at) AS responded_at
    FROM story s
    JOIN gen_event e ON e.n = s.n AND e.at >= s.clock_started_at AND e.action IN ('accept', 'plan', 'resolve')
    GROUP BY s.n
)
INSERT INTO issues_issue (
    id, ref, category_id, description, point, address, district_id, status, executor_id, routing_rule_id,
    clock_started_at, response_due_at, resolve_due_at, responded_at, resolved_at, closed_at, promised_date,
    reporter_id, duplicate_of_id, outage_id, budget_project_id, is_hidden, support_count, source, idempotency_key,
    attributes, created_at, updated_at
)
SELECT %(base)s + g.n,
       %(prefix)s || '-' || to_char(g.created_at AT TIME ZONE %(tz)s, 'YYYY') || '-'
           || lpad((%(base)s + g.n)::text, 7, '0'),
       g.category_id, 'Згенерована заявка для вимірювань №' || g.n, g.point, '', g.district_id, s.status,
       CASE WHEN s.status = 'new' THEN NULL ELSE s.executor_id END, NULL,
       CASE WHEN s.status = 'new' THEN NULL ELSE s.clock_started_at END,
       CASE WHEN s.status = 'new' THEN NULL ELSE s.clock_started_at + g.response_h * interval '1 hour' END,
       CASE WHEN s.status IN ('new', 'planned') THEN NULL
            ELSE s.clock_started_at + (g.resolution_h + coalesce(s.pause_h, 0)) * interval '1 hour' END,
       CASE WHEN s.status = 'new' THEN NULL ELSE a.responded_at END,
       CASE WHEN s.status IN ('resolved', 'closed') THEN s.resolved_at END,
       CASE WHEN s.status IN ('closed', 'rejected', 'duplicate') THEN s.closed_at END,
       NULL, NULL,
       CASE WHEN s.status = 'duplicate' THEN %(base)s + g.n - 1 END,  -- a duplicate of the report just before
       NULL, NULL, false, 0, 'demo', '', '{}'::jsonb,
       g.created_at, greatest(g.created_at, coalesce(s.closed_at, s.resolved_at, s.clock_started_at, g.created_at))
FROM gen_issue g JOIN story s ON s.n = g.n LEFT JOIN answered a ON a.n = g.n
ORDER BY g.n;
"""

EVENT_ROWS_SQL = """
INSERT INTO issues_issueevent (issue_id, kind, at, actor_id, from_status, to_status, is_public, note, data)
SELECT %(base)s + e.n, e.kind, e.at, NULL, e.from_status, e.to_status,
       coalesce(e.action, '') <> 'hand_back' AND e.kind <> 'escalated', '',
       CASE
           WHEN e.kind = 'sla_breached' THEN jsonb_build_object(
               'deadline', e.action, 'executor', x.code,
               'due_at', to_char((e.period_start + e.response_h * interval '1 hour') AT TIME ZONE 'UTC',
                                 'YYYY-MM-DD"T"HH24:MI:SS.US"+00:00"'))
           -- as issues.events.Escalated: the generated city has no supervisors
           WHEN e.kind = 'escalated' THEN jsonb_build_object(
               'deadline', e.action, 'executor', x.code, 'supervisor', NULL, 'dispatchers', true)
           WHEN e.kind = 'created' THEN jsonb_build_object('source', 'demo', 'held_for_email_confirmation', false)
           ELSE jsonb_strip_nulls(jsonb_build_object('action', e.action, 'executor', x.code))
                || CASE WHEN e.period_start IS NULL THEN '{}'::jsonb
                   ELSE jsonb_build_object('deadlines', jsonb_build_object(
                       'response_due_at', (e.period_start + e.response_h * interval '1 hour'),
                       'resolve_due_at', CASE WHEN e.to_status = 'planned' THEN NULL
                           ELSE e.period_start + (e.resolution_h + coalesce(e.pause_h, 0)) * interval '1 hour' END))
                   END
       END
FROM gen_event e LEFT JOIN accounts_executor x ON x.id = e.executor_id
ORDER BY e.at, e.n, e.seq;
"""


def issues_generate(
    *, count: int, days: int = 730, seed: float = 0.42, now: datetime.datetime | None = None, prefix: str = "GEN"
) -> dict[str, int]:
    """Insert `count` synthetic issues with their event histories; returns rows written per table."""

    now = now or timezone.now()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT coalesce(max(id), 0) FROM issues_issue")
        base = cursor.fetchone()[0]
        params = {
            "seed": seed,
            "seed_int": int(seed * 1_000_000),
            "count": count,
            "days": days,
            "now": now,
            "stretch": WORKING_STRETCH,
            "srid": metric_srid(),
        }
        for statement in SETUP_SQL.split(";\n"):
            if statement.strip():
                cursor.execute(statement, params)
        cursor.execute(EVENTS_SQL, params)

        cursor.execute(ISSUES_SQL, {"base": base, "prefix": prefix, "tz": settings.TIME_ZONE})
        issues = cursor.rowcount
        cursor.execute(EVENT_ROWS_SQL, {"base": base})
        events = cursor.rowcount
        cursor.execute(
            "SELECT setval(pg_get_serial_sequence('issues_issue', 'id'), (SELECT max(id) FROM issues_issue))"
        )
        cursor.execute("DROP TABLE gen_category, gen_point, gen_issue, gen_event")
        # The planner's statistics, before anything reads what was just written: on a fresh database
        # the rebuild below otherwise plans its per-issue lookups for empty tables, and at 100,000
        # issues one of its statements ran for over twenty minutes instead of seconds.
        cursor.execute("ANALYZE issues_issue")
        cursor.execute("ANALYZE issues_issueevent")
    # Raw inserts bypass the services that keep the dashboard's pre-aggregated tables current.
    call_command("opencity_rebuild_dashboard", stdout=io.StringIO())
    return {"issues": issues, "events": events}
