from django.contrib import admin
from django.db import models
from django.utils.translation import gettext_lazy as _

from polis.network.models import Clinic, ClinicCare


class ClinicCareInline(admin.TabularInline):
    model = ClinicCare
    extra = 0


@admin.register(Clinic)
class ClinicAdmin(admin.ModelAdmin):
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    list_display = ("name", "city", "metro", "price_category", "is_franchise", "has_online_booking", "is_active")
    list_filter = ("city", "price_category", "is_franchise", "has_online_booking", "is_active", "care__kind")
    search_fields = ("name", "legal_name", "address", "metro", "inn")
    inlines = [ClinicCareInline]
    fieldsets = (
        (None, {"fields": ("name", "legal_name", "inn", "kpp", "is_active")}),
        (_("Где"), {"fields": ("city", "address", "metro", "latitude", "longitude")}),
        (_("Контакты"), {"fields": ("phones", "website", "email", "opening_hours")}),
        (
            _("Условия"),
            {"fields": ("price_category", "is_franchise", "has_online_booking", "has_access_control")},
        ),
    )


@admin.register(ClinicCare)
class ClinicCareAdmin(admin.ModelAdmin):
    list_display = ("clinic", "kind")
    list_filter = ("kind", "clinic__city")
    list_select_related = ("clinic",)
    search_fields = ("clinic__name",)
    autocomplete_fields = ("clinic",)
