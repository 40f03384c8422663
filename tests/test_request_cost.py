"""The fixed cost of a request (issue 13, item 4): what the small answers send to the database,
under the production cache (the database). Each statement here is a round trip every visitor pays."""

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from tests.world import CENTRE_LAT, CENTRE_LON

pytestmark = pytest.mark.django_db


@pytest.fixture
def database_cache(settings):
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "opencity_cache"}
    }
    call_command("createcachetable", verbosity=0)


def _captured(client, path: str) -> list[dict]:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(path).status_code == 200
    return captured.captured_queries


def _statements(path: str) -> list[str]:
    return [query["sql"] for query in _captured(APIClient(), path)]


def test_an_anonymous_small_answer_costs_its_own_queries_and_one_for_the_throttle(world, database_cache):
    statements = _statements(f"/api/v1/issues/nearby/?lon={CENTRE_LON}&lat={CENTRE_LAT}&category=pothole")
    assert len(statements) == 2  # the throttle's window, the answer (the category found inside it)
    assert "opencity_rate_window" in statements[0]
    assert not [sql for sql in statements if "opencity_cache" in sql or "django_session" in sql]


def test_an_issue_is_looked_up_with_only_the_joins_every_view_needs(world, report, database_cache):
    issue = report()
    # The issue's page (the API's answer is one statement of its own: below).
    statements = [query["sql"] for query in _captured(Client(), f"/issues/{issue.ref}/")]
    [lookup] = [sql for sql in statements if 'FROM "issues_issue"' in sql and 'WHERE "issues_issue"."ref"' in sql]
    # category, its group, district, executor: each further join multiplied the planning time.
    assert lookup.count(" JOIN ") == 4
    assert "ORDER BY" not in lookup  # a reference is unique: nothing to sort


def test_an_issue_through_the_api_is_the_throttle_and_one_prepared_statement(world, report, database_cache):
    issue = report()
    _statements(f"/api/v1/issues/{issue.ref}/")  # prepared on this connection, if it was not already
    statements = _statements(f"/api/v1/issues/{issue.ref}/")
    assert len(statements) == 2
    assert "opencity_rate_window" in statements[0]
    assert statements[1].startswith("EXECUTE opencity_issue_detail_")


def test_a_signed_in_accounts_role_is_worked_out_for_the_log_once_a_minute(world, database_cache):
    client = APIClient()
    client.force_authenticate(world.roads_staff)
    path = f"/api/v1/issues/nearby/?lon={CENTRE_LON}&lat={CENTRE_LAT}&category=pothole"
    client.get(path)
    with CaptureQueriesContext(connection) as captured:
        assert client.get(path).status_code == 200
    looked_up = [q["sql"] for q in captured.captured_queries if "auth_group" in q["sql"] or "membership" in q["sql"]]
    assert looked_up == []
    assert len(captured.captured_queries) == 2


def test_a_report_through_the_api_reads_nothing_it_wrote(world, database_cache, django_capture_on_commit_callbacks):
    """POST /api/v1/issues/ (issue 13, item 4): the token, the throttle, the category, the service's
    statements, and an answer built from what the service wrote; then the background tasks."""
    from accounts.access_tokens import access_token_issue

    token = access_token_issue(user=world.citizen)[1]
    client = APIClient(headers={"authorization": f"Token {token}"})
    body = {
        "category": "pothole",
        "description": "Яма біля зупинки",
        "address": "вул. Стрийська, 3",
        "location": {"type": "Point", "coordinates": [CENTRE_LON - 0.01, CENTRE_LAT]},
    }
    assert client.post("/api/v1/issues/", body, format="json").status_code == 201  # warms the process
    with CaptureQueriesContext(connection) as captured, django_capture_on_commit_callbacks(execute=True):
        answer = client.post("/api/v1/issues/", body, format="json")
    assert answer.status_code == 201
    statements = [query["sql"] for query in captured.captured_queries]
    # The token, the throttle, the category; the hourly limit and the category's questions (one
    # query), the boundary and the district (one query); in the transaction: the issue with its
    # follower and `created` event (one statement), the duplicate search and its flag, the rules
    # (with the calendar), the `routed` event, the issue's new state, the dashboard's refresh (once),
    # the reference; after the commit, three tasks (the `routed` event's e-mails, the area alerts of
    # both events). 16, and the two that open and end the transaction (a savepoint here): 18 round
    # trips, 42 before issue 13's cuts.
    assert len(statements) == 18
    # Nothing is read back for the answer: after the reference (the transaction's last statement),
    # only its end and the tasks' rows. Before it, nothing written is read either: the issue is
    # routed without reading its row again.
    counter = next(n for n, sql in enumerate(statements) if "issues_issuerefcounter" in sql)
    after = [sql.split()[0] for sql in statements[counter + 1 :]]
    assert after == ["RELEASE", "INSERT", "INSERT", "INSERT"]
    assert all("django_tasks_database_dbtaskresult" in sql for sql in statements[counter + 2 :])
    assert [sql for sql in statements[:counter] if 'FROM "issues_issue"' in sql] == []
    assert answer.json()["district"] == "Західний"
    assert [event["kind"] for event in answer.json()["timeline"]] == ["created", "routed"]
