"""The franchise for the mobile app: the same selectors and services as «Оплата франшизы», so the
same people, the same refusals and the same single pending payment per subject.

A deposit or a card binding answers with the gateway's page to open (`confirmation_url`); the
app opens it, and afterwards asks GET /payments/{id} how it ended."""

import datetime as dt
import uuid
from collections.abc import Callable
from http import HTTPStatus
from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status

from polis.accounts.models import User
from polis.api.auth import request_user
from polis.api.schemas import ErrorOut
from polis.billing.models import FranchiseActivation, RefundApplication
from polis.billing.selectors import (
    ClinicLine,
    FranchiseStatus,
    PersonFranchise,
    franchise_people,
    franchise_status,
)
from polis.billing.services import (
    ActivationStart,
    FranchiseError,
    autopay_cap_kopecks,
    franchise_card_bind_start,
    franchise_card_unbind,
    franchise_consent_give,
    franchise_deposit_start,
    live_card,
    refund_application_submit,
)
from polis.coverage.api import PersonOut
from polis.payments import receipts
from polis.payments.services import AUTOPAY_AGREEMENT_VERSION

franchise_router = Router()

REFUSALS = {400: ErrorOut, 404: ErrorOut, 409: ErrorOut}


class ProgramOut(Schema):
    id: int
    name: str
    deposit_per_person_kopecks: int
    deposit_minimum_kopecks: int
    activation_delay_working_days: int
    activation_delay_hours: int


class StatusOut(Schema):
    state: str = Field(description="not_activated, pending, active или suspended")
    label: str
    method: str | None
    requested_at: dt.datetime | None
    effective_at: dt.datetime | None
    clinics_open_on: dt.date | None = Field(
        description="с какого дня клиники с франшизой принимают без медицинского пульта (первый полный день)"
    )


class NoticeOut(Schema):
    clinic_id: int
    clinic: str
    sent_at: dt.datetime | None
    due_on: dt.date | None
    confirmed: bool
    book_through_desk: bool = Field(description="клиника ещё не подтвердила активацию: записываться через пульт")


class RefundApplicationOut(Schema):
    id: int
    policy_id: int
    status: str
    status_label: str
    amount_kopecks: int
    submitted_at: dt.datetime
    answer: str


class FranchisePersonOut(Schema):
    policy_id: int
    policy_number: str
    insured: PersonOut
    is_own: bool
    relation: str
    relation_label: str
    program: ProgramOut
    method: str
    method_label: str
    status: StatusOut
    in_force: bool
    can_activate: bool
    deposit_held_kopecks: int
    deposit_to_pay_kopecks: int
    terms: list[str]
    notices: list[NoticeOut]
    desk_phone: str
    owed_kopecks: int
    can_apply_for_refund: bool
    refund_refusal: str
    refund_application: RefundApplicationOut | None


class CardOut(Schema):
    title: str
    bound_at: dt.datetime
    agreement_version: str


class FranchiseOut(Schema):
    people: list[FranchisePersonOut]
    card: CardOut | None
    autopay_cap_kopecks: int
    autopay_agreement_version: str


class ConsentIn(Schema):
    policy_ids: list[int] = Field(min_length=1, max_length=50)
    accept_terms: bool


class DepositIn(Schema):
    policy_ids: list[int] = Field(min_length=1, max_length=50)
    receipt_contact: str = Field("", max_length=254, description="e-mail или телефон для чека; по умолчанию из профиля")


class CardIn(DepositIn):
    accept_agreement: bool


class RefundIn(Schema):
    policy_id: int


class ActivationOut(Schema):
    policy_id: int
    full_name: str
    status: StatusOut


class PaymentStartOut(Schema):
    payment_id: uuid.UUID | None = Field(description="нет, если платить не нужно (аванс уже есть)")
    confirmation_url: str | None = Field(description="страница оплаты шлюза: откройте её в браузере")
    amount_kopecks: int
    activated: list[ActivationOut] = Field(description="активированы сразу, без оплаты")
    already_activated: list[int] = Field(description="полисы, по которым франшиза уже активирована")


class CardUnbindOut(Schema):
    unbound: bool
    ended_activations: int
    detail: str


def _refused(detail: str, *, code: str, field: str | None = None, status: int = HTTPStatus.CONFLICT) -> Status[dict]:
    return Status(status, {"detail": detail, "code": code, "field": field})


