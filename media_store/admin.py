from django.contrib import admin, messages
from django.db.models import ProtectedError
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from media_store.models import MediaAsset
from media_store.services import media_delete, media_reprocess


@admin.register(MediaAsset)
class MediaAssetAdmin(admin.ModelAdmin):
    """Uploads are read-only here: they are created by media_intake() (checked and stripped of
    metadata) and deleted through media_delete(), which removes their files too."""

    list_display = (
        "preview",
        "public_id",
        "kind",
        "status",
        "content_type",
        "size_bytes",
        "uploaded_by",
        "created_at",
        "attached_at",
    )
    list_filter = ("kind", "status", ("attached_at", admin.EmptyFieldListFilter))
    search_fields = ("=public_id", "sha256", "uploaded_by__username")
    date_hierarchy = "created_at"
    list_select_related = ("uploaded_by",)
    actions = ["reprocess"]
    readonly_fields = [field.name for field in MediaAsset._meta.fields if field.name != "id"] + ["preview"]
    fields = readonly_fields

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    @admin.display(description=_("preview"))
    def preview(self, asset: MediaAsset) -> str:
        url = asset.thumbnail_url
        if not url:
            return "—"
        return format_html('<img src="{}" alt="" height="120">', url)

    def has_reprocess_permission(self, request) -> bool:
        """Reprocessing runs ffmpeg and Pillow over stored files again: staff with the model's change
        permission only (the admin's own change view stays read-only for everyone)."""
        return request.user.has_perm("media_store.change_mediaasset")

    @admin.action(description=_("Process the selected media again"), permissions=["reprocess"])
    def reprocess(self, request, queryset) -> None:
        count = 0
        for asset in queryset:
            media_reprocess(asset=asset)
            count += 1
        self.message_user(
            request,
            ngettext("%(count)d file queued for processing.", "%(count)d files queued for processing.", count)
            % {"count": count},
        )

    def delete_model(self, request, obj: MediaAsset) -> None:
        media_delete(asset=obj)

    def delete_queryset(self, request, queryset) -> None:
        for asset in queryset:
            try:
                media_delete(asset=asset)
            except ProtectedError:
                self.message_user(
                    request, _("%(asset)s is still in use and was kept.") % {"asset": asset}, messages.WARNING
                )
