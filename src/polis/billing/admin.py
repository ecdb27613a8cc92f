"""The back office's view of activations, clinic notices and refund applications. Activations and
notices are written by the services only; here they are read (and a refund retried)."""

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from polis.billing.models import ClinicNotice, FranchiseActivation, RefundApplication
from polis.billing.services import FranchiseError, refund_application_process


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class ClinicNoticeInline(admin.TabularInline):
    model = ClinicNotice
    extra = 0
    can_delete = False
    readonly_fields = ["clinic", "sent_at", "due_on", "confirmed_at", "confirmed_by"]

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(FranchiseActivation)
class FranchiseActivationAdmin(ReadOnlyAdmin):
    list_display = ["policy", "method", "requested_at", "effective_at", "ended_at"]
    list_filter = ["method"]
    search_fields = ["policy__number", "policy__insured__last_name"]
    list_select_related = ["policy"]
    inlines = [ClinicNoticeInline]


@admin.register(ClinicNotice)
class ClinicNoticeAdmin(ReadOnlyAdmin):
    list_display = ["clinic", "activation", "sent_at", "due_on", "confirmed_at"]
    list_filter = [("confirmed_at", admin.EmptyFieldListFilter)]
    search_fields = ["clinic__name", "activation__policy__number"]
    list_select_related = ["clinic", "activation__policy"]


@admin.register(RefundApplication)
class RefundApplicationAdmin(ReadOnlyAdmin):
    list_display = ["policy", "applicant", "submitted_at", "amount_kopecks", "status", "refunds_started_at"]
    list_filter = ["status"]
    search_fields = ["policy__number", "policy__insured__last_name"]
    list_select_related = ["policy", "applicant"]
    actions = ["retry"]

    @admin.action(description=_("Повторить возврат (если долга по франшизе нет)"))
    def retry(self, request: HttpRequest, queryset: QuerySet[RefundApplication]) -> None:
        for application in queryset:
            try:
                refund_application_process(application_id=application.pk)
            except FranchiseError as error:
                self.message_user(request, f"{application}: {error.message}", messages.ERROR)
