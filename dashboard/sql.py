"""The dashboard's queries, in SQL, in one place.

Why raw SQL: every figure is computed from the event log (IssueEvent) and the stored deadlines,
over up to a million issues, and the natural tools for that are PostgreSQL's window functions
(cutting an issue's history into assignment periods and status intervals), ordered-set aggregates
(medians), GROUPING SETS (per executor and in total in one pass) and PostGIS (grid cells and
ST_ClusterDBSCAN in a metric projection). Written through the ORM these would be several queries
and Python loops per issue; here each table of the dashboard is one statement whose parameters are
bound, never formatted in (only fixed fragments such as the district condition are inserted).

The definitions of the figures are in dashboard/selectors.py and the README.

Two ways to the same figures: the *live* queries (`*_live`) read the issues and the whole event
log, and are the reference; the dashboard reads the pre-aggregated tables of dashboard.models
(kept current by dashboard.aggregates) for the figures whose live query grows with the period
(SLA per executor, trends, satisfaction, the heat grid). tests/dashboard/test_aggregates.py holds
the two equal.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.db import connections, transaction

from issues.models import ASSIGNMENT_EVENT_KINDS, STATUS_EVENT_KINDS, IssueEventKind, event_kinds_in_order
from issues.rules.clocks import (
    ANSWER_ACTIONS,
    CLOCK_STARTING_ACTIONS,
    RESOLVE_CLOCK_STATUSES,
    RESPONSE_CLOCK_STATUSES,
)
from issues.rules.transitions import Action
from issues.sql import OPEN_STATUSES_SQL, overdue_sql, sql_values, status_sql
from opencity.dbrouter import reading_alias

# The rules these queries share with the rest of the code, as SQL generated from their enums (see
# issues.rules.clocks, issues.rules.transitions and issues.models): never retyped here.
# Events that change an issue's status after it was reported, and with `created`, every one that sets it.
STATUS_CHANGE_KINDS_SQL = sql_values(event_kinds_in_order(STATUS_EVENT_KINDS))
STATUS_KINDS_SQL = sql_values([IssueEventKind.CREATED.value, *event_kinds_in_order(STATUS_EVENT_KINDS)])
ASSIGNMENT_KINDS_SQL = sql_values(event_kinds_in_order(ASSIGNMENT_EVENT_KINDS))
# Answers that stop the response clock of an assignment period: any of these from `assigned`.
ANSWER_ACTIONS_SQL = sql_values(sorted(ANSWER_ACTIONS))
# Besides routing and reassignment (events of their own kinds), the action that starts a period.
REOPEN_ACTIONS_SQL = sql_values(sorted(CLOCK_STARTING_ACTIONS - {Action.ROUTE, Action.REASSIGN}))
RESPONSE_CLOCK_SQL = status_sql(RESPONSE_CLOCK_STATUSES)
RESOLVE_CLOCK_SQL = status_sql(RESOLVE_CLOCK_STATUSES)


@dataclass(frozen=True)
class Window:
    """The bound parameters every dashboard query shares."""

    start: datetime.datetime  # first instant of the period (local midnight of its first day)
    end: datetime.datetime  # first instant after it (local midnight after its last day)
    now: datetime.datetime
    district_id: int | None
    time_zone: str

    def params(self, **extra) -> dict:
        return {
            "start": self.start,
            "end": self.end,
            "now": self.now,
            "district_id": self.district_id,
            "tz": self.time_zone,
            **extra,
        }

    def district_condition(self, alias: str = "i") -> str:
        """A fixed SQL fragment (the value is bound): the issue lies in the chosen district."""
        return f" AND {alias}.district_id = %(district_id)s" if self.district_id is not None else ""

    def issue_join(self, events: str = "e") -> str:
        """Join the issue to its events only when a district needs it (it costs a scan of issues)."""
        return f" JOIN issues_issue i ON i.id = {events}.issue_id" if self.district_id is not None else ""


# The windows and sorts over a month of a large city's events need more than PostgreSQL's default
# 4 MB, or they spill to disk; only these statements get it (SET LOCAL ends with the transaction).
DASHBOARD_WORK_MEM = "64MB"


def _rows(sql: str, params: dict) -> list[dict]:
    # On the replica when the request may read there (a SET LOCAL is allowed on a hot standby).
    alias = reading_alias()
    with transaction.atomic(using=alias), connections[alias].cursor() as cursor:
        # One statement for both (as SET LOCAL): compiling these statements (JIT) takes seconds
        # where running them takes milliseconds.
        cursor.execute(f"SELECT set_config('work_mem', '{DASHBOARD_WORK_MEM}', true), set_config('jit', 'off', true)")
        cursor.execute(sql, params)
        columns = [column.name for column in cursor.description]
        return [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]


# --- Backlog -------------------------------------------------------------------------------------
# Open issues at an instant T (the end of the period, or now if that is earlier), by status and age.
# An issue whose status has not changed since T has its current status; for the few that changed
# after T, the status is the one set by their last status event at or before T. With T = now the
# second part is empty and the first uses the partial indexes on open issues.
BACKLOG_SQL = """
WITH changed_since AS (
    SELECT DISTINCT e.issue_id
    FROM issues_issueevent e JOIN issues_issue i ON i.id = e.issue_id
    WHERE e.kind IN {status_change_kinds} AND e.at > %(at)s
      AND i.created_at <= %(at)s {district}
),
open_at AS (
    SELECT i.status, i.created_at
    FROM issues_issue i
    WHERE i.status IN {open_statuses} AND i.created_at <= %(at)s {district}
      AND NOT EXISTS (SELECT 1 FROM changed_since c WHERE c.issue_id = i.id)
    UNION ALL
    SELECT last.to_status, last.created_at
    FROM changed_since c
    CROSS JOIN LATERAL (
        SELECT e.to_status, i.created_at
        FROM issues_issueevent e JOIN issues_issue i ON i.id = e.issue_id
        WHERE e.issue_id = c.issue_id AND e.kind IN {status_kinds} AND e.at <= %(at)s
        ORDER BY e.at DESC, e.id DESC
        LIMIT 1
    ) last
    WHERE last.to_status IN {open_statuses}
)
SELECT status,
       CASE WHEN %(at)s - created_at < interval '3 days' THEN 0
            WHEN %(at)s - created_at < interval '8 days' THEN 1
            WHEN %(at)s - created_at < interval '31 days' THEN 2
            WHEN %(at)s - created_at < interval '91 days' THEN 3
            ELSE 4 END AS age_bucket,
       count(*) AS issues
