"""What several network imports check the same way: clinic codes, kinds of care, INN."""

from collections.abc import Hashable, Iterable, Sequence
from functools import cache
from typing import Any, TypeVar

from django.db import models
from django.utils.translation import gettext as _

from polis.jobs.tabular_import import Counts, RowRejected
from polis.network.models import Clinic, KindOfCare
from polis.tabular import Row, cell_text, normalize_header

# Kinds of care as people write them: the code, the label, and the short words in the seeds.
_KIND_WORDS: dict[str, tuple[str, ...]] = {
    KindOfCare.OUTPATIENT: ("амбулаторная помощь", "амбулаторно", "амбулаторная", "поликлиника", "апп"),
    KindOfCare.DENTAL: ("стоматологическая помощь", "стоматология", "dentistry"),
    KindOfCare.EMERGENCY: ("скорая помощь", "скорая", "смп", "ambulance"),
    KindOfCare.HOME_CARE: ("помощь на дому", "на дому", "вызов врача на дом", "home"),
    KindOfCare.INPATIENT: ("стационар", "стационарная", "hospital"),
    KindOfCare.TELEMEDICINE: ("телемедицина", "онлайн консультации", "telemed"),
    KindOfCare.CHECKUP: ("чекап", "чек ап", "check up", "checkup"),
}


@cache
def _kind_index() -> dict[str, str]:
    index: dict[str, str] = {}
    for kind in KindOfCare:
        for spelling in (kind.value, str(kind.label), *_KIND_WORDS.get(kind, ())):
            index[normalize_header(spelling)] = kind.value
    return index


def parse_kind(text: str) -> str:
    kind = _kind_index().get(normalize_header(text))
    if kind is None:
        raise RowRejected("unknown_kind", _("Неизвестный вид помощи «%(v)s»") % {"v": text})
    return kind


def parse_kinds(text: str) -> frozenset[str]:
    """«outpatient, dental» or «Стоматология; Помощь на дому» → the codes."""
    parts = [p.strip() for p in text.replace(";", ",").replace("\n", ",").split(",")]
    return frozenset(parse_kind(p) for p in parts if p)


def clinic_codes(rows: Sequence[tuple[int, Row]], column: str = "clinic_code") -> set[str]:
    return {cell_text(row.get(column)) for _, row in rows} - {""}


def clinic_ids_by_code(codes: Iterable[str]) -> dict[str, int]:
    """One query: code → clinic id for the codes a batch mentions."""
    return dict(Clinic.objects.filter(code__in=list(codes)).values_list("code", "pk"))  # type: ignore[arg-type]


def unknown_clinic(code: str) -> RowRejected:
    return RowRejected("unknown_clinic", _("Клиника с кодом «%(code)s» не найдена") % {"code": code})


_INN10 = (2, 4, 10, 3, 5, 9, 4, 6, 8)
_INN12_1 = (7, 2, 4, 10, 3, 5, 9, 4, 6, 8)
_INN12_2 = (3, 7, 2, 4, 10, 3, 5, 9, 4, 6, 8)


def _check_digit(digits: str, weights: tuple[int, ...]) -> int:
    return sum(int(d) * w for d, w in zip(digits, weights, strict=False)) % 11 % 10


def inn_is_valid(inn: str) -> bool:
    """10 digits (an organisation) or 12 (an entrepreneur), with the tax service's check digits."""
    if not inn.isdigit() or not inn.isascii():
        return False
    if len(inn) == 10:
        return _check_digit(inn, _INN10) == int(inn[9])
    if len(inn) == 12:
        return _check_digit(inn, _INN12_1) == int(inn[10]) and _check_digit(inn, _INN12_2) == int(inn[11])
    return False


M = TypeVar("M", bound=models.Model)


def bulk_upsert(
    model: type[M],
    rows: Iterable[tuple[Hashable, dict[str, Any], dict[str, Any]]],
    *,
    existing: dict[Any, M],
) -> Counts:
    """Insert new rows and update changed ones in two statements; an identical row is counted
    as unchanged and not written, so the same file twice writes nothing the second time.

    `rows` yields (key, key fields, other values); `existing` maps keys to the rows already saved.
    """
    counts = Counts()
    new: list[M] = []
    changed: list[M] = []
    changed_fields: set[str] = set()
    for key, key_fields, values in rows:
        current = existing.get(key)
        if current is None:
            new.append(model(**key_fields, **values))
            continue
        fields = [name for name, value in values.items() if getattr(current, name) != value]
        if not fields:
            counts.unchanged += 1
            continue
        for name in fields:
            setattr(current, name, values[name])
        changed.append(current)
        changed_fields.update(fields)
    model._default_manager.bulk_create(new)
    if changed:
        model._default_manager.bulk_update(changed, sorted(changed_fields))
    counts.created += len(new)
    counts.updated += len(changed)
    return counts
