from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MediaStoreConfig(AppConfig):
    name = "media_store"
    verbose_name = _("Photos and videos")
