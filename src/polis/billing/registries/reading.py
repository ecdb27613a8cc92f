"""Reading a registry file into staged chunks: frames of typed cells, one row per line, or the
coded reason a line cannot be read (columns of STAGED).

Two readers, one set of rules:

* a CSV goes through Polars (multi-threaded, columnar): cells in their plain form (ДД.ММ.ГГГГ
  or ГГГГ-ММ-ДД, «1234,50», a whole quantity) are converted as columns; a line with any other cell is set
  aside and read by `parse.parse_line`, exactly as on the second reader;
* anything Polars cannot take plainly (XLSX; a CSV with a row wider than its header, a broken
  quote, bytes that are not UTF-8 after all, two columns meaning one thing) goes through
  `tabular.read_rows` and `parse.parse_line` line by line, batched into the same frames.

Memory stays flat: the file is streamed, a block (BLOCK bytes of CSV, or CHUNK // 4 lines of
the careful reader) at a time. A CSV is converted once, in the first pass (`survey`), and its
converted blocks wait on disk (Spill) until the lines are decided and written.
"""

import codecs
import csv
import io
import os
import shutil
import tempfile
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import IO, Any, TypeVar

import polars as pl
from django.utils.translation import gettext as _

from polis import tabular
from polis.billing.registries.parse import (
    ALIASES,
    TEXT_LIMITS,
    Parsed,
    check_header,
    parse_line,
)
from polis.jobs.services import JobInputError

CHUNK = 200_000

STAGED: dict[str, Any] = {
    "row": pl.Int64,
    "line_no": pl.Int64,
    "person_name": pl.String,
    "name_key": pl.String,
    "birth_date": pl.Date,
    "policy_number": pl.String,
    "service_date": pl.Date,
    "service_code": pl.String,
    "service_name": pl.String,
    "quantity": pl.Int64,
    "price_kopecks": pl.Int64,
    "sum_kopecks": pl.Int64,
    "letter_number": pl.String,
    "doctor": pl.String,
    "icd10": pl.String,
    "tooth": pl.String,
    "error": pl.String,
    "error_detail": pl.String,
    "raw": pl.String,
}

# A cell is plain when it matches its pattern here; a line with a cell that is not is read by
# parse.parse_line (which also says what is wrong with it).
_INT = r"^[0-9]{1,9}$"
_ZEROS = r"^0+$"
_MONEY = r"^[0-9]{1,12}([.,][0-9]{1,2})?$"
_DATE = r"^[0-9]{2}\.[0-9]{2}\.[0-9]{4}$"
_ISO = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"


def _date(cell: pl.Expr) -> pl.Expr:
    """ДД.ММ.ГГГГ or ГГГГ-ММ-ДД as a date; null for any other form (or no such day)."""
    return (
        pl.when(cell.str.contains(_DATE))
        .then(cell.str.to_date("%d.%m.%Y", strict=False))
        .when(cell.str.contains(_ISO))
        .then(cell.str.to_date("%Y-%m-%d", strict=False))
    )


# Names whose lower case is their casefold (Cyrillic and Latin letters, one space between words,
# hyphen, apostrophe): their name_key is computed as a column; any other name goes to Python.
_PLAIN_NAME = r"^[А-Яа-яЁёA-Za-z'’-]+( [А-Яа-яЁёA-Za-z'’-]+)*$"


@dataclass
class Survey:
    """What the first pass over a CSV tells besides its policy numbers (see Decider)."""

    # Each sorted (decide.Decider._candidates looks them up by binary search).
    repeated_numbers: pl.Series  # line numbers on more than one line
    repeated_lines: pl.Series  # line_key hashes on more than one line
    repeated_days: pl.Series  # day_key hashes (32 bits) on more than one line


@dataclass
class Source:
    """What the reader found out before reading lines."""

    lines: int  # physical lines (a progress estimate)
    chunks: Iterator[pl.DataFrame]
    # The first pass, where the reader can make it cheaply: it hands the file's policy numbers
    # to its argument as it finds them, block by block, with the block's count of lines.
    survey: Callable[[Callable[[pl.Series, int], None]], Survey] | None
    close: Callable[[], None] = lambda: None  # what the reader keeps on disk, removed


