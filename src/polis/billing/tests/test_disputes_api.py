"""Disputes through the mobile API: submitting with files (multipart), the list and one dispute,
the same refusals as the pages, and nobody else's."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from polis.billing.disputes.services import dispute_reject
from polis.billing.models import CopayInvoice, Dispute, RegistryLine
from polis.coverage.models import Policy
from polis.testing import factories as f

pytestmark = [pytest.mark.django_db]

JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01" + b"\x00" * 32


@pytest.fixture
def invoice(alice_policy: Policy) -> CopayInvoice:
    return f.invoice_with_lines(policy=alice_policy, copays=[300_00])


@pytest.fixture
def line(invoice: CopayInvoice) -> RegistryLine:
    return RegistryLine.objects.get(registry=invoice.registry)


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def post(client: Client, body: dict):
    return client.post("/api/v1/disputes", body)


def test_a_dispute_is_submitted_with_its_files(alice, line, invoice):
    response = post(
        client_for(alice),
        {
            "line_id": line.pk,
            "kind": "not_provided",
            "comment": "Не был в клинике",
            "files": [SimpleUploadedFile("фото.jpg", JPEG), SimpleUploadedFile("ещё.jpg", JPEG)],
        },
    )

    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["status"], body["answer_due_on"], body["clock"]) == ("open", "2026-12-05", "осталось 15 дн.")
    assert (body["line"]["id"], body["invoice_number"], body["answer"]) == (line.pk, invoice.number, "")
    assert [(x["name"], x["content_type"]) for x in body["files"]] == [
        ("фото.jpg", "image/jpeg"),
        ("ещё.jpg", "image/jpeg"),
    ]


def test_a_quantity_claim_is_checked_like_on_the_page(alice, alice_policy):
    line = f.RegistryLineFactory(policy=alice_policy, quantity=2)

    response = post(
        client_for(alice), {"line_id": line.pk, "kind": "quantity", "comment": "Был один", "quantity_claimed": 3}
    )

    assert response.status_code == 400
    assert response.json()["field"] == "quantity_claimed"


def test_a_second_open_dispute_on_a_line_is_a_conflict(alice, line):
    client = client_for(alice)
    post(client, {"line_id": line.pk, "kind": "quality", "comment": "Плохо"})

    response = post(client, {"line_id": line.pk, "kind": "quality", "comment": "Плохо"})

    assert response.status_code == 409
    assert response.json() == {
        "detail": "По этой услуге уже есть несогласие на рассмотрении",
        "code": "dispute_open",
        "field": "line_id",
    }


def test_someone_elses_line_is_not_found(bob, line):
    response = post(client_for(bob), {"line_id": line.pk, "kind": "quality", "comment": "Чужое"})

    assert response.status_code == 404
    assert not Dispute.objects.exists()


def test_the_list_and_a_dispute_are_the_users_own_with_the_answer(alice, bob, backoffice_user, line):
    created = post(client_for(alice), {"line_id": line.pk, "kind": "not_provided", "comment": "Не был"}).json()
    dispute_reject(dispute=Dispute.objects.get(), staff=backoffice_user, answer="Визит подтверждён.")

    mine = client_for(alice).get("/api/v1/disputes").json()
    one = client_for(alice).get(f"/api/v1/disputes/{created['id']}").json()

    assert [d["id"] for d in mine] == [created["id"]]
    assert (one["status"], one["answer"], one["clock"]) == ("rejected", "Визит подтверждён.", "рассмотрено 20.11.2026")
    assert client_for(bob).get("/api/v1/disputes").json() == []
    assert client_for(bob).get(f"/api/v1/disputes/{created['id']}").status_code == 404
