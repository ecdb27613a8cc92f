"""Deciding every line of a registry: each check as a join over columns, chunk by chunk.

`References` holds what the checks join against, fetched once per registry and only for what
the file names (its policies and their activations, the clinic's price list, the programs'
kinds of care and clinics, the co-pay rules, and the lines this clinic was already paid for).
`Decider.decide(chunk)` returns the chunk's lines as they are written: decision, reason, co-pay.

What spans chunks is carried in `Decider`: line numbers seen (a repeated number is rejected
after its first line), the keys of lines that passed every check (a repeat of one is a
duplicate; a repeat of a rejected line is not: the corrected line is the one billed), and the
visits already charged a fixed sum (once per visit, on its first accepted line). Chunks come
in file order, so "earlier" is the smaller row as in one pass over the whole file.
"""

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import polars as pl
from django.db import connection

from polis import clock
from polis.billing.copay import CATEGORY_KIND, percent_basis_points, percent_expr
from polis.billing.models import LineStatus, Registry, RejectReason
from polis.billing.registries.reading import Survey, day_key, line_key
from polis.coverage.models import CopayRule, FranchiseActivation

# The columns of billing_registryline the pipeline writes, in order.
LINE_COLUMNS = [
    "registry_id",
    "row",
    "line_no",
    "status",
    "reason",
    "reason_detail",
    "policy_id",
    "policy_number",
    "person_name",
    "birth_date",
    "service_date",
    "service_code",
    "service_name",
    "category",
    "quantity",
    "price_kopecks",
    "sum_kopecks",
    "copay_kopecks",
    "copay_rule",
    "letter_number",
    "doctor",
    "icd10",
    "tooth",
    "raw",
]

POLICY_SCHEMA: dict[str, Any] = {  # and first_day, last_day: see ensure_policies
    "policy_number": pl.String,
    "policy_id": pl.Int64,
    "program_id": pl.Int64,
    "starts_on": pl.Date,
    "ends_on": pl.Date,
    "terminated_on": pl.Date,
    "insured_birth": pl.Date,
    "insured_key": pl.String,
    "insured_display": pl.String,
    "fr": pl.String,
}
ACT_SCHEMA: dict[str, Any] = {"policy_id": pl.Int64, "first_day": pl.Date, "last_day": pl.Date}
PASSED_KEY = ["policy_id", "service_date", "item", "pair"]
BILLED_KEY = ["policy_id", "service_date", "service_code", "tooth", "doctor"]
VISIT_KEY = ["policy_id", "service_date", "category"]
NUMBERS = "polis_reg_numbers"
NO_FRANCHISE = FranchiseActivation.NONE.value


def _rows_frame(sql: str, params: list[Any], schema: dict[str, Any]) -> pl.DataFrame:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    frame = pl.DataFrame(rows, schema=list(schema), orient="row", infer_schema_length=None)
    return frame.cast(schema) if frame.height else pl.DataFrame(schema=schema)  # type: ignore[arg-type]


def _query_frame(sql: str, params: list[Any], schema: dict[str, Any]) -> pl.DataFrame:
    """A query's rows as a frame: on PostgreSQL through COPY … TO STDOUT (no Python tuple per
    row), parsed a few megabytes at a time; elsewhere fetched."""
    if connection.vendor != "postgresql":
        return _rows_frame(sql, params, schema)
    frames: list[pl.DataFrame] = []
    pending = bytearray()

    def parse() -> None:
        frames.append(
            pl.read_csv(
                bytes(pending), has_header=False, new_columns=list(schema), schema_overrides=schema, infer_schema=False
            ).cast(schema)  # type: ignore[arg-type]
        )
        pending.clear()

    copy_sql = f"COPY ({sql}) TO STDOUT WITH (FORMAT csv)"
    with connection.cursor() as cursor, cursor.cursor.copy(copy_sql, params) as copy:
        for row in copy:
            pending += row
            if len(pending) >= _PARSED_AT:
                parse()
    if pending:
        parse()
    return pl.concat(frames, rechunk=True) if frames else pl.DataFrame(schema=schema)


