"""Checking a registry: the file into a staging table, every check as a join, each line written
once with its decision and co-pay. Set-based SQL throughout; Python touches a line only when its
cells need Python's reading rules (see parse.py).

    stage()          file → temp table `polis_reg_stage` (typed cells, or the reason they are not)
    write_lines()    the checks as joins over temp tables, then one INSERT … SELECT that writes
                     every line with its decision and co-pay into billing_registryline
    summarize()      counts and sums onto the Registry; for a corrected version, what changed

`write_lines` and the registry's `checked_at` commit together, so a worker killed at any point
leaves either nothing or the whole, and a rerun starts again from the file.
"""

import csv
import datetime as dt
import io
import json
from collections.abc import Iterable
from typing import IO, Any

from django.db import connection, transaction
from django.db.backends.utils import CursorWrapper

from polis import clock, tabular
from polis.billing.copay import CATEGORY_KIND, percent_basis_points, percent_sql
from polis.billing.models import LineStatus, Registry, RejectReason
from polis.billing.registries.parse import ALIASES, TEXT_LIMITS, Parsed, check_header, parse_line
from polis.coverage.models import CopayRule
from polis.jobs.services import JobContext, JobInputError
from polis.money import format_rub

STAGE = "polis_reg_stage"
RAW = "polis_reg_raw"
RULES = "polis_reg_rules"
BATCH = 5000

STAGE_COLUMNS = [
    ("row", "bigint"),
    ("line_no", "bigint"),
    ("person_name", "text"),
    ("name_key", "text"),
    ("birth_date", "date"),
    ("policy_number", "text"),
    ("service_date", "date"),
    ("service_code", "text"),
    ("service_name", "text"),
    ("quantity", "bigint"),
    ("price_kopecks", "bigint"),
    ("sum_kopecks", "bigint"),
    ("letter_number", "text"),
    ("doctor", "text"),
    ("icd10", "text"),
    ("tooth", "text"),
    ("error", "text"),
    ("error_detail", "text"),
    ("raw", "text"),
]


def is_pg() -> bool:
    return connection.vendor == "postgresql"


def _drop_temp(cursor: CursorWrapper) -> None:
    for table in (STAGE, RAW, RULES, "polis_reg_flagged", "polis_reg_dates", "polis_reg_acts", "polis_reg_dups",
                  "polis_reg_decided", "polis_reg_visits", "polis_reg_due"):  # fmt: skip
        cursor.execute(f"DROP TABLE IF EXISTS {table}")


def _create_stage(cursor: CursorWrapper) -> None:
    _drop_temp(cursor)
    columns = ", ".join(f"{name} {kind}" for name, kind in STAGE_COLUMNS)
    cursor.execute(f"CREATE TEMP TABLE {STAGE} ({columns})")


# ── Staging ──────────────────────────────────────────────────────────────────────────────────


def stage(file: IO[bytes], *, filename: str, ctx: JobContext) -> int:
    """The file's lines into the temp table; returns how many. Unreadable file → JobInputError."""
    with connection.cursor() as cursor:
        _create_stage(cursor)
        if is_pg() and tabular.file_format(filename) == "csv":
            staged = _stage_pg_csv(cursor, file, ctx)
            if staged is not None:
                return staged
            _create_stage(cursor)  # COPY could not read it: the careful reader takes over
        return _stage_python(cursor, file, filename=filename, ctx=ctx)


def _parsed_rows(file: IO[bytes], *, filename: str, ctx: JobContext) -> Iterable[Parsed]:
    try:
        header, rows = tabular.read_rows(file, filename=filename, aliases=ALIASES)
        check_header(header)
    except tabular.TabularError as error:
        raise JobInputError(str(error)) from error
    ctx.set_total(header.estimated_rows or 0)
    try:
        for number, cells in rows:
            yield parse_line(number, cells)
    except tabular.TabularError as error:
        raise JobInputError(str(error)) from error


def _values(p: Parsed) -> tuple[Any, ...]:
    return (
        p.row,
        p.line_no,
        p.person_name,
        p.name_key,
        p.birth_date,
        p.policy_number,
        p.service_date,
        p.service_code,
        p.service_name,
        p.quantity,
        p.price_kopecks,
        p.sum_kopecks,
        p.letter_number,
        p.doctor,
        p.icd10,
        p.tooth,
        p.error,
        p.error_detail,
        p.raw,
    )


