"""Russian names that agree with each other: a wife's surname is the female form of her
husband's, a patronymic comes from the father's first name, children take their father's."""

import datetime as dt
import random
from dataclasses import dataclass

from polis.coverage.models import Sex

# A father's name and the patronymics it gives a son and a daughter.
PATRONYMICS: dict[str, tuple[str, str]] = {
    "Александр": ("Александрович", "Александровна"),
    "Алексей": ("Алексеевич", "Алексеевна"),
    "Анатолий": ("Анатольевич", "Анатольевна"),
    "Андрей": ("Андреевич", "Андреевна"),
    "Антон": ("Антонович", "Антоновна"),
    "Артём": ("Артёмович", "Артёмовна"),
    "Борис": ("Борисович", "Борисовна"),
    "Вадим": ("Вадимович", "Вадимовна"),
    "Валерий": ("Валерьевич", "Валерьевна"),
    "Василий": ("Васильевич", "Васильевна"),
    "Виктор": ("Викторович", "Викторовна"),
    "Владимир": ("Владимирович", "Владимировна"),
    "Вячеслав": ("Вячеславович", "Вячеславовна"),
    "Геннадий": ("Геннадьевич", "Геннадьевна"),
    "Григорий": ("Григорьевич", "Григорьевна"),
    "Денис": ("Денисович", "Денисовна"),
    "Дмитрий": ("Дмитриевич", "Дмитриевна"),
    "Евгений": ("Евгеньевич", "Евгеньевна"),
    "Егор": ("Егорович", "Егоровна"),
    "Иван": ("Иванович", "Ивановна"),
    "Игорь": ("Игоревич", "Игоревна"),
    "Илья": ("Ильич", "Ильинична"),
    "Кирилл": ("Кириллович", "Кирилловна"),
    "Константин": ("Константинович", "Константиновна"),
    "Леонид": ("Леонидович", "Леонидовна"),
    "Максим": ("Максимович", "Максимовна"),
    "Михаил": ("Михайлович", "Михайловна"),
    "Никита": ("Никитич", "Никитична"),
    "Николай": ("Николаевич", "Николаевна"),
    "Олег": ("Олегович", "Олеговна"),
    "Павел": ("Павлович", "Павловна"),
    "Пётр": ("Петрович", "Петровна"),
    "Роман": ("Романович", "Романовна"),
    "Сергей": ("Сергеевич", "Сергеевна"),
    "Станислав": ("Станиславович", "Станиславовна"),
    "Тимур": ("Тимурович", "Тимуровна"),
    "Фёдор": ("Фёдорович", "Фёдоровна"),
    "Юрий": ("Юрьевич", "Юрьевна"),
}
MALE_NAMES = tuple(PATRONYMICS)
FEMALE_NAMES = (
    "Алина", "Алёна", "Анастасия", "Анна", "Валентина", "Валерия", "Вера", "Виктория", "Галина",
    "Дарья", "Евгения", "Екатерина", "Елена", "Елизавета", "Жанна", "Ирина", "Карина", "Кристина",
    "Ксения", "Лариса", "Любовь", "Людмила", "Маргарита", "Марина", "Мария", "Надежда", "Наталья",
    "Оксана", "Ольга", "Полина", "Светлана", "Софья", "Татьяна", "Юлия", "Яна",
)  # fmt: skip
BOY_NAMES = ("Артём", "Михаил", "Матвей", "Лев", "Марк", "Тимофей", "Фёдор", "Иван", "Даниил", "Максим")
GIRL_NAMES = ("Алиса", "Ева", "Варвара", "Вероника", "Мария", "Софья", "Василиса", "Милана", "Полина", "Анна")
# Male forms; female ones are derived (an -ов/-ин surname takes -а, -ский becomes -ская,
# a Ukrainian -чук or Siberian -их stays as it is).
SURNAMES = (
    "Смирнов", "Кузнецов", "Попов", "Васильев", "Петров", "Соколов", "Михайлов", "Новиков",
    "Фёдоров", "Морозов", "Волков", "Алексеев", "Лебедев", "Семёнов", "Егоров", "Павлов", "Козлов",
    "Степанов", "Николаев", "Андреев", "Макаров", "Никитин", "Захаров", "Зайцев", "Соловьёв",
    "Борисов", "Яковлев", "Григорьев", "Романов", "Воробьёв", "Кудрявцев", "Фролов", "Дмитриев",
    "Королёв", "Гусев", "Киселёв", "Ильин", "Максимов", "Поляков", "Сорокин", "Виноградов",
    "Ковалёв", "Белов", "Медведев", "Антонов", "Тарасов", "Жуков", "Баранов", "Филиппов",
    "Комаров", "Давыдов", "Беляев", "Герасимов", "Богданов", "Осипов", "Сидоров", "Матвеев",
    "Титов", "Марков", "Миронов", "Крылов", "Куликов", "Карпов", "Власов", "Мельников", "Денисов",
    "Гаврилов", "Тихонов", "Казаков", "Афанасьев", "Данилов", "Савельев", "Тимофеев", "Фомин",
    "Чернов", "Мартынов", "Ефимов", "Щербаков", "Назаров", "Калинин", "Исаев", "Быков", "Маслов",
    "Родионов", "Коновалов", "Лазарев", "Воронин", "Климов", "Филатов", "Пономарёв", "Голубев",
    "Кузьмин", "Шестаков", "Вишневский", "Заболотский", "Шевчук", "Ковальчук", "Черных", "Седых",
)  # fmt: skip


