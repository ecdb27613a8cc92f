"""Price lists agreed with a handful of demo clinics: services of the Ministry of Health's
nomenclature (order 804н codes) at Moscow and St. Petersburg prices of 2026, in kopecks."""

import datetime as dt
import random
from dataclasses import dataclass

from polis.coverage.models import ServiceCategory as Cat
from polis.demo.clinics import CHILDREN_SEEN, CHK, CLINICS, DEN, HOME, MOSCOW, OUT, PRESNYA
from polis.network.models import Clinic, PriceListItem

PRICE_LIST_CLINICS = (PRESNYA, "liniya-tverskaya", "mc-gagarinsky", "belaya-liniya", "khodynka", "mc-mayakovskaya")
VALID_FROM = dt.date(2026, 1, 1)


@dataclass(frozen=True)
class Service:
    federal_code: str  # blank: a clinic's own service the nomenclature has no code for
    name: str
    category: str
    rubles: int  # a second-category Moscow clinic's price
    kind: str = OUT
    children: bool = False


SERVICES = (
    Service("B01.047.001", "Приём (осмотр, консультация) врача-терапевта первичный", Cat.CONSULTATION, 3200),
    Service("B01.047.002", "Приём (осмотр, консультация) врача-терапевта повторный", Cat.CONSULTATION, 2700),
    Service("B01.031.001", "Приём (осмотр, консультация) врача-педиатра первичный", Cat.CONSULTATION, 3300,
            children=True),
    Service("B01.031.002", "Приём (осмотр, консультация) врача-педиатра повторный", Cat.CONSULTATION, 2800,
            children=True),
    Service("B01.023.001", "Приём (осмотр, консультация) врача-невролога первичный", Cat.CONSULTATION, 3800),
    Service("B01.015.001", "Приём (осмотр, консультация) врача-кардиолога первичный", Cat.CONSULTATION, 4100),
    Service("B01.058.001", "Приём (осмотр, консультация) врача-эндокринолога первичный", Cat.CONSULTATION, 3900),
    Service("B01.001.001", "Приём (осмотр, консультация) врача-акушера-гинеколога первичный", Cat.CONSULTATION,
            3800),
    Service("B01.028.001", "Приём (осмотр, консультация) врача-оториноларинголога первичный", Cat.CONSULTATION,
            3500),
    Service("B01.029.001", "Приём (осмотр, консультация) врача-офтальмолога первичный", Cat.CONSULTATION, 3400),
    Service("B01.050.001", "Приём (осмотр, консультация) врача — травматолога-ортопеда первичный",
            Cat.CONSULTATION, 3600),
    Service("A05.10.006", "Регистрация электрокардиограммы", Cat.DIAGNOSTICS, 1200),
    Service("A05.10.004", "Расшифровка, описание и интерпретация электрокардиографических данных", Cat.DIAGNOSTICS,
            900),
    Service("A04.16.001", "Ультразвуковое исследование органов брюшной полости (комплексное)", Cat.DIAGNOSTICS,
            4200),
    Service("A04.14.001", "Ультразвуковое исследование печени", Cat.DIAGNOSTICS, 2100),
    Service("A04.22.001", "Ультразвуковое исследование щитовидной железы и паращитовидных желёз", Cat.DIAGNOSTICS,
            2500),
    Service("A04.10.002", "Эхокардиография", Cat.DIAGNOSTICS, 4700),
    Service("A06.09.007", "Рентгенография лёгких", Cat.DIAGNOSTICS, 2300),
    Service("A06.09.006", "Флюорография лёгких", Cat.DIAGNOSTICS, 950),
    Service("A05.23.009", "Магнитно-резонансная томография головного мозга", Cat.DIAGNOSTICS, 7900),
    Service("A11.12.009", "Взятие крови из периферической вены", Cat.DIAGNOSTICS, 350),
    Service("B03.016.003", "Общий (клинический) анализ крови развёрнутый", Cat.DIAGNOSTICS, 780),
    Service("B03.016.004", "Анализ крови биохимический общетерапевтический", Cat.DIAGNOSTICS, 2900),
    Service("B03.016.006", "Общий (клинический) анализ мочи", Cat.DIAGNOSTICS, 460),
    Service("A09.05.065", "Исследование уровня тиреотропного гормона (ТТГ) в крови", Cat.DIAGNOSTICS, 720),
    Service("A21.03.002", "Массаж при заболеваниях позвоночника", Cat.PROCEDURES, 2600),
    Service("A11.02.002", "Внутримышечное введение лекарственных препаратов", Cat.PROCEDURES, 550),
    Service("A11.12.003", "Внутривенное введение лекарственных препаратов", Cat.PROCEDURES, 950),
    Service("", "Вызов врача-терапевта на дом в пределах МКАД", Cat.HOME_VISIT, 7500, kind=HOME),
    Service("", "Вызов врача-педиатра на дом в пределах МКАД", Cat.HOME_VISIT, 7900, kind=HOME, children=True),
    Service("", "Комплексная программа обследования «Чекап базовый»", Cat.DIAGNOSTICS, 18500, kind=CHK),
    Service("B01.065.001", "Приём (осмотр, консультация) врача-стоматолога-терапевта первичный", Cat.DENTAL, 2000,
            kind=DEN),
    Service("B01.067.001", "Приём (осмотр, консультация) врача-стоматолога-хирурга первичный", Cat.DENTAL, 2000,
            kind=DEN),
    Service("B01.003.004.005", "Инфильтрационная анестезия", Cat.DENTAL, 1100, kind=DEN),
    Service("B01.003.004.002", "Проводниковая анестезия", Cat.DENTAL, 1300, kind=DEN),
    Service("A06.07.003", "Прицельная внутриротовая контактная рентгенография", Cat.DENTAL, 800, kind=DEN),
    Service("A06.07.004", "Ортопантомография", Cat.DENTAL, 2200, kind=DEN),
    Service("A16.07.002", "Восстановление зуба пломбой из светоотверждаемого композита", Cat.DENTAL, 7400,
            kind=DEN),
    Service("A16.07.030.001", "Инструментальная и медикаментозная обработка хорошо проходимого корневого канала",
            Cat.DENTAL, 3500, kind=DEN),
    Service("A16.07.008.002", "Пломбирование корневого канала зуба гуттаперчивыми штифтами", Cat.DENTAL, 3900,
            kind=DEN),
    Service("A16.07.001.002", "Удаление постоянного зуба", Cat.DENTAL, 4800, kind=DEN),
    Service("A16.07.001.003", "Удаление зуба сложное с разъединением корней", Cat.DENTAL, 8600, kind=DEN),
    Service("A22.07.002", "Ультразвуковое удаление наддесневых и поддесневых зубных отложений в области зуба",
            Cat.DENTAL, 350, kind=DEN),
    Service("A16.07.051", "Профессиональная гигиена полости рта и зубов", Cat.DENTAL, 6900, kind=DEN),
)  # fmt: skip

