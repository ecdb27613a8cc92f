"""What a clinic clerk does with the desk's letters: confirms a guarantee letter arrived, marks
it used when the treatment under it has ended, confirms an attachment letter arrived. The letter
must have come through a clinic selector (care.clinic_selectors), which took the clerk."""

from typing import TypeVar

from django.db import transaction
from django.utils.translation import gettext as _

from polis import clock
from polis.accounts.models import User
from polis.care import states
from polis.care.models import AttachmentLetter, GuaranteeLetter
from polis.care.states import CareError


class AlreadyReceived(CareError):
    """The letter's receipt was confirmed before: nothing changed, the first confirmation stays."""


def _received_text(what: str, letter: GuaranteeLetter | AttachmentLetter) -> str:
    assert letter.received_at is not None
    when = letter.received_at.astimezone(clock.local_zone()).strftime("%d.%m.%Y %H:%M")
    who = letter.received_by.get_full_name() or letter.received_by.email if letter.received_by else ""
    return (_("%(what)s № %(n)s уже получено %(when)s") % {"what": what, "n": letter.number, "when": when}) + (
        f" ({who})." if who else "."
    )


_Letter = TypeVar("_Letter", GuaranteeLetter, AttachmentLetter)


def _receive(letter: _Letter, *, what: str, clerk: User) -> _Letter:
    """The row is locked while it is checked, so of two clicks the second finds it received and
    says so (AlreadyReceived), keeping the first's time and clerk; the state machine says from
    which statuses a letter can be received at all."""
    with transaction.atomic():
        fresh = type(letter).objects.select_for_update().get(pk=letter.pk)
        if fresh.received_at is not None:
            raise AlreadyReceived(_received_text(what, fresh))
        now = clock.now()
        states.advance(fresh, "receive", actor=clerk, received_at=now, received_by=clerk)
    letter.status, letter.received_at, letter.received_by = fresh.status, now, clerk
    return letter


def letter_receive(*, letter: GuaranteeLetter, clerk: User) -> GuaranteeLetter:
    """Confirm the clinic has the letter (only one the clinic may treat by)."""
    return _receive(letter, what=_("Гарантийное письмо"), clerk=clerk)


def letter_use(*, letter: GuaranteeLetter, clerk: User) -> GuaranteeLetter:
    """The treatment under the letter has ended: the letter is used and cannot be treated by
    again (a new insured event needs a new letter). A second click gets the reason. A letter
    never confirmed as received is confirmed too: treatment under it shows it was in hand."""
    with transaction.atomic():
        if letter.received_at is None:
            try:
                letter_receive(letter=letter, clerk=clerk)
            except AlreadyReceived:
                letter.refresh_from_db(fields=["status", "received_at", "received_by"])
        states.advance(letter, "use", actor=clerk)
    return letter


def attachment_receive(*, attachment: AttachmentLetter, clerk: User) -> AttachmentLetter:
    """Confirm the clinic has the attachment letter: from then on its registry takes the person
    directly. Only a sent letter can be received; twice changes nothing (AlreadyReceived)."""
    return _receive(attachment, what=_("Письмо на прикрепление"), clerk=clerk)
