from django.urls import path

from geo import views

app_name = "geo"

urlpatterns = [
    path("geo/territory.geojson", views.territory_geojson, name="territory"),
]
