"""The clinic network of the demo: codes, doctors, their two weeks of slots, price lists and the
main insured's bookings — and a later run that tops the slots up."""

import datetime as dt
import re
from collections import Counter
from io import StringIO
from unittest import mock

from django.core.management import call_command
from django.db.models import Count

from polis import clock
from polis.conftest import MOSCOW_NOON
from polis.coverage.models import AccessMode, Policy, ProgramClinic, ServiceCategory
from polis.demo.clinics import CHILDREN_SEEN, CLINICS
from polis.demo.insured import ANNA, ARTEM
from polis.demo.network import ANNAS_DAUGHTER
from polis.demo.schedule import scheduled_doctors, week_of
from polis.network.access import clinic_access
from polis.network.booking import booking_create
from polis.network.models import (
    Booking,
    BookingStatus,
    Clinic,
    ClinicCare,
    Doctor,
    KindOfCare,
    PriceListItem,
    Slot,
)

MOSCOW = clock.local_zone()
TODAY = dt.date(2026, 11, 20)  # the frozen clock's day, a Friday
HORIZON = dt.datetime(2026, 12, 4, tzinfo=MOSCOW)  # 14 days from today, today included


def free_slots(*, after: dt.datetime | None = None, **filters: object):  # type: ignore[no-untyped-def]
    return (
        Slot.objects.filter(starts_at__gt=after or clock.now(), is_blocked=False, **filters)
        .exclude(bookings__status=BookingStatus.ACTIVE)
        .distinct()
    )


def bookable(clinic: Clinic, kind: str) -> bool:
    """A doctor of that kind of care in the clinic has a free slot in the next two weeks."""
    return free_slots(clinic=clinic, doctor__specialty__kind=kind, starts_at__lt=HORIZON).exists()


def test_every_demo_clinic_has_its_own_network_code_named_after_its_city(demo: str) -> None:
    codes = list(Clinic.objects.values_list("city", "code"))
    assert len(codes) == len(CLINICS)
    assert len({code for _, code in codes}) == len(codes)
    for city, code in codes:
        assert re.fullmatch(r"(MSK|SPB)-\d{3}", code or ""), code
        assert code.startswith({"Москва": "MSK", "Санкт-Петербург": "SPB"}[city])


def test_every_doctors_specialty_is_a_kind_of_care_their_clinic_gives(demo: str) -> None:
    given = set(ClinicCare.objects.values_list("clinic_id", "kind"))
    doctors = Doctor.objects.select_related("specialty", "clinic")
    assert doctors.count() >= 80
    keys = {(s.name, s.city): s.key for s in CLINICS}
    for doctor in doctors:
        assert (doctor.clinic_id, doctor.specialty.kind) in given, doctor
        if doctor.specialty.code.endswith("pediatrician"):
            assert keys[(doctor.clinic.name, doctor.clinic.city)] in CHILDREN_SEEN, doctor
    dental = set(Doctor.objects.filter(specialty__kind=KindOfCare.DENTAL).values_list("clinic_id", flat=True))
    assert dental and dental <= {c for c, kind in given if kind == KindOfCare.DENTAL}


def test_doctors_have_names_that_agree_and_believable_experience_education_and_category(demo: str) -> None:
    full_names = Counter(Doctor.objects.values_list("last_name", "first_name", "patronymic"))
    assert max(full_names.values()) == 1
    for doctor in Doctor.objects.select_related("specialty"):
        woman = doctor.patronymic.endswith(("вна", "чна"))
        assert woman or doctor.patronymic.endswith("ич"), doctor
        female_surname = doctor.last_name.endswith(("а", "ая", "ук", "их", "ых"))
        assert female_surname if woman else not doctor.last_name.endswith(("ова", "ева", "ина", "ская")), doctor
        assert doctor.practising_since is not None and 1978 <= doctor.practising_since <= 2024, doctor
        assert doctor.education and re.search(r"\(\d{4}\)\.$", doctor.education), doctor
        years = doctor.experience_years
        assert years is not None
        if years < 5:
            assert doctor.qualification == "", doctor
    educations = " ".join(Doctor.objects.values_list("education", flat=True))
    for university in ("Первый МГМУ им. И. М. Сеченова", "РНИМУ им. Н. И. Пирогова", "ПСПбГМУ им. И. П. Павлова"):
        assert university in educations
    qualifications = set(Doctor.objects.values_list("qualification", flat=True))
    assert {"высшая категория", "к. м. н."} <= qualifications


