"""Checking a registry: the file read in chunks, every line decided by joins over columns, and
each line written once with its decision and co-pay. Nothing row by row in Python except the
odd line whose cells need Python's reading rules (reading.py).

    reading.open_source()   file → chunks of staged lines (Polars for CSV, converted in a first
                            pass that also names the policies to fetch; tabular otherwise)
    decide.Decider          each chunk's lines decided and priced (what spans chunks carried)
    write (this module)     the decided chunks into billing_registryline: on PostgreSQL by COPY
                            (reading, deciding and writing in threads of their own), a big
                            registry into a partition of its own whose keys are built after the
                            load; on SQLite by batched INSERTs
    summarize()             counts and sums onto the Registry; for a corrected version, what changed

`check` runs inside the caller's transaction together with the registry's `checked_at` and its
invoices (services._check), so a worker killed at any point leaves either nothing or the whole,
and a rerun starts again from the file.
"""

import contextlib
import io
import json
import logging
import queue
import threading
import time
from collections.abc import Iterable, Iterator
from typing import IO, Any, TypeVar

import polars as pl
from django.db import connection, connections, transaction
from django.utils.translation import gettext as _

from polis import calendar, clock
from polis.billing.models import Registry
from polis.billing.registries.decide import LINE_COLUMNS, Decider, Figures, References, ensure_for_chunks
from polis.billing.registries.reading import CAREFUL, Source, Survey, open_source
from polis.jobs.models import Job
from polis.jobs.services import JobContext, JobInputError
from polis.money import format_rub

logger = logging.getLogger(__name__)

# A registry of at least this many lines gets a PostgreSQL partition of its own: written without
# indexes, indexed by sort afterwards and attached (docs/registries.md, «How it runs»). Smaller
# ones go into the shared partition (part = 0) with their indexes kept up as they are written.
OWN_PARTITION_LINES = 50_000
SQLITE_BATCH = 5_000
# Seconds per step of the last check in this process (the benchmark prints them).
TIMINGS: dict[str, float] = {}


# NOT NULL text columns of the line: an empty cell there is "" (COPY's FORCE_NOT_NULL).
TEXT_COLUMNS = ["status", "reason", "reason_detail", "policy_number", "person_name", "service_code", "service_name",
                "category", "copay_rule", "letter_number", "doctor", "icd10", "tooth"]  # fmt: skip


def is_pg() -> bool:
    return connection.vendor == "postgresql"


def check(registry: Registry, file: IO[bytes], *, filename: str, ctx: JobContext) -> Figures:
    """Read, decide and write every line of `registry` (inside the caller's transaction).
    An unreadable file or one without lines → JobInputError (Russian)."""
    try:
        with transaction.atomic():  # a savepoint: what a refused fast read wrote goes
            return _check(registry, file, filename=filename, ctx=ctx, careful=False)
    except CAREFUL:
        logger.info("registry %s: the CSV is not plain; read line by line", registry.pk)
    return _check(registry, file, filename=filename, ctx=ctx, careful=True)


def _check(registry: Registry, file: IO[bytes], *, filename: str, ctx: JobContext, careful: bool) -> Figures:
    source = open_source(file, filename=filename, careful=careful, owner=f"r{int(registry.pk)}")
    try:
        return _checked(registry, source, ctx)
    finally:
        source.close()


def _checked(registry: Registry, source: Source, ctx: JobContext) -> Figures:
    if is_pg():
        with connection.cursor() as cursor:
            # The check's queries read a few hundred thousand rows once: compiling them (JIT,
            # on by default above a cost these reach) took a quarter of a second each.
            cursor.execute("SET LOCAL jit = off")
            # The policies' fetch hashes a few hundred thousand numbers, people and policies:
            # in the default 4 MB each hash went to disk in batches (the query took twice as long).
            cursor.execute("SET LOCAL work_mem = '64MB'")
    refs = References.load(registry)
    # With a first pass the bar's first half is the file read, its second the lines written.
    with Progress(ctx.job, total=source.lines, passes=2 if source.survey is not None else 1) as progress:
        return _decided_and_written(registry, source, refs, progress, ctx)


