"""Deadline arithmetic: working hours across evenings, weekends and holidays; 24/7 clocks; pauses."""

import datetime
from zoneinfo import ZoneInfo

import pytest

from issues.rules.deadlines import CalendarHasNoWorkingTime, CalendarSpec, deadline, elapsed

KYIV = ZoneInfo("Europe/Kyiv")
CAL = CalendarSpec()  # Mon–Fri 08:00–17:00 Europe/Kyiv


def kyiv(*args) -> datetime.datetime:
    return datetime.datetime(*args, tzinfo=KYIV)


def working(start, hours, calendar=CAL, pauses=()):
    result = deadline(start=start, hours=hours, clock="working_hours", calendar=calendar, pauses=pauses)
    return result.astimezone(KYIV) if result else None


def test_within_one_working_day():
    # Tuesday 2026-12-01 09:00 + 3 working hours
    assert working(kyiv(2026, 12, 1, 9, 0), 3) == kyiv(2026, 12, 1, 12, 0)


def test_target_that_ends_exactly_at_the_end_of_the_day_stays_on_that_day():
    assert working(kyiv(2026, 12, 1, 8, 0), 9) == kyiv(2026, 12, 1, 17, 0)


def test_rolls_over_the_evening_into_the_next_morning():
    # Tuesday 16:00 + 3h: one hour on Tuesday, two on Wednesday morning
    assert working(kyiv(2026, 12, 1, 16, 0), 3) == kyiv(2026, 12, 2, 10, 0)


def test_report_after_hours_starts_counting_next_morning():
    assert working(kyiv(2026, 12, 1, 22, 30), 1) == kyiv(2026, 12, 2, 9, 0)
    assert working(kyiv(2026, 12, 2, 6, 0), 1) == kyiv(2026, 12, 2, 9, 0)


def test_friday_afternoon_rolls_over_the_weekend():
    # Friday 2026-12-04 15:00 + 4h: 2h Friday, 2h Monday 2026-12-07
    assert working(kyiv(2026, 12, 4, 15, 0), 4) == kyiv(2026, 12, 7, 10, 0)


def test_report_on_saturday_starts_on_monday():
    assert working(kyiv(2026, 12, 5, 11, 0), 9) == kyiv(2026, 12, 7, 17, 0)


def test_ten_working_days_span_two_weekends():
    # Monday 08:00 + 90h (10 days of 9h) ends Friday of the next week at 17:00
    assert working(kyiv(2026, 11, 30, 8, 0), 90) == kyiv(2026, 12, 11, 17, 0)


def test_non_working_date_is_skipped():
    holiday = CalendarSpec(non_working_dates=frozenset({datetime.date(2026, 12, 2)}))
    # Tuesday 16:00 + 3h: 1h Tuesday, Wednesday is off, 2h Thursday
    assert working(kyiv(2026, 12, 1, 16, 0), 3, holiday) == kyiv(2026, 12, 3, 10, 0)


def test_holiday_before_a_weekend_and_a_transferred_saturday():
    calendar = CalendarSpec(
        non_working_dates=frozenset({datetime.date(2026, 12, 4)}),  # Friday off
        extra_working_dates=frozenset({datetime.date(2026, 12, 5)}),  # Saturday worked instead
    )
    assert working(kyiv(2026, 12, 3, 16, 0), 2, calendar) == kyiv(2026, 12, 5, 9, 0)


def test_martial_law_holidays_are_working_days_when_the_data_says_so():
    # Christmas on a Friday: an ordinary working day unless listed as non-working.
    assert working(kyiv(2026, 12, 25, 8, 0), 9) == kyiv(2026, 12, 25, 17, 0)


def test_calendar_hours_ignore_nights_and_weekends():
    result = deadline(start=kyiv(2026, 12, 4, 22, 0), hours=24, clock="calendar_hours", calendar=CAL)
    assert result == kyiv(2026, 12, 5, 22, 0)


def test_calendar_hours_across_the_spring_dst_change_are_elapsed_hours():
    # Kyiv moves clocks from 03:00 to 04:00 on 2026-03-29: 24 elapsed hours end at 01:00+1h.
    result = deadline(start=kyiv(2026, 3, 28, 12, 0), hours=24, clock="calendar_hours", calendar=CAL)
    assert result.astimezone(KYIV) == kyiv(2026, 3, 29, 13, 0)


def test_working_hours_across_dst_keep_the_local_office_hours():
    # Friday 2026-03-27 16:00 + 2h → Monday 2026-03-30 09:00 local, after the change to summer time
    assert working(kyiv(2026, 3, 27, 16, 0), 2) == kyiv(2026, 3, 30, 9, 0)


def test_fractional_hours():
    assert working(kyiv(2026, 12, 1, 9, 0), 1.5) == kyiv(2026, 12, 1, 10, 30)


def test_a_closed_pause_pushes_the_deadline_by_the_working_time_it_took():
    pause = (kyiv(2026, 12, 1, 10, 0), kyiv(2026, 12, 1, 12, 0))
    assert working(kyiv(2026, 12, 1, 9, 0), 3, pauses=[pause]) == kyiv(2026, 12, 1, 14, 0)


def test_a_pause_over_a_weekend_costs_nothing_extra():
    # Paused Friday 17:00 to Monday 08:00: no working time lost, deadline unchanged.
    pause = (kyiv(2026, 12, 4, 17, 0), kyiv(2026, 12, 7, 8, 0))
    assert working(kyiv(2026, 12, 4, 15, 0), 4, pauses=[pause]) == kyiv(2026, 12, 7, 10, 0)


def test_an_open_pause_stops_the_clock():
    pause = (kyiv(2026, 12, 1, 10, 0), None)
    assert working(kyiv(2026, 12, 1, 9, 0), 3, pauses=[pause]) is None
    # ... unless the target is reached before the pause begins
    assert working(kyiv(2026, 12, 1, 9, 0), 0.5, pauses=[pause]) == kyiv(2026, 12, 1, 9, 30)


def test_pauses_with_the_calendar_clock():
    pause = (kyiv(2026, 12, 1, 10, 0), kyiv(2026, 12, 3, 10, 0))
    result = deadline(start=kyiv(2026, 12, 1, 9, 0), hours=4, clock="calendar_hours", calendar=CAL, pauses=[pause])
    assert result == kyiv(2026, 12, 3, 13, 0)


def test_elapsed_counts_only_working_time_and_skips_pauses():
    start, end = kyiv(2026, 12, 4, 15, 0), kyiv(2026, 12, 7, 10, 0)
    assert elapsed(start=start, end=end, clock="working_hours", calendar=CAL) == datetime.timedelta(hours=4)
    pause = (kyiv(2026, 12, 7, 8, 0), kyiv(2026, 12, 7, 9, 0))
    assert elapsed(start=start, end=end, clock="working_hours", calendar=CAL, pauses=[pause]) == datetime.timedelta(
        hours=3
    )
    assert elapsed(start=end, end=start, clock="calendar_hours", calendar=CAL) == datetime.timedelta(0)


def test_a_calendar_without_working_days_is_refused():
    with pytest.raises(CalendarHasNoWorkingTime):
        working(kyiv(2026, 12, 1, 9, 0), 1, CalendarSpec(working_weekdays=frozenset()))


def test_naive_start_is_refused():
    with pytest.raises(ValueError, match="timezone-aware"):
        deadline(start=datetime.datetime(2026, 12, 1, 9), hours=1, clock="calendar_hours", calendar=CAL)
