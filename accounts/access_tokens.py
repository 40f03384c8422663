"""API sign-in tokens: issued for a user name and password, checked on every token request."""

from __future__ import annotations

import datetime
import secrets

from django.conf import settings
from django.utils import timezone

from accounts.api_keys import PREFIX_LENGTH, api_key_digest
from accounts.models import AccessToken, User

TOKEN_BYTES = 32  # 256 random bits


def access_token_issue(*, user: User, now: datetime.datetime | None = None) -> tuple[AccessToken, str]:
    """A new token for an account that has just proved its password; returns the row and the
    token itself (never stored). Expired tokens of the account are deleted on the way."""
    now = now or timezone.now()
    AccessToken.objects.filter(user=user, expires_at__lte=now).delete()
    raw_token = secrets.token_urlsafe(TOKEN_BYTES)
    token = AccessToken.objects.create(
        user=user,
        prefix=raw_token[:PREFIX_LENGTH],
        key_digest=api_key_digest(raw_token),
        password_hash=user.get_session_auth_hash(),
        created_at=now,
        expires_at=now + datetime.timedelta(days=settings.OPENCITY_API_TOKEN_DAYS),
    )
    return token, raw_token


def access_token_authenticate(*, raw_token: str, now: datetime.datetime | None = None) -> AccessToken | None:
    """The live token with this value (and its account), or None: unknown, expired, of a
    deactivated account, or got before the account's password last changed. Marks it used, at
    most once a minute."""
    raw_token = (raw_token or "").strip()
    if not raw_token or len(raw_token) > 200:
        return None
    now = now or timezone.now()
    token = (
        AccessToken.objects.unexpired(now).select_related("user").filter(key_digest=api_key_digest(raw_token)).first()
    )
    if token is None or not secrets.compare_digest(token.password_hash, token.user.get_session_auth_hash()):
        return None
    if token.last_used_at is None or now - token.last_used_at > datetime.timedelta(minutes=1):
        AccessToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return token


def access_tokens_revoke(*, user: User) -> int:
    """Delete every token of an account (sign out everywhere); returns how many."""
    deleted, _by_model = AccessToken.objects.filter(user=user).delete()
    return deleted
