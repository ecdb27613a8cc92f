"""«Мои счета» and «Полученные услуги» through the mobile API with a bearer token: the list, one
invoice with its lines, paying in the sandbox, services received; and nothing of anyone else's."""

import datetime as dt
from unittest import mock

import pytest
from django.test import Client

from polis.accounts.services import api_token_issue
from polis.billing.invoices.services import copay_succeeded
from polis.billing.models import CopayInvoice, Dispute
from polis.payments import services as payments
from polis.payments.gateways.sandbox import sandbox_decide
from polis.payments.models import Payment, PaymentPurpose
from polis.testing import factories as f

pytestmark = [pytest.mark.django_db]


@pytest.fixture(autouse=True)
def copay_effect(settings):
    settings.PAYMENTS_GATEWAY = "sandbox"
    with mock.patch.dict(payments.ON_SUCCEEDED, {PaymentPurpose.COPAY.value: copay_succeeded}):
        yield


def bearer(user) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {api_token_issue(user=user, name='тест')}"}


def get(client: Client, path: str, user, **params):
    return client.get(f"/api/v1{path}", params, **bearer(user))


def post(client: Client, path: str, user, body: dict):
    return client.post(f"/api/v1{path}", body, content_type="application/json", **bearer(user))


def test_the_app_lists_own_and_sons_invoices_with_the_shown_status(client, alice, alice_policy, son_policy):
    mine = f.invoice_with_lines(policy=alice_policy, copays=[300_00], issued_on=dt.date(2026, 10, 1))
    sons = f.invoice_with_lines(policy=son_policy, copays=[100_00, 50_00], due_on=dt.date(2026, 11, 10))

    response = get(client, "/invoices", alice)

    assert response.status_code == 200, response.content
    body = response.json()
    assert [i["id"] for i in body] == [sons.pk, mine.pk]
    son = body[0]
    assert (son["full_name"], son["category"], son["status"], son["status_label"]) == (
        "Смирнова Артём Андреевич",
        "Ребёнок",
        "overdue",
        "Просрочен",
    )
    assert (son["copay_kopecks"], son["due_kopecks"], son["payable_kopecks"], son["can_pay"]) == (
        150_00,
        150_00,
        150_00,
        True,
    )
    assert body[1]["category"] == "Сотрудник"
    assert get(client, "/invoices", alice, limit=1, offset=1).json()[0]["id"] == mine.pk


def test_one_invoice_comes_with_its_lines_and_dispute_links(client, alice, alice_policy):
    invoice = f.invoice_with_lines(policy=alice_policy, copays=[300_00, 60_00])
    first, second = invoice.registry.lines.order_by("line_no")
    Dispute.objects.create(
        line=first, policy=alice_policy, invoice=invoice, submitted_by=alice, kind="quantity", comment="Один раз",
        answer_due_on=dt.date(2026, 12, 5),
    )  # fmt: skip

    body = get(client, f"/invoices/{invoice.pk}", alice).json()

    assert (body["status"], body["held_kopecks"], body["payable_kopecks"]) == ("disputed", 300_00, 60_00)
    lines = {line["id"]: line for line in body["lines"]}
    assert lines[first.pk]["has_open_dispute"] is True and lines[first.pk]["dispute_url"] is None
    assert lines[second.pk]["dispute_url"] == f"http://testserver/my/disputes/new/{second.pk}/"
    assert (lines[second.pk]["copay_kopecks"], lines[second.pk]["copay_rule"]) == (60_00, "30 %")
    assert lines[second.pk]["clinic"] == invoice.registry.clinic.name


