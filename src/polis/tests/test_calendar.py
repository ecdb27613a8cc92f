"""The production calendar against the 2024–2026 decrees and the Civil Code's counting rule."""

import datetime as dt

import pytest

from polis import calendar
from polis.calendar import (
    CalendarError,
    add_working_days,
    deadline,
    is_working_day,
    next_working_day,
    working_day_on_or_after,
    working_days_between,
    working_days_in_year,
)
from polis.models import BusinessDayOverride

pytestmark = pytest.mark.django_db

D = dt.date


@pytest.mark.parametrize(("year", "count"), [(2024, 248), (2025, 247), (2026, 247)])
def test_the_number_of_working_days_in_a_year_matches_the_official_calendar(year, count):
    assert working_days_in_year(year) == count


@pytest.mark.parametrize("day", [D(2024, 4, 27), D(2024, 11, 2), D(2024, 12, 28), D(2025, 11, 1)])
def test_saturdays_the_decrees_made_working_are_working_days(day):
    assert day.weekday() == 5
    assert is_working_day(day)


def test_the_seeded_working_saturdays_name_their_decree():
    notes = dict(BusinessDayOverride.objects.filter(date__year__in=[2024, 2025]).values_list("date", "note"))
    assert set(notes) == {D(2024, 4, 27), D(2024, 11, 2), D(2024, 12, 28), D(2025, 11, 1)}
    assert "№ 1314" in notes[D(2024, 11, 2)]
    assert "№ 1335" in notes[D(2025, 11, 1)]


def test_no_saturday_of_2026_is_a_working_day():
    day = D(2026, 1, 3)
    while day.year == 2026:
        assert not is_working_day(day), day
        day += dt.timedelta(days=7)


@pytest.mark.parametrize(
    "day",
    [
        D(2025, 11, 3),  # transferred from Saturday 01.11.2025
        D(2025, 11, 4),
        D(2025, 12, 31),
        D(2026, 1, 9),
        D(2026, 6, 12),
        D(2026, 12, 31),
        D(2024, 4, 29),
        D(2024, 4, 30),
        D(2024, 12, 30),
        D(2024, 12, 31),
        D(2025, 5, 2),
        D(2025, 5, 8),
        D(2025, 6, 13),
        D(2026, 3, 9),
        D(2026, 5, 11),
    ],
)
def test_holidays_and_transferred_days_off_are_not_working_days(day):
    assert not is_working_day(day)


@pytest.mark.parametrize("year", [2024, 2025, 2026, 2027])
def test_new_years_holidays_from_the_first_to_the_eighth_of_january_are_off(year):
    assert not any(is_working_day(D(year, 1, d)) for d in range(1, 9))


def test_ordinary_weekdays_are_working_and_ordinary_weekends_are_not():
    assert is_working_day(D(2026, 11, 20))  # Friday
    assert not is_working_day(D(2026, 11, 21))
    assert not is_working_day(D(2026, 11, 22))
    assert is_working_day(D(2026, 11, 23))


def test_an_event_on_friday_31_october_2025_plus_one_working_day_lands_on_the_working_saturday():
    assert add_working_days(D(2025, 10, 31), 1) == D(2025, 11, 1)
    assert add_working_days(D(2025, 10, 31), 2) == D(2025, 11, 5)


def test_a_period_starts_the_day_after_the_event():
    # Monday 16.11.2026: the event's own day never counts, even when it is a working day.
    assert add_working_days(D(2026, 11, 16), 1) == D(2026, 11, 17)
    assert add_working_days(D(2026, 11, 16), 0) == D(2026, 11, 16)


def test_working_days_across_the_new_year_skip_the_whole_holiday():
    # 30.12.2025 (Tuesday) is the last working day of 2025; 12.01.2026 the first of 2026.
    assert next_working_day(D(2025, 12, 30)) == D(2026, 1, 12)
    assert add_working_days(D(2025, 12, 29), 2) == D(2026, 1, 12)
    assert working_days_between(D(2025, 12, 31), D(2026, 1, 11)) == 0


