"""Service modes: a person on a policy is served through the medical desk, or through the
registry of exactly one clinic of the program's price category (DOMAIN.md, 003).

Moving to registry mode mid-term costs an extra premium, the tariff difference whatever is left
of the term. The back office records the request, then the day the payment is matched to the
policy: that day the policy is attached and the attachment letter generated; it goes to the
clinic the next working day (care.daily) and runs until the next installment date or the
policy's end. The clinic cannot be changed and the mode cannot be switched back during the
term."""

import datetime as dt
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from polis import calendar, clock
from polis.accounts.models import Role, User
from polis.care import numbers, states
from polis.care.models import AttachmentLetter, ModeChangeStatus, ServiceModeChange
from polis.care.states import CareError
from polis.coverage.models import ContractInstallment, Policy, PolicyStatus, ProgramClinic, ServiceMode
from polis.network.models import Clinic

CLINIC_LOCKED = gettext_lazy("клинику прикрепления нельзя сменить до конца срока полиса")


def extra_premium_kopecks(policy: Policy) -> int | None:
    """The tariff difference for the policy's program; None when the program has no registry mode."""
    program = policy.program
    if program.tariff_registry_kopecks is None:
        return None
    return program.tariff_registry_kopecks - program.tariff_desk_kopecks


def eligible_clinics(*, policy: Policy) -> QuerySet[Clinic]:
    """Clinics the person may be attached to: working with us, in the policy's program, of the
    program's price category."""
    program = policy.program
    in_program = ProgramClinic.objects.filter(program_id=program.pk).values("clinic_id")
    return Clinic.objects.filter(pk__in=in_program, price_category=program.price_category, is_active=True).order_by(
        "name", "pk"
    )


def mode_change_refusal(*, policy: Policy, today: dt.date | None = None) -> str:
    """Why this policy cannot be moved to registry mode now, in words ("" when it can)."""
    day = today or clock.today()
    if policy.status_on(day) != PolicyStatus.ACTIVE:
        return _("Полис № %(n)s не действует: перевести его на обслуживание через регистратуру нельзя.") % {
            "n": policy.number
        }
    if policy.service_mode == ServiceMode.REGISTRY:
        clinic = policy.registry_clinic.name if policy.registry_clinic else ""
        return _("Полис уже прикреплён к клинике «%(clinic)s»: %(why)s.") % {
            "clinic": clinic,
            "why": str(CLINIC_LOCKED),
        }
    pending = ServiceModeChange.objects.filter(policy=policy, status=ModeChangeStatus.AWAITING_PAYMENT).first()
    if pending is not None:
        return _(
            "По полису уже оформлен переход в клинику «%(clinic)s», он ждёт оплаты доплаты. "
            "Чтобы выбрать другую клинику, сначала отмените его."
        ) % {"clinic": pending.clinic.name}
    extra = extra_premium_kopecks(policy)
    if extra is None:
        return _("Программа «%(program)s» не предусматривает обслуживание через регистратуру клиники.") % {
            "program": policy.program.name
        }
    if extra < 0:
        return _("Тариф программы через регистратуру меньше тарифа через пульт: проверьте настройки программы.")
    return ""


def _clinic_refusal(*, policy: Policy, clinic: Clinic) -> str:
    if eligible_clinics(policy=policy).filter(pk=clinic.pk).exists():
        return ""
    if not ProgramClinic.objects.filter(program_id=policy.program_id, clinic=clinic).exists():
        return _("Клиника «%(clinic)s» не входит в программу страхования полиса.") % {"clinic": clinic.name}
    if clinic.price_category != policy.program.price_category:
        return _(
            "Клиника «%(clinic)s» другой ценовой категории: прикрепиться можно только к клинике "
            "ценовой категории программы (%(category)s)."
        ) % {"clinic": clinic.name, "category": str(policy.program.get_price_category_display()).lower()}
    return _("Клиника «%(clinic)s» сейчас не работает с нами.") % {"clinic": clinic.name}


def mode_change_request(*, policy: Policy, clinic: Clinic, staff: User) -> ServiceModeChange:
    """Record the policyholder's application to move the person to `clinic`'s registry: the
    extra premium to be paid. Nothing changes for the person until the payment is matched."""
    refusal = mode_change_refusal(policy=policy) or _clinic_refusal(policy=policy, clinic=clinic)
    if refusal:
        raise CareError(refusal, field="clinic")
    extra = extra_premium_kopecks(policy)
    assert extra is not None
    try:
        with transaction.atomic():
            change = ServiceModeChange.objects.create(
                policy=policy, clinic=clinic, extra_premium_kopecks=extra, requested_by=staff, requested_at=clock.now()
            )
            states.record(change, action="created", actor=staff, to_status=change.status)
    except IntegrityError:
        # Someone recorded a change for this policy meanwhile (one live change per policy).
        raise CareError(_("По полису уже оформлен переход: обновите страницу.")) from None
    return change