def open_source(file: IO[bytes], *, filename: str, careful: bool = False, owner: str = "") -> Source:
    """The file's chunks of staged lines. Unreadable file → JobInputError (Russian). `careful`:
    the line-by-line reader whatever the file (after Polars refused it: see CAREFUL). `owner`:
    whose spill this is (the registry): what an earlier, killed attempt of the same owner left
    on disk is removed when this one starts."""
    if tabular.file_format(filename) == "csv" and not careful:
        found = _plain_csv(file, owner)
        if found is not None:
            return found
    return _python_source(file, filename=filename)


# What makes the Polars reader give a file over to the careful one midway (a row wider than the
# header, a broken quote, a block that is not UTF-8 after all).
CAREFUL = (pl.exceptions.PolarsError,)


# ── CSV through Polars ───────────────────────────────────────────────────────────────────────


def _csv_header(head: bytes, encoding: str) -> tuple[list[str | None], str] | None:
    """(canonical name or None per file column, delimiter) from the file's first bytes, or None
    when the first line is not a header this reader can take plainly."""
    if b"\x00" in head[:_SNIFF]:
        raise JobInputError(_("Файл не похож на текстовый CSV: сохраните таблицу как CSV или XLSX."))
    sample = head[:_SNIFF].decode("cp1251" if encoding == "cp1251" else "utf-8", errors="ignore")
    if not sample.strip():
        return None
    delimiter = tabular.sniff_delimiter(sample)
    first = sample.splitlines()[0] if sample.splitlines() else ""
    cells = next(csv.reader(io.StringIO(first), delimiter=delimiter), [])
    index = tabular.build_alias_index(ALIASES)
    names: list[str | None] = []
    for cell in cells:
        canonical = index.get(tabular.normalize_header(cell)) if cell.strip() else None
        if canonical is not None and canonical in names:
            return None  # two columns meaning one thing: let tabular say so
        names.append(canonical)
    header = tabular.Header(columns={n: n for n in names if n})
    try:
        check_header(header)
    except tabular.TabularError:
        return None  # tabular will name what is missing
    return names, delimiter


_SNIFF = 64 * 1024


def _encoding(head: bytes) -> str:
    """UTF-8 (with or without BOM) or Windows-1251, told from the first block. A later block that
    is not UTF-8 after all is refused by Polars (ComputeError), and the careful reader takes the
    file."""
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    try:
        codecs.getincrementaldecoder("utf-8")().decode(head)
    except UnicodeDecodeError:
        return "cp1251"
    return "utf-8"


BLOCK = 2 * 1024 * 1024


def _blocks(file: IO[bytes], encoding: str, size: int) -> Iterator[bytes]:
    """The file as UTF-8 blocks of whole CSV records: each cut after a newline outside quotes
    (a block starts at a record, so a newline ends one when the quotes before it are even)."""
    file.seek(0)
    pending = b""
    first = True
    while True:
        chunk = file.read(size)
        if first and encoding == "utf-8-sig":
            chunk = chunk.removeprefix(codecs.BOM_UTF8)
        first = False
        data = pending + chunk
        if not chunk:
            if data.strip():
                yield _utf8(data, encoding)
            return
        cut = len(data)
        while (cut := data.rfind(b"\n", 0, cut)) >= 0 and data.count(b'"', 0, cut) % 2:
            pass
        if cut < 0:
            pending = data  # one record longer than a block: read on
            continue
        yield _utf8(data[: cut + 1], encoding)
        pending = data[cut + 1 :]


def _utf8(data: bytes, encoding: str) -> bytes:
    """A block as UTF-8. A UTF-8 block is passed as it is: Polars refuses an invalid sequence
    (ComputeError, one of CAREFUL), and the careful reader takes the file as Windows-1251."""
    if encoding == "cp1251":
        return data.decode("cp1251", errors="replace").encode("utf-8")
    return data