def _decided_and_written(
    registry: Registry, source: Source, refs: References, progress: "Progress", ctx: JobContext
) -> Figures:
    started = time.perf_counter()
    survey = _surveyed(source, refs, progress) if source.survey is not None else None
    TIMINGS["  first pass, the file's policies fetched meanwhile"] = time.perf_counter() - started
    decider = Decider(registry, refs, survey)
    if survey is not None:
        chunks: Iterable[pl.DataFrame] = source.chunks
        needs_database = False
    else:
        chunks = ensure_for_chunks(refs, source.chunks)
        needs_database = True
    threaded = is_pg() and not needs_database
    # Three stages on PostgreSQL: a thread reads blocks (converted by the first pass, or converts
    # them), another decides them (in file order: what spans blocks is carried), and this one
    # writes them.
    frames = (decider.decide(chunk) for chunk in _pumped(iter(chunks), threaded=threaded))
    # The accrual that follows counts due dates by the production calendar: its first use in a
    # process is computed meanwhile, while PostgreSQL writes.
    year = clock.today().year
    threading.Thread(target=calendar.preload, args=(year, year + 1), name="calendar", daemon=True).start()
    own = is_pg() and source.lines >= OWN_PARTITION_LINES
    written = _write(registry, frames, progress, own_partition=own, threaded=threaded)
    if written == 0:
        raise JobInputError(_("В файле нет ни одной строки услуг."))
    ctx.done = written
    decider.figures.sums = decider.figures.per_policy(refs.policies)
    return decider.figures


# On PostgreSQL the policies are fetched once the first pass has handed over this many numbers
# (a round trip each); SQLite, in this process, gains nothing from it and fetches them at the end.
FETCH_AT = 100_000


def _surveyed(source: Source, refs: References, progress: "Progress") -> Survey:
    """The first pass over the file (reading.Survey), run in threads of its own while this one
    fetches the policies it names as they come (Polars releases the GIL; the database works
    meanwhile)."""
    assert source.survey is not None
    survey = source.survey
    handoff: queue.Queue[tuple[pl.Series, int] | None] = queue.Queue()
    outcome: dict[str, Any] = {}

    def run() -> None:
        try:
            outcome["survey"] = survey(lambda numbers, lines: handoff.put((numbers, lines)))
        except BaseException as error:
            outcome["error"] = error
        finally:
            handoff.put(None)

    thread = threading.Thread(target=run, name="registry-survey", daemon=True)
    thread.start()
    fetched = []
    try:
        # Each block's numbers come as they are; a batch is cut down to those not asked for yet.
        batch: list[pl.Series] = []

        def fetch() -> None:
            nonlocal batch
            new = refs.unasked(pl.concat(batch))
            batch = []
            if new.len():
                fetched.append(refs.fetch_policies(new))

        while (block := handoff.get()) is not None:
            numbers, lines = block
            progress.read += lines
            batch.append(numbers)
            if is_pg() and sum(part.len() for part in batch) >= FETCH_AT:
                fetch()
        if batch:
            fetch()
    finally:
        thread.join()
    if "error" in outcome:
        raise outcome["error"]
    progress.read = progress.total  # the whole file: the bar's first half is full
    refs.add_policies(fetched)
    return outcome["survey"]


# ── Writing ──────────────────────────────────────────────────────────────────────────────────


