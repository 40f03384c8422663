from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DashboardConfig(AppConfig):
    """Leadership's read model: figures computed from the issues' event log, pages, exports, API."""

    name = "dashboard"
    verbose_name = _("Dashboard")

    def ready(self) -> None:
        from dashboard import receivers  # noqa: F401 — refreshes the pre-aggregated tables on every event
