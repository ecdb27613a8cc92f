"""The demo doctors: a specialty the clinic's kinds of care call for (dentists only where it treats
teeth, pediatricians where children are seen), names that agree with sex, years in practice and an
education and category that fit them."""

import datetime as dt
import random
from dataclasses import dataclass

from polis.coverage.models import Sex
from polis.demo.clinics import CHILDREN_SEEN, CHK, CLINICS, DEN, MOSCOW, OUT, SPB, TEL, ClinicSeed
from polis.demo.people import random_person
from polis.network.models import Clinic, Doctor, KindOfCare, Specialty

# The demo's calendar year: experience and graduation years do not move with the load date.
DEMO_YEAR = 2026

# A telemedicine service's doctors consult online: a visit to them counts as telemedicine, which
# the seeded specialties (a clinic's) do not cover. The demo adds these two if they are missing.
TELEMEDICINE_SPECIALTIES = (
    ("tele-therapist", "Терапевт (онлайн-консультация)"),
    ("tele-pediatrician", "Педиатр (онлайн-консультация)"),
)

# Who a clinic needs first for each kind of care it gives, and who else may receive there.
FIRST_FOR_KIND = {OUT: "therapist", DEN: "dentist-therapist", CHK: "checkup-doctor", TEL: "tele-therapist"}
OTHERS_FOR_KIND = {
    OUT: (
        "neurologist", "cardiologist", "endocrinologist", "gynecologist", "ent", "ophthalmologist", "orthopedist",
        "gastroenterologist", "urologist", "dermatologist", "surgeon", "allergist", "psychologist", "gp",
    ),
    DEN: ("dentist-surgeon", "dental-hygienist"),
}  # fmt: skip

# The share of women among the demo's doctors of a specialty (the rest: men).
WOMEN_SHARE = {
    "pediatrician": 0.85, "tele-pediatrician": 0.85, "gynecologist": 0.85, "dental-hygienist": 0.95,
    "psychologist": 0.8, "endocrinologist": 0.75, "urologist": 0.1, "surgeon": 0.25, "orthopedist": 0.2,
    "dentist-surgeon": 0.3,
}  # fmt: skip

# The specialty of the residency (ординатура) behind each doctor's specialty.
RESIDENCY = {
    "therapist": "Терапия", "gp": "Общая врачебная практика (семейная медицина)", "pediatrician": "Педиатрия",
    "neurologist": "Неврология", "cardiologist": "Кардиология", "endocrinologist": "Эндокринология",
    "urologist": "Урология", "gynecologist": "Акушерство и гинекология", "ent": "Оториноларингология",
    "allergist": "Аллергология и иммунология", "gastroenterologist": "Гастроэнтерология",
    "dermatologist": "Дерматовенерология", "orthopedist": "Травматология и ортопедия",
    "ophthalmologist": "Офтальмология", "surgeon": "Хирургия", "dentist-therapist": "Стоматология терапевтическая",
    "dentist-surgeon": "Стоматология хирургическая", "checkup-doctor": "Терапия", "tele-therapist": "Терапия",
    "tele-pediatrician": "Педиатрия",
}  # fmt: skip

# Where doctors of a city studied, by faculty: not every university has a pediatric or a dental one.
SECHENOV, PIROGOV, MGMSU = "Первый МГМУ им. И. М. Сеченова", "РНИМУ им. Н. И. Пирогова", "МГМСУ им. А. И. Евдокимова"
PAVLOV, MECHNIKOV = "ПСПбГМУ им. И. П. Павлова", "СЗГМУ им. И. И. Мечникова"
UNIVERSITIES = {
    (MOSCOW, "general"): (SECHENOV, SECHENOV, PIROGOV, PIROGOV, MGMSU, "РУДН"),
    (MOSCOW, "pediatric"): (PIROGOV, PIROGOV, SECHENOV),
    (MOSCOW, "dental"): (MGMSU, MGMSU, SECHENOV, "РУДН"),
    (SPB, "general"): (PAVLOV, PAVLOV, MECHNIKOV, MECHNIKOV, "Военно-медицинская академия им. С. М. Кирова"),
    (SPB, "pediatric"): ("СПбГПМУ", "СПбГПМУ", PAVLOV),
    (SPB, "dental"): (PAVLOV, PAVLOV, MECHNIKOV),
}
REGIONAL_UNIVERSITIES = (
    "Казанский ГМУ", "Ярославский ГМУ", "Смоленский ГМУ", "Рязанский ГМУ им. И. П. Павлова",
    "Саратовский ГМУ им. В. И. Разумовского", "Тверской ГМУ", "Курский ГМУ", "Кировский ГМУ",
)  # fmt: skip


@dataclass(frozen=True)
class DoctorCount:
    online: tuple[int, int] = (3, 6)
    elsewhere: tuple[int, int] = (1, 3)
    most: int = 8


COUNT = DoctorCount()


def ensure_telemedicine_specialties() -> None:
    for code, name in TELEMEDICINE_SPECIALTIES:
        Specialty.objects.get_or_create(code=code, defaults={"name": name, "kind": KindOfCare.TELEMEDICINE})


