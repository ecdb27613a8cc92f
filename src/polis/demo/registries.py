"""Last month's registry of the franchise clinic on Krasnaya Presnya, put through the real pipeline
(registry_submit, then the job run at once rather than left to the worker), so that:

- Anna (the main demo insured, co-pay 20 % / 30 %) has an unpaid invoice in «Мои счета» and the
  services behind it in «Полученные услуги», where she can pay or dispute them;
- the clinic's clerk (clinic@example.ru) has a registry with lines accepted and rejected, each
  with its reason and the report to download.

The file is what a clinic sends: Anna's visits, a colleague's visit on a program without a
franchise (accepted, no invoice), and the usual mistakes — her husband, whose franchise was never
activated, a policy number with a digit missing, a sum that is not quantity × price, a service
missing from the agreed price list. Telling Anna of her invoice (SMS, e-mail, notification) is the
worker's task that the accrual queues, as in production.

Added once: a demo whose clinic already has a registry is left alone.
"""

import csv
import datetime as dt
import io
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction

from polis import calendar, clock
from polis.accounts.models import Role, User
from polis.billing.models import Registry
from polis.billing.registries.services import registry_submit
from polis.coverage.models import CopayRule, Policy, ServiceCategory
from polis.demo.clinics import CLINIC_CODES, PRESNYA
from polis.demo.insured import ANNA, ARTEM
from polis.jobs.services import job_run
from polis.network.models import Clinic, PriceListItem

ANNAS_HUSBAND = "001-2026-000102"
# Anna's number as a clerk mistyped it (a digit lost): no such policy.
MISTYPED_POLICY = "001-2026-00101"
# The rules a franchise program gets when it has none (the demo's own program has them).
DEFAULT_COPAY = {
    ServiceCategory.CONSULTATION: Decimal(20),
    ServiceCategory.DIAGNOSTICS: Decimal(20),
    ServiceCategory.DENTAL: Decimal(30),
}
HEADER = [
    "№ п/п", "ФИО", "Дата рождения", "Номер полиса", "Дата услуги", "Код услуги", "Наименование услуги",
    "Количество", "Цена", "Сумма", "Гарантийное письмо", "Врач", "МКБ-10", "Зуб",
]  # fmt: skip
THERAPIST = "Белоусова Т. А."
DENTIST = "Мирзоян А. Г."


def registries_demo_loaded(clinic: Clinic) -> bool:
    return Registry.objects.filter(clinic=clinic).exists()


@transaction.atomic
def add_registries_demo() -> bool:
    """Returns False, changing nothing, when the registry is there already or the demo's clinic,
    clerk or Anna are not."""
    clinic = Clinic.objects.filter(code=CLINIC_CODES[PRESNYA]).first()
    if clinic is None or registries_demo_loaded(clinic):
        return False
    clerk = User.objects.filter(role=Role.CLINIC, clinic=clinic).order_by("pk").first()
    policies = {
        p.number: p
        for p in Policy.objects.select_related("insured", "program").filter(number__in=[ANNA, ANNAS_HUSBAND, ARTEM])
    }
    anna = policies.get(ANNA)
    if clerk is None or anna is None:
        return False
    _ensure_copay_rules(anna)
    period = _period(anna)
    rows = _lines(clinic, period, anna=anna, husband=policies.get(ANNAS_HUSBAND), colleague=policies.get(ARTEM))
    if not rows:
        return False
    upload = SimpleUploadedFile(f"reestr-{clinic.code}-{period:%Y-%m}.csv", _csv(rows), content_type="text/csv")
    registry, _created = registry_submit(clinic=clinic, period=period, uploaded_file=upload, user=clerk)
    assert registry.job_id is not None
    # The worker would claim the job once this transaction commits; the demo runs it now, so the
    # invoice is there the moment the demo is. The queued task then finds it done and does nothing.
    job_run(job_id=registry.job_id)
    return True


def _ensure_copay_rules(policy: Policy) -> None:
    program = policy.program
    if program.franchise_activation == "none" or CopayRule.objects.filter(program=program).exists():
        return
    CopayRule.objects.bulk_create(
        CopayRule(program=program, service_category=category, percent=percent)
        for category, percent in DEFAULT_COPAY.items()
    )


