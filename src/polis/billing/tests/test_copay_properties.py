"""Property tests of the co-pay: the one rounding rule is the same in Python and in the database
(SQLite here, PostgreSQL in CI), and through the whole registry pipeline whatever a clinic sends —
good and bad lines mixed — every invoice adds up to its lines, co-pay never exceeds cost, rejected
lines reach no invoice and no line of the file is lost."""

import datetime as dt
from collections import defaultdict
from decimal import Decimal

import polars as pl
import pytest
from django.db import connection
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from polis.billing.copay import percent_basis_points, percent_copay, percent_expr, percent_sql
from polis.billing.models import CopayInvoice, LineStatus, Registry, RegistryStatus
from polis.billing.registries.services import registry_submit
from polis.billing.tests.registry_world import World, build_world, csv_file, line
from polis.coverage.models import KindOfCare, ProgramClinic
from polis.network.models import Clinic, PriceListItem
from polis.testing import factories as f

pytestmark = pytest.mark.django_db

# ── 1. The rounding rule: Python and SQL agree ───────────────────────────────────────────────

sums = st.integers(min_value=0, max_value=10**12)
percents = st.decimals(min_value=0, max_value=100, places=2, allow_nan=False, allow_infinity=False)
# The database does not change between examples, so sharing the test's transaction is safe.
db_settings = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


def copay_in_sql(sum_kopecks: int, percent: Decimal) -> int:
    """`percent_sql` evaluated by the live database over bigint values, as the pipeline's
    staging (sum_kopecks) and rules (bp) columns hold them."""
    bp = percent_basis_points(percent)
    expression = percent_sql(f"CAST({int(sum_kopecks)} AS BIGINT)", f"CAST({int(bp)} AS BIGINT)")
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {expression}")
        (value,) = cursor.fetchone()
    assert isinstance(value, int), f"SQL gave {value!r} ({type(value).__name__}), not an integer"
    return value


@db_settings
@given(sum_kopecks=sums, percent=percents)
@example(sum_kopecks=1, percent=Decimal("50"))  # ½ kopeck → 1 (half up)
@example(sum_kopecks=3, percent=Decimal("50"))  # 1½ → 2
@example(sum_kopecks=1, percent=Decimal("49.99"))  # 0.4999 → 0
@example(sum_kopecks=2, percent=Decimal("0.25"))  # 0.005 → 0
@example(sum_kopecks=200, percent=Decimal("0.25"))  # 0.5 → 1
@example(sum_kopecks=10**12, percent=Decimal("100"))
@example(sum_kopecks=10**12 - 1, percent=Decimal("99.99"))
@example(sum_kopecks=0, percent=Decimal("30"))
def test_percent_copay_is_the_same_in_python_and_in_sql(db, sum_kopecks, percent):
    assert copay_in_sql(sum_kopecks, percent) == percent_copay(sum_kopecks, percent)


@settings(max_examples=500)
@given(sum_kopecks=st.lists(sums, min_size=1, max_size=20), percent=percents)
@example(sum_kopecks=[1, 3, 200, 10**12], percent=Decimal("50"))
@example(sum_kopecks=[2, 200], percent=Decimal("0.25"))
@example(sum_kopecks=[10**12 - 1, 0], percent=Decimal("99.99"))
def test_percent_copay_is_the_same_in_python_and_as_a_polars_column(sum_kopecks, percent):
    """The pipeline's column rule, over a column of sums as a registry chunk holds them."""
    frame = pl.DataFrame({"sum": sum_kopecks}, schema={"sum": pl.Int64})
    column = frame.select(percent_expr(pl.col("sum"), pl.lit(percent_basis_points(percent), pl.Int64))).to_series()
    assert column.to_list() == [percent_copay(s, percent) for s in sum_kopecks]


@settings(max_examples=500)
@given(sum_kopecks=sums, percent=percents)
def test_percent_copay_is_the_rounded_share_never_above_the_cost_nor_negative(sum_kopecks, percent):
    copay = percent_copay(sum_kopecks, percent)
    assert 0 <= copay <= sum_kopecks
    # Within half a kopeck of the exact share, ties rounded up (the one written rule).
    exact = Decimal(sum_kopecks) * percent / 100
    assert abs(copay - exact) <= Decimal("0.5")
    if exact - int(exact) == Decimal("0.5"):
        assert copay == int(exact) + 1
    assert percent_copay(sum_kopecks, Decimal("100")) == sum_kopecks
    assert percent_copay(sum_kopecks, Decimal("0")) == 0


@settings(max_examples=500)
@given(sum_kopecks=sums, more=sums, percents=st.lists(percents, min_size=2, max_size=2).map(sorted))
def test_percent_copay_is_monotone_in_the_percent_and_the_sum(sum_kopecks, more, percents):
    low, high = percents
    assert percent_copay(sum_kopecks, low) <= percent_copay(sum_kopecks, high)
    assert percent_copay(sum_kopecks, low) <= percent_copay(sum_kopecks + more, low)


