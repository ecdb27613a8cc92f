"""The person's franchise as other apps ask about it. Activations (consent, deposit, bound card)
are billing's; this module answers from them, so network access and the desk need not know how."""

import datetime as dt

from polis.billing.debts.services import SUSPEND, debt_restriction
from polis.billing.models import ClinicNotice, FranchiseActivation
from polis.billing.rules import covering
from polis.coverage.models import Policy


def franchise_active(*, policy: Policy, on: dt.date) -> bool:
    """Whether the person may be served in franchise clinics on the day `on`.

    A program without a franchise has nothing to activate. A franchise program needs an
    activation that covers the whole day in Moscow: in effect by 00:00 of `on`, and not ended
    (a card unbound) before the day was over (billing.rules.covering). So an activation that
    takes effect at 12:00 opens franchise clinics from the next day, and meanwhile the person is
    sent to the medical desk, as RESO does while its activation letters are processed.

    A contract whose consequence of non-payment is "suspend" closes franchise clinics while an
    invoice is overdue (billing.debts); paying it opens them again at once.
    """
    if not policy.program.has_franchise:
        return True
    if debt_restriction(policy=policy, on=on) == SUSPEND:
        return False
    return FranchiseActivation.objects.filter(covering(on), policy=policy).exists()


def clinics_awaiting_notice(*, policy: Policy) -> dict[int, dt.date]:
    """Registry clinics told of this person's activation that have not confirmed it yet, with
    the day they must by. Until then the person goes there through the medical desk (RESO: the
    clinics process activation letters within 5 working days, the desk serves meanwhile)."""
    return dict(
        ClinicNotice.objects.filter(
            activation__policy=policy, activation__ended_at__isnull=True, confirmed_at__isnull=True
        ).values_list("clinic_id", "due_on")
    )
