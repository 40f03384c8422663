"""Version 1 of the map layers' API, included under /api/v1/ by opencity/urls.py."""

from django.urls import path

from geo.api import tiles, views

app_name = "geo_api"

urlpatterns = [
    path("budget-projects/", views.BudgetProjectLayer.as_view(), name="budget-projects"),
    path("outages/", views.OutageLayer.as_view(), name="outages"),
    path("outages/at/", views.OutagesAtPoint.as_view(), name="outages-at"),
    # Vector tiles: z/x/y are taken as text and validated by the view, so a bad one is a 400 with
    # a message, not a 404 that reads as "no such layer".
    path("tiles/budget/<str:z>/<str:x>/<str:y>.mvt", tiles.BudgetTileApi.as_view(), name="tiles-budget"),
    path("tiles/budget.json", tiles.BudgetTileJsonApi.as_view(), name="tilejson-budget"),
    path("tiles/outages/<str:z>/<str:x>/<str:y>.mvt", tiles.OutageTileApi.as_view(), name="tiles-outages"),
    path("tiles/outages.json", tiles.OutageTileJsonApi.as_view(), name="tilejson-outages"),
    path("addresses/", views.AddressSearch.as_view(), name="addresses"),
    path("addresses/reverse/", views.AddressReverse.as_view(), name="addresses-reverse"),
]
