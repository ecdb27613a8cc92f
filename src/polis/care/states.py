"""The life cycles of the desk's objects, written once: which step leads from which status to
which, and the one function that takes a step.

A step is a conditional UPDATE (`status = <the status it was read with>`), so two dispatchers
pressing the same button, or a double click, move the object once: the second gets a
CareError saying what happened meanwhile. Every step leaves a CareEvent with who took it and
when (None: the system's daily task)."""

from dataclasses import dataclass
from typing import Any

from django.db import models, transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from polis import clock
from polis.accounts.models import User
from polis.care.models import (
    AttachmentLetter,
    AttachmentStatus,
    CareEvent,
    CareRequest,
    GuaranteeLetter,
    LetterStatus,
    ModeChangeStatus,
    RequestStatus,
    ServiceModeChange,
    Visit,
    VisitStatus,
)


class CareError(Exception):
    """A refusal a person can act on: `message` is shown as is, next to `field` if given."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


@dataclass(frozen=True)
class Step:
    name: str  # the action, recorded on the event
    sources: tuple[str, ...]
    target: str


R = RequestStatus
REQUEST_STEPS = {
    s.name: s
    for s in (
        Step("take", (R.NEW,), R.IN_WORK),
        Step("approve", (R.NEW, R.IN_WORK), R.APPROVED),
        Step("refuse", (R.NEW, R.IN_WORK), R.REFUSED),
        Step("cancel", (R.NEW, R.IN_WORK), R.CANCELLED),
        # A curator answering an escalation may send a refused or approved request back to work.
        Step("reopen", (R.REFUSED, R.APPROVED), R.IN_WORK),
    )
}

L = LetterStatus
LETTER_STEPS = {
    s.name: s
    for s in (
        Step("approve", (L.PENDING_APPROVAL,), L.ISSUED),
        Step("approve_partly", (L.PENDING_APPROVAL,), L.PARTLY_APPROVED),
        Step("refuse", (L.PENDING_APPROVAL,), L.REFUSED),
        # Extending or narrowing keeps the status; the step is still only for a valid letter.
        Step("extend", (L.ISSUED, L.PARTLY_APPROVED), "="),
        Step("narrow", (L.ISSUED, L.PARTLY_APPROVED), "="),
        Step("receive", (L.ISSUED, L.PARTLY_APPROVED), "="),
        Step("revoke", (L.PENDING_APPROVAL, L.ISSUED, L.PARTLY_APPROVED), L.REVOKED),
        Step("expire", (L.PENDING_APPROVAL, L.ISSUED, L.PARTLY_APPROVED), L.EXPIRED),
        Step("use", (L.ISSUED, L.PARTLY_APPROVED), L.USED),
    )
}

V = VisitStatus
VISIT_STEPS = {
    s.name: s
    for s in (
        Step("confirm", (V.PLANNED, V.NOT_HAPPENED), V.HAPPENED),
        Step("report_missed", (V.PLANNED,), V.NOT_HAPPENED),
        Step("cancel", (V.PLANNED,), V.CANCELLED),
    )
}

M = ModeChangeStatus
MODE_CHANGE_STEPS = {
    s.name: s
    for s in (
        Step("match_payment", (M.AWAITING_PAYMENT,), M.ATTACHED),
        Step("cancel", (M.AWAITING_PAYMENT,), M.CANCELLED),
    )
}

A = AttachmentStatus
ATTACHMENT_STEPS = {
    s.name: s
    for s in (
        Step("send", (A.GENERATED,), A.SENT),
        Step("receive", (A.SENT,), "="),
        Step("expire", (A.GENERATED, A.SENT), A.EXPIRED),
    )
}

STEPS: dict[type[models.Model], dict[str, Step]] = {
    CareRequest: REQUEST_STEPS,
    GuaranteeLetter: LETTER_STEPS,
    Visit: VISIT_STEPS,
    ServiceModeChange: MODE_CHANGE_STEPS,
    AttachmentLetter: ATTACHMENT_STEPS,
}

# Why a step cannot be taken from a status, in words for the person who tried.
_REQUEST_WHY: dict[str, Any] = {
    R.APPROVED: gettext_lazy("Обращение уже согласовано."),
    R.REFUSED: gettext_lazy("По обращению уже дан ответ: не страховой случай."),
    R.CANCELLED: gettext_lazy("Обращение отменено."),
    R.IN_WORK: gettext_lazy("Обращение уже в работе у диспетчера."),
    R.NEW: gettext_lazy("Обращение ещё не взято в работу."),
}
_LETTER_WHY: dict[str, Any] = {
    L.PENDING_APPROVAL: gettext_lazy("Письмо ещё на согласовании у врача."),
    L.REFUSED: gettext_lazy("В выдаче письма отказано."),
    L.EXPIRED: gettext_lazy("Срок письма истёк: для продолжения лечения нужно новое гарантийное письмо."),
    L.REVOKED: gettext_lazy("Письмо отозвано: нужно новое гарантийное письмо."),
    L.USED: gettext_lazy("Письмо уже использовано: для нового страхового случая нужно новое письмо."),
    L.ISSUED: gettext_lazy("Письмо уже выдано."),
    L.PARTLY_APPROVED: gettext_lazy("Письмо уже согласовано."),
}
_VISIT_WHY: dict[str, Any] = {
    V.HAPPENED: gettext_lazy("Визит уже отмечен как состоявшийся."),
    V.NOT_HAPPENED: gettext_lazy("Визит уже отмечен как несостоявшийся."),
    V.CANCELLED: gettext_lazy("Визит отменён."),
}
_MODE_WHY: dict[str, Any] = {
    M.ATTACHED: gettext_lazy("Оплата уже сопоставлена, полис прикреплён к клинике."),
    M.CANCELLED: gettext_lazy("Переход отменён."),
}
_ATTACHMENT_WHY: dict[str, Any] = {
    A.GENERATED: gettext_lazy("Письмо на прикрепление ещё не отправлено в клинику."),
    A.SENT: gettext_lazy("Письмо на прикрепление уже отправлено."),
    A.EXPIRED: gettext_lazy("Срок письма на прикрепление истёк."),
}
WHY: dict[type[models.Model], dict[str, Any]] = {
    CareRequest: _REQUEST_WHY,
    GuaranteeLetter: _LETTER_WHY,
    Visit: _VISIT_WHY,
    ServiceModeChange: _MODE_WHY,
    AttachmentLetter: _ATTACHMENT_WHY,
}

_EVENT_FIELD = {
    CareRequest: "request",
    GuaranteeLetter: "letter",
    AttachmentLetter: "attachment",
    ServiceModeChange: "mode_change",
}


def can(obj: models.Model, step: str) -> bool:
    """Whether the step may be taken from the object's status (for showing buttons)."""
    return getattr(obj, "status") in STEPS[type(obj)][step].sources  # noqa: B009


