from django.urls import path

from geo import feeds, views

app_name = "geo"

urlpatterns = [
    path("geo/territory.geojson", views.territory_geojson, name="territory"),
    path("budget/", views.budget_page, name="budget"),
    path("budget/<int:pk>/", views.budget_detail, name="budget-detail"),
    path("outages/", views.outages_page, name="outages"),
    path("outages/<int:pk>/", views.outage_detail, name="outage-detail"),
    path("outages/planned.ics", feeds.planned_outages_ics, name="outages-ics"),
    path("outages/feed.atom", feeds.OutageNoticesFeed(), name="outages-atom"),
    path("outages/manage/", views.outage_desk, name="outage-desk"),
    path("outages/manage/new/", views.outage_new, name="outage-new"),
    path("outages/manage/<int:pk>/edit/", views.outage_edit, name="outage-edit"),
    path("outages/manage/<int:pk>/extend/", views.outage_extend_view, name="outage-extend"),
    path("outages/manage/<int:pk>/close/", views.outage_close_view, name="outage-close"),
    path("contacts/", views.contacts_page, name="contacts"),
]
