"""Version 1 of the map layers' API, included under /api/v1/ by opencity/urls.py."""

from django.urls import path

from geo.api import views

app_name = "geo_api"

urlpatterns = [
    path("budget-projects/", views.BudgetProjectLayer.as_view(), name="budget-projects"),
    path("outages/", views.OutageLayer.as_view(), name="outages"),
    path("outages/at/", views.OutagesAtPoint.as_view(), name="outages-at"),
    path("addresses/", views.AddressSearch.as_view(), name="addresses"),
    path("addresses/reverse/", views.AddressReverse.as_view(), name="addresses-reverse"),
]
