"""The demo clinic network: invented clinics at real streets, with the metro station nearby and
coordinates that fall on that street (to six decimals, as the map will want them).
Every clinic has the insurer's network code (MSK-001, SPB-001, …) imports match it by."""

from dataclasses import dataclass
from functools import partial

from polis.network.models import KindOfCare

MOSCOW = "Москва"
SPB = "Санкт-Петербург"

OUT = KindOfCare.OUTPATIENT
DEN = KindOfCare.DENTAL
EMR = KindOfCare.EMERGENCY
HOME = KindOfCare.HOME_CARE
INP = KindOfCare.INPATIENT
TEL = KindOfCare.TELEMEDICINE
CHK = KindOfCare.CHECKUP

WEEKDAYS_LONG = "пн–пт 8:00–21:00, сб–вс 9:00–18:00"
EVERY_DAY = "ежедневно 8:00–22:00"
SIX_DAYS = "пн–сб 9:00–21:00, вс 10:00–17:00"
DENTAL_HOURS = "ежедневно 9:00–21:00"
ROUND_THE_CLOCK = "круглосуточно"


@dataclass(frozen=True)
class ClinicSeed:
    key: str  # also the demo website's name
    name: str
    legal_name: str
    city: str
    address: str
    metro: str
    lat: str
    lon: str
    kinds: tuple[str, ...]
    category: int
    hours: str
    franchise: bool = False
    online: bool = False
    access_control: bool = False


def _clinic(
    city: str,
    key: str,
    name: str,
    legal_name: str,
    address: str,
    metro: str,
    lat: str,
    lon: str,
    kinds: tuple[str, ...],
    category: int,
    hours: str,
    **flags: bool,
) -> ClinicSeed:
    return ClinicSeed(key, name, legal_name, city, address, metro, lat, lon, kinds, category, hours, **flags)


_m = partial(_clinic, MOSCOW)
_s = partial(_clinic, SPB)

# The clinic whose clerk is the demo's clinic user: registry-mode patients are attached here.
PRESNYA = "ksm-presnya"

