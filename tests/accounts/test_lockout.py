"""Lockout after repeated failed sign-ins (django-axes), per account and per client address, on
every sign-in path: the sign-in page, the admin and the API's token endpoint."""

import pytest
from axes.models import AccessAttempt
from django.core.cache import cache
from django.test import Client
from rest_framework.test import APIClient

from accounts.models import AccessToken

pytestmark = pytest.mark.django_db

PASSWORD = "a-long-password-1"


@pytest.fixture(autouse=True)
def _limits(settings, world):
    cache.clear()
    settings.AXES_FAILURE_LIMIT = 3
    for person in (world.citizen, world.dispatcher):
        person.set_password(PASSWORD)
        person.save()
    world.dispatcher.is_staff = True
    world.dispatcher.is_superuser = True
    world.dispatcher.save()


def page_login(client, username, password, url="/accounts/login/"):
    return client.post(url, {"username": username, "password": password})


def test_the_sign_in_page_locks_an_account_after_repeated_failures(world):
    statuses = [page_login(Client(REMOTE_ADDR=f"192.0.2.{n}"), "citizen", "wrong").status_code for n in range(3)]
    assert statuses == [200, 200, 429]  # the third failure reaches the limit
    # Even the right password, from a new address, is refused while the account is locked.
    locked = page_login(Client(REMOTE_ADDR="198.51.100.1"), "citizen", PASSWORD)
    assert locked.status_code == 429
    assert int(locked["Retry-After"]) == 15 * 60
    errors = locked.context["form"].non_field_errors()
    assert errors == ["Забагато невдалих спроб входу. Спробуйте знову через 15 хв або відновіть пароль."]
    assert "_auth_user_id" not in locked.client.session


def test_one_address_guessing_many_accounts_is_locked_out(world):
    client = Client(REMOTE_ADDR="203.0.113.5")
    for name in ("a", "b", "c"):
        page_login(client, name, "wrong")
    assert page_login(client, "citizen", PASSWORD).status_code == 429
    # Another address can still sign in to the account.
    assert page_login(Client(REMOTE_ADDR="203.0.113.6"), "citizen", PASSWORD).status_code == 302


def test_a_success_resets_the_count(world):
    client = Client()
    page_login(client, "citizen", "wrong")
    page_login(client, "citizen", "wrong")
    assert page_login(client, "citizen", PASSWORD).status_code == 302
    assert AccessAttempt.objects.filter(username="citizen").count() == 0


def test_the_admin_sign_in_locks_out_too(world):
    for n in range(3):
        page_login(Client(REMOTE_ADDR=f"192.0.2.{n}"), "dispatcher", "wrong", url="/admin/login/")
    locked = page_login(Client(REMOTE_ADDR="198.51.100.1"), "dispatcher", PASSWORD, url="/admin/login/")
    assert locked.status_code == 429
    assert "Забагато невдалих спроб входу" in locked.content.decode()


def test_the_token_endpoint_locks_out_with_a_json_429(world):
    for n in range(3):
        APIClient(REMOTE_ADDR=f"192.0.2.{n}").post("/api/v1/auth/token/", {"username": "citizen", "password": "x"})
    locked = APIClient(REMOTE_ADDR="198.51.100.1").post(
        "/api/v1/auth/token/", {"username": "citizen", "password": PASSWORD}
    )
    assert locked.status_code == 429
    assert locked.json()["code"] == "locked_out"
    assert int(locked["Retry-After"]) == 15 * 60
    assert AccessToken.objects.count() == 0


def test_the_lockout_counts_the_address_our_proxy_saw(world, settings):
    settings.OPENCITY_TRUSTED_PROXIES = 1
    # The attacker forges a different first hop each time; our proxy appends the real address.
    for n in range(3):
        page_login(Client(HTTP_X_FORWARDED_FOR=f"10.9.9.{n}, 203.0.113.5"), f"user{n}", "wrong")
    assert page_login(Client(HTTP_X_FORWARDED_FOR="10.9.9.99, 203.0.113.5"), "citizen", PASSWORD).status_code == 429
