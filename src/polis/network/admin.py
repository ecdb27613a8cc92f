"""Back office for the clinic network: clinics and their kinds of care, metro stations,
specialties, doctors, their slots, online bookings and the clinics' price lists.

Times are shown in Moscow (ДД.ММ.ГГГГ ЧЧ:ММ) whatever zone the request runs in. Money is edited
in kopecks (the field says so) and shown next to them in rubles, as in the coverage admin.
"""

import datetime as dt
from typing import Any

from django import forms
from django.contrib import admin
from django.db import models
from django.db.models import Exists, OuterRef, QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from polis import clock
from polis.coverage.models import ServiceCategory
from polis.money import format_rub
from polis.network.models import (
    Booking,
    BookingStatus,
    Clinic,
    ClinicCare,
    Doctor,
    MetroStation,
    PriceListItem,
    Slot,
    Specialty,
)


def moscow_time(value: dt.datetime | None) -> str:
    if value is None:
        return "—"
    return value.astimezone(clock.local_zone()).strftime("%d.%m.%Y %H:%M")


class ClinicCareInline(admin.TabularInline):
    model = ClinicCare
    extra = 0


class DoctorOfClinicInline(admin.TabularInline):
    """The clinic's doctors as links: they are edited on their own page (or imported)."""

    model = Doctor
    fields = ("full_name", "specialty", "qualification", "is_active")
    readonly_fields = fields
    extra = 0
    show_change_link = True
    can_delete = False
    verbose_name_plural = _("врачи клиники")

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def get_queryset(self, request: HttpRequest) -> QuerySet[Doctor]:
        return super().get_queryset(request).select_related("specialty")

    @admin.display(description=_("ФИО"))
    def full_name(self, obj: Doctor) -> str:
        return obj.full_name


@admin.register(Clinic)
class ClinicAdmin(admin.ModelAdmin):
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    list_display = (
        "name", "code", "city", "metro", "price_category", "is_franchise", "has_online_booking", "is_active",
    )  # fmt: skip
    list_filter = ("city", "price_category", "is_franchise", "has_online_booking", "is_active", "care__kind")
    search_fields = ("name", "code", "legal_name", "address", "metro", "inn")
    inlines = [ClinicCareInline, DoctorOfClinicInline]
    fieldsets = (
        (None, {"fields": ("name", "code", "legal_name", "inn", "kpp", "is_active")}),
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


@admin.register(MetroStation)
class MetroStationAdmin(admin.ModelAdmin):
    list_display = ("name", "line", "city", "latitude", "longitude")
    list_filter = ("city",)
    search_fields = ("name", "line")


@admin.register(Specialty)
class SpecialtyAdmin(admin.ModelAdmin):
    list_display = ("name", "code", "kind", "doctor_total")
    list_filter = ("kind",)
    search_fields = ("name", "code")

    def get_queryset(self, request: HttpRequest) -> QuerySet[Specialty]:
        return super().get_queryset(request).annotate(doctor_total=models.Count("doctors"))

    @admin.display(description=_("врачей"), ordering="doctor_total")
    def doctor_total(self, obj: Any) -> int:
        return obj.doctor_total


@admin.register(Doctor)
class DoctorAdmin(admin.ModelAdmin):
    list_display = ("full_name", "specialty", "clinic", "experience", "qualification", "is_active")
    list_filter = ("specialty", "clinic__city", "is_active")
    list_select_related = ("specialty", "clinic")
    search_fields = ("last_name", "first_name", "patronymic", "external_id", "clinic__name", "clinic__code")
    autocomplete_fields = ("clinic", "specialty")
    fieldsets = (
        (None, {"fields": ("clinic", "external_id", "specialty", "is_active")}),
        (_("Врач"), {"fields": ("last_name", "first_name", "patronymic")}),
        (_("Опыт и образование"), {"fields": ("practising_since", "qualification", "education")}),
    )

    @admin.display(description=_("ФИО"), ordering="last_name")
    def full_name(self, obj: Doctor) -> str:
        return obj.full_name

    @admin.display(description=_("стаж, лет"), ordering="-practising_since")
    def experience(self, obj: Doctor) -> str:
        years = obj.experience_years
        return "—" if years is None else str(years)


def _active_booking() -> Exists:
    return Exists(Booking.objects.filter(slot=OuterRef("pk"), status=BookingStatus.ACTIVE))


class SlotBookedFilter(admin.SimpleListFilter):
    title = _("запись")
    parameter_name = "booked"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, Any]]:
        return [("yes", _("занят")), ("no", _("свободен"))]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        if self.value() == "yes":
            return queryset.filter(_active_booking())
        if self.value() == "no":
            return queryset.exclude(_active_booking())
        return queryset


class SlotForm(forms.ModelForm):
    class Meta:
        model = Slot
        fields = ("doctor", "starts_at", "ends_at", "is_blocked")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        # The clinic is the doctor's (denormalised), set before the model validates itself.
        if doctor := data.get("doctor"):
            self.instance.clinic_id = doctor.clinic_id
        return data


