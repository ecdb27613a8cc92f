"""The back office's view of money: every payment with its gateway state, refunds, notifications,
saved cards and the ledger. Money rows are read-only here; the one write is reconciliation with
the gateway, through the same services the app uses."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from polis.money import format_rub
from polis.payments import services
from polis.payments.gateways.base import GatewayError
from polis.payments.models import GatewayEvent, LedgerEntry, Payment, PaymentItem, Refund, SavedCard


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class PaymentItemInline(admin.TabularInline):
    model = PaymentItem
    extra = 0
    can_delete = False
    fields = ("policy", "description", "amount_kopecks")
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class LedgerInline(admin.TabularInline):
    model = LedgerEntry
    fk_name = "payment"
    extra = 0
    can_delete = False
    fields = ("created_at", "account", "policy", "amount_kopecks", "refund", "memo")
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Payment)
class PaymentAdmin(admin.ModelAdmin):
    list_display = ("created_at", "user", "purpose", "amount", "status", "gateway_status", "gateway", "last_checked_at")
    list_filter = ("status", "purpose", "gateway", "gateway_status")
    search_fields = ("=id", "gateway_payment_id", "subject_key", "user__email", "user__phone", "receipt_contact")
    list_select_related = ("user",)
    date_hierarchy = "created_at"
    readonly_fields = [f.name for f in Payment._meta.fields]
    inlines = [PaymentItemInline, LedgerInline]
    actions = ["reconcile"]

    @admin.display(description=_("сумма"), ordering="amount_kopecks")
    def amount(self, obj: Payment) -> str:
        return format_rub(obj.amount_kopecks)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.action(description=_("Сверить со шлюзом"))
    def reconcile(self, request: HttpRequest, queryset: QuerySet[Payment]) -> None:
        for payment in queryset:
            try:
                note = services.payment_reconcile_manually(payment_id=payment.pk, staff=request.user)  # type: ignore[arg-type]
            except GatewayError as failure:
                self.message_user(
                    request,
                    _("Платёж %(id)s: шлюз не ответил (%(err)s).") % {"id": payment.pk, "err": failure},
                    messages.ERROR,
                )
                continue
            self.log_change(request, payment, note)
            self.message_user(request, note, messages.INFO)


@admin.register(Refund)
class RefundAdmin(admin.ModelAdmin):
    list_display = ("created_at", "payment", "policy", "amount", "status", "gateway_refund_id", "reason")
    list_filter = ("status",)
    search_fields = ("=id", "gateway_refund_id", "payment__gateway_payment_id", "policy__number")
    list_select_related = ("payment", "policy")
    readonly_fields = [f.name for f in Refund._meta.fields]
    actions = ["reconcile"]

    @admin.display(description=_("сумма"), ordering="amount_kopecks")
    def amount(self, obj: Refund) -> str:
        return format_rub(obj.amount_kopecks)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.action(description=_("Сверить со шлюзом"))
    def reconcile(self, request: HttpRequest, queryset: QuerySet[Refund]) -> None:
        for refund in queryset:
            try:
                refund = services.refund_refresh(refund_id=refund.pk)
            except (GatewayError, services.PaymentError) as failure:
                self.message_user(request, f"{refund.pk}: {failure}", messages.ERROR)
                continue
            self.message_user(request, f"{refund.pk}: {refund.get_status_display()}", messages.INFO)


@admin.register(GatewayEvent)
class GatewayEventAdmin(ReadOnlyAdmin):
    list_display = ("received_at", "gateway", "event_type", "object_id", "deliveries", "handling", "remote_addr")
    list_filter = ("gateway", "handling", "event_type")
    search_fields = ("object_id", "dedupe_key")
    readonly_fields = [f.name for f in GatewayEvent._meta.fields]


@admin.register(SavedCard)
class SavedCardAdmin(ReadOnlyAdmin):
    list_display = ("user", "title", "gateway", "bound_at", "unbound_at", "agreement_version")
    list_filter = ("gateway",)
    search_fields = ("user__email", "user__phone", "method_id")
    list_select_related = ("user",)
    readonly_fields = [f.name for f in SavedCard._meta.fields]


@admin.register(LedgerEntry)
class LedgerEntryAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "account", "policy", "amount", "payment", "refund", "memo")
    list_filter = ("account",)
    search_fields = ("policy__number", "memo")
    list_select_related = ("policy", "payment", "refund")
    readonly_fields = [f.name for f in LedgerEntry._meta.fields]

    @admin.display(description=_("сумма"), ordering="amount_kopecks")
    def amount(self, obj: LedgerEntry) -> str:
        return format_rub(obj.amount_kopecks)