FROM open_at
GROUP BY 1, 2
"""


def backlog_rows_live(*, window: Window, at: datetime.datetime) -> list[dict]:
    """(status, age_bucket, issues) of the issues open at `at`."""
    sql = BACKLOG_SQL.format(
        district=window.district_condition(),
        open_statuses=OPEN_STATUSES_SQL,
        status_kinds=STATUS_KINDS_SQL,
        status_change_kinds=STATUS_CHANGE_KINDS_SQL,
    )
    return _rows(sql, window.params(at=at))


# The backlog at a past instant from dashboard_statusspan: the open spans containing it. At "now"
# (the default period ends today) the live query is already an index scan of the open issues.
AGGREGATED_BACKLOG_SQL = """
SELECT s.status,
       CASE WHEN %(at)s - s.created_at < interval '3 days' THEN 0
            WHEN %(at)s - s.created_at < interval '8 days' THEN 1
            WHEN %(at)s - s.created_at < interval '31 days' THEN 2
            WHEN %(at)s - s.created_at < interval '91 days' THEN 3
            ELSE 4 END AS age_bucket,
       count(*) AS issues
FROM dashboard_statusspan s
WHERE s.status IN {open_statuses} AND s.span @> %(at)s::timestamptz AND s.created_at <= %(at)s {district}
GROUP BY 1, 2
"""


def backlog_rows(*, window: Window, at: datetime.datetime) -> list[dict]:
    """As backlog_rows_live; from dashboard_statusspan when `at` is before now."""
    if at >= window.now:
        return backlog_rows_live(window=window, at=at)
    sql = AGGREGATED_BACKLOG_SQL.format(district=window.district_condition("s"), open_statuses=OPEN_STATUSES_SQL)
    return _rows(sql, window.params(at=at))


# --- SLA compliance per executor ------------------------------------------------------------------
# An *assignment period* starts with an event that gives an executor the issue with fresh
# deadlines: `routed`, `reassigned`, or a reporter's `dispute` (reopened: same executor, new
# deadlines). It lasts until the next such event. The issue's history of status events is cut
# into intervals (from one event to the next, the last one until now); each interval carries the
# status, the executor of its period and the deadlines in force (recorded by the event that set
# them: see issues.services.lifecycle.DEADLINE_SETTING_ACTIONS).
#
# A deadline is *missed* in a period when some interval in which its clock runs ends after it:
# the response clock runs while the period is `assigned` (not yet answered), the fix clock while
# it is `assigned` or `in_progress` (not while `planned`, not once resolved). So an answer or fix
# after the deadline is a miss, and so is a deadline that passed while nobody acted (even if the
# period then ended by reassignment, or is still running now). A period that ended early by
# someone else's hand (reassigned, merged) before its deadline is not judged for that deadline.
PERIODS_SQL = """
WITH started AS (
    SELECT DISTINCT e.issue_id
    FROM issues_issueevent e {issue_join}
    WHERE e.at >= %(start)s AND e.at < %(end)s
      AND (e.kind IN {assignment_kinds} OR (e.kind = 'status_changed' AND e.data->>'action' IN {reopen_actions}))
      {district}
),
log AS (
    SELECT e.issue_id, e.id, e.at, e.from_status, e.to_status, e.data->>'action' AS action,
           e.data->'deadlines' AS deadlines,
           (e.kind IN {assignment_kinds} OR e.data->>'action' IN {reopen_actions}) AS opens_period,
           CASE WHEN e.kind IN {assignment_kinds} THEN e.data->>'executor' END AS assigned_to
    FROM issues_issueevent e
    -- ANY(ARRAY(...)): one index lookup per issue instead of a hash join over the whole log
    WHERE e.issue_id = ANY (ARRAY(SELECT issue_id FROM started))
      AND (e.kind IN {status_change_kinds}
           OR (e.kind = 'category_changed' AND e.data ? 'deadlines'))
),
numbered AS (
    -- One pass over each issue's history: the period number, and what is in force at each event
    -- (the last executor assigned, status set and deadlines recorded so far; PostgreSQL has no
    -- IGNORE NULLS, so the values so far are collected and the last one taken).
    SELECT log.*,
           sum(opens_period::int) OVER w AS period_no,
           array_agg(assigned_to) FILTER (WHERE assigned_to IS NOT NULL) OVER w AS executors,
           array_agg(to_status) FILTER (WHERE to_status <> '') OVER w AS statuses,
           array_agg(deadlines) FILTER (WHERE deadlines IS NOT NULL) OVER w AS deadline_sets,
           coalesce(lead(at) OVER w, greatest(%(now)s, at)) AS until
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
),
periods AS (
    SELECT issue_id, period_no,
           min(executor_code) AS executor_code,
           min(at) FILTER (WHERE opens_period) AS started_at,
           min(at) FILTER (WHERE from_status = 'assigned' AND action IN {answer_actions}) AS answered_at,
           min(at) FILTER (WHERE to_status = 'resolved') AS fixed_at,
           coalesce(bool_or(response_due < until) FILTER (WHERE status IN {response_clock}), false) AS response_missed,
           coalesce(bool_or(resolve_due < until) FILTER (WHERE status IN {resolve_clock}), false)
               AS fix_missed,
           sum(extract(epoch FROM until - at)) FILTER (WHERE status IN {resolve_clock}) AS running_seconds
    FROM intervals
    GROUP BY issue_id, period_no
)
SELECT p.executor_code,
       GROUPING(p.executor_code) = 1 AS is_total,
       count(*) AS periods,
       count(*) FILTER (WHERE answered_at IS NOT NULL OR response_missed) AS answer_judged,
       count(*) FILTER (WHERE answered_at IS NOT NULL AND NOT response_missed) AS answered_on_time,
       percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM answered_at - started_at) / 3600.0)
           AS median_answer_hours,
       count(*) FILTER (WHERE fixed_at IS NOT NULL OR fix_missed) AS fix_judged,
       count(*) FILTER (WHERE fixed_at IS NOT NULL AND NOT fix_missed) AS fixed_on_time,
       percentile_cont(0.5) WITHIN GROUP (
           ORDER BY CASE WHEN fixed_at IS NOT NULL THEN running_seconds / 3600.0 END
       ) AS median_fix_hours
