"""Reading tables people send us: CSV in whatever Excel saved it as, and XLSX.

One reader for every import (the network now, clinic registries later). It streams: a CSV is
read row by row, an XLSX through openpyxl's read-only mode, so a 100 000-row file never sits in
memory. Headers are matched to the caller's canonical field names through an alias table,
ignoring case, spaces, punctuation and ё/е, so «Код клиники», «код  клиники» and
«clinic_code» are the same column.

The parse helpers turn one cell into a value or raise `CellError` with a Russian message a
clerk can act on. Money never passes through float.
"""

import codecs
import csv
import datetime as dt
import io
import re
from collections.abc import Generator, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import PurePath
from typing import IO, Any

from django.utils.translation import gettext as _

from polis.money import to_kopecks

# A cell as the reader yields it: text from a CSV; text, a number or a date from an XLSX.
Cell = str | int | Decimal | dt.datetime | dt.date | dt.time
Row = dict[str, Cell]

CSV_EXTENSIONS = frozenset({".csv", ".txt"})
XLSX_EXTENSIONS = frozenset({".xlsx", ".xlsm"})
_ZIP_MAGIC = b"PK\x03\x04"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0"  # the old binary .xls
_CHUNK = 1024 * 1024
_SNIFF_BYTES = 64 * 1024
_DELIMITERS = (";", "\t", ",")  # on a tie the first wins: Russian Excel saves with ';'


class TabularError(Exception):
    """The file as a whole cannot be read (format, encoding, header). Russian message."""


class CellError(ValueError):
    """One cell cannot be understood. Russian message, without the column's name (the caller
    knows which column it was and says so)."""


@dataclass
class Header:
    """What the header row said: canonical name → the header as written in the file."""

    columns: dict[str, str]
    unknown: list[str] = field(default_factory=list)
    # Data rows the file probably holds (for a progress bar); None when it cannot be told cheaply.
    estimated_rows: int | None = None

    def __contains__(self, name: object) -> bool:
        return name in self.columns


_SEPARATORS = re.compile(r"[\s_\-/\\]+")
_PUNCTUATION = re.compile(r"[^\w ]+")


def normalize_header(text: str) -> str:
    """«Код  клиники*», "код_клиники", "Код-клиники" → "код клиники"."""
    text = _SEPARATORS.sub(" ", str(text).casefold().replace("ё", "е"))
    return " ".join(_PUNCTUATION.sub("", text).split())


def build_alias_index(aliases: Mapping[str, Iterable[str]]) -> dict[str, str]:
    """canonical → spellings, turned into normalized spelling → canonical. The canonical name is
    a spelling of itself. Two canonical names claiming one spelling is a programming error."""
    index: dict[str, str] = {}
    for canonical, spellings in aliases.items():
        for spelling in (canonical, *spellings):
            key = normalize_header(spelling)
            if index.get(key, canonical) != canonical:
                raise ValueError(f"header alias {spelling!r} is claimed by {index[key]!r} and {canonical!r}")
            index[key] = canonical
    return index


def file_format(filename: str) -> str:
    """ "csv" or "xlsx" by the name's extension; TabularError for anything else."""
    suffix = PurePath(filename or "").suffix.lower()
    if suffix in CSV_EXTENSIONS:
        return "csv"
    if suffix in XLSX_EXTENSIONS:
        return "xlsx"
    if suffix == ".xls":
        raise TabularError(_("Старый формат Excel (.xls) не поддерживается: сохраните файл как .xlsx или .csv."))
    raise TabularError(_("Поддерживаются файлы CSV и XLSX, а «%(name)s» — другого типа.") % {"name": filename})


