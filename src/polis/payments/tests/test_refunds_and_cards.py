import datetime as dt
from unittest import mock

import pytest

from polis.payments import gateways, services
from polis.payments.gateways.base import GatewayError, GatewayRejected
from polis.payments.gateways.sandbox import SandboxGateway
from polis.payments.models import LedgerEntry, PaymentPurpose, PaymentStatus, Refund, RefundStatus, SavedCard
from polis.payments.selectors import deposit_held, ledger_totals, live_card_for_user
from polis.payments.services import PaymentError
from polis.payments.tests.conftest import pay_in_sandbox, start_deposit


def _paid_deposit(user, policies, amount=300_00):
    payment = start_deposit(user, policies, amount=amount)
    pay_in_sandbox(payment)
    return services.payment_refresh(payment_id=payment.pk)


def _bind_card(user, policy):
    payment = services.payment_start(
        user=user,
        purpose=PaymentPurpose.CARD_BINDING,
        items=[services.ItemSpec(policy=policy, amount_kopecks=100, description="Проверка карты (вернётся)")],
        description="Привязка карты для автоплатежей",
        subject_key=f"card:user={user.pk}",
        return_url="/my/franchise/",
        receipt_contact="alice@example.ru",
        save_card=True,
    )
    pay_in_sandbox(payment)
    return services.payment_refresh(payment_id=payment.pk)


def test_a_refund_moves_the_deposit_to_refunded_and_keeps_a_refund_receipt(alice, alice_policy, son_policy):
    payment = _paid_deposit(alice, [alice_policy, son_policy])

    refund = services.refund_start(payment=payment, policy=son_policy, amount_kopecks=300_00, reason="Открепление")

    assert refund.status == RefundStatus.SUCCEEDED
    assert deposit_held(policy=son_policy) == 0
    assert deposit_held(policy=alice_policy) == 300_00
    assert refund.receipt["type"] == "refund"
    (line,) = refund.receipt["items"]
    assert line["description"] == "Авансовый платёж, полис № 001-0000002"
    assert line["amount"] == {"value": "300.00", "currency": "RUB"}
    assert (line["payment_mode"], line["payment_subject"]) == ("advance", "payment")
    totals = ledger_totals()
    assert totals == {"deposit": 300_00, "copay": 0, "refunded": 300_00, "succeeded_payments": 600_00}


def test_more_than_is_held_cannot_be_refunded_and_the_refusal_says_how_much_is_left(alice, alice_policy):
    payment = _paid_deposit(alice, [alice_policy])
    services.refund_start(payment=payment, policy=alice_policy, amount_kopecks=200_00, reason="Частично")

    with pytest.raises(PaymentError) as refusal:
        services.refund_start(payment=payment, policy=alice_policy, amount_kopecks=200_00, reason="Ещё раз")

    assert refusal.value.message == "Вернуть можно не больше, чем осталось от платежа: 100,00\xa0₽."
    assert Refund.objects.count() == 1


def test_a_refund_of_another_persons_deposit_from_this_payment_is_refused(alice, bob, alice_policy):
    payment = _paid_deposit(alice, [alice_policy])
    bob_policy = bob.insured_records.get().policies.get()

    with pytest.raises(PaymentError) as refusal:
        services.refund_start(payment=payment, policy=bob_policy, amount_kopecks=100_00, reason="Чужой")

    assert "к возврату доступно 0,00" in refusal.value.message
    assert deposit_held(policy=bob_policy) == 0


def test_an_unpaid_payment_cannot_be_refunded(alice, alice_policy):
    payment = start_deposit(alice, [alice_policy])

    with pytest.raises(PaymentError, match="только прошедший"):
        services.refund_start(payment=payment, policy=alice_policy, amount_kopecks=100, reason="x")


def test_a_refund_the_gateway_refuses_is_canceled_and_the_money_stays_held(alice, alice_policy):
    payment = _paid_deposit(alice, [alice_policy])
    refusing = mock.Mock(wraps=SandboxGateway(), create_refund=mock.Mock(side_effect=GatewayRejected("no")))

    with mock.patch.object(gateways, "get", return_value=refusing), pytest.raises(PaymentError):
        services.refund_start(payment=payment, policy=alice_policy, amount_kopecks=300_00, reason="Открепление")

    assert Refund.objects.get().status == RefundStatus.CANCELED
    assert deposit_held(policy=alice_policy) == 300_00
    # …and can be asked for again.
    assert services.refund_start(
        payment=payment, policy=alice_policy, amount_kopecks=300_00, reason="Снова"
    ).status == (RefundStatus.SUCCEEDED)


