import datetime as dt

from polis.coverage.matching import find_insured
from polis.coverage.models import InsuredPerson
from polis.testing import factories as f


def _find(**overrides: object) -> InsuredPerson | None:
    data: dict = {
        "last_name": "Петров",
        "first_name": "Сергей",
        "patronymic": "Иванович",
        "birth_date": dt.date(1985, 3, 14),
        "policy_or_personnel_number": "003-0000042",
    }
    data.update(overrides)
    return find_insured(**data)


def test_a_person_is_found_by_name_birth_date_and_policy_number(petrov):
    assert _find() == petrov


def test_case_yo_and_spaces_do_not_matter_in_names_and_numbers(db):
    person = f.InsuredPersonFactory(last_name="Семёнова", first_name="Алёна", patronymic="Петровна")
    f.PolicyFactory(insured=person, number="AB-001 77", personnel_number="tn-15")
    found = find_insured(
        last_name="  семенова ",
        first_name="АЛЕНА",
        patronymic="петровна",
        birth_date=person.birth_date,
        policy_or_personnel_number=" ab-00177 ",
    )
    assert found == person
    assert _find_by_personnel(person, "TN-15") == person


def _find_by_personnel(person: InsuredPerson, number: str) -> InsuredPerson | None:
    return find_insured(
        last_name=person.last_name,
        first_name=person.first_name,
        patronymic=person.patronymic,
        birth_date=person.birth_date,
        policy_or_personnel_number=number,
    )


def test_the_personnel_number_works_instead_of_the_policy_number(petrov):
    assert _find(policy_or_personnel_number="тн-7781") == petrov


def test_any_wrong_detail_finds_nobody(petrov):
    assert _find(last_name="Петрова") is None
    assert _find(first_name="Семён") is None
    assert _find(birth_date=dt.date(1985, 3, 15)) is None
    assert _find(policy_or_personnel_number="003-0000043") is None
    assert _find(policy_or_personnel_number="") is None


def test_a_missing_patronymic_matches_only_a_record_without_one(petrov):
    assert _find(patronymic="") is None
    foreigner = f.InsuredPersonFactory(last_name="Smith", first_name="John", patronymic="")
    f.PolicyFactory(insured=foreigner, number="009-1")
    assert _find_by_personnel(foreigner, "009-1") == foreigner


def test_another_persons_policy_number_does_not_match(petrov, bob):
    assert _find(policy_or_personnel_number="002-0000001") is None


def test_a_policy_that_ended_over_a_year_ago_no_longer_matches(db):
    person = f.InsuredPersonFactory()
    f.PolicyFactory(insured=person, number="OLD-1", starts_on=dt.date(2024, 1, 1), ends_on=dt.date(2025, 11, 19))
    f.PolicyFactory(insured=person, number="RECENT-1", starts_on=dt.date(2025, 1, 1), ends_on=dt.date(2025, 11, 20))
    assert _find_by_personnel(person, "OLD-1") is None
    assert _find_by_personnel(person, "RECENT-1") == person


def test_a_future_renewal_matches(db):
    person = f.InsuredPersonFactory()
    f.PolicyFactory(
        insured=person, number="NEXT-1", issued_on=dt.date(2026, 11, 1), starts_on=dt.date(2027, 1, 1),
        ends_on=dt.date(2027, 12, 31),
    )  # fmt: skip
    assert _find_by_personnel(person, "NEXT-1") == person
