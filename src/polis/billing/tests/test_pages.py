"""«Оплата франшизы» as the insured uses it, and who may not open it."""

import datetime as dt

import pytest
from django.urls import reverse

from polis.billing.models import FranchiseActivation
from polis.billing.tests.conftest import ALFA, RESO, SOGAZ, at_msk, move_clock, paid_deposit, set_program
from polis.coverage.models import Policy
from polis.payments.models import Payment, PaymentPurpose, SavedCard

PAGE = reverse("billing:franchise")


def test_the_page_shows_each_person_with_status_deposit_and_terms(client, alice, alice_policy, son_policy):
    set_program(alice_policy.program, **RESO)
    paid_deposit(alice_policy)
    client.force_login(alice)

    response = client.get(PAGE)

    assert response.status_code == 200
    html = response.content.decode()
    assert "Артём" in html and "Ирина" in html
    assert html.count("Франшиза: не активирована") == 2
    assert "300,00\xa0₽" in html
    assert "Минимальный авансовый платёж: 300,00\xa0₽." in html
    assert 'data-testid="deposit-section"' in html
    assert reverse("payments:history") in html


def test_the_nav_links_to_the_page_for_the_insured(client, alice):
    client.force_login(alice)

    assert f'href="{PAGE}"' in client.get(reverse("coverage:dashboard")).content.decode()


@pytest.mark.parametrize("who", ["hr_user", "desk_user", "clinic_user", "backoffice_user"])
def test_staff_roles_cannot_open_the_insureds_franchise_pages(client, request, who):
    client.force_login(request.getfixturevalue(who))

    assert client.get(PAGE).status_code == 403
    assert client.post(reverse("billing:consent"), {"policies": ["1"], "agreed": "on"}).status_code == 403
    assert client.post(reverse("billing:refund", args=[1])).status_code == 403


def test_an_anonymous_visitor_is_sent_to_log_in(client, db):
    response = client.get(PAGE)

    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]


def test_consent_form_activates_and_says_from_when(client, alice, alice_policy, son_policy):
    set_program(alice_policy.program, **ALFA)
    client.force_login(alice)

    response = client.post(
        reverse("billing:consent"), {"policies": [alice_policy.pk, son_policy.pk], "agreed": "on"}, follow=True
    )

    assert FranchiseActivation.objects.count() == 2
    html = response.content.decode()
    assert "франшиза вступит в силу 23.11.2026" in html
    assert "активация — вступит в силу 23.11.2026" in html


def test_consent_without_the_tick_keeps_the_choice_and_explains_in_russian(client, alice, alice_policy, son_policy):
    set_program(alice_policy.program, **ALFA)
    client.force_login(alice)

    response = client.post(reverse("billing:consent"), {"policies": [son_policy.pk]})

    assert response.status_code == 200
    html = response.content.decode()
    assert "Подтвердите, что ознакомились с порядком и согласны." in html
    assert f'value="{son_policy.pk}" checked' in html
    assert f'value="{alice_policy.pk}" checked' not in html
    assert not FranchiseActivation.objects.exists()


def test_posting_a_strangers_policy_is_not_found(client, alice, bob, alice_policy):
    stranger = Policy.objects.get(number="002-0000001")
    set_program(stranger.program, **ALFA)
    set_program(alice_policy.program, **ALFA)
    client.force_login(alice)

    assert client.post(reverse("billing:consent"), {"policies": [stranger.pk], "agreed": "on"}).status_code == 404
    assert client.post(reverse("billing:deposit"), {"policies": [stranger.pk]}).status_code == 404
    assert client.post(reverse("billing:refund", args=[stranger.pk])).status_code == 404
    assert not FranchiseActivation.objects.exists()


def test_the_deposit_form_sends_the_payer_to_the_gateways_page(client, alice, alice_policy, son_policy):
    set_program(alice_policy.program, **RESO)
    client.force_login(alice)

    response = client.post(reverse("billing:deposit"), {"policies": [alice_policy.pk, son_policy.pk]})

    payment = Payment.objects.get()
    assert (payment.amount_kopecks, payment.return_url) == (600_00, reverse("billing:returned"))
    assert response.status_code == 302
    assert response["Location"] == payment.confirmation_url


