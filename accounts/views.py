"""Registration and the confirmation reminder. (Confirming an address also releases the person's
held reports, which is the issues app's business: see issues.views.confirm_email.)"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_otp import login as otp_login

from accounts.forms import RegistrationForm
from accounts.services import user_register, user_resend_confirmation
from accounts.two_factor import (
    totp_device,
    totp_enrolment_confirm,
    totp_enrolment_start,
    totp_qr_svg,
    totp_secret,
    totp_verify,
    user_needs_two_factor,
)
from opencity.errors import DomainError
from opencity.http import safe_next_url
from opencity.ratelimit import client_ip, rate_limit_hit, rate_limit_retry_after


def register(request: HttpRequest) -> HttpResponse:
    """Create an account with an e-mail address and a password; then "check your mailbox"."""
    form = RegistrationForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        if rate_limit_hit(
            key=f"register:{client_ip(request)}", limit=settings.OPENCITY_REGISTRATIONS_PER_HOUR, window_seconds=3600
        ):
            form.add_error(None, _("Too many new accounts from this address. Please try again later."))
            status = 429
        else:
            try:
                user_register(
                    email=form.cleaned_data["email"],
                    password=form.cleaned_data["password"],
                    first_name=form.cleaned_data["first_name"],
                    language=form.cleaned_data["language"],
                )
            except DomainError as error:
                for field, field_messages in error.fields.items():
                    for message in field_messages:
                        form.add_error(field if field in form.fields else None, str(message))
                status = 400
            else:
                # The same answer whether the address was new or already had an account (its owner
                # got an e-mail then): registration must not tell who has an account.
                return redirect(f"{reverse('accounts:register-sent')}?{urlencode({'next': safe_next_url(request)})}")
    elif request.method == "POST":
        status = 400
    response = render(request, "accounts/register.html", {"form": form, "next": safe_next_url(request)}, status=status)
    if status == 429:
        response["Retry-After"] = str(rate_limit_retry_after(window_seconds=3600))
    return response


def register_sent(request: HttpRequest) -> HttpResponse:
    """After registering: check the mailbox, confirm, sign in (and go on where you were going)."""
    return render(request, "accounts/register_sent.html", {"next": safe_next_url(request)})


@login_required
@require_POST
def resend_confirmation(request: HttpRequest) -> HttpResponse:
    """Send the confirmation link again (at most a few times an hour)."""
    try:
        sent = user_resend_confirmation(user=request.user)
    except DomainError as error:
        messages.error(request, str(error.message))
    else:
        if sent:
            messages.success(
                request, _("We have sent the confirmation link again to %(email)s.") % {"email": request.user.email}
            )
    return redirect(safe_next_url(request))


@login_required
def two_factor_setup(request: HttpRequest) -> HttpResponse:
    """Enrol an authenticator app: scan the QR code (or type the secret), then enter its first code."""
    device = totp_enrolment_start(user=request.user)
    status = 200
    error = ""
    if request.method == "POST":
        if totp_enrolment_confirm(user=request.user, device=device, token=request.POST.get("token", "")):
            otp_login(request, device)
            messages.success(request, _("Two-factor sign-in is on for your account."))
            return redirect(safe_next_url(request))
        error = _("That code is not right. Check the time on your phone and try the current code.")
        status = 400
    context = {
        "qr_svg": totp_qr_svg(device),
        "secret": totp_secret(device),
        "error": error,
        "next": safe_next_url(request),
        "required": user_needs_two_factor(request.user),
    }
    return render(request, "accounts/two_factor_setup.html", context, status=status)


@login_required
def two_factor_verify(request: HttpRequest) -> HttpResponse:
    """Confirm this sign-in with the current code from the authenticator app."""
    if totp_device(user=request.user) is None:
        return redirect(f"{reverse('accounts:two-factor-setup')}?{urlencode({'next': safe_next_url(request)})}")
    status = 200
    error = ""
    if request.method == "POST":
        device = totp_verify(user=request.user, token=request.POST.get("token", ""))
        if device is not None:
            otp_login(request, device)
            return redirect(safe_next_url(request))
        error = _("That code is not right. Check the time on your phone and try the current code.")
        status = 400
    return render(
        request, "accounts/two_factor_verify.html", {"error": error, "next": safe_next_url(request)}, status=status
    )
