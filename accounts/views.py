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

from accounts.forms import RegistrationForm
from accounts.services import user_register, user_resend_confirmation
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
