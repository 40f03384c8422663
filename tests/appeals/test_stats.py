"""The public statistics of appeals: counts equal to a direct count of the hand-built city, for
everyone, with nothing in them but counts."""

from __future__ import annotations

import datetime

import pytest
from django.db.models import F

from appeals.models import Appeal
from appeals.services import AppealInput, AppealTransitionInput, appeal_submit, appeal_transition
from dashboard.appeals import AppealStatsPeriod, appeal_statistics
from tests.world import kyiv

pytestmark = pytest.mark.django_db

FEB = kyiv(2027, 2, 10, 11, 0)
PERIOD = {"from": "2027-02-01", "to": "2027-03-31"}
NOW = kyiv(2027, 4, 1, 12, 0)
SECRETS = ("Не вивозять сміття", "Приватний текст", "вул. Шевченка, 5", "Тарас", "Шевчук")


def _submit(city, kind="complaint", at=FEB, subject="Не вивозять сміття"):
    return appeal_submit(
        author=city.author,
        data=AppealInput(kind=kind, subject=subject, text="Приватний текст, кв. 2", postal_address="вул. Шевченка, 5"),
        now=at,
    )


def _act(city, appeal, action, at, actor=None, **data):
    actor = actor or city.world.roads_staff
    return appeal_transition(appeal=appeal, actor=actor, action=action, data=AppealTransitionInput(**data), now=at)


@pytest.fixture
def appeals(appeals_city):
    """Ten appeals received in February and March (and two outside the period), each with its own fate."""
    city, world = appeals_city, appeals_city.world
    clerk = city.clerk

    def routed(kind="complaint", at=FEB, unit=None):
        appeal = _submit(city, kind=kind, at=at)
        return _act(city, appeal, "route", at + datetime.timedelta(hours=1), actor=clerk, unit=unit or world.roads)

    # Answered in time, supported (roads).
    _act(city, routed(), "answer", FEB + datetime.timedelta(days=5), answer="Вивезли.", outcome="supported")
    # Answered late, explained (roads): the term ended 12 March.
    _act(city, routed(), "answer", kyiv(2027, 3, 20, 10, 0), answer="Пояснюємо.", outcome="explained")
    # Extended, then answered within the extension (water): in time.
    extended = routed(unit=world.water)
    extended = _act(city, extended, "extend", FEB + datetime.timedelta(days=20), world.water_staff, note="Перевірка.")
    _act(city, extended, "answer", kyiv(2027, 3, 20, 10, 0), world.water_staff, answer="Так.", outcome="not_supported")
    # An information request answered in time (water) and one refused in time (roads).
    request = routed(kind="information_request", unit=world.water)
    _act(
        city, request, "answer", FEB + datetime.timedelta(days=2), world.water_staff, answer="Ось.", outcome="provided"
    )
    refused = routed(kind="information_request")
    _act(city, refused, "refuse", FEB + datetime.timedelta(days=1), grounds="not_held", note="Не володіємо.")
    # Forwarded by the general department, merged, and three still open (one of them overdue by NOW).
    _act(city, _submit(city, kind="application"), "forward", FEB, actor=clerk, forwarded_to="ОВА", note="Не наше.")
    original = routed(kind="proposal", at=kyiv(2027, 3, 25, 9, 0))
    _act(
        city,
        _submit(city, at=kyiv(2027, 3, 26, 9, 0)),
        "merge",
        kyiv(2027, 3, 26, 10, 0),
        actor=clerk,
        duplicate_of=original,
    )
    _submit(city, kind="proposal", at=kyiv(2027, 3, 31, 23, 59))  # the period's last minute, not routed
    routed(at=kyiv(2027, 2, 20, 9, 0), unit=world.housing)  # open, its term ended 22 March: overdue by NOW
    # Outside the period: January's, and April's first minute.
    _submit(city, at=kyiv(2027, 1, 31, 23, 59))
    _submit(city, at=kyiv(2027, 4, 1, 0, 0))
    return city


def _direct(**filters) -> dict:
    """The counts straight from the table, for the same period, as the definitions say them."""
    appeals = Appeal.objects.filter(received_at__gte=kyiv(2027, 2, 1, 0, 0), received_at__lt=kyiv(2027, 4, 1, 0, 0))
    appeals = appeals.filter(**filters)
    answered = appeals.filter(answered_at__isnull=False)
    return {
        "received": appeals.count(),
        "answered": answered.count(),
        "answered_in_time": answered.filter(answered_at__lte=F("due_at")).count(),
    }


