"""Test settings. The test suite starts its own throwaway cluster unless DATABASE_URL is set
(see tests/conftest.py), so DATABASES here is only a placeholder for the no-URL case."""

import os

from .base import *  # noqa: F403
from .base import DATABASE_OPTIONS, DATABASES

SECRET_KEY = "test-only-not-a-secret"
DEBUG = False
ALLOWED_HOSTS = ["*"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # speed; tests only
# Tasks go to the database queue as in production; tests that want their effects at once use
# the `immediate_tasks` fixture, the others run the worker (`db_worker --batch`).
# Each test process has its own cache (rate-limit counters), cleared by tests that count.
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
OPENCITY_TILE_URL = ""
LEAFLET_CONFIG = {**LEAFLET_CONFIG, "TILES": []}  # noqa: F405
MEDIA_ROOT = os.environ.get("OPENCITY_TEST_MEDIA_ROOT", "/tmp/opencity-test-media")  # noqa: S108
# Tests never write to a bucket named in the environment; the S3 tests configure their own server.
STORAGES = {**STORAGES, "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"}}  # noqa: F405
# The documented defaults, whatever the developer's environment says: tests assert exact messages.
OPENCITY_MAX_PHOTO_MB = 15
OPENCITY_MAX_VIDEO_MB = 100
OPENCITY_MAX_DOCUMENT_MB = 20
OPENCITY_MAX_IMAGE_PIXELS = 40_000_000
OPENCITY_MAX_VIDEO_SECONDS = 60
OPENCITY_MEDIA_WEB_SIZE = 1600
OPENCITY_MEDIA_THUMBNAIL_SIZE = 320
OPENCITY_MEDIA_UNATTACHED_HOURS = 24
OPENCITY_MEDIA_UPLOADS_PER_HOUR = 120
# API throttles out of the way of tests that call an endpoint many times; tests of the throttles
# set their own rates.
OPENCITY_REQUIRE_2FA = False  # the two-factor tests switch it on
OPENCITY_API_ANON_RATE = OPENCITY_API_USER_RATE = OPENCITY_API_AUTH_RATE = "100000/minute"

# A replica is configured by the tests that use one (tests/ops), never from the environment.
DATABASES.pop("replica", None)
if not DATABASES:
    # Filled in by tests/conftest.py once the throwaway cluster is up.
    DATABASES = {
        "default": {
            "ENGINE": "django.contrib.gis.db.backends.postgis",
            "NAME": "opencity",
            "USER": "postgres",
            "HOST": "",
            "PORT": "",
            "OPTIONS": dict(DATABASE_OPTIONS),
        }
    }
