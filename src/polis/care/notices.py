"""Telling people what the desk decided: the insured (SMS, e-mail and a notification in the
account), the clinic (e-mail with the letter), the dispatcher (a notification when the second
doctor refuses). Called inside the deciding transaction: the outbox rows commit with the
decision and are delivered after it (notify.services), so a rolled-back step sends nothing."""

import datetime as dt
from dataclasses import dataclass

from django.contrib.auth.models import Permission
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext as _

from polis import clock
from polis.accounts.models import Role, User
from polis.care.models import CareRequest, ClinicPass, Escalation, GuaranteeLetter, Visit, VisitStatus
from polis.coverage.models import Policy
from polis.money import format_rub
from polis.notify.services import email_send, notification_create, sms_send

# The insured's list of requests (care.insured_urls): where a notification without a request leads.
MY_CARE_PATH = "/my/care/"


def local_time(moment: dt.datetime) -> str:
    """«ДД.ММ.ГГГГ ЧЧ:ММ» in Moscow: how every message names a visit."""
    return moment.astimezone(clock.local_zone()).strftime("%d.%m.%Y %H:%M")


@dataclass(frozen=True)
class Contact:
    phone: str
    email: str
    user: User | None


def insured_contact(policy: Policy) -> Contact:
    """Whom to tell about a policy's care: the insured's account, else the contacts the insurer's
    list has; for a relative's policy, the holder (a mother hears about her son's visit)."""
    person = policy.holder if policy.holder_id is not None and policy.holder is not None else policy.insured
    account = person.user
    return Contact(
        phone=(account.phone if account is not None and account.phone else "") or person.phone,
        email=(account.email if account is not None else "") or person.email,
        user=account,
    )


def _tell_insured(policy: Policy, *, title: str, text: str, request_id: int | None = None) -> None:
    contact = insured_contact(policy)
    if contact.phone:
        sms_send(phone=contact.phone, text=text)
    if contact.email:
        email_send(to=contact.email, subject=title, text=text)
    if contact.user is not None:
        link = reverse("care_my:detail", args=[request_id]) if request_id is not None else MY_CARE_PATH
        notification_create(user=contact.user, title=title, body=text, link=link)


def _period(letter: GuaranteeLetter) -> str:
    return f"{letter.valid_from:%d.%m.%Y}–{letter.valid_to:%d.%m.%Y}"


def letter_text(letter: GuaranteeLetter) -> str:
    """The letter as the clinic reads it."""
    policy = letter.policy
    person = policy.insured
    lines = [
        _("Гарантийное письмо № %(n)s от %(d)s") % {"n": letter.number, "d": f"{letter.issued_at:%d.%m.%Y}"},
        _("Клиника: %(c)s, %(a)s") % {"c": letter.clinic.name, "a": letter.clinic.address},
        _("Застрахованный: %(name)s, %(born)s г. р., полис № %(policy)s, программа «%(program)s»")
        % {
            "name": person.full_name,
            "born": f"{person.birth_date:%d.%m.%Y}",
            "policy": policy.number,
            "program": policy.program.name,
        },
        _("Вид помощи: %(kind)s") % {"kind": letter.get_kind_display()},
    ]
    if letter.icd10:
        lines.append(_("Диагноз (МКБ-10): %(code)s") % {"code": letter.icd10})
    if letter.complaints:
        lines.append(_("Жалобы: %(text)s") % {"text": letter.complaints})
    lines.append(_("Объём помощи: %(scope)s") % {"scope": letter.scope})
    for service in letter.services.all():
        lines.append(f"  {service.code} {service.name} × {service.quantity}")
    if letter.sum_limit_kopecks is not None:
        lines.append(_("Лимит суммы: %(sum)s") % {"sum": format_rub(letter.sum_limit_kopecks)})
    lines.append(_("Действует: %(period)s") % {"period": _period(letter)})
    if letter.copay_rule:
        lines.append(_("Франшиза: %(rule)s") % {"rule": letter.copay_rule})
    return "\n".join(lines)


def _visit_text(visit: Visit) -> str:
    text = _("%(when)s, %(clinic)s, %(address)s, %(specialist)s") % {
        "when": local_time(visit.starts_at),
        "clinic": visit.clinic.name,
        "address": visit.address,
        "specialist": visit.specialist,
    }
    if visit.doctor:
        text += _(", врач %(doctor)s") % {"doctor": visit.doctor}
    if visit.note:
        text += ". " + visit.note
    return text


