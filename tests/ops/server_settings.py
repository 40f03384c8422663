"""Settings for the web servers and workers that tests/ops starts as separate processes: the test
settings (DATABASE_URL from the environment, pointing at the suite's test database), but with the
database cache, as in production, so that rate-limit counters are shared between the processes."""

from opencity.settings.test import *  # noqa: F403

CACHES = {"default": {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "opencity_cache"}}
