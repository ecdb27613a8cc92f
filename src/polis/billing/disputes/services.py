"""Writes for disputes: the insured submits one, the back office rejects or upholds it.

The state machine is open → rejected | upheld, nothing else; each answer locks the dispute and
its invoice (select_for_update) and checks the state under the lock, so a double click answers
once. An uphold that leaves money paid above the new total returns it after the transaction
commits (the gateway is never called inside one): to the card it came from, or, when the gateway
cannot, to the person's deposit by a ledger move.
"""

import datetime as dt
import logging
import uuid
from collections.abc import Sequence

from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from polis import clock
from polis.accounts.models import Role, User
from polis.billing import copay
from polis.billing.debts.selectors import payer_of
from polis.billing.disputes.selectors import disputable_lines, held_copay_kopecks, line_copay_now
from polis.billing.models import (
    CopayInvoice,
    Dispute,
    DisputeFile,
    DisputeKind,
    DisputeStatus,
    InvoiceAdjustment,
    InvoiceStatus,
    RegistryLine,
)
from polis.money import format_rub
from polis.notify.services import email_send, notification_create, sms_send
from polis.payments import services as payments
from polis.payments.models import LedgerAccount, Payment, PaymentItem, PaymentStatus, Refund, RefundStatus
from polis.uploads import EXTENSIONS, UploadError, files_check
from polis.uploads import sniff_content_type as sniff_content_type  # re-exported for older imports

logger = logging.getLogger("polis.billing")

ANSWER_DAYS = 15
MAX_COMMENT = 4000
ALREADY_OPEN = gettext_lazy("По этой услуге уже есть несогласие на рассмотрении")


