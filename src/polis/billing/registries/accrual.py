"""Accrual: a checked registry's accepted co-pay into one invoice per insured person.

One transaction, ending with `Registry.accrued_at`: run again, it finds that set and does
nothing, and a worker killed inside it leaves nothing behind. For a corrected version the same
transaction cancels the unpaid invoices of the version it replaces, carries what was paid there
as a credit, and marks that version replaced.

The deposit is taken into account as «Депозит … учитывается при выставлении суммы по счету»
(Alfa) while keeping it non-reducible (RESO): only what the person holds above the program's
deposit per person is offset, moved in the ledger from the deposit to co-pay.
"""

import datetime as dt
from collections import defaultdict

import polars as pl
from django.db import connection, transaction
from django.db.models import Sum
from django.utils.translation import gettext as _

from polis import clock
from polis.billing.copay import due_on
from polis.billing.models import CopayInvoice, InvoiceStatus, Registry, RegistryStatus
from polis.billing.registries.decide import PER_POLICY
from polis.coverage.models import Program
from polis.payments.models import LedgerAccount, LedgerEntry
from polis.payments.services import ledger_move


def invoice_number_prefix(registry: Registry) -> str:
    return f"{registry.period:%Y/%m}/{registry.pk}-"


def accrue(registry: Registry, sums: pl.DataFrame | None = None) -> int:
    """Issue the registry's invoices (once). Returns how many were issued by this call.

    `sums`: the accepted lines per policy as the check counted them (decide.Figures.per_policy);
    without them (a registry checked earlier, not yet accrued) they are counted from the lines."""
    with transaction.atomic():
        registry = Registry.objects.select_for_update().select_related("clinic").get(pk=registry.pk)
        if registry.accrued_at is not None or registry.checked_at is None:
            return 0
        issued_on = clock.today()
        earlier = Registry.objects.filter(pk=registry.replaces_id).first() if registry.replaces_id else None
        created = _insert_invoices(registry, issued_on, sums if sums is not None else _counted_sums(registry))
        _apply_credits(registry, earlier)
        _offset_deposits(registry)
        if earlier is not None:
            earlier.invoices.filter(status=InvoiceStatus.NEW).update(
                status=InvoiceStatus.CANCELLED,
                cancelled_at=clock.now(),
                cancel_reason=_("Клиника прислала исправленный реестр (версия %(v)s); счёт выставлен заново")
                % {"v": registry.version},
            )
            Registry.objects.filter(pk=earlier.pk).update(status=RegistryStatus.REPLACED)
        registry.invoices_count = created
        registry.accrued_at = clock.now()
        registry.status = RegistryStatus.DONE
        registry.save(update_fields=["invoices_count", "accrued_at", "status"])
        from polis.billing.registries.tasks import notify_invoices

        registry_id = registry.pk
        transaction.on_commit(lambda: notify_invoices.enqueue(registry_id=registry_id))
    return created


INVOICE_COLUMNS = [
    "number",
    "registry_id",
    "policy_id",
    "issued_on",
    "due_on",
    "lines_count",
    "cost_kopecks",
    "copay_kopecks",
    "adjustment_kopecks",
    "deposit_kopecks",
    "credit_kopecks",
    "due_kopecks",
    "paid_kopecks",
    "status",
    "cancel_reason",
]


def _counted_sums(registry: Registry) -> pl.DataFrame:
    """The accepted lines per policy, counted from the written lines."""
    with connection.cursor() as cursor:
        cursor.execute(
            """SELECT l.policy_id, p.program_id, COUNT(*), SUM(l.sum_kopecks), SUM(l.copay_kopecks)
               FROM billing_registryline l JOIN coverage_policy p ON p.id = l.policy_id
               WHERE l.registry_id = %s AND l.status = 'accepted'
               GROUP BY l.policy_id, p.program_id""",
            [registry.pk],
        )
        rows = cursor.fetchall()
    return pl.DataFrame([tuple(int(v) for v in r) for r in rows], schema=PER_POLICY, orient="row")


