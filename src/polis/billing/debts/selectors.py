"""Reads about debts: who pays a person's invoices, which invoices are overdue, and the monthly
report for a contract's administrators (HR).

Medical secrecy (323-FZ art. 13): the employer learns amounts only. The report's queries touch
invoices and policies, never registry lines, so no service, clinic or diagnosis can leak into it.
"""

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass

from django.db.models import Count, Exists, F, Min, OuterRef, QuerySet, Sum
from django.http import Http404
from django.utils.translation import gettext as _

from polis import clock
from polis.accounts.models import User
from polis.billing.models import CopayInvoice, Dispute, DisputeStatus, InvoiceStatus
from polis.coverage.hr_selectors import hr_contracts
from polis.coverage.models import Contract, Policy


@dataclass(frozen=True)
class Payer:
    """Who is told about a person's invoice: the person, or for a relative the holder who pays."""

    name: str
    phone: str
    email: str
    user: User | None


def payer_of(policy: Policy) -> Payer:
    holder = policy.holder if policy.holder_id is not None else None
    person = holder or policy.insured
    user = policy.insured.user or (holder.user if holder is not None else None)
    account = person.user
    return Payer(
        name=person.full_name,
        phone=person.phone or (account.phone if account is not None and account.phone else ""),
        email=person.email or (account.email if account is not None else ""),
        user=user,
    )


def open_dispute_on_invoice() -> Exists:
    return Exists(Dispute.objects.filter(invoice_id=OuterRef("pk"), status=DisputeStatus.OPEN))


def unpaid_invoices() -> QuerySet[CopayInvoice]:
    """Issued invoices with something left to pay (cancelled ones owe nothing)."""
    return CopayInvoice.objects.filter(status=InvoiceStatus.NEW, due_kopecks__gt=F("paid_kopecks"))


def overdue_invoices(*, before: dt.date) -> QuerySet[CopayInvoice]:
    """Unpaid invoices whose last day to pay was before `before`, and that no open dispute holds
    back (while a line is disputed, its invoice's deadline does not bite)."""
    return unpaid_invoices().filter(due_on__lt=before).exclude(open_dispute_on_invoice())


# ── The monthly report for HR ────────────────────────────────────────────────────────────────


@dataclass(frozen=True)
class DebtRow:
    full_name: str
    policy_number: str
    category: str
    invoices: int
    outstanding_kopecks: int
    oldest_due_on: dt.date


def month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def next_month(month: dt.date) -> dt.date:
    return (month.replace(day=28) + dt.timedelta(days=4)).replace(day=1)


def report_cutoff(month: dt.date, *, today: dt.date | None = None) -> dt.date:
    """A month's report counts invoices overdue by the end of that month (for the current month,
    by today): due before the 1st of the next month, or before today if that comes first."""
    return min(next_month(month_start(month)), today or clock.today())


def debt_report(*, contract: Contract, month: dt.date, today: dt.date | None = None) -> list[DebtRow]:
    """One row per person of the contract with overdue co-pay: name, policy, category (employee
    or relative), number of invoices, what is left to pay now, the oldest due date. Amounts only."""
    cutoff = report_cutoff(month, today=today)
    grouped = (
        overdue_invoices(before=cutoff)
        .filter(policy__contract=contract)
        .values("policy_id")
        .annotate(
            invoices=Count("pk"),
            outstanding=Sum(F("due_kopecks") - F("paid_kopecks")),
            oldest=Min("due_on"),
        )
    )
    totals = {row["policy_id"]: row for row in grouped}
    policies = (
        Policy.objects.filter(pk__in=totals)
        .select_related("insured")
        .only("pk", "number", "relation", "insured__last_name", "insured__first_name", "insured__patronymic")
    )
    rows = [
        DebtRow(
            full_name=policy.insured.full_name,
            policy_number=policy.number,
            category=str(policy.get_relation_display()),
            invoices=totals[policy.pk]["invoices"],
            outstanding_kopecks=int(totals[policy.pk]["outstanding"] or 0),
            oldest_due_on=totals[policy.pk]["oldest"],
        )
        for policy in policies
    ]
    rows.sort(key=lambda r: (r.full_name.casefold(), r.policy_number))
    return rows


def contracts_with_debts(*, before: dt.date) -> QuerySet[Contract]:
    ids = overdue_invoices(before=before).values("policy__contract_id")
    return Contract.objects.filter(pk__in=ids).order_by("number")


def hr_debt_contract(*, viewer: User, contract_id: int | None) -> Contract | None:
    """The contract the administrator asks about: one of their own, or their first by default.
    Another contract's id is not found (404), as if it did not exist."""
    contracts = hr_contracts(viewer=viewer)
    if contract_id is None:
        return contracts.first()
    found = contracts.filter(pk=contract_id).first()
    if found is None:
        raise Http404(_("Договор не найден"))
    return found


def report_months(*, contract: Contract, today: dt.date | None = None) -> list[dt.date]:
    """The months a report can be asked for: from the contract's start (at most 24 back) to now."""
    current = month_start(today or clock.today())
    first = month_start(contract.starts_on)
    months: list[dt.date] = []
    month = current
    while month >= first and len(months) < 24:
        months.append(month)
        month = month_start(month - dt.timedelta(days=1))
    return months


def report_table(rows: list[DebtRow]) -> Iterator[list[object]]:
    """The report as cells, a header first: what the CSV and the e-mail show."""
    yield [_("ФИО"), _("Полис"), _("Категория"), _("Счетов"), _("Долг, ₽"), _("Самый ранний срок оплаты")]
    for row in rows:
        rub, kop = divmod(row.outstanding_kopecks, 100)
        yield [
            row.full_name,
            row.policy_number,
            row.category,
            row.invoices,
            f"{rub},{kop:02d}",
            row.oldest_due_on.strftime("%d.%m.%Y"),
        ]
