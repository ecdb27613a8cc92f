"""Paying co-pay invoices: by hand (several at once, on the gateway's page) or automatically from
the card bound at activation (SOGAZ); and what a succeeded invoice payment does.

What a payment pays is named by its subject key, "copay:<invoice>@<paid so far>,…": the same
invoices in the same paid state are the same subject, so two tabs share one pending payment, and
a state once paid cannot be paid again (payments refuses a COPAY subject that already
succeeded). The success effect reads the "paid so far" back: it adds the money only to an invoice
still in that state, so applying a payment twice changes nothing.
"""

import logging
from collections.abc import Iterable
from contextlib import suppress
from dataclasses import dataclass
from typing import Any

from django.db.models import F
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from polis import clock
from polis.accounts.models import User
from polis.billing.invoices import selectors
from polis.billing.models import CopayInvoice, FranchiseActivation, InvoiceStatus
from polis.billing.services import autopay_cap_kopecks
from polis.billing.services.common import receipt_contact_for
from polis.coverage.models import FranchiseActivation as Method
from polis.money import format_rub
from polis.notify.models import Notification
from polis.notify.services import notification_create
from polis.payments import services as payments
from polis.payments.gateways.base import GatewayError
from polis.payments.models import Payment, PaymentItem, PaymentPurpose, PaymentStatus
from polis.payments.services import ItemSpec, PaymentError

logger = logging.getLogger("polis.billing")

SUBJECT_PREFIX = "copay:"
SUBJECT_LIMIT = 200  # Payment.subject_key's length


class InvoiceNotFound(PaymentError):
    """An invoice that is not among the viewer's (someone else's, or none at all)."""


# ── The subject key ─────────────────────────────────────────────────────────────────────────


def subject_key(invoices: Iterable[CopayInvoice]) -> str:
    return SUBJECT_PREFIX + ",".join(f"{inv.pk}@{inv.paid_kopecks}" for inv in sorted(invoices, key=lambda i: i.pk))


def paid_before(key: str) -> dict[int, int]:
    """invoice id → what was paid on it when the payment started, read back from the key."""
    if not key.startswith(SUBJECT_PREFIX):
        return {}
    found = {}
    for part in key.removeprefix(SUBJECT_PREFIX).split(","):
        pk, _sep, paid = part.partition("@")
        if pk.isdigit() and paid.isdigit():
            found[int(pk)] = int(paid)
    return found


# ── Paying by hand ──────────────────────────────────────────────────────────────────────────


@dataclass(frozen=True)
class ToPay:
    invoice: CopayInvoice
    amount: int


def invoices_to_pay(*, user: User, invoice_ids: Iterable[Any]) -> list[ToPay]:
    """The invoices ticked, each the viewer's and each with something payable now; otherwise a
    refusal that names the invoice and says why."""
    ids = sorted({int(pk) for pk in invoice_ids})
    if not ids:
        raise PaymentError(_("Отметьте счета, которые хотите оплатить."))
    found = {inv.pk: inv for inv in selectors.invoices_for_user(user=user).filter(pk__in=ids)}
    chosen = []
    for pk in ids:
        invoice = found.get(pk)
        if invoice is None:
            raise InvoiceNotFound(_("Счёт не найден среди ваших счетов. Обновите страницу и отметьте счета заново."))
        chosen.append(ToPay(invoice=invoice, amount=_payable_or_refuse(invoice)))
    return chosen


def _payable_or_refuse(invoice: CopayInvoice) -> int:
    number = invoice.number
    if invoice.status == InvoiceStatus.CANCELLED:
        raise PaymentError(
            _("Счёт № %(number)s отменён (%(why)s): оплачивать его не нужно.")
            % {"number": number, "why": (invoice.cancel_reason or _("реестр исправлен клиникой")).rstrip(".")}
        )
    if invoice.status == InvoiceStatus.PAID:
        raise PaymentError(_("Счёт № %(number)s уже оплачен.") % {"number": number})
    amount = selectors.payable_kopecks(invoice)
    if amount <= 0:
        if getattr(invoice, "held_kopecks", 0):
            raise PaymentError(
                _(
                    "По счёту № %(number)s вся неоплаченная сумма оспаривается: "
                    "до ответа на несогласие оплачивать нечего."
                )
                % {"number": number}
            )
        raise PaymentError(_("По счёту № %(number)s оплачивать нечего.") % {"number": number})
    return amount


