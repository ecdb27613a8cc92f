"""Every write of the payments app. Other apps import from here:

from polis.payments.services import ItemSpec, PaymentError, payment_start, ...
"""

from polis.payments.services.cards import AUTOPAY_AGREEMENT_VERSION, card_unbind
from polis.payments.services.charges import charge_saved_card, payment_charge_send
from polis.payments.services.common import ON_REFUND_SUCCEEDED, ON_SUCCEEDED, ItemSpec, PaymentError
from polis.payments.services.events import gateway_event_process, gateway_event_record
from polis.payments.services.payments import (
    ledger_move,
    payment_apply,
    payment_follow_up,
    payment_reconcile_manually,
    payment_refresh,
    payment_start,
)
from polis.payments.services.reconcile import ReconcileReport, payments_reconcile
from polis.payments.services.refunds import refund_apply, refund_refresh, refund_send, refund_start

__all__ = [
    "AUTOPAY_AGREEMENT_VERSION",
    "ON_REFUND_SUCCEEDED",
    "ON_SUCCEEDED",
    "ItemSpec",
    "PaymentError",
    "ReconcileReport",
    "card_unbind",
    "charge_saved_card",
    "gateway_event_process",
    "gateway_event_record",
    "ledger_move",
    "payment_apply",
    "payment_charge_send",
    "payment_follow_up",
    "payment_reconcile_manually",
    "payment_refresh",
    "payment_start",
    "payments_reconcile",
    "refund_apply",
    "refund_refresh",
    "refund_send",
    "refund_start",
]