def test_a_refund_with_an_unknown_outcome_stays_pending_and_is_finished_by_reconciliation_once(
    alice, alice_policy, frozen_now
):
    payment = _paid_deposit(alice, [alice_policy])
    silent = mock.Mock(wraps=SandboxGateway(), create_refund=mock.Mock(side_effect=GatewayError("timeout")))
    with mock.patch.object(gateways, "get", return_value=silent):
        refund = services.refund_start(payment=payment, policy=alice_policy, amount_kopecks=300_00, reason="Выход")
    assert refund.status == RefundStatus.PENDING and refund.gateway_refund_id is None
    # While it is under way, the same money cannot be asked for again.
    with pytest.raises(PaymentError):
        services.refund_start(payment=payment, policy=alice_policy, amount_kopecks=300_00, reason="Ещё")

    services.payments_reconcile()
    services.payments_reconcile()

    refund.refresh_from_db()
    assert refund.status == RefundStatus.SUCCEEDED
    assert refund.gateway_refund_id == f"sbx-refund-{refund.idempotence_key.hex}"
    assert LedgerEntry.objects.filter(refund=refund).count() == 2
    assert deposit_held(policy=alice_policy) == 0


def test_a_refund_effect_is_called_once(alice, alice_policy):
    calls = []
    services.ON_REFUND_SUCCEEDED[PaymentPurpose.DEPOSIT] = calls.append
    payment = _paid_deposit(alice, [alice_policy])

    refund = services.refund_start(payment=payment, policy=alice_policy, amount_kopecks=300_00, reason="Выход")
    services.refund_refresh(refund_id=refund.pk)

    assert calls == [refund]


def test_binding_a_card_saves_only_the_method_and_returns_the_check_ruble(alice, alice_policy, effects):
    payment = _bind_card(alice, alice_policy)

    card = SavedCard.objects.get()
    assert card.binding_payment == payment
    assert card.method_id == f"sbx-method-{payment.pk.hex}"
    assert card.title == "Песочница •••• 4242"
    assert card.agreement_version == services.AUTOPAY_AGREEMENT_VERSION
    assert payment.refunds.get().status == RefundStatus.SUCCEEDED
    assert deposit_held(policy=alice_policy) == 0
    assert ledger_totals()["refunded"] == 100
    assert effects == [payment]


def test_a_new_card_replaces_the_old_one_and_unbinding_stops_automatic_charges(alice, alice_policy):
    first = _bind_card(alice, alice_policy)
    second = _bind_card(alice, alice_policy)

    assert live_card_for_user(user=alice).binding_payment == second
    assert SavedCard.objects.get(binding_payment=first).unbound_at is not None

    card = services.card_unbind(user=alice)
    assert card is not None and card.unbound_at is not None
    assert services.card_unbind(user=alice) is None
    assert live_card_for_user(user=alice) is None
    with pytest.raises(PaymentError, match="Карта отвязана"):
        services.charge_saved_card(
            card=card,
            purpose=PaymentPurpose.COPAY,
            items=[services.ItemSpec(policy=alice_policy, amount_kopecks=100_00, description="Счёт")],
            description="Счёт",
            subject_key="copay:invoice=1",
            receipt_contact="alice@example.ru",
        )


def test_an_automatic_charge_books_copay_and_a_repeat_of_it_charges_nothing_more(alice, alice_policy, effects):
    _bind_card(alice, alice_policy)
    card = live_card_for_user(user=alice)
    assert card is not None

    def charge():
        return services.charge_saved_card(
            card=card,
            purpose=PaymentPurpose.COPAY,
            items=[services.ItemSpec(policy=alice_policy, amount_kopecks=450_00, description="Счёт № 3")],
            description="Оплата счёта № 3",
            subject_key="copay:invoice=3",
            receipt_contact="alice@example.ru",
        )

    first = charge()

    assert first.status == PaymentStatus.SUCCEEDED
    assert first.card == card
    assert ledger_totals()["copay"] == 450_00
    assert first.receipt["items"][0]["payment_mode"] == "full_payment"
    assert effects[-1] == first
    with pytest.raises(PaymentError, match="уже оплачен"):
        charge()
    assert ledger_totals()["copay"] == 450_00


def test_an_automatic_charge_with_an_unknown_outcome_is_repeated_with_the_same_key(alice, alice_policy, frozen_now):
    _bind_card(alice, alice_policy)
    card = live_card_for_user(user=alice)
    silent = mock.Mock(wraps=SandboxGateway(), charge_saved=mock.Mock(side_effect=GatewayError("timeout")))
    with mock.patch.object(gateways, "get", return_value=silent):
        payment = services.charge_saved_card(
            card=card,
            purpose=PaymentPurpose.COPAY,
            items=[services.ItemSpec(policy=alice_policy, amount_kopecks=450_00, description="Счёт № 4")],
            description="Оплата счёта № 4",
            subject_key="copay:invoice=4",
            receipt_contact="alice@example.ru",
        )
    assert payment.status == PaymentStatus.PENDING and payment.gateway_payment_id is None

    frozen_now.return_value += dt.timedelta(hours=1)
    services.payments_reconcile()

    payment.refresh_from_db()
    assert payment.status == PaymentStatus.SUCCEEDED
    assert payment.gateway_payment_id == f"sbx-{payment.idempotence_key.hex}"
    assert ledger_totals()["copay"] == 450_00
