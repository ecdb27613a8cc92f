"""The demo data: loaded once for this module (the `demo` fixture of conftest.py), then checked
from every side a newcomer will see it."""

import datetime as dt
from io import StringIO

from django.contrib.auth import authenticate
from django.contrib.auth.password_validation import validate_password
from django.core.management import call_command

from polis.accounts.models import Consent, ConsentKind, Role, User
from polis.care.models import DeskContact
from polis.coverage.models import (
    Contract,
    CopayRule,
    FranchiseActivation,
    InsuredPerson,
    LimitUsage,
    Policy,
    Policyholder,
    Program,
    ProgramClinic,
    ProgramLimit,
    Relation,
    ServiceMode,
    Sex,
    TerminationReason,
)
from polis.demo import ids
from polis.demo.insured import ANNA, ANNA_PREVIOUS
from polis.demo.people import patronymic_for
from polis.demo.users import DEMO_PASSWORD, LOGINS
from polis.network.models import Booking, Clinic, ClinicCare, Doctor, PriceListItem, Slot

# Within the ring roads (MKAD, KAD): south, north, west, east. Written here, not taken from
# the data, so that a clinic put in the wrong place fails.
CITY_BOUNDS = {
    "Москва": (55.57, 55.91, 37.37, 37.84),
    "Санкт-Петербург": (59.80, 60.09, 30.15, 30.56),
}


def counts() -> dict[str, int]:
    models = [
        Clinic, ClinicCare, Policyholder, Contract, Program, ProgramClinic, CopayRule, ProgramLimit,
        InsuredPerson, Policy, LimitUsage, User, Consent, DeskContact, Doctor, Slot, Booking, PriceListItem,
    ]  # fmt: skip
    return {m.__name__: m.objects.count() for m in models}


def test_loading_the_demo_twice_changes_nothing_and_says_so(demo: str) -> None:
    before = counts()
    out = StringIO()
    call_command("demo_data", stdout=out)
    assert counts() == before
    assert "уже загружены" in out.getvalue()


def test_the_demo_has_the_clinics_contracts_and_people_the_issue_asks_for(demo: str) -> None:
    assert Clinic.objects.filter(city="Москва").count() >= 25
    assert Clinic.objects.filter(city="Санкт-Петербург").count() >= 15
    assert Clinic.objects.count() >= 40
    in_force = Contract.objects.filter(starts_on__lte=dt.date(2026, 11, 20), ends_on__gte=dt.date(2026, 11, 20))
    assert in_force.filter(policyholder__kind=Policyholder.Kind.ORGANIZATION).count() == 2
    assert in_force.filter(policyholder__kind=Policyholder.Kind.PERSON).count() == 1
    adults_on_own_policy = InsuredPerson.objects.filter(policies__relation__in=[Relation.EMPLOYEE, Relation.SELF])
    assert adults_on_own_policy.distinct().count() >= 50
    relations = set(Policy.objects.filter(holder__isnull=False).values_list("relation", flat=True))
    assert relations == {Relation.SPOUSE, Relation.CHILD, Relation.PARENT}
    styles = set(Program.objects.values_list("franchise_activation", flat=True))
    assert styles == set(FranchiseActivation.values)


def test_the_franchise_programs_follow_the_seeds_insurers(demo: str) -> None:
    consent = Program.objects.get(franchise_activation=FranchiseActivation.CONSENT)
    assert (consent.activation_delay_working_days, consent.payment_deadline_days) == (1, 30)
    deposit = Program.objects.get(franchise_activation=FranchiseActivation.DEPOSIT)
    assert (deposit.deposit_per_person_kopecks, deposit.deposit_minimum_kopecks) == (30_000, 30_000)
    assert (deposit.activation_delay_working_days, deposit.payment_deadline_days) == (3, 5)
    card = Program.objects.get(franchise_activation=FranchiseActivation.CARD)
    assert (card.activation_delay_hours, card.payment_deadline_days, card.payment_deadline_kind) == (24, 90, "calendar")
    assert CopayRule.objects.filter(program=consent, percent=0).exists()
    for program in Program.objects.exclude(franchise_activation=FranchiseActivation.NONE):
        assert program.copay_rules.exists(), program
    psychologist = ProgramLimit.objects.get(program=consent, service_group="psychologist")
    assert (psychologist.max_count, psychologist.period) == (3, "contract")


def test_every_clinic_lies_within_its_city(demo: str) -> None:
    for clinic in Clinic.objects.all():
        south, north, west, east = CITY_BOUNDS[clinic.city]
        assert clinic.latitude is not None and clinic.longitude is not None
        assert south <= clinic.latitude <= north and west <= clinic.longitude <= east, clinic
        assert clinic.address.startswith(f"г. {clinic.city}, "), clinic
        assert clinic.metro and clinic.phones and ids.is_valid_inn(clinic.inn), clinic


