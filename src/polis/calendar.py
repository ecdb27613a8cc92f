"""The business (production) calendar: which days are working days in Russia, and the Civil
Code's way of counting periods with them (arts. 191–193).

A day is off if it is a Saturday or Sunday or a holiday of the `holidays` package for Russia
(which already knows the government's transfers of days off), unless a BusinessDayOverride row
says otherwise. The package does not know Saturdays made working by a decree (01.11.2025), and
a region may add its own holidays; the back office records those as overrides, through
`override_set`, when a decree comes out.

Caching. The package's holidays are computed once per year per process. Overrides are read with
one query per year and kept in process memory, but only when read outside a transaction:
inside one the rows may be uncommitted and later rolled back (every test runs so), so there the
rows are read afresh for each call. `override_set` bumps a version on commit so this process
forgets what it cached; other processes (the task worker, other web workers) re-read after
OVERRIDES_TTL seconds — a decree comes out months before the days it moves.
"""

import datetime as dt
import functools
import threading
import time
from collections.abc import Iterator

import holidays
from django.db import transaction

from polis.models import BusinessDayOverride

OVERRIDES_TTL = 60.0
_ONE_DAY = dt.timedelta(days=1)
# No period the project counts comes near this; it stops a loop over a calendar broken by a
# wrong override (e.g. every day of a year made a day off) from running forever.
_SEARCH_LIMIT_DAYS = 3 * 366

_lock = threading.Lock()
_version = 0
_cached: dict[int, tuple[int, float, dict[dt.date, bool]]] = {}  # year -> (version, loaded at, overrides)


class CalendarError(ValueError):
    pass


@functools.lru_cache(maxsize=64)
def _package_holidays(year: int) -> frozenset[dt.date]:
    return frozenset(holidays.country_holidays("RU", years=year))


def preload(*years: int) -> None:
    """Compute the package's holidays for `years` now: the first computation in a process takes
    about a third of a second, which a long job can spend where it waits anyway."""
    for year in years:
        _package_holidays(year)


def _load_overrides(year: int) -> dict[dt.date, bool]:
    rows = BusinessDayOverride.objects.filter(date__year=year).values_list("date", "is_working")
    return dict(rows)


def _in_transaction() -> bool:
    return transaction.get_connection().in_atomic_block


def _overrides(year: int) -> dict[dt.date, bool]:
    if _in_transaction():
        return _load_overrides(year)
    with _lock:
        version = _version
        entry = _cached.get(year)
    if entry is not None and entry[0] == version and time.monotonic() - entry[1] < OVERRIDES_TTL:
        return entry[2]
    loaded = _load_overrides(year)
    with _lock:
        # Stored under the version seen before the query: if an override was committed meanwhile
        # the entry is already stale and the next call reads again.
        _cached[year] = (version, time.monotonic(), loaded)
    return loaded


def invalidate() -> None:
    """Forget the overrides this process cached (the next call reads them from the database)."""
    global _version
    with _lock:
        _version += 1
        _cached.clear()


class _Days:
    """One call's view of the calendar: each year's overrides are read at most once."""

    def __init__(self) -> None:
        self._years: dict[int, dict[dt.date, bool]] = {}

    def is_working(self, day: dt.date) -> bool:
        overrides = self._years.get(day.year)
        if overrides is None:
            overrides = self._years[day.year] = _overrides(day.year)
        override = overrides.get(day)
        if override is not None:
            return override
        return default_is_working(day)

    def after(self, day: dt.date) -> Iterator[dt.date]:
        """Working days strictly after `day`, in order."""
        for _ in range(_SEARCH_LIMIT_DAYS):
            day += _ONE_DAY
            if self.is_working(day):
                yield day
        raise CalendarError(f"Нет рабочих дней в течение {_SEARCH_LIMIT_DAYS} дней после {day:%d.%m.%Y}")


def default_is_working(day: dt.date) -> bool:
    """What the weekday and the `holidays` package say about `day`, ignoring overrides."""
    return day.weekday() < 5 and day not in _package_holidays(day.year)


def is_working_day(day: dt.date) -> bool:
    return _Days().is_working(day)


def next_working_day(day: dt.date) -> dt.date:
    """The first working day strictly after `day`."""
    return next(_Days().after(day))


def working_day_on_or_after(day: dt.date) -> dt.date:
    """`day` if it is a working day, else the next working day (CC art. 193)."""
    days = _Days()
    return day if days.is_working(day) else next(days.after(day))


def add_working_days(start: dt.date, n: int) -> dt.date:
    """The n-th working day after `start`: a period begins the day after the event (CC art. 191),
    so `start` itself never counts. n == 0 gives `start` back."""
    if n < 0:
        raise CalendarError("Число рабочих дней не может быть отрицательным")
    if n == 0:
        return start
    for count, day in enumerate(_Days().after(start), start=1):
        if count == n:
            return day
    raise AssertionError("unreachable: _Days.after either yields or raises")


def working_days_between(first: dt.date, last: dt.date) -> int:
    """Working days in [first, last], both ends included; 0 if last < first."""
    days = _Days()
    count = 0
    day = first
    while day <= last:
        count += days.is_working(day)
        day += _ONE_DAY
    return count


def deadline(*, start: dt.date, days: int, kind: str) -> dt.date:
    """The last day of a period of `days` counted from the event on `start`. kind "working":
    working days; "calendar": calendar days, and a last day that is not a working day moves to the
    next working day (CC art. 193)."""
    if days < 0:
        raise CalendarError("Срок не может быть отрицательным")
    if kind == "working":
        return add_working_days(start, days)
    if kind == "calendar":
        return working_day_on_or_after(start + dt.timedelta(days=days))
    raise CalendarError(f"Неизвестный вид срока: {kind!r}")


def working_days_in_year(year: int) -> int:
    return working_days_between(dt.date(year, 1, 1), dt.date(year, 12, 31))


def override_set(*, date: dt.date, is_working: bool, note: str = "") -> BusinessDayOverride:
    """Record how the production calendar treats `date` (creating or changing its override) and
    make this process see it at once."""
    with transaction.atomic():
        override, _ = BusinessDayOverride.objects.update_or_create(
            date=date, defaults={"is_working": is_working, "note": note}
        )
        transaction.on_commit(invalidate)
    invalidate()
    return override


def override_delete(*, override: BusinessDayOverride) -> None:
    """Remove an override: the day goes back to what the weekday and the package say."""
    with transaction.atomic():
        override.delete()
        transaction.on_commit(invalidate)
    invalidate()
