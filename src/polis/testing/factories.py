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
