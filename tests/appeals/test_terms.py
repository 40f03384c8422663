"""The legal terms at their edges: month ends, weekends, public holidays, the 45-day and 20-working-day
ceilings, the 48 hours, and receipt late in the evening (the city's day, not UTC's)."""

from __future__ import annotations

import datetime
from zoneinfo import ZoneInfo

import pytest

from appeals.rules.terms import (
    TermPolicy,
    TermRefused,
    extension_due,
    forward_due,
    initial_due,
    longest_due,
    short_due,
    shortened_due,
)
from issues.rules.deadlines import CalendarSpec, TermUnit, term_last_day

KYIV = ZoneInfo("Europe/Kyiv")
# Public holidays as data: New Year and Christmas (7 January) off; a transferred working Saturday.
CALENDAR = CalendarSpec(
    non_working_dates=frozenset({datetime.date(2027, 1, 1), datetime.date(2027, 1, 7), datetime.date(2026, 12, 25)}),
    extra_working_dates=frozenset({datetime.date(2027, 1, 9)}),
)
APPEAL = TermPolicy(unit=TermUnit.CALENDAR_DAYS, standard=30, short=15, longest=45, forward=5)
REQUEST = TermPolicy(
    unit=TermUnit.WORKING_DAYS,
    standard=5,
    urgent_hours=48,
    longest=20,
    extension_notice=5,
    forward=5,
    forward_unit=TermUnit.WORKING_DAYS,
    warn_hours=24,
)


def kyiv(*args) -> datetime.datetime:
    return datetime.datetime(*args, tzinfo=KYIV)


def at_close(day: datetime.date) -> datetime.datetime:
    """17:00 in Kyiv on that day: when a working day, and so a term, ends."""
    return kyiv(day.year, day.month, day.day, 17, 0)


# Appeals: 30 calendar days, 15 when short, 45 at most -------------------------------------------


def test_a_month_runs_from_the_day_after_receipt_and_ends_at_the_close_of_the_30th_day():
    received = kyiv(2027, 2, 10, 11, 0)  # Wednesday; +30 days = Friday 12 March
    assert initial_due(policy=APPEAL, received=received, calendar=CALENDAR) == at_close(datetime.date(2027, 3, 12))


def test_a_month_over_february_ending_on_a_sunday_rolls_to_monday():
    received = kyiv(2027, 1, 29, 15, 0)  # Friday; +30 days = Sunday 28 February
    assert term_last_day(
        received=received, amount=30, unit=TermUnit.CALENDAR_DAYS, calendar=CALENDAR, roll_to_working_day=False
    ) == datetime.date(2027, 2, 28)
    assert initial_due(policy=APPEAL, received=received, calendar=CALENDAR) == at_close(datetime.date(2027, 3, 1))


def test_fifteen_days_ending_on_new_year_roll_past_the_holiday_and_the_weekend():
    received = kyiv(2026, 12, 17, 9, 30)  # +15 days = Friday 1 January, a holiday; then Sat, Sun
    assert short_due(policy=APPEAL, received=received, calendar=CALENDAR) == at_close(datetime.date(2027, 1, 4))


def test_thirty_days_over_the_year_end_land_on_a_holiday_and_move_to_the_next_working_day():
    received = kyiv(2026, 12, 8, 16, 0)  # +30 days = Thursday 7 January (Christmas, off) → Friday 8
    assert initial_due(policy=APPEAL, received=received, calendar=CALENDAR) == at_close(datetime.date(2027, 1, 8))


def test_receipt_after_midnight_in_kyiv_counts_from_the_city_day_not_the_utc_one():
    received = datetime.datetime(2027, 2, 9, 22, 30, tzinfo=datetime.UTC)  # 00:30 on 10 Feb in Kyiv
    assert initial_due(policy=APPEAL, received=received, calendar=CALENDAR) == at_close(datetime.date(2027, 3, 12))


def test_the_longest_term_is_45_days_from_receipt_rolled_to_a_working_day():
    received = kyiv(2026, 11, 20, 10, 0)  # +45 days = Monday 4 January 2027
    assert longest_due(policy=APPEAL, received=received, calendar=CALENDAR) == at_close(datetime.date(2027, 1, 4))


