"""Turning a map report into an appeal and back: the dispatcher's and the clerks' actions."""

from django.urls import path

from appeals import conversion_views

app_name = "appeal_conversion"
urlpatterns = [
    # A map report's reference (DRH-2026-000123): the dispatcher makes it an appeal.
    path("from-report/<str:ref>/", conversion_views.appeal_from_issue_page, name="from_issue"),
    # An appeal's registration number: the general department makes it a map report.
    path("<str:ref>/to-report/", conversion_views.issue_from_appeal_page, name="to_issue"),
]
