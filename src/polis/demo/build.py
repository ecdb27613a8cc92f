"""Loading the demo: the desk's phones, the clinic network, contracts with their programs, the
insured people, the users of every role, then doctors, schedules and price lists. One transaction,
deterministic for a seed (the schedule follows the load date: two weeks from today).

A demo loaded before is refreshed instead: what it lacks of the clinic network is added once, and
the doctors' slots are topped up so that the next two weeks can always be booked."""

import datetime as dt
import random
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction

from polis.care.models import DeskContact
from polis.coverage.models import (
    AccessMode,
    Contract,
    CopayRule,
    Policyholder,
    Program,
    ProgramCare,
    ProgramClinic,
    ProgramLimit,
)
from polis.demo import ids
from polis.demo.care import add_care_demo
from polis.demo.clinics import CLINIC_CODES, CLINICS, DEN, MOSCOW, OUT, TEL, ClinicSeed
from polis.demo.franchise import add_franchise_demo
from polis.demo.insured import create_insured
from polis.demo.network import add_network_demo
from polis.demo.programs import (
    FAMILY_PROGRAMS,
    IT_PROGRAMS,
    PLANT_PROGRAMS,
    PREVIOUS_YEAR_PROGRAMS,
    ProgramSeed,
    care_conditions,
)
from polis.demo.registries import add_registries_demo
from polis.demo.schedule import top_up_slots
from polis.demo.users import create_users
from polis.network.models import Clinic, ClinicCare

SEED = 2026
# The IT company's contract: when it exists, the demo has been loaded.
MARKER_CONTRACT = "ДМС-0148/26"


@dataclass
class DemoContracts:
    it: Contract
    plant: Contract
    family: Contract
    it_previous: Contract


def demo_loaded() -> bool:
    return Contract.objects.filter(number=MARKER_CONTRACT).exists()


@transaction.atomic
def load_demo(*, seed: int = SEED) -> bool:
    """Create the demo data. Returns False, changing nothing, when it is already there."""
    if demo_loaded():
        return False
    rng = random.Random(seed)
    _create_desk_contacts()
    clinics = _create_clinics(rng)
    contracts = _create_contracts(rng)
    programs: dict[str, Program] = {}
    for contract, seeds in (
        (contracts.it, IT_PROGRAMS),
        (contracts.plant, PLANT_PROGRAMS),
        (contracts.family, FAMILY_PROGRAMS),
        (contracts.it_previous, PREVIOUS_YEAR_PROGRAMS),
    ):
        for program_seed in seeds:
            programs[program_seed.code] = _create_program(rng, contract, program_seed, clinics)
    people = create_insured(rng, contracts=contracts, programs=programs, clinics=clinics)
    create_users(contracts=contracts, clinics=clinics, people=people)
    add_network_demo(seed=seed, clinics=clinics)
    add_franchise_demo()
    add_registries_demo()
    add_care_demo()
    return True


@dataclass(frozen=True)
class Refresh:
    network_added: bool  # doctors, slots, price lists and bookings added to an older demo
    slots_added: int


@transaction.atomic
def refresh_demo(*, seed: int = SEED) -> Refresh:
    """For a demo loaded on an earlier day (or by an earlier version): idempotent."""
    network_added = add_network_demo(seed=seed)
    add_franchise_demo()
    add_registries_demo()
    add_care_demo()
    return Refresh(network_added=network_added, slots_added=top_up_slots())


def _create_desk_contacts() -> None:
    # Hours are in Moscow time (care.hours): the branch's 8–20 and the curators' office hours.
    DeskContact.objects.bulk_create(
        [
            DeskContact(
                city="", title="Медицинский пульт, бесплатно из любого региона России", phone="8 800 555-27-27",
                email="pult@example.ru", order=0,
            ),
            DeskContact(
                city=MOSCOW, title="Медицинский пульт 24/7", phone="+7 495 660-03-03",
                email="pult@example.ru", order=1,
            ),
            DeskContact(
                city="Санкт-Петербург", title="Медицинский пульт 24/7", phone="+7 812 603-20-20",
                email="pult.spb@example.ru", order=2,
            ),
            DeskContact(
                city="Екатеринбург", title="Медицинский пульт филиала", phone="+7 343 310-40-40",
                email="pult.ekb@example.ru", hours="пн–сб 8:00–20:00", round_the_clock=False,
                weekdays="123456", opens_at=dt.time(8, 0), closes_at=dt.time(20, 0), order=3,
                time_zone="Asia/Yekaterinburg",
            ),
            DeskContact(
                city=MOSCOW, title="Служба врачей-кураторов", phone="+7 495 660-03-03 (доб. 2)",
                email="curator@example.ru", hours="пн–пт 9:30–18:00, по рабочим дням", round_the_clock=False,
                weekdays="12345", opens_at=dt.time(9, 30), closes_at=dt.time(18, 0), working_days_only=True,
                order=4,
            ),
        ]
    )  # fmt: skip


