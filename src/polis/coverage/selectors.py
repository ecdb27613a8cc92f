"""Reads for the insured person's pages: which policies a viewer may see, and what one policy
gives them (the overview that the policy page, the memo and the PDFs are built from)."""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser
from django.db.models import BooleanField, Case, IntegerField, Q, QuerySet, Sum, Value, When
from django.http import Http404
from django.utils.translation import gettext as _

from polis import clock
from polis.accounts.models import Role
from polis.care.models import DeskContact
from polis.coverage.models import (
    AccessMode,
    Contract,
    CopayRule,
    DeadlineKind,
    LimitPeriod,
    LimitUsage,
    Policy,
    PolicyStatus,
    Program,
    ProgramCare,
    ProgramClinic,
    ProgramLimit,
    ServiceCategory,
    ServiceMode,
)
from polis.money import format_rub
from polis.network.models import Clinic, KindOfCare

Viewer = AbstractBaseUser | AnonymousUser

# The order kinds of care are declared in is the order a memo lists them in.
KIND_ORDER = {kind.value: position for position, kind in enumerate(KindOfCare)}


def _is_insured(user: Viewer) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and getattr(user, "role", None) == Role.INSURED


def policies_for_user(*, user: Viewer, on: dt.date | None = None) -> QuerySet[Policy]:
    """The policies an insured person may see: their own, and their relatives' where they are
    the policy's holder. Own first, then relatives; in force before pending, expired, ended.

    Each row carries `is_own` and `status_rank`, and has the insured, the holder, the program,
    the contract with its policyholder and the registry clinic loaded, so a list of any length
    costs one query.
    """
    if not _is_insured(user):
        return Policy.objects.none()
    day = on or clock.today()
    return (
        Policy.objects.filter(Q(insured__user=user) | Q(holder__user=user))
        .select_related("insured", "holder", "program", "contract__policyholder", "registry_clinic")
        .annotate(
            is_own=Case(When(insured__user=user, then=Value(True)), default=Value(False), output_field=BooleanField()),
            # Mirrors Policy.status_on so that the database can sort by it.
            status_rank=Case(
                When(terminated_on__lte=day, then=Value(3)),
                When(starts_on__gt=day, then=Value(1)),
                When(ends_on__lt=day, then=Value(2)),
                default=Value(0),
                output_field=IntegerField(),
            ),
        )
        .order_by("-is_own", "status_rank", "-starts_on", "insured__last_name", "insured__first_name", "number")
    )


def policy_for_user(*, user: Viewer, policy_id: int) -> Policy:
    """One policy the viewer may see; anything else, whoever asks, is simply not found."""
    policy = policies_for_user(user=user).filter(pk=policy_id).first()
    if policy is None:
        raise Http404(_("Полис не найден"))
    return policy


def desk_contacts(*, city: str = "") -> list[DeskContact]:
    """The medical desk's phones for a city, the city's own first, then the federal ones.

    Not scoped to a viewer: these numbers are printed on every policy.
    """
    # Compared in Python: SQLite's case-insensitive match knows only ASCII ("москва" ≠ "Москва"),
    # and the table holds a few dozen rows.
    wanted = city.strip().casefold().replace("ё", "е")
    contacts = [c for c in DeskContact.objects.all() if c.city == "" or c.city.casefold().replace("ё", "е") == wanted]
    contacts.sort(key=lambda c: (c.city == "", c.order, c.title))
    return contacts


@dataclass(frozen=True)
class CareItem:
    kind: str
    label: str
    conditions: str


@dataclass(frozen=True)
class CopayLine:
    category: str
    rule: str


@dataclass(frozen=True)
class LimitLine:
    name: str
    period_label: str
    max_count: int
    used: int

    @property
    def left(self) -> int:
        return max(self.max_count - self.used, 0)

    @property
    def used_percent(self) -> int:
        if self.max_count == 0:
            return 100
        return min(round(100 * self.used / self.max_count), 100)


@dataclass(frozen=True)
class ClinicLine:
    clinic: Clinic
    access_mode: str
    access_label: str


@dataclass(frozen=True)
class ClinicGroup:
    kind: str
    label: str
    clinics: list[ClinicLine]


@dataclass(frozen=True)
class AdminContact:
    name: str
    phone: str
    email: str
    hours: str


@dataclass
class PolicyOverview:
    """Everything a person needs to know to use one policy; the memo («памятка») is its print."""

    policy: Policy
    program: Program
    contract: Contract
    on: dt.date
    status: str
    status_label: str
    service_mode_label: str
    registry_clinic: Clinic | None
    care: list[CareItem]
    has_franchise: bool
    franchise_activation_label: str
    franchise_terms: list[str]
    copay: list[CopayLine]
    limits: list[LimitLine]
    clinic_groups: list[ClinicGroup]
    admin: AdminContact | None
    desk: list[DeskContact] = field(default_factory=list)

    @property
    def is_registry_mode(self) -> bool:
        return self.policy.service_mode == ServiceMode.REGISTRY


def policy_overview(*, policy: Policy, on: dt.date | None = None) -> PolicyOverview:
    """The program of a policy as its insured person reads it. The policy must already have come
    through a selector that took the viewer (policy_for_user, or the HR console's own)."""
    day = on or clock.today()
    program = policy.program
    contract = policy.contract
    status = policy.status_on(day)
    return PolicyOverview(
        policy=policy,
        program=program,
        contract=contract,
        on=day,
        status=status,
        status_label=str(PolicyStatus(status).label),
        service_mode_label=str(policy.get_service_mode_display()),
        registry_clinic=policy.registry_clinic if policy.service_mode == ServiceMode.REGISTRY else None,
        care=_care(program),
        has_franchise=program.has_franchise,
        franchise_activation_label=str(program.get_franchise_activation_display()),
        franchise_terms=franchise_terms(program) if program.has_franchise else [],
        copay=_copay(program) if program.has_franchise else [],
        limits=_limits(policy),
        clinic_groups=_clinic_groups(program),
        admin=_admin(contract),
        desk=desk_contacts(city=policy.insured.city),
    )


