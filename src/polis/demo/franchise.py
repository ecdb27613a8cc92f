"""The franchise in the demo: each activation style in a state worth opening «Оплата франшизы»
for, and the clinic clerk's activation notices.

- deposit (RESO style, St. Petersburg plant): one employee with family has an account and has
  paid nothing yet — a newcomer logs in and pays in the sandbox; another, attached to a
  franchise clinic's registry, paid yesterday: activation pending, the clinic not yet confirmed;
- consent (Alfa style): Anna's own franchise is active since February, her daughter's takes
  effect the next working day, her husband's is not given — the form is there to try;
- card (SOGAZ style): Pavel bound a sandbox card in March (the 1 ₽ check refunded), his and
  his son's franchise is active, his wife's can be activated with the same card.

Rows are written directly, as a gateway and billing would have left them: dates by billing's
rules and the business calendar, every kopeck in the ledger (succeeded payments = deposit +
co-pay + refunded). Added with a fresh demo and once to a demo loaded before; the bound card is
the marker.
"""

import datetime as dt

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.db.models import QuerySet
from django.urls import reverse

from polis import calendar, clock
from polis.accounts.models import Consent, ConsentKind, Role, User
from polis.billing import rules
from polis.billing.models import ClinicNotice, FranchiseActivation
from polis.billing.selectors import registry_franchise_clinics
from polis.coverage.models import FranchiseActivation as Method
from polis.coverage.models import Policy, Relation, ServiceMode
from polis.demo.clinics import CLINIC_CODES, PRESNYA
from polis.demo.franchise_payments import BOUND_CARD_METHOD, bind_card, pay_deposit
from polis.demo.insured import ANNA, PAVEL
from polis.demo.users import DEMO_PASSWORD, consent_text
from polis.network.models import Clinic

ANNAS_DAUGHTER = "001-2026-000103"
PAVELS_SON = "003-2026-000303"
# Anna gave her consent the day after she registered (03.02.2026), at 10:00 Moscow.
ANNA_CONSENT_AT = dt.datetime(2026, 2, 4, 7, 0, tzinfo=dt.UTC)
# Pavel bound his card half an hour after registering (16.03.2026).
PAVEL_CARD_AT = dt.datetime(2026, 3, 16, 17, 10, tzinfo=dt.UTC)
DEPOSIT_PROGRAM = "BASE-AV"
CONSENT_PROGRAM = "OPT-F20"
DEPOSIT_REGISTRY_CLINIC = "sk-petrogradskaya"


def franchise_demo_loaded() -> bool:
    return FranchiseActivation.objects.filter(card__method_id=BOUND_CARD_METHOD).exists()


@transaction.atomic
def add_franchise_demo() -> bool:
    """Returns False, changing nothing, when it is there already or the demo's people are not."""
    if franchise_demo_loaded():
        return False
    story = {p.number: p for p in _policies().filter(number__in=[ANNA, ANNAS_DAUGHTER, PAVEL, PAVELS_SON])}
    anna, pavel = story.get(ANNA), story.get(PAVEL)
    if anna is None or pavel is None or anna.insured.user is None or pavel.insured.user is None:
        return False
    now = clock.now()
    clerk = User.objects.filter(role=Role.CLINIC, clinic__code=CLINIC_CODES[PRESNYA]).order_by("pk").first()
    # Hashed once for all the accounts added here: hashing is the slow part.
    password = make_password(DEMO_PASSWORD)
    _consent_style(anna=anna, daughter=story.get(ANNAS_DAUGHTER), clerk=clerk, now=now, password=password)
    _card_style(pavel=pavel, son=story.get(PAVELS_SON))
    _deposit_style(now=now, password=password)
    return True


def _policies() -> QuerySet[Policy]:
    return Policy.objects.select_related("insured__user", "program", "registry_clinic")


def _activate(
    policy: Policy, *, method: str, by: User, at: dt.datetime, confirmed_by: User | None = None, **fields: object
) -> FranchiseActivation:
    """An activation asked for at `at`, with the notices billing sends to the franchise clinics the
    person reaches through a registry; confirmed two days later when `confirmed_by` is given."""
    activation = FranchiseActivation.objects.create(
        policy=policy,
        method=method,
        requested_by=by,
        requested_at=at,
        effective_at=rules.effective_at(policy=policy, method=method, at=at),
        **fields,
    )
    for clinic in registry_franchise_clinics(policy=policy):
        _notice(activation, clinic, sent_at=at, confirmed_by=confirmed_by)
    return activation


def _notice(
    activation: FranchiseActivation, clinic: Clinic, *, sent_at: dt.datetime, confirmed_by: User | None
) -> ClinicNotice:
    due_on = calendar.add_working_days(rules.local_date(sent_at), 5)
    confirmed = confirmed_by is not None and confirmed_by.clinic_id == clinic.pk
    return ClinicNotice.objects.create(
        activation=activation,
        clinic=clinic,
        sent_at=sent_at,
        due_on=due_on,
        confirmed_at=sent_at + dt.timedelta(days=2) if confirmed else None,
        confirmed_by=confirmed_by if confirmed else None,
    )


