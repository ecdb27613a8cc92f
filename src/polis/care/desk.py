"""What the dispatcher does with a request: take it, refuse it, write one down during a call,
book the visit, ask for a clinic pass; and how a curator answers an escalation. Guarantee letters
(issue, the second doctor's approval, extend, narrow, revoke) are in `desk_letters`.

Every status change goes through `states.advance` (a conditional UPDATE plus an event), so two
dispatchers, or one double click, move a request once. Booking a visit or asking for a pass locks
the request row first."""

import datetime as dt
from collections.abc import Iterable

from django.db import transaction
from django.utils.translation import gettext as _

from polis import clock
from polis.accounts.models import Role, User
from polis.care import notices, numbers, states
from polis.care.models import (
    LETTER_CARE,
    LETTER_VALID,
    CareRequest,
    ClinicPass,
    ContactChannel,
    Escalation,
    EscalationStatus,
    GuaranteeLetter,
    LetterKind,
    RefusalReason,
    RequestStatus,
    TimeWindow,
    Urgency,
    Visit,
)
from polis.care.states import CareError
from polis.coverage.models import Policy, PolicyStatus, ProgramClinic
from polis.network.models import Clinic, KindOfCare

ESCALATION_PERMISSION = "care.handle_escalation"


def require_desk(user: User) -> None:
    """Only an active member of the desk acts on requests and letters."""
    if user.role != Role.DESK or not user.is_active:
        raise CareError(_("Это действие доступно только сотрудникам медицинского пульта."))


def locked_request(request: CareRequest) -> CareRequest:
    """The request row, locked until the end of the transaction, with its policy and program."""
    return CareRequest.objects.select_for_update().select_related("policy__program").get(pk=request.pk)


# ── Requests ─────────────────────────────────────────────────────────────────────────────────


def request_take(*, request: CareRequest, dispatcher: User) -> CareRequest:
    require_desk(dispatcher)
    states.advance(request, "take", actor=dispatcher, dispatcher=dispatcher, taken_at=clock.now())
    return request


def request_refuse(*, request: CareRequest, dispatcher: User, reason: str, answer: str) -> CareRequest:
    """Not an insured event: the insured sees the reason and the answer."""
    require_desk(dispatcher)
    if reason not in RefusalReason.values:
        raise CareError(_("Выберите причину отказа."), field="reason")
    answer = answer.strip()
    if not answer:
        raise CareError(_("Напишите застрахованному, почему это не страховой случай."), field="answer")
    now = clock.now()
    with transaction.atomic():
        states.advance(
            request,
            "refuse",
            actor=dispatcher,
            note=str(RefusalReason(reason).label),
            refusal_reason=reason,
            answer=answer,
            answered_at=request.answered_at or now,
            dispatcher=request.dispatcher or dispatcher,
            taken_at=request.taken_at or now,
        )
        notices.request_refused(request)
    return request


def request_create_for_caller(
    *,
    policy: Policy,
    dispatcher: User,
    complaints: str,
    kind: str,
    desired_date: dt.date,
    urgency: str = Urgency.ROUTINE,
    clinic: Clinic | None = None,
    contact_phone: str = "",
    time_windows: Iterable[str] = (),
) -> CareRequest:
    """A request the dispatcher writes down during a call: created for the person and taken in
    work at once by the one who is on the phone with them."""
    require_desk(dispatcher)
    complaints = complaints.strip()
    if not complaints:
        raise CareError(_("Запишите жалобы."), field="complaints")
    if kind not in KindOfCare.values:
        raise CareError(_("Выберите вид помощи."), field="kind")
    if urgency not in Urgency.values:
        raise CareError(_("Выберите срочность."), field="urgency")
    today = clock.today()
    if desired_date < today:
        raise CareError(_("Желаемая дата не может быть в прошлом."), field="desired_date")
    if desired_date > today + dt.timedelta(days=365):
        raise CareError(_("Желаемая дата — не дальше чем через год."), field="desired_date")
    if policy.status_on(desired_date) != PolicyStatus.ACTIVE:
        raise CareError(_("Полис не действует на желаемую дату."), field="desired_date")
    if (
        clinic is not None
        and not ProgramClinic.objects.filter(program_id=policy.program_id, clinic_id=clinic.pk, kind=kind).exists()
    ):
        raise CareError(_("Клиника не входит в программу для этого вида помощи."), field="clinic")
    windows = [w for w in time_windows if w in TimeWindow.values]
    with transaction.atomic():
        request = CareRequest.objects.create(
            number=numbers.placeholder(),
            policy=policy,
            created_by=dispatcher,
            complaints=complaints,
            kind=kind,
            clinic=clinic,
            desired_date=desired_date,
            time_windows=windows,
            contact_channel=ContactChannel.CALL,
            contact_phone=contact_phone,
            urgency=urgency,
            created_at=clock.now(),
        )
        numbers.assign_number(request, numbers.REQUEST)
        states.record(request, action="created", actor=dispatcher, to_status=request.status, note=_("по звонку"))
        states.advance(request, "take", actor=dispatcher, dispatcher=dispatcher, taken_at=clock.now())
    return request


