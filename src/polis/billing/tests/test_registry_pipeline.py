"""The registry pipeline end to end: the file, every check with its coded reason, the co-pay
rules, invoices, the same file twice, a corrected version. Runs on SQLite (lines read in Python)
and on PostgreSQL (COPY and SQL), so both readers must decide every line alike."""

import datetime as dt

import pytest

from polis.billing.models import (
    CopayInvoice,
    InvoiceStatus,
    LineStatus,
    Registry,
    RegistryLine,
    RegistryStatus,
)
from polis.billing.registries.services import RegistryError, registry_submit
from polis.billing.tests.registry_world import PERIOD, World, build_world, csv_file, line, xlsx_file
from polis.jobs.models import JobStatus
from polis.notify.models import OutboundMessage
from polis.payments.models import LedgerAccount, LedgerEntry

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(alice_policy) -> World:
    return build_world(alice_policy)


def submit(django_capture_on_commit_callbacks, world: World, upload, user, period: dt.date = PERIOD) -> Registry:
    with django_capture_on_commit_callbacks(execute=True):
        registry, _ = registry_submit(clinic=world.clinic, period=period, uploaded_file=upload, user=user)
    registry.refresh_from_db()
    return registry


def decisions(registry: Registry) -> dict[int, str]:
    return {ln.line_no: ln.reason or "ok" for ln in registry.lines.order_by("row")}


def test_good_lines_are_accepted_priced_and_invoiced(world, backoffice_user, django_capture_on_commit_callbacks):
    upload = csv_file(
        [
            line(world.alice),
            line(world.alice, **{"Код услуги": "2001", "Цена": "512,35", "Сумма": "1 024,70", "Количество": "2"}),
            line(world.son, **{"Код услуги": "3001", "Цена": "6000", "Сумма": "6000", "Зуб": "16"}),
            line(world.son, **{"Код услуги": "3001", "Цена": "6000", "Сумма": "6000", "Зуб": "17"}),
        ]
    )
    registry = submit(django_capture_on_commit_callbacks, world, upload, backoffice_user)
    assert registry.status == RegistryStatus.DONE
    assert registry.job.status == JobStatus.DONE
    assert decisions(registry) == {1: "ok", 2: "ok", 3: "ok", 4: "ok"}
    copays = {ln.line_no: ln.copay_kopecks for ln in registry.lines.all()}
    # 30 % of 2 500,00; 12,5 % of 1 024,70 = 128,0875 → 128,09 (half up); dental: a fixed
    # 1 000,00 once per visit (the same day), on its first line.
    assert copays == {1: 750_00, 2: 128_09, 3: 1000_00, 4: 0}
    assert registry.lines_accepted == 4 and registry.lines_rejected == 0
    assert registry.accepted_kopecks == 2500_00 + 1024_70 + 12000_00
    alice_invoice = CopayInvoice.objects.get(registry=registry, policy=world.alice)
    son_invoice = CopayInvoice.objects.get(registry=registry, policy=world.son)
    assert (alice_invoice.copay_kopecks, alice_invoice.due_kopecks, alice_invoice.lines_count) == (878_09, 878_09, 2)
    assert son_invoice.copay_kopecks == 1000_00 and son_invoice.cost_kopecks == 12000_00
    # 30 working days from 20.11.2026: 31.12 and 1–8 January are days off.
    assert alice_invoice.due_on == dt.date(2027, 1, 12)
    assert alice_invoice.number.startswith("2026/10/")
    assert registry.invoices_count == 2
    # The payer is told: alice for herself and for her son.
    texts = list(OutboundMessage.objects.values_list("body", flat=True))
    assert sum(alice_invoice.number in t for t in texts) == 2  # SMS and e-mail
    assert sum(son_invoice.number in t for t in texts) == 2
    assert CopayInvoice.objects.filter(notified_at__isnull=True).count() == 0


