"""The newcomer's path in a real browser: register with a policy, confirm the SMS code from the
outbox, log in, open the policy, download its PDF."""

import datetime as dt
import os
import re
from pathlib import Path

import pytest

from polis.coverage.models import InsuredPerson, Policy
from polis.notify.models import Channel, OutboundMessage
from polis.testing import factories as f

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def shot(page, name: str) -> None:
    if folder := os.environ.get("POLIS_SCREENSHOTS"):
        page.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=True)


@pytest.fixture
def newcomer_policy(transactional_db) -> Policy:
    program = f.ProgramFactory(name="Поликлиника и стоматология")
    f.ProgramCareFactory(program=program, conditions="Приёмы врачей, диагностика по назначению врача")
    f.ProgramClinicFactory(program=program, clinic=f.ClinicFactory(name="Клиника на Тверской"))
    person = f.InsuredPersonFactory(
        last_name="Кузнецов", first_name="Артём", patronymic="Игоревич", birth_date=dt.date(1991, 7, 14), sex="m"
    )
    return f.PolicyFactory(number="001-2026-000104", program=program, insured=person)


def test_a_newcomer_registers_confirms_the_code_logs_in_and_downloads_the_policy(browser_page, newcomer_policy):
    page = browser_page
    page.goto("/")
    # Anonymous visitors land on the login page, which leads to registration.
    page.get_by_role("link", name=re.compile("Зарегистрируйтесь")).first.click()

    page.fill("#id_last_name", "Кузнецов")
    page.fill("#id_first_name", "Артём")
    page.fill("#id_patronymic", "Игоревич")
    page.fill("#id_birth_date", "14.07.1991")
    page.fill("#id_policy_number", "001-2026-000104")
    page.fill("#id_phone", "8 (926) 555-44-33")
    page.fill("#id_email", "artem@example.ru")
    page.fill("#id_password1", "Kuznetsov-2026!")
    page.fill("#id_password2", "Kuznetsov-2026!")
    page.check("#id_personal_data_consent")
    shot(page, "01-register")
    page.get_by_role("button", name="Получить код по SMS").click()

    page.wait_for_url(re.compile(r"/accounts/register/confirm/"))
    sms = OutboundMessage.objects.filter(channel=Channel.SMS, recipient="+79265554433").latest("created_at", "pk")
    code = re.search(r"\b(\d{4,8})\b", sms.body).group(1)
    page.fill("#id_code", code)
    shot(page, "02-confirm")
    page.get_by_role("button", name="Подтвердить").click()
    page.wait_for_url(re.compile(r"/my/"))
    assert InsuredPerson.objects.get(pk=newcomer_policy.insured_id).user.email == "artem@example.ru"

    # Out and back in with the phone in another spelling.
    page.get_by_role("button", name="Выйти").click()
    page.wait_for_url(re.compile(r"/accounts/login/"))
    page.fill("#id_login", "+7 926 555 44 33")
    page.fill("#id_password", "Kuznetsov-2026!")
    page.get_by_role("button", name="Войти").click()
    page.wait_for_url(re.compile(r"/my/$"))
    assert "001-2026-000104" in page.content()
    shot(page, "03-dashboard")

    page.get_by_role("link", name="Программа и клиники").first.click()
    page.wait_for_url(re.compile(r"/my/policies/\d+/$"))
    assert "Клиника на Тверской" in page.content()
    shot(page, "04-policy")

    with page.expect_download() as download_info:
        page.get_by_role("link", name="Скачать полис (PDF)").click()
    download = download_info.value
    path = download.path()
    assert path is not None
    assert Path(path).read_bytes().startswith(b"%PDF")
    assert download.suggested_filename.endswith(".pdf")