def test_clinics_with_online_booking_have_three_to_eight_doctors_and_free_slots_every_working_day(demo: str) -> None:
    online = Clinic.objects.filter(has_online_booking=True).annotate(doctor_total=Count("doctors"))
    assert online.count() >= 10
    for clinic in online:
        assert 3 <= clinic.doctor_total <= 8, clinic
        days = {s.starts_at.astimezone(MOSCOW).date() for s in free_slots(clinic=clinic)}
        assert days, clinic
        assert max(days) >= TODAY + dt.timedelta(days=10), clinic
    elsewhere = Clinic.objects.filter(has_online_booking=False).annotate(doctor_total=Count("doctors"))
    assert all(c.doctor_total <= 3 for c in elsewhere)
    assert not Slot.objects.filter(clinic__has_online_booking=False).exists()


def test_slots_are_on_weekdays_in_moscow_working_hours_and_stay_within_two_weeks(demo: str) -> None:
    slots = Slot.objects.filter(starts_at__gt=clock.now())
    assert 1000 <= slots.count() <= 6000  # enough to book, few enough to load in a blink
    assert not slots.filter(starts_at__gte=HORIZON).exists()
    lunch = (dt.time(13), dt.time(14))
    for slot in slots.iterator():
        start, end = slot.starts_at.astimezone(MOSCOW), slot.ends_at.astimezone(MOSCOW)
        assert start.weekday() < 5, slot
        assert dt.time(9) <= start.time() and end.time() <= dt.time(18), slot
        assert not (lunch[0] <= start.time() < lunch[1]), slot
        assert end - start in (dt.timedelta(minutes=20), dt.timedelta(minutes=30)), slot
        assert slot.starts_at.utcoffset() == dt.timedelta(0)


def test_the_main_insured_can_book_online_in_three_moscow_clinics_one_of_them_dental(demo: str) -> None:
    anna = Policy.objects.get(number=ANNA)
    rows = ProgramClinic.objects.filter(program=anna.program).select_related("clinic")
    clinics = {r.clinic for r in rows if r.clinic.city == "Москва"}
    # The booking's own rules (network.access) say where she books online, not this test.
    online = {
        (clinic, kind)
        for clinic in clinics
        for kind in clinic_access(policy=anna, clinic=clinic).online_kinds
        if kind in (KindOfCare.OUTPATIENT, KindOfCare.DENTAL) and bookable(clinic, kind)
    }
    assert len({clinic for clinic, _ in online}) >= 3
    assert any(kind == KindOfCare.DENTAL for _, kind in online)
    modes = {r.access_mode for r in rows}
    assert {AccessMode.DESK, AccessMode.REGISTRY, AccessMode.ONLINE} <= modes


def test_the_main_insured_books_a_free_dental_slot_through_the_booking_service(demo: str) -> None:
    anna = Policy.objects.select_related("insured__user").get(number=ANNA)
    dental = ProgramClinic.objects.filter(program=anna.program, kind=KindOfCare.DENTAL, access_mode=AccessMode.ONLINE)
    slot = free_slots(clinic__in=dental.values("clinic"), doctor__specialty__kind=KindOfCare.DENTAL).first()
    assert slot is not None
    booking = booking_create(user=anna.insured.user, policy_id=anna.pk, slot_id=slot.pk)
    assert booking.status == BookingStatus.ACTIVE and booking.slot == slot


def test_every_online_clinic_of_a_program_has_a_doctor_for_that_kind_of_care_with_free_slots(demo: str) -> None:
    rows = ProgramClinic.objects.filter(access_mode=AccessMode.ONLINE).select_related("clinic", "program")
    assert rows.exists()
    for row in rows:
        assert free_slots(clinic=row.clinic, doctor__specialty__kind=row.kind).exists(), row


def test_the_main_insured_and_her_daughter_have_visits_ahead_and_one_behind(demo: str) -> None:
    anna = Policy.objects.select_related("insured__user").get(number=ANNA)
    bookings = Booking.objects.select_related("slot", "policy").filter(booked_by=anna.insured.user)
    ahead = bookings.filter(status=BookingStatus.ACTIVE, slot__starts_at__gt=clock.now())
    assert sorted(ahead.values_list("policy__number", flat=True)) == [ANNA, ANNAS_DAUGHTER]
    for booking in ahead.select_related("slot__clinic", "slot__doctor__specialty"):
        assert booking.slot.starts_at < HORIZON
        access = clinic_access(policy=booking.policy, clinic=booking.slot.clinic)
        assert booking.slot.doctor.specialty.kind in access.online_kinds, booking
    assert all(b.created_at < clock.now() for b in bookings)
    past = bookings.get(status=BookingStatus.ATTENDED)
    assert past.policy == anna and past.slot.starts_at < clock.now()
    assert past.slot.doctor.specialty.kind == KindOfCare.DENTAL
    clerks_booking = Booking.objects.get(policy__number=ARTEM)
    assert clerks_booking.slot.clinic == clerks_booking.booked_by.clinic


