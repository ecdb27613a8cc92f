"""The desk's little world, shared by the test_desk_* and test_letters_services modules (imported
from here: the care tests' conftest is not ours to own). Alice (conftest) calls the desk; her
program has a clinic in Moscow, one in St. Petersburg and a dental one; the outsider clinic is in
no program of hers. The dispatcher takes requests, the doctor is the second doctor for letters
above the threshold, the curator answers escalations."""

import datetime as dt

import pytest
from django.contrib.auth.models import Permission

from polis import clock
from polis.accounts.models import Role, User
from polis.care import numbers, states
from polis.care.models import CareRequest, Escalation, RequestStatus, Urgency
from polis.coverage.models import Policy
from polis.network.models import Clinic, KindOfCare
from polis.testing import factories as f


def grant(user: User, codename: str) -> User:
    user.user_permissions.add(Permission.objects.get(content_type__app_label="care", codename=codename))
    return User.objects.get(pk=user.pk)  # a fresh object: has_perm caches what it read


def make_request(
    policy: Policy,
    *,
    by: User | None = None,
    status: str = RequestStatus.NEW,
    urgency: str = Urgency.ROUTINE,
    kind: str = KindOfCare.OUTPATIENT,
    clinic: Clinic | None = None,
    created_at: dt.datetime | None = None,
    dispatcher: User | None = None,
    **fields: object,
) -> CareRequest:
    """A request as the insured's form leaves it (the form is another helper's)."""
    author = by or policy.insured.user or f.UserFactory()
    request = CareRequest.objects.create(
        number=numbers.placeholder(),
        policy=policy,
        created_by=author,
        complaints=str(fields.pop("complaints", "Температура 38,5, кашель третий день")),
        kind=kind,
        clinic=clinic,
        desired_date=fields.pop("desired_date", clock.today() + dt.timedelta(days=1)),
        urgency=urgency,
        status=status,
        created_at=created_at or clock.now(),
        dispatcher=dispatcher,
        taken_at=clock.now() if dispatcher else None,
        **fields,
    )
    numbers.assign_number(request, numbers.REQUEST)
    states.record(request, action="created", actor=author, to_status=status)
    return request


@pytest.fixture
def moscow_clinic(alice_policy: Policy) -> Clinic:
    clinic = f.ClinicFactory(name="Клиника на Тверской", email="letters@tverskaya.example.ru")
    f.ProgramClinicFactory(program=alice_policy.program, clinic=clinic, kind=KindOfCare.OUTPATIENT)
    return clinic


@pytest.fixture
def piter_clinic(alice_policy: Policy) -> Clinic:
    clinic = f.ClinicFactory(
        name="Клиника на Невском", city="Санкт-Петербург", address="г. Санкт-Петербург, Невский пр., 1"
    )
    f.ProgramClinicFactory(program=alice_policy.program, clinic=clinic, kind=KindOfCare.OUTPATIENT)
    return clinic


@pytest.fixture
def dental_clinic(alice_policy: Policy) -> Clinic:
    clinic = f.ClinicFactory(name="Стоматология «Улыбка»")
    f.ProgramClinicFactory(program=alice_policy.program, clinic=clinic, kind=KindOfCare.DENTAL)
    return clinic


@pytest.fixture
def outsider_clinic(db: None) -> Clinic:
    """In another program (bob's kind of contract), not in alice's."""
    clinic = f.ClinicFactory(name="Чужая клиника")
    f.ProgramClinicFactory(clinic=clinic, kind=KindOfCare.OUTPATIENT)
    return clinic


@pytest.fixture
def dispatcher(desk_user: User) -> User:
    return desk_user


@pytest.fixture
def doctor(db: None) -> User:
    user = f.UserFactory(email="doctor@example.ru", phone=None, role=Role.DESK, last_name="Врачова", first_name="Анна")
    return grant(user, "approve_letter")


@pytest.fixture
def curator(db: None) -> User:
    user = f.UserFactory(
        email="curator@example.ru", phone=None, role=Role.DESK, last_name="Кураторов", first_name="Иван"
    )
    return grant(user, "handle_escalation")


@pytest.fixture
def taken(alice_policy: Policy, dispatcher: User, moscow_clinic: Clinic) -> CareRequest:
    """Alice's request, in the dispatcher's work, wishing the Moscow clinic."""
    return make_request(alice_policy, status=RequestStatus.IN_WORK, dispatcher=dispatcher, clinic=moscow_clinic)


def escalate(request: CareRequest, text: str = "Не согласна с отказом: это обострение") -> Escalation:
    return Escalation.objects.create(request=request, raised_by=request.created_by, text=text, created_at=clock.now())


def test_a_made_request_is_numbered_and_recorded(alice_policy):
    request = make_request(alice_policy)
    assert request.number == f"ОБ-2026-{request.pk:06d}"
    assert list(request.events.values_list("action", flat=True)) == ["created"]
