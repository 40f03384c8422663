"""A category's extra questions (Open311 "attributes") and the checking of their answers.

Plain Python: the service loads the category's questions as `AttributeSpec`s and hands them here
with whatever a channel sent (the web form and REST API send JSON values, Open311 sends form
strings). The answers come back cleaned — keyed by question code, lists for multi-value questions,
numbers as numbers, datetimes as ISO 8601 with an offset — or every problem is reported at once.
"""

from __future__ import annotations

import datetime
import decimal
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext_lazy as _


class Datatype:
    """The Open311 GeoReport v2 datatypes (the model's choices use the same values)."""

    STRING = "string"
    NUMBER = "number"
    DATETIME = "datetime"
    TEXT = "text"
    SINGLE = "singlevaluelist"
    MULTI = "multivaluelist"

    ALL = (STRING, NUMBER, DATETIME, TEXT, SINGLE, MULTI)
    LISTS = (SINGLE, MULTI)


MAX_STRING_LENGTH = 200
MAX_TEXT_LENGTH = 2000
# Codes and value keys travel in URLs and form field names (attribute[CODE][]), so keep them plain.
CODE_PATTERN = re.compile(r"^[A-Za-z0-9_-]{1,40}$")


@dataclass(frozen=True)
class AttributeSpec:
    code: str
    datatype: str
    question: str  # the description, in the reader's language, for messages
    required: bool = False
    variable: bool = True
    keys: tuple[str, ...] = ()  # allowed value keys of list questions


def attribute_values_problems(*, datatype: str, values: object) -> list[str]:
    """What is wrong with the `values` of a question definition (empty when nothing): list
    questions need at least one option, each `{"key", "name_uk"[, "name_en"]}` with a unique plain
    key; other questions have none."""
    if not isinstance(values, list):
        return [str(_("The options must be a list."))]
    if datatype not in Datatype.LISTS:
        return [str(_("Only list questions have options."))] if values else []
    if not values:
        return [str(_("A list question needs at least one option."))]
    problems: list[str] = []
    seen: set[str] = set()
    for item in values:
        if not isinstance(item, dict) or set(item) - {"key", "name_uk", "name_en"}:
            problems.append(str(_("Each option has a key, a Ukrainian name and an English name.")))
            continue
        key, name_uk, name_en = item.get("key"), item.get("name_uk"), item.get("name_en", "")
        if not isinstance(key, str) or not CODE_PATTERN.match(key):
            problems.append(
                str(_("Option key “%(key)s” must be 1–40 Latin letters, digits, “-” or “_”.") % {"key": key})
            )
        elif key in seen:
            problems.append(str(_("Option key “%(key)s” is repeated.") % {"key": key}))
        else:
            seen.add(key)
        if not isinstance(name_uk, str) or not name_uk.strip() or not isinstance(name_en, str):
            problems.append(str(_("Option “%(key)s” needs a Ukrainian name.") % {"key": key}))
    return problems


def _is_blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip()) or (isinstance(value, list) and not value)


def _clean_number(value: object) -> int | float:
    if isinstance(value, bool):
        raise ValueError
    if isinstance(value, int | float):
        number = value
    elif isinstance(value, str):
        try:
            number = decimal.Decimal(value.strip().replace(",", "."))
        except decimal.InvalidOperation:
            raise ValueError from None
    else:
        raise ValueError
    if isinstance(number, decimal.Decimal):
        if not number.is_finite():
            raise ValueError
        number = int(number) if number == number.to_integral_value() else float(number)
    if isinstance(number, float) and not math.isfinite(number):
        raise ValueError
    if abs(number) > 1e12:
        raise ValueError
    return number


def _clean_datetime(value: object, time_zone: str) -> str:
    if not isinstance(value, str):
        raise ValueError
    text = value.strip()
    moment = parse_datetime(text)
    if moment is None:
        day = parse_date(text)
        if day is None:
            raise ValueError
        moment = datetime.datetime.combine(day, datetime.time())
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=ZoneInfo(time_zone))
    return moment.astimezone(ZoneInfo(time_zone)).replace(microsecond=0).isoformat()


def attributes_clean(
    *, specs: list[AttributeSpec], answers: Mapping[str, object] | None, time_zone: str = "Europe/Kyiv"
) -> tuple[dict[str, object], dict[str, list[str]]]:
    """Check answers against the questions. Returns (cleaned answers, problems by question code);
    a blank answer counts as no answer; answers to informational (non-variable) items are dropped."""
    answers = dict(answers or {})
    by_code = {spec.code: spec for spec in specs}
    cleaned: dict[str, object] = {}
    problems: dict[str, list[str]] = {}
    for code in answers:
        if code not in by_code:
            problems[str(code)[:60]] = [str(_("There is no question “%(code)s” for this category.") % {"code": code})]
    for spec in specs:
        if not spec.variable:
            continue
        value = answers.get(spec.code)
        if _is_blank(value):
            if spec.required:
                problems[spec.code] = [str(_("Please answer: %(question)s") % {"question": spec.question})]
            continue
        try:
            cleaned[spec.code] = _clean_one(spec, value, time_zone)
        except _Problem as problem:
            problems[spec.code] = [problem.message]
    return cleaned, problems


class _Problem(Exception):
    def __init__(self, message) -> None:
        super().__init__(str(message))
        self.message = str(message)


def _clean_one(spec: AttributeSpec, value: object, time_zone: str) -> object:
    question = {"question": spec.question}
    if spec.datatype in (Datatype.STRING, Datatype.TEXT):
        limit = MAX_STRING_LENGTH if spec.datatype == Datatype.STRING else MAX_TEXT_LENGTH
        if isinstance(value, bool) or not isinstance(value, str | int | float):
            raise _Problem(_("“%(question)s”: give a text answer.") % question)
        text = str(value).strip()
        if len(text) > limit:
            raise _Problem(_("“%(question)s”: at most %(n)d characters.") % {**question, "n": limit})
        return text
    if spec.datatype == Datatype.NUMBER:
        try:
            return _clean_number(value)
        except ValueError:
            raise _Problem(_("“%(question)s”: give a number.") % question) from None
    if spec.datatype == Datatype.DATETIME:
        try:
            return _clean_datetime(value, time_zone)
        except (ValueError, OverflowError):
            raise _Problem(
                _("“%(question)s”: give a date and time such as 2026-05-01T10:00:00+03:00.") % question
            ) from None
    # List questions: one key, or several for a multi-value one.
    chosen = value if isinstance(value, list) else [value]
    if not all(isinstance(item, str) for item in chosen):
        raise _Problem(_("“%(question)s”: choose from the list.") % question)
    chosen = list(dict.fromkeys(item.strip() for item in chosen if item.strip()))
    unknown = [item for item in chosen if item not in spec.keys]
    if unknown:
        raise _Problem(
            _("“%(question)s”: “%(value)s” is not one of the options.") % {**question, "value": unknown[0][:60]}
        )
    if spec.datatype == Datatype.SINGLE:
        if len(chosen) != 1:
            raise _Problem(_("“%(question)s”: choose one option.") % question)
        return chosen[0]
    return chosen
