"""Who may get into a clinic and how: the one place the rules live.

For a person (a policy) and a clinic: which kinds of care the program covers there, and for each
whether the person books online, calls the clinic's registry or goes through the medical desk.
The clinic directory, the clinic page, online booking and the API all ask here, so a rule
changed here changes everywhere at once.
"""

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.utils.translation import gettext as _

from polis import clock
from polis.billing.debts.services import (
    EMERGENCY_ONLY,
    SUSPEND,
    Debt,
    debt_of,
    franchise_suspension,
    planned_care_refusal,
)
from polis.care.modes import attachment_lapsed_on
from polis.coverage.franchise import clinics_awaiting_notice, franchise_active
from polis.coverage.models import AccessMode, Policy, PolicyStatus, ProgramClinic, ServiceMode
from polis.coverage.selectors import KIND_ORDER, desk_contacts
from polis.network.models import Clinic, KindOfCare

ONLINE = AccessMode.ONLINE.value
REGISTRY = AccessMode.REGISTRY.value
DESK = AccessMode.DESK.value


@dataclass(frozen=True)
class KindAccess:
    kind: str  # KindOfCare value
    kind_label: str
    mode: str  # "online" | "registry" | "desk"
    mode_label: str
    # The number to call: the clinic's first phone for registry, the desk's number for the
    # person's city for desk, "" for online.
    phone: str
    # Online booking really possible for this person here for this kind.
    online_allowed: bool
    # Why online booking is not offered ("" when it is).
    reason: str
    # Not given at all for now (planned care while the contract allows only emergency care
    # until an overdue co-pay invoice is paid); `reason` says why.
    refused: bool = False


@dataclass(frozen=True)
class ClinicAccess:
    clinic: Clinic
    policy: Policy
    kinds: list[KindAccess]
    # Set when the policy is not in force on the day asked about: nothing is open then.
    policy_reason: str = ""
    # Set while planned care is refused until a co-pay debt is paid (emergency care stays open).
    debt_reason: str = ""

    @property
    def in_program(self) -> bool:
        return bool(self.kinds)

    @property
    def online_allowed(self) -> bool:
        return any(k.online_allowed for k in self.kinds)

    @property
    def online_kinds(self) -> set[str]:
        return {k.kind for k in self.kinds if k.online_allowed}

    def for_kind(self, kind: str) -> KindAccess | None:
        return next((k for k in self.kinds if k.kind == kind), None)

    @property
    def summary(self) -> str:
        """One sentence: how this person gets in here."""
        if not self.kinds:
            return _("Клиника не входит в программу страхования по полису № %(number)s.") % {
                "number": self.policy.number
            }
        if self.policy_reason:
            return self.policy_reason
        parts = []
        for mode in (ONLINE, REGISTRY, DESK):
            kinds = [k for k in self.kinds if k.mode == mode and not k.refused]
            if not kinds:
                continue
            labels = ", ".join(k.kind_label.lower() for k in kinds)
            phone = kinds[0].phone
            if mode == ONLINE:
                parts.append(_("онлайн-запись на этой странице — %(kinds)s") % {"kinds": labels})
            elif mode == REGISTRY:
                parts.append(
                    _("по телефону регистратуры клиники %(phone)s — %(kinds)s") % {"phone": phone, "kinds": labels}
                    if phone
                    else _("через регистратуру клиники — %(kinds)s") % {"kinds": labels}
                )
            else:
                parts.append(
                    _("через медицинский пульт %(phone)s — %(kinds)s") % {"phone": phone, "kinds": labels}
                    if phone
                    else _("через медицинский пульт — %(kinds)s") % {"kinds": labels}
                )
        ways = _("Как записаться: %(ways)s.") % {"ways": "; ".join(parts)} if parts else ""
        return " ".join(part for part in (self.debt_reason, ways) if part)


