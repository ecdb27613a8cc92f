"""An invoice as a table the person downloads (the Alfa seed's «Файл»): CSV for any editor, XLSX
for Excel. Service names come from the clinic's file, so text cells are neutralised the way the
rejected-rows export does (polis.jobs.exports.spreadsheet_safe)."""

import datetime as dt
from collections.abc import Iterable, Iterator
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

from polis.billing.invoices.selectors import category_label
from polis.billing.models import CopayInvoice, RegistryLine
from polis.jobs.exports import csv_stream, spreadsheet_safe, xlsx_file
from polis.money import to_rubles


class Money(Decimal):
    """Rubles in a cell: a number in XLSX, «1234,56» in CSV (what Russian Excel reads)."""


def _money(kopecks: int | None) -> Money | None:
    return None if kopecks is None else Money(to_rubles(kopecks))


def file_name(invoice: CopayInvoice, extension: str) -> str:
    safe = "".join(ch if ch.isalnum() or ch in "-_" else "-" for ch in invoice.number)
    return f"schet-{safe}.{extension}"


def _head(invoice: CopayInvoice) -> list[list[Any]]:
    rows: list[list[Any]] = [
        [_("Счёт №"), invoice.number],
        [_("Дата формирования"), invoice.issued_on],
        [_("Застрахованный"), invoice.policy.insured.full_name],
        [_("Категория"), category_label(invoice.policy)],
        [_("Полис"), invoice.policy.number],
        [_("Клиника"), invoice.registry.clinic.name],
        [_("Период"), invoice.registry.period.strftime("%m.%Y")],
        [_("Стоимость услуг, ₽"), _money(invoice.cost_kopecks)],
        [_("Сумма франшизы, ₽"), _money(invoice.copay_kopecks)],
    ]
    if invoice.adjustment_kopecks:
        rows.append([_("Исправления, ₽"), _money(invoice.adjustment_kopecks)])
    if invoice.deposit_kopecks:
        rows.append([_("Зачтено из авансового платежа, ₽"), _money(invoice.deposit_kopecks)])
    if invoice.credit_kopecks:
        rows.append([_("Оплачено по прежней версии реестра, ₽"), _money(invoice.credit_kopecks)])
    rows += [
        [_("Итого к оплате, ₽"), _money(invoice.due_kopecks)],
        [_("Оплачено, ₽"), _money(invoice.paid_kopecks)],
        [_("Оплатить до"), invoice.due_on],
        [],
    ]
    return rows


def _rows(invoice: CopayInvoice, lines: Iterable[RegistryLine]) -> Iterator[tuple[bool, list[Any]]]:
    """(is a header row, cells)."""
    for row in _head(invoice):
        yield False, row
    yield (
        True,
        [
            _("Дата услуги"),
            _("Клиника"),
            _("Код услуги"),
            _("Услуга"),
            _("Количество"),
            _("Стоимость, ₽"),
            _("Франшиза, ₽"),
            _("Правило франшизы"),
        ],
    )
    clinic = invoice.registry.clinic.name
    for line in lines:
        yield (
            False,
            [
                line.service_date,
                clinic,
                line.service_code,
                line.service_name,
                line.quantity,
                _money(line.sum_kopecks),
                _money(line.copay_kopecks),
                line.copay_rule,
            ],
        )


def _text(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, Money):
        return f"{value:.2f}".replace(".", ",")
    if isinstance(value, dt.date):
        return value.strftime("%d.%m.%Y")
    return spreadsheet_safe(value)


def invoice_csv(invoice: CopayInvoice, lines: Iterable[RegistryLine]) -> Iterator[str]:
    """UTF-8 with a BOM and ';', which Russian Excel opens without asking."""
    return csv_stream((row for _header, row in _rows(invoice, lines)), cell=_text)


def invoice_xlsx(invoice: CopayInvoice, lines: Iterable[RegistryLine]) -> bytes:
    with xlsx_file(_rows(invoice, lines), title=_("Счёт %(number)s") % {"number": invoice.number}) as handle:
        return handle.read()
