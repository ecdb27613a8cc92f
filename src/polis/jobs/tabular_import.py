"""A job that reads a table and writes its rows: the frame every import fills in.

An import kind says which columns it has, how to check one row and how to save a batch of
good rows set-based. The frame reads the file (polis.tabular), works in batches of
`batch_size` rows (one lookup query per batch, one bulk write), rejects duplicates of an
earlier row, reports every rejected row with a code and a Russian reason, moves the progress
bar, and keeps the good rows whatever happens to the bad ones.
"""

import itertools
from collections.abc import Hashable, Iterable, Sequence
from dataclasses import KW_ONLY, dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar, Generic, TypeVar

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from polis import tabular
from polis.jobs.models import Job
from polis.jobs.services import JobContext, JobInputError
from polis.tabular import Cell, CellError, Header, Row, TabularError

if TYPE_CHECKING:
    from django.utils.functional import _StrOrPromise as StrOrPromise

Item = TypeVar("Item")


@dataclass(frozen=True)
class Column:
    name: str
    label: str  # the Russian header, as in the sample file
    english: str  # the English header
    _: KW_ONLY
    aliases: tuple[str, ...] = ()  # other spellings people use
    required: bool = False  # the column must be in the file and the cell filled
    help: "StrOrPromise" = ""  # what goes in it, for the upload page
    example: str = ""


class RowRejected(Exception):
    def __init__(self, code: str, message: "StrOrPromise") -> None:
        super().__init__(str(message))
        self.code = code
        self.message = str(message)


@dataclass
class Counts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0

    def __iadd__(self, other: "Counts") -> "Counts":
        self.created += other.created
        self.updated += other.updated
        self.unchanged += other.unchanged
        return self


@dataclass
class Accepted(Generic[Item]):
    row: int
    item: Item
    data: Row = field(repr=False)


class TabularImport(Generic[Item]):
    """One kind of import. Subclasses set the class attributes and implement `clean` and
    `save`; `prepare` loads what `clean` looks up, once per batch."""

    code: ClassVar[str]
    title: ClassVar["StrOrPromise"]
    description: ClassVar["StrOrPromise"] = ""
    columns: ClassVar[tuple[Column, ...]]
    # What the counts count, when it is not rows («слоты» for a schedule).
    unit: ClassVar["StrOrPromise"] = ""
    batch_size: ClassVar[int] = 500

    def __init__(self) -> None:
        self.header = tabular.Header(columns={})
        self.row_number = 0  # the row `clean` is looking at, for messages that name another row

    # --- the parts a kind fills in ----------------------------------------------------------

    def begin(self, header: Header) -> None:
        """Once, after the header is read: load what does not depend on the rows."""
        self.header = header

    def prepare(self, rows: Sequence[tuple[int, Row]]) -> None:
        """Once per batch, before `clean`: load in one query per table what the rows refer to.
        Called again before a batch is retried row by row, so `save` may change what it loaded."""

    def clean(self, row: Row) -> Item:
        """The row as values to write, or RowRejected."""
        raise NotImplementedError

    def key(self, item: Item) -> Hashable:
        """What makes two rows the same thing (a later one is then a duplicate)."""
        raise NotImplementedError

    def describe_key(self, item: Item) -> str:
        return ""

    def save(self, items: Sequence[Accepted[Item]]) -> tuple[Counts, list[tuple[Accepted[Item], RowRejected]]]:
        """Write a batch set-based. May still reject rows (checks needing the batch as a whole);
        those are returned and must not have been written."""
        raise NotImplementedError

    # --- helpers for kinds ------------------------------------------------------------------

    @classmethod
    def column(cls, name: str) -> Column:
        by_name = cls.__dict__.get("_columns_by_name")
        if by_name is None:
            by_name = {c.name: c for c in cls.columns}
            cls._columns_by_name = by_name  # type: ignore[attr-defined]
        return by_name[name]

    @classmethod
    def aliases(cls) -> dict[str, list[str]]:
        return {c.name: [c.label, c.english, *c.aliases] for c in cls.columns}

    @classmethod
    def check_header(cls, header: Header) -> None:
        missing = [c.label for c in cls.columns if c.required and c.name not in header]
        if missing:
            raise TabularError(
                _("В файле нет обязательных столбцов: %(names)s. Сверьтесь с образцом файла.")
                % {"names": ", ".join(f"«{m}»" for m in missing)}
            )

    def has(self, name: str) -> bool:
        """Whether the file has the column: a column left out leaves that field as it is."""
        return name in self.header

    def text(self, row: Row, name: str, *, max_length: int | None = None) -> str:
        value = tabular.cell_text(row.get(name))
        column = self.column(name)
        if column.required and not value:
            raise RowRejected("missing_field", _("Не заполнено поле «%(label)s»") % {"label": column.label})
        if max_length is not None and len(value) > max_length:
            raise RowRejected(
                "too_long",
                _("Поле «%(label)s» длиннее %(n)s символов") % {"label": column.label, "n": max_length},
            )
        return value

    def parsed(self, row: Row, name: str, parse: Any, *, code: str, default: Any = None) -> Any:
        """A cell through a tabular.parse_* helper; blank → default (or missing_field if required)."""
        value: Cell = row.get(name, "")
        column = self.column(name)
        if tabular.is_blank(value):
            if column.required:
                raise RowRejected("missing_field", _("Не заполнено поле «%(label)s»") % {"label": column.label})
            return default
        try:
            return parse(value)
        except CellError as error:
            raise RowRejected(code, f"{column.label}: {error}") from error


