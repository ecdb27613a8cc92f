"""The issue's journey across three roles in a real browser: Alice sends a request with a photo
of her prescription, the dispatcher takes it, issues a guarantee letter and books the visit, the
clinic confirms it received the letter, and Alice sees «получено клиникой» with the visit's
address, doctor, date and time and the letter's number."""

import base64
import os
import re
from pathlib import Path

import pytest

from polis.accounts.models import Role
from polis.care.models import CareRequest, GuaranteeLetter, LetterStatus, RequestStatus
from polis.network.models import KindOfCare
from polis.testing import factories as f

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

PASSWORD = "Secret-pass-42"
# The smallest valid PNG: the form checks what a file is by its first bytes.
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="
)


def shot(page, name: str) -> None:
    if folder := os.environ.get("POLIS_SCREENSHOTS"):
        page.screenshot(path=str(Path(folder) / f"journey-{name}.png"), full_page=True)


def log_in(page, email: str) -> None:
    page.context.clear_cookies()
    page.goto("/accounts/login/")
    page.fill("#id_login", email)
    page.fill("#id_password", PASSWORD)
    page.get_by_role("button", name="Войти").click()
    page.wait_for_load_state()


def test_a_request_becomes_a_letter_the_clinic_receives_and_a_visit_alice_is_told_of(
    browser_page, alice, alice_policy, desk_user, tmp_path
):
    f.ProgramCareFactory(program=alice_policy.program, kind=KindOfCare.OUTPATIENT)
    clinic = f.ClinicFactory(
        name="Клиника на Тверской", address="г. Москва, ул. Тверская, д. 7", email="letters@tverskaya.example.ru"
    )
    f.ProgramClinicFactory(program=alice_policy.program, clinic=clinic, kind=KindOfCare.OUTPATIENT)
    f.UserFactory(email="clerk@tverskaya.example.ru", phone=None, role=Role.CLINIC, clinic=clinic)
    prescription = tmp_path / "napravlenie.png"
    prescription.write_bytes(PNG)
    page = browser_page

    # Alice asks the desk.
    log_in(page, "alice@example.ru")
    page.goto("/my/care/new/")
    page.select_option("#id_policy", str(alice_policy.pk))
    page.wait_for_load_state("networkidle")  # choosing the person reloads the kinds and clinics (htmx)
    page.fill("#id_complaints", "Боль в горле и температура 38,2 третий день")
    page.select_option("#id_kind", KindOfCare.OUTPATIENT)
    page.select_option("#id_clinic", str(clinic.pk))
    page.fill("#id_desired_date", "2026-11-23")
    page.get_by_label("утро, 8:00–12:00").check()
    page.set_input_files("input[type=file]", str(prescription))
    shot(page, "01-request-form")
    page.get_by_role("button", name="Отправить на пульт").click()
    page.wait_for_url(re.compile(r"/my/care/\d+/$"))
    request = CareRequest.objects.get(policy=alice_policy)
    assert request.status == RequestStatus.NEW
    assert request.files.count() == 1
    assert request.number in page.content()

    # The dispatcher takes it from the queue, issues the letter and books the visit.
    log_in(page, "desk@example.ru")
    page.goto("/desk/")
    shot(page, "02-queue")
    page.get_by_role("link", name=f"№ {request.number}").click()
    page.get_by_role("button", name="Взять в работу").click()
    page.get_by_text("Обращение в работе у вас.").wait_for()
    form = page.get_by_test_id("letter-form")
    form.locator("#id_letter-icd10").fill("J02.9")
    form.locator("#id_letter-scope").fill("Приём терапевта, мазок из зева")
    form.get_by_role("button", name="Выдать письмо").click()
    page.get_by_text(re.compile(r"Письмо № ГП-2026-\d{6} выдано")).wait_for()
    visit = page.get_by_test_id("visit-form")
    visit.locator("#id_visit-starts_at").fill("2026-11-23T10:30")
    visit.locator("#id_visit-specialist").fill("Терапевт")
    visit.locator("#id_visit-doctor").fill("Лебедева Ольга Николаевна")
    visit.get_by_role("button", name="Записать").click()
    page.get_by_text("Визит записан").wait_for()
    shot(page, "03-desk-request")
    letter = GuaranteeLetter.objects.get(request=request)
    assert letter.status == LetterStatus.ISSUED and letter.clinic == clinic

    # The clinic's clerk sees the letter and confirms receipt; nothing else is listed.
    log_in(page, "clerk@tverskaya.example.ru")
    page.goto("/clinic/letters/")
    shot(page, "04-clinic-letters")
    page.get_by_role("link", name=letter.number).first.click()
    page.get_by_role("button", name="Подтвердить получение").click()
    page.wait_for_load_state()
    shot(page, "05-clinic-letter")
    letter.refresh_from_db()
    assert letter.received_at is not None

    # Alice sees the clinic has it, and where and when to go.
    log_in(page, "alice@example.ru")
    page.goto(f"/my/care/{request.pk}/")
    page.get_by_test_id("received").wait_for()
    shot(page, "06-alice-request")
    visits = page.get_by_test_id("visits")
    text = visits.inner_text()
    assert "23.11.2026 10:30" in text
    assert "г. Москва, ул. Тверская, д. 7" in text
    assert "Лебедева Ольга Николаевна" in text
    assert letter.number in text
    assert "получено клиникой" in page.get_by_test_id("letters").inner_text()
