"""The insured person's dashboard: which policies appear, in what order, for whom, at what cost."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from polis.care.models import DeskContact
from polis.coverage.models import FranchiseActivation, Relation, ServiceMode
from polis.coverage.selectors import policies_for_user
from polis.testing import factories as f

DASHBOARD = reverse("coverage:dashboard")


def test_an_insured_sees_her_own_policy_and_her_sons(client, alice):
    client.force_login(alice)

    page = client.get(DASHBOARD)

    assert page.status_code == 200
    html = page.content.decode()
    assert "001-0000001" in html
    assert "001-0000002" in html
    assert "Смирнова Артём Андреевич" in html
    assert "Ребёнок" in html
    assert "01.01.2026–31.12.2026" in html
    assert "Действует" in html
    assert html.index("001-0000001") < html.index("001-0000002"), "her own policy comes first"
    assert reverse("accounts:policy_add") in html


def test_the_dashboard_does_not_show_another_persons_policies(client, alice, bob):
    client.force_login(bob)

    html = client.get(DASHBOARD).content.decode()

    assert "002-0000001" in html
    assert "001-0000001" not in html
    assert "001-0000002" not in html


def test_an_account_without_policies_sees_the_empty_state_and_a_way_to_add_one(client, db):
    client.force_login(f.UserFactory())

    html = client.get(DASHBOARD).content.decode()

    assert "Полисов пока нет" in html
    assert reverse("accounts:policy_add") in html


def test_the_dashboard_shows_the_desk_phone_of_the_persons_city_before_the_federal_one(client, alice):
    DeskContact.objects.create(city="", title="Федеральный пульт", phone="8 800 100-00-00", order=0)
    DeskContact.objects.create(city="Москва", title="Пульт в Москве", phone="+7 495 111-11-11", order=5)
    DeskContact.objects.create(city="Казань", title="Пульт в Казани", phone="+7 843 222-22-22")
    client.force_login(alice)

    html = client.get(DASHBOARD).content.decode()

    assert html.index("+7 495 111-11-11") < html.index("8 800 100-00-00")
    assert "+7 843 222-22-22" not in html


def test_the_dashboard_tells_the_service_mode_and_the_franchise(client, alice, alice_person):
    clinic = f.ClinicFactory(name="Медицина на Арбате")
    program = f.ProgramFactory(franchise_activation=FranchiseActivation.DEPOSIT)
    f.PolicyFactory(insured=alice_person, program=program, service_mode=ServiceMode.REGISTRY, registry_clinic=clinic)
    client.force_login(alice)

    html = client.get(DASHBOARD).content.decode()

    assert "Через регистратуру клиники: Медицина на Арбате" in html
    assert "неснижаемый авансовый платёж" in html


@pytest.mark.parametrize("staff", ["hr_user", "desk_user", "clinic_user", "backoffice_user"])
def test_staff_roles_are_refused_the_insured_dashboard(client, request, staff):
    client.force_login(request.getfixturevalue(staff))

    assert client.get(DASHBOARD).status_code == 403


def test_an_anonymous_visitor_is_sent_to_log_in(client, db):
    response = client.get(DASHBOARD)

    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]


def _add_relatives_and_policies(alice_person, n: int) -> None:
    for i in range(n):
        relative = f.InsuredPersonFactory(first_name=f"Родственник{i}", city="Санкт-Петербург")
        clinic = f.ClinicFactory()
        program = f.ProgramFactory(franchise_activation=FranchiseActivation.CARD)
        f.PolicyFactory(
            insured=relative,
            holder=alice_person,
            relation=Relation.SPOUSE,
            program=program,
            service_mode=ServiceMode.REGISTRY,
            registry_clinic=clinic,
        )
        f.PolicyFactory(insured=alice_person, program=f.ProgramFactory(), starts_on=dt.date(2025, 1, 1),
                        ends_on=dt.date(2025, 12, 31), issued_on=dt.date(2024, 12, 20))  # fmt: skip


def test_the_dashboard_query_count_does_not_grow_with_relatives_and_policies(client, alice, alice_person):
    DeskContact.objects.create(city="", title="Федеральный пульт", phone="8 800 100-00-00")
    client.force_login(alice)
    client.get(DASHBOARD)  # warm up whatever is loaded once per process

    with CaptureQueriesContext(connection) as few:
        assert client.get(DASHBOARD).status_code == 200
    _add_relatives_and_policies(alice_person, 4)
    with CaptureQueriesContext(connection) as many:
        page = client.get(DASHBOARD)

    assert page.content.decode().count("policy-card") >= 2 + 8
    assert len(many) == len(few) > 0, [q["sql"] for q in many.captured_queries]


def test_own_policies_come_first_and_those_in_force_before_ended_ones(alice, alice_person):
    expired = f.PolicyFactory(
        insured=alice_person, number="001-0000100", starts_on=dt.date(2025, 1, 1), ends_on=dt.date(2025, 12, 31)
    )
    pending = f.PolicyFactory(
        insured=alice_person, number="001-0000101", starts_on=dt.date(2027, 1, 1), ends_on=dt.date(2027, 12, 31)
    )
    terminated = f.PolicyFactory(insured=alice_person, number="001-0000102", terminated_on=dt.date(2026, 6, 1))

    numbers = [p.number for p in policies_for_user(user=alice)]

    assert numbers == ["001-0000001", pending.number, expired.number, terminated.number, "001-0000002"]


def test_policies_of_a_persons_other_insured_records_are_her_own_too(alice):
    # Another contract created its own record of the same person; the account links both.
    other = f.InsuredPersonFactory(user=alice, city="Санкт-Петербург")
    f.PolicyFactory(insured=other, number="003-0000001")

    policies = list(policies_for_user(user=alice))

    assert {p.number for p in policies if p.is_own} == {"001-0000001", "003-0000001"}


def test_staff_see_no_policies_even_when_linked_to_an_insured_record(hr_user, alice_person):
    alice_person.user = hr_user
    alice_person.save()

    assert list(policies_for_user(user=hr_user)) == []


def test_the_dashboard_lists_the_visits_the_desk_booked_with_their_letter(client, alice, alice_policy, bob):
    import datetime as dt_

    from polis.care.models import VisitStatus
    from polis.care.tests.insured_support import MSK_NOON, cover, make_letter, make_request, make_visit

    clinic = cover(alice_policy, "outpatient")
    request = make_request(alice_policy, by=alice)
    letter = make_letter(request, clinic)
    make_visit(request, clinic, letter=letter, starts_at=MSK_NOON + dt_.timedelta(days=2), doctor="Лебедева О.Н.")
    make_visit(request, clinic, starts_at=MSK_NOON - dt_.timedelta(days=2), status=VisitStatus.HAPPENED)
    client.force_login(alice)

    page = client.get(DASHBOARD).content.decode()

    assert "22.11.2026 <strong>12:00</strong>" in page
    assert "Лебедева О.Н." in page and letter.number in page
    assert "18.11.2026" not in page  # a visit already past is not «ahead»
    client.force_login(bob)
    assert letter.number not in client.get(DASHBOARD).content.decode()