FROM periods p
WHERE p.started_at >= %(start)s AND p.started_at < %(end)s
GROUP BY GROUPING SETS ((p.executor_code), ())
"""


def executor_sla_rows_live(*, window: Window) -> list[dict]:
    """One row per executor with assignment periods starting in the window, and a total row."""
    sql = PERIODS_SQL.format(
        issue_join=window.issue_join(),
        district=window.district_condition(),
        answer_actions=ANSWER_ACTIONS_SQL,
        assignment_kinds=ASSIGNMENT_KINDS_SQL,
        reopen_actions=REOPEN_ACTIONS_SQL,
        status_change_kinds=STATUS_CHANGE_KINDS_SQL,
        response_clock=RESPONSE_CLOCK_SQL,
        resolve_clock=RESOLVE_CLOCK_SQL,
    )
    return _rows(sql, window.params())


# Open issues past a running deadline now (the same test as Issue.objects.overdue and the SLA
# sweep), per executor. Uses the partial indexes on open issues' deadlines.
OVERDUE_SQL = """
SELECT x.code AS executor_code, count(*) AS overdue
FROM issues_issue i JOIN accounts_executor x ON x.id = i.executor_id
WHERE {overdue} {district}
GROUP BY x.code
"""


def overdue_rows(*, window: Window) -> list[dict]:
    sql = OVERDUE_SQL.format(overdue=overdue_sql(alias="i"), district=window.district_condition())
    return _rows(sql, window.params())


# --- Trends --------------------------------------------------------------------------------------
# Reports received (issues created) and fixes (events setting `resolved`) per local calendar week
# (Monday first) and category group (the issue's current category).
TRENDS_SQL = """
SELECT 'received' AS measure, date_trunc('week', i.created_at AT TIME ZONE %(tz)s)::date AS week,
       g.code AS group_code, count(*) AS issues
