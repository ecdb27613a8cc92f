"""«Мои счета», one invoice with its download, and «Полученные услуги», as the insured sees them;
and what bob, HR and a page of many invoices get."""

import csv
import datetime as dt
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from polis.billing.models import Dispute, InvoiceStatus, RegistryStatus
from polis.coverage.models import Policy
from polis.testing import factories as f

pytestmark = [pytest.mark.django_db]


@pytest.fixture
def alice_client(client, alice):
    client.force_login(alice)
    return client


def dispute_on(line, user, **fields) -> Dispute:
    defaults = {"kind": "quality", "comment": "Приём занял пять минут", "answer_due_on": dt.date(2026, 12, 5)}
    defaults.update(fields)
    return Dispute.objects.create(line=line, policy=line.policy, submitted_by=user, **defaults)


def row_of(page: str, invoice) -> str:
    start = page.index(f'data-invoice="{invoice.pk}"')
    return page[start : page.index("</tr>", start)]


def test_the_list_shows_own_and_sons_invoices_newest_first_with_the_seeds_columns(
    alice_client, alice_policy, son_policy
):
    older = f.invoice_with_lines(
        policy=alice_policy, copays=[300_00], number="2026/09/1", issued_on=dt.date(2026, 10, 1), deposit_kopecks=100_00
    )
    older.due_kopecks = 200_00
    older.save()
    newer = f.invoice_with_lines(policy=son_policy, copays=[80_00, 20_00], number="2026/10/7")

    response = alice_client.get(reverse("invoices:list"))

    assert response.status_code == 200
    page = response.content.decode()
    assert page.index("2026/10/7") < page.index("2026/09/1")
    for header in ("Выбрать", "Номер счёта", "Дата формирования", "Застрахованный", "Категория"):
        assert header in page
    mine = row_of(page, older)
    assert "01.10.2026" in mine and "Смирнова Ирина Петровна" in mine and "Сотрудник" in mine
    assert "300,00\xa0₽" in mine and "100,00\xa0₽" in mine and "200,00\xa0₽" in mine
    sons = row_of(page, newer)
    assert "Смирнова Артём Андреевич" in sons and "Ребёнок" in sons and "100,00\xa0₽" in sons
    assert "02.12.2026" in sons and "Новый" in sons


def test_paid_cancelled_and_fully_disputed_invoices_cannot_be_ticked(alice, alice_client, alice_policy):
    paid = f.invoice_with_lines(policy=alice_policy, copays=[100_00], status=InvoiceStatus.PAID, paid_kopecks=100_00)
    cancelled = f.invoice_with_lines(
        policy=alice_policy, copays=[100_00], status=InvoiceStatus.CANCELLED, cancel_reason="Реестр исправлен"
    )
    disputed = f.invoice_with_lines(policy=alice_policy, copays=[100_00])
    dispute_on(disputed.registry.lines.get(), alice, invoice=disputed)
    overdue = f.invoice_with_lines(policy=alice_policy, copays=[100_00], due_on=dt.date(2026, 11, 1))

    page = alice_client.get(reverse("invoices:list")).content.decode()

    for invoice, label in ((paid, "Оплачен"), (cancelled, "Отменён"), (disputed, "Оспаривается")):
        row = row_of(page, invoice)
        assert "disabled" in row, label
        assert label in row
    overdue_row = row_of(page, overdue)
    assert "Просрочен" in overdue_row and "disabled" not in overdue_row
    assert 'data-amount="10000"' in overdue_row


def test_a_partly_disputed_invoice_offers_only_the_undisputed_part(alice, alice_client, alice_policy):
    invoice = f.invoice_with_lines(policy=alice_policy, copays=[300_00, 50_00])
    first = invoice.registry.lines.order_by("line_no").first()
    dispute_on(first, alice, invoice=invoice)

    row = row_of(alice_client.get(reverse("invoices:list")).content.decode(), invoice)

    assert 'data-amount="5000"' in row
    assert "оспаривается 300,00\xa0₽" in row
    assert "Оспаривается" in row


def test_the_list_costs_the_same_number_of_queries_for_three_invoices_or_thirty(
    alice_client, alice, alice_policy, son_policy, django_assert_max_num_queries
):
    def invoices(n: int) -> None:
        for i in range(n):
            invoice = f.invoice_with_lines(policy=son_policy if i % 2 else alice_policy, copays=[100_00, 20_00])
            if i % 3 == 0:
                dispute_on(invoice.registry.lines.first(), alice, invoice=invoice)

    invoices(3)
    with django_assert_max_num_queries(8) as few:
        alice_client.get(reverse("invoices:list"))
    invoices(27)
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = alice_client.get(reverse("invoices:list")).content.decode()
    assert page.count('name="invoices"') == 25
    assert "Страница 1 из 2" in page


