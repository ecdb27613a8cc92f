"""Reads for «Оплата франшизы»: each person's franchise status, deposit, clinics and what they may
do next. Every list starts from the viewer (coverage.selectors.policies_for_user)."""

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import F, QuerySet, Sum
from django.utils.translation import gettext as _

from polis import clock
from polis.accounts.models import Role
from polis.billing import rules
from polis.billing.debts.services import INVOICES_PATH, SUSPEND, debt_of
from polis.billing.models import ClinicNotice, FranchiseActivation, RefundApplication, RefundApplicationStatus
from polis.coverage.models import AccessMode, Policy, PolicyStatus, ProgramClinic, ServiceMode
from polis.coverage.models import FranchiseActivation as Method
from polis.coverage.selectors import Viewer, desk_contacts, franchise_terms, policies_for_user
from polis.money import format_rub
from polis.network.models import Clinic
from polis.payments.models import Payment, PaymentItem, PaymentPurpose, PaymentStatus, Refund, RefundStatus
from polis.payments.selectors import deposit_held


class State:
    NOT_ACTIVATED = "not_activated"
    PENDING = "pending"
    ACTIVE = "active"
    # Active, but an overdue co-pay invoice closes franchise clinics until it is paid (a program
    # whose consequence of non-payment is "suspend"; billing.debts decides).
    SUSPENDED = "suspended"


BADGES = {State.NOT_ACTIVATED: "err", State.PENDING: "warn", State.ACTIVE: "ok", State.SUSPENDED: "err"}


@dataclass(frozen=True)
class FranchiseStatus:
    state: str
    label: str
    activation: FranchiseActivation | None = None
    # Where to act on the status ("" when nothing to do): «Мои счета» while suspended.
    link: str = ""

    @property
    def badge(self) -> str:
        return BADGES[self.state]

    @property
    def is_live(self) -> bool:
        return self.activation is not None

    @property
    def clinics_open_on(self) -> dt.date | None:
        """The first day franchise clinics take the person without the desk: the first day the
        activation covers whole (rules.covering)."""
        if self.activation is None:
            return None
        day = rules.local_date(self.activation.effective_at)
        return day + dt.timedelta(days=1) if rules.shows_time(self.activation.effective_at) else day


def format_moment(moment: dt.datetime) -> str:
    local = moment.astimezone(clock.local_zone())
    return local.strftime("%d.%m.%Y %H:%M") if rules.shows_time(moment) else local.strftime("%d.%m.%Y")


def live_activation(*, policy: Policy) -> FranchiseActivation | None:
    return policy.franchise_activations.filter(ended_at__isnull=True).first()


def franchise_status(*, policy: Policy, at: dt.datetime | None = None) -> FranchiseStatus:
    """Not activated, pending (with the moment it takes effect), active, or suspended while an
    overdue invoice is unpaid: derived from the live activation, the invoices and the time, never
    stored, so paying the debt makes it active again at once. The policy must have come through
    a viewer's selector."""
    moment = at or clock.now()
    activation = live_activation(policy=policy)
    if activation is None:
        return FranchiseStatus(State.NOT_ACTIVATED, str(rules.NOT_ACTIVATED_LABEL))
    if activation.effective_at > moment:
        label = _("активация — вступит в силу %(when)s") % {"when": format_moment(activation.effective_at)}
        return FranchiseStatus(State.PENDING, label, activation)
    debt = debt_of(policy=policy, on=rules.local_date(moment))
    if debt is not None and debt.consequence == SUSPEND:
        label = _("%(label)s: оплатите %(sum)s в разделе «Мои счета» (%(numbers)s)") % {
            "label": rules.SUSPENDED_LABEL,
            "sum": format_rub(debt.owed_kopecks),
            "numbers": debt.numbers,
        }
        return FranchiseStatus(State.SUSPENDED, label, activation, link=INVOICES_PATH)
    return FranchiseStatus(State.ACTIVE, str(rules.ACTIVE_LABEL), activation)


def copay_owed(*, policy: Policy) -> int:
    """Co-pay the person owes on this policy, in kopecks: what is left to pay on its invoices
    that are not cancelled. The one place the refund application and the debt rules ask."""
    from django.db.models import F, Sum

    from polis.billing.models import CopayInvoice, InvoiceStatus

    owed = (
        CopayInvoice.objects.filter(policy=policy, status=InvoiceStatus.NEW, due_kopecks__gt=F("paid_kopecks"))
        .aggregate(owed=Sum(F("due_kopecks") - F("paid_kopecks")))
        .get("owed")
    )
    return int(owed or 0)


