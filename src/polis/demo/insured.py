"""The demo's insured people and their policies: fixed "story" people the logins block names,
and employees with families generated from the seed."""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from polis.coverage.models import (
    Contract,
    InsuredPerson,
    LimitUsage,
    Policy,
    Program,
    Relation,
    ServiceMode,
    Sex,
    TerminationReason,
    name_key,
)
from polis.demo.clinics import MOSCOW, PRESNYA, SPB
from polis.demo.people import (
    BOY_NAMES,
    FEMALE_NAMES,
    GIRL_NAMES,
    MALE_NAMES,
    MOSCOW_MOBILE_CODES,
    SPB_MOBILE_CODES,
    Person,
    email_for,
    mobile_for,
    random_date,
    random_person,
)
from polis.network.models import Clinic

if TYPE_CHECKING:
    from polis.demo.build import DemoContracts

CORPORATE_TERM = (dt.date(2026, 1, 1), dt.date(2026, 12, 31))
FAMILY_TERM = (dt.date(2026, 3, 15), dt.date(2027, 3, 14))
PREVIOUS_TERM = (dt.date(2025, 1, 1), dt.date(2025, 12, 31))
DETACHED_ON = dt.date(2026, 7, 1)


@dataclass(frozen=True)
class StoryPerson:
    """Someone the logins block tells a newcomer about, so the name and numbers never change."""

    policy_number: str
    last_name: str
    first_name: str
    patronymic: str
    sex: str
    birth_date: dt.date
    program: str
    relation: str = Relation.EMPLOYEE
    personnel_number: str = ""
    holder: str = ""  # the holder's policy number, for a relative
    phone: str = ""
    email: str = ""
    city: str = MOSCOW
    registry_clinic: str = ""


ANNA = "001-2026-000101"  # the main demo insured: a franchise program, husband and daughter
ANNA_PREVIOUS = "001-2025-000087"  # her last year's policy, expired: history
ARTEM = "001-2026-000104"  # not registered; registry mode at the clerk's clinic
OLGA = "002-2026-000201"  # not registered; a deposit-style program in St. Petersburg
PAVEL = "003-2026-000301"  # the individual contract's policyholder, insured himself
EKATERINA = "003-2026-000302"  # Pavel's wife, not registered

STORY_PEOPLE = (
    StoryPerson(ANNA, "Соколова", "Анна", "Викторовна", Sex.FEMALE, dt.date(1988, 4, 12), "OPT-F20",
                personnel_number="10042", phone="+79165551234", email="anna.sokolova@example.ru"),
    StoryPerson("001-2026-000102", "Соколов", "Дмитрий", "Андреевич", Sex.MALE, dt.date(1986, 9, 3), "OPT-F20",
                relation=Relation.SPOUSE, holder=ANNA, phone="+79167770412"),
    StoryPerson("001-2026-000103", "Соколова", "Полина", "Дмитриевна", Sex.FEMALE, dt.date(2016, 2, 25),
                "OPT-F20", relation=Relation.CHILD, holder=ANNA),
    StoryPerson(ARTEM, "Кузнецов", "Артём", "Игоревич", Sex.MALE, dt.date(1991, 7, 14), "PREM",
                personnel_number="10057", phone="+79266104418", email="a.kuznetsov@lightwork.example.ru",
                registry_clinic=PRESNYA),
    StoryPerson(OLGA, "Лебедева", "Ольга", "Сергеевна", Sex.FEMALE, dt.date(1983, 11, 2), "BASE-AV",
                personnel_number="004815", phone="+79219035577", email="o.lebedeva@bns.example.ru", city=SPB),
    StoryPerson(PAVEL, "Орлов", "Павел", "Сергеевич", Sex.MALE, dt.date(1979, 5, 21), "SEM-K30",
                relation=Relation.SELF, phone="+79035554321", email="pavel.orlov@example.ru"),
    StoryPerson(EKATERINA, "Орлова", "Екатерина", "Игоревна", Sex.FEMALE, dt.date(1982, 8, 9), "SEM-K30",
                relation=Relation.SPOUSE, holder=PAVEL, phone="+79037261190"),
    StoryPerson("003-2026-000303", "Орлов", "Михаил", "Павлович", Sex.MALE, dt.date(2012, 10, 30), "SEM-K30",
                relation=Relation.CHILD, holder=PAVEL),
)  # fmt: skip