def _stage_python(cursor: CursorWrapper, file: IO[bytes], *, filename: str, ctx: JobContext) -> int:
    names = ", ".join(name for name, _ in STAGE_COLUMNS)
    marks = ", ".join(["%s"] * len(STAGE_COLUMNS))
    sql = f"INSERT INTO {STAGE} ({names}) VALUES ({marks})"
    batch: list[tuple[Any, ...]] = []
    count = 0
    for parsed in _parsed_rows(file, filename=filename, ctx=ctx):
        batch.append(_values(parsed))
        if len(batch) >= BATCH:
            cursor.executemany(sql, batch)
            count += len(batch)
            ctx.advance(len(batch))
            batch = []
    if batch:
        cursor.executemany(sql, batch)
        count += len(batch)
        ctx.advance(len(batch))
    return count


# PostgreSQL: COPY the CSV as it is, convert well-formed cells in SQL, send the rest to Python.

_INT = r"^[0-9]{1,9}$"
_MONEY = r"^[0-9]{1,12}([.,][0-9]{1,2})?$"
_UPPER = "АБВГДЕЁЖЗИЙКЛМНОПРСТУФХЦЧШЩЪЫЬЭЮЯ"
_LOWER = "абвгдеёжзийклмнопрстуфхцчшщъыьэюя"


def _pg_csv_header(file: IO[bytes]) -> tuple[list[str | None], str, str, int] | None:
    """(canonical name or None per file column, COPY's encoding, delimiter, line count), or None
    when the first line is not a header this reader can take plainly."""
    encoding, lines = tabular.detect_encoding(file)
    sample = file.read(64 * 1024).decode(encoding, errors="ignore")
    file.seek(0)
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
    pg_encoding = {"utf-8": "UTF8", "utf-8-sig": "UTF8", "cp1251": "WIN1251"}[encoding]
    return names, pg_encoding, delimiter, lines


