"""The demo loader creates the Drohobych reference data once and keeps what was changed."""

from collections import Counter

import pytest
from django.contrib.auth import authenticate
from django.test import RequestFactory
from django.utils import timezone

from accounts.models import Executor, User
from accounts.roles import user_executor, user_is_appeal_clerk, user_is_dispatcher, user_is_leadership
from appeals.models import Appeal
from demo.appeals import demo_appeals_load
from demo.issues import demo_load
from geo.models import CommunityBoundary, District, OutageKindGrant
from issues.models import (
    CalendarDate,
    Category,
    CategoryAttribute,
    CategoryGroup,
    Issue,
    IssueEvent,
    RoutingRule,
    SlaPolicy,
)
from issues.selectors import dispatch_unrouted, queue_for_executor

pytestmark = pytest.mark.django_db

COUNTED = (
    CommunityBoundary,
    District,
    CalendarDate,
    SlaPolicy,
    Executor,
    CategoryGroup,
    Category,
    CategoryAttribute,
    RoutingRule,
    User,
)


def counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in COUNTED}


def test_demo_load_creates_the_reference_data():
    demo_load(with_history=False)
    assert counts() == {
        "CommunityBoundary": 1,
        "District": 9,
        "CalendarDate": 3,
        "SlaPolicy": 4,
        "Executor": 10,
        "CategoryGroup": 10,
        "Category": 22,
        "CategoryAttribute": 10,
        "RoutingRule": 22,
        "User": 15,  # 5 named accounts (one a clerk of the general department) and 10 executors
    }
    gas_smell = Category.objects.get(code="gas-smell")
    # A smell of gas is an emergency whatever the supply: never linked to (and resolved with) an outage.
    assert gas_smell.outage_kind == ""
    assert Category.objects.get(code="no-gas").outage_kind == "gas"
    assert "104" in gas_smell.urgent_notice_uk
    assert Category.objects.get(code="open-manhole").sla_policy.clock == "calendar_hours"
    assert Category.objects.get(code="pothole").sla_policy.clock == "working_hours"
    where = CategoryAttribute.objects.get(category__code="pothole", code="where")
    assert (where.datatype, where.required, [v["key"] for v in where.values]) == (
        "singlevaluelist",
        True,
        ["roadway", "crossing", "sidewalk", "yard"],
    )
    assert {q.category.code for q in CategoryAttribute.objects.filter(variable=False)} == {"no-water"}
    grants = set(OutageKindGrant.objects.values_list("executor__code", "kind"))
    assert grants == {("water", "water"), ("electricity", "electricity"), ("gas", "gas"), ("heating", "heating")}


def test_demo_load_is_idempotent_and_keeps_changes(monkeypatch):
    demo_load()
    before = counts()
    issues_before = Issue.objects.count()
    Category.objects.filter(code="pothole").update(duplicate_radius_m=77)
    demo_load()
    assert counts() == before
    # 160 reports of history, and two fresh ones inside each of the two outages active at load time.
    assert Issue.objects.count() == issues_before == 164
    assert Issue.objects.filter(outage__isnull=False).count() == 4
    assert Category.objects.get(code="pothole").duplicate_radius_m == 77
    # The generated reports answered the required questions through the real service.
    for issue in Issue.objects.filter(category__code__in=["pothole", "streetlight-out", "roof-leak"]):
        assert {"pothole": "where", "streetlight-out": "lights_out", "roof-leak": "floor"}[issue.category.code] in (
            issue.attributes
        )


def test_demo_history_gives_queues_with_overdue_work_and_a_dispatch_desk():
    demo_load()
    now = timezone.now()
    queues = {e.code: list(queue_for_executor(executor=e, at=now)) for e in Executor.objects.all()}
    busy = [code for code, issues in queues.items() if issues]
    assert {"roads", "water", "waste", "lighting"} <= set(busy)
    with_overdue = [code for code, issues in queues.items() if any(i.is_overdue_rank == 0 for i in issues)]
    assert len(with_overdue) >= 4
    assert dispatch_unrouted().exists()
    # The history went through the real services: every issue has events, breaches were recorded.
    assert not Issue.objects.filter(events__isnull=True).exists()
    assert IssueEvent.objects.filter(kind="sla_breached").exists()
    assert not Issue.objects.filter(source="demo").exclude(reporter__isnull=False).exists()


def test_demo_appeals_give_the_desk_and_the_units_work_through_the_real_services():
    demo_load()
    statuses = Counter(Appeal.objects.values_list("status", flat=True))
    assert statuses["registered"] >= 1 and statuses["assigned"] >= 3
    assert statuses["answered"] >= 2 and statuses["forwarded"] == 1
    assert Appeal.objects.filter(extended=True).count() == 2
    assert Appeal.objects.filter(kind="information_request", urgent=True).count() == 1
    assert not Appeal.objects.filter(events__isnull=True).exists()
    assert demo_appeals_load() == 0  # once


def test_demo_accounts_have_their_roles_and_the_configured_password(monkeypatch):
    monkeypatch.setenv("OPENCITY_DEMO_PASSWORD", "a-demo-password-42")
    demo_load(with_history=False)
    # Every sign-in carries its request (the lockout counts per client address).
    sign_in = RequestFactory().post("/accounts/login/")
    assert authenticate(sign_in, username="citizen", password="a-demo-password-42") is not None
    assert user_is_dispatcher(User.objects.get(username="dispatcher"))
    assert user_is_leadership(User.objects.get(username="mayor"))
    assert not user_is_dispatcher(User.objects.get(username="mayor"))
    assert user_executor(User.objects.get(username="roads")).code == "roads"
    assert user_is_appeal_clerk(User.objects.get(username="clerk"))
    assert not user_is_appeal_clerk(User.objects.get(username="dispatcher"))
    assert user_executor(User.objects.get(username="citizen")) is None
    assert User.objects.get(username="admin").is_superuser
    assert all(u.email_confirmed_at for u in User.objects.all())
