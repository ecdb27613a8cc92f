"""Factories for tests: realistic defaults, every one overridable."""

import datetime as dt

import factory
from factory.django import DjangoModelFactory

from polis.accounts.models import Role, User
from polis.coverage import models as cov
from polis.network.models import Clinic, ClinicCare, KindOfCare

TODAY = dt.date(2026, 11, 20)


class UserFactory(DjangoModelFactory[User]):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.ru")
    phone = factory.Sequence(lambda n: f"+7916{n:07d}")
    first_name = "Ирина"
    last_name = "Смирнова"
    role = Role.INSURED
    password = factory.PostGenerationMethodCall("set_password", "Secret-pass-42")

    @factory.post_generation
    def _save(obj: User, create: bool, extracted: object, **kwargs: object) -> None:
        if create:
            obj.save()


class ClinicFactory(DjangoModelFactory[Clinic]):
    class Meta:
        model = Clinic

    name = factory.Sequence(lambda n: f"Клиника №{n}")
    city = "Москва"
    address = factory.Sequence(lambda n: f"г. Москва, ул. Тверская, д. {n + 1}")
    metro = "Тверская"
    latitude = factory.Faker("pydecimal", left_digits=2, right_digits=6, min_value=55, max_value=56)
    longitude = factory.Faker("pydecimal", left_digits=2, right_digits=6, min_value=37, max_value=38)
    phones = "+7 495 123-45-67"


class ClinicCareFactory(DjangoModelFactory[ClinicCare]):
    class Meta:
        model = ClinicCare

    clinic = factory.SubFactory(ClinicFactory)
    kind = KindOfCare.OUTPATIENT


class PolicyholderFactory(DjangoModelFactory[cov.Policyholder]):
    class Meta:
        model = cov.Policyholder

    kind = cov.Policyholder.Kind.ORGANIZATION
    name = factory.Sequence(lambda n: f"ООО «Ромашка-{n}»")
    inn = factory.Sequence(lambda n: f"77{n:08d}")


class ContractFactory(DjangoModelFactory[cov.Contract]):
    class Meta:
        model = cov.Contract

    number = factory.Sequence(lambda n: f"ДМС-2026-{n:05d}")
    policyholder = factory.SubFactory(PolicyholderFactory)
    signed_on = dt.date(2025, 12, 20)
    starts_on = dt.date(2026, 1, 1)
    ends_on = dt.date(2026, 12, 31)
    admin_name = "Толмачева Анастасия Владимировна"
    admin_phone = "+7 495 730-30-00 (доб. 59-04)"
    admin_email = "admin@example.ru"


class ProgramFactory(DjangoModelFactory[cov.Program]):
    class Meta:
        model = cov.Program

    contract = factory.SubFactory(ContractFactory)
    code = factory.Sequence(lambda n: f"P{n}")
    name = "Поликлиника + стоматология"


class ProgramCareFactory(DjangoModelFactory[cov.ProgramCare]):
    class Meta:
        model = cov.ProgramCare

    program = factory.SubFactory(ProgramFactory)
    kind = KindOfCare.OUTPATIENT


class ProgramClinicFactory(DjangoModelFactory[cov.ProgramClinic]):
    class Meta:
        model = cov.ProgramClinic

    program = factory.SubFactory(ProgramFactory)
    clinic = factory.SubFactory(ClinicFactory)
    kind = KindOfCare.OUTPATIENT


class ProgramLimitFactory(DjangoModelFactory[cov.ProgramLimit]):
    class Meta:
        model = cov.ProgramLimit

    program = factory.SubFactory(ProgramFactory)
    service_group = "psychologist"
    name = "Консультации психолога"
    max_count = 3
    period = cov.LimitPeriod.CONTRACT


class InsuredPersonFactory(DjangoModelFactory[cov.InsuredPerson]):
    class Meta:
        model = cov.InsuredPerson

    last_name = "Смирнова"
    first_name = "Ирина"
    patronymic = "Петровна"
    birth_date = dt.date(1988, 4, 12)
    sex = cov.Sex.FEMALE
    city = "Москва"


