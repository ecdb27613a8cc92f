"""What the registry pages read, always starting from the viewer: a clinic clerk sees the own
clinic's registries only, the back office every registry, anyone else none. Another clinic's
registry is "not found", never "forbidden": whether it exists is not told."""

import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.core.exceptions import FieldDoesNotExist
from django.db.models import Count, F, Q, QuerySet, Sum
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _

from polis.accounts.models import Role, User
from polis.billing.models import (
    Dispute,
    DisputeKind,
    DisputeStatus,
    LineStatus,
    Registry,
    RegistryLine,
    RegistryStatus,
    RejectReason,
)
from polis.coverage.models import ServiceCategory
from polis.money import format_rub
from polis.network.models import Clinic

# Registries whose work is not over: their pages poll for progress.
RUNNING = frozenset({RegistryStatus.QUEUED, RegistryStatus.PROCESSING})


def registries_visible(*, viewer: User) -> QuerySet[Registry]:
    registries = Registry.objects.select_related("clinic", "job", "uploaded_by")
    if viewer.role == Role.BACKOFFICE:
        return registries
    if viewer.role == Role.CLINIC and viewer.clinic_id is not None:
        return registries.filter(clinic_id=viewer.clinic_id)
    return registries.none()


def registry_get(*, viewer: User, registry_id: int) -> Registry:
    """The registry, or 404 when it is not the viewer's to see."""
    return get_object_or_404(registries_visible(viewer=viewer), pk=registry_id)


def clinics_for_upload(*, viewer: User) -> QuerySet[Clinic]:
    """The clinics the viewer may upload a registry for: the back office any, a clerk the own one."""
    if viewer.role == Role.BACKOFFICE:
        return Clinic.objects.order_by("name", "pk")
    if viewer.role == Role.CLINIC and viewer.clinic_id is not None:
        return Clinic.objects.filter(pk=viewer.clinic_id)
    return Clinic.objects.none()


def _words_q(text: str, fields: tuple[str, ...]) -> Q:
    """Every word in one of the fields. SQLite's LIKE ignores case for Latin letters only, so
    the usual spellings of a Cyrillic word are tried too."""
    condition = Q()
    for word in text.split()[:6]:
        any_field = Q()
        for spelling in {word, word.lower(), word.capitalize(), word.upper()}:
            for name in fields:
                any_field |= Q(**{f"{name}__icontains": spelling})
        condition &= any_field
    return condition


def registries_list(
    *, viewer: User, clinic_query: str = "", period: dt.date | None = None, status: str = ""
) -> QuerySet[Registry]:
    registries = registries_visible(viewer=viewer)
    if clinic_query:
        registries = registries.filter(
            _words_q(clinic_query, ("clinic__name",))
            | Q(clinic__code__iexact=clinic_query)
            | Q(clinic__inn=clinic_query)
        )
    if period is not None:
        registries = registries.filter(period=period)
    if status:
        registries = registries.filter(status=status)
    return registries.order_by("-uploaded_at", "-pk")


def rejected_lines(*, viewer: User, registry: Registry, reason: str = "") -> QuerySet[RegistryLine]:
    # The registry came through registry_get for this viewer; checked again so no caller can skip it.
    registry_get(viewer=viewer, registry_id=registry.pk)
    lines = RegistryLine.objects.filter(registry_id=registry.pk, status=LineStatus.REJECTED)
    if reason:
        lines = lines.filter(reason=reason)
    return lines.order_by("line_no")


@dataclass(frozen=True)
class ReasonCount:
    code: str
    label: str
    count: int


def reject_reason_counts(*, viewer: User, registry: Registry) -> list[ReasonCount]:
    """How many lines each reason rejected, the most frequent first."""
    rows = (
        rejected_lines(viewer=viewer, registry=registry)
        .order_by()
        .values("reason")
        .annotate(count=Count("pk"))
        .order_by("-count", "reason")
    )
    return [ReasonCount(code=r["reason"], label=reason_label(r["reason"]), count=r["count"]) for r in rows]


def reason_label(code: str) -> str:
    if code in RejectReason.values:
        return str(RejectReason(code).label)
    return code or _("Причина не указана")


@dataclass(frozen=True)
class CategoryTotal:
    category: str
    label: str
    lines: int
    sum_kopecks: int
    copay_kopecks: int


def accepted_by_category(*, viewer: User, registry: Registry) -> list[CategoryTotal]:
    """The accepted lines summed per service category, in the categories' own order."""
    registry_get(viewer=viewer, registry_id=registry.pk)
    rows = (
        RegistryLine.objects.filter(registry_id=registry.pk, status=LineStatus.ACCEPTED)
        .order_by()
        .values("category")
        .annotate(lines=Count("pk"), cost=Sum("sum_kopecks"), copay=Sum("copay_kopecks"))
    )
    order = {value: position for position, value in enumerate(ServiceCategory.values)}
    totals = [
        CategoryTotal(
            category=row["category"],
            label=str(ServiceCategory(row["category"]).label)
            if row["category"] in order
            else row["category"] or _("Без категории"),
            lines=row["lines"],
            sum_kopecks=row["cost"] or 0,
            copay_kopecks=row["copay"] or 0,
        )
        for row in rows
    ]
    return sorted(totals, key=lambda t: (order.get(t.category, len(order)), t.category))


# ── «Что изменилось» in a corrected version ─────────────────────────────────────────────────

CHANGE_LIMIT = 200


@dataclass(frozen=True)
class ChangedLine:
    line_no: str
    text: str


