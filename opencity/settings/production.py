"""Production settings: every secret from the environment, no defaults; S3 media when configured."""

import os

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import BASE_DIR, DATABASES, LOGGING, MIDDLEWARE, STORAGES, env_bool, env_int


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
if os.environ.get("DJANGO_LOG_FORMAT", "json") == "json":
    LOGGING["handlers"]["console"]["formatter"] = "json"

# collectstatic writes here (hashed and compressed names); WhiteNoise serves them with a one-year,
# immutable cache lifetime (WHITENOISE_MAX_AGE is for the few files without a hash in their name).
STATIC_ROOT = os.environ.get("OPENCITY_STATIC_ROOT") or BASE_DIR / "staticfiles"
WHITENOISE_MAX_AGE = 3600

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SESSION_COOKIE_SECURE = env_bool("DJANGO_SECURE_COOKIES", True)
CSRF_COOKIE_SECURE = env_bool("DJANGO_SECURE_COOKIES", True)
SECURE_HSTS_SECONDS = env_int("DJANGO_HSTS_SECONDS", 0)
# Administrators and dispatchers confirm every sign-in with a TOTP code.
OPENCITY_REQUIRE_2FA = env_bool("OPENCITY_REQUIRE_2FA", True)

# Media storage stays as base settings chose it (the file system, or S3 when OPENCITY_S3_BUCKET is set).
STORAGES = {**STORAGES, "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"}}