def read_rows(
    file: IO[bytes], *, filename: str, aliases: Mapping[str, Iterable[str]]
) -> tuple[Header, Generator[tuple[int, Row], None, None]]:
    """The header and an iterator of (row number as Excel shows it, {canonical: cell}).

    Columns the alias table does not know are left out of the rows (and listed in
    `Header.unknown`); a known column missing from a short row reads as "". Blank rows are
    skipped but still counted, so row numbers match what the clerk sees in Excel. The iterator
    reads `file` lazily: keep it open until the rows are consumed.
    """
    index = build_alias_index(aliases)
    fmt = file_format(filename)
    file.seek(0)
    head = file.read(8)
    file.seek(0)
    if fmt == "xlsx":
        if not head.startswith(_ZIP_MAGIC):
            raise TabularError(_("Файл назван .xlsx, но это не книга Excel: откройте его в Excel и сохраните заново."))
        raw_rows, estimated = _xlsx_rows(file)
    else:
        if head.startswith(_ZIP_MAGIC) or head.startswith(_OLE_MAGIC):
            raise TabularError(_("Файл назван .csv, но это книга Excel: сохраните его как CSV или загрузите .xlsx."))
        raw_rows, estimated = _csv_rows(file)

    try:
        for number, values in raw_rows:
            if any(_is_filled(v) for v in values):
                header = _map_header(values, index)
                if estimated is not None:
                    header.estimated_rows = max(estimated - number, 0)
                return header, _data_rows(raw_rows, list(values), index)
    except BaseException:
        raw_rows.close()  # releases the workbook now, not at garbage collection
        raise
    raise TabularError(_("Файл пуст: нет строки с заголовками столбцов."))


def _map_header(values: list[Any], index: Mapping[str, str]) -> Header:
    columns: dict[str, str] = {}
    unknown: list[str] = []
    for value in values:
        text = cell_text(value)
        if not text:
            continue
        canonical = index.get(normalize_header(text))
        if canonical is None:
            unknown.append(text)
        elif canonical in columns:
            raise TabularError(
                _("Столбцы «%(a)s» и «%(b)s» означают одно и то же: оставьте один.")
                % {"a": columns[canonical], "b": text}
            )
        else:
            columns[canonical] = text
    if not columns:
        raise TabularError(_("В первой строке нет ни одного известного заголовка столбца. Сверьтесь с образцом файла."))
    return Header(columns=columns, unknown=unknown)


def _data_rows(
    raw_rows: Generator[tuple[int, list[Any]], None, None], header_values: list[Any], index: Mapping[str, str]
) -> Generator[tuple[int, Row], None, None]:
    positions = [
        (i, index[normalize_header(cell_text(v))])
        for i, v in enumerate(header_values)
        if cell_text(v) and normalize_header(cell_text(v)) in index
    ]
    try:
        for number, values in raw_rows:
            if not any(_is_filled(v) for v in values):
                continue
            row: Row = {}
            for i, name in positions:
                value = values[i] if i < len(values) else None
                row[name] = _clean_cell(value)
            yield number, row
    finally:
        raw_rows.close()


def _is_filled(value: Any) -> bool:
    return value is not None and (not isinstance(value, str) or value.strip() != "")


