import datetime as dt

import pytest
from django.urls import reverse

from polis.accounts import services
from polis.accounts.models import ConsentKind
from polis.accounts.selectors import consent_text_current
from polis.accounts.services import PolicyAttachError
from polis.accounts.services.consent import consent_record
from polis.accounts.services.policies import NOT_FOUND
from polis.coverage.models import InsuredPerson
from polis.testing import factories as f


@pytest.fixture
def renewal(alice_person):
    """Alice on another contract: a separate insured record with her name and birth date."""
    record = f.InsuredPersonFactory(last_name="СМИРНОВА", first_name="Ирина", patronymic="Петровна")
    return f.PolicyFactory(insured=record, number="555-0000123")


def test_a_person_adds_her_policy_on_another_contract(alice, alice_person, renewal):
    policy = services.policy_attach(user=alice, number=" 555-0000123 ")
    assert policy == renewal
    assert InsuredPerson.objects.get(pk=renewal.insured_id).user == alice
    assert set(alice.insured_records.values_list("pk", flat=True)) == {alice_person.pk, renewal.insured_id}


def test_adding_ones_own_policy_again_is_harmless(alice, alice_policy):
    assert services.policy_attach(user=alice, number="001-0000001") == alice_policy


@pytest.mark.parametrize("number", ["555-0000999", "001-0000002", "002-0000001"])
def test_someone_elses_or_no_policy_gets_one_generic_refusal(alice, bob, number):
    # 001-0000002 is her son's (another name), 002-0000001 is bob's: both exist, neither is hers.
    with pytest.raises(PolicyAttachError) as error:
        services.policy_attach(user=alice, number=number)
    assert error.value.message == str(NOT_FOUND)


def test_a_policy_in_her_name_already_linked_to_another_account_gets_the_same_refusal(alice, renewal):
    namesake = f.UserFactory(email="namesake@example.ru")
    InsuredPerson.objects.filter(pk=renewal.insured_id).update(user=namesake)
    with pytest.raises(PolicyAttachError) as error:
        services.policy_attach(user=alice, number="555-0000123")
    assert error.value.message == str(NOT_FOUND)
    assert InsuredPerson.objects.get(pk=renewal.insured_id).user == namesake


def test_a_policy_with_another_birth_date_is_refused(alice):
    other = f.InsuredPersonFactory(birth_date=dt.date(1988, 4, 13))
    f.PolicyFactory(insured=other, number="555-1")
    with pytest.raises(PolicyAttachError):
        services.policy_attach(user=alice, number="555-1")


def test_after_withdrawing_consent_no_policy_can_be_added(alice, renewal, frozen_now):
    text = consent_text_current(kind=ConsentKind.PERSONAL_DATA)
    consent_record(
        user=alice, kind=ConsentKind.PERSONAL_DATA, text_id=text.pk, given_at=frozen_now.return_value, ip=None
    )
    services.consent_withdraw(user=alice, kind=ConsentKind.PERSONAL_DATA)
    with pytest.raises(PolicyAttachError, match="отозвали"):
        services.policy_attach(user=alice, number="555-0000123")


def test_the_add_policy_page_adds_and_refuses_next_to_the_field(client, alice, renewal):
    client.force_login(alice)
    response = client.post(reverse("accounts:policy_add"), {"number": "555-0000999"})
    assert response.status_code == 200
    content = response.content.decode()
    assert 'id="id_number_error">Полис не найден' in content
    assert 'value="555-0000999"' in content

    response = client.post(reverse("accounts:policy_add"), {"number": "555-0000123"})
    assert response.status_code == 302
    assert InsuredPerson.objects.get(pk=renewal.insured_id).user == alice
