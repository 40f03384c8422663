"""WSGI entry point (gunicorn opencity.wsgi)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "opencity.settings.production")
application = get_wsgi_application()
