"""Which clinics a program sends people to, for which kind of care, and how they get in."""

from collections.abc import Hashable, Sequence
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from polis import tabular
from polis.coverage.models import AccessMode, Contract, Program, ProgramClinic
from polis.jobs.tabular_import import Accepted, Column, Counts, RowRejected, TabularImport
from polis.network.imports.common import clinic_codes, clinic_ids_by_code, parse_kind, unknown_clinic
from polis.tabular import Row, normalize_header

_ACCESS_WORDS: dict[str, tuple[str, ...]] = {
    AccessMode.DESK: ("через пульт", "пульт", "через медицинский пульт", "медицинский пульт", "dispatcher"),
    AccessMode.REGISTRY: ("через регистратуру", "регистратура", "через регистратуру клиники", "прямой доступ"),
    AccessMode.ONLINE: ("онлайн", "онлайн запись", "online booking", "запись онлайн"),
}
_ACCESS_INDEX = {
    normalize_header(spelling): mode.value
    for mode in AccessMode
    for spelling in (mode.value, str(mode.label), *_ACCESS_WORDS[mode])
}


@dataclass(frozen=True)
class ProgramClinicRow:
    program_id: int
    clinic_id: int
    kind: str
    access_mode: str
    label: str  # for messages: «программа P1 договора 12, клиника K-1, стоматология»


class ProgramClinicImport(TabularImport[ProgramClinicRow]):
    code = "program_clinics"
    title = _("Клиники программ")
    description = _(
        "Какие клиники входят в программу страхования, для какого вида помощи и как в них попасть: "
        "через медицинский пульт, через регистратуру клиники или онлайн-записью."
    )
    columns = (
        Column("contract_number", "Номер договора", "Contract number", aliases=("договор",), required=True,
               example="ДМС-0148/26"),
        Column("program_code", "Код программы", "Program code", aliases=("программа",), required=True,
               help=_("код программы в договоре"), example="OPT-F20"),
        Column("clinic_code", "Код клиники", "Clinic code", aliases=("клиника",), required=True, example="MSK-901"),
        Column("kind", "Вид помощи", "Kind of care", aliases=("вид медицинской помощи",), required=True,
               help=_("код или название, один в строке"), example="dental"),
        Column("access_mode", "Порядок доступа", "Access mode", aliases=("доступ", "порядок записи"),
               help=_("через пульт, через регистратуру или онлайн; пусто — через пульт"), example="через регистратуру"),
    )  # fmt: skip

    def prepare(self, rows: Sequence[tuple[int, Row]]) -> None:
        numbers = {tabular.cell_text(row.get("contract_number")) for _, row in rows} - {""}
        self.contracts = set(Contract.objects.filter(number__in=list(numbers)).values_list("number", flat=True))
        self.programs = {
            (number, code): pk
            for pk, number, code in Program.objects.filter(contract__number__in=list(numbers)).values_list(
                "pk", "contract__number", "code"
            )
        }
        self.clinics = clinic_ids_by_code(clinic_codes(rows))
        self.existing = {
            (pc.program_id, pc.clinic_id, pc.kind): pc
            for pc in ProgramClinic.objects.filter(
                program_id__in=list(self.programs.values()), clinic_id__in=list(self.clinics.values())
            ).only("pk", "program_id", "clinic_id", "kind", "access_mode")
        }

    def clean(self, row: Row) -> ProgramClinicRow:
        number = self.text(row, "contract_number")
        program_code = self.text(row, "program_code")
        clinic_code = self.text(row, "clinic_code")
        kind = parse_kind(self.text(row, "kind"))
        mode_text = self.text(row, "access_mode") if self.has("access_mode") else ""
        access_mode = _ACCESS_INDEX.get(normalize_header(mode_text)) if mode_text else AccessMode.DESK.value
        if access_mode is None:
            raise RowRejected(
                "unknown_access_mode",
                _("Неизвестный порядок доступа «%(v)s»: «через пульт», «через регистратуру» или «онлайн»")
                % {"v": mode_text},
            )
        if number not in self.contracts:
            raise RowRejected("unknown_contract", _("Договор № %(n)s не найден") % {"n": number})
        program_id = self.programs.get((number, program_code))
        if program_id is None:
            raise RowRejected(
                "unknown_program",
                _("В договоре № %(n)s нет программы с кодом «%(code)s»") % {"n": number, "code": program_code},
            )
        clinic_id = self.clinics.get(clinic_code)
        if clinic_id is None:
            raise unknown_clinic(clinic_code)
        return ProgramClinicRow(
            program_id=program_id,
            clinic_id=clinic_id,
            kind=kind,
            access_mode=access_mode,
            label=f"{number} / {program_code} / {clinic_code} / {kind}",
        )

    def key(self, item: ProgramClinicRow) -> Hashable:
        return (item.program_id, item.clinic_id, item.kind)

    def describe_key(self, item: ProgramClinicRow) -> str:
        return _("договор / программа / клиника / вид помощи: %(label)s") % {"label": item.label}

    def save(
        self, items: Sequence[Accepted[ProgramClinicRow]]
    ) -> tuple[Counts, list[tuple[Accepted[ProgramClinicRow], RowRejected]]]:
        counts = Counts()
        new: list[ProgramClinic] = []
        changed: list[ProgramClinic] = []
        for entry in items:
            row = entry.item
            existing = self.existing.get(self.key(row))  # type: ignore[call-overload]
            if existing is None:
                new.append(
                    ProgramClinic(
                        program_id=row.program_id, clinic_id=row.clinic_id, kind=row.kind, access_mode=row.access_mode
                    )
                )
            elif existing.access_mode != row.access_mode:
                existing.access_mode = row.access_mode
                changed.append(existing)
            else:
                counts.unchanged += 1
        ProgramClinic.objects.bulk_create(new)
        ProgramClinic.objects.bulk_update(changed, ["access_mode"])
        counts.created += len(new)
        counts.updated += len(changed)
        return counts, []
