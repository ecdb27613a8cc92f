"""Saved cards: bound by a payment made with «save the card», unbound by the owner."""

from __future__ import annotations

from django.db import transaction

from polis import clock
from polis.accounts.models import User
from polis.payments.models import Payment, SavedCard

# The edition of the auto-payment agreement (amount, frequency, how to cancel) the payer accepts
# before a card is saved; the page that shows the agreement names it, the saved card keeps it.
AUTOPAY_AGREEMENT_VERSION = "2026-11"


def card_bind_from_payment(*, payment: Payment, method_id: str, title: str) -> SavedCard:
    """Inside the transaction that applies the payment's success. A person has one live card:
    a new one replaces the old."""
    card = SavedCard.objects.filter(binding_payment=payment).first()
    if card is not None:
        return card
    SavedCard.objects.filter(user_id=payment.user_id, unbound_at__isnull=True).update(unbound_at=clock.now())
    return SavedCard.objects.create(
        user_id=payment.user_id,
        gateway=payment.gateway,
        method_id=method_id,
        title=title[:60] or "Карта",
        agreement_version=AUTOPAY_AGREEMENT_VERSION,
        binding_payment=payment,
    )


def card_unbind(*, user: User) -> SavedCard | None:
    """Stop automatic charges: the card is forgotten for charging (its row stays as history).
    A second click changes nothing and returns None."""
    with transaction.atomic():
        card = SavedCard.objects.select_for_update().filter(user=user, unbound_at__isnull=True).first()
        if card is None:
            return None
        card.unbound_at = clock.now()
        card.save(update_fields=["unbound_at"])
    return card
