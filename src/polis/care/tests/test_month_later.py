"""A guarantee letter is valid «up to one month»: the one rule for its default end date."""

import datetime as dt

from hypothesis import given
from hypothesis import strategies as st

from polis.care.models import month_later


def test_a_month_ends_the_day_before_the_same_date_next_month():
    assert month_later(dt.date(2026, 3, 1)) == dt.date(2026, 3, 31)
    assert month_later(dt.date(2026, 3, 15)) == dt.date(2026, 4, 14)
    assert month_later(dt.date(2026, 12, 20)) == dt.date(2027, 1, 19)


def test_without_that_date_next_month_it_ends_on_its_last_day():
    assert month_later(dt.date(2026, 1, 31)) == dt.date(2026, 2, 28)
    assert month_later(dt.date(2028, 1, 31)) == dt.date(2028, 2, 29)
    assert month_later(dt.date(2026, 1, 30)) == dt.date(2026, 2, 28)
    assert month_later(dt.date(2026, 3, 31)) == dt.date(2026, 4, 30)


@given(st.dates(min_value=dt.date(2000, 1, 1), max_value=dt.date(2099, 11, 30)))
def test_a_month_is_never_shorter_than_27_days_nor_longer_than_31(day):
    end = month_later(day)
    assert 27 <= (end - day).days <= 30
    assert end.month in (day.month, day.month % 12 + 1)
