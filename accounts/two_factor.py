"""Two-factor sign-in (TOTP, with django-otp): who must use it, enrolment, verification.

With OPENCITY_REQUIRE_2FA on (production), administrators (staff and superusers, who reach the
admin) and dispatchers must confirm every sign-in with a code from an authenticator app; anyone
else signed in may enrol too. accounts.middleware.TwoFactorRequiredMiddleware sends them to enrol
or to enter a code before any page; the API's token endpoint asks them for `otp_token`.
"""

from __future__ import annotations

import base64
import io

import segno
from django.conf import settings
from django.db import transaction
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import User
from accounts.roles import user_is_dispatcher

DEVICE_NAME = "Open City"


def user_needs_two_factor(user: User) -> bool:
    """Whether this person must confirm sign-ins with a code (OPENCITY_REQUIRE_2FA on, and an
    administrator or a dispatcher)."""
    if not settings.OPENCITY_REQUIRE_2FA or not user.is_authenticated:
        return False
    return bool(user.is_staff or user.is_superuser or user_is_dispatcher(user))


def totp_device(*, user: User, confirmed: bool = True) -> TOTPDevice | None:
    """The person's authenticator (confirmed), or the one they are enrolling (unconfirmed)."""
    return TOTPDevice.objects.devices_for_user(user, confirmed=confirmed).filter(confirmed=confirmed).first()


def totp_enrolment_start(*, user: User) -> TOTPDevice:
    """The unconfirmed authenticator being enrolled (made on first visit, kept until confirmed)."""
    device = totp_device(user=user, confirmed=False)
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=DEVICE_NAME, confirmed=False)
    return device


def totp_enrolment_confirm(*, user: User, device: TOTPDevice, token: str) -> bool:
    """Confirm an enrolment with a first code from the app; it replaces any earlier authenticator."""
    if device.user_id != user.pk or device.confirmed or not device.verify_token((token or "").strip()):
        return False
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user, confirmed=True).delete()
        device.confirmed = True
        device.save(update_fields=["confirmed"])
    return True


def totp_verify(*, user: User, token: str) -> TOTPDevice | None:
    """The person's confirmed authenticator if `token` is its current code (django-otp slows down
    repeated wrong codes), else None."""
    token = (token or "").strip()
    device = totp_device(user=user)
    # No code at all is not a guess: it must not slow down the person's next, real attempt.
    if device is None or not token or not device.verify_token(token):
        return None
    return device


def totp_secret(device: TOTPDevice) -> str:
    """The secret as people type it into an app (base32, in groups of four)."""
    secret = base64.b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def totp_qr_svg(device: TOTPDevice) -> str:
    """The enrolment QR code (the otpauth:// URL) as inline SVG: no image from another host."""
    out = io.BytesIO()
    segno.make(device.config_url, error="m").save(out, kind="svg", scale=4, xmldecl=False, svgns=True)
    return out.getvalue().decode()
