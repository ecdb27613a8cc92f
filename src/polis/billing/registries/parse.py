"""Reading a registry file: its columns (Russian or English headers), and one line's cells into
typed values or a coded reason it cannot be read.

Two readers share these rules (reading.py). A CSV goes through Polars, which converts the cells
in their plain form as columns; any line with another cell comes back here, so every line is
read by the same rules as an XLSX, where each row is parsed here.
"""

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _

from polis import tabular
from polis.billing.models import RejectReason
from polis.coverage.models import name_key

# canonical name → header spellings (tabular normalizes case, spaces, punctuation, ё).
ALIASES: dict[str, list[str]] = {
    "line_no": ["№", "№ п/п", "n", "номер строки", "номер", "line", "line no", "line number", "no"],
    "person_name": ["фио", "фио застрахованного", "застрахованный", "пациент", "name", "patient", "insured"],
    "last_name": ["фамилия", "surname"],
    "first_name": ["имя", "given name"],
    "patronymic": ["отчество", "middle name"],
    "birth_date": ["дата рождения", "др", "birth date", "dob", "date of birth"],
    "policy_number": ["полис", "номер полиса", "№ полиса", "policy", "policy number", "policy no"],
    "service_date": ["дата услуги", "дата оказания услуги", "дата оказания", "дата", "date", "service date"],
    "service_code": ["код услуги", "код", "code", "service code"],
    "service_name": ["услуга", "наименование услуги", "название услуги", "service", "service name"],
    "quantity": ["количество", "кол во", "колво", "qty", "quantity", "count"],
    "price": ["цена", "цена за единицу", "стоимость единицы", "тариф", "price", "unit price"],
    "sum": ["сумма", "стоимость", "сумма к оплате", "sum", "amount", "total"],
    "letter_number": ["гарантийное письмо", "номер гп", "гп", "№ гп", "guarantee letter", "letter"],
    "doctor": ["врач", "doctor", "physician"],
    "icd10": ["мкб", "мкб 10", "мкб10", "диагноз", "код мкб", "icd", "icd10", "icd 10", "diagnosis"],
    "tooth": ["зуб", "номер зуба", "tooth"],
}

# Columns without which no line can be checked (the person may come as one column or three).
REQUIRED = ["policy_number", "birth_date", "service_date", "service_code", "quantity", "price", "sum"]
LABELS = {
    "line_no": _("№ строки"),
    "person_name": _("ФИО"),
    "birth_date": _("дата рождения"),
    "policy_number": _("номер полиса"),
    "service_date": _("дата услуги"),
    "service_code": _("код услуги"),
    "service_name": _("услуга"),
    "quantity": _("количество"),
    "price": _("цена"),
    "sum": _("сумма"),
}
TEXT_LIMITS = {
    "policy_number": 40,
    "person_name": 300,
    "service_code": 40,
    "service_name": 500,
    "letter_number": 40,
    "doctor": 200,
    "icd10": 20,
    "tooth": 10,
}


def check_header(header: tabular.Header) -> None:
    """The file must have the columns a line is checked by; say which are missing, in Russian."""
    missing = [LABELS.get(name, name) for name in REQUIRED if name not in header]
    if "person_name" not in header and not {"last_name", "first_name"} <= set(header.columns):
        missing.insert(0, LABELS["person_name"])
    if missing:
        raise tabular.TabularError(
            _("В файле нет столбцов: %(cols)s. Первая строка должна содержать заголовки столбцов.")
            % {"cols": ", ".join(str(m) for m in missing)}
        )


@dataclass
class Parsed:
    """One line as staged: typed values (None where missing or unreadable), the first reason it
    cannot be checked (`error`, a RejectReason value) and the raw cells for the report."""

    row: int
    line_no: int
    person_name: str
    name_key: str
    birth_date: dt.date | None
    policy_number: str
    service_date: dt.date | None
    service_code: str
    service_name: str
    quantity: int | None
    price_kopecks: int | None
    sum_kopecks: int | None
    letter_number: str
    doctor: str
    icd10: str
    tooth: str
    error: str | None
    error_detail: str
    raw: str | None  # JSON of the cells as written, kept only for lines with an error