def _phone(rng: random.Random, code: str) -> str:
    n = f"{rng.randint(200, 999)}{rng.randint(0, 9999):04d}"
    return f"+7 {code} {n[:3]}-{n[3:5]}-{n[5:]}"


def _create_clinics(rng: random.Random) -> dict[str, Clinic]:
    clinics = []
    for seed in CLINICS:
        region, code = ("77", "495") if seed.city == MOSCOW else ("78", "812")
        phones = [_phone(rng, code)]
        if seed.city == MOSCOW and rng.random() < 0.4:
            phones.append(_phone(rng, "499"))
        inn = ids.organization_inn(rng, region)
        clinics.append(
            Clinic(
                code=CLINIC_CODES[seed.key], name=seed.name, legal_name=seed.legal_name, inn=inn,
                kpp=ids.kpp_for(inn), city=seed.city,
                address=seed.address, metro=seed.metro, latitude=Decimal(seed.lat), longitude=Decimal(seed.lon),
                phones=", ".join(phones), website=f"https://{seed.key}.ru", email=f"info@{seed.key}.ru",
                opening_hours=seed.hours, price_category=seed.category, is_franchise=seed.franchise,
                has_online_booking=seed.online, has_access_control=seed.access_control,
            )
        )  # fmt: skip
    Clinic.objects.bulk_create(clinics)
    by_key = {seed.key: clinic for seed, clinic in zip(CLINICS, clinics, strict=True)}
    ClinicCare.objects.bulk_create(
        ClinicCare(clinic=by_key[seed.key], kind=kind) for seed in CLINICS for kind in seed.kinds
    )
    return by_key


def _create_contracts(rng: random.Random) -> DemoContracts:
    it_inn, plant_inn = ids.organization_inn(rng, "77"), ids.organization_inn(rng, "78")
    it_company = Policyholder.objects.create(
        kind=Policyholder.Kind.ORGANIZATION, name="ООО «Лайтворк Софт»", inn=it_inn, kpp=ids.kpp_for(it_inn),
        address="115035, г. Москва, Садовническая ул., д. 82, стр. 2", phone="+7 495 640-12-30",
        email="office@example.ru",
    )  # fmt: skip
    plant = Policyholder.objects.create(
        kind=Policyholder.Kind.ORGANIZATION, name="АО «Балтийские насосные системы»", inn=plant_inn,
        kpp=ids.kpp_for(plant_inn), address="195027, г. Санкт-Петербург, Свердловская наб., д. 44",
        phone="+7 812 331-45-60", email="info.bns@example.ru",
    )  # fmt: skip
    person = Policyholder.objects.create(
        kind=Policyholder.Kind.PERSON, name="Орлов Павел Сергеевич", inn=ids.person_inn(rng, "77"),
        address="117218, г. Москва, ул. Кржижановского, д. 14, корп. 3, кв. 57", phone="+7 903 555-43-21",
        email="pavel.orlov@example.ru",
    )  # fmt: skip
    it_admin = {
        "admin_name": "Морозова Елена Николаевна",
        "admin_phone": "+7 495 640-12-30 (доб. 214)",
        "admin_email": "hr.it@example.ru",
        "admin_hours": "пн–пт 10:00–19:00",
    }
    return DemoContracts(
        it=Contract.objects.create(
            number=MARKER_CONTRACT, policyholder=it_company, signed_on=dt.date(2025, 12, 18),
            starts_on=dt.date(2026, 1, 1), ends_on=dt.date(2026, 12, 31), **it_admin,
            policy_print_note=(
                "Полис действителен при предъявлении паспорта. Пропуск в клиники с пропускной системой "
                "заказывает регистратура клиники — назовите ФИО и номер полиса при записи. "
                "Прикрепить родственников можно через администратора договора."
            ),
        ),
        plant=Contract.objects.create(
            number="ДМС-0211/26", policyholder=plant, signed_on=dt.date(2025, 12, 24),
            starts_on=dt.date(2026, 1, 1), ends_on=dt.date(2026, 12, 31),
            admin_name="Гаврилова Светлана Юрьевна", admin_phone="+7 812 331-45-60 (доб. 112)",
            admin_email="hr.zavod@example.ru", admin_hours="пн–пт 8:30–17:00",
        ),
        family=Contract.objects.create(
            number="ДМС-Ф-0593/26", policyholder=person, signed_on=dt.date(2026, 3, 10),
            starts_on=dt.date(2026, 3, 15), ends_on=dt.date(2027, 3, 14),
            admin_name="Отдел по работе с частными клиентами", admin_phone="+7 495 660-03-03 (доб. 3)",
            admin_email="private@example.ru", admin_hours="пн–пт 9:00–20:00",
        ),
        it_previous=Contract.objects.create(
            number="ДМС-0097/25", policyholder=it_company, signed_on=dt.date(2024, 12, 19),
            starts_on=dt.date(2025, 1, 1), ends_on=dt.date(2025, 12, 31), **it_admin,
        ),
    )  # fmt: skip