def test_an_extension_to_the_longest_term_is_allowed_before_the_month_runs_out():
    received = kyiv(2026, 11, 20, 10, 0)
    current = initial_due(policy=APPEAL, received=received, calendar=CALENDAR)  # Mon 21 Dec 2026
    assert current == at_close(datetime.date(2026, 12, 21))
    new_due = extension_due(
        policy=APPEAL, received=received, current_due=current, calendar=CALENDAR, last_day=None, now=kyiv(2026, 12, 15)
    )
    assert new_due == at_close(datetime.date(2027, 1, 4))
    chosen = extension_due(
        policy=APPEAL,
        received=received,
        current_due=current,
        calendar=CALENDAR,
        last_day=datetime.date(2026, 12, 30),
        now=kyiv(2026, 12, 15),
    )
    assert chosen == at_close(datetime.date(2026, 12, 30))


def test_an_extension_past_45_days_in_total_is_refused():
    received = kyiv(2026, 11, 20, 10, 0)
    current = initial_due(policy=APPEAL, received=received, calendar=CALENDAR)
    with pytest.raises(TermRefused) as refused:
        extension_due(
            policy=APPEAL,
            received=received,
            current_due=current,
            calendar=CALENDAR,
            last_day=datetime.date(2027, 1, 5),  # day 46
            now=kyiv(2026, 12, 15),
        )
    assert refused.value.code == "beyond_longest"
    assert refused.value.limit == at_close(datetime.date(2027, 1, 4))


def test_a_second_extension_cannot_go_past_45_days_either():
    received = kyiv(2026, 11, 20, 10, 0)
    current = at_close(datetime.date(2026, 12, 30))  # extended once already
    with pytest.raises(TermRefused) as refused:
        extension_due(
            policy=APPEAL,
            received=received,
            current_due=current,
            calendar=CALENDAR,
            last_day=datetime.date(2027, 1, 11),
            now=kyiv(2026, 12, 28),
        )
    assert refused.value.code == "beyond_longest"


def test_an_extension_after_the_term_ran_out_is_refused():
    received = kyiv(2026, 11, 20, 10, 0)
    current = initial_due(policy=APPEAL, received=received, calendar=CALENDAR)
    with pytest.raises(TermRefused) as refused:
        extension_due(
            policy=APPEAL,
            received=received,
            current_due=current,
            calendar=CALENDAR,
            last_day=None,
            now=current + datetime.timedelta(minutes=1),
        )
    assert refused.value.code == "notice_too_late"


def test_an_extension_not_later_than_the_current_term_is_refused():
    received = kyiv(2026, 11, 20, 10, 0)
    current = initial_due(policy=APPEAL, received=received, calendar=CALENDAR)
    with pytest.raises(TermRefused) as refused:
        extension_due(
            policy=APPEAL,
            received=received,
            current_due=current,
            calendar=CALENDAR,
            last_day=datetime.date(2026, 12, 21),
            now=kyiv(2026, 12, 1),
        )
    assert refused.value.code == "not_later"


def test_a_shorter_term_on_request_is_the_15_day_term_and_must_be_shorter_and_ahead():
    received = kyiv(2027, 2, 10, 11, 0)
    current = initial_due(policy=APPEAL, received=received, calendar=CALENDAR)
    assert shortened_due(
        policy=APPEAL, received=received, current_due=current, calendar=CALENDAR, last_day=None, now=received
    ) == at_close(datetime.date(2027, 2, 25))
    with pytest.raises(TermRefused) as refused:
        shortened_due(
            policy=APPEAL,
            received=received,
            current_due=current,
            calendar=CALENDAR,
            last_day=datetime.date(2027, 2, 12),
            now=kyiv(2027, 2, 13),
        )
    assert refused.value.code == "in_the_past"


def test_an_appeal_for_another_body_is_forwarded_within_five_calendar_days():
    received = kyiv(2027, 1, 1, 12, 0)  # +5 = Wednesday 6 January
    assert forward_due(policy=APPEAL, received=received, calendar=CALENDAR) == at_close(datetime.date(2027, 1, 6))


# Information requests: 5 working days, 48 hours, 20 working days at most ------------------------


def test_five_working_days_skip_the_weekend():
    received = kyiv(2027, 2, 11, 14, 0)  # Thursday: Fri, Mon, Tue, Wed, Thu → Thursday 18 February
    assert initial_due(policy=REQUEST, received=received, calendar=CALENDAR) == at_close(datetime.date(2027, 2, 18))