@admin.register(Slot)
class SlotAdmin(admin.ModelAdmin):
    form = SlotForm
    list_display = ("starts", "doctor_name", "specialty", "clinic", "booked", "is_blocked")
    list_filter = (SlotBookedFilter, "is_blocked", "clinic__city", "doctor__specialty")
    list_select_related = ("doctor__specialty", "clinic")
    search_fields = ("doctor__last_name", "doctor__first_name", "clinic__name", "clinic__code")
    date_hierarchy = "starts_at"
    autocomplete_fields = ("doctor",)
    readonly_fields = ("clinic",)
    fields = ("doctor", "clinic", "starts_at", "ends_at", "is_blocked")
    ordering = ("starts_at",)

    def get_queryset(self, request: HttpRequest) -> QuerySet[Slot]:
        return super().get_queryset(request).annotate(is_booked=_active_booking())

    @admin.display(description=_("начало (МСК)"), ordering="starts_at")
    def starts(self, obj: Slot) -> str:
        return moscow_time(obj.starts_at)

    @admin.display(description=_("врач"), ordering="doctor__last_name")
    def doctor_name(self, obj: Slot) -> str:
        return obj.doctor.full_name

    @admin.display(description=_("специальность"))
    def specialty(self, obj: Slot) -> str:
        return obj.doctor.specialty.name

    @admin.display(description=_("занят"), boolean=True, ordering="is_booked")
    def booked(self, obj: Any) -> bool:
        return bool(obj.is_booked)


@admin.register(Booking)
class BookingAdmin(admin.ModelAdmin):
    list_display = ("visit_time", "person", "policy", "clinic", "doctor", "status", "created")
    list_filter = (
        "status",
        ("slot__starts_at", admin.DateFieldListFilter),
        "cancelled_by_clinic",
        "slot__clinic__city",
    )
    list_select_related = ("slot__doctor__specialty", "slot__clinic", "policy__insured")
    search_fields = (
        "policy__number", "policy__insured__last_name", "policy__insured__first_name", "slot__doctor__last_name",
        "slot__clinic__name",
    )  # fmt: skip
    date_hierarchy = "slot__starts_at"
    raw_id_fields = ("slot",)
    autocomplete_fields = ("policy",)
    # Who booked and when, the cancellation and the reminder are the trail of what happened:
    # only the booking services write them.
    readonly_fields = (
        "visit_time", "booked_by", "created_at", "cancelled_at", "cancelled_by_clinic", "cancel_reason",
        "rescheduled_to", "reminder_sent_at",
    )  # fmt: skip
    fieldsets = (
        (None, {"fields": ("slot", "visit_time", "policy", "status")}),
        (
            _("История"),
            {
                "fields": (
                    "booked_by", "created_at", "cancelled_at", "cancelled_by_clinic", "cancel_reason",
                    "rescheduled_to", "reminder_sent_at",
                )
            },
        ),
    )  # fmt: skip

    def get_readonly_fields(self, request: HttpRequest, obj: Booking | None = None) -> Any:
        # Another slot or another person is another booking (cancel, then book; or reschedule).
        if obj is not None:
            return (*self.readonly_fields, "slot", "policy")
        return self.readonly_fields

    def save_model(self, request: HttpRequest, obj: Booking, form: Any, change: bool) -> None:
        if not change:
            obj.booked_by = request.user  # type: ignore[assignment]
        super().save_model(request, obj, form, change)

    @admin.display(description=_("приём (МСК)"), ordering="slot__starts_at")
    def visit_time(self, obj: Booking) -> str:
        return moscow_time(obj.slot.starts_at) if obj.slot_id else "—"

    @admin.display(description=_("застрахованный"), ordering="policy__insured__last_name")
    def person(self, obj: Booking) -> str:
        return obj.policy.insured.full_name

    @admin.display(description=_("клиника"), ordering="slot__clinic__name")
    def clinic(self, obj: Booking) -> str:
        return obj.slot.clinic.name

    @admin.display(description=_("врач"))
    def doctor(self, obj: Booking) -> str:
        return str(obj.slot.doctor)

    @admin.display(description=_("создана"), ordering="created_at")
    def created(self, obj: Booking) -> str:
        return moscow_time(obj.created_at)


class PriceCategoryFilter(admin.SimpleListFilter):
    title = _("категория")
    parameter_name = "category"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, Any]]:
        return list(ServiceCategory.choices)

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        return queryset.filter(service_category=self.value()) if self.value() else queryset


class PriceListItemForm(forms.ModelForm):
    # The model keeps any category string an import brings; here a person picks a known one.
    service_category = forms.ChoiceField(label=_("категория"), choices=ServiceCategory.choices)

    class Meta:
        model = PriceListItem
        fields = ("clinic", "code", "federal_code", "name", "service_category", "price_kopecks", "valid_from")


@admin.register(PriceListItem)
class PriceListItemAdmin(admin.ModelAdmin):
    form = PriceListItemForm
    list_display = ("clinic", "code", "federal_code", "name", "category", "price", "valid_from")
    list_filter = (PriceCategoryFilter, "clinic__city", ("clinic", admin.RelatedOnlyFieldListFilter))
    list_select_related = ("clinic",)
    search_fields = ("code", "federal_code", "name", "clinic__name", "clinic__code")
    autocomplete_fields = ("clinic",)
    readonly_fields = ("price_rub",)
    fields = (
        "clinic",
        "code",
        "federal_code",
        "name",
        "service_category",
        ("price_kopecks", "price_rub"),
        "valid_from",
    )

    @admin.display(description=_("категория"), ordering="service_category")
    def category(self, obj: PriceListItem) -> str:
        try:
            return str(ServiceCategory(obj.service_category).label)
        except ValueError:
            return obj.service_category

    @admin.display(description=_("цена"), ordering="price_kopecks")
    def price(self, obj: PriceListItem) -> str:
        return format_rub(obj.price_kopecks)

    @admin.display(description=_("в рублях"))
    def price_rub(self, obj: PriceListItem) -> str:
        return format_rub(obj.price_kopecks) if obj.price_kopecks is not None else "—"
