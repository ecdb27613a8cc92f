"""Activation by a non-reducible advance deposit (RESO): one payment for the people chosen, a
per-person sum, at least the contract's minimum; effective N working days after payment. On
renewal the deposit carries over to the new term instead of being paid again."""

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from polis import clock
from polis.accounts.models import User
from polis.billing import rules
from polis.billing.models import FranchiseActivation
from polis.billing.selectors import carry_over_sources
from polis.billing.services.common import (
    ActivationStart,
    FranchiseError,
    activation_create,
    chosen_policies,
    has_live_activation,
    receipt_contact_for,
    subject_key,
)
from polis.coverage.models import FranchiseActivation as Method
from polis.coverage.models import Policy
from polis.money import format_rub
from polis.notify.services import notification_create
from polis.payments import services as payments
from polis.payments.models import LedgerAccount, LedgerEntry, Payment, PaymentPurpose, Refund, RefundStatus
from polis.payments.selectors import deposit_held

CARRY_OVER_MEMO = "перенос на новый срок"


@dataclass(frozen=True)
class DepositLine:
    policy: Policy
    held: int  # on this policy now
    carry_over: list[tuple[Policy, int]]  # earlier terms' deposits that will move here
    to_pay: int

    @property
    def will_hold(self) -> int:
        return self.held + sum(amount for _, amount in self.carry_over)


def deposit_line(*, policy: Policy) -> DepositLine:
    """What one person still has to pay: the per-person deposit less what they hold already on
    this term or on an earlier term of the same contract."""
    held = deposit_held(policy=policy)
    carry = carry_over_sources(policy=policy)
    line = DepositLine(policy=policy, held=held, carry_over=carry, to_pay=0)
    return DepositLine(
        policy=policy,
        held=held,
        carry_over=carry,
        to_pay=max(policy.program.deposit_per_person_kopecks - line.will_hold, 0),
    )


def franchise_deposit_start(
    *, user: User, policy_ids: Iterable[Any], return_url: str, receipt_contact: str = ""
) -> ActivationStart:
    """Pay the deposit for the people chosen, in one payment, and activate each when it succeeds
    (ON_SUCCEEDED["deposit"] → deposit_succeeded).

    People who already hold the deposit (this term, or an earlier one: it carries over) are
    activated at once, without paying. The gateway is called outside any transaction: the
    carry-overs and those activations are committed first, then payments.payment_start records
    the payment, commits and only then calls the gateway. Two clicks share one pending payment
    (same subject).
    """
    policies = chosen_policies(user=user, policy_ids=policy_ids, method=Method.DEPOSIT)
    already = [p for p in policies if has_live_activation(p)]
    lines = [deposit_line(policy=p) for p in policies if p not in already]
    if not lines:
        return ActivationStart(payment=None, already=already)
    paying = [line for line in lines if line.to_pay > 0]
    total = sum(line.to_pay for line in paying)
    minimum = max((line.policy.program.deposit_minimum_kopecks for line in paying), default=0)
    if paying and total < minimum:
        raise FranchiseError(
            _(
                "Сумма платежа %(total)s меньше минимального авансового платежа по договору — %(minimum)s. "
                "Отметьте ещё застрахованных."
            )
            % {"total": format_rub(total), "minimum": format_rub(minimum)}
        )
    now = clock.now()
    activated: list[FranchiseActivation] = []
    with transaction.atomic():
        for line in lines:
            for old, _held in line.carry_over:
                deposit_carry_over(old_policy=old, new_policy=line.policy)
            if line.to_pay == 0:
                activation, _created = activation_create(
                    policy=line.policy,
                    method=Method.DEPOSIT,
                    requested_by=user,
                    effective_at=_effective_without_payment(line, now),
                )
                activated.append(activation)
    if not paying:
        return ActivationStart(payment=None, activated=activated, already=already)
    try:
        payment = payments.payment_start(
            user=user,
            purpose=PaymentPurpose.DEPOSIT,
            items=[
                payments.ItemSpec(
                    policy=line.policy,
                    amount_kopecks=line.to_pay,
                    description=_("Авансовый платёж: %(name)s, полис № %(number)s")
                    % {"name": line.policy.insured.full_name, "number": line.policy.number},
                )
                for line in paying
            ],
            description=_("Неснижаемый авансовый платёж по франшизе"),
            subject_key=subject_key(PaymentPurpose.DEPOSIT, [line.policy for line in paying]),
            return_url=return_url,
            receipt_contact=receipt_contact or receipt_contact_for(user),
        )
    except payments.PaymentError as error:
        raise FranchiseError(error.message) from error
    return ActivationStart(payment=payment, activated=activated, already=already)


