from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class Open311Config(AppConfig):
    """Open311 GeoReport v2: an integration protocol on top of the issues domain."""

    name = "open311"
    verbose_name = _("Open311")