def _clean_cell(value: Any) -> Cell:
    """Strings stripped, empty cells "", floats (XLSX numbers) as the Decimal Excel shows."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float):
        # Excel keeps doubles; 15 significant digits is what it displays (1234.56, not …599999).
        return Decimal(format(value, ".15g"))
    if isinstance(value, int | Decimal | dt.datetime | dt.date | dt.time):
        return value
    return str(value).strip()


# --- CSV -------------------------------------------------------------------------------------


def detect_encoding(file: IO[bytes]) -> tuple[str, int]:
    """("utf-8-sig" | "utf-8" | "cp1251", line count), in one streaming pass over the bytes.

    The whole file is checked as UTF-8, not a sample: a cp1251 «ё» on row 40 000 would
    otherwise break the import halfway. Anything that is not valid UTF-8 is taken as
    Windows-1251, which is what Russian Excel writes.
    """
    file.seek(0)
    decoder = codecs.getincrementaldecoder("utf-8")()
    first = True
    bom = False
    utf8 = True
    lines = 0
    while chunk := file.read(_CHUNK):
        if first:
            bom = chunk.startswith(codecs.BOM_UTF8)
            if b"\x00" in chunk[:_SNIFF_BYTES]:
                raise TabularError(_("Файл не похож на текстовый CSV: сохраните таблицу как CSV или XLSX."))
            first = False
        lines += chunk.count(b"\n")
        if utf8:
            try:
                decoder.decode(chunk)
            except UnicodeDecodeError:
                utf8 = False
    if utf8:
        try:
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            utf8 = False
    file.seek(0)
    if bom:
        return "utf-8-sig", lines
    return ("utf-8" if utf8 else "cp1251"), lines


def sniff_delimiter(sample: str) -> str:
    """';', tab or ',': the one that splits the header into most columns and keeps the rows
    as wide as the header. csv.Sniffer prefers ',' and so misreads «55,75;37,61» rows."""
    lines = sample.splitlines(keepends=True)
    if len(lines) > 1:
        lines = lines[:-1]  # the sample may end mid-row
    text = "".join(lines[:50])
    best = (_DELIMITERS[0], (-1.0, 0))
    for delimiter in _DELIMITERS:
        rows = [r for r in csv.reader(io.StringIO(text), delimiter=delimiter) if any(c.strip() for c in r)]
        if not rows or len(rows[0]) < 2:
            continue
        width = len(rows[0])
        body = rows[1:]
        consistent = sum(1 for r in body if len(r) == width) / len(body) if body else 1.0
        score = (consistent, width)
        if score > best[1]:
            best = (delimiter, score)
    return best[0]


def _csv_rows(file: IO[bytes]) -> tuple[Generator[tuple[int, list[Any]], None, None], int]:
    encoding, lines = detect_encoding(file)
    sample = file.read(_SNIFF_BYTES).decode(encoding, errors="ignore")
    file.seek(0)
    reader = csv.reader(_text_lines(file, encoding), delimiter=sniff_delimiter(sample))

    def rows() -> Generator[tuple[int, list[Any]], None, None]:
        try:
            yield from enumerate(reader, start=1)
        except csv.Error as error:
            raise TabularError(
                _("Строка %(row)s: CSV повреждён (%(error)s).") % {"row": reader.line_num, "error": error}
            ) from error

    return rows(), lines


def _text_lines(file: IO[bytes], encoding: str) -> Iterator[str]:
    """Decoded lines, split on "\n" only (csv joins the lines of a quoted field itself).

    Not io.TextIOWrapper: it closes the file it wraps when it is collected, and the file is
    the caller's (an upload still to be saved)."""
    # "replace": cp1251 leaves one byte (0x98) undefined; UTF-8 was checked whole already.
    decoder = codecs.getincrementaldecoder(encoding)(errors="replace")
    pending = ""
    while chunk := file.read(_CHUNK):
        lines = (pending + decoder.decode(chunk)).split("\n")
        pending = lines.pop()
        for line in lines:
            yield line + "\n"
    if tail := pending + decoder.decode(b"", final=True):
        yield tail


# --- XLSX ------------------------------------------------------------------------------------


def _xlsx_rows(file: IO[bytes]) -> tuple[Generator[tuple[int, list[Any]], None, None], int | None]:
    import zipfile

    from openpyxl import load_workbook

    try:
        workbook = load_workbook(file, read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as error:
        raise TabularError(_("Книгу Excel не удалось открыть: файл повреждён или это не XLSX.")) from error
    if not workbook.worksheets:
        workbook.close()
        raise TabularError(_("В книге Excel нет листов."))
    sheet = workbook.worksheets[0]
    estimated = sheet.max_row if isinstance(sheet.max_row, int) else None

    def rows() -> Generator[tuple[int, list[Any]], None, None]:
        try:
            # min_row/min_col = 1: a table that starts lower or to the right keeps Excel's numbering.
            for number, values in enumerate(sheet.iter_rows(min_row=1, min_col=1, values_only=True), start=1):
                yield number, list(values)
        finally:
            workbook.close()

    return rows(), estimated


# --- cells -----------------------------------------------------------------------------------


def cell_text(value: Any) -> str:
    """A cell as text for messages and reports (dates as ДД.ММ.ГГГГ, decimals with a comma)."""
    if isinstance(value, str):
        return value.strip()
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0):
            return value.strftime("%d.%m.%Y")
        return value.strftime("%d.%m.%Y %H:%M")
    if isinstance(value, dt.date):
        return value.strftime("%d.%m.%Y")
    if isinstance(value, dt.time):
        return value.strftime("%H:%M")
    if isinstance(value, Decimal):
        return format(value, "f").replace(".", ",")
    return str(value).strip()


def is_blank(value: Cell | None) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


_SPACES = re.compile(r"[\s\u00a0\u202f\u2009']+")
_NUMBER = re.compile(r"[+-]?(\d+([.,]\d*)?|[.,]\d+)")