def test_five_working_days_over_christmas_and_new_year_skip_the_holidays():
    received = kyiv(2026, 12, 24, 10, 0)  # Thu; 25 Dec off; Mon 28, Tue 29, Wed 30, Thu 31; 1 Jan off; Mon 4
    assert initial_due(policy=REQUEST, received=received, calendar=CALENDAR) == at_close(datetime.date(2027, 1, 4))


def test_a_transferred_working_saturday_counts_as_a_working_day():
    received = kyiv(2027, 1, 6, 10, 0)  # Wed; 7 Jan off; Fri 8, Sat 9 (working), Mon 11, Tue 12, Wed 13
    assert initial_due(policy=REQUEST, received=received, calendar=CALENDAR) == at_close(datetime.date(2027, 1, 13))


def test_urgent_information_is_due_48_hours_after_receipt_even_over_a_weekend():
    received = kyiv(2027, 2, 12, 18, 20)  # Friday evening → Sunday 18:20
    due = initial_due(policy=REQUEST, received=received, calendar=CALENDAR, urgent=True)
    assert due == kyiv(2027, 2, 14, 18, 20)


def test_urgent_has_no_meaning_for_a_kind_without_an_urgent_term():
    received = kyiv(2027, 2, 10, 11, 0)
    assert initial_due(policy=APPEAL, received=received, calendar=CALENDAR, urgent=True) == initial_due(
        policy=APPEAL, received=received, calendar=CALENDAR
    )


def test_a_request_extends_to_twenty_working_days_with_notice_inside_the_first_five():
    received = kyiv(2026, 12, 24, 10, 0)
    current = initial_due(policy=REQUEST, received=received, calendar=CALENDAR)
    new_due = extension_due(
        policy=REQUEST, received=received, current_due=current, calendar=CALENDAR, last_day=None, now=kyiv(2026, 12, 30)
    )
    # 20 working days from 24 Dec: 28,29,30,31 Dec; 4,5,6,8,9(Sat, working),11,12,13,14,15,18,19,20,21,22,25
    assert new_due == at_close(datetime.date(2027, 1, 25))


def test_a_request_extension_noticed_after_five_working_days_is_refused():
    received = kyiv(2026, 12, 24, 10, 0)
    current = at_close(datetime.date(2027, 1, 25))  # even if the current term were longer already
    with pytest.raises(TermRefused) as refused:
        extension_due(
            policy=REQUEST,
            received=received,
            current_due=current,
            calendar=CALENDAR,
            last_day=datetime.date(2027, 1, 20),
            now=kyiv(2027, 1, 5, 9, 0),
        )
    assert refused.value.code == "notice_too_late"
    assert refused.value.limit == at_close(datetime.date(2027, 1, 4))


def test_a_request_extension_beyond_twenty_working_days_is_refused():
    received = kyiv(2026, 12, 24, 10, 0)
    current = initial_due(policy=REQUEST, received=received, calendar=CALENDAR)
    with pytest.raises(TermRefused) as refused:
        extension_due(
            policy=REQUEST,
            received=received,
            current_due=current,
            calendar=CALENDAR,
            last_day=datetime.date(2027, 1, 26),
            now=kyiv(2026, 12, 28),
        )
    assert refused.value.code == "beyond_longest"


def test_a_request_for_another_holder_is_forwarded_within_five_working_days():
    received = kyiv(2027, 2, 12, 16, 0)  # Friday → Mon..Fri → Friday 19 February
    assert forward_due(policy=REQUEST, received=received, calendar=CALENDAR) == at_close(datetime.date(2027, 2, 19))


def test_a_kind_without_a_longer_term_cannot_be_extended():
    policy = TermPolicy(unit=TermUnit.CALENDAR_DAYS, standard=30)
    received = kyiv(2027, 2, 10, 11, 0)
    with pytest.raises(TermRefused) as refused:
        extension_due(
            policy=policy,
            received=received,
            current_due=initial_due(policy=policy, received=received, calendar=CALENDAR),
            calendar=CALENDAR,
            last_day=None,
            now=received,
        )
    assert refused.value.code == "not_extendable"