def clinic_access(*, policy: Policy, clinic: Clinic, on: dt.date | None = None) -> ClinicAccess:
    """How the person insured by `policy` gets into `clinic` on the day `on` (today by default).
    The policy must already have come through a selector that took the viewer."""
    return clinics_access(policy=policy, clinics=[clinic], on=on)[clinic.pk]


def clinics_access(*, policy: Policy, clinics: Iterable[Clinic], on: dt.date | None = None) -> dict[int, ClinicAccess]:
    """The same for a list page: two queries whatever the number of clinics (the program's rows
    for these clinics, and the desk's phones), and on a franchise program whose contract sets a
    consequence of non-payment, one more for overdue co-pay invoices (billing.debts)."""
    clinics = list(clinics)
    day = on or clock.today()
    rows: dict[int, list[ProgramClinic]] = defaultdict(list)
    if clinics:
        for row in ProgramClinic.objects.filter(program_id=policy.program_id, clinic_id__in=[c.pk for c in clinics]):
            rows[row.clinic_id].append(row)
    desk_phone = _desk_phone(policy) if rows else ""
    policy_reason = _policy_reason(policy, day)
    lapsed_reason = _attachment_lapsed_reason(policy, day) if rows else ""
    debt = _debt(policy, day) if rows else None
    debt_reason = planned_care_refusal(debt) if debt is not None and debt.consequence == EMERGENCY_ONLY else ""
    franchise_clinics = any(c.is_franchise for c in clinics)
    franchise_reason = _franchise_reason(policy, day, debt) if franchise_clinics else ""
    awaiting = clinics_awaiting_notice(policy=policy) if franchise_clinics and not franchise_reason else {}
    return {
        clinic.pk: ClinicAccess(
            clinic=clinic,
            policy=policy,
            kinds=[
                _kind_access(
                    policy=policy,
                    clinic=clinic,
                    row=row,
                    desk_phone=desk_phone,
                    policy_reason=policy_reason,
                    franchise_reason=franchise_reason or _awaiting_reason(awaiting.get(clinic.pk)),
                    debt_reason=debt_reason,
                    lapsed_reason=lapsed_reason,
                )
                for row in sorted(rows[clinic.pk], key=lambda r: KIND_ORDER.get(r.kind, 99))
            ],
            policy_reason=policy_reason,
            debt_reason=debt_reason if rows[clinic.pk] else "",
        )
        for clinic in clinics
    }


def _desk_phone(policy: Policy) -> str:
    contacts = desk_contacts(city=policy.insured.city)
    return contacts[0].phone if contacts else ""


def _policy_reason(policy: Policy, day: dt.date) -> str:
    status = policy.status_on(day)
    if status == PolicyStatus.ACTIVE:
        return ""
    if status == PolicyStatus.PENDING:
        return _("Полис № %(number)s вступает в силу %(date)s: до этого записаться по нему нельзя.") % {
            "number": policy.number,
            "date": policy.starts_on.strftime("%d.%m.%Y"),
        }
    return _("Полис № %(number)s не действует (%(status)s): записаться по нему нельзя.") % {
        "number": policy.number,
        "status": str(PolicyStatus(status).label).lower(),
    }


def _attachment_lapsed_reason(policy: Policy, day: dt.date) -> str:
    """Registry mode whose attachment letter ended without the next one (the installment was not
    paid): the attached clinic no longer takes the person directly; the desk does."""
    lapsed_on = attachment_lapsed_on(policy=policy, on=day)
    if lapsed_on is None:
        return ""
    return _(
        "Прикрепление к клинике закончилось %(date)s: очередной взнос по договору не поступил. "
        "До продления запись — через медицинский пульт."
    ) % {"date": lapsed_on.strftime("%d.%m.%Y")}


def _awaiting_reason(due_on: dt.date | None) -> str:
    if due_on is None:
        return ""
    return _(
        "Клиника ещё обрабатывает письмо об активации вашей франшизы (до %(due)s). "
        "Пока она не подтвердила, запись сюда — через медицинский пульт."
    ) % {"due": due_on.strftime("%d.%m.%Y")}


