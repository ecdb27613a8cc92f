"""Which of the desk's numbers to call now.

The back office keeps the hours on DeskContact: round the clock, or from `opens_at` to
`closes_at` on `weekdays`, and then only on working days of the production calendar when
`working_days_only`. Hours are the city's own: read in the contact's `time_zone` (Ekaterinburg's
8:00–20:00 is 6:00–18:00 in Moscow), and so are its weekdays and working days. A window whose
end is not after its start runs past midnight (20:00–08:00 is the night shift)."""

import datetime as dt
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from django.utils.translation import gettext as _

from polis import calendar, clock
from polis.care.models import DeskContact
from polis.coverage.selectors import desk_contacts

# How far ahead to look for the next opening: longer than the New Year holidays with weekends.
_LOOKAHEAD_DAYS = 31


@dataclass(frozen=True)
class DeskNow:
    """The number to call at `at`, and what the person should know about their city's desk."""

    at: dt.datetime  # the moment asked about, in Moscow time
    city: str
    contact: DeskContact | None  # the number to call now; None when nothing is open (no federal 24/7 number set up)
    city_has_desk: bool  # the city has numbers of its own
    city_open: bool  # one of them is open now
    opens_next: dt.datetime | None  # the city's desk is closed: when it opens next (aware)
    opens_next_contact: DeskContact | None
    others: list[DeskContact] = field(default_factory=list)  # the remaining numbers, for reference

    @property
    def is_federal(self) -> bool:
        return self.contact is not None and not self.contact.city

    @property
    def opens_next_text(self) -> str:
        """«23.11.2026 08:00 по местному времени» (or «по московскому»), "" when not closed."""
        if self.opens_next is None or self.opens_next_contact is None:
            return ""
        zone = zone_of(self.opens_next_contact)
        when = self.opens_next.astimezone(zone).strftime("%d.%m.%Y %H:%M")
        if zone.key == clock.local_zone().key:
            return _("%(when)s по московскому времени") % {"when": when}
        return _("%(when)s по местному времени") % {"when": when}


def zone_of(contact: DeskContact) -> ZoneInfo:
    return ZoneInfo(contact.time_zone) if contact.time_zone else clock.local_zone()


def _allowed(contact: DeskContact, day: dt.date) -> bool:
    if str(day.isoweekday()) not in contact.weekdays:
        return False
    return not contact.working_days_only or calendar.is_working_day(day)


def is_open(contact: DeskContact, at: dt.datetime) -> bool:
    """Whether the contact answers at `at` (any aware moment; judged in the contact's zone)."""
    if contact.round_the_clock:
        return True
    opens, closes = contact.opens_at, contact.closes_at
    if opens is None or closes is None:  # the database forbids it; an unsaved row may still lack them
        return False
    local = at.astimezone(zone_of(contact))
    day, time = local.date(), local.time()
    if opens < closes:
        return _allowed(contact, day) and opens <= time < closes
    # Past midnight: the evening belongs to today's shift, the small hours to yesterday's.
    return (_allowed(contact, day) and time >= opens) or (
        _allowed(contact, day - dt.timedelta(days=1)) and time < closes
    )


def next_opening(contact: DeskContact, at: dt.datetime) -> dt.datetime | None:
    """The first moment after `at` when the contact opens (in the contact's zone); None for one
    that never closes or does not open within a month."""
    if contact.round_the_clock or contact.opens_at is None:
        return None
    zone = zone_of(contact)
    local = at.astimezone(zone)
    for offset in range(_LOOKAHEAD_DAYS + 1):
        day = local.date() + dt.timedelta(days=offset)
        if not _allowed(contact, day):
            continue
        opening = dt.datetime.combine(day, contact.opens_at, tzinfo=zone)
        if opening > local:
            return opening
    return None


def _first_open(contacts: list[DeskContact], at: dt.datetime) -> DeskContact | None:
    # Round the clock first: a number that will not close in the middle of the conversation.
    open_now = [c for c in contacts if is_open(c, at)]
    open_now.sort(key=lambda c: (not c.round_the_clock, c.order, c.title))
    return open_now[0] if open_now else None


def desk_now(*, city: str, at: dt.datetime | None = None) -> DeskNow:
    """The number to call now for a person in `city`: the city's own open number (round the
    clock first), else the federal one open now (round the clock first). When the city has a
    desk that is closed, when it opens next."""
    moment = (at or clock.now()).astimezone(clock.local_zone())
    contacts = desk_contacts(city=city)
    own = [c for c in contacts if c.city]
    federal = [c for c in contacts if not c.city]
    chosen = _first_open(own, moment)
    city_open = chosen is not None
    if chosen is None:
        chosen = _first_open(federal, moment)
    opens_next, opens_next_contact = None, None
    if own and not city_open:
        upcoming = [(when, c) for c in own if (when := next_opening(c, moment)) is not None]
        if upcoming:
            opens_next, opens_next_contact = min(upcoming, key=lambda pair: (pair[0], pair[1].order))
    return DeskNow(
        at=moment,
        city=city,
        contact=chosen,
        city_has_desk=bool(own),
        city_open=city_open,
        opens_next=opens_next,
        opens_next_contact=opens_next_contact,
        others=[c for c in contacts if chosen is None or c.pk != chosen.pk],
    )
