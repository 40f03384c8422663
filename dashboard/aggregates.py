"""Keeping the pre-aggregated tables of dashboard.models equal to what dashboard.sql's live queries
compute from the issues and their event log.

Two ways in, one set of statements:
* `dashboard_issues_refresh(issue_ids=...)` recomputes the rows of a few issues; the receiver in
  dashboard.receivers calls it in the transaction that writes an event which can change a figure
  (a status change, a new report, a new category, a corrected location), so the tables are
  current as soon as the event is committed and never ahead of it.
* `dashboard_aggregates_rebuild()` recomputes everything (`manage.py opencity_rebuild_dashboard`,
  after an import, the generator, or a change of the rules or the time zone). Idempotent.

An issue's rows are derived from its whole history (a handful of events), never patched: the
issue's old contribution to the daily counts is subtracted, its rows are replaced, and the new
contribution added, so a refresh repeated any number of times leaves the same counts.
"""

from __future__ import annotations

from django.conf import settings
from django.db import connection, transaction

from dashboard.selectors import metric_srid
from dashboard.sql import (
    ANSWER_ACTIONS_SQL,
    ASSIGNMENT_KINDS_SQL,
    CLOCK_SQL,
    HEAT_CELL_M,
    REOPEN_ACTIONS_SQL,
    RESOLVE_CLOCK_SQL,
    RESPONSE_CLOCK_SQL,
    STATUS_CHANGE_KINDS_SQL,
    STATUS_KINDS_SQL,
    median_bucket_sql,
)
from issues.models import STATUS_EVENT_KINDS, IssueEventKind
from issues.sql import OPEN_STATUSES_SQL

# The events after which an issue's figures may change; others (comments, media, support, alerts
# of a missed deadline, moderation) change none of them.
REFRESHING_EVENT_KINDS = frozenset(
    {
        IssueEventKind.CREATED.value,
        IssueEventKind.CATEGORY_CHANGED.value,
        IssueEventKind.CORRECTED.value,
        *(kind.value for kind in STATUS_EVENT_KINDS),
    }
)

FACTS_SQL = """
INSERT INTO dashboard_issuefact (issue_id, created_at, district_id, category_id, srid, x, y, open)
SELECT id, created_at, district_id, category_id, %(srid)s, ST_X(p), ST_Y(p),
       -- open by its last status event (the issue row is saved after the event that refreshes it)
       EXISTS (SELECT 1 FROM dashboard_statusspan s
               WHERE s.issue_id = i.id AND upper_inf(s.span) AND s.status IN {open_statuses})
FROM (SELECT i.*, ST_Transform(i.point, %(srid)s) AS p FROM issues_issue i WHERE {issues_i}) i
"""

# The same definition of the next answer as dashboard.sql.SATISFACTION_SQL.
FIXES_SQL = """
INSERT INTO dashboard_fix (issue_id, at, outcome)
SELECT f.issue_id, f.at, next.action
FROM issues_issueevent f
LEFT JOIN LATERAL (
    SELECT n.data->>'action' AS action
    FROM issues_issueevent n
    WHERE n.issue_id = f.issue_id AND n.kind IN {status_change_kinds}
      AND (n.at, n.id) > (f.at, f.id)
    ORDER BY n.at, n.id
    LIMIT 1
) next ON true
WHERE f.kind = 'status_changed' AND f.to_status = 'resolved' AND {issues_f}
"""

