from unittest import mock

import pytest

from polis.payments import gateways, services
from polis.payments.gateways.base import GatewayError
from polis.payments.models import LedgerEntry, Payment, PaymentStatus, SandboxPaymentState
from polis.payments.selectors import deposit_held
from polis.payments.services import PaymentError
from polis.payments.tests.conftest import pay_in_sandbox, start_deposit


def test_a_payment_for_two_people_is_one_payment_with_a_line_for_each(alice, alice_policy, son_policy):
    payment = start_deposit(alice, [alice_policy, son_policy])

    assert payment.status == PaymentStatus.PENDING
    assert payment.amount_kopecks == 600_00
    assert sorted(i.policy_id for i in payment.items.all()) == sorted([alice_policy.pk, son_policy.pk])
    assert payment.gateway == "sandbox"
    assert payment.gateway_payment_id == f"sbx-{payment.idempotence_key.hex}"
    assert payment.confirmation_url == f"/payments/sandbox/{payment.pk}/"
    assert payment.return_url == "/my/franchise/"


def test_the_receipt_data_is_an_advance_for_each_person_sent_to_the_given_email(alice, alice_policy, son_policy):
    payment = start_deposit(alice, [alice_policy, son_policy], receipt_contact=" Alice@Example.ru ")

    assert payment.receipt["customer"] == {"email": "alice@example.ru"}
    lines = payment.receipt["items"]
    assert [(line["amount"]["value"], line["payment_mode"], line["payment_subject"]) for line in lines] == [
        ("300.00", "advance", "payment"),
        ("300.00", "advance", "payment"),
    ]
    assert all(line["vat_code"] == 1 and line["quantity"] == "1.00" for line in lines)


def test_a_phone_for_the_receipt_is_accepted_and_anything_else_is_refused_in_russian(alice, alice_policy):
    payment = start_deposit(alice, [alice_policy], receipt_contact="8 (916) 123-45-67")
    assert payment.receipt["customer"] == {"phone": "79161234567"}

    with pytest.raises(PaymentError) as refusal:
        start_deposit(alice, [alice_policy], receipt_contact="почтой", subject_key="other")
    assert refusal.value.message == "Укажите e-mail или номер мобильного телефона, куда прислать чек."


def test_two_tabs_paying_the_same_thing_get_one_payment(alice, alice_policy, son_policy):
    first = start_deposit(alice, [alice_policy, son_policy])
    second = start_deposit(alice, [alice_policy, son_policy])

    assert second.pk == first.pk
    assert Payment.objects.count() == 1
    assert SandboxPaymentState.objects.count() == 1


def test_a_new_payment_starts_once_the_previous_one_was_declined(alice, alice_policy):
    first = start_deposit(alice, [alice_policy])
    pay_in_sandbox(first, "canceled")

    second = start_deposit(alice, [alice_policy])

    assert second.pk != first.pk
    assert Payment.objects.get(pk=first.pk).status == PaymentStatus.CANCELED
    assert second.status == PaymentStatus.PENDING


def test_an_outsider_cannot_pay_for_someone_elses_policy(alice, bob, alice_policy):
    start_deposit(alice, [alice_policy])

    with pytest.raises(PaymentError) as refusal:
        start_deposit(bob, [alice_policy])
    assert refusal.value.message == "Оплатить можно только за себя и за родственников по своим полисам."
    with pytest.raises(PaymentError):
        start_deposit(bob, [alice_policy], subject_key="bob's own key")
    assert Payment.objects.count() == 1


def test_another_person_cannot_take_over_a_pending_payment_for_the_same_subject(alice, bob, alice_policy):
    bob_policy = bob.insured_records.get().policies.get()
    start_deposit(alice, [alice_policy], subject_key="shared")

    with pytest.raises(PaymentError, match="уже начал другой человек"):
        start_deposit(bob, [bob_policy], subject_key="shared")
    assert Payment.objects.count() == 1


def test_a_gateway_that_fails_leaves_the_payment_canceled_with_a_reason_and_a_clear_error(alice, alice_policy):
    broken = mock.Mock(create_payment=mock.Mock(side_effect=GatewayError("timeout")))
    with mock.patch.object(gateways, "get", return_value=broken), pytest.raises(PaymentError) as refusal:
        start_deposit(alice, [alice_policy])

    payment = Payment.objects.get()
    assert payment.status == PaymentStatus.CANCELED
    assert payment.cancel_reason == refusal.value.message
    assert "Платёжный сервис не ответил" in refusal.value.message
    # The subject is free again: the next attempt is a new payment.
    assert start_deposit(alice, [alice_policy]).pk != payment.pk


def test_a_return_url_to_another_site_is_a_programming_error(alice, alice_policy):
    with pytest.raises(ValueError):
        start_deposit(alice, [alice_policy], return_url="https://evil.example.com/")


def test_a_succeeded_payment_books_each_persons_deposit_and_calls_the_effect_once(
    alice, alice_policy, son_policy, effects
):
    payment = start_deposit(alice, [alice_policy, son_policy], amount=250_00)
    pay_in_sandbox(payment)

    services.payment_refresh(payment_id=payment.pk)

    payment.refresh_from_db()
    assert payment.status == PaymentStatus.SUCCEEDED
    assert payment.receipt["paid_with"] == "Песочница •••• 4242"
    assert deposit_held(policy=alice_policy) == 250_00
    assert deposit_held(policy=son_policy) == 250_00
    assert [p.pk for p in effects] == [payment.pk]


def test_applying_the_same_outcome_ten_times_books_once_and_calls_the_effect_once(alice, alice_policy, effects):
    payment = start_deposit(alice, [alice_policy])

    for _ in range(10):
        services.payment_apply(payment_id=payment.pk, gateway_status="succeeded", method=None)

    assert LedgerEntry.objects.filter(payment=payment).count() == 1
    assert len(effects) == 1


def test_a_decline_books_nothing_and_says_why_in_russian(alice, alice_policy, effects):
    payment = start_deposit(alice, [alice_policy])
    pay_in_sandbox(payment, "canceled")

    payment = services.payment_refresh(payment_id=payment.pk)

    assert payment.status == PaymentStatus.CANCELED
    assert payment.cancel_reason == "Банк отказал в оплате. Попробуйте другую карту или позвоните в банк."
    assert not LedgerEntry.objects.exists()
    assert effects == []


def test_a_late_success_after_a_cancel_changes_nothing_outside_the_back_office(alice, alice_policy, effects):
    payment = start_deposit(alice, [alice_policy])
    services.payment_apply(payment_id=payment.pk, gateway_status="canceled", method=None)

    payment = services.payment_apply(payment_id=payment.pk, gateway_status="succeeded", method=None)

    assert payment.status == PaymentStatus.CANCELED
    assert payment.gateway_status == "succeeded"  # the disagreement is visible in the back office
    assert not LedgerEntry.objects.exists()
    assert effects == []


def test_a_failing_effect_rolls_the_whole_success_back_so_it_can_be_applied_later(alice, alice_policy):
    payment = start_deposit(alice, [alice_policy])
    pay_in_sandbox(payment)
    services.ON_SUCCEEDED["deposit"] = mock.Mock(side_effect=RuntimeError("billing is broken"))

    with pytest.raises(RuntimeError):
        services.payment_refresh(payment_id=payment.pk)

    payment.refresh_from_db()
    assert payment.status == PaymentStatus.PENDING
    assert not LedgerEntry.objects.exists()
