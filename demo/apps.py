from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DemoConfig(AppConfig):
    """Tooling, not domain: the Drohobych demo loader and the generator of large test cities."""

    name = "demo"
    verbose_name = _("Demo data")
