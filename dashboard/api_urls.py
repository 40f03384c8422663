"""The dashboard's part of /api/v1/ (included into the `api` namespace by opencity/urls.py)."""

from django.urls import path

from dashboard.api import DashboardApi
from dashboard.appeals_views import AppealStatisticsApi

urlpatterns = [
    path("dashboard/", DashboardApi.as_view(), name="dashboard"),
    path("dashboard/appeals/", AppealStatisticsApi.as_view(), name="dashboard-appeals"),  # public: counts only
]
