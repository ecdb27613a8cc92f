"""Clinics of the network, matched by their network code. A column left out of the file
leaves that field as it is; a blank cell clears it (or sets the default for a yes/no)."""

import re
from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator, validate_email
from django.utils.translation import gettext_lazy as _

from polis import tabular
from polis.jobs.tabular_import import Accepted, Column, Counts, RowRejected, TabularImport
from polis.network.imports.common import inn_is_valid, parse_kinds
from polis.network.models import Clinic, ClinicCare, PriceCategory
from polis.tabular import Row

_SIX_PLACES = Decimal("0.000001")
_KPP = re.compile(r"\d{4}[\dA-Z]{2}\d{3}")


@dataclass(frozen=True)
class ClinicRow:
    code: str
    values: dict[str, Any]  # model field → value, only for the columns the file has
    care: frozenset[str] | None  # None: the file has no «Виды помощи» column


class ClinicImport(TabularImport[ClinicRow]):
    code = "clinics"
    title = _("Клиники")
    description = _(
        "Карточки клиник сети: адрес, контакты, ценовая категория, франшиза, виды помощи. "
        "Клиника узнаётся по коду в сети: новая добавляется, существующая обновляется."
    )
    columns = (
        Column("code", "Код клиники", "Clinic code", aliases=("код", "код в сети", "code"), required=True,
               help=_("код клиники в сети страховщика"), example="MSK-901"),
        Column("name", "Название", "Name", aliases=("наименование", "клиника"), required=True,
               example="Клиника «Семейный доктор»"),
        Column("legal_name", "Юридическое название", "Legal name", aliases=("юрлицо", "юр лицо", "юридическое лицо"),
               example="ООО «Семейный доктор»"),
        Column("inn", "ИНН", "INN", help=_("10 или 12 цифр, с верным контрольным числом"), example="7704123450"),
        Column("kpp", "КПП", "KPP", help=_("9 знаков"), example="770401001"),
        Column("city", "Город", "City", required=True, example="Москва"),
        Column("address", "Адрес", "Address", required=True, example="г. Москва, ул. Арбат, д. 12"),
        Column("metro", "Метро", "Metro", aliases=("станция метро",), example="Арбатская"),
        Column("latitude", "Широта", "Latitude", aliases=("lat",), help=_("градусы, вместе с долготой"),
               example="55,751432"),
        Column("longitude", "Долгота", "Longitude", aliases=("lon", "lng"), help=_("градусы, вместе с широтой"),
               example="37,596213"),
        Column("phones", "Телефоны", "Phones", aliases=("телефон", "phone"), help=_("через запятую"),
               example="+7 495 111-22-33, +7 495 111-22-34"),
        Column("website", "Сайт", "Website", aliases=("site", "url"), help=_("можно без https://"),
               example="family-doctor.ru"),
        Column("email", "E-mail", "Email", aliases=("эл почта", "электронная почта", "почта"),
               example="info@family-doctor.ru"),
        Column("opening_hours", "Часы работы", "Opening hours", aliases=("режим работы", "hours"),
               example="пн–пт 8:00–21:00"),
        Column("price_category", "Ценовая категория", "Price category", aliases=("категория",),
               help=_("1, 2 или 3; пусто — 1"), example="2"),
        Column("is_franchise", "Франшиза", "Franchise", aliases=("клиника с франшизой",), help=_("да/нет; пусто — нет"),
               example="нет"),
        Column("has_online_booking", "Онлайн-запись", "Online booking", aliases=("запись онлайн",),
               help=_("да/нет; пусто — нет"), example="да"),
        Column("has_access_control", "Пропускная система", "Access control", aliases=("пропуск",),
               help=_("да/нет; пусто — нет"), example="нет"),
        Column("care", "Виды помощи", "Kinds of care", aliases=("виды медицинской помощи", "care"),
               help=_("коды или названия через запятую; пусто — ни одного"), example="outpatient, Стоматология"),
        Column("is_active", "Активна", "Active", aliases=("работает с нами", "действует"),
               help=_("да/нет; пусто — да"), example="да"),
    )  # fmt: skip

    def prepare(self, rows: Sequence[tuple[int, Row]]) -> None:
        codes = {tabular.cell_text(row.get("code")) for _, row in rows} - {""}
        self.existing = {c.code: c for c in Clinic.objects.filter(code__in=list(codes))}
        self.care: dict[int, dict[str, int]] = {}
        for pk, clinic_id, kind in ClinicCare.objects.filter(clinic__code__in=list(codes)).values_list(
            "pk", "clinic_id", "kind"
        ):
            self.care.setdefault(clinic_id, {})[kind] = pk

    def key(self, item: ClinicRow) -> Hashable:
        return item.code

    def describe_key(self, item: ClinicRow) -> str:
        return _("код клиники «%(code)s»") % {"code": item.code}

    def clean(self, row: Row) -> ClinicRow:
        code = self.text(row, "code", max_length=40)
        values: dict[str, Any] = {}
        for name, length in (
            ("name", 200), ("legal_name", 300), ("city", 100), ("address", 300), ("metro", 200),
            ("phones", 200), ("opening_hours", 200),
        ):  # fmt: skip
            if self.has(name):
                values[name] = " ".join(self.text(row, name, max_length=length).split())
        if self.has("inn"):
            values["inn"] = self._inn(row)
        if self.has("kpp"):
            kpp = self.text(row, "kpp").replace(" ", "").upper()
            if kpp and not _KPP.fullmatch(kpp):
                raise RowRejected("bad_kpp", _("КПП должен содержать 9 знаков, а указано «%(v)s»") % {"v": kpp})
            values["kpp"] = kpp
        values.update(self._coordinates(row))
        if self.has("website"):
            values["website"] = self._website(row)
        if self.has("email"):
            email = self.text(row, "email", max_length=254)
            if email:
                try:
                    validate_email(email)
                except ValidationError:
                    raise RowRejected("bad_email", _("«%(v)s» — не адрес электронной почты") % {"v": email}) from None
            values["email"] = email
        if self.has("price_category"):
            values["price_category"] = self._price_category(row)
        for name, default in (
            ("is_franchise", False), ("has_online_booking", False), ("has_access_control", False), ("is_active", True),
        ):  # fmt: skip
            if self.has(name):
                values[name] = self.parsed(row, name, tabular.parse_bool, code="bad_bool", default=default)
        care = parse_kinds(self.text(row, "care")) if self.has("care") else None
        return ClinicRow(code=code, values=values, care=care)

    def _inn(self, row: Row) -> str:
        inn = self.text(row, "inn").replace(" ", "")
        if not inn:
            return ""
        if len(inn) not in (10, 12) or not inn.isdigit():
            raise RowRejected("bad_inn", _("ИНН должен содержать 10 или 12 цифр, а указано «%(v)s»") % {"v": inn})
        if not inn_is_valid(inn):
            raise RowRejected("bad_inn", _("ИНН «%(v)s» не проходит проверку контрольного числа") % {"v": inn})
        return inn

    def _coordinates(self, row: Row) -> dict[str, Decimal | None]:
        if not (self.has("latitude") or self.has("longitude")):
            return {}
        lat = (
            self.parsed(row, "latitude", tabular.parse_decimal, code="bad_coordinates")
            if self.has("latitude")
            else None
        )
        lon = (
            self.parsed(row, "longitude", tabular.parse_decimal, code="bad_coordinates")
            if self.has("longitude")
            else None
        )
        if (lat is None) != (lon is None):
            raise RowRejected("bad_coordinates", _("Широта и долгота заполняются вместе или не заполняются обе"))
        if lat is not None and lon is not None:
            if not (-90 <= lat <= 90) or not (-180 <= lon <= 180):
                raise RowRejected(
                    "bad_coordinates",
                    _("Координаты %(lat)s, %(lon)s вне земного шара: широта от −90 до 90, долгота от −180 до 180")
                    % {"lat": lat, "lon": lon},
                )
            lat = lat.quantize(_SIX_PLACES, rounding=ROUND_HALF_UP)
            lon = lon.quantize(_SIX_PLACES, rounding=ROUND_HALF_UP)
        return {"latitude": lat, "longitude": lon}

    def _website(self, row: Row) -> str:
        site = self.text(row, "website", max_length=200)
        if not site:
            return ""
        if "://" not in site:
            site = f"https://{site}"
        try:
            URLValidator(schemes=["http", "https"])(site)
        except ValidationError:
            raise RowRejected("bad_url", _("«%(v)s» — не адрес сайта") % {"v": site}) from None
        return site

    def _price_category(self, row: Row) -> int:
        text = self.text(row, "price_category")
        if not text:
            return PriceCategory.FIRST
        match = re.fullmatch(r"([123])(?:[.,]0+)?(?:\s*(?:я|-я)?\s*категори[яи])?", text.casefold())
        if not match:
            raise RowRejected(
                "bad_price_category", _("Ценовая категория — 1, 2 или 3, а указано «%(v)s»") % {"v": text}
            )
        return int(match[1])

    def save(
        self, items: Sequence[Accepted[ClinicRow]]
    ) -> tuple[Counts, list[tuple[Accepted[ClinicRow], RowRejected]]]:
        counts = Counts()
        new: list[tuple[Clinic, ClinicRow]] = []
        changed: list[Clinic] = []
        changed_fields: set[str] = set()
        care_add: list[ClinicCare] = []
        care_remove: list[int] = []
        for entry in items:
            row = entry.item
            clinic = self.existing.get(row.code)
            if clinic is None:
                new.append((Clinic(code=row.code, **row.values), row))
                continue
            fields = [name for name, value in row.values.items() if getattr(clinic, name) != value]
            for name in fields:
                setattr(clinic, name, row.values[name])
            care_changed = False
            if row.care is not None:
                have = self.care.get(clinic.pk, {})
                care_add += [ClinicCare(clinic=clinic, kind=k) for k in sorted(row.care - have.keys())]
                care_remove += [pk for kind, pk in have.items() if kind not in row.care]
                care_changed = row.care != have.keys()
            if fields:
                changed.append(clinic)
                changed_fields.update(fields)
            if fields or care_changed:
                counts.updated += 1
            else:
                counts.unchanged += 1
        if new:
            Clinic.objects.bulk_create([clinic for clinic, _ in new])
            for clinic, row in new:
                self.existing[row.code] = clinic
                care_add += [ClinicCare(clinic=clinic, kind=k) for k in sorted(row.care or ())]
            counts.created += len(new)
        if changed:
            Clinic.objects.bulk_update(changed, sorted(changed_fields))
        if care_remove:
            ClinicCare.objects.filter(pk__in=care_remove).delete()
        if care_add:
            ClinicCare.objects.bulk_create(care_add)
        return counts, []
