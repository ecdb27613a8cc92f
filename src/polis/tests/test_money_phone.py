from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from polis.money import format_rub, to_kopecks, to_rubles
from polis.phone import InvalidPhone, format_phone, mask_phone, normalize_phone


def test_amounts_read_as_russians_write_them():
    assert format_rub(123456) == "1\xa0234,56\xa0₽"
    assert format_rub(30000) == "300,00\xa0₽"
    assert format_rub(5) == "0,05\xa0₽"
    assert format_rub(-150) == "-1,50\xa0₽"
    assert format_rub(123456789012) == "1\xa0234\xa0567\xa0890,12\xa0₽"


def test_a_fraction_of_a_kopeck_rounds_half_up():
    assert to_kopecks(Decimal("10.005")) == 1001
    assert to_kopecks(Decimal("10.0049")) == 1000
    assert to_kopecks("0.015") == 2


@given(st.integers(min_value=-(10**13), max_value=10**13))
def test_kopecks_survive_a_trip_through_rubles(kopecks):
    assert to_kopecks(to_rubles(kopecks)) == kopecks


@given(st.integers(min_value=0, max_value=10**13))
def test_the_formatted_amount_holds_every_kopeck(kopecks):
    text = format_rub(kopecks).replace("\xa0", "").removesuffix("₽").replace(",", ".")
    assert to_kopecks(text) == kopecks


@pytest.mark.parametrize(
    "raw",
    ["8 912 345-67-89", "+7 (912) 345-67-89", "89123456789", "79123456789", "9123456789", "+7-912-345-67-89"],
)
def test_any_common_spelling_of_a_mobile_number_is_one_number(raw):
    assert normalize_phone(raw) == "+79123456789"


@pytest.mark.parametrize("raw", ["", "12345", "+1 912 345 67 89", "8 495 123-45-67", "9123456789a", "++79123456789"])
def test_what_is_not_a_russian_mobile_number_is_refused(raw):
    with pytest.raises(InvalidPhone):
        normalize_phone(raw)


def test_phones_are_shown_and_masked_readably():
    assert format_phone("+79123456789") == "+7 912 345-67-89"
    assert mask_phone("+79123456789") == "+7 912 ***-**-89"