def _write(
    registry: Registry, frames: Iterator[pl.DataFrame], progress: "Progress", *, own_partition: bool, threaded: bool
) -> int:
    if not is_pg():
        return _write_sqlite(frames, progress)
    partition = f"billing_registryline_r{int(registry.pk)}"
    part = int(registry.pk) if own_partition else 0
    with connection.cursor() as cursor:
        if own_partition:
            cursor.execute(f"DROP TABLE IF EXISTS {partition}")
            cursor.execute(
                f"CREATE TABLE {partition} (LIKE billing_registryline INCLUDING DEFAULTS INCLUDING CONSTRAINTS)"
            )
            # bigint = bigint, as the partition's bound reads: ATTACH then sees it implied, no scan.
            cursor.execute(f"ALTER TABLE {partition} ADD CONSTRAINT {partition}_part CHECK (part = {part}::bigint)")
        target = partition if own_partition else "billing_registryline"
        written = 0
        # A registry in its own partition numbers its lines itself (own_ids), and its registry
        # and part come from the partition's defaults for the load (two columns fewer to send
        # and parse); the shared partition takes ids from the sequence and part from its default.
        numbered = own_partition and own_ids_fit(int(registry.pk))
        columns = [c for c in LINE_COLUMNS if not (own_partition and c == "registry_id")]
        cells: list[pl.Expr | str] = [*columns]
        if numbered:
            cells.insert(0, own_ids(pl.lit(int(registry.pk)), pl.col("row")).alias("id"))
        if own_partition:
            cursor.execute(
                f"ALTER TABLE {partition} ALTER registry_id SET DEFAULT {int(registry.pk)}, "
                f"ALTER part SET DEFAULT {part}"
            )
        copy_sql = (
            f"COPY {target} ({'id, ' if numbered else ''}{', '.join(columns)}) FROM STDIN "
            f"WITH (FORMAT csv, FORCE_NOT_NULL ({', '.join(TEXT_COLUMNS)}))"
        )
        started = time.perf_counter()
        blocks = (_csv_block(frame, cells) for frame in frames)
        with contextlib.ExitStack() as stack:
            # Threaded, one COPY for all blocks; otherwise one per block, so that between blocks
            # the connection is free for the queries of a reader that fetches each block's
            # policies as it goes.
            copy = stack.enter_context(cursor.cursor.copy(copy_sql)) if threaded else None
            for height, block in _pumped(blocks, threaded=threaded):
                if copy is not None:
                    copy.write(block)
                else:
                    with cursor.cursor.copy(copy_sql) as own_copy:
                        own_copy.write(block)
                written += height
                progress.done = written
        TIMINGS["  the lines decided and written (COPY)"] = time.perf_counter() - started
        if own_partition:
            cursor.execute(f"ALTER TABLE {partition} ALTER registry_id DROP DEFAULT, ALTER part SET DEFAULT 0")
        started = time.perf_counter()
        if own_partition and written:
            # Indexes built by sort are several times cheaper than kept up row by row.
            cursor.execute("SET LOCAL maintenance_work_mem = '512MB'")  # each index sorted in memory
            # As constraints, so that ATTACH takes them for the parent's keys instead of building
            # them again.
            cursor.execute(f"ALTER TABLE {partition} ADD CONSTRAINT {partition}_pkey PRIMARY KEY (id, part)")
            cursor.execute(f'ALTER TABLE {partition} ADD CONSTRAINT {partition}_row UNIQUE (registry_id, "row", part)')
            cursor.execute(f"CREATE INDEX ON {partition} (policy_id, registry_id)")
            # Statistics now, from a small sample (autovacuum takes a full one later): without
            # them the planner takes the registry's million lines for a few dozen.
            cursor.execute("SET LOCAL default_statistics_target = 10")
            cursor.execute(f"ANALYZE {partition}")
            cursor.execute("SET LOCAL default_statistics_target = DEFAULT")
            cursor.execute(f"ALTER TABLE billing_registryline ATTACH PARTITION {partition} FOR VALUES IN ({part})")
            TIMINGS["  indexes, ANALYZE, ATTACH"] = time.perf_counter() - started
        elif own_partition:
            cursor.execute(f"DROP TABLE {partition}")
    return written


