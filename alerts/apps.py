from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AlertsConfig(AppConfig):
    name = "alerts"
    verbose_name = _("Area alerts")

    def ready(self) -> None:
        from alerts import receivers  # noqa: F401 — listens to issues.notifications.event_committed
