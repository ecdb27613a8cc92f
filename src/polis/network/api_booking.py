"""Online booking for the mobile app: the same selectors and services as the web pages, so the
same scoping and the same refusals (a JSON `detail` in Russian)."""

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from http import HTTPStatus

from django.http import HttpRequest
from ninja import Router, Schema, Status

from polis.accounts.models import User
from polis.api.auth import request_user
from polis.api.errors import ApiError
from polis.coverage.selectors import policy_for_user
from polis.network import booking_selectors as sel
from polis.network.api_directory import KindAccessOut
from polis.network.booking import TAKEN, BookingError, booking_cancel, booking_create, booking_reschedule
from polis.network.models import Booking, Doctor, Slot

booking_router = Router()
MAX_SLOT_DAYS = 31


class ClinicOut(Schema):
    id: int
    name: str
    address: str
    metro: str
    phones: list[str]


class DoctorOut(Schema):
    id: int
    full_name: str
    specialty_id: int
    specialty: str
    experience_years: int | None
    education: str
    qualification: str


class SlotOut(Schema):
    id: int
    doctor_id: int
    starts_at: dt.datetime
    ends_at: dt.datetime


class BookingOut(Schema):
    id: int
    status: str
    status_label: str
    policy_id: int
    policy_number: str
    patient: str
    slot: SlotOut
    doctor: DoctorOut
    clinic: ClinicOut
    cancelled_by_clinic: bool
    cancel_reason: str
    rescheduled_to_id: int | None
    can_cancel: bool


class SpecialtyOut(Schema):
    id: int
    code: str
    name: str
    kind: str
    doctors: list[DoctorOut]


class OptionsOut(Schema):
    clinic: ClinicOut
    policy_id: int
    online_allowed: bool
    summary: str
    kinds: list[KindAccessOut]
    specialties: list[SpecialtyOut]


class BookIn(Schema):
    policy_id: int
    slot_id: int


class RescheduleIn(Schema):
    slot_id: int


@contextmanager
def _refusals() -> Iterator[None]:
    try:
        yield
    except BookingError as refusal:
        if refusal.message == str(TAKEN):
            raise ApiError(refusal.message, code="slot_taken", status=HTTPStatus.CONFLICT) from None
        raise ApiError(refusal.message, code="booking_refused", status=HTTPStatus.CONFLICT) from None


def _doctor(doctor: Doctor) -> dict:
    return {
        "id": doctor.pk,
        "full_name": doctor.full_name,
        "specialty_id": doctor.specialty_id,
        "specialty": doctor.specialty.name,
        "experience_years": doctor.experience_years,
        "education": doctor.education,
        "qualification": doctor.qualification,
    }


def _slot(slot: Slot) -> dict:
    return {"id": slot.pk, "doctor_id": slot.doctor_id, "starts_at": slot.starts_at, "ends_at": slot.ends_at}


def _booking(booking: Booking, *, upcoming: bool) -> dict:
    clinic = booking.slot.clinic
    return {
        "id": booking.pk,
        "status": booking.status,
        "status_label": str(booking.get_status_display()),
        "policy_id": booking.policy_id,
        "policy_number": booking.policy.number,
        "patient": booking.policy.insured.full_name,
        "slot": _slot(booking.slot),
        "doctor": _doctor(booking.slot.doctor),
        "clinic": {
            "id": clinic.pk,
            "name": clinic.name,
            "address": clinic.address,
            "metro": clinic.metro,
            "phones": clinic.phone_list,
        },
        "cancelled_by_clinic": booking.cancelled_by_clinic,
        "cancel_reason": booking.cancel_reason,
        "rescheduled_to_id": booking.rescheduled_to_id,
        "can_cancel": upcoming,
    }


def _one(user: User, booking_id: int) -> dict:
    booking = sel.booking_for_user(user=user, booking_id=booking_id)
    upcoming = sel.upcoming_bookings_for_user(user=user).filter(pk=booking_id).exists()
    return _booking(booking, upcoming=upcoming)


