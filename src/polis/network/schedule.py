"""The clinic's side of the schedule: opening reception times for a doctor, closing and
reopening one. Cancelling a booked visit is booking.clinic_booking_cancel (the person is told)."""

import datetime as dt

from django.db import transaction
from django.utils.translation import gettext as _

from polis import clock
from polis.accounts.models import User
from polis.network.booking import BookingError
from polis.network.booking_selectors import clinic_doctor, clinic_slot
from polis.network.models import Booking, BookingStatus, Slot

SCHEDULE_DAYS_AHEAD = 90


@transaction.atomic
def slots_generate(
    *,
    clerk: User,
    doctor_id: int,
    date_from: dt.date,
    date_to: dt.date,
    weekdays: set[int],
    time_from: dt.time,
    time_to: dt.time,
    minutes: int,
) -> int:
    """Open reception times for a doctor: every `minutes` from `time_from` to `time_to` (Moscow)
    on the chosen weekdays (0 = Monday). Existing slots stay as they are; a new one that would
    overlap them is skipped, so running it twice adds nothing. Returns how many were added."""
    doctor = clinic_doctor(viewer=clerk, doctor_id=doctor_id)
    today = clock.today()
    if date_to < date_from:
        raise BookingError(_("Дата окончания раньше даты начала."))
    if date_from < today:
        raise BookingError(_("Нельзя открыть запись на прошедшие дни."))
    if date_to > today + dt.timedelta(days=SCHEDULE_DAYS_AHEAD):
        raise BookingError(_("Расписание открывается не больше чем на %(n)s дней вперёд.") % {"n": SCHEDULE_DAYS_AHEAD})
    if not 5 <= minutes <= 240:
        raise BookingError(_("Длительность приёма — от 5 до 240 минут."))
    if time_to <= time_from:
        raise BookingError(_("Время окончания приёма должно быть позже начала."))
    if not weekdays:
        raise BookingError(_("Выберите хотя бы один день недели."))
    zone, now = clock.local_zone(), clock.now()
    step = dt.timedelta(minutes=minutes)
    wanted: list[tuple[dt.datetime, dt.datetime]] = []
    day = date_from
    while day <= date_to:
        if day.weekday() in weekdays:
            start = dt.datetime.combine(day, time_from, tzinfo=zone)
            end_of_day = dt.datetime.combine(day, time_to, tzinfo=zone)
            while start + step <= end_of_day:
                if start > now:
                    wanted.append((start.astimezone(dt.UTC), (start + step).astimezone(dt.UTC)))
                start += step
        day += dt.timedelta(days=1)
    if not wanted:
        return 0
    existing = list(
        Slot.objects.filter(doctor=doctor, starts_at__lt=wanted[-1][1], ends_at__gt=wanted[0][0]).values_list(
            "starts_at", "ends_at"
        )
    )
    new = [
        Slot(doctor=doctor, clinic_id=doctor.clinic_id, starts_at=start, ends_at=end)
        for start, end in wanted
        if not any(s < end and start < e for s, e in existing)
    ]
    # ignore_conflicts: a second «Создать» pressed at the same moment adds nothing twice.
    Slot.objects.bulk_create(new, ignore_conflicts=True)
    return len(new)


@transaction.atomic
def slot_block(*, clerk: User, slot_id: int) -> Slot:
    """Close a time for booking. A booked time is closed only after its booking is cancelled,
    so nobody learns of a cancellation from a closed slot."""
    slot = _clerk_slot(clerk, slot_id)
    if slot.starts_at <= clock.now():
        raise BookingError(_("Это время уже прошло."))
    if Booking.objects.filter(slot=slot, status=BookingStatus.ACTIVE).exists():
        raise BookingError(_("На это время записан пациент: сначала отмените запись с указанием причины."))
    Slot.objects.filter(pk=slot.pk).update(is_blocked=True)
    slot.is_blocked = True
    return slot


@transaction.atomic
def slot_unblock(*, clerk: User, slot_id: int) -> Slot:
    slot = _clerk_slot(clerk, slot_id)
    if slot.starts_at <= clock.now():
        raise BookingError(_("Это время уже прошло."))
    Slot.objects.filter(pk=slot.pk).update(is_blocked=False)
    slot.is_blocked = False
    return slot


def _clerk_slot(clerk: User, slot_id: int) -> Slot:
    slot = clinic_slot(viewer=clerk, slot_id=slot_id)
    # Locked: a booking being made for this slot waits, and then sees it closed.
    return Slot.objects.select_for_update().get(pk=slot.pk)
