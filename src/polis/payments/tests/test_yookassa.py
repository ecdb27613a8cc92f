"""The YooKassa adapter, with the SDK's HTTP exchange replaced: the exact requests, and the whole
path from a notification to the booked deposit."""

import base64
import json
import uuid

import pytest
import requests
from django.urls import reverse

from polis.payments import services
from polis.payments.gateways.base import GatewayError, GatewayRejected
from polis.payments.gateways.yookassa import YooKassaGateway
from polis.payments.models import GatewayEvent, Payment, PaymentPurpose, PaymentStatus, RefundStatus, SavedCard
from polis.payments.selectors import deposit_held, ledger_totals
from polis.payments.tests.conftest import start_deposit
from polis.payments.tests.yookassa_fakes import CONFIRMATION_URL, FakeResponse, fake_yookassa

YOOKASSA_ADDR = "185.71.76.10"


@pytest.fixture(autouse=True)
def yookassa_settings(settings):
    settings.PAYMENTS_GATEWAY = "yookassa"
    settings.YOOKASSA_SHOP_ID = "123456"
    settings.YOOKASSA_SECRET_KEY = "test_secret"
    settings.POLIS_SITE_URL = "https://lk.example.ru"


@pytest.fixture
def yk():
    with fake_yookassa() as fake:
        yield fake


def _notify(client, payload, addr=YOOKASSA_ADDR):
    return client.post(
        reverse("payments:webhook_yookassa"),
        data=json.dumps(payload),
        content_type="application/json",
        REMOTE_ADDR=addr,
    )


def test_a_deposit_payment_is_created_with_amounts_in_rubles_the_idempotence_key_and_an_advance_receipt(
    yk, alice, alice_policy, son_policy
):
    payment = start_deposit(alice, [alice_policy, son_policy], amount=300_50)

    (sent,) = yk.sent
    assert (sent.method, sent.path) == ("POST", "/payments")
    assert sent.headers["Idempotence-Key"] == str(payment.idempotence_key)
    assert sent.headers["Authorization"] == "Basic " + base64.b64encode(b"123456:test_secret").decode()
    assert sent.body["metadata"]["polis_payment_id"] == str(payment.pk)
    expected = {
        "amount": {"value": "601.00", "currency": "RUB"},
        "capture": True,
        "confirmation": {"type": "redirect", "return_url": f"https://lk.example.ru/payments/{payment.pk}/return/"},
        "description": "Неснижаемый авансовый платёж по франшизе",
        "receipt": {
            "customer": {"email": "alice@example.ru"},
            "items": [
                {
                    "description": f"Авансовый платёж, полис № {policy.number}",
                    "quantity": "1.0",  # the SDK's spelling of our "1.00"
                    "amount": {"value": "300.50", "currency": "RUB"},
                    "vat_code": 1,
                    "payment_mode": "advance",
                    "payment_subject": "payment",
                }
                for policy in (alice_policy, son_policy)
            ],
        },
    }
    assert {key: sent.body[key] for key in expected} == expected
    assert "save_payment_method" not in sent.body
    assert payment.gateway == "yookassa"
    assert payment.confirmation_url == CONFIRMATION_URL
    assert payment.gateway_payment_id == "30a6c2d1-000f-5000-9000-000000000001"


def test_a_card_binding_asks_to_save_the_method_and_a_copay_is_a_full_payment_for_a_service(yk, alice, alice_policy):
    services.payment_start(
        user=alice,
        purpose=PaymentPurpose.CARD_BINDING,
        items=[services.ItemSpec(policy=alice_policy, amount_kopecks=100, description="Проверка карты")],
        description="Привязка карты",
        subject_key="card:user=1",
        return_url="/my/franchise/",
        receipt_contact="alice@example.ru",
        save_card=True,
    )
    services.payment_start(
        user=alice,
        purpose=PaymentPurpose.COPAY,
        items=[services.ItemSpec(policy=alice_policy, amount_kopecks=1234_56, description="Счёт № 7 " + "я" * 200)],
        description="Оплата счёта № 7",
        subject_key="copay:invoice=7",
        return_url="/my/franchise/",
        receipt_contact="+7 916 123-45-67",
    )

    binding, copay = (s.body for s in yk.sent)
    assert binding["save_payment_method"] is True
    assert binding["amount"] == {"value": "1.00", "currency": "RUB"}
    assert "save_payment_method" not in copay
    (line,) = copay["receipt"]["items"]
    assert (line["payment_mode"], line["payment_subject"]) == ("full_payment", "service")
    assert line["amount"]["value"] == "1234.56"
    assert len(line["description"]) == 128
    assert copay["receipt"]["customer"] == {"phone": "79161234567"}


