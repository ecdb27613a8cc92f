"""Activation by consent (Alfa), and the status a person sees as time goes by."""

import datetime as dt

import pytest
from django.http import Http404

from polis.billing import rules
from polis.billing.models import FranchiseActivation
from polis.billing.selectors import State, franchise_people, franchise_status
from polis.billing.services import FranchiseError, franchise_consent_give
from polis.billing.tests.conftest import ALFA, RESO, at_msk, move_clock, set_program
from polis.coverage.models import Policy
from polis.network.access import clinic_access
from polis.network.models import KindOfCare
from polis.network.tests.booking_factories import online_clinic


@pytest.fixture
def alfa(alice_policy):
    return set_program(alice_policy.program, **ALFA)


def test_consent_activates_the_chosen_people_from_the_next_working_day(alice, alice_policy, son_policy, alfa):
    activations = franchise_consent_give(user=alice, policy_ids=[alice_policy.pk, son_policy.pk], agreed=True)

    assert {a.policy_id for a in activations} == {alice_policy.pk, son_policy.pk}
    for activation in activations:
        assert activation.effective_at == at_msk(2026, 11, 23, 0)
        assert activation.method == "consent"
        assert activation.terms_version == rules.CONSENT_TERMS_VERSION
        assert activation.requested_by == alice


def test_consent_twice_keeps_one_activation_per_person(alice, alice_policy, alfa):
    first = franchise_consent_give(user=alice, policy_ids=[alice_policy.pk], agreed=True)
    second = franchise_consent_give(user=alice, policy_ids=[alice_policy.pk], agreed=True)

    assert first == second
    assert FranchiseActivation.objects.filter(policy=alice_policy).count() == 1


def test_consent_without_the_tick_is_refused(alice, alice_policy, alfa):
    with pytest.raises(FranchiseError, match="ознакомились"):
        franchise_consent_give(user=alice, policy_ids=[alice_policy.pk], agreed=False)
    assert not FranchiseActivation.objects.exists()


def test_consent_on_a_deposit_program_is_refused(alice, alice_policy):
    set_program(alice_policy.program, **RESO)

    with pytest.raises(FranchiseError, match="неснижаемый авансовый платёж"):
        franchise_consent_give(user=alice, policy_ids=[alice_policy.pk], agreed=True)


def test_consent_on_an_ended_policy_is_refused(alice, alice_policy, alfa):
    Policy.objects.filter(pk=alice_policy.pk).update(terminated_on=dt.date(2026, 10, 1))

    with pytest.raises(FranchiseError, match="не действует"):
        franchise_consent_give(user=alice, policy_ids=[alice_policy.pk], agreed=True)


def test_an_insured_cannot_consent_for_a_strangers_policy(alice, bob, alfa):
    stranger = Policy.objects.get(number="002-0000001")
    set_program(stranger.program, **ALFA)

    with pytest.raises(Http404):
        franchise_consent_give(user=alice, policy_ids=[stranger.pk], agreed=True)
    assert not FranchiseActivation.objects.exists()


def test_staff_cannot_consent_for_anybody(hr_user, alice_policy, alfa):
    with pytest.raises(Http404):
        franchise_consent_give(user=hr_user, policy_ids=[alice_policy.pk], agreed=True)


def test_the_status_goes_from_not_activated_to_pending_to_active(alice, alice_policy, alfa, frozen_now):
    assert franchise_status(policy=alice_policy).state == State.NOT_ACTIVATED
    assert franchise_status(policy=alice_policy).label == "не активирована"

    franchise_consent_give(user=alice, policy_ids=[alice_policy.pk], agreed=True)
    pending = franchise_status(policy=alice_policy)
    assert pending.state == State.PENDING
    assert pending.label == "активация — вступит в силу 23.11.2026"

    move_clock(frozen_now, at_msk(2026, 11, 22, 23, 59))
    assert franchise_status(policy=alice_policy).state == State.PENDING
    move_clock(frozen_now, at_msk(2026, 11, 23, 0, 0))
    assert franchise_status(policy=alice_policy).state == State.ACTIVE
    assert franchise_status(policy=alice_policy).label == "активна"


def test_a_card_activation_shows_the_time_it_takes_effect(alice, alice_policy):
    set_program(alice_policy.program, franchise_activation="card", activation_delay_hours=24)
    FranchiseActivation.objects.create(
        policy=alice_policy, method="card", requested_by=alice, effective_at=at_msk(2026, 11, 21, 12, 5)
    )

    assert franchise_status(policy=alice_policy).label == "активация — вступит в силу 21.11.2026 12:05"


def test_the_overview_lists_own_and_held_relatives_franchise_programs_only(alice, alice_policy, son_policy, bob, alfa):
    people = franchise_people(user=alice)

    assert [p.policy.pk for p in people] == [alice_policy.pk, son_policy.pk]
    assert people[0].is_own and not people[1].is_own
    assert any("Активируйте франшизу до первого визита" in t for t in people[0].terms)
    assert franchise_people(user=bob) == []


def test_a_franchise_clinic_becomes_bookable_online_once_the_franchise_is_active(alice, alice_policy, alfa, frozen_now):
    clinic = online_clinic(alice_policy.program, is_franchise=True)
    assert not clinic_access(policy=alice_policy, clinic=clinic).for_kind(KindOfCare.OUTPATIENT).online_allowed

    franchise_consent_give(user=alice, policy_ids=[alice_policy.pk], agreed=True)
    assert not clinic_access(policy=alice_policy, clinic=clinic).for_kind(KindOfCare.OUTPATIENT).online_allowed

    move_clock(frozen_now, at_msk(2026, 11, 23, 9))
    assert clinic_access(policy=alice_policy, clinic=clinic).for_kind(KindOfCare.OUTPATIENT).online_allowed
