"""`demo_data --logins-only` before anything is loaded: it says so and creates nothing.
A module of its own, because the other one keeps the demo loaded for all its tests."""

from io import StringIO

import pytest
from django.core.management import call_command

from polis.accounts.models import User
from polis.coverage.models import Contract
from polis.demo.ids import is_valid_inn, kpp_for, organization_inn, person_inn
from polis.demo.people import patronymic_for, surname_for
from polis.testing import factories as f


def test_logins_only_on_an_empty_database_says_the_demo_is_not_loaded_and_creates_nothing(db: None) -> None:
    out = StringIO()
    call_command("demo_data", "--logins-only", stdout=out)
    assert "не загружены" in out.getvalue()
    assert not User.objects.exists() and not Contract.objects.exists()


def test_logins_only_lists_only_the_demo_accounts_that_exist(db: None) -> None:
    f.UserFactory(email="desk@example.ru", phone=None, role="desk")
    out = StringIO()
    call_command("demo_data", "--logins-only", stdout=out)
    assert "desk@example.ru" in out.getvalue()
    assert "anna.sokolova@example.ru" not in out.getvalue()


@pytest.mark.parametrize(
    ("male", "female"),
    [("Соколов", "Соколова"), ("Ильин", "Ильина"), ("Вишневский", "Вишневская"), ("Шевчук", "Шевчук"),
     ("Черных", "Черных"), ("Соловьёв", "Соловьёва")],
)  # fmt: skip
def test_a_womans_surname_is_the_female_form_of_the_familys(male: str, female: str) -> None:
    assert surname_for(male, "m") == male
    assert surname_for(male, "f") == female


def test_a_patronymic_comes_from_the_fathers_name() -> None:
    assert patronymic_for("Илья", "f") == "Ильинична"
    assert patronymic_for("Юрий", "m") == "Юрьевич"


def test_generated_tax_numbers_pass_the_check_digits() -> None:
    import random

    rng = random.Random(1)
    for _ in range(50):
        inn = organization_inn(rng, "77")
        assert len(inn) == 10 and is_valid_inn(inn) and kpp_for(inn).startswith(inn[:4])
        assert is_valid_inn(person_inn(rng, "78"))
    assert is_valid_inn("7707083893")  # a real bank's published INN
    assert not is_valid_inn("7707083894")
