"""The steps of the desk's objects (CareEvent) in words, for the staff who read them: the desk on
a request or a letter, the clinic on its letter, the back office on a mode change. One table of
labels for every action the services record. The insured reads their own wording
(insured_selectors.history_of), without the desk's internal notes."""

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from polis.care.models import CareEvent

STEP_LABELS = {
    "created": _("Создано"),
    "take": _("Взято в работу"),
    "approve": _("Согласовано"),
    "approve_partly": _("Согласовано частично"),
    "refuse": _("Отказано"),
    "cancel": _("Отменено"),
    "reopen": _("Возвращено в работу"),
    "extend": _("Срок продлён"),
    "narrow": _("Объём сужен"),
    "receive": _("Получено клиникой"),
    "revoke": _("Отозвано"),
    "expire": _("Срок истёк"),
    "use": _("Использовано: лечение закончено"),
    "expiry_warned": _("Клиника и пульт предупреждены об окончании срока"),
    "send": _("Отправлено в клинику"),
    "match_payment": _("Оплата сопоставлена, полис прикреплён"),
    "installment_paid": _("Очередной взнос поступил, прикрепление продлено"),
    "escalated": _("Подана жалоба на ответ пульта"),
    "escalation_answered": _("Ответ на жалобу"),
    "pass_requested": _("Запрошены данные для пропуска"),
    "pass_submitted": _("Данные для пропуска переданы"),
    "visit_created": _("Записан визит"),
    "visit_confirm": _("Визит состоялся"),
    "visit_report_missed": _("Визит не состоялся"),
    "visit_cancel": _("Визит отменён"),
    "visit_rated": _("Визит оценён"),
}


@dataclass(frozen=True)
class EventLine:
    at: dt.datetime
    label: str
    actor: str  # "" for the system's daily round
    note: str


def event_lines(events: Iterable[CareEvent]) -> list[EventLine]:
    """The events (with their actors loaded) as lines, in the order given."""
    return [
        EventLine(
            at=event.at,
            label=str(STEP_LABELS.get(event.action, event.action)),
            actor=(event.actor.get_full_name() or event.actor.email) if event.actor else "",
            note=event.note,
        )
        for event in events
    ]
