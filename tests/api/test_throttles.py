"""API throttles, and Retry-After on every 429 (DRF's, the services', the pages')."""

import pytest
from django.core.cache import cache
from django.test import Client
from rest_framework.test import APIClient

from accounts.models import User

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
