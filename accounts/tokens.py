"""The signed link that confirms a person's e-mail address: made by the e-mail task, read back by
accounts.services.user_confirm_email (which checks its age against OPENCITY_EMAIL_CONFIRMATION_DAYS)."""

from __future__ import annotations

from django.core import signing

from accounts.models import User

CONFIRMATION_SALT = "opencity.accounts.email-confirmation"


def email_confirmation_token(*, user: User) -> str:
    """A signed, expiring token naming the user and the address being confirmed."""
    return signing.dumps({"user": user.pk, "email": user.email}, salt=CONFIRMATION_SALT)
