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


# Statutory terms -----------------------------------------------------------------------------------
# The law counts most terms in days, not hours: "within one month (30 days) of receipt", "within 5
# working days". The Civil Code of Ukraine fixes how (Art. 253–255): a term counted in days begins
# on the day after the event (the day of receipt does not count); when its last day is a day off,
# the term ends on the next working day; and where the act is done in an office, the term ends when
# that office's working day ends. Hours (the 48 hours of an urgent information request) are counted
# on the clock from the moment of receipt, like an emergency's SLA.


class TermUnit(StrEnum):
    CALENDAR_DAYS = "calendar_days"
    WORKING_DAYS = "working_days"
    HOURS = "hours"


def term_last_day(
    *, received: datetime.datetime, amount: int, unit: TermUnit | str, calendar: CalendarSpec, roll_to_working_day: bool
) -> datetime.date:
    """The last day of a term of `amount` calendar or working days counted from the day after receipt."""
    unit = TermUnit(unit)
    if unit == TermUnit.HOURS:
        raise ValueError("a term in hours has no last day; use term_end")
    if amount < 1:
        raise ValueError("a term is at least one day")
    day = received.astimezone(ZoneInfo(calendar.time_zone)).date()
    if unit == TermUnit.CALENDAR_DAYS:
        day += datetime.timedelta(days=amount)
    else:
        counted = 0
        for _ in range(MAX_DAYS_SCANNED):
            day += datetime.timedelta(days=1)
            if calendar.is_working_day(day):
                counted += 1
                if counted == amount:
                    break
        else:
            raise CalendarHasNoWorkingTime(calendar)
    if roll_to_working_day:
        for _ in range(MAX_DAYS_SCANNED):
            if calendar.is_working_day(day):
                return day
            day += datetime.timedelta(days=1)
        raise CalendarHasNoWorkingTime(calendar)
    return day


def term_end(
    *,
    received: datetime.datetime,
    amount: int,
    unit: TermUnit | str,
    calendar: CalendarSpec,
    roll_to_working_day: bool = True,
) -> datetime.datetime:
    """The instant (UTC) a statutory term of `amount` units from `received` runs out.

    Days: the end of the working day on the last day (or midnight, when the last day is a day off
    and the term does not roll over to a working day). Hours: `received` plus the hours, on the clock.
    """
    if received.tzinfo is None:
        raise ValueError("received must be timezone-aware")
    if TermUnit(unit) == TermUnit.HOURS:
        return received.astimezone(UTC) + datetime.timedelta(hours=amount)
    last = term_last_day(
        received=received, amount=amount, unit=unit, calendar=calendar, roll_to_working_day=roll_to_working_day
    )
    return term_day_end(day=last, calendar=calendar)


def term_day_end(*, day: datetime.date, calendar: CalendarSpec) -> datetime.datetime:
    """The instant (UTC) a term whose last day is `day` runs out: when that working day ends, or
    at midnight after it when it is a day off."""
    zone = ZoneInfo(calendar.time_zone)
    if calendar.is_working_day(day):
        return datetime.datetime.combine(day, calendar.day_end, tzinfo=zone).astimezone(UTC)
    return datetime.datetime.combine(day + datetime.timedelta(days=1), datetime.time(0), tzinfo=zone).astimezone(UTC)
