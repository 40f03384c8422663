"""/dashboard/: leadership's pages, the printable summary and the exports."""

from django.urls import path

from dashboard import views

app_name = "dashboard"

urlpatterns = [
    path("", views.dashboard_page, name="page"),
    path("print/", views.dashboard_print, name="print"),
    path("overdue/<slug:code>/", views.dashboard_overdue, name="overdue"),
    path("export/<slug:table>.<slug:extension>", views.dashboard_export, name="export"),
]
