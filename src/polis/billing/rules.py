"""When an activation takes effect, and what a moment in an activation's life is called: the one
place these rules live (services write with them, selectors and coverage.franchise read with them).

Day-based methods (consent, deposit) take effect at 00:00 Moscow of a working day counted by the
business calendar (a period starts the day after the event, CC art. 191); the card method takes
effect a number of hours after the card is bound. Nothing takes effect before the policy starts.
"""

import datetime as dt

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from polis import calendar, clock
from polis.coverage.models import FranchiseActivation as Method
from polis.coverage.models import Policy

# The edition of «Порядок оказания услуг с франшизой» a consent is given to, recorded on each
# activation; change it whenever templates/billing/_consent_terms.html changes in substance. (The
# auto-payment agreement's edition is payments' AUTOPAY_AGREEMENT_VERSION, kept on the card.)
CONSENT_TERMS_VERSION = "2026-1"

# Alfa: "активация будет проведена автоматически на следующий рабочий день".
CONSENT_DEFAULT_DELAY_WORKING_DAYS = 1


def local_midnight(day: dt.date) -> dt.datetime:
    """00:00 of `day` in the insurer's zone (Moscow), aware."""
    return dt.datetime.combine(day, dt.time.min, tzinfo=clock.local_zone())


def local_date(moment: dt.datetime) -> dt.date:
    return moment.astimezone(clock.local_zone()).date()


def effective_at(*, policy: Policy, method: str, at: dt.datetime) -> dt.datetime:
    """When an activation asked for (consent given, deposit paid, card bound) at `at` takes effect.

    consent: 00:00 of the n-th working day after the day of consent (n = the program's delay, 1 if
             unset: the next working day).
    deposit: 00:00 of the n-th working day after the payment day; with no delay set, at once.
    card:    `at` plus the program's delay in hours.
    Never before 00:00 of the day the policy starts.
    """
    program = policy.program
    if method == Method.CONSENT:
        n = program.activation_delay_working_days or CONSENT_DEFAULT_DELAY_WORKING_DAYS
        moment = local_midnight(calendar.add_working_days(local_date(at), n))
    elif method == Method.DEPOSIT:
        n = program.activation_delay_working_days
        moment = local_midnight(calendar.add_working_days(local_date(at), n)) if n else at
    elif method == Method.CARD:
        moment = at + dt.timedelta(hours=program.activation_delay_hours)
    else:
        raise ValueError(f"Неизвестный способ активации: {method!r}")
    return max(moment, local_midnight(policy.starts_on))


def renewal_effective_at(*, policy: Policy, at: dt.datetime) -> dt.datetime:
    """A renewal whose deposit carried over from a term where the franchise was already working:
    no gap, effective from the start of the day (or of the new term, if later)."""
    return local_midnight(max(local_date(at), policy.starts_on))


def covering(on: dt.date) -> Q:
    """Activations that cover all of `on` (Moscow): in effect by 00:00 of that day and not ended
    before the next day began.

    The conservative reading of "activation must precede the first visit": a card bound at 12:00
    with a 24-hour delay takes effect at 12:00 the next day, and franchise clinics open to the
    person the day after that — never half a day, when a morning visit would have come first.
    Consent and deposit activations take effect at 00:00, so they cover their first day whole.
    """
    next_day = local_midnight(on + dt.timedelta(days=1))
    return Q(effective_at__lte=local_midnight(on)) & (Q(ended_at__isnull=True) | Q(ended_at__gte=next_day))


def shows_time(moment: dt.datetime) -> bool:
    """A date is enough for midnight; other moments (card activations) show the time too."""
    return moment.astimezone(clock.local_zone()).time() != dt.time.min


NOT_ACTIVATED_LABEL = _("не активирована")
ACTIVE_LABEL = _("активна")
SUSPENDED_LABEL = _("приостановлена за долг")
