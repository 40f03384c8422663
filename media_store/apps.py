from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MediaStoreConfig(AppConfig):
    name = "media_store"
    verbose_name = _("Photos and videos")

    def ready(self) -> None:
        from media_store import checks  # noqa: F401 — registers the system checks