def test_a_handful_of_clinics_have_price_lists_of_real_services_in_kopecks(demo: str) -> None:
    per_clinic = Counter(PriceListItem.objects.values_list("clinic_id", flat=True))
    assert len(per_clinic) >= 5
    assert all(10 <= n <= 30 for n in per_clinic.values()), per_clinic
    given = set(ClinicCare.objects.values_list("clinic_id", "kind"))
    for item in PriceListItem.objects.all():
        assert item.service_category in ServiceCategory.values, item
        assert item.federal_code == "" or re.fullmatch(r"[AB]\d{2}\.\d{2,3}\.\d{3}(\.\d{3})?", item.federal_code)
        assert item.price_kopecks % 1000 == 0 and 20_000 <= item.price_kopecks <= 2_500_000, item
        if item.service_category == ServiceCategory.DENTAL:
            assert (item.clinic_id, KindOfCare.DENTAL) in given, item
    therapist = PriceListItem.objects.filter(federal_code="B01.047.001").values_list("price_kopecks", flat=True)
    assert therapist and all(250_000 <= p <= 450_000 for p in therapist)


def test_a_later_run_tops_the_slots_up_to_two_weeks_without_duplicates(demo: str, frozen_now: mock.MagicMock) -> None:
    before = Slot.objects.count()
    frozen_now.return_value = MOSCOW_NOON + dt.timedelta(days=5)
    out = StringIO()
    call_command("demo_data", "--no-logins", stdout=out)
    added = Slot.objects.count() - before
    assert "уже загружены" in out.getvalue() and f"новых слотов: {added}" in out.getvalue()
    assert added > 0
    duplicates = Slot.objects.values("doctor", "starts_at").annotate(n=Count("pk")).filter(n__gt=1)
    assert not duplicates.exists()
    last_day = TODAY + dt.timedelta(days=5 + 13)
    for doctor in scheduled_doctors():
        week = week_of(doctor)
        work_days = [TODAY + dt.timedelta(days=5 + i) for i in range(14)]
        expected = {s for day in work_days for s, _ in week.slots(day) if s > clock.now()}
        have = set(doctor.slots.filter(starts_at__gt=clock.now()).values_list("starts_at", flat=True))
        assert expected <= have, doctor
        assert all(s.astimezone(MOSCOW).date() <= last_day for s in have), doctor

    out = StringIO()
    call_command("demo_data", "--no-logins", stdout=out)
    assert Slot.objects.count() == before + added
    assert "ничего не меняю" in out.getvalue()


def test_a_slot_the_clinic_removed_is_not_brought_back_on_the_same_day(demo: str) -> None:
    slot = free_slots(after=clock.now() + dt.timedelta(days=3)).order_by("starts_at").first()
    assert slot is not None
    slot.delete()
    call_command("demo_data", "--no-logins", stdout=StringIO())
    assert not Slot.objects.filter(doctor=slot.doctor_id, starts_at=slot.starts_at).exists()


def test_a_demo_loaded_before_the_network_had_doctors_gets_them_on_the_next_run(demo: str) -> None:
    Booking.objects.all().delete()
    Slot.objects.all().delete()
    Doctor.objects.all().delete()
    PriceListItem.objects.all().delete()
    Clinic.objects.update(code=None)
    out = StringIO()
    call_command("demo_data", "--no-logins", stdout=out)
    assert "добавлены врачи" in out.getvalue()
    assert not Clinic.objects.filter(code__isnull=True).exists()
    assert Doctor.objects.count() >= 80 and PriceListItem.objects.exists()
    assert Booking.objects.filter(policy__number=ANNA, status=BookingStatus.ACTIVE).exists()
    assert free_slots(clinic__has_online_booking=True).exists()


def test_a_renamed_demo_clinic_does_not_stop_a_later_run(demo: str) -> None:
    Clinic.objects.filter(code="MSK-001").update(name="Клиника на Пресне (новое название)")
    out = StringIO()
    call_command("demo_data", "--no-logins", stdout=out)
    assert "уже загружены" in out.getvalue()


def test_the_logins_block_points_the_insured_to_clinics_and_online_booking(demo: str) -> None:
    assert "Клиники и онлайн-запись:" in demo and "/my/clinics/" in demo
    assert re.search(r"Врачей: \d+, свободных слотов онлайн-записи на 14 дней: \d+", demo)
