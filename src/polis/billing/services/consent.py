"""Activation by consent in the account (Alfa): tick, send, effective the next working day."""

from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from polis import clock
from polis.accounts.models import User
from polis.billing import rules
from polis.billing.models import FranchiseActivation
from polis.billing.services.common import FranchiseError, activation_create, chosen_policies
from polis.coverage.models import FranchiseActivation as Method


def franchise_consent_give(*, user: User, policy_ids: Iterable[Any], agreed: bool) -> list[FranchiseActivation]:
    """The viewer consents to the franchise terms for the people chosen (themselves, relatives
    they hold). Each gets an activation effective at 00:00 Moscow of the next working day (or
    the program's delay), recording the version of the terms read. A second click returns the
    same activations."""
    if not agreed:
        raise FranchiseError(_("Подтвердите, что ознакомились с порядком оказания услуг с франшизой и согласны с ним."))
    policies = chosen_policies(user=user, policy_ids=policy_ids, method=Method.CONSENT)
    now = clock.now()
    with transaction.atomic():
        return [
            activation_create(
                policy=policy,
                method=Method.CONSENT,
                requested_by=user,
                effective_at=rules.effective_at(policy=policy, method=Method.CONSENT, at=now),
                terms_version=rules.CONSENT_TERMS_VERSION,
            )[0]
            for policy in policies
        ]
