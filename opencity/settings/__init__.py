"""Settings split by purpose: base (shared), local (development), test, production.

DJANGO_SETTINGS_MODULE picks one; manage.py defaults to local, pytest to test.
"""
