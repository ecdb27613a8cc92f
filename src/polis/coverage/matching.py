"""Finding the insured record a person is: by name, birth date and a policy or personnel number.

Used when a person registers (accounts) and when a registered person adds a further policy.
The rules, chosen on purpose:

* Names are compared through `name_key` (case, ё/е and extra spaces do not matter). The
  patronymic is compared too: left empty, it matches only a record without a patronymic. A
  person who has one must type it as on the policy; a looser rule would let a namesake with the
  same birth date take someone else's record.
* The birth date must be exact.
* The number is a policy number or a personnel number of one of that person's policies, with
  case and spaces ignored (people copy numbers from cards and e-mails with stray spaces).
* A policy counts while it is in force or not yet started (a renewal, a new employee before the
  start) and for a year after it ended or was terminated: clinics bill 1.5–2 months after a
  visit, so a person still needs the account for co-pay invoices and history after the term.
"""

import datetime as dt
from collections.abc import Iterable

from django.db.models import Q

from polis import clock
from polis.coverage.models import InsuredPerson, Policy, name_key

# How long after a policy's end it still lets a person register or attach it.
MATCHABLE_AFTER_END = dt.timedelta(days=365)


def number_key(raw: str) -> str:
    """How policy and personnel numbers are compared: case and spaces do not matter."""
    return "".join((raw or "").split()).casefold()


def matchable_policies(*, key: str, birth_date: dt.date) -> list[Policy]:
    """Recent policies of every insured record with this name key and birth date, newest first.

    A handful of rows at most (namesakes born the same day, one person on several contracts),
    so numbers are compared in Python, where "case and spaces do not matter" is easy to say.
    """
    oldest_end = clock.today() - MATCHABLE_AFTER_END
    return list(
        Policy.objects.filter(insured__name_key=key, insured__birth_date=birth_date, ends_on__gte=oldest_end)
        .filter(Q(terminated_on__isnull=True) | Q(terminated_on__gte=oldest_end))
        .select_related("insured")
        .order_by("-starts_on", "pk")
    )


def policy_matching(policies: Iterable[Policy], *, number: str, personnel_number_too: bool = True) -> Policy | None:
    wanted = number_key(number)
    if not wanted:
        return None
    for policy in policies:
        if number_key(policy.number) == wanted:
            return policy
        if personnel_number_too and policy.personnel_number and number_key(policy.personnel_number) == wanted:
            return policy
    return None


def find_insured(
    *,
    last_name: str,
    first_name: str,
    patronymic: str,
    birth_date: dt.date,
    policy_or_personnel_number: str,
) -> InsuredPerson | None:
    """The insured record these details describe, or None. None says nothing about which detail
    was wrong, on purpose: callers show one message for every mismatch."""
    if not (last_name or "").strip() or not (first_name or "").strip():
        return None
    key = name_key(last_name, first_name, patronymic or "")
    policy = policy_matching(matchable_policies(key=key, birth_date=birth_date), number=policy_or_personnel_number)
    return policy.insured if policy is not None else None


def find_policy_of(*, identities: Iterable[tuple[str, dt.date]], number: str) -> Policy | None:
    """A policy by its number (not a personnel number), provided its insured has one of the given
    (name key, birth date) identities: how a registered person proves a further policy is theirs."""
    for key, birth_date in set(identities):
        policy = policy_matching(
            matchable_policies(key=key, birth_date=birth_date), number=number, personnel_number_too=False
        )
        if policy is not None:
            return policy
    return None
