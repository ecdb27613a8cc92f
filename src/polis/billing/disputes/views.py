"""Dispute pages: the insured's form, list and detail (/my/disputes/), and the back office's
queue and review (/backoffice/disputes/). Views parse, call a service or a selector, and render."""

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from polis import clock
from polis.accounts.models import Role
from polis.accounts.permissions import role_required, viewer
from polis.billing.debts.services import INVOICES_PATH
from polis.billing.disputes import selectors, services
from polis.billing.disputes.forms import DisputeForm, QueueFilterForm, RejectForm, UpholdForm
from polis.billing.disputes.selectors import AnswerClock
from polis.billing.disputes.services import DisputeError
from polis.billing.invoices import selectors as invoice_selectors
from polis.billing.models import Dispute, DisputeKind, DisputeStatus, InvoiceAdjustment
from polis.money import to_rubles

insured_only = role_required(Role.INSURED)
staff_only = role_required(Role.BACKOFFICE)
INSURED_PER_PAGE = 25
QUEUE_PER_PAGE = 50


@dataclass(frozen=True)
class Row:
    dispute: Dispute
    clock: AnswerClock


def _rows(disputes: Any) -> list[Row]:
    today = clock.today()
    return [Row(dispute=d, clock=selectors.answer_clock(d, today=today)) for d in disputes]


def _adjustment(dispute: Dispute) -> InvoiceAdjustment | None:
    return InvoiceAdjustment.objects.filter(dispute=dispute).select_related("refund").first()


# ── The insured ──────────────────────────────────────────────────────────────────────────────


@insured_only
def dispute_new(request: HttpRequest, line_id: int) -> HttpResponse:
    user = viewer(request)
    line = selectors.line_for_user(user=user, line_id=line_id)
    existing = selectors.open_dispute_on(line)
    if request.method == "POST" and existing is None:
        form = DisputeForm(request.POST, request.FILES)
        if form.is_valid():
            data = form.cleaned_data
            try:
                dispute = services.dispute_submit(
                    user=user,
                    line_id=line.pk,
                    kind=data["kind"],
                    comment=data["comment"],
                    quantity_claimed=data.get("quantity_claimed"),
                    files=data.get("attachments") or [],
                )
            except DisputeError as error:
                form.add_refusal(error)
            else:
                messages.success(
                    request,
                    _("Несогласие принято. Ответим до %(date)s.")
                    % {"date": dispute.answer_due_on.strftime("%d.%m.%Y")},
                )
                return redirect("disputes:detail", pk=dispute.pk)
        files_lost = bool(request.FILES)
    else:
        kind = request.GET.get("kind", "")
        form = DisputeForm(initial={"kind": kind} if kind in DisputeKind.values else {})
        files_lost = False
    context = {
        "line": line,
        "copay_now": selectors.line_copay_now(line),
        "form": form,
        "existing": existing,
        "files_lost": files_lost,
        "quantity_kind": DisputeKind.QUANTITY.value,
    }
    return render(request, "billing/disputes/new.html", context)


@insured_only
def dispute_list(request: HttpRequest) -> HttpResponse:
    page = Paginator(selectors.disputes_for_user(user=viewer(request)), INSURED_PER_PAGE).get_page(
        request.GET.get("page")
    )
    return render(request, "billing/disputes/list.html", {"page_obj": page, "rows": _rows(page.object_list)})


@insured_only
def dispute_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = viewer(request)
    dispute = selectors.dispute_for_user(user=user, pk=pk)
    context = {
        "dispute": dispute,
        "clock": selectors.answer_clock(dispute),
        "files": list(dispute.files.all()) if dispute.submitted_by_id == user.pk else [],
        "adjustment": _adjustment(dispute),
        "invoices_url": INVOICES_PATH,
    }
    return render(request, "billing/disputes/detail.html", context)


# role_required is typed for HttpResponse; a FileResponse streams the file instead.
@role_required(Role.INSURED, Role.BACKOFFICE)  # type: ignore[arg-type]
def dispute_file(request: HttpRequest, file_id: int) -> FileResponse:
    found = selectors.dispute_file_for(user=viewer(request), file_id=file_id)
    return FileResponse(found.file.open("rb"), as_attachment=True, filename=found.name, content_type=found.content_type)


# ── The back office ──────────────────────────────────────────────────────────────────────────