def _plain_csv(file: IO[bytes], owner: str = "") -> Source | None:
    head = file.read(BLOCK)  # read once: encoding, header and the progress estimate
    size = file.seek(0, os.SEEK_END)
    file.seek(0)
    encoding = _encoding(head)
    found = _csv_header(head, encoding)
    if found is None:
        return None
    names, delimiter = found
    columns = [f"c{i}" for i in range(len(names))]
    col = {name: f"c{i}" for i, name in enumerate(names) if name}
    estimate = int(size / max(len(head), 1) * max(head.count(b"\n") - 1, 0))

    def frames() -> Iterator[pl.DataFrame]:
        """Each block's records as raw cells (strings), numbered as Excel numbers rows: blank
        lines are rows too (Polars reads them as empty ones, dropped in _convert)."""
        row = 2
        for number, block in enumerate(_blocks(file, encoding, BLOCK)):
            frame = pl.read_csv(
                block,
                separator=delimiter,
                has_header=number == 0,
                new_columns=columns,
                infer_schema=False,
                empty_string_is_null=False,
                row_index_name="row",
                row_index_offset=row,
                raise_if_empty=False,
            )
            row += frame.height
            if frame.width != len(columns) + 1:
                raise pl.exceptions.ShapeError("ragged CSV")
            yield frame

    spill = Spill(owner)

    def chunks() -> Iterator[pl.DataFrame]:
        if spill.folder is not None:  # converted by the first pass
            yield from spill.read()
            return
        for frame in frames():
            yield _convert(frame, names, col)

    def survey(found: Callable[[pl.Series, int], None]) -> Survey:
        """The first pass: every block read and converted once (and spilled to a temporary
        file, which the chunks then read back), its policy numbers handed to `found` block by
        block with its count of lines (so they can be fetched while the pass goes on, and the
        progress shown), and which line numbers and keys occur more than once (only those lines
        need remembering across chunks)."""
        parts = []
        spill.open()

        def converted(numbered: tuple[int, pl.DataFrame]) -> pl.DataFrame:
            number, frame = numbered
            staged = _convert(frame, names, col)
            spill.write(number, staged)
            return survey_keys(staged)

        # Two blocks converted at once (Polars gains little inside one block of 2 MB).
        for keys in _in_order(converted, enumerate(frames()), workers=2):
            found(keys.get_column("policy_number").unique(), keys.height)
            parts.append(keys.drop("policy_number"))
        repeated = {
            name: _repeated(pl.concat([p.get_column(name) for p in parts]) if parts else pl.Series([], dtype=kind))
            for name, kind in KEYS.items()
            if name != "policy_number"
        }
        return Survey(
            repeated_numbers=repeated["line_no"].cast(pl.Int64),
            repeated_lines=repeated["line_key"],
            repeated_days=repeated["day_key"],
        )

    return Source(lines=estimate, chunks=chunks(), survey=survey, close=spill.close)


class Spill:
    """The first pass's converted blocks, kept in a temporary folder as Arrow files (one per
    block, written and read back whole at memory speed) until the chunks have read them."""

    PREFIX = "polis-registry-spill-"
    STALE = 6 * 3600  # seconds: a check takes minutes; an older folder is a killed worker's

    def __init__(self, owner: str = "") -> None:
        self.owner = owner
        self.folder: str | None = None
        self.count = 0
        self._lock = threading.Lock()

    def open(self) -> None:
        """A new folder, after removing the owner's earlier ones (an owner's check runs once at a
        time: a folder left is a killed attempt's) and anyone's older than STALE."""
        self.close()
        root = tempfile.gettempdir()
        mine = f"{self.PREFIX}{self.owner}-" if self.owner else None
        for name in os.listdir(root):
            if not name.startswith(self.PREFIX):
                continue
            path = os.path.join(root, name)
            try:
                if (mine and name.startswith(mine)) or time.time() - os.path.getmtime(path) > self.STALE:
                    shutil.rmtree(path, ignore_errors=True)
            except OSError:
                continue  # removed meanwhile by another worker
        self.folder = tempfile.mkdtemp(prefix=mine or self.PREFIX)

    def write(self, number: int, frame: pl.DataFrame) -> None:
        """The block `number` (from 0, in file order; blocks may come in any order)."""
        assert self.folder is not None
        frame.write_ipc(os.path.join(self.folder, f"{number:06d}.arrow"), compression="uncompressed")
        with self._lock:
            self.count = max(self.count, number + 1)

    def read(self) -> Iterator[pl.DataFrame]:
        assert self.folder is not None
        for number in range(self.count):
            path = os.path.join(self.folder, f"{number:06d}.arrow")
            with open(path, "rb") as block:  # read, not mapped: the process holds one block at a time
                frame = pl.read_ipc(block.read())
            os.remove(path)
            yield frame

    def close(self) -> None:
        if self.folder is not None:
            shutil.rmtree(self.folder, ignore_errors=True)
            self.folder = None
            self.count = 0