def test_the_counts_equal_a_direct_count(appeals):
    world = appeals.world
    stats = appeal_statistics(period=AppealStatsPeriod(datetime.date(2027, 2, 1), datetime.date(2027, 3, 31)), now=NOW)
    total = {
        "received": stats.total.received,
        "answered": stats.total.answered,
        "answered_in_time": stats.total.answered_in_time,
    }
    assert total == _direct() == {"received": 10, "answered": 5, "answered_in_time": 4}
    assert stats.total.answered_in_time_pct == 80.0
    for tally in stats.by_kind:
        assert (tally.received, tally.answered, tally.answered_in_time) == tuple(_direct(kind=tally.code).values())
    assert [(t.code, t.received) for t in stats.by_kind] == [
        ("proposal", 2),
        ("application", 1),
        ("complaint", 5),
        ("information_request", 2),
    ]
    units = {t.code: (t.received, t.answered, t.answered_in_time) for t in stats.by_unit}
    assert units == {
        code: tuple(_direct(**({"unit__code": code} if code else {"unit__isnull": True})).values()) for code in units
    }
    assert units == {"roads": (4, 3, 2), "water": (2, 2, 2), "housing": (1, 0, 0), None: (3, 0, 0)}
    assert [t.code for t in stats.by_unit][-1] is None  # "not routed" last
    results = {r.code: r.count for r in stats.by_result}
    assert results == {
        "supported": 1,
        "explained": 1,
        "not_supported": 1,
        "provided": 1,
        "partly_provided": 0,
        "refused": 1,
        "forwarded": 1,
        "merged": 1,
        "open": 3,
    }
    assert sum(results.values()) == stats.total.received
    assert (
        stats.open_overdue
        == Appeal.objects.open()
        .filter(due_at__lt=NOW, received_at__gte=kyiv(2027, 2, 1, 0, 0), received_at__lt=kyiv(2027, 4, 1, 0, 0))
        .count()
        == 1
    )
    assert world.roads.code == "roads"


def test_the_api_and_the_page_are_public_and_hold_only_counts(appeals, client, django_assert_max_num_queries):
    with django_assert_max_num_queries(4):
        answer = client.get("/api/v1/dashboard/appeals/", PERIOD)
    assert answer.status_code == 200
    body = answer.json()
    assert set(body) == {
        "period",
        "generated_at",
        "received",
        "answered",
        "answered_in_time",
        "answered_in_time_pct",
        "open_overdue",
        "by_kind",
        "by_unit",
        "by_result",
    }
    assert body["period"] == {"from": "2027-02-01", "to": "2027-03-31"}
    assert (body["received"], body["answered"], body["answered_in_time"]) == (10, 5, 4)
    assert body["by_unit"][0] == {
        "unit": "roads",
        "name": "Дорожня служба",
        "received": 4,
        "answered": 3,
        "answered_in_time": 2,
        "answered_in_time_pct": 66.7,
    }
    assert {"result": "open", "name": "ще розглядається", "count": 3} in body["by_result"]
    with django_assert_max_num_queries(8):
        page = client.get("/dashboard/appeals/", PERIOD)
    assert page.status_code == 200
    text = answer.content.decode() + page.content.decode()
    assert [secret for secret in SECRETS if secret in text] == []
    assert not [ref for ref in Appeal.objects.values_list("ref", flat=True) if ref in text]


def test_a_bad_period_is_a_400_with_field_messages(appeals_city, client):
    answer = client.get("/api/v1/dashboard/appeals/", {"from": "2027-03-01", "to": "2027-02-01"})
    assert answer.status_code == 400
    assert "to" in answer.json()["fields"]
    page = client.get("/dashboard/appeals/", {"from": "вчора"})
    assert page.status_code == 400
    assert page.context["form"].errors["from"]
    too_long = client.get("/api/v1/dashboard/appeals/", {"from": "2020-01-01", "to": "2027-01-01"})
    assert too_long.status_code == 400


def test_the_default_period_is_the_last_twelve_months(appeals_city, client):
    answer = client.get("/api/v1/dashboard/appeals/")
    assert answer.status_code == 200
    period = answer.json()["period"]
    assert (datetime.date.fromisoformat(period["to"]) - datetime.date.fromisoformat(period["from"])).days == 364