# ── 2. Through the whole pipeline ────────────────────────────────────────────────────────────

LIST_PRICES = {"1001": 2500_00, "2001": 512_35, "3001": 6000_00, "4001": 9000_00, "5001": 3000_00}
PERCENT_RULES = {"consultation": Decimal("30"), "diagnostics": Decimal("12.5")}
FIXED_RULES = {"dental": 1000_00}
TODAY = dt.date(2026, 11, 20)

# What can be wrong with a line (each is a reason the pipeline must reject it for).
DEFECTS = [
    "inactive",  # franchise never activated
    "unknown",  # no such policy
    "mismatch",  # birth date not the policy's person's
    "code_unknown",  # not in the clinic's price list
    "inpatient",  # not covered by the program
    "home_visit",  # covered, but the clinic is not in the program for it
    "quantity",  # 0, fractional, empty or not a number
    "price",  # not the list price
    "sum",  # ≠ quantity × price
    "before",  # before the period
    "after",  # after the period
    "line_no",  # the clinic's line number given explicitly (may repeat)
]
line_specs = st.fixed_dictionaries(
    {
        "who": st.sampled_from(["alice", "son"]),
        "code": st.sampled_from(["1001", "2001", "3001"]),
        "quantity": st.integers(min_value=1, max_value=3),
        "day": st.one_of(st.integers(min_value=0, max_value=2), st.integers(min_value=0, max_value=27)),
        "tooth": st.sampled_from(["", "16", "17", "26"]),
        "doctor": st.sampled_from(["Иванов И. И.", "Петрова А. А."]),
        "defects": st.one_of(st.just([]), st.just([]), st.lists(st.sampled_from(DEFECTS), min_size=1, max_size=2)),
        "bad_quantity": st.sampled_from(["0", "1,5", "", "x"]),
        "off": st.integers(min_value=1, max_value=10**6),  # a wrong price or sum, kopecks
        "outside": st.integers(min_value=1, max_value=40),  # days before / after the period
        "line_no": st.integers(min_value=1, max_value=5),
    }
)


@st.composite
def registries(draw):
    """A period (a past month of 2026, or this one) and 1..25 lines, some repeated verbatim."""
    period = dt.date(2026, draw(st.integers(min_value=1, max_value=11)), 1)
    size = draw(st.one_of(st.integers(min_value=1, max_value=25), st.integers(min_value=10, max_value=25)))
    specs = draw(st.lists(line_specs, min_size=size, max_size=size))
    repeats = draw(st.lists(st.integers(min_value=0, max_value=len(specs) - 1), max_size=25 - len(specs)))
    specs = specs + [specs[i] for i in repeats]
    order = draw(st.permutations(range(len(specs))))
    return period, [specs[i] for i in order]


def kopecks_text(amount: int) -> str:
    return f"{amount // 100},{amount % 100:02d}"


def cells_of(spec: dict, world: World, period: dt.date) -> dict[str, str]:
    defects = set(spec["defects"])
    policy = world.inactive if "inactive" in defects else {"alice": world.alice, "son": world.son}[spec["who"]]
    code = spec["code"]
    for defect, other in (("code_unknown", "0000"), ("inpatient", "4001"), ("home_visit", "5001")):
        if defect in defects:
            code = other
    period_end = (period.replace(day=28) + dt.timedelta(days=4)).replace(day=1) - dt.timedelta(days=1)
    last_day = min(period_end, TODAY)
    day = min(period + dt.timedelta(days=spec["day"]), last_day)
    if "before" in defects:
        day = period - dt.timedelta(days=spec["outside"])
    if "after" in defects:
        day = period_end + dt.timedelta(days=spec["outside"])
    price = LIST_PRICES.get(code, 100_00) + (spec["off"] if "price" in defects else 0)
    quantity = spec["quantity"]
    total = quantity * price + (spec["off"] if "sum" in defects else 0)
    cells = {
        "Дата услуги": f"{day:%d.%m.%Y}",
        "Код услуги": code,
        "Количество": spec["bad_quantity"] if "quantity" in defects else str(quantity),
        "Цена": kopecks_text(price),
        "Сумма": kopecks_text(total),
        "Зуб": spec["tooth"],
        "Врач": spec["doctor"],
    }
    if "unknown" in defects:
        cells["Номер полиса"] = "999-0000000"
    if "mismatch" in defects:
        cells["Дата рождения"] = "01.01.1970"
    if "line_no" in defects:
        cells["№ п/п"] = str(spec["line_no"])
    return line(policy, **cells)


def fresh_clinic(world: World) -> Clinic:
    """A new franchise clinic with the world clinic's price list and place in the program: each
    example's registry is the clinic's first, so no earlier one dedupes, replaces or pre-bills it."""
    clinic = f.ClinicFactory(is_franchise=True)
    PriceListItem.objects.bulk_create(
        PriceListItem(
            clinic=clinic, code=item.code, name=item.name, service_category=item.service_category,
            price_kopecks=item.price_kopecks,
        )
        for item in PriceListItem.objects.filter(clinic=world.clinic)
    )  # fmt: skip
    for kind in (KindOfCare.OUTPATIENT, KindOfCare.DENTAL):
        ProgramClinic.objects.create(program=world.program, clinic=clinic, kind=kind)
    return clinic