def _status(status: FranchiseStatus) -> dict:
    activation = status.activation
    return {
        "state": status.state,
        "label": status.label,
        "method": activation.method if activation else None,
        "requested_at": activation.requested_at if activation else None,
        "effective_at": activation.effective_at if activation else None,
        "clinics_open_on": status.clinics_open_on,
    }


def _notice(line: ClinicLine) -> dict:
    notice = line.notice
    return {
        "clinic_id": line.clinic.pk,
        "clinic": line.clinic.name,
        "sent_at": notice.sent_at if notice else None,
        "due_on": notice.due_on if notice else None,
        "confirmed": bool(notice and notice.confirmed_at),
        "book_through_desk": line.waiting,
    }


def _application(application: RefundApplication) -> dict:
    return {
        "id": application.pk,
        "policy_id": application.policy_id,
        "status": application.status,
        "status_label": str(application.get_status_display()),
        "amount_kopecks": application.amount_kopecks,
        "submitted_at": application.submitted_at,
        "answer": application.answer,
    }


def _person(entry: PersonFranchise) -> dict:
    policy = entry.policy
    program = policy.program
    return {
        "policy_id": policy.pk,
        "policy_number": policy.number,
        "insured": {
            "id": policy.insured.pk,
            "full_name": policy.insured.full_name,
            "birth_date": policy.insured.birth_date,
        },
        "is_own": entry.is_own,
        "relation": policy.relation,
        "relation_label": str(policy.get_relation_display()),
        "program": {
            "id": program.pk,
            "name": program.name,
            "deposit_per_person_kopecks": program.deposit_per_person_kopecks,
            "deposit_minimum_kopecks": program.deposit_minimum_kopecks,
            "activation_delay_working_days": program.activation_delay_working_days,
            "activation_delay_hours": program.activation_delay_hours,
        },
        "method": entry.method,
        "method_label": entry.method_label,
        "status": _status(entry.status),
        "in_force": entry.in_force,
        "can_activate": entry.can_activate,
        "deposit_held_kopecks": entry.deposit_held,
        "deposit_to_pay_kopecks": entry.deposit_to_pay,
        "terms": entry.terms,
        "notices": [_notice(line) for line in entry.clinics if line.notice is not None],
        "desk_phone": entry.desk_phone,
        "owed_kopecks": entry.owed,
        "can_apply_for_refund": entry.can_apply_for_refund,
        "refund_refusal": entry.refund_refusal,
        "refund_application": _application(entry.refund_application) if entry.refund_application else None,
    }


def _activation(activation: FranchiseActivation) -> dict:
    return {
        "policy_id": activation.policy_id,
        "full_name": activation.policy.insured.full_name,
        "status": _status(franchise_status(policy=activation.policy)),
    }


def _receipt_contact(user: User, given: str) -> str | None:
    """The contact for the 54-FZ receipt, checked here so that a bad one is named as the field."""
    contact = given.strip() or user.email or user.phone or ""
    try:
        receipts.receipt_customer(contact)
    except receipts.InvalidReceiptContact:
        return None
    return contact


def _started(request: HttpRequest, started: ActivationStart) -> Status[dict]:
    payment = started.payment
    url = payment.confirmation_url if payment else ""
    body = {
        "payment_id": payment.pk if payment else None,
        # The sandbox's page is a path of this site; the app needs the whole address.
        "confirmation_url": request.build_absolute_uri(url) if url else None,
        "amount_kopecks": payment.amount_kopecks if payment else 0,
        "activated": [_activation(a) for a in started.activated],
        "already_activated": [p.pk for p in started.already],
    }
    return Status(HTTPStatus.CREATED if payment else HTTPStatus.OK, body)


def _paid_activation(
    request: HttpRequest, payload: DepositIn, start: Callable[[User, str], ActivationStart]
) -> Status[dict]:
    user = request_user(request)
    contact = _receipt_contact(user, payload.receipt_contact)
    if contact is None:
        return _refused(
            _("Укажите e-mail или номер мобильного телефона, куда прислать чек."),
            code="invalid_receipt_contact",
            field="receipt_contact",
            status=HTTPStatus.BAD_REQUEST,
        )
    try:
        started = start(user, contact)
    except FranchiseError as refusal:
        return _refused(refusal.message, code="franchise_refused", field="policy_ids")
    return _started(request, started)