def _csv_block(frame: pl.DataFrame, cells: list[pl.Expr | str]) -> tuple[int, bytes]:
    """A decided chunk's `cells` as COPY's CSV: quoted only where needed; an empty cell is NULL,
    except in the text columns (FORCE_NOT_NULL), where it is an empty string."""
    out = io.BytesIO()
    frame.select(cells).write_csv(out, include_header=False, quote_style="necessary", null_value="")
    return frame.height, out.getvalue()


# The ids of the lines of a registry in a partition of its own: 2⁵² + registry · 2²⁸ + row, above
# every id the sequence gives (its MAXVALUE is 2⁵² − 1: migration 0008) and below 2⁵³, so that
# they stay exact as JSON numbers. A file of at most 200 MB has fewer than 2²⁸ rows, so these are
# unique as (registry, row) is; a registry id of 2²⁴ or more falls back on the sequence.
OWN_IDS = 1 << 52
_ROW_BITS = 28


def own_ids_fit(registry_id: int) -> bool:
    return 0 < registry_id < 1 << (52 - _ROW_BITS)


def own_ids(registry_id: pl.Expr, row: pl.Expr) -> pl.Expr:
    return pl.lit(OWN_IDS, pl.Int64) + registry_id.cast(pl.Int64) * (1 << _ROW_BITS) + row.cast(pl.Int64)


def _write_sqlite(frames: Iterator[pl.DataFrame], progress: "Progress") -> int:
    sql = (
        f"INSERT INTO billing_registryline ({', '.join(LINE_COLUMNS)}) VALUES ({', '.join(['%s'] * len(LINE_COLUMNS))})"
    )
    written = 0
    with connection.cursor() as cursor:
        for frame in frames:
            for batch in frame.iter_slices(SQLITE_BATCH):
                cursor.executemany(sql, batch.select(LINE_COLUMNS).rows())
            written += frame.height
            progress.done = written
    return written


_END = object()
_T = TypeVar("_T")


def _pumped(frames: Iterator[_T], *, threaded: bool) -> Iterator[_T]:
    """The frames, produced in a thread of their own when they need no database: the next chunk
    is read and decided (Polars releases the GIL) while PostgreSQL writes the last one."""
    if not threaded:
        yield from frames
        return
    handoff: queue.Queue[Any] = queue.Queue(maxsize=1)
    stop = threading.Event()

    def produce() -> None:
        try:
            for frame in frames:
                while not stop.is_set():
                    try:
                        handoff.put(frame, timeout=0.5)
                        break
                    except queue.Full:
                        continue
                if stop.is_set():
                    return
            handoff.put(_END)
        except BaseException as error:
            handoff.put(error)

    producer = threading.Thread(target=produce, name="registry-lines", daemon=True)
    producer.start()
    try:
        while True:
            item = handoff.get()
            if item is _END:
                break
            if isinstance(item, BaseException):
                raise item
            yield item
    finally:
        stop.set()
        producer.join(timeout=10)


class Progress:
    """The lines written so far, shown on the job's page while the check's one transaction runs:
    written by a thread of its own through its own connection (the check's rows are not
    committed yet). On SQLite, whose writers queue behind each other, the count is written once
    at the end instead.

    With two passes (a CSV's first pass reads the whole file before a line is written), the
    lines read fill the bar's first half and the lines written its second."""

    EVERY = 1.0

    def __init__(self, job: Job, *, total: int, passes: int = 1) -> None:
        self.job_id = job.pk
        self.total = total
        self.passes = passes
        self.read = 0
        self.done = 0
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def __enter__(self) -> "Progress":
        if is_pg():
            self._thread = threading.Thread(target=self._run, name=f"job-{self.job_id}-progress", daemon=True)
            self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def _run(self) -> None:
        try:
            written = -1
            while True:
                if (shown := self.shown()) != written:
                    written = shown
                    self._publish(written)
                if self._stop.wait(self.EVERY):
                    return
        finally:
            connections.close_all()

    def shown(self) -> int:
        """What the bar shows, of `total`."""
        if self.passes == 1:
            return self.done
        return (min(self.read, self.total) + self.done) // 2

    def _publish(self, done: int) -> None:
        # SKIP LOCKED: a job row locked by another transaction is not waited for (progress is
        # only a display).
        try:
            with connection.cursor() as cursor:
                cursor.execute(
                    "UPDATE jobs_job SET done = %s, total = GREATEST(total, %s, %s) "
                    "WHERE id = (SELECT id FROM jobs_job WHERE id = %s FOR UPDATE SKIP LOCKED)",
                    [done, self.total, done, self.job_id],
                )
        except Exception:  # a blip: the next round tries again
            logger.warning("job %s: progress not written", self.job_id, exc_info=True)


