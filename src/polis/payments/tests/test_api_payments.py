"""Payments through the mobile API: history, one payment asked of the gateway while pending, its
receipts; nobody else's payments."""

import datetime as dt
from unittest import mock

import pytest

from polis.payments import services
from polis.payments.gateways.base import GatewayError
from polis.payments.models import LedgerEntry, PaymentStatus
from polis.payments.tests.conftest import pay_in_sandbox, start_deposit

pytestmark = pytest.mark.django_db


def test_the_history_lists_own_payments_newest_first_with_what_each_paid_for(
    client, alice, alice_policy, son_policy, frozen_now
):
    older = start_deposit(alice, [alice_policy])
    pay_in_sandbox(older)
    services.payment_refresh(payment_id=older.pk)
    frozen_now.return_value += dt.timedelta(minutes=5)
    newer = start_deposit(alice, [alice_policy, son_policy])
    client.force_login(alice)

    history = client.get("/api/v1/payments").json()

    assert [p["id"] for p in history] == [str(newer.pk), str(older.pk)]
    assert history[0]["status"] == "pending"
    assert history[0]["confirmation_url"] == f"http://testserver/payments/sandbox/{newer.pk}/"
    assert [(i["policy_number"], i["amount_kopecks"]) for i in history[0]["items"]] == [
        ("001-0000001", 300_00),
        ("001-0000002", 300_00),
    ]
    assert (history[1]["status"], history[1]["confirmation_url"], history[1]["has_receipt"]) == (
        "succeeded",
        None,
        True,
    )
    assert history[1]["purpose_label"] == "Неснижаемый авансовый платёж"
    assert [p["id"] for p in client.get("/api/v1/payments", {"limit": 1, "offset": 1}).json()] == [str(older.pk)]


def test_asking_for_a_pending_payment_reads_the_gateway_and_books_it_once(client, alice, alice_policy):
    payment = start_deposit(alice, [alice_policy])
    client.force_login(alice)
    assert client.get(f"/api/v1/payments/{payment.pk}").json()["status"] == "pending"

    pay_in_sandbox(payment)
    first = client.get(f"/api/v1/payments/{payment.pk}").json()
    second = client.get(f"/api/v1/payments/{payment.pk}").json()

    assert first["status"] == second["status"] == "succeeded"
    assert first["succeeded_at"]
    assert LedgerEntry.objects.filter(payment=payment).count() == 1


def test_an_unreachable_gateway_leaves_the_payment_pending_without_an_error(client, alice, alice_policy):
    payment = start_deposit(alice, [alice_policy])
    client.force_login(alice)
    with mock.patch(
        "polis.payments.gateways.sandbox.SandboxGateway.fetch_payment", side_effect=GatewayError("timeout")
    ):
        response = client.get(f"/api/v1/payments/{payment.pk}")
    assert response.status_code == 200
    assert response.json()["status"] == "pending"


def test_a_paid_deposit_has_an_advance_receipt_and_its_refund_a_refund_receipt(client, alice, alice_policy):
    payment = start_deposit(alice, [alice_policy])
    client.force_login(alice)
    not_yet = client.get(f"/api/v1/payments/{payment.pk}/receipt")
    assert (not_yet.status_code, not_yet.json()["code"]) == (409, "no_receipt")

    pay_in_sandbox(payment)
    services.payment_refresh(payment_id=payment.pk)
    services.refund_start(payment=payment, policy=alice_policy, amount_kopecks=100_00, reason="Возврат по заявлению")
    body = client.get(f"/api/v1/payments/{payment.pk}/receipt").json()

    payment_receipt, refund_receipt = body["receipts"]
    assert (payment_receipt["kind"], payment_receipt["sent_to"], payment_receipt["total_kopecks"]) == (
        "payment",
        "alice@example.ru",
        300_00,
    )
    line = payment_receipt["lines"][0]
    assert (line["mode"], line["subject"], line["amount_kopecks"]) == ("аванс", "платёж", 300_00)
    assert (refund_receipt["kind"], refund_receipt["total_kopecks"]) == ("refund", 100_00)
    refunds = client.get("/api/v1/payments/refunds").json()
    assert [(r["amount_kopecks"], r["status"]) for r in refunds] == [(100_00, "succeeded")]


def test_an_outsider_cannot_see_another_persons_payment_or_receipt(client, alice, alice_policy, bob):
    payment = start_deposit(alice, [alice_policy])
    pay_in_sandbox(payment)
    client.force_login(bob)
    for suffix in ("", "/receipt"):
        response = client.get(f"/api/v1/payments/{payment.pk}{suffix}")
        assert response.status_code == 404, suffix
    assert client.get("/api/v1/payments").json() == []
    assert client.get("/api/v1/payments/refunds").json() == []
    # Looking did not apply the payment for anyone: only its owner's view asks the gateway.
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.PENDING


def test_staff_have_no_payments_through_the_insured_api(client, alice, alice_policy, hr_user):
    payment = start_deposit(alice, [alice_policy])
    client.force_login(hr_user)
    assert client.get("/api/v1/payments").json() == []
    assert client.get(f"/api/v1/payments/{payment.pk}").status_code == 404


def test_a_malformed_payment_id_is_not_found(client, alice):
    client.force_login(alice)
    assert client.get("/api/v1/payments/not-a-uuid").status_code == 404
