"""What a locked-out sign-in is told (django-axes counts the failures; see the AXES_* settings).

Pages show the lockout as an error on their sign-in form (accounts.forms.SignInForm and
AdminSignInForm) and answer 429; the API's token endpoint answers 429 in the project's error
shape. Either way Retry-After says when the lockout ends at the latest.
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _


def lockout_seconds() -> int:
    """How long a lockout lasts, in seconds."""
    return int(settings.AXES_COOLOFF_TIME.total_seconds())


def lockout_message() -> str:
    """The message a locked-out person reads, in the active language."""
    minutes = max(1, lockout_seconds() // 60)
    return _("Too many failed sign-in attempts. Please try again in %(minutes)d minutes, or reset your password.") % {
        "minutes": minutes
    }


def request_is_locked_out(request) -> bool:
    """Whether django-axes refused this request's sign-in attempt."""
    return bool(getattr(request, "axes_locked_out", False))


def lockout_response(request: HttpRequest, original_response: HttpResponse | None = None, credentials=None):
    """AXES_LOCKOUT_CALLABLE: keep the view's own answer (the form with its error, or the API's
    error body) but make it a 429 with Retry-After; a plain message if the view gave none."""
    response = original_response if original_response is not None else HttpResponse(lockout_message())
    response.status_code = 429
    response["Retry-After"] = str(lockout_seconds())
    return response
