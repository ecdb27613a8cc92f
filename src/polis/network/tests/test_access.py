"""Who gets into a clinic and how: the rules of polis.network.access."""

import datetime as dt

from django.db import connection
from django.test.utils import CaptureQueriesContext

from polis.care.models import DeskContact
from polis.coverage.models import AccessMode, Policy, ServiceMode
from polis.network.access import clinic_access, clinics_access
from polis.network.models import KindOfCare
from polis.network.tests.booking_factories import online_clinic
from polis.testing import factories as f


def _desk() -> None:
    DeskContact.objects.create(city="", title="Федеральный пульт", phone="8 800 100-00-00", order=1)
    DeskContact.objects.create(city="Москва", title="Пульт в Москве", phone="+7 495 777-00-00")


def test_an_online_kind_in_a_clinic_with_online_booking_is_bookable_online(alice_policy):
    clinic = online_clinic(alice_policy.program)

    access = clinic_access(policy=alice_policy, clinic=clinic)

    outpatient = access.for_kind(KindOfCare.OUTPATIENT)
    assert outpatient is not None
    assert (outpatient.mode, outpatient.online_allowed, outpatient.phone, outpatient.reason) == ("online", True, "", "")
    assert access.online_allowed
    assert "онлайн-запись" in access.summary


def test_a_desk_kind_gives_the_desk_phone_of_the_persons_city_and_says_why_not_online(alice_policy):
    _desk()
    clinic = online_clinic(alice_policy.program)

    dental = clinic_access(policy=alice_policy, clinic=clinic).for_kind(KindOfCare.DENTAL)

    assert dental is not None
    assert dental.mode == "desk"
    assert dental.phone == "+7 495 777-00-00"
    assert not dental.online_allowed
    assert "медицинский пульт" in dental.reason


def test_a_registry_kind_gives_the_clinics_first_phone(alice_policy):
    clinic = f.ClinicFactory(phones="+7 495 111-11-11, +7 495 222-22-22", has_online_booking=True)
    f.ProgramClinicFactory(program=alice_policy.program, clinic=clinic, access_mode=AccessMode.REGISTRY)

    kind = clinic_access(policy=alice_policy, clinic=clinic).kinds[0]

    assert (kind.mode, kind.phone, kind.online_allowed) == ("registry", "+7 495 111-11-11", False)
    assert kind.reason


def test_an_online_kind_in_a_clinic_without_online_booking_goes_to_its_registry(alice_policy):
    clinic = online_clinic(alice_policy.program, has_online_booking=False)

    kind = clinic_access(policy=alice_policy, clinic=clinic).for_kind(KindOfCare.OUTPATIENT)

    assert kind is not None
    assert kind.mode == "registry"
    assert not kind.online_allowed
    assert "не принимает онлайн-запись" in kind.reason


def test_an_inactive_clinic_is_reached_only_through_the_desk(alice_policy):
    clinic = online_clinic(alice_policy.program, is_active=False)

    access = clinic_access(policy=alice_policy, clinic=clinic)

    assert not access.online_allowed
    assert {k.mode for k in access.kinds} == {"desk"}


def test_a_registry_mode_policy_books_online_only_in_its_own_clinic(alice_policy):
    _desk()
    own = online_clinic(alice_policy.program, name="Своя")
    other = online_clinic(alice_policy.program, name="Чужая")
    Policy.objects.filter(pk=alice_policy.pk).update(service_mode=ServiceMode.REGISTRY, registry_clinic=own)
    alice_policy.refresh_from_db()

    at_own = clinic_access(policy=alice_policy, clinic=own)
    at_other = clinic_access(policy=alice_policy, clinic=other)

    # At the attached clinic even the program's desk-only kinds go straight to the clinic.
    assert {k.mode for k in at_own.kinds} == {"online"}
    assert at_own.online_allowed
    assert {k.mode for k in at_other.kinds} == {"desk"}
    assert not at_other.online_allowed
    assert "прикреплён к другой клинике" in at_other.kinds[0].reason
    assert at_other.kinds[0].phone == "+7 495 777-00-00"


def test_a_registry_mode_policy_calls_its_clinics_registry_when_it_has_no_online_booking(alice_policy):
    own = online_clinic(alice_policy.program, has_online_booking=False, phones="+7 495 333-33-33")
    Policy.objects.filter(pk=alice_policy.pk).update(service_mode=ServiceMode.REGISTRY, registry_clinic=own)
    alice_policy.refresh_from_db()

    access = clinic_access(policy=alice_policy, clinic=own)

    assert {(k.mode, k.phone) for k in access.kinds} == {("registry", "+7 495 333-33-33")}


