"""The demo's registry: last month's file of the clinic on Krasnaya Presnya, put through the real
pipeline, leaves Anna an unpaid invoice and her services, and the clinic's clerk a registry with
rejected lines. Loaded once for the module at the suite's frozen moment (20.11.2026 12:00 Moscow),
so the registry is October's."""

import datetime as dt
from collections.abc import Iterator
from decimal import ROUND_HALF_UP, Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse

from polis.accounts.models import User
from polis.billing.invoices.selectors import invoices_for_user, received_services
from polis.billing.models import CopayInvoice, InvoiceStatus, LineStatus, Registry, RegistryLine, RegistryStatus
from polis.billing.registries.selectors import registries_list, rejected_lines
from polis.coverage.models import CopayRule, Policy
from polis.demo.clinics import CLINIC_CODES, PRESNYA
from polis.demo.insured import ANNA, ARTEM
from polis.demo.registries import ANNAS_HUSBAND, MISTYPED_POLICY, add_registries_demo
from polis.jobs.models import JobStatus
from polis.network.models import Clinic, PriceListItem

OCTOBER = dt.date(2026, 10, 1)


@pytest.fixture(scope="module")
def with_registry(loaded: str, django_db_blocker) -> Iterator[str]:  # type: ignore[no-untyped-def]
    # Inside the demo's module transaction (rolled back with it). Once build.py calls it, the
    # demo has it already and this call adds nothing.
    with django_db_blocker.unblock():
        add_registries_demo()
    yield loaded


@pytest.fixture
def demo(with_registry: str, db: None) -> str:
    return with_registry


def presnya() -> Clinic:
    return Clinic.objects.get(code=CLINIC_CODES[PRESNYA])


def clerk() -> User:
    return User.objects.get(email="clinic@example.ru")


def anna() -> User:
    return User.objects.get(email="anna.sokolova@example.ru")


def test_the_clinic_has_one_registry_for_last_month_made_by_the_pipeline(demo: str) -> None:
    registry = Registry.objects.get(clinic=presnya())
    assert (registry.period, registry.version, registry.status) == (OCTOBER, 1, RegistryStatus.DONE)
    assert registry.uploaded_by == clerk()
    assert registry.job is not None and registry.job.status == JobStatus.DONE
    assert registry.job.input_file.name, "the file is kept, as for any upload"
    assert registry.checked_at is not None and registry.accrued_at is not None
    assert registry.lines_total == registry.lines.count() == registry.lines_accepted + registry.lines_rejected
    assert registry.lines_accepted >= 3 and registry.lines_rejected >= 3


def test_the_clerk_sees_the_registry_and_its_rejected_lines_with_their_reasons(demo: str) -> None:
    me = clerk()
    registry = registries_list(viewer=me).get()
    rejected = list(rejected_lines(viewer=me, registry=registry))
    reasons = {line.policy_number: line.reason for line in rejected if line.reason != "service_unknown"}
    assert reasons == {
        MISTYPED_POLICY: "unknown_policy",
        ANNAS_HUSBAND: "franchise_not_active",
        ANNA: "sum_mismatch",
    }
    unknown = [line for line in rejected if line.reason == "service_unknown"]
    assert len(unknown) == 1 and not PriceListItem.objects.filter(clinic=presnya(), code=unknown[0].service_code)
    assert all(line.copay_kopecks == 0 for line in rejected)


def test_the_clerks_registry_page_shows_the_rejected_lines(demo: str, client) -> None:
    registry = Registry.objects.get(clinic=presnya())
    client.force_login(clerk())
    page = client.get(reverse("clinic_registries:detail", args=[registry.pk])).content.decode()
    assert "Полис не найден" in page and MISTYPED_POLICY in page
    assert "Франшиза не была активирована на дату услуги" in page and ANNAS_HUSBAND in page
    list_page = client.get(reverse("clinic_registries:list")).content.decode()
    assert f'data-registry="{registry.pk}"' in list_page


def test_anna_has_one_unpaid_invoice_at_her_programs_rates(demo: str) -> None:
    invoices = list(invoices_for_user(user=anna()))
    assert len(invoices) == 1
    invoice = invoices[0]
    assert invoice.policy.number == ANNA
    assert invoice.status == InvoiceStatus.NEW and invoice.paid_kopecks == 0
    assert invoice.due_kopecks == invoice.copay_kopecks > 0
    assert invoice.due_on > dt.date(2026, 11, 20)
    lines = RegistryLine.objects.filter(
        registry=invoice.registry, policy=invoice.policy, status=LineStatus.ACCEPTED
    ).order_by("row")
    assert invoice.lines_count == lines.count() >= 2
    rates = {r.service_category: r.percent for r in CopayRule.objects.filter(program=invoice.policy.program)}
    for line in lines:
        expected = (Decimal(line.sum_kopecks) * rates[line.category] / 100).quantize(Decimal(1), rounding=ROUND_HALF_UP)
        assert line.copay_kopecks == int(expected), line.category
    assert sum(line.copay_kopecks for line in lines) == invoice.copay_kopecks


def test_annas_pages_show_the_invoice_unpaid_and_her_services(demo: str, client) -> None:
    invoice = CopayInvoice.objects.get(policy__number=ANNA)
    client.force_login(anna())
    page = client.get(reverse("invoices:list")).content.decode()
    assert invoice.number in page and "Новый" in page
    services = received_services(user=anna())
    assert {line.policy.number for line in services} == {ANNA}
    assert services.count() == invoice.lines_count
    page = client.get(reverse("invoices:services")).content.decode()
    assert all(line.service_name in page for line in services)


def test_a_colleague_without_a_franchise_is_accepted_without_an_invoice(demo: str) -> None:
    line = RegistryLine.objects.get(registry__clinic=presnya(), policy_number=ARTEM)
    assert (line.status, line.copay_kopecks) == (LineStatus.ACCEPTED, 0)
    assert not CopayInvoice.objects.filter(policy__number=ARTEM).exists()


def test_nobody_else_sees_annas_invoice(demo: str, client) -> None:
    invoice = CopayInvoice.objects.get(policy__number=ANNA)
    pavel = User.objects.get(email="pavel.orlov@example.ru")
    assert not invoices_for_user(user=pavel).filter(pk=invoice.pk).exists()
    client.force_login(pavel)
    assert client.get(reverse("invoices:detail", args=[invoice.pk])).status_code == 404


def test_loading_again_adds_no_second_registry(demo: str) -> None:
    before = (Registry.objects.count(), RegistryLine.objects.count(), CopayInvoice.objects.count())
    assert add_registries_demo() is False
    call_command("demo_data", stdout=StringIO())
    assert (Registry.objects.count(), RegistryLine.objects.count(), CopayInvoice.objects.count()) == before


def test_a_franchise_program_without_co_pay_rules_gets_them_before_the_registry(demo: str) -> None:
    clinic = presnya()
    CopayInvoice.objects.filter(registry__clinic=clinic).delete()
    RegistryLine.objects.filter(registry__clinic=clinic).delete()
    Registry.objects.filter(clinic=clinic).delete()
    program = Policy.objects.get(number=ANNA).program
    CopayRule.objects.filter(program=program).delete()

    assert add_registries_demo() is True
    rules = {r.service_category: r.percent for r in CopayRule.objects.filter(program=program)}
    assert rules == {"consultation": Decimal(20), "diagnostics": Decimal(20), "dental": Decimal(30)}
    assert CopayInvoice.objects.get(policy__number=ANNA).copay_kopecks > 0
