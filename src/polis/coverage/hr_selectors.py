"""What a contract administrator (HR) may read: the people of its own contracts, and nothing
medical about them.

Medical secrecy (323-FZ art. 13): an employer never learns diagnoses, services, clinics visited
or how much of a limit was used. So nothing here touches LimitUsage, visits or letters, and the
querysets select only personal and policy fields.
"""

from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet
from django.http import Http404

from polis import clock
from polis.accounts.models import Role, User
from polis.coverage.models import Contract, Policy, Program, name_key


class PersonStatus:
    """The list's status filter; ended is expired and terminated together."""

    ACTIVE = "active"
    PENDING = "pending"
    ENDED = "ended"


@dataclass(frozen=True)
class PeopleFilter:
    query: str = ""
    contract_id: int | None = None
    program_id: int | None = None
    status: str = ""


@dataclass(frozen=True)
class PeopleCounts:
    total: int
    active: int
    pending: int
    ended: int


def hr_contracts(*, viewer: User) -> QuerySet[Contract]:
    if viewer.role != Role.HR:
        return Contract.objects.none()
    return viewer.administered_contracts.select_related("policyholder").order_by("-starts_on", "number")


def hr_programs(*, viewer: User) -> QuerySet[Program]:
    return (
        Program.objects.filter(contract__in=hr_contracts(viewer=viewer))
        .select_related("contract")
        .order_by("contract__number", "name")
    )


def _hr_policies(*, viewer: User) -> QuerySet[Policy]:
    return Policy.objects.filter(contract__in=hr_contracts(viewer=viewer).values("pk"))


def _status_q(status: str, prefix: str = "") -> Q:
    """Policy status on today's date as SQL (mirrors Policy.status_on). Written without negation,
    so it stays a plain condition inside a conditional Count across a join."""

    def q(**lookups: object) -> Q:
        return Q(**{f"{prefix}{key}": value for key, value in lookups.items()})

    today = clock.today()
    not_terminated = q(terminated_on__isnull=True) | q(terminated_on__gt=today)
    if status == PersonStatus.ACTIVE:
        return q(starts_on__lte=today, ends_on__gte=today) & not_terminated
    if status == PersonStatus.PENDING:
        return q(starts_on__gt=today) & not_terminated
    if status == PersonStatus.ENDED:
        return q(ends_on__lt=today) | q(terminated_on__lte=today)
    return Q()


def _search_q(query: str) -> Q:
    """Every word must match the name, the policy number or the personnel number. Names are
    compared through name_key, because SQLite's LIKE ignores case for Latin letters only."""
    condition = Q()
    for word in query.split():
        condition &= (
            Q(insured__name_key__contains=name_key(word)) | Q(number__icontains=word) | Q(personnel_number__iexact=word)
        )
    return condition


def hr_people(*, viewer: User, filters: PeopleFilter) -> QuerySet[Policy]:
    """One row per policy of the viewer's contracts (an employee and each relative), sorted by
    name. Only personal and policy columns are loaded."""
    policies = _hr_policies(viewer=viewer).filter(_search_q(filters.query), _status_q(filters.status))
    if filters.contract_id:
        policies = policies.filter(contract_id=filters.contract_id)
    if filters.program_id:
        policies = policies.filter(program_id=filters.program_id)
    return policies.select_related("insured", "holder", "program", "contract").order_by(
        "insured__last_name", "insured__first_name", "insured__patronymic", "insured__birth_date", "number"
    )


def hr_people_counts(*, viewer: User, filters: PeopleFilter) -> PeopleCounts:
    """Counts by status for the same search and filters, ignoring the status filter itself, so
    the numbers next to the status choices stay meaningful. One query."""
    policies = _hr_policies(viewer=viewer).filter(_search_q(filters.query))
    if filters.contract_id:
        policies = policies.filter(contract_id=filters.contract_id)
    if filters.program_id:
        policies = policies.filter(program_id=filters.program_id)
    counts = policies.aggregate(
        total=Count("pk"),
        active=Count("pk", filter=_status_q(PersonStatus.ACTIVE)),
        pending=Count("pk", filter=_status_q(PersonStatus.PENDING)),
        ended=Count("pk", filter=_status_q(PersonStatus.ENDED)),
    )
    return PeopleCounts(**counts)


def hr_policy(*, viewer: User, pk: int) -> Policy:
    """One policy of the viewer's contracts; any other → 404, so no one learns it exists."""
    policy = (
        _hr_policies(viewer=viewer)
        .select_related("insured", "holder", "program", "contract__policyholder", "registry_clinic")
        .filter(pk=pk)
        .first()
    )
    if policy is None:
        raise Http404
    return policy


def hr_relatives_policies(*, viewer: User, policy: Policy) -> QuerySet[Policy]:
    """Relatives whose policies this person holds, on the viewer's contracts only."""
    return (
        _hr_policies(viewer=viewer)
        .filter(holder_id=policy.insured_id)
        .select_related("insured", "program")
        .order_by("insured__last_name", "insured__first_name", "number")
    )


def hr_contract(*, viewer: User, pk: int) -> Contract:
    contract = hr_contracts(viewer=viewer).filter(pk=pk).first()
    if contract is None:
        raise Http404
    return contract


def hr_contract_programs(*, viewer: User, contract: Contract) -> QuerySet[Program]:
    """The contract's programs with how many people each has: all, and in force today."""
    return (
        hr_programs(viewer=viewer)
        .filter(contract=contract)
        .annotate(
            people=Count("policies"),
            people_active=Count("policies", filter=_status_q(PersonStatus.ACTIVE, prefix="policies__")),
        )
    )
