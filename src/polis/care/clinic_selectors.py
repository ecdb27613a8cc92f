"""What a clinic clerk reads of the desk's work: the guarantee letters and attachment letters
addressed to the clerk's own clinic, and the pass data the insured sent for it. Another
clinic's letter is simply not found (404), whoever asks."""

import datetime as dt
from typing import TypeVar

from django.conf import settings
from django.db.models import Q, QuerySet
from django.http import Http404

from polis import clock
from polis.accounts.models import Role, User
from polis.care.letters import attachments_for, letters_for
from polis.care.models import (
    LETTER_VALID,
    AttachmentLetter,
    AttachmentStatus,
    ClinicPass,
    GuaranteeLetter,
    PassStatus,
)
from polis.coverage.models import name_key

VALID = "valid"
EXPIRING = "expiring"
ALL = "all"
STATES = (VALID, EXPIRING, ALL)


def _clinic_id(viewer: User) -> int | None:
    if viewer.role != Role.CLINIC or viewer.clinic_id is None:
        return None
    return viewer.clinic_id


def warn_until(today: dt.date) -> dt.date:
    """The last end date of a letter that is "about to expire" today."""
    return today + dt.timedelta(days=settings.DESK_LETTER_WARN_DAYS)


_L = TypeVar("_L", GuaranteeLetter, AttachmentLetter)


def _matching(letters: QuerySet[_L], query: str) -> QuerySet[_L]:
    """Every word (up to five) in the letter's or the policy's number or the insured's name."""
    for word in query.split()[:5]:
        letters = letters.filter(
            Q(number__icontains=word)
            | Q(policy__number__icontains=word)
            | Q(policy__insured__name_key__contains=name_key(word))
        )
    return letters


def clinic_letters(
    *, viewer: User, state: str = VALID, query: str = "", today: dt.date | None = None
) -> QuerySet[GuaranteeLetter]:
    """The clinic's letters: `valid` (may be treated by, not past their end), `expiring` (valid
    and ending within DESK_LETTER_WARN_DAYS), `all`; soonest end first for the first two. The
    query matches a letter or policy number or the insured's name."""
    clinic_id = _clinic_id(viewer)
    if clinic_id is None:
        return GuaranteeLetter.objects.none()
    day = today or clock.today()
    # Who may read which letter is care.letters' rule (a clinic: its own, once in force).
    letters = letters_for(viewer=viewer)
    if state in (VALID, EXPIRING):
        letters = letters.filter(status__in=LETTER_VALID, valid_to__gte=day)
    if state == EXPIRING:
        letters = letters.filter(valid_to__lte=warn_until(day))
    letters = _matching(letters, query)
    letters = letters.select_related("policy__insured", "policy__program", "received_by")
    if state == ALL:
        return letters.order_by("-issued_at", "-pk")
    return letters.order_by("valid_to", "pk")


def clinic_letter(*, viewer: User, pk: int) -> GuaranteeLetter:
    letter = (
        clinic_letters(viewer=viewer, state=ALL)
        .select_related("request", "issued_by", "approved_by")
        .prefetch_related("services")
        .filter(pk=pk)
        .first()
    )
    if letter is None:
        raise Http404
    return letter


def letter_pass(*, letter: GuaranteeLetter) -> ClinicPass | None:
    """The pass data the insured sent for the letter's request and its clinic (None until sent).
    The letter must already have come through a selector that took the viewer."""
    return ClinicPass.objects.filter(
        request_id=letter.request_id, clinic_id=letter.clinic_id, status=PassStatus.SUBMITTED
    ).first()


def clinic_attachments(
    *, viewer: User, state: str = VALID, query: str = "", today: dt.date | None = None
) -> QuerySet[AttachmentLetter]:
    """The clinic's attachment letters: `valid` (sent, not past their end) or `all`."""
    clinic_id = _clinic_id(viewer)
    if clinic_id is None:
        return AttachmentLetter.objects.none()
    day = today or clock.today()
    letters = attachments_for(viewer=viewer)
    if state in (VALID, EXPIRING):
        letters = letters.filter(status=AttachmentStatus.SENT, valid_to__gte=day)
    if state == EXPIRING:
        letters = letters.filter(valid_to__lte=warn_until(day))
    letters = _matching(letters, query)
    return letters.select_related("policy__insured", "policy__program", "received_by").order_by("-sent_at", "-pk")


def clinic_attachment(*, viewer: User, pk: int) -> AttachmentLetter:
    letter = clinic_attachments(viewer=viewer, state=ALL).filter(pk=pk).first()
    if letter is None:
        raise Http404
    return letter
