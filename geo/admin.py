from django.contrib import admin
from leaflet.admin import LeafletGeoAdmin

from geo.models import CommunityBoundary, District


@admin.register(CommunityBoundary)
class CommunityBoundaryAdmin(LeafletGeoAdmin):
    list_display = ("name", "code", "valid_from", "valid_until")


@admin.register(District)
class DistrictAdmin(LeafletGeoAdmin):
    list_display = ("code", "name_uk", "name_en", "kind")
    list_filter = ("kind",)
    search_fields = ("code", "name_uk", "name_en")
