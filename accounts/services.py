"""Accounts: registration and e-mail confirmation."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Language, User
from accounts.tasks import send_account_exists_notice, send_email_confirmation
from accounts.tokens import CONFIRMATION_SALT
from opencity.errors import InvalidInput, RateLimited
from opencity.ratelimit import rate_limit_hit, rate_limit_retry_after

# How many times an hour a person may ask for the confirmation link again.
CONFIRMATION_RESENDS_PER_HOUR = 3
# E-mails that registering with an address may send to it per hour (its confirmation link, or the
# notice that it already has an account): registering someone else's address must not spam them.
REGISTRATION_EMAILS_PER_HOUR = 3


def _registration_email_allowed(email: str) -> bool:
    return not rate_limit_hit(key=f"register-mail:{email}", limit=REGISTRATION_EMAILS_PER_HOUR, window_seconds=3600)


def user_register(
    *, email: str, password: str, first_name: str = "", language: str = Language.UKRAINIAN
) -> User | None:
    """Create a citizen's account (the e-mail address is the user name), not yet confirmed, and
    send the confirmation e-mail after the commit. If the address already has an account, nothing
    is created and its owner is told by e-mail instead (None is returned): the caller answers the
    same either way, so registration does not reveal who has an account. Either e-mail goes at most
    a few times an hour to one address."""
    email = (email or "").strip().lower()
    errors: dict[str, list] = {}
    try:
        validate_email(email)
    except ValidationError:
        errors["email"] = [_("Please enter a valid e-mail address.")]
    candidate = User(username=email, email=email, first_name=first_name.strip()[:150])
    try:
        validate_password(password or "", user=candidate)
    except ValidationError as error:
        errors["password"] = list(error.messages)
    if language not in Language.values:
        errors["language"] = [_("Please choose Ukrainian or English.")]
    if errors:
        raise InvalidInput(_("The account cannot be created yet."), fields=errors)
    existing = User.objects.filter(Q(username__iexact=email) | Q(email__iexact=email)).order_by("pk").first()
    if existing is not None:
        if _registration_email_allowed(email):
            existing_id = existing.pk
            transaction.on_commit(lambda: send_account_exists_notice.enqueue(existing_id))
        return None
    with transaction.atomic():
        candidate.language = language
        candidate.set_password(password)
        candidate.save()
        user_id = candidate.pk
        if _registration_email_allowed(email):
            transaction.on_commit(lambda: send_email_confirmation.enqueue(user_id))
    return candidate


def user_resend_confirmation(*, user: User) -> bool:
    """Send the confirmation link again, a few times an hour at most (RateLimited beyond that).
    False, and nothing sent, when the address is already confirmed."""
    if user.email_confirmed_at is not None:
        return False
    if rate_limit_hit(key=f"confirm-resend:{user.pk}", limit=CONFIRMATION_RESENDS_PER_HOUR, window_seconds=3600):
        raise RateLimited(
            _("We have already sent several links. Please check your mailbox and spam folder."),
            code="rate_limited",
            retry_after=rate_limit_retry_after(window_seconds=3600),
        )
    send_email_confirmation.enqueue(user.pk)
    return True


def user_confirm_email(*, token: str, now: datetime.datetime | None = None) -> User:
    """Mark the address in the token as confirmed (idempotent). Refuses expired or forged tokens and
    tokens for an address the user no longer has."""
    max_age = datetime.timedelta(days=settings.OPENCITY_EMAIL_CONFIRMATION_DAYS)
    try:
        payload = signing.loads(token, salt=CONFIRMATION_SALT, max_age=max_age)
    except signing.SignatureExpired:
        raise InvalidInput(_("This confirmation link has expired. Sign in to get a new one."), code="expired") from None
    except signing.BadSignature:
        raise InvalidInput(_("This confirmation link is not valid."), code="bad_token") from None
    user = User.objects.filter(pk=payload.get("user"), is_active=True).first()
    if user is None or user.email.lower() != str(payload.get("email", "")).lower():
        raise InvalidInput(_("This confirmation link is not valid."), code="bad_token")
    if user.email_confirmed_at is None:
        user.email_confirmed_at = now or timezone.now()
        user.save(update_fields=["email_confirmed_at"])
    return user