def same_person_policies(policy: Policy) -> QuerySet[Policy]:
    """The person's policies on the same contract: the terms a deposit carries over between."""
    return Policy.objects.filter(insured_id=policy.insured_id, contract_id=policy.contract_id)


def carry_over_sources(*, policy: Policy) -> list[tuple[Policy, int]]:
    """Earlier terms of the same person on the same contract that still hold a deposit: on
    renewal it moves to `policy` (deposit_carry_over) instead of being paid again."""
    earlier = same_person_policies(policy).filter(starts_on__lt=policy.starts_on).exclude(pk=policy.pk)
    sources = [(old, deposit_held(policy=old)) for old in earlier.order_by("starts_on", "pk")]
    return [(old, held) for old, held in sources if held > 0]


def is_renewed(policy: Policy) -> bool:
    return same_person_policies(policy).filter(starts_on__gt=policy.starts_on).exists()


def refund_refusal(*, policy: Policy, on: dt.date | None = None) -> str:
    """Why the deposit of this policy cannot be applied for now ("" when it can): only after the
    person is detached or the term ends without renewal, and only if there is a deposit."""
    day = on or clock.today()
    if policy.status_on(day) not in (PolicyStatus.TERMINATED, PolicyStatus.EXPIRED):
        return _("Аванс возвращается, когда полис прекращён (открепление) или срок его действия истёк без продления.")
    if is_renewed(policy):
        return _("Полис продлён: аванс переносится на новый срок и не возвращается.")
    if deposit_held(policy=policy) <= 0:
        return _("На этом полисе нет авансового платежа.")
    return ""


@dataclass(frozen=True)
class RefundSource:
    payment: Payment
    amount_kopecks: int


def refund_sources(*, policy: Policy, amount_kopecks: int) -> list[RefundSource]:
    """Which deposit payments a refund of `amount_kopecks` for this policy goes back through.

    A deposit carried over on renewal was paid for an earlier term, so the payments of every
    term of the person on the contract up to this one count. Newest first; from each, what it
    paid for those terms less what was already refunded (or is being refunded) from it.
    """
    chain = list(same_person_policies(policy).filter(starts_on__lte=policy.starts_on).values_list("pk", flat=True))
    paid = (
        PaymentItem.objects.filter(
            policy_id__in=chain, payment__purpose=PaymentPurpose.DEPOSIT, payment__status=PaymentStatus.SUCCEEDED
        )
        .values("payment_id")
        .annotate(total=Sum("amount_kopecks"))
    )
    refunded = dict(
        Refund.objects.filter(policy_id__in=chain)
        .exclude(status=RefundStatus.CANCELED)
        .values("payment_id")
        .annotate(total=Sum("amount_kopecks"))
        .values_list("payment_id", "total")
    )
    payments = {p.pk: p for p in Payment.objects.filter(pk__in=[row["payment_id"] for row in paid])}
    sources = []
    left = amount_kopecks
    for payment in sorted(payments.values(), key=lambda p: p.succeeded_at or p.created_at, reverse=True):
        if left <= 0:
            break
        total = next(row["total"] for row in paid if row["payment_id"] == payment.pk)
        available = total - (refunded.get(payment.pk) or 0)
        take = min(available, left)
        if take > 0:
            sources.append(RefundSource(payment=payment, amount_kopecks=take))
            left -= take
    return sources


def registry_franchise_clinics(*, policy: Policy) -> list[Clinic]:
    """Franchise clinics this person reaches through the clinic's registry: the clinic a
    registry-mode policy is attached to, or the program's registry-access clinics. They learn of
    an activation by a notice (RESO's letters); the same rule as network.access's."""
    if policy.service_mode == ServiceMode.REGISTRY:
        clinic = policy.registry_clinic
        return [clinic] if clinic is not None and clinic.is_franchise and clinic.is_active else []
    ids = ProgramClinic.objects.filter(
        program_id=policy.program_id,
        access_mode=AccessMode.REGISTRY,
        clinic__is_franchise=True,
        clinic__is_active=True,
    ).values("clinic_id")
    return list(Clinic.objects.filter(pk__in=ids).order_by("name", "pk"))