def _item(to_pay: ToPay) -> ItemSpec:
    invoice = to_pay.invoice
    return ItemSpec(
        policy=invoice.policy,
        amount_kopecks=to_pay.amount,
        description=_("Франшиза по счёту № %(number)s: %(name)s")
        % {"number": invoice.number, "name": invoice.policy.insured.full_name},
        invoice_id=invoice.pk,
    )


def _description(invoices: list[CopayInvoice]) -> str:
    numbers = ", ".join(inv.number for inv in invoices)
    return ngettext("Оплата франшизы: счёт № %(numbers)s", "Оплата франшизы: счета № %(numbers)s", len(invoices)) % {
        "numbers": numbers
    }


def _checked_key(chosen: list[ToPay]) -> str:
    key = subject_key(c.invoice for c in chosen)
    if len(key) <= SUBJECT_LIMIT:
        return key
    fits = 0
    while len(subject_key(c.invoice for c in chosen[: fits + 1])) <= SUBJECT_LIMIT:
        fits += 1
    raise PaymentError(
        _("За один платёж можно оплатить не больше %(n)s счетов: отметьте меньше, остальные оплатите следующим.")
        % {"n": fits}
    )


def _refuse_if_paying_elsewhere(*, user: User, chosen: list[ToPay], key: str) -> None:
    """A chosen invoice that is already in another unfinished payment (another selection, another
    tab, the holder's relative with their own account) would be paid twice: ask the gateway how
    that payment stands, and refuse while it is still open."""
    ids = [c.invoice.pk for c in chosen]
    items = (
        PaymentItem.objects.filter(
            invoice_id__in=ids, payment__purpose=PaymentPurpose.COPAY, payment__status=PaymentStatus.PENDING
        )
        .exclude(payment__subject_key=key)
        .select_related("payment", "invoice")
    )
    for item in items:
        payment = item.payment
        if payment.gateway_payment_id:
            # When the gateway cannot say, the payment counts as still open.
            with suppress(GatewayError):
                payment = payments.payment_refresh(payment_id=payment.pk)
        if payment.status != PaymentStatus.PENDING:
            continue
        assert item.invoice is not None
        if payment.user_id != user.pk:
            raise PaymentError(
                _("Счёт № %(number)s сейчас оплачивает другой человек. Дождитесь, пока его оплата завершится.")
                % {"number": item.invoice.number}
            )
        raise PaymentError(
            _(
                "Счёт № %(number)s уже в начатой оплате на %(sum)s. Завершите её (ссылка «Продолжить оплату» "
                "вверху страницы) или отмените, и отметьте счета снова."
            )
            % {"number": item.invoice.number, "sum": format_rub(payment.amount_kopecks)}
        )


def invoices_pay_start(
    *, user: User, invoice_ids: Iterable[Any], return_url: str, receipt_contact: str = ""
) -> Payment:
    """One payment for the invoices ticked, each for what is payable on it now (the co-pay of
    lines under an open dispute is left for later). Returns the payment whose confirmation_url the
    payer opens; its success runs copay_succeeded. Must not be called inside a transaction: it
    talks to the gateway. Refusals are PaymentError (InvoiceNotFound for another's invoice)."""
    chosen = invoices_to_pay(user=user, invoice_ids=invoice_ids)
    key = _checked_key(chosen)
    _refuse_if_paying_elsewhere(user=user, chosen=chosen, key=key)
    return payments.payment_start(
        user=user,
        purpose=PaymentPurpose.COPAY,
        items=[_item(c) for c in chosen],
        description=_description([c.invoice for c in chosen]),
        subject_key=key,
        return_url=return_url,
        receipt_contact=receipt_contact or receipt_contact_for(user),
    )


# ── The success effect ──────────────────────────────────────────────────────────────────────


