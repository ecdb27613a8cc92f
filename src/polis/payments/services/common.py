"""What every payments service shares: the domain error, the item spec, the effect registries."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

from polis.coverage.models import Policy
from polis.payments.models import LedgerAccount, Payment, PaymentPurpose, Refund

logger = logging.getLogger("polis.payments")


class PaymentError(Exception):
    """A refusal a person can act on; `message` is shown as is."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class ItemSpec:
    policy: Policy
    amount_kopecks: int
    description: str
    invoice_id: int | None = None  # a co-pay invoice this part pays


# purpose → what a succeeded payment does (billing registers "deposit" and "card_binding" in its
# AppConfig.ready). Called inside the transaction that moves the payment to succeeded, once.
ON_SUCCEEDED: dict[str, Callable[[Payment], None]] = {}
# purpose of the refunded payment → what a succeeded refund does (e.g. a refund application is
# marked paid). Called inside the transaction that moves the refund to succeeded, once.
ON_REFUND_SUCCEEDED: dict[str, Callable[[Refund], None]] = {}

# Where a payment's money sits until it is refunded.
BOOKED_ON: dict[str, str] = {
    PaymentPurpose.DEPOSIT: LedgerAccount.DEPOSIT,
    # The 1 ₽ card check sits on the deposit for the seconds until its refund: the ledger
    # invariant holds at every moment, and a refund that failed shows as money we hold.
    PaymentPurpose.CARD_BINDING: LedgerAccount.DEPOSIT,
    PaymentPurpose.COPAY: LedgerAccount.COPAY,
}
