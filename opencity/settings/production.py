"""Production settings: every secret from the environment, no defaults; S3 media when configured."""

import os

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import DATABASES, MIDDLEWARE, STORAGES, env_bool, env_int


def required(name: str) -> str:
    value = os.environ.get(name)
    if not value:
        raise ImproperlyConfigured(f"The environment variable {name} must be set in production.")
    return value


DEBUG = False
# Static files served by the app itself (compressed, cache-busted names) behind the load balancer.
MIDDLEWARE = [MIDDLEWARE[0], "whitenoise.middleware.WhiteNoiseMiddleware", *MIDDLEWARE[1:]]
SECRET_KEY = required("DJANGO_SECRET_KEY")
if not DATABASES:
    raise ImproperlyConfigured("The environment variable DATABASE_URL must be set in production.")

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SESSION_COOKIE_SECURE = env_bool("DJANGO_SECURE_COOKIES", True)
CSRF_COOKIE_SECURE = env_bool("DJANGO_SECURE_COOKIES", True)
SECURE_HSTS_SECONDS = env_int("DJANGO_HSTS_SECONDS", 0)
# Administrators and dispatchers confirm every sign-in with a TOTP code.
OPENCITY_REQUIRE_2FA = env_bool("OPENCITY_REQUIRE_2FA", True)

# Media storage stays as base settings chose it (the file system, or S3 when OPENCITY_S3_BUCKET is set).
STORAGES = {**STORAGES, "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"}}