# dashboard.sql.PERIODS_SQL without "now": an interval's end is the next event (lead), and the
# issue's last interval, which lasts until now, is kept as the period's tail.
PERIODS_SQL = """
WITH log AS (
    SELECT e.issue_id, e.id, e.at, e.from_status, e.to_status, e.data->>'action' AS action,
           e.data->'deadlines' AS deadlines,
           (e.kind IN {assignment_kinds} OR e.data->>'action' IN {reopen_actions}) AS opens_period,
           CASE WHEN e.kind IN {assignment_kinds} THEN e.data->>'executor' END AS assigned_to
    FROM issues_issueevent e
    WHERE {issues_e}
      AND (e.kind IN {status_change_kinds}
           OR (e.kind = 'category_changed' AND e.data ? 'deadlines'))
),
numbered AS (
    SELECT log.*,
           sum(opens_period::int) OVER w AS period_no,
           array_agg(assigned_to) FILTER (WHERE assigned_to IS NOT NULL) OVER w AS executors,
           array_agg(to_status) FILTER (WHERE to_status <> '') OVER w AS statuses,
           array_agg(deadlines) FILTER (WHERE deadlines IS NOT NULL) OVER w AS deadline_sets,
           lead(at) OVER w AS until
    FROM log
    WINDOW w AS (PARTITION BY issue_id ORDER BY at, id)
),
intervals AS (
    SELECT issue_id, period_no, at, until, from_status, to_status, action, opens_period,
           executors[cardinality(executors)] AS executor_code,
           statuses[cardinality(statuses)] AS status,
           (deadline_sets[cardinality(deadline_sets)]->>'response_due_at')::timestamptz AS response_due,
           (deadline_sets[cardinality(deadline_sets)]->>'resolve_due_at')::timestamptz AS resolve_due
    FROM numbered
    WHERE period_no > 0
)
INSERT INTO dashboard_assignmentperiod (
    issue_id, period_no, district_id, executor_code, started_at, answered_at, fixed_at,
    response_missed, fix_missed, running_seconds, tail_at, tail_status, tail_response_due, tail_resolve_due,
    answer_hours, fix_hours, answer_bucket, fix_bucket
)
SELECT h.*, {answer_bucket}, {fix_bucket}
FROM (
SELECT p.issue_id, p.period_no, i.district_id, p.executor_code, p.started_at, p.answered_at, p.fixed_at,
       p.response_missed, p.fix_missed, p.running_seconds, p.tail_at, p.tail_status, p.tail_response_due,
       p.tail_resolve_due,
       (extract(epoch FROM p.answered_at - p.started_at) / 3600.0)::float8 AS answer_hours,
       CASE WHEN p.fixed_at IS NOT NULL AND NOT coalesce(p.tail_status IN {resolve_clock}, false)
            THEN (p.running_seconds / 3600.0)::float8 END AS fix_hours
FROM (
    SELECT issue_id, period_no,
           min(executor_code) AS executor_code,
           min(at) FILTER (WHERE opens_period) AS started_at,
           min(at) FILTER (WHERE from_status = 'assigned' AND action IN {answer_actions}) AS answered_at,
           min(at) FILTER (WHERE to_status = 'resolved') AS fixed_at,
           coalesce(bool_or(response_due < until) FILTER (WHERE status IN {response_clock} AND until IS NOT NULL),
                    false) AS response_missed,
           coalesce(bool_or(resolve_due < until) FILTER (WHERE status IN {resolve_clock} AND until IS NOT NULL),
                    false) AS fix_missed,
           sum(extract(epoch FROM until - at)) FILTER (WHERE status IN {resolve_clock} AND until IS NOT NULL)
               AS running_seconds,
           max(at) FILTER (WHERE until IS NULL) AS tail_at,
           max(status) FILTER (WHERE until IS NULL) AS tail_status,
           max(response_due) FILTER (WHERE until IS NULL) AS tail_response_due,
           max(resolve_due) FILTER (WHERE until IS NULL) AS tail_resolve_due
    FROM intervals
    GROUP BY issue_id, period_no
) p
JOIN issues_issue i ON i.id = p.issue_id
) h
"""

# The same order of status events as dashboard.sql.BACKLOG_SQL (at, then id): an event followed by
# another at the same instant holds its status for an empty span, which contains no instant.
SPANS_SQL = """
INSERT INTO dashboard_statusspan (issue_id, district_id, created_at, status, span)
SELECT s.issue_id, i.district_id, i.created_at, s.to_status, tstzrange(s.at, s.until, '[)')
FROM (
    SELECT e.issue_id, e.to_status, e.at, lead(e.at) OVER (PARTITION BY e.issue_id ORDER BY e.at, e.id) AS until
    FROM issues_issueevent e
    WHERE e.kind IN {status_kinds} AND {issues_e}
) s
JOIN issues_issue i ON i.id = s.issue_id
WHERE s.until IS NULL OR s.until > s.at
"""

# What each issue adds to the daily counts: its report, and each fix with the reporter's answer.
CONTRIBUTIONS_SQL = """
SELECT (f.created_at AT TIME ZONE %(tz)s)::date AS day, f.district_id, f.category_id,
       1 AS received, 0 AS fixed, 0 AS confirmed, 0 AS disputed, 0 AS no_answer, 0 AS awaiting
FROM dashboard_issuefact f WHERE {issues_f}
UNION ALL
SELECT (x.at AT TIME ZONE %(tz)s)::date, f.district_id, f.category_id, 0, 1,
       (x.outcome IS NOT DISTINCT FROM 'confirm')::int, (x.outcome IS NOT DISTINCT FROM 'dispute')::int,
       (x.outcome IS NOT DISTINCT FROM 'close')::int, (x.outcome IS NULL)::int
FROM dashboard_fix x JOIN dashboard_issuefact f ON f.issue_id = x.issue_id WHERE {issues_x}
"""

