"""Guarantee letters the desk issues to a clinic of the person's program: issue (with a second
doctor's approval above settings.DESK_LETTER_APPROVAL_KOPECKS), approve in full or in part,
refuse, extend, narrow, revoke.

Every status change goes through `states.advance` (a conditional UPDATE plus an event). Issuing a
letter locks the request row: the second of two simultaneous issues sees the first letter and is
refused. The first letter that becomes valid answers the request (it is approved)."""

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from polis import clock
from polis.accounts.models import User
from polis.care import notices, numbers, states
from polis.care.desk import locked_request, require_desk
from polis.care.models import (
    LETTER_CARE,
    LETTER_VALID,
    CareRequest,
    GuaranteeLetter,
    LetterKind,
    LetterService,
    LetterStatus,
    RequestStatus,
    month_later,
)
from polis.care.states import CareError
from polis.coverage.models import CopayRule, Policy, ProgramClinic, ServiceCategory
from polis.network.models import Clinic

APPROVE_PERMISSION = "care.approve_letter"

# The co-pay category a letter of each kind is billed under.
LETTER_COPAY = {
    LetterKind.CONSULTATION: ServiceCategory.CONSULTATION,
    LetterKind.DIAGNOSTICS: ServiceCategory.DIAGNOSTICS,
    LetterKind.PLANNED_HOSPITAL: ServiceCategory.INPATIENT,
    LetterKind.EMERGENCY_HOSPITAL: ServiceCategory.INPATIENT,
    LetterKind.DENTAL: ServiceCategory.DENTAL,
    LetterKind.HOME_VISIT: ServiceCategory.HOME_VISIT,
}
# A letter that still holds the clinic's place: a second one for the same request and clinic is a
# mistake (or a double click), whether the first is valid or waits for the second doctor.
LETTER_LIVE = (*LETTER_VALID, LetterStatus.PENDING_APPROVAL)
# МКБ-10: a Latin letter, two digits, an optional subcategory (J06.9, M54.16).
ICD10 = re.compile(r"^[A-Z]\d{2}(\.\d{1,2})?$")
# Cyrillic letters typed for their Latin twins on a Russian keyboard layout.
_TWINS = str.maketrans("АВСЕНКМОРТХ", "ABCEHKMOPTX")


@dataclass(frozen=True)
class ServiceLine:
    code: str
    name: str
    quantity: int = 1


def _require_approver(user: User) -> None:
    require_desk(user)
    if not user.has_perm(APPROVE_PERMISSION):
        raise CareError(_("Согласовывать письма сверх порога может только врач с правом согласования."))


def _policy_last_day(policy: Policy) -> dt.date:
    if policy.terminated_on is not None:
        return min(policy.ends_on, policy.terminated_on - dt.timedelta(days=1))
    return policy.ends_on


def _answer_now(request: CareRequest, actor: User) -> None:
    """The request's first letter became valid: the request is approved (answered once)."""
    if request.status in (RequestStatus.NEW, RequestStatus.IN_WORK):
        now = clock.now()
        states.advance(
            request,
            "approve",
            actor=actor,
            answered_at=request.answered_at or now,
            dispatcher=request.dispatcher or actor,
            taken_at=request.taken_at or now,
        )


def program_has_clinic(*, policy: Policy, clinic: Clinic, kind: str) -> bool:
    """Whether the clinic is in the policy's program for the care a letter of `kind` needs."""
    care = LETTER_CARE[LetterKind(kind)]
    return ProgramClinic.objects.filter(
        program_id=policy.program_id, clinic_id=clinic.pk, kind=care, clinic__is_active=True
    ).exists()


def copay_rule_text(*, policy: Policy, kind: str) -> str:
    """The program's co-pay rule for the letter's category; empty without a franchise."""
    if not policy.program.has_franchise:
        return ""
    rule = CopayRule.objects.filter(program_id=policy.program_id, service_category=LETTER_COPAY[LetterKind(kind)])
    found = rule.first()
    return str(found)[:200] if found is not None else ""


def _clean_icd10(raw: str) -> str:
    code = raw.strip().upper().translate(_TWINS).replace(",", ".")
    if code and not ICD10.match(code):
        raise CareError(
            _("Диагноз по МКБ-10 пишется как J06.9: латинская буква, две цифры, подрубрика."), field="icd10"
        )
    return code


def _clean_services(services: Iterable[ServiceLine]) -> list[ServiceLine]:
    lines = []
    for line in services:
        if not line.name.strip() or not line.code.strip():
            raise CareError(_("У каждой услуги нужны код и название."), field="services")
        if line.quantity < 1:
            raise CareError(_("Количество услуги — целое число от 1."), field="services")
        lines.append(ServiceLine(code=line.code.strip(), name=line.name.strip(), quantity=line.quantity))
    return lines


