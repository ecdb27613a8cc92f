"""The clinic's side of the medical desk in the API (/api/v1/clinic/...): letters addressed to
the clinic of the logged-in clinic clerk, receipt confirmation. The same selectors and services
as the clinic's pages (/clinic/letters/): another clinic's letter is 404, another role 403."""

import datetime as dt
from http import HTTPStatus
from typing import Any

from django.http import FileResponse, Http404, HttpRequest
from django.urls import reverse
from ninja import Field, Router, Schema, Status

from polis.accounts.models import Role, User
from polis.api.auth import page_window, request_user
from polis.api.errors import ApiError
from polis.api.schemas import ErrorOut
from polis.care import clinic_selectors as selectors
from polis.care.clinic import AlreadyReceived, attachment_receive, letter_receive, letter_use
from polis.care.models import AttachmentLetter, ClinicPass, GuaranteeLetter
from polis.care.states import CareError

router = Router()


def _clerk(request: HttpRequest) -> User:
    """Letters are the clinic's; other roles have their own consoles (403, not 404)."""
    user = request_user(request)
    if user.role != Role.CLINIC:
        raise ApiError("Раздел доступен только сотрудникам клиник", code="forbidden", status=HTTPStatus.FORBIDDEN)
    return user


class PersonOut(Schema):
    full_name: str
    birth_date: dt.date
    policy_number: str
    program: str


class ServiceOut(Schema):
    code: str
    name: str
    quantity: int


class PassOut(Schema):
    document: str
    car_number: str
    has_photo: bool
    photo_url: str = Field(description='GET: фото для пропуска ("" если фото нет)')
    submitted_at: dt.datetime | None


class LetterOut(Schema):
    id: int
    number: str
    status: str = Field(description="issued, partly_approved, expired, revoked или used")
    status_label: str
    kind: str
    kind_label: str
    person: PersonOut
    valid_from: dt.date
    valid_to: dt.date
    received_at: dt.datetime | None


class LetterDetailOut(LetterOut):
    complaints: str
    icd10: str
    scope: str
    services: list[ServiceOut]
    sum_limit_kopecks: int | None
    copay_rule: str
    closed_reason: str
    clinic_pass: PassOut | None = Field(None, description="данные для пропуска, если клиника их запросила")


class AttachmentOut(Schema):
    id: int
    number: str
    status: str = Field(description="sent или expired")
    status_label: str
    person: PersonOut
    generated_on: dt.date
    sent_at: dt.datetime | None
    valid_from: dt.date
    valid_to: dt.date
    received_at: dt.datetime | None


def _person(letter: GuaranteeLetter | AttachmentLetter) -> dict[str, Any]:
    policy = letter.policy
    return {
        "full_name": policy.insured.full_name,
        "birth_date": policy.insured.birth_date,
        "policy_number": policy.number,
        "program": policy.program.name,
    }


def _letter(letter: GuaranteeLetter) -> dict[str, Any]:
    return {
        "id": letter.pk,
        "number": letter.number,
        "status": letter.status,
        "status_label": str(letter.get_status_display()),
        "kind": letter.kind,
        "kind_label": str(letter.get_kind_display()),
        "person": _person(letter),
        "valid_from": letter.valid_from,
        "valid_to": letter.valid_to,
        "received_at": letter.received_at,
    }


def _pass(found: ClinicPass | None, letter: GuaranteeLetter) -> dict[str, Any] | None:
    if found is None:
        return None
    photo_url = reverse("api-v1:letter_pass_photo", kwargs={"letter_id": letter.pk}) if found.photo else ""
    return {
        "document": found.document,
        "car_number": found.car_number,
        "has_photo": bool(found.photo),
        "photo_url": photo_url,
        "submitted_at": found.submitted_at,
    }


def _letter_detail(letter: GuaranteeLetter) -> dict[str, Any]:
    return {
        **_letter(letter),
        "complaints": letter.complaints,
        "icd10": letter.icd10,
        "scope": letter.scope,
        "services": [{"code": s.code, "name": s.name, "quantity": s.quantity} for s in letter.services.all()],
        "sum_limit_kopecks": letter.sum_limit_kopecks,
        "copay_rule": letter.copay_rule,
        "closed_reason": letter.closed_reason,
        "clinic_pass": _pass(selectors.letter_pass(letter=letter), letter),
    }


def _attachment(letter: AttachmentLetter) -> dict[str, Any]:
    return {
        "id": letter.pk,
        "number": letter.number,
        "status": letter.status,
        "status_label": str(letter.get_status_display()),
        "person": _person(letter),
        "generated_on": letter.generated_on,
        "sent_at": letter.sent_at,
        "valid_from": letter.valid_from,
        "valid_to": letter.valid_to,
        "received_at": letter.received_at,
    }