def attachment_valid_to(*, policy: Policy, paid_on: dt.date) -> dt.date:
    """The next installment date after the match, or the policy's end (its termination's eve)."""
    ends = policy.ends_on
    if policy.terminated_on is not None:
        ends = min(ends, policy.terminated_on - dt.timedelta(days=1))
    installment = (
        ContractInstallment.objects.filter(contract_id=policy.contract_id, due_on__gt=paid_on)
        .order_by("due_on")
        .first()
    )
    if installment is not None:
        ends = min(ends, installment.due_on)
    return ends


def mode_change_match_payment(
    *, change: ServiceModeChange, staff: User, paid_on: dt.date, reference: str
) -> AttachmentLetter:
    """The extra premium was matched to the policy on `paid_on` by payment document `reference`:
    the person is attached to the clinic (Policy.service_mode = registry) and the attachment
    letter is generated that day, to be sent the next working day."""
    reference = " ".join(reference.split())
    if not reference:
        raise CareError(_("Укажите платёжный документ."), field="reference")
    today = clock.today()
    if paid_on > today:
        raise CareError(_("Дата сопоставления оплаты не может быть позже сегодняшнего дня."), field="paid_on")
    if paid_on < change.requested_at.astimezone(clock.local_zone()).date():
        raise CareError(_("Оплата не может быть сопоставлена раньше, чем оформлен переход."), field="paid_on")
    with transaction.atomic():
        policy = Policy.objects.select_for_update().get(pk=change.policy_id)
        if policy.status_on(paid_on) != PolicyStatus.ACTIVE:
            raise CareError(
                _("Полис № %(n)s не действовал %(d)s: прикрепить его нельзя.")
                % {"n": policy.number, "d": paid_on.strftime("%d.%m.%Y")},
                field="paid_on",
            )
        states.advance(
            change, "match_payment", actor=staff, paid_on=paid_on, payment_reference=reference, matched_by=staff
        )
        attached = Policy.objects.filter(pk=policy.pk, service_mode=ServiceMode.DESK).update(
            service_mode=ServiceMode.REGISTRY, registry_clinic_id=change.clinic_id
        )
        if not attached:
            raise CareError(_("Полис уже прикреплён к клинике: %(why)s.") % {"why": str(CLINIC_LOCKED)})
        letter = _attachment_create(policy=policy, change=change, staff=staff, generated_on=paid_on, valid_from=paid_on)
    return _send_if_late(letter)


def _attachment_create(
    *, policy: Policy, change: ServiceModeChange, staff: User, generated_on: dt.date, valid_from: dt.date
) -> AttachmentLetter:
    letter = AttachmentLetter.objects.create(
        number=numbers.placeholder(),
        policy=policy,
        clinic_id=change.clinic_id,
        change=change,
        generated_on=generated_on,
        send_on=calendar.next_working_day(generated_on),
        valid_from=valid_from,
        valid_to=attachment_valid_to(policy=policy, paid_on=valid_from),
    )
    numbers.assign_number(letter, numbers.ATTACHMENT)
    states.record(letter, action="created", actor=staff, to_status=letter.status)
    return letter


def _send_if_late(letter: AttachmentLetter) -> AttachmentLetter:
    if letter.send_on <= clock.today() <= letter.valid_to:
        # A payment matched late: its sending day has passed, so the letter goes now rather
        # than waiting for tomorrow's round.
        from polis.care.daily import attachment_send

        attachment_send(letter=letter)
        letter.refresh_from_db()
    return letter


def attachment_renewal_refusal(*, change: ServiceModeChange) -> str:
    """Why the attachment cannot be continued by an installment now ("" when it can)."""
    if change.status != ModeChangeStatus.ATTACHED:
        return _("Полис ещё не прикреплён: сначала сопоставьте оплату доплаты.")
    last = change.attachment_letters.order_by("-valid_to").first()
    policy = change.policy
    ends = policy.ends_on if policy.terminated_on is None else policy.terminated_on - dt.timedelta(days=1)
    if last is not None and last.valid_to >= ends:
        return _("Прикрепление уже действует до окончания срока полиса (%(d)s).") % {"d": ends.strftime("%d.%m.%Y")}
    return ""