# What each issue adds to the heat counts, at both grains: its report in its cell (the cell as
# dashboard.sql.AGGREGATED_HEAT_GRID_SQL computes it, from the same doubles).
HEAT_CONTRIBUTIONS_SQL = """
SELECT g.grain, g.day, f.district_id, floor(f.x / %(cell)s) * %(cell)s AS x, floor(f.y / %(cell)s) * %(cell)s AS y,
       1 AS issues
FROM dashboard_issuefact f
CROSS JOIN LATERAL (SELECT (f.created_at AT TIME ZONE %(tz)s)::date AS day) d
CROSS JOIN LATERAL (VALUES ('d', d.day), ('m', date_trunc('month', d.day)::date)) g(grain, day)
WHERE {issues_f}
"""

HEAT_UPSERT_SQL = """
INSERT INTO dashboard_heatcount (grain, day, district_id, x, y, issues)
SELECT grain, day, district_id, x, y, {sign} sum(issues)
FROM ({contributions}) c
GROUP BY 1, 2, 3, 4, 5
ORDER BY 1, 2, 3, 4, 5  -- the same lock order in every transaction
ON CONFLICT (grain, day, district_id, x, y) DO UPDATE SET issues = dashboard_heatcount.issues + EXCLUDED.issues
"""

# What each issue's assignment periods add to the SLA tables, at both grains (dashboard.models.Grain):
# the counts of those no longer judged against "now", and the buckets of their stored hours.
SLA_COUNT_CONTRIBUTIONS_SQL = """
SELECT g.grain, g.day, p.district_id, p.executor_code, 1 AS periods,
       (p.answered_at IS NOT NULL OR p.response_missed)::int AS answer_judged,
       (p.answered_at IS NOT NULL AND NOT p.response_missed)::int AS answered_on_time,
       (p.fixed_at IS NOT NULL OR p.fix_missed)::int AS fix_judged,
       (p.fixed_at IS NOT NULL AND NOT p.fix_missed)::int AS fixed_on_time
FROM dashboard_assignmentperiod p
CROSS JOIN LATERAL (SELECT (p.started_at AT TIME ZONE %(tz)s)::date AS day) d
CROSS JOIN LATERAL (VALUES ('d', d.day), ('m', date_trunc('month', d.day)::date)) g(grain, day)
WHERE NOT coalesce(p.tail_status IN {clock}, false) AND {issues_p}
"""

SLA_HISTOGRAM_CONTRIBUTIONS_SQL = """
SELECT g.grain, g.day, p.executor_code, v.measure, v.bucket, 1 AS periods
FROM dashboard_assignmentperiod p
CROSS JOIN LATERAL (SELECT (p.started_at AT TIME ZONE %(tz)s)::date AS day) d
CROSS JOIN LATERAL (VALUES ('d', d.day), ('m', date_trunc('month', d.day)::date)) g(grain, day)
CROSS JOIN LATERAL (VALUES ('answer', p.answer_bucket), ('fix', p.fix_bucket)) v(measure, bucket)
WHERE v.bucket IS NOT NULL AND {issues_p}
"""

SLA_COUNTS_UPSERT_SQL = """
INSERT INTO dashboard_slacount (
    grain, day, district_id, executor_code, periods, answer_judged, answered_on_time, fix_judged, fixed_on_time
)
SELECT grain, day, district_id, executor_code, {sign} sum(periods), {sign} sum(answer_judged),
       {sign} sum(answered_on_time), {sign} sum(fix_judged), {sign} sum(fixed_on_time)
FROM ({contributions}) c
GROUP BY 1, 2, 3, 4
ORDER BY 1, 2, 3, 4  -- the same lock order in every transaction
ON CONFLICT (grain, day, district_id, executor_code) DO UPDATE SET
    periods = dashboard_slacount.periods + EXCLUDED.periods,
    answer_judged = dashboard_slacount.answer_judged + EXCLUDED.answer_judged,
    answered_on_time = dashboard_slacount.answered_on_time + EXCLUDED.answered_on_time,
    fix_judged = dashboard_slacount.fix_judged + EXCLUDED.fix_judged,
    fixed_on_time = dashboard_slacount.fixed_on_time + EXCLUDED.fixed_on_time
"""

