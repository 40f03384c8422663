"""API throttles, and Retry-After on every 429 (DRF's, the services', the pages')."""

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from accounts.models import User
from opencity.ratelimit import throttle_window_hit

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_counters():
    cache.clear()
    yield
    cache.clear()


def test_anonymous_calls_are_throttled_per_address_with_retry_after(world, settings):
    settings.OPENCITY_API_ANON_RATE = "2/minute"
    client = APIClient()
    statuses = [client.get("/api/v1/categories/").status_code for _ in range(3)]
    assert statuses == [200, 200, 429]
    refused = client.get("/api/v1/categories/")
    assert refused.json()["code"] == "throttled"
    assert 1 <= int(refused["Retry-After"]) <= 60
    # Another address has its own count.
    assert APIClient(REMOTE_ADDR="192.0.2.9").get("/api/v1/categories/").status_code == 200


def test_signed_in_calls_are_throttled_per_account(world, settings):
    settings.OPENCITY_API_USER_RATE = "1/minute"
    first, second = APIClient(), APIClient(REMOTE_ADDR="192.0.2.9")
    first.force_authenticate(world.citizen)
    second.force_authenticate(world.citizen)
    assert first.get("/api/v1/categories/").status_code == 200
    refused = second.get("/api/v1/categories/")  # same account, another address
    assert refused.status_code == 429
    assert int(refused["Retry-After"]) >= 1


def test_the_token_endpoint_has_its_own_stricter_limit(world, settings):
    settings.OPENCITY_API_AUTH_RATE = "2/minute"
    client = APIClient()
    statuses = [
        client.post("/api/v1/auth/token/", {"username": f"nobody{n}", "password": "x"}).status_code for n in range(3)
    ]
    assert statuses == [400, 400, 429]
    assert int(client.post("/api/v1/auth/token/", {"username": "a", "password": "b"})["Retry-After"]) >= 1


def test_a_services_rate_limit_carries_retry_after(world, settings, report):
    settings.OPENCITY_REPORTS_PER_HOUR = 0
    client = APIClient()
    client.force_authenticate(world.citizen)
    body = {"category": "pothole", "description": "Яма", "location": {"type": "Point", "coordinates": [23.5, 49.35]}}
    refused = client.post("/api/v1/issues/", body, format="json")
    assert (refused.status_code, refused.json()["code"]) == (429, "rate_limited")
    assert refused["Retry-After"] == "3600"


def test_a_refused_registration_page_carries_retry_after(world, settings):
    settings.OPENCITY_REGISTRATIONS_PER_HOUR = 0
    refused = Client().post(
        "/accounts/register/", {"email": "a@example.org", "password": "zelena-vulytsia-7", "language": "uk"}
    )
    assert refused.status_code == 429
    assert 1 <= int(refused["Retry-After"]) <= 3600
    assert not User.objects.filter(email="a@example.org").exists()


@pytest.fixture
def database_cache(settings):
    """The production cache (the database), under which the throttles count in opencity_rate_window."""
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "opencity_cache"}
    }
    call_command("createcachetable", verbosity=0)


def _window_rows() -> dict[str, int]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT key, cardinality(hits) FROM opencity_rate_window")
        return dict(cursor.fetchall())


def test_with_the_database_cache_an_anonymous_call_is_counted_in_one_statement(world, settings, database_cache):
    settings.OPENCITY_API_ANON_RATE = "2/minute"
    client = APIClient()
    with CaptureQueriesContext(connection) as first:
        assert client.get("/api/v1/categories/").status_code == 200
    counting = [q["sql"] for q in first.captured_queries if "opencity_rate_window" in q["sql"]]
    assert len(counting) == 1  # the anonymous window only: no per-account window for nobody
    assert not [q["sql"] for q in first.captured_queries if "opencity_cache" in q["sql"]]
    statuses = [client.get("/api/v1/categories/").status_code for _ in range(2)]
    assert statuses == [200, 429]
    refused = client.get("/api/v1/categories/")
    assert refused.json()["code"] == "throttled"
    assert 1 <= int(refused["Retry-After"]) <= 60
    # Refused calls are not recorded (as with DRF's own counting): two hits in the window.
    assert _window_rows() == {"throttle_anon_127.0.0.1": 2}
    assert APIClient(REMOTE_ADDR="192.0.2.9").get("/api/v1/categories/").status_code == 200


def test_with_the_database_cache_signed_in_calls_are_throttled_per_account(world, settings, database_cache):
    settings.OPENCITY_API_USER_RATE = "1/minute"
    first, second = APIClient(), APIClient(REMOTE_ADDR="192.0.2.9")
    first.force_authenticate(world.citizen)
    second.force_authenticate(world.citizen)
    assert first.get("/api/v1/categories/").status_code == 200
    refused = second.get("/api/v1/categories/")
    assert refused.status_code == 429
    assert int(refused["Retry-After"]) >= 1
    assert _window_rows() == {f"throttle_user_{world.citizen.pk}": 1}


def test_the_window_forgets_hits_older_than_its_duration(db):
    assert throttle_window_hit(key="k", limit=2, duration=60, now=1000.0) == (True, [1000.0])
    assert throttle_window_hit(key="k", limit=2, duration=60, now=1010.0) == (True, [1010.0, 1000.0])
    assert throttle_window_hit(key="k", limit=2, duration=60, now=1020.0) == (False, [1010.0, 1000.0])
    # 1000 has left the window at 1060 (kept only while later than now - duration): room for one.
    assert throttle_window_hit(key="k", limit=2, duration=60, now=1060.0) == (True, [1060.0, 1010.0])
    assert throttle_window_hit(key="k", limit=0, duration=60, now=1061.0) == (False, [])
