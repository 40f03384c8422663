"""The configuration every map page hands to its JavaScript: the shared city map (static/js/map.js)
and the budget and outage layers (static/js/layers.js). One place, used by the map, budget, outage
and dashboard pages of every app."""

from __future__ import annotations

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from geo.models import BudgetStatus, OutageKind


def map_config() -> dict:
    """What static/js/map.js needs to draw the shared city map."""
    return {
        "center": settings.OPENCITY_MAP_CENTER,
        "zoom": settings.OPENCITY_MAP_ZOOM,
        "tileUrl": settings.OPENCITY_TILE_URL,
        "tileAttribution": settings.OPENCITY_TILE_ATTRIBUTION,
        "territoryUrl": reverse("geo:territory"),
    }


def layers_config(**extra) -> dict:
    """What static/js/layers.js needs: the layer endpoints and its interface strings, translated."""
    return {
        "language": (get_language() or "uk")[:2],
        "timeZone": settings.OPENCITY_TIME_ZONE,
        "budgetUrl": reverse("geo_api:budget-projects"),
        "outagesUrl": reverse("geo_api:outages"),
        "outagesAtUrl": reverse("geo_api:outages-at"),
        "year": timezone.localdate().year,
        "labels": {
            "kind": {value: str(capfirst(label)) for value, label in OutageKind.choices},
            "status": {value: str(capfirst(label)) for value, label in BudgetStatus.choices},
        },
        "text": {
            "legend": _("Legend"),
            "upcomingDashed": _("Upcoming (dashed)"),
            "budgetLayer": _("Budget works"),
            "outagesLayer": _("Outages"),
            "planned": _("Planned"),
            "spent": _("Spent"),
            "contractor": _("Contractor"),
            "executor": _("Executor"),
            "dates": _("Dates"),
            "tender": _("Prozorro tender"),
            "details": _("Details"),
            "starts": _("Starts"),
            "expectedEnd": _("Expected end"),
            "unknown": _("not known yet"),
            "overdue": _("the expected end has passed; the provider has not confirmed the supply is back"),
            "activeNow": _("Now"),
            "upcoming": _("Upcoming"),
            "provider": _("Provider"),
            "streets": _("Streets"),
            "checking": _("Checking…"),
            "noOutages": _("No outages are known at this point, now or coming."),
            "affected": _("Outages at this point"),
            "checkFailed": _("Could not check this point. Try again."),
            "locating": _("Finding your location…"),
            "locationFailed": _("Your location is not available. Tap the map instead."),
            "chosenPoint": _("The point you chose"),
        },
        **extra,
    }