def report_data(row: Row) -> dict[str, str]:
    return {name: tabular.cell_text(value) for name, value in row.items()}


def run_tabular_import(*, job: Job, ctx: JobContext, importer: TabularImport[Any]) -> dict[str, Any]:
    """Read the job's input file with `importer`; the result for the job page."""
    with job.input_file.open("rb") as file:
        try:
            header, rows = tabular.read_rows(file, filename=job.input_name, aliases=importer.aliases())
            importer.check_header(header)
        except TabularError as error:
            raise JobInputError(str(error)) from error
        ctx.set_total(header.estimated_rows or 0)
        importer.begin(header)
        try:
            counts, rows_read = _import_rows(importer, rows, ctx)
        except TabularError as error:  # a CSV broken halfway: what came before is kept
            raise JobInputError(str(error)) from error
    return {
        "rows": rows_read,
        "created": counts.created,
        "updated": counts.updated,
        "unchanged": counts.unchanged,
        "rejected": ctx.problem_count,
        "unit": str(importer.unit),
        "columns": [[name, label] for name, label in header.columns.items()],
        "unknown_columns": header.unknown,
    }


def _import_rows(importer: TabularImport[Any], rows: Iterable[tuple[int, Row]], ctx: JobContext) -> tuple[Counts, int]:
    counts = Counts()
    seen: dict[Hashable, int] = {}
    rows_read = 0
    rows_iter = iter(rows)
    while chunk := list(itertools.islice(rows_iter, importer.batch_size)):
        rows_read += len(chunk)
        importer.prepare(chunk)
        accepted: list[Accepted[Any]] = []
        for number, row in chunk:
            importer.row_number = number
            try:
                item = importer.clean(row)
                key = importer.key(item)
                if key in seen:
                    detail = importer.describe_key(item)
                    message = _("Строка повторяет строку %(row)s") % {"row": seen[key]}
                    raise RowRejected("duplicate_in_file", f"{message} ({detail})" if detail else message)
                seen[key] = number
                accepted.append(Accepted(row=number, item=item, data=row))
            except RowRejected as rejected:
                ctx.problem(row=number, code=rejected.code, message=rejected.message, data=report_data(row))
        counts += _save_batch(importer, accepted, ctx)
        ctx.advance(len(chunk))
    return counts, rows_read


def _save_batch(importer: TabularImport[Any], accepted: list[Accepted[Any]], ctx: JobContext) -> Counts:
    if not accepted:
        return Counts()
    try:
        with transaction.atomic():
            counts, rejected = importer.save(accepted)
    except IntegrityError:
        # Someone changed the same rows while we read them (or a rule only the database knows):
        # save one by one so that only the offending rows are lost, each with its reason. What
        # `prepare` loaded may have been changed by the rolled-back attempt: load it again.
        importer.prepare([(entry.row, entry.data) for entry in accepted])
        counts, rejected = Counts(), []
        for entry in accepted:
            try:
                with transaction.atomic():
                    one, one_rejected = importer.save([entry])
            except IntegrityError as error:
                one_rejected = [(entry, RowRejected("conflict", _("Строка противоречит данным в базе: %s") % error))]
                one = Counts()
            counts += one
            rejected += one_rejected
    for entry, reason in rejected:
        ctx.problem(row=entry.row, code=reason.code, message=reason.message, data=report_data(entry.data))
    return counts