_PARSED_AT = 4 * 1024 * 1024


@dataclass
class References:
    registry: Registry
    policies: pl.DataFrame = field(
        default_factory=lambda: pl.DataFrame(
            schema={
                **POLICY_SCHEMA,
                "insured_key": pl.UInt64,
                "insured_display": pl.UInt64,
                "first_day": pl.Date,
                "last_day": pl.Date,
                "slot": pl.Int64,
            }
        )
    )
    acts: pl.DataFrame = field(default_factory=lambda: pl.DataFrame(schema=ACT_SCHEMA))
    prices: pl.DataFrame = field(default_factory=pl.DataFrame)
    care: pl.DataFrame = field(default_factory=pl.DataFrame)
    clinic_in: pl.DataFrame = field(default_factory=pl.DataFrame)
    rules: pl.DataFrame = field(default_factory=pl.DataFrame)
    billed: pl.DataFrame | None = None
    # The hashes of the fetched policy numbers in sorted order and each one's row in `policies`:
    # a chunk's policies are found by binary search (and their numbers then compared), not by
    # hashing every fetched policy again per chunk. Two numbers hashing alike (never seen: one
    # chance in 2**64 per pair) make the search go by the numbers themselves.
    sorted_keys: pl.Series = field(default_factory=lambda: pl.Series("key", [], pl.UInt64))
    sorted_slots: pl.Series = field(default_factory=lambda: pl.Series("slot", [], pl.UInt32))
    keys_collide: bool = False
    # Every number handed to fetch_policies so far, found or not (see unasked).
    asked: pl.Series = field(default_factory=lambda: pl.Series("policy_number", [], pl.String))

    @classmethod
    def load(cls, registry: Registry) -> "References":
        refs = cls(registry=registry)
        clinic = registry.clinic_id
        refs.prices = (
            _query_frame(
                "SELECT code, price_kopecks, service_category, name FROM network_pricelistitem WHERE clinic_id = %s",
                [clinic],
                {"service_code": pl.String, "list_price": pl.Int64, "list_category": pl.String, "list_name": pl.String},
            )
            .unique("service_code", keep="first", maintain_order=True)
            .with_row_index("item")
        )
        refs.care = _query_frame(
            "SELECT DISTINCT program_id, kind FROM coverage_programcare",
            [],
            {"program_id": pl.Int64, "kind": pl.String},
        ).with_columns(care=pl.lit(True))
        refs.clinic_in = _query_frame(
            "SELECT DISTINCT program_id, kind FROM coverage_programclinic WHERE clinic_id = %s",
            [clinic],
            {"program_id": pl.Int64, "kind": pl.String},
        ).with_columns(in_clinic=pl.lit(True))
        rules = [
            (
                rule.program_id,
                rule.service_category,
                percent_basis_points(rule.percent) if rule.percent is not None else None,
                rule.fixed_kopecks,
                rule.describe()[:40],
            )
            for rule in CopayRule.objects.exclude(program__franchise_activation="none")
        ]
        refs.rules = pl.DataFrame(
            rules,
            schema={
                "program_id": pl.Int64,
                "category": pl.String,
                "bp": pl.Int64,
                "fixed": pl.Int64,
                "label": pl.String,
            },
            orient="row",
        ).unique(["program_id", "category"], keep="first")
        refs.billed = _billed(registry)
        return refs

    def ensure_policies(self, numbers: pl.Series) -> None:
        """Fetch the policies (with their person and program) and franchise activations of the
        numbers not asked for yet."""
        wanted = self.unasked(numbers)
        if wanted.len():
            self.add_policies([self.fetch_policies(wanted)])

    def unasked(self, numbers: pl.Series) -> pl.Series:
        """Those of `numbers` not asked for before (whether a policy was found or not), each
        once, and from now on counted as asked: what fetch_policies is given."""
        wanted = numbers.filter(numbers != "").unique()
        wanted = wanted.filter(~wanted.is_in(self.asked.implode()))
        self.asked = pl.concat([self.asked, wanted], rechunk=True)
        return wanted

    def fetch_policies(self, numbers: pl.Series) -> tuple[pl.DataFrame, pl.DataFrame]:
        """The policies of `numbers` (from unasked), each with the days of its
        franchise activation when it has exactly one (nearly all: a chunk then needs no join for
        it), and the activations of those with several; to be handed to add_policies."""
        pg = connection.vendor == "postgresql"
        with connection.cursor() as cursor:
            cursor.execute(f"DROP TABLE IF EXISTS {NUMBERS}")
            # On PostgreSQL no key: the numbers come unique (unasked), and keeping one up cost more
            # than the hash join gains from it. SQLite joins by index, so there it stays.
            key = "NOT NULL" if pg else "PRIMARY KEY"
            cursor.execute(f"CREATE TEMP TABLE {NUMBERS} (number varchar(40) {key})")
            if pg:
                block = numbers.to_frame().write_csv(include_header=False)
                with cursor.cursor.copy(f"COPY {NUMBERS} (number) FROM STDIN WITH (FORMAT csv)") as copy:
                    copy.write(block.encode("utf-8"))
            else:
                cursor.executemany(f"INSERT INTO {NUMBERS} VALUES (%s)", [(v,) for v in numbers.to_list()])
            cursor.execute(f"ANALYZE {NUMBERS}")
        select = """SELECT p.number, p.id, p.program_id, p.starts_on, p.ends_on, p.terminated_on, ip.birth_date,
                       ip.name_key,
                       ip.last_name || ' ' || ip.first_name
                           || CASE WHEN ip.patronymic <> '' THEN ' ' || ip.patronymic ELSE '' END,
                       pr.franchise_activation"""
        joins = f"""FROM {NUMBERS} n JOIN coverage_policy p ON p.number = n.number
                JOIN coverage_insuredperson ip ON ip.id = p.insured_id
                JOIN coverage_program pr ON pr.id = p.program_id"""
        if pg:
            # The activations by the policy's index, in the same query (no second pass over the
            # numbers); looked up only under a franchise program (without one they decide nothing).
            own = (
                "billing_franchiseactivation a "
                f"WHERE a.policy_id = p.id AND pr.franchise_activation <> '{NO_FRANCHISE}'"
            )
            found = _query_frame(
                f"""{select}, act.n, act.first_day, act.last_day {joins}
                    LEFT JOIN LATERAL (SELECT COUNT(*) AS n, MIN(d.first_day) AS first_day, MIN(d.last_day) AS last_day
                                       FROM ({_days_sql(own)}) d
                                      ) act ON true""",
                [],
                {**POLICY_SCHEMA, "n": pl.Int64, "first_day": pl.Date, "last_day": pl.Date},
            )
            several = found.filter(pl.col("n") > 1).get_column("policy_id")
            acts = (
                _query_frame(
                    _days_sql("billing_franchiseactivation a WHERE a.policy_id = ANY(%s)"),
                    [several.to_list()],
                    ACT_SCHEMA,
                )
                if several.len()
                else pl.DataFrame(schema=ACT_SCHEMA)
            )
            single = pl.col("n") == 1
            found = found.with_columns(
                first_day=pl.when(single).then("first_day"), last_day=pl.when(single).then("last_day")
            ).drop("n")
        else:
            found = _query_frame(f"{select} {joins}", [], POLICY_SCHEMA)
            counted = _activations(
                f"SELECT a.policy_id, a.effective_at, a.ended_at FROM billing_franchiseactivation a "
                f"JOIN coverage_policy p ON p.id = a.policy_id JOIN {NUMBERS} n ON n.number = p.number"
            ).with_columns(n=pl.len().over("policy_id"))
            found = found.join(counted.filter(pl.col("n") == 1).drop("n"), on="policy_id", how="left")
            acts = counted.filter(pl.col("n") > 1).drop("n")
        with connection.cursor() as cursor:
            cursor.execute(f"DROP TABLE {NUMBERS}")
        return found, acts

    def add_policies(self, fetched: list[tuple[pl.DataFrame, pl.DataFrame]]) -> None:
        """Policies of fetch_policies appended (a policy's row, its `slot`, never changes once
        added), and the sorted index that policies_of searches rebuilt."""
        if not fetched:
            return
        found = pl.concat([f for f, _ in fetched])
        known = self.policies.height
        found = found.with_columns(
            name_hash(pl.col("insured_key")), name_hash(pl.col("insured_display")),
            slot=pl.int_range(known, known + found.height, dtype=pl.Int64),
        )  # fmt: skip
        self.policies = pl.concat([self.policies, found], rechunk=True)
        self.acts = pl.concat([self.acts, *(a for _, a in fetched)])
        keys = _number_key(self.policies.get_column("policy_number"))
        self.keys_collide = keys.n_unique() < keys.len()
        if self.keys_collide:
            keys = self.policies.get_column("policy_number")
        order = keys.arg_sort()
        self.sorted_keys = keys.gather(order)
        self.sorted_slots = order.rename("slot")

    def policies_of(self, numbers: pl.Series) -> pl.DataFrame:
        """The fetched policy of each number, row for row (nulls where there is none)."""
        if self.policies.height == 0:
            return self.policies.drop("policy_number").clear(numbers.len())
        keys = numbers if self.keys_collide else _number_key(numbers)
        at = self.sorted_keys.search_sorted(keys, side="left").clip(0, self.policies.height - 1)
        slot = self.sorted_slots.gather(at)
        found = self.policies.get_column("policy_number").gather(slot) == numbers
        slot = pl.select(pl.when(found).then(slot).otherwise(None).alias("slot")).to_series()
        return self.policies.drop("policy_number").select(pl.all().gather(slot))


