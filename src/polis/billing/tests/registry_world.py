"""A clinic, a franchise program and people to bill: the world registry tests run in, and a
CSV/XLSX builder for registry files."""

import csv
import datetime as dt
import io
from dataclasses import dataclass
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile

from polis.billing.models import FranchiseActivation
from polis.coverage.models import CopayRule, DeadlineKind, KindOfCare, Policy, Program, Relation
from polis.network.models import Clinic, PriceListItem
from polis.testing import factories as f

MSK = dt.timezone(dt.timedelta(hours=3))
PERIOD = dt.date(2026, 10, 1)
HEADER_RU = [
    "№ п/п", "ФИО", "Дата рождения", "Номер полиса", "Дата услуги", "Код услуги", "Наименование услуги",
    "Количество", "Цена", "Сумма", "Гарантийное письмо", "Врач", "МКБ-10", "Зуб",
]  # fmt: skip
HEADER_EN = [
    "line", "name", "birth date", "policy", "service date", "code", "service", "qty", "price", "sum", "letter",
    "doctor", "icd10", "tooth",
]  # fmt: skip


@dataclass
class World:
    clinic: Clinic
    program: Program
    alice: Policy
    son: Policy
    inactive: Policy  # same program, franchise never activated


def build_world(alice_policy: Policy) -> World:
    program = alice_policy.program
    program.franchise_activation = "consent"
    program.payment_deadline_days = 30
    program.payment_deadline_kind = DeadlineKind.WORKING_DAYS
    program.non_payment_consequence = "suspend"
    program.save()
    clinic = f.ClinicFactory(name="Клиника «Здоровье»", is_franchise=True, code="K-77")
    for kind in (KindOfCare.OUTPATIENT, KindOfCare.DENTAL, KindOfCare.HOME_CARE):
        f.ProgramCareFactory(program=program, kind=kind)
    for kind in (KindOfCare.OUTPATIENT, KindOfCare.DENTAL):
        f.ProgramClinicFactory(program=program, clinic=clinic, kind=kind)
    for code, name, category, rub in (
        ("1001", "Приём терапевта первичный", "consultation", "2500.00"),
        ("2001", "Общий анализ крови", "diagnostics", "512.35"),
        ("3001", "Лечение кариеса", "dental", "6000.00"),
        ("4001", "Госпитализация, койко-день", "inpatient", "9000.00"),
        ("5001", "Вызов врача на дом", "home_visit", "3000.00"),
    ):
        PriceListItem.objects.create(
            clinic=clinic, code=code, name=name, service_category=category, price_kopecks=int(Decimal(rub) * 100)
        )
    CopayRule.objects.create(program=program, service_category="consultation", percent=Decimal("30"))
    CopayRule.objects.create(program=program, service_category="diagnostics", percent=Decimal("12.5"))
    CopayRule.objects.create(program=program, service_category="dental", fixed_kopecks=1000_00)
    son = Policy.objects.get(number="001-0000002")
    other = f.InsuredPersonFactory(last_name="Орлов", first_name="Пётр", patronymic="", birth_date=dt.date(1990, 1, 2))
    inactive = f.PolicyFactory(insured=other, program=program, number="001-0000009")
    user = alice_policy.insured.user
    for policy in (alice_policy, son):
        FranchiseActivation.objects.create(
            policy=policy, method="consent", requested_by=user, effective_at=dt.datetime(2026, 1, 1, tzinfo=MSK)
        )
    assert son.relation == Relation.CHILD
    return World(clinic=clinic, program=program, alice=alice_policy, son=son, inactive=inactive)


def line(policy: Policy | None = None, **cells: str) -> dict[str, str]:
    """One registry line as the clinic writes it (Russian conventions), for `policy`'s person."""
    values = {
        "ФИО": "",
        "Дата рождения": "",
        "Номер полиса": "",
        "Дата услуги": "15.10.2026",
        "Код услуги": "1001",
        "Наименование услуги": "Приём терапевта первичный",
        "Количество": "1",
        "Цена": "2500,00",
        "Сумма": "2500,00",
        "Гарантийное письмо": "",
        "Врач": "Иванов И. И.",
        "МКБ-10": "J06.9",
        "Зуб": "",
    }
    if policy is not None:
        person = policy.insured
        values["ФИО"] = " ".join(p for p in (person.last_name, person.first_name, person.patronymic) if p)
        values["Дата рождения"] = f"{person.birth_date:%d.%m.%Y}"
        values["Номер полиса"] = policy.number
    values.update(cells)
    return values


def csv_file(
    lines: list[dict[str, str]],
    *,
    name: str = "registry.csv",
    delimiter: str = ";",
    encoding: str = "utf-8",
    english: bool = False,
) -> SimpleUploadedFile:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(HEADER_EN if english else HEADER_RU)
    for number, cells in enumerate(lines, start=1):
        row = [cells.get("№ п/п", str(number))] + [cells.get(h, "") for h in HEADER_RU[1:]]
        writer.writerow(row)
    return SimpleUploadedFile(name, out.getvalue().encode(encoding), content_type="text/csv")


def xlsx_file(lines: list[dict[str, str]], *, name: str = "registry.xlsx") -> SimpleUploadedFile:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(HEADER_RU)
    for number, cells in enumerate(lines, start=1):
        sheet.append([cells.get("№ п/п", str(number))] + [cells.get(h, "") for h in HEADER_RU[1:]])
    out = io.BytesIO()
    book.save(out)
    return SimpleUploadedFile(name, out.getvalue())


def twin_clinic(world: World) -> Clinic:
    """Another franchise clinic with the same price list and the same place in the program: the
    same file there must come out the same."""
    twin = f.ClinicFactory(name="Клиника-двойник", is_franchise=True)
    for item in PriceListItem.objects.filter(clinic=world.clinic):
        PriceListItem.objects.create(
            clinic=twin, code=item.code, name=item.name, service_category=item.service_category,
            price_kopecks=item.price_kopecks,
        )  # fmt: skip
    for kind in (KindOfCare.OUTPATIENT, KindOfCare.DENTAL):
        f.ProgramClinicFactory(program=world.program, clinic=twin, kind=kind)
    return twin
