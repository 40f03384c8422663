"""Turning a map report into an appeal and back: the dispatcher's and the clerks' actions."""

from django.urls import path  # noqa: F401

app_name = "appeal_conversion"
urlpatterns: list = []
