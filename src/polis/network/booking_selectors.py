"""Reads for online booking: what the insured person may book and has booked, and the clinic
clerk's schedule. Every read takes the viewer; anything outside their reach is «not found»."""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from polis import clock
from polis.accounts.models import Role, User
from polis.coverage.models import Policy
from polis.coverage.selectors import Viewer, ru_plural
from polis.network.access import ClinicAccess, clinic_access
from polis.network.models import Booking, BookingStatus, Clinic, Doctor, Slot, Specialty

SLOT_DAYS = 14
BOOKING_RELATED = ("slot__doctor__specialty", "slot__clinic", "policy__insured", "booked_by")


def _is_insured(user: Viewer) -> bool:
    return bool(user.is_authenticated) and getattr(user, "role", None) == Role.INSURED


# --- the insured person ---------------------------------------------------------------------


def bookings_for_user(*, user: Viewer) -> QuerySet[Booking]:
    """Bookings of the user and of the relatives whose policies they hold, soonest first."""
    if not _is_insured(user):
        return Booking.objects.none()
    return (
        Booking.objects.filter(Q(policy__insured__user=user) | Q(policy__holder__user=user))
        .select_related(*BOOKING_RELATED)
        .order_by("slot__starts_at", "pk")
    )


def booking_for_user(*, user: Viewer, booking_id: int) -> Booking:
    booking = bookings_for_user(user=user).filter(pk=booking_id).first()
    if booking is None:
        raise Http404(_("Запись не найдена"))
    return booking


def upcoming_bookings_for_user(*, user: Viewer) -> QuerySet[Booking]:
    """Active visits still ahead: the dashboard's «Ближайшие записи» (one query)."""
    return bookings_for_user(user=user).filter(status=BookingStatus.ACTIVE, slot__starts_at__gt=clock.now())


def past_bookings_for_user(*, user: Viewer) -> QuerySet[Booking]:
    """Everything else: visits gone by, cancelled and moved ones; the latest first."""
    return (
        bookings_for_user(user=user)
        .exclude(status=BookingStatus.ACTIVE, slot__starts_at__gt=clock.now())
        .order_by("-slot__starts_at", "-pk")
    )


def clinic_for_booking(*, clinic_id: int) -> Clinic:
    """A clinic of the network (its card is public; what a person may do there is access.py's)."""
    clinic = Clinic.objects.filter(pk=clinic_id).first()
    if clinic is None:
        raise Http404(_("Клиника не найдена"))
    return clinic


@dataclass(frozen=True)
class SpecialtyOption:
    specialty: Specialty
    doctors: list[Doctor]


@dataclass(frozen=True)
class BookingOptions:
    access: ClinicAccess
    specialties: list[SpecialtyOption]


def booking_options(*, policy: Policy, clinic: Clinic) -> BookingOptions:
    """The specialties and doctors of the clinic this person may book online: active doctors
    whose specialty counts as a kind of care open online for them here."""
    access = clinic_access(policy=policy, clinic=clinic)
    kinds = access.online_kinds
    grouped: dict[int, list[Doctor]] = defaultdict(list)
    specialties: dict[int, Specialty] = {}
    if kinds:
        doctors = Doctor.objects.filter(clinic=clinic, is_active=True, specialty__kind__in=kinds).select_related(
            "specialty"
        )
        for doctor in doctors.order_by("specialty__name", "last_name", "first_name", "pk"):
            specialties[doctor.specialty_id] = doctor.specialty
            grouped[doctor.specialty_id].append(doctor)
    return BookingOptions(
        access=access,
        specialties=[SpecialtyOption(specialty=specialties[pk], doctors=grouped[pk]) for pk in specialties],
    )


@dataclass(frozen=True)
class DoctorCard:
    """What a person reads about a doctor before choosing one."""

    doctor: Doctor

    @property
    def experience(self) -> str:
        years = self.doctor.experience_years
        if years is None:
            return ""
        return _("Стаж %(n)s %(unit)s") % {"n": years, "unit": ru_plural(years, _("год"), _("года"), _("лет"))}


def doctor_for_booking(*, options: BookingOptions, doctor_id: int) -> Doctor:
    """A doctor among the options; another clinic's, or one not open online here, is not found."""
    for option in options.specialties:
        for doctor in option.doctors:
            if doctor.pk == doctor_id:
                return doctor
    raise Http404(_("Врач не найден"))


def bookable_doctor(*, policy: Policy, doctor_id: int) -> tuple[Doctor, BookingOptions]:
    """A doctor the person of `policy` may book online, found by id alone (the API's way in)."""
    doctor = Doctor.objects.filter(pk=doctor_id, is_active=True).select_related("clinic").first()
    if doctor is None:
        raise Http404(_("Врач не найден"))
    options = booking_options(policy=policy, clinic=doctor.clinic)
    return doctor_for_booking(options=options, doctor_id=doctor_id), options


def _policy_bounds(policy: Policy) -> tuple[dt.datetime, dt.datetime]:
    """The policy's term as moments: from its first day's midnight to its last day's end (Moscow)."""
    zone = clock.local_zone()
    last = policy.ends_on
    if policy.terminated_on is not None:
        last = min(last, policy.terminated_on - dt.timedelta(days=1))
    start = dt.datetime.combine(policy.starts_on, dt.time.min, tzinfo=zone)
    end = dt.datetime.combine(last + dt.timedelta(days=1), dt.time.min, tzinfo=zone)
    return start, end