def letter_issued(letter: GuaranteeLetter) -> None:
    """The letter is valid: the clinic gets it, the insured gets the visit's details."""
    if letter.clinic.email:
        email_send(
            to=letter.clinic.email,
            subject=_("Гарантийное письмо № %(n)s") % {"n": letter.number},
            text=letter_text(letter),
        )
    text = _("Гарантийное письмо № %(n)s в «%(clinic)s» (%(address)s) выдано, действует %(period)s.") % {
        "n": letter.number,
        "clinic": letter.clinic.name,
        "address": letter.clinic.address,
        "period": _period(letter),
    }
    visit = (
        Visit.objects.filter(request_id=letter.request_id, clinic_id=letter.clinic_id, status=VisitStatus.PLANNED)
        .order_by("starts_at")
        .first()
    )
    if visit is not None:
        text += " " + _("Запись: %(visit)s.") % {"visit": _visit_text(visit)}
    _tell_insured(letter.policy, title=_("Гарантийное письмо выдано"), text=text, request_id=letter.request_id)


def visit_booked(visit: Visit) -> None:
    text = _("Вы записаны: %(visit)s.") % {"visit": _visit_text(visit)}
    if visit.letter is not None:
        text += " " + _("Гарантийное письмо № %(n)s.") % {"n": visit.letter.number}
    _tell_insured(visit.policy, title=_("Запись через медицинский пульт"), text=text, request_id=visit.request_id)


def request_refused(request: CareRequest) -> None:
    text = _("По обращению № %(n)s: не страховой случай. Причина: %(reason)s. %(answer)s") % {
        "n": request.number,
        "reason": request.get_refusal_reason_display(),
        "answer": request.answer,
    }
    _tell_insured(request.policy, title=_("Ответ медицинского пульта"), text=text.strip(), request_id=request.pk)


def letter_changed(letter: GuaranteeLetter, *, change: str) -> None:
    """Extended or narrowed: both sides must treat by the new terms."""
    subject = _("Гарантийное письмо № %(n)s изменено") % {"n": letter.number}
    text = _("Гарантийное письмо № %(n)s: %(change)s.") % {"n": letter.number, "change": change}
    if letter.clinic.email:
        email_send(to=letter.clinic.email, subject=subject, text=f"{text}\n\n{letter_text(letter)}")
    _tell_insured(letter.policy, title=subject, text=text, request_id=letter.request_id)


def letter_revoked(letter: GuaranteeLetter) -> None:
    subject = _("Гарантийное письмо № %(n)s отозвано") % {"n": letter.number}
    text = _("Гарантийное письмо № %(n)s в «%(clinic)s» отозвано. Причина: %(reason)s") % {
        "n": letter.number,
        "clinic": letter.clinic.name,
        "reason": letter.closed_reason,
    }
    if letter.clinic.email:
        email_send(to=letter.clinic.email, subject=subject, text=text)
    _tell_insured(letter.policy, title=subject, text=text, request_id=letter.request_id)


def letter_awaits_approval(letter: GuaranteeLetter) -> None:
    """Above the threshold: every desk doctor who may approve (but the issuer) sees it waiting."""
    right = Permission.objects.filter(content_type__app_label="care", codename="approve_letter")
    doctors = (
        User.objects.filter(Q(user_permissions__in=right) | Q(groups__permissions__in=right) | Q(is_superuser=True))
        .filter(role=Role.DESK, is_active=True)
        .exclude(pk=letter.issued_by_id)
        .distinct()
    )
    title = _("Письмо № %(n)s ждёт согласования") % {"n": letter.number}
    body = _("%(clinic)s, %(kind)s, лимит %(sum)s") % {
        "clinic": letter.clinic.name,
        "kind": letter.get_kind_display().lower(),
        "sum": format_rub(letter.sum_limit_kopecks or 0),
    }
    link = reverse("desk:letter", args=[letter.pk])
    for doctor in doctors:
        notification_create(user=doctor, title=title, body=body, link=link)


def letter_refused_to_issuer(letter: GuaranteeLetter) -> None:
    """The second doctor said no: the dispatcher who issued it answers the insured."""
    notification_create(
        user=letter.issued_by,
        title=_("Письмо № %(n)s не согласовано") % {"n": letter.number},
        body=letter.closed_reason,
        link=reverse("desk:request", args=[letter.request_id]),
    )


def pass_requested(found: ClinicPass) -> None:
    text = _(
        "Для прохода в «%(clinic)s» нужен пропуск: пришлите в личном кабинете фото и данные документа"
        " (и номер автомобиля, если приедете на машине)."
    ) % {"clinic": found.clinic.name}
    _tell_insured(found.request.policy, title=_("Нужны данные для пропуска"), text=text, request_id=found.request_id)


def escalation_answered(escalation: Escalation) -> None:
    request = escalation.request
    text = _("Ответ на жалобу по обращению № %(n)s: %(answer)s") % {"n": request.number, "answer": escalation.answer}
    if escalation.reopened:
        text += " " + _("Обращение снова в работе у пульта.")
    _tell_insured(request.policy, title=_("Ответ на жалобу"), text=text, request_id=request.pk)
