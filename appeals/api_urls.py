"""The appeals' REST API under /api/v1/ (namespace api)."""

from django.urls import path  # noqa: F401

urlpatterns: list = []