_T = TypeVar("_T")
_R = TypeVar("_R")


def _in_order(work: Callable[[_T], _R], items: Iterator[_T], *, workers: int) -> Iterator[_R]:
    """work(item) for each item, `workers` at a time in threads, the results in the items' order
    (at most workers + 1 items taken ahead)."""
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="registry-block") as pool:
        pending: deque[Future[_R]] = deque()
        try:
            for item in items:
                pending.append(pool.submit(work, item))
                if len(pending) > workers:
                    yield pending.popleft().result()
            while pending:
                yield pending.popleft().result()
        finally:
            for future in pending:
                future.cancel()


# Kept per line of the whole file: 16 bytes (line numbers are below 2·10⁹: parse._numbered).
KEYS: dict[str, Any] = {"policy_number": pl.String, "line_no": pl.Int32, "line_key": pl.UInt64, "day_key": pl.UInt32}


def _repeated(values: pl.Series) -> pl.Series:
    """The values occurring more than once, sorted (found by neighbours after a sort: no hash
    table over a million keys)."""
    ordered = values.sort()
    return ordered.filter(ordered == ordered.shift(1)).unique(maintain_order=True)


def line_key(policy: pl.Expr, day: pl.Expr, code: pl.Expr, tooth: pl.Expr, doctor: pl.Expr) -> pl.Expr:
    """A hash of what makes two lines the same service (the date hashed as a date, not as text).
    Equal lines have equal hashes; unequal ones rarely do, and are told apart exactly later.
    64 bits: a file with no repeated line then has no candidate at all, and its blocks skip the
    work."""
    return pl.struct(policy, day, code, tooth, doctor).hash(seed=7)


def day_key(policy: pl.Expr, day: pl.Expr) -> pl.Expr:
    """A 32-bit hash of the person's day (a visit is the person, the day and the category): four
    bytes a line for the whole file; a person's days repeat anyway, so a few more candidates
    cost nothing."""
    return (pl.struct(policy, day).hash(seed=11) % (1 << 32)).cast(pl.UInt32)


def survey_keys(staged: pl.DataFrame) -> pl.DataFrame:
    """A staged block's keys, computed from the very columns Decider computes them from."""
    policy, day = pl.col("policy_number"), pl.col("service_date")
    return staged.select(
        policy,
        pl.col("line_no").cast(pl.Int32),
        line_key(policy, day, pl.col("service_code"), pl.col("tooth"), pl.col("doctor")).alias("line_key"),
        day_key(policy, day).alias("day_key"),
    )


def _stripped(expr: pl.Expr) -> pl.Expr:
    return expr.fill_null("").str.strip_chars()


_CELLS = ["line_no", "person_name", "last_name", "first_name", "patronymic", "birth_date", "policy_number",
          "service_date", "service_code", "service_name", "quantity", "price", "sum", "letter_number", "doctor",
          "icd10", "tooth"]  # fmt: skip


