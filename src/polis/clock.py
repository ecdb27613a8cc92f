"""The one clock. Code asks here for "now" and "today" so that deadlines do not move with the
server's zone and tests can move time (patch `polis.clock.now`)."""

import datetime as dt
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone


def now() -> dt.datetime:
    """The current moment, aware, in UTC."""
    return timezone.now()


def local_zone() -> ZoneInfo:
    return ZoneInfo(settings.POLIS_DEFAULT_TIMEZONE)


def today() -> dt.date:
    """Today's date in the insurer's zone (Moscow): a policy's term and a person's age are
    judged by the calendar date in Russia, not by UTC."""
    return now().astimezone(local_zone()).date()


def age_on(birth_date: dt.date, on: dt.date) -> int:
    """Full years on a date; a person born on 29 February turns a year older on 1 March."""
    years = on.year - birth_date.year
    if (on.month, on.day) < (birth_date.month, birth_date.day):
        years -= 1
    return years
