"""Alerts in the hand-made city of tests/world.py."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from alerts.models import Alert, AlertFrequency, AlertKind
from tests.factories import CENTRE_LAT, CENTRE_LON, UserFactory, point, square


@pytest.fixture
def subscriber(world):
    """A confirmed citizen, English-speaking, who follows places (not the reporter of anything)."""
    return UserFactory(username="watcher", email="Watcher@Example.org", language="en")


@pytest.fixture
def make_alert(world, subscriber):
    """Save an alert directly (the services' checks have their own tests)."""

    def make(kind=AlertKind.DISTRICT, user=None, groups=(), **fields):
        defaults = {
            AlertKind.DISTRICT: {"district": world.west},
            AlertKind.AREA: {"area": square(CENTRE_LON - 0.01, CENTRE_LAT, half=0.002)},
            AlertKind.RADIUS: {"center": point(CENTRE_LON - 0.01, CENTRE_LAT), "radius_m": 500},
        }[kind]
        alert = Alert.objects.create(
            user=user or subscriber,
            kind=kind,
            frequency=fields.pop("frequency", AlertFrequency.DAILY),
            **{**defaults, **fields},
        )
        alert.category_groups.set(groups)
        # Made yesterday: the digest counts events since an alert was made.
        Alert.objects.filter(pk=alert.pk).update(created_at=timezone.now() - datetime.timedelta(days=1))
        alert.refresh_from_db()
        return alert

    return make