@dataclass(frozen=True)
class ClinicLine:
    clinic: Clinic
    notice: ClinicNotice | None

    @property
    def waiting(self) -> bool:
        """The clinic has been told but has not confirmed: book through the desk meanwhile."""
        return self.notice is not None and self.notice.confirmed_at is None


@dataclass
class PersonFranchise:
    """One person's card on «Оплата франшизы»."""

    policy: Policy
    is_own: bool
    method: str
    method_label: str
    status: FranchiseStatus
    deposit_held: int
    terms: list[str]
    clinics: list[ClinicLine]
    desk_phone: str
    in_force: bool
    carry_over: list[tuple[Policy, int]] = field(default_factory=list)
    deposit_to_pay: int = 0
    refund_refusal: str = ""
    refund_application: RefundApplication | None = None
    owed: int = 0

    @property
    def can_activate(self) -> bool:
        return self.in_force and not self.status.is_live

    @property
    def can_apply_for_refund(self) -> bool:
        return not self.refund_refusal and self.refund_application is None

    @property
    def clinics_open_later(self) -> bool:
        """An activation taking effect in the middle of a day (a card's) opens franchise clinics
        only the next day: worth saying, since the status alone would suggest otherwise."""
        activation = self.status.activation
        opens = self.status.clinics_open_on
        return (
            activation is not None
            and rules.shows_time(activation.effective_at)
            and opens is not None
            and opens > clock.today()
        )

    @property
    def waiting_clinics(self) -> list[ClinicLine]:
        return [line for line in self.clinics if line.waiting]


def franchise_people(*, user: Viewer) -> list[PersonFranchise]:
    """Everyone whose franchise the viewer manages: their own policies and their relatives' where
    they are the holder, on programs with a franchise. In-force terms first, as the viewer's
    policy list orders them."""
    today = clock.today()
    now = clock.now()
    policies = [p for p in policies_for_user(user=user) if p.program.has_franchise]
    people = []
    for policy in policies:
        program = policy.program
        status = franchise_status(policy=policy, at=now)
        held = deposit_held(policy=policy)
        in_force = policy.status_on(today) in (PolicyStatus.ACTIVE, PolicyStatus.PENDING)
        notices = {}
        if status.activation is not None:
            notices = {n.clinic_id: n for n in status.activation.clinic_notices.all()}
        carry = carry_over_sources(policy=policy) if in_force and program.franchise_activation == Method.DEPOSIT else []
        open_application = (
            RefundApplication.objects.filter(policy=policy, status=RefundApplicationStatus.SUBMITTED).first()
            or RefundApplication.objects.filter(policy=policy).first()
        )
        if not in_force and not held and open_application is None:
            # An ended term with nothing to activate and no money left on it: not worth a card.
            continue
        contacts = desk_contacts(city=policy.insured.city)
        people.append(
            PersonFranchise(
                policy=policy,
                is_own=bool(getattr(policy, "is_own", False)),
                method=program.franchise_activation,
                method_label=str(program.get_franchise_activation_display()),
                status=status,
                deposit_held=held,
                terms=franchise_terms(program),
                clinics=[
                    ClinicLine(clinic=c, notice=notices.get(c.pk)) for c in registry_franchise_clinics(policy=policy)
                ],
                desk_phone=contacts[0].phone if contacts else "",
                in_force=in_force,
                carry_over=carry,
                deposit_to_pay=max(program.deposit_per_person_kopecks - held - sum(h for _, h in carry), 0),
                refund_refusal=refund_refusal(policy=policy, on=today),
                refund_application=open_application,
                owed=copay_owed(policy=policy),
            )
        )
    return people


def clinic_notices_for_clerk(*, clerk: Viewer) -> QuerySet[ClinicNotice]:
    """Activation notices sent to the clerk's own clinic, unconfirmed first; nobody else's."""
    clinic_id = getattr(clerk, "clinic_id", None)
    if getattr(clerk, "role", None) != Role.CLINIC or clinic_id is None:
        return ClinicNotice.objects.none()
    return (
        ClinicNotice.objects.filter(clinic_id=clinic_id)
        .select_related("activation__policy__insured", "activation__policy__program", "clinic")
        .order_by(F("confirmed_at").asc(nulls_first=True), "due_on", "pk")
    )
