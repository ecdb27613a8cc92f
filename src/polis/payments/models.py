"""Money that moves through a gateway, and the ledger that every movement writes.

Balances are never stored: a person's deposit is the sum of their ledger entries on the deposit
account. Invariant (tested): succeeded payments = deposits held + co-pay paid + refunded.
The card number never reaches us: the gateway's hosted page takes it; we keep its method id.
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from polis import clock


class Gateway(models.TextChoices):
    SANDBOX = "sandbox", _("Песочница")
    YOOKASSA = "yookassa", _("ЮKassa")


class PaymentPurpose(models.TextChoices):
    DEPOSIT = "deposit", _("Неснижаемый авансовый платёж")
    COPAY = "copay", _("Оплата счетов по франшизе")
    CARD_BINDING = "card_binding", _("Привязка карты")


class PaymentStatus(models.TextChoices):
    PENDING = "pending", _("Ожидает оплаты")
    SUCCEEDED = "succeeded", _("Оплачен")
    CANCELED = "canceled", _("Не прошёл")


class Payment(models.Model):
    """One attempt to take money. Created (and committed) before the gateway is called; the
    gateway's answer is applied once, whichever of the return page, the notification or the
    reconciliation task sees it first."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="payments", verbose_name=_("плательщик")
    )
    purpose = models.CharField(_("назначение"), max_length=20, choices=PaymentPurpose.choices)
    amount_kopecks = models.BigIntegerField(_("сумма, коп."))
    description = models.CharField(_("описание"), max_length=128)
    status = models.CharField(_("статус"), max_length=10, choices=PaymentStatus.choices, default=PaymentStatus.PENDING)
    gateway = models.CharField(_("шлюз"), max_length=20, choices=Gateway.choices)
    gateway_payment_id = models.CharField(_("id в шлюзе"), max_length=64, unique=True, null=True, blank=True)
    gateway_status = models.CharField(_("статус в шлюзе"), max_length=40, blank=True)
    idempotence_key = models.UUIDField(_("ключ идемпотентности"), default=uuid.uuid4, unique=True, editable=False)
    confirmation_url = models.URLField(_("страница оплаты"), max_length=500, blank=True)
    # Where the payer goes after our return page (a local path of the app that started it).
    return_url = models.CharField(_("куда вернуться после оплаты"), max_length=500, blank=True)
    # What is being paid, canonically ("deposit:policies=12,15"): at most one pending payment per
    # subject, so two tabs paying the same thing share one payment.
    subject_key = models.CharField(_("предмет"), max_length=200)
    save_card = models.BooleanField(_("сохранить карту для автоплатежей"), default=False)
    # Set for an automatic charge of a saved card (no payer present): if we crash before storing
    # the gateway's answer, reconciliation repeats the charge with the same idempotence key.
    card = models.ForeignKey(
        "SavedCard", on_delete=models.PROTECT, null=True, blank=True, related_name="charges", verbose_name=_("карта")
    )
    receipt_contact = models.CharField(_("куда прислать чек"), max_length=254, blank=True)
    receipt = models.JSONField(_("данные чека (54-ФЗ)"), default=dict, blank=True)
    created_at = models.DateTimeField(_("создан"), default=clock.now)
    succeeded_at = models.DateTimeField(_("оплачен"), null=True, blank=True)
    canceled_at = models.DateTimeField(_("отменён"), null=True, blank=True)
    cancel_reason = models.CharField(_("причина отказа"), max_length=200, blank=True)
    last_checked_at = models.DateTimeField(_("последняя сверка со шлюзом"), null=True, blank=True)

    class Meta:
        verbose_name = _("платёж")
        verbose_name_plural = _("платежи")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["subject_key"], condition=Q(status="pending"), name="one_pending_payment_per_subject"
            ),
            models.CheckConstraint(condition=Q(amount_kopecks__gte=0), name="payment_amount_not_negative"),
        ]
        indexes = [models.Index(fields=["status", "created_at"])]

    def __str__(self) -> str:
        return f"{self.get_purpose_display()} {self.amount_kopecks / 100:.2f} ₽ ({self.get_status_display()})"


