"""The insured's side of the medical desk in the mobile API (/api/v1/care/...): the same
selectors and services as /my/care/, so the same scope (own and relatives' policies; anything
else is 404) and the same refusals."""

import datetime as dt
from http import HTTPStatus
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from ninja import Field, File, Form, Router, Schema, Status
from ninja.files import UploadedFile

from polis.accounts.models import User
from polis.api.auth import page_window, request_user
from polis.api.schemas import ErrorOut
from polis.care import insured_selectors as sel
from polis.care import requests as services
from polis.care.api import DeskContactOut
from polis.care.hours import DeskNow, desk_now
from polis.care.letters import letter_pdf_filename, render_letter_pdf
from polis.care.models import (
    CareRequest,
    ClinicPass,
    ContactChannel,
    Escalation,
    GuaranteeLetter,
    RequestStatus,
    Urgency,
    Visit,
)
from polis.care.states import CareError
from polis.coverage.pdf import pdf_attachment
from polis.coverage.selectors import policy_for_user
from polis.network.models import Clinic

router = Router()
REFUSALS: dict[int | str, type[Schema]] = {400: ErrorOut, 404: ErrorOut, 409: ErrorOut}


def _refused(error: CareError) -> Status[Any]:
    """A refusal about a field is bad input (400); one about the object's state — already
    answered, cancelled, rated — is a conflict (409)."""
    if error.field:
        return Status(HTTPStatus.BAD_REQUEST, {"detail": error.message, "code": "care_invalid", "field": error.field})
    return Status(HTTPStatus.CONFLICT, {"detail": error.message, "code": "care_conflict", "field": None})


# ── Schemas ──────────────────────────────────────────────────────────────────────────────────


class RequestIn(Schema):
    policy_id: int
    complaints: str = Field(max_length=4000)
    kind: str = Field(description="outpatient, dental, emergency, home_care, inpatient, telemedicine или checkup")
    clinic_id: int | None = Field(None, description="клиника программы; пусто — пусть пульт подберёт")
    desired_date: dt.date = Field(description="не раньше сегодняшнего дня и не больше чем на год вперёд")
    time_windows: list[str] = Field(default_factory=list, description="morning, day, evening")
    contact_channel: str = Field(ContactChannel.CALL.value, description="call, sms, email или account")
    contact_phone: str = Field("", description="пусто — телефон из профиля")
    urgency: str = Field(Urgency.ROUTINE.value, description="urgent или routine")


class LetterOut(Schema):
    id: int
    number: str
    request_id: int
    clinic: str
    clinic_address: str
    kind: str
    kind_label: str
    scope: str
    services: list[str]
    valid_from: dt.date
    valid_to: dt.date
    status: str
    status_label: str
    received_by_clinic: bool
    received_at: dt.datetime | None


class VisitOut(Schema):
    id: int
    request_id: int
    full_name: str
    clinic: str
    address: str
    kind: str
    kind_label: str
    specialist: str
    doctor: str
    starts_at: dt.datetime
    letter_number: str | None
    note: str
    status: str
    status_label: str
    can_confirm: bool
    can_report_missed: bool
    can_rate: bool
    doctor_rating: int | None
    desk_rating: int | None
    rating_comment: str


class PassOut(Schema):
    id: int
    clinic: str
    status: str = Field(description="requested — ждём фото и данные, submitted — переданы")
    status_label: str
    submitted_at: dt.datetime | None


class EscalationOut(Schema):
    id: int
    to: str
    to_label: str
    text: str
    status: str
    status_label: str
    created_at: dt.datetime
    answer: str
    answered_at: dt.datetime | None


class EventOut(Schema):
    at: dt.datetime
    label: str


class RequestOut(Schema):
    id: int
    number: str
    policy_id: int
    policy_number: str
    full_name: str
    complaints: str
    kind: str
    kind_label: str
    clinic_id: int | None
    clinic: str | None
    desired_date: dt.date
    time_windows: list[str]
    contact_channel: str
    contact_phone: str
    urgency: str
    status: str = Field(description="new, in_work, approved, refused или cancelled")
    status_label: str
    created_at: dt.datetime
    answered_at: dt.datetime | None
    refusal_reason: str
    refusal_reason_label: str
    answer: str
    can_cancel: bool
    can_escalate: bool


class RequestDetailOut(RequestOut):
    letters: list[LetterOut]
    visits: list[VisitOut]
    passes: list[PassOut]
    escalations: list[EscalationOut]
    history: list[EventOut]