# A clinic's prices against a second-category Moscow clinic's, in per cent.
CATEGORY_PERCENT = {1: 85, 2: 100, 3: 130}
SPB_PERCENT = 90
MIN_ITEMS, MAX_ITEMS = 10, 30
SECTIONS: dict[str, int] = {OUT: 1, HOME: 2, CHK: 3, DEN: 5}


def create_price_lists(rng: random.Random, clinics: dict[str, Clinic]) -> int:
    items = []
    for seed in CLINICS:
        if seed.key not in PRICE_LIST_CLINICS:
            continue
        eligible = [s for s in SERVICES if s.kind in seed.kinds and (not s.children or seed.key in CHILDREN_SEEN)]
        count = min(MAX_ITEMS, max(MIN_ITEMS, len(eligible) * 4 // 5), len(eligible))
        offered = [eligible[i] for i in sorted(rng.sample(range(len(eligible)), count))]
        percent = CATEGORY_PERCENT[seed.category] * (100 if seed.city == MOSCOW else SPB_PERCENT) // 100
        numbers: dict[int, int] = {}
        for service in offered:
            # The clinic's own codes: a section of its price list, then the line in it.
            section = SECTIONS[service.kind]
            numbers[section] = numbers.get(section, 0) + 1
            items.append(
                PriceListItem(
                    clinic=clinics[seed.key],
                    code=f"{section}{numbers[section]:03d}",
                    federal_code=service.federal_code,
                    name=service.name,
                    service_category=service.category,
                    price_kopecks=_price_kopecks(service.rubles, percent),
                    valid_from=VALID_FROM,
                )
            )
    PriceListItem.objects.bulk_create(items)
    return len(items)


def _price_kopecks(rubles: int, percent: int) -> int:
    """The base price times the clinic's per cent, rounded half up to 10 rubles as price lists show."""
    tens = (rubles * percent + 500) // 1000
    return tens * 10 * 100
