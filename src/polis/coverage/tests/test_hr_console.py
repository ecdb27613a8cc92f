"""The HR console, from the administrator's side and from every outsider's."""

import datetime as dt
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from polis.accounts.models import Role
from polis.coverage.models import AccessMode, LimitUsage, Policy, Relation, TerminationReason
from polis.network.models import KindOfCare
from polis.testing import factories as f


def people_rows(response) -> list[str]:
    """Policy numbers in the list, in order."""
    return re.findall(r"<td>(\d{3}-\d{7})</td>", response.content.decode())


@pytest.fixture
def contract(alice_policy):
    return alice_policy.contract


@pytest.fixture
def hr_client(client, hr_user):
    client.force_login(hr_user)
    return client


def test_hr_sees_the_people_of_its_contract_and_nobody_else(hr_client, alice_policy, bob):
    response = hr_client.get(reverse("hr:people"))

    assert response.status_code == 200
    assert people_rows(response) == ["001-0000002", "001-0000001"]  # Смирнова Артём, Смирнова Ирина
    html = response.content.decode()
    assert "Смирнова Ирина Петровна" in html
    assert "Ребёнок" in html and "Смирнова И.П." in html  # the son, with whose relative he is
    assert "002-0000001" not in html
    assert "Кузнецов" not in html


def test_the_list_is_sorted_by_name(hr_client, contract):
    program = contract.programs.get()
    for number, last_name in [("001-0000010", "Яковлев"), ("001-0000011", "Абрамова")]:
        f.PolicyFactory(number=number, program=program, insured=f.InsuredPersonFactory(last_name=last_name))

    rows = people_rows(hr_client.get(reverse("hr:people")))

    assert rows[0] == "001-0000011"
    assert rows[-1] == "001-0000010"


@pytest.mark.parametrize(
    "query",
    ["смирнова ирина", "Ирина СМИРНОВА", "0000001", "t-1001", "Смирнова 001-0000001"],
)
def test_hr_finds_a_person_by_name_policy_number_or_personnel_number(hr_client, alice_policy, query):
    rows = people_rows(hr_client.get(reverse("hr:people"), {"q": query}))

    assert "001-0000001" in rows
    assert all(not row.startswith("002") for row in rows)


def test_a_search_that_matches_nobody_says_so(hr_client, alice_policy):
    response = hr_client.get(reverse("hr:people"), {"q": "Иванов"})

    assert people_rows(response) == []
    assert "Никого не нашлось" in response.content.decode()


def test_hr_filters_by_status_and_counts_each(hr_client, contract, frozen_now):
    program = contract.programs.get()
    f.PolicyFactory(number="001-0000020", program=program, ends_on=dt.date(2026, 6, 30))
    f.PolicyFactory(
        number="001-0000021", program=program, terminated_on=dt.date(2026, 10, 1),
        termination_reason=TerminationReason.CONSENT_WITHDRAWN,
    )  # fmt: skip
    f.PolicyFactory(number="001-0000022", program=program, starts_on=dt.date(2026, 12, 1))

    ended = hr_client.get(reverse("hr:people"), {"status": "ended"})
    active = hr_client.get(reverse("hr:people"), {"status": "active"})
    pending = hr_client.get(reverse("hr:people"), {"status": "pending"})

    assert sorted(people_rows(ended)) == ["001-0000020", "001-0000021"]
    assert sorted(people_rows(active)) == ["001-0000001", "001-0000002"]
    assert people_rows(pending) == ["001-0000022"]
    counts = ended.context["counts"]
    assert (counts.total, counts.active, counts.pending, counts.ended) == (5, 2, 1, 2)


def test_hr_of_two_contracts_filters_by_contract_and_program(hr_client, hr_user, contract):
    other = f.ProgramFactory(name="Только экстренная помощь")
    other.contract.administrators.add(hr_user)
    f.PolicyFactory(number="001-0000030", program=other)

    by_contract = hr_client.get(reverse("hr:people"), {"contract": other.contract.pk})
    by_program = hr_client.get(reverse("hr:people"), {"program": contract.programs.get().pk})

    assert people_rows(by_contract) == ["001-0000030"]
    assert sorted(people_rows(by_program)) == ["001-0000001", "001-0000002"]
    assert "Только экстренная помощь" in by_contract.content.decode()


def test_filtering_by_a_contract_that_is_not_yours_shows_nothing_of_it(hr_client, bob):
    foreign = Policy.objects.get(number="002-0000001")

    response = hr_client.get(reverse("hr:people"), {"contract": foreign.contract_id, "program": foreign.program_id})

    assert response.status_code == 200
    assert "002-0000001" not in people_rows(response)
    assert response.context["form"].errors.keys() >= {"contract", "program"}


def test_the_list_pages_by_fifty(hr_client, contract):
    program = contract.programs.get()
    person = f.InsuredPersonFactory(last_name="Яшин")
    for n in range(53):
        f.PolicyFactory(number=f"001-1{n:06d}", program=program, insured=person)

    first = hr_client.get(reverse("hr:people"))
    second = hr_client.get(reverse("hr:people"), {"page": 2})

    assert len(people_rows(first)) == 50
    assert len(people_rows(second)) == 5
    assert "Страница 1 из 2" in first.content.decode()


def test_the_list_costs_the_same_queries_for_3_or_40_people(hr_client, contract):
    program = contract.programs.get()

    def count_queries() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert hr_client.get(reverse("hr:people")).status_code == 200
        return len(queries)

    f.PolicyFactory(number="001-9000000", program=program)
    few = count_queries()
    for n in range(1, 38):
        f.PolicyFactory(number=f"001-9{n:06d}", program=program, insured=f.InsuredPersonFactory())
    many = count_queries()

    assert few == many > 0


