"""Values written by PostgreSQL exactly as the API's Python path writes them, for answers built whole
in the database (issue 13, item 4: a small answer is one statement whose text the view passes on).

Each helper gives an SQL expression over an SQL expression of ours (a column, never input text):

- `drf_datetime_sql`: what DRF's DateTimeField writes for an aware datetime: ISO 8601 in the zone
  of the bound parameter `zone_parameter` (DRF uses the current time zone), microseconds only when
  there are some, the offset as `+02:00`, or `Z` at UTC. A JSON string, or null.
- `round_sql`: the JSON number `json.dumps(round(x, digits))` writes for a float8: correctly
  rounded from the exact binary value, an exact tie to even (PostgreSQL's own round() of a numeric
  rounds the 15-digit decimal of the float, half away from zero: a coordinate given with 8 decimals
  ending in 5 came out a digit apart about half the time), trailing zeros dropped but one. The
  platform's printf (`to_char` of a float8) rounds as Python does.

- `float_sql`: the JSON number `json.dumps(float(x))` writes for a float8 (DRF's FloatField): the
  shortest text that reads back as the same double, as PostgreSQL writes it too, with Python's `.0`
  on a whole number; for magnitudes from 1e-4 to 1e15 (a duration, a size), where both write no
  exponent.

tests/test_sqljson.py holds them to Python's output over many values and moments.
"""

from __future__ import annotations

import re

_EXPRESSION = re.compile(r"^[A-Za-z_][A-Za-z0-9_.]*(\([a-z0-9_., ]*\))?$")
_PARAMETER = re.compile(r"^%\([a-z_]+\)s$")
# to_char caps a float8 at 15 significant digits: room for a coordinate or a distance in metres.
MAX_DIGITS = 9


def _checked(expression: str) -> str:
    if not _EXPRESSION.match(expression):
        raise ValueError(f"not one of our SQL expressions: {expression!r}")
    return expression


def drf_datetime_sql(expression: str, *, zone_parameter: str = "%(time_zone)s") -> str:
    """DRF's DateTimeField output for the timestamptz `expression` (null stays null)."""
    if not _PARAMETER.match(zone_parameter):
        raise ValueError(f"not a bound parameter: {zone_parameter!r}")
    value, zone = _checked(expression), zone_parameter
    local = f"({value} AT TIME ZONE {zone})"
    offset = f"extract(epoch FROM {local} - ({value} AT TIME ZONE 'UTC'))::int"
    return (
        f"to_json(to_char({local}, 'YYYY-MM-DD\"T\"HH24:MI:SS')"
        f" || CASE WHEN to_char({local}, 'US') = '000000' THEN '' ELSE to_char({local}, '.US') END"
        f" || CASE WHEN {offset} = 0 THEN 'Z' ELSE"
        f" CASE WHEN {offset} < 0 THEN '-' ELSE '+' END"
        f" || lpad((abs({offset}) / 3600)::text, 2, '0') || ':' || lpad((mod(abs({offset}), 3600) / 60)::text, 2, '0')"
        f" || CASE WHEN mod(abs({offset}), 60) = 0 THEN '' ELSE ':' || lpad(mod(abs({offset}), 60)::text, 2, '0') END"
        " END)"
    )


def round_sql(expression: str, digits: int) -> str:
    """`json.dumps(round(x, digits))` for the float8 `expression` (0 < digits <= MAX_DIGITS), as json."""
    if not 0 < digits <= MAX_DIGITS:
        raise ValueError(f"digits out of range: {digits!r}")
    mask = "FM999999990." + "0" * digits
    return f"regexp_replace(rtrim(to_char({_checked(expression)}, '{mask}'), '0'), '\\.$', '.0')::json"


def float_sql(expression: str) -> str:
    """`json.dumps(float(x))` for the float8 `expression` (null stays null), as json."""
    text = f"({_checked(expression)})::text"
    return f"(CASE WHEN {text} ~ '^-?[0-9]+$' THEN {text} || '.0' ELSE {text} END)::json"