def surname_for(male_form: str, sex: str) -> str:
    if sex == Sex.MALE:
        return male_form
    for ending, female_ending in (("ский", "ская"), ("цкий", "цкая"), ("ой", "ая"), ("ый", "ая")):
        if male_form.endswith(ending):
            return male_form[: -len(ending)] + female_ending
    if male_form.endswith(("ов", "ев", "ёв", "ин", "ын")):
        return male_form + "а"
    return male_form


def patronymic_for(father_name: str, sex: str) -> str:
    male, female = PATRONYMICS[father_name]
    return male if sex == Sex.MALE else female


@dataclass
class Person:
    surname: str  # the male form: the family's surname
    first_name: str
    father_name: str
    sex: str
    birth_date: dt.date

    @property
    def last_name(self) -> str:
        return surname_for(self.surname, self.sex)

    @property
    def patronymic(self) -> str:
        return patronymic_for(self.father_name, self.sex)

    @property
    def full_name(self) -> str:
        return f"{self.last_name} {self.first_name} {self.patronymic}"


def random_date(rng: random.Random, first: dt.date, last: dt.date) -> dt.date:
    return first + dt.timedelta(days=rng.randint(0, (last - first).days))


def random_person(
    rng: random.Random, *, sex: str, born_from: dt.date, born_to: dt.date, surname: str | None = None
) -> Person:
    return Person(
        surname=surname or rng.choice(SURNAMES),
        first_name=rng.choice(MALE_NAMES if sex == Sex.MALE else FEMALE_NAMES),
        father_name=rng.choice(MALE_NAMES),
        sex=sex,
        birth_date=random_date(rng, born_from, born_to),
    )


_TRANSLIT = dict(
    zip(
        "абвгдеёжзийклмнопрстуфхцчшщъыьэюя",
        "a b v g d e e zh z i y k l m n o p r s t u f kh ts ch sh shch _ y _ e yu ya".split(),  # noqa: SIM905
        strict=True,
    )
)


def latin(text: str) -> str:
    return "".join(_TRANSLIT.get(ch, ch) for ch in text.lower()).replace("_", "")


def email_for(person: Person, domain: str, taken: set[str]) -> str:
    """i.ivanova@domain, with a digit added when a namesake already has it."""
    local = f"{latin(person.first_name)[0]}.{latin(person.last_name)}"
    email, n = f"{local}@{domain}", 1
    while email in taken:
        n += 1
        email = f"{local}{n}@{domain}"
    taken.add(email)
    return email


MOSCOW_MOBILE_CODES = ("903", "905", "909", "915", "916", "917", "925", "926", "929", "965", "977", "985", "999")
SPB_MOBILE_CODES = ("904", "911", "921", "931", "950", "952", "981", "996")


def mobile_for(rng: random.Random, codes: tuple[str, ...], taken: set[str]) -> str:
    """A +79XXXXXXXXX number no one else in the demo has."""
    while True:
        phone = f"+7{rng.choice(codes)}{rng.randint(0, 9_999_999):07d}"
        if phone not in taken:
            taken.add(phone)
            return phone