def specialties_for(rng: random.Random, seed: ClinicSeed) -> list[str]:
    """Specialty codes for the clinic's doctors: one for each kind of care it gives first, then
    others at random. An empty list for a clinic no specialty fits (an ambulance, home visits)."""
    kinds = [k for k in (OUT, DEN, CHK, TEL) if k in seed.kinds]
    if not kinds:
        return []
    first = [FIRST_FOR_KIND[k] for k in kinds]
    if seed.key in CHILDREN_SEEN:
        first.insert(1, "tele-pediatrician" if kinds == [TEL] else "pediatrician")
    others = [code for k in kinds for code in OTHERS_FOR_KIND.get(k, ())]
    rng.shuffle(others)
    low, high = COUNT.online if seed.online else COUNT.elsewhere
    count = rng.randint(low, high)
    if seed.online:
        # A clinic booked online for several kinds of care needs a doctor for each and more.
        count = min(max(count + len(kinds) - 1, len(first)), COUNT.most)
    if kinds == [DEN]:
        # A dental clinic has a second therapist-dentist before a hygienist.
        others.insert(0, "dentist-therapist")
    # Where the specialties run out (a telemedicine service), more doctors of the first ones.
    return (first + others + first * count)[:count]


def create_doctors(rng: random.Random, clinics: dict[str, Clinic]) -> list[Doctor]:
    ensure_telemedicine_specialties()
    specialties = {s.code: s for s in Specialty.objects.all()}
    taken: set[str] = set()
    doctors = []
    for seed in CLINICS:
        clinic = clinics[seed.key]
        for n, code in enumerate(specialties_for(rng, seed), start=1):
            doctors.append(_doctor(rng, clinic, seed, specialties[code], n, taken))
    Doctor.objects.bulk_create(doctors)
    return doctors


def _doctor(
    rng: random.Random, clinic: Clinic, seed: ClinicSeed, specialty: Specialty, n: int, taken: set[str]
) -> Doctor:
    sex = Sex.FEMALE if rng.random() < WOMEN_SHARE.get(specialty.code, 0.6) else Sex.MALE
    while True:
        person = random_person(rng, sex=sex, born_from=dt.date(1960, 1, 1), born_to=dt.date(1996, 12, 31))
        if person.full_name not in taken:
            taken.add(person.full_name)
            break
    year = person.birth_date.year
    hygienist = specialty.code == "dental-hygienist"
    graduated = year + (20 if hygienist else rng.choice((23, 23, 24)))
    since = min(graduated + (0 if specialty.code in ("psychologist", "dental-hygienist") else 2), DEMO_YEAR - 2)
    return Doctor(
        clinic=clinic,
        specialty=specialty,
        external_id=f"{clinic.code}-{n:02d}",
        last_name=person.last_name,
        first_name=person.first_name,
        patronymic=person.patronymic,
        practising_since=since,
        education=_education(rng, seed, specialty.code, graduated),
        qualification=_qualification(rng, specialty.code, DEMO_YEAR - since),
    )


def _faculty(code: str) -> str:
    if code.startswith("dentist"):
        return "dental"
    return "pediatric" if code.endswith("pediatrician") else "general"


def _university(rng: random.Random, seed: ClinicSeed, code: str) -> str:
    if rng.random() < 0.25:
        return rng.choice(REGIONAL_UNIVERSITIES)
    return rng.choice(UNIVERSITIES[(seed.city, _faculty(code))])


def _education(rng: random.Random, seed: ClinicSeed, code: str, graduated: int) -> str:
    if code == "dental-hygienist":
        college = (
            "Медицинский колледж № 2, Москва" if seed.city == MOSCOW else "Медицинский колледж № 1, Санкт-Петербург"
        )
        return f"{college}, «Стоматология профилактическая» ({graduated})."
    if code == "psychologist":
        university = "МГУ им. М. В. Ломоносова" if seed.city == MOSCOW else "СПбГУ"
        return f"{university}, факультет психологии, «Клиническая психология» ({graduated})."
    university = _university(rng, seed, code)
    degree = {"dental": "Стоматология", "pediatric": "Педиатрия", "general": "Лечебное дело"}[_faculty(code)]
    residency_at = university if rng.random() < 0.6 else _university(rng, seed, code)
    text = (
        f"{university}, «{degree}» ({graduated}). "
        f"Ординатура по специальности «{RESIDENCY[code]}», {residency_at} ({graduated + 2})."
    )
    if code == "checkup-doctor":
        text += f" Профессиональная переподготовка «Функциональная диагностика» ({graduated + rng.randint(5, 9)})."
    return text


def _qualification(rng: random.Random, code: str, experience: int) -> str:
    if code == "psychologist" or experience < 5:
        return ""
    if code == "dental-hygienist":
        return rng.choice(("", "высшая категория"))
    if experience < 10:
        return rng.choice(("", "вторая категория", "первая категория"))
    if experience < 25:
        return rng.choice(("первая категория", "высшая категория", "высшая категория", "к. м. н."))
    return rng.choice(("высшая категория", "высшая категория, к. м. н.", "к. м. н.", "д. м. н., высшая категория"))