FROM issues_issue i
JOIN issues_category c ON c.id = i.category_id JOIN issues_categorygroup g ON g.id = c.group_id
WHERE i.created_at >= %(start)s AND i.created_at < %(end)s {district}
GROUP BY 2, 3
UNION ALL
SELECT 'resolved', fixes.week, g.code, count(*)
FROM (
    -- the issue's category by its primary key, row by row: cheaper than joining a million issues
    SELECT date_trunc('week', e.at AT TIME ZONE %(tz)s)::date AS week,
           (SELECT i.category_id FROM issues_issue i WHERE i.id = e.issue_id {district}) AS category_id
    FROM issues_issueevent e
    WHERE e.kind = 'status_changed' AND e.to_status = 'resolved' AND e.at >= %(start)s AND e.at < %(end)s
    OFFSET 0  -- keeps the subquery from being inlined (and evaluated twice) by the planner
) fixes
JOIN issues_category c ON c.id = fixes.category_id JOIN issues_categorygroup g ON g.id = c.group_id
GROUP BY 2, 3
"""


def trend_rows_live(*, window: Window) -> list[dict]:
    return _rows(TRENDS_SQL.format(district=window.district_condition()), window.params())


# --- Satisfaction ----------------------------------------------------------------------------------
# Each fix (an event setting `resolved`) in the period, with what happened next to the issue:
# the reporter confirmed it, disputed it, it was closed without an answer (the confirmation window
# passed, or a dispatcher closed it), or nothing yet.
SATISFACTION_SQL = """
SELECT coalesce(next.action, 'awaiting') AS outcome, count(*) AS fixes
FROM issues_issueevent f {issue_join}
LEFT JOIN LATERAL (
    SELECT n.data->>'action' AS action
    FROM issues_issueevent n
    WHERE n.issue_id = f.issue_id AND n.kind IN {status_change_kinds}
      AND (n.at, n.id) > (f.at, f.id)
    ORDER BY n.at, n.id
    LIMIT 1
) next ON true
WHERE f.kind = 'status_changed' AND f.to_status = 'resolved' AND f.at >= %(start)s AND f.at < %(end)s {district}
GROUP BY 1
"""


def satisfaction_rows_live(*, window: Window) -> list[dict]:
    sql = SATISFACTION_SQL.format(
        issue_join=window.issue_join("f"),
        district=window.district_condition(),
        status_change_kinds=STATUS_CHANGE_KINDS_SQL,
    )
    return _rows(sql, window.params())


# --- The map: heat grid and problem spots ----------------------------------------------------------
HEAT_CELL_M = 250  # the heat grid's cell (dashboard.models.HeatCount counts in these)

# Reports received in the period counted in square cells of `cell` metres of a metric projection
# (the UTM zone of the community), returned with the cell's corner in that projection and its
# outline in WGS84 for the map.
HEAT_GRID_SQL = """
WITH cells AS (
    SELECT floor(ST_X(p) / %(cell)s) * %(cell)s AS x, floor(ST_Y(p) / %(cell)s) * %(cell)s AS y, count(*) AS issues
    FROM (
        SELECT ST_Transform(i.point, %(srid)s) AS p
        FROM issues_issue i
        WHERE i.created_at >= %(start)s AND i.created_at < %(end)s {district}
    ) points
    GROUP BY 1, 2
)
SELECT x, y, issues,
       ST_AsGeoJSON(ST_Transform(ST_MakeEnvelope(x, y, x + %(cell)s, y + %(cell)s, %(srid)s), 4326), 6) AS outline
FROM cells
ORDER BY issues DESC, x, y
"""


def heat_grid_rows_live(*, window: Window, cell_m: int, srid: int) -> list[dict]:
    return _rows(HEAT_GRID_SQL.format(district=window.district_condition()), window.params(cell=cell_m, srid=srid))


# Problem spots: the issues reported in the period that are still open, clustered with DBSCAN in
# the metric projection: a spot is a group of at least `min_points` of them, each within `eps`
# metres of another. Restricting to the period keeps DBSCAN (which runs over all its input rows,
# with no index) to the tens of thousands of rows at most; see README "Measured".
HOT_SPOTS_SQL = """
WITH open_issues AS (
    -- dashboard_issuefact: the issue's current district, category and open state, and its point
    -- already in the metric projection (the same doubles as ST_Transform gives); a few pages of a
    -- narrow table instead of the open issues' rows scattered over the issues table.
    SELECT f.issue_id, f.created_at, f.category_id, f.district_id, ST_SetSRID(ST_MakePoint(f.x, f.y), f.srid) AS p
    FROM dashboard_issuefact f
    WHERE f.open AND f.created_at >= %(start)s AND f.created_at < %(end)s {district}
),
clustered AS (
    -- in a fixed order (DBSCAN gives a border point to the first cluster that reaches it)
    SELECT o.*, ST_ClusterDBSCAN(p, eps => %(eps)s, minpoints => %(min_points)s) OVER (ORDER BY o.issue_id) AS cluster
    FROM open_issues o
),
spots AS (
    SELECT cluster, count(*) AS issues, min(created_at) AS oldest_at, ST_Centroid(ST_Collect(p)) AS centre,
           mode() WITHIN GROUP (ORDER BY category_id) AS category_id,
           mode() WITHIN GROUP (ORDER BY district_id) AS district_id,
           ST_Collect(p) AS points
    FROM clustered
    WHERE cluster IS NOT NULL
    GROUP BY cluster
    ORDER BY issues DESC, oldest_at
    LIMIT %(limit)s
)
SELECT s.issues, s.oldest_at, s.category_id, s.district_id,
       ST_X(ST_Transform(s.centre, 4326)) AS lon, ST_Y(ST_Transform(s.centre, 4326)) AS lat,
       ST_X(s.centre) AS x, ST_Y(s.centre) AS y,
       ST_MaxDistance(s.centre, s.points) AS radius_m
