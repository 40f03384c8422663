from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from leaflet.admin import LeafletGeoAdmin

from geo.forms import sign_map_widget
from geo.gazetteer import normalize_house_number, normalize_name, transliterate_uk
from geo.models import (
    AddressPoint,
    BudgetProject,
    BudgetProjectPhoto,
    CommunityBoundary,
    District,
    DutyContact,
    Outage,
    OutageEvent,
    OutageKindGrant,
    Street,
)
from media_store.errors import MediaRejected
from media_store.services import photo_clean_upload


class MapAdmin(LeafletGeoAdmin):
    """django-leaflet's admin with the Content-Security-Policy nonce on its map widgets' inline
    set-up. (django-leaflet looks for `request.csp_nonce`, django-csp's name; Django's own CSP
    support keeps the nonce elsewhere.)"""

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        field = super().formfield_for_dbfield(db_field, request, **kwargs)
        if field is not None and request is not None:
            sign_map_widget(field.widget, request)
        return field


@admin.register(OutageKindGrant)
class OutageKindGrantAdmin(admin.ModelAdmin):
    """Which provider may publish which outage kinds: reference data, edited here."""

    list_display = ("executor", "kind")
    list_filter = ("kind",)
    autocomplete_fields = ["executor"]


@admin.register(CommunityBoundary)
class CommunityBoundaryAdmin(MapAdmin):
    list_display = ("name", "code", "valid_from", "valid_until")


@admin.register(District)
class DistrictAdmin(MapAdmin):
    list_display = ("code", "name_uk", "name_en", "kind")
    list_filter = ("kind",)
    search_fields = ("code", "name_uk", "name_en")


class StreetForm(forms.ModelForm):
    """A street as an administrator corrects it: its search forms follow its names (the English one
    is transliterated when left empty), as the import does."""

    class Meta:
        model = Street
        fields = ("name_uk", "name_en", "kind", "district", "geom")

    def clean(self):
        cleaned = super().clean()
        name_uk = (cleaned.get("name_uk") or "").strip()
        if name_uk:
            cleaned["name_en"] = (cleaned.get("name_en") or "").strip() or transliterate_uk(name_uk)
            self.instance.search_uk = normalize_name(name_uk)
            self.instance.search_en = normalize_name(cleaned["name_en"])
        return cleaned


@admin.register(Street)
class StreetAdmin(MapAdmin):
    form = StreetForm
    list_display = ("name_uk", "kind", "name_en", "district")
    list_filter = ("kind", "district")
    search_fields = ("name_uk", "name_en")


class AddressPointForm(forms.ModelForm):
    class Meta:
        model = AddressPoint
        fields = ("street", "house_number", "point", "postcode")

    def clean_house_number(self):
        house_number = (self.cleaned_data.get("house_number") or "").strip()
        key = normalize_house_number(house_number)
        if not key:
            raise forms.ValidationError(_("This is not a house number (e.g. 9, 9А, 12/3)."))
        self.instance.house_key = key
        return house_number


@admin.register(AddressPoint)
class AddressPointAdmin(MapAdmin):
    form = AddressPointForm
    list_display = ("street", "house_number", "postcode")
    search_fields = ("street__name_uk", "street__name_en", "house_number")
    autocomplete_fields = ["street"]
    list_select_related = ("street",)


class BudgetProjectPhotoForm(forms.ModelForm):
    """Budget photos are public: a new upload is checked by content and re-encoded without its
    metadata (the EXIF GPS position of whoever took it) before it is stored."""

    class Meta:
        model = BudgetProjectPhoto
        fields = ("image", "caption", "taken_on", "order")

    def clean_image(self):
        image = self.cleaned_data.get("image")
        if image and "image" in self.changed_data:
            try:
                return photo_clean_upload(uploaded_file=image)
            except MediaRejected as error:
                raise forms.ValidationError(str(error.message)) from error
        return image


class BudgetProjectPhotoInline(admin.TabularInline):
    model = BudgetProjectPhoto
    form = BudgetProjectPhotoForm
    extra = 1
    fields = ("image", "caption", "taken_on", "order")


@admin.register(BudgetProject)
class BudgetProjectAdmin(MapAdmin):
    list_display = ("code", "title_uk", "budget_year", "sector", "status", "planned_amount", "spent_amount", "executor")
    list_filter = ("budget_year", "sector", "status", "executor")
    search_fields = ("code", "title_uk", "title_en", "contractor", "prozorro_tender_id")
    autocomplete_fields = ["executor"]
    inlines = [BudgetProjectPhotoInline]
    readonly_fields = ("created_at", "updated_at")
    fieldsets = (
        (None, {"fields": ("code", "title_uk", "title_en", "sector", "status", "budget_year")}),
        (_("Where"), {"fields": ("geom",)}),
        (_("Money"), {"fields": ("planned_amount", "spent_amount")}),
        (
            _("Who and when"),
            {"fields": ("executor", "contractor", "start_date", "end_date", "prozorro_tender_id")},
        ),
        (_("Description"), {"fields": ("description_uk", "description_en")}),
        (_("Record"), {"fields": ("created_at", "updated_at")}),
    )


class OutageEventInline(admin.TabularInline):
    """The outage's notices: written by the services only, so read-only here."""

    model = OutageEvent
    extra = 0
    can_delete = False
    fields = ("at", "kind", "actor", "note", "data")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Outage)
class OutageAdmin(MapAdmin):
    """Corrections by administrators. Day-to-day publishing goes through the outage desk
    (/outages/manage/), which checks who acts and writes the notices the feeds carry."""

    list_display = ("__str__", "kind", "nature", "provider", "starts_at", "expected_end_at", "ended_at")
    list_filter = ("kind", "nature", "provider")
    search_fields = ("affected_streets", "public_notes", "reference")
    date_hierarchy = "starts_at"
    autocomplete_fields = ["provider", "published_by"]
    readonly_fields = ("created_at", "updated_at")
    inlines = [OutageEventInline]


@admin.register(DutyContact)
class DutyContactAdmin(admin.ModelAdmin):
    list_display = ("code", "name_uk", "phones", "is_emergency", "order", "is_active")
    list_editable = ("order", "is_active")
    list_filter = ("is_emergency", "is_active")
    search_fields = ("code", "name_uk", "name_en")
