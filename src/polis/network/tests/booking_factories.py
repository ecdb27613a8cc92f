"""Factories and helpers for the booking tests (doctors, slots, a clinic open online)."""

import datetime as dt
from zoneinfo import ZoneInfo

import factory
from factory.django import DjangoModelFactory

from polis.coverage.models import AccessMode, Program
from polis.network.models import Booking, Clinic, Doctor, KindOfCare, Slot, Specialty
from polis.testing import factories as f

MOSCOW = ZoneInfo("Europe/Moscow")
# The conftest clock stands at Friday 20.11.2026 12:00; Monday is the first working day ahead.
MONDAY = dt.date(2026, 11, 23)


def moscow(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=MOSCOW)


class SpecialtyFactory(DjangoModelFactory[Specialty]):
    class Meta:
        model = Specialty
        django_get_or_create = ("code",)

    code = "therapist"
    name = "Терапевт"
    kind = KindOfCare.OUTPATIENT


class DoctorFactory(DjangoModelFactory[Doctor]):
    class Meta:
        model = Doctor

    clinic = factory.SubFactory(f.ClinicFactory, has_online_booking=True)
    specialty = factory.SubFactory(SpecialtyFactory)
    last_name = "Петров"
    first_name = "Сергей"
    patronymic = "Иванович"
    practising_since = 2006
    education = "Первый МГМУ им. И. М. Сеченова, 2005"
    qualification = "Врач высшей категории, к. м. н."


class SlotFactory(DjangoModelFactory[Slot]):
    class Meta:
        model = Slot

    doctor = factory.SubFactory(DoctorFactory)
    clinic = factory.SelfAttribute("doctor.clinic")
    starts_at = factory.Sequence(lambda n: moscow(MONDAY, 9) + dt.timedelta(minutes=30 * n))
    ends_at = factory.LazyAttribute(lambda o: o.starts_at + dt.timedelta(minutes=30))


def online_clinic(program: Program, **clinic: object) -> Clinic:
    """A clinic of the program open online for outpatient care, through the desk for dental."""
    defaults: dict[str, object] = {"has_online_booking": True, "name": "Клиника «Здоровье»"}
    defaults.update(clinic)
    place = f.ClinicFactory(**defaults)
    f.ProgramClinicFactory(program=program, clinic=place, kind=KindOfCare.OUTPATIENT, access_mode=AccessMode.ONLINE)
    f.ProgramClinicFactory(program=program, clinic=place, kind=KindOfCare.DENTAL, access_mode=AccessMode.DESK)
    return place


def slot_at(doctor: Doctor, day: dt.date, hour: int, minute: int = 0, minutes: int = 30) -> Slot:
    start = moscow(day, hour, minute)
    return SlotFactory(doctor=doctor, starts_at=start, ends_at=start + dt.timedelta(minutes=minutes))


def active_bookings(slot: Slot) -> int:
    return Booking.objects.filter(slot=slot, status="active").count()