def test_a_notification_from_yookassas_network_re_reads_the_payment_and_books_it_once(
    client, yk, alice, alice_policy, effects
):
    payment = start_deposit(alice, [alice_policy])
    yk.pay(payment.gateway_payment_id)
    body = {
        "type": "notification",
        "event": "payment.succeeded",
        # What the body claims is not believed: the amount here is a lie, the API is asked.
        "object": {"id": payment.gateway_payment_id, "status": "succeeded", "amount": {"value": "1000000.00"}},
    }

    for _ in range(10):
        assert _notify(client, body).status_code == 200

    payment.refresh_from_db()
    assert payment.status == PaymentStatus.SUCCEEDED
    assert deposit_held(policy=alice_policy) == 300_00
    assert len(effects) == 1
    event = GatewayEvent.objects.get()
    assert event.deliveries == 10 and event.handling == GatewayEvent.Handling.PROCESSED
    assert event.remote_addr == YOOKASSA_ADDR
    reads = [s for s in yk.sent if s.method == "GET"]
    assert reads[0].path == f"/payments/{payment.gateway_payment_id}"
    assert payment.receipt["paid_with"] == "MasterCard •••• 4444"


def test_a_notification_that_lies_about_success_changes_nothing(client, yk, alice, alice_policy, effects):
    payment = start_deposit(alice, [alice_policy])
    body = {"type": "notification", "event": "payment.succeeded", "object": {"id": payment.gateway_payment_id}}

    assert _notify(client, body).status_code == 200

    payment.refresh_from_db()
    assert payment.status == PaymentStatus.PENDING
    assert effects == []


def test_a_decline_is_read_with_its_reason(yk, alice, alice_policy):
    payment = start_deposit(alice, [alice_policy])
    yk.decline(payment.gateway_payment_id)

    payment = services.payment_refresh(payment_id=payment.pk)

    assert payment.status == PaymentStatus.CANCELED
    assert payment.cancel_reason == "На карте недостаточно средств."


def test_a_saved_card_binding_is_refunded_at_once_with_a_refund_receipt(yk, alice, alice_policy, effects):
    payment = services.payment_start(
        user=alice,
        purpose=PaymentPurpose.CARD_BINDING,
        items=[services.ItemSpec(policy=alice_policy, amount_kopecks=100, description="Проверка карты")],
        description="Привязка карты",
        subject_key="card:user=1",
        return_url="/my/franchise/",
        receipt_contact="alice@example.ru",
        save_card=True,
    )
    yk.pay(payment.gateway_payment_id, saved=True)

    services.payment_refresh(payment_id=payment.pk)

    card = SavedCard.objects.get()
    assert (card.user, card.method_id, card.title) == (
        alice,
        f"pm-{payment.gateway_payment_id}",
        "MasterCard •••• 4444",
    )
    refund_request = next(s for s in yk.sent if s.path == "/refunds")
    assert refund_request.body["payment_id"] == payment.gateway_payment_id
    assert refund_request.body["amount"] == {"value": "1.00", "currency": "RUB"}
    assert refund_request.body["receipt"]["items"][0]["payment_mode"] == "advance"
    assert refund_request.headers["Idempotence-Key"] == str(payment.refunds.get().idempotence_key)
    assert payment.refunds.get().status == RefundStatus.SUCCEEDED
    assert deposit_held(policy=alice_policy) == 0
    totals = ledger_totals()
    assert totals["refunded"] == 100 == totals["succeeded_payments"]


def test_an_automatic_charge_uses_the_saved_method_and_no_confirmation(yk, alice, alice_policy, effects):
    binding = Payment.objects.create(
        user=alice, purpose=PaymentPurpose.CARD_BINDING, amount_kopecks=100, description="x", gateway="yookassa",
        subject_key="b", status=PaymentStatus.SUCCEEDED,
    )  # fmt: skip
    card = SavedCard.objects.create(
        user=alice, gateway="yookassa", method_id="pm-1", title="MasterCard •••• 4444", agreement_version="1",
        binding_payment=binding,
    )  # fmt: skip

    payment = services.charge_saved_card(
        card=card,
        purpose=PaymentPurpose.COPAY,
        items=[services.ItemSpec(policy=alice_policy, amount_kopecks=500_00, description="Счёт № 8")],
        description="Оплата счёта № 8",
        subject_key="copay:invoice=8",
        receipt_contact="alice@example.ru",
    )

    (sent,) = yk.sent
    assert sent.body["payment_method_id"] == "pm-1"
    assert "confirmation" not in sent.body
    assert sent.headers["Idempotence-Key"] == str(payment.idempotence_key)
    assert payment.status == PaymentStatus.SUCCEEDED
    assert ledger_totals()["copay"] == 500_00
    assert effects == [payment]


