"""Activation by a bank card bound for automatic co-pay charges (SOGAZ): the person reads the
auto-payment agreement, binds a card on the gateway's page, and the franchise takes effect the
program's number of hours later. Unbinding the card ends those activations at once."""

from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from polis import clock
from polis.accounts.models import User
from polis.billing import rules
from polis.billing.models import FranchiseActivation
from polis.billing.services.common import (
    ActivationStart,
    FranchiseError,
    activation_create,
    chosen_policies,
    has_live_activation,
    policy_ids_from_subject,
    receipt_contact_for,
    subject_key,
)
from polis.coverage.models import FranchiseActivation as Method
from polis.coverage.models import Policy
from polis.notify.services import notification_create
from polis.payments import services as payments
from polis.payments.models import Payment, PaymentPurpose, SavedCard

# The card is checked with a payment of 1 ₽ that the gateway returns at once.
CARD_CHECK_KOPECKS = 100
UNBIND_REASON = "Карта для автоплатежей отвязана"


def autopay_cap_kopecks() -> int:
    """The most one co-pay invoice may be charged to a bound card without asking; a larger
    invoice waits for the person to pay it by hand. Stated in the auto-payment agreement."""
    return int(settings.POLIS_AUTOPAY_CAP_KOPECKS)


def live_card(*, user: Any) -> SavedCard | None:
    return SavedCard.objects.filter(user=user, unbound_at__isnull=True).first()


def franchise_card_bind_start(
    *, user: User, policy_ids: Iterable[Any], agreed: bool, return_url: str, receipt_contact: str = ""
) -> ActivationStart:
    """Bind a card for the people chosen after the agreement was read and ticked.

    With a card already bound (a relative activated earlier) the people are activated at once
    with it; otherwise a 1 ₽ binding payment with save_card=True is started, and its success
    (ON_SUCCEEDED["card_binding"] → card_binding_succeeded) activates them.
    """
    if not agreed:
        raise FranchiseError(_("Прочитайте соглашение об автоплатежах и подтвердите согласие с ним."))
    policies = chosen_policies(user=user, policy_ids=policy_ids, method=Method.CARD)
    already = [p for p in policies if has_live_activation(p)]
    waiting = [p for p in policies if p not in already]
    if not waiting:
        return ActivationStart(payment=None, already=already)
    card = live_card(user=user)
    if card is not None:
        now = clock.now()
        with transaction.atomic():
            activated = [_activate(policy=p, user=user, card=card, at=now)[0] for p in waiting]
        return ActivationStart(payment=None, activated=activated, already=already)
    # One 1 ₽ check, booked on the first person; the subject key names everyone chosen, and the
    # binding's success activates them all.
    items = [
        payments.ItemSpec(
            policy=waiting[0],
            amount_kopecks=CARD_CHECK_KOPECKS,
            description=_("Проверка карты для автоплатежей (1 ₽ вернётся сразу)"),
        )
    ]
    try:
        payment = payments.payment_start(
            user=user,
            purpose=PaymentPurpose.CARD_BINDING,
            items=items,
            description=_("Привязка карты для оплаты франшизы (1 ₽ вернётся сразу)"),
            subject_key=subject_key(PaymentPurpose.CARD_BINDING, waiting),
            return_url=return_url,
            receipt_contact=receipt_contact or receipt_contact_for(user),
            save_card=True,
        )
    except payments.PaymentError as error:
        raise FranchiseError(error.message) from error
    return ActivationStart(payment=payment, already=already)


def _activate(*, policy: Policy, user: Any, card: SavedCard, at: Any) -> tuple[FranchiseActivation, bool]:
    return activation_create(
        policy=policy,
        method=Method.CARD,
        requested_by=user,
        effective_at=rules.effective_at(policy=policy, method=Method.CARD, at=at),
        terms_version=card.agreement_version,
        card=card,
    )


def card_binding_succeeded(payment: Payment) -> None:
    """ON_SUCCEEDED["card_binding"]: inside the transaction that marks the binding payment
    succeeded. The card the gateway saved (payments records it) activates each person of the
    payment, effective the program's hours after binding. Without a saved card (the gateway
    refused to keep it) nobody is activated and the page still offers to bind one."""
    card = SavedCard.objects.filter(binding_payment=payment).first() or live_card(user=payment.user)
    if card is None:
        return
    bound_at = payment.succeeded_at or clock.now()
    policies = Policy.objects.filter(pk__in=policy_ids_from_subject(payment.subject_key)).select_related(
        "program", "insured", "registry_clinic"
    )
    created = []
    for policy in policies:
        activation, was_created = _activate(policy=policy, user=payment.user, card=card, at=bound_at)
        if was_created:
            created.append(activation)
    if created:
        from polis.billing.selectors import format_moment

        notification_create(
            user=payment.user,
            title=_("Карта привязана: франшиза будет активирована"),
            body="\n".join(
                _("%(name)s — с %(when)s") % {"name": a.policy.insured.full_name, "when": format_moment(a.effective_at)}
                for a in created
            ),
            link=reverse("billing:franchise"),
        )


def franchise_card_unbind(*, user: User) -> int:
    """Unbind the viewer's card: no more automatic charges, and every franchise activated with it
    ends now (the page warns before). Returns how many activations ended; a second click finds
    no card and ends nothing."""
    with transaction.atomic():
        card = live_card(user=user)
        if card is None:
            return 0
        payments.card_unbind(user=user)
        return FranchiseActivation.objects.filter(method=Method.CARD, ended_at__isnull=True, card__user=user).update(
            ended_at=clock.now(), end_reason=UNBIND_REASON
        )