class PolicyFactory(DjangoModelFactory[cov.Policy]):
    class Meta:
        model = cov.Policy

    number = factory.Sequence(lambda n: f"900-{n:07d}")
    program = factory.SubFactory(ProgramFactory)
    contract = factory.SelfAttribute("program.contract")
    insured = factory.SubFactory(InsuredPersonFactory)
    issued_on = dt.date(2025, 12, 25)
    starts_on = dt.date(2026, 1, 1)
    ends_on = dt.date(2026, 12, 31)


# ── Registries and co-pay invoices (billing) ──────────────────────────────────────────────────
# For tests of what comes after the pipeline (invoices, disputes, debts) without running it.
# A real registry goes through polis.billing.registries.services.registry_submit.


class RegistryFactory(DjangoModelFactory["billing.Registry"]):  # type: ignore[type-arg]
    class Meta:
        model = "billing.Registry"

    clinic = factory.SubFactory(ClinicFactory)
    period = dt.date(2026, 9, 1)
    number = factory.Sequence(lambda n: f"Р-{n}")
    file_name = "registry.csv"
    file_sha256 = factory.Sequence(lambda n: f"{n:064x}")
    uploaded_by = factory.SubFactory(UserFactory, role=Role.BACKOFFICE, phone=None)
    status = "done"


class RegistryLineFactory(DjangoModelFactory["billing.RegistryLine"]):  # type: ignore[type-arg]
    """An accepted line; pass status="rejected", reason=… for a rejected one (copay 0)."""

    class Meta:
        model = "billing.RegistryLine"

    registry = factory.SubFactory(RegistryFactory)
    row = factory.Sequence(lambda n: n + 1)
    line_no = factory.SelfAttribute("row")
    status = "accepted"
    policy = factory.SubFactory(PolicyFactory)
    policy_number = factory.SelfAttribute("policy.number")
    person_name = "Смирнова Ирина Петровна"
    birth_date = dt.date(1985, 3, 14)
    service_date = dt.date(2026, 9, 10)
    service_code = "1001"
    service_name = "Приём терапевта первичный"
    category = "consultation"
    quantity = 1
    price_kopecks = 250000
    sum_kopecks = factory.LazyAttribute(lambda o: o.price_kopecks * o.quantity)
    copay_kopecks = factory.LazyAttribute(lambda o: o.sum_kopecks * 3 // 10 if o.status == "accepted" else 0)
    copay_rule = "30 %"


class CopayInvoiceFactory(DjangoModelFactory["billing.CopayInvoice"]):  # type: ignore[type-arg]
    """An invoice with no lines: tests add lines with RegistryLineFactory(registry=inv.registry,
    policy=inv.policy) and set the sums to match (or use `invoice_with_lines`)."""

    class Meta:
        model = "billing.CopayInvoice"

    registry = factory.SubFactory(RegistryFactory)
    policy = factory.SubFactory(PolicyFactory)
    number = factory.Sequence(lambda n: f"2026/09/{n + 1}")
    issued_on = dt.date(2026, 11, 2)
    due_on = dt.date(2026, 12, 2)
    lines_count = 0
    cost_kopecks = 0
    copay_kopecks = 0
    due_kopecks = factory.LazyAttribute(lambda o: o.copay_kopecks)


def invoice_with_lines(*, policy: cov.Policy, copays: list[int], clinic: Clinic | None = None, **invoice: object):
    """An issued invoice for `policy` with one accepted line per co-pay (each line's cost is
    the co-pay × 10 / 3, a 30 % rule), sums consistent with the lines."""
    from polis.billing.models import CopayInvoice

    registry = RegistryFactory(**({"clinic": clinic} if clinic else {}))
    lines = [
        RegistryLineFactory(
            registry=registry,
            policy=policy,
            row=i + 1,
            price_kopecks=max(copay * 10 // 3, copay),
            copay_kopecks=copay,
        )
        for i, copay in enumerate(copays)
    ]
    total = sum(copays)
    defaults: dict[str, object] = {
        "lines_count": len(lines),
        "cost_kopecks": sum(line.sum_kopecks or 0 for line in lines),
        "copay_kopecks": total,
        "due_kopecks": total,
    }
    defaults.update(invoice)
    inv: CopayInvoice = CopayInvoiceFactory(registry=registry, policy=policy, **defaults)
    return inv
