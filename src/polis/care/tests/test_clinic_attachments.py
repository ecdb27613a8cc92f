"""The clinic clerk's attachment letters: sent ones of the own clinic, receipt once."""

import datetime as dt

import pytest
from django.urls import reverse

from polis.care.models import AttachmentStatus, CareEvent
from polis.care.tests import made_letters as make
from polis.testing import factories as f

pytestmark = pytest.mark.django_db
LIST = reverse("care_clinic:attachments")


@pytest.fixture
def clerk_client(client, clinic_user):
    client.force_login(clinic_user)
    return client


def test_the_clerk_sees_sent_attachment_letters_of_the_clinic_only(clerk_client, clinic_user, alice_policy, bob):
    sent = make.attachment(alice_policy, clinic_user.clinic)
    make.attachment(alice_policy, clinic_user.clinic, status=AttachmentStatus.GENERATED, send_on=dt.date(2026, 11, 23))
    make.attachment(bob.insured_records.get().policies.get(), f.ClinicFactory())

    page = clerk_client.get(LIST).content.decode()

    assert page.count("data-attachment=") == 1 and sent.number in page
    assert "Смирнова Ирина Петровна" in page and "12.04.1988" in page and "18.11.2026–31.12.2026" in page
    assert [row["number"] for row in clerk_client.get("/api/v1/clinic/attachments", {"state": "all"}).json()] == [
        sent.number
    ]


def test_receiving_an_attachment_letter_counts_once(clerk_client, clinic_user, alice_policy):
    letter = make.attachment(alice_policy, clinic_user.clinic)
    url = reverse("care_clinic:attachment_receive", args=[letter.pk])

    first = clerk_client.post(url, follow=True).content.decode()
    second = clerk_client.post(url, follow=True).content.decode()
    api = clerk_client.post(f"/api/v1/clinic/attachments/{letter.pk}/receive")

    assert "Получение письма на прикрепление" in first and "Смирнова Ирина Петровна" in first
    assert f"Письмо на прикрепление № {letter.number} уже получено 20.11.2026 12:00" in second
    assert api.status_code == 409 and api.json()["code"] == "already_received"
    letter.refresh_from_db()
    assert (letter.status, letter.received_by) == (AttachmentStatus.SENT, clinic_user)
    assert CareEvent.objects.filter(attachment=letter, action="receive").count() == 1


def test_another_clinics_or_an_unsent_attachment_letter_cannot_be_received(clerk_client, clinic_user, alice_policy):
    elsewhere = make.attachment(alice_policy, f.ClinicFactory())
    unsent = make.attachment(alice_policy, clinic_user.clinic, status=AttachmentStatus.GENERATED)

    for letter in (elsewhere, unsent):
        assert clerk_client.post(reverse("care_clinic:attachment_receive", args=[letter.pk])).status_code == 404
        assert clerk_client.post(f"/api/v1/clinic/attachments/{letter.pk}/receive").status_code == 404
        letter.refresh_from_db()
        assert letter.received_at is None
