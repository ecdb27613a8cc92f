"""What every activation path shares: choosing the people, creating one activation (and the
clinics' notices that go with it)."""

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from polis import calendar, clock
from polis.accounts.models import User
from polis.billing.models import ClinicNotice, FranchiseActivation
from polis.billing.selectors import registry_franchise_clinics
from polis.coverage.models import Policy, PolicyStatus
from polis.coverage.selectors import policy_for_user
from polis.notify.services import email_send
from polis.payments.models import Payment, SavedCard

# A clinic has up to 5 working days to process an activation notice (RESO's letters, SOGAZ).
NOTICE_DUE_WORKING_DAYS = 5


class FranchiseError(Exception):
    """A franchise action that cannot be done; `message` is shown to the person as it is."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def chosen_policies(*, user: User, policy_ids: Iterable[Any], method: str) -> list[Policy]:
    """The people ticked on a form, each through the viewer's selector (someone else's policy is
    not found: 404), each on a program activated by `method` and not ended."""
    ids = sorted({int(pk) for pk in policy_ids})
    if not ids:
        raise FranchiseError(_("Отметьте, для кого активировать франшизу."))
    policies = [policy_for_user(user=user, policy_id=pk) for pk in ids]
    today = clock.today()
    for policy in policies:
        if policy.program.franchise_activation != method:
            raise FranchiseError(
                _("По программе полиса № %(number)s франшиза активируется иначе: %(how)s.")
                % {"number": policy.number, "how": str(policy.program.get_franchise_activation_display()).lower()}
            )
        if policy.status_on(today) not in (PolicyStatus.ACTIVE, PolicyStatus.PENDING):
            raise FranchiseError(
                _("Полис № %(number)s не действует: активировать франшизу по нему нельзя.") % {"number": policy.number}
            )
    return policies


def has_live_activation(policy: Policy) -> bool:
    return FranchiseActivation.objects.filter(policy=policy, ended_at__isnull=True).exists()


def activation_create(
    *,
    policy: Policy,
    method: str,
    requested_by: Any,
    effective_at: dt.datetime,
    terms_version: str = "",
    payment: Payment | None = None,
    card: SavedCard | None = None,
) -> tuple[FranchiseActivation, bool]:
    """The policy's live activation: the one it already has, or a new one (with its notices to
    registry-mode franchise clinics). Must run inside the caller's transaction.

    Two requests (two tabs, a notification and the return page) may race here; the policy row is
    locked first, and the partial unique constraint "one live activation per policy" is the
    backstop where the database cannot lock (SQLite).
    """
    Policy.objects.select_for_update().filter(pk=policy.pk).first()
    existing = FranchiseActivation.objects.filter(policy=policy, ended_at__isnull=True).first()
    if existing is not None:
        return existing, False
    try:
        with transaction.atomic():
            activation = FranchiseActivation.objects.create(
                policy=policy,
                method=method,
                requested_by=requested_by,
                effective_at=effective_at,
                terms_version=terms_version,
                payment=payment,
                card=card,
            )
    except IntegrityError:
        return FranchiseActivation.objects.get(policy=policy, ended_at__isnull=True), False
    notices_send(activation=activation)
    return activation, True


def notices_send(*, activation: FranchiseActivation) -> list[ClinicNotice]:
    """Tell each franchise clinic the person reaches through its registry that the franchise is
    activated; the clinic has NOTICE_DUE_WORKING_DAYS working days to confirm. The e-mail leaves
    after the transaction commits (notify's outbox)."""
    policy = activation.policy
    clinics = registry_franchise_clinics(policy=policy)
    if not clinics:
        return []
    due_on = calendar.add_working_days(clock.today(), NOTICE_DUE_WORKING_DAYS)
    notices = []
    for clinic in clinics:
        notice, created = ClinicNotice.objects.get_or_create(
            activation=activation, clinic=clinic, defaults={"due_on": due_on}
        )
        notices.append(notice)
        if created and clinic.email:
            email_send(to=clinic.email, subject=_notice_subject(policy), text=_notice_text(activation, due_on))
    return notices


def _notice_subject(policy: Policy) -> str:
    return _("Активация франшизы: %(name)s, полис № %(number)s") % {
        "name": policy.insured.full_name,
        "number": policy.number,
    }


def _notice_text(activation: FranchiseActivation, due_on: dt.date) -> str:
    policy = activation.policy
    lines = [
        _("Просим активировать обслуживание с франшизой для застрахованного:"),
        _("ФИО: %(name)s") % {"name": policy.insured.full_name},
        _("Дата рождения: %(date)s") % {"date": policy.insured.birth_date.strftime("%d.%m.%Y")},
        _("Полис: № %(number)s, программа «%(program)s»") % {"number": policy.number, "program": policy.program.name},
        _("Франшиза действует с: %(when)s")
        % {"when": activation.effective_at.astimezone(clock.local_zone()).strftime("%d.%m.%Y %H:%M")},
        "",
        _("Подтвердите активацию в консоли клиники до %(date)s.") % {"date": due_on.strftime("%d.%m.%Y")},
        _("До подтверждения застрахованный записывается через медицинский пульт."),
    ]
    return "\n".join(lines)


@dataclass(frozen=True)
class ActivationStart:
    """What starting a paid activation did: the payment to complete on the gateway's page (None
    when nobody needed to pay), the people activated at once, and those already activated."""

    payment: Payment | None
    activated: list[FranchiseActivation] = field(default_factory=list)
    already: list[Policy] = field(default_factory=list)


def subject_key(purpose: str, policies: Iterable[Policy]) -> str:
    """What a payment pays for, canonically: the same people in any order are the same subject,
    so two tabs share one pending payment."""
    return f"{purpose}:policies={','.join(str(pk) for pk in sorted(p.pk for p in policies))}"


def policy_ids_from_subject(key: str) -> list[int]:
    """The people a payment was started for, read back from its subject key."""
    _purpose, _sep, ids = key.partition(":policies=")
    return [int(pk) for pk in ids.split(",") if pk.strip().isdigit()]


def receipt_contact_for(user: Any) -> str:
    return getattr(user, "email", "") or getattr(user, "phone", "") or ""