def _validity(policy: Policy, valid_from: dt.date | None, valid_to: dt.date | None) -> tuple[dt.date, dt.date]:
    today = clock.today()
    start = valid_from or today
    if start < today:
        raise CareError(_("Письмо не может начинать действовать в прошлом."), field="valid_from")
    last = _policy_last_day(policy)
    if start < policy.starts_on or start > last:
        raise CareError(_("Полис не действует на дату начала письма."), field="valid_from")
    longest = month_later(start)
    if valid_to is None:
        return start, min(longest, last)
    if valid_to < start:
        raise CareError(_("Письмо не может закончиться раньше, чем начнётся."), field="valid_to")
    if valid_to > longest:
        raise CareError(
            _("Письмо действует не дольше месяца: по %(date)s включительно.") % {"date": f"{longest:%d.%m.%Y}"},
            field="valid_to",
        )
    if valid_to > last:
        raise CareError(
            _("Полис действует по %(date)s: письмо не может быть дольше.") % {"date": f"{last:%d.%m.%Y}"},
            field="valid_to",
        )
    return start, valid_to


def _clean_limit(sum_limit_kopecks: int | None) -> int | None:
    if sum_limit_kopecks is not None and sum_limit_kopecks <= 0:
        raise CareError(_("Лимит суммы — больше нуля, или оставьте поле пустым."), field="sum_limit")
    return sum_limit_kopecks


def letter_issue(
    *,
    request: CareRequest,
    dispatcher: User,
    clinic: Clinic,
    kind: str,
    scope: str,
    complaints: str = "",
    icd10: str = "",
    services: Iterable[ServiceLine] = (),
    sum_limit_kopecks: int | None = None,
    valid_from: dt.date | None = None,
    valid_to: dt.date | None = None,
) -> GuaranteeLetter:
    """A guarantee letter to a clinic of the person's program. Above the approval threshold it
    waits for a second doctor; otherwise it is issued at once, the request is approved and the
    clinic and the insured are told."""
    require_desk(dispatcher)
    if kind not in LetterKind.values:
        raise CareError(_("Выберите вид помощи письма."), field="kind")
    lines = _clean_services(services)
    scope = scope.strip() or "; ".join(f"{s.name} × {s.quantity}" for s in lines)
    if not scope:
        raise CareError(_("Опишите объём помощи или перечислите услуги."), field="scope")
    icd10 = _clean_icd10(icd10)
    limit = _clean_limit(sum_limit_kopecks)
    with transaction.atomic():
        fresh = locked_request(request)
        if fresh.status == RequestStatus.NEW:
            raise CareError(_("Сначала возьмите обращение в работу."))
        if fresh.status not in (RequestStatus.IN_WORK, RequestStatus.APPROVED):
            raise CareError(states.refusal(fresh, "take") or _("По обращению письмо выдать нельзя."))
        policy = fresh.policy
        if not program_has_clinic(policy=policy, clinic=clinic, kind=kind):
            raise CareError(
                _("Клиника «%(clinic)s» не входит в программу застрахованного для этого вида помощи.")
                % {"clinic": clinic.name},
                field="clinic",
            )
        start, end = _validity(policy, valid_from, valid_to)
        twin = GuaranteeLetter.objects.filter(request=fresh, clinic=clinic, status__in=LETTER_LIVE).first()
        if twin is not None:
            raise CareError(
                _("По этому обращению в эту клинику уже есть письмо № %(n)s (%(status)s).")
                % {"n": twin.number, "status": twin.get_status_display().lower()}
            )
        needs_doctor = limit is not None and limit > settings.DESK_LETTER_APPROVAL_KOPECKS
        letter = GuaranteeLetter.objects.create(
            number=numbers.placeholder(),
            request=fresh,
            policy=policy,
            clinic=clinic,
            kind=kind,
            complaints=complaints.strip() or ("" if icd10 else fresh.complaints),
            icd10=icd10,
            scope=scope,
            sum_limit_kopecks=limit,
            valid_from=start,
            valid_to=end,
            copay_rule=copay_rule_text(policy=policy, kind=kind),
            status=LetterStatus.PENDING_APPROVAL if needs_doctor else LetterStatus.ISSUED,
            issued_by=dispatcher,
            issued_at=clock.now(),
        )
        numbers.assign_number(letter, numbers.LETTER)
        LetterService.objects.bulk_create(
            LetterService(letter=letter, code=s.code, name=s.name, quantity=s.quantity) for s in lines
        )
        states.record(letter, action="created", actor=dispatcher, to_status=letter.status)
        if needs_doctor:
            notices.letter_awaits_approval(letter)
        else:
            _answer_now(fresh, dispatcher)
            notices.letter_issued(letter)
    request.status = fresh.status
    return letter


def _second_doctor(letter: GuaranteeLetter, doctor: User) -> None:
    _require_approver(doctor)
    if letter.issued_by_id == doctor.pk:
        raise CareError(_("Своё письмо согласовать нельзя: его согласует другой врач."))


