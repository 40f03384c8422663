"""How the dashboard writes its numbers: "—" for no value, spaces between thousands (Ukrainian
style), one decimal for shares and hours, local dates."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django import template
from django.utils import timezone
from django.utils.translation import gettext as _

register = template.Library()


@register.filter
def cell(value) -> str:
    """A table cell for people."""
    if value is None or value == "":
        return "—"
    if isinstance(value, datetime.datetime):
        return timezone.localtime(value).strftime("%d.%m.%Y")
    if isinstance(value, datetime.date):
        return value.strftime("%d.%m.%Y")
    if isinstance(value, Decimal):
        return f"{value:,.0f}".replace(",", "\u202f")
    if isinstance(value, float):
        return f"{value:,.1f}".replace(",", "\u202f").removesuffix(".0")
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value:,}".replace(",", "\u202f")
    return str(value)


@register.filter
def pct(value) -> str:
    """A share: "57.1 %", or "—" when nothing was judged."""
    return "—" if value is None else f"{cell(float(value))} %"


@register.filter
def hours(value) -> str:
    """A duration in hours, and in days past two days: "4 год", "86 год (3.6 д)"."""
    if value is None:
        return "—"

    text = _("%(hours)s h") % {"hours": cell(float(value))}
    if value >= 48:
        text += " (" + _("%(days)s d") % {"days": cell(round(value / 24, 1))} + ")"
    return text