def _convert(batch: pl.DataFrame, names: list[str | None], col: dict[str, str]) -> pl.DataFrame:
    """A batch of raw cells → staged lines: plain cells as columns, the rest through Python."""
    cells = (
        batch.lazy()
        .select(
            pl.col("row").cast(pl.Int64),
            *(_stripped(pl.col(col[name])).alias(name) if name in col else pl.lit("").alias(name) for name in _CELLS),
        )
        .filter(~pl.all_horizontal([pl.col(name) == "" for name in col]))
    )

    def text(name: str) -> pl.Expr:
        return pl.col(name).str.slice(0, TEXT_LIMITS[name])

    if "person_name" in col:
        person = text("person_name")
    else:
        parts = [pl.when(pl.col(n) != "").then(pl.col(n)) for n in ("last_name", "first_name", "patronymic")]
        person = pl.concat_str(parts, separator=" ", ignore_nulls=True).fill_null("").str.slice(0, 300)
    number, quantity = pl.col("line_no"), pl.col("quantity")
    staged = cells.with_columns(
        person=person,
        birth=_date(pl.col("birth_date")),
        day=_date(pl.col("service_date")),
    )
    flagged = pl.any_horizontal(
        [
            ~((number == "") | (number.str.contains(_INT) & ~number.str.contains(_ZEROS))),
            pl.col("policy_number") == "",
            pl.col("service_code") == "",
            ~pl.col("person").str.contains(_PLAIN_NAME),
            pl.col("birth").is_null(),
            pl.col("day").is_null(),
            ~quantity.str.contains(_INT) | quantity.str.contains(_ZEROS) | (quantity.str.len_chars() > 6),
            ~pl.col("price").str.contains(_MONEY),
            ~pl.col("sum").str.contains(_MONEY),
        ]
    )
    staged = staged.with_columns(flag=flagged)
    plain_plan = staged.filter(~pl.col("flag")).select(
        "row",
        pl.when(number == "").then(pl.col("row")).otherwise(number.cast(pl.Int64)).alias("line_no"),
        pl.col("person").alias("person_name"),
        pl.lit(None, pl.String).alias("name_key"),  # compared as written first (decide.py)
        pl.col("birth").alias("birth_date"),
        text("policy_number"),
        pl.col("day").alias("service_date"),
        text("service_code"),
        text("service_name"),
        quantity.cast(pl.Int64),
        _kopecks(pl.col("price")).alias("price_kopecks"),
        _kopecks(pl.col("sum")).alias("sum_kopecks"),
        text("letter_number"),
        text("doctor"),
        text("icd10"),
        text("tooth"),
        pl.lit(None, pl.String).alias("error"),
        pl.lit("").alias("error_detail"),
        pl.lit(None, pl.String).alias("raw"),
    )
    known = [name for name in names if name]
    plain, odd = pl.collect_all(
        [plain_plan, staged.filter(pl.col("flag")).select("row", *known)], engine="in-memory"
    )  # one pass: the shared steps are computed once
    if odd.height == 0:
        return plain
    parsed = [parse_line(values["row"], {name: values[name] for name in known}) for values in odd.iter_rows(named=True)]
    return pl.concat([plain, parsed_frame(parsed)]).sort("row")  # half merge_sorted's cost here


def _kopecks(money: pl.Expr) -> pl.Expr:
    """«1234», «1234,5», «1234.56» (already checked against _MONEY: at most 12 digits before the
    separator and 2 after) → 123400, 123450, 123456, exactly (a decimal, never a float)."""
    return (money.str.replace(",", ".", literal=True).cast(pl.Decimal(15, 2)) * 100).cast(pl.Int64)


def parsed_frame(parsed: list[Parsed]) -> pl.DataFrame:
    """Lines read by parse.parse_line as a staged frame."""
    data = {name: [getattr(p, name) for p in parsed] for name in STAGED}
    return pl.DataFrame(data, schema=STAGED)


# ── Everything else: tabular, line by line ───────────────────────────────────────────────────


def _python_source(file: IO[bytes], *, filename: str) -> Source:
    try:
        header, rows = tabular.read_rows(file, filename=filename, aliases=ALIASES)
        check_header(header)
    except tabular.TabularError as error:
        raise JobInputError(str(error)) from error

    def chunks() -> Iterator[pl.DataFrame]:
        batch: list[Parsed] = []
        try:
            for number, cells in rows:
                batch.append(parse_line(number, cells))
                if len(batch) >= CHUNK // 4:
                    yield parsed_frame(batch)
                    batch = []
        except tabular.TabularError as error:
            raise JobInputError(str(error)) from error
        if batch:
            yield parsed_frame(batch)

    return Source(lines=header.estimated_rows or 0, chunks=chunks(), survey=None)


__all__ = ["CAREFUL", "STAGED", "Source", "open_source", "parsed_frame"]