class DeskNowOut(Schema):
    city: str
    contact: DeskContactOut | None = Field(description="номер, по которому звонить сейчас")
    city_has_desk: bool
    city_open: bool
    opens_next: dt.datetime | None = Field(description="пульт города закрыт: когда откроется")
    opens_next_text: str = Field(description="то же для человека: «23.11.2026 08:00 по местному времени»")
    others: list[DeskContactOut]


class EscalationIn(Schema):
    to: str = Field("curator", description="curator — врачу-куратору, senior — старшему смены")
    text: str = Field(max_length=4000)


class MissedIn(Schema):
    reason: str = Field(max_length=4000)


class RateIn(Schema):
    doctor_rating: int = Field(ge=1, le=5)
    desk_rating: int = Field(ge=1, le=5)
    comment: str = Field("", max_length=4000)


class PassIn(Schema):
    document: str = Field(max_length=100)
    car_number: str = Field("", max_length=20)


# ── Shaping ──────────────────────────────────────────────────────────────────────────────────


def _request(found: CareRequest) -> dict[str, Any]:
    answered = found.status in (RequestStatus.APPROVED, RequestStatus.REFUSED)
    return {
        "id": found.pk,
        "number": found.number,
        "policy_id": found.policy_id,
        "policy_number": found.policy.number,
        "full_name": found.policy.insured.full_name,
        "complaints": found.complaints,
        "kind": found.kind,
        "kind_label": str(found.get_kind_display()),
        "clinic_id": found.clinic_id,
        "clinic": found.clinic.name if found.clinic else None,
        "desired_date": found.desired_date,
        "time_windows": list(found.time_windows),
        "contact_channel": found.contact_channel,
        "contact_phone": found.contact_phone,
        "urgency": found.urgency,
        "status": found.status,
        "status_label": str(found.get_status_display()),
        "created_at": found.created_at,
        "answered_at": found.answered_at,
        "refusal_reason": found.refusal_reason if answered else "",
        "refusal_reason_label": str(found.get_refusal_reason_display()) if answered and found.refusal_reason else "",
        "answer": found.answer if answered else "",
        "can_cancel": found.status in (RequestStatus.NEW, RequestStatus.IN_WORK),
        "can_escalate": sel.can_escalate(found, sel.escalations_of(found)),
    }


def _letter(letter: GuaranteeLetter) -> dict[str, Any]:
    return {
        "id": letter.pk,
        "number": letter.number,
        "request_id": letter.request_id,
        "clinic": letter.clinic.name,
        "clinic_address": letter.clinic.address,
        "kind": letter.kind,
        "kind_label": str(letter.get_kind_display()),
        "scope": letter.scope,
        "services": [f"{s.name} × {s.quantity}" for s in letter.services.all()],
        "valid_from": letter.valid_from,
        "valid_to": letter.valid_to,
        "status": letter.status,
        "status_label": str(letter.get_status_display()),
        "received_by_clinic": letter.received_at is not None,
        "received_at": letter.received_at,
    }


def _visit(visit: Visit) -> dict[str, Any]:
    can = sel.visit_actions(visit)
    return {
        "id": visit.pk,
        "request_id": visit.request_id,
        "full_name": visit.policy.insured.full_name,
        "clinic": visit.clinic.name,
        "address": visit.address,
        "kind": visit.kind,
        "kind_label": str(visit.get_kind_display()),
        "specialist": visit.specialist,
        "doctor": visit.doctor,
        "starts_at": visit.starts_at,
        "letter_number": visit.letter.number if visit.letter else None,
        "note": visit.note,
        "status": visit.status,
        "status_label": str(visit.get_status_display()),
        "can_confirm": can["confirm"],
        "can_report_missed": can["report_missed"],
        "can_rate": can["rate"],
        "doctor_rating": visit.doctor_rating,
        "desk_rating": visit.desk_rating,
        "rating_comment": visit.rating_comment,
    }


def _pass(clinic_pass: ClinicPass) -> dict[str, Any]:
    return {
        "id": clinic_pass.pk,
        "clinic": clinic_pass.clinic.name,
        "status": clinic_pass.status,
        "status_label": str(clinic_pass.get_status_display()),
        "submitted_at": clinic_pass.submitted_at,
    }


def _escalation(escalation: Escalation) -> dict[str, Any]:
    return {
        "id": escalation.pk,
        "to": escalation.to,
        "to_label": str(escalation.get_to_display()),
        "text": escalation.text,
        "status": escalation.status,
        "status_label": str(escalation.get_status_display()),
        "created_at": escalation.created_at,
        "answer": escalation.answer,
        "answered_at": escalation.answered_at,
    }