FROM spots s
ORDER BY s.issues DESC, s.oldest_at
"""


def hot_spot_rows(*, window: Window, srid: int, eps_m: float, min_points: int, limit: int) -> list[dict]:
    sql = HOT_SPOTS_SQL.format(district=window.district_condition("f"))
    return _rows(sql, window.params(srid=srid, eps=eps_m, min_points=min_points, limit=limit))


# The community (or the chosen district) outline in the metric projection, as SVG path data, for
# the printable map (ST_AsSVG flips y: SVG's y grows downwards).
OUTLINE_SQL = """
SELECT ST_AsSVG(g, 0, 0) AS path, ST_XMin(g) AS min_x, ST_YMin(g) AS min_y, ST_XMax(g) AS max_x, ST_YMax(g) AS max_y
FROM (SELECT ST_Transform(geom, %(srid)s) AS g FROM {table} WHERE {condition} ORDER BY id LIMIT 1) outline
"""


def outline_row(*, srid: int, district_id: int | None) -> dict | None:
    if district_id is not None:
        sql = OUTLINE_SQL.format(table="geo_district", condition="id = %(district_id)s")
    else:
        sql = OUTLINE_SQL.format(
            table="geo_communityboundary",
            condition="(valid_from IS NULL OR valid_from <= CURRENT_DATE)"
            " AND (valid_until IS NULL OR valid_until >= CURRENT_DATE)",
        )
    rows = _rows(sql, {"srid": srid, "district_id": district_id})
    return rows[0] if rows else None


# --- Budget execution --------------------------------------------------------------------------------
# Projects of the budget years the period touches (in the district: projects whose geometry
# intersects it), planned and spent per sector.
BUDGET_SQL = """
SELECT b.sector, count(*) AS projects, sum(b.planned_amount) AS planned, sum(b.spent_amount) AS spent
FROM geo_budgetproject b
WHERE b.budget_year BETWEEN %(first_year)s AND %(last_year)s {district}
GROUP BY b.sector
"""


def budget_rows(*, window: Window, first_year: int, last_year: int) -> list[dict]:
    district = (
        " AND ST_Intersects(b.geom, (SELECT d.geom FROM geo_district d WHERE d.id = %(district_id)s))"
        if window.district_id is not None
        else ""
    )
    return _rows(BUDGET_SQL.format(district=district), window.params(first_year=first_year, last_year=last_year))


# --- The same figures from the pre-aggregated tables (dashboard.models) ------------------------------
# Each is a range scan of one small table; the definitions are the live queries' above.


def _day_range(alias: str) -> str:
    return f"{alias}.day >= (%(start)s AT TIME ZONE %(tz)s)::date AND {alias}.day < (%(end)s AT TIME ZONE %(tz)s)::date"


# The period's tail (its last interval, still running) is judged against now here, as the live
# query judges the last interval of every issue's history.
PERIOD_FIGURES_SQL = """
    p.executor_code{collate} AS executor_code, p.answered_at, p.fixed_at, p.answer_hours,
    p.response_missed OR coalesce(p.tail_status IN {response_clock}
                                  AND p.tail_response_due < greatest(%(now)s, p.tail_at), false)
        AS response_missed,
    p.fix_missed OR coalesce(p.tail_status IN {resolve_clock}
                             AND p.tail_resolve_due < greatest(%(now)s, p.tail_at), false) AS fix_missed,
    CASE WHEN p.fixed_at IS NULL THEN NULL
         WHEN p.fix_hours IS NOT NULL THEN p.fix_hours
         WHEN coalesce(p.tail_status IN {resolve_clock}, false)
         THEN ((coalesce(p.running_seconds, 0)
                + extract(epoch FROM greatest(%(now)s, p.tail_at) - p.tail_at)) / 3600.0)::float8
         ELSE (p.running_seconds / 3600.0)::float8 END AS fix_hours