def _care(program: Program) -> list[CareItem]:
    rows = sorted(ProgramCare.objects.filter(program=program), key=lambda c: KIND_ORDER.get(c.kind, 99))
    return [CareItem(kind=c.kind, label=str(c.get_kind_display()), conditions=c.conditions) for c in rows]


def _copay(program: Program) -> list[CopayLine]:
    order = {category.value: position for position, category in enumerate(ServiceCategory)}
    rules = sorted(CopayRule.objects.filter(program=program), key=lambda r: order.get(r.service_category, 99))
    return [CopayLine(category=str(r.get_service_category_display()), rule=r.describe()) for r in rules]


def franchise_terms(program: Program) -> list[str]:
    """The program's franchise settings as sentences a person can act on."""
    terms = [_("Часть стоимости каждой услуги оплачиваете вы; остальное оплачивает страховая компания.")]
    terms.append(_("Способ активации: %(how)s.") % {"how": str(program.get_franchise_activation_display()).lower()})
    if program.deposit_per_person_kopecks:
        terms.append(
            _("Авансовый платёж: %(sum)s на застрахованного и на каждого родственника.")
            % {"sum": format_rub(program.deposit_per_person_kopecks)}
        )
    if program.deposit_minimum_kopecks:
        terms.append(_("Минимальный авансовый платёж: %(sum)s.") % {"sum": format_rub(program.deposit_minimum_kopecks)})
    if days := program.activation_delay_working_days:
        terms.append(
            _("Франшиза вступает в силу через %(n)s %(unit)s после активации.")
            % {"n": days, "unit": ru_plural(days, _("рабочий день"), _("рабочих дня"), _("рабочих дней"))}
        )
    elif hours := program.activation_delay_hours:
        terms.append(
            _("Франшиза вступает в силу через %(n)s %(unit)s после активации.")
            % {"n": hours, "unit": ru_plural(hours, _("час"), _("часа"), _("часов"))}
        )
    terms.append(_("Активируйте франшизу до первого визита в клинику."))
    if days := program.payment_deadline_days:
        if program.payment_deadline_kind == DeadlineKind.CALENDAR_DAYS:
            unit = ru_plural(days, _("календарного дня"), _("календарных дней"), _("календарных дней"))
        else:
            unit = ru_plural(days, _("рабочего дня"), _("рабочих дней"), _("рабочих дней"))
        terms.append(_("Счёт за франшизу нужно оплатить в течение %(n)s %(unit)s.") % {"n": days, "unit": unit})
    if program.non_payment_consequence:
        terms.append(
            _("При неоплате: %(what)s.") % {"what": str(program.get_non_payment_consequence_display()).lower()}
        )
    return terms


def ru_plural(n: int, one: str, few: str, many: str) -> str:
    """The form of a Russian noun after a number: 1 день, 2 дня, 5 дней (11–14 take «many»)."""
    if n % 10 == 1 and n % 100 != 11:
        return one
    if 2 <= n % 10 <= 4 and not 12 <= n % 100 <= 14:
        return few
    return many


def _limits(policy: Policy) -> list[LimitLine]:
    limits = list(ProgramLimit.objects.filter(program=policy.program).order_by("name"))
    if not limits:
        return []
    # One query for both periods: usages of this person on this contract, per service group
    # and policy. A contract-period limit counts them all (a renewal on the same contract does
    # not start the psychologist over); a policy-term limit only this policy's.
    rows = (
        LimitUsage.objects.filter(policy__insured_id=policy.insured_id, policy__contract_id=policy.contract_id)
        .values("limit__service_group", "policy_id")
        .annotate(total=Sum("quantity"))
    )
    contract_used: dict[str, int] = defaultdict(int)
    policy_used: dict[str, int] = defaultdict(int)
    for row in rows:
        group = row["limit__service_group"]
        contract_used[group] += row["total"] or 0
        if row["policy_id"] == policy.pk:
            policy_used[group] += row["total"] or 0
    lines = []
    for limit in limits:
        used = contract_used if limit.period == LimitPeriod.CONTRACT else policy_used
        lines.append(
            LimitLine(
                name=limit.name,
                period_label=str(limit.get_period_display()),
                max_count=limit.max_count,
                used=used[limit.service_group],
            )
        )
    return lines


def _clinic_groups(program: Program) -> list[ClinicGroup]:
    # Clinics that stopped working with the insurer stay on the program for history but are
    # not sent to anyone.
    rows = list(
        ProgramClinic.objects.filter(program=program, clinic__is_active=True)
        .select_related("clinic")
        .order_by("clinic__city", "clinic__name", "clinic_id")
    )
    grouped: dict[str, list[ClinicLine]] = defaultdict(list)
    for row in rows:
        grouped[row.kind].append(
            ClinicLine(
                clinic=row.clinic, access_mode=row.access_mode, access_label=str(AccessMode(row.access_mode).label)
            )
        )
    return [
        ClinicGroup(kind=kind, label=str(KindOfCare(kind).label), clinics=grouped[kind])
        for kind in sorted(grouped, key=lambda k: KIND_ORDER.get(k, 99))
    ]


def _admin(contract: Contract) -> AdminContact | None:
    if not any((contract.admin_name, contract.admin_phone, contract.admin_email)):
        return None
    return AdminContact(
        name=contract.admin_name, phone=contract.admin_phone, email=contract.admin_email, hours=contract.admin_hours
    )
