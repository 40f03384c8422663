"""Forms of the outage desk and the budget page's filters. Forms check formats; the services
(geo/services.py) decide what is allowed and their messages come back as form errors."""

from __future__ import annotations

from django import forms
from django.contrib.gis import forms as gis_forms
from django.middleware.csp import get_nonce
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _
from leaflet.forms.widgets import LeafletWidget

from accounts.models import Executor
from geo.models import BudgetSector, BudgetStatus, OutageKind, OutageNature
from opencity.errors import DomainError

DATETIME_LOCAL = "%Y-%m-%dT%H:%M"


class DateTimeLocalInput(forms.DateTimeInput):
    """The browser's own date and time picker, in the community's time zone."""

    input_type = "datetime-local"

    def __init__(self, attrs=None) -> None:
        super().__init__(attrs=attrs, format=DATETIME_LOCAL)


class AreaWidget(LeafletWidget):
    """The Leaflet drawing map (django-leaflet bundles Leaflet.draw, served from our static files),
    with the GeoJSON text offered too: drawing needs a mouse or a finger, pasting works from a
    keyboard or a GIS program."""

    template_name = "geo/widgets/area.html"
    geom_type = "MULTIPOLYGON"
    raw_summary = _("Enter the area as GeoJSON instead")
    raw_hint = _(
        "A GeoJSON Polygon or MultiPolygon in WGS84 longitude/latitude, e.g. exported from QGIS. "
        "Drawing on the map replaces it."
    )

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        context.update(raw_summary=self.raw_summary, raw_hint=self.raw_hint)
        return context


def sign_map_scripts(form: forms.BaseForm, request) -> forms.BaseForm:
    """Give the form's django-leaflet maps the request's Content-Security-Policy nonce: their set-up
    is an inline script, which the policy runs only with it. The nonce goes in as a string: a lazy
    one would be copied with the form's fields and draw a different value from the header's."""
    for field in form.fields.values():
        sign_map_widget(field.widget, request)
    return form


def sign_map_widget(widget: forms.Widget, request) -> None:
    if isinstance(widget, LeafletWidget):
        widget.csp_nonce = str(get_nonce(request))


def _datetime_field(label, *, required: bool = True, help_text: str = "") -> forms.DateTimeField:
    return forms.DateTimeField(
        label=label,
        required=required,
        help_text=help_text,
        widget=DateTimeLocalInput(),
        input_formats=[DATETIME_LOCAL, "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S"],
    )


def _area_field() -> gis_forms.MultiPolygonField:
    return gis_forms.MultiPolygonField(
        label=_("Area"),
        srid=4326,
        widget=AreaWidget(),
        help_text=_("Draw the zone with the polygon or rectangle tool; several polygons are allowed."),
        error_messages={
            "required": _("Draw the area of the outage on the map."),
            "invalid_geom": _("The area could not be read; draw it again."),
            "invalid_geom_type": _("The area must be one or more polygons."),
        },
    )


class ServiceErrorsMixin:
    """Show a service's refusal on the form: its field messages on the fields, the rest on top."""

    def add_service_error(self, error: DomainError) -> None:
        if not error.fields:
            self.add_error(None, str(error.message))
        for name, messages in error.fields.items():
            for message in messages if isinstance(messages, list | tuple) else [messages]:
                self.add_error(name if name in self.fields else None, str(message))


class OutagePublishForm(ServiceErrorsMixin, forms.Form):
    kind = forms.ChoiceField(
        label=_("What is cut off"), choices=[(value, capfirst(label)) for value, label in OutageKind.choices]
    )
    nature = forms.ChoiceField(
        label=_("Planned or emergency"), choices=[(value, capfirst(label)) for value, label in OutageNature.choices]
    )
    provider = forms.ModelChoiceField(label=_("Provider"), queryset=Executor.objects.none(), empty_label=None)
    starts_at = _datetime_field(_("Starts at"))
    expected_end_at = _datetime_field(
        _("Expected end"),
        required=False,
        help_text=_("Required for a planned outage; may be unknown for an emergency."),
    )
    area = _area_field()
    affected_streets = forms.CharField(
        label=_("Affected streets and buildings"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("As residents know them, e.g. “Stryiska St. 1–45; Shevchenka St. 2–10 (even)”."),
    )
    public_notes = forms.CharField(
        label=_("Notice to residents"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("The reason, where water trucks stand, whom to call."),
    )
    reference = forms.CharField(label=_("Provider's reference"), required=False, max_length=64)

    def __init__(self, *args, providers, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["provider"].queryset = providers
        if len(providers) == 1:
            self.fields["provider"].initial = providers[0]


class OutageEditForm(ServiceErrorsMixin, forms.Form):
    area = _area_field()
    affected_streets = OutagePublishForm.base_fields["affected_streets"]
    public_notes = OutagePublishForm.base_fields["public_notes"]


class OutageExtendForm(ServiceErrorsMixin, forms.Form):
    expected_end_at = _datetime_field(_("New expected end"))
    note = forms.CharField(
        label=_("Notice to residents"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Why it takes longer."),
    )


class OutageCloseForm(ServiceErrorsMixin, forms.Form):
    ended_at = _datetime_field(
        _("Supply restored at"),
        required=False,
        help_text=_("Leave empty for now. An outage that has not started is cancelled."),
    )
    note = forms.CharField(label=_("Notice to residents"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class BudgetFilterForm(forms.Form):
    """The budget page's filters (GET). Unknown values are reported and ignored."""

    year = forms.TypedChoiceField(label=_("Year"), coerce=int, choices=(), required=False, empty_value=None)
    sector = forms.ChoiceField(
        label=_("Sector"),
        required=False,
        choices=[("", _("All sectors")), *((value, capfirst(label)) for value, label in BudgetSector.choices)],
    )
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("All statuses")), *((value, capfirst(label)) for value, label in BudgetStatus.choices)],
    )

    def __init__(self, *args, years: list[int], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["year"].choices = [(year, str(year)) for year in years]