"""


def _period_figures(collate: str = "") -> str:
    """The figures of each stored period as of now (`collate`: a COLLATE clause for its executor)."""
    return PERIOD_FIGURES_SQL.format(
        response_clock=RESPONSE_CLOCK_SQL, resolve_clock=RESOLVE_CLOCK_SQL, collate=collate
    )


AGGREGATED_SLA_SQL = """
WITH periods AS (
    SELECT {figures}
    FROM dashboard_assignmentperiod p
    WHERE p.started_at >= %(start)s AND p.started_at < %(end)s {district}
)
SELECT p.executor_code,
       GROUPING(p.executor_code) = 1 AS is_total,
       count(*) AS periods,
       count(*) FILTER (WHERE answered_at IS NOT NULL OR response_missed) AS answer_judged,
       count(*) FILTER (WHERE answered_at IS NOT NULL AND NOT response_missed) AS answered_on_time,
       percentile_cont(0.5) WITHIN GROUP (ORDER BY answer_hours) AS median_answer_hours,
       count(*) FILTER (WHERE fixed_at IS NOT NULL OR fix_missed) AS fix_judged,
       count(*) FILTER (WHERE fixed_at IS NOT NULL AND NOT fix_missed) AS fixed_on_time,
       percentile_cont(0.5) WITHIN GROUP (ORDER BY fix_hours) AS median_fix_hours
FROM periods p
GROUP BY GROUPING SETS ((p.executor_code), ())
"""

# The value buckets of the medians' histograms (dashboard.models.SlaHistogram): hours at steps of
# an eighth of a doubling (2^(i/8) - 1, up to 2^15 hours). width_bucket compares the value with
# these bounds, so the buckets are ordered exactly as the values (bucket 0 below the first bound).
MEDIAN_BUCKET_BOUNDS = [2 ** (i / 8) - 1 for i in range(1, 121)]
_BOUNDS_SQL = "'{" + ",".join(repr(bound) for bound in MEDIAN_BUCKET_BOUNDS) + "}'::float8[]"


def median_bucket_sql(value: str) -> str:
    """The bucket of an hours value (an SQL expression) in the medians' histograms."""
    return f"width_bucket({value}, {_BOUNDS_SQL})"


# Periods whose last interval runs on a clock: judged against now when read, so kept out of
# dashboard_slacount and read here (dashboard_period_running).
CLOCK_SQL = status_sql(RESPONSE_CLOCK_STATUSES | RESOLVE_CLOCK_STATUSES)

# The same rows as AGGREGATED_SLA_SQL without a district, without sorting the periods: the counts are
# sums of dashboard_slacount (its month rows for the whole months of the range, its day rows for
# the days at either end) plus the periods judged against now, read whole. An exact median is the
# value at the middle rank (or the two middle ranks, interpolated by percentile_cont as the
# reference does): the summed histogram (dashboard_slahistogram) tells in which value bucket each
# middle rank lies and its rank there, and only that bucket's values in the range are read (an
# index-only range scan) and sorted. The stored hours of a period never depend on now; the fix
# hours of a period fixed but on a clock again do, and come from the live rows.
FAST_SLA_SQL = """
WITH live AS (
    SELECT {figures}, p.fix_hours IS NULL AS fix_unstored  -- (stored hours are in the histogram)
    FROM dashboard_assignmentperiod p
    WHERE p.tail_status IN {clock} AND p.started_at >= %(start)s AND p.started_at < %(end)s
),
counts AS (
    SELECT c.executor_code, c.periods, c.answer_judged, c.answered_on_time,
           c.fix_judged, c.fixed_on_time
    FROM dashboard_slacount c
    WHERE {grains_c}
    UNION ALL
    SELECT l.executor_code, 1,
           (l.answered_at IS NOT NULL OR l.response_missed)::int,
           (l.answered_at IS NOT NULL AND NOT l.response_missed)::int,
           (l.fixed_at IS NOT NULL OR l.fix_missed)::int,
           (l.fixed_at IS NOT NULL AND NOT l.fix_missed)::int
    FROM live l
),
histogram AS (
    SELECT h.executor_code, h.measure, h.bucket, h.periods
    FROM dashboard_slahistogram h
    WHERE {grains_h}
    UNION ALL
    SELECT l.executor_code, 'fix', {live_bucket}, 1
    FROM live l
    WHERE l.fix_hours IS NOT NULL AND l.fix_unstored
),
buckets AS (
    SELECT executor_code, GROUPING(executor_code) = 1 AS is_total, measure, bucket, sum(periods)::bigint AS n
    FROM histogram
    GROUP BY GROUPING SETS ((executor_code, measure, bucket), (measure, bucket))
    HAVING sum(periods) > 0
),
ranked AS (
    SELECT b.*, (sum(n) OVER (w ORDER BY bucket))::bigint - n AS before, (sum(n) OVER w)::bigint AS total
    FROM buckets b
    WINDOW w AS (PARTITION BY is_total, executor_code, measure)
),
targets AS (
    -- the bucket of each middle rank (0-based: (n - 1) / 2 and n / 2), and the ranks within it
    SELECT r.is_total, r.executor_code, r.measure, r.bucket,
           min(m.middle) - r.before AS first, max(m.middle) - r.before AS last
    FROM ranked r CROSS JOIN LATERAL (VALUES ((r.total - 1) / 2), (r.total / 2)) m(middle)
    WHERE m.middle >= r.before AND m.middle < r.before + r.n
    GROUP BY r.is_total, r.executor_code, r.measure, r.bucket, r.before
),
medians AS (
    SELECT t.is_total, t.executor_code, t.measure,
           percentile_cont(0.5) WITHIN GROUP (ORDER BY v.value) AS median
    FROM targets t CROSS JOIN LATERAL (
        SELECT s.value
        FROM (
            {bucket_values}
            UNION ALL
            SELECT l.fix_hours FROM live l
            WHERE t.measure = 'fix' AND l.fix_hours IS NOT NULL AND l.fix_unstored AND {live_bucket} = t.bucket
              AND (t.is_total OR l.executor_code IS NOT DISTINCT FROM t.executor_code)
        ) s(value)
        ORDER BY s.value
        OFFSET t.first LIMIT t.last - t.first + 1
    ) v
    GROUP BY t.is_total, t.executor_code, t.measure
)
SELECT c.executor_code, c.is_total, c.periods, c.answer_judged, c.answered_on_time,
       a.median AS median_answer_hours, c.fix_judged, c.fixed_on_time, f.median AS median_fix_hours
FROM (
    SELECT executor_code, GROUPING(executor_code) = 1 AS is_total,
           coalesce(sum(periods), 0)::bigint AS periods,
           coalesce(sum(answer_judged), 0)::bigint AS answer_judged,
           coalesce(sum(answered_on_time), 0)::bigint AS answered_on_time,
           coalesce(sum(fix_judged), 0)::bigint AS fix_judged,
           coalesce(sum(fixed_on_time), 0)::bigint AS fixed_on_time
    FROM counts
    GROUP BY GROUPING SETS ((executor_code), ())
    HAVING sum(periods) > 0 OR GROUPING(executor_code) = 1
) c
LEFT JOIN medians a ON a.measure = 'answer' AND a.is_total = c.is_total
                    AND a.executor_code IS NOT DISTINCT FROM c.executor_code
LEFT JOIN medians f ON f.measure = 'fix' AND f.is_total = c.is_total
                    AND f.executor_code IS NOT DISTINCT FROM c.executor_code
"""