def attachment_renew(*, change: ServiceModeChange, staff: User, paid_on: dt.date, reference: str) -> AttachmentLetter:
    """The next installment was paid on `paid_on`: the attachment goes on with a new letter from
    the day after the last one ends (or the payment's day, when it came later) until the next
    installment or the policy's end. The payment document is recorded on the letter's event."""
    reference = " ".join(reference.split())
    if not reference:
        raise CareError(_("Укажите платёжный документ."), field="reference")
    if paid_on > clock.today():
        raise CareError(_("Дата поступления взноса не может быть позже сегодняшнего дня."), field="paid_on")
    with transaction.atomic():
        change = ServiceModeChange.objects.select_for_update().select_related("policy").get(pk=change.pk)
        refusal = attachment_renewal_refusal(change=change)
        if refusal:
            raise CareError(refusal)
        last = change.attachment_letters.order_by("-valid_to").first()
        valid_from = max(paid_on, last.valid_to + dt.timedelta(days=1)) if last else paid_on
        if change.policy.status_on(valid_from) != PolicyStatus.ACTIVE:
            raise CareError(
                _("Полис № %(n)s не действует с %(d)s: продлить прикрепление нельзя.")
                % {"n": change.policy.number, "d": valid_from.strftime("%d.%m.%Y")},
                field="paid_on",
            )
        letter = _attachment_create(
            policy=change.policy, change=change, staff=staff, generated_on=paid_on, valid_from=valid_from
        )
        states.record(
            change,
            action="installment_paid",
            actor=staff,
            note=_("Очередной взнос: %(ref)s, %(d)s; письмо № %(n)s")
            % {"ref": reference, "d": paid_on.strftime("%d.%m.%Y"), "n": letter.number},
        )
    return _send_if_late(letter)


def attachment_lapsed_on(*, policy: Policy, on: dt.date) -> dt.date | None:
    """For a policy attached through attachment letters: the last day of the last one when none
    covers `on` (the next installment was not paid in time), else None. A policy put in registry
    mode when it was issued has no attachment letters and never lapses here."""
    if policy.service_mode != ServiceMode.REGISTRY:
        return None
    periods = list(AttachmentLetter.objects.filter(policy=policy).values_list("valid_from", "valid_to"))
    if not periods or any(start <= on <= end for start, end in periods):
        return None
    ended = [end for _start, end in periods if end < on]
    return max(ended) if ended else None


def mode_change_cancel(*, change: ServiceModeChange, staff: User, reason: str = "") -> ServiceModeChange:
    """The extra premium was not paid (the policyholder changed their mind): the change is
    cancelled and another clinic may be chosen. A matched change cannot be cancelled."""
    states.advance(change, "cancel", actor=staff, note=" ".join(reason.split()))
    return change


def mode_switch_back(*, policy: Policy, staff: User) -> None:
    """Back to the desk during the term: never allowed once attached (003). Always raises; the
    reason is what the back office reads out to the policyholder."""
    if policy.service_mode == ServiceMode.REGISTRY:
        raise CareError(
            _("Вернуть обслуживание через медицинский пульт до окончания срока полиса (%(d)s) нельзя: %(why)s.")
            % {"d": policy.ends_on.strftime("%d.%m.%Y"), "why": str(CLINIC_LOCKED)}
        )
    raise CareError(_("Полис и так обслуживается через медицинский пульт."))


# ── Reads for the back office ────────────────────────────────────────────────────────────────


def _is_staff(user: User) -> bool:
    return user.role == Role.BACKOFFICE


def policy_for_staff(*, staff: User, number: str) -> Policy | None:
    number = "".join(number.split())
    if not _is_staff(staff) or not number:
        return None
    return (
        Policy.objects.select_related("insured", "program", "contract__policyholder", "registry_clinic")
        .filter(number__iexact=number)
        .first()
    )


@dataclass(frozen=True)
class ChangeFilter:
    query: str = ""
    status: str = ""


def mode_changes_for_staff(*, staff: User, filters: ChangeFilter | None = None) -> QuerySet[ServiceModeChange]:
    if not _is_staff(staff):
        return ServiceModeChange.objects.none()
    found = ServiceModeChange.objects.all()
    filters = filters or ChangeFilter()
    if filters.status:
        found = found.filter(status=filters.status)
    for word in filters.query.split()[:5]:
        found = found.filter(
            Q(policy__number__icontains=word)
            | Q(policy__insured__last_name__icontains=word)
            | Q(clinic__name__icontains=word)
        )
    return found.select_related("policy__insured", "policy__program", "clinic").order_by("-requested_at", "-pk")


def mode_change_for_staff(*, staff: User, pk: int) -> ServiceModeChange:
    change = (
        mode_changes_for_staff(staff=staff)
        .select_related("requested_by", "matched_by", "policy__contract__policyholder")
        .filter(pk=pk)
        .first()
    )
    if change is None:
        raise Http404
    return change
