"""The demo's money, written as the sandbox gateway and payments would have left it: a payment
succeeded at the gateway, its ledger entries, the sandbox's own memory of it; for a card
binding the saved card and the 1 ₽ check refunded. Sums follow the ledger invariant: succeeded
payments = deposit + co-pay + refunded."""

import datetime as dt

from django.urls import reverse

from polis.accounts.models import User
from polis.coverage.models import Policy
from polis.payments import receipts
from polis.payments.gateways.sandbox import CARD_TITLE as SANDBOX_CARD_TITLE
from polis.payments.models import (
    Gateway,
    LedgerAccount,
    LedgerEntry,
    Payment,
    PaymentItem,
    PaymentPurpose,
    PaymentStatus,
    Refund,
    RefundStatus,
    SandboxPaymentState,
    SavedCard,
)
from polis.payments.services import AUTOPAY_AGREEMENT_VERSION

BOUND_CARD_METHOD = "sandbox-card-4242"
BOUND_CARD_TITLE = "Visa •••• 4242"
CARD_CHECK_KOPECKS = 100
# How long the demo payer spent on the sandbox's page.
ON_THE_PAGE = dt.timedelta(minutes=2)


def _subject(purpose: str, policies: list[Policy]) -> str:
    # The canonical subject billing gives a payment: the same people in any order.
    return f"{purpose}:policies={','.join(str(pk) for pk in sorted(p.pk for p in policies))}"


def _succeeded_payment(
    *,
    user: User,
    purpose: str,
    policies: list[Policy],
    amount_each: int,
    what: str,
    description: str,
    at: dt.datetime,
    paid_with: str,
    method_id: str = "",
    save_card: bool = False,
) -> Payment:
    paid_at = at + ON_THE_PAGE
    payment = Payment(
        user=user,
        purpose=purpose,
        amount_kopecks=amount_each * len(policies),
        description=description,
        status=PaymentStatus.SUCCEEDED,
        gateway=Gateway.SANDBOX,
        gateway_status="succeeded",
        subject_key=_subject(purpose, policies),
        save_card=save_card,
        return_url=reverse("billing:returned"),
        receipt_contact=user.email,
        created_at=at,
        succeeded_at=paid_at,
        last_checked_at=paid_at,
    )
    payment.gateway_payment_id = f"sbx-{payment.idempotence_key.hex}"
    payment.confirmation_url = reverse("payments:sandbox", args=[payment.pk])
    payment.save()
    items = PaymentItem.objects.bulk_create(
        PaymentItem(
            payment=payment,
            policy=policy,
            amount_kopecks=amount_each,
            description=f"{what}: {policy.insured.full_name}, полис № {policy.number}",
        )
        for policy in policies
    )
    payment.receipt = {**receipts.payment_receipt(payment, items), "paid_with": paid_with}
    payment.save(update_fields=["receipt"])
    SandboxPaymentState.objects.create(
        payment=payment,
        gateway_id=payment.gateway_payment_id,
        status=SandboxPaymentState.Outcome.SUCCEEDED,
        save_method=save_card,
        method_id=method_id,
        created_at=at,
        decided_at=paid_at,
    )
    LedgerEntry.objects.bulk_create(
        LedgerEntry(
            account=LedgerAccount.DEPOSIT,
            policy=item.policy,
            amount_kopecks=item.amount_kopecks,
            payment=payment,
            memo=f"Платёж {str(payment.pk)[:8]}: {description}"[:200],
            created_at=paid_at,
        )
        for item in items
    )
    return payment


def pay_deposit(*, user: User, policies: list[Policy], at: dt.datetime) -> Payment:
    """A deposit paid in the sandbox at `at`: each person's 300 ₽ (their program's sum) held."""
    amount = policies[0].program.deposit_per_person_kopecks
    return _succeeded_payment(
        user=user,
        purpose=PaymentPurpose.DEPOSIT,
        policies=policies,
        amount_each=amount,
        what="Авансовый платёж",
        description="Неснижаемый авансовый платёж по франшизе",
        at=at,
        paid_with=SANDBOX_CARD_TITLE,
    )


def bind_card(*, user: User, policies: list[Policy], at: dt.datetime) -> SavedCard:
    """A card bound with the 1 ₽ check (booked on the first person, as billing does), which the
    sandbox returned at once: +1 ₽ and −1 ₽ on the deposit, +1 ₽ refunded."""
    payment = _succeeded_payment(
        user=user,
        purpose=PaymentPurpose.CARD_BINDING,
        policies=policies[:1],
        amount_each=CARD_CHECK_KOPECKS,
        what="Проверка карты для автоплатежей (1 ₽ вернётся сразу)",
        description="Привязка карты для оплаты франшизы (1 ₽ вернётся сразу)",
        at=at,
        paid_with=BOUND_CARD_TITLE,
        method_id=BOUND_CARD_METHOD,
        save_card=True,
    )
    # Billing names everyone the binding activates in the subject, while paying for the first.
    Payment.objects.filter(pk=payment.pk).update(subject_key=_subject(PaymentPurpose.CARD_BINDING, policies))
    bound_at = payment.succeeded_at or at
    card = SavedCard.objects.create(
        user=user,
        gateway=Gateway.SANDBOX,
        method_id=BOUND_CARD_METHOD,
        title=BOUND_CARD_TITLE,
        agreement_version=AUTOPAY_AGREEMENT_VERSION,
        binding_payment=payment,
        bound_at=bound_at,
    )
    refunded_at = bound_at + dt.timedelta(seconds=5)
    refund = Refund(
        payment=payment,
        policy=policies[0],
        amount_kopecks=CARD_CHECK_KOPECKS,
        status=RefundStatus.SUCCEEDED,
        reason="Возврат проверочного платежа при привязке карты",
        created_at=bound_at,
        succeeded_at=refunded_at,
    )
    refund.gateway_refund_id = f"sbx-refund-{refund.idempotence_key.hex}"
    refund.receipt = receipts.refund_receipt(refund)
    refund.save()
    memo = f"Возврат {str(refund.pk)[:8]}: {refund.reason}"
    LedgerEntry.objects.bulk_create(
        [
            LedgerEntry(
                account=LedgerAccount.DEPOSIT,
                policy=policies[0],
                amount_kopecks=-CARD_CHECK_KOPECKS,
                payment=payment,
                refund=refund,
                memo=memo,
                created_at=refunded_at,
            ),
            LedgerEntry(
                account=LedgerAccount.REFUNDED,
                policy=policies[0],
                amount_kopecks=CARD_CHECK_KOPECKS,
                payment=payment,
                refund=refund,
                memo=memo,
                created_at=refunded_at,
            ),
        ]
    )
    return card