def _stage_pg_csv(cursor: CursorWrapper, file: IO[bytes], ctx: JobContext) -> int | None:
    found = _pg_csv_header(file)
    if found is None:
        return None
    names, encoding, delimiter, lines = found
    ctx.set_total(max(lines - 1, 0))
    columns = [f"c{i}" for i in range(len(names))]
    cursor.execute(
        f"CREATE TEMP TABLE {RAW} (row bigint GENERATED ALWAYS AS IDENTITY (START WITH 2), "
        + ", ".join(f"{c} text" for c in columns)
        + ")"
    )
    file.seek(0)
    copy_sql = (
        f"COPY {RAW} ({', '.join(columns)}) FROM STDIN WITH (FORMAT csv, HEADER true, "
        f"DELIMITER '{delimiter}', ENCODING '{encoding}')"
    )
    # No progress writes while COPY runs: the connection is busy with it (it is the fast part).
    try:
        with transaction.atomic(), cursor.cursor.copy(copy_sql) as copy:
            while chunk := file.read(1 << 20):
                copy.write(chunk)
    except Exception:  # a ragged or broken CSV: the Python reader reports it row by row
        cursor.execute(f"DROP TABLE IF EXISTS {RAW}")
        file.seek(0)
        return None
    ctx.advance(max(lines - 1, 0) // 2)
    cursor.execute(f"ANALYZE {RAW}")

    col = {name: f"c{i}" for i, name in enumerate(names) if name}
    _fill_dates(cursor)

    # Cells are used as COPY read them, untrimmed: a cell with spaces around it, or in any form
    # but the plain one, fails its pattern here and the line goes to Python, which trims.
    def cell(name: str) -> str:
        return f"COALESCE(r.{col[name]}, '')" if name in col else "''"

    def text(name: str) -> str:
        return f"left({cell(name)}, {TEXT_LIMITS[name]})" if name in col else "''"

    def padded(name: str) -> str:
        return f"({cell(name)} LIKE ' %' OR {cell(name)} LIKE '% ')" if name in col else "FALSE"

    if "person_name" in col:
        person = text("person_name")
        person_flag = padded("person_name")
    else:
        parts = ", ".join(f"NULLIF({cell(n)}, '')" for n in ("last_name", "first_name", "patronymic"))
        person = f"left(concat_ws(' ', {parts}), 300)"
        person_flag = " OR ".join(padded(n) for n in ("last_name", "first_name", "patronymic"))

    line_no_ok = f"({cell('line_no')} = '' OR ({cell('line_no')} ~ '{_INT}' AND {cell('line_no')} !~ '^0+$'))"
    flagged = " OR ".join(
        [
            f"NOT {line_no_ok}",
            f"{cell('policy_number')} = ''",
            f"{cell('service_code')} = ''",
            f"{person} = ''",
            person_flag,
            padded("policy_number"),
            padded("service_code"),
            "bd.d IS NULL",
            "sd.d IS NULL",
            f"{cell('quantity')} !~ '{_INT}'",
            f"{cell('quantity')} ~ '^0+$'",
            f"length({cell('quantity')}) > 6",
            f"{cell('price')} !~ '{_MONEY}'",
            f"{cell('sum')} !~ '{_MONEY}'",
        ]
    )
    all_blank = " AND ".join(f"COALESCE(r.{c}, '') = ''" for c in columns)
    # Lines of plain cells are converted here; the others only set aside, for Python. The inner
    # query (kept apart by OFFSET 0) decides `flag` once per line.
    cursor.execute(
        f"""INSERT INTO {STAGE}
            SELECT t.row,
                   CASE WHEN t.flag THEN NULL ELSE COALESCE(CAST(NULLIF(t.line_no, '') AS bigint), t.row) END,
                   t.person_name, NULL, t.birth_date, t.policy_number, t.service_date, t.service_code,
                   t.service_name,
                   CASE WHEN t.flag THEN NULL ELSE CAST(t.quantity AS bigint) END,
                   CASE WHEN t.flag THEN NULL ELSE (replace(t.price, ',', '.')::numeric * 100)::bigint END,
                   CASE WHEN t.flag THEN NULL ELSE (replace(t.total, ',', '.')::numeric * 100)::bigint END,
                   t.letter_number, t.doctor, t.icd10, t.tooth,
                   CASE WHEN t.flag THEN 'python' END, '', NULL
            FROM (
                SELECT r.row, {cell("line_no")} AS line_no, {person} AS person_name, bd.d AS birth_date,
                       {text("policy_number")} AS policy_number, sd.d AS service_date,
                       {text("service_code")} AS service_code, {text("service_name")} AS service_name,
                       {cell("quantity")} AS quantity, {cell("price")} AS price, {cell("sum")} AS total,
                       {text("letter_number")} AS letter_number, {text("doctor")} AS doctor,
                       {text("icd10")} AS icd10, {text("tooth")} AS tooth,
                       ({flagged}) AS flag
                FROM {RAW} r
                LEFT JOIN {DATES} bd ON bd.t = {cell("birth_date")}
                LEFT JOIN {DATES} sd ON sd.t = {cell("service_date")}
                WHERE NOT ({all_blank})
                OFFSET 0
            ) t"""
    )
    staged = cursor.rowcount
    _reparse_in_python(cursor, names, columns)
    cursor.execute(f"ANALYZE {STAGE}")
    return staged


DATES = "polis_reg_dates"


def _fill_dates(cursor: CursorWrapper) -> None:
    """Every date from 1900 to 2100 as ДД.ММ.ГГГГ: a cell is a date when it is found here (a hash
    join, cheaper than parsing a million cells, and never a 31 September)."""
    cursor.execute(f"DROP TABLE IF EXISTS {DATES}")
    cursor.execute(
        f"CREATE TEMP TABLE {DATES} AS SELECT to_char(d, 'DD.MM.YYYY') AS t, d::date AS d "
        "FROM generate_series('1900-01-01'::date, '2100-12-31'::date, interval '1 day') AS d"
    )
    cursor.execute(f"ANALYZE {DATES}")


FLAGGED = "polis_reg_flagged"


def _reparse_in_python(cursor: CursorWrapper, names: list[str | None], columns: list[str]) -> None:
    """Lines whose cells SQL did not convert plainly are read by parse.parse_line, as on SQLite:
    set aside, taken out of the stage, read page by page (memory stays flat however many there
    are) and put back."""
    cursor.execute(f"DROP TABLE IF EXISTS {FLAGGED}")
    cursor.execute(
        f"CREATE TEMP TABLE {FLAGGED} AS SELECT r.* FROM {RAW} r JOIN {STAGE} s ON s.row = r.row "
        "WHERE s.error = 'python'"
    )
    cursor.execute(f"CREATE INDEX ON {FLAGGED} (row)")
    cursor.execute(f"DELETE FROM {STAGE} WHERE error = 'python'")
    insert = (
        f"INSERT INTO {STAGE} ({', '.join(n for n, _ in STAGE_COLUMNS)}) "
        f"VALUES ({', '.join(['%s'] * len(STAGE_COLUMNS))})"
    )
    last = 0
    while True:
        cursor.execute(
            f"SELECT row, {', '.join(columns)} FROM {FLAGGED} WHERE row > %s ORDER BY row LIMIT %s", [last, BATCH]
        )
        page = cursor.fetchall()
        if not page:
            break
        parsed = []
        for raw_row in page:
            cells = {name: (value or "").strip() for name, value in zip(names, raw_row[1:], strict=True) if name}
            parsed.append(_values(parse_line(raw_row[0], cells)))
        cursor.executemany(insert, parsed)
        last = page[-1][0]
    cursor.execute(f"DROP TABLE {FLAGGED}")


# ── Checks and writing ───────────────────────────────────────────────────────────────────────


def _sql(pg: str, sqlite: str) -> str:
    return pg if is_pg() else sqlite


def _kind_of(category: str) -> str:
    whens = " ".join(f"WHEN '{cat}' THEN '{kind}'" for cat, kind in CATEGORY_KIND.items())
    return f"CASE {category} {whens} END"


def _fill_rules(cursor: CursorWrapper) -> None:
    """The co-pay rules of every franchise program as a small temp table (bp = basis points)."""
    cursor.execute(f"CREATE TEMP TABLE {RULES} (program_id bigint, category text, bp bigint, fixed bigint, label text)")
    rows = [
        (
            rule.program_id,
            rule.service_category,
            percent_basis_points(rule.percent) if rule.percent is not None else None,
            rule.fixed_kopecks,
            rule.describe()[:40],
        )
        for rule in CopayRule.objects.exclude(program__franchise_activation="none")
    ]
    if rows:
        cursor.executemany(f"INSERT INTO {RULES} VALUES (%s, %s, %s, %s, %s)", rows)


DUPS = "polis_reg_dups"
ACTS = "polis_reg_acts"
DECIDED = "polis_reg_decided"
VISITS = "polis_reg_visits"


def _fill_activations(cursor: CursorWrapper) -> None:
    """Franchise activations as whole Moscow days (billing.rules.covering): a line's day is
    covered when first_day <= day <= last_day. Computed once here rather than per line."""
    cursor.execute(f"CREATE TEMP TABLE {ACTS} (policy_id bigint, first_day date, last_day date)")
    if is_pg():
        zone = clock.local_zone().key
        cursor.execute(
            f"""INSERT INTO {ACTS}
                SELECT policy_id,
                       CASE WHEN (effective_at AT TIME ZONE '{zone}')::time = '00:00'
                            THEN (effective_at AT TIME ZONE '{zone}')::date
                            ELSE (effective_at AT TIME ZONE '{zone}')::date + 1 END,
                       CASE WHEN ended_at IS NULL THEN DATE '9999-12-31'
                            ELSE (ended_at AT TIME ZONE '{zone}')::date - 1 END
                FROM billing_franchiseactivation"""
        )
        return
    from polis.billing.models import FranchiseActivation

    rows = []
    for policy_id, effective_at, ended_at in FranchiseActivation.objects.values_list(
        "policy_id", "effective_at", "ended_at"
    ).iterator(chunk_size=BATCH):
        local = effective_at.astimezone(clock.local_zone())
        first = local.date() if local.time() == dt.time.min else local.date() + dt.timedelta(days=1)
        last = ended_at.astimezone(clock.local_zone()).date() - dt.timedelta(days=1) if ended_at else dt.date.max
        rows.append((policy_id, first, last))
    if rows:
        cursor.executemany(f"INSERT INTO {ACTS} VALUES (%s, %s, %s)", rows)


def _name_matches(prefix: str) -> str:
    """The file's name is the insured's: compared normalized (case, ё/е, spaces), as
    coverage.models.name_key does. On PostgreSQL the exact spelling is tried first, so only the
    odd line pays for normalizing."""
    if not is_pg():
        return f"{prefix}.name_key = {prefix}.insured_key"
    normalized = (
        f"replace(lower(translate(regexp_replace(btrim({prefix}.person_name), '\\s+', ' ', 'g'), "
        f"'{_UPPER}', '{_LOWER}')), 'ё', 'е')"
    )
    return (
        f"CASE WHEN {prefix}.name_key IS NOT NULL THEN {prefix}.name_key = {prefix}.insured_key "
        f"WHEN {prefix}.person_name = {prefix}.insured_display THEN TRUE "
        f"ELSE {normalized} = {prefix}.insured_key END"
    )


def write_lines(registry: Registry) -> None:
    """Every staged line, decided and priced, into billing_registryline.

    Set-based steps over temp tables, narrow where they group: repeated numbers, the decision of
    every line (all checks as joins), repeated lines among those that passed, the visits a fixed
    co-pay is charged on, then the one INSERT that writes each line with its co-pay."""
    period_end = (registry.period.replace(day=28) + dt.timedelta(days=4)).replace(day=1) - dt.timedelta(days=1)
    params: dict[str, Any] = {
        "registry": registry.pk,
        "clinic": registry.clinic_id,
        "start": registry.period,
        "end": period_end,
        "today": clock.today(),
        "franchise_clinic": bool(registry.clinic.is_franchise),
        "earlier": registry.replaces_id or 0,
    }
    truth = _sql("TRUE", "1")
    reasons = RejectReason
    has_history = (
        Registry.objects.filter(clinic_id=registry.clinic_id, status="done")
        .exclude(pk__in=[registry.pk, registry.replaces_id or 0])
        .exists()
    )
    display = _sql(
        "ip.last_name || ' ' || ip.first_name || CASE WHEN ip.patronymic <> '' THEN ' ' || ip.patronymic ELSE '' END",
        "''",
    )
    with connection.cursor() as cursor:
        if is_pg():
            # Big set-based statements: JIT compilation costs more than it saves here, and the
            # hash joins and sorts want memory rather than temp files.
            cursor.execute("SET LOCAL jit = off")
            cursor.execute("SET LOCAL work_mem = '256MB'")
        for table in (RULES, DUPS, ACTS, DECIDED, VISITS):
            cursor.execute(f"DROP TABLE IF EXISTS {table}")
        _fill_rules(cursor)
        _fill_activations(cursor)
        if not is_pg():
            # SQLite joins by nested loops: the temp tables need their keys indexed.
            cursor.execute(f"CREATE INDEX IF NOT EXISTS polis_reg_stage_row ON {STAGE} (row)")
            cursor.execute(f"CREATE INDEX IF NOT EXISTS polis_reg_acts_policy ON {ACTS} (policy_id)")
        # 1. Repeated line numbers: a hash aggregate over the numbers (no sort of a million rows);
        #    every line after a number's first is a repeat.
        cursor.execute(
            f"""CREATE TEMP TABLE {DUPS} AS
                SELECT s.row FROM {STAGE} s JOIN (
                    SELECT line_no, MIN(row) AS first FROM {STAGE} GROUP BY line_no HAVING COUNT(*) > 1
                ) g ON g.line_no = s.line_no AND s.row > g.first"""
        )
        if not is_pg():
            cursor.execute(f"CREATE INDEX polis_reg_dups_row ON {DUPS} (row)")
            cursor.execute(f"CREATE INDEX polis_reg_rules_key ON {RULES} (program_id, category)")
        kind = _kind_of("l.category")
        earlier_lines = (
            """LEFT JOIN (
                    SELECT DISTINCT o.policy_id, o.service_date, o.service_code, o.tooth, o.doctor
                    FROM billing_registryline o JOIN billing_registry rg ON rg.id = o.registry_id
                    WHERE rg.clinic_id = %(clinic)s AND rg.status = 'done' AND rg.id <> %(earlier)s
                      AND rg.id <> %(registry)s AND o.status = 'accepted'
                ) prev ON prev.policy_id = l.policy_id AND prev.service_date = l.service_date
                      AND prev.service_code = l.service_code AND prev.tooth = l.tooth AND prev.doctor = l.doctor"""
            if has_history
            else ""
        )
        billed = "prev.policy_id" if has_history else "NULL"
        # 2. Every line's decision: the first check it fails, or none.
        cursor.execute(
            f"""
            CREATE TEMP TABLE {DECIDED} AS
            WITH joined AS (
                SELECT s.row, s.error, s.name_key, s.person_name, s.birth_date, s.service_date, s.service_code,
                       s.quantity, s.price_kopecks, s.sum_kopecks, s.tooth, s.doctor,
                       p.id AS policy_id, p.program_id, p.starts_on, p.ends_on, p.terminated_on,
                       ip.name_key AS insured_key, ip.birth_date AS insured_birth, {display} AS insured_display,
                       pr.franchise_activation AS fr,
                       pl.price_kopecks AS list_price, COALESCE(pl.service_category, '') AS category,
                       pl.name AS list_name, d.row IS NOT NULL AS same_number
                FROM {STAGE} s
                LEFT JOIN {DUPS} d ON d.row = s.row
                LEFT JOIN coverage_policy p ON p.number = s.policy_number
                LEFT JOIN coverage_insuredperson ip ON ip.id = p.insured_id
                LEFT JOIN coverage_program pr ON pr.id = p.program_id
                LEFT JOIN network_pricelistitem pl ON pl.clinic_id = %(clinic)s AND pl.code = s.service_code
            )
            SELECT l.row, l.policy_id, l.service_date, l.category, l.list_name, l.fr, r.bp, r.fixed, r.label,
                CASE
                    WHEN l.error IS NOT NULL THEN l.error
                    WHEN l.same_number THEN '{reasons.DUPLICATE_NUMBER}'
                    WHEN l.service_date < %(start)s OR l.service_date > %(end)s THEN '{reasons.OUTSIDE_PERIOD}'
                    WHEN l.service_date > %(today)s THEN '{reasons.FUTURE_DATE}'
                    WHEN l.policy_id IS NULL THEN '{reasons.UNKNOWN_POLICY}'
                    WHEN l.insured_birth <> l.birth_date OR NOT ({_name_matches("l")})
                        THEN '{reasons.PERSON_MISMATCH}'
                    WHEN l.service_date < l.starts_on OR l.service_date > l.ends_on
                         OR (l.terminated_on IS NOT NULL AND l.service_date >= l.terminated_on)
                        THEN '{reasons.NOT_INSURED}'
                    WHEN l.list_price IS NULL THEN '{reasons.SERVICE_UNKNOWN}'
                    WHEN pc.id IS NULL THEN '{reasons.SERVICE_NOT_COVERED}'
                    WHEN pcl.id IS NULL THEN '{reasons.CLINIC_NOT_IN_PROGRAM}'
                    WHEN l.fr <> 'none' AND %(franchise_clinic)s = {truth} AND a.policy_id IS NULL
                        THEN '{reasons.FRANCHISE_NOT_ACTIVE}'
                    WHEN l.price_kopecks <> l.list_price THEN '{reasons.PRICE_MISMATCH}'
                    WHEN l.sum_kopecks <> l.quantity * l.price_kopecks THEN '{reasons.SUM_MISMATCH}'
                    WHEN {billed} IS NOT NULL THEN '{reasons.ALREADY_BILLED}'
                END AS reason
            FROM joined l
            LEFT JOIN coverage_programcare pc ON pc.program_id = l.program_id AND pc.kind = {kind}
            LEFT JOIN coverage_programclinic pcl
                   ON pcl.program_id = l.program_id AND pcl.clinic_id = %(clinic)s AND pcl.kind = {kind}
            LEFT JOIN {ACTS} a
                   ON a.policy_id = l.policy_id AND l.service_date >= a.first_day AND l.service_date <= a.last_day
            {earlier_lines}
            LEFT JOIN {RULES} r ON r.program_id = l.program_id AND r.category = l.category
            """,
            params,
        )
        if not is_pg():
            cursor.execute(f"CREATE INDEX polis_reg_decided_row ON {DECIDED} (row)")
        # 3. A line repeating an earlier line that passed every check is a duplicate (a repeat of
        #    a rejected line is not: the correct line is the one to bill).
        cursor.execute(
            f"""UPDATE {DECIDED} SET reason = '{reasons.DUPLICATE_LINE}' WHERE row IN (
                    SELECT s.row FROM {STAGE} s JOIN {DECIDED} d ON d.row = s.row JOIN (
                        SELECT s2.policy_number, s2.service_date, s2.service_code, s2.tooth, s2.doctor,
                               MIN(s2.row) AS first
                        FROM {STAGE} s2 JOIN {DECIDED} d2 ON d2.row = s2.row
                        WHERE d2.reason IS NULL
                        GROUP BY s2.policy_number, s2.service_date, s2.service_code, s2.tooth, s2.doctor
                        HAVING COUNT(*) > 1
                    ) g ON g.policy_number = s.policy_number AND g.service_date = s.service_date
                       AND g.service_code = s.service_code AND g.tooth = s.tooth AND g.doctor = s.doctor
                       AND s.row > g.first
                    WHERE d.reason IS NULL)"""
        )
        # 4. A fixed sum is charged once per visit, on its first accepted line.
        cursor.execute(f"CREATE TEMP TABLE {VISITS} (row bigint)")  # typed: SQLite indexes it only so
        cursor.execute(
            f"""INSERT INTO {VISITS}
                SELECT MIN(row) FROM {DECIDED}
                WHERE reason IS NULL AND fixed IS NOT NULL
                GROUP BY policy_id, service_date, category"""
        )
        if is_pg():
            cursor.execute(f"ANALYZE {DECIDED}")
        else:
            cursor.execute(f"CREATE INDEX polis_reg_visits_row ON {VISITS} (row)")
        charged = f"d.reason IS NULL AND d.fr <> 'none' AND %(franchise_clinic)s = {truth}"
        cursor.execute(
            f"""
            INSERT INTO billing_registryline (
                registry_id, row, line_no, status, reason, reason_detail, policy_id, policy_number, person_name,
                birth_date, service_date, service_code, service_name, category, quantity, price_kopecks,
                sum_kopecks, copay_kopecks, copay_rule, letter_number, doctor, icd10, tooth, raw)
            SELECT %(registry)s, s.row, COALESCE(s.line_no, s.row),
                   CASE WHEN d.reason IS NULL THEN '{LineStatus.ACCEPTED}' ELSE '{LineStatus.REJECTED}' END,
                   COALESCE(d.reason, ''), COALESCE(s.error_detail, ''),
                   d.policy_id, s.policy_number, s.person_name, s.birth_date, s.service_date, s.service_code,
                   COALESCE(NULLIF(s.service_name, ''), d.list_name, ''), d.category, s.quantity,
                   s.price_kopecks, s.sum_kopecks,
                   CASE WHEN NOT ({charged}) THEN 0
                        WHEN d.bp IS NOT NULL THEN {percent_sql("s.sum_kopecks", "d.bp")}
                        WHEN d.fixed IS NOT NULL AND v.row IS NOT NULL
                            THEN CASE WHEN d.fixed < s.sum_kopecks THEN d.fixed ELSE s.sum_kopecks END
                        ELSE 0 END,
                   CASE WHEN {charged} THEN COALESCE(d.label, '') ELSE '' END,
                   s.letter_number, s.doctor, s.icd10, s.tooth, {_sql("CAST(s.raw AS jsonb)", "s.raw")}
            FROM {STAGE} s
            JOIN {DECIDED} d ON d.row = s.row
            LEFT JOIN {VISITS} v ON v.row = s.row
            """,
            params,
        )
        _drop_temp(cursor)


def summarize(registry: Registry) -> None:
    """Counts and sums of the written lines onto the registry; for a corrected version, the
    lines it added, removed and changed against the one it replaces."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT status, COUNT(*), COALESCE(SUM(sum_kopecks), 0), COALESCE(SUM(copay_kopecks), 0) "
            "FROM billing_registryline WHERE registry_id = %s GROUP BY status",
            [registry.pk],
        )
        figures = {status: (n, total, copay) for status, n, total, copay in cursor.fetchall()}
    accepted = figures.get(LineStatus.ACCEPTED, (0, 0, 0))
    rejected = figures.get(LineStatus.REJECTED, (0, 0, 0))
    registry.lines_accepted, registry.accepted_kopecks, registry.copay_kopecks = (int(v) for v in accepted)
    registry.lines_rejected, registry.rejected_kopecks = int(rejected[0]), int(rejected[1])
    registry.lines_total = registry.lines_accepted + registry.lines_rejected
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


__all__ = ["changes_against", "describe_changes", "format_rub", "stage", "summarize", "write_lines"]
