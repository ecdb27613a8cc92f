"""Reads for «Мои счета» and «Полученные услуги». Every read starts from the viewer
(coverage.selectors.policies_for_user: their own policies and their relatives' they hold);
another person's invoice or line is simply not found.

What is payable on an invoice is one rule, here: what is left to pay (due − paid) less the co-pay
of its lines under an open dispute, which is held back until the dispute is answered."""

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Exists, IntegerField, OuterRef, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils.translation import gettext as _

from polis.accounts.models import User
from polis.billing import copay
from polis.billing.models import (
    CopayInvoice,
    Dispute,
    DisputeStatus,
    InvoiceStatus,
    LineStatus,
    RegistryLine,
    RegistryStatus,
)
from polis.coverage.models import Policy
from polis.coverage.selectors import Viewer, policies_for_user
from polis.payments.models import Payment, PaymentPurpose, PaymentStatus
from polis.payments.selectors import payments_for_user


def dispute_new_path(line_id: int, kind: str = "") -> str:
    """Where «Несогласие с услугой» for a line is filed."""
    from django.urls import reverse

    path = reverse("disputes:new", args=[line_id])
    return f"{path}?kind={kind}" if kind else path


# ── Disputes held back ──────────────────────────────────────────────────────────────────────


def _open_disputes_of_invoice() -> QuerySet[Dispute]:
    """Open disputes on an invoice's lines, correlated to the invoice row of the outer query."""
    return Dispute.objects.filter(
        status=DisputeStatus.OPEN,
        line__registry_id=OuterRef("registry_id"),
        line__policy_id=OuterRef("policy_id"),
        line__status=LineStatus.ACCEPTED,
    )


def with_dispute_figures(invoices: QuerySet[CopayInvoice]) -> QuerySet[CopayInvoice]:
    """Each invoice with `has_open_dispute` and `held_kopecks` (the co-pay of its lines under an
    open dispute), in the same query as the invoices."""
    held = (
        _open_disputes_of_invoice()
        .order_by()
        .values("line__policy_id")
        .annotate(total=Sum("line__copay_kopecks"))
        .values("total")[:1]
    )
    return invoices.annotate(
        has_open_dispute=Exists(_open_disputes_of_invoice()),
        held_kopecks=Coalesce(Subquery(held, output_field=IntegerField()), Value(0)),
    )


def held_back_kopecks(*, invoice_id: int) -> int:
    """The co-pay of an invoice's lines under an open dispute, read now (for writers that must
    not trust an annotation read before their lock)."""
    invoice = with_dispute_figures(CopayInvoice.objects.filter(pk=invoice_id)).first()
    return int(getattr(invoice, "held_kopecks", 0) or 0)


def payable_kopecks(invoice: CopayInvoice) -> int:
    """What can be paid on the invoice now: nothing on a paid or cancelled one; otherwise what is
    left less the co-pay held back by open disputes. `invoice` comes from with_dispute_figures."""
    if invoice.status != InvoiceStatus.NEW:
        return 0
    return max(0, invoice.outstanding_kopecks - int(getattr(invoice, "held_kopecks", 0) or 0))


def shown_status(invoice: CopayInvoice, *, today: dt.date) -> str:
    return copay.shown_status(invoice, today=today, has_open_dispute=bool(getattr(invoice, "has_open_dispute", False)))


# ── «Мои счета» ─────────────────────────────────────────────────────────────────────────────


def invoices_for_user(*, user: Viewer) -> QuerySet[CopayInvoice]:
    """The invoices of the viewer's own and relatives' policies, newest first, each with its
    person, clinic and dispute figures loaded: a page of any length is one query."""
    policies = policies_for_user(user=user).values("pk")
    return with_dispute_figures(
        CopayInvoice.objects.filter(policy_id__in=policies).select_related(
            "policy__insured", "registry__clinic", "registry"
        )
    ).order_by("-issued_on", "-pk")


def invoice_for_user(*, user: Viewer, invoice_id: int) -> CopayInvoice:
    invoice = invoices_for_user(user=user).filter(pk=invoice_id).first()
    if invoice is None:
        raise Http404(_("Счёт не найден"))
    return invoice


def pending_copay_payments(*, user: User) -> QuerySet[Payment]:
    """Invoice payments the viewer started and has not finished: the list offers to continue them."""
    return payments_for_user(user=user).filter(purpose=PaymentPurpose.COPAY, status=PaymentStatus.PENDING)


