"""The demo's accounts: one per role, all with the same easy password."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Permission
from django.contrib.auth.password_validation import validate_password

from polis.accounts.models import Consent, ConsentKind, ConsentText, Role, User
from polis.coverage.models import InsuredPerson, Policy
from polis.demo.clinics import PRESNYA
from polis.demo.insured import ANNA, PAVEL
from polis.network.models import Clinic

if TYPE_CHECKING:
    from polis.demo.build import DemoContracts

DEMO_PASSWORD = "demo-polis-2026"  # noqa: S105 -- printed for every newcomer on purpose
STAFF_JOINED = dt.datetime(2025, 12, 1, 7, 0, tzinfo=dt.UTC)
# The desk's doctor-curator: the second doctor for letters above the threshold, and escalations.
CURATOR_EMAIL = "curator@example.ru"
CURATOR_APPROVES = "care.approve_letter"
CURATOR_ANSWERS = "care.handle_escalation"


@dataclass(frozen=True)
class LoginSeed:
    label: str  # the role as the logins table names it; a line break where it reads well
    email: str
    role: str
    last_name: str
    first_name: str
    patronymic: str
    url_name: str  # where to start, and the path if that page is not there yet
    fallback_path: str
    what: str
    phone: str | None = None
    insured_policy: str = ""  # the insured record to link, by policy number
    hr_contract: str = ""  # a DemoContracts attribute
    clinic: str = ""
    marketing: bool = False
    joined: dt.datetime = STAFF_JOINED
    permissions: tuple[str, ...] = ()  # "app_label.codename"


LOGINS = (
    LoginSeed("Застрахованная:\nфраншиза, муж и дочь", "anna.sokolova@example.ru", Role.INSURED,
              "Соколова", "Анна", "Викторовна", "coverage:dashboard", "/my/",
              "полисы свои и родственников, лимиты, памятка, PDF", phone="+79165551234",
              insured_policy=ANNA, marketing=True, joined=dt.datetime(2026, 2, 3, 7, 15, tzinfo=dt.UTC)),
    LoginSeed("Застрахованный:\nсвой договор на семью", "pavel.orlov@example.ru", Role.INSURED,
              "Орлов", "Павел", "Сергеевич", "coverage:dashboard", "/my/",
              "семейная программа, франшиза с привязкой карты", phone="+79035554321",
              insured_policy=PAVEL, joined=dt.datetime(2026, 3, 16, 16, 40, tzinfo=dt.UTC)),
    LoginSeed("Администратор договора\nООО «Лайтворк Софт»", "hr.it@example.ru", Role.HR,
              "Морозова", "Елена", "Николаевна", "hr:people", "/hr/", "сотрудники и родственники по договору",
              hr_contract="it"),
    LoginSeed("Администратор договора\nАО «Балтийские насосные системы»", "hr.zavod@example.ru", Role.HR,
              "Гаврилова", "Светлана", "Юрьевна", "hr:people", "/hr/", "сотрудники и родственники по договору",
              hr_contract="plant"),
    LoginSeed("Диспетчер медицинского пульта", "desk@example.ru", Role.DESK,
              "Ковалёва", "Марина", "Сергеевна", "desk:queue", "/desk/",
              "очередь обращений, гарантийные письма, поиск застрахованного"),
    LoginSeed("Врач-куратор пульта", "curator@example.ru", Role.DESK,
              "Зайцева", "Наталья", "Андреевна", "desk:approvals", "/desk/approvals/",
              "согласование писем сверх порога, жалобы застрахованных",
              permissions=(CURATOR_APPROVES, CURATOR_ANSWERS)),
    LoginSeed("Сотрудник клиники\nна Красной Пресне", "clinic@example.ru", Role.CLINIC,
              "Белова", "Ольга", "Петровна", "clinic:home", "/clinic/", "прикреплённые через регистратуру",
              clinic=PRESNYA),
    LoginSeed("Бэк-офис", "admin@example.ru", Role.BACKOFFICE,
              "Григорьев", "Андрей", "Олегович", "admin:index", "/admin/", "админка: договоры, клиники, люди"),
)  # fmt: skip


def consent_text(kind: str) -> ConsentText:
    """Version 1 of a consent's wording: the accounts app may have published it already."""
    insurer = settings.POLIS_INSURER_NAME
    wording = {
        ConsentKind.PERSONAL_DATA: (
            "Согласие на обработку персональных данных, включая сведения о состоянии здоровья",
            f"Даю согласие {insurer} на обработку моих персональных данных, включая сведения о состоянии "
            "здоровья (специальная категория персональных данных, ст. 10 Федерального закона № 152-ФЗ), "
            "в целях исполнения договора добровольного медицинского страхования: организации медицинской "
            "помощи, оплаты услуг клиник и расчёта франшизы. Согласие действует до его отзыва; отзыв "
            "прекращает обслуживание по полису.",
        ),
        ConsentKind.MARKETING: (
            "Согласие на получение новостей и предложений",
            f"Согласен получать от {insurer} новости и предложения по e-mail и SMS. Согласие можно отозвать "
            "в личном кабинете в любой момент.",
        ),
    }[ConsentKind(kind)]
    text, _ = ConsentText.objects.get_or_create(
        kind=kind, version="1", defaults={"title": wording[0], "text": wording[1]}
    )
    return text


