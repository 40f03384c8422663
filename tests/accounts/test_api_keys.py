"""Integrators' API keys: issued and revoked by an administrator, kept only as a digest."""

from __future__ import annotations

import hashlib
import re

import pytest

from accounts.api_keys import api_key_authenticate, api_key_issue, api_key_revoke
from accounts.models import ApiKey
from opencity.errors import InvalidInput
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

CHANGELIST = "/admin/accounts/apikey/"


@pytest.fixture
def admin(client):
    root = UserFactory(username="root", is_staff=True, is_superuser=True)
    client.force_login(root)
    return root


def test_a_key_is_shown_once_and_kept_as_a_digest():
    user = UserFactory(username="app")
    key, raw = api_key_issue(user=user, name="  Civic App ")
    assert len(raw) >= 43 and key.prefix == raw[:8]
    assert key.key_digest == hashlib.sha256(raw.encode()).hexdigest()
    assert raw not in str(ApiKey.objects.filter(pk=key.pk).values().get())
    assert (key.name, key.user, key.revoked_at) == ("Civic App", user, None)
    assert api_key_authenticate(raw_key=raw) == key
    assert ApiKey.objects.get(pk=key.pk).last_used_at is not None
    assert api_key_authenticate(raw_key=raw + "x") is None
    assert api_key_authenticate(raw_key="") is None
    api_key_revoke(key=key)
    assert api_key_authenticate(raw_key=raw) is None


def test_keys_only_for_active_confirmed_accounts():
    with pytest.raises(InvalidInput) as unconfirmed:
        api_key_issue(user=UserFactory(username="new", email_confirmed_at=None), name="App")
    assert list(unconfirmed.value.fields) == ["user"]
    with pytest.raises(InvalidInput) as nameless:
        api_key_issue(user=UserFactory(username="ok"), name=" ")
    assert list(nameless.value.fields) == ["name"]
    assert not ApiKey.objects.exists()


def test_the_admin_issues_a_key_and_shows_it_once(admin, client):
    user = UserFactory(username="civic-app")
    page = client.post(f"{CHANGELIST}add/", {"user": user.pk, "name": "Civic App"}, headers={"accept-language": "uk"})
    assert page.status_code == 200
    html = page.content.decode()
    assert "Скопіюйте ключ зараз" in html
    raw = re.search(r'<code class="api-key" data-key-id="\d+">([^<]+)</code>', html).group(1)
    key = ApiKey.objects.get()
    assert (key.user, key.created_by, key.prefix) == (user, admin, raw[:8])
    assert api_key_authenticate(raw_key=raw) == key
    # Never again: neither the list nor the key's own page shows it.
    assert raw not in client.get(CHANGELIST).content.decode()
    assert raw not in client.get(f"{CHANGELIST}{key.pk}/change/").content.decode()


def test_the_admin_refuses_an_unconfirmed_account(admin, client):
    user = UserFactory(username="unconfirmed", email_confirmed_at=None)
    page = client.post(f"{CHANGELIST}add/", {"user": user.pk, "name": "App"}, headers={"accept-language": "en"})
    assert page.status_code == 200
    assert "Confirm this account&#x27;s e-mail address first" in page.content.decode()
    assert not ApiKey.objects.exists()


def test_the_admin_revokes_and_replaces_keys(admin, client):
    user = UserFactory(username="civic-app")
    old, old_raw = api_key_issue(user=user, name="Civic App")
    other, _ = api_key_issue(user=user, name="Other App")
    client.post(CHANGELIST, {"action": "revoke", "_selected_action": [other.pk]})
    other.refresh_from_db()
    assert other.revoked_at is not None
    page = client.post(CHANGELIST, {"action": "replace", "_selected_action": [old.pk]})
    assert page.status_code == 200
    new_raw = re.search(r'<code class="api-key" data-key-id="\d+">([^<]+)</code>', page.content.decode()).group(1)
    old.refresh_from_db()
    assert old.revoked_at is not None
    assert api_key_authenticate(raw_key=old_raw) is None
    replacement = api_key_authenticate(raw_key=new_raw)
    assert (replacement.user, replacement.name) == (user, "Civic App")
    assert client.get(f"{CHANGELIST}{old.pk}/delete/").status_code == 403  # revoked, never deleted
