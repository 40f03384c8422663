"""The public statistics of appeals and information requests: counts only (issue 15, item 4).

An appeal's text, subject, author and address are private by law; what leaves here is how many
were received in a period, by kind, by structural unit and by result, and how many were answered
within their legal term. A count by unit or by kind names no person, however small it is.

Definitions (the README's dashboard section repeats them):
- the population is the appeals *received* in the period (whole local days, both ends included);
- "answered" is an answer or a refusal on legal grounds (both end the term: answered_at is set);
  "answered in time" is answered no later than the term then in force (answered_at <= due_at, an
  extension the law allows included);
- the result is the answer's outcome, or "refused", "forwarded" (to another body or to the map),
  "merged" (a repeat), or "open" (still with the council);
- the unit is the structural unit the appeal is with (or was answered by); "not routed" when none.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Case, CharField, Count, F, Q, QuerySet, Value, When
from django.utils import timezone
from django.utils.translation import pgettext_lazy

from accounts.localized import localized
from appeals.models import Appeal, AppealKind, AppealOutcome
from appeals.rules.transitions import OPEN_APPEAL_STATUSES, AppealStatus

MAX_PERIOD_DAYS = 731  # two years, leap day included (as the dashboard's own period)

# The results besides the answers' outcomes, in the order pages show them.
RESULT_LABELS = {
    **{outcome.value: outcome.label for outcome in AppealOutcome},
    "refused": pgettext_lazy("appeal statistics", "refused on legal grounds"),
    "forwarded": pgettext_lazy("appeal statistics", "forwarded"),
    "merged": pgettext_lazy("appeal statistics", "merged with an earlier appeal"),
    "open": pgettext_lazy("appeal statistics", "still being considered"),
}
_OPEN = [status.value for status in OPEN_APPEAL_STATUSES]


@dataclass(frozen=True)
class AppealStatsPeriod:
    start: datetime.date
    end: datetime.date

    def bounds(self) -> tuple[datetime.datetime, datetime.datetime]:
        zone = ZoneInfo(settings.TIME_ZONE)
        start = datetime.datetime.combine(self.start, datetime.time(0), tzinfo=zone)
        end = datetime.datetime.combine(self.end + datetime.timedelta(days=1), datetime.time(0), tzinfo=zone)
        return start, end


@dataclass(frozen=True)
class Tally:
    """Appeals of one kind or one unit: received, answered, answered within the term."""

    code: str | None
    label: str
    received: int
    answered: int
    answered_in_time: int

    @property
    def answered_in_time_pct(self) -> float | None:
        return round(100 * self.answered_in_time / self.answered, 1) if self.answered else None


@dataclass(frozen=True)
class ResultCount:
    code: str
    label: str
    count: int


@dataclass(frozen=True)
class AppealStatistics:
    period: AppealStatsPeriod
    now: datetime.datetime
    total: Tally
    by_kind: list[Tally]
    by_unit: list[Tally]
    by_result: list[ResultCount]
    open_overdue: int  # received in the period, still open, past their term now


def appeal_stats_default_period(*, today: datetime.date | None = None) -> AppealStatsPeriod:
    """The last twelve months, today included (appeals run on terms of weeks, not days)."""
    today = today or timezone.localdate()
    return AppealStatsPeriod(start=today - datetime.timedelta(days=364), end=today)


def _received_in(period: AppealStatsPeriod) -> QuerySet[Appeal]:
    start, end = period.bounds()
    return Appeal.objects.filter(received_at__gte=start, received_at__lt=end)


_TALLY = {
    "received": Count("pk"),
    "answered": Count("pk", filter=Q(answered_at__isnull=False)),
    "answered_in_time": Count("pk", filter=Q(answered_at__isnull=False, answered_at__lte=F("due_at"))),
}
_RESULT = Case(
    When(status=AppealStatus.ANSWERED, then=F("outcome")),
    When(status=AppealStatus.REFUSED, then=Value("refused")),
    When(status=AppealStatus.FORWARDED, then=Value("forwarded")),
    When(status=AppealStatus.MERGED, then=Value("merged")),
    default=Value("open"),
    output_field=CharField(),
)


def appeal_statistics(*, period: AppealStatsPeriod, now: datetime.datetime | None = None) -> AppealStatistics:
    """The counts of the appeals received in the period (four queries, whatever their number)."""
    now = now or timezone.now()
    appeals = _received_in(period)
    total = appeals.aggregate(**_TALLY, open_overdue=Count("pk", filter=Q(status__in=_OPEN, due_at__lt=now)))
    kinds = {row["kind"]: row for row in appeals.values("kind").annotate(**_TALLY).order_by()}
    by_kind = [
        Tally(
            code=kind.value,
            label=str(kind.label),
            received=kinds.get(kind.value, {}).get("received", 0),
            answered=kinds.get(kind.value, {}).get("answered", 0),
            answered_in_time=kinds.get(kind.value, {}).get("answered_in_time", 0),
        )
        for kind in AppealKind
    ]
    units = appeals.values("unit__code", "unit__name_uk", "unit__name_en").annotate(**_TALLY).order_by()
    by_unit = sorted(
        (
            Tally(
                code=row["unit__code"],
                label=localized(row["unit__name_uk"], row["unit__name_en"])
                if row["unit__code"]
                else str(pgettext_lazy("appeal statistics", "not routed")),
                received=row["received"],
                answered=row["answered"],
                answered_in_time=row["answered_in_time"],
            )
            for row in units
        ),
        key=lambda tally: (tally.code is None, -tally.received, tally.label),
    )
    results = dict(appeals.annotate(result=_RESULT).values_list("result").annotate(n=Count("pk")).order_by())
    by_result = [
        ResultCount(code=code, label=str(label), count=results.get(code, 0)) for code, label in RESULT_LABELS.items()
    ]
    return AppealStatistics(
        period=period,
        now=now,
        total=Tally(
            code=None,
            label="",
            received=total["received"],
            answered=total["answered"],
            answered_in_time=total["answered_in_time"],
        ),
        by_kind=by_kind,
        by_unit=by_unit,
        by_result=by_result,
        open_overdue=total["open_overdue"],
    )
