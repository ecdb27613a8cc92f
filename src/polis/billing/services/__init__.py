"""Writes for the franchise: activation by consent, deposit or card, carry-over on renewal,
clinic notices, refund applications. Every function is keyword-only and safe to call twice."""

from polis.billing.services.card import (
    autopay_cap_kopecks,
    card_binding_succeeded,
    franchise_card_bind_start,
    franchise_card_unbind,
    live_card,
)
from polis.billing.services.common import ActivationStart, FranchiseError, activation_create, notices_send
from polis.billing.services.consent import franchise_consent_give
from polis.billing.services.deposit import (
    DepositLine,
    deposit_carry_over,
    deposit_line,
    deposit_succeeded,
    franchise_deposit_start,
)
from polis.billing.services.notices import clinic_notice_confirm
from polis.billing.services.refunds import (
    deposit_refund_succeeded,
    refund_application_process,
    refund_application_submit,
    refund_application_sync,
    refund_applications_sync,
)

__all__ = [
    "ActivationStart",
    "DepositLine",
    "FranchiseError",
    "activation_create",
    "autopay_cap_kopecks",
    "card_binding_succeeded",
    "clinic_notice_confirm",
    "deposit_carry_over",
    "deposit_line",
    "deposit_refund_succeeded",
    "deposit_succeeded",
    "franchise_card_bind_start",
    "franchise_card_unbind",
    "franchise_consent_give",
    "franchise_deposit_start",
    "live_card",
    "notices_send",
    "refund_application_process",
    "refund_application_submit",
    "refund_application_sync",
    "refund_applications_sync",
]
