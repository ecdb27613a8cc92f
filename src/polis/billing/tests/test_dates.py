"""When an activation takes effect, by the business calendar, and what franchise_active answers."""

import datetime as dt

from polis.billing import rules
from polis.billing.models import FranchiseActivation
from polis.billing.services import deposit_succeeded, franchise_consent_give
from polis.billing.tests.conftest import ALFA, RESO, SOGAZ, at_msk, move_clock, paid_deposit, set_program
from polis.coverage.franchise import franchise_active
from polis.coverage.models import FranchiseActivation as Method
from polis.testing import factories as f


def _policy_2025(**program):
    policy = f.PolicyFactory(starts_on=dt.date(2025, 1, 1), ends_on=dt.date(2026, 12, 31))
    set_program(policy.program, **program)
    return policy


def test_consent_on_friday_31_october_2025_takes_effect_on_the_working_saturday(db):
    policy = _policy_2025(**ALFA)

    moment = rules.effective_at(policy=policy, method=Method.CONSENT, at=at_msk(2025, 10, 31, 18))

    assert moment == at_msk(2025, 11, 1, 0)


def test_consent_on_an_ordinary_friday_takes_effect_on_monday_at_midnight_moscow(alice_policy):
    set_program(alice_policy.program, **ALFA)

    moment = rules.effective_at(policy=alice_policy, method=Method.CONSENT, at=at_msk(2026, 11, 20, 23, 59))

    assert moment == at_msk(2026, 11, 23, 0)
    assert moment.astimezone(dt.UTC) == dt.datetime(2026, 11, 22, 21, 0, tzinfo=dt.UTC)


def test_consent_without_a_delay_set_still_takes_effect_the_next_working_day(alice_policy):
    set_program(alice_policy.program, franchise_activation=Method.CONSENT, activation_delay_working_days=0)

    assert rules.effective_at(policy=alice_policy, method=Method.CONSENT, at=at_msk(2026, 11, 3)) == at_msk(
        2026, 11, 5, 0
    )  # 4 November is Unity Day


def test_a_deposit_paid_on_30_december_2025_counts_its_working_days_after_the_new_year_holidays(db):
    policy = _policy_2025(**RESO)
    paid = at_msk(2025, 12, 30, 15)

    # 31.12.2025 and 9.01.2026 were made days off; 1–8 January are holidays; 10–11 a weekend.
    assert rules.effective_at(policy=policy, method=Method.DEPOSIT, at=paid) == at_msk(2026, 1, 14, 0)
    set_program(policy.program, activation_delay_working_days=1)
    assert rules.effective_at(policy=policy, method=Method.DEPOSIT, at=paid) == at_msk(2026, 1, 12, 0)


def test_a_deposit_without_a_delay_takes_effect_when_paid(alice_policy):
    set_program(alice_policy.program, **{**RESO, "activation_delay_working_days": 0})
    paid = at_msk(2026, 11, 20, 15)

    assert rules.effective_at(policy=alice_policy, method=Method.DEPOSIT, at=paid) == paid


def test_a_card_takes_effect_the_programs_hours_after_binding(alice_policy):
    set_program(alice_policy.program, **SOGAZ)

    assert rules.effective_at(policy=alice_policy, method=Method.CARD, at=at_msk(2026, 11, 20, 12, 30)) == at_msk(
        2026, 11, 21, 12, 30
    )


def test_nothing_takes_effect_before_the_policy_starts(db):
    policy = f.PolicyFactory(starts_on=dt.date(2027, 1, 1), ends_on=dt.date(2027, 12, 31))
    set_program(policy.program, **ALFA)

    assert rules.effective_at(policy=policy, method=Method.CONSENT, at=at_msk(2026, 11, 20)) == at_msk(2027, 1, 1, 0)


def test_the_deposit_handler_dates_the_activation_from_the_payment_day(alice_policy):
    set_program(alice_policy.program, **RESO)
    payment = paid_deposit(alice_policy, when=at_msk(2026, 11, 20, 23, 30))

    deposit_succeeded(payment)

    # Friday → Mon 23, Tue 24, Wed 25.
    assert FranchiseActivation.objects.get(policy=alice_policy).effective_at == at_msk(2026, 11, 25, 0)


def test_franchise_active_covers_only_whole_days_in_moscow(alice, alice_policy, frozen_now):
    set_program(alice_policy.program, **SOGAZ)
    FranchiseActivation.objects.create(
        policy=alice_policy,
        method=Method.CARD,
        requested_by=alice,
        effective_at=at_msk(2026, 11, 21, 12, 30),
    )

    assert not franchise_active(policy=alice_policy, on=dt.date(2026, 11, 20))
    # In effect from 12:30 on the 21st: a morning visit that day would come first.
    assert not franchise_active(policy=alice_policy, on=dt.date(2026, 11, 21))
    assert franchise_active(policy=alice_policy, on=dt.date(2026, 11, 22))


def test_a_midnight_activation_covers_its_first_day(alice, alice_policy, frozen_now):
    set_program(alice_policy.program, **ALFA)
    franchise_consent_give(user=alice, policy_ids=[alice_policy.pk], agreed=True)

    assert not franchise_active(policy=alice_policy, on=dt.date(2026, 11, 20))
    assert franchise_active(policy=alice_policy, on=dt.date(2026, 11, 23))


def test_an_ended_activation_stops_covering_the_day_it_ended(alice, alice_policy):
    set_program(alice_policy.program, **SOGAZ)
    FranchiseActivation.objects.create(
        policy=alice_policy,
        method=Method.CARD,
        requested_by=alice,
        effective_at=at_msk(2026, 11, 1, 0),
        ended_at=at_msk(2026, 11, 20, 15),
    )

    assert franchise_active(policy=alice_policy, on=dt.date(2026, 11, 19))
    assert not franchise_active(policy=alice_policy, on=dt.date(2026, 11, 20))
    assert not franchise_active(policy=alice_policy, on=dt.date(2026, 11, 21))


def test_a_program_without_franchise_needs_no_activation(alice_policy):
    assert franchise_active(policy=alice_policy, on=dt.date(2026, 11, 20))


def test_the_clock_moving_past_the_effective_date_turns_the_franchise_on(alice, alice_policy, frozen_now):
    set_program(alice_policy.program, **ALFA)
    franchise_consent_give(user=alice, policy_ids=[alice_policy.pk], agreed=True)

    move_clock(frozen_now, at_msk(2026, 11, 23, 0, 1))

    assert franchise_active(policy=alice_policy, on=dt.date(2026, 11, 23))
