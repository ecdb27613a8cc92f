"""The medical desk console: an incoming call, from the dispatcher's side and the outsiders'."""

import datetime as dt
import re

import pytest
from django.urls import reverse

from polis.coverage.models import (
    AccessMode,
    CopayRule,
    FranchiseActivation,
    LimitPeriod,
    LimitUsage,
    Policy,
    ServiceCategory,
    ServiceMode,
)
from polis.network.models import KindOfCare
from polis.testing import factories as f


def found(response) -> list[str]:
    return re.findall(r"<td>(\d{3}-\d{7})</td>", response.content.decode())


@pytest.fixture
def desk_client(client, desk_user):
    client.force_login(desk_user)
    return client


def search(client, **params):
    return client.get(reverse("desk:search"), params)


def test_the_dispatcher_finds_a_caller_by_policy_number(desk_client, alice, bob):
    response = search(desk_client, policy_number="001-0000001")

    assert response.status_code == 200
    assert found(response) == ["001-0000001"]
    assert "Действует" in response.content.decode()


@pytest.mark.parametrize("phone", ["8 916 123-45-67", "+7 (916) 123 45 67", "9161234567"])
def test_a_phone_in_any_spelling_finds_the_caller_and_the_relatives_she_holds(desk_client, alice, bob, phone):
    assert sorted(found(search(desk_client, phone=phone))) == ["001-0000001", "001-0000002"]


def test_a_phone_known_only_to_the_account_finds_the_person_too(desk_client, bob):
    # bob's insured record has no phone of its own; his account has one.
    assert found(search(desk_client, phone="+7 903 111-22-33")) == ["002-0000001"]


def test_name_and_birth_date_find_the_caller_whatever_the_case(desk_client, alice, bob):
    response = search(desk_client, full_name="смирнова ирина", birth_date="12.04.1988")

    assert found(response) == ["001-0000001"]


def test_a_wrong_birth_date_finds_nobody_and_says_so(desk_client, alice):
    response = search(desk_client, full_name="Смирнова Ирина", birth_date="13.04.1988")

    assert found(response) == []
    assert "Никого не нашлось" in response.content.decode()


def test_a_name_without_a_birth_date_is_refused_next_to_the_date_and_keeps_the_name(desk_client, alice):
    response = search(desk_client, full_name="Смирнова")

    form = response.context["form"]
    assert form.errors["birth_date"] == ["Для поиска по ФИО укажите и дату рождения."]
    assert response.context["results"] is None
    assert 'value="Смирнова"' in response.content.decode()


def test_an_empty_search_asks_what_to_look_for(desk_client):
    response = search(desk_client, policy_number="", phone="")

    assert response.context["form"].non_field_errors() == ["Укажите номер полиса, телефон или ФИО с датой рождения."]


def test_a_phone_that_is_not_a_mobile_number_is_refused_next_to_the_field(desk_client):
    response = search(desk_client, phone="12345")

    assert response.context["form"].errors["phone"] == ["Введите мобильный номер, например +7 912 345-67-89."]


def test_the_policy_in_force_comes_before_an_expired_one(desk_client, alice_policy, alice_person):
    f.PolicyFactory(
        number="001-0000099", program=alice_policy.program, insured=alice_person,
        starts_on=dt.date(2025, 1, 1), ends_on=dt.date(2025, 12, 31),
    )  # fmt: skip

    response = search(desk_client, full_name="Смирнова Ирина", birth_date="1988-04-12")

    assert found(response) == ["001-0000001", "001-0000099"]
    assert "Срок истёк" in response.content.decode()