@staff_only
def queue(request: HttpRequest) -> HttpResponse:
    staff = viewer(request)
    form = QueueFilterForm(request.GET or None, clinics=selectors.queue_clinics(staff=staff))
    disputes = selectors.disputes_queue(staff=staff, filters=form.to_filter())
    page = Paginator(disputes, QUEUE_PER_PAGE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "form": form,
        "page_obj": page,
        "rows": _rows(page.object_list),
        "query_string": query.urlencode(),
        "signals": selectors.not_provided_by_clinic(staff=staff),
    }
    return render(request, "billing/disputes/queue.html", context)


def _suggested_copay(dispute: Dispute) -> Decimal:
    """What the uphold form starts from: 0 for a service not provided, the claimed share of the
    co-pay for a different quantity (half up), otherwise the co-pay as it is."""
    line = dispute.line
    now = selectors.line_copay_now(line)
    if dispute.kind == DisputeKind.NOT_PROVIDED:
        return Decimal(0)
    if dispute.kind == DisputeKind.QUANTITY and dispute.quantity_claimed is not None and line.quantity:
        return to_rubles((2 * now * dispute.quantity_claimed + line.quantity) // (2 * line.quantity))
    return to_rubles(now)


def _review(
    request: HttpRequest,
    dispute: Dispute,
    *,
    reject_form: RejectForm | None = None,
    uphold_form: UpholdForm | None = None,
) -> HttpResponse:
    invoice = dispute.invoice
    context = {
        "dispute": dispute,
        "line": dispute.line,
        "copay_now": selectors.line_copay_now(dispute.line),
        "clock": selectors.answer_clock(dispute),
        "files": list(dispute.files.all()),
        "invoice": invoice,
        "invoice_lines": list(invoice_selectors.invoice_lines(invoice=invoice)) if invoice else [],
        "held": selectors.held_copay_kopecks(invoice=invoice) if invoice else 0,
        "adjustment": _adjustment(dispute),
        "is_open": dispute.status == DisputeStatus.OPEN,
        "reject_form": reject_form or RejectForm(prefix="reject"),
        "uphold_form": uphold_form
        or UpholdForm(prefix="uphold", initial={"corrected_copay": _suggested_copay(dispute)}),
    }
    return render(request, "billing/disputes/review.html", context)


def _refused(request: HttpRequest, pk: int, **forms: Any) -> HttpResponse:
    """The review again with the form that failed, as typed; or, when the dispute was answered
    meanwhile (another tab, a double click), the answer with the refusal on top."""
    dispute = selectors.dispute_for_staff(staff=viewer(request), pk=pk)
    if dispute.status != DisputeStatus.OPEN:
        for form in forms.values():
            for error in form.non_field_errors():
                messages.error(request, error)
        return redirect("disputes_backoffice:review", pk=pk)
    return _review(request, dispute, **forms)


@staff_only
def review(request: HttpRequest, pk: int) -> HttpResponse:
    return _review(request, selectors.dispute_for_staff(staff=viewer(request), pk=pk))


@staff_only
@require_POST
def reject(request: HttpRequest, pk: int) -> HttpResponse:
    staff = viewer(request)
    dispute = selectors.dispute_for_staff(staff=staff, pk=pk)
    form = RejectForm(request.POST, prefix="reject")
    if form.is_valid():
        try:
            services.dispute_reject(dispute=dispute, staff=staff, answer=form.cleaned_data["answer"])
        except DisputeError as error:
            form.add_refusal(error)
        else:
            messages.success(request, _("Несогласие отклонено, застрахованному отправлен ответ."))
            return redirect("disputes_backoffice:review", pk=pk)
    return _refused(request, pk, reject_form=form)


@staff_only
@require_POST
def uphold(request: HttpRequest, pk: int) -> HttpResponse:
    staff = viewer(request)
    dispute = selectors.dispute_for_staff(staff=staff, pk=pk)
    form = UpholdForm(request.POST, prefix="uphold")
    if form.is_valid():
        try:
            services.dispute_uphold(
                dispute=dispute,
                staff=staff,
                answer=form.cleaned_data["answer"],
                corrected_copay_kopecks=form.corrected_copay_kopecks,
            )
        except DisputeError as error:
            form.add_refusal(error)
        else:
            messages.success(request, _("Несогласие удовлетворено, счёт исправлен, застрахованному отправлен ответ."))
            return redirect("disputes_backoffice:review", pk=pk)
    return _refused(request, pk, uphold_form=form)
