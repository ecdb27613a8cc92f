"""Issue 5's journey in a real browser: a clinic clerk uploads a registry with some bad lines and
sees them rejected with their reasons; alice gets an invoice, opens it, disputes one line, pays
the rest in the sandbox, and the invoice reads «Оплачен».

The registry's job runs on its own: the test settings' task backend is immediate, so the upload
request runs the check and the accrual once its transaction commits, before the redirect; the
page is still waited on through its progress block, as a clerk would."""

import os
import re
from pathlib import Path

import pytest

from polis.accounts.models import Role
from polis.billing.models import CopayInvoice, Dispute, DisputeKind, InvoiceStatus, Registry, RegistryStatus
from polis.billing.tests.registry_world import World, build_world, csv_file, line
from polis.payments.models import Payment, PaymentStatus
from polis.testing import factories as f

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def shot(page, name: str) -> None:
    if folder := os.environ.get("POLIS_SCREENSHOTS"):
        page.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=True)


def text(locator) -> str:
    return locator.inner_text().replace("\xa0", " ")


@pytest.fixture
def world(alice_policy) -> World:
    return build_world(alice_policy)


@pytest.fixture
def clerk(world: World):
    return f.UserFactory(
        email="clerk@zdorovie.example", phone=None, role=Role.CLINIC, clinic=world.clinic, first_name="Вера"
    )


def log_in(page, login: str) -> None:
    page.goto("/accounts/login/")
    page.fill("#id_login", login)
    page.fill("#id_password", "Secret-pass-42")
    page.get_by_role("button", name="Войти").click()
    page.wait_for_url(lambda url: "/accounts/login/" not in url)


def log_out(page) -> None:
    page.get_by_role("button", name="Выйти").click()
    page.wait_for_url(re.compile(r"/accounts/login/"))


BLOOD = {"Цена": "512,35", "Сумма": "1 024,70", "Количество": "2"}  # 12,5 % → 128,09
CARIES = {"Цена": "6000", "Сумма": "6000", "Зуб": "16"}  # a fixed 1 000,00 per visit


def registry_csv(world: World) -> bytes:
    upload = csv_file(
        [
            line(world.alice),  # consultation 2 500,00 → co-pay 30 % = 750,00
            line(world.alice, **{"Код услуги": "2001", "Наименование услуги": "Общий анализ крови", **BLOOD}),
            line(world.son, **{"Код услуги": "3001", "Наименование услуги": "Лечение кариеса", **CARIES}),
            line(world.alice, **{"Номер полиса": "999-0000000"}),  # unknown policy
            line(world.son, **{"Количество": "2", "Сумма": "2500,00"}),  # sum ≠ quantity × price
        ]
    )
    return upload.read()