def parse_decimal(value: Cell) -> Decimal:
    """«1 234,56», «1234.56», «1.234,56», «1,234.56», 1234.56 from Excel → Decimal('1234.56')."""
    if isinstance(value, bool | dt.date | dt.time):
        raise CellError(_("«%(v)s» — не число") % {"v": cell_text(value)})
    if isinstance(value, int | Decimal):
        return Decimal(value)
    text = _SPACES.sub("", str(value))
    text = re.sub(r"(₽|руб\.?|р\.)$", "", text, flags=re.IGNORECASE)
    if "," in text and "." in text:
        # Both marks: the last one is the decimal separator, the other groups thousands.
        thousands = "," if text.rfind(".") > text.rfind(",") else "."
        text = text.replace(thousands, "")
    if text.count(",") > 1 or text.count(".") > 1 or not _NUMBER.fullmatch(text):
        raise CellError(_("«%(v)s» — не число") % {"v": cell_text(value)})
    try:
        return Decimal(text.replace(",", "."))
    except InvalidOperation as error:  # pragma: no cover - the regex already guards
        raise CellError(_("«%(v)s» — не число") % {"v": cell_text(value)}) from error


def parse_kopecks(value: Cell) -> int:
    """Rubles as written («1 500,50») to integer kopecks (half up, via polis.money)."""
    return to_kopecks(parse_decimal(value))


def parse_int(value: Cell) -> int:
    number = parse_decimal(value)
    if number != number.to_integral_value():
        raise CellError(_("«%(v)s» — не целое число") % {"v": cell_text(value)})
    return int(number)


_EXCEL_EPOCH = dt.datetime(1899, 12, 30)  # noqa: DTZ001 - a calendar origin, not a moment


def parse_date(value: Cell) -> dt.date:
    """ДД.ММ.ГГГГ, Д.М.ГГГГ, ГГГГ-ММ-ДД (time after it ignored), an Excel date cell or serial."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, int | Decimal) and not isinstance(value, bool):
        # A date cell Excel lost the format of: days since 30.12.1899.
        if 1 <= value < 2958466:
            return (_EXCEL_EPOCH + dt.timedelta(days=int(value))).date()
        raise CellError(_("«%(v)s» — не дата") % {"v": cell_text(value)})
    text = str(value).strip()
    patterns = (
        (r"(\d{1,2})[./](\d{1,2})[./](\d{4})(?:\s+\d{1,2}:\d{2}(?::\d{2})?)?", (3, 2, 1)),
        (r"(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T]\d{1,2}:\d{2}(?::\d{2})?)?", (1, 2, 3)),
    )
    for pattern, (y, m, d) in patterns:
        match = re.fullmatch(pattern, text)
        if match:
            try:
                return dt.date(int(match[y]), int(match[m]), int(match[d]))
            except ValueError as error:
                raise CellError(_("Даты «%(v)s» не бывает") % {"v": text}) from error
    raise CellError(_("«%(v)s» — не дата: ожидается ДД.ММ.ГГГГ") % {"v": text})


def parse_time(value: Cell) -> dt.time:
    """ЧЧ:ММ (9:00, 09:00, 09:00:00, 9.00), an Excel time cell or a fraction of a day (0,375)."""
    if isinstance(value, dt.datetime):
        return value.time().replace(second=0, microsecond=0)
    if isinstance(value, dt.time):
        return value.replace(second=0, microsecond=0)
    if isinstance(value, Decimal) and not isinstance(value, bool) and 0 <= value < 1:
        minutes = int((value * 24 * 60).quantize(Decimal(1)))
        return dt.time(minutes // 60, minutes % 60) if minutes < 24 * 60 else dt.time(23, 59)
    text = str(value).strip() if isinstance(value, str) else ""
    match = re.fullmatch(r"(\d{1,2})[:.](\d{2})(?::(\d{2}))?", text)
    if match and int(match[1]) < 24 and int(match[2]) < 60:
        return dt.time(int(match[1]), int(match[2]))
    raise CellError(_("«%(v)s» — не время: ожидается ЧЧ:ММ") % {"v": cell_text(value)})


_TRUE = frozenset({"да", "д", "1", "true", "yes", "y", "+", "истина", "есть"})
_FALSE = frozenset({"нет", "н", "0", "false", "no", "n", "-", "ложь", "—", "–"})


def parse_bool(value: Cell) -> bool:
    """да/нет, 1/0, true/false, yes/no, +/-, истина/ложь."""
    text = cell_text(value).casefold()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise CellError(_("«%(v)s» — ожидается «да» или «нет»") % {"v": cell_text(value)})
