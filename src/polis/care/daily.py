"""The desk's daily round: guarantee letters past their end expire, clinics and the desk are
warned DESK_LETTER_WARN_DAYS before a letter ends, attachment letters due go to their clinics
(and the insured learn they are attached), attachment letters past their end expire.

Safe to run any number of times a day, also at once: every step is a conditional UPDATE
(states.advance, or the claim of `expiry_warned_at`), so each letter expires, is warned about
and is sent once; a row someone else moved meanwhile is skipped."""

import datetime as dt
from dataclasses import dataclass

from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from polis import clock
from polis.accounts.models import Role, User
from polis.billing.debts.selectors import payer_of
from polis.care import states
from polis.care.clinic_selectors import warn_until
from polis.care.models import LETTER_VALID, AttachmentLetter, AttachmentStatus, GuaranteeLetter, LetterStatus
from polis.care.states import CareError
from polis.coverage.models import ServiceMode, Sex
from polis.network.models import Clinic
from polis.notify.services import email_send, notification_create, sms_send

LETTER_OPEN = (LetterStatus.PENDING_APPROVAL, *LETTER_VALID)


@dataclass(frozen=True)
class DailyResult:
    letters_expired: int
    letters_warned: int
    attachments_sent: int
    attachments_expired: int

    def __str__(self) -> str:
        return _(
            "Гарантийных писем истекло: %(le)s, предупреждений об окончании: %(lw)s; "
            "писем на прикрепление отправлено: %(as)s, истекло: %(ae)s."
        ) % {
            "le": self.letters_expired,
            "lw": self.letters_warned,
            "as": self.attachments_sent,
            "ae": self.attachments_expired,
        }


def _d(day: dt.date) -> str:
    return day.strftime("%d.%m.%Y")


def _clinic_staff(clinic_id: int) -> list[User]:
    return list(User.objects.filter(role=Role.CLINIC, clinic_id=clinic_id, is_active=True))


def _desk_staff() -> list[User]:
    return list(User.objects.filter(role=Role.DESK, is_active=True))


# ── Guarantee letters ────────────────────────────────────────────────────────────────────────


def letters_expire(*, today: dt.date) -> int:
    """Letters still open after their last day become expired (the system's step, no actor)."""
    expired = 0
    for letter in GuaranteeLetter.objects.filter(status__in=LETTER_OPEN, valid_to__lt=today).only("pk", "status"):
        try:
            states.advance(letter, "expire", actor=None)
        except CareError:
            continue  # revoked or used meanwhile: nothing to expire
        expired += 1
    return expired


def _letter_text(letter: GuaranteeLetter) -> str:
    person = letter.policy.insured
    return _(
        "Гарантийное письмо № %(n)s (%(kind)s) на %(name)s, %(birth)s г. р., полис № %(policy)s, "
        "действует до %(to)s включительно. Если лечение не закончено, для продолжения нужно новое "
        "гарантийное письмо: обратитесь на медицинский пульт."
    ) % {
        "n": letter.number,
        "kind": str(letter.get_kind_display()).lower(),
        "name": person.full_name,
        "birth": _d(person.birth_date),
        "policy": letter.policy.number,
        "to": _d(letter.valid_to),
    }


def letter_warn(*, letter: GuaranteeLetter, desk: list[User] | None = None) -> bool:
    """Warn the clinic (e-mail and its clerks' notifications) and the desk (`desk`: its active
    dispatchers, read once per round) that the letter ends soon. Claimed by a conditional UPDATE
    of `expiry_warned_at`: once per letter, ever."""
    with transaction.atomic():
        claimed = GuaranteeLetter.objects.filter(
            pk=letter.pk, expiry_warned_at__isnull=True, status__in=LETTER_VALID
        ).update(expiry_warned_at=clock.now())
        if not claimed:
            return False
        states.record(letter, action="expiry_warned", actor=None)
        clinic: Clinic = letter.clinic
        title = _("Гарантийное письмо № %(n)s заканчивается %(to)s") % {"n": letter.number, "to": _d(letter.valid_to)}
        text = _letter_text(letter)
        if clinic.email:
            email_send(to=clinic.email, subject=title, text=text)
        clinic_link = reverse("care_clinic:letter", args=[letter.pk])
        for clerk in _clinic_staff(clinic.pk):
            notification_create(user=clerk, title=title, body=text, link=clinic_link)
        desk_text = _("%(text)s Клиника: %(clinic)s.") % {"text": text, "clinic": clinic.name}
        desk_link = reverse("desk:letter", args=[letter.pk])
        for dispatcher in _desk_staff() if desk is None else desk:
            notification_create(user=dispatcher, title=title, body=desk_text, link=desk_link)
    return True