def _detail(found: CareRequest) -> dict[str, Any]:
    return {
        **_request(found),
        "letters": [_letter(letter) for letter in sel.letters_of(found)],
        "visits": [_visit(v) for v in found.visits.select_related("clinic", "letter", "policy__insured")],
        "passes": [_pass(p) for p in sel.passes_of(found)],
        "escalations": [_escalation(e) for e in sel.escalations_of(found)],
        "history": [{"at": step.event.at, "label": step.label} for step in sel.history_of(found)],
    }


def _desk_now(now: DeskNow) -> dict[str, Any]:
    return {
        "city": now.city,
        "contact": now.contact,
        "city_has_desk": now.city_has_desk,
        "city_open": now.city_open,
        "opens_next": now.opens_next,
        "opens_next_text": now.opens_next_text,
        "others": now.others,
    }


# ── Requests ─────────────────────────────────────────────────────────────────────────────────


@router.get("/requests", response=list[RequestOut], summary="Мои обращения на пульт")
def requests(request: HttpRequest, limit: int = 50, offset: int = 0) -> list[dict[str, Any]]:
    """The user's requests and their relatives', newest first; `limit` (at most 100), `offset`."""
    start, end = page_window(limit, offset)
    return [_request(r) for r in sel.requests_for_user(user=request_user(request))[start:end]]


@router.post("/requests", response={201: RequestDetailOut, **REFUSALS}, summary="Отправить обращение на пульт")
def request_create(
    request: HttpRequest, payload: Form[RequestIn], files: File[list[UploadedFile] | None] = None
) -> Status[Any]:
    """multipart/form-data: the fields below and up to 10 `files` (images or PDF, 25 MB each,
    checked by their content). `policy_id`: own or a relative's policy (another's: 404). The
    policy must be in force on `desired_date`; the kind of care and the clinic must be in its
    program. The person is told by SMS, e-mail and in the account."""
    user = request_user(request)
    policy = policy_for_user(user=user, policy_id=payload.policy_id)
    clinic = None
    if payload.clinic_id is not None:
        clinic = Clinic.objects.filter(pk=payload.clinic_id).first()
        if clinic is None:
            return Status(
                HTTPStatus.BAD_REQUEST, {"detail": "Клиника не найдена", "code": "care_invalid", "field": "clinic_id"}
            )
    try:
        created = services.request_submit(
            user=user,
            policy=policy,
            complaints=payload.complaints,
            kind=payload.kind,
            clinic=clinic,
            desired_date=payload.desired_date,
            time_windows=payload.time_windows,
            contact_channel=payload.contact_channel,
            contact_phone=payload.contact_phone,
            urgency=payload.urgency,
            files=files or [],
        )
    except CareError as error:
        return _refused(error)
    return Status(HTTPStatus.CREATED, _detail(sel.request_for_user(user=user, pk=created.pk)))


@router.get("/requests/{int:request_id}", response={200: RequestDetailOut, 404: ErrorOut}, summary="Обращение")
def request_detail(request: HttpRequest, request_id: int) -> dict[str, Any]:
    """Status, the desk's answer or the refusal's reason, letters (received by the clinic or
    not), the visit's details, passes, escalations and the steps."""
    return _detail(sel.request_for_user(user=request_user(request), pk=request_id))


@router.post("/requests/{int:request_id}/cancel", response={200: RequestDetailOut, **REFUSALS}, summary="Отменить")
def request_cancel(request: HttpRequest, request_id: int) -> Status[Any]:
    user = request_user(request)
    found = sel.request_for_user(user=user, pk=request_id)
    try:
        services.request_cancel(request=found, user=user)
    except CareError as error:
        return _refused(error)
    return Status(HTTPStatus.OK, _detail(sel.request_for_user(user=user, pk=found.pk)))


@router.get("/requests/{int:request_id}/escalations", response={200: list[EscalationOut], 404: ErrorOut})
def escalations(request: HttpRequest, request_id: int) -> list[dict[str, Any]]:
    found = sel.request_for_user(user=request_user(request), pk=request_id)
    return [_escalation(e) for e in sel.escalations_of(found)]


@router.post(
    "/requests/{int:request_id}/escalations",
    response={201: EscalationOut, **REFUSALS},
    summary="Пожаловаться на ответ пульта",
)
def escalation_create(request: HttpRequest, request_id: int, payload: EscalationIn) -> Status[Any]:
    """Only after the desk answered (approved or refused); one on review at a time (409)."""
    user = request_user(request)
    found = sel.request_for_user(user=user, pk=request_id)
    try:
        escalation = services.escalation_raise(request=found, user=user, to=payload.to, text=payload.text)
    except CareError as error:
        return _refused(error)
    return Status(HTTPStatus.CREATED, _escalation(escalation))