# A middle bucket's stored values in the range: per executor (a NULL executor apart, for the index)
# and in total; the gates on t are evaluated once per target.
_BUCKET_VALUES_SQL = """
            SELECT p.{measure}_hours FROM dashboard_assignmentperiod p
            WHERE t.measure = '{measure}' AND NOT t.is_total AND p.executor_code = t.executor_code
              AND p.{measure}_bucket = t.bucket AND p.started_at >= %(start)s AND p.started_at < %(end)s
            UNION ALL
            SELECT p.{measure}_hours FROM dashboard_assignmentperiod p
            WHERE t.measure = '{measure}' AND NOT t.is_total AND t.executor_code IS NULL AND p.executor_code IS NULL
              AND p.{measure}_bucket = t.bucket AND p.started_at >= %(start)s AND p.started_at < %(end)s
            UNION ALL
            SELECT p.{measure}_hours FROM dashboard_assignmentperiod p
            WHERE t.measure = '{measure}' AND t.is_total
              AND p.{measure}_bucket = t.bucket AND p.started_at >= %(start)s AND p.started_at < %(end)s"""


def _grains(alias: str) -> str:
    """The rows of a grain-keyed table (dashboard.models.Grain) covering the range of days exactly:
    month rows for its whole months, day rows for the days before and after them."""
    return (
        f"(({alias}.grain = 'm' AND {alias}.day >= %(months_from)s AND {alias}.day < %(months_to)s)"
        f" OR ({alias}.grain = 'd' AND {alias}.day >= %(first_day)s AND {alias}.day < %(months_from)s)"
        f" OR ({alias}.grain = 'd' AND {alias}.day >= %(months_to)s AND {alias}.day < %(after_day)s))"
    )


def grain_params(window: Window) -> dict:
    """The local days of the window (first, and the one after the last) and its whole months."""
    zone = ZoneInfo(window.time_zone)
    first_day = window.start.astimezone(zone).date()
    after_day = window.end.astimezone(zone).date()
    months_from = first_day if first_day.day == 1 else _next_month(first_day)
    months_to = after_day.replace(day=1)
    if months_from >= months_to:  # no whole month: days only
        months_from = months_to = after_day
    return {"first_day": first_day, "after_day": after_day, "months_from": months_from, "months_to": months_to}


def _next_month(day: datetime.date) -> datetime.date:
    return (day.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)


