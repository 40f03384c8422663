"""API sign-in tokens: stored hashed, expiring, revoked by a password change."""

import datetime
import hashlib

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.access_tokens import access_token_authenticate, access_token_issue, access_tokens_revoke
from accounts.models import AccessToken

pytestmark = pytest.mark.django_db

PASSWORD = "a-long-password-1"


@pytest.fixture
def citizen(world):
    world.citizen.set_password(PASSWORD)
    world.citizen.save()
    return world.citizen


def get_token(client=None, password=PASSWORD):
    return (client or APIClient()).post("/api/v1/auth/token/", {"username": "citizen", "password": password})


def queue_status(raw_token):
    # Any authenticated endpoint: 403 (signed in, not staff) against 401 (not signed in).
    return APIClient(headers={"authorization": f"Token {raw_token}"}).get("/api/v1/queue/").status_code


def test_the_token_endpoint_answers_a_token_that_is_stored_only_as_a_digest(citizen, settings):
    settings.OPENCITY_API_TOKEN_DAYS = 30
    response = get_token()
    assert response.status_code == 200
    assert list(response.json()) == ["token"]
    raw = response.json()["token"]
    token = AccessToken.objects.get()
    assert token.key_digest == hashlib.sha256(raw.encode()).hexdigest()
    assert raw not in {token.prefix, token.key_digest, token.password_hash}
    assert token.prefix == raw[:8]
    assert token.expires_at - token.created_at == datetime.timedelta(days=30)
    assert queue_status(raw) == 403
    token.refresh_from_db()
    assert token.last_used_at is not None


def test_a_token_expires(citizen, settings):
    settings.OPENCITY_API_TOKEN_DAYS = 1
    token, raw = access_token_issue(user=citizen)
    assert access_token_authenticate(raw_token=raw) == token
    later = timezone.now() + datetime.timedelta(days=1, seconds=1)
    assert access_token_authenticate(raw_token=raw, now=later) is None
    AccessToken.objects.filter(pk=token.pk).update(
        created_at=timezone.now() - datetime.timedelta(days=2),
        expires_at=timezone.now() - datetime.timedelta(seconds=1),
    )
    assert queue_status(raw) == 401


def test_a_password_change_revokes_every_token(citizen):
    _first, raw_first = access_token_issue(user=citizen)
    _second, raw_second = access_token_issue(user=citizen)
    assert queue_status(raw_first) == queue_status(raw_second) == 403
    citizen.set_password("another-long-password-2")
    citizen.save()
    assert queue_status(raw_first) == queue_status(raw_second) == 401
    assert access_token_authenticate(raw_token=raw_first) is None


def test_a_deactivated_account_and_a_revoked_token_open_nothing(citizen):
    _token, raw = access_token_issue(user=citizen)
    assert access_tokens_revoke(user=citizen) == 1
    assert queue_status(raw) == 401
    _token, raw = access_token_issue(user=citizen)
    citizen.is_active = False
    citizen.save()
    assert queue_status(raw) == 401
    assert queue_status("not-a-token") == 401


def test_a_wrong_password_gets_no_token(citizen):
    response = get_token(password="wrong")
    assert (response.status_code, response.json()["code"]) == (400, "invalid")
    assert AccessToken.objects.count() == 0


def test_the_admin_never_shows_a_token(citizen, world, admin_client):
    _token, raw = access_token_issue(user=citizen)
    listing = admin_client.get("/admin/accounts/accesstoken/").content.decode()
    assert raw[:8] in listing
    assert raw not in listing
    assert admin_client.get("/admin/accounts/accesstoken/add/").status_code == 403
