"""Telling people of their new invoices: SMS, e-mail and a notification in the account, once per
invoice (claimed by a conditional UPDATE of `notified_at`, so a repeated task sends nothing twice).
Then, for programs that charge a bound card, the charge (invoices.services.invoices_autocharge)."""

import logging

from django.db import transaction
from django.utils.translation import gettext as _

from polis import clock
from polis.billing.debts.selectors import payer_of
from polis.billing.debts.services import INVOICES_PATH
from polis.billing.models import CopayInvoice, InvoiceStatus
from polis.money import format_rub
from polis.notify.services import email_send, notification_create, sms_send

logger = logging.getLogger(__name__)
BATCH = 500


def invoices_notify(*, registry_id: int) -> int:
    sent = 0
    while True:
        batch = list(
            CopayInvoice.objects.filter(registry_id=registry_id, notified_at__isnull=True)
            .select_related("policy__insured__user", "policy__holder__user", "registry__clinic")
            .order_by("pk")[:BATCH]
        )
        if not batch:
            break
        for invoice in batch:
            with transaction.atomic():
                if not CopayInvoice.objects.filter(pk=invoice.pk, notified_at__isnull=True).update(
                    notified_at=clock.now()
                ):
                    continue
                _tell(invoice)
                sent += 1
    _autocharge(registry_id)
    return sent


def _tell(invoice: CopayInvoice) -> None:
    payer = payer_of(invoice.policy)
    person = invoice.policy.insured
    amount = format_rub(invoice.due_kopecks)
    due = f"{invoice.due_on:%d.%m.%Y}"
    if invoice.status == InvoiceStatus.PAID:
        text = _(
            "Polis: начислена франшиза по полису %(policy)s (%(who)s), счёт № %(n)s оплачен из авансового платежа."
        )
    else:
        text = _("Polis: счёт № %(n)s по франшизе на %(amount)s (%(who)s), оплатить до %(due)s в личном кабинете.")
    values = {
        "n": invoice.number,
        "amount": amount,
        "due": due,
        "who": person.first_name,
        "policy": invoice.policy.number,
    }
    body = text % values
    if payer.phone:
        sms_send(phone=payer.phone, text=body)
    if payer.email:
        email_send(to=payer.email, subject=_("Счёт № %(n)s на оплату франшизы") % values, text=body)
    if payer.user is not None:
        notification_create(user=payer.user, title=_("Новый счёт на оплату франшизы"), body=body, link=INVOICES_PATH)


def _autocharge(registry_id: int) -> None:
    try:
        from polis.billing.invoices.services import invoices_autocharge
    except ImportError:  # pragma: no cover - the invoices module ships with this one
        return
    ids = list(
        CopayInvoice.objects.filter(registry_id=registry_id, status=InvoiceStatus.NEW).values_list("pk", flat=True)
    )
    if ids:
        invoices_autocharge(invoice_ids=ids)
