"""Disputes for the mobile app: the same selectors and services as /my/disputes/, so the same
lines, the same refusals and the same 15-day clock."""

import datetime as dt
from http import HTTPStatus
from typing import Any

from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, File, Form, Router, Schema, Status
from ninja.files import UploadedFile

from polis.accounts.models import User
from polis.api.auth import page_window, request_user
from polis.api.schemas import ErrorOut
from polis.billing.disputes import selectors
from polis.billing.disputes.services import ALREADY_OPEN, DisputeError, dispute_submit
from polis.billing.models import Dispute, DisputeStatus, RegistryLine

disputes_router = Router()


class DisputeIn(Schema):
    line_id: int
    kind: str = Field(description="not_provided, quantity, quality или other_service")
    comment: str = Field(max_length=4000)
    quantity_claimed: int | None = Field(None, description="для kind=quantity: сколько было на самом деле")


class DisputeLineOut(Schema):
    id: int
    service_date: dt.date | None
    clinic: str
    service_code: str
    service_name: str
    quantity: int | None
    sum_kopecks: int | None
    copay_kopecks: int


class DisputeFileOut(Schema):
    id: int
    name: str
    content_type: str
    size: int


class DisputeOut(Schema):
    id: int
    policy_id: int
    policy_number: str
    full_name: str
    line: DisputeLineOut
    invoice_id: int | None
    invoice_number: str | None
    kind: str
    kind_label: str
    comment: str
    quantity_claimed: int | None
    status: str = Field(description="open, rejected или upheld")
    status_label: str
    submitted_at: dt.datetime
    answer_due_on: dt.date
    clock: str = Field(description="«осталось N дн.», «просрочено на N дн.» или когда рассмотрено")
    answer: str
    resolved_at: dt.datetime | None
    corrected_copay_kopecks: int | None
    files: list[DisputeFileOut]


def _out(dispute: Dispute, *, viewer: User) -> dict[str, Any]:
    line = dispute.line
    invoice = dispute.invoice
    # Files are the submitter's (and the back office's): a relative's holder sees that there are
    # none to show rather than someone else's documents.
    files = list(dispute.files.all()) if dispute.submitted_by_id == viewer.pk else []
    return {
        "id": dispute.pk,
        "policy_id": dispute.policy_id,
        "policy_number": dispute.policy.number,
        "full_name": dispute.policy.insured.full_name,
        "line": {
            "id": line.pk,
            "service_date": line.service_date,
            "clinic": line.registry.clinic.name,
            "service_code": line.service_code,
            "service_name": line.service_name,
            "quantity": line.quantity,
            "sum_kopecks": line.sum_kopecks,
            "copay_kopecks": line.copay_kopecks,
        },
        "invoice_id": invoice.pk if invoice else None,
        "invoice_number": invoice.number if invoice else None,
        "kind": dispute.kind,
        "kind_label": str(dispute.get_kind_display()),
        "comment": dispute.comment,
        "quantity_claimed": dispute.quantity_claimed,
        "status": dispute.status,
        "status_label": str(dispute.get_status_display()),
        "submitted_at": dispute.submitted_at,
        "answer_due_on": dispute.answer_due_on,
        "clock": selectors.answer_clock(dispute).label,
        "answer": dispute.answer if dispute.status != DisputeStatus.OPEN else "",
        "resolved_at": dispute.resolved_at,
        "corrected_copay_kopecks": dispute.corrected_copay_kopecks,
        "files": [{"id": f.pk, "name": f.name, "content_type": f.content_type, "size": f.size} for f in files],
    }


@disputes_router.post(
    "",
    response={201: DisputeOut, 400: ErrorOut, 404: ErrorOut, 409: ErrorOut},
    summary="Подать несогласие с услугой",
)
def submit(
    request: HttpRequest, payload: Form[DisputeIn], files: File[list[UploadedFile] | None] = None
) -> Status[Any]:
    """multipart/form-data: `line_id`, `kind`, `comment`, `quantity_claimed` (for `quantity`,
    less than billed) and up to 10 `files` (images or PDF, 25 MB each). A line of one's own or a
    relative's policy only (another's: 404). One open dispute per line (409). The answer is due
    in 15 calendar days (`answer_due_on`)."""
    user = request_user(request)
    try:
        dispute = dispute_submit(
            user=user,
            line_id=payload.line_id,
            kind=payload.kind,
            comment=payload.comment,
            quantity_claimed=payload.quantity_claimed,
            files=files or [],
        )
    except RegistryLine.DoesNotExist:
        raise Http404(_("Услуга не найдена")) from None
    except DisputeError as refusal:
        if refusal.message == str(ALREADY_OPEN):
            return Status(HTTPStatus.CONFLICT, {"detail": refusal.message, "code": "dispute_open", "field": "line_id"})
        return Status(
            HTTPStatus.BAD_REQUEST, {"detail": refusal.message, "code": "dispute_refused", "field": refusal.field}
        )
    found = selectors.dispute_for_user(user=user, pk=dispute.pk)
    return Status(HTTPStatus.CREATED, _out(found, viewer=user))


@disputes_router.get("", response=list[DisputeOut], summary="Мои несогласия с услугами")
def disputes(request: HttpRequest, limit: int = 50, offset: int = 0) -> list[dict[str, Any]]:
    """The user's disputes and their relatives', newest first; `limit` (at most 100), `offset`."""
    user = request_user(request)
    start, end = page_window(limit, offset)
    found = selectors.disputes_for_user(user=user).prefetch_related("files")[start:end]
    return [_out(dispute, viewer=user) for dispute in found]


@disputes_router.get("/{int:dispute_id}", response={200: DisputeOut, 404: ErrorOut}, summary="Несогласие и ответ")
def dispute(request: HttpRequest, dispute_id: int) -> dict[str, Any]:
    user = request_user(request)
    return _out(selectors.dispute_for_user(user=user, pk=dispute_id), viewer=user)