def _consent_style(
    *, anna: Policy, daughter: Policy | None, clerk: User | None, now: dt.datetime, password: str
) -> None:
    user = anna.insured.user
    assert user is not None
    terms = rules.CONSENT_TERMS_VERSION
    _activate(anna, method=Method.CONSENT, by=user, at=ANNA_CONSENT_AT, confirmed_by=clerk, terms_version=terms)
    if daughter is not None:
        _activate(daughter, method=Method.CONSENT, by=user, at=now, terms_version=terms)
    # An employee attached to the clerk's clinic who consented two weeks ago: the clinic has let
    # the five working days pass without confirming (the clerk's page marks it overdue).
    attached = (
        _policies()
        .filter(
            program__code=CONSENT_PROGRAM,
            service_mode=ServiceMode.REGISTRY,
            registry_clinic__code=CLINIC_CODES[PRESNYA],
            relation=Relation.EMPLOYEE,
            terminated_on__isnull=True,
            insured__user__isnull=True,
        )
        .exclude(insured__email="")
        .exclude(insured__phone="")
        .order_by("number")
        .first()
    )
    if attached is not None:
        two_weeks_ago = now - dt.timedelta(days=14)
        by = _account(attached, password=password, joined=two_weeks_ago - dt.timedelta(hours=1))
        _activate(attached, method=Method.CONSENT, by=by, at=two_weeks_ago, terms_version=terms)


def _card_style(*, pavel: Policy, son: Policy | None) -> None:
    user = pavel.insured.user
    assert user is not None
    people = [pavel] + ([son] if son is not None else [])
    card = bind_card(user=user, policies=people, at=PAVEL_CARD_AT)
    for policy in people:
        _activate(
            policy,
            method=Method.CARD,
            by=user,
            at=card.bound_at,
            terms_version=card.agreement_version,
            card=card,
        )


def _deposit_style(*, now: dt.datetime, password: str) -> None:
    """Two plant employees get accounts: one with family who has not paid (try it), one attached
    to a franchise clinic's registry who paid the previous working day."""
    candidates = (
        _policies()
        .filter(program__code=DEPOSIT_PROGRAM, relation=Relation.EMPLOYEE, terminated_on__isnull=True)
        .exclude(insured__email="")
        .exclude(insured__phone="")
        .filter(insured__user__isnull=True)
        .order_by("number")
    )
    unpaid = (
        candidates.filter(service_mode=ServiceMode.DESK, insured__relatives_policies__isnull=False).distinct().first()
    )
    paid = candidates.filter(
        service_mode=ServiceMode.REGISTRY, registry_clinic__code=CLINIC_CODES[DEPOSIT_REGISTRY_CLINIC]
    ).first()
    if unpaid is not None:
        _account(unpaid, password=password, joined=now - dt.timedelta(days=20))
    if paid is not None:
        user = _account(paid, password=password, joined=now - dt.timedelta(days=30))
        paid_at = dt.datetime.combine(_previous_working_day(rules.local_date(now)), dt.time(10, 30))
        paid_at = paid_at.replace(tzinfo=clock.local_zone()).astimezone(dt.UTC)
        payment = pay_deposit(user=user, policies=[paid], at=paid_at)
        _activate(paid, method=Method.DEPOSIT, by=user, at=payment.succeeded_at or paid_at, payment=payment)


def _previous_working_day(day: dt.date) -> dt.date:
    day -= dt.timedelta(days=1)
    while not calendar.is_working_day(day):
        day -= dt.timedelta(days=1)
    return day


def _account(policy: Policy, *, password: str, joined: dt.datetime) -> User:
    person = policy.insured
    user = User(
        email=person.email,
        phone=person.phone,
        last_name=person.last_name,
        first_name=person.first_name,
        patronymic=person.patronymic,
        role=Role.INSURED,
        date_joined=joined,
    )
    user.password = password
    user.save()
    type(person).objects.filter(pk=person.pk).update(user=user)
    person.user = user
    Consent.objects.create(
        user=user,
        kind=ConsentKind.PERSONAL_DATA,
        text=consent_text(ConsentKind.PERSONAL_DATA),
        given_at=joined,
        ip_address="127.0.0.1",
    )
    return user


def franchise_logins() -> tuple[str, list[str], list[list[str]]]:
    """For the logins block: whom to log in as to try each franchise style (what exists now):
    a title, the table's headings and its rows."""
    headings = ["Кто", "Логин", "Что попробовать"]
    if not franchise_demo_loaded():
        return "", headings, []
    page = settings.POLIS_SITE_URL.rstrip("/") + reverse("billing:franchise")
    title = f"Оплата франшизы: {page} — платежи идут через песочницу, настоящая карта не нужна."
    rows: list[list[str]] = []
    deposit_users = (
        User.objects.filter(role=Role.INSURED, insured_records__policies__program__code=DEPOSIT_PROGRAM)
        .distinct()
        .order_by("pk")
    )
    for user in deposit_users:
        held = FranchiseActivation.objects.filter(policy__insured__user=user).exists()
        if held:
            who = "Гарантийный взнос внесён,\nклиника через регистратуру"
            what = "активация вступит в силу через 3 рабочих дня;\nклиника ещё не подтвердила — запись через пульт"
        else:
            who = "Гарантийный взнос\nне внесён"
            what = "внесите 300 ₽ за себя и родственников:\n«Оплатить картой» → «Оплата прошла»"
        rows.append([who, user.email, what])
    rows += [
        [
            "Согласие в кабинете",
            "anna.sokolova@example.ru",
            "своя франшиза активна, дочери — со следующего\nрабочего дня; за мужа согласие можно дать",
        ],
        [
            "Привязанная карта",
            "pavel.orlov@example.ru",
            "Visa •••• 4242; жене можно активировать\nтой же картой, карту можно отвязать",
        ],
        [
            "Сотрудник клиники\nна Красной Пресне",
            "clinic@example.ru",
            "письма об активации франшизы:\nподтвердить, просроченные выделены",
        ],
    ]
    return title, headings, rows
