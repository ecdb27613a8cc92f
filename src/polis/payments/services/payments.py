"""Taking money: start a payment, learn its outcome from the gateway, apply it exactly once.

The order, always: record the intent and commit; call the gateway outside any transaction; then
record the outcome with a conditional UPDATE (pending → succeeded/canceled) in one transaction
with the ledger entries and the purpose's effect. Whoever sees the outcome first — the return
page, a notification, the reconciliation task — applies it; everyone after changes nothing.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

from polis import clock
from polis.accounts.models import User
from polis.coverage.selectors import policies_for_user
from polis.payments import gateways, receipts
from polis.payments.gateways.base import CANCELED, SUCCEEDED, GatewayError, GatewayPayment, cancel_reason_text
from polis.payments.models import LedgerEntry, Payment, PaymentItem, PaymentPurpose, PaymentStatus, SavedCard
from polis.payments.services.cards import card_bind_from_payment
from polis.payments.services.common import BOOKED_ON, ON_SUCCEEDED, ItemSpec, PaymentError, logger
from polis.payments.services.refunds import refund_start

ATTEMPTS = 3


def payment_start(
    *,
    user: User,
    purpose: str,
    items: list[ItemSpec],
    description: str,
    subject_key: str,
    return_url: str,
    receipt_contact: str,
    save_card: bool = False,
) -> Payment:
    """Start paying `subject_key` and return the payment whose confirmation_url the payer opens.

    Two tabs or a double click get the same pending payment. Must not be called inside a
    transaction: it talks to the gateway."""
    _check_request(purpose=purpose, items=items, subject_key=subject_key, return_url=return_url)
    _refuse_paid_invoice(purpose=purpose, subject_key=subject_key)
    _check_payer(user=user, items=items)
    customer_error = _receipt_contact_error(receipt_contact)
    if customer_error:
        raise PaymentError(customer_error)
    for _attempt in range(ATTEMPTS):
        existing = Payment.objects.filter(subject_key=subject_key, status=PaymentStatus.PENDING).first()
        if existing is not None:
            if existing.user_id != user.pk:
                raise PaymentError(_("Этот платёж уже начал другой человек. Дождитесь, пока он завершится."))
            existing = _still_pending(existing)
            if existing.status == PaymentStatus.PENDING:
                return _ensure_at_gateway(existing)
            continue  # it ended meanwhile: start afresh
        created = _create(
            user=user,
            purpose=purpose,
            items=items,
            description=description,
            subject_key=subject_key,
            return_url=return_url,
            receipt_contact=receipt_contact,
            save_card=save_card,
        )
        if created is not None:
            return _ensure_at_gateway(created)
        # Another tab inserted the pending payment for this subject first: take theirs.
    raise PaymentError(_("Не удалось начать оплату. Обновите страницу и попробуйте ещё раз."))


def _check_request(*, purpose: str, items: list[ItemSpec], subject_key: str, return_url: str) -> None:
    # The calling app's mistakes, not the payer's: loud.
    if purpose not in PaymentPurpose.values:
        raise ValueError(f"unknown payment purpose {purpose!r}")
    if not items or any(item.amount_kopecks <= 0 for item in items):
        raise ValueError("a payment needs items with positive amounts")
    if not subject_key or len(subject_key) > 200:
        raise ValueError("subject_key must be 1..200 characters")
    if return_url and not url_has_allowed_host_and_scheme(return_url, allowed_hosts=None):
        raise ValueError(f"return_url must be a path of this site, got {return_url!r}")


def _check_payer(*, user: User, items: list[ItemSpec]) -> None:
    # The calling app checks this too; money is where a second check is cheap and a miss is not.
    wanted = {item.policy.pk for item in items}
    if policies_for_user(user=user).filter(pk__in=wanted).count() != len(wanted):
        raise PaymentError(_("Оплатить можно только за себя и за родственников по своим полисам."))


def _refuse_paid_invoice(*, purpose: str, subject_key: str) -> None:
    # An invoice is paid once: a tab opened before the payment, or a repeated charge task, must
    # not take the money again. (A deposit may be paid again after a refund: that is billing's call.)
    if (
        purpose == PaymentPurpose.COPAY
        and Payment.objects.filter(subject_key=subject_key, status=PaymentStatus.SUCCEEDED).exists()
    ):
        raise PaymentError(_("Этот счёт уже оплачен."))


def _receipt_contact_error(contact: str) -> str:
    try:
        receipts.receipt_customer(contact)
    except receipts.InvalidReceiptContact:
        return _("Укажите e-mail или номер мобильного телефона, куда прислать чек.")
    return ""


def _create(
    *,
    user: User,
    purpose: str,
    items: list[ItemSpec],
    description: str,
    subject_key: str,
    return_url: str,
    receipt_contact: str,
    save_card: bool,
    card: SavedCard | None = None,
) -> Payment | None:
    """The intent, committed before the gateway hears of it. None if another pending payment for
    the subject won the partial unique index."""
    try:
        with transaction.atomic():
            payment = Payment.objects.create(
                user=user,
                purpose=purpose,
                amount_kopecks=sum(item.amount_kopecks for item in items),
                description=description[: receipts.DESCRIPTION_LIMIT],
                gateway=card.gateway if card is not None else gateways.current_name(),
                subject_key=subject_key,
                return_url=return_url,
                receipt_contact=receipt_contact.strip(),
                save_card=save_card,
                card=card,
            )
            rows = PaymentItem.objects.bulk_create(
                PaymentItem(
                    payment=payment,
                    policy=i.policy,
                    amount_kopecks=i.amount_kopecks,
                    description=i.description[:200],
                    invoice_id=i.invoice_id,
                )
                for i in items
            )
            payment.receipt = receipts.payment_receipt(payment, rows)
            payment.save(update_fields=["receipt"])
    except IntegrityError:
        return None
    return payment


def _still_pending(payment: Payment) -> Payment:
    """An old pending payment may have expired at the gateway: ask before handing it out again."""
    if not payment.gateway_payment_id:
        return payment
    try:
        return payment_refresh(payment_id=payment.pk)
    except GatewayError:
        return payment


def _ensure_at_gateway(payment: Payment) -> Payment:
    if payment.gateway_payment_id and payment.confirmation_url:
        return payment
    try:
        gateway_id, url = gateways.get(payment.gateway).create_payment(payment)
    except GatewayError as failure:
        logger.warning("payment %s: the gateway did not create it: %r", payment.pk, failure)
        reason = _("Платёжный сервис не ответил. Попробуйте ещё раз через несколько минут.")
        Payment.objects.filter(pk=payment.pk, status=PaymentStatus.PENDING, gateway_payment_id__isnull=True).update(
            status=PaymentStatus.CANCELED, canceled_at=clock.now(), cancel_reason=reason
        )
        payment.refresh_from_db()
        if payment.status == PaymentStatus.PENDING and payment.confirmation_url:
            return payment  # another tab got it created meanwhile
        raise PaymentError(reason) from failure
    # Conditional: a payment that reconciliation gave up on while the gateway was slow is not
    # handed out, or money could arrive for a payment we consider canceled.
    stored = Payment.objects.filter(pk=payment.pk, status=PaymentStatus.PENDING).update(
        gateway_payment_id=gateway_id, confirmation_url=url, gateway_status="pending"
    )
    payment.refresh_from_db()
    if not stored:
        raise PaymentError(_("Время на начало оплаты истекло. Начните оплату заново."))
    return payment


def payment_refresh(*, payment_id: Any) -> Payment:
    """Ask the gateway how the payment stands (a notification body is never trusted) and apply
    the outcome once. Raises GatewayError when the gateway cannot be asked."""
    payment = Payment.objects.get(pk=payment_id)
    if not payment.gateway_payment_id:
        return payment
    seen = gateways.get(payment.gateway).fetch_payment(payment.gateway_payment_id)
    payment = _apply_seen(payment, seen)
    payment_follow_up(payment=payment)
    return payment


def _apply_seen(payment: Payment, seen: GatewayPayment) -> Payment:
    return payment_apply(
        payment_id=payment.pk, gateway_status=seen.status, method=seen.method, cancel_reason=seen.cancellation_reason
    )


def payment_apply(*, payment_id: Any, gateway_status: str, method: dict | None, cancel_reason: str = "") -> Payment:
    """Record the gateway's word. A final status moves a pending payment once (conditional
    UPDATE); the ledger, the saved card and the purpose's effect go in the same transaction, so
    either all of it happened or none. A second call changes nothing."""
    now = clock.now()
    with transaction.atomic():
        pending = Payment.objects.filter(pk=payment_id, status=PaymentStatus.PENDING)
        if gateway_status == SUCCEEDED:
            moved = pending.update(
                status=PaymentStatus.SUCCEEDED, gateway_status=gateway_status, succeeded_at=now, last_checked_at=now
            )
        elif gateway_status == CANCELED:
            moved = pending.update(
                status=PaymentStatus.CANCELED,
                gateway_status=gateway_status,
                canceled_at=now,
                cancel_reason=cancel_reason_text(cancel_reason)[:200],
                last_checked_at=now,
            )
        else:
            moved = 0
        if not moved:
            Payment.objects.filter(pk=payment_id).update(gateway_status=gateway_status, last_checked_at=now)
        payment = Payment.objects.select_related("user").get(pk=payment_id)
        if moved and gateway_status == SUCCEEDED:
            _on_success(payment, method)
        elif not moved and _disagrees(payment.status, gateway_status):
            logger.warning(
                "payment %s: we say %s, the gateway says %s — needs manual reconciliation",
                payment.pk,
                payment.status,
                gateway_status,
            )
    return payment


def _disagrees(ours: str, theirs: str) -> bool:
    return theirs in (SUCCEEDED, CANCELED) and ours != PaymentStatus.PENDING and ours != theirs


def _on_success(payment: Payment, method: dict | None, memo: str = "") -> None:
    _book(payment, memo=memo)
    if method:
        payment.receipt = {**payment.receipt, "paid_with": method.get("title", "")}
        payment.save(update_fields=["receipt"])
        if payment.save_card and method.get("saved") and method.get("id"):
            card_bind_from_payment(payment=payment, method_id=str(method["id"]), title=str(method.get("title", "")))
    effect = ON_SUCCEEDED.get(payment.purpose)
    if effect is not None:
        effect(payment)


def _book(payment: Payment, memo: str = "") -> None:
    per_policy: dict[int, int] = defaultdict(int)
    for item in payment.items.all():
        per_policy[item.policy_id] += item.amount_kopecks
    memo = memo or _("Платёж %(id)s: %(what)s") % {"id": str(payment.pk)[:8], "what": payment.description}
    LedgerEntry.objects.bulk_create(
        LedgerEntry(
            account=BOOKED_ON[payment.purpose],
            policy_id=policy_id,
            amount_kopecks=amount,
            payment=payment,
            memo=memo[:200],
        )
        for policy_id, amount in per_policy.items()
    )


def ledger_move(*, policy_id: int, source: str, target: str, amount_kopecks: int, memo: str) -> None:
    """Money moved between a person's ledger accounts (co-pay ↔ deposit), no gateway involved: a
    pair of entries, so the invariant payments = deposit + co-pay + refunded keeps holding."""
    if amount_kopecks <= 0:
        return
    LedgerEntry.objects.bulk_create(
        [
            LedgerEntry(account=source, policy_id=policy_id, amount_kopecks=-amount_kopecks, memo=memo[:200]),
            LedgerEntry(account=target, policy_id=policy_id, amount_kopecks=amount_kopecks, memo=memo[:200]),
        ]
    )


def payment_follow_up(*, payment: Payment) -> None:
    """What comes after a success outside the applying transaction, because it calls the gateway:
    the 1 ₽ card check is returned. Safe to repeat (reconciliation does): a refund is started only
    while something is left to return."""
    if payment.purpose != PaymentPurpose.CARD_BINDING or payment.status != PaymentStatus.SUCCEEDED:
        return
    if payment.refunds.exclude(status="canceled").exists():
        return
    for item in payment.items.all():
        try:
            refund_start(
                payment=payment,
                policy=item.policy,
                amount_kopecks=item.amount_kopecks,
                reason=_("Возврат проверочного платежа при привязке карты"),
            )
        except PaymentError as refusal:
            # Left for reconciliation, which repeats this; logged so the back office sees it.
            logger.warning("payment %s: the card check was not refunded: %s", payment.pk, refusal.message)


def payment_reconcile_manually(*, payment_id: Any, staff: User) -> str:
    """The back office's «Сверить со шлюзом»: re-read and apply; where we said canceled and the
    gateway says succeeded (our answer came too late, or a bug), record it as succeeded — the one
    canceled → succeeded transition, only here, with a note in the ledger and the log. Returns
    what was done, in words."""
    payment = Payment.objects.get(pk=payment_id)
    if not payment.gateway_payment_id:
        return _("Платёж %(id)s не дошёл до шлюза: сверять нечего.") % {"id": payment.pk}
    seen = gateways.get(payment.gateway).fetch_payment(payment.gateway_payment_id)
    if payment.status == PaymentStatus.CANCELED and seen.status == SUCCEEDED:
        now = clock.now()
        note = _("Проведён при ручной сверке: шлюз подтвердил оплату, у нас платёж был отменён (%(who)s).") % {
            "who": staff.get_username()
        }
        with transaction.atomic():
            moved = Payment.objects.filter(pk=payment.pk, status=PaymentStatus.CANCELED).update(
                status=PaymentStatus.SUCCEEDED, gateway_status=seen.status, succeeded_at=now, last_checked_at=now
            )
            if moved:
                payment = Payment.objects.select_related("user").get(pk=payment.pk)
                _on_success(payment, seen.method, memo=note)
        if moved:
            logger.warning("payment %s: canceled → succeeded by manual reconciliation (%s)", payment.pk, staff)
            payment_follow_up(payment=payment)
            return note
    before = payment.status
    payment = _apply_seen(payment, seen)
    payment_follow_up(payment=payment)
    if before != payment.status:
        return _("Платёж %(id)s: статус обновлён по шлюзу — «%(status)s».") % {
            "id": payment.pk,
            "status": payment.get_status_display(),
        }
    if _disagrees(payment.status, seen.status):
        return _(
            "Платёж %(id)s: у нас «%(ours)s», в шлюзе «%(theirs)s». Автоматически не исправляется: разберите вручную."
        ) % {
            "id": payment.pk,
            "ours": payment.get_status_display(),
            "theirs": seen.status,
        }
    return _("Платёж %(id)s совпадает со шлюзом: «%(status)s».") % {
        "id": payment.pk,
        "status": payment.get_status_display(),
    }