CLINICS: tuple[ClinicSeed, ...] = (
    # Москва
    _m(PRESNYA, "Клиника семейной медицины на Красной Пресне", "ООО «КСМ Пресня»",
       "г. Москва, ул. Красная Пресня, д. 16", "Краснопресненская", "55.761700", "37.575900",
       (OUT, DEN, HOME, CHK), 2, WEEKDAYS_LONG, franchise=True, online=True, access_control=True),
    _m("liniya-tverskaya", "Многопрофильная клиника «Линия жизни» на Тверской", "ООО «Линия жизни»",
       "г. Москва, ул. Тверская, д. 20, стр. 1", "Пушкинская", "55.767100", "37.602500",
       (OUT, DEN, CHK), 3, EVERY_DAY, online=True),
    _m("sk-alekseevskaya", "Семейная клиника «Алексеевская»", "ООО «Семейная клиника»",
       "г. Москва, проспект Мира, д. 105, стр. 1", "Алексеевская", "55.806300", "37.638200",
       (OUT, HOME), 1, SIX_DAYS),
    _m("mc-gagarinsky", "Медицинский центр «Гагаринский»", "ООО «МЦ Гагаринский»",
       "г. Москва, Ленинский проспект, д. 37", "Ленинский проспект", "55.708200", "37.587600",
       (OUT, DEN), 2, WEEKDAYS_LONG, online=True),
    _m("kutuzovskaya", "Клиника «Кутузовская»", "АО «Клиника Кутузовская»",
       "г. Москва, Кутузовский проспект, д. 30", "Кутузовская", "55.742600", "37.535300",
       (OUT, HOME, CHK), 3, EVERY_DAY, franchise=True, access_control=True),
    _m("belaya-liniya", "Стоматология «Белая линия» на Профсоюзной", "ООО «Белая линия»",
       "г. Москва, ул. Профсоюзная, д. 66", "Новые Черёмушки", "55.671200", "37.553000",
       (DEN,), 1, DENTAL_HOURS, online=True),
    _m("yakimanka", "Клиника «Якиманка»", "ООО «Клиника на Якиманке»",
       "г. Москва, ул. Большая Якиманка, д. 22, корп. 3", "Полянка", "55.734800", "37.612600",
       (OUT, DEN, CHK), 3, WEEKDAYS_LONG),
    _m("novoslobodsky", "Медицинский центр «Новослободский»", "ООО «Новослободский медицинский центр»",
       "г. Москва, ул. Новослободская, д. 14/19, стр. 1", "Новослободская", "55.779300", "37.600600",
       (OUT,), 1, SIX_DAYS, franchise=True),
    _m("taganka", "Поликлиника для взрослых и детей «Таганка»", "ООО «Поликлиника Таганка»",
       "г. Москва, ул. Земляной Вал, д. 50А, стр. 2", "Таганская", "55.745300", "37.655800",
       (OUT, HOME), 2, WEEKDAYS_LONG),
    _m("ostozhenka-dent", "Стоматологическая клиника «Остоженка Дент»", "ООО «Остоженка Дент»",
       "г. Москва, ул. Остоженка, д. 25", "Парк культуры", "55.739000", "37.598400",
       (DEN,), 3, DENTAL_HOURS),
    _m("bolnitsa-nagatino", "Многопрофильная больница «Нагатино»", "ООО «Больница Нагатино»",
       "г. Москва, Варшавское шоссе, д. 47", "Нагатинская", "55.683900", "37.624100",
       (INP, OUT, EMR), 2, ROUND_THE_CLOCK, access_control=True),
    _m("gospital-aeroport", "Клинический госпиталь «Аэропорт»", "АО «Клинический госпиталь Аэропорт»",
       "г. Москва, Ленинградский проспект, д. 47, стр. 3", "Аэропорт", "55.800500", "37.533800",
       (INP, OUT, CHK), 3, ROUND_THE_CLOCK, access_control=True),
    _m("maroseyka", "Клиника «Маросейка»", "ООО «Маросейка Медикал»",
       "г. Москва, ул. Маросейка, д. 9/2, стр. 8", "Китай-город", "55.757400", "37.634800",
       (OUT, CHK), 3, WEEKDAYS_LONG, online=True),
    _m("izmaylovo", "Медицинский центр «Измайлово»", "ООО «МЦ Измайлово»",
       "г. Москва, Первомайская ул., д. 42", "Первомайская", "55.794600", "37.789500",
       (OUT, DEN, HOME), 1, SIX_DAYS),
    _m("tekstilshchiki", "Поликлиника «Текстильщики»", "ООО «Поликлиника Текстильщики»",
       "г. Москва, Волгоградский проспект, д. 42, корп. 5", "Текстильщики", "55.708500", "37.728000",
       (OUT,), 1, SIX_DAYS, franchise=True),
    _m("ostankino", "Клиника «Останкино»", "ООО «Клиника Останкино»",
       "г. Москва, ул. Академика Королёва, д. 13, стр. 1", "ВДНХ", "55.820400", "37.627800",
       (OUT, DEN), 2, WEEKDAYS_LONG),
    _m("khodynka", "Медицинский центр «Ходынка»", "ООО «МЦ Ходынка»",
       "г. Москва, Ходынский бульвар, д. 4", "ЦСКА", "55.790600", "37.531000",
       (OUT, CHK), 2, EVERY_DAY, online=True, access_control=True),
    _m("moskva-siti", "Клиника «Москва-Сити»", "ООО «Сити Клиник»",
       "г. Москва, Пресненская набережная, д. 12", "Выставочная", "55.749600", "37.538800",
       (OUT, DEN, CHK), 3, WEEKDAYS_LONG, online=True, access_control=True),
    _m("dent-arbat", "Стоматология «Дент-Арбат»", "ООО «Дент-Арбат»",
       "г. Москва, ул. Новый Арбат, д. 21, стр. 1", "Смоленская", "55.752300", "37.587200",
       (DEN,), 2, DENTAL_HOURS, franchise=True),
    _m("savyolovskaya", "Клиника «Савёловская»", "ООО «Клиника Савёловская»",
       "г. Москва, Бутырская ул., д. 46/2", "Савёловская", "55.799600", "37.585900",
       (OUT, HOME), 1, SIX_DAYS),
    _m("kolomenskoe", "Медицинский центр «Коломенское»", "ООО «МЦ Коломенское»",
       "г. Москва, проспект Андропова, д. 36", "Коломенская", "55.678400", "37.664900",
       (OUT, DEN), 1, WEEKDAYS_LONG, franchise=True, online=True),
    _m("myasnitskaya", "Клиника «Мясницкая»", "ООО «Клиника на Мясницкой»",
       "г. Москва, ул. Мясницкая, д. 32, стр. 1", "Чистые пруды", "55.764300", "37.640100",
       (OUT, CHK), 2, WEEKDAYS_LONG),
    _m("bolnitsa-baumanskaya", "Частная больница «Бауманская»", "ООО «Частная больница Бауманская»",
       "г. Москва, Бакунинская ул., д. 71, стр. 10", "Бауманская", "55.774000", "37.684500",
       (INP, OUT), 2, ROUND_THE_CLOCK),
    _m("medexpress", "Служба скорой медицинской помощи «Медэкспресс»", "ООО «Медэкспресс»",
       "г. Москва, Щербаковская ул., д. 3", "Семёновская", "55.782800", "37.721600",
       (EMR, HOME), 1, ROUND_THE_CLOCK),
    _m("doktor-ryadom", "Служба врачей на дом «Доктор рядом»", "ООО «Доктор рядом»",
       "г. Москва, Осенний бульвар, д. 12, корп. 1", "Крылатское", "55.759400", "37.408800",
       (HOME,), 1, "ежедневно 8:00–23:00"),
    _m("doktor-online", "Телемедицинский сервис «Доктор онлайн»", "ООО «Доктор онлайн»",
       "г. Москва, Люблинская ул., д. 169, корп. 2", "Марьино", "55.648900", "37.745700",
       (TEL,), 1, ROUND_THE_CLOCK, online=True),
    _m("yasenevo", "Медицинский центр «Ясенево»", "ООО «МЦ Ясенево»",
       "г. Москва, Новоясеневский проспект, д. 22, корп. 1", "Ясенево", "55.605400", "37.534700",
       (OUT, DEN, HOME), 1, SIX_DAYS),
    _m("shchukinskaya", "Клиника «Щукинская»", "ООО «Клиника Щукинская»",
       "г. Москва, ул. Щукинская, д. 2", "Щукинская", "55.808700", "37.467000",
       (OUT,), 2, WEEKDAYS_LONG, online=True),
    # Санкт-Петербург
    _s("mc-mayakovskaya", "Медицинский центр «Маяковская»", "ООО «МЦ Маяковская»",
       "г. Санкт-Петербург, Невский проспект, д. 82", "Маяковская", "59.932100", "30.349500",
       (OUT, DEN, CHK), 2, WEEKDAYS_LONG, online=True),
    _s("mc-nevsky", "Медицинский центр «Невский»", "АО «Медицинский центр Невский»",
       "г. Санкт-Петербург, Невский проспект, д. 22–24", "Невский проспект", "59.935800", "30.324700",
       (OUT, CHK), 3, EVERY_DAY, access_control=True),
    _s("sk-petrogradskaya", "Семейная клиника «Петроградская»", "ООО «Петроградская клиника»",
       "г. Санкт-Петербург, Каменноостровский проспект, д. 42", "Петроградская", "59.966800", "30.311400",
       (OUT, DEN, HOME), 2, WEEKDAYS_LONG, franchise=True, online=True),
    _s("mc-elektrosila", "Медицинский центр «Электросила»", "ООО «МЦ Электросила»",
       "г. Санкт-Петербург, Московский проспект, д. 137", "Электросила", "59.880600", "30.318300",
       (OUT, HOME), 1, SIX_DAYS, franchise=True),
    _s("liteyny", "Клиника «Литейный»", "ООО «Клиника Литейный»",
       "г. Санкт-Петербург, Литейный проспект, д. 56", "Маяковская", "59.935700", "30.348100",
       (OUT, CHK), 3, WEEKDAYS_LONG),
    _s("dent-marata", "Стоматологическая клиника «Дент-Марата»", "ООО «Дент-Марата»",
       "г. Санкт-Петербург, ул. Марата, д. 6", "Маяковская", "59.930200", "30.353700",
       (DEN,), 2, DENTAL_HOURS, franchise=True),
    _s("vasilyevsky", "Клиника «Васильевский остров»", "ООО «Клиника Васильевский»",
       "г. Санкт-Петербург, 7-я линия В.О., д. 38", "Василеостровская", "59.942900", "30.278900",
       (OUT, DEN), 1, SIX_DAYS),
    _s("ploshchad-vosstaniya", "Медицинский центр «Площадь Восстания»", "ООО «МЦ Восстания»",
       "г. Санкт-Петербург, Лиговский проспект, д. 30А", "Площадь Восстания", "59.927200", "30.360300",
       (OUT,), 2, EVERY_DAY, online=True),
    _s("komendantsky", "Клиника «Комендантский»", "ООО «Клиника Комендантский»",
       "г. Санкт-Петербург, Комендантский проспект, д. 17, корп. 1", "Комендантский проспект",
       "60.011200", "30.259800", (OUT, DEN, HOME), 1, SIX_DAYS, franchise=True),
    _s("ladozhskaya", "Поликлиника «Ладожская»", "ООО «Поликлиника Ладожская»",
       "г. Санкт-Петербург, Заневский проспект, д. 65, корп. 1", "Ладожская", "59.932000", "30.437500",
       (OUT, HOME), 1, SIX_DAYS),
    _s("bolnitsa-avtovo", "Многопрофильная больница «Автово»", "ООО «Больница Автово»",
       "г. Санкт-Петербург, проспект Стачек, д. 99", "Автово", "59.862800", "30.258100",
       (INP, OUT, EMR), 2, ROUND_THE_CLOCK, access_control=True),
    _s("mc-kupchino", "Медицинский центр «Купчино»", "ООО «МЦ Купчино»",
       "г. Санкт-Петербург, ул. Ярослава Гашека, д. 6", "Купчино", "59.829300", "30.379300",
       (OUT, DEN), 1, SIX_DAYS, franchise=True),
    _s("pionerskaya", "Клиника «Пионерская»", "ООО «Клиника Пионерская»",
       "г. Санкт-Петербург, Коломяжский проспект, д. 17, корп. 2", "Пионерская", "60.003100", "30.300200",
       (OUT, CHK), 2, WEEKDAYS_LONG, online=True),
    _s("akademicheskaya", "Клиника «Академическая»", "ООО «Клиника Академическая»",
       "г. Санкт-Петербург, Гражданский проспект, д. 41", "Академическая", "60.013400", "30.397300",
       (OUT, DEN), 1, SIX_DAYS),
    _s("park-pobedy", "Медицинский центр «Парк Победы»", "ООО «МЦ Парк Победы»",
       "г. Санкт-Петербург, Бассейная ул., д. 21", "Парк Победы", "59.868700", "30.327700",
       (OUT, HOME), 2, WEEKDAYS_LONG),
    _s("nevskaya-neotlozhka", "Служба скорой помощи «Невская неотложка»", "ООО «Невская неотложка»",
       "г. Санкт-Петербург, Большой Сампсониевский проспект, д. 45", "Выборгская", "59.973100", "30.344000",
       (EMR, HOME), 1, ROUND_THE_CLOCK),
    _s("doktor-online-spb", "Телемедицинский сервис «Доктор онлайн — Петербург»", "ООО «Доктор онлайн СПб»",
       "г. Санкт-Петербург, ул. Профессора Попова, д. 23", "Петроградская", "59.971300", "30.304900",
       (TEL,), 1, ROUND_THE_CLOCK, online=True),
)  # fmt: skip


CITY_CODES = {MOSCOW: "MSK", SPB: "SPB"}


def _codes() -> dict[str, str]:
    numbers: dict[str, int] = {}
    codes = {}
    for seed in CLINICS:
        numbers[seed.city] = numbers.get(seed.city, 0) + 1
        codes[seed.key] = f"{CITY_CODES[seed.city]}-{numbers[seed.city]:03d}"
    return codes


# Network codes by clinic key: the order of CLINICS within a city, so they never change.
CLINIC_CODES: dict[str, str] = _codes()

# Clinics that see children too: a pediatrician works there.
CHILDREN_SEEN = frozenset(
    {
        PRESNYA, "sk-alekseevskaya", "mc-gagarinsky", "taganka", "izmaylovo", "kolomenskoe", "savyolovskaya",
        "yasenevo", "doktor-online", "sk-petrogradskaya", "mc-elektrosila", "komendantsky", "ladozhskaya",
        "mc-kupchino", "park-pobedy", "doktor-online-spb",
    }
)  # fmt: skip
