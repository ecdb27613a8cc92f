"""Issue 4's journey in a real browser: an insured on a deposit-style program (300 ₽ per person,
effective in 3 working days) pays the deposit for herself and her son in the sandbox, sees the
activation pending until the date the business calendar gives, and sees it active when that
date comes (the test moves the clock; the live server's thread shares the mock)."""

import datetime as dt
import os
import re
from pathlib import Path

import pytest

from polis import calendar
from polis.billing.models import FranchiseActivation
from polis.billing.rules import local_midnight
from polis.coverage.models import FranchiseActivation as Method
from polis.coverage.models import Policy
from polis.payments.models import LedgerAccount, LedgerEntry, Payment, PaymentStatus

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]
TODAY = dt.date(2026, 11, 20)


def shot(page, name: str) -> None:
    if folder := os.environ.get("POLIS_SCREENSHOTS"):
        page.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=True)


@pytest.fixture
def deposit_family(alice_policy: Policy) -> list[Policy]:
    program = alice_policy.program
    program.name = "Базовая с гарантийным взносом"
    program.franchise_activation = Method.DEPOSIT
    program.deposit_per_person_kopecks = 300_00
    program.deposit_minimum_kopecks = 300_00
    program.activation_delay_working_days = 3
    program.save()
    return [alice_policy, Policy.objects.get(number="001-0000002")]


def statuses(page) -> list[str]:
    return page.locator("[data-testid=status]").all_inner_texts()


def test_an_insured_pays_the_deposit_for_herself_and_her_son_and_it_becomes_active_on_time(
    browser_page, deposit_family, frozen_now
):
    page = browser_page
    page.goto("/accounts/login/")
    page.fill("#id_login", "8 916 123-45-67")
    page.fill("#id_password", "Secret-pass-42")
    page.get_by_role("button", name="Войти").click()
    page.wait_for_url(re.compile(r"/my/$"))

    page.get_by_role("link", name="Оплата франшизы").first.click()
    page.wait_for_url(re.compile(r"/my/franchise/$"))
    assert [s.strip() for s in statuses(page)] == ["Франшиза: не активирована"] * 2
    deposit = page.locator("[data-testid=deposit-section]")
    for policy in deposit_family:
        deposit.locator(f"input[name=policies][value='{policy.pk}']").check()
    assert "600,00 ₽" in deposit.locator("[data-deposit-total]").inner_text().replace("\xa0", " ")
    shot(page, "40-franchise-not-activated")
    deposit.get_by_role("button", name="Оплатить картой").click()

    # The sandbox's hosted page: the project never sees a card number; the tester picks the outcome.
    # (The form's #deposit anchor rides along the redirects.)
    page.wait_for_url(re.compile(r"/payments/sandbox/[0-9a-f-]+/(#\w+)?$"))
    assert "600,00 ₽" in page.locator("[data-testid=sandbox-amount]").inner_text().replace("\xa0", " ")
    shot(page, "41-sandbox")
    page.get_by_role("button", name="Оплата прошла").click()
    page.wait_for_url(re.compile(r"/payments/[0-9a-f-]+/return/(#\w+)?$"))
    assert page.locator("[data-testid=payment-result]").get_attribute("data-status") == "succeeded"
    shot(page, "42-paid")
    page.get_by_role("link", name="Продолжить").click()
    page.wait_for_url(re.compile(r"/my/franchise/(#\w+)?$"))

    effective_on = calendar.add_working_days(TODAY, 3)
    pending = statuses(page)
    assert len(pending) == 2
    for status in pending:
        assert re.search(rf"активация\b.*вступит в силу {effective_on:%d\.%m\.%Y}", status), status
    held = page.locator("[data-testid=deposit-held]").all_inner_texts()
    assert [h.replace("\xa0", " ") for h in held] == ["300,00 ₽", "300,00 ₽"]
    shot(page, "43-activation-pending")

    payment = Payment.objects.get()
    assert payment.status == PaymentStatus.SUCCEEDED and payment.amount_kopecks == 600_00
    assert LedgerEntry.objects.filter(account=LedgerAccount.DEPOSIT, payment=payment).count() == 2
    assert {a.effective_at for a in FranchiseActivation.objects.all()} == {local_midnight(effective_on)}

    # The day before, still pending; from 00:00 Moscow of that working day, active.
    frozen_now.return_value = local_midnight(effective_on) - dt.timedelta(minutes=1)
    page.reload()
    assert all("вступит в силу" in s for s in statuses(page))
    frozen_now.return_value = local_midnight(effective_on) + dt.timedelta(hours=9)
    page.reload()
    assert [s.strip() for s in statuses(page)] == ["Франшиза: активна"] * 2
    shot(page, "44-active")
