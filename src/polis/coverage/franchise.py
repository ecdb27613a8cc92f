"""The person's franchise as other apps ask about it. Activation (consent, deposit, bound card)
and its effective dates arrive with the franchise issue; this module is where they will answer."""

import datetime as dt

from polis.coverage.models import Policy


def franchise_active(*, policy: Policy, on: dt.date) -> bool:
    """Whether the person may be served in franchise clinics on a day.

    A program without a franchise has nothing to activate. A franchise program needs activation
    before the first visit (all three seed insurers), and no activation can be made yet, so none
    is active: such clinics are reached through the medical desk meanwhile, as RESO does while
    its activation letters are processed.
    """
    return not policy.program.has_franchise
