"""The demo programs: one per franchise style of the seeds (consent as at Alfa, a deposit as at
RESO, a bound card as at SOGAZ) and programs without a franchise, with their rules as rows."""

from dataclasses import dataclass, field
from decimal import Decimal

from polis.coverage.models import (
    DeadlineKind,
    FranchiseActivation,
    LimitPeriod,
    NonPaymentConsequence,
    ServiceCategory,
    ServiceMode,
)
from polis.demo.clinics import CHK, DEN, EMR, HOME, INP, MOSCOW, OUT, TEL

Copay = Decimal | int  # a percentage, or a fixed sum per visit in kopecks


@dataclass(frozen=True)
class LimitSeed:
    group: str
    name: str
    max_count: int
    period: str = LimitPeriod.POLICY_TERM


PSYCHOLOGIST = LimitSeed("psychologist", "Консультации психолога", 3, LimitPeriod.CONTRACT)
MASSAGE = LimitSeed("massage", "Сеансы лечебного массажа", 10)
HOME_VISITS = LimitSeed("home_visit", "Вызовы врача на дом", 5)


@dataclass(frozen=True)
class ProgramSeed:
    code: str
    name: str
    description: str
    city: str
    price_category: int
    kinds: tuple[str, ...]
    service_mode: str = ServiceMode.DESK
    franchise: dict[str, object] = field(default_factory=dict)
    copay: dict[str, Copay] = field(default_factory=dict)
    limits: tuple[LimitSeed, ...] = (PSYCHOLOGIST, MASSAGE, HOME_VISITS)
    clinic_count: tuple[int, int] = (12, 20)
    # Clinics people may be attached to in registry mode (outpatient and dental care there go
    # through the clinic's registry).
    registry_clinics: tuple[str, ...] = ()


def care_conditions(kind: str, city: str) -> str:
    ring = "МКАД" if city == MOSCOW else "КАД"
    conditions: dict[str, str] = {
        OUT: "Приёмы врачей-специалистов, анализы и инструментальная диагностика (УЗИ, рентген; КТ и МРТ — "
        "по медицинским показаниям), физиотерапия и лечебный массаж по назначению врача. "
        "Каждое новое обращение согласуется с медицинским пультом, кроме клиники прикрепления.",
        DEN: "Лечение кариеса и его осложнений, удаление зубов, снятие зубного камня один раз за срок "
        "полиса. Протезирование, имплантация и отбеливание в программу не входят.",
        EMR: f"Выезд бригады скорой помощи в пределах {ring} и 30 км за ним, экстренная госпитализация "
        "в клинику программы или ближайшую больницу ОМС с последующим переводом.",
        HOME: f"Вызов терапевта или педиатра на дом в пределах {ring}, если по состоянию здоровья вы не "
        "можете прийти в клинику. Вызов — через медицинский пульт до 14:00, визит в тот же день.",
        INP: "Экстренная и плановая госпитализация в палату на 2–3 места. Плановая — по направлению врача "
        "и гарантийному письму медицинского пульта.",
        TEL: "Круглосуточные онлайн-консультации терапевта и педиатра, плановые консультации узких "
        "специалистов и психолога (не более трёх за срок договора), заключение врача в личном кабинете.",
        CHK: "Комплексное обследование (чекап) один раз за срок полиса: приём терапевта, анализы крови и мочи, "
        "ЭКГ, УЗИ органов брюшной полости.",
    }
    return conditions[kind]


_PCT = Decimal
_ZERO_FOR_URGENT: dict[str, Copay] = {
    ServiceCategory.EMERGENCY: _PCT(0),
    ServiceCategory.INPATIENT: _PCT(0),
    ServiceCategory.TELEMEDICINE: _PCT(0),
}

IT_PROGRAMS = (
    ProgramSeed(
        code="OPT-F20",
        name="Оптимум с франшизой 20 %",
        description="Поликлиника, стоматология, помощь на дому, скорая помощь, стационар и телемедицина. "
        "Франшиза: 20 % стоимости приёмов и диагностики, 30 % стоматологии. Активируется согласием "
        "в личном кабинете и действует со следующего рабочего дня.",
        city=MOSCOW,
        price_category=2,
        kinds=(OUT, DEN, HOME, EMR, INP, TEL),
        franchise={
            "franchise_activation": FranchiseActivation.CONSENT,
            "activation_delay_working_days": 1,
            "payment_deadline_days": 30,
            "payment_deadline_kind": DeadlineKind.WORKING_DAYS,
            "non_payment_consequence": NonPaymentConsequence.EMERGENCY_ONLY,
        },
        copay={
            ServiceCategory.CONSULTATION: _PCT(20),
            ServiceCategory.DIAGNOSTICS: _PCT(20),
            ServiceCategory.PROCEDURES: _PCT(20),
            ServiceCategory.HOME_VISIT: _PCT(20),
            ServiceCategory.DENTAL: _PCT(30),
            **_ZERO_FOR_URGENT,
        },
        clinic_count=(15, 20),
        registry_clinics=("ksm-presnya", "sk-alekseevskaya"),
    ),
    ProgramSeed(
        code="PREM",
        name="Премиум",
        description="Расширенная программа без франшизы: поликлиника, стоматология, чекап, помощь на дому, "
        "скорая помощь, стационар и телемедицина в клиниках всех ценовых категорий.",
        city=MOSCOW,
        price_category=3,
        kinds=(OUT, DEN, HOME, EMR, INP, TEL, CHK),
        limits=(
            LimitSeed("psychologist", "Консультации психолога", 5, LimitPeriod.CONTRACT),
            LimitSeed("massage", "Сеансы лечебного массажа", 15),
            HOME_VISITS,
        ),
        clinic_count=(20, 25),
        registry_clinics=("ksm-presnya", "kutuzovskaya"),
    ),
)