def test_every_bad_line_is_rejected_with_its_reason_and_the_good_ones_kept(
    world, backoffice_user, django_capture_on_commit_callbacks
):
    terminated = world.inactive
    a = world.alice
    upload = csv_file(
        [
            line(a),  # 1 ok
            line(a, **{"Номер полиса": "999-0000000"}),  # 2 unknown policy
            line(a, **{"Дата рождения": "01.01.1970"}),  # 3 person mismatch
            line(a, **{"Дата услуги": "15.09.2026"}),  # 4 outside the period
            line(a, **{"Код услуги": "0000"}),  # 5 service unknown
            line(a, **{"Код услуги": "4001", "Цена": "9000", "Сумма": "9000"}),  # 6 inpatient not covered
            line(a, **{"Код услуги": "5001", "Цена": "3000", "Сумма": "3000"}),  # 7 clinic not in program (home)
            line(terminated),  # 8 franchise not active
            line(a, **{"Цена": "2600,00", "Сумма": "2600,00"}),  # 9 price mismatch
            line(a, **{"Количество": "2", "Сумма": "2500,00"}),  # 10 sum mismatch
            line(a),  # 11 duplicate of line 1
            line(a, **{"Дата услуги": "31.02.2026"}),  # 12 no such date
            line(a, **{"Количество": "1,5"}),  # 13 bad quantity
            line(a, **{"№ п/п": "1", "Дата услуги": "16.10.2026"}),  # 14 (numbered 1 again)
            line(a, **{"Дата услуги": ""}),  # 15 missing date
        ]
    )
    registry = submit(django_capture_on_commit_callbacks, world, upload, backoffice_user)
    got = {ln.row - 1: ln.reason or "ok" for ln in registry.lines.order_by("row")}
    assert got == {
        1: "ok",
        2: "unknown_policy",
        3: "person_mismatch",
        4: "outside_period",
        5: "service_unknown",
        6: "service_not_covered",
        7: "clinic_not_in_program",
        8: "franchise_not_active",
        9: "price_mismatch",
        10: "sum_mismatch",
        11: "duplicate_line",
        12: "bad_value",
        13: "bad_quantity",
        14: "duplicate_number",
        15: "bad_value",
    }
    bad_date = registry.lines.get(row=13)
    assert "31.02.2026" in bad_date.reason_detail and bad_date.raw["service_date"] == "31.02.2026"
    assert registry.lines.filter(status=LineStatus.REJECTED, copay_kopecks__gt=0).count() == 0
    assert registry.lines_accepted == 1 and registry.lines_rejected == 14
    invoice = CopayInvoice.objects.get(registry=registry)
    assert invoice.policy == a and invoice.copay_kopecks == 750_00


def test_same_file_twice_changes_nothing(world, backoffice_user, django_capture_on_commit_callbacks):
    first = submit(django_capture_on_commit_callbacks, world, csv_file([line(world.alice)]), backoffice_user)
    counts = (RegistryLine.objects.count(), CopayInvoice.objects.count(), OutboundMessage.objects.count())
    again, created = registry_submit(
        clinic=world.clinic, period=PERIOD, uploaded_file=csv_file([line(world.alice)]), user=backoffice_user
    )
    assert (again, created) == (first, False)
    assert (RegistryLine.objects.count(), CopayInvoice.objects.count(), OutboundMessage.objects.count()) == counts


def test_accrual_runs_once(world, backoffice_user, django_capture_on_commit_callbacks):
    from polis.billing.registries.accrual import accrue

    registry = submit(django_capture_on_commit_callbacks, world, csv_file([line(world.alice)]), backoffice_user)
    assert accrue(registry) == 0
    assert CopayInvoice.objects.count() == 1


def test_a_service_billed_in_another_registry_is_rejected(world, backoffice_user, django_capture_on_commit_callbacks):
    from polis.testing import factories as f

    # A registry of the same clinic (another month's, e.g. billed late) already holds the service.
    other = f.RegistryFactory(clinic=world.clinic, period=dt.date(2026, 9, 1))
    f.RegistryLineFactory(
        registry=other,
        policy=world.alice,
        service_date=dt.date(2026, 10, 15),
        service_code="1001",
        doctor="Иванов И. И.",
    )
    registry = submit(
        django_capture_on_commit_callbacks,
        world,
        csv_file([line(world.alice), line(world.alice, **{"Дата услуги": "16.10.2026"})]),
        backoffice_user,
    )
    assert decisions(registry) == {1: "already_billed", 2: "ok"}
    # A corrected version of the same month is not "already billed" against the one it replaces.
    corrected = submit(
        django_capture_on_commit_callbacks,
        world,
        csv_file([line(world.alice, **{"Дата услуги": "16.10.2026"}), line(world.son)], name="v2.csv"),
        backoffice_user,
    )
    assert corrected.replaces == registry
    assert decisions(corrected) == {1: "ok", 2: "ok"}


