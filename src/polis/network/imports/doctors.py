"""Doctors of network clinics, matched by the clinic's code and the clinic's own doctor id."""

from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext_lazy as _

from polis import clock, tabular
from polis.jobs.tabular_import import Accepted, Column, Counts, RowRejected, TabularImport
from polis.network.imports.common import bulk_upsert, clinic_codes, clinic_ids_by_code, unknown_clinic
from polis.network.models import Doctor, Specialty
from polis.tabular import Header, Row, TabularError, normalize_header

EARLIEST_PRACTICE_YEAR = 1940


@dataclass(frozen=True)
class DoctorRow:
    clinic_id: int
    clinic_code: str
    external_id: str
    values: dict[str, Any]


class DoctorImport(TabularImport[DoctorRow]):
    code = "doctors"
    title = _("Врачи")
    description = _(
        "Врачи клиник для онлайн-записи: специальность, стаж, образование. "
        "Врач узнаётся по коду клиники и своему коду в клинике."
    )
    columns = (
        Column("clinic_code", "Код клиники", "Clinic code", aliases=("клиника",), required=True, example="MSK-901"),
        Column("external_id", "Код врача", "Doctor id", aliases=("id врача", "идентификатор врача", "табельный номер"),
               required=True, help=_("код врача в клинике"), example="D-101"),
        Column("full_name", "ФИО", "Full name", aliases=("фамилия имя отчество", "врач"),
               help=_("или три столбца: Фамилия, Имя, Отчество"), example="Орлова Марина Викторовна"),
        Column("last_name", "Фамилия", "Last name", example="Орлова"),
        Column("first_name", "Имя", "First name", example="Марина"),
        Column("patronymic", "Отчество", "Patronymic", aliases=("middle name",), example="Викторовна"),
        Column("specialty", "Специальность", "Specialty", required=True, help=_("код или название"),
               example="Терапевт"),
        Column("practising_since", "Практикует с", "Practising since", aliases=("стаж с", "год начала практики"),
               help=_("год"), example="2008"),
        Column("education", "Образование", "Education", example="РНИМУ им. Н. И. Пирогова, 2006"),
        Column("qualification", "Категория", "Qualification", aliases=("квалификация", "степень"),
               example="Высшая категория, к. м. н."),
        Column("is_active", "Принимает", "Active", aliases=("активен", "работает"), help=_("да/нет; пусто — да"),
               example="да"),
    )  # fmt: skip

    @classmethod
    def check_header(cls, header: Header) -> None:
        super().check_header(header)
        if "full_name" not in header and not ("last_name" in header and "first_name" in header):
            raise TabularError(_("В файле нет столбца «ФИО» (или столбцов «Фамилия» и «Имя»)."))

    def begin(self, header: Header) -> None:
        super().begin(header)
        self.specialties: dict[str, int] = {}
        for pk, code, name in Specialty.objects.values_list("pk", "code", "name"):
            self.specialties[normalize_header(code)] = pk
            self.specialties[normalize_header(name)] = pk

    def prepare(self, rows: Sequence[tuple[int, Row]]) -> None:
        self.clinics = clinic_ids_by_code(clinic_codes(rows))
        ids = {tabular.cell_text(row.get("external_id")) for _, row in rows} - {""}
        self.existing = {
            (d.clinic_id, d.external_id): d
            for d in Doctor.objects.filter(clinic_id__in=list(self.clinics.values()), external_id__in=list(ids))
        }

    def clean(self, row: Row) -> DoctorRow:
        clinic_code = self.text(row, "clinic_code")
        external_id = self.text(row, "external_id", max_length=40)
        values: dict[str, Any] = self._names(row)
        specialty = self.text(row, "specialty")
        specialty_id = self.specialties.get(normalize_header(specialty))
        if specialty_id is None:
            raise RowRejected("unknown_specialty", _("Неизвестная специальность «%(v)s»") % {"v": specialty})
        values["specialty_id"] = specialty_id
        if self.has("practising_since"):
            year = self.parsed(row, "practising_since", tabular.parse_int, code="bad_year")
            if year is not None and not (EARLIEST_PRACTICE_YEAR <= year <= clock.today().year):
                raise RowRejected(
                    "bad_year",
                    _("Год начала практики %(y)s невозможен: от %(a)s до %(b)s")
                    % {"y": year, "a": EARLIEST_PRACTICE_YEAR, "b": clock.today().year},
                )
            values["practising_since"] = year
        if self.has("education"):
            values["education"] = self.text(row, "education", max_length=2000)
        if self.has("qualification"):
            values["qualification"] = " ".join(self.text(row, "qualification", max_length=200).split())
        if self.has("is_active"):
            values["is_active"] = self.parsed(row, "is_active", tabular.parse_bool, code="bad_bool", default=True)
        clinic_id = self.clinics.get(clinic_code)
        if clinic_id is None:
            raise unknown_clinic(clinic_code)
        return DoctorRow(clinic_id=clinic_id, clinic_code=clinic_code, external_id=external_id, values=values)

    def _names(self, row: Row) -> dict[str, str]:
        if self.has("full_name") and self.text(row, "full_name"):
            parts = self.text(row, "full_name").split()
            if len(parts) < 2:
                raise RowRejected(
                    "bad_name", _("В ФИО «%(v)s» нужны хотя бы фамилия и имя") % {"v": self.text(row, "full_name")}
                )
            last, first, patronymic = parts[0], parts[1], " ".join(parts[2:])
        else:
            last = self.text(row, "last_name") if self.has("last_name") else ""
            first = self.text(row, "first_name") if self.has("first_name") else ""
            patronymic = self.text(row, "patronymic") if self.has("patronymic") else ""
            if not last or not first:
                raise RowRejected("missing_field", _("Не заполнено поле «ФИО» (нужны хотя бы фамилия и имя)"))
        if max(len(last), len(first), len(patronymic)) > 100:
            raise RowRejected("too_long", _("Фамилия, имя или отчество длиннее 100 символов"))
        return {"last_name": last, "first_name": first, "patronymic": patronymic}

    def key(self, item: DoctorRow) -> Hashable:
        return (item.clinic_id, item.external_id)

    def describe_key(self, item: DoctorRow) -> str:
        return _("клиника «%(c)s», код врача «%(d)s»") % {"c": item.clinic_code, "d": item.external_id}

    def save(
        self, items: Sequence[Accepted[DoctorRow]]
    ) -> tuple[Counts, list[tuple[Accepted[DoctorRow], RowRejected]]]:
        counts = bulk_upsert(
            Doctor,
            (
                (
                    (e.item.clinic_id, e.item.external_id),
                    {"clinic_id": e.item.clinic_id, "external_id": e.item.external_id},
                    e.item.values,
                )
                for e in items
            ),
            existing=self.existing,
        )
        return counts, []