def test_hr_opens_a_persons_policy_page(hr_client, alice_policy):
    response = hr_client.get(reverse("hr:person", args=[alice_policy.pk]))

    html = response.content.decode()
    assert response.status_code == 200
    for text in ["Смирнова Ирина Петровна", "12.04.1988", "001-0000001", "T-1001", "Действует", "01.01.2026"]:
        assert text in html, text
    assert "Артём" in html  # her son, on the same contract
    assert reverse("hr:policy_pdf", args=[alice_policy.pk]) in html


def test_hr_never_sees_limits_used_or_clinics_visited(hr_client, alice_policy):
    program = alice_policy.program
    limit = f.ProgramLimitFactory(program=program, name="Консультации психолога", max_count=3)
    LimitUsage.objects.create(
        policy=alice_policy, limit=limit, used_on=dt.date(2026, 3, 3), source="Реестр клиники «Психея», F32.1"
    )
    f.ProgramClinicFactory(
        program=program, kind=KindOfCare.OUTPATIENT, clinic=f.ClinicFactory(name="Психея"), access_mode=AccessMode.DESK
    )

    html = hr_client.get(reverse("hr:person", args=[alice_policy.pk])).content.decode()

    for secret in ["Психея", "психолог", "F32", "03.03.2026", "Использовано", "Осталось", "из 3"]:
        assert secret not in html, secret


def test_hr_downloads_the_policy_pdf_of_its_people(hr_client, alice_policy):
    response = hr_client.get(reverse("hr:policy_pdf", args=[alice_policy.pk]))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert "attachment" in response["Content-Disposition"]
    assert response.content.startswith(b"%PDF")


@pytest.mark.parametrize("name", ["hr:person", "hr:policy_pdf"])
def test_a_policy_of_another_contract_is_not_found(hr_client, bob, name):
    foreign = Policy.objects.get(number="002-0000001")

    assert hr_client.get(reverse(name, args=[foreign.pk])).status_code == 404


def test_hr_of_another_contract_sees_none_of_alices_people(client, alice_policy, bob):
    other_hr = f.UserFactory(role=Role.HR, phone=None)
    Policy.objects.get(number="002-0000001").contract.administrators.add(other_hr)
    client.force_login(other_hr)

    assert people_rows(client.get(reverse("hr:people"))) == ["002-0000001"]
    assert client.get(reverse("hr:person", args=[alice_policy.pk])).status_code == 404
    assert client.get(reverse("hr:contract", args=[alice_policy.contract_id])).status_code == 404


def test_hr_without_a_contract_sees_an_empty_console(client, db):
    lonely = f.UserFactory(role=Role.HR, phone=None)
    f.PolicyFactory(number="003-0000001")
    client.force_login(lonely)

    response = client.get(reverse("hr:people"))

    assert response.status_code == 200
    assert people_rows(response) == []
    assert "не закреплён ни один договор" in response.content.decode()


def test_the_contract_page_shows_terms_programs_with_headcounts_and_contacts(hr_client, contract):
    program = contract.programs.get()
    f.PolicyFactory(number="001-0000040", program=program, ends_on=dt.date(2026, 5, 31))
    empty = f.ProgramFactory(contract=contract, name="Стоматология")

    response = hr_client.get(reverse("hr:contract", args=[contract.pk]))

    html = response.content.decode()
    assert response.status_code == 200
    assert contract.number in html and str(contract.policyholder) in html
    assert "01.01.2026" in html and "31.12.2026" in html
    assert "Толмачева Анастасия Владимировна" in html and "admin@example.ru" in html
    headcounts = {p.pk: (p.people, p.people_active) for p in response.context["programs"]}
    assert headcounts == {program.pk: (3, 2), empty.pk: (0, 0)}


def test_a_contract_of_someone_else_is_not_found(hr_client, bob):
    foreign = Policy.objects.get(number="002-0000001").contract

    assert hr_client.get(reverse("hr:contract", args=[foreign.pk])).status_code == 404


@pytest.mark.parametrize("name", ["hr:people", "hr:person", "hr:policy_pdf", "hr:contract"])
def test_the_hr_console_refuses_other_roles(client, alice, desk_user, clinic_user, backoffice_user, name):
    policy = Policy.objects.get(number="001-0000001")
    url = (
        reverse(name)
        if name == "hr:people"
        else reverse(name, args=[policy.contract_id if name == "hr:contract" else policy.pk])
    )
    for user in [alice, desk_user, clinic_user, backoffice_user]:
        client.force_login(user)
        assert client.get(url).status_code == 403, user.role


def test_an_anonymous_visitor_is_sent_to_login(client):
    response = client.get(reverse("hr:people"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


@pytest.mark.parametrize("relation", [Relation.SPOUSE])
def test_a_relative_shows_the_relation_and_the_employee_holding_the_policy(hr_client, alice_policy, relation):
    husband = f.InsuredPersonFactory(first_name="Андрей", sex="m")
    policy = f.PolicyFactory(
        number="001-0000050", program=alice_policy.program, insured=husband, holder=alice_policy.insured,
        relation=relation,
    )  # fmt: skip

    html = hr_client.get(reverse("hr:person", args=[policy.pk])).content.decode()

    assert "Супруг(а)" in html
    assert "страхователь Смирнова Ирина Петровна" in html
