"""The dashboard's pre-aggregated tables: a read model derived from the issues and their event
log, so that every figure over up to two years is a range scan over small rows instead of a pass
over the whole log. Nothing here is entered by hand: dashboard.aggregates writes these rows (for
one issue, in the transaction that writes the issue's event; for everything, in
`manage.py opencity_rebuild_dashboard`), and the live computation in dashboard.sql is the
reference they are tested against.

What is stored never depends on "now": what does (a deadline passing while an assignment period is
still running, the clock time of its last interval) is kept as the period's *tail* and finished at
read time.
"""

from __future__ import annotations

import functools
import operator

from django.contrib.postgres.fields import DateTimeRangeField
from django.contrib.postgres.indexes import GistIndex
from django.db import models

from issues.rules.clocks import RESOLVE_CLOCK_STATUSES, RESPONSE_CLOCK_STATUSES
from issues.rules.transitions import OPEN_STATUSES, statuses_in_order

# Periods whose figures depend on "now": their last interval runs on a clock (see AssignmentPeriod).
CLOCK_STATUSES = statuses_in_order(RESPONSE_CLOCK_STATUSES | RESOLVE_CLOCK_STATUSES)


class IssueFact(models.Model):
    """One row per issue: what the received counts and the heat grid need (its current district and
    category, and its point in the metric projection of dashboard.selectors.metric_srid)."""

    issue = models.OneToOneField("issues.Issue", on_delete=models.CASCADE, primary_key=True, related_name="+")
    created_at = models.DateTimeField()
    district_id = models.BigIntegerField(null=True)
    category_id = models.BigIntegerField()
    srid = models.IntegerField()
    x = models.FloatField(null=True)
    y = models.FloatField(null=True)
    # Open now (new, assigned, in progress, planned) by its last status event (its open-ended
    # StatusSpan): the problem spots' input, without reading the issues.
    open = models.BooleanField(default=False)

    class Meta:
        indexes = [
            models.Index(fields=["created_at"], name="dashboard_fact_created"),
            models.Index(fields=["created_at"], name="dashboard_fact_open", condition=models.Q(open=True)),
        ]

    def __str__(self) -> str:
        return f"issue {self.issue_id}"


class Fix(models.Model):
    """One row per event that set `resolved`, with the action of the issue's next status change
    (confirm, dispute, close, …; empty while the reporter has not answered)."""

    issue = models.ForeignKey("issues.Issue", on_delete=models.CASCADE, related_name="+")
    at = models.DateTimeField()
    outcome = models.CharField(max_length=40, null=True)

    def __str__(self) -> str:
        return f"fix of issue {self.issue_id} at {self.at:%Y-%m-%d %H:%M}"


class AssignmentPeriod(models.Model):
    """One row per assignment period (see dashboard.sql, PERIODS_SQL): an executor holding an issue
    with fresh deadlines, from the event that gave it to the next such event.

    `response_missed`, `fix_missed` and `running_seconds` cover the period's intervals that have
    ended; if the issue's last event falls in this period, its open interval is the *tail*
    (`tail_at`, the status and the deadlines in force), judged against "now" when read."""

    issue = models.ForeignKey("issues.Issue", on_delete=models.CASCADE, related_name="+")
    period_no = models.IntegerField()
    district_id = models.BigIntegerField(null=True)
    executor_code = models.CharField(max_length=64, null=True)
    started_at = models.DateTimeField()
    answered_at = models.DateTimeField(null=True)
    fixed_at = models.DateTimeField(null=True)
    response_missed = models.BooleanField()
    fix_missed = models.BooleanField()
    running_seconds = models.DecimalField(max_digits=24, decimal_places=6, null=True)
    # The medians' inputs as the live query computes them (a double each): hours to the answer, and
    # running hours to the fix when no tail can add to them (else computed when read).
    answer_hours = models.FloatField(null=True)
    fix_hours = models.FloatField(null=True)
    # Their value buckets (dashboard.sql.MEDIAN_BUCKETS_SQL), the key of SlaHistogram: the exact
    # medians read only the rows of the bucket that holds the middle.
    answer_bucket = models.SmallIntegerField(null=True)
    fix_bucket = models.SmallIntegerField(null=True)
    tail_at = models.DateTimeField(null=True)
    tail_status = models.CharField(max_length=20, null=True)
    tail_response_due = models.DateTimeField(null=True)
    tail_resolve_due = models.DateTimeField(null=True)

    class Meta:
        indexes = [
            models.Index(fields=["started_at"], name="dashboard_period_started"),
            # A median's bucket: per executor and in total, over the period's days (index only).
            models.Index(
                fields=["executor_code", "answer_bucket", "started_at"],
                include=["answer_hours"],
                name="dashboard_period_answer_x",
                condition=models.Q(answer_bucket__isnull=False),
            ),
            models.Index(
                fields=["answer_bucket", "started_at"],
                include=["answer_hours"],
                name="dashboard_period_answer",
                condition=models.Q(answer_bucket__isnull=False),
            ),
            models.Index(
                fields=["executor_code", "fix_bucket", "started_at"],
                include=["fix_hours"],
                name="dashboard_period_fix_x",
                condition=models.Q(fix_bucket__isnull=False),
            ),
            models.Index(
                fields=["fix_bucket", "started_at"],
                include=["fix_hours"],
                name="dashboard_period_fix",
                condition=models.Q(fix_bucket__isnull=False),
            ),
            # The few periods judged against "now" when read (kept out of SlaCount).
            models.Index(
                fields=["started_at"],
                name="dashboard_period_running",
                # an OR of equalities, which the planner matches with the queries' IN (...)
                condition=functools.reduce(operator.or_, (models.Q(tail_status=status) for status in CLOCK_STATUSES)),
            ),
        ]
        constraints = [models.UniqueConstraint(fields=["issue", "period_no"], name="dashboard_period_unique")]

    def __str__(self) -> str:
        return f"issue {self.issue_id}, period {self.period_no} ({self.executor_code})"


