"""The legal terms of appeals and public-information requests, as rules over plain data.

The numbers are not here: each kind's policy (appeals.models.AppealPolicy, edited in the admin when
the law changes) carries them, and the service turns it into a TermPolicy. What is here is how the
law applies them:

- Law "On citizens' appeals" (No. 393/96-ВР), Art. 20: one month (30 calendar days) from receipt;
  without delay but within 15 days when no further study is needed, or on the person's justified
  request; a longer term set by the head of the body, never more than 45 days in total; Art. 7: an
  appeal outside the body's competence forwarded within 5 days.
- Law "On access to public information" (No. 2939-VI), Art. 20–22: 5 working days; 48 hours when
  the information is needed to protect life or freedom, or concerns the environment, food quality,
  accidents or disasters; up to 20 working days for a large volume, with a written notice sent
  within the first 5 working days; a request the body does not hold forwarded within 5 working days.

Days are counted by the Civil Code (issues.rules.deadlines.term_end): from the day after receipt,
a last day that is a day off rolls to the next working day, the term ends when the working day does.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from issues.rules.deadlines import CalendarSpec, TermUnit, term_day_end, term_end, term_last_day


@dataclass(frozen=True)
class TermPolicy:
    unit: TermUnit  # how the terms below are counted
    standard: int
    short: int | None = None  # the shorter term (no further study needed, or on request)
    urgent_hours: int | None = None  # information needed to protect life, health, the environment
    longest: int | None = None  # the longest total term after an extension, from receipt
    # An extension must be decided and the person told within this many units of receipt; None:
    # before the current term runs out.
    extension_notice: int | None = None
    forward: int = 5  # an appeal for another body is forwarded within this many units
    forward_unit: TermUnit = TermUnit.CALENDAR_DAYS
    roll_to_working_day: bool = True
    warn_hours: int = 72  # escalate when the term runs out within this many hours


class TermRefused(ValueError):
    """An extension or a shortening the law does not allow; `code` says which rule refuses it."""

    def __init__(self, code: str, limit: datetime.datetime | None = None) -> None:
        super().__init__(code)
        self.code = code
        self.limit = limit


def _end(policy: TermPolicy, received: datetime.datetime, amount: int, calendar: CalendarSpec, unit=None):
    return term_end(
        received=received,
        amount=amount,
        unit=unit or policy.unit,
        calendar=calendar,
        roll_to_working_day=policy.roll_to_working_day,
    )


def initial_due(
    *, policy: TermPolicy, received: datetime.datetime, calendar: CalendarSpec, urgent: bool = False
) -> datetime.datetime:
    """When the answer is due on receipt: the urgent term where asked and the policy has one."""
    if urgent and policy.urgent_hours:
        return _end(policy, received, policy.urgent_hours, calendar, unit=TermUnit.HOURS)
    return _end(policy, received, policy.standard, calendar)


def forward_due(*, policy: TermPolicy, received: datetime.datetime, calendar: CalendarSpec) -> datetime.datetime:
    """By when an appeal for another body must be forwarded (and the person told)."""
    return _end(policy, received, policy.forward, calendar, unit=policy.forward_unit)


def longest_due(*, policy: TermPolicy, received: datetime.datetime, calendar: CalendarSpec) -> datetime.datetime | None:
    """The latest an extension may set, or None when the kind cannot be extended."""
    if policy.longest is None:
        return None
    return _end(policy, received, policy.longest, calendar)


def short_due(*, policy: TermPolicy, received: datetime.datetime, calendar: CalendarSpec) -> datetime.datetime | None:
    if policy.short is None:
        return None
    return _end(policy, received, policy.short, calendar)


def extension_due(
    *,
    policy: TermPolicy,
    received: datetime.datetime,
    current_due: datetime.datetime,
    calendar: CalendarSpec,
    last_day: datetime.date | None,
    now: datetime.datetime,
) -> datetime.datetime:
    """The new due instant for an extension to `last_day` (None: the longest the law allows).

    Refused (TermRefused) when the kind has no longer term ("not_extendable"), when the notice comes
    too late ("notice_too_late": past the notice term, or past the current term), when the new day is
    not later than the current term ("not_later") or beyond the longest total ("beyond_longest").
    """
    longest = longest_due(policy=policy, received=received, calendar=calendar)
    if longest is None:
        raise TermRefused("not_extendable")
    notice_by = current_due
    if policy.extension_notice is not None:
        notice_by = min(notice_by, _end(policy, received, policy.extension_notice, calendar))
    if now > notice_by:
        raise TermRefused("notice_too_late", notice_by)
    new_due = longest if last_day is None else term_day_end(day=last_day, calendar=calendar)
    if new_due > longest:
        raise TermRefused("beyond_longest", longest)
    if new_due <= current_due:
        raise TermRefused("not_later", current_due)
    return new_due


def shortened_due(
    *,
    policy: TermPolicy,
    received: datetime.datetime,
    current_due: datetime.datetime,
    calendar: CalendarSpec,
    last_day: datetime.date | None,
    now: datetime.datetime,
) -> datetime.datetime:
    """The new due instant for a shorter term: to `last_day`, or the policy's short term.

    Refused when it would not be shorter ("not_shorter") or would already have run out ("in_the_past").
    """
    if last_day is not None:
        new_due = term_day_end(day=last_day, calendar=calendar)
    else:
        new_due = short_due(policy=policy, received=received, calendar=calendar)
        if new_due is None:
            raise TermRefused("not_shortenable")
    if new_due >= current_due:
        raise TermRefused("not_shorter", current_due)
    if new_due < now:
        raise TermRefused("in_the_past", now)
    return new_due


def is_due_soon(*, policy: TermPolicy, due_at: datetime.datetime, now: datetime.datetime) -> bool:
    """The term runs out within the policy's warning window (and has not run out yet)."""
    return now <= due_at <= now + datetime.timedelta(hours=policy.warn_hours)


__all__ = [
    "TermPolicy",
    "TermRefused",
    "extension_due",
    "forward_due",
    "initial_due",
    "is_due_soon",
    "longest_due",
    "short_due",
    "shortened_due",
    "term_day_end",
    "term_last_day",
]
