"""Reads for accounts: consent texts, a person's own consents, pending codes."""

import uuid

from django.db.models import QuerySet

from polis import clock
from polis.accounts.models import CodePurpose, Consent, ConsentKind, ConsentText, OneTimeCode, User
from polis.coverage.models import Policy


def consent_text_current(*, kind: str) -> ConsentText | None:
    """The text of a kind in force: the latest published (a text may be published in advance)."""
    return ConsentText.objects.filter(kind=kind, published_at__lte=clock.now()).order_by("-published_at", "-pk").first()


def consents_of(*, viewer: User) -> QuerySet[Consent]:
    """The viewer's own consents, given and withdrawn, newest first."""
    return Consent.objects.filter(user=viewer).select_related("text").order_by("-given_at", "-pk")


def consent_live(*, viewer: User, kind: str) -> Consent | None:
    return Consent.objects.filter(user=viewer, kind=kind, withdrawn_at=None).select_related("text").first()


def personal_data_withdrawn(*, viewer: User) -> bool:
    """True when the person withdrew the personal-data consent and has not one in force."""
    consents = Consent.objects.filter(user=viewer, kind=ConsentKind.PERSONAL_DATA)
    return consents.exists() and not consents.filter(withdrawn_at=None).exists()


def policies_ending_on_withdrawal(*, viewer: User) -> list[Policy]:
    """The viewer's own policies that withdrawing the personal-data consent would end (shown on
    the confirmation page); the same rule as `consent_withdraw`."""
    today = clock.today()
    return [
        p
        for p in Policy.objects.filter(insured__user=viewer, ends_on__gte=today).order_by("number")
        if p.terminated_on is None or p.terminated_on > today
    ]


def pending_code(*, token: uuid.UUID | str | None, purpose: str = CodePurpose.REGISTRATION) -> OneTimeCode | None:
    """A code not yet used, for showing where it went (masked). Token comes from the session."""
    try:
        token = uuid.UUID(str(token))
    except ValueError:
        return None
    return OneTimeCode.objects.filter(token=token, purpose=purpose, used_at=None).first()