def _number_key(numbers: pl.Series) -> pl.Series:
    return numbers.hash(seed=17)


def name_hash(name: pl.Expr) -> pl.Expr:
    """A name as the policies frame keeps it: a 64-bit hash rather than the text (two names per
    policy, hundreds of thousands of policies), compared with the hash of the file's name in the
    same process. Different names hash equal once in 2**64."""
    return name.hash(seed=13)


def _days_sql(source: str) -> str:
    """policy_id, first_day, last_day of the activations `FROM {source}` (alias a), as whole
    Moscow days the way billing.rules.covering counts them (PostgreSQL)."""
    zone = clock.local_zone().key
    local = f"(a.effective_at AT TIME ZONE '{zone}')"
    return f"""SELECT a.policy_id,
                      CASE WHEN {local}::time = '00:00' THEN {local}::date ELSE {local}::date + 1 END AS first_day,
                      CASE WHEN a.ended_at IS NULL THEN DATE '9999-12-31'
                           ELSE (a.ended_at AT TIME ZONE '{zone}')::date - 1 END AS last_day
               FROM {source}"""


def _activations(sql: str) -> pl.DataFrame:
    """Franchise activations as whole Moscow days (billing.rules.covering): a day is covered when
    first_day <= day <= last_day. Computed once per activation rather than per line (SQLite; see
    _days_sql for PostgreSQL)."""
    zone = clock.local_zone()
    with connection.cursor() as cursor:
        cursor.execute(sql)
        raw = cursor.fetchall()
    rows = []
    for policy_id, effective_at, ended_at in raw:
        local = effective_at.astimezone(zone)
        first = local.date() if local.time() == dt.time.min else local.date() + dt.timedelta(days=1)
        last = ended_at.astimezone(zone).date() - dt.timedelta(days=1) if ended_at else dt.date.max
        rows.append((policy_id, first, last))
    return pl.DataFrame(rows, schema=ACT_SCHEMA, orient="row")


