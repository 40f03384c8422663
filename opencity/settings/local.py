"""Development settings: DEBUG on, console e-mail, and the project's own cluster by default."""

import os

from .base import *  # noqa: F403
from .base import DATABASE_OPTIONS, DATABASES, env_bool, env_int

DEBUG = env_bool("DJANGO_DEBUG", True)
SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "local-development-only-not-a-secret")
ALLOWED_HOSTS = ["*"]

if "default" not in DATABASES:  # (DATABASES may hold only a replica from DATABASE_REPLICA_URL)
    from opencity.localdb import default_cluster

    DATABASES["default"] = default_cluster().django_settings()
    DATABASES["default"]["OPTIONS"] = dict(DATABASE_OPTIONS)
    # Persistent connections, as with a DATABASE_URL: a new PostgreSQL connection per request cost
    # the demo under gunicorn 20-30 ms a request (issue 13).
    DATABASES["default"]["CONN_MAX_AGE"] = env_int("DATABASE_CONN_MAX_AGE", 60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