class DisputeError(Exception):
    """A refusal a person can act on: `message` is shown as is, next to `field` if given."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


# ── Submitting ───────────────────────────────────────────────────────────────────────────────


def _check_claim(*, line: RegistryLine, kind: str, comment: str, quantity_claimed: int | None) -> None:
    if kind not in DisputeKind.values:
        raise DisputeError(_("Выберите, с чем вы не согласны."), field="kind")
    if not comment:
        raise DisputeError(_("Опишите, что не так с услугой."), field="comment")
    if len(comment) > MAX_COMMENT:
        raise DisputeError(_("Комментарий длиннее %(n)s знаков.") % {"n": MAX_COMMENT}, field="comment")
    if kind != DisputeKind.QUANTITY:
        return
    if quantity_claimed is None:
        raise DisputeError(_("Укажите, сколько услуг было на самом деле."), field="quantity_claimed")
    if quantity_claimed < 1:
        raise DisputeError(_("Если услуги не было совсем, выберите «Услуга не оказывалась»."), field="quantity_claimed")
    if line.quantity is None or quantity_claimed >= line.quantity:
        raise DisputeError(
            _("Количество должно быть меньше указанного клиникой (%(n)s).") % {"n": line.quantity or 0},
            field="quantity_claimed",
        )


def dispute_submit(
    *,
    user: User,
    line_id: int,
    kind: str,
    comment: str,
    quantity_claimed: int | None = None,
    files: Sequence[UploadedFile] = (),
) -> Dispute:
    """Disagree with a service billed under one of the viewer's policies (own or a relative's).
    Someone else's line, a rejected line or a line of a replaced registry: RegistryLine.DoesNotExist.
    The answer is due in 15 calendar days from today (Moscow)."""
    line = disputable_lines(user=user).filter(pk=line_id).first()
    if line is None or line.policy_id is None:
        raise RegistryLine.DoesNotExist(_("Услуга не найдена"))
    policy_id: int = line.policy_id
    comment = (comment or "").strip()
    _check_claim(line=line, kind=kind, comment=comment, quantity_claimed=quantity_claimed)
    try:
        checked = files_check(files)
    except UploadError as refused:
        raise DisputeError(refused.message, field=refused.field) from None
    if Dispute.objects.filter(line=line, status=DisputeStatus.OPEN).exists():
        raise DisputeError(str(ALREADY_OPEN))
    today = clock.today()
    invoice = CopayInvoice.objects.filter(registry_id=line.registry_id, policy_id=policy_id).first()
    with transaction.atomic():
        try:
            with transaction.atomic():
                dispute = Dispute.objects.create(
                    line=line,
                    policy_id=policy_id,
                    invoice=invoice,
                    kind=kind,
                    comment=comment,
                    quantity_claimed=quantity_claimed if kind == DisputeKind.QUANTITY else None,
                    submitted_by=user,
                    answer_due_on=today + dt.timedelta(days=ANSWER_DAYS),
                )
        except IntegrityError:
            # The other tab's dispute committed between our check and our insert.
            raise DisputeError(str(ALREADY_OPEN)) from None
        for item in checked:
            stored = DisputeFile(dispute=dispute, name=item.name, content_type=item.content_type, size=item.size)
            # Stored under a random name with the extension of what it is, never the sender's.
            stored.file.save(f"{uuid.uuid4().hex}{EXTENSIONS[item.content_type]}", item.upload, save=False)
            stored.save()
        notification_create(
            user=user,
            title=_("Несогласие принято, ответим до %(date)s") % {"date": dispute.answer_due_on.strftime("%d.%m.%Y")},
            body=_service_words(line),
            link=reverse("disputes:detail", args=[dispute.pk]),
        )
    return dispute


def _service_words(line: RegistryLine) -> str:
    when = line.service_date.strftime("%d.%m.%Y") if line.service_date else ""
    return _("%(service)s, %(clinic)s, %(date)s") % {
        "service": line.service_name or line.service_code,
        "clinic": line.registry.clinic.name,
        "date": when,
    }


# ── Answering ────────────────────────────────────────────────────────────────────────────────


def _check_staff(staff: User) -> None:
    if getattr(staff, "role", None) != Role.BACKOFFICE:
        raise PermissionDenied


def _lock_open(dispute: Dispute) -> Dispute:
    locked = Dispute.objects.select_for_update(of=("self",)).select_related("line__registry__clinic").get(pk=dispute.pk)
    if locked.status != DisputeStatus.OPEN:
        raise DisputeError(
            _("Несогласие уже рассмотрено: %(status)s, %(date)s.")
            % {
                "status": str(locked.get_status_display()).lower(),
                "date": locked.resolved_at.astimezone(clock.local_zone()).strftime("%d.%m.%Y")
                if locked.resolved_at
                else "",
            }
        )
    return locked


def _lock_invoice(dispute: Dispute) -> CopayInvoice | None:
    if dispute.invoice_id is None:
        return None
    invoice = (
        CopayInvoice.objects.select_for_update(of=("self",))
        .select_related("policy__program")
        .get(pk=dispute.invoice_id)
    )
    return None if invoice.status == InvoiceStatus.CANCELLED else invoice


def _settle_status(invoice: CopayInvoice, *, exclude_dispute_id: int | None = None) -> bool:
    """Paid once what is left after the co-pay still held by open disputes is paid. True if it
    is paid."""
    held = held_copay_kopecks(invoice=invoice, exclude_dispute_id=exclude_dispute_id)
    if invoice.paid_kopecks >= invoice.due_kopecks - held:
        if invoice.status != InvoiceStatus.PAID:
            invoice.status = InvoiceStatus.PAID
            invoice.paid_at = clock.now()
        return True
    return False


def _resolve(dispute: Dispute, *, status: str, staff: User, answer: str) -> None:
    dispute.status = status
    dispute.answer = answer
    dispute.resolved_by = staff
    dispute.resolved_at = clock.now()


def dispute_reject(*, dispute: Dispute, staff: User, answer: str) -> Dispute:
    """The service stands as billed. The held co-pay becomes payable again: an invoice not fully
    paid is new again, due by the contract's deadline counted from today (never earlier than it
    was)."""
    _check_staff(staff)
    answer = (answer or "").strip()
    if not answer:
        raise DisputeError(_("Напишите ответ: почему несогласие отклонено."), field="answer")
    with transaction.atomic():
        locked = _lock_open(dispute)
        _resolve(locked, status=DisputeStatus.REJECTED, staff=staff, answer=answer)
        locked.save(update_fields=["status", "answer", "resolved_by", "resolved_at"])
        invoice = _lock_invoice(locked)
        if invoice is not None and not _settle_status(invoice):
            new_due = copay.due_on(program=invoice.policy.program, issued_on=clock.today())
            invoice.status = InvoiceStatus.NEW
            invoice.paid_at = None
            invoice.due_on = max(invoice.due_on, new_due)
        if invoice is not None:
            invoice.save(update_fields=["status", "paid_at", "due_on"])
        _tell(locked, invoice=invoice, adjustment=None)
    return locked


def dispute_uphold(*, dispute: Dispute, staff: User, answer: str, corrected_copay_kopecks: int) -> Dispute:
    """The insured is right: the line's co-pay becomes `corrected_copay_kopecks` (0 when the
    service was not provided). The invoice gets an adjustment (new − old ≤ 0) and its total is
    recomputed; money paid above the new total goes back to the card, or to the deposit."""
    _check_staff(staff)
    answer = (answer or "").strip()
    if not answer:
        raise DisputeError(_("Напишите ответ застрахованному."), field="answer")
    if corrected_copay_kopecks < 0:
        raise DisputeError(_("Франшиза не может быть отрицательной."), field="corrected_copay")
    with transaction.atomic():
        locked = _lock_open(dispute)
        before = line_copay_now(locked.line)
        if corrected_copay_kopecks > before:
            raise DisputeError(
                _("Франшиза после исправления не может быть больше прежней (%(sum)s).") % {"sum": format_rub(before)},
                field="corrected_copay",
            )
        if locked.kind == DisputeKind.NOT_PROVIDED and corrected_copay_kopecks != 0:
            raise DisputeError(_("Услуга не оказывалась: франшиза за неё — 0 ₽."), field="corrected_copay")
        _resolve(locked, status=DisputeStatus.UPHELD, staff=staff, answer=answer)
        locked.corrected_copay_kopecks = corrected_copay_kopecks
        locked.save(update_fields=["status", "answer", "resolved_by", "resolved_at", "corrected_copay_kopecks"])
        invoice = _lock_invoice(locked)
        adjustment = None
        if invoice is not None:
            adjustment = _adjust(invoice, dispute=locked, staff=staff, amount=corrected_copay_kopecks - before)
    if adjustment is not None and adjustment.refunded_kopecks > 0:
        adjustment = _return_overpaid(adjustment)
    _tell(locked, invoice=invoice, adjustment=adjustment)
    return locked


def _adjust(invoice: CopayInvoice, *, dispute: Dispute, staff: User, amount: int) -> InvoiceAdjustment:
    """Inside the answering transaction: the adjustment, the new total and status. What was paid
    above the new total leaves the invoice at once; the adjustment records it as to be refunded
    (`refunded_kopecks`, with no refund yet) until _return_overpaid says where it went."""
    invoice.adjustment_kopecks += amount
    invoice.recompute_due()
    overpaid = max(0, invoice.paid_kopecks - invoice.due_kopecks)
    invoice.paid_kopecks -= overpaid
    _settle_status(invoice)
    invoice.save(update_fields=["adjustment_kopecks", "due_kopecks", "paid_kopecks", "status", "paid_at"])
    return InvoiceAdjustment.objects.create(
        invoice=invoice,
        dispute=dispute,
        amount_kopecks=amount,
        refunded_kopecks=overpaid,
        reason=(_("Несогласие № %(id)s: %(kind)s") % {"id": dispute.pk, "kind": dispute.get_kind_display()})[:300],
        created_by=staff,
    )


def _refund_reason(invoice: CopayInvoice, dispute_id: int | None) -> str:
    # "счёта № N," tags the refunds of this invoice (the comma keeps № 1 apart from № 10).
    return (_("Исправление счёта № %(number)s, несогласие № %(id)s") % {"number": invoice.number, "id": dispute_id})[
        :200
    ]


def _refund_sources(invoice: CopayInvoice) -> list[tuple[Payment, int]]:
    """The succeeded payments that paid this invoice, newest first, each with what it paid for
    the invoice less what was already returned of it for the invoice."""
    paid = dict(
        PaymentItem.objects.filter(invoice=invoice, payment__status=PaymentStatus.SUCCEEDED)
        .values("payment_id")
        .annotate(total=Sum("amount_kopecks"))
        .values_list("payment_id", "total")
    )
    returned = dict(
        Refund.objects.filter(
            payment_id__in=paid, policy_id=invoice.policy_id, reason__contains=f"счёта № {invoice.number},"
        )
        .exclude(status=RefundStatus.CANCELED)
        .values("payment_id")
        .annotate(total=Sum("amount_kopecks"))
        .values_list("payment_id", "total")
    )
    found = Payment.objects.filter(pk__in=paid).order_by("-succeeded_at", "-created_at")
    return [(p, paid[p.pk] - returned.get(p.pk, 0)) for p in found if paid[p.pk] - returned.get(p.pk, 0) > 0]


def _return_overpaid(adjustment: InvoiceAdjustment) -> InvoiceAdjustment:
    """After the commit: refund the overpaid co-pay to the card(s) it came from; what the
    gateway refuses (or what no payment can carry) moves to the deposit in the ledger."""
    invoice = adjustment.invoice
    policy = invoice.policy
    left = adjustment.refunded_kopecks
    refunded = 0
    last_refund = None
    for payment, available in _refund_sources(invoice):
        if left <= 0:
            break
        take = min(available, left)
        try:
            last_refund = payments.refund_start(
                payment=payment,
                policy=policy,
                amount_kopecks=take,
                reason=_refund_reason(invoice, adjustment.dispute_id),
            )
        except payments.PaymentError as refusal:
            logger.warning("adjustment %s: refund refused, crediting the deposit: %s", adjustment.pk, refusal.message)
            break
        refunded += take
        left -= take
    with transaction.atomic():
        adjustment = (
            InvoiceAdjustment.objects.select_for_update(of=("self",))
            .select_related("invoice__policy")
            .get(pk=adjustment.pk)
        )
        adjustment.refund = last_refund
        adjustment.refunded_kopecks = refunded
        adjustment.credited_kopecks = left
        adjustment.save(update_fields=["refund", "refunded_kopecks", "credited_kopecks"])
        payments.ledger_move(
            policy_id=policy.pk,
            source=LedgerAccount.COPAY,
            target=LedgerAccount.DEPOSIT,
            amount_kopecks=left,
            memo=_("Переплата по счёту № %(number)s зачтена в авансовый платёж (несогласие № %(id)s)")
            % {"number": invoice.number, "id": adjustment.dispute_id},
        )
    return adjustment


# ── Telling the insured ──────────────────────────────────────────────────────────────────────


def _tell(dispute: Dispute, *, invoice: CopayInvoice | None, adjustment: InvoiceAdjustment | None) -> None:
    line = dispute.line
    service = _service_words(line)
    if dispute.status == DisputeStatus.REJECTED:
        title = _("Несогласие с услугой отклонено")
        outcome = ""
        if invoice is not None and invoice.status == InvoiceStatus.NEW:
            outcome = _("Счёт № %(number)s: к оплате %(sum)s до %(date)s.") % {
                "number": invoice.number,
                "sum": format_rub(invoice.outstanding_kopecks),
                "date": invoice.due_on.strftime("%d.%m.%Y"),
            }
    else:
        title = _("Несогласие с услугой удовлетворено")
        outcome = _("Франшиза за услугу исправлена: %(sum)s.") % {
            "sum": format_rub(dispute.corrected_copay_kopecks or 0)
        }
        if adjustment is not None and adjustment.refunded_kopecks:
            outcome += " " + _("%(sum)s вернём на карту, с которой был оплачен счёт.") % {
                "sum": format_rub(adjustment.refunded_kopecks)
            }
        if adjustment is not None and adjustment.credited_kopecks:
            outcome += " " + _("%(sum)s зачтено в ваш авансовый платёж.") % {
                "sum": format_rub(adjustment.credited_kopecks)
            }
    body = "\n".join(part for part in (service, _("Ответ: %(answer)s") % {"answer": dispute.answer}, outcome) if part)
    link = reverse("disputes:detail", args=[dispute.pk])
    notification_create(user=dispute.submitted_by, title=title, body=body, link=link)
    payer = payer_of(dispute.policy)
    if payer.email:
        email_send(to=payer.email, subject=title, text=body)
    if payer.phone:
        short = dispute.answer if len(dispute.answer) <= 200 else dispute.answer[:199] + "…"
        sms_send(phone=payer.phone, text=" ".join(part for part in (f"{title}.", short, outcome) if part))
