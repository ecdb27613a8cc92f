"""The payer's pages through the test client: the sandbox's hosted page, the return page, the
history and the receipt; and what outsiders get."""

import pytest
from django.urls import reverse

from polis.payments import services
from polis.payments.models import GatewayEvent, LedgerEntry, PaymentStatus
from polis.payments.selectors import deposit_held
from polis.payments.tests.conftest import start_deposit


@pytest.fixture
def alice_client(client, alice):
    client.force_login(alice)
    return client


def test_the_sandbox_page_shows_the_amount_what_is_paid_and_the_three_outcomes(
    alice_client, alice, alice_policy, son_policy
):
    payment = start_deposit(alice, [alice_policy, son_policy])

    page = alice_client.get(payment.confirmation_url).content.decode()

    assert "600,00\xa0₽" in page
    assert "Авансовый платёж, полис № 001-0000002" in page
    assert "Это песочница: карта не нужна" in page
    for button in ("Оплата прошла", "Банк отказал", "Оставить в ожидании"):
        assert button in page
    # The card fields are for the look of it: no name, so nothing could be submitted.
    assert 'name="number"' not in page and 'id="sbx-number"' in page


def test_paying_in_the_sandbox_notifies_books_the_deposit_and_shows_the_result(
    alice_client, alice, alice_policy, son_policy, effects
):
    payment = start_deposit(alice, [alice_policy, son_policy])

    response = alice_client.post(payment.confirmation_url, {"outcome": "succeeded"})

    assert response.status_code == 302
    assert response["Location"] == reverse("payments:return", args=[payment.pk])
    event = GatewayEvent.objects.get()
    assert (event.gateway, event.event_type, event.object_id) == (
        "sandbox",
        "payment.succeeded",
        payment.gateway_payment_id,
    )
    assert event.handling == GatewayEvent.Handling.PROCESSED
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.SUCCEEDED
    assert deposit_held(policy=alice_policy) == 300_00 and deposit_held(policy=son_policy) == 300_00
    assert len(effects) == 1

    result = alice_client.get(response["Location"]).content.decode()
    assert "Оплата прошла" in result
    assert "Кассовый чек придёт на alice@example.ru" in result
    assert 'href="/my/franchise/"' in result
    # The sandbox page is gone once the payment is decided.
    assert alice_client.get(payment.confirmation_url).status_code == 404


def test_a_decline_in_the_sandbox_shows_the_reason_and_books_nothing(alice_client, alice, alice_policy):
    payment = start_deposit(alice, [alice_policy])

    result = alice_client.post(payment.confirmation_url, {"outcome": "canceled"}, follow=True).content.decode()

    assert "Платёж не прошёл" in result
    assert "Банк отказал в оплате" in result
    assert not LedgerEntry.objects.exists()


def test_leaving_a_sandbox_payment_pending_keeps_it_payable(alice_client, alice, alice_policy):
    payment = start_deposit(alice, [alice_policy])

    result = alice_client.post(payment.confirmation_url, {"outcome": "pending"}, follow=True).content.decode()

    assert "Ждём подтверждения оплаты" in result
    assert not GatewayEvent.objects.exists()
    assert alice_client.get(payment.confirmation_url).status_code == 200
    assert alice_client.post(payment.confirmation_url, {"outcome": "maybe"}).status_code == 400


def test_the_history_lists_payments_and_refunds_with_links_to_receipts(alice_client, alice, alice_policy, son_policy):
    payment = start_deposit(alice, [alice_policy, son_policy])
    alice_client.post(payment.confirmation_url, {"outcome": "succeeded"})
    services.refund_start(payment=payment, policy=son_policy, amount_kopecks=300_00, reason="Открепление")

    page = alice_client.get(reverse("payments:history")).content.decode()

    assert "Неснижаемый авансовый платёж" in page
    assert "Смирнова И.П., Смирнова А.А." in page
    assert "600,00\xa0₽" in page
    assert "Возврат" in page and "Открепление" in page and "Деньги возвращены" in page
    assert reverse("payments:receipt", args=[payment.pk]) in page


def test_the_receipt_page_shows_the_54fz_lines_the_card_and_where_it_was_sent(
    alice_client, alice, alice_policy, son_policy
):
    payment = start_deposit(alice, [alice_policy, son_policy])
    alice_client.post(payment.confirmation_url, {"outcome": "succeeded"})
    services.refund_start(payment=payment, policy=son_policy, amount_kopecks=100_00, reason="Открепление")

    page = alice_client.get(reverse("payments:receipt", args=[payment.pk])).content.decode()

    assert "Авансовый платёж, полис № 001-0000001" in page
    assert "без НДС" in page and "аванс" in page and "платёж" in page
    assert "Песочница •••• 4242" in page
    assert "alice@example.ru" in page
    assert "Чек возврата прихода" in page and "100,00\xa0₽" in page


@pytest.mark.parametrize("name", ["payments:return", "payments:receipt", "payments:sandbox"])
def test_an_outsider_gets_404_for_someone_elses_payment_pages(client, alice, bob, alice_policy, name):
    payment = start_deposit(alice, [alice_policy])
    client.force_login(bob)

    assert client.get(reverse(name, args=[payment.pk])).status_code == 404
    assert client.post(reverse("payments:sandbox", args=[payment.pk]), {"outcome": "succeeded"}).status_code == 404
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.PENDING


def test_an_outsiders_history_does_not_show_someone_elses_payments(client, alice, bob, alice_policy):
    payment = start_deposit(alice, [alice_policy])
    client.force_login(bob)

    page = client.get(reverse("payments:history")).content.decode()

    assert str(payment.pk) not in page
    assert "Платежей пока не было" in page


def test_staff_roles_are_not_let_into_the_payers_pages(client, alice, hr_user, alice_policy):
    payment = start_deposit(alice, [alice_policy])
    client.force_login(hr_user)

    assert client.get(reverse("payments:history")).status_code == 403
    assert client.get(reverse("payments:return", args=[payment.pk])).status_code == 403


def test_the_return_page_does_not_forward_to_another_site(alice_client, alice, alice_policy):
    payment = start_deposit(alice, [alice_policy])
    payment.__class__.objects.filter(pk=payment.pk).update(return_url="https://evil.example.com/")

    page = alice_client.get(reverse("payments:return", args=[payment.pk])).content.decode()

    assert "evil.example.com" not in page
    assert f'href="{reverse("payments:history")}"' in page


def test_the_sandbox_page_is_gone_when_a_real_gateway_is_configured(alice_client, alice, alice_policy, settings):
    payment = start_deposit(alice, [alice_policy])
    settings.PAYMENTS_GATEWAY = "yookassa"

    assert alice_client.post(payment.confirmation_url, {"outcome": "succeeded"}).status_code == 404
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.PENDING


def test_the_history_costs_the_same_few_queries_however_many_payments(
    alice_client, alice, alice_policy, son_policy, django_assert_max_num_queries
):
    for n in range(6):
        payment = start_deposit(alice, [alice_policy, son_policy], subject_key=f"deposit:{n}")
        alice_client.post(payment.confirmation_url, {"outcome": "succeeded"})
        services.refund_start(payment=payment, policy=son_policy, amount_kopecks=100_00, reason="Открепление")

    with django_assert_max_num_queries(8):
        alice_client.get(reverse("payments:history"))
