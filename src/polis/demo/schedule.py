"""The demo doctors' schedules: slots for the next two weeks from the day the demo is loaded,
topped up on every later `demo_data` run so that a long-lived demo stays bookable.

A doctor receives on two weekdays a week, a morning (9:00–13:00), an afternoon (14:00–18:00) or
the whole day with lunch from 13:00 to 14:00, Moscow time. Which ones follows from the doctor's
code, not from a random generator, so that a later top-up draws the same week as the first load.
"""

import datetime as dt
import zlib
from dataclasses import dataclass

from django.db.models import QuerySet

from polis import clock
from polis.demo.clinics import CLINIC_CODES
from polis.network.models import Doctor, Slot

DAYS_AHEAD = 14
MORNING = (dt.time(9, 0), dt.time(13, 0))
AFTERNOON = (dt.time(14, 0), dt.time(18, 0))
SHIFTS = ((MORNING,), (AFTERNOON,), (MORNING, AFTERNOON))
# A short visit for the doctors people see most; half an hour for the rest.
SHORT_VISITS = frozenset({"therapist", "gp", "pediatrician", "tele-therapist", "tele-pediatrician"})


@dataclass(frozen=True)
class Week:
    weekdays: frozenset[int]  # 0 = Monday
    shift: tuple[tuple[dt.time, dt.time], ...]
    minutes: int

    def slots(self, day: dt.date) -> list[tuple[dt.datetime, dt.datetime]]:
        """The day's slots as aware UTC datetimes (built in Moscow time)."""
        if day.weekday() not in self.weekdays:
            return []
        zone = clock.local_zone()
        step = dt.timedelta(minutes=self.minutes)
        out = []
        for begin, end in self.shift:
            start = dt.datetime.combine(day, begin, tzinfo=zone)
            finish = dt.datetime.combine(day, end, tzinfo=zone)
            while start + step <= finish:
                out.append((start.astimezone(dt.UTC), (start + step).astimezone(dt.UTC)))
                start += step
        return out


def week_of(doctor: Doctor) -> Week:
    h = zlib.crc32(doctor.external_id.encode())
    first = h % 5
    second = (first + 2 + (h >> 3) % 2) % 5
    minutes = 20 if doctor.specialty.code in SHORT_VISITS else 30
    return Week(weekdays=frozenset({first, second}), shift=SHIFTS[(h >> 5) % 3], minutes=minutes)


def scheduled_doctors() -> QuerySet[Doctor]:
    """The demo's own doctors in clinics with online booking: an imported doctor's schedule is the
    clinic's business, not the demo's."""
    return (
        Doctor.objects.filter(
            is_active=True, clinic__has_online_booking=True, clinic__code__in=list(CLINIC_CODES.values())
        )
        .select_related("specialty", "clinic")
        .order_by("pk")
    )


def top_up_slots(*, days: int = DAYS_AHEAD) -> int:
    """Give every demo doctor their slots for the next `days` days (today included) on the days
    they have none yet; a day that has any is left as it is, so a slot the clinic removed stays
    removed. Returns how many slots were created."""
    now, today = clock.now(), clock.today()
    zone = clock.local_zone()
    window = [today + dt.timedelta(days=i) for i in range(days)]
    doctors = [d for d in scheduled_doctors() if d.external_id.startswith(f"{d.clinic.code}-")]
    window_start = dt.datetime.combine(today, dt.time(0), tzinfo=zone)
    window_end = window_start + dt.timedelta(days=days)
    has_day = {
        (doctor_id, starts_at.astimezone(zone).date())
        for doctor_id, starts_at in Slot.objects.filter(
            doctor__in=[d.pk for d in doctors], starts_at__gte=window_start, starts_at__lt=window_end
        ).values_list("doctor_id", "starts_at")
    }
    new = [
        Slot(doctor=doctor, clinic_id=doctor.clinic_id, starts_at=start, ends_at=end)
        for doctor in doctors
        for week in (week_of(doctor),)
        for day in window
        if (doctor.pk, day) not in has_day
        for start, end in week.slots(day)
        if start > now
    ]
    # Two demo starts at once must not fail on the (doctor, start) unique constraint.
    Slot.objects.bulk_create(new, batch_size=1000, ignore_conflicts=True)
    return len(new)