def _insert_invoices(registry: Registry, issued_on: dt.date, sums: pl.DataFrame) -> int:
    """One invoice per policy whose accepted lines carry a co-pay, numbered in policy order, due
    by its program's deadline (the calendar rule, once per program)."""
    owed = sums.filter(pl.col("copay") > 0).sort("policy_id")
    if owed.is_empty():
        return 0
    programs = Program.objects.filter(pk__in=owed.get_column("program_id").unique().to_list()).only(
        "pk", "payment_deadline_days", "payment_deadline_kind"
    )
    deadlines: dict[tuple[int, str], dt.date] = {}  # programs mostly share their terms
    for program in programs:
        terms = (program.payment_deadline_days, program.payment_deadline_kind)
        if terms not in deadlines:
            deadlines[terms] = due_on(program=program, issued_on=issued_on)
    due = pl.DataFrame(
        [
            (program.pk, deadlines[(program.payment_deadline_days, program.payment_deadline_kind)])
            for program in programs
        ],
        schema={"program_id": pl.Int64, "due_on": pl.Date},
        orient="row",
    )
    invoices = owed.join(due, on="program_id", how="left", maintain_order="left").select(
        (pl.lit(invoice_number_prefix(registry)) + pl.int_range(1, owed.height + 1).cast(pl.String)).alias("number"),
        pl.lit(registry.pk, pl.Int64).alias("registry_id"),
        "policy_id",
        pl.lit(issued_on, pl.Date).alias("issued_on"),
        "due_on",
        pl.col("n").alias("lines_count"),
        pl.col("cost").alias("cost_kopecks"),
        pl.col("copay").alias("copay_kopecks"),
        pl.lit(0, pl.Int64).alias("adjustment_kopecks"),
        pl.lit(0, pl.Int64).alias("deposit_kopecks"),
        pl.lit(0, pl.Int64).alias("credit_kopecks"),
        pl.col("copay").alias("due_kopecks"),
        pl.lit(0, pl.Int64).alias("paid_kopecks"),
        pl.lit(InvoiceStatus.NEW.value).alias("status"),
        pl.lit("").alias("cancel_reason"),
    )
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            block = invoices.write_csv(include_header=False, quote_style="necessary", null_value="")
            sql = (
                f"COPY billing_copayinvoice ({', '.join(INVOICE_COLUMNS)}) FROM STDIN "
                "WITH (FORMAT csv, FORCE_NOT_NULL (cancel_reason))"
            )
            with cursor.cursor.copy(sql) as copy:
                copy.write(block.encode("utf-8"))
        else:
            marks = ", ".join(["%s"] * len(INVOICE_COLUMNS))
            cursor.executemany(
                f"INSERT INTO billing_copayinvoice ({', '.join(INVOICE_COLUMNS)}) VALUES ({marks})", invoices.rows()
            )
    return invoices.height


def _apply_credits(registry: Registry, earlier: Registry | None) -> None:
    """What the person paid under the replaced version counts towards the new invoice; what the
    new invoice does not absorb goes to their deposit (a ledger move from co-pay)."""
    if earlier is None:
        return
    paid = dict(
        earlier.invoices.exclude(status=InvoiceStatus.CANCELLED)
        .filter(paid_kopecks__gt=0)
        .values_list("policy_id")
        .annotate(total=Sum("paid_kopecks"))
    )
    if not paid:
        return
    invoices = {inv.policy_id: inv for inv in registry.invoices.filter(policy_id__in=paid)}
    for policy_id, amount in paid.items():
        invoice = invoices.get(policy_id)
        absorbed = 0
        if invoice is not None:
            absorbed = min(amount, invoice.copay_kopecks + invoice.adjustment_kopecks)
            invoice.credit_kopecks = absorbed
            _recompute(invoice)
            invoice.save(update_fields=["credit_kopecks", "due_kopecks", "status", "paid_at"])
        ledger_move(
            policy_id=policy_id,
            source=LedgerAccount.COPAY,
            target=LedgerAccount.DEPOSIT,
            amount_kopecks=amount - absorbed,
            memo=_("Переплата по реестру %(r)s, заменённому исправленным") % {"r": earlier.pk},
        )


def _offset_deposits(registry: Registry) -> None:
    """Deposit held above the program's non-reducible amount pays (part of) the new invoice."""
    held: dict[int, int] = defaultdict(int)
    rows = (
        LedgerEntry.objects.filter(
            account=LedgerAccount.DEPOSIT,
            policy__copay_invoices__registry=registry,
            policy__copay_invoices__status=InvoiceStatus.NEW,
        )
        .values_list("policy_id")
        .annotate(total=Sum("amount_kopecks"))
    )
    for policy_id, total in rows:
        held[policy_id] = int(total or 0)
    if not held:
        return
    invoices = registry.invoices.filter(policy_id__in=held).select_related("policy__program")
    for invoice in invoices:
        free = held[invoice.policy_id] - invoice.policy.program.deposit_per_person_kopecks
        part = min(max(free, 0), invoice.due_kopecks)
        if part <= 0:
            continue
        invoice.deposit_kopecks = part
        _recompute(invoice)
        invoice.save(update_fields=["deposit_kopecks", "due_kopecks", "status", "paid_at"])
        ledger_move(
            policy_id=invoice.policy_id,
            source=LedgerAccount.DEPOSIT,
            target=LedgerAccount.COPAY,
            amount_kopecks=part,
            memo=_("Зачёт авансового платежа в счёт № %(n)s") % {"n": invoice.number},
        )


def _recompute(invoice: CopayInvoice) -> None:
    """The due amount again (CopayInvoice.recompute_due); nothing left to pay → paid."""
    invoice.recompute_due()
    if invoice.paid_kopecks >= invoice.due_kopecks and invoice.status == InvoiceStatus.NEW:
        invoice.status = InvoiceStatus.PAID
        invoice.paid_at = clock.now()
