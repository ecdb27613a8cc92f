"""The co-pay rules, each written once: how a line's co-pay is computed and rounded, when an
invoice is due, and what an invoice's status reads as on a given day.

The registry pipeline computes co-pay for a million lines at a time as a Polars column
(`percent_expr`); SQL has the same rule as `percent_sql`. Property tests hold all three equal.
"""

import datetime as dt
from decimal import Decimal

import polars as pl
from django.utils.translation import gettext_lazy as _

from polis import calendar
from polis.billing.models import CopayInvoice, InvoiceStatus
from polis.coverage.models import KindOfCare, Program, ServiceCategory

# Which kind of care a service category belongs to: a line is covered when the person's program
# covers that kind, and the clinic is in the program for it.
CATEGORY_KIND: dict[str, str] = {
    ServiceCategory.CONSULTATION: KindOfCare.OUTPATIENT,
    ServiceCategory.DIAGNOSTICS: KindOfCare.OUTPATIENT,
    ServiceCategory.PROCEDURES: KindOfCare.OUTPATIENT,
    ServiceCategory.DENTAL: KindOfCare.DENTAL,
    ServiceCategory.HOME_VISIT: KindOfCare.HOME_CARE,
    ServiceCategory.EMERGENCY: KindOfCare.EMERGENCY,
    ServiceCategory.INPATIENT: KindOfCare.INPATIENT,
    ServiceCategory.TELEMEDICINE: KindOfCare.TELEMEDICINE,
}


def percent_basis_points(percent: Decimal) -> int:
    """30 % → 3000; 12.5 % → 1250 (CopayRule.percent has two decimals)."""
    return int((percent * 100).to_integral_value())


def percent_copay(sum_kopecks: int, percent: Decimal) -> int:
    """A percentage of a line's cost, rounded to the kopeck half up (the one rounding rule).
    Never more than the cost, never negative."""
    bp = percent_basis_points(percent)
    return min(sum_kopecks, (sum_kopecks * bp + 5000) // 10000)


def percent_sql(sum_expr: str, bp_expr: str) -> str:
    """`percent_copay` as an SQL expression over integer columns (same half-up rounding; integer
    division truncates, which for non-negative values is floor). Portable: no LEAST in SQLite."""
    share = f"(({sum_expr}) * ({bp_expr}) + 5000) / 10000"
    return f"CASE WHEN {share} > {sum_expr} THEN {sum_expr} ELSE {share} END"


def percent_expr(sum_kopecks: pl.Expr, bp: pl.Expr) -> pl.Expr:
    """`percent_copay` over Int64 columns (floor division of non-negative values: half up)."""
    share = (sum_kopecks * bp + 5000) // 10000
    return pl.when(share > sum_kopecks).then(sum_kopecks).otherwise(share)


def fixed_copay(visit_cost_kopecks: int, fixed_kopecks: int) -> int:
    """A fixed sum per visit, charged once per visit (the person, the day, the category at one
    clinic) on the visit's first line, never more than that line's cost."""
    return min(visit_cost_kopecks, fixed_kopecks)


def due_on(*, program: Program, issued_on: dt.date) -> dt.date:
    """The last day to pay an invoice issued on `issued_on`: the contract's deadline, N working
    days by the production calendar or N calendar days (moved off a day off, CC art. 193).
    A program that sets no deadline gets 30 calendar days."""
    days = program.payment_deadline_days or 30
    kind = program.payment_deadline_kind or "calendar"
    return calendar.deadline(start=issued_on, days=days, kind=kind)


class Shown:
    """What an invoice's status reads as (stored new/paid/cancelled, plus derived ones)."""

    NEW = "new"
    PAID = "paid"
    CANCELLED = "cancelled"
    OVERDUE = "overdue"
    DISPUTED = "disputed"


SHOWN_LABELS = {
    Shown.NEW: _("Новый"),
    Shown.PAID: _("Оплачен"),
    Shown.CANCELLED: _("Отменён"),
    Shown.OVERDUE: _("Просрочен"),
    Shown.DISPUTED: _("Оспаривается"),
}
SHOWN_BADGES = {
    Shown.NEW: "warn",
    Shown.PAID: "ok",
    Shown.CANCELLED: "muted",
    Shown.OVERDUE: "err",
    Shown.DISPUTED: "info",
}


def shown_status(invoice: CopayInvoice, *, today: dt.date, has_open_dispute: bool) -> str:
    """new, paid, overdue, disputed or cancelled. An open dispute shows first on an unpaid
    invoice (its deadline does not bite meanwhile); unpaid past `due_on` is overdue."""
    if invoice.status == InvoiceStatus.CANCELLED:
        return Shown.CANCELLED
    if invoice.status == InvoiceStatus.PAID:
        return Shown.PAID
    if has_open_dispute:
        return Shown.DISPUTED
    if today > invoice.due_on:
        return Shown.OVERDUE
    return Shown.NEW
