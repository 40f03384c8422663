"""The database guards the reference data: bad enumerations and ranges are refused."""

import datetime

import pytest
from django.db import IntegrityError, transaction

from accounts.models import Executor, User
from geo.models import District
from issues.models import Category, RoutingRule, SlaPolicy, WorkingCalendar
from tests.factories import (
    CategoryFactory,
    DistrictFactory,
    ExecutorFactory,
    SlaPolicyFactory,
    WorkingCalendarFactory,
    square,
)

pytestmark = pytest.mark.django_db


def refused(model, **changes) -> bool:
    """Whether an UPDATE setting these values is refused by the database; the row stays as it was."""
    try:
        with transaction.atomic():
            model._default_manager.filter(pk=changes.pop("pk")).update(**changes)
    except IntegrityError:
        return True
    return False


def test_district_kind_must_be_known():
    district = DistrictFactory()
    assert refused(District, pk=district.pk, kind="suburb")
    assert District.objects.get(pk=district.pk).kind == "city_district"


def test_sla_policy_clock_and_targets_are_checked():
    policy = SlaPolicyFactory()
    assert refused(SlaPolicy, pk=policy.pk, clock="lunar")
    assert refused(SlaPolicy, pk=policy.pk, response_hours=0)
    assert refused(SlaPolicy, pk=policy.pk, resolution_hours=1)  # shorter than the response target
    assert not refused(SlaPolicy, pk=policy.pk, resolution_hours=9)


def test_category_outage_kind_and_radius_are_checked():
    category = CategoryFactory()
    assert refused(Category, pk=category.pk, outage_kind="internet")
    assert refused(Category, pk=category.pk, duplicate_radius_m=0)
    assert not refused(Category, pk=category.pk, outage_kind="water")


def test_calendar_weekdays_and_hours_are_checked():
    calendar = WorkingCalendarFactory()
    assert refused(WorkingCalendar, pk=calendar.pk, working_weekdays=[1, 8])
    assert refused(WorkingCalendar, pk=calendar.pk, day_end=datetime.time(7, 0))


def test_user_language_is_checked():
    user = User.objects.create_user("someone", password="x-y-z-123456")
    assert refused(User, pk=user.pk, language="ru")


def test_executor_cannot_supervise_itself():
    executor = ExecutorFactory()
    assert refused(Executor, pk=executor.pk, supervisor_id=executor.pk)


def test_routing_rule_has_either_an_area_or_a_district_not_both():
    category, executor, district = CategoryFactory(), ExecutorFactory(), DistrictFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        RoutingRule.objects.create(category=category, executor=executor, district=district, area=square())
    assert not RoutingRule.objects.exists()
