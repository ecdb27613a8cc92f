"""The electronic policy and the memo as PDF: real PDFs, with Cyrillic text a person can read."""

import shutil
import subprocess

import pytest
from django.urls import reverse

from polis.care.models import DeskContact
from polis.coverage.models import Policy
from polis.coverage.pdf import render_memo_pdf, render_policy_pdf
from polis.network.models import KindOfCare
from polis.testing import factories as f


def pdf_text(data: bytes) -> str:
    """The text a reader copies out of the PDF, proving the fonts map glyphs back to Cyrillic."""
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (poppler-utils) не установлен")
    out = subprocess.run(["pdftotext", "-enc", "UTF-8", "-", "-"], input=data, capture_output=True, check=True)
    return " ".join(out.stdout.decode().split())


def test_the_policy_pdf_carries_the_number_the_cyrillic_name_and_the_contacts(alice_policy, settings):
    settings.POLIS_INSURER_NAME = "АО «Страховая компания Тест»"
    DeskContact.objects.create(city="Москва", title="Медицинский пульт", phone="+7 495 111-11-11")
    alice_policy.contract.policy_print_note = "Для прохода в клинику назовите номер полиса."
    alice_policy.contract.save()

    data = render_policy_pdf(policy=alice_policy)

    assert data.startswith(b"%PDF")
    text = pdf_text(data)
    fonts = subprocess.run(["pdffonts", "-"], input=data, capture_output=True, check=True).stdout.decode()
    assert "DejaVu-Sans" in fonts, "the font with Cyrillic glyphs is embedded"
    for expected in [
        "001-0000001",
        "Смирнова Ирина Петровна",
        "12.04.1988",
        "с 01.01.2026 по 31.12.2026",
        "АО «Страховая компания Тест»",
        alice_policy.contract.number,
        alice_policy.contract.policyholder.name,
        "+7 495 111-11-11",
        "Толмачева Анастасия Владимировна",
        "Для прохода в клинику назовите номер полиса.",
        "Дата выдачи: 25.12.2025",
    ]:
        assert expected in text, expected


def test_the_memo_pdf_lists_the_clinics_by_kind_of_care(alice_policy):
    program = alice_policy.program
    f.ProgramCareFactory(program=program, kind=KindOfCare.DENTAL, conditions="Лечение кариеса")
    f.ProgramLimitFactory(program=program, name="Консультации психолога", max_count=3)
    clinic = f.ClinicFactory(name="Стоматология «Улыбка»", address="г. Москва, ул. Арбат, д. 10", metro="Арбатская")
    f.ProgramClinicFactory(program=program, clinic=clinic, kind=KindOfCare.DENTAL)

    data = render_memo_pdf(policy=alice_policy)

    assert data.startswith(b"%PDF")
    text = pdf_text(data)
    for expected in [
        "Памятка застрахованного",
        "001-0000001",
        "Лечение кариеса",
        "Консультации психолога",
        "Стоматология «Улыбка»",
        "г. Москва, ул. Арбат, д. 10",
        "Арбатская",
        "Через медицинский пульт",
    ]:
        assert expected in text, expected


@pytest.mark.parametrize(
    ("name", "filename"),
    [("coverage:policy_pdf", "polis-001-0000002.pdf"), ("coverage:memo_pdf", "pamyatka-001-0000002.pdf")],
)
def test_a_holder_downloads_her_sons_pdfs_as_attachments(client, alice, name, filename):
    son_policy = Policy.objects.get(number="001-0000002")
    client.force_login(alice)

    response = client.get(reverse(name, args=[son_policy.pk]))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    disposition = response["Content-Disposition"]
    assert disposition.startswith(f"attachment; filename=\"{filename}\"; filename*=UTF-8''")
    assert disposition.isascii()
    assert response.content.startswith(b"%PDF")