def test_the_deposit_form_shows_the_minimum_error_next_to_the_form(client, alice, alice_policy):
    set_program(alice_policy.program, **{**RESO, "deposit_minimum_kopecks": 900_00})
    client.force_login(alice)

    response = client.post(reverse("billing:deposit"), {"policies": [alice_policy.pk]})

    assert response.status_code == 200
    assert "меньше минимального авансового платежа по договору — 900,00\xa0₽" in response.content.decode()
    assert not Payment.objects.exists()


def test_after_paying_the_person_comes_back_with_a_word_and_a_pending_status(client, alice, alice_policy, frozen_now):
    set_program(alice_policy.program, **RESO)
    client.force_login(alice)
    client.post(reverse("billing:deposit"), {"policies": [alice_policy.pk]})
    from polis.payments import services as payments

    payments.payment_apply(payment_id=Payment.objects.get().pk, gateway_status="succeeded", method=None)

    html = client.get(reverse("billing:returned"), follow=True).content.decode()
    assert "Авансовый платёж получен" in html
    assert "активация — вступит в силу 25.11.2026" in html

    move_clock(frozen_now, at_msk(2026, 11, 25, 0, 5))
    assert "Франшиза: активна" in client.get(PAGE).content.decode()


def test_card_binding_needs_the_agreement_tick(client, alice, alice_policy):
    set_program(alice_policy.program, **SOGAZ)
    client.force_login(alice)

    page = client.get(PAGE).content.decode()
    assert "Соглашение об автоплатежах" in page and "Как отменить" in page
    response = client.post(reverse("billing:card"), {"policies": [alice_policy.pk]})

    assert "Подтвердите согласие с соглашением об автоплатежах." in response.content.decode()
    assert not Payment.objects.exists()


def test_unbinding_warns_first_and_then_ends_the_activations(client, alice, alice_policy):
    set_program(alice_policy.program, **SOGAZ)
    binding = Payment.objects.create(
        user=alice, purpose=PaymentPurpose.CARD_BINDING, amount_kopecks=100, description="x", status="succeeded",
        gateway="sandbox", subject_key="x",
    )  # fmt: skip
    card = SavedCard.objects.create(
        user=alice, gateway="sandbox", method_id="m", title="Visa •••• 4242", agreement_version="1",
        binding_payment=binding,
    )  # fmt: skip
    FranchiseActivation.objects.create(
        policy=alice_policy, method="card", requested_by=alice, effective_at=at_msk(2026, 11, 1), card=card
    )
    client.force_login(alice)

    warning = client.get(reverse("billing:card_unbind")).content.decode()
    assert "Франшиза, активированная привязкой карты, прекратится сразу" in warning
    assert "001-0000001" in warning
    assert FranchiseActivation.objects.get().ended_at is None

    response = client.post(reverse("billing:card_unbind"), follow=True)

    assert "Карта отвязана" in response.content.decode()
    assert FranchiseActivation.objects.get().ended_at is not None


def test_a_refund_application_from_the_page(client, alice, alice_policy):
    set_program(alice_policy.program, **RESO)
    client.force_login(alice)
    client.post(reverse("billing:deposit"), {"policies": [alice_policy.pk]})
    from polis.payments import services as payments

    payments.payment_apply(payment_id=Payment.objects.get().pk, gateway_status="succeeded", method=None)
    Policy.objects.filter(pk=alice_policy.pk).update(terminated_on=dt.date(2026, 11, 15))
    assert "Подать заявление на возврат аванса (300,00\xa0₽)" in client.get(PAGE).content.decode()

    html = client.post(reverse("billing:refund", args=[alice_policy.pk]), follow=True).content.decode()

    assert "Деньги возвращены" in html
    assert "Задолженность" not in html


def test_the_page_costs_a_bounded_number_of_queries(client, alice, alice_policy, django_assert_max_num_queries):
    set_program(alice_policy.program, **RESO)
    client.force_login(alice)

    # Seven or so per person (two here: status, deposit, carry-over, refund state, desk, clinics)
    # and a few for the page; a person has a handful of relatives at most.
    with django_assert_max_num_queries(24):
        client.get(PAGE)
