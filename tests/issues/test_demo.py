"""The demo loader creates the Drohobych reference data once and keeps what was changed."""

import pytest
from django.contrib.auth import authenticate

from accounts.models import Executor, User
from accounts.roles import user_executor, user_is_dispatcher, user_is_leadership
from geo.models import CommunityBoundary, District
from issues.demo import demo_load
from issues.models import CalendarDate, Category, CategoryGroup, RoutingRule, SlaPolicy

pytestmark = pytest.mark.django_db

COUNTED = (CommunityBoundary, District, CalendarDate, SlaPolicy, Executor, CategoryGroup, Category, RoutingRule, User)


def counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in COUNTED}


def test_demo_load_creates_the_reference_data():
    demo_load()
    assert counts() == {
        "CommunityBoundary": 1,
        "District": 9,
        "CalendarDate": 3,
        "SlaPolicy": 4,
        "Executor": 10,
        "CategoryGroup": 10,
        "Category": 21,
        "RoutingRule": 21,
        "User": 14,
    }
    gas_smell = Category.objects.get(code="gas-smell")
    assert gas_smell.outage_kind == "gas"
    assert "104" in gas_smell.urgent_notice_uk
    assert Category.objects.get(code="open-manhole").sla_policy.clock == "calendar_hours"
    assert Category.objects.get(code="pothole").sla_policy.clock == "working_hours"


def test_demo_load_is_idempotent_and_keeps_changes(monkeypatch):
    demo_load()
    before = counts()
    Category.objects.filter(code="pothole").update(duplicate_radius_m=77)
    demo_load()
    assert counts() == before
    assert Category.objects.get(code="pothole").duplicate_radius_m == 77


def test_demo_accounts_have_their_roles_and_the_configured_password(monkeypatch):
    monkeypatch.setenv("OPENCITY_DEMO_PASSWORD", "a-demo-password-42")
    demo_load()
    assert authenticate(username="citizen", password="a-demo-password-42") is not None
    assert user_is_dispatcher(User.objects.get(username="dispatcher"))
    assert user_is_leadership(User.objects.get(username="mayor"))
    assert not user_is_dispatcher(User.objects.get(username="mayor"))
    assert user_executor(User.objects.get(username="roads")).code == "roads"
    assert user_executor(User.objects.get(username="citizen")) is None
    assert User.objects.get(username="admin").is_superuser
    assert all(u.email_confirmed_at for u in User.objects.all())