@dataclass(frozen=True)
class Staffing:
    """How one corporate contract's employees are generated."""

    prefix: str
    first_number: int
    count: int
    programs: tuple[tuple[str, int], ...]  # program code, weight
    cities: tuple[tuple[str, int], ...]
    mobile_codes: tuple[str, ...]
    email_domain: str
    male_share: float
    # (program code, clinic key) for employees who chose to be served through a clinic's registry
    registry: tuple[tuple[str, str], ...]
    # (program code, clinic key) for programs served through one clinic's registry, families too
    registry_programs: tuple[tuple[str, str], ...] = ()


IT_STAFF = Staffing(
    prefix="001", first_number=120, count=31, programs=(("OPT-F20", 6), ("PREM", 4)),
    cities=((MOSCOW, 12), ("Химки", 1), ("Красногорск", 1), ("Мытищи", 1), ("Екатеринбург", 1)),
    mobile_codes=MOSCOW_MOBILE_CODES, email_domain="lightwork.example.ru", male_share=0.55,
    registry=(("OPT-F20", PRESNYA), ("PREM", PRESNYA), ("PREM", PRESNYA), ("PREM", "kutuzovskaya")),
)  # fmt: skip
PLANT_STAFF = Staffing(
    prefix="002", first_number=220, count=21, programs=(("BASE-AV", 7), ("KOMFORT", 3)),
    cities=((SPB, 10), ("Всеволожск", 1), ("Гатчина", 1), ("Кудрово", 1)),
    mobile_codes=SPB_MOBILE_CODES, email_domain="bns.example.ru", male_share=0.65,
    registry=(("BASE-AV", "sk-petrogradskaya"), ("BASE-AV", "mc-elektrosila")),
    registry_programs=(("KOMFORT", "mc-nevsky"),),
)  # fmt: skip