def category_label(policy: Policy) -> str:
    """«Сотрудник» for the employee, the relation for a relative («Ребёнок», «Супруг(а)» …)."""
    return str(policy.get_relation_display())


@dataclass(frozen=True)
class InvoiceRow:
    """One invoice as the list and the API show it."""

    invoice: CopayInvoice
    shown: str
    payable: int

    @property
    def label(self) -> str:
        return str(copay.SHOWN_LABELS[self.shown])

    @property
    def badge(self) -> str:
        return copay.SHOWN_BADGES[self.shown]

    @property
    def selectable(self) -> bool:
        """A paid, cancelled or fully disputed invoice cannot be ticked for paying."""
        return self.payable > 0

    @property
    def held(self) -> int:
        return int(getattr(self.invoice, "held_kopecks", 0) or 0)

    @property
    def category(self) -> str:
        return category_label(self.invoice.policy)

    @property
    def corrections(self) -> int:
        """Adjustments after disputes and credit from a replaced registry, as one (≤ 0) figure."""
        return self.invoice.adjustment_kopecks - self.invoice.credit_kopecks


def invoice_row(invoice: CopayInvoice, *, today: dt.date) -> InvoiceRow:
    return InvoiceRow(invoice=invoice, shown=shown_status(invoice, today=today), payable=payable_kopecks(invoice))


def invoice_rows(invoices: Iterable[CopayInvoice], *, today: dt.date) -> list[InvoiceRow]:
    return [invoice_row(invoice, today=today) for invoice in invoices]


# ── Lines: one invoice's, and «Полученные услуги» ─────────────────────────────────────────


def _with_open_dispute(lines: QuerySet[RegistryLine]) -> QuerySet[RegistryLine]:
    return lines.annotate(
        has_open_dispute=Exists(Dispute.objects.filter(line_id=OuterRef("pk"), status=DisputeStatus.OPEN))
    )


def invoice_lines(*, invoice: CopayInvoice) -> QuerySet[RegistryLine]:
    """The lines an invoice bills: the accepted lines of its registry under its policy (there is
    no invoice-line table). The invoice must have come through invoice_for_user."""
    return _with_open_dispute(
        RegistryLine.objects.filter(
            registry_id=invoice.registry_id, policy_id=invoice.policy_id, status=LineStatus.ACCEPTED
        )
    ).order_by("service_date", "line_no")


@dataclass(frozen=True)
class ServicesFilter:
    person_id: int | None = None
    date_from: dt.date | None = None
    date_to: dt.date | None = None


def received_services(*, user: Viewer, only: ServicesFilter | None = None) -> QuerySet[RegistryLine]:
    """Every accepted line billed under the viewer's policies (franchise or not), newest service
    first, from registries not replaced by a corrected version. `only` narrows to one person and a
    period of service dates."""
    only = only or ServicesFilter()
    policies = policies_for_user(user=user)
    if only.person_id is not None:
        policies = policies.filter(insured_id=only.person_id)
    lines = RegistryLine.objects.filter(policy_id__in=policies.values("pk"), status=LineStatus.ACCEPTED).exclude(
        registry__status=RegistryStatus.REPLACED
    )
    if only.date_from is not None:
        lines = lines.filter(service_date__gte=only.date_from)
    if only.date_to is not None:
        lines = lines.filter(service_date__lte=only.date_to)
    return (
        _with_open_dispute(lines)
        .select_related("registry__clinic", "policy__insured")
        .order_by("-service_date", "-registry_id", "-line_no")
    )


def people_for_user(*, user: Viewer) -> list[tuple[int, str]]:
    """(insured person id, name) of everyone whose services the viewer sees, own first."""
    seen: dict[int, str] = {}
    for policy in policies_for_user(user=user):
        if policy.insured_id not in seen:
            label = policy.insured.full_name
            if not getattr(policy, "is_own", False):
                label = f"{label} ({category_label(policy).lower()})"
            seen[policy.insured_id] = label
    return list(seen.items())


def line_disputable(line: RegistryLine) -> bool:
    """A line can be disputed while no dispute on it is open (one open dispute per line)."""
    return not getattr(line, "has_open_dispute", False)


__all__ = [
    "InvoiceRow",
    "ServicesFilter",
    "dispute_new_path",
    "held_back_kopecks",
    "invoice_for_user",
    "invoice_lines",
    "invoice_row",
    "invoice_rows",
    "invoices_for_user",
    "payable_kopecks",
    "pending_copay_payments",
    "people_for_user",
    "received_services",
    "with_dispute_figures",
]