def letters_warn_expiring(*, today: dt.date) -> int:
    """Valid letters ending within DESK_LETTER_WARN_DAYS (settings) that were not warned about."""
    due = (
        GuaranteeLetter.objects.filter(
            status__in=LETTER_VALID,
            expiry_warned_at__isnull=True,
            valid_to__gte=today,
            valid_to__lte=warn_until(today),
        )
        .select_related("clinic", "policy__insured")
        .order_by("valid_to", "pk")
    )
    desk = _desk_staff()
    return sum(1 for letter in due if letter_warn(letter=letter, desk=desk))


# ── Attachment letters ───────────────────────────────────────────────────────────────────────


def attachment_text(letter: AttachmentLetter) -> str:
    """The letter itself, as the clinic receives it."""
    person = letter.policy.insured
    return _(
        "Письмо на прикрепление № %(n)s от %(generated)s.\n\n"
        "Просим прикрепить к клинике «%(clinic)s» для обслуживания через регистратуру по программе "
        "«%(program)s» застрахованного:\n%(name)s, %(birth)s г. р., полис № %(policy)s.\n"
        "Срок прикрепления: с %(from)s по %(to)s включительно.\n\n"
        "Застрахованный записывается через регистратуру клиники без согласования со страховщиком "
        "в рамках программы страхования. Подтвердите получение письма в кабинете клиники."
    ) % {
        "n": letter.number,
        "generated": _d(letter.generated_on),
        "clinic": letter.clinic.name,
        "program": letter.policy.program.name,
        "name": person.full_name,
        "birth": _d(person.birth_date),
        "policy": letter.policy.number,
        "from": _d(letter.valid_from),
        "to": _d(letter.valid_to),
    }


def attachment_send(*, letter: AttachmentLetter) -> bool:
    """Send one generated letter: the step (a conditional UPDATE) first, then the e-mail to the
    clinic, its clerks' notifications and the message to the insured, in one transaction."""
    with transaction.atomic():
        try:
            states.advance(letter, "send", actor=None, sent_at=clock.now())
        except CareError:
            return False  # sent (or expired) meanwhile
        clinic = letter.clinic
        title = _("Письмо на прикрепление № %(n)s") % {"n": letter.number}
        text = attachment_text(letter)
        if clinic.email:
            email_send(to=clinic.email, subject=title, text=text)
        link = reverse("care_clinic:attachments")
        person = letter.policy.insured
        for clerk in _clinic_staff(clinic.pk):
            notification_create(
                user=clerk,
                title=_("Новое прикрепление: %(name)s") % {"name": person.full_name},
                body=text,
                link=link,
            )
        _tell_insured(letter)
    return True


def _tell_insured(letter: AttachmentLetter) -> None:
    payer = payer_of(letter.policy)
    clinic = letter.clinic
    phone = clinic.phone_list[0] if clinic.phone_list else ""
    female = letter.policy.insured.sex == Sex.FEMALE
    text = (
        _(
            "Polis: %(who)s прикреплена к клинике «%(clinic)s» по полису %(policy)s с %(from)s по %(to)s. "
            "Записывайтесь через регистратуру клиники%(phone)s."
        )
        if female
        else _(
            "Polis: %(who)s прикреплён к клинике «%(clinic)s» по полису %(policy)s с %(from)s по %(to)s. "
            "Записывайтесь через регистратуру клиники%(phone)s."
        )
    ) % {
        "who": letter.policy.insured.short_name,
        "clinic": clinic.name,
        "policy": letter.policy.number,
        "from": _d(letter.valid_from),
        "to": _d(letter.valid_to),
        "phone": f" {phone}" if phone else "",
    }
    title = _("Прикрепление к клинике «%(clinic)s»") % {"clinic": clinic.name}
    if payer.phone:
        sms_send(phone=payer.phone, text=text)
    if payer.email:
        email_send(to=payer.email, subject=title, text=text)
    if payer.user is not None:
        notification_create(user=payer.user, title=title, body=text, link=reverse("coverage:dashboard"))


