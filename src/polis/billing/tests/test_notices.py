"""Activation notices to the franchise clinics a person reaches through the registry (RESO)."""

import datetime as dt

import pytest
from django.core import mail
from django.http import Http404

from polis.billing.models import ClinicNotice
from polis.billing.selectors import franchise_people
from polis.billing.services import clinic_notice_confirm, franchise_consent_give
from polis.billing.tests.conftest import ALFA, at_msk, move_clock, set_program
from polis.coverage.models import AccessMode, Policy, ServiceMode
from polis.notify.models import OutboundMessage
from polis.testing import factories as f


@pytest.fixture
def alfa(alice_policy):
    return set_program(alice_policy.program, **ALFA)


def _attach(policy: Policy, clinic) -> None:
    Policy.objects.filter(pk=policy.pk).update(service_mode=ServiceMode.REGISTRY, registry_clinic=clinic)
    policy.refresh_from_db()


def test_a_registry_mode_person_at_a_franchise_clinic_gets_a_notice_due_in_five_working_days(
    alice, alice_policy, alfa, django_capture_on_commit_callbacks
):
    clinic = f.ClinicFactory(is_franchise=True, email="reg@clinic.ru")
    _attach(alice_policy, clinic)

    with django_capture_on_commit_callbacks(execute=True):
        [activation] = franchise_consent_give(user=alice, policy_ids=[alice_policy.pk], agreed=True)

    notice = ClinicNotice.objects.get(activation=activation)
    assert notice.clinic == clinic
    assert notice.due_on == dt.date(2026, 11, 27)
    message = OutboundMessage.objects.get(recipient="reg@clinic.ru")
    assert "001-0000001" in message.subject
    assert "до 27.11.2026" in message.body
    assert len(mail.outbox) == 1


def test_no_notice_goes_to_a_registry_clinic_without_franchise(alice, alice_policy, alfa):
    _attach(alice_policy, f.ClinicFactory(is_franchise=False, email="x@clinic.ru"))

    franchise_consent_give(user=alice, policy_ids=[alice_policy.pk], agreed=True)

    assert not ClinicNotice.objects.exists()
    assert not OutboundMessage.objects.exists()


def test_program_clinics_reached_through_the_registry_are_told_but_online_and_desk_ones_are_not(
    alice, alice_policy, alfa
):
    program = alice_policy.program
    registry = f.ProgramClinicFactory(
        program=program, clinic=f.ClinicFactory(is_franchise=True), access_mode=AccessMode.REGISTRY
    ).clinic
    f.ProgramClinicFactory(program=program, clinic=f.ClinicFactory(is_franchise=True), access_mode=AccessMode.ONLINE)
    f.ProgramClinicFactory(program=program, clinic=f.ClinicFactory(is_franchise=True), access_mode=AccessMode.DESK)
    f.ProgramClinicFactory(program=program, clinic=f.ClinicFactory(is_franchise=False), access_mode=AccessMode.REGISTRY)

    franchise_consent_give(user=alice, policy_ids=[alice_policy.pk], agreed=True)

    assert list(ClinicNotice.objects.values_list("clinic", flat=True)) == [registry.pk]


def test_a_registry_mode_person_is_told_to_book_through_the_desk_until_the_clinic_confirms(
    alice, alice_policy, alfa, desk, frozen_now
):
    clinic = f.ClinicFactory(is_franchise=True, name="Клиника на Тверской")
    _attach(alice_policy, clinic)
    clerk = f.UserFactory(role="clinic", clinic=clinic, phone=None)
    [activation] = franchise_consent_give(user=alice, policy_ids=[alice_policy.pk], agreed=True)

    [line] = franchise_people(user=alice)[0].waiting_clinics
    assert (line.clinic, line.notice.due_on) == (clinic, dt.date(2026, 11, 27))
    assert franchise_people(user=alice)[0].desk_phone == "+7 495 777-00-00"

    move_clock(frozen_now, at_msk(2026, 11, 24, 10))
    notice = clinic_notice_confirm(clerk=clerk, notice_id=activation.clinic_notices.get().pk)

    assert notice.confirmed_by == clerk
    assert franchise_people(user=alice)[0].waiting_clinics == []


def test_confirming_twice_keeps_the_first_confirmation(alice, alice_policy, alfa, frozen_now):
    clinic = f.ClinicFactory(is_franchise=True)
    _attach(alice_policy, clinic)
    clerk = f.UserFactory(role="clinic", clinic=clinic, phone=None)
    [activation] = franchise_consent_give(user=alice, policy_ids=[alice_policy.pk], agreed=True)
    notice_id = activation.clinic_notices.get().pk

    clinic_notice_confirm(clerk=clerk, notice_id=notice_id)
    move_clock(frozen_now, at_msk(2026, 11, 25, 10))
    again = clinic_notice_confirm(clerk=clerk, notice_id=notice_id)

    assert again.confirmed_at == at_msk(2026, 11, 20, 12)


def test_a_clerk_cannot_confirm_another_clinics_notice(alice, alice_policy, alfa, clinic_user):
    _attach(alice_policy, f.ClinicFactory(is_franchise=True))
    [activation] = franchise_consent_give(user=alice, policy_ids=[alice_policy.pk], agreed=True)

    with pytest.raises(Http404):
        clinic_notice_confirm(clerk=clinic_user, notice_id=activation.clinic_notices.get().pk)
    with pytest.raises(Http404):
        clinic_notice_confirm(clerk=alice, notice_id=activation.clinic_notices.get().pk)
    assert ClinicNotice.objects.get().confirmed_at is None
