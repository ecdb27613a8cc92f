"""Consents: given with the text version read, time and IP; withdrawn with a date.

Withdrawing the consent to process personal and health data ends the person's own coverage
(DOMAIN.md, 152-FZ): the insurer cannot perform the contract for someone whose health data it
may not process. Policies of relatives the person holds are not ended: a relative's data is
processed under that relative's own consent (a child's is given by a legal representative as a
separate act for the child), and ending a relative's cover is a detachment the policyholder
asks for, not a side effect of the holder's own withdrawal. The data itself is destroyed within
30 days unless another legal basis applies; that is the back office's job, from `withdrawn_at`.
"""

import datetime as dt
from collections import defaultdict

from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from polis import clock
from polis.accounts.models import Consent, ConsentKind, User
from polis.accounts.selectors import consent_text_current
from polis.accounts.services.errors import ConsentError
from polis.coverage.models import Contract, Policy, TerminationReason
from polis.notify.services import email_send, notification_create


def consent_record(*, user: User, kind: str, text_id: int, given_at: dt.datetime, ip: str | None) -> Consent:
    return Consent.objects.create(user=user, kind=kind, text_id=text_id, given_at=given_at, ip_address=ip or None)


def consent_give(*, user: User, kind: str, ip: str | None) -> Consent:
    """Give the optional consent (marketing) to its current text; giving it twice is harmless."""
    if kind != ConsentKind.MARKETING:
        raise ConsentError(_("Согласие на обработку персональных данных даётся при регистрации."))
    text = consent_text_current(kind=kind)
    if text is None:
        raise ConsentError(_("Текст согласия не опубликован."))
    with transaction.atomic():
        # The user row is the lock: two clicks must not both insert a live consent.
        User.objects.select_for_update().filter(pk=user.pk).first()
        live = Consent.objects.filter(user=user, kind=kind, withdrawn_at=None).first()
        if live is not None:
            return live
        return consent_record(user=user, kind=kind, text_id=text.pk, given_at=clock.now(), ip=ip)


def consent_withdraw(*, user: User, kind: str) -> Consent | None:
    """Withdraw a consent in force; None if there was none (a second click does nothing)."""
    with transaction.atomic():
        consent = Consent.objects.select_for_update().filter(user=user, kind=kind, withdrawn_at=None).first()
        if consent is None:
            return None
        consent.withdrawn_at = clock.now()
        consent.save(update_fields=["withdrawn_at"])
        if kind == ConsentKind.PERSONAL_DATA:
            _coverage_end(user=user)
    return consent


def _coverage_end(*, user: User) -> list[Policy]:
    today = clock.today()
    policies = list(
        Policy.objects.select_for_update(of=("self",))
        .filter(insured__user=user, ends_on__gte=today)
        .filter(Q(terminated_on__isnull=True) | Q(terminated_on__gt=today))
        .select_related("insured", "contract")
        .order_by("number")
    )
    Policy.objects.filter(pk__in=[p.pk for p in policies]).update(
        terminated_on=today, termination_reason=TerminationReason.CONSENT_WITHDRAWN
    )
    by_contract: dict[Contract, list[Policy]] = defaultdict(list)
    for policy in policies:
        by_contract[policy.contract].append(policy)
    for contract, ended in by_contract.items():
        _administrators_notify(contract=contract, policies=ended, day=today)

    ended_numbers = ", ".join(f"№ {p.number}" for p in policies)
    if ended_numbers:
        body = _(
            "Вы отозвали согласие на обработку персональных данных. Страхование по полисам %(numbers)s "
            "прекращено с %(day)s, администратор договора уведомлён. "
        ) % {"numbers": ended_numbers, "day": today.strftime("%d.%m.%Y")}
    else:
        body = _("Вы отозвали согласие на обработку персональных данных. ")
    body += _(
        "Обработка ваших данных прекращается; они будут уничтожены в течение 30 дней, если у страховщика "
        "нет иного законного основания их хранить. Полисы родственников, где вы страхователь, продолжают действовать."
    )
    notification_create(user=user, title=_("Согласие на обработку персональных данных отозвано"), body=body)
    email_send(to=user.email, subject=_("Согласие на обработку персональных данных отозвано"), text=body)
    return policies


def _administrators_notify(*, contract: Contract, policies: list[Policy], day: dt.date) -> None:
    """Name and policy number only: the employer never learns anything medical (323-FZ art. 13)."""
    lines = "\n".join(f"{p.insured.full_name}, полис № {p.number}" for p in policies)
    title = _("Застрахованный отозвал согласие на обработку персональных данных")
    body = _(
        "По договору № %(contract)s застрахованный отозвал согласие на обработку персональных данных. "
        "Страхование прекращено с %(day)s:\n%(lines)s"
    ) % {"contract": contract.number, "day": day.strftime("%d.%m.%Y"), "lines": lines}
    if contract.admin_email:
        email_send(to=contract.admin_email, subject=title, text=body)
    for administrator in contract.administrators.all():
        notification_create(user=administrator, title=title, body=body)
