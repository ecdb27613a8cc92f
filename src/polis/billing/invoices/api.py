"""Co-pay invoices and services received, for the mobile app: the same selectors and services as
«Мои счета», so the same invoices, the same payable sums and the same refusals.

Mounted at the API's root (the router's paths carry /invoices and /services). Paying answers with
the gateway's page to open (`confirmation_url`); afterwards the app asks GET /payments/{id}."""

import datetime as dt
import uuid
from http import HTTPStatus
from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status

from polis import clock
from polis.api.auth import page_window, request_user
from polis.api.errors import ApiError
from polis.api.schemas import ErrorOut
from polis.billing.invoices import selectors, services
from polis.billing.invoices.selectors import InvoiceRow, ServicesFilter, dispute_new_path, line_disputable
from polis.billing.models import InvoiceStatus, RegistryLine
from polis.payments import receipts
from polis.payments.services import PaymentError

invoices_router = Router()


class InvoiceOut(Schema):
    id: int
    number: str
    issued_on: dt.date
    due_on: dt.date
    period: dt.date = Field(description="месяц реестра клиники (первое число)")
    policy_id: int
    policy_number: str
    full_name: str
    category: str = Field(description="«Сотрудник» или кем приходится родственник")
    clinic: str
    lines_count: int
    cost_kopecks: int
    copay_kopecks: int
    adjustment_kopecks: int = Field(description="исправления по удовлетворённым несогласиям (≤ 0)")
    deposit_kopecks: int = Field(description="зачтено из авансового платежа")
    credit_kopecks: int = Field(description="оплачено по прежней версии реестра")
    due_kopecks: int = Field(description="итого к оплате")
    paid_kopecks: int
    outstanding_kopecks: int
    held_kopecks: int = Field(description="франшиза по оспариваемым услугам: до ответа платить не нужно")
    payable_kopecks: int = Field(description="сколько можно оплатить сейчас")
    can_pay: bool
    status: str = Field(description="new, paid, overdue, disputed или cancelled")
    status_label: str
    has_open_dispute: bool
    paid_at: dt.datetime | None
    cancel_reason: str


class InvoiceLineOut(Schema):
    id: int
    line_no: int
    service_date: dt.date | None
    clinic: str
    service_code: str
    service_name: str
    quantity: int | None
    price_kopecks: int | None
    sum_kopecks: int | None
    copay_kopecks: int
    copay_rule: str
    has_open_dispute: bool
    dispute_url: str | None = Field(description="страница «Несогласие с услугой»; нет, пока несогласие открыто")


class InvoiceDetailOut(InvoiceOut):
    lines: list[InvoiceLineOut]


class PayIn(Schema):
    invoice_ids: list[int] = Field(min_length=1, max_length=50)
    receipt_contact: str = Field("", max_length=254, description="e-mail или телефон для чека; по умолчанию из профиля")


class PayOut(Schema):
    payment_id: uuid.UUID
    confirmation_url: str = Field(description="страница оплаты шлюза: откройте её в браузере")
    amount_kopecks: int


class ServiceOut(Schema):
    id: int
    service_date: dt.date | None
    policy_id: int
    full_name: str
    clinic: str
    service_code: str
    service_name: str
    quantity: int | None
    sum_kopecks: int | None = Field(description="стоимость услуги для страховой компании")
    copay_kopecks: int
    has_open_dispute: bool
    not_provided_url: str | None = Field(description="сообщить, что услуга не оказывалась")


def _invoice(row: InvoiceRow) -> dict[str, Any]:
    invoice = row.invoice
    return {
        "id": invoice.pk,
        "number": invoice.number,
        "issued_on": invoice.issued_on,
        "due_on": invoice.due_on,
        "period": invoice.registry.period,
        "policy_id": invoice.policy_id,
        "policy_number": invoice.policy.number,
        "full_name": invoice.policy.insured.full_name,
        "category": row.category,
        "clinic": invoice.registry.clinic.name,
        "lines_count": invoice.lines_count,
        "cost_kopecks": invoice.cost_kopecks,
        "copay_kopecks": invoice.copay_kopecks,
        "adjustment_kopecks": invoice.adjustment_kopecks,
        "deposit_kopecks": invoice.deposit_kopecks,
        "credit_kopecks": invoice.credit_kopecks,
        "due_kopecks": invoice.due_kopecks,
        "paid_kopecks": invoice.paid_kopecks,
        "outstanding_kopecks": invoice.outstanding_kopecks,
        "held_kopecks": row.held,
        "payable_kopecks": row.payable,
        "can_pay": row.selectable,
        "status": row.shown,
        "status_label": row.label,
        "has_open_dispute": bool(getattr(invoice, "has_open_dispute", False)),
        "paid_at": invoice.paid_at,
        "cancel_reason": invoice.cancel_reason,
    }