def copay_succeeded(payment: Payment) -> None:
    """ON_SUCCEEDED["copay"]: inside the transaction that marks the payment succeeded. Each item's
    amount goes onto its invoice with a conditional UPDATE (only while the invoice is in the paid
    state the payment started from, so a repeated call adds nothing); an invoice whose payable
    part is now covered becomes «Оплачен». The payer is told once."""
    expected = paid_before(payment.subject_key)
    paid_at = payment.succeeded_at or clock.now()
    applied: list[tuple[CopayInvoice, int]] = []
    done_items = set(payment.receipt.get("applied_items", [])) | set(payment.receipt.get("credited_items", []))
    for item in payment.items.filter(invoice__isnull=False).order_by("invoice_id"):
        invoice_id = item.invoice_id
        assert invoice_id is not None
        if item.pk in done_items:
            continue  # a repeated call: this part of the payment went where it goes already
        before = expected.get(invoice_id)
        if before is None:
            logger.warning("payment %s: invoice %s is not in its subject key; not applied", payment.pk, invoice_id)
            continue
        if CopayInvoice.objects.filter(pk=invoice_id, status=InvoiceStatus.CANCELLED).exists():
            # The clinic's corrected registry cancelled the invoice while this payment was under way.
            _credit_to_deposit(item, payment, _("Оплата отменённого счёта"))
            continue
        moved = (
            CopayInvoice.objects.filter(pk=invoice_id, paid_kopecks=before)
            .exclude(status=InvoiceStatus.CANCELLED)
            .update(paid_kopecks=F("paid_kopecks") + item.amount_kopecks)
        )
        if not moved:
            # payments calls this once per payment, so another payment got to this invoice first
            # (two devices at once), or it was cancelled meanwhile: the money goes to the deposit.
            logger.warning(
                "payment %s: invoice %s is no longer at %s paid; credited to the deposit",
                payment.pk,
                invoice_id,
                before,
            )
            _credit_to_deposit(item, payment, _("Повторная оплата счёта"))
            continue
        payment.receipt = {**payment.receipt, "applied_items": [*payment.receipt.get("applied_items", []), item.pk]}
        Payment.objects.filter(pk=payment.pk).update(receipt=payment.receipt)
        held = selectors.held_back_kopecks(invoice_id=invoice_id)
        CopayInvoice.objects.filter(
            pk=invoice_id, status=InvoiceStatus.NEW, paid_kopecks__gte=F("due_kopecks") - held
        ).update(status=InvoiceStatus.PAID, paid_at=paid_at)
        applied.append((CopayInvoice.objects.get(pk=invoice_id), item.amount_kopecks))
    if applied:
        _notify_paid(payment.user, applied)


def _credit_to_deposit(item: PaymentItem, payment: Payment, why: str) -> None:
    """Co-pay money no invoice can take moves to the person's deposit (a ledger move), where it
    counts towards the next invoice or comes back with the deposit refund. Once per item: the
    payment remembers the items it credited, so a repeated call moves nothing again."""
    from polis.payments.models import LedgerAccount

    credited = list(payment.receipt.get("credited_items", []))
    if item.pk in credited:
        return
    payments.ledger_move(
        policy_id=item.policy_id,
        source=LedgerAccount.COPAY,
        target=LedgerAccount.DEPOSIT,
        amount_kopecks=item.amount_kopecks,
        memo=f"{why}: платёж {str(payment.pk)[:8]}",
    )
    payment.receipt = {**payment.receipt, "credited_items": [*credited, item.pk]}
    Payment.objects.filter(pk=payment.pk).update(receipt=payment.receipt)


def _notify_paid(user: User, applied: list[tuple[CopayInvoice, int]]) -> None:
    numbers = ", ".join(inv.number for inv, _amount in applied)
    all_paid = all(inv.status == InvoiceStatus.PAID for inv, _amount in applied)
    if all_paid:
        title = ngettext("Счёт № %(numbers)s оплачен", "Счета № %(numbers)s оплачены", len(applied))
    else:
        title = ngettext(
            "Оплата по счёту № %(numbers)s получена", "Оплата по счетам № %(numbers)s получена", len(applied)
        )
    lines = []
    for invoice, amount in applied:
        line = _("Счёт № %(number)s: получено %(sum)s") % {"number": invoice.number, "sum": format_rub(amount)}
        if invoice.status != InvoiceStatus.PAID and invoice.outstanding_kopecks:
            line += _(", осталось оплатить %(sum)s") % {"sum": format_rub(invoice.outstanding_kopecks)}
        lines.append(line)
    notification_create(
        user=user, title=title % {"numbers": numbers}, body="\n".join(lines), link=reverse("invoices:list")
    )


# ── Automatic charges of a bound card ───────────────────────────────────────────────────────


@dataclass(frozen=True)
class AutoCharge:
    """What invoices_autocharge did with one invoice: a payment (succeeded, canceled by the bank,
    or pending until the gateway answers), or why it charged nothing."""

    invoice: CopayInvoice
    payment: Payment | None = None
    skipped: str = ""

    @property
    def outcome(self) -> str:
        return self.payment.status if self.payment is not None else "skipped"


