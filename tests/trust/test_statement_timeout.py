"""Web requests run under a statement timeout; a query it cancels answers 503; the dashboard and its
exports run under a longer one."""

import pytest
from django.db import connection
from django.test import Client

from dashboard import selectors as dashboard_selectors
from opencity.settings.base import database_from_url

pytestmark = pytest.mark.django_db


def test_the_connection_options_carry_the_web_statement_timeout(settings):
    options = database_from_url("postgis://u:p@db.example:5432/opencity")["OPTIONS"]["options"]
    assert f"-c statement_timeout={settings.OPENCITY_STATEMENT_TIMEOUT_MS}" in options
    assert settings.OPENCITY_STATEMENT_TIMEOUT_MS == 10_000


def test_a_query_cancelled_by_the_timeout_answers_503_not_500(world, monkeypatch):
    def slow(**kwargs):
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL statement_timeout = 20")
            cursor.execute("SELECT pg_sleep(1)")

    monkeypatch.setattr("issues.views.issues_followed_by", slow)
    client = Client(raise_request_exception=False)
    client.force_login(world.citizen)
    answer = client.get("/me/")
    assert answer.status_code == 503
    assert answer["Retry-After"] == "60"


def test_the_dashboard_runs_under_the_longer_report_timeout(world, settings, monkeypatch):
    settings.OPENCITY_REPORT_STATEMENT_TIMEOUT_MS = 45_000
    seen = []
    real = dashboard_selectors.dashboard_budget

    def spy(**kwargs):
        with connection.cursor() as cursor:
            cursor.execute("SHOW statement_timeout")
            seen.append(cursor.fetchone()[0])
        return real(**kwargs)

    monkeypatch.setattr(dashboard_selectors, "dashboard_budget", spy)
    client = Client()
    client.force_login(world.mayor)
    assert client.get("/dashboard/").status_code == 200
    assert seen == ["45s"]