class _Roster:
    """Collects people and policies, then writes them with two bulk inserts."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.people: list[InsuredPerson] = []
        self.policies: list[dict[str, Any]] = []
        self.phones = {s.phone for s in STORY_PEOPLE if s.phone}
        self.emails = {s.email for s in STORY_PEOPLE if s.email}

    def add_person(self, **fields: Any) -> InsuredPerson:
        person = InsuredPerson(**fields)
        person.name_key = name_key(person.last_name, person.first_name, person.patronymic)
        self.people.append(person)
        return person

    def add_policy(self, **fields: Any) -> dict[str, Any]:
        self.policies.append(fields)
        return fields

    def save(self) -> dict[str, Policy]:
        InsuredPerson.objects.bulk_create(self.people)
        policies = [Policy(**fields) for fields in self.policies]
        Policy.objects.bulk_create(policies)
        return {policy.number: policy for policy in policies}


def create_insured(
    rng: random.Random, *, contracts: DemoContracts, programs: dict[str, Program], clinics: dict[str, Clinic]
) -> dict[str, Policy]:
    """Everyone insured; returns the policies by number."""
    roster = _Roster(rng)
    story = _add_story_people(roster, contracts, programs, clinics)
    _add_staff(roster, IT_STAFF, contracts.it, programs, clinics)
    _add_staff(roster, PLANT_STAFF, contracts.plant, programs, clinics)
    # Last year's policy of the main demo insured, on last year's contract.
    start, end = PREVIOUS_TERM
    roster.add_policy(
        number=ANNA_PREVIOUS, contract=contracts.it_previous, program=programs["OPT-2025"], insured=story[ANNA],
        personnel_number="10042", issued_on=dt.date(2024, 12, 26), starts_on=start, ends_on=end,
    )  # fmt: skip
    policies = roster.save()
    _record_limit_usage(policies)
    return policies


def _add_story_people(
    roster: _Roster, contracts: DemoContracts, programs: dict[str, Program], clinics: dict[str, Clinic]
) -> dict[str, InsuredPerson]:
    by_number: dict[str, InsuredPerson] = {}
    for s in STORY_PEOPLE:
        person = roster.add_person(
            last_name=s.last_name, first_name=s.first_name, patronymic=s.patronymic, birth_date=s.birth_date,
            sex=s.sex, phone=s.phone, email=s.email, city=s.city,
        )  # fmt: skip
        by_number[s.policy_number] = person
        program = programs[s.program]
        family = program.contract_id == contracts.family.pk
        start, end = FAMILY_TERM if family else CORPORATE_TERM
        roster.add_policy(
            number=s.policy_number, contract=program.contract, program=program, insured=person,
            holder=by_number[s.holder] if s.holder else None, relation=s.relation,
            personnel_number=s.personnel_number, starts_on=start, ends_on=end,
            issued_on=dt.date(2026, 3, 13) if family else dt.date(2025, 12, 26),
            service_mode=ServiceMode.REGISTRY if s.registry_clinic else ServiceMode.DESK,
            registry_clinic=clinics[s.registry_clinic] if s.registry_clinic else None,
        )  # fmt: skip
    return by_number


def _weighted(rng: random.Random, options: tuple[tuple[str, int], ...]) -> str:
    return rng.choices([o for o, _ in options], weights=[w for _, w in options])[0]


def _add_staff(
    roster: _Roster, staffing: Staffing, contract: Contract, programs: dict[str, Program], clinics: dict[str, Clinic]
) -> None:
    rng = roster.rng
    start, end = CORPORATE_TERM
    number = staffing.first_number
    personnel_numbers = {s.personnel_number for s in STORY_PEOPLE}
    employees: list[dict[str, Any]] = []
    for _ in range(staffing.count):
        sex = Sex.MALE if rng.random() < staffing.male_share else Sex.FEMALE
        employee = random_person(rng, sex=sex, born_from=dt.date(1962, 1, 1), born_to=dt.date(2002, 12, 31))
        city = _weighted(rng, staffing.cities)
        insured = _insured(roster, employee, city, staffing, with_email=True)
        code = _weighted(rng, staffing.programs)
        program = programs[code]
        mode: dict[str, Any] = {}
        if registry_clinic := dict(staffing.registry_programs).get(code):
            mode = {"service_mode": ServiceMode.REGISTRY, "registry_clinic": clinics[registry_clinic]}
        personnel = _personnel_number(rng, staffing, personnel_numbers)
        policy = roster.add_policy(
            number=f"{staffing.prefix}-2026-{number:06d}", contract=contract, program=program, insured=insured,
            personnel_number=personnel, issued_on=dt.date(2025, 12, 26), starts_on=start, ends_on=end, **mode,
        )  # fmt: skip
        employees.append(policy)
        number += 1
        if rng.random() < 0.4:
            for relative, relation in _relatives(rng, employee):
                roster.add_policy(
                    number=f"{staffing.prefix}-2026-{number:06d}", contract=contract, program=program,
                    insured=_insured(roster, relative, city, staffing, with_email=False), holder=insured,
                    relation=relation, issued_on=dt.date(2025, 12, 26), starts_on=start, ends_on=end, **mode,
                )  # fmt: skip
                number += 1
    _attach_to_registries(rng, staffing, employees, programs, clinics)
    if staffing is IT_STAFF:
        _detach_one(rng, roster, employees)


def _insured(roster: _Roster, p: Person, city: str, staffing: Staffing, *, with_email: bool) -> InsuredPerson:
    adult = p.birth_date <= dt.date(2008, 1, 1)
    return roster.add_person(
        last_name=p.last_name, first_name=p.first_name, patronymic=p.patronymic, birth_date=p.birth_date, sex=p.sex,
        phone=mobile_for(roster.rng, staffing.mobile_codes, roster.phones) if adult else "",
        email=email_for(p, staffing.email_domain, roster.emails) if with_email else "", city=city,
    )  # fmt: skip


def _personnel_number(rng: random.Random, staffing: Staffing, taken: set[str]) -> str:
    while True:
        number = f"{rng.randint(10100, 10999)}" if staffing is IT_STAFF else f"{rng.randint(1000, 9999):06d}"
        if number not in taken:
            taken.add(number)
            return number


def _relatives(rng: random.Random, employee: Person) -> list[tuple[Person, str]]:
    """One to three relatives whose names and ages fit: the children carry the father's name."""
    year = employee.birth_date.year
    relatives: list[tuple[Person, str]] = []
    spouse = None
    if rng.random() < 0.8:
        spouse = random_person(
            rng, sex=Sex.FEMALE if employee.sex == Sex.MALE else Sex.MALE, surname=employee.surname,
            born_from=dt.date(max(1960, year - 5), 1, 1), born_to=dt.date(min(2002, year + 5), 12, 31),
        )  # fmt: skip
        relatives.append((spouse, Relation.SPOUSE))
    father = employee if employee.sex == Sex.MALE else spouse
    first, last = max(2008, year + 20), min(2024, year + 42)
    if father is not None and first <= last:
        for _ in range(rng.choice((1, 1, 2))):
            sex = rng.choice((Sex.MALE, Sex.FEMALE))
            child = Person(
                surname=employee.surname, first_name=rng.choice(BOY_NAMES if sex == Sex.MALE else GIRL_NAMES),
                father_name=father.first_name, sex=sex,
                birth_date=random_date(rng, dt.date(first, 1, 1), dt.date(last, 12, 31)),
            )  # fmt: skip
            relatives.append((child, Relation.CHILD))
    if not relatives or rng.random() < 0.2:
        sex = rng.choice((Sex.MALE, Sex.FEMALE))
        parent = Person(
            surname=employee.surname, sex=sex, father_name=rng.choice(MALE_NAMES),
            first_name=employee.father_name if sex == Sex.MALE else rng.choice(FEMALE_NAMES),
            birth_date=random_date(rng, dt.date(max(1940, year - 32), 1, 1), dt.date(year - 22, 12, 31)),
        )  # fmt: skip
        relatives.append((parent, Relation.PARENT))
    return relatives[: rng.choice((1, 2, 2, 3))]