@booking_router.get("", response=list[BookingOut], summary="Мои записи и записи родственников")
def list_bookings(request: HttpRequest) -> list[dict]:
    """Upcoming active visits first (soonest first), then past, cancelled and moved ones."""
    user = request_user(request)
    upcoming = [_booking(b, upcoming=True) for b in sel.upcoming_bookings_for_user(user=user)]
    return upcoming + [_booking(b, upcoming=False) for b in sel.past_bookings_for_user(user=user)[:100]]


@booking_router.get("/options", response=OptionsOut, summary="Что можно записать онлайн в клинике")
def options(request: HttpRequest, clinic_id: int, policy_id: int) -> dict:
    """How this person gets into the clinic for each kind of care, and the specialties and
    doctors open for online booking. Where none are, `kinds[].reason` and `phone` say what to do."""
    policy = policy_for_user(user=request_user(request), policy_id=policy_id)
    found = sel.booking_options(policy=policy, clinic=sel.clinic_for_booking(clinic_id=clinic_id))
    clinic = found.access.clinic
    return {
        "clinic": {
            "id": clinic.pk,
            "name": clinic.name,
            "address": clinic.address,
            "metro": clinic.metro,
            "phones": clinic.phone_list,
        },
        "policy_id": policy.pk,
        "online_allowed": bool(found.specialties),
        "summary": found.access.summary,
        "kinds": [vars(k) for k in found.access.kinds],
        "specialties": [
            {
                "id": o.specialty.pk,
                "code": o.specialty.code,
                "name": o.specialty.name,
                "kind": o.specialty.kind,
                "doctors": [_doctor(d) for d in o.doctors],
            }
            for o in found.specialties
        ],
    }


@booking_router.get("/slots", response=list[SlotOut], summary="Свободное время врача")
def slots(
    request: HttpRequest,
    doctor_id: int,
    policy_id: int,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
) -> list[dict]:
    """Free times of a doctor open online for this person, within the policy's term; by default
    the next 14 days, at most 31 at once. Times are UTC (ISO 8601); show them in Moscow time."""
    policy = policy_for_user(user=request_user(request), policy_id=policy_id)
    doctor, _ = sel.bookable_doctor(policy=policy, doctor_id=doctor_id)
    if date_from and date_to:
        if date_to < date_from:
            raise ApiError("Дата окончания раньше даты начала", code="invalid_range")
        if (date_to - date_from).days >= MAX_SLOT_DAYS:
            raise ApiError(f"Не больше {MAX_SLOT_DAYS} дней за один запрос", code="invalid_range")
    if date_from and not date_to:
        date_to = date_from + dt.timedelta(days=sel.SLOT_DAYS - 1)
    return [_slot(s) for s in sel.free_slots(policy=policy, doctor=doctor, date_from=date_from, date_to=date_to)]


@booking_router.post("", response={201: BookingOut}, summary="Записаться на приём")
def create(request: HttpRequest, payload: BookIn) -> Status[dict]:
    """Pressing twice books once (the same booking comes back). A time someone else has just
    taken answers 409 with code `slot_taken`; other refusals 409 `booking_refused`."""
    user = request_user(request)
    with _refusals():
        booking = booking_create(user=user, policy_id=payload.policy_id, slot_id=payload.slot_id)
    return Status(201, _one(user, booking.pk))


@booking_router.post("/{booking_id}/cancel", response=BookingOut, summary="Отменить запись")
def cancel(request: HttpRequest, booking_id: int) -> dict:
    """Own or a relative's future visit. Cancelling a cancelled booking changes nothing."""
    user = request_user(request)
    with _refusals():
        booking_cancel(user=user, booking_id=booking_id)
    return _one(user, booking_id)


@booking_router.post("/{booking_id}/reschedule", response={201: BookingOut}, summary="Перенести запись")
def reschedule(request: HttpRequest, booking_id: int, payload: RescheduleIn) -> Status[dict]:
    """To another time of the same doctor: returns the new booking; the old one becomes
    `rescheduled`. If the new time is taken, the old booking stays as it was."""
    user = request_user(request)
    with _refusals():
        new = booking_reschedule(user=user, booking_id=booking_id, new_slot_id=payload.slot_id)
    return Status(201, _one(user, new.pk))