# ── Summary ──────────────────────────────────────────────────────────────────────────────────


def summarize(registry: Registry, figures: Figures) -> None:
    """Counts and sums of the written lines onto the registry, as the check counted them; for a
    corrected version, the lines it added, removed and changed against the one it replaces."""
    registry.lines_accepted, registry.lines_rejected = figures.accepted, figures.rejected
    registry.accepted_kopecks, registry.rejected_kopecks = figures.accepted_kopecks, figures.rejected_kopecks
    registry.copay_kopecks = figures.copay_kopecks
    registry.lines_total = figures.accepted + figures.rejected
    if registry.replaces_id:
        registry.changes = changes_against(registry, registry.replaces_id)


_COMPARED = ("policy_number", "service_date", "service_code", "quantity", "sum_kopecks", "status", "copay_kopecks")
SHOWN_CHANGES = 200


def changes_against(registry: Registry, earlier_id: int) -> dict[str, Any]:
    """Lines matched by the clinic's line number: added, removed, and changed (with the fields)."""
    differs = " OR ".join(f"n.{f} IS DISTINCT FROM o.{f}" if is_pg() else f"n.{f} IS NOT o.{f}" for f in _COMPARED)
    result: dict[str, Any] = {}
    with connection.cursor() as cursor:
        for key, sql, params in (
            (
                "added",
                "SELECT n.line_no FROM billing_registryline n WHERE n.registry_id = %s AND NOT EXISTS ("
                "SELECT 1 FROM billing_registryline o WHERE o.registry_id = %s AND o.line_no = n.line_no) "
                "ORDER BY n.line_no",
                [registry.pk, earlier_id],
            ),
            (
                "removed",
                "SELECT o.line_no FROM billing_registryline o WHERE o.registry_id = %s AND NOT EXISTS ("
                "SELECT 1 FROM billing_registryline n WHERE n.registry_id = %s AND n.line_no = o.line_no) "
                "ORDER BY o.line_no",
                [earlier_id, registry.pk],
            ),
            (
                "changed",
                "SELECT n.line_no FROM billing_registryline n JOIN billing_registryline o "
                f"ON o.registry_id = %s AND o.line_no = n.line_no WHERE n.registry_id = %s AND ({differs}) "
                "ORDER BY n.line_no",
                [earlier_id, registry.pk],
            ),
        ):
            cursor.execute(sql, params)
            numbers = sorted({int(r[0]) for r in cursor.fetchall()})
            result[key] = {"count": len(numbers), "lines": numbers[:SHOWN_CHANGES]}
    return result


def describe_changes(changes: dict[str, Any]) -> str:
    """«добавлено 3, удалено 1, изменено 2 строки» for messages."""
    parts = []
    for key, label in (("added", "добавлено"), ("removed", "удалено"), ("changed", "изменено")):
        count = (changes.get(key) or {}).get("count", 0)
        if count:
            parts.append(f"{label} {count}")
    return ", ".join(parts) or "строки не изменились"


def raw_report(line_raw: str | None) -> dict[str, str]:
    return json.loads(line_raw) if line_raw else {}


__all__ = ["changes_against", "check", "describe_changes", "format_rub", "summarize"]
