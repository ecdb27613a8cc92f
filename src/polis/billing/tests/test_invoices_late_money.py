"""Money that arrives for an invoice that can no longer take it (cancelled by a corrected
registry while the person was paying, or paid meanwhile from another device) is not lost: it
goes to the person's deposit, and the ledger still balances."""

import pytest

from polis.billing.invoices.services import copay_succeeded
from polis.billing.models import InvoiceStatus
from polis.payments.models import LedgerAccount, LedgerEntry, Payment, PaymentItem, PaymentPurpose, PaymentStatus
from polis.testing import factories as f

pytestmark = pytest.mark.django_db


def paid(invoice, amount: int, *, before: int = 0) -> Payment:
    payment = Payment.objects.create(
        user=invoice.policy.insured.user,
        purpose=PaymentPurpose.COPAY,
        amount_kopecks=amount,
        description="Франшиза",
        status=PaymentStatus.SUCCEEDED,
        gateway="sandbox",
        subject_key=f"copay:{invoice.pk}@{before}",
    )
    PaymentItem.objects.create(
        payment=payment, policy=invoice.policy, amount_kopecks=amount, description="Счёт", invoice=invoice
    )
    LedgerEntry.objects.create(
        account=LedgerAccount.COPAY, policy=invoice.policy, amount_kopecks=amount, payment=payment, memo="Оплата"
    )
    return payment


def balances(policy) -> dict[str, int]:
    out = {LedgerAccount.COPAY: 0, LedgerAccount.DEPOSIT: 0}
    for account, amount in LedgerEntry.objects.filter(policy=policy).values_list("account", "amount_kopecks"):
        out[account] += amount
    return out


def test_money_for_a_cancelled_invoice_goes_to_the_deposit(alice_policy):
    invoice = f.invoice_with_lines(policy=alice_policy, copays=[750_00])
    payment = paid(invoice, 750_00)
    invoice.status = InvoiceStatus.CANCELLED
    invoice.save()
    copay_succeeded(payment)
    copay_succeeded(payment)  # a repeated call moves nothing again
    invoice.refresh_from_db()
    assert invoice.paid_kopecks == 0 and invoice.status == InvoiceStatus.CANCELLED
    assert balances(alice_policy) == {LedgerAccount.COPAY: 0, LedgerAccount.DEPOSIT: 750_00}


def test_a_second_payment_of_the_same_invoice_goes_to_the_deposit(alice_policy):
    invoice = f.invoice_with_lines(policy=alice_policy, copays=[750_00])
    first, second = paid(invoice, 750_00), paid(invoice, 750_00)
    copay_succeeded(first)
    copay_succeeded(second)
    invoice.refresh_from_db()
    assert invoice.paid_kopecks == 750_00 and invoice.status == InvoiceStatus.PAID
    assert balances(alice_policy) == {LedgerAccount.COPAY: 750_00, LedgerAccount.DEPOSIT: 750_00}