def refusal(obj: models.Model, step: str) -> str:
    """Why the step cannot be taken now, in words ("" when it can)."""
    if can(obj, step):
        return ""
    status = getattr(obj, "status")  # noqa: B009
    return str(WHY[type(obj)].get(status) or "") or _("Это действие сейчас недоступно.")


def advance(obj: models.Model, step: str, *, actor: User | None, note: str = "", **changes: Any) -> models.Model:
    """Take `step` on `obj`: check it is allowed from the status `obj` was read with, move it by a
    conditional UPDATE together with `changes`, and record the event. Raises CareError when the
    step is not allowed, or when someone else moved the object meanwhile."""
    model = type(obj)
    rule = STEPS[model][step]
    current = getattr(obj, "status")  # noqa: B009
    if current not in rule.sources:
        raise CareError(refusal(obj, step))
    target = current if rule.target == "=" else rule.target
    with transaction.atomic():
        updated = model._default_manager.filter(pk=obj.pk, status=current).update(status=target, **changes)
        if not updated:
            fresh = model._default_manager.get(pk=obj.pk)
            setattr(obj, "status", getattr(fresh, "status"))  # noqa: B009, B010
            raise CareError(refusal(obj, step) or _("Кто-то уже изменил запись: обновите страницу."))
        setattr(obj, "status", target)  # noqa: B010
        for field, value in changes.items():
            setattr(obj, field, value)
        record(obj, action=step, actor=actor, from_status=current, to_status=target, note=note)
    return obj


def record(
    obj: models.Model, *, action: str, actor: User | None, from_status: str = "", to_status: str = "", note: str = ""
) -> CareEvent | None:
    """An event for a step that is not a status change (created, files added, pass asked…).
    Visits keep their story on their own fields and on their request's events."""
    field = _EVENT_FIELD.get(type(obj))
    if field is None:
        if isinstance(obj, Visit):
            return CareEvent.objects.create(
                request_id=obj.request_id,
                action=f"visit_{action}",
                from_status=from_status,
                to_status=to_status,
                actor=actor,
                at=clock.now(),
                note=note,
            )
        return None
    return CareEvent.objects.create(
        **{field: obj},
        action=action,
        from_status=from_status,
        to_status=to_status,
        actor=actor,
        at=clock.now(),
        note=note,
    )