def test_every_program_clinic_gives_that_kind_of_care_and_the_program_covers_it(demo: str) -> None:
    given = set(ClinicCare.objects.values_list("clinic_id", "kind"))
    covered = set(Program.objects.values_list("pk", "care__kind"))
    for row in ProgramClinic.objects.select_related("program__contract", "clinic"):
        assert (row.clinic_id, row.kind) in given, row
        assert (row.program_id, row.kind) in covered, row
        if row.access_mode == "online":
            assert row.clinic.has_online_booking, row
    for program in Program.objects.all():
        clinics = program.clinics.values("clinic").distinct().count()
        assert 10 <= clinics <= 25, program
        cities = set(program.clinics.values_list("clinic__city", flat=True))
        assert len(cities) == 1, program


def test_registry_mode_policies_are_attached_to_a_registry_clinic_of_their_program(demo: str) -> None:
    registry = Policy.objects.filter(service_mode=ServiceMode.REGISTRY)
    assert registry.count() >= 5
    for policy in registry:
        assert ProgramClinic.objects.filter(
            program=policy.program_id, clinic=policy.registry_clinic_id, access_mode="registry"
        ).exists(), policy
    by_registry = Program.objects.get(service_mode=ServiceMode.REGISTRY)
    assert by_registry.policies.exists()
    assert not by_registry.policies.filter(service_mode=ServiceMode.DESK).exists()
    clerk = User.objects.get(role=Role.CLINIC)
    assert registry.filter(registry_clinic=clerk.clinic_id).count() >= 2


def test_every_demo_user_logs_in_with_the_demo_password(demo: str) -> None:
    users = User.objects.filter(email__in=[s.email for s in LOGINS])
    assert set(users.values_list("role", flat=True)) == set(Role.values)
    for user in users:
        validate_password(DEMO_PASSWORD, user)
        assert authenticate(email=user.email, password=DEMO_PASSWORD) == user
        if user.phone:
            spelled = f"8 {user.phone[2:5]} {user.phone[5:8]}-{user.phone[8:10]}-{user.phone[10:]}"
            assert authenticate(username=spelled, password=DEMO_PASSWORD) == user
    assert authenticate(email=LOGINS[0].email, password="not-the-password") is None


def test_the_main_insured_holds_two_relatives_on_a_franchise_program(demo: str) -> None:
    anna = User.objects.get(email="anna.sokolova@example.ru")
    person = anna.insured_records.get()
    policy = Policy.objects.get(number=ANNA)
    assert policy.insured == person and policy.program.has_franchise
    relatives = Policy.objects.filter(holder=person)
    assert sorted(relatives.values_list("relation", flat=True)) == [Relation.CHILD, Relation.SPOUSE]
    used = sum(u.quantity for u in policy.limit_usages.filter(limit__service_group="psychologist"))
    assert used == 2
    assert Policy.objects.get(number=ANNA_PREVIOUS).insured == person
    kinds = set(Consent.objects.filter(user=anna, withdrawn_at__isnull=True).values_list("kind", flat=True))
    assert ConsentKind.PERSONAL_DATA in kinds


def test_the_demo_shows_history_a_detached_employee_and_staff_in_their_places(demo: str) -> None:
    assert Policy.objects.filter(ends_on__lt=dt.date(2026, 1, 1)).exists()
    assert Policy.objects.filter(termination_reason=TerminationReason.DETACHED, relation=Relation.EMPLOYEE).exists()
    for hr in User.objects.filter(role=Role.HR):
        assert hr.administered_contracts.filter(policyholder__kind=Policyholder.Kind.ORGANIZATION).count() == 1
    assert User.objects.get(role=Role.BACKOFFICE).is_superuser
    assert DeskContact.objects.filter(city="", round_the_clock=True, phone__startswith="8 800").exists()
    assert DeskContact.objects.filter(city="Екатеринбург", round_the_clock=False).exists()


def test_names_agree_with_sex_and_children_carry_their_fathers_name(demo: str) -> None:
    for person in InsuredPerson.objects.all():
        if person.sex == Sex.FEMALE:
            assert person.patronymic.endswith(("вна", "чна")), person
            assert person.last_name.endswith(("а", "ая", "ук", "их", "ых")), person
        else:
            assert person.patronymic.endswith(("вич", "ич")), person
            assert not person.last_name.endswith(("ова", "ева", "ина", "ская")), person
    for child in Policy.objects.filter(relation=Relation.CHILD).select_related("insured", "holder"):
        assert 2008 <= child.insured.birth_date.year <= 2024
        holder = child.holder
        assert holder is not None
        if holder.sex == Sex.MALE:
            assert child.insured.patronymic == patronymic_for(holder.first_name, child.insured.sex), child


def test_the_logins_block_names_every_role_and_whom_to_register_as(demo: str) -> None:
    for seed in LOGINS:
        assert seed.email in demo
    assert DEMO_PASSWORD in demo
    assert "+7 916 555-12-34" in demo
    assert "001-2026-000104" in demo and "14.07.1991" in demo
    out = StringIO()
    call_command("demo_data", "--logins-only", stdout=out)
    assert "admin@example.ru" in out.getvalue()
    assert "загружены" not in out.getvalue()