def test_a_refusal_and_an_unclear_answer_are_told_apart(yk, alice, alice_policy):
    payment = start_deposit(alice, [alice_policy])
    gateway = YooKassaGateway()

    yk.fail_with = lambda sent: FakeResponse(400, {"type": "error", "code": "invalid_request", "id": "1"})
    with pytest.raises(GatewayRejected):
        gateway.fetch_payment(payment.gateway_payment_id)

    yk.fail_with = lambda sent: FakeResponse(500, {"type": "error", "code": "internal_server_error", "id": "2"})
    with pytest.raises(GatewayError) as unclear:
        gateway.fetch_payment(payment.gateway_payment_id)
    assert not isinstance(unclear.value, GatewayRejected)


def test_a_network_failure_is_an_unclear_answer(alice, alice_policy, monkeypatch):
    def no_network(*args, **kwargs):
        raise requests.ConnectionError("no route to host")

    monkeypatch.setattr(requests.Session, "request", no_network)
    with pytest.raises(GatewayError):
        YooKassaGateway().fetch_payment(str(uuid.uuid4()))


@pytest.mark.parametrize("addr", ["8.8.8.8", "185.71.76.32", "2001:db8::1", ""])
def test_a_notification_from_outside_yookassas_networks_is_refused(client, yk, alice, alice_policy, addr):
    payment = start_deposit(alice, [alice_policy])
    yk.pay(payment.gateway_payment_id)
    body = {"type": "notification", "event": "payment.succeeded", "object": {"id": payment.gateway_payment_id}}

    assert _notify(client, body, addr=addr).status_code == 403

    assert not GatewayEvent.objects.exists()
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.PENDING


@pytest.mark.parametrize("addr", ["185.71.77.5", "77.75.156.11", "2a02:5180::1"])
def test_notifications_are_accepted_from_each_of_yookassas_networks(db, client, yk, addr):
    body = {"type": "notification", "event": "payment.succeeded", "object": {"id": "unknown"}}

    assert _notify(client, body, addr=addr).status_code == 200
    assert GatewayEvent.objects.get().handling == GatewayEvent.Handling.IGNORED


def test_behind_a_trusted_proxy_the_sender_is_the_last_address_the_proxy_saw(db, client, yk, settings):
    settings.PAYMENTS_TRUSTED_PROXIES = ["10.0.0.0/8"]
    body = {"type": "notification", "event": "refund.succeeded", "object": {"id": "r1"}}
    url = reverse("payments:webhook_yookassa")

    def post(xff: str, remote: str = "10.0.0.5") -> int:
        return client.post(
            url, data=json.dumps(body), content_type="application/json", REMOTE_ADDR=remote, HTTP_X_FORWARDED_FOR=xff
        ).status_code

    assert post(f"{YOOKASSA_ADDR}") == 200
    assert post(f"{YOOKASSA_ADDR}, 10.0.0.7") == 200
    # A client writing YooKassa's address on the left does not pass: the proxy appended its own.
    assert post(f"{YOOKASSA_ADDR}, 8.8.8.8") == 403
    # Without a trusted proxy in front, the header is not read at all.
    assert post(YOOKASSA_ADDR, remote="8.8.8.8") == 403


def test_a_refund_notification_re_reads_the_refund(client, yk, alice, alice_policy):
    payment = start_deposit(alice, [alice_policy])
    yk.pay(payment.gateway_payment_id)
    services.payment_refresh(payment_id=payment.pk)
    yk.fail_with = lambda sent: FakeResponse(200, {**_pending_refund(sent)}) if sent.path == "/refunds" else None
    refund = services.refund_start(payment=payment, policy=alice_policy, amount_kopecks=100_00, reason="Открепление")
    assert refund.status == RefundStatus.PENDING
    yk.fail_with = None
    yk.refunds[refund.gateway_refund_id] = {"id": refund.gateway_refund_id, "status": "succeeded",
                                            "payment_id": payment.gateway_payment_id,
                                            "amount": {"value": "100.00", "currency": "RUB"}}  # fmt: skip

    body = {"type": "notification", "event": "refund.succeeded", "object": {"id": refund.gateway_refund_id}}
    assert _notify(client, body).status_code == 200

    refund.refresh_from_db()
    assert refund.status == RefundStatus.SUCCEEDED
    assert deposit_held(policy=alice_policy) == 200_00


def _pending_refund(sent):
    return {
        "id": "refund-1",
        "payment_id": sent.body["payment_id"],
        "status": "pending",
        "amount": sent.body["amount"],
        "created_at": "2026-11-20T09:05:00.000Z",
    }


def test_a_malformed_notification_from_yookassa_is_a_bad_request(client, yk):
    response = client.post(
        reverse("payments:webhook_yookassa"),
        data="not json",
        content_type="application/json",
        REMOTE_ADDR=YOOKASSA_ADDR,
    )
    assert response.status_code == 400
