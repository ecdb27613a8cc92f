"""A guarantee letter and an attachment letter as PDF: for the person, the holder of a
relative's policy, the clinic addressed, the desk — and nobody else."""

import datetime as dt

import pytest
from django.urls import reverse

from polis.accounts.models import Role
from polis.care import numbers
from polis.care.models import (
    AttachmentLetter,
    AttachmentStatus,
    CareRequest,
    GuaranteeLetter,
    LetterKind,
    LetterService,
    LetterStatus,
)
from polis.coverage.models import Policy
from polis.coverage.tests.test_pdf import pdf_text
from polis.network.models import KindOfCare
from polis.testing import factories as f


def make_letter(policy: Policy, clinic, issuer) -> GuaranteeLetter:
    request = CareRequest.objects.create(
        number=numbers.placeholder(), policy=policy, created_by=issuer, complaints="Боль в горле, температура 38,5",
        kind=KindOfCare.OUTPATIENT, desired_date=dt.date(2026, 11, 23),
    )  # fmt: skip
    letter = GuaranteeLetter.objects.create(
        number=numbers.placeholder(), request=request, policy=policy, clinic=clinic, kind=LetterKind.CONSULTATION,
        complaints=request.complaints, icd10="J06.9", scope="Приём терапевта, общий анализ крови",
        sum_limit_kopecks=1_500_000, valid_from=dt.date(2026, 11, 20), valid_to=dt.date(2026, 12, 19),
        status=LetterStatus.ISSUED, issued_by=issuer,
    )  # fmt: skip
    numbers.assign_number(letter, numbers.LETTER)
    LetterService.objects.create(letter=letter, code="B01.047.001", name="Приём терапевта первичный", quantity=1)
    return letter


@pytest.fixture
def world(alice, desk_user, clinic_user):
    son_policy = Policy.objects.get(number="001-0000002")
    own = make_letter(Policy.objects.get(number="001-0000001"), clinic_user.clinic, desk_user)
    sons = make_letter(son_policy, f.ClinicFactory(), desk_user)
    attachment = AttachmentLetter.objects.create(
        number=numbers.placeholder(), policy=son_policy, clinic=clinic_user.clinic, generated_on=dt.date(2026, 11, 20),
        send_on=dt.date(2026, 11, 23), valid_from=dt.date(2026, 11, 20), valid_to=dt.date(2026, 12, 31),
        status=AttachmentStatus.SENT,
    )  # fmt: skip
    numbers.assign_number(attachment, numbers.ATTACHMENT)
    return own, sons, attachment


def get(client, user, name, pk):
    client.force_login(user)
    return client.get(reverse(f"letters:{name}", args=[pk]))


def test_the_insured_downloads_her_letter_and_her_sons_as_pdf(client, alice, world):
    own, sons, attachment = world

    for name, pk in (("letter_pdf", own.pk), ("letter_pdf", sons.pk), ("attachment_pdf", attachment.pk)):
        response = get(client, alice, name, pk)
        assert response.status_code == 200
        assert response.content.startswith(b"%PDF-")
    assert attachment.number in _display_name(response)


def _display_name(response) -> str:
    from urllib.parse import unquote

    return unquote(response.headers["Content-Disposition"].split("filename*=UTF-8''")[1])


def test_the_letter_number_reads_like_one(world):
    own, _sons, attachment = world
    assert own.number == f"ГП-2026-{own.pk:06d}"
    assert attachment.number == f"ПП-2026-{attachment.pk:06d}"


def test_another_insured_gets_404_for_every_letter(client, bob, world):
    own, sons, attachment = world

    assert get(client, bob, "letter_pdf", own.pk).status_code == 404
    assert get(client, bob, "letter_pdf", sons.pk).status_code == 404
    assert get(client, bob, "attachment_pdf", attachment.pk).status_code == 404


def test_a_clinic_reads_only_letters_addressed_to_it(client, clinic_user, world):
    own, sons, attachment = world

    assert get(client, clinic_user, "letter_pdf", own.pk).status_code == 200
    assert get(client, clinic_user, "attachment_pdf", attachment.pk).status_code == 200
    assert get(client, clinic_user, "letter_pdf", sons.pk).status_code == 404


def test_the_desk_reads_any_letter_and_hr_none(client, desk_user, hr_user, world):
    own, sons, _attachment = world

    assert get(client, desk_user, "letter_pdf", sons.pk).status_code == 200
    assert get(client, hr_user, "letter_pdf", own.pk).status_code == 404


def test_an_anonymous_visitor_is_sent_to_log_in(client, world):
    own, _sons, _attachment = world
    response = client.get(reverse("letters:letter_pdf", args=[own.pk]))
    assert response.status_code == 302
    assert "/accounts/login/" in response.headers["Location"]


def test_the_pdf_says_what_the_clinic_is_guaranteed(world):
    from polis.care.letters import render_letter_pdf

    own, _sons, _attachment = world
    pdf = render_letter_pdf(letter=own)
    text = pdf_text(pdf)
    assert own.number in text
    assert "Приём терапевта первичный" in text
    assert "15 000,00" in text
    assert "20.11.2026" in text and "19.12.2026" in text


def test_a_clinic_user_without_a_clinic_is_impossible(db):
    # The scope rule trusts user.clinic for the clinic role: the database refuses a clinic user without one.
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        f.UserFactory(role=Role.CLINIC, clinic=None, phone=None)


def test_a_clinic_does_not_see_a_letter_before_it_is_in_force(client, clinic_user, world):
    own, _sons, attachment = world
    GuaranteeLetter.objects.filter(pk=own.pk).update(status=LetterStatus.PENDING_APPROVAL)
    AttachmentLetter.objects.filter(pk=attachment.pk).update(status=AttachmentStatus.GENERATED)

    assert get(client, clinic_user, "letter_pdf", own.pk).status_code == 404
    assert get(client, clinic_user, "attachment_pdf", attachment.pk).status_code == 404