class Grain(models.TextChoices):
    """The time key of SlaCount and SlaHistogram: a local day, or a whole local month (keyed by its
    first day). Every period is counted in both; a range of days reads its whole months from the
    month rows and only the days at its two ends from the day rows."""

    DAY = "d"
    MONTH = "m"


class SlaCount(models.Model):
    """Per grain, district and executor: the counts of the SLA table over the assignment periods
    started then whose figures no longer depend on "now" (the last interval is on no clock); the
    others are read from AssignmentPeriod (dashboard_period_running)."""

    grain = models.CharField(max_length=1, choices=Grain.choices)
    day = models.DateField()
    district_id = models.BigIntegerField(null=True)
    executor_code = models.CharField(max_length=64, null=True)
    periods = models.IntegerField(default=0)
    answer_judged = models.IntegerField(default=0)
    answered_on_time = models.IntegerField(default=0)
    fix_judged = models.IntegerField(default=0)
    fixed_on_time = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["grain", "day", "district_id", "executor_code"],
                name="dashboard_slacount_unique",
                nulls_distinct=False,
            )
        ]

    def __str__(self) -> str:
        return f"{self.grain} {self.day} district {self.district_id} {self.executor_code}"


class SlaHistogram(models.Model):
    """Per grain and executor: how many assignment periods started then have their stored answer
    (or fix) hours in each value bucket. Summed over a range, the buckets give each middle rank's
    bucket, and the exact median reads only that bucket's rows."""

    grain = models.CharField(max_length=1, choices=Grain.choices)
    day = models.DateField()
    executor_code = models.CharField(max_length=64, null=True)
    measure = models.CharField(max_length=6)  # "answer" or "fix"
    bucket = models.SmallIntegerField()
    periods = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["grain", "day", "executor_code", "measure", "bucket"],
                name="dashboard_slahistogram_unique",
                nulls_distinct=False,
            )
        ]

    def __str__(self) -> str:
        return f"{self.grain} {self.day} {self.executor_code} {self.measure} {self.bucket}"


class HeatCount(models.Model):
    """Per grain (Grain), district and square cell of dashboard.sql.HEAT_CELL_M metres (its south-west
    corner in the metric projection): the reports received, for the heat grid."""

    grain = models.CharField(max_length=1, choices=Grain.choices)
    day = models.DateField()
    district_id = models.BigIntegerField(null=True)
    x = models.FloatField(null=True)
    y = models.FloatField(null=True)
    issues = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["grain", "day", "district_id", "x", "y"],
                name="dashboard_heatcount_unique",
                nulls_distinct=False,
            )
        ]

    def __str__(self) -> str:
        return f"{self.grain} {self.day} district {self.district_id} cell {self.x} {self.y}"


class DailyCount(models.Model):
    """Per local day (settings.TIME_ZONE), district and category (the issue's current ones): reports
    received, fixes made and what the reporters did next about those fixes."""

    day = models.DateField()
    district_id = models.BigIntegerField(null=True)
    category_id = models.BigIntegerField()
    received = models.IntegerField(default=0)
    fixed = models.IntegerField(default=0)
    confirmed = models.IntegerField(default=0)
    disputed = models.IntegerField(default=0)
    no_answer = models.IntegerField(default=0)
    awaiting = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["day", "district_id", "category_id"], name="dashboard_daily_unique", nulls_distinct=False
            )
        ]

    def __str__(self) -> str:
        return f"{self.day} district {self.district_id} category {self.category_id}"


class StatusSpan(models.Model):
    """One row per status an issue has held: from the event that set it to the next status event
    (open-ended for the current one), with the issue's report time and current district. The
    backlog at a past instant is the open spans containing it (a GiST lookup, not a pass over the
    log after that instant)."""

    issue = models.ForeignKey("issues.Issue", on_delete=models.CASCADE, related_name="+")
    district_id = models.BigIntegerField(null=True)
    created_at = models.DateTimeField()
    status = models.CharField(max_length=20)
    span = DateTimeRangeField()

    class Meta:
        indexes = [
            GistIndex(
                fields=["span"],
                name="dashboard_span_open",
                condition=models.Q(status__in=statuses_in_order(OPEN_STATUSES)),
            )
        ]

    def __str__(self) -> str:
        return f"issue {self.issue_id} {self.status} {self.span}"