def test_bob_sees_none_of_alices_invoices_and_gets_404_for_them(client, bob, alice_policy):
    invoice = f.invoice_with_lines(policy=alice_policy, copays=[100_00])
    client.force_login(bob)

    assert "Счетов нет" in client.get(reverse("invoices:list")).content.decode()
    for name in ("invoices:detail", "invoices:csv", "invoices:xlsx"):
        assert client.get(reverse(name, args=[invoice.pk])).status_code == 404


def test_staff_are_not_let_into_the_insureds_invoices(client, hr_user, alice_policy):
    client.force_login(hr_user)
    assert client.get(reverse("invoices:list")).status_code == 403
    assert client.get(reverse("invoices:services")).status_code == 403


def test_the_detail_shows_each_line_with_clinic_service_rule_and_a_dispute_link(alice, alice_client, alice_policy):
    clinic = f.ClinicFactory(name="Клиника «Здоровье»")
    invoice = f.invoice_with_lines(policy=alice_policy, copays=[300_00, 60_00], clinic=clinic, number="2026/09/12")
    first, second = invoice.registry.lines.order_by("line_no")
    second.service_code, second.service_name, second.quantity, second.service_date = (
        "A05",
        "Анализ крови",
        2,
        (dt.date(2026, 9, 14)),
    )
    second.sum_kopecks = 400_00
    second.save()
    dispute_on(first, alice, invoice=invoice)

    page = alice_client.get(reverse("invoices:detail", args=[invoice.pk])).content.decode()

    assert "Счёт № 2026/09/12" in page
    assert "Клиника «Здоровье»" in page and "09.2026" in page
    line = page[page.index(f'data-line="{second.pk}"') :]
    line = line[: line.index("</tr>")]
    for text in ("14.09.2026", "A05", "Анализ крови", ">2<", "400,00\xa0₽", "60,00\xa0₽", "30 %"):
        assert text in line, text
    assert f'href="/my/disputes/new/{second.pk}/"' in line
    assert f'href="/my/disputes/new/{first.pk}/"' not in page, "a line under an open dispute is not disputed twice"
    assert "Оплатить 60,00\xa0₽" in page


def test_the_invoice_downloads_as_csv_and_xlsx_with_its_lines(alice_client, alice_policy):
    invoice = f.invoice_with_lines(policy=alice_policy, copays=[300_00], number="2026/09/3")
    line = invoice.registry.lines.get()
    line.service_name = '=HYPERLINK("http://x")'
    line.save()

    response = alice_client.get(reverse("invoices:csv", args=[invoice.pk]))
    assert response["Content-Disposition"] == 'attachment; filename="schet-2026-09-3.csv"'
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    assert ["Счёт №", "2026/09/3"] in rows
    assert ["Итого к оплате, ₽", "300,00"] in rows
    header = rows.index(
        [
            "Дата услуги",
            "Клиника",
            "Код услуги",
            "Услуга",
            "Количество",
            "Стоимость, ₽",
            "Франшиза, ₽",
            "Правило франшизы",
        ]
    )
    assert rows[header + 1][0] == "10.09.2026"
    assert rows[header + 1][3] == '\'=HYPERLINK("http://x")'
    assert rows[header + 1][5:] == ["1000,00", "300,00", "30 %"]

    response = alice_client.get(reverse("invoices:xlsx", args=[invoice.pk]))
    sheet = load_workbook(io.BytesIO(response.content)).active
    values = [list(r) for r in sheet.iter_rows(values_only=True)]
    line_row = next(r for r in values if r[3] and "HYPERLINK" in str(r[3]))
    assert line_row[0] == dt.datetime(2026, 9, 10)
    assert float(line_row[6]) == 300.0
    assert sheet.cell(row=values.index(line_row) + 1, column=4).data_type == "s"