def _text(cells: dict[str, Any], name: str) -> str:
    return tabular.cell_text(cells.get(name, ""))[: TEXT_LIMITS.get(name, 300)]


def full_name(cells: dict[str, Any]) -> str:
    if not tabular.is_blank(cells.get("person_name")):
        return _text(cells, "person_name")
    parts = (tabular.cell_text(cells.get(n, "")) for n in ("last_name", "first_name", "patronymic"))
    return " ".join(p for p in parts if p)[:300]


def _numbered(line_no: int) -> bool:
    return 0 < line_no < 2_000_000_000


def parse_line(row: int, cells: dict[str, Any]) -> Parsed:
    """Cells (canonical name → cell, as tabular.read_rows gives them) into a staged line."""
    problems: list[tuple[str, str]] = []

    def value(name: str, parse: Any, *, required: bool = True) -> Any:
        cell = cells.get(name, "")
        if tabular.is_blank(cell):
            if required:
                problems.append((RejectReason.BAD_VALUE, _("не заполнено поле «%(f)s»") % {"f": LABELS[name]}))
            return None
        try:
            return parse(cell)
        except tabular.CellError as error:
            problems.append((RejectReason.BAD_VALUE, f"{LABELS[name]}: {error}"))
            return None

    line_no = value("line_no", tabular.parse_int, required=False) if "line_no" in cells else None
    if line_no is not None and not _numbered(line_no):
        problems.append((RejectReason.BAD_VALUE, _("№ строки: «%(v)s» — не номер") % {"v": line_no}))
        line_no = None
    name = full_name(cells)
    if not name:
        problems.append((RejectReason.BAD_VALUE, _("не заполнено поле «%(f)s»") % {"f": LABELS["person_name"]}))
    birth_date = value("birth_date", tabular.parse_date)
    policy_number = _text(cells, "policy_number")
    if not policy_number:
        problems.append((RejectReason.BAD_VALUE, _("не заполнено поле «%(f)s»") % {"f": LABELS["policy_number"]}))
    service_date = value("service_date", tabular.parse_date)
    service_code = _text(cells, "service_code")
    if not service_code:
        problems.append((RejectReason.BAD_VALUE, _("не заполнено поле «%(f)s»") % {"f": LABELS["service_code"]}))
    quantity_value = value("quantity", tabular.parse_decimal)
    quantity: int | None = None
    if quantity_value is not None:
        if quantity_value != quantity_value.to_integral_value() or not 0 < quantity_value < 1_000_000:
            problems.append(
                (RejectReason.BAD_QUANTITY, _("указано «%(v)s»") % {"v": tabular.cell_text(quantity_value)})
            )
        else:
            quantity = int(quantity_value)
    price = value("price", tabular.parse_kopecks)
    total = value("sum", tabular.parse_kopecks)
    for label, amount in ((LABELS["price"], price), (LABELS["sum"], total)):
        if amount is not None and not 0 <= amount < 10**15:
            problems.append((RejectReason.BAD_VALUE, _("%(f)s: сумма вне допустимых пределов") % {"f": label}))
    # The first problem is the line's reason; the others join its explanation.
    error = problems[0][0] if problems else None
    detail = "; ".join(str(p[1]) for p in problems)[:300]
    raw = None
    if error:
        raw = json.dumps({k: tabular.cell_text(v) for k, v in cells.items()}, ensure_ascii=False)
    return Parsed(
        row=row,
        line_no=line_no or row,
        person_name=name,
        name_key=name_key(name),
        birth_date=birth_date,
        policy_number=policy_number,
        service_date=service_date,
        service_code=service_code,
        service_name=_text(cells, "service_name"),
        quantity=quantity,
        price_kopecks=price,
        sum_kopecks=total,
        letter_number=_text(cells, "letter_number"),
        doctor=_text(cells, "doctor"),
        icd10=_text(cells, "icd10"),
        tooth=_text(cells, "tooth"),
        error=error,
        error_detail=detail,
        raw=raw,
    )