@franchise_router.get("", response=FranchiseOut, summary="Франшиза: статус по каждому застрахованному")
def franchise(request: HttpRequest) -> dict:
    """The user and each relative whose policy they hold, on programs with a franchise: status
    (`not_activated`, `pending` with `effective_at`, `active`, `suspended`), how it is activated,
    the deposit held, the terms in plain words, notices to registry-mode clinics (until a clinic
    confirms, book there through the medical desk), and the refund application if any."""
    user = request_user(request)
    card = live_card(user=user)
    return {
        "people": [_person(entry) for entry in franchise_people(user=user)],
        "card": (
            {"title": card.title, "bound_at": card.bound_at, "agreement_version": card.agreement_version}
            if card
            else None
        ),
        "autopay_cap_kopecks": autopay_cap_kopecks(),
        "autopay_agreement_version": AUTOPAY_AGREEMENT_VERSION,
    }


@franchise_router.post(
    "/consent", response={200: list[ActivationOut], **REFUSALS}, summary="Активировать франшизу согласием"
)
def consent(request: HttpRequest, payload: ConsentIn) -> Status[Any]:
    """For programs activated by consent: effective from 00:00 of the next working day (or the
    program's delay). Sending it again returns the same activations."""
    if not payload.accept_terms:
        return _refused(
            _("Подтвердите, что ознакомились с порядком оказания услуг с франшизой и согласны с ним."),
            code="terms_not_accepted",
            field="accept_terms",
            status=HTTPStatus.BAD_REQUEST,
        )
    try:
        activations = franchise_consent_give(user=request_user(request), policy_ids=payload.policy_ids, agreed=True)
    except FranchiseError as refusal:
        return _refused(refusal.message, code="franchise_refused", field="policy_ids")
    return Status(HTTPStatus.OK, [_activation(a) for a in activations])


@franchise_router.post(
    "/deposit",
    response={200: PaymentStartOut, 201: PaymentStartOut, **REFUSALS},
    summary="Оплатить авансовый платёж за выбранных людей",
)
def deposit(request: HttpRequest, payload: DepositIn) -> Status[Any]:
    """One payment for everyone chosen (the program's sum per person, at least its minimum).
    201 with `confirmation_url` to open; a second request while it is unpaid returns the same
    payment. Those who already hold the deposit (e.g. carried over from the last term) are
    activated at once: 200 without a payment when nobody has to pay."""
    return _paid_activation(
        request,
        payload,
        lambda user, contact: franchise_deposit_start(
            user=user, policy_ids=payload.policy_ids, return_url=reverse("billing:franchise"), receipt_contact=contact
        ),
    )


@franchise_router.post(
    "/card",
    response={200: PaymentStartOut, 201: PaymentStartOut, **REFUSALS},
    summary="Привязать карту для автоплатежей",
)
def card_bind(request: HttpRequest, payload: CardIn) -> Status[Any]:
    """After the auto-payment agreement was shown and accepted: a 1 ₽ check on the gateway's page
    saves the card (the 1 ₽ is returned at once). With a card already bound the people are
    activated with it at once (200, no payment)."""
    if not payload.accept_agreement:
        return _refused(
            _("Прочитайте соглашение об автоплатежах и подтвердите согласие с ним."),
            code="agreement_not_accepted",
            field="accept_agreement",
            status=HTTPStatus.BAD_REQUEST,
        )
    return _paid_activation(
        request,
        payload,
        lambda user, contact: franchise_card_bind_start(
            user=user,
            policy_ids=payload.policy_ids,
            agreed=True,
            return_url=reverse("billing:franchise"),
            receipt_contact=contact,
        ),
    )


@franchise_router.delete("/card", response=CardUnbindOut, summary="Отвязать карту")
def card_unbind(request: HttpRequest) -> dict:
    """No more automatic charges; every franchise activated with the card ends now. Without a
    bound card nothing changes (`unbound` false)."""
    user = request_user(request)
    had_card = live_card(user=user) is not None
    ended = franchise_card_unbind(user=user)
    return {
        "unbound": had_card,
        "ended_activations": ended,
        "detail": _("Карта отвязана, автоплатежи отключены.") if had_card else _("Привязанной карты нет."),
    }


@franchise_router.post(
    "/refund", response={201: RefundApplicationOut, **REFUSALS}, summary="Заявление на возврат авансового платежа"
)
def refund(request: HttpRequest, payload: RefundIn) -> Status[Any]:
    """Only when the policy is ended (detached) or expired without renewal. Paid back through the
    gateway if no co-pay is owed; otherwise `answer` says what is owed first. A second request
    returns the same open application."""
    try:
        application = refund_application_submit(user=request_user(request), policy_id=payload.policy_id)
    except FranchiseError as refusal:
        return _refused(refusal.message, code="refund_refused", field="policy_id")
    return Status(HTTPStatus.CREATED, _application(application))
