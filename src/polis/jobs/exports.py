"""A job's rejected rows as files the clerk fixes and uploads again: CSV for any editor, XLSX for
Excel; and the one CSV/XLSX writer every table download uses (registry reports, invoices)."""

import csv
import datetime as dt
import tempfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from decimal import Decimal
from typing import IO, Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from polis.jobs.models import Job, JobProblem

# A cell starting with these runs as a formula when the file is opened in a spreadsheet.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def problem_columns(job: Job, problems: QuerySet[JobProblem]) -> list[tuple[str, str]]:
    """(key in JobProblem.data, header): the file's own headers when the job recorded them."""
    recorded = job.result.get("columns") if isinstance(job.result, dict) else None
    if recorded:
        return [(name, label) for name, label in recorded]
    first = problems.first()
    return [(name, name) for name in (first.data if first else {})]


def _rows(job: Job, problems: QuerySet[JobProblem]) -> Iterator[list[Any]]:
    columns = problem_columns(job, problems)
    yield [_("Строка"), _("Код"), _("Причина"), *(label for _, label in columns)]
    for problem in problems.iterator(chunk_size=2000):
        yield [problem.row, problem.code, problem.message, *(problem.data.get(name, "") for name, _ in columns)]


def spreadsheet_safe(value: Any) -> Any:
    """Data from an uploaded file, neutralised for spreadsheets: «=HYPERLINK(…)» stays text.
    A phone «+7 495…» or a negative number keeps its sign: only a non-digit after it is a risk."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        if value[0] in "+-" and len(value) > 1 and (value[1].isdigit() or value[1] == " "):
            return value
        return "'" + value
    return value


class _Echo:
    def write(self, value: str) -> str:
        return value


def csv_stream(rows: Iterable[Sequence[Any]], *, cell: Callable[[Any], Any] = spreadsheet_safe) -> Iterator[str]:
    """Streamed CSV: UTF-8 with a BOM and ';', which is what Russian Excel opens without asking.
    `cell` turns each value into what is written (by default: neutralised for spreadsheets)."""
    writer = csv.writer(_Echo(), delimiter=";")
    yield "\ufeff"
    for row in rows:
        yield writer.writerow([cell(v) for v in row])


def xlsx_file(rows: Iterable[tuple[bool, Sequence[Any]]], *, title: str) -> IO[bytes]:
    """A workbook of (bold?, row) rows in a rewound temporary file. Text is always text (never a
    formula, whatever it starts with); dates show ДД.ММ.ГГГГ, decimals #,##0.00. Write-only mode
    streams rows to disk, so a long report never sits in memory. The caller closes the file (a
    FileResponse does)."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("".join("-" if ch in "\\/?*[]:" else ch for ch in title)[:31])
    bold = Font(bold=True)
    for is_bold, row in rows:
        cells = []
        for value in row:
            cell = WriteOnlyCell(sheet, value=value)
            if isinstance(value, str):
                cell.data_type = "s"
            elif isinstance(value, Decimal):
                cell.number_format = "#,##0.00"
            elif isinstance(value, dt.date):
                cell.number_format = "DD.MM.YYYY"
            if is_bold:
                cell.font = bold
            cells.append(cell)
        sheet.append(cells)
    handle = tempfile.TemporaryFile()  # noqa: SIM115 - the open file is the result
    workbook.save(handle)
    handle.seek(0)
    return handle


def problems_csv(job: Job, problems: QuerySet[JobProblem]) -> Iterator[str]:
    return csv_stream(_rows(job, problems))


def problems_xlsx(job: Job, problems: QuerySet[JobProblem]) -> bytes:
    rows = ((index == 0, row) for index, row in enumerate(_rows(job, problems)))
    with xlsx_file(rows, title=_("Отклонённые строки")) as handle:
        return handle.read()