def test_corrected_registry_replaces_lines_and_rebills(world, backoffice_user, django_capture_on_commit_callbacks):
    first = submit(
        django_capture_on_commit_callbacks,
        world,
        csv_file([line(world.alice), line(world.son, **{"Дата рождения": "01.01.2000"})]),
        backoffice_user,
    )
    old_invoice = CopayInvoice.objects.get(registry=first)
    assert decisions(first) == {1: "ok", 2: "person_mismatch"}
    corrected = submit(
        django_capture_on_commit_callbacks,
        world,
        csv_file(
            [
                line(world.alice, **{"Количество": "2", "Сумма": "5000,00"}),
                line(world.son),
                line(world.son, **{"Код услуги": "2001", "Цена": "512,35", "Сумма": "512,35"}),
            ],
            name="registry-fixed.csv",
        ),
        backoffice_user,
    )
    first.refresh_from_db()
    old_invoice.refresh_from_db()
    assert corrected.version == 2 and corrected.replaces == first
    assert first.status == RegistryStatus.REPLACED
    assert old_invoice.status == InvoiceStatus.CANCELLED and "исправленный" in old_invoice.cancel_reason
    assert corrected.changes["added"] == {"count": 1, "lines": [3]}
    assert corrected.changes["changed"] == {"count": 2, "lines": [1, 2]}
    assert corrected.changes["removed"]["count"] == 0
    new = CopayInvoice.objects.get(registry=corrected, policy=world.alice)
    assert new.copay_kopecks == 1500_00


def test_paid_invoice_of_a_replaced_version_is_credited(world, backoffice_user, django_capture_on_commit_callbacks):
    first = submit(django_capture_on_commit_callbacks, world, csv_file([line(world.alice)]), backoffice_user)
    CopayInvoice.objects.filter(registry=first).update(status=InvoiceStatus.PAID, paid_kopecks=750_00)
    LedgerEntry.objects.create(account=LedgerAccount.COPAY, policy=world.alice, amount_kopecks=750_00, memo="paid")
    corrected = submit(
        django_capture_on_commit_callbacks,
        world,
        csv_file([line(world.alice, **{"Количество": "2", "Сумма": "5000,00"})], name="fixed.csv"),
        backoffice_user,
    )
    paid = CopayInvoice.objects.get(registry=first)
    assert paid.status == InvoiceStatus.PAID  # a paid invoice stays paid
    new = CopayInvoice.objects.get(registry=corrected)
    assert (new.copay_kopecks, new.credit_kopecks, new.due_kopecks) == (1500_00, 750_00, 750_00)


def test_deposit_above_the_minimum_is_offset(world, backoffice_user, django_capture_on_commit_callbacks):
    from polis.billing.tests.conftest import paid_deposit

    world.program.deposit_per_person_kopecks = 300_00
    world.program.save()
    paid_deposit(world.alice, amount=500_00)
    registry = submit(django_capture_on_commit_callbacks, world, csv_file([line(world.alice)]), backoffice_user)
    invoice = CopayInvoice.objects.get(registry=registry)
    assert (invoice.copay_kopecks, invoice.deposit_kopecks, invoice.due_kopecks) == (750_00, 200_00, 550_00)
    deposit = sum(
        LedgerEntry.objects.filter(policy=world.alice, account=LedgerAccount.DEPOSIT).values_list(
            "amount_kopecks", flat=True
        )
    )
    assert deposit == 300_00  # never below the non-reducible amount


@pytest.mark.parametrize(
    ("maker", "kwargs"),
    [
        (csv_file, {"encoding": "cp1251", "delimiter": ","}),
        (csv_file, {"english": True, "delimiter": "\t"}),
        (csv_file, {"encoding": "utf-8-sig"}),
        (xlsx_file, {}),
    ],
)
def test_formats(world, backoffice_user, django_capture_on_commit_callbacks, maker, kwargs):
    upload = maker([line(world.alice), line(world.son, **{"Дата рождения": "1.1.2000"})], **kwargs)
    registry = submit(django_capture_on_commit_callbacks, world, upload, backoffice_user)
    assert decisions(registry) == {1: "ok", 2: "person_mismatch"}
    assert registry.lines.get(line_no=1).person_name == "Смирнова Ирина Петровна"


def test_unreadable_files_fail_with_a_reason(world, backoffice_user, django_capture_on_commit_callbacks):
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("r.csv", "Фамилия;Имя\nИванов;Иван\n".encode())
    registry = submit(django_capture_on_commit_callbacks, world, upload, backoffice_user)
    assert registry.status == RegistryStatus.FAILED
    assert "нет столбцов" in registry.error
    assert registry.job.status == JobStatus.FAILED
    with pytest.raises(RegistryError):
        registry_submit(
            clinic=world.clinic, period=dt.date(2027, 1, 1), uploaded_file=csv_file([]), user=backoffice_user
        )


def test_the_job_page_leads_back_to_its_registry(world, backoffice_user, client, django_capture_on_commit_callbacks):
    from django.urls import reverse

    registry = submit(django_capture_on_commit_callbacks, world, csv_file([line(world.alice)]), backoffice_user)
    client.force_login(backoffice_user)
    page = client.get(reverse("jobs:detail", args=[registry.job_id]))
    assert page.status_code == 200
    assert reverse("backoffice_registries:detail", args=[registry.pk]) in page.content.decode()
