"""How the calendar caches overrides: once per year per process outside a transaction, never
across a transaction that could roll back, and forgotten when an override is saved."""

import datetime as dt
from collections.abc import Iterator
from unittest import mock

import pytest

from polis import calendar
from polis.models import BusinessDayOverride

pytestmark = pytest.mark.django_db

D = dt.date


@pytest.fixture
def outside_transaction() -> Iterator[None]:
    """Every test runs in a transaction; the process cache is for code that does not. The cache
    is emptied afterwards so rows this test's transaction wrote never outlive its rollback."""
    calendar.invalidate()
    with mock.patch.object(calendar, "_in_transaction", return_value=False):
        yield
    calendar.invalidate()


def test_package_holidays_are_computed_once_per_year():
    calendar._package_holidays.cache_clear()
    calendar.working_days_in_year(2026)
    calendar.working_days_in_year(2026)
    info = calendar._package_holidays.cache_info()
    assert (info.misses, info.currsize) == (1, 1)


def test_one_call_reads_each_year_it_touches_once(django_assert_num_queries):
    with django_assert_num_queries(2):
        calendar.working_days_between(D(2025, 6, 1), D(2026, 6, 1))


def test_outside_a_transaction_overrides_are_read_once_and_then_served_from_memory(
    outside_transaction, django_assert_num_queries
):
    with django_assert_num_queries(1):
        assert calendar.is_working_day(D(2025, 11, 1))
    with django_assert_num_queries(0):
        assert calendar.working_days_in_year(2025) == 247
        assert calendar.add_working_days(D(2025, 10, 31), 2) == D(2025, 11, 5)


def test_saving_an_override_makes_this_process_read_again(outside_transaction, django_assert_num_queries):
    assert calendar.is_working_day(D(2026, 11, 23))
    calendar.override_set(date=D(2026, 11, 23), is_working=False, note="Региональный праздник")
    with django_assert_num_queries(1):
        assert not calendar.is_working_day(D(2026, 11, 23))


def test_a_row_written_around_override_set_is_seen_only_after_the_cache_expires(outside_transaction):
    # Another process's admin edit: this process learns of it when its cached year grows old.
    assert calendar.is_working_day(D(2026, 11, 23))
    BusinessDayOverride.objects.create(date=D(2026, 11, 23), is_working=False)
    assert calendar.is_working_day(D(2026, 11, 23))
    later = calendar.time.monotonic() + calendar.OVERRIDES_TTL + 1
    with mock.patch.object(calendar.time, "monotonic", return_value=later):
        assert not calendar.is_working_day(D(2026, 11, 23))


def test_inside_a_transaction_nothing_is_cached_for_later(django_assert_num_queries):
    calendar.invalidate()
    calendar.override_set(date=D(2026, 11, 23), is_working=False, note="Откатится")
    assert not calendar.is_working_day(D(2026, 11, 23))
    assert calendar._cached == {}
