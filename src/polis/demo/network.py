"""The clinic network's demo: network codes, doctors, their schedules, price lists, online access
in the main insured's program and a few bookings, so that «Клиники» and «Мои записи» have
something to show. Added with a fresh demo, and once to a demo loaded before doctors existed."""

import datetime as dt
import random

from django.db import transaction

from polis import clock
from polis.accounts.models import Role, User
from polis.coverage.models import AccessMode, Policy, ProgramClinic
from polis.demo.clinics import CLINIC_CODES, CLINICS, DEN, OUT, PRESNYA
from polis.demo.doctors import create_doctors
from polis.demo.insured import ANNA, ARTEM
from polis.demo.prices import create_price_lists
from polis.demo.schedule import DAYS_AHEAD, top_up_slots
from polis.network.models import Booking, BookingStatus, Clinic, Doctor, Slot

ANNAS_DAUGHTER = "001-2026-000103"
# Moscow clinics where the main insured books online whatever the random draw gave her program:
# two polyclinics and a dental clinic, none of them a franchise clinic.
ONLINE_FOR_ANNA = ("mc-gagarinsky", "khodynka", "belaya-liniya")


def network_demo_loaded(clinics: dict[str, Clinic]) -> bool:
    return Doctor.objects.filter(clinic__in=list(clinics.values())).exists()


def demo_clinics() -> dict[str, Clinic]:
    """The demo's clinics by key that are still there, found by name and city (a demo loaded
    before clinics had codes)."""
    found = {(c.name, c.city): c for c in Clinic.objects.filter(name__in=[s.name for s in CLINICS])}
    return {s.key: found[(s.name, s.city)] for s in CLINICS if (s.name, s.city) in found}


@transaction.atomic
def add_network_demo(*, seed: int, clinics: dict[str, Clinic] | None = None) -> bool:
    """Returns False, changing nothing, when the demo's clinics have doctors already."""
    clinics = clinics if clinics is not None else demo_clinics()
    if network_demo_loaded(clinics):
        return False
    if missing := [s.name for s in CLINICS if s.key not in clinics]:
        raise RuntimeError(
            f"В базе нет демо-клиник ({', '.join(missing[:3])}…): начните с нуля — `./polis demo --fresh`."
        )
    rng = random.Random(f"{seed}-network")
    _set_codes(clinics)
    create_doctors(rng, clinics)
    _open_online_booking_for_anna(clinics)
    create_price_lists(rng, clinics)
    top_up_slots()
    _book_story_visits(clinics)
    return True


def summary() -> str:
    horizon = dt.datetime.combine(clock.today() + dt.timedelta(days=DAYS_AHEAD), dt.time(0), tzinfo=clock.local_zone())
    free = Slot.objects.filter(starts_at__gt=clock.now(), starts_at__lt=horizon, is_blocked=False).exclude(
        bookings__status=BookingStatus.ACTIVE
    )
    return (
        f"Врачей: {Doctor.objects.count()}, свободных слотов онлайн-записи на {DAYS_AHEAD} дней: {free.count()}, "
        f"записей на приём: {Booking.objects.count()}."
    )


def _set_codes(clinics: dict[str, Clinic]) -> None:
    taken = set(Clinic.objects.filter(code__isnull=False).values_list("code", flat=True))
    changed = []
    for key, clinic in clinics.items():
        if clinic.code is None and CLINIC_CODES[key] not in taken:
            clinic.code = CLINIC_CODES[key]
            changed.append(clinic)
    Clinic.objects.bulk_update(changed, ["code"])


def _open_online_booking_for_anna(clinics: dict[str, Clinic]) -> None:
    policy = Policy.objects.select_related("program").filter(number=ANNA).first()
    if policy is None:
        return
    covered = set(policy.program.care.values_list("kind", flat=True))
    kinds = {s.key: s.kinds for s in CLINICS}
    for key in ONLINE_FOR_ANNA:
        for kind in (OUT, DEN):
            if kind in kinds[key] and kind in covered:
                ProgramClinic.objects.update_or_create(
                    program=policy.program, clinic=clinics[key], kind=kind,
                    defaults={"access_mode": AccessMode.ONLINE},
                )  # fmt: skip


def _book_story_visits(clinics: dict[str, Clinic]) -> None:
    """Two coming visits for the main insured and her daughter, one she has been to, and one
    the clerk of the clinic on Krasnaya Presnya booked for a patient attached there."""
    numbers = [ANNA, ANNAS_DAUGHTER, ARTEM]
    policies = {p.number: p for p in Policy.objects.select_related("insured__user").filter(number__in=numbers)}
    anna = policies.get(ANNA)
    anna_user = anna.insured.user if anna else None
    now = clock.now()
    if anna is not None and anna_user is not None:
        _book(policy=anna, by=anna_user, clinic=clinics["khodynka"], specialty="therapist", days=2, now=now)
        if daughter := policies.get(ANNAS_DAUGHTER):
            _book(policy=daughter, by=anna_user, clinic=clinics["mc-gagarinsky"], specialty="pediatrician", days=4,
                  now=now)  # fmt: skip
        _attended(policy=anna, by=anna_user, clinic=clinics["belaya-liniya"], specialty="dentist-therapist", now=now)
    clerk = User.objects.filter(role=Role.CLINIC, clinic=clinics[PRESNYA]).order_by("pk").first()
    if (artem := policies.get(ARTEM)) and clerk is not None:
        _book(policy=artem, by=clerk, clinic=clinics[PRESNYA], specialty="therapist", days=1, now=now)


def _book(*, policy: Policy, by: User, clinic: Clinic, specialty: str, days: int, now: dt.datetime) -> None:
    """The first free slot from `days` days on, not before 10:00 (nobody books the 9:00 one)."""
    zone = clock.local_zone()
    first_day = clock.today() + dt.timedelta(days=days)
    slots = (
        Slot.objects.filter(
            clinic=clinic, doctor__specialty__code=specialty, is_blocked=False,
            starts_at__gte=dt.datetime.combine(first_day, dt.time(10), tzinfo=zone),
        )
        .exclude(bookings__status=BookingStatus.ACTIVE)
        .order_by("starts_at")
    )  # fmt: skip
    slot = next((s for s in slots if s.starts_at.astimezone(zone).time() >= dt.time(10)), None)
    if slot is not None:
        Booking.objects.create(slot=slot, policy=policy, booked_by=by, created_at=now - dt.timedelta(days=1))


def _attended(*, policy: Policy, by: User, clinic: Clinic, specialty: str, now: dt.datetime) -> None:
    doctor = Doctor.objects.filter(clinic=clinic, specialty__code=specialty).order_by("pk").first()
    if doctor is None:
        return
    day = clock.today() - dt.timedelta(days=12)
    while day.weekday() >= 5:
        day -= dt.timedelta(days=1)
    starts_at = dt.datetime.combine(day, dt.time(11, 30), tzinfo=clock.local_zone()).astimezone(dt.UTC)
    slot, _ = Slot.objects.get_or_create(
        doctor=doctor, starts_at=starts_at,
        defaults={"clinic": clinic, "ends_at": starts_at + dt.timedelta(minutes=30)},
    )  # fmt: skip
    Booking.objects.create(
        slot=slot, policy=policy, booked_by=by, status=BookingStatus.ATTENDED,
        created_at=starts_at - dt.timedelta(days=5),
    )  # fmt: skip