def _billed(registry: Registry) -> pl.DataFrame | None:
    """Accepted lines of this clinic's other checked registries (not the one this replaces)
    dated inside this registry's period: a line repeating one is already billed."""
    start, end = period_bounds(registry)
    others = list(
        Registry.objects.filter(clinic_id=registry.clinic_id, status="done")
        .exclude(pk__in=[registry.pk, registry.replaces_id or 0])
        .values_list("pk", flat=True)
    )
    if not others:
        return None
    marks = ", ".join(["%s"] * len(others))
    frame = _query_frame(
        f"""SELECT DISTINCT policy_id, service_date, service_code, tooth, doctor FROM billing_registryline
            WHERE registry_id IN ({marks}) AND status = 'accepted' AND service_date >= %s AND service_date <= %s""",
        [*others, start, end],
        {"policy_id": pl.Int64, "service_date": pl.Date, "service_code": pl.String, "tooth": pl.String,
         "doctor": pl.String},
    )  # fmt: skip
    return frame.with_columns(billed=pl.lit(True))


def period_bounds(registry: Registry) -> tuple[dt.date, dt.date]:
    start = registry.period
    end = (start.replace(day=28) + dt.timedelta(days=4)).replace(day=1) - dt.timedelta(days=1)
    return start, end


@dataclass
class Figures:
    """Counts and sums of the lines written, by decision (for the registry's summary)."""

    accepted: int = 0
    rejected: int = 0
    accepted_kopecks: int = 0
    rejected_kopecks: int = 0
    copay_kopecks: int = 0
    # Per policy (by its row in References.policies, its `slot`): accepted lines, their cost and
    # co-pay — what the invoices are. Blocks' accepted lines are summed up into `counted` every
    # COMPACT lines or so, not one by one.
    counted: pl.DataFrame = field(default_factory=lambda: pl.DataFrame(schema=_COUNTED))
    pending: list[pl.DataFrame] = field(default_factory=list)
    sums: pl.DataFrame | None = None  # per_policy, once the last block is decided

    COMPACT = 200_000

    def add(self, lines: pl.DataFrame, slots: pl.Series) -> None:
        accepted = lines.get_column("status") == LineStatus.ACCEPTED
        cost = lines.get_column("sum_kopecks")
        taken = pl.DataFrame(
            [slots.cast(pl.UInt32).alias("slot"), cost.alias("cost"), lines.get_column("copay_kopecks").alias("copay")]
        ).filter(accepted)
        accepted_kopecks = int(taken.get_column("cost").sum() or 0)
        self.accepted += taken.height
        self.rejected += lines.height - taken.height
        self.accepted_kopecks += accepted_kopecks
        self.rejected_kopecks += int(cost.sum() or 0) - accepted_kopecks
        self.copay_kopecks += int(taken.get_column("copay").sum() or 0)
        self.pending.append(taken)
        if sum(frame.height for frame in self.pending) >= self.COMPACT:
            self._compact()

    def _compact(self) -> None:
        if not self.pending:
            return
        block = (
            pl.concat(self.pending)
            .group_by("slot")
            .agg(n=pl.len().cast(pl.Int64), cost=pl.col("cost").sum(), copay=pl.col("copay").sum())
        )
        self.pending = []
        self.counted = pl.concat([self.counted, block]).group_by("slot").agg(pl.col("n", "cost", "copay").sum())

    def per_policy(self, policies: pl.DataFrame) -> pl.DataFrame:
        """policy_id, program_id, n, cost, copay of every policy with an accepted line."""
        self._compact()
        counted = self.counted.sort("slot")
        of = policies.select(pl.col("policy_id", "program_id").gather(counted.get_column("slot")))
        return pl.concat([of, counted.drop("slot")], how="horizontal").select(list(PER_POLICY))


