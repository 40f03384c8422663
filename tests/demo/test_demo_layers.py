"""The Drohobych demo of the layers: loaded once with the rest of the demo, inside the territory,
and kept as changed on a second load."""

from decimal import Decimal

import pytest
from django.db.models import Sum
from django.utils import timezone

from demo.issues import demo_load
from geo.models import BudgetProject, CommunityBoundary, DutyContact, Outage

pytestmark = pytest.mark.django_db


def test_demo_loads_the_budget_outages_and_contacts():
    report = demo_load()
    assert (report.created["budget projects"], report.created["outages"], report.created["duty contacts"]) == (
        28,
        5,
        10,
    )
    projects = BudgetProject.objects.all()
    assert projects.count() == 28
    assert set(projects.values_list("budget_year", flat=True)) == {2026}
    assert projects.aggregate(planned=Sum("planned_amount"), spent=Sum("spent_amount")) == {
        "planned": Decimal("125660000.00"),
        "spent": Decimal("26442350.00"),
    }
    boundary = CommunityBoundary.objects.get()
    assert projects.filter(geom__coveredby=boundary.geom).count() == 28
    assert Outage.objects.filter(area__coveredby=boundary.geom).count() == 5
    now = timezone.now()
    assert sorted(Outage.objects.active_at(now).values_list("reference", flat=True)) == ["demo-gas-1", "demo-water-1"]
    assert Outage.objects.upcoming(now).count() == 3
    assert all(outage.events.count() == 1 for outage in Outage.objects.all())
    assert Outage.objects.get(reference="demo-water-1").published_by.username == "water"
    assert list(DutyContact.objects.filter(is_emergency=True).values_list("phones", flat=True)) == [
        ["112"], ["101"], ["102"], ["103"], ["104"]
    ]  # fmt: skip


def test_demo_load_is_idempotent_and_keeps_changes():
    demo_load()
    BudgetProject.objects.filter(code="2026-roads-01").update(spent_amount=Decimal("7000000.00"))
    counts = (BudgetProject.objects.count(), Outage.objects.count(), DutyContact.objects.count())
    report = demo_load()
    assert (report.created["budget projects"], report.created["outages"], report.created["duty contacts"]) == (0, 0, 0)
    assert (BudgetProject.objects.count(), Outage.objects.count(), DutyContact.objects.count()) == counts
    assert BudgetProject.objects.get(code="2026-roads-01").spent_amount == Decimal("7000000.00")