def _create_program(rng: random.Random, contract: Contract, seed: ProgramSeed, clinics: dict[str, Clinic]) -> Program:
    program = Program.objects.create(
        contract=contract,
        code=seed.code,
        name=seed.name,
        description=seed.description,
        service_mode=seed.service_mode,
        price_category=seed.price_category,
        **seed.franchise,
    )
    ProgramCare.objects.bulk_create(
        ProgramCare(program=program, kind=kind, conditions=care_conditions(kind, seed.city)) for kind in seed.kinds
    )
    CopayRule.objects.bulk_create(
        CopayRule(program=program, service_category=category, percent=share)
        if isinstance(share, Decimal)
        else CopayRule(program=program, service_category=category, fixed_kopecks=share)
        for category, share in seed.copay.items()
    )
    ProgramLimit.objects.bulk_create(
        ProgramLimit(program=program, service_group=s.group, name=s.name, max_count=s.max_count, period=s.period)
        for s in seed.limits
    )
    ProgramClinic.objects.bulk_create(
        ProgramClinic(program=program, clinic=clinics[c.key], kind=kind, access_mode=_access_mode(rng, seed, c, kind))
        for c in _pick_clinics(rng, seed)
        for kind in c.kinds
        if kind in seed.kinds
    )
    return program


def _pick_clinics(rng: random.Random, seed: ProgramSeed) -> list[ClinicSeed]:
    """Clinics of the program's city and price category (or a cheaper one), so that every kind
    of care the program covers has at least one, then a random share of the rest."""
    candidates = [
        c
        for c in CLINICS
        if c.city == seed.city and c.category <= seed.price_category and set(c.kinds) & set(seed.kinds)
    ]
    by_key = {c.key: c for c in candidates}
    chosen = [by_key[key] for key in seed.registry_clinics]
    for kind in seed.kinds:
        if not any(kind in c.kinds for c in chosen):
            chosen.append(rng.choice([c for c in candidates if kind in c.kinds]))
    rest = [c for c in candidates if c not in chosen]
    rng.shuffle(rest)
    target = min(len(candidates), rng.randint(*seed.clinic_count))
    chosen.extend(rest[: max(0, target - len(chosen))])
    return [c for c in candidates if c in chosen]


def _access_mode(rng: random.Random, seed: ProgramSeed, clinic: ClinicSeed, kind: str) -> str:
    if clinic.key in seed.registry_clinics and kind in (OUT, DEN):
        return AccessMode.REGISTRY
    if kind == TEL:
        return AccessMode.ONLINE
    if clinic.online and kind in (OUT, DEN) and rng.random() < 0.5:
        return AccessMode.ONLINE
    return AccessMode.DESK
