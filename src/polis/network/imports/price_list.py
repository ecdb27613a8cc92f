"""Clinics' price lists agreed with the insurer, matched by the clinic's code and its service code."""

import datetime as dt
import re
from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext_lazy as _

from polis import tabular
from polis.coverage.models import ServiceCategory
from polis.jobs.tabular_import import Accepted, Column, Counts, RowRejected, TabularImport
from polis.network.imports.common import bulk_upsert, clinic_codes, clinic_ids_by_code, unknown_clinic
from polis.network.models import PriceListItem
from polis.tabular import Row, normalize_header

# The nomenclature of medical services (приказ Минздрава № 804н): A04.14.001, B01.047.001.001.
_FEDERAL_CODE = re.compile(r"[AB]\d{2}\.\d{2,3}\.\d{3}(\.\d{3})?")
# Russian files often type the nomenclature's Latin A and B in Cyrillic.
_CYRILLIC_LOOKALIKES = str.maketrans({"А": "A", "В": "B", "а": "A", "в": "B"})

_CATEGORY_WORDS: dict[str, tuple[str, ...]] = {
    ServiceCategory.CONSULTATION: ("приемы", "прием врача", "консультации", "консультация"),
    ServiceCategory.DIAGNOSTICS: ("диагностика", "анализы", "лабораторные исследования"),
    ServiceCategory.DENTAL: ("стоматология",),
    ServiceCategory.PROCEDURES: ("процедуры", "лечебные процедуры"),
    ServiceCategory.HOME_VISIT: ("вызов на дом", "помощь на дому"),
    ServiceCategory.EMERGENCY: ("скорая помощь", "неотложная помощь"),
    ServiceCategory.INPATIENT: ("стационарная помощь",),
    ServiceCategory.TELEMEDICINE: ("телемедицинские консультации",),
}
_CATEGORY_INDEX = {
    normalize_header(spelling): category.value
    for category in ServiceCategory
    for spelling in (category.value, str(category.label), *_CATEGORY_WORDS[category])
}


@dataclass(frozen=True)
class PriceRow:
    clinic_id: int
    clinic_code: str
    code: str
    values: dict[str, Any]


class PriceListImport(TabularImport[PriceRow]):
    code = "price_list"
    title = _("Прейскуранты клиник")
    description = _(
        "Согласованные цены услуг клиник. Услуга узнаётся по коду клиники и коду услуги в прейскуранте клиники."
    )
    columns = (
        Column("clinic_code", "Код клиники", "Clinic code", aliases=("клиника",), required=True, example="MSK-901"),
        Column("code", "Код услуги", "Service code", aliases=("код", "артикул"), required=True,
               help=_("код в прейскуранте клиники"), example="1001"),
        Column("federal_code", "Код номенклатуры", "Federal code",
               aliases=("код по номенклатуре", "код минздрава", "номенклатура"),
               help=_("номенклатура медицинских услуг"), example="B01.047.001"),
        Column("name", "Услуга", "Service", aliases=("наименование", "наименование услуги", "название"),
               required=True, example="Приём врача-терапевта первичный"),
        Column("service_category", "Категория услуги", "Category", aliases=("категория",), required=True,
               help=_("код или название категории"), example="Приёмы врачей"),
        Column("price", "Цена", "Price", aliases=("цена руб", "стоимость", "price rub"), required=True,
               help=_("в рублях, запятая или точка"), example="2 500,00"),
        Column("valid_from", "Действует с", "Valid from", aliases=("дата начала",), help=_("ДД.ММ.ГГГГ"),
               example="01.01.2026"),
    )  # fmt: skip

    def prepare(self, rows: Sequence[tuple[int, Row]]) -> None:
        self.clinics = clinic_ids_by_code(clinic_codes(rows))
        codes = {tabular.cell_text(row.get("code")) for _, row in rows} - {""}
        self.existing = {
            (item.clinic_id, item.code): item
            for item in PriceListItem.objects.filter(clinic_id__in=list(self.clinics.values()), code__in=list(codes))
        }

    def clean(self, row: Row) -> PriceRow:
        clinic_code = self.text(row, "clinic_code")
        code = self.text(row, "code", max_length=40)
        values: dict[str, Any] = {
            "name": " ".join(self.text(row, "name", max_length=500).split()),
            "service_category": self._category(row),
            "price_kopecks": self._price(row),
        }
        if self.has("federal_code"):
            federal = self.text(row, "federal_code").replace(" ", "").translate(_CYRILLIC_LOOKALIKES).upper()
            if federal and not _FEDERAL_CODE.fullmatch(federal):
                raise RowRejected(
                    "bad_federal_code",
                    _("Код номенклатуры «%(v)s» не похож на код вида A04.14.001")
                    % {"v": self.text(row, "federal_code")},
                )
            values["federal_code"] = federal
        if self.has("valid_from"):
            valid_from: dt.date | None = self.parsed(row, "valid_from", tabular.parse_date, code="bad_date")
            values["valid_from"] = valid_from
        clinic_id = self.clinics.get(clinic_code)
        if clinic_id is None:
            raise unknown_clinic(clinic_code)
        return PriceRow(clinic_id=clinic_id, clinic_code=clinic_code, code=code, values=values)

    def _category(self, row: Row) -> str:
        text = self.text(row, "service_category")
        category = _CATEGORY_INDEX.get(normalize_header(text))
        if category is None:
            raise RowRejected("unknown_category", _("Неизвестная категория услуги «%(v)s»") % {"v": text})
        return category

    def _price(self, row: Row) -> int:
        kopecks: int = self.parsed(row, "price", tabular.parse_kopecks, code="bad_price")
        if kopecks < 0:
            raise RowRejected("bad_price", _("Цена не может быть отрицательной"))
        return kopecks

    def key(self, item: PriceRow) -> Hashable:
        return (item.clinic_id, item.code)

    def describe_key(self, item: PriceRow) -> str:
        return _("клиника «%(c)s», код услуги «%(s)s»") % {"c": item.clinic_code, "s": item.code}

    def save(self, items: Sequence[Accepted[PriceRow]]) -> tuple[Counts, list[tuple[Accepted[PriceRow], RowRejected]]]:
        counts = bulk_upsert(
            PriceListItem,
            (
                ((e.item.clinic_id, e.item.code), {"clinic_id": e.item.clinic_id, "code": e.item.code}, e.item.values)
                for e in items
            ),
            existing=self.existing,
        )
        return counts, []
