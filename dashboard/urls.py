"""/dashboard/: leadership's pages, the printable summary and the exports; the public appeals figures."""

from django.urls import path

from dashboard import appeals_views, views

app_name = "dashboard"

urlpatterns = [
    path("", views.dashboard_page, name="page"),
    path("print/", views.dashboard_print, name="print"),
    path("overdue/<slug:code>/", views.dashboard_overdue, name="overdue"),
    path("export/<slug:table>.<slug:extension>", views.dashboard_export, name="export"),
    path("appeals/", appeals_views.appeal_statistics_page, name="appeals"),  # public: counts only
]
