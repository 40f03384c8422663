"""The alert form. It checks formats; alerts.services decides what may be saved, and its messages
come back as form errors (geo.forms.ServiceErrorsMixin)."""

from __future__ import annotations

from django import forms
from django.contrib.gis import forms as gis_forms
from django.contrib.gis.geos import MultiPolygon, Polygon
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from alerts.models import Alert, AlertFrequency, AlertKind
from alerts.services import AlertInput
from geo.forms import AreaWidget, ServiceErrorsMixin
from geo.models import District
from issues.models import CategoryGroup


class PointWidget(AreaWidget):
    """The same drawing map with a marker tool only."""

    geom_type = "POINT"
    raw_summary = _("Enter the point as GeoJSON instead")
    raw_hint = _(
        "A GeoJSON Point in WGS84 longitude/latitude, e.g. copied from a GIS program. "
        "A marker put on the map replaces it."
    )


class AreaField(gis_forms.MultiPolygonField):
    """One or more polygons: a single pasted Polygon is taken as a MultiPolygon of one."""

    def to_python(self, value):
        geometry = super().to_python(value)
        if isinstance(geometry, Polygon):
            return MultiPolygon(geometry, srid=geometry.srid)
        return geometry


class AlertForm(ServiceErrorsMixin, forms.Form):
    name = forms.CharField(
        label=_("Name"),
        required=False,
        max_length=100,
        help_text=_("For yourself, e.g. “Near home”. Optional."),
    )
    kind = forms.ChoiceField(
        label=_("Where"),
        choices=[(value, capfirst(label)) for value, label in AlertKind.choices],
        widget=forms.RadioSelect,
        initial=AlertKind.DISTRICT,
    )
    district = forms.ModelChoiceField(label=_("District"), queryset=District.objects.none(), required=False)
    area = AreaField(
        label=_("Area"),
        srid=4326,
        required=False,
        widget=AreaWidget(),
        help_text=_("Draw the area with the polygon or rectangle tool."),
        error_messages={
            "invalid_geom": _("The area could not be read; draw it again."),
            "invalid_geom_type": _("The area must be one or more polygons."),
        },
    )
    center = gis_forms.PointField(
        label=_("Point"),
        srid=4326,
        required=False,
        widget=PointWidget(),
        help_text=_("Put a marker with the marker tool."),
        error_messages={
            "invalid_geom": _("The point could not be read; put the marker again."),
            "invalid_geom_type": _("Put a single marker."),
        },
    )
    radius_m = forms.IntegerField(
        label=_("Distance around the point, metres"), required=False, min_value=1, max_value=1_000_000
    )
    category_groups = forms.ModelMultipleChoiceField(
        label=_("Kinds of problems"),
        queryset=CategoryGroup.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("None chosen: every kind."),
    )
    new_reports = forms.BooleanField(label=_("New reports"), required=False, initial=True)
    status_changes = forms.BooleanField(label=_("Status changes"), required=False)
    frequency = forms.ChoiceField(
        label=_("How often"),
        choices=[(value, capfirst(label)) for value, label in AlertFrequency.choices],
        widget=forms.RadioSelect,
        initial=AlertFrequency.DAILY,
    )
    emails_on = forms.BooleanField(label=_("Send me e-mails"), required=False, initial=True)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["district"].queryset = District.objects.order_by("name_uk")
        self.fields["category_groups"].queryset = CategoryGroup.objects.order_by("order", "code")

    @classmethod
    def initial_for(cls, alert: Alert) -> dict:
        return {
            "name": alert.name,
            "kind": alert.kind,
            "district": alert.district_id,
            "area": alert.area,
            "center": alert.center,
            "radius_m": alert.radius_m,
            "category_groups": list(alert.category_groups.all()),
            "new_reports": alert.new_reports,
            "status_changes": alert.status_changes,
            "frequency": alert.frequency,
            "emails_on": alert.emails_on,
        }

    def alert_input(self) -> AlertInput:
        data = self.cleaned_data
        return AlertInput(
            kind=data["kind"],
            name=data["name"],
            district=data["district"],
            area=data["area"],
            center=data["center"],
            radius_m=data["radius_m"],
            category_groups=list(data["category_groups"]),
            new_reports=data["new_reports"],
            status_changes=data["status_changes"],
            frequency=data["frequency"],
            emails_on=data["emails_on"],
        )
