"""The monthly debt report for a contract's administrators: amounts only (no services, clinics or
diagnoses), their own contracts only, on the page, as CSV and by e-mail once a month."""

import datetime as dt

import pytest
from django.core.management import call_command
from django.test import Client

from polis.accounts.models import Role
from polis.billing.debts.selectors import debt_report
from polis.billing.debts.services import debt_reports_send
from polis.billing.models import CopayInvoice, DebtReport, InvoiceStatus, RegistryLine
from polis.coverage.models import Policy
from polis.notify.models import OutboundMessage
from polis.testing import factories as f

pytestmark = [pytest.mark.django_db]
NOVEMBER = dt.date(2026, 11, 1)
SECRETS = ("Приём терапевта", "J06.9", "Клиника №")


@pytest.fixture
def debts(alice_policy: Policy, bob) -> dict[str, CopayInvoice]:
    """Alice owes 500 ₽ (due 19.11), her son 100 ₽ (due 30.10) and 50 ₽ (due 10.11); a paid
    invoice of alice's and bob's debt on another contract do not belong in her contract's report."""
    son = Policy.objects.get(number="001-0000002")
    invoices = {
        "alice": f.invoice_with_lines(policy=alice_policy, copays=[300_00, 200_00], due_on=dt.date(2026, 11, 19)),
        "son_old": f.invoice_with_lines(policy=son, copays=[100_00], due_on=dt.date(2026, 10, 30)),
        "son_new": f.invoice_with_lines(policy=son, copays=[50_00], due_on=dt.date(2026, 11, 10)),
        "paid": f.invoice_with_lines(policy=alice_policy, copays=[70_00], due_on=dt.date(2026, 11, 1)),
        "bob": f.invoice_with_lines(
            policy=Policy.objects.get(number="002-0000001"), copays=[900_00], due_on=dt.date(2026, 11, 1)
        ),
    }
    CopayInvoice.objects.filter(pk=invoices["paid"].pk).update(paid_kopecks=70_00, status=InvoiceStatus.PAID)
    RegistryLine.objects.update(icd10="J06.9")
    return invoices


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def other_hr(bob) -> object:
    """The administrator of bob's contract: an outsider for alice's."""
    user = f.UserFactory(email="hr2@example.ru", phone=None, role=Role.HR)
    Policy.objects.get(number="002-0000001").contract.administrators.add(user)
    return user


def test_the_report_has_a_row_per_debtor_with_amounts_only(alice_policy, debts):
    rows = debt_report(contract=alice_policy.contract, month=NOVEMBER)

    table = [
        (r.full_name, r.policy_number, r.category, r.invoices, r.outstanding_kopecks, r.oldest_due_on) for r in rows
    ]
    assert table == [
        ("Смирнова Артём Андреевич", "001-0000002", "Ребёнок", 2, 150_00, dt.date(2026, 10, 30)),
        ("Смирнова Ирина Петровна", "001-0000001", "Сотрудник", 1, 500_00, dt.date(2026, 11, 19)),
    ]  # fmt: skip


def test_a_past_month_counts_what_was_overdue_by_its_end(alice_policy, debts):
    rows = debt_report(contract=alice_policy.contract, month=dt.date(2026, 10, 1))

    assert [(r.policy_number, r.outstanding_kopecks) for r in rows] == [("001-0000002", 100_00)]


def test_hr_sees_names_and_sums_and_nothing_medical(alice_policy, hr_user, debts):
    page = logged_in(hr_user).get("/hr/debts/").content.decode()

    assert "Смирнова Ирина Петровна" in page and "001-0000001" in page
    assert "500,00" in page and "150,00" in page
    assert "Должников: 2" in page
    for secret in SECRETS:
        assert secret not in page
    assert "Кузнецов" not in page


def test_the_csv_has_the_same_rows_and_nothing_medical(alice_policy, hr_user, debts):
    response = logged_in(hr_user).get(
        "/hr/debts/export.csv", {"contract": alice_policy.contract_id, "month": "2026-11"}
    )

    text = response.content.decode("utf-8-sig")
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    assert text.splitlines() == [
        "ФИО;Полис;Категория;Счетов;Долг, ₽;Самый ранний срок оплаты",
        "Смирнова Артём Андреевич;001-0000002;Ребёнок;2;150,00;30.10.2026",
        "Смирнова Ирина Петровна;001-0000001;Сотрудник;1;500,00;19.11.2026",
    ]


def test_another_contracts_administrator_gets_404_and_sees_only_their_own(alice_policy, other_hr, debts):
    client = logged_in(other_hr)
    contract = alice_policy.contract_id

    assert client.get("/hr/debts/", {"contract": contract}).status_code == 404
    assert client.get("/hr/debts/export.csv", {"contract": contract}).status_code == 404
    assert client.get("/hr/debts/", {"contract": "abc"}).status_code == 404
    own = client.get("/hr/debts/").content.decode()
    assert "Кузнецов Борис Олегович" in own and "900,00" in own
    assert "Смирнова" not in own


def test_the_insured_and_the_back_office_are_not_hr(alice, backoffice_user, debts):
    assert logged_in(alice).get("/hr/debts/").status_code == 403
    assert logged_in(backoffice_user).get("/hr/debts/export.csv").status_code == 403


def test_the_monthly_report_is_emailed_once_on_the_first_working_day(alice_policy, hr_user, debts):
    assert debt_reports_send(today=dt.date(2026, 12, 1)) == 2  # alice's contract and bob's

    report = DebtReport.objects.get(contract=alice_policy.contract)
    assert (report.month, report.people, report.total_kopecks) == (NOVEMBER, 2, 650_00)
    assert report.sent_at is not None
    emails = OutboundMessage.objects.filter(channel="email", subject__contains=alice_policy.contract.number)
    assert sorted(e.recipient for e in emails) == ["admin@example.ru", "hr@example.ru"]
    body = emails[0].body
    assert "Смирнова Ирина Петровна; 001-0000001; Сотрудник; 1; 500,00; 19.11.2026" in body
    assert "/hr/debts/?contract=" in body and "month=2026-11" in body
    for secret in SECRETS:
        assert secret not in body

    assert debt_reports_send(today=dt.date(2026, 12, 2)) == 0
    assert DebtReport.objects.count() == 2


def test_no_report_before_the_first_working_day_of_the_month(alice_policy, debts):
    # 1–10 January 2027 are days off: the first working day is Monday 11 January.
    assert debt_reports_send(today=dt.date(2027, 1, 5)) == 0
    assert debt_reports_send(today=dt.date(2027, 1, 11)) == 2
    assert set(DebtReport.objects.values_list("month", flat=True)) == {dt.date(2026, 12, 1)}


def test_a_contract_without_debts_gets_no_report(alice_policy, debts):
    CopayInvoice.objects.update(paid_kopecks=10_000_00, status=InvoiceStatus.PAID)

    call_command("send_debt_reports", "--date", "2026-12-01")

    assert not DebtReport.objects.exists()
