"""The sandbox's notification endpoint and how notifications are stored and handled."""

import json
from unittest import mock

import pytest
from django.urls import reverse

from polis.payments import services
from polis.payments.models import GatewayEvent, PaymentStatus
from polis.payments.tests.conftest import pay_in_sandbox, start_deposit


def _notify(client, payload, addr="127.0.0.1"):
    return client.post(
        reverse("payments:webhook_sandbox"), data=json.dumps(payload), content_type="application/json", REMOTE_ADDR=addr
    )


def _body(payment):
    return {"type": "notification", "event": "payment.succeeded", "object": {"id": payment.gateway_payment_id}}


def test_the_same_sandbox_notification_ten_times_is_one_event_one_booking_one_effect(
    client, alice, alice_policy, effects
):
    payment = start_deposit(alice, [alice_policy])
    pay_in_sandbox(payment)

    for _ in range(10):
        assert _notify(client, _body(payment)).status_code == 200

    event = GatewayEvent.objects.get()
    assert event.deliveries == 10
    assert event.handling == GatewayEvent.Handling.PROCESSED
    assert payment.entries.count() == 1
    assert len(effects) == 1


def test_the_sandbox_endpoint_takes_notifications_only_from_this_machine(client, alice, alice_policy):
    payment = start_deposit(alice, [alice_policy])
    pay_in_sandbox(payment)

    assert _notify(client, _body(payment), addr="192.0.2.10").status_code == 403

    assert not GatewayEvent.objects.exists()
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.PENDING


def test_the_sandbox_endpoint_does_not_exist_when_a_real_gateway_is_configured(client, settings, db):
    settings.PAYMENTS_GATEWAY = "yookassa"

    assert _notify(client, {"event": "payment.succeeded", "object": {"id": "x"}}).status_code == 404


def test_a_notification_endpoint_takes_only_post(client, db):
    assert client.get(reverse("payments:webhook_sandbox")).status_code == 405


def test_a_failed_handling_is_recorded_on_the_event_and_retried_on_the_next_delivery(
    client, alice, alice_policy, effects
):
    payment = start_deposit(alice, [alice_policy])
    pay_in_sandbox(payment)

    with mock.patch.object(services.events, "payment_refresh", side_effect=RuntimeError("db hiccup")):
        assert _notify(client, _body(payment)).status_code == 200
    event = GatewayEvent.objects.get()
    assert event.handling == GatewayEvent.Handling.FAILED
    assert "db hiccup" in event.error

    assert _notify(client, _body(payment)).status_code == 200

    event.refresh_from_db()
    assert (event.handling, event.deliveries) == (GatewayEvent.Handling.PROCESSED, 2)
    assert len(effects) == 1


@pytest.mark.parametrize(
    "payload",
    [
        {"type": "notification", "event": "payout.succeeded", "object": {"id": "po-1"}},
        {"type": "notification", "event": "payment.succeeded", "object": {"id": "no-such-payment"}},
        {"type": "notification", "event": "payment.succeeded"},
    ],
)
def test_notifications_about_nothing_of_ours_are_kept_and_skipped(client, db, payload):
    assert _notify(client, payload).status_code == 200
    assert GatewayEvent.objects.get().handling == GatewayEvent.Handling.IGNORED


def test_a_body_that_is_not_a_json_object_is_a_bad_request(client, db):
    assert _notify(client, ["payment.succeeded"]).status_code == 400
    assert not GatewayEvent.objects.exists()
