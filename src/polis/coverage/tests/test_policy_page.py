"""One policy's page and its PDFs, seen from the owner's, a relative's, an outsider's and staff's side."""

import pytest
from django.http import Http404
from django.urls import reverse

from polis.care.models import DeskContact
from polis.coverage.models import AccessMode, Policy
from polis.coverage.selectors import policy_for_user
from polis.network.models import KindOfCare
from polis.testing import factories as f

POLICY_PAGES = ["coverage:policy", "coverage:policy_pdf", "coverage:memo_pdf"]


def url(name: str, policy: Policy) -> str:
    return reverse(name, args=[policy.pk])


def test_an_insured_opens_her_policy_with_program_limits_clinics_and_contacts(client, alice, alice_policy):
    program = alice_policy.program
    f.ProgramCareFactory(program=program, kind=KindOfCare.DENTAL, conditions="Лечение кариеса, без протезирования")
    f.ProgramLimitFactory(program=program, name="Консультации психолога", max_count=3)
    f.ProgramClinicFactory(program=program, kind=KindOfCare.DENTAL, clinic=f.ClinicFactory(name="Дента-Люкс"),
                           access_mode=AccessMode.REGISTRY)  # fmt: skip
    DeskContact.objects.create(city="", title="Медицинский пульт", phone="8 800 100-00-00")
    alice_policy.contract.policy_print_note = "Пропуск по полису"
    alice_policy.contract.save()
    client.force_login(alice)

    page = client.get(url("coverage:policy", alice_policy))

    assert page.status_code == 200
    html = page.content.decode()
    for text in [
        "001-0000001",
        "Смирнова Ирина Петровна",
        "12.04.1988",
        "Лечение кариеса, без протезирования",
        "осталось 3 из 3",
        "Дента-Люкс",
        "Через регистратуру клиники",
        "Толмачева Анастасия Владимировна",
        "8 800 100-00-00",
        url("coverage:policy_pdf", alice_policy),
        url("coverage:memo_pdf", alice_policy),
    ]:
        assert text in html, text


def test_a_holder_opens_her_sons_policy(client, alice):
    son_policy = Policy.objects.get(number="001-0000002")
    client.force_login(alice)

    page = client.get(url("coverage:policy", son_policy))

    assert page.status_code == 200
    assert "Смирнова Артём Андреевич" in page.content.decode()


@pytest.mark.parametrize("name", POLICY_PAGES)
def test_an_insured_cannot_open_another_persons_policy_or_its_pdfs(client, alice, alice_policy, bob, name):
    client.force_login(bob)

    assert client.get(url(name, alice_policy)).status_code == 404


@pytest.mark.parametrize("name", POLICY_PAGES)
def test_an_adult_relative_with_an_account_cannot_open_the_holders_policy(client, alice, alice_policy, name):
    son_policy = Policy.objects.get(number="001-0000002")
    son_user = f.UserFactory(first_name="Артём")
    son_policy.insured.user = son_user
    son_policy.insured.save()
    client.force_login(son_user)

    assert client.get(url(name, alice_policy)).status_code == 404
    assert client.get(url("coverage:policy", son_policy)).status_code == 200


def test_a_policy_that_does_not_exist_is_not_found(client, alice):
    client.force_login(alice)

    assert client.get(reverse("coverage:policy", args=[987654])).status_code == 404


@pytest.mark.parametrize("staff", ["hr_user", "desk_user", "clinic_user", "backoffice_user"])
@pytest.mark.parametrize("name", POLICY_PAGES)
def test_staff_roles_are_refused_the_insured_policy_pages(client, request, alice_policy, staff, name):
    client.force_login(request.getfixturevalue(staff))

    assert client.get(url(name, alice_policy)).status_code == 403


def test_the_selector_does_not_find_a_policy_for_staff_even_its_contracts_hr(hr_user, alice_policy):
    with pytest.raises(Http404):
        policy_for_user(user=hr_user, policy_id=alice_policy.pk)


def test_an_anonymous_visitor_is_sent_to_log_in_not_shown_a_pdf(client, alice_policy):
    response = client.get(url("coverage:policy_pdf", alice_policy))

    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]
