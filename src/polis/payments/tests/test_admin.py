from django.contrib.admin.models import LogEntry
from django.urls import reverse

from polis.payments import services
from polis.payments.models import GatewayEvent, LedgerEntry, Payment, PaymentStatus
from polis.payments.tests.conftest import pay_in_sandbox, start_deposit


def test_the_back_office_sees_every_payment_with_its_gateway_state_in_rubles(
    client, backoffice_user, alice, alice_policy
):
    payment = start_deposit(alice, [alice_policy], amount=1234_50)
    client.force_login(backoffice_user)

    page = client.get(reverse("admin:payments_payment_changelist")).content.decode()

    assert "1\xa0234,50\xa0₽" in page
    assert "Ожидает оплаты" in page
    assert client.get(reverse("admin:payments_payment_change", args=[payment.pk])).status_code == 200
    for model in ("refund", "gatewayevent", "savedcard", "ledgerentry"):
        assert client.get(reverse(f"admin:payments_{model}_changelist")).status_code == 200


def test_the_reconcile_action_applies_the_gateways_word_and_leaves_a_note_in_the_history(
    client, backoffice_user, alice, alice_policy
):
    payment = start_deposit(alice, [alice_policy])
    services.payment_apply(payment_id=payment.pk, gateway_status="canceled", method=None)
    pay_in_sandbox(payment)
    client.force_login(backoffice_user)

    response = client.post(
        reverse("admin:payments_payment_changelist"),
        {"action": "reconcile", "_selected_action": [str(payment.pk)]},
        follow=True,
    )

    assert "Проведён при ручной сверке" in response.content.decode()
    assert Payment.objects.get(pk=payment.pk).status == PaymentStatus.SUCCEEDED
    assert LedgerEntry.objects.filter(payment=payment).count() == 1
    assert "Проведён при ручной сверке" in LogEntry.objects.get().change_message


def test_money_rows_cannot_be_added_edited_or_deleted_in_the_admin(client, backoffice_user, alice, alice_policy):
    payment = start_deposit(alice, [alice_policy])
    pay_in_sandbox(payment)
    services.payment_refresh(payment_id=payment.pk)
    client.force_login(backoffice_user)
    entry = LedgerEntry.objects.get()
    event = GatewayEvent.objects.create(gateway="sandbox", dedupe_key="k", event_type="payment.succeeded")

    assert client.get(reverse("admin:payments_payment_add")).status_code == 403
    assert client.get(reverse("admin:payments_ledgerentry_add")).status_code == 403
    assert (
        client.post(reverse("admin:payments_ledgerentry_delete", args=[entry.pk]), {"post": "yes"}).status_code == 403
    )
    assert (
        client.post(reverse("admin:payments_gatewayevent_delete", args=[event.pk]), {"post": "yes"}).status_code == 403
    )
    assert LedgerEntry.objects.filter(pk=entry.pk).exists()