class PaymentItem(models.Model):
    """What one part of a payment pays for: the deposit of one insured person on one policy, or
    one co-pay invoice."""

    payment = models.ForeignKey(Payment, on_delete=models.CASCADE, related_name="items", verbose_name=_("платёж"))
    policy = models.ForeignKey(
        "coverage.Policy", on_delete=models.PROTECT, related_name="payment_items", verbose_name=_("полис")
    )
    amount_kopecks = models.BigIntegerField(_("сумма, коп."))
    description = models.CharField(_("за что"), max_length=200)
    invoice = models.ForeignKey(
        "billing.CopayInvoice",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="payment_items",
        verbose_name=_("счёт"),
    )

    class Meta:
        verbose_name = _("строка платежа")
        verbose_name_plural = _("строки платежа")

    def __str__(self) -> str:
        return self.description


class RefundStatus(models.TextChoices):
    PENDING = "pending", _("Выполняется")
    SUCCEEDED = "succeeded", _("Деньги возвращены")
    CANCELED = "canceled", _("Не выполнен")


class Refund(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    payment = models.ForeignKey(Payment, on_delete=models.PROTECT, related_name="refunds", verbose_name=_("платёж"))
    policy = models.ForeignKey(
        "coverage.Policy", on_delete=models.PROTECT, related_name="refunds", verbose_name=_("полис")
    )
    amount_kopecks = models.BigIntegerField(_("сумма, коп."))
    status = models.CharField(_("статус"), max_length=10, choices=RefundStatus.choices, default=RefundStatus.PENDING)
    gateway_refund_id = models.CharField(_("id в шлюзе"), max_length=64, unique=True, null=True, blank=True)
    idempotence_key = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    reason = models.CharField(_("основание"), max_length=200)
    receipt = models.JSONField(_("данные чека возврата"), default=dict, blank=True)
    created_at = models.DateTimeField(_("создан"), default=clock.now)
    succeeded_at = models.DateTimeField(_("выполнен"), null=True, blank=True)

    class Meta:
        verbose_name = _("возврат")
        verbose_name_plural = _("возвраты")
        ordering = ["-created_at", "-pk"]
        constraints = [models.CheckConstraint(condition=Q(amount_kopecks__gt=0), name="refund_amount_positive")]

    def __str__(self) -> str:
        return f"Возврат {self.amount_kopecks / 100:.2f} ₽"


class GatewayEvent(models.Model):
    """A notification from a gateway, stored before it is acted on (Zulip's habit): a repeated
    delivery is the same row, and what was done with each is visible."""

    class Handling(models.TextChoices):
        RECEIVED = "received", _("получено")
        PROCESSED = "processed", _("обработано")
        IGNORED = "ignored", _("пропущено")
        FAILED = "failed", _("ошибка")

    gateway = models.CharField(_("шлюз"), max_length=20, choices=Gateway.choices)
    dedupe_key = models.CharField(_("ключ"), max_length=200, unique=True)
    event_type = models.CharField(_("событие"), max_length=60)
    object_id = models.CharField(_("объект"), max_length=64, blank=True)
    payload = models.JSONField(_("тело"), default=dict)
    remote_addr = models.GenericIPAddressField(_("отправитель"), null=True, blank=True)
    received_at = models.DateTimeField(_("получено"), default=clock.now)
    deliveries = models.PositiveIntegerField(_("доставок"), default=1)
    handling = models.CharField(_("обработка"), max_length=10, choices=Handling.choices, default=Handling.RECEIVED)
    handled_at = models.DateTimeField(_("обработано"), null=True, blank=True)
    error = models.TextField(_("ошибка"), blank=True)

    class Meta:
        verbose_name = _("уведомление шлюза")
        verbose_name_plural = _("уведомления шлюза")
        ordering = ["-received_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.gateway}: {self.event_type} {self.object_id}"


class SavedCard(models.Model):
    """A card bound for automatic charges: only the gateway's method id and what it shows."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="saved_cards", verbose_name=_("владелец")
    )
    gateway = models.CharField(_("шлюз"), max_length=20, choices=Gateway.choices)
    method_id = models.CharField(_("id способа оплаты в шлюзе"), max_length=64)
    title = models.CharField(_("карта"), max_length=60, help_text="Visa •••• 4242")
    agreement_version = models.CharField(_("редакция соглашения об автоплатежах"), max_length=20)
    binding_payment = models.OneToOneField(
        Payment, on_delete=models.PROTECT, related_name="saved_card", verbose_name=_("платёж привязки")
    )
    bound_at = models.DateTimeField(_("привязана"), default=clock.now)
    unbound_at = models.DateTimeField(_("отвязана"), null=True, blank=True)

    class Meta:
        verbose_name = _("привязанная карта")
        verbose_name_plural = _("привязанные карты")
        constraints = [
            models.UniqueConstraint(
                fields=["user"], condition=Q(unbound_at__isnull=True), name="one_live_card_per_user"
            )
        ]

    def __str__(self) -> str:
        return self.title


class LedgerAccount(models.TextChoices):
    DEPOSIT = "deposit", _("Авансовый платёж (держим)")
    COPAY = "copay", _("Оплачено по франшизе")
    REFUNDED = "refunded", _("Возвращено")


class LedgerEntry(models.Model):
    """One movement of money, never edited. Signed amount on one account for one policy."""

    account = models.CharField(_("счёт"), max_length=10, choices=LedgerAccount.choices)
    policy = models.ForeignKey(
        "coverage.Policy", on_delete=models.PROTECT, related_name="ledger_entries", verbose_name=_("полис")
    )
    amount_kopecks = models.BigIntegerField(_("сумма, коп."))
    payment = models.ForeignKey(Payment, on_delete=models.PROTECT, null=True, blank=True, related_name="entries")
    refund = models.ForeignKey(Refund, on_delete=models.PROTECT, null=True, blank=True, related_name="entries")
    memo = models.CharField(_("основание"), max_length=200)
    created_at = models.DateTimeField(_("проведено"), default=clock.now)

    class Meta:
        verbose_name = _("проводка")
        verbose_name_plural = _("проводки")
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["policy", "account"])]
        constraints = [
            # A payment or a refund is booked once: its entries are written in the one transaction
            # that moves its status, so a second writer finds them there.
            models.UniqueConstraint(
                fields=["payment", "account", "policy"], condition=Q(refund__isnull=True), name="ledger_payment_once"
            ),
            models.UniqueConstraint(
                fields=["refund", "account", "policy"], condition=Q(refund__isnull=False), name="ledger_refund_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_account_display()} {self.amount_kopecks / 100:+.2f} ₽"


class SandboxPaymentState(models.Model):
    """The built-in sandbox gateway's own memory of a payment: what the tester chose on its hosted
    page. It stands in for the gateway's database, so the app reads it only through the sandbox
    adapter, exactly as it reads YooKassa through its API."""

    class Outcome(models.TextChoices):
        PENDING = "pending", _("в ожидании")
        SUCCEEDED = "succeeded", _("оплата прошла")
        CANCELED = "canceled", _("банк отказал")

    payment = models.OneToOneField(Payment, on_delete=models.CASCADE, related_name="sandbox_state")
    gateway_id = models.CharField(max_length=64, unique=True)
    status = models.CharField(max_length=10, choices=Outcome.choices, default=Outcome.PENDING)
    save_method = models.BooleanField(default=False)
    method_id = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(default=clock.now)
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("платёж в песочнице")
        verbose_name_plural = _("платежи в песочнице")

    def __str__(self) -> str:
        return f"{self.gateway_id}: {self.status}"
