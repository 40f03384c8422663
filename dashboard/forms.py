"""The dashboard's filters: one form for the page, the exports and the API, so a period or a
district is refused with the same message everywhere (a form error, or a 400 with field messages)."""

from __future__ import annotations

import datetime
from urllib.parse import urlencode

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dashboard.selectors import MAX_PERIOD_DAYS, DashboardFilter, dashboard_default_filter
from geo.models import District

DATE_FORMATS = ["%Y-%m-%d", "%d.%m.%Y"]
EARLIEST = datetime.date(2000, 1, 1)


class DashboardFilterForm(forms.Form):
    """`from` and `to` (dates, inclusive; default the last 30 days) and `district` (a code)."""

    def __init__(self, data=None, *, today: datetime.date | None = None) -> None:
        super().__init__(data)
        self.today = today or timezone.localdate()
        messages = {"invalid": _("Enter a date like 2026-12-31.")}
        date_input = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
        self.fields["from"] = forms.DateField(
            label=_("From"), required=False, input_formats=DATE_FORMATS, error_messages=messages, widget=date_input
        )
        self.fields["to"] = forms.DateField(
            label=_("To"), required=False, input_formats=DATE_FORMATS, error_messages=messages, widget=date_input
        )
        self.fields["district"] = forms.ChoiceField(
            label=_("District"),
            required=False,
            choices=[("", _("Whole community")), *((d.code, d.name) for d in District.objects.order_by("code"))],
            error_messages={"invalid_choice": _("There is no district “%(value)s”.")},
        )
        default = dashboard_default_filter(today=self.today)
        self.initial = {"from": default.start, "to": default.end, "district": ""}

    def clean(self) -> dict:
        data = super().clean()
        if self.errors:
            return data
        default = dashboard_default_filter(today=self.today)
        start = data.get("from") or (data.get("to") - datetime.timedelta(days=29) if data.get("to") else default.start)
        end = data.get("to") or (max(start, default.end) if data.get("from") else default.end)
        if start < EARLIEST:
            self.add_error("from", _("The period cannot start before 2000."))
        elif start > end:
            self.add_error("to", _("The end of the period is before its start."))
        elif (end - start).days + 1 > MAX_PERIOD_DAYS:
            self.add_error(
                "to", _("The period is too long: at most two years (%(days)d days).") % {"days": MAX_PERIOD_DAYS}
            )
        data["from"], data["to"] = start, end
        return data

    def to_filter(self) -> DashboardFilter:
        """The valid choice as the selectors take it (call after is_valid())."""
        code = self.cleaned_data.get("district")
        district = District.objects.get(code=code) if code else None
        return DashboardFilter(start=self.cleaned_data["from"], end=self.cleaned_data["to"], district=district)

    def query(self) -> str:
        """The choice as a query string for links (exports, print, overdue lists, sorting)."""

        f = self.to_filter()
        params = {"from": f.start.isoformat(), "to": f.end.isoformat()}
        if f.district:
            params["district"] = f.district.code
        return urlencode(params)