def attachments_send_due(*, today: dt.date) -> int:
    due = (
        AttachmentLetter.objects.filter(status=AttachmentStatus.GENERATED, send_on__lte=today, valid_to__gte=today)
        .select_related("clinic", "policy__insured__user", "policy__holder__user", "policy__program")
        .order_by("send_on", "pk")
    )
    return sum(1 for letter in due if attachment_send(letter=letter))


def attachments_expire(*, today: dt.date) -> int:
    """Attachment letters past their end expire. One that no later letter continues (the next
    installment did not come) ends the attachment: the clinic and the person are told, and
    network.access sends the person to the desk until the back office records the payment."""
    expired = 0
    open_ = (AttachmentStatus.GENERATED, AttachmentStatus.SENT)
    for letter in AttachmentLetter.objects.filter(status__in=open_, valid_to__lt=today).only("pk", "status"):
        with transaction.atomic():
            try:
                states.advance(letter, "expire", actor=None)
            except CareError:
                continue
            expired += 1
            letter = AttachmentLetter.objects.select_related("policy__insured", "clinic").get(pk=letter.pk)
            continued = AttachmentLetter.objects.filter(
                policy_id=letter.policy_id, valid_to__gt=letter.valid_to
            ).exists()
            policy = letter.policy
            if not continued and policy.service_mode == ServiceMode.REGISTRY and letter.valid_to < policy.ends_on:
                _tell_lapsed(letter)
    return expired


def _tell_lapsed(letter: AttachmentLetter) -> None:
    person = letter.policy.insured
    clinic = letter.clinic
    ended = _d(letter.valid_to)
    if clinic.email:
        email_send(
            to=clinic.email,
            subject=_("Прикрепление закончилось: %(name)s") % {"name": person.full_name},
            text=_(
                "Прикрепление застрахованного %(name)s, %(birth)s г. р., полис № %(policy)s, по письму № %(n)s "
                "закончилось %(ended)s: очередной взнос по договору не поступил. Дальнейшие обращения — только "
                "по гарантийным письмам медицинского пульта."
            )
            % {
                "name": person.full_name,
                "birth": _d(person.birth_date),
                "policy": letter.policy.number,
                "n": letter.number,
                "ended": ended,
            },
        )
    payer = payer_of(letter.policy)
    text = _(
        "Polis: прикрепление %(who)s к клинике «%(clinic)s» закончилось %(ended)s — очередной взнос по договору "
        "не поступил. До продления записывайтесь через медицинский пульт."
    ) % {"who": person.short_name, "clinic": clinic.name, "ended": ended}
    if payer.phone:
        sms_send(phone=payer.phone, text=text)
    if payer.email:
        email_send(to=payer.email, subject=_("Прикрепление к клинике закончилось"), text=text)
    if payer.user is not None:
        notification_create(user=payer.user, title=_("Прикрепление к клинике закончилось"), body=text)


def care_daily(*, today: dt.date | None = None) -> DailyResult:
    """The whole round for `today` (the insurer's today by default). Expiring comes first, so a
    letter past its end is neither warned about nor sent."""
    day = today or clock.today()
    letters_expired = letters_expire(today=day)
    attachments_expired = attachments_expire(today=day)
    return DailyResult(
        letters_expired=letters_expired,
        letters_warned=letters_warn_expiring(today=day),
        attachments_sent=attachments_send_due(today=day),
        attachments_expired=attachments_expired,
    )
