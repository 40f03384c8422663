from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _

from accounts.models import Executor, ExecutorMembership, User


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    fieldsets = (
        *DjangoUserAdmin.fieldsets,
        (_("Open City"), {"fields": ("language", "phone", "email_confirmed_at")}),
    )
    list_display = ("username", "email", "first_name", "last_name", "is_staff", "language")


class MembershipInline(admin.TabularInline):
    model = ExecutorMembership
    extra = 1
    autocomplete_fields = ["user"]


@admin.register(Executor)
class ExecutorAdmin(admin.ModelAdmin):
    list_display = ("code", "name_uk", "name_en", "phone", "email", "supervisor", "is_active")
    list_filter = ("is_active",)
    search_fields = ("code", "name_uk", "name_en")
    inlines = [MembershipInline]