def free_slots(
    *, policy: Policy, doctor: Doctor, date_from: dt.date | None = None, date_to: dt.date | None = None
) -> QuerySet[Slot]:
    """Open times of a doctor ahead, within the policy's term: not closed, not booked.
    `doctor` must have come through doctor_for_booking (or the API's equivalent)."""
    zone = clock.local_zone()
    first = date_from or clock.today()
    last = date_to or first + dt.timedelta(days=SLOT_DAYS - 1)
    term_start, term_end = _policy_bounds(policy)
    since = max(dt.datetime.combine(first, dt.time.min, tzinfo=zone), term_start, clock.now())
    until = min(dt.datetime.combine(last + dt.timedelta(days=1), dt.time.min, tzinfo=zone), term_end)
    booked = Booking.objects.filter(slot=OuterRef("pk"), status=BookingStatus.ACTIVE)
    return (
        Slot.objects.filter(doctor=doctor, is_blocked=False, starts_at__gt=since, starts_at__lt=until)
        .exclude(Exists(booked))
        .order_by("starts_at")
    )


@dataclass(frozen=True)
class SlotDay:
    day: dt.date
    slots: list[Slot]


def by_day(slots: QuerySet[Slot] | list[Slot]) -> list[SlotDay]:
    """Slots grouped by their Moscow date, in order."""
    zone = clock.local_zone()
    days: dict[dt.date, list[Slot]] = defaultdict(list)
    for slot in slots:
        days[slot.starts_at.astimezone(zone).date()].append(slot)
    return [SlotDay(day=day, slots=days[day]) for day in sorted(days)]


# --- the clinic clerk -------------------------------------------------------------------------


def _clerk_clinic_id(viewer: User) -> int:
    if viewer.role != Role.CLINIC or viewer.clinic_id is None:
        raise Http404
    return viewer.clinic_id


def clinic_doctors(*, viewer: User) -> QuerySet[Doctor]:
    return (
        Doctor.objects.filter(clinic_id=_clerk_clinic_id(viewer))
        .select_related("specialty")
        .order_by("-is_active", "last_name", "first_name", "pk")
    )


def clinic_doctor(*, viewer: User, doctor_id: int) -> Doctor:
    doctor = clinic_doctors(viewer=viewer).filter(pk=doctor_id).first()
    if doctor is None:
        raise Http404(_("Врач не найден"))
    return doctor


def clinic_slot(*, viewer: User, slot_id: int) -> Slot:
    slot = Slot.objects.filter(pk=slot_id, clinic_id=_clerk_clinic_id(viewer)).select_related("doctor").first()
    if slot is None:
        raise Http404(_("Время приёма не найдено"))
    return slot


def clinic_bookings(*, viewer: User) -> QuerySet[Booking]:
    return (
        Booking.objects.filter(slot__clinic_id=_clerk_clinic_id(viewer))
        .select_related(*BOOKING_RELATED)
        .order_by("slot__starts_at", "pk")
    )


def clinic_booking(*, viewer: User, booking_id: int) -> Booking:
    booking = clinic_bookings(viewer=viewer).filter(pk=booking_id).first()
    if booking is None:
        raise Http404(_("Запись не найдена"))
    return booking


def _day_bounds(first: dt.date, days: int) -> tuple[dt.datetime, dt.datetime]:
    zone = clock.local_zone()
    start = dt.datetime.combine(first, dt.time.min, tzinfo=zone)
    return start, start + dt.timedelta(days=days)


def clinic_bookings_on(*, viewer: User, day: dt.date) -> QuerySet[Booking]:
    """The visits booked into the clinic for a day: active ones, and cancelled ones too, so the
    registry knows who will not come."""
    start, end = _day_bounds(day, 1)
    return clinic_bookings(viewer=viewer).filter(
        slot__starts_at__gte=start, slot__starts_at__lt=end, status__in=[BookingStatus.ACTIVE, BookingStatus.CANCELLED]
    )


@dataclass(frozen=True)
class ScheduleRow:
    slot: Slot
    booking: Booking | None

    @property
    def state(self) -> str:
        if self.booking is not None:
            return "booked"
        return "blocked" if self.slot.is_blocked else "free"

    @property
    def is_past(self) -> bool:
        return self.slot.starts_at <= clock.now()


@dataclass(frozen=True)
class ScheduleDay:
    day: dt.date
    rows: list[ScheduleRow]


def doctor_week(*, viewer: User, doctor: Doctor, week_start: dt.date) -> list[ScheduleDay]:
    """A doctor's week, day by day, each slot with its active booking. Two queries."""
    if doctor.clinic_id != _clerk_clinic_id(viewer):
        raise Http404
    start, end = _day_bounds(week_start, 7)
    slots = list(Slot.objects.filter(doctor=doctor, starts_at__gte=start, starts_at__lt=end).order_by("starts_at"))
    bookings = {
        b.slot_id: b
        for b in Booking.objects.filter(slot__in=slots, status=BookingStatus.ACTIVE).select_related("policy__insured")
    }
    zone = clock.local_zone()
    days: dict[dt.date, list[ScheduleRow]] = {week_start + dt.timedelta(days=i): [] for i in range(7)}
    for slot in slots:
        days[slot.starts_at.astimezone(zone).date()].append(ScheduleRow(slot=slot, booking=bookings.get(slot.pk)))
    return [ScheduleDay(day=day, rows=rows) for day, rows in days.items()]