PLANT_PROGRAMS = (
    ProgramSeed(
        code="BASE-AV",
        name="Базовая с гарантийным взносом",
        description="Поликлиника, стоматология, помощь на дому, скорая помощь, стационар и телемедицина. "
        "Доступ в клиники с франшизой открывается через 3 рабочих дня после неснижаемого авансового "
        "платежа 300 ₽ за застрахованного и за каждого родственника.",
        city="Санкт-Петербург",
        price_category=2,
        kinds=(OUT, DEN, HOME, EMR, INP, TEL),
        franchise={
            "franchise_activation": FranchiseActivation.DEPOSIT,
            "deposit_per_person_kopecks": 30_000,
            "deposit_minimum_kopecks": 30_000,
            "activation_delay_working_days": 3,
            "payment_deadline_days": 5,
            "payment_deadline_kind": DeadlineKind.WORKING_DAYS,
            "non_payment_consequence": NonPaymentConsequence.SUSPEND,
        },
        copay={
            ServiceCategory.CONSULTATION: _PCT(15),
            ServiceCategory.DIAGNOSTICS: _PCT(15),
            ServiceCategory.PROCEDURES: _PCT(15),
            ServiceCategory.DENTAL: _PCT(30),
            ServiceCategory.HOME_VISIT: 50_000,
            **_ZERO_FOR_URGENT,
        },
        clinic_count=(11, 14),
        registry_clinics=("sk-petrogradskaya", "mc-elektrosila"),
    ),
    ProgramSeed(
        code="KOMFORT",
        name="Комфорт",
        description="Программа без франшизы для руководителей: поликлиника, стоматология, чекап, помощь "
        "на дому, скорая помощь, стационар и телемедицина. Поликлиника — через регистратуру медицинского "
        "центра «Невский», остальные клиники — через медицинский пульт.",
        city="Санкт-Петербург",
        price_category=3,
        kinds=(OUT, DEN, HOME, EMR, INP, TEL, CHK),
        service_mode=ServiceMode.REGISTRY,
        clinic_count=(14, 17),
        registry_clinics=("mc-nevsky",),
    ),
)

FAMILY_PROGRAMS = (
    ProgramSeed(
        code="SEM-K30",
        name="Семейная с франшизой 30 %",
        description="Поликлиника, стоматология, помощь на дому, скорая помощь и телемедицина для всей семьи. "
        "Франшиза 30 % списывается с привязанной банковской карты; доступ в клиники — через 24 часа "
        "после привязки карты.",
        city=MOSCOW,
        price_category=1,
        kinds=(OUT, DEN, HOME, EMR, TEL),
        franchise={
            "franchise_activation": FranchiseActivation.CARD,
            "activation_delay_hours": 24,
            "payment_deadline_days": 90,
            "payment_deadline_kind": DeadlineKind.CALENDAR_DAYS,
            "non_payment_consequence": NonPaymentConsequence.SUSPEND,
        },
        copay={
            ServiceCategory.CONSULTATION: _PCT(30),
            ServiceCategory.DIAGNOSTICS: _PCT(30),
            ServiceCategory.PROCEDURES: _PCT(30),
            ServiceCategory.DENTAL: _PCT(30),
            ServiceCategory.HOME_VISIT: _PCT(30),
            ServiceCategory.EMERGENCY: _PCT(0),
            ServiceCategory.TELEMEDICINE: _PCT(0),
        },
        clinic_count=(10, 12),
    ),
)

# Last year's program of the IT company: the history behind one person's expired policy.
PREVIOUS_YEAR_PROGRAMS = (
    ProgramSeed(
        code="OPT-2025",
        name="Оптимум",
        description="Поликлиника, стоматология, скорая помощь и стационар без франшизы.",
        city=MOSCOW,
        price_category=2,
        kinds=(OUT, DEN, EMR, INP),
        limits=(PSYCHOLOGIST, MASSAGE),
        clinic_count=(10, 12),
    ),
)
