"""Template filters of the map layers' pages."""

from __future__ import annotations

from decimal import Decimal

from django import template
from django.utils.formats import number_format
from django.utils.translation import gettext as _

register = template.Library()


@register.filter
def uah(value: Decimal | int | None) -> str:
    """An amount in hryvnias in the active language's number format: "1 250 000,00 грн"."""
    if value is None or value == "":
        return ""
    return _("%(amount)s UAH") % {"amount": number_format(value, decimal_pos=2, force_grouping=True)}


@register.filter
def amount(value: Decimal | int | None) -> str:
    """A number with two decimals in the active language's format, without the currency (tables
    say "UAH" in their headers): "1 250 000,00"."""
    if value is None or value == "":
        return ""
    return number_format(value, decimal_pos=2, force_grouping=True)


@register.filter
def percent_of(part: Decimal | None, whole: Decimal | None) -> int:
    """`part` as a whole percentage of `whole` (0 when there is no whole), for progress bars."""
    if not whole or part is None:
        return 0
    return max(0, min(100, round(Decimal(part) * 100 / Decimal(whole))))