def test_the_policy_page_answers_am_i_covered_and_where_can_i_go(desk_client, alice_policy):
    program = alice_policy.program
    program.franchise_activation = FranchiseActivation.DEPOSIT
    program.deposit_per_person_kopecks = 30000
    program.save()
    CopayRule.objects.create(program=program, service_category=ServiceCategory.CONSULTATION, percent=30)
    f.ProgramCareFactory(program=program, kind=KindOfCare.DENTAL, conditions="Лечение кариеса, без протезирования")
    f.ProgramClinicFactory(
        program=program, kind=KindOfCare.DENTAL, access_mode=AccessMode.REGISTRY,
        clinic=f.ClinicFactory(name="Дента-Люкс", metro="Чистые пруды"),
    )  # fmt: skip
    f.ProgramClinicFactory(program=program, kind=KindOfCare.OUTPATIENT, clinic=f.ClinicFactory(name="Поликлиника №1"))
    limit = f.ProgramLimitFactory(
        program=program, name="Консультации психолога", max_count=3, period=LimitPeriod.CONTRACT
    )
    LimitUsage.objects.create(policy=alice_policy, limit=limit, used_on=dt.date(2026, 3, 3))

    response = desk_client.get(reverse("desk:policy", args=[alice_policy.pk]))

    assert response.status_code == 200
    html = response.content.decode()
    for text in [
        "Смирнова Ирина Петровна",
        "001-0000001",
        "Действует",
        program.name,
        "Через медицинский пульт",  # the policy's service mode and the outpatient clinic's access
        "Лечение кариеса, без протезирования",
        "Стоматология",
        "Дента-Люкс",
        "Чистые пруды",
        "Через регистратуру клиники",
        "Поликлиника №1",
        "Неснижаемый авансовый платёж",
        "300,00",
        "30 %",
        "Толмачева Анастасия Владимировна",
    ]:
        assert text in html, text
    limits = {line.name: (line.used, line.left) for line in response.context["o"].limits}
    assert limits == {"Консультации психолога": (1, 2)}


def test_a_registry_mode_policy_shows_its_clinic(desk_client, alice_policy):
    clinic = f.ClinicFactory(name="Клиника прикрепления", address="г. Москва, ул. Лесная, д. 5")
    Policy.objects.filter(pk=alice_policy.pk).update(service_mode=ServiceMode.REGISTRY, registry_clinic=clinic)

    html = desk_client.get(reverse("desk:policy", args=[alice_policy.pk])).content.decode()

    assert "Через регистратуру клиники" in html
    assert "Клиника прикрепления" in html and "ул. Лесная, д. 5" in html


def test_a_policy_out_of_force_warns_and_points_to_the_one_in_force(desk_client, alice_policy, alice_person):
    old = f.PolicyFactory(
        number="001-0000099", program=alice_policy.program, insured=alice_person,
        starts_on=dt.date(2025, 1, 1), ends_on=dt.date(2025, 12, 31),
    )  # fmt: skip

    html = desk_client.get(reverse("desk:policy", args=[old.pk])).content.decode()

    assert "Сегодня этот полис не действует" in html
    assert reverse("desk:policy", args=[alice_policy.pk]) in html


def test_the_desk_pages_make_no_promises_about_letters(desk_client, alice_policy):
    # Requests and guarantee letters come with their own issue; nothing here pretends to issue one.
    html = desk_client.get(reverse("desk:policy", args=[alice_policy.pk])).content.decode()

    assert "гарантийн" not in html.lower()


def test_an_unknown_policy_is_not_found(desk_client, db):
    assert desk_client.get(reverse("desk:policy", args=[999999])).status_code == 404


@pytest.mark.parametrize("who", ["alice", "hr_user", "clinic_user", "backoffice_user"])
def test_the_desk_console_refuses_other_roles(client, alice_policy, who, request):
    client.force_login(request.getfixturevalue(who))

    assert client.get(reverse("desk:search"), {"policy_number": "001-0000001"}).status_code == 403
    assert client.get(reverse("desk:policy", args=[alice_policy.pk])).status_code == 403


def test_an_anonymous_caller_is_sent_to_login(client, alice_policy):
    response = client.get(reverse("desk:policy", args=[alice_policy.pk]))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))