# ── Letters ──────────────────────────────────────────────────────────────────────────────────


@router.get("/letters", response=list[LetterOut], summary="Мои гарантийные письма")
def letters(request: HttpRequest, limit: int = 50, offset: int = 0) -> list[dict[str, Any]]:
    start, end = page_window(limit, offset)
    found = sel.letters_for_user(user=request_user(request)).prefetch_related("services")[start:end]
    return [_letter(letter) for letter in found]


@router.get(
    "/letters/{int:letter_id}.pdf",
    summary="Гарантийное письмо (PDF)",
    openapi_extra={
        "responses": {200: {"content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}}}}
    },
)
def letter_pdf(request: HttpRequest, letter_id: int) -> HttpResponse:
    """The letter as the clinic receives it, for the person or the holder of a relative's policy."""
    letter = sel.letters_for_user(user=request_user(request)).filter(pk=letter_id).first()
    if letter is None:
        raise Http404
    filename, display = letter_pdf_filename(letter)
    return pdf_attachment(render_letter_pdf(letter=letter), filename=filename, display_name=display)


# ── Passes ───────────────────────────────────────────────────────────────────────────────────


@router.post("/passes/{int:pass_id}", response={200: PassOut, **REFUSALS}, summary="Фото и данные для пропуска")
def pass_submit(request: HttpRequest, pass_id: int, payload: Form[PassIn], photo: File[UploadedFile]) -> Status[Any]:
    """multipart/form-data: `photo` (an image, checked by its content), `document`, `car_number`.
    For a pass the desk asked for (status requested); once."""
    user = request_user(request)
    clinic_pass = sel.pass_for_user(user=user, pk=pass_id)
    try:
        services.pass_submit(
            clinic_pass=clinic_pass,
            user=user,
            photo=photo,
            document=payload.document,
            car_number=payload.car_number,
        )
    except CareError as error:
        return _refused(error)
    return Status(HTTPStatus.OK, _pass(clinic_pass))


# ── Visits ───────────────────────────────────────────────────────────────────────────────────


@router.get("/visits", response=list[VisitOut], summary="Мои визиты")
def visits(request: HttpRequest, limit: int = 50, offset: int = 0) -> list[dict[str, Any]]:
    start, end = page_window(limit, offset)
    return [_visit(v) for v in sel.visits_for_user(user=request_user(request))[start:end]]


def _visit_step(request: HttpRequest, visit_id: int, step: Any) -> Status[Any]:
    user = request_user(request)
    visit = sel.visit_for_user(user=user, pk=visit_id)
    try:
        step(visit=visit, user=user)
    except CareError as error:
        return _refused(error)
    return Status(HTTPStatus.OK, _visit(sel.visit_for_user(user=user, pk=visit.pk)))


@router.post("/visits/{int:visit_id}/confirm", response={200: VisitOut, **REFUSALS}, summary="Визит состоялся")
def visit_confirm(request: HttpRequest, visit_id: int) -> Status[Any]:
    return _visit_step(request, visit_id, services.visit_confirm)


@router.post("/visits/{int:visit_id}/missed", response={200: VisitOut, **REFUSALS}, summary="Визит не состоялся")
def visit_missed(request: HttpRequest, visit_id: int, payload: MissedIn) -> Status[Any]:
    def step(*, visit: Visit, user: User) -> None:
        services.visit_report_missed(visit=visit, user=user, reason=payload.reason)

    return _visit_step(request, visit_id, step)


@router.post("/visits/{int:visit_id}/rate", response={200: VisitOut, **REFUSALS}, summary="Оценить врача и пульт")
def visit_rate(request: HttpRequest, visit_id: int, payload: RateIn) -> Status[Any]:
    """1–5 each and a comment, for a visit that happened; once (a second rating: 409)."""

    def step(*, visit: Visit, user: User) -> None:
        services.visit_rate(
            visit=visit,
            user=user,
            doctor_rating=payload.doctor_rating,
            desk_rating=payload.desk_rating,
            comment=payload.comment,
        )

    return _visit_step(request, visit_id, step)


# ── Reaching the desk ────────────────────────────────────────────────────────────────────────


@router.get("/desk-now", response=DeskNowOut, summary="Куда звонить сейчас")
def desk_now_endpoint(request: HttpRequest, city: str = "") -> dict[str, Any]:
    """The number to call now: the city's desk while it is open (round the clock first), else the
    federal 24-hour one; when the city's desk is closed, when it opens (Moscow time). `city`
    defaults to the city of the user's own insured record."""
    user = request_user(request)
    return _desk_now(desk_now(city=city or sel.city_of(user=user)))
