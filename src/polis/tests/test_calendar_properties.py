"""Properties of counting working days, over 2020–2030 (the seeded decrees included)."""

import datetime as dt

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from polis.calendar import (
    add_working_days,
    deadline,
    is_working_day,
    next_working_day,
    working_day_on_or_after,
    working_days_between,
)

pytestmark = pytest.mark.django_db

# The database does not change between examples, so sharing the test's transaction is safe.
db_settings = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])

days = st.dates(min_value=dt.date(2020, 1, 1), max_value=dt.date(2030, 12, 31))
counts = st.integers(min_value=0, max_value=300)


@db_settings
@given(day=days, n=st.integers(min_value=1, max_value=300))
def test_adding_working_days_lands_on_a_working_day_after_the_start(db, day, n):
    end = add_working_days(day, n)
    assert end > day
    assert is_working_day(end)


@db_settings
@given(day=days, n=counts)
def test_the_working_days_after_the_start_up_to_the_result_are_exactly_n(db, day, n):
    assert working_days_between(day + dt.timedelta(days=1), add_working_days(day, n)) == n


@db_settings
@given(day=days, n=st.integers(min_value=0, max_value=200), more=st.integers(min_value=1, max_value=50))
def test_adding_more_working_days_never_gives_an_earlier_date(db, day, n, more):
    assert add_working_days(day, n) < add_working_days(day, n + more)


@db_settings
@given(day=days, n=st.integers(min_value=0, max_value=100), m=st.integers(min_value=0, max_value=100))
def test_adding_working_days_in_two_steps_is_adding_them_at_once(db, day, n, m):
    assert add_working_days(add_working_days(day, n), m) == add_working_days(day, n + m)


@db_settings
@given(day=days, n=counts)
def test_a_calendar_deadline_is_a_working_day_no_earlier_than_the_plain_count(db, day, n):
    end = deadline(start=day, days=n, kind="calendar")
    plain = day + dt.timedelta(days=n)
    assert is_working_day(end)
    assert end >= plain
    # It moves only past days off: nothing in between is a working day.
    assert working_days_between(plain, end - dt.timedelta(days=1)) == 0


@db_settings
@given(day=days, n=counts)
def test_a_working_days_deadline_is_adding_working_days(db, day, n):
    assert deadline(start=day, days=n, kind="working") == add_working_days(day, n)


@db_settings
@given(first=days, a=st.integers(min_value=0, max_value=400), b=st.integers(min_value=0, max_value=400))
def test_counting_working_days_is_additive_over_adjacent_ranges(db, first, a, b):
    middle = first + dt.timedelta(days=a)
    last = middle + dt.timedelta(days=1 + b)
    left = working_days_between(first, middle)
    right = working_days_between(middle + dt.timedelta(days=1), last)
    assert working_days_between(first, last) == left + right
    assert left <= a + 1


@db_settings
@given(day=days)
def test_next_working_day_skips_exactly_the_days_off_in_between(db, day):
    following = next_working_day(day)
    assert following > day
    assert is_working_day(following)
    assert working_days_between(day + dt.timedelta(days=1), following) == 1
    assert working_day_on_or_after(day) == (day if is_working_day(day) else following)