def create_users(*, contracts: DemoContracts, clinics: dict[str, Clinic], people: dict[str, Policy]) -> None:
    # Hashed once for all: hashing is the slow part of loading, and these are demo accounts.
    password_hash = make_password(DEMO_PASSWORD)
    for seed in LOGINS:
        backoffice = seed.role == Role.BACKOFFICE
        user = User(
            email=seed.email, phone=seed.phone, last_name=seed.last_name, first_name=seed.first_name,
            patronymic=seed.patronymic, role=seed.role, clinic=clinics[seed.clinic] if seed.clinic else None,
            is_staff=backoffice, is_superuser=backoffice, date_joined=seed.joined,
        )  # fmt: skip
        validate_password(DEMO_PASSWORD, user)
        user.password = password_hash
        user.save()
        grant_permissions(user, seed)
        if seed.hr_contract:
            getattr(contracts, seed.hr_contract).administrators.add(user)
        if seed.insured_policy:
            InsuredPerson.objects.filter(pk=people[seed.insured_policy].insured_id).update(user=user)
            kinds = [ConsentKind.PERSONAL_DATA] + ([ConsentKind.MARKETING] if seed.marketing else [])
            Consent.objects.bulk_create(
                Consent(user=user, kind=kind, text=consent_text(kind), given_at=seed.joined, ip_address="127.0.0.1")
                for kind in kinds
            )


def grant_permissions(user: User, seed: LoginSeed) -> None:
    for name in seed.permissions:
        app_label, codename = name.split(".", 1)
        user.user_permissions.add(Permission.objects.get(content_type__app_label=app_label, codename=codename))


def ensure_staff_login(email: str) -> User | None:
    """A staff login of LOGINS (no clinic, contract or insured record to link) that an older demo
    lacks: created with the demo password; an existing one gets its seed's permissions. None for
    an email not in LOGINS or a login that needs more than itself."""
    seed = next((s for s in LOGINS if s.email == email), None)
    if seed is None or seed.clinic or seed.hr_contract or seed.insured_policy:
        return None
    user = User.objects.filter(email=email).first()
    if user is None:
        backoffice = seed.role == Role.BACKOFFICE
        user = User(
            email=seed.email, phone=seed.phone, last_name=seed.last_name, first_name=seed.first_name,
            patronymic=seed.patronymic, role=seed.role, is_staff=backoffice, is_superuser=backoffice,
            date_joined=seed.joined, password=make_password(DEMO_PASSWORD),
        )  # fmt: skip
        user.save()
    grant_permissions(user, seed)
    return user
