"""«Мои счета» and «Полученные услуги» for the insured. Views parse, call a selector or a service,
and render; what is payable and what a status reads as live in selectors and billing.copay."""

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from polis import clock
from polis.accounts.models import Role
from polis.accounts.permissions import role_required, viewer
from polis.billing.invoices import exports, selectors, services
from polis.billing.invoices.selectors import ServicesFilter, dispute_new_path, line_disputable
from polis.billing.models import InvoiceStatus, RegistryLine
from polis.payments.models import PaymentPurpose, PaymentStatus
from polis.payments.selectors import payments_for_user
from polis.payments.services import PaymentError

insured_only = role_required(Role.INSURED)
INVOICES_PER_PAGE = 25
SERVICES_PER_PAGE = 50


# ── «Мои счета» ─────────────────────────────────────────────────────────────────────────────


def _list_page(
    request: HttpRequest, *, page_number: Any = None, selected: Iterable[int] = (), error: str = ""
) -> HttpResponse:
    user = viewer(request)
    page = Paginator(selectors.invoices_for_user(user=user), INVOICES_PER_PAGE).get_page(
        page_number or request.GET.get("page")
    )
    rows = selectors.invoice_rows(page.object_list, today=clock.today())
    chosen = {pk for pk in selected if any(r.invoice.pk == pk and r.selectable for r in rows)}
    return render(
        request,
        "billing/invoices/list.html",
        {
            "page_obj": page,
            "rows": rows,
            "chosen": chosen,
            "chosen_total": sum(r.payable for r in rows if r.invoice.pk in chosen),
            "show_corrections": any(r.corrections for r in rows),
            "any_selectable": any(r.selectable for r in rows),
            "error": error,
            "pending_payments": list(selectors.pending_copay_payments(user=user)[:5]),
        },
    )


@insured_only
def invoice_list(request: HttpRequest) -> HttpResponse:
    return _list_page(request)


def _ids(values: list[str]) -> list[int] | None:
    try:
        return [int(v) for v in values]
    except ValueError:
        return None


@insured_only
@require_POST
def pay(request: HttpRequest) -> HttpResponse:
    """The ticked invoices in one payment on the gateway's page; a refusal re-renders the list
    with the ticks kept and the reason on top."""
    ids = _ids(request.POST.getlist("invoices"))
    page_number = request.POST.get("page")
    if ids is None:
        return _list_page(request, page_number=page_number, error=_("Отметьте счета, которые хотите оплатить."))
    try:
        payment = services.invoices_pay_start(
            user=viewer(request), invoice_ids=ids, return_url=reverse("invoices:returned")
        )
    except PaymentError as refusal:
        return _list_page(request, page_number=page_number, selected=ids, error=refusal.message)
    return redirect(payment.confirmation_url)


@insured_only
def returned(request: HttpRequest) -> HttpResponse:
    """Where the payments' return page sends the payer back: a word on how it went, then the list
    (whose statuses say the rest)."""
    payment = (
        payments_for_user(user=viewer(request)).filter(purpose=PaymentPurpose.COPAY).order_by("-created_at").first()
    )
    if payment is not None:
        if payment.status == PaymentStatus.SUCCEEDED:
            messages.success(request, _("Оплата получена. Статус счетов — в списке ниже."))
        elif payment.status == PaymentStatus.CANCELED:
            messages.error(
                request,
                _("Платёж не прошёл: %(why)s. Счета не оплачены — попробуйте ещё раз.")
                % {"why": (payment.cancel_reason or _("банк не подтвердил оплату")).rstrip(".")},
            )
        else:
            messages.info(request, _("Ждём подтверждения оплаты от банка: статус обновится на этой странице."))
    return redirect("invoices:list")


# ── One invoice ─────────────────────────────────────────────────────────────────────────────


def _line_rows(lines: Iterable[RegistryLine], *, can_dispute: bool) -> list[dict[str, Any]]:
    return [
        {
            "line": line,
            "has_open_dispute": bool(getattr(line, "has_open_dispute", False)),
            "dispute_url": dispute_new_path(line.pk) if can_dispute and line_disputable(line) else "",
        }
        for line in lines
    ]


@insured_only
def detail(request: HttpRequest, invoice_id: int) -> HttpResponse:
    invoice = selectors.invoice_for_user(user=viewer(request), invoice_id=invoice_id)
    row = selectors.invoice_row(invoice, today=clock.today())
    lines = selectors.invoice_lines(invoice=invoice)
    return render(
        request,
        "billing/invoices/detail.html",
        {
            "invoice": invoice,
            "row": row,
            "clinic": invoice.registry.clinic,
            "lines": _line_rows(lines, can_dispute=invoice.status != InvoiceStatus.CANCELLED),
        },
    )


@insured_only
def download_csv(request: HttpRequest, invoice_id: int) -> HttpResponse:
    invoice = selectors.invoice_for_user(user=viewer(request), invoice_id=invoice_id)
    # One person's services for a month: small enough to build whole.
    response = HttpResponse(
        "".join(exports.invoice_csv(invoice, selectors.invoice_lines(invoice=invoice))),
        content_type="text/csv; charset=utf-8",
    )
    response["Content-Disposition"] = f'attachment; filename="{exports.file_name(invoice, "csv")}"'
    return response


@insured_only
def download_xlsx(request: HttpRequest, invoice_id: int) -> HttpResponse:
    invoice = selectors.invoice_for_user(user=viewer(request), invoice_id=invoice_id)
    response = HttpResponse(
        exports.invoice_xlsx(invoice, selectors.invoice_lines(invoice=invoice)),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="{exports.file_name(invoice, "xlsx")}"'
    return response


# ── «Полученные услуги» ─────────────────────────────────────────────────────────────────────

DATE_WIDGET = forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"})
DATE_FORMATS = ["%Y-%m-%d", "%d.%m.%Y"]


class ServicesFilterForm(forms.Form):
    person = forms.TypedChoiceField(label=gettext_lazy("Застрахованный"), required=False, coerce=int, empty_value=None)
    date_from = forms.DateField(label=gettext_lazy("С"), required=False, widget=DATE_WIDGET, input_formats=DATE_FORMATS)
    date_to = forms.DateField(label=gettext_lazy("По"), required=False, widget=DATE_WIDGET, input_formats=DATE_FORMATS)

    def __init__(self, *args: Any, people: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["person"].choices = [("", _("Все"))] + [(str(pk), name) for pk, name in people]  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", _("Конец периода раньше его начала."))
        return data

    def to_filter(self) -> ServicesFilter:
        if not self.is_bound or not self.is_valid():
            return ServicesFilter()
        data = self.cleaned_data
        start: dt.date | None = data.get("date_from")
        end: dt.date | None = data.get("date_to")
        return ServicesFilter(person_id=data.get("person"), date_from=start, date_to=end)


@insured_only
def received(request: HttpRequest) -> HttpResponse:
    user = viewer(request)
    form = ServicesFilterForm(request.GET or None, people=selectors.people_for_user(user=user))
    lines = selectors.received_services(user=user, only=form.to_filter())
    page = Paginator(lines, SERVICES_PER_PAGE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    rows = [
        {
            "line": line,
            "has_open_dispute": bool(getattr(line, "has_open_dispute", False)),
            "report_url": dispute_new_path(line.pk, kind="not_provided") if line_disputable(line) else "",
        }
        for line in page.object_list
    ]
    return render(
        request,
        "billing/invoices/services.html",
        {"form": form, "page_obj": page, "rows": rows, "query_string": query.urlencode()},
    )