_COUNTED: dict[str, Any] = {"slot": pl.UInt32, "n": pl.Int64, "cost": pl.Int64, "copay": pl.Int64}

PER_POLICY: dict[str, Any] = {
    "policy_id": pl.Int64,
    "program_id": pl.Int64,
    "n": pl.Int64,
    "cost": pl.Int64,
    "copay": pl.Int64,
}


class Decider:
    """Decides chunk after chunk. What spans chunks is remembered only for the lines that can
    need it: with a survey of the file (reading.Survey), a line whose number, service or day
    occurs once in the whole file is the first of its kind by itself; without one, every line
    is remembered."""

    def __init__(self, registry: Registry, references: References, survey: Survey | None = None) -> None:
        self.registry = registry
        self.refs = references
        self.survey = survey
        self.start, self.end = period_bounds(registry)
        self.today = clock.today()
        self.franchise_clinic = bool(registry.clinic.is_franchise)
        self.numbers = pl.Series("line_no", [], pl.Int64)
        self.pairs = pl.DataFrame(schema={"tooth": pl.String, "doctor": pl.String, "pair": pl.UInt32})
        self.passed = pl.DataFrame(
            schema={"policy_id": pl.Int64, "service_date": pl.Date, "item": pl.UInt32, "pair": pl.UInt32}
        )
        self.visits = pl.DataFrame(schema={"policy_id": pl.Int64, "service_date": pl.Date, "category": pl.String})
        self.figures = Figures()

    def decide(self, chunk: pl.DataFrame) -> pl.DataFrame:
        """A staged chunk (reading.STAGED, in file order) → its lines as written (LINE_COLUMNS)."""
        refs = self.refs
        kinds = pl.col("category").replace_strict(CATEGORY_KIND, default=None, return_dtype=pl.String)
        # One plan for the joins and the names, collected once (each eager step has a fixed
        # cost that a 15 000-line block feels).
        plan = (
            pl.concat([chunk, refs.policies_of(chunk.get_column("policy_number"))], how="horizontal")
            .lazy()
            .join(refs.prices.lazy(), on="service_code", how="left", maintain_order="left")
            .with_columns(category=pl.col("list_category").fill_null(""))
            .with_columns(kind=kinds)
            .join(refs.care.lazy(), on=["program_id", "kind"], how="left", maintain_order="left")
            .join(refs.clinic_in.lazy(), on=["program_id", "kind"], how="left", maintain_order="left")
            .join(refs.rules.lazy(), on=["program_id", "category"], how="left", maintain_order="left")
        )
        if refs.billed is not None:
            plan = plan.join(refs.billed.lazy(), on=BILLED_KEY, how="left", maintain_order="left")
        else:
            plan = plan.with_columns(billed=pl.lit(None, pl.Boolean))
        lines = self._names(plan.collect(engine="in-memory"))
        within = (pl.col("service_date") >= pl.col("first_day")) & (pl.col("service_date") <= pl.col("last_day"))
        covered = within.fill_null(False)
        if refs.acts.height:  # policies with several activations
            several = (
                lines.select("row", "policy_id", "service_date")
                .join(refs.acts, on="policy_id", how="inner")
                .filter(within)
                .get_column("row")
            )
            covered = covered | pl.col("row").is_in(several.implode())
        repeated = self._repeated_numbers(chunk)
        day = pl.col("service_date")
        r = RejectReason
        reason = (
            pl.when(pl.col("error").is_not_null())
            .then(pl.col("error"))
            .when(repeated)
            .then(pl.lit(r.DUPLICATE_NUMBER.value))
            .when((day < self.start) | (day > self.end))
            .then(pl.lit(r.OUTSIDE_PERIOD.value))
            .when(day > self.today)
            .then(pl.lit(r.FUTURE_DATE.value))
            .when(pl.col("policy_id").is_null())
            .then(pl.lit(r.UNKNOWN_POLICY.value))
            .when((pl.col("insured_birth") != pl.col("birth_date")) | ~pl.col("name_ok"))
            .then(pl.lit(r.PERSON_MISMATCH.value))
            .when(
                (day < pl.col("starts_on"))
                | (day > pl.col("ends_on"))
                | (pl.col("terminated_on").is_not_null() & (day >= pl.col("terminated_on")))
            )
            .then(pl.lit(r.NOT_INSURED.value))
            .when(pl.col("list_price").is_null())
            .then(pl.lit(r.SERVICE_UNKNOWN.value))
            .when(pl.col("care").is_null())
            .then(pl.lit(r.SERVICE_NOT_COVERED.value))
            .when(pl.col("in_clinic").is_null())
            .then(pl.lit(r.CLINIC_NOT_IN_PROGRAM.value))
            .when((pl.col("fr") != "none") & pl.lit(self.franchise_clinic) & ~covered)
            .then(pl.lit(r.FRANCHISE_NOT_ACTIVE.value))
            .when(pl.col("price_kopecks") != pl.col("list_price"))
            .then(pl.lit(r.PRICE_MISMATCH.value))
            .when(pl.col("sum_kopecks") != pl.col("quantity") * pl.col("price_kopecks"))
            .then(pl.lit(r.SUM_MISMATCH.value))
            .when(pl.col("billed").is_not_null())
            .then(pl.lit(r.ALREADY_BILLED.value))
        )
        lines = lines.with_columns(reason=reason)
        lines = self._repeats(lines)
        lines = self._visits(lines)
        written = self._written(lines)
        self.figures.add(written, lines.get_column("slot"))
        return written

    def _names(self, lines: pl.DataFrame) -> pl.DataFrame:
        """`name_ok`: the file's name is the insured's, compared as coverage.models.name_key
        compares (case, ё/е, spaces). A name written as the insured's is taken at once; only the
        others are normalized (lower-casing a million names costs more than the rest of a check)."""
        known = pl.col("name_key").is_not_null()
        lines = lines.with_columns(
            name_ok=pl.when(known)
            .then(name_hash(pl.col("name_key")) == pl.col("insured_key"))
            .when(name_hash(pl.col("person_name")) == pl.col("insured_display"))
            .then(pl.lit(True))
        )
        rest = lines.filter(pl.col("name_ok").is_null() & pl.col("insured_key").is_not_null())
        if rest.height == 0:
            return lines
        normalized = (
            pl.col("person_name")
            .str.strip_chars()
            .str.replace_all(r"\s+", " ")
            .str.to_lowercase()
            .str.replace_all("ё", "е")
        )
        checked = rest.select("row", (name_hash(normalized) == pl.col("insured_key")).alias("normalized_ok"))
        return lines.join(checked, on="row", how="left", maintain_order="left").with_columns(
            name_ok=pl.coalesce("name_ok", "normalized_ok")
        )

    def _candidates(self, frame: pl.DataFrame, key: pl.Expr, repeated: pl.Series | None) -> pl.DataFrame:
        """The lines of `frame` whose key occurs more than once in the file (all without a survey).
        `repeated` is sorted: a block's keys are looked up by binary search (no hash set of the
        whole file's repeats built per block)."""
        if repeated is None:
            return frame
        if repeated.is_empty() or frame.is_empty():
            return frame.clear()
        keys = frame.select(key).to_series()
        at = repeated.search_sorted(keys, side="left").clip(0, repeated.len() - 1)
        return frame.filter(repeated.gather(at) == keys)

    def _repeated_numbers(self, chunk: pl.DataFrame) -> pl.Expr:
        """Rows whose line number an earlier line already had."""
        survey = self.survey
        if survey is not None and survey.repeated_numbers.is_empty():
            return pl.lit(False)
        numbered = self._candidates(
            chunk.select("row", "line_no"), pl.col("line_no"), survey.repeated_numbers if survey else None
        )
        repeats = numbered.filter(
            pl.col("line_no").is_in(self.numbers.implode()) | ~pl.col("line_no").is_first_distinct()
        )
        self.numbers = pl.concat([self.numbers, numbered.get_column("line_no").unique()])
        return pl.col("row").is_in(repeats.get_column("row").implode())

    def _repeats(self, lines: pl.DataFrame) -> pl.DataFrame:
        """A line repeating an earlier line that passed every check is a duplicate.

        The key is the file's (policy number, date, service code, tooth, doctor); a line that
        passed matched its policy and price-list item by those very texts, so the key is kept
        as numbers: policy id, date, the item's index and an id per (tooth, doctor) pair."""
        survey = self.survey
        key = line_key(
            pl.col("policy_number"), pl.col("service_date"), pl.col("service_code"), pl.col("tooth"), pl.col("doctor")
        )
        if survey is not None and survey.repeated_lines.is_empty():
            return lines
        passed = self._candidates(
            lines.filter(pl.col("reason").is_null()), key, survey.repeated_lines if survey else None
        ).select("row", "policy_id", "service_date", "item", "tooth", "doctor")
        if passed.is_empty():
            return lines
        pairs = passed.select("tooth", "doctor").unique()
        fresh = pairs.join(self.pairs, on=["tooth", "doctor"], how="anti")
        if fresh.height:
            start = self.pairs.height
            self.pairs = pl.concat(
                [self.pairs, fresh.with_columns(pair=pl.int_range(start, start + fresh.height, dtype=pl.UInt32))]
            )
        keyed = passed.join(self.pairs, on=["tooth", "doctor"], how="left").select("row", *PASSED_KEY).sort("row")
        first = keyed.filter(pl.struct(PASSED_KEY).is_first_distinct())
        new = first.join(self.passed, on=PASSED_KEY, how="anti")
        self.passed = pl.concat([self.passed, new.select(PASSED_KEY)])
        repeats = keyed.join(new.select("row"), on="row", how="anti").get_column("row")
        return lines.with_columns(
            reason=pl.when(pl.col("row").is_in(repeats.implode()))
            .then(pl.lit(RejectReason.DUPLICATE_LINE.value))
            .otherwise(pl.col("reason"))
        )

    def _visits(self, lines: pl.DataFrame) -> pl.DataFrame:
        """The first accepted line of each visit under a fixed-sum rule is the one charged (a
        person's only line of the day in the file is the first of its visit by itself)."""
        survey = self.survey
        fixed = lines.filter(pl.col("reason").is_null() & pl.col("fixed").is_not_null())
        if fixed.is_empty():
            return lines.with_columns(visit_first=pl.lit(False))
        day = day_key(pl.col("policy_number"), pl.col("service_date"))
        shared = self._candidates(fixed, day, survey.repeated_days if survey else None).select("row", *VISIT_KEY)
        first = shared.filter(pl.struct(VISIT_KEY).is_first_distinct())
        new = first.join(self.visits, on=VISIT_KEY, how="anti", nulls_equal=True)
        self.visits = pl.concat([self.visits, new.select(VISIT_KEY)])
        alone = fixed.join(shared.select("row"), on="row", how="anti").get_column("row")
        charged = pl.concat([alone, new.get_column("row")])
        return lines.with_columns(visit_first=pl.col("row").is_in(charged.implode()))

    def _written(self, lines: pl.DataFrame) -> pl.DataFrame:
        accepted = pl.col("reason").is_null()
        charged = (accepted & (pl.col("fr") != "none") & pl.lit(self.franchise_clinic)).fill_null(False)
        total = pl.col("sum_kopecks")
        copay = (
            pl.when(~charged)
            .then(0)
            .when(pl.col("bp").is_not_null())
            .then(percent_expr(total, pl.col("bp")))
            .when(pl.col("fixed").is_not_null() & pl.col("visit_first"))
            .then(pl.min_horizontal(pl.col("fixed"), total))
            .otherwise(0)
        )
        return lines.select(
            pl.lit(self.registry.pk, pl.Int64).alias("registry_id"),
            "row",
            pl.col("line_no").fill_null(pl.col("row")),
            pl.when(accepted).then(pl.lit(LineStatus.ACCEPTED.value)).otherwise(pl.lit(LineStatus.REJECTED.value))
            .alias("status"),
            pl.col("reason").fill_null(""),
            pl.col("error_detail").fill_null("").alias("reason_detail"),
            "policy_id",
            "policy_number",
            "person_name",
            "birth_date",
            "service_date",
            "service_code",
            pl.when(pl.col("service_name") != "").then(pl.col("service_name"))
            .otherwise(pl.col("list_name").fill_null("")).alias("service_name"),
            "category",
            "quantity",
            "price_kopecks",
            "sum_kopecks",
            copay.cast(pl.Int64).alias("copay_kopecks"),
            pl.when(charged).then(pl.col("label").fill_null("")).otherwise(pl.lit("")).alias("copay_rule"),
            "letter_number",
            "doctor",
            "icd10",
            "tooth",
            "raw",
        )  # fmt: skip


def ensure_for_chunks(refs: References, chunks: Iterable[pl.DataFrame]) -> Iterable[pl.DataFrame]:
    """Chunks of a reader that could not list the file's policy numbers up front: each chunk's
    policies are fetched before it is decided."""
    for chunk in chunks:
        refs.ensure_policies(chunk.get_column("policy_number"))
        yield chunk