def _period(policy: Policy) -> dt.date:
    """Last month; for a demo loaded after the contract's year, the policy's last month, so that
    the services fall within the insurance."""
    last_month = (clock.today().replace(day=1) - dt.timedelta(days=1)).replace(day=1)
    return min(last_month, policy.ends_on.replace(day=1))


def _visit_days(period: dt.date, policy: Policy) -> list[dt.date]:
    """Working days of the period on which the person was insured, up to yesterday."""
    month_end = (period.replace(day=28) + dt.timedelta(days=4)).replace(day=1) - dt.timedelta(days=1)
    last = min(month_end, policy.ends_on, clock.today() - dt.timedelta(days=1))
    first = max(period, policy.starts_on)
    days = [first + dt.timedelta(days=n) for n in range((last - first).days + 1)]
    return [day for day in days if calendar.is_working_day(day)]


def _item(clinic: Clinic, category: str) -> PriceListItem | None:
    return PriceListItem.objects.filter(clinic=clinic, service_category=category).order_by("code").first()


def _rub(kopecks: int) -> str:
    return f"{kopecks // 100},{kopecks % 100:02d}"


def _line(
    policy: Policy,
    item: PriceListItem,
    day: dt.date,
    *,
    quantity: int = 1,
    doctor: str = THERAPIST,
    icd10: str = "",
    tooth: str = "",
    cells: dict[str, str] | None = None,
) -> dict[str, str]:
    """One line for `policy`'s person as the clinic writes it; `cells` overrides what it got wrong."""
    person = policy.insured
    values = {
        "ФИО": " ".join(p for p in (person.last_name, person.first_name, person.patronymic) if p),
        "Дата рождения": f"{person.birth_date:%d.%m.%Y}",
        "Номер полиса": policy.number,
        "Дата услуги": f"{day:%d.%m.%Y}",
        "Код услуги": item.code,
        "Наименование услуги": item.name,
        "Количество": str(quantity),
        "Цена": _rub(item.price_kopecks),
        "Сумма": _rub(item.price_kopecks * quantity),
        "Врач": doctor,
        "МКБ-10": icd10,
        "Зуб": tooth,
    }
    values.update(cells or {})
    return values


def _lines(
    clinic: Clinic, period: dt.date, *, anna: Policy, husband: Policy | None, colleague: Policy | None
) -> list[dict[str, str]]:
    consultation = _item(clinic, ServiceCategory.CONSULTATION)
    diagnostics = _item(clinic, ServiceCategory.DIAGNOSTICS)
    dental = _item(clinic, ServiceCategory.DENTAL)
    days = _visit_days(period, anna)
    if consultation is None or len(days) < 3:
        return []
    first, second, third = days[len(days) // 5], days[len(days) // 2], days[-2 if len(days) > 3 else -1]
    rows = [_line(anna, consultation, first, icd10="J06.9")]
    if diagnostics is not None:
        rows.append(_line(anna, diagnostics, first, icd10="J06.9"))
    if dental is not None:
        rows.append(_line(anna, dental, second, doctor=DENTIST, icd10="K02.1", tooth="36"))
    rows.append(_line(anna, consultation, third, icd10="J06.9", cells={"Номер полиса": MISTYPED_POLICY}))
    if diagnostics is not None:
        # Two tests billed for the price of one.
        rows.append(
            _line(anna, diagnostics, third, quantity=2, icd10="J06.9", cells={"Сумма": _rub(diagnostics.price_kopecks)})
        )
    if husband is not None:
        rows.append(_line(husband, consultation, second, icd10="M54.5"))
    if colleague is not None:
        rows.append(_line(colleague, consultation, second, icd10="I10"))
    rows.append(
        _line(
            anna,
            consultation,
            third,
            cells={
                "Код услуги": "9-017",
                "Наименование услуги": "Консультация психолога",
                "Цена": "3500,00",
                "Сумма": "3500,00",
            },
        )
    )
    return rows


def _csv(rows: list[dict[str, str]]) -> bytes:
    """A registry as clinics' accounting software writes it: Windows-1251, «;», decimal comma."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(HEADER)
    for number, cells in enumerate(rows, start=1):
        writer.writerow([str(number)] + [cells.get(column, "") for column in HEADER[1:]])
    return out.getvalue().encode("cp1251")