def _state(state: str) -> str:
    if state not in selectors.STATES:
        raise ApiError("state: valid, expiring или all", code="invalid", status=HTTPStatus.BAD_REQUEST)
    return state


def _refused(error: CareError) -> Status[Any]:
    if isinstance(error, AlreadyReceived):
        return Status(HTTPStatus.CONFLICT, {"detail": error.message, "code": "already_received"})
    return Status(HTTPStatus.CONFLICT, {"detail": error.message, "code": "not_allowed"})


@router.get("/letters", response={200: list[LetterOut], 403: ErrorOut}, summary="Гарантийные письма клиники")
def letters(
    request: HttpRequest, state: str = selectors.VALID, q: str = "", limit: int = 50, offset: int = 0
) -> list[dict[str, Any]]:
    """Letters addressed to the clerk's clinic. `state`: `valid` (may be treated by; soonest end
    first), `expiring` (valid, ending within the warning days), `all` (newest first). `q`: letter
    or policy number, or the insured's name. `limit` (at most 100), `offset`."""
    clerk = _clerk(request)
    start, end = page_window(limit, offset)
    found = selectors.clinic_letters(viewer=clerk, state=_state(state), query=q[:200])[start:end]
    return [_letter(letter) for letter in found]


@router.get(
    "/letters/{int:letter_id}",
    response={200: LetterDetailOut, 403: ErrorOut, 404: ErrorOut},
    summary="Гарантийное письмо",
)
def letter(request: HttpRequest, letter_id: int) -> dict[str, Any]:
    return _letter_detail(selectors.clinic_letter(viewer=_clerk(request), pk=letter_id))


@router.get(
    "/letters/{int:letter_id}/pass-photo",
    response={403: ErrorOut, 404: ErrorOut},
    summary="Фото для пропуска",
)
def letter_pass_photo(request: HttpRequest, letter_id: int) -> FileResponse:
    found = selectors.letter_pass(letter=selectors.clinic_letter(viewer=_clerk(request), pk=letter_id))
    if found is None or not found.photo:
        raise Http404
    return FileResponse(found.photo.open("rb"), content_type=found.photo_content_type or "application/octet-stream")


@router.post(
    "/letters/{int:letter_id}/receive",
    response={200: LetterDetailOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut},
    summary="Подтвердить получение гарантийного письма",
)
def receive(request: HttpRequest, letter_id: int) -> Any:
    """Once: a second call changes nothing and answers 409 `already_received` with when and by
    whom. A letter that is no longer valid (expired, revoked, used): 409 `not_allowed`."""
    clerk = _clerk(request)
    found = selectors.clinic_letter(viewer=clerk, pk=letter_id)
    try:
        letter_receive(letter=found, clerk=clerk)
    except CareError as error:
        return _refused(error)
    return _letter_detail(selectors.clinic_letter(viewer=clerk, pk=letter_id))


@router.post(
    "/letters/{int:letter_id}/use",
    response={200: LetterDetailOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut},
    summary="Отметить письмо использованным (лечение закончено)",
)
def use(request: HttpRequest, letter_id: int) -> Any:
    clerk = _clerk(request)
    found = selectors.clinic_letter(viewer=clerk, pk=letter_id)
    try:
        letter_use(letter=found, clerk=clerk)
    except CareError as error:
        return _refused(error)
    return _letter_detail(selectors.clinic_letter(viewer=clerk, pk=letter_id))


@router.get("/attachments", response={200: list[AttachmentOut], 403: ErrorOut}, summary="Письма на прикрепление")
def attachments(
    request: HttpRequest, state: str = selectors.VALID, q: str = "", limit: int = 50, offset: int = 0
) -> list[dict[str, Any]]:
    """Attachment letters sent to the clerk's clinic: `state` `valid` (in force) or `all`."""
    clerk = _clerk(request)
    start, end = page_window(limit, offset)
    found = selectors.clinic_attachments(viewer=clerk, state=_state(state), query=q[:200])[start:end]
    return [_attachment(letter) for letter in found]


@router.post(
    "/attachments/{int:attachment_id}/receive",
    response={200: AttachmentOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut},
    summary="Подтвердить получение письма на прикрепление",
)
def attachment_receive_view(request: HttpRequest, attachment_id: int) -> Any:
    clerk = _clerk(request)
    found = selectors.clinic_attachment(viewer=clerk, pk=attachment_id)
    try:
        attachment_receive(attachment=found, clerk=clerk)
    except CareError as error:
        return _refused(error)
    return _attachment(selectors.clinic_attachment(viewer=clerk, pk=attachment_id))
