"""A doctor's receiving hours, cut into slots. Times in the file are Moscow's; slots are stored
as aware UTC. A slot that already exists (same doctor, same start) is left untouched, bookings
and all; a row whose slots would overlap an existing slot at another start is rejected whole."""

import bisect
import datetime as dt
from collections.abc import Hashable, Sequence
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from polis import clock, tabular
from polis.jobs.tabular_import import Accepted, Column, Counts, RowRejected, TabularImport
from polis.network.imports.common import clinic_codes, clinic_ids_by_code, unknown_clinic
from polis.network.models import Doctor, Slot
from polis.tabular import Row

DEFAULT_SLOT_MINUTES = 30
MIN_SLOT_MINUTES, MAX_SLOT_MINUTES = 5, 240
# A year ahead is as far as clinics plan; a later date is a typo in the year.
HORIZON_DAYS = 366


@dataclass(frozen=True)
class ScheduleRow:
    doctor_id: int
    clinic_id: int
    day: dt.date
    time_from: dt.time
    time_to: dt.time
    slots: tuple[tuple[dt.datetime, dt.datetime], ...]  # aware UTC, start in the future


class ScheduleImport(TabularImport[ScheduleRow]):
    code = "schedules"
    title = _("Расписания врачей")
    description = _(
        "Часы приёма врачей по датам; каждая строка нарезается на слоты для онлайн-записи. "
        "Время московское. Уже созданные слоты не меняются."
    )
    unit = _("слоты")
    columns = (
        Column("clinic_code", "Код клиники", "Clinic code", aliases=("клиника",), required=True, example="MSK-901"),
        Column("external_id", "Код врача", "Doctor id", aliases=("id врача", "идентификатор врача"), required=True,
               example="D-101"),
        Column("date", "Дата", "Date", aliases=("день",), required=True, help=_("ДД.ММ.ГГГГ, не в прошлом"),
               example="01.12.2026"),
        Column("time_from", "Время с", "Time from", aliases=("начало", "с"), required=True,
               help=_("ЧЧ:ММ, московское"), example="09:00"),
        Column("time_to", "Время по", "Time to", aliases=("окончание", "по", "до"), required=True,
               help=_("ЧЧ:ММ, московское"), example="13:00"),
        Column("slot_minutes", "Длительность слота, мин", "Slot minutes",
               aliases=("слот мин", "длительность приема", "слот"), help=_("от 5 до 240; пусто — 30"), example="30"),
    )  # fmt: skip

    def begin(self, header: tabular.Header) -> None:
        super().begin(header)
        # Intervals of the rows taken so far, per doctor and day: two rows of the file must not overlap.
        self.taken: dict[tuple[int, dt.date], list[tuple[dt.time, dt.time, int]]] = {}

    def prepare(self, rows: Sequence[tuple[int, Row]]) -> None:
        self.clinics = clinic_ids_by_code(clinic_codes(rows))
        ids = {tabular.cell_text(row.get("external_id")) for _, row in rows} - {""}
        self.doctors = {
            (clinic_id, external_id): (pk, is_active)
            for pk, clinic_id, external_id, is_active in Doctor.objects.filter(
                clinic_id__in=list(self.clinics.values()), external_id__in=list(ids)
            ).values_list("pk", "clinic_id", "external_id", "is_active")
        }

    def clean(self, row: Row) -> ScheduleRow:
        clinic_code = self.text(row, "clinic_code")
        external_id = self.text(row, "external_id")
        day = self.parsed(row, "date", tabular.parse_date, code="bad_date")
        time_from = self.parsed(row, "time_from", tabular.parse_time, code="bad_time")
        time_to = self.parsed(row, "time_to", tabular.parse_time, code="bad_time")
        minutes = DEFAULT_SLOT_MINUTES
        if self.has("slot_minutes"):
            minutes = self.parsed(
                row, "slot_minutes", tabular.parse_int, code="bad_slot_minutes", default=DEFAULT_SLOT_MINUTES
            )
        today = clock.today()
        if day < today:
            raise RowRejected("past_date", _("Дата %(d)s уже прошла") % {"d": f"{day:%d.%m.%Y}"})
        if day > today + dt.timedelta(days=HORIZON_DAYS):
            raise RowRejected("too_far", _("Дата %(d)s дальше чем через год: проверьте год") % {"d": f"{day:%d.%m.%Y}"})
        if not (MIN_SLOT_MINUTES <= minutes <= MAX_SLOT_MINUTES):
            raise RowRejected(
                "bad_slot_minutes",
                _("Длительность слота — от %(a)s до %(b)s минут, а указано %(m)s")
                % {"a": MIN_SLOT_MINUTES, "b": MAX_SLOT_MINUTES, "m": minutes},
            )
        if time_to <= time_from:
            raise RowRejected(
                "bad_time_range",
                _("Время «по» (%(b)s) должно быть позже времени «с» (%(a)s)")
                % {"a": f"{time_from:%H:%M}", "b": f"{time_to:%H:%M}"},
            )
        slots = self._slots(day, time_from, time_to, minutes)
        if not slots:
            raise RowRejected(
                "bad_time_range",
                _("С %(a)s по %(b)s не помещается ни одного слота по %(m)s минут")
                % {"a": f"{time_from:%H:%M}", "b": f"{time_to:%H:%M}", "m": minutes},
            )
        clinic_id = self.clinics.get(clinic_code)
        if clinic_id is None:
            raise unknown_clinic(clinic_code)
        doctor = self.doctors.get((clinic_id, external_id))
        if doctor is None:
            raise RowRejected(
                "unknown_doctor",
                _("В клинике «%(c)s» нет врача с кодом «%(d)s»") % {"c": clinic_code, "d": external_id},
            )
        doctor_id, is_active = doctor
        if not is_active:
            raise RowRejected(
                "inactive_doctor", _("Врач с кодом «%(d)s» отмечен как не принимающий") % {"d": external_id}
            )
        future = tuple(s for s in slots if s[0] > clock.now())
        if not future:
            raise RowRejected("past_date", _("Все слоты этой строки уже в прошлом"))
        self._take(doctor_id, day, time_from, time_to, self.row_number)
        return ScheduleRow(doctor_id, clinic_id, day, time_from, time_to, future)

    def _slots(
        self, day: dt.date, time_from: dt.time, time_to: dt.time, minutes: int
    ) -> list[tuple[dt.datetime, dt.datetime]]:
        zone = clock.local_zone()
        start = dt.datetime.combine(day, time_from, tzinfo=zone)
        end = dt.datetime.combine(day, time_to, tzinfo=zone)
        step = dt.timedelta(minutes=minutes)
        slots = []
        while start + step <= end:
            slots.append((start.astimezone(dt.UTC), (start + step).astimezone(dt.UTC)))
            start += step
        return slots

    def _take(self, doctor_id: int, day: dt.date, time_from: dt.time, time_to: dt.time, number: int) -> None:
        taken = self.taken.setdefault((doctor_id, day), [])
        for start, end, other in taken:
            if (start, end) == (time_from, time_to):
                raise RowRejected("duplicate_in_file", _("Строка повторяет строку %(row)s") % {"row": other})
            if start < time_to and time_from < end:
                raise RowRejected(
                    "overlap_in_file",
                    _("Часы приёма пересекаются со строкой %(row)s (%(a)s–%(b)s)")
                    % {"row": other, "a": f"{start:%H:%M}", "b": f"{end:%H:%M}"},
                )
        taken.append((time_from, time_to, number))

    def key(self, item: ScheduleRow) -> Hashable:
        return (item.doctor_id, item.day, item.time_from)

    def save(
        self, items: Sequence[Accepted[ScheduleRow]]
    ) -> tuple[Counts, list[tuple[Accepted[ScheduleRow], RowRejected]]]:
        counts = Counts()
        rejected: list[tuple[Accepted[ScheduleRow], RowRejected]] = []
        existing = self._existing(items)
        new: list[Slot] = []
        for entry in items:
            row = entry.item
            starts, ends = existing.get(row.doctor_id, ([], []))
            to_create = []
            kept = 0
            clash = None
            for start, end in row.slots:
                i = bisect.bisect_left(starts, start)
                if i < len(starts) and starts[i] == start:
                    kept += 1  # the same slot: it stays as it is, bookings and all
                    continue
                # Existing slots of one doctor do not overlap, so only the neighbours can clash.
                if (i > 0 and ends[i - 1] > start) or (i < len(starts) and starts[i] < end):
                    clash = starts[i - 1] if i > 0 and ends[i - 1] > start else starts[i]
                    break
                to_create.append(Slot(doctor_id=row.doctor_id, clinic_id=row.clinic_id, starts_at=start, ends_at=end))
            if clash is not None:
                local = clash.astimezone(clock.local_zone())
                rejected.append(
                    (
                        entry,
                        RowRejected(
                            "slot_overlap",
                            _("Слоты пересекаются с уже созданным слотом врача на %(t)s")
                            % {"t": f"{local:%d.%m.%Y %H:%M}"},
                        ),
                    )
                )
                continue
            new += to_create
            counts.created += len(to_create)
            counts.unchanged += kept
        Slot.objects.bulk_create(new, batch_size=1000)
        return counts, rejected

    def _existing(
        self, items: Sequence[Accepted[ScheduleRow]]
    ) -> dict[int, tuple[list[dt.datetime], list[dt.datetime]]]:
        """One query: the slots of the batch's doctors around the batch's hours, sorted by start."""
        first = min(s[0] for e in items for s in e.item.slots)
        last = max(s[1] for e in items for s in e.item.slots)
        found: dict[int, tuple[list[dt.datetime], list[dt.datetime]]] = {}
        for doctor_id, starts_at, ends_at in (
            Slot.objects.filter(doctor_id__in={e.item.doctor_id for e in items}, starts_at__lt=last, ends_at__gt=first)
            .order_by("doctor_id", "starts_at")
            .values_list("doctor_id", "starts_at", "ends_at")
        ):
            starts, ends = found.setdefault(doctor_id, ([], []))
            starts.append(starts_at)
            ends.append(ends_at)
        return found
