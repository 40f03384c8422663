"""Two factors before any page, for those who must use them (accounts.two_factor)."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from accounts.two_factor import totp_device, user_needs_two_factor

# Where a half-signed-in person may still go: the two-factor pages themselves, signing out, the
# language switch, static files, and the health checks (which must never load a user: a liveness
# probe answers even while the database is away).
ALLOWED_PREFIXES = ("/accounts/2fa/", "/accounts/logout/", "/i18n/", "/static/", "/healthz", "/readyz")


class TwoFactorRequiredMiddleware:
    """After the password, administrators and dispatchers enrol an authenticator or enter a code
    before anything else (when OPENCITY_REQUIRE_2FA is on). Needs django-otp's OTPMiddleware first."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        # The setting and the path first: with 2FA off, or on an allowed path, the user is not loaded.
        if not settings.OPENCITY_REQUIRE_2FA or request.path.startswith(ALLOWED_PREFIXES):
            return self.get_response(request)
        user = request.user
        if user.is_authenticated and not user.is_verified() and user_needs_two_factor(user):
            if request.path.startswith("/api/"):
                body = {
                    "code": "two_factor_required",
                    "detail": _("Confirm your sign-in with a code from your authenticator app first."),
                    "fields": {},
                }
                return JsonResponse(body, status=403)
            step = "accounts:two-factor-verify" if totp_device(user=user) else "accounts:two-factor-setup"
            return redirect(f"{reverse(step)}?{urlencode({'next': request.get_full_path()})}")
        return self.get_response(request)