def test_paying_through_the_app_then_the_sandbox_marks_the_invoice_paid(client, alice, alice_policy, son_policy):
    mine = f.invoice_with_lines(policy=alice_policy, copays=[200_00])
    sons = f.invoice_with_lines(policy=son_policy, copays=[50_00])

    response = post(
        client, "/invoices/pay", alice, {"invoice_ids": [mine.pk, sons.pk], "receipt_contact": "+79161234567"}
    )

    assert response.status_code == 201, response.content
    started = response.json()
    assert started["amount_kopecks"] == 250_00
    assert started["confirmation_url"] == f"http://testserver/payments/sandbox/{started['payment_id']}/"
    again = post(client, "/invoices/pay", alice, {"invoice_ids": [sons.pk, mine.pk]})
    assert again.json()["payment_id"] == started["payment_id"]

    sandbox_decide(payment=Payment.objects.get(pk=started["payment_id"]), outcome="succeeded")
    assert get(client, f"/payments/{started['payment_id']}", alice).json()["status"] == "succeeded"

    listed = {i["id"]: i for i in get(client, "/invoices", alice).json()}
    assert listed[mine.pk]["status"] == listed[sons.pk]["status"] == "paid"
    assert listed[mine.pk]["can_pay"] is False
    refused = post(client, "/invoices/pay", alice, {"invoice_ids": [mine.pk]})
    assert refused.status_code == 409
    assert refused.json() == {
        "detail": f"Счёт № {mine.number} уже оплачен.",
        "code": "invoice_refused",
        "field": "invoice_ids",
    }


def test_a_bad_receipt_contact_is_named_as_the_field(client, alice, alice_policy):
    invoice = f.invoice_with_lines(policy=alice_policy, copays=[200_00])
    response = post(client, "/invoices/pay", alice, {"invoice_ids": [invoice.pk], "receipt_contact": "нет"})
    assert response.status_code == 400
    assert response.json()["code"] == "invalid_receipt_contact"
    assert not Payment.objects.exists()


def test_bob_neither_sees_nor_pays_alices_invoice(client, alice, bob, alice_policy):
    invoice = f.invoice_with_lines(policy=alice_policy, copays=[200_00])

    assert get(client, "/invoices", bob).json() == []
    missing = get(client, f"/invoices/{invoice.pk}", bob)
    assert (missing.status_code, missing.json()["code"]) == (404, "not_found")
    refused = post(client, "/invoices/pay", bob, {"invoice_ids": [invoice.pk]})
    assert (refused.status_code, refused.json()["code"]) == (404, "not_found")
    assert not Payment.objects.exists()
    assert CopayInvoice.objects.get(pk=invoice.pk).paid_kopecks == 0


def test_without_a_token_the_invoices_answer_401(client, alice_policy):
    assert client.get("/api/v1/invoices").status_code == 401
    assert client.get("/api/v1/services").status_code == 401


def test_services_received_come_paged_and_filtered_and_only_the_users_own(client, alice, bob, alice_policy, son_policy):
    registry = f.RegistryFactory()
    f.RegistryLineFactory(registry=registry, policy=alice_policy, service_name="УЗИ", service_date=dt.date(2026, 9, 3))
    f.RegistryLineFactory(
        registry=registry, policy=son_policy, service_name="Педиатр", service_date=dt.date(2026, 9, 9)
    )
    f.RegistryLineFactory(registry=registry, policy=son_policy, service_name="ЛОР", service_date=dt.date(2026, 8, 9))

    everything = get(client, "/services", alice).json()
    assert [s["service_name"] for s in everything] == ["Педиатр", "УЗИ", "ЛОР"]
    uzi = everything[1]
    assert uzi["not_provided_url"] == f"http://testserver/my/disputes/new/{uzi['id']}/?kind=not_provided"
    assert uzi["sum_kopecks"] == 2500_00
    filtered = get(
        client, "/services", alice, person_id=son_policy.insured_id, date_from="2026-09-01", date_to="2026-09-30"
    ).json()
    assert [s["service_name"] for s in filtered] == ["Педиатр"]
    assert [s["service_name"] for s in get(client, "/services", alice, limit=1, offset=1).json()] == ["УЗИ"]
    assert get(client, "/services", bob).json() == []
    assert get(client, "/services", bob, person_id=son_policy.insured_id).json() == []
