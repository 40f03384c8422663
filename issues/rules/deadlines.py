"""Deadline arithmetic on a working calendar.

A service-level target is a number of hours, counted either on the clock (24/7: emergencies) or in
working hours of the city's calendar (weekdays 08:00–17:00 in Europe/Kyiv, minus non-working dates,
plus transferred working days). Time in which the issue was `planned` does not count: such pauses
are cut out of the available time. All instants are timezone-aware; the result is in UTC.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum
from zoneinfo import ZoneInfo

UTC = datetime.UTC
FAR_FUTURE = datetime.datetime(9999, 1, 1, tzinfo=UTC)
# A calendar with no working day in ten years cannot produce a deadline.
MAX_DAYS_SCANNED = 3660


class Clock(StrEnum):
    WORKING_HOURS = "working_hours"
    CALENDAR_HOURS = "calendar_hours"


class CalendarHasNoWorkingTime(ValueError):
    """The calendar offers no working time to count a target in."""


@dataclass(frozen=True)
class CalendarSpec:
    """A working calendar as plain data (built from the WorkingCalendar model by the service)."""

    time_zone: str = "Europe/Kyiv"
    day_start: datetime.time = datetime.time(8, 0)
    day_end: datetime.time = datetime.time(17, 0)
    working_weekdays: frozenset[int] = frozenset({1, 2, 3, 4, 5})  # ISO: 1 = Monday
    non_working_dates: frozenset[datetime.date] = field(default_factory=frozenset)
    extra_working_dates: frozenset[datetime.date] = field(default_factory=frozenset)

    def is_working_day(self, day: datetime.date) -> bool:
        """Exceptions first: a listed non-working date is off, a listed working date is on."""
        if day in self.non_working_dates:
            return False
        if day in self.extra_working_dates:
            return True
        return day.isoweekday() in self.working_weekdays


Interval = tuple[datetime.datetime, datetime.datetime]
Pause = tuple[datetime.datetime, datetime.datetime | None]


def working_windows(calendar: CalendarSpec, start: datetime.datetime) -> Iterator[Interval]:
    """The calendar's working intervals from `start` on, in UTC, the first one clipped at `start`."""
    zone = ZoneInfo(calendar.time_zone)
    day = start.astimezone(zone).date()
    for _ in range(MAX_DAYS_SCANNED):
        if calendar.is_working_day(day):
            opens = datetime.datetime.combine(day, calendar.day_start, tzinfo=zone).astimezone(UTC)
            closes = datetime.datetime.combine(day, calendar.day_end, tzinfo=zone).astimezone(UTC)
            if closes > start:
                yield max(opens, start), closes
        day += datetime.timedelta(days=1)
    raise CalendarHasNoWorkingTime(calendar)


def _around_the_clock(start: datetime.datetime) -> Iterator[Interval]:
    yield start, FAR_FUTURE


def _without_pauses(windows: Iterable[Interval], pauses: Iterable[Pause]) -> Iterator[Interval]:
    """Cut the pause intervals out of the windows. An open pause (no end) stops time for good."""
    cuts = sorted((begin, end or FAR_FUTURE) for begin, end in pauses)
    for begin, end in windows:
        cursor = begin
        for cut_begin, cut_end in cuts:
            if cut_end <= cursor or cut_begin >= end:
                continue
            if cut_begin > cursor:
                yield cursor, cut_begin
            cursor = max(cursor, cut_end)
            if cursor >= end:
                break
        if cursor < end:
            yield cursor, end
        if cursor >= FAR_FUTURE:
            return


def deadline(
    *,
    start: datetime.datetime,
    hours: Decimal | float | int,
    clock: Clock | str,
    calendar: CalendarSpec,
    pauses: Iterable[Pause] = (),
) -> datetime.datetime | None:
    """When `hours` of clock time (working or calendar) have elapsed from `start`, pauses excluded.

    None while the clock is stopped by an open pause before the target is reached.
    """
    if start.tzinfo is None:
        raise ValueError("start must be timezone-aware")
    start = start.astimezone(UTC)
    remaining = datetime.timedelta(hours=float(hours))
    windows = working_windows(calendar, start) if Clock(clock) == Clock.WORKING_HOURS else _around_the_clock(start)
    for begin, end in _without_pauses(windows, pauses):
        if end >= FAR_FUTURE:
            return begin + remaining
        span = end - begin
        if span >= remaining:
            return begin + remaining
        remaining -= span
    return None


def elapsed(
    *,
    start: datetime.datetime,
    end: datetime.datetime,
    clock: Clock | str,
    calendar: CalendarSpec,
    pauses: Iterable[Pause] = (),
) -> datetime.timedelta:
    """Clock time (working or calendar) between two instants, pauses excluded."""
    start, end = start.astimezone(UTC), end.astimezone(UTC)
    if end <= start:
        return datetime.timedelta(0)
    total = datetime.timedelta(0)
    windows = working_windows(calendar, start) if Clock(clock) == Clock.WORKING_HOURS else _around_the_clock(start)
    for begin, finish in _without_pauses(windows, pauses):
        if begin >= end:
            break
        total += min(finish, end) - begin
    return total