def _debt(policy: Policy, day: dt.date) -> Debt | None:
    """An overdue co-pay debt that restricts the person (billing.debts). Only franchise programs
    bill co-pay, so other programs cost no query here."""
    program = policy.program
    if not program.has_franchise or not program.non_payment_consequence:
        return None
    return debt_of(policy=policy, on=day)


def _franchise_reason(policy: Policy, day: dt.date, debt: Debt | None) -> str:
    """Why franchise clinics are closed to this person today ("" when they are open)."""
    if debt is not None and debt.consequence == SUSPEND:
        return franchise_suspension(debt)
    if franchise_active(policy=policy, on=day):
        return ""
    return _(
        "Клиника работает с франшизой: до первого визита франшизу нужно активировать (%(how)s). "
        "Пока франшиза не активна, запись сюда — через медицинский пульт."
    ) % {"how": str(policy.program.get_franchise_activation_display()).lower()}


def _kind_access(
    *,
    policy: Policy,
    clinic: Clinic,
    row: ProgramClinic,
    desk_phone: str,
    policy_reason: str,
    franchise_reason: str,
    debt_reason: str = "",
    lapsed_reason: str = "",
) -> KindAccess:
    clinic_phone = clinic.phone_list[0] if clinic.phone_list else ""
    mode, reason = _mode(policy=policy, clinic=clinic, row=row)
    if lapsed_reason and policy.registry_clinic_id == clinic.pk:
        mode, reason = DESK, lapsed_reason
    if clinic.is_franchise and franchise_reason:
        # Activation must precede the first visit to a franchise clinic; until then the desk.
        mode, reason = DESK, franchise_reason
    refused = bool(debt_reason) and row.kind != KindOfCare.EMERGENCY
    if refused:
        # Emergency-only until the debt is paid: planned care is not booked anywhere; the desk
        # answers questions (and emergencies).
        mode, reason = DESK, debt_reason
    if policy_reason:
        reason = policy_reason
    online_allowed = mode == ONLINE and not reason
    if mode == ONLINE:
        phone = ""
    elif mode == REGISTRY:
        phone = clinic_phone
    else:
        phone = desk_phone
    return KindAccess(
        kind=row.kind,
        kind_label=str(KindOfCare(row.kind).label),
        mode=mode,
        mode_label=str(AccessMode(mode).label),
        phone=phone,
        online_allowed=online_allowed,
        reason="" if online_allowed else reason or _how_instead(mode),
        refused=refused,
    )


def _mode(*, policy: Policy, clinic: Clinic, row: ProgramClinic) -> tuple[str, str]:
    """The way in for one kind of care, and the reason online booking is not it ("" if it is)."""
    if not clinic.is_active:
        return DESK, _("Клиника сейчас не принимает застрахованных напрямую — обратитесь на медицинский пульт.")
    online_here = clinic.has_online_booking
    if policy.service_mode == ServiceMode.REGISTRY:
        # Attached to one clinic: the person goes straight to it, anywhere else only by the desk.
        if policy.registry_clinic_id != clinic.pk:
            return DESK, _("Ваш полис прикреплён к другой клинике: сюда — только по направлению медицинского пульта.")
        if online_here:
            return ONLINE, ""
        return REGISTRY, _("Клиника не принимает онлайн-запись — запишитесь по телефону регистратуры.")
    if row.access_mode == ONLINE:
        if online_here:
            return ONLINE, ""
        return REGISTRY, _("Клиника пока не принимает онлайн-запись — запишитесь по телефону регистратуры.")
    return row.access_mode, ""


def _how_instead(mode: str) -> str:
    if mode == REGISTRY:
        return _("По программе запись сюда — через регистратуру клиники.")
    return _("По программе запись сюда — только через медицинский пульт: он согласует визит и запишет вас.")
