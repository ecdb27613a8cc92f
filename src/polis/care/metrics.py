"""How fast the desk answers today: the median time from a request to the desk's first answer
(approved or refused) and the share answered within the target for its urgency
(settings.DESK_ANSWER_TARGET_MINUTES), per urgency and overall. "Today" is the Moscow day."""

import datetime as dt
import statistics
from dataclasses import dataclass

from django.conf import settings
from django.utils.translation import gettext as _

from polis import clock
from polis.accounts.models import Role, User
from polis.care.models import CareRequest, Urgency


@dataclass(frozen=True)
class AnswerStats:
    label: str
    answered: int
    median_minutes: int | None  # rounded to the minute; None when nothing was answered
    within_target: int
    target_minutes: int | None  # None for the overall line: each request has its urgency's target

    @property
    def share_percent(self) -> int | None:
        if not self.answered:
            return None
        return round(100 * self.within_target / self.answered)


def target_minutes(urgency: str) -> int:
    return int(settings.DESK_ANSWER_TARGET_MINUTES[urgency])


def today_bounds(day: dt.date | None = None) -> tuple[dt.datetime, dt.datetime]:
    """00:00 to 24:00 of the Moscow day, aware."""
    day = day or clock.today()
    start = dt.datetime.combine(day, dt.time.min, tzinfo=clock.local_zone())
    return start, start + dt.timedelta(days=1)


def _stats(label: str, rows: list[tuple[str, dt.timedelta]], target: int | None) -> AnswerStats:
    seconds = [wait.total_seconds() for _, wait in rows]
    median = statistics.median(seconds) if seconds else None
    within = sum(1 for urgency, wait in rows if wait <= dt.timedelta(minutes=target_minutes(urgency)))
    return AnswerStats(
        label=label,
        answered=len(rows),
        median_minutes=round(median / 60) if median is not None else None,
        within_target=within,
        target_minutes=target,
    )


def answer_stats_today(*, viewer: User, day: dt.date | None = None) -> list[AnswerStats]:
    """One line per urgency (urgent first), then the overall one. Empty for anyone not of the desk."""
    if viewer.role != Role.DESK:
        return []
    start, end = today_bounds(day)
    answered = CareRequest.objects.filter(answered_at__gte=start, answered_at__lt=end).values_list(
        "urgency", "created_at", "answered_at"
    )
    rows = [(urgency, answered_at - created_at) for urgency, created_at, answered_at in answered if answered_at]
    lines = [
        _stats(str(urgency.label), [r for r in rows if r[0] == urgency], target_minutes(urgency)) for urgency in Urgency
    ]
    lines.append(_stats(_("Всего"), rows, None))
    return lines