def _attach_to_registries(
    rng: random.Random,
    staffing: Staffing,
    employees: list[dict[str, Any]],
    programs: dict[str, Program],
    clinics: dict[str, Clinic],
) -> None:
    """Some employees chose one clinic to be served through its registry (seed 003)."""
    attached: set[str] = set()
    for program_code, clinic_key in staffing.registry:
        program = programs[program_code]
        candidates = [p for p in employees if p["program"] is program and p["number"] not in attached]
        policy = rng.choice(candidates)
        attached.add(policy["number"])
        policy.update(service_mode=ServiceMode.REGISTRY, registry_clinic=clinics[clinic_key])


def _detach_one(rng: random.Random, roster: _Roster, employees: list[dict[str, Any]]) -> None:
    """An employee who left in the summer: the employer detached them and their family."""
    leaver = rng.choice([p for p in employees if p.get("service_mode") != ServiceMode.REGISTRY])
    for policy in roster.policies:
        if policy is leaver or policy.get("holder") is leaver["insured"]:
            policy.update(terminated_on=DETACHED_ON, termination_reason=TerminationReason.DETACHED)


def _record_limit_usage(policies: dict[str, Policy]) -> None:
    anna, daughter = policies[ANNA], policies["001-2026-000103"]
    limits = {limit.service_group: limit for limit in anna.program.limits.all()}
    LimitUsage.objects.bulk_create(
        [
            LimitUsage(policy=anna, limit=limits["psychologist"], used_on=dt.date(2026, 3, 12),
                       source="Телемедицинская консультация психолога"),
            LimitUsage(policy=anna, limit=limits["psychologist"], used_on=dt.date(2026, 4, 9),
                       source="Телемедицинская консультация психолога"),
            LimitUsage(policy=anna, limit=limits["massage"], used_on=dt.date(2026, 5, 18), quantity=4,
                       source="Курс лечебного массажа, Клиника семейной медицины на Красной Пресне"),
            LimitUsage(policy=daughter, limit=limits["home_visit"], used_on=dt.date(2026, 2, 3),
                       source="Вызов педиатра на дом"),
            LimitUsage(policy=daughter, limit=limits["home_visit"], used_on=dt.date(2026, 10, 27),
                       source="Вызов педиатра на дом"),
        ]
    )  # fmt: skip