def expected_copays(registry: Registry) -> dict[int, int]:
    """Each accepted line's co-pay by the program's rules, computed in Python: a percentage by
    `percent_copay`, a fixed sum once per visit (person, day, category) on its first line."""
    expected: dict[int, int] = {}
    visits: set[tuple] = set()
    for ln in registry.lines.filter(status=LineStatus.ACCEPTED).order_by("row"):
        if ln.category in PERCENT_RULES:
            expected[ln.row] = percent_copay(ln.sum_kopecks, PERCENT_RULES[ln.category])
        elif ln.category in FIXED_RULES:
            visit = (ln.policy_id, ln.service_date, ln.category)
            expected[ln.row] = 0 if visit in visits else min(FIXED_RULES[ln.category], ln.sum_kopecks)
            visits.add(visit)
        else:
            expected[ln.row] = 0
    return expected


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(drawn=registries())
def test_invoices_add_up_to_their_lines_whatever_the_registry_holds(
    alice_policy, backoffice_user, django_capture_on_commit_callbacks, drawn
):
    period, specs = drawn
    world = getattr(alice_policy, "_world", None)
    if world is None:  # the fixture's database lives across examples: build the world once
        world = alice_policy._world = build_world(alice_policy)
    clinic = fresh_clinic(world)
    upload = csv_file([cells_of(spec, world, period) for spec in specs])
    with django_capture_on_commit_callbacks(execute=True):
        registry, created = registry_submit(clinic=clinic, period=period, uploaded_file=upload, user=backoffice_user)
    registry.refresh_from_db()
    assert created and registry.status == RegistryStatus.DONE, (registry.status, registry.error)

    lines = list(registry.lines.order_by("row"))
    # Nothing lost: one written line per data line of the file.
    assert len(lines) == len(specs) == registry.lines_total
    assert [ln.row for ln in lines] == list(range(2, len(specs) + 2))
    assert registry.lines_accepted + registry.lines_rejected == len(specs)

    for ln in lines:
        assert ln.copay_kopecks == 0 or 0 < ln.copay_kopecks <= ln.sum_kopecks, (ln.row, ln.copay_kopecks)
        if ln.status == LineStatus.REJECTED:
            assert ln.reason and ln.copay_kopecks == 0, (ln.row, ln.reason, ln.copay_kopecks)
        else:
            assert ln.status == LineStatus.ACCEPTED and not ln.reason and ln.policy_id is not None
    copays = {ln.row: ln.copay_kopecks for ln in lines if ln.status == LineStatus.ACCEPTED}
    assert copays == expected_copays(registry)
    assert registry.copay_kopecks == sum(copays.values())

    accepted: dict[int, list] = defaultdict(list)
    for ln in lines:
        if ln.status == LineStatus.ACCEPTED:
            accepted[ln.policy_id].append(ln)
    invoices = list(CopayInvoice.objects.filter(registry=registry))
    for invoice in invoices:
        own = accepted[invoice.policy_id]
        assert invoice.copay_kopecks == sum(ln.copay_kopecks for ln in own)
        assert invoice.cost_kopecks == sum(ln.sum_kopecks for ln in own)
        assert invoice.lines_count == len(own)
        assert 0 < invoice.copay_kopecks <= invoice.cost_kopecks
        assert invoice.due_kopecks == max(
            0, invoice.copay_kopecks + invoice.adjustment_kopecks - invoice.deposit_kopecks - invoice.credit_kopecks
        )
    # An invoice exactly for each person with accepted co-pay; one each; a person with only
    # rejected lines (or accepted lines without co-pay) gets none.
    billed = [invoice.policy_id for invoice in invoices]
    assert len(billed) == len(set(billed))
    assert set(billed) == {policy for policy, own in accepted.items() if sum(ln.copay_kopecks for ln in own) > 0}
    assert world.inactive.pk not in billed
    assert registry.invoices_count == len(invoices)
    from hypothesis import event

    event(f"accepted={min(registry.lines_accepted, 5)} invoices={len(invoices)}")
    event(f"n={len(specs) // 5 * 5}")
    for ln in lines:
        event("reason=" + (ln.reason or "ok"))


def test_a_line_is_a_duplicate_only_of_an_accepted_line(
    alice_policy, backoffice_user, django_capture_on_commit_callbacks
):
    world = build_world(alice_policy)
    upload = csv_file([line(world.alice, **{"Сумма": "2600,00"}), line(world.alice)])  # a wrong sum, then the fix
    with django_capture_on_commit_callbacks(execute=True):
        registry, _ = registry_submit(
            clinic=world.clinic, period=dt.date(2026, 10, 1), uploaded_file=upload, user=backoffice_user
        )
    assert [ln.reason or "ok" for ln in registry.lines.order_by("row")] == ["sum_mismatch", "ok"]