def test_services_received_list_every_accepted_line_franchise_or_not_but_not_rejected_or_replaced(
    alice, alice_client, alice_policy, son_policy
):
    clinic = f.ClinicFactory(name="Медцентр")
    old = f.RegistryFactory(clinic=clinic, status=RegistryStatus.REPLACED)
    registry = f.RegistryFactory(clinic=clinic, version=2, replaces=old)
    f.RegistryLineFactory(registry=registry, policy=alice_policy, service_name="МРТ колена", copay_kopecks=0)
    f.RegistryLineFactory(registry=registry, policy=son_policy, service_name="Приём педиатра", copay_kopecks=750_00)
    f.RegistryLineFactory(
        registry=registry, policy=alice_policy, service_name="Отклонённая", status="rejected", reason="duplicate_line"
    )
    f.RegistryLineFactory(registry=old, policy=alice_policy, service_name="Из заменённого реестра")
    stranger = Policy.objects.create(
        **{k: getattr(alice_policy, k) for k in ("contract", "program", "issued_on", "starts_on", "ends_on")},
        insured=f.InsuredPersonFactory(last_name="Чужой"),
        number="009-0000009",
    )
    f.RegistryLineFactory(registry=registry, policy=stranger, service_name="Чужая услуга")

    page = alice_client.get(reverse("invoices:services")).content.decode()

    assert "МРТ колена" in page and "Приём педиатра" in page and "Медцентр" in page
    assert "750,00\xa0₽" in page
    for hidden in ("Отклонённая", "Из заменённого реестра", "Чужая услуга"):
        assert hidden not in page
    mri = registry.lines.get(service_name="МРТ колена")
    assert f'href="/my/disputes/new/{mri.pk}/?kind=not_provided"' in page
    assert "Не получал эту услугу" in page


def test_services_filter_by_person_and_period_and_keep_what_was_chosen(alice_client, alice_policy, son_policy):
    registry = f.RegistryFactory()
    f.RegistryLineFactory(
        registry=registry, policy=alice_policy, service_name="Сентябрь мама", service_date=dt.date(2026, 9, 5)
    )
    f.RegistryLineFactory(
        registry=registry, policy=son_policy, service_name="Сентябрь сын", service_date=dt.date(2026, 9, 6)
    )
    f.RegistryLineFactory(
        registry=registry, policy=son_policy, service_name="Август сын", service_date=dt.date(2026, 8, 20)
    )

    page = alice_client.get(
        reverse("invoices:services"),
        {"person": son_policy.insured_id, "date_from": "2026-09-01", "date_to": "30.09.2026"},
    ).content.decode()

    assert "Сентябрь сын" in page
    assert "Сентябрь мама" not in page and "Август сын" not in page
    assert 'value="2026-09-01"' in page
    assert f'<option value="{son_policy.insured_id}" selected>' in page


def test_a_backwards_period_is_an_error_next_to_the_field(alice_client, alice_policy):
    page = alice_client.get(
        reverse("invoices:services"), {"date_from": "2026-10-01", "date_to": "2026-09-01"}
    ).content.decode()
    assert "Конец периода раньше его начала." in page


def test_bob_sees_no_services_of_alice_and_cannot_filter_by_her_son(client, bob, alice_policy, son_policy):
    f.RegistryLineFactory(policy=son_policy, service_name="Приём педиатра")
    client.force_login(bob)

    page = client.get(reverse("invoices:services"), {"person": son_policy.insured_id}).content.decode()

    assert "Приём педиатра" not in page
    assert "Выберите корректный вариант" in page


def test_the_services_page_costs_the_same_for_few_or_many_lines(
    alice_client, alice_policy, son_policy, django_assert_max_num_queries
):
    registry = f.RegistryFactory()
    for _ in range(3):
        f.RegistryLineFactory(registry=registry, policy=alice_policy)
    with django_assert_max_num_queries(10) as few:
        alice_client.get(reverse("invoices:services"))
    for i in range(60):
        f.RegistryLineFactory(registry=f.RegistryFactory() if i % 10 == 0 else registry, policy=son_policy)
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = alice_client.get(reverse("invoices:services")).content.decode()
    assert page.count("data-line=") == 50


def test_a_cancelled_invoice_says_why_and_offers_neither_paying_nor_disputing(alice_client, alice_policy):
    invoice = f.invoice_with_lines(
        policy=alice_policy, copays=[100_00], status=InvoiceStatus.CANCELLED, cancel_reason="реестр заменён версией 2"
    )

    page = alice_client.get(reverse("invoices:detail", args=[invoice.pk])).content.decode()

    assert "Счёт отменён: реестр заменён версией 2." in page
    assert "Отменён" in page
    assert 'data-testid="pay"' not in page
    assert "/my/disputes/new/" not in page
