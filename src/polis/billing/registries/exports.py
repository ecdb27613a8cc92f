"""The rejection report of a registry as files the clinic fixes and sends again: CSV for any
editor (streamed), XLSX for Excel (written row by row to a temporary file). One row per
rejected line: its number, the reason's code and words, the explanation, then the line as the
clinic wrote it. A line whose cells did not parse has them in `line.raw`, shown as they were."""

import datetime as dt
import json
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import IO, Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from polis.billing.models import RegistryLine
from polis.billing.registries.selectors import reason_label
from polis.jobs.exports import csv_stream, spreadsheet_safe, xlsx_file
from polis.money import to_rubles

CHUNK = 2000


@dataclass(frozen=True)
class Column:
    header: str
    field: str
    # Keys under which the pipeline may have kept the cell's raw text in `line.raw`.
    raw_keys: tuple[str, ...] = ()


def line_columns() -> list[Column]:
    return [
        Column(_("Номер полиса"), "policy_number", ("policy_number", "policy")),
        Column(_("Застрахованный"), "person_name", ("person_name", "person", "name", "full_name")),
        Column(_("Дата рождения"), "birth_date", ("birth_date",)),
        Column(_("Дата услуги"), "service_date", ("service_date", "date")),
        Column(_("Код услуги"), "service_code", ("service_code",)),
        Column(_("Услуга"), "service_name", ("service_name", "service")),
        Column(_("Количество"), "quantity", ("quantity",)),
        Column(_("Цена, ₽"), "price_kopecks", ("price_kopecks", "price", "unit_price")),
        Column(_("Сумма, ₽"), "sum_kopecks", ("sum_kopecks", "sum", "amount")),
        Column(_("Гарантийное письмо"), "letter_number", ("letter_number", "letter", "guarantee_letter")),
        Column(_("Врач"), "doctor", ("doctor",)),
        Column(_("МКБ-10"), "icd10", ("icd10", "icd")),
        Column(_("Зуб"), "tooth", ("tooth",)),
    ]


def headers() -> list[str]:
    return [
        _("№ строки"),
        _("Код причины"),
        _("Причина"),
        _("Пояснение"),
        *(c.header for c in line_columns()),
        _("Другие исходные значения"),
    ]


def _is_empty(value: Any) -> bool:
    return value is None or value == ""


NAME_PARTS = ("last_name", "first_name", "patronymic")


def _loaded(raw: Any) -> Any:
    """`raw` as stored: a dict of the cells by column; JSON text of one is read too."""
    if isinstance(raw, str) and raw.lstrip().startswith(("{", "[")):
        try:
            return json.loads(raw)
        except ValueError:
            return raw
    return raw


def _plain(value: Any) -> Any:
    """A raw cell as a spreadsheet can hold it: text or a number; anything else as its text."""
    if isinstance(value, str | int | float | Decimal) and not isinstance(value, bool):
        return value
    return str(value)


def raw_cells(line: RegistryLine, columns: list[Column] | None = None) -> dict[str, Any]:
    """For each field the line has no parsed value for, the raw text the clinic sent (if any);
    under "rest", the raw cells no column takes, as one text."""
    columns = columns if columns is not None else line_columns()
    raw = _loaded(line.raw)
    raw_map = raw if isinstance(raw, dict) else {}
    # Every field is a key (None when the parsed value stands), so a template may ask for any.
    cells: dict[str, Any] = {column.field: None for column in columns}
    for column in columns:
        if _is_empty(getattr(line, column.field)):
            cells[column.field] = next(
                (_plain(raw_map[k]) for k in column.raw_keys if not _is_empty(raw_map.get(k))), None
            )
    if _is_empty(line.person_name) and cells["person_name"] is None:
        # The person may come as three columns instead of one.
        parts = [raw_map.get(k) for k in NAME_PARTS]
        cells["person_name"] = " ".join(str(p) for p in parts if not _is_empty(p)) or None
    known = {key for column in columns for key in column.raw_keys} | set(NAME_PARTS)
    if str(raw_map.get("line_no", "")).strip() == str(line.line_no):
        known.add("line_no")  # the number the page shows anyway
    if isinstance(raw, dict):
        cells["rest"] = "; ".join(f"{k}: {v}" for k, v in raw.items() if k not in known and not _is_empty(v))
    elif isinstance(raw, list):
        cells["rest"] = " | ".join("" if v is None else str(v) for v in raw)
    else:
        cells["rest"] = "" if raw is None else str(raw)
    return cells


def line_values(line: RegistryLine, columns: list[Column]) -> list[Any]:
    """The line's cells: the parsed value where there is one, else the raw text the clinic sent."""
    raw = raw_cells(line, columns)
    values: list[Any] = []
    for column in columns:
        value: Any = getattr(line, column.field)
        if _is_empty(value):
            value = raw.get(column.field)
        elif column.field.endswith("_kopecks"):
            value = to_rubles(value)
        values.append(value)
    return [*values, raw["rest"]]


def rows(lines: QuerySet[RegistryLine]) -> Iterator[list[Any]]:
    """The header, then one row per line (the lines already scoped to the viewer by a selector)."""
    columns = line_columns()
    yield headers()
    for line in lines.iterator(chunk_size=CHUNK):
        yield [line.line_no, line.reason, reason_label(line.reason), line.reason_detail, *line_values(line, columns)]


def _csv_text(value: Any) -> Any:
    if isinstance(value, dt.date):
        return value.strftime("%d.%m.%Y")
    if isinstance(value, Decimal):
        return str(value).replace(".", ",")  # Russian Excel reads 1234,50 as a number
    return spreadsheet_safe(value) if isinstance(value, str) else value


def report_csv(lines: QuerySet[RegistryLine]) -> Iterator[str]:
    """Streamed: UTF-8 with a BOM and ';', which is what Russian Excel opens without asking."""
    return csv_stream(rows(lines), cell=_csv_text)


def report_xlsx(lines: QuerySet[RegistryLine]) -> IO[bytes]:
    """The workbook in a temporary file, rewound: hand it to a FileResponse, which closes it."""
    return xlsx_file(((index == 0, row) for index, row in enumerate(rows(lines))), title=_("Отклонённые строки"))