# ── Visits and passes ────────────────────────────────────────────────────────────────────────


def visit_book(
    *,
    request: CareRequest,
    dispatcher: User,
    clinic: Clinic,
    starts_at: dt.datetime,
    specialist: str,
    doctor: str = "",
    note: str = "",
    letter: GuaranteeLetter | None = None,
) -> Visit:
    """The time the dispatcher agreed with the clinic; the insured is told where and when."""
    require_desk(dispatcher)
    specialist = specialist.strip()
    if not specialist:
        raise CareError(_("Укажите специалиста."), field="specialist")
    if starts_at <= clock.now():
        raise CareError(_("Время визита уже прошло."), field="starts_at")
    with transaction.atomic():
        fresh = locked_request(request)
        if fresh.status not in (RequestStatus.IN_WORK, RequestStatus.APPROVED):
            raise CareError(states.refusal(fresh, "take") or _("Сначала возьмите обращение в работу."))
        if letter is None:
            letter = GuaranteeLetter.objects.filter(request=fresh, clinic=clinic, status__in=LETTER_VALID).first()
        if letter is not None:
            if letter.request_id != fresh.pk or letter.clinic_id != clinic.pk:
                raise CareError(_("Письмо выдано по другому обращению или в другую клинику."), field="letter")
            day = starts_at.astimezone(clock.local_zone()).date()
            if not letter.valid_from <= day <= letter.valid_to:
                raise CareError(
                    _("Визит должен быть в срок письма: %(a)s–%(b)s.")
                    % {"a": f"{letter.valid_from:%d.%m.%Y}", "b": f"{letter.valid_to:%d.%m.%Y}"},
                    field="starts_at",
                )
            care: str = LETTER_CARE[LetterKind(letter.kind)]
        else:
            care = fresh.kind
        in_program = ProgramClinic.objects.filter(
            program_id=fresh.policy.program_id, clinic_id=clinic.pk, kind=care, clinic__is_active=True
        ).exists()
        if not in_program:
            raise CareError(_("Клиника не входит в программу застрахованного для этого вида помощи."), field="clinic")
        visit = Visit.objects.create(
            request=fresh,
            letter=letter,
            policy=fresh.policy,
            clinic=clinic,
            kind=care,
            specialist=specialist,
            doctor=doctor.strip(),
            starts_at=starts_at,
            address=clinic.address,
            note=note.strip(),
            booked_by=dispatcher,
            created_at=clock.now(),
        )
        states.record(visit, action="created", actor=dispatcher, to_status=visit.status)
        notices.visit_booked(visit)
    return visit


def pass_request(*, request: CareRequest, clinic: Clinic, dispatcher: User) -> ClinicPass:
    """Ask the insured for a photo and a document for a clinic with an access system."""
    require_desk(dispatcher)
    if not clinic.has_access_control:
        raise CareError(_("В клинике нет пропускной системы: пропуск не нужен."), field="clinic")
    with transaction.atomic():
        fresh = locked_request(request)
        if fresh.status not in (RequestStatus.IN_WORK, RequestStatus.APPROVED):
            raise CareError(states.refusal(fresh, "take") or _("Сначала возьмите обращение в работу."))
        if not ProgramClinic.objects.filter(program_id=fresh.policy.program_id, clinic_id=clinic.pk).exists():
            raise CareError(_("Клиника не входит в программу застрахованного."), field="clinic")
        if ClinicPass.objects.filter(request=fresh, clinic=clinic).exists():
            raise CareError(_("Пропуск в эту клинику по обращению уже запрошен."))
        found = ClinicPass.objects.create(
            request=fresh, clinic=clinic, requested_by=dispatcher, requested_at=clock.now()
        )
        states.record(fresh, action="pass_requested", actor=dispatcher, note=clinic.name)
        notices.pass_requested(found)
    return found


# ── Escalations ──────────────────────────────────────────────────────────────────────────────


def escalation_answer(*, escalation: Escalation, staff: User, answer: str, reopen: bool = False) -> Escalation:
    """A curator or the shift's senior answers; `reopen` sends the request back to work."""
    if not staff.is_active or not staff.has_perm(ESCALATION_PERMISSION):
        raise CareError(_("На жалобы отвечают врач-куратор и старший смены."))
    answer = answer.strip()
    if not answer:
        raise CareError(_("Напишите ответ застрахованному."), field="answer")
    now = clock.now()
    with transaction.atomic():
        answered = Escalation.objects.filter(pk=escalation.pk, status=EscalationStatus.OPEN).update(
            status=EscalationStatus.ANSWERED, answer=answer, answered_by=staff, answered_at=now, reopened=reopen
        )
        if not answered:
            raise CareError(_("На эту жалобу уже ответили."))
        request = locked_request(escalation.request)
        states.record(request, action="escalation_answered", actor=staff, note=answer)
        if reopen:
            states.advance(request, "reopen", actor=staff, note=answer, refusal_reason="")
        escalation.status, escalation.answer, escalation.answered_at = EscalationStatus.ANSWERED, answer, now
        escalation.answered_by, escalation.reopened, escalation.request = staff, reopen, request
        notices.escalation_answered(escalation)
    return escalation