def letter_approve(
    *,
    letter: GuaranteeLetter,
    doctor: User,
    partly: bool = False,
    scope: str | None = None,
    sum_limit_kopecks: int | None = None,
    note: str = "",
) -> GuaranteeLetter:
    """The second doctor's yes: in full, or in part with a narrower scope or a lower limit."""
    _second_doctor(letter, doctor)
    if letter.valid_to < clock.today():
        raise CareError(_("Срок письма прошёл, пока оно ждало согласования: нужно новое письмо."))
    changes: dict[str, object] = {"approved_by": doctor, "approved_at": clock.now()}
    if partly:
        new_scope = (scope or "").strip()
        limit = _clean_limit(sum_limit_kopecks)
        if limit is not None and letter.sum_limit_kopecks is not None and limit >= letter.sum_limit_kopecks:
            raise CareError(_("При частичном согласовании лимит должен быть меньше запрошенного."), field="sum_limit")
        if not new_scope and limit is None:
            raise CareError(_("Укажите, что согласовано: меньший объём помощи или меньший лимит."), field="scope")
        if new_scope:
            changes["scope"] = new_scope
        if limit is not None:
            changes["sum_limit_kopecks"] = limit
    with transaction.atomic():
        request = locked_request(letter.request)
        if request.status not in (RequestStatus.NEW, RequestStatus.IN_WORK, RequestStatus.APPROVED):
            raise CareError(states.refusal(request, "take") or _("По обращению письмо выдать нельзя."))
        states.advance(letter, "approve_partly" if partly else "approve", actor=doctor, note=note.strip(), **changes)
        _answer_now(request, doctor)
        notices.letter_issued(letter)
    return letter


def letter_refuse(*, letter: GuaranteeLetter, doctor: User, reason: str) -> GuaranteeLetter:
    """The second doctor's no. The request stays in work: the dispatcher answers the insured."""
    _second_doctor(letter, doctor)
    reason = reason.strip()
    if not reason:
        raise CareError(_("Укажите причину отказа в согласовании."), field="reason")
    with transaction.atomic():
        states.advance(letter, "refuse", actor=doctor, note=reason, closed_reason=reason)
        notices.letter_refused_to_issuer(letter)
    return letter


def _still_running(letter: GuaranteeLetter, step: str) -> None:
    """A letter past its last day is expired even before the nightly task marks it so."""
    if letter.status in LETTER_VALID and letter.valid_to < clock.today():
        raise CareError(str(states.WHY[GuaranteeLetter][LetterStatus.EXPIRED]))
    if not states.can(letter, step):
        raise CareError(states.refusal(letter, step))


def letter_extend(*, letter: GuaranteeLetter, dispatcher: User, valid_to: dt.date, note: str = "") -> GuaranteeLetter:
    """Longer validity for the same event: at most a month from today, within the policy."""
    require_desk(dispatcher)
    _still_running(letter, "extend")
    if valid_to <= letter.valid_to:
        raise CareError(
            _("Новая дата окончания должна быть позже %(date)s.") % {"date": f"{letter.valid_to:%d.%m.%Y}"},
            field="valid_to",
        )
    longest = month_later(clock.today())
    if valid_to > longest:
        raise CareError(
            _("Продлить можно не дальше чем на месяц: по %(date)s.") % {"date": f"{longest:%d.%m.%Y}"},
            field="valid_to",
        )
    last = _policy_last_day(letter.policy)
    if valid_to > last:
        raise CareError(
            _("Полис действует по %(date)s: письмо не может быть дольше.") % {"date": f"{last:%d.%m.%Y}"},
            field="valid_to",
        )
    old = letter.valid_to
    text = _("по %(old)s → по %(new)s") % {"old": f"{old:%d.%m.%Y}", "new": f"{valid_to:%d.%m.%Y}"}
    with transaction.atomic():
        full_note = " ".join(part for part in (text, note.strip()) if part)
        states.advance(letter, "extend", actor=dispatcher, note=full_note, valid_to=valid_to)
        notices.letter_changed(letter, change=_("продлено до %(date)s") % {"date": f"{valid_to:%d.%m.%Y}"})
    return letter


def letter_narrow(
    *, letter: GuaranteeLetter, dispatcher: User, scope: str, sum_limit_kopecks: int | None = None, note: str = ""
) -> GuaranteeLetter:
    require_desk(dispatcher)
    _still_running(letter, "narrow")
    scope = scope.strip()
    if not scope:
        raise CareError(_("Опишите оставшийся объём помощи."), field="scope")
    limit = _clean_limit(sum_limit_kopecks)
    if limit is not None and letter.sum_limit_kopecks is not None and limit > letter.sum_limit_kopecks:
        raise CareError(_("Сузить можно только до меньшего лимита: больший лимит — новое письмо."), field="sum_limit")
    changes: dict[str, object] = {"scope": scope}
    if limit is not None:
        changes["sum_limit_kopecks"] = limit
    with transaction.atomic():
        states.advance(letter, "narrow", actor=dispatcher, note=note.strip(), **changes)
        notices.letter_changed(letter, change=_("объём помощи изменён: %(scope)s") % {"scope": scope})
    return letter


def letter_revoke(*, letter: GuaranteeLetter, dispatcher: User, reason: str) -> GuaranteeLetter:
    require_desk(dispatcher)
    reason = reason.strip()
    if not reason:
        raise CareError(_("Укажите причину отзыва письма."), field="reason")
    with transaction.atomic():
        states.advance(letter, "revoke", actor=dispatcher, note=reason, closed_reason=reason)
        notices.letter_revoked(letter)
    return letter
