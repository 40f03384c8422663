"""API keys: issued and revoked by an administrator, checked on every keyed request."""

from __future__ import annotations

import datetime
import hashlib
import secrets

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import ApiKey, User
from opencity.errors import InvalidInput

KEY_BYTES = 32  # 256 random bits
PREFIX_LENGTH = 8


def api_key_digest(raw_key: str) -> str:
    """The stored form of a key: its SHA-256 digest in hex."""
    return hashlib.sha256(raw_key.encode("utf-8")).hexdigest()


def api_key_issue(
    *, user: User, name: str, created_by: User | None = None, now: datetime.datetime | None = None
) -> tuple[ApiKey, str]:
    """Issue a key for an account; returns the row and the key itself, which is never stored and
    cannot be shown again. The account must be active and have a confirmed e-mail address (reports
    of unconfirmed accounts wait unrouted, which an integrator would never notice)."""
    name = (name or "").strip()
    errors: dict[str, list] = {}
    if not name:
        errors["name"] = [_("Say who will use the key.")]
    if not user.is_active:
        errors["user"] = [_("This account is deactivated.")]
    elif user.email_confirmed_at is None:
        errors["user"] = [_("Confirm this account's e-mail address first: its reports would wait unrouted.")]
    if errors:
        raise InvalidInput(_("The key cannot be issued."), fields=errors)
    raw_key = secrets.token_urlsafe(KEY_BYTES)
    key = ApiKey.objects.create(
        user=user,
        name=name[:200],
        prefix=raw_key[:PREFIX_LENGTH],
        key_digest=api_key_digest(raw_key),
        created_at=now or timezone.now(),
        created_by=created_by,
    )
    return key, raw_key


def api_key_revoke(*, key: ApiKey, now: datetime.datetime | None = None) -> ApiKey:
    """Revoke a key for good (revoking a revoked key changes nothing)."""
    if key.revoked_at is None:
        key.revoked_at = now or timezone.now()
        key.save(update_fields=["revoked_at"])
    return key


def api_key_authenticate(*, raw_key: str, now: datetime.datetime | None = None) -> ApiKey | None:
    """The active key with this value (and its account), or None. Marks it used, at most once a
    minute, so a busy integrator does not turn every request into a write."""
    raw_key = (raw_key or "").strip()
    if not raw_key or len(raw_key) > 200:
        return None
    key = ApiKey.objects.active().select_related("user").filter(key_digest=api_key_digest(raw_key)).first()
    if key is None:
        return None
    now = now or timezone.now()
    if key.last_used_at is None or now - key.last_used_at > datetime.timedelta(minutes=1):
        ApiKey.objects.filter(pk=key.pk).update(last_used_at=now)
        key.last_used_at = now
    return key