def executor_sla_rows(*, window: Window) -> list[dict]:
    """As executor_sla_rows_live: from dashboard_slacount and dashboard_slahistogram for the whole
    community, from dashboard_assignmentperiod (a sort of the district's periods) for a district."""
    if window.district_id is not None:
        sql = AGGREGATED_SLA_SQL.format(
            figures=_period_figures(' COLLATE "C"'), district=window.district_condition("p")
        )
        return _rows(sql, window.params())
    sql = FAST_SLA_SQL.format(
        figures=_period_figures(),
        clock=CLOCK_SQL,
        grains_c=_grains("c"),
        grains_h=_grains("h"),
        live_bucket=median_bucket_sql("l.fix_hours"),
        bucket_values="\n            UNION ALL".join(
            _BUCKET_VALUES_SQL.format(measure=measure) for measure in ("answer", "fix")
        ),
    )
    return _rows(sql, window.params(**grain_params(window)))


AGGREGATED_TRENDS_SQL = """
SELECT m.measure, t.week, g.code AS group_code, sum(m.issues)::bigint AS issues
FROM (
    SELECT date_trunc('week', d.day::timestamp)::date AS week, d.category_id,
           sum(d.received) AS received, sum(d.fixed) AS fixed
    FROM dashboard_dailycount d
    WHERE {days} {district}
    GROUP BY 1, 2
) t
JOIN issues_category c ON c.id = t.category_id JOIN issues_categorygroup g ON g.id = c.group_id
CROSS JOIN LATERAL (VALUES ('received', t.received), ('resolved', t.fixed)) m(measure, issues)
GROUP BY 1, 2, 3
HAVING sum(m.issues) > 0
"""


def trend_rows(*, window: Window) -> list[dict]:
    """As trend_rows_live, from dashboard_dailycount."""
    sql = AGGREGATED_TRENDS_SQL.format(days=_day_range("d"), district=window.district_condition("d"))
    return _rows(sql, window.params())


AGGREGATED_SATISFACTION_SQL = """
SELECT m.outcome, m.fixes::bigint AS fixes
FROM (
    SELECT sum(d.fixed) AS fixed, sum(d.confirmed) AS confirmed, sum(d.disputed) AS disputed,
           sum(d.no_answer) AS no_answer, sum(d.awaiting) AS awaiting
    FROM dashboard_dailycount d
    WHERE {days} {district}
) t
CROSS JOIN LATERAL (VALUES ('confirm', t.confirmed), ('dispute', t.disputed), ('close', t.no_answer),
                           ('awaiting', t.awaiting),
                           ('other', t.fixed - t.confirmed - t.disputed - t.no_answer - t.awaiting))
    m(outcome, fixes)
WHERE m.fixes > 0
"""


def satisfaction_rows(*, window: Window) -> list[dict]:
    """As satisfaction_rows_live (other answers than confirm, dispute and close summed as `other`),
    from dashboard_dailycount."""
    sql = AGGREGATED_SATISFACTION_SQL.format(days=_day_range("d"), district=window.district_condition("d"))
    return _rows(sql, window.params())


AGGREGATED_HEAT_GRID_SQL = """
WITH cells AS (
    SELECT floor(f.x / %(cell)s) * %(cell)s AS x, floor(f.y / %(cell)s) * %(cell)s AS y, count(*) AS issues
    FROM dashboard_issuefact f
    WHERE f.created_at >= %(start)s AND f.created_at < %(end)s {district}
    GROUP BY 1, 2
)
SELECT x, y, issues,
       ST_AsGeoJSON(ST_Transform(ST_MakeEnvelope(x, y, x + %(cell)s, y + %(cell)s, %(srid)s), 4326), 6) AS outline
FROM cells
ORDER BY issues DESC, x, y
"""


# The same for cells of HEAT_CELL_M: sums of dashboard_heatcount (month rows for the whole months of
# the range, day rows for the days at its ends).
COUNTED_HEAT_GRID_SQL = """
WITH cells AS (
    SELECT h.x, h.y, sum(h.issues)::bigint AS issues
    FROM dashboard_heatcount h
    WHERE {grains} {district}
    GROUP BY 1, 2
    HAVING sum(h.issues) > 0
)
SELECT x, y, issues,
       ST_AsGeoJSON(ST_Transform(ST_MakeEnvelope(x, y, x + %(cell)s, y + %(cell)s, %(srid)s), 4326), 6) AS outline
FROM cells
ORDER BY issues DESC, x, y
"""


def heat_grid_rows(*, window: Window, cell_m: int, srid: int) -> list[dict]:
    """As heat_grid_rows_live: from dashboard_heatcount for cells of HEAT_CELL_M, else from
    dashboard_issuefact (points stored in the metric projection)."""
    if cell_m == HEAT_CELL_M:
        sql = COUNTED_HEAT_GRID_SQL.format(grains=_grains("h"), district=window.district_condition("h"))
        return _rows(sql, window.params(cell=cell_m, srid=srid, **grain_params(window)))
    sql = AGGREGATED_HEAT_GRID_SQL.format(district=window.district_condition("f"))
    return _rows(sql, window.params(cell=cell_m, srid=srid))
