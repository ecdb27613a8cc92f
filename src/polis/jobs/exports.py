"""A job's rejected rows as files the clerk fixes and uploads again: CSV for any editor, XLSX for Excel."""

import csv
import tempfile
from collections.abc import Iterator
from typing import Any

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


def problems_csv(job: Job, problems: QuerySet[JobProblem]) -> Iterator[str]:
    """Streamed: UTF-8 with a BOM and ';', which is what Russian Excel opens without asking."""
    writer = csv.writer(_Echo(), delimiter=";")
    yield "\ufeff"
    for row in _rows(job, problems):
        yield writer.writerow([spreadsheet_safe(v) for v in row])


def problems_xlsx(job: Job, problems: QuerySet[JobProblem]) -> bytes:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_("Отклонённые строки"))
    bold = Font(bold=True)
    for index, row in enumerate(_rows(job, problems)):
        cells = []
        for value in row:
            cell = WriteOnlyCell(sheet, value=value)
            if isinstance(value, str):
                cell.data_type = "s"  # never a formula, whatever the text starts with
            if index == 0:
                cell.font = bold
            cells.append(cell)
        sheet.append(cells)
    # Write-only mode streams rows to a temporary file; only the finished book is read back.
    with tempfile.TemporaryFile() as handle:
        workbook.save(handle)
        handle.seek(0)
        return handle.read()
