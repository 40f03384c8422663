"""`manage.py opencity_load_reference`: a city's territory and reference data without the demo's
accounts, layers or issues, so it runs with the production settings (docs/deploy.md, step 6)."""

import pytest
from django.core.management import CommandError, call_command

from accounts.models import Executor, User
from geo.models import BudgetProject, CommunityBoundary, District, Outage
from issues.models import Category, Issue, RoutingRule, SlaPolicy, WorkingCalendar

pytestmark = pytest.mark.django_db


def test_the_reference_data_load_where_the_demo_may_not(settings, capsys):
    settings.OPENCITY_DEMO_DATA_ALLOWED = False  # as in production
    call_command("opencity_load_reference")
    out = capsys.readouterr().out
    assert "Reference data loaded from" in out and "categories: " in out
    assert CommunityBoundary.objects.count() == 1
    assert District.objects.exists() and WorkingCalendar.objects.exists() and SlaPolicy.objects.exists()
    assert Executor.objects.filter(code="roads").exists()
    assert Category.objects.filter(code="pothole").exists() and RoutingRule.objects.exists()
    # Nothing of the demo: no account (none with a known password), no layers, no reports.
    assert not User.objects.exists()
    assert not (BudgetProject.objects.exists() or Outage.objects.exists() or Issue.objects.exists())

    before = Category.objects.count()
    call_command("opencity_load_reference")
    assert "nothing new" in capsys.readouterr().out
    assert Category.objects.count() == before


def test_a_directory_without_the_files_is_refused(tmp_path):
    with pytest.raises(CommandError, match="territory.geojson, reference.json"):
        call_command("opencity_load_reference", directory=tmp_path)
    assert not Category.objects.exists()