def test_next_working_day_is_strictly_after_and_on_or_after_keeps_a_working_day():
    assert next_working_day(D(2026, 11, 20)) == D(2026, 11, 23)
    assert working_day_on_or_after(D(2026, 11, 20)) == D(2026, 11, 20)
    assert working_day_on_or_after(D(2026, 11, 21)) == D(2026, 11, 23)
    assert working_day_on_or_after(D(2025, 11, 1)) == D(2025, 11, 1)


def test_working_days_between_counts_both_ends_and_an_empty_range_is_zero():
    assert working_days_between(D(2026, 11, 16), D(2026, 11, 20)) == 5
    assert working_days_between(D(2026, 11, 20), D(2026, 11, 20)) == 1
    assert working_days_between(D(2026, 11, 21), D(2026, 11, 22)) == 0
    assert working_days_between(D(2026, 11, 20), D(2026, 11, 19)) == 0
    assert working_days_between(D(2025, 10, 27), D(2025, 11, 9)) == 9  # six-day week, then 5–7 Nov


def test_a_calendar_deadline_ending_on_a_day_off_moves_to_the_next_working_day():
    # 14 calendar days from Friday 23.10.2026 end on Friday 06.11.2026: a working day, kept.
    assert deadline(start=D(2026, 10, 23), days=14, kind="calendar") == D(2026, 11, 6)
    # 10 calendar days from 24.10.2025 end on Monday 03.11.2025, a transferred day off → 05.11.2025.
    assert deadline(start=D(2025, 10, 24), days=10, kind="calendar") == D(2025, 11, 5)
    # 10 days from 22.12.2025 end on 01.01.2026 → the first working day of 2026.
    assert deadline(start=D(2025, 12, 22), days=10, kind="calendar") == D(2026, 1, 12)


def test_a_working_days_deadline_counts_working_days():
    assert deadline(start=D(2026, 11, 20), days=10, kind="working") == D(2026, 12, 4)
    assert deadline(start=D(2026, 11, 20), days=0, kind="working") == D(2026, 11, 20)


def test_an_unknown_deadline_kind_or_a_negative_count_is_refused():
    with pytest.raises(CalendarError):
        deadline(start=D(2026, 11, 20), days=3, kind="banking")
    with pytest.raises(CalendarError):
        deadline(start=D(2026, 11, 20), days=-1, kind="calendar")
    with pytest.raises(CalendarError):
        add_working_days(D(2026, 11, 20), -1)


def test_an_override_making_a_weekday_a_holiday_shifts_results_at_once():
    monday = D(2026, 11, 23)
    assert add_working_days(D(2026, 11, 20), 1) == monday
    calendar.override_set(date=monday, is_working=False, note="Региональный праздник")
    assert not is_working_day(monday)
    assert add_working_days(D(2026, 11, 20), 1) == D(2026, 11, 24)
    assert working_days_in_year(2026) == 246


def test_an_override_making_a_saturday_working_counts_it():
    saturday = D(2026, 11, 21)
    calendar.override_set(date=saturday, is_working=True, note="Рабочая суббота")
    assert add_working_days(D(2026, 11, 20), 1) == saturday
    assert deadline(start=D(2026, 11, 11), days=10, kind="calendar") == saturday


def test_changing_an_override_updates_the_one_row_for_its_date():
    day = D(2026, 11, 23)
    calendar.override_set(date=day, is_working=False, note="Ошибочно")
    calendar.override_set(date=day, is_working=True, note="Исправлено")
    assert BusinessDayOverride.objects.filter(date=day).count() == 1
    assert is_working_day(day)


def test_deleting_an_override_gives_the_day_back_to_the_package():
    calendar.override_delete(override=BusinessDayOverride.objects.get(date=D(2025, 11, 1)))
    assert not is_working_day(D(2025, 11, 1))
    assert working_days_in_year(2025) == 246


def test_an_override_written_straight_to_the_table_is_seen_inside_a_transaction():
    BusinessDayOverride.objects.create(date=D(2026, 11, 24), is_working=False)
    assert not is_working_day(D(2026, 11, 24))


def test_a_calendar_with_no_working_days_ahead_fails_instead_of_looping_forever():
    day = D(2030, 1, 1)
    BusinessDayOverride.objects.bulk_create(
        BusinessDayOverride(date=day + dt.timedelta(days=i), is_working=False) for i in range(1200)
    )
    with pytest.raises(CalendarError):
        next_working_day(D(2029, 12, 31))
