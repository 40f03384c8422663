"""Background e-mail for accounts."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import EmailMessage
from django.tasks import task
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from accounts.models import User
from accounts.tokens import email_confirmation_token


@task
def send_email_confirmation(user_id: int) -> int:
    """E-mail the link that confirms a new account's address, in the person's language."""
    user = User.objects.get(pk=user_id)
    if user.email_confirmed_at is not None:
        return 0
    link = settings.OPENCITY_SITE_URL.rstrip("/") + reverse(
        "accounts-confirm", kwargs={"token": email_confirmation_token(user=user)}
    )
    with translation.override(user.language):
        context = {"user": user, "link": link, "days": settings.OPENCITY_EMAIL_CONFIRMATION_DAYS}
        subject = render_to_string("accounts/email/confirm_subject.txt", context).strip()
        body = render_to_string("accounts/email/confirm.txt", context)
    return EmailMessage(subject=subject, body=body, to=[user.email]).send()


@task
def send_account_exists_notice(user_id: int) -> int:
    """Tell the owner of an address that someone tried to register it again (perhaps they forgot
    they have an account), with links to sign in and to reset the password."""
    user = User.objects.filter(pk=user_id, is_active=True).exclude(email="").first()
    if user is None:
        return 0
    site = settings.OPENCITY_SITE_URL.rstrip("/")
    with translation.override(user.language):
        context = {
            "user": user,
            "sign_in_link": site + reverse("accounts:login"),
            "reset_link": site + reverse("accounts:password-reset"),
        }
        subject = render_to_string("accounts/email/account_exists_subject.txt", context).strip()
        body = render_to_string("accounts/email/account_exists.txt", context)
    return EmailMessage(subject=subject, body=body, to=[user.email]).send()
