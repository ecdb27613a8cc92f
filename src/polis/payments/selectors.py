"""Reads for payments. What a person sees is scoped by the viewer; the ledger's sums are the
only balances there are."""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch, QuerySet, Sum
from django.http import Http404

from polis.accounts.models import User
from polis.coverage.models import Policy
from polis.payments.models import (
    LedgerAccount,
    LedgerEntry,
    Payment,
    PaymentItem,
    PaymentStatus,
    Refund,
    SandboxPaymentState,
    SavedCard,
)


def payments_for_user(*, user: User) -> QuerySet[Payment]:
    """The payments the user made, newest first, with what each paid for and its refunds."""
    return Payment.objects.filter(user=user).prefetch_related(
        Prefetch("items", queryset=PaymentItem.objects.select_related("policy__insured").order_by("pk")),
        Prefetch("refunds", queryset=Refund.objects.select_related("policy__insured").order_by("created_at")),
    )


def payment_for_user(*, user: User, payment_id: Any) -> Payment:
    """One of the user's own payments; anyone else's is 404."""
    payment = payments_for_user(user=user).filter(pk=payment_id).first()
    if payment is None:
        raise Http404("Платёж не найден")
    return payment


def refunds_for_user(*, user: User) -> QuerySet[Refund]:
    return Refund.objects.filter(payment__user=user).select_related("payment", "policy__insured")


def sandbox_payment_for_user(*, user: User, payment_id: Any) -> tuple[Payment, SandboxPaymentState]:
    """The sandbox's hosted page: the payer's own payment, only while it waits for a choice."""
    payment = payment_for_user(user=user, payment_id=payment_id)
    state = SandboxPaymentState.objects.filter(payment=payment).first()
    if payment.status != PaymentStatus.PENDING or state is None or state.status != SandboxPaymentState.Outcome.PENDING:
        raise Http404("Платёж не ожидает оплаты")
    return payment, state


def live_card_for_user(*, user: User) -> SavedCard | None:
    return SavedCard.objects.filter(user=user, unbound_at__isnull=True).first()


def deposit_held(*, policy: Policy) -> int:
    """Kopecks held as the deposit for this policy: the sum of its deposit entries."""
    total = LedgerEntry.objects.filter(policy=policy, account=LedgerAccount.DEPOSIT).aggregate(s=Sum("amount_kopecks"))[
        "s"
    ]
    return int(total or 0)


def ledger_totals() -> dict[str, int]:
    """Every account's sum, and the succeeded payments they must add up to."""
    totals = {account: 0 for account in LedgerAccount.values}
    for row in LedgerEntry.objects.values("account").annotate(s=Sum("amount_kopecks")):
        totals[row["account"]] = int(row["s"] or 0)
    succeeded = Payment.objects.filter(status=PaymentStatus.SUCCEEDED).aggregate(s=Sum("amount_kopecks"))["s"]
    totals["succeeded_payments"] = int(succeeded or 0)
    return totals