def _line(request: HttpRequest, line: RegistryLine, *, clinic: str, can_dispute: bool) -> dict[str, Any]:
    return {
        "id": line.pk,
        "line_no": line.line_no,
        "service_date": line.service_date,
        "clinic": clinic,
        "service_code": line.service_code,
        "service_name": line.service_name,
        "quantity": line.quantity,
        "price_kopecks": line.price_kopecks,
        "sum_kopecks": line.sum_kopecks,
        "copay_kopecks": line.copay_kopecks,
        "copay_rule": line.copay_rule,
        "has_open_dispute": bool(getattr(line, "has_open_dispute", False)),
        "dispute_url": (
            request.build_absolute_uri(dispute_new_path(line.pk)) if can_dispute and line_disputable(line) else None
        ),
    }


@invoices_router.get("/invoices", response=list[InvoiceOut], url_name="invoices_list", summary="Мои счета")
def invoice_list(request: HttpRequest, limit: int = 50, offset: int = 0) -> list[dict[str, Any]]:
    """Co-pay invoices of the user and of the relatives whose policies they hold, newest first;
    `limit` (at most 100) and `offset` page through them. `payable_kopecks` is what can be paid
    now: the co-pay of services under an open dispute waits for the answer."""
    start, end = page_window(limit, offset)
    found = selectors.invoices_for_user(user=request_user(request))[start:end]
    return [_invoice(row) for row in selectors.invoice_rows(found, today=clock.today())]


@invoices_router.post(
    "/invoices/pay",
    response={201: PayOut, 400: ErrorOut, 404: ErrorOut, 409: ErrorOut},
    url_name="invoices_pay",
    summary="Оплатить выбранные счета",
)
def invoices_pay(request: HttpRequest, payload: PayIn) -> Status[Any]:
    """One payment for the invoices chosen, each for what is payable on it now. 201 with the
    gateway's `confirmation_url`; sending the same choice again while it is unpaid returns the
    same payment. A paid, cancelled or fully disputed invoice is refused (409); another person's
    invoice is not found (404)."""
    user = request_user(request)
    contact = payload.receipt_contact.strip() or user.email or user.phone or ""
    try:
        receipts.receipt_customer(contact)
    except receipts.InvalidReceiptContact:
        raise ApiError(
            _("Укажите e-mail или номер мобильного телефона, куда прислать чек."), code="invalid_receipt_contact"
        ) from None
    try:
        payment = services.invoices_pay_start(
            user=user, invoice_ids=payload.invoice_ids, return_url=reverse("invoices:returned"), receipt_contact=contact
        )
    except services.InvoiceNotFound as missing:
        return Status(HTTPStatus.NOT_FOUND, {"detail": missing.message, "code": "not_found", "field": "invoice_ids"})
    except PaymentError as refusal:
        return Status(
            HTTPStatus.CONFLICT, {"detail": refusal.message, "code": "invoice_refused", "field": "invoice_ids"}
        )
    return Status(
        HTTPStatus.CREATED,
        {
            "payment_id": payment.pk,
            # The sandbox's page is a path of this site; the app needs the whole address.
            "confirmation_url": request.build_absolute_uri(payment.confirmation_url),
            "amount_kopecks": payment.amount_kopecks,
        },
    )


@invoices_router.get(
    "/invoices/{int:invoice_id}", response=InvoiceDetailOut, url_name="invoices_detail", summary="Счёт и его услуги"
)
def invoice_detail(request: HttpRequest, invoice_id: int) -> dict[str, Any]:
    """The invoice's figures and each service it bills (date, clinic, service, quantity, cost,
    co-pay and the rule it followed). Another person's invoice: 404."""
    invoice = selectors.invoice_for_user(user=request_user(request), invoice_id=invoice_id)
    body = _invoice(selectors.invoice_row(invoice, today=clock.today()))
    clinic = invoice.registry.clinic.name
    can_dispute = invoice.status != InvoiceStatus.CANCELLED
    body["lines"] = [
        _line(request, line, clinic=clinic, can_dispute=can_dispute)
        for line in selectors.invoice_lines(invoice=invoice)
    ]
    return body


@invoices_router.get("/services", response=list[ServiceOut], url_name="services_list", summary="Полученные услуги")
def received_services(
    request: HttpRequest,
    person_id: int | None = None,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
    limit: int = 50,
    offset: int = 0,
) -> list[dict[str, Any]]:
    """Every service clinics billed to the insurer under the user's and their relatives' policies,
    with or without a franchise, newest first: the cost to the insurer and the co-pay if any.
    `person_id` (an insured person) and `date_from`/`date_to` (service dates) narrow the list."""
    start, end = page_window(limit, offset)
    only = ServicesFilter(person_id=person_id, date_from=date_from, date_to=date_to)
    lines = selectors.received_services(user=request_user(request), only=only)[start:end]
    return [
        {
            "id": line.pk,
            "service_date": line.service_date,
            "policy_id": line.policy_id,
            "full_name": line.policy.insured.full_name if line.policy else "",
            "clinic": line.registry.clinic.name,
            "service_code": line.service_code,
            "service_name": line.service_name,
            "quantity": line.quantity,
            "sum_kopecks": line.sum_kopecks,
            "copay_kopecks": line.copay_kopecks,
            "has_open_dispute": bool(getattr(line, "has_open_dispute", False)),
            "not_provided_url": (
                request.build_absolute_uri(dispute_new_path(line.pk, kind="not_provided"))
                if line_disputable(line)
                else None
            ),
        }
        for line in lines
    ]
