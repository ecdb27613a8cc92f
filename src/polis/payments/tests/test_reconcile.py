"""A crash between the gateway's confirmation and our bookkeeping loses nothing."""

import datetime as dt
from io import StringIO
from unittest import mock

from django.core.management import call_command

from polis.payments import gateways, services
from polis.payments.gateways.base import GatewayError
from polis.payments.gateways.sandbox import SandboxGateway
from polis.payments.models import LedgerEntry, Payment, PaymentPurpose, PaymentStatus, RefundStatus
from polis.payments.selectors import deposit_held, ledger_totals
from polis.payments.tests.conftest import pay_in_sandbox, start_deposit


def test_a_payment_the_gateway_confirmed_but_we_never_applied_is_applied_once_by_reconciliation(
    alice, alice_policy, son_policy, effects, frozen_now
):
    payment = start_deposit(alice, [alice_policy, son_policy])
    # The payer paid; the gateway knows; our process died before hearing of it.
    pay_in_sandbox(payment)
    assert Payment.objects.get(pk=payment.pk).status == PaymentStatus.PENDING

    services.payments_reconcile()
    assert Payment.objects.get(pk=payment.pk).status == PaymentStatus.PENDING  # younger than a minute: left alone

    frozen_now.return_value += dt.timedelta(minutes=2)
    report = services.payments_reconcile()
    again = services.payments_reconcile()

    assert (report.payments_checked, report.payments_settled) == (1, 1)
    assert again.payments_checked == 0
    assert Payment.objects.get(pk=payment.pk).status == PaymentStatus.SUCCEEDED
    assert LedgerEntry.objects.filter(payment=payment).count() == 2
    assert deposit_held(policy=son_policy) == 300_00
    assert len(effects) == 1


def test_the_command_reconciles_and_says_what_it_did(alice, alice_policy, frozen_now):
    payment = start_deposit(alice, [alice_policy])
    pay_in_sandbox(payment, "canceled")
    frozen_now.return_value += dt.timedelta(minutes=5)
    out = StringIO()

    call_command("reconcile_payments", stdout=out)

    assert "Платежей сверено: 1, проведено: 1" in out.getvalue()
    assert Payment.objects.get(pk=payment.pk).status == PaymentStatus.CANCELED


def test_a_gateway_that_does_not_answer_leaves_payments_pending_for_the_next_run(alice, alice_policy, frozen_now):
    payment = start_deposit(alice, [alice_policy])
    pay_in_sandbox(payment)
    frozen_now.return_value += dt.timedelta(minutes=5)
    silent = mock.Mock(fetch_payment=mock.Mock(side_effect=GatewayError("timeout")))

    with mock.patch.object(gateways, "get", return_value=silent):
        report = services.payments_reconcile()

    assert report.failures == 1
    assert Payment.objects.get(pk=payment.pk).status == PaymentStatus.PENDING
    assert services.payments_reconcile().payments_settled == 1


def test_a_payment_that_never_reached_the_gateway_is_canceled_after_a_while(alice, alice_policy, frozen_now):
    # The process died between committing the payment and calling the gateway.
    with mock.patch.object(services.payments, "_ensure_at_gateway", side_effect=lambda payment: payment):
        payment = start_deposit(alice, [alice_policy])
    assert payment.gateway_payment_id is None

    frozen_now.return_value += dt.timedelta(minutes=5)
    services.payments_reconcile()
    assert Payment.objects.get(pk=payment.pk).status == PaymentStatus.PENDING

    frozen_now.return_value += dt.timedelta(minutes=15)
    services.payments_reconcile()
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.CANCELED
    assert payment.cancel_reason == "Оплата не началась: платёжный сервис не получил платёж."


def test_a_slow_gateway_answer_for_a_payment_given_up_on_is_not_handed_to_the_payer(alice, alice_policy):
    def slow_create(payment):
        # While the gateway thinks, reconciliation gives up on the payment.
        Payment.objects.filter(pk=payment.pk).update(status=PaymentStatus.CANCELED)
        return SandboxGateway().create_payment(payment)

    slow = mock.Mock(create_payment=slow_create)
    with mock.patch.object(gateways, "get", return_value=slow):
        try:
            start_deposit(alice, [alice_policy])
        except services.PaymentError as refusal:
            assert refusal.message == "Время на начало оплаты истекло. Начните оплату заново."
        else:
            raise AssertionError("a canceled payment was handed out")
    assert Payment.objects.get().confirmation_url == ""


def test_a_card_check_whose_refund_was_never_started_is_refunded_by_reconciliation(alice, alice_policy, frozen_now):
    payment = services.payment_start(
        user=alice,
        purpose=PaymentPurpose.CARD_BINDING,
        items=[services.ItemSpec(policy=alice_policy, amount_kopecks=100, description="Проверка карты")],
        description="Привязка карты",
        subject_key="card:1",
        return_url="/my/franchise/",
        receipt_contact="alice@example.ru",
        save_card=True,
    )
    pay_in_sandbox(payment)
    # The success is applied, and the process dies before the refund.
    services.payment_apply(payment_id=payment.pk, gateway_status="succeeded", method=None)
    assert not payment.refunds.exists()
    assert deposit_held(policy=alice_policy) == 100

    services.payments_reconcile()
    services.payments_reconcile()

    assert [r.status for r in payment.refunds.all()] == [RefundStatus.SUCCEEDED]
    assert deposit_held(policy=alice_policy) == 0
    totals = ledger_totals()
    assert totals["succeeded_payments"] == totals["deposit"] + totals["copay"] + totals["refunded"]


def test_manual_reconciliation_records_a_payment_we_canceled_but_the_gateway_took(
    alice, alice_policy, backoffice_user, effects, caplog
):
    payment = start_deposit(alice, [alice_policy])
    services.payment_apply(payment_id=payment.pk, gateway_status="canceled", method=None)
    pay_in_sandbox(payment)  # the payer's bank said yes after all

    note = services.payment_reconcile_manually(payment_id=payment.pk, staff=backoffice_user)

    payment.refresh_from_db()
    assert payment.status == PaymentStatus.SUCCEEDED
    assert "Проведён при ручной сверке" in note and backoffice_user.get_username() in note
    (entry,) = LedgerEntry.objects.filter(payment=payment)
    assert entry.memo == note and entry.amount_kopecks == 300_00
    assert effects == [payment]
    assert "canceled → succeeded by manual reconciliation" in caplog.text
    # A second press changes nothing.
    assert "совпадает со шлюзом" in services.payment_reconcile_manually(payment_id=payment.pk, staff=backoffice_user)
    assert LedgerEntry.objects.filter(payment=payment).count() == 1


def test_manual_reconciliation_does_not_undo_a_success_the_gateway_denies(alice, alice_policy, backoffice_user):
    payment = start_deposit(alice, [alice_policy])
    services.payment_apply(payment_id=payment.pk, gateway_status="succeeded", method=None)
    pay_in_sandbox(payment, "canceled")

    note = services.payment_reconcile_manually(payment_id=payment.pk, staff=backoffice_user)

    assert "разберите вручную" in note
    assert Payment.objects.get(pk=payment.pk).status == PaymentStatus.SUCCEEDED
    assert deposit_held(policy=alice_policy) == 300_00