@dataclass(frozen=True)
class ChangeGroup:
    key: str
    label: str
    count: int
    lines: list[ChangedLine]

    @property
    def more(self) -> int:
        return max(0, self.count - len(self.lines))

    @property
    def numbers_only(self) -> bool:
        """Only line numbers are known: the page lists them in one line."""
        return not any(line.text for line in self.lines)


def _change_labels() -> dict[str, str]:
    return {
        "added": _("Добавлены строки"),
        "removed": _("Удалены строки"),
        "changed": _("Изменены строки"),
    }


def _field_label(name: str) -> str:
    try:
        field = RegistryLine._meta.get_field(name)
    except FieldDoesNotExist:
        return name
    return str(getattr(field, "verbose_name", name))


def _value_text(name: str, value: Any) -> str:
    if isinstance(value, bool) or value is None:
        return "—" if value is None else (_("да") if value else _("нет"))
    if name.endswith("_kopecks") and isinstance(value, int):
        return format_rub(value)
    if name == "reason" and isinstance(value, str):
        return reason_label(value)
    if isinstance(value, dict):
        return ", ".join(f"{_field_label(k)}: {_value_text(k, v)}" for k, v in value.items())
    if isinstance(value, list):
        return ", ".join(_value_text(name, v) for v in value)
    return str(value)


def _changed_line(item: Any) -> ChangedLine:
    if not isinstance(item, dict):
        return ChangedLine(line_no=str(item), text="")
    rest = {k: v for k, v in item.items() if k not in {"line_no", "line"}}
    number = item.get("line_no", item.get("line", ""))
    before, after = rest.pop("before", None), rest.pop("after", None)
    parts = [f"{_field_label(k)}: {_value_text(k, v)}" for k, v in rest.items()]
    if isinstance(before, dict) and isinstance(after, dict):
        for name in dict.fromkeys([*before, *after]):
            parts.append(
                _("%(field)s: было %(before)s, стало %(after)s")
                % {
                    "field": _field_label(name),
                    "before": _value_text(name, before.get(name)),
                    "after": _value_text(name, after.get(name)),
                }
            )
    return ChangedLine(line_no=str(number), text="; ".join(parts))


def registry_changes(registry: Registry) -> list[ChangeGroup]:
    """What a corrected version changed, read defensively from `registry.changes`: each group may
    be {"count": n, "lines": [...]}, a bare list, or just a number; a line may be its number or a
    dict of its fields. Anything else is left out rather than failing the page."""
    changes = registry.changes if isinstance(registry.changes, dict) else {}
    groups = []
    for key, label in _change_labels().items():
        value = changes.get(key)
        items: list[Any] = []
        if isinstance(value, dict):
            raw_items = value.get("lines")
            items = raw_items if isinstance(raw_items, list) else []
            count = value.get("count")
            count = count if isinstance(count, int) and not isinstance(count, bool) else len(items)
        elif isinstance(value, list):
            items, count = value, len(value)
        elif isinstance(value, int) and not isinstance(value, bool):
            count = value
        else:
            continue
        lines = [_changed_line(item) for item in items[:CHANGE_LIMIT]]
        groups.append(ChangeGroup(key=key, label=label, count=max(count, len(lines)), lines=lines))
    return groups


# ── «Сигналы о неоказанных услугах» ─────────────────────────────────────────────────────────


@dataclass(frozen=True)
class ClinicSignal:
    clinic: Clinic
    total: int
    open: int
    upheld: int
    accepted_lines: int

    @property
    def share_percent(self) -> Decimal | None:
        """Reports per 100 accepted lines, two decimals; None when the clinic has no accepted lines."""
        if not self.accepted_lines:
            return None
        return (Decimal(self.total * 100) / self.accepted_lines).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def not_provided_counts(*, viewer: User) -> QuerySet[Any, Any]:
    """Per clinic (as `clinic_id`): reports of a service not provided — all, open, upheld; the
    clinics with most reports first. A values() queryset, to be paged and then `signals_for`."""
    disputes = Dispute.objects.filter(kind=DisputeKind.NOT_PROVIDED)
    if viewer.role != Role.BACKOFFICE:
        disputes = disputes.none()
    return (
        disputes.order_by()
        .values(clinic_id=F("line__registry__clinic_id"))
        .annotate(
            total=Count("pk"),
            open=Count("pk", filter=Q(status=DisputeStatus.OPEN)),
            upheld=Count("pk", filter=Q(status=DisputeStatus.UPHELD)),
        )
        .order_by("-total", "clinic_id")
    )


def signals_for(rows: list[dict[str, Any]]) -> list[ClinicSignal]:
    """A page of `not_provided_counts` with its clinics and their accepted lines (lines of
    registries replaced by a corrected version do not count)."""
    ids = [row["clinic_id"] for row in rows]
    clinics = Clinic.objects.in_bulk(ids)
    accepted = dict(
        Registry.objects.filter(clinic_id__in=ids)
        .exclude(status=RegistryStatus.REPLACED)
        .order_by()
        .values("clinic_id")
        .annotate(accepted=Sum("lines_accepted"))
        .values_list("clinic_id", "accepted")
    )
    return [
        ClinicSignal(
            clinic=clinics[row["clinic_id"]],
            total=row["total"],
            open=row["open"],
            upheld=row["upheld"],
            accepted_lines=accepted.get(row["clinic_id"]) or 0,
        )
        for row in rows
        if row["clinic_id"] in clinics
    ]
