"""Production settings: every secret from the environment, no defaults; S3 media when configured."""

import os

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import (
    BASE_DIR,
    DATABASES,
    LOGGING,
    MIDDLEWARE,
    SILENCED_SYSTEM_CHECKS,
    STORAGES,
    env_bool,
    env_int,
    env_str,
)


def required(name: str) -> str:
    value = os.environ.get(name)
    if not value:
        raise ImproperlyConfigured(f"The environment variable {name} must be set in production.")
    return value


DEBUG = False
# Static files served by the app itself (compressed, cache-busted names) behind the load balancer.
# Right after SecurityMiddleware, as WhiteNoise asks (static answers get the security headers too).
_security = MIDDLEWARE.index("django.middleware.security.SecurityMiddleware") + 1
MIDDLEWARE = [*MIDDLEWARE[:_security], "whitenoise.middleware.WhiteNoiseMiddleware", *MIDDLEWARE[_security:]]
SECRET_KEY = required("DJANGO_SECRET_KEY")
if "default" not in DATABASES:
    raise ImproperlyConfigured("The environment variable DATABASE_URL must be set in production.")
# A persistent connection is checked before a request reuses it, so the first request after a
# database restart does not fail on a dead connection; an unreachable server fails fast.
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DATABASES["default"]["OPTIONS"].setdefault("connect_timeout", env_int("DATABASE_CONNECT_TIMEOUT", 5))

# One JSON object per log line unless DJANGO_LOG_FORMAT=text.
if env_str("DJANGO_LOG_FORMAT", "json") == "json":
    LOGGING["handlers"]["console"]["formatter"] = "json"

# collectstatic writes here (hashed and compressed names); WhiteNoise serves them with a one-year,
# immutable cache lifetime (WHITENOISE_MAX_AGE is for the few files without a hash in their name).
STATIC_ROOT = os.environ.get("OPENCITY_STATIC_ROOT") or BASE_DIR / "staticfiles"
WHITENOISE_MAX_AGE = 3600

# HTTPS only, failing closed: every default is the safe one, and an operator turns one off by name.
# X-Forwarded-Proto is believed only when a TLS-terminating proxy we trust sets it (and strips the
# client's own); otherwise anyone could claim "https" in a header.
if env_bool("OPENCITY_BEHIND_TLS_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# Off only when the proxy in front redirects plain HTTP itself.
SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", True)
SESSION_COOKIE_SECURE = env_bool("DJANGO_SECURE_COOKIES", True)
CSRF_COOKIE_SECURE = env_bool("DJANGO_SECURE_COOKIES", True)
SECURE_HSTS_SECONDS = env_int("DJANGO_HSTS_SECONDS", 60 * 60 * 24 * 365)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("DJANGO_HSTS_INCLUDE_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = env_bool("DJANGO_HSTS_PRELOAD", False)
if not SECURE_HSTS_PRELOAD:
    # Entering the browsers' preload list is a decision for the domain's owner, not a default.
    SILENCED_SYSTEM_CHECKS = [*SILENCED_SYSTEM_CHECKS, "security.W021"]

# Mail and links must reach people: no silent console backend, no 127.0.0.1 in e-mailed links.
_email_backend = required("OPENCITY_EMAIL_BACKEND")
if _email_backend.endswith((".console.EmailBackend", ".locmem.EmailBackend", ".dummy.EmailBackend")):
    raise ImproperlyConfigured("OPENCITY_EMAIL_BACKEND must be a backend that delivers mail in production.")
OPENCITY_SITE_URL = required("OPENCITY_SITE_URL")
if not OPENCITY_SITE_URL.startswith("https://") or any(
    local in OPENCITY_SITE_URL for local in ("127.0.0.1", "localhost", "[::1]")
):
    raise ImproperlyConfigured("OPENCITY_SITE_URL must be the public https:// address of the site in production.")

# The demo loader creates accounts with a known password: never here.
OPENCITY_DEMO_DATA_ALLOWED = False
# Administrators and dispatchers confirm every sign-in with a TOTP code.
OPENCITY_REQUIRE_2FA = env_bool("OPENCITY_REQUIRE_2FA", True)

# Media storage stays as base settings chose it (the file system, or S3 when OPENCITY_S3_BUCKET is set).
STORAGES = {**STORAGES, "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"}}
