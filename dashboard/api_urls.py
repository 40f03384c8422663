"""The dashboard's part of /api/v1/ (included into the `api` namespace by opencity/urls.py)."""

from django.urls import path

from dashboard.api import DashboardApi

urlpatterns = [
    path("dashboard/", DashboardApi.as_view(), name="dashboard"),
]
