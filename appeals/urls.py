"""The appeals' pages under /appeals/: the citizen's form and "my appeals", the general department's
desk, the unit's queue."""

from django.urls import path  # noqa: F401

app_name = "appeals"
urlpatterns: list = []