def test_a_policy_not_in_force_on_the_day_opens_nothing_and_says_so(alice_policy):
    clinic = online_clinic(alice_policy.program)

    after_end = clinic_access(policy=alice_policy, clinic=clinic, on=dt.date(2027, 1, 10))
    Policy.objects.filter(pk=alice_policy.pk).update(terminated_on=dt.date(2026, 11, 1))
    alice_policy.refresh_from_db()
    terminated = clinic_access(policy=alice_policy, clinic=clinic)

    for access in (after_end, terminated):
        assert not access.online_allowed
        assert all("не действует" in k.reason for k in access.kinds)
        assert "не действует" in access.summary


def test_a_pending_policy_says_when_it_starts(alice_policy):
    clinic = online_clinic(alice_policy.program)

    access = clinic_access(policy=alice_policy, clinic=clinic, on=dt.date(2025, 12, 30))

    assert not access.online_allowed
    assert "01.01.2026" in access.summary


def test_a_clinic_outside_the_program_has_no_kinds(alice_policy, bob):
    elsewhere = online_clinic(f.ProgramFactory())

    access = clinic_access(policy=alice_policy, clinic=elsewhere)

    assert access.kinds == []
    assert not access.online_allowed
    assert "не входит в программу" in access.summary


def test_kinds_follow_the_order_kinds_of_care_are_declared_in(alice_policy):
    clinic = f.ClinicFactory()
    for kind in (KindOfCare.CHECKUP, KindOfCare.DENTAL, KindOfCare.OUTPATIENT):
        f.ProgramClinicFactory(program=alice_policy.program, clinic=clinic, kind=kind)

    kinds = [k.kind for k in clinic_access(policy=alice_policy, clinic=clinic).kinds]

    assert kinds == ["outpatient", "dental", "checkup"]


def test_access_for_a_list_of_clinics_costs_the_same_queries_whatever_its_length(alice_policy):
    _desk()
    few = [online_clinic(alice_policy.program) for _ in range(2)]
    many = few + [online_clinic(alice_policy.program) for _ in range(10)]
    assert alice_policy.insured.city  # loaded as policies_for_user loads it

    with CaptureQueriesContext(connection) as few_queries:
        clinics_access(policy=alice_policy, clinics=few)
    with CaptureQueriesContext(connection) as many_queries:
        result = clinics_access(policy=alice_policy, clinics=many)

    assert len(result) == 12
    assert all(a.online_allowed for a in result.values())
    assert len(few_queries) == len(many_queries) <= 2


def test_a_franchise_clinic_is_reached_through_the_desk_until_the_franchise_is_activated(alice_policy):
    _desk()
    program = alice_policy.program
    program.franchise_activation = "deposit"
    program.save()
    franchise = online_clinic(program, is_franchise=True, name="Клиника с франшизой")
    plain = online_clinic(program, name="Клиника без франшизы")

    access = clinics_access(policy=alice_policy, clinics=[franchise, plain])

    closed = access[franchise.pk].for_kind(KindOfCare.OUTPATIENT)
    assert (closed.mode, closed.online_allowed, closed.phone) == ("desk", False, "+7 495 777-00-00")
    assert "франшизу нужно активировать (неснижаемый авансовый платёж)" in closed.reason
    assert access[plain.pk].for_kind(KindOfCare.OUTPATIENT).online_allowed


def test_a_franchise_clinic_is_open_online_to_a_program_without_franchise(alice_policy):
    clinic = online_clinic(alice_policy.program, is_franchise=True)

    assert clinic_access(policy=alice_policy, clinic=clinic).for_kind(KindOfCare.OUTPATIENT).online_allowed


def test_a_registry_clinic_that_has_not_confirmed_the_activation_is_reached_through_the_desk(alice, alice_policy):
    from polis.billing.models import ClinicNotice, FranchiseActivation

    _desk()
    program = alice_policy.program
    program.franchise_activation = "deposit"
    program.save()
    clinic = f.ClinicFactory(is_franchise=True)
    f.ProgramClinicFactory(program=program, clinic=clinic, kind=KindOfCare.OUTPATIENT, access_mode=AccessMode.REGISTRY)
    activation = FranchiseActivation.objects.create(
        policy=alice_policy, method="deposit", requested_by=alice, effective_at=dt.datetime(2026, 11, 1, tzinfo=dt.UTC)
    )
    notice = ClinicNotice.objects.create(activation=activation, clinic=clinic, due_on=dt.date(2026, 11, 27))

    waiting = clinic_access(policy=alice_policy, clinic=clinic).for_kind(KindOfCare.OUTPATIENT)
    assert (waiting.mode, waiting.phone) == ("desk", "+7 495 777-00-00")
    assert "письмо об активации вашей франшизы (до 27.11.2026)" in waiting.reason

    notice.confirmed_at = dt.datetime(2026, 11, 19, tzinfo=dt.UTC)
    notice.save()
    assert clinic_access(policy=alice_policy, clinic=clinic).for_kind(KindOfCare.OUTPATIENT).mode == "registry"
