"""opencity.sqljson writes what the Python path writes: DRF's datetimes and json's rounded floats."""

import datetime
import json
import random
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.utils import timezone
from rest_framework import serializers

from opencity.sqljson import drf_datetime_sql, float_sql, round_sql

pytestmark = pytest.mark.django_db


def _values(sql: str, values: list, kind: str, **params) -> list:
    """The SQL expression over `v.x` for each value (an array of `kind`), as text."""
    query = f"SELECT ({sql})::text FROM unnest(%(values)s::{kind}[]) WITH ORDINALITY AS v(x, n) ORDER BY n"
    with connection.cursor() as cursor:
        cursor.execute(query, {"values": values, **params})
        return [row[0] for row in cursor.fetchall()]


def test_rounding_is_pythons_to_the_last_digit():
    rng = random.Random(13)
    coordinates = [rng.uniform(-180, 180) for _ in range(3000)]
    # Eight decimals ending in 5: the float lies just above or below the tie, and only its exact
    # binary value says which way it goes (a numeric round() of the 15-digit decimal got half wrong).
    coordinates += [float(f"{rng.uniform(-180, 180):.7f}5") for _ in range(3000)]
    coordinates += [23.0, 0.0, 49.35, 23.49560015, 49.34890025]
    distances = [rng.uniform(0, 5000) for _ in range(3000)] + [
        float(f"{rng.uniform(0, 5000):.1f}5") for _ in range(3000)
    ]
    distances += [k / 4 for k in range(400)] + [0.05, 0.15, 2.675, 1234567.25]
    assert _values(round_sql("v.x", 7), coordinates, "float8") == [json.dumps(round(x, 7)) for x in coordinates]
    assert _values(round_sql("v.x", 1), distances, "float8") == [json.dumps(round(x, 1)) for x in distances]


def test_floats_are_pythons():
    rng = random.Random(5)
    values = [rng.uniform(0, 3600) for _ in range(2000)] + [rng.uniform(0.0001, 1) for _ in range(500)]
    values += [0.0, 1.0, 12.0, 30.5, 1 / 3, 2 / 3, 0.1 + 0.2, 123456789012.0, 0.0001, 99999999999999.9]
    assert _values(float_sql("v.x"), values, "float8") == [json.dumps(float(x)) for x in values]
    assert _values(float_sql("v.x"), [None], "float8") == [None]


@pytest.mark.parametrize("zone", ["Europe/Kyiv", "UTC", "America/St_Johns", "Asia/Kathmandu"])
def test_datetimes_are_drfs(zone):
    rng = random.Random(7)
    start = datetime.datetime(2025, 1, 1, tzinfo=datetime.UTC)
    moments = [start + datetime.timedelta(seconds=rng.randrange(3 * 365 * 86400)) for _ in range(500)]
    moments += [moment.replace(microsecond=rng.choice([0, 5, 123400, 999999])) for moment in moments[:200]]
    # around the clock changes of 2026 in Kyiv (29 March 01:00 UTC, 25 October 01:00 UTC)
    for change in (
        datetime.datetime(2026, 3, 29, 1, tzinfo=datetime.UTC),
        datetime.datetime(2026, 10, 25, 1, tzinfo=datetime.UTC),
    ):
        moments += [change + datetime.timedelta(minutes=minutes) for minutes in range(-90, 91, 15)]
    with timezone.override(ZoneInfo(zone)):
        expected = [json.dumps(serializers.DateTimeField().to_representation(moment)) for moment in moments]
    sql = drf_datetime_sql("v.x")
    # the connection's own zone (UTC for Django) plays no part
    assert _values(sql, moments, "timestamptz", time_zone=zone) == expected
    assert _values(sql, [None], "timestamptz", time_zone=zone) == [None]


def test_only_our_own_expressions():
    for bad in ("x); DROP TABLE y; --", "%(x)s", "a b"):
        with pytest.raises(ValueError, match="not one of our SQL expressions"):
            round_sql(bad, 1)
        with pytest.raises(ValueError, match="not one of our SQL expressions"):
            drf_datetime_sql(bad)
    with pytest.raises(ValueError, match="digits"):
        round_sql("v.x", 12)
