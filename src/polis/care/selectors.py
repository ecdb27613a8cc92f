"""What the medical desk reads: any insured person's policies, found the way a call comes in
(policy number, phone, or name with birth date). The desk serves every contract, so its scope
is everything; anyone else gets nothing."""

import datetime as dt
from dataclasses import dataclass

from django.db.models import Case, IntegerField, Q, QuerySet, Value, When
from django.http import Http404

from polis import clock
from polis.accounts.models import Role, User
from polis.coverage.models import InsuredPerson, Policy, name_key

SEARCH_LIMIT = 50


@dataclass(frozen=True)
class DeskQuery:
    policy_number: str = ""
    phone: str = ""  # normalized +7XXXXXXXXXX
    name: str = ""
    birth_date: dt.date | None = None

    @property
    def is_empty(self) -> bool:
        return not (self.policy_number or self.phone or (self.name and self.birth_date))


def _desk_policies(*, viewer: User) -> QuerySet[Policy]:
    if viewer.role != Role.DESK:
        return Policy.objects.none()
    return Policy.objects.all()


def _in_force_first(policies: QuerySet[Policy], *then: str) -> QuerySet[Policy]:
    # Mirrors Policy.status_on: in force, pending, expired, terminated.
    day = clock.today()
    return policies.annotate(
        status_rank=Case(
            When(terminated_on__lte=day, then=Value(3)),
            When(starts_on__gt=day, then=Value(1)),
            When(ends_on__lt=day, then=Value(2)),
            default=Value(0),
            output_field=IntegerField(),
        )
    ).order_by("status_rank", *then)


def desk_search(*, viewer: User, query: DeskQuery) -> list[Policy]:
    """Policies matching every criterion given, in force first; at most SEARCH_LIMIT rows.

    A phone finds the person's own policies and the relatives' policies they hold: a mother
    calls about her son from her own number."""
    if query.is_empty:
        return []
    condition = Q()
    if query.policy_number:
        condition &= Q(number__icontains=query.policy_number.strip())
    if query.phone:
        by_phone = Q(phone=query.phone) | Q(user__phone=query.phone)
        people = InsuredPerson.objects.filter(by_phone).values("pk")
        condition &= Q(insured__in=people) | Q(holder__in=people)
    if query.name and query.birth_date:
        for word in query.name.split():
            condition &= Q(insured__name_key__contains=name_key(word))
        condition &= Q(insured__birth_date=query.birth_date)
    policies = (
        _desk_policies(viewer=viewer)
        .filter(condition)
        .select_related("insured", "holder", "program", "contract__policyholder")
    )
    ordered = _in_force_first(
        policies, "insured__last_name", "insured__first_name", "insured__birth_date", "-starts_on", "number"
    )
    return list(ordered[:SEARCH_LIMIT])


def desk_policy(*, viewer: User, pk: int) -> Policy:
    policy = (
        _desk_policies(viewer=viewer)
        .select_related("insured__user", "holder", "program", "contract__policyholder", "registry_clinic")
        .filter(pk=pk)
        .first()
    )
    if policy is None:
        raise Http404
    return policy


def desk_other_policies(*, viewer: User, policy: Policy) -> list[Policy]:
    """The same person's other policies (renewals, another contract), in force first."""
    others = (
        _desk_policies(viewer=viewer)
        .filter(insured_id=policy.insured_id)
        .exclude(pk=policy.pk)
        .select_related("program", "contract")
    )
    return list(_in_force_first(others, "-starts_on"))