SLA_HISTOGRAM_UPSERT_SQL = """
INSERT INTO dashboard_slahistogram (grain, day, executor_code, measure, bucket, periods)
SELECT grain, day, executor_code, measure, bucket, {sign} sum(periods)
FROM ({contributions}) c
GROUP BY 1, 2, 3, 4, 5
ORDER BY 1, 2, 3, 4, 5  -- the same lock order in every transaction
ON CONFLICT (grain, day, executor_code, measure, bucket) DO UPDATE SET
    periods = dashboard_slahistogram.periods + EXCLUDED.periods
"""

COUNTS_UPSERT_SQL = """
INSERT INTO dashboard_dailycount (
    day, district_id, category_id, received, fixed, confirmed, disputed, no_answer, awaiting
)
SELECT day, district_id, category_id, {sign} sum(received), {sign} sum(fixed), {sign} sum(confirmed),
       {sign} sum(disputed), {sign} sum(no_answer), {sign} sum(awaiting)
FROM ({contributions}) c
GROUP BY 1, 2, 3
ORDER BY 1, 2, 3  -- the same lock order in every transaction
ON CONFLICT (day, district_id, category_id) DO UPDATE SET
    received = dashboard_dailycount.received + EXCLUDED.received,
    fixed = dashboard_dailycount.fixed + EXCLUDED.fixed,
    confirmed = dashboard_dailycount.confirmed + EXCLUDED.confirmed,
    disputed = dashboard_dailycount.disputed + EXCLUDED.disputed,
    no_answer = dashboard_dailycount.no_answer + EXCLUDED.no_answer,
    awaiting = dashboard_dailycount.awaiting + EXCLUDED.awaiting
"""


def _statements(condition: str) -> dict[str, str]:
    """The insert statements for the issues matching `condition` (an SQL fragment on the alias
    given by `{alias}`, e.g. "{alias}.issue_id = ANY(%(ids)s)"; "true" for every issue)."""

    def on(alias: str, column: str = "issue_id") -> str:
        return condition.format(alias=alias, column=column)

    contributions = CONTRIBUTIONS_SQL.format(issues_f=on("f"), issues_x=on("x"))
    sla_counts = SLA_COUNT_CONTRIBUTIONS_SQL.format(clock=CLOCK_SQL, issues_p=on("p"))
    sla_histogram = SLA_HISTOGRAM_CONTRIBUTIONS_SQL.format(issues_p=on("p"))
    heat = HEAT_CONTRIBUTIONS_SQL.format(issues_f=on("f"))
    return {
        "facts": FACTS_SQL.format(issues_i=on("i", "id"), open_statuses=OPEN_STATUSES_SQL),
        "fixes": FIXES_SQL.format(issues_f=on("f"), status_change_kinds=STATUS_CHANGE_KINDS_SQL),
        "periods": PERIODS_SQL.format(
            issues_e=on("e"),
            assignment_kinds=ASSIGNMENT_KINDS_SQL,
            reopen_actions=REOPEN_ACTIONS_SQL,
            status_change_kinds=STATUS_CHANGE_KINDS_SQL,
            answer_actions=ANSWER_ACTIONS_SQL,
            response_clock=RESPONSE_CLOCK_SQL,
            resolve_clock=RESOLVE_CLOCK_SQL,
            answer_bucket=median_bucket_sql("h.answer_hours"),
            fix_bucket=median_bucket_sql("h.fix_hours"),
        ),
        "spans": SPANS_SQL.format(issues_e=on("e"), status_kinds=STATUS_KINDS_SQL),
        "subtract": COUNTS_UPSERT_SQL.format(sign="-", contributions=contributions),
        "add": COUNTS_UPSERT_SQL.format(sign="", contributions=contributions),
        "heat_subtract": HEAT_UPSERT_SQL.format(sign="-", contributions=heat),
        "heat_add": HEAT_UPSERT_SQL.format(sign="", contributions=heat),
        "sla_counts_subtract": SLA_COUNTS_UPSERT_SQL.format(sign="-", contributions=sla_counts),
        "sla_histogram_subtract": SLA_HISTOGRAM_UPSERT_SQL.format(sign="-", contributions=sla_histogram),
        "sla_counts_add": SLA_COUNTS_UPSERT_SQL.format(sign="", contributions=sla_counts),
        "sla_histogram_add": SLA_HISTOGRAM_UPSERT_SQL.format(sign="", contributions=sla_histogram),
    }