def test_a_clinic_bills_alice_she_disputes_a_line_and_pays_the_rest_in_the_sandbox(browser_page, world, clerk):
    page = browser_page

    # ── The clinic clerk uploads the month's registry. ──
    log_in(page, "clerk@zdorovie.example")
    page.get_by_role("link", name="Реестры").first.click()
    page.wait_for_url(re.compile(r"/clinic/registries/$"))
    page.fill("#id_period", "2026-10")
    page.set_input_files(
        "#id_file", files=[{"name": "reestr-10-2026.csv", "mimeType": "text/csv", "buffer": registry_csv(world)}]
    )
    page.get_by_role("button", name="Загрузить и проверить").click()
    page.wait_for_url(re.compile(r"/clinic/registries/\d+/$"))
    page.locator("#registry-progress[data-status=done]").wait_for()
    assert text(page.get_by_test_id("registry-status")) == "Обработан"
    assert text(page.get_by_test_id("accepted")).startswith("3 ·")
    assert text(page.get_by_test_id("rejected")).startswith("2 ·")
    rejected = page.get_by_test_id("rejected-lines")
    unknown, wrong_sum = rejected.locator("tr[data-line='4']"), rejected.locator("tr[data-line='5']")
    assert "Полис не найден" in text(unknown) and "999-0000000" in text(unknown)
    assert text(unknown.locator("code.muted")) == "unknown_policy"
    assert "Сумма не равна количеству × цене" in text(wrong_sum)
    assert text(wrong_sum.locator("code.muted")) == "sum_mismatch"
    assert rejected.locator("tbody tr[data-line]").count() == 2
    shot(page, "50-registry-rejected-lines")
    registry = Registry.objects.get()
    assert registry.status == RegistryStatus.DONE and registry.invoices_count == 2
    log_out(page)

    # ── Alice finds the invoice in «Мои счета». ──
    mine = CopayInvoice.objects.get(policy=world.alice)
    sons = CopayInvoice.objects.get(policy=world.son)
    log_in(page, "8 916 123-45-67")
    page.get_by_role("link", name="Мои счета").first.click()
    page.wait_for_url(re.compile(r"/my/invoices/$"))
    row = page.locator(f"tr[data-invoice='{mine.pk}']")
    assert mine.number in text(row)
    assert "878,09 ₽" in text(row)
    assert text(row.get_by_test_id("status")) == "Новый"
    assert text(page.locator(f"tr[data-invoice='{sons.pk}'] [data-testid=status]")) == "Новый"
    shot(page, "51-invoices")

    # ── Its detail; the consultation was never given: a dispute. ──
    row.get_by_role("link", name=mine.number).click()
    page.wait_for_url(re.compile(rf"/my/invoices/{mine.pk}/$"))
    lines = page.get_by_test_id("lines")
    assert lines.locator("tbody tr").count() == 2
    assert "878,09 ₽" in text(page.get_by_test_id("due"))
    shot(page, "52-invoice-detail")
    consultation = lines.locator("tbody tr", has_text="Приём терапевта первичный")
    consultation.get_by_test_id("dispute").click()
    page.wait_for_url(re.compile(r"/my/disputes/new/\d+/"))
    page.get_by_label("Услуга не оказывалась").check()
    page.fill("#id_comment", "15 октября я в клинике не была: приём терапевта не проводился.")
    shot(page, "53-dispute-form")
    page.get_by_role("button", name="Отправить").click()
    page.wait_for_url(re.compile(r"/my/disputes/\d+/$"))
    assert "Несогласие принято" in page.content()
    assert text(page.get_by_test_id("status")) == "На рассмотрении"
    shot(page, "53b-dispute-submitted")
    dispute = Dispute.objects.get()
    assert dispute.kind == DisputeKind.NOT_PROVIDED and dispute.line.copay_kopecks == 750_00

    # ── Back to the invoices: the disputed co-pay is held back, the rest is paid together. ──
    page.get_by_role("link", name="Мои счета").first.click()
    page.wait_for_url(re.compile(r"/my/invoices/$"))
    row = page.locator(f"tr[data-invoice='{mine.pk}']")
    assert text(row.get_by_test_id("status")) == "Оспаривается"
    assert "оспаривается 750,00 ₽" in text(row)
    row.locator("input[name=invoices]").check()
    assert text(page.locator("[data-selected-total]")) == "128,09 ₽"
    page.locator("[data-pay-button]").click()
    page.wait_for_url(re.compile(r"/payments/sandbox/[0-9a-f-]+/$"))
    assert "128,09 ₽" in text(page.get_by_test_id("sandbox-amount"))
    page.get_by_role("button", name="Оплата прошла").click()
    page.wait_for_url(re.compile(r"/payments/[0-9a-f-]+/return/$"))
    assert page.get_by_test_id("payment-result").get_attribute("data-status") == "succeeded"
    page.get_by_role("link", name="Продолжить").click()
    page.wait_for_url(re.compile(r"/my/invoices/$"))

    row = page.locator(f"tr[data-invoice='{mine.pk}']")
    assert text(row.get_by_test_id("status")) == "Оплачен"
    assert row.locator("input[name=invoices]").is_disabled()  # a paid invoice cannot be selected again
    assert text(page.locator(f"tr[data-invoice='{sons.pk}'] [data-testid=status]")) == "Новый"
    shot(page, "54-invoices-paid")

    # «Полученные услуги»: the three accepted lines, the disputed one under review; no rejected line.
    page.get_by_role("link", name="Полученные услуги").first.click()
    page.wait_for_url(re.compile(r"/my/services/$"))
    services = page.get_by_test_id("services")
    assert services.locator("tbody tr").count() == 3
    assert "на проверке" in text(services.locator("tbody tr", has_text="Приём терапевта первичный"))
    shot(page, "55-services")

    mine.refresh_from_db()
    assert (mine.status, mine.paid_kopecks) == (InvoiceStatus.PAID, 128_09)
    payment = Payment.objects.get()
    assert payment.status == PaymentStatus.SUCCEEDED and payment.amount_kopecks == 128_09
