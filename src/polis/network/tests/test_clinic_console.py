"""The clinic console: the clerk sees its own clinic only, and outsiders see nothing of it."""

import datetime as dt
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from polis.accounts.models import Role
from polis.coverage.models import AccessMode, ServiceMode, TerminationReason
from polis.network.models import KindOfCare
from polis.testing import factories as f


def patient_numbers(response) -> list[str]:
    return re.findall(r"<td>(\d{3}-\d{7})</td>", response.content.decode())


@pytest.fixture
def clinic(clinic_user):
    clinic = clinic_user.clinic
    clinic.name = "Клиника «Здоровье»"
    clinic.address = "г. Москва, ул. Лесная, д. 5"
    clinic.metro = "Белорусская"
    clinic.phones = "+7 495 111-22-33, +7 495 111-22-44"
    clinic.opening_hours = "пн–пт 8:00–21:00"
    clinic.is_franchise = True
    clinic.has_online_booking = True
    clinic.save()
    f.ClinicCareFactory(clinic=clinic, kind=KindOfCare.OUTPATIENT)
    return clinic


@pytest.fixture
def clinic_client(client, clinic_user):
    client.force_login(clinic_user)
    return client


def attach(number: str, clinic, program=None, **kwargs):
    program = program or f.ProgramFactory()
    return f.PolicyFactory(
        number=number, program=program, service_mode=ServiceMode.REGISTRY, registry_clinic=clinic, **kwargs
    )


def test_the_clerk_sees_the_clinic_card_programs_and_attached_count(clinic_client, clinic):
    program = f.ProgramFactory(name="Поликлиника Премиум")
    f.ProgramClinicFactory(program=program, clinic=clinic, kind=KindOfCare.OUTPATIENT, access_mode=AccessMode.REGISTRY)
    f.ProgramClinicFactory(program=program, clinic=clinic, kind=KindOfCare.DENTAL, access_mode=AccessMode.DESK)
    attach("005-0000001", clinic, program)
    attach("005-0000002", clinic, program)

    response = clinic_client.get(reverse("clinic:home"))

    html = response.content.decode()
    assert response.status_code == 200
    for text in [
        "Клиника «Здоровье»",
        "ул. Лесная, д. 5",
        "Белорусская",
        "+7 495 111-22-44",
        "пн–пт 8:00–21:00",
        "1 категория",
        "клиника с франшизой",
        "Амбулаторно-поликлиническая помощь",
        program.contract.number,
        "Поликлиника Премиум",
        "Через регистратуру клиники",
        "Через медицинский пульт",
    ]:
        assert text in html, text
    assert response.context["attached_count"] == 2
    assert [entry.program for entry in response.context["programs"]] == [program]


def test_the_patient_list_holds_only_people_attached_to_this_clinic_in_registry_mode(clinic_client, clinic):
    attach("005-0000001", clinic, insured=f.InsuredPersonFactory(last_name="Белова"))
    attach("005-0000002", clinic, starts_on=dt.date(2026, 12, 1), insured=f.InsuredPersonFactory(last_name="Андреев"))
    attach("005-0000003", clinic, ends_on=dt.date(2026, 6, 30))  # ended
    attach("005-0000004", clinic, terminated_on=dt.date(2026, 10, 1), termination_reason=TerminationReason.DETACHED)
    attach("005-0000005", f.ClinicFactory())  # another clinic's patient
    f.PolicyFactory(number="005-0000006")  # desk mode

    response = clinic_client.get(reverse("clinic:patients"))

    assert response.status_code == 200
    assert patient_numbers(response) == ["005-0000002", "005-0000001"]  # Андреев, Белова


def test_the_clerk_searches_patients_by_name_or_policy_number(clinic_client, clinic):
    attach("005-0000001", clinic, insured=f.InsuredPersonFactory(last_name="Белова"))
    attach("005-0000002", clinic, insured=f.InsuredPersonFactory(last_name="Андреев"))

    assert patient_numbers(clinic_client.get(reverse("clinic:patients"), {"q": "белова"})) == ["005-0000001"]
    assert patient_numbers(clinic_client.get(reverse("clinic:patients"), {"q": "0000002"})) == ["005-0000002"]


def test_the_patient_list_pages_by_fifty_at_a_constant_query_cost(clinic_client, clinic):
    program = f.ProgramFactory()

    def get(page: int = 1):
        with CaptureQueriesContext(connection) as queries:
            response = clinic_client.get(reverse("clinic:patients"), {"page": page})
        return response, len(queries)

    attach("005-9000000", clinic, program)
    _, few = get()
    for n in range(1, 53):
        attach(f"005-9{n:06d}", clinic, program, insured=f.InsuredPersonFactory())
    first, many = get()
    second, _ = get(2)

    assert len(patient_numbers(first)) == 50
    assert len(patient_numbers(second)) == 3
    assert few == many > 0


def test_a_clerk_of_another_clinic_sees_its_own_clinic_and_none_of_ours(client, clinic):
    program = f.ProgramFactory(name="Программа нашей клиники")
    f.ProgramClinicFactory(program=program, clinic=clinic)
    attach("005-0000001", clinic, program, insured=f.InsuredPersonFactory(last_name="Белова"))
    other = f.UserFactory(role=Role.CLINIC, phone=None, clinic=f.ClinicFactory(name="Соседняя клиника"))
    client.force_login(other)

    home = client.get(reverse("clinic:home")).content.decode()
    patients = client.get(reverse("clinic:patients"), {"q": "Белова"})

    assert "Соседняя клиника" in home
    assert "Клиника «Здоровье»" not in home and "Программа нашей клиники" not in home
    assert patient_numbers(patients) == []


@pytest.mark.parametrize("who", ["alice", "hr_user", "desk_user", "backoffice_user"])
def test_the_clinic_console_refuses_other_roles(client, clinic, who, request):
    client.force_login(request.getfixturevalue(who))

    assert client.get(reverse("clinic:home")).status_code == 403
    assert client.get(reverse("clinic:patients")).status_code == 403


def test_an_anonymous_visitor_is_sent_to_login(client, db):
    response = client.get(reverse("clinic:patients"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))