def _effective_without_payment(line: DepositLine, now: Any) -> Any:
    # A renewal from a term where the franchise already worked continues without a gap; a deposit
    # found but never activated starts by the program's rule, as if paid now.
    earlier_worked = FranchiseActivation.objects.filter(
        policy__in=[old for old, _ in line.carry_over], effective_at__lte=now
    ).exists()
    if earlier_worked:
        return rules.renewal_effective_at(policy=line.policy, at=now)
    return rules.effective_at(policy=line.policy, method=Method.DEPOSIT, at=now)


def deposit_carry_over(*, old_policy: Policy, new_policy: Policy) -> int:
    """Move the deposit held on an earlier term to the renewed one: two ledger entries, minus on
    the old policy and plus on the new, the same amount, «перенос на новый срок». Returns the
    amount moved; a second call finds nothing left and moves nothing.

    Not while a refund from the old term is under way: it would take the money the new term now
    counts on.
    """
    if (
        old_policy.pk == new_policy.pk
        or old_policy.insured_id != new_policy.insured_id
        or old_policy.contract_id != new_policy.contract_id
        or old_policy.starts_on >= new_policy.starts_on
    ):
        raise FranchiseError(
            _("Аванс переносится только на следующий срок того же застрахованного по тому же договору.")
        )
    with transaction.atomic():
        list(Policy.objects.select_for_update().filter(pk__in=[old_policy.pk, new_policy.pk]).order_by("pk"))
        if Refund.objects.filter(policy=old_policy, status=RefundStatus.PENDING).exists():
            return 0
        amount = deposit_held(policy=old_policy)
        if amount <= 0:
            return 0
        LedgerEntry.objects.bulk_create(
            [
                LedgerEntry(
                    account=LedgerAccount.DEPOSIT, policy=old_policy, amount_kopecks=-amount, memo=CARRY_OVER_MEMO
                ),
                LedgerEntry(
                    account=LedgerAccount.DEPOSIT, policy=new_policy, amount_kopecks=amount, memo=CARRY_OVER_MEMO
                ),
            ]
        )
        return amount


def deposit_succeeded(payment: Payment) -> None:
    """ON_SUCCEEDED["deposit"]: called once, inside the transaction that marks the payment
    succeeded (and books its ledger entries). Activates each person paid for, effective N working
    days after the payment day; already-activated people are left as they are, so a repeated
    call changes nothing."""
    paid_at = payment.succeeded_at or clock.now()
    created = []
    for item in payment.items.select_related("policy__program", "policy__insured", "policy__registry_clinic"):
        activation, was_created = activation_create(
            policy=item.policy,
            method=Method.DEPOSIT,
            requested_by=payment.user,
            effective_at=rules.effective_at(policy=item.policy, method=Method.DEPOSIT, at=paid_at),
            payment=payment,
        )
        if was_created:
            created.append(activation)
    if created:
        _notify_pending(payment.user, created)


def _notify_pending(user: Any, activations: list[FranchiseActivation]) -> None:
    from polis.billing.selectors import format_moment

    body = "\n".join(
        _("%(name)s — с %(when)s") % {"name": a.policy.insured.full_name, "when": format_moment(a.effective_at)}
        for a in activations
    )
    notification_create(
        user=user,
        title=_("Авансовый платёж получен: франшиза будет активирована"),
        body=body,
        link=reverse("billing:franchise"),
    )
