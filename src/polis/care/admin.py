"""The back office's view of the desk: the desk's phones and hours are edited here; requests,
letters, visits and the rest are read here (their steps are taken in the desk's console, through
care.states, so that every change leaves its event)."""

from typing import Any

from django import forms
from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from polis.care.models import (
    AttachmentLetter,
    CareEvent,
    CareRequest,
    CareRequestFile,
    ClinicPass,
    DeskContact,
    Escalation,
    GuaranteeLetter,
    LetterService,
    ServiceModeChange,
    Visit,
)


class DeskContactForm(forms.ModelForm):
    class Meta:
        model = DeskContact
        fields = (
            "city",
            "title",
            "phone",
            "email",
            "order",
            "round_the_clock",
            "weekdays",
            "opens_at",
            "closes_at",
            "working_days_only",
            "time_zone",
            "hours",
        )

    def clean_weekdays(self) -> str:
        days = "".join(sorted(set((self.cleaned_data.get("weekdays") or "").replace(" ", ""))))
        if not days or any(d not in "1234567" for d in days):
            raise forms.ValidationError(_("Цифры от 1 (понедельник) до 7 (воскресенье), например 123456."))
        return days

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("round_the_clock"):
            for name in ("opens_at", "closes_at"):
                if data.get(name) is None and name not in self.errors:
                    self.add_error(name, _("Укажите часы работы или отметьте «круглосуточно»."))
        return data


@admin.register(DeskContact)
class DeskContactAdmin(admin.ModelAdmin):
    form = DeskContactForm
    list_display = (
        "title",
        "city",
        "phone",
        "round_the_clock",
        "weekdays",
        "opens_at",
        "closes_at",
        "working_days_only",
        "hours",
        "order",
    )
    list_editable = ("order",)
    list_filter = ("round_the_clock", "working_days_only", "city")
    search_fields = ("title", "city", "phone")
    fieldsets = (
        (None, {"fields": ("city", "title", "phone", "email", "order")}),
        (
            _("Часы работы (по времени города)"),
            {
                "fields": (
                    "round_the_clock",
                    "weekdays",
                    "opens_at",
                    "closes_at",
                    "working_days_only",
                    "time_zone",
                    "hours",
                ),
                "description": _(
                    "Личный кабинет показывает номер, который отвечает сейчас: открытый номер города, иначе "
                    "федеральный круглосуточный. «До» раньше «с» — смена через полночь. «Часы работы (текстом)» "
                    "видит застрахованный."
                ),
            },
        ),
    )


class ReadOnlyAdmin(admin.ModelAdmin):
    """Seen, not edited: a status changed here would skip its event and its checks."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class CareRequestFileInline(admin.TabularInline):
    model = CareRequestFile
    fields = ("name", "content_type", "size", "file")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(CareRequest)
class CareRequestAdmin(ReadOnlyAdmin):
    list_display = ("number", "policy", "kind", "urgency", "status", "created_at", "answered_at", "dispatcher")
    list_filter = ("status", "urgency", "kind")
    search_fields = ("number", "policy__number", "policy__insured__last_name")
    date_hierarchy = "created_at"
    list_select_related = ("policy", "dispatcher")
    inlines = [CareRequestFileInline]


@admin.register(CareRequestFile)
class CareRequestFileAdmin(ReadOnlyAdmin):
    list_display = ("name", "request", "content_type", "size")
    search_fields = ("name", "request__number")
    list_select_related = ("request",)


class LetterServiceInline(admin.TabularInline):
    model = LetterService
    fields = ("code", "name", "quantity")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(GuaranteeLetter)
class GuaranteeLetterAdmin(ReadOnlyAdmin):
    list_display = ("number", "clinic", "policy", "kind", "status", "valid_from", "valid_to", "received_at")
    list_filter = ("status", "kind")
    search_fields = ("number", "request__number", "policy__number", "clinic__name")
    date_hierarchy = "issued_at"
    list_select_related = ("clinic", "policy")
    inlines = [LetterServiceInline]


@admin.register(LetterService)
class LetterServiceAdmin(ReadOnlyAdmin):
    list_display = ("letter", "code", "name", "quantity")
    search_fields = ("letter__number", "code", "name")
    list_select_related = ("letter",)


@admin.register(Visit)
class VisitAdmin(ReadOnlyAdmin):
    list_display = ("starts_at", "clinic", "policy", "specialist", "status", "doctor_rating", "desk_rating")
    list_filter = ("status", "kind", "doctor_rating", "desk_rating")
    search_fields = ("request__number", "policy__number", "clinic__name", "doctor")
    date_hierarchy = "starts_at"
    list_select_related = ("clinic", "policy")


@admin.register(Escalation)
class EscalationAdmin(ReadOnlyAdmin):
    list_display = ("request", "to", "status", "created_at", "answered_at", "reopened")
    list_filter = ("status", "to", "reopened")
    search_fields = ("request__number",)
    list_select_related = ("request",)


@admin.register(ClinicPass)
class ClinicPassAdmin(ReadOnlyAdmin):
    list_display = ("request", "clinic", "status", "requested_at", "submitted_at")
    list_filter = ("status",)
    search_fields = ("request__number", "clinic__name")
    list_select_related = ("request", "clinic")


@admin.register(ServiceModeChange)
class ServiceModeChangeAdmin(ReadOnlyAdmin):
    list_display = ("policy", "clinic", "extra_premium_kopecks", "status", "requested_at", "paid_on")
    list_filter = ("status",)
    search_fields = ("policy__number", "clinic__name", "payment_reference")
    list_select_related = ("policy", "clinic")


@admin.register(AttachmentLetter)
class AttachmentLetterAdmin(ReadOnlyAdmin):
    list_display = ("number", "clinic", "policy", "status", "generated_on", "send_on", "valid_from", "valid_to")
    list_filter = ("status",)
    search_fields = ("number", "policy__number", "clinic__name")
    list_select_related = ("clinic", "policy")


@admin.register(CareEvent)
class CareEventAdmin(ReadOnlyAdmin):
    list_display = ("at", "action", "from_status", "to_status", "request", "letter", "actor")
    list_filter = ("action",)
    search_fields = ("request__number", "letter__number", "attachment__number")
    date_hierarchy = "at"
    list_select_related = ("request", "letter", "actor")