_ONE_SET = _statements("{alias}.{column} = ANY(%(ids)s)")
_EVERYTHING = _statements("true")

REFRESH_SQL = ";\n".join(
    [
        _ONE_SET["subtract"],
        _ONE_SET["sla_counts_subtract"],
        _ONE_SET["sla_histogram_subtract"],
        _ONE_SET["heat_subtract"],
        "DELETE FROM dashboard_fix WHERE issue_id = ANY(%(ids)s)",
        "DELETE FROM dashboard_assignmentperiod WHERE issue_id = ANY(%(ids)s)",
        "DELETE FROM dashboard_issuefact WHERE issue_id = ANY(%(ids)s)",
        "DELETE FROM dashboard_statusspan WHERE issue_id = ANY(%(ids)s)",
        _ONE_SET["spans"],  # before the facts, which read the issue's open state from them
        _ONE_SET["facts"],
        _ONE_SET["fixes"],
        _ONE_SET["periods"],
        _ONE_SET["add"],
        _ONE_SET["sla_counts_add"],
        _ONE_SET["sla_histogram_add"],
        _ONE_SET["heat_add"],
    ]
)


def _params(**extra) -> dict:
    return {"srid": metric_srid(), "tz": settings.TIME_ZONE, "cell": HEAT_CELL_M, **extra}


def dashboard_issues_refresh(*, issue_ids: list[int]) -> None:
    """Recompute the pre-aggregated rows of these issues (in the caller's transaction; one round
    trip to the database)."""
    if not issue_ids:
        return
    # No savepoint: the refresh is one statement batch, and a failure of it fails the caller's
    # transaction anyway (two round trips fewer for every report and status change).
    with transaction.atomic(savepoint=False), connection.cursor() as cursor:
        cursor.execute(REFRESH_SQL, _params(ids=sorted(set(issue_ids))))


def _sla_fill(cursor, params: dict) -> None:
    cursor.execute(_EVERYTHING["sla_counts_add"], params)
    cursor.execute(_EVERYTHING["sla_histogram_add"], params)


def dashboard_sla_tables_fill() -> None:
    """Fill the empty SLA tables (dashboard_slacount, dashboard_slahistogram) from the assignment
    periods already stored (migration 0004; the full rebuild does this too)."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL statement_timeout = 0")
        cursor.execute("SET LOCAL work_mem = '256MB'")
        _sla_fill(cursor, _params())
    for table in ("dashboard_slacount", "dashboard_slahistogram"):
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {table}")  # noqa: S608 — fixed names


def dashboard_heat_counts_fill() -> None:
    """Fill the empty dashboard_heatcount from the issue facts already stored (migration 0005; the
    full rebuild does this too)."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL statement_timeout = 0")
        cursor.execute("SET LOCAL work_mem = '256MB'")
        cursor.execute(_EVERYTHING["heat_add"], _params())
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE dashboard_heatcount")


def dashboard_aggregates_rebuild() -> dict[str, int]:
    """Recompute every pre-aggregated row from the issues and their events; returns rows per table."""
    tables = [
        "dashboard_dailycount",
        "dashboard_fix",
        "dashboard_assignmentperiod",
        "dashboard_issuefact",
        "dashboard_statusspan",
        "dashboard_slacount",
        "dashboard_slahistogram",
        "dashboard_heatcount",
    ]
    # TRUNCATE is refused inside a caller's transaction that has written rows with deferred foreign
    # key checks pending (a test, the generator's caller): there, the rows are deleted instead.
    nested = connection.in_atomic_block
    with transaction.atomic(), connection.cursor() as cursor:
        # The whole log in one pass: more than a web request's time and memory.
        cursor.execute("SET LOCAL statement_timeout = 0")
        cursor.execute("SET LOCAL work_mem = '256MB'")
        if nested:
            for table in tables:
                cursor.execute(f"DELETE FROM {table}")  # noqa: S608 — fixed names
        else:
            cursor.execute(f"TRUNCATE {', '.join(tables)}")
        params = _params()
        for name in ("spans", "facts", "fixes", "periods", "add"):
            cursor.execute(_EVERYTHING[name], params)
        _sla_fill(cursor, params)
        cursor.execute(_EVERYTHING["heat_add"], params)
        written = {}
        for table in tables:
            cursor.execute(f"SELECT count(*) FROM {table}")  # noqa: S608 — fixed names
            written[table.removeprefix("dashboard_")] = cursor.fetchone()[0]
    for table in tables:
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {table}")
    return written