def invoices_autocharge(*, invoice_ids: Iterable[int]) -> list[AutoCharge]:
    """Charge each invoice whose person's franchise was activated by a bound card to that card,
    for what is payable on it (the co-pay of lines under an open dispute waits). An invoice above
    the auto-payment cap, or with nothing payable, is left for the person to pay by hand. Safe to
    repeat: a paid state is never charged twice (payments refuses the same COPAY subject), and a
    charge under way is continued, not doubled. Must not be called inside a transaction."""
    invoices = list(
        selectors.with_dispute_figures(CopayInvoice.objects.filter(pk__in=list(invoice_ids)))
        .select_related("policy__insured", "policy__holder")
        .order_by("pk")
    )
    activations = {
        a.policy_id: a
        for a in FranchiseActivation.objects.filter(
            policy_id__in=[inv.policy_id for inv in invoices], ended_at__isnull=True
        ).select_related("card__user")
    }
    cap = autopay_cap_kopecks()
    results = []
    for invoice in invoices:
        activation = activations.get(invoice.policy_id)
        card = activation.card if activation is not None and activation.method == Method.CARD else None
        amount = selectors.payable_kopecks(invoice)
        if card is None or card.unbound_at is not None:
            results.append(AutoCharge(invoice, skipped=_("франшиза активирована не привязкой карты")))
        elif amount <= 0:
            results.append(AutoCharge(invoice, skipped=_("оплачивать нечего")))
        elif amount > cap:
            results.append(AutoCharge(invoice, skipped=_("сумма больше предела автоплатежа")))
            _notify_over_cap(card.user, invoice, amount, cap)
        elif _declined_before(invoice):
            results.append(AutoCharge(invoice, skipped=_("банк уже отклонил списание: счёт оплачивается вручную")))
        else:
            results.append(_charge(card=card, invoice=invoice, amount=amount))
    return results


def _declined_before(invoice: CopayInvoice) -> bool:
    # One automatic attempt per paid state: after the bank said no, the person pays by hand (a
    # second run of the task must not keep knocking on the card).
    return Payment.objects.filter(
        subject_key=subject_key([invoice]), card__isnull=False, status=PaymentStatus.CANCELED
    ).exists()


def _charge(*, card: Any, invoice: CopayInvoice, amount: int) -> AutoCharge:
    to_pay = ToPay(invoice=invoice, amount=amount)
    try:
        payment = payments.charge_saved_card(
            card=card,
            purpose=PaymentPurpose.COPAY,
            items=[_item(to_pay)],
            description=_description([invoice]),
            subject_key=subject_key([invoice]),
            receipt_contact=receipt_contact_for(card.user),
        )
    except PaymentError as refusal:
        logger.warning("invoice %s: automatic charge refused: %s", invoice.pk, refusal.message)
        return AutoCharge(invoice, skipped=refusal.message)
    if payment.status == PaymentStatus.CANCELED:
        notification_create(
            user=card.user,
            title=_("Не удалось списать оплату счёта № %(number)s с карты") % {"number": invoice.number},
            body=_("%(why)s. Оплатите счёт на %(sum)s в разделе «Мои счета» до %(date)s.")
            % {
                "why": (payment.cancel_reason or _("Банк не подтвердил списание")).rstrip("."),
                "sum": format_rub(amount),
                "date": invoice.due_on.strftime("%d.%m.%Y"),
            },
            link=reverse("invoices:detail", args=[invoice.pk]),
        )
    return AutoCharge(invoice, payment=payment)


def _notify_over_cap(user: User, invoice: CopayInvoice, amount: int, cap: int) -> None:
    title = _("Счёт № %(number)s нужно оплатить самостоятельно") % {"number": invoice.number}
    if Notification.objects.filter(user=user, title=title).exists():
        return  # told already, by an earlier run
    notification_create(
        user=user,
        title=title,
        body=_(
            "Сумма %(sum)s больше предела автоплатежа %(cap)s, поэтому с карты она не списана. "
            "Оплатите счёт в разделе «Мои счета» до %(date)s."
        )
        % {"sum": format_rub(amount), "cap": format_rub(cap), "date": invoice.due_on.strftime("%d.%m.%Y")},
        link=reverse("invoices:detail", args=[invoice.pk]),
    )
