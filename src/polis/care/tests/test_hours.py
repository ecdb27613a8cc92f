"""The number to call now: the city's desk while it is open, the federal 24-hour one otherwise,
and when the city's desk opens next. 20.11.2026 is a Friday; 04.11.2026 a public holiday."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from polis.calendar import override_set
from polis.care.admin import DeskContactForm
from polis.care.hours import desk_now, is_open, next_opening
from polis.care.models import DeskContact

MSK = ZoneInfo("Europe/Moscow")


def msk(day: int, hour: int, minute: int = 0, month: int = 11) -> dt.datetime:
    return dt.datetime(2026, month, day, hour, minute, tzinfo=MSK)


@pytest.fixture
def federal(db) -> DeskContact:
    return DeskContact.objects.create(city="", title="Федеральный пульт", phone="8 800 555-27-27", order=0)


@pytest.fixture
def ekaterinburg(db) -> DeskContact:
    return DeskContact.objects.create(
        city="Екатеринбург", title="Пульт филиала", phone="+7 343 310-40-40", round_the_clock=False,
        weekdays="123456", opens_at=dt.time(8), closes_at=dt.time(20), order=3,
    )  # fmt: skip


@pytest.fixture
def moscow(db) -> list[DeskContact]:
    curators = DeskContact.objects.create(
        city="Москва", title="Врачи-кураторы", phone="+7 495 660-03-03 (доб. 2)", round_the_clock=False,
        weekdays="12345", opens_at=dt.time(9, 30), closes_at=dt.time(18), working_days_only=True, order=0,
    )  # fmt: skip
    desk = DeskContact.objects.create(city="Москва", title="Пульт 24/7", phone="+7 495 660-03-03", order=1)
    return [desk, curators]


def test_the_ekaterinburg_desk_answers_until_a_minute_before_eight_pm(federal, ekaterinburg):
    now = desk_now(city="Екатеринбург", at=msk(20, 19, 59))

    assert now.contact == ekaterinburg
    assert now.city_open
    assert now.opens_next is None
    assert now.others == [federal]


def test_at_eight_pm_the_ekaterinburg_desk_is_closed_and_the_federal_number_answers(federal, ekaterinburg):
    now = desk_now(city="Екатеринбург", at=msk(20, 20, 0))

    assert now.contact == federal
    assert now.is_federal
    assert not now.city_open
    assert now.opens_next == msk(21, 8, 0)  # Saturday morning
    assert now.opens_next_contact == ekaterinburg


def test_on_sunday_the_ekaterinburg_desk_is_closed_until_monday_morning(federal, ekaterinburg):
    now = desk_now(city="екатеринбург", at=msk(22, 12, 0))

    assert now.contact == federal
    assert now.opens_next == msk(23, 8, 0)


def test_before_opening_the_desk_opens_the_same_morning(federal, ekaterinburg):
    assert desk_now(city="Екатеринбург", at=msk(20, 7, 59)).opens_next == msk(20, 8, 0)
    assert desk_now(city="Екатеринбург", at=msk(20, 8, 0)).contact == ekaterinburg


def test_the_moment_is_judged_in_moscow_time_whatever_zone_it_comes_in(federal, ekaterinburg):
    # 16:59 UTC is 19:59 in Moscow; 17:00 UTC is 20:00.
    assert desk_now(city="Екатеринбург", at=dt.datetime(2026, 11, 20, 16, 59, tzinfo=dt.UTC)).city_open
    assert not desk_now(city="Екатеринбург", at=dt.datetime(2026, 11, 20, 17, 0, tzinfo=dt.UTC)).city_open


def test_the_round_the_clock_number_comes_before_the_curators_even_in_office_hours(federal, moscow):
    desk, curators = moscow

    now = desk_now(city="Москва", at=msk(20, 12, 0))

    assert now.contact == desk
    assert now.others == [curators, federal]


def test_curators_keep_to_working_days_of_the_production_calendar(moscow):
    _, curators = moscow

    assert not is_open(curators, msk(4, 12, 0))  # Wednesday, National Unity Day
    assert is_open(curators, msk(5, 12, 0))
    assert next_opening(curators, msk(4, 12, 0)) == msk(5, 9, 30)
    assert not is_open(curators, msk(5, 18, 0))


def test_a_working_saturday_set_in_the_back_office_opens_the_curators(moscow):
    _, curators = moscow
    override_set(date=dt.date(2026, 11, 28), is_working=True, note="перенос")

    # Weekdays still say Monday to Friday: a working Saturday does not open an office closed on Saturdays.
    assert not is_open(curators, msk(28, 12, 0))
    curators.weekdays = "123456"
    assert is_open(curators, msk(28, 12, 0))
    assert not is_open(curators, msk(21, 12, 0))  # an ordinary Saturday is not a working day


def test_a_city_without_a_desk_of_its_own_is_given_the_federal_number(federal, ekaterinburg):
    now = desk_now(city="Казань", at=msk(20, 3, 0))

    assert now.contact == federal
    assert not now.city_has_desk
    assert now.opens_next is None


def test_with_nothing_open_there_is_no_number_to_call_but_the_opening_is_told(ekaterinburg):
    now = desk_now(city="Екатеринбург", at=msk(22, 12, 0))

    assert now.contact is None
    assert now.opens_next == msk(23, 8, 0)


def test_a_night_shift_runs_past_midnight_into_the_next_day():
    night = DeskContact(
        city="Тест", title="Ночная смена", phone="1", round_the_clock=False, weekdays="5",
        opens_at=dt.time(20), closes_at=dt.time(8),
    )  # fmt: skip

    assert is_open(night, msk(20, 23, 0))  # Friday evening
    assert is_open(night, msk(21, 7, 59))  # Saturday small hours: Friday's shift
    assert not is_open(night, msk(21, 8, 0))
    assert not is_open(night, msk(21, 23, 0))  # Saturday is not a shift day


WEEK = st.integers(min_value=0, max_value=14 * 24 * 60 - 1).map(lambda m: msk(16, 0) + dt.timedelta(minutes=m))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(at=WEEK)
def test_the_number_given_is_always_open_and_the_city_is_preferred_when_open(federal, ekaterinburg, moscow, at):
    for city, own in (("Екатеринбург", [ekaterinburg]), ("Москва", moscow)):
        now = desk_now(city=city, at=at)
        assert now.contact is not None and is_open(now.contact, at)
        assert now.city_open == any(is_open(c, at) for c in own)
        assert (now.contact.city == city) == now.city_open
        if now.opens_next is not None:
            assert now.opens_next > at
            assert now.opens_next_contact is not None and is_open(now.opens_next_contact, now.opens_next)
            assert not is_open(now.opens_next_contact, now.opens_next - dt.timedelta(minutes=1))


def admin_form(**fields):
    data = {
        "city": "Казань",
        "title": "Кураторы",
        "phone": "+7 843 000-00-00",
        "order": 0,
        "hours": "пн–пт",
        "time_zone": "Europe/Moscow",
    }
    data.update(fields)
    return DeskContactForm(data)


def test_the_back_office_must_give_hours_to_a_desk_that_is_not_round_the_clock(db):
    form = admin_form(round_the_clock="", weekdays="12345")

    assert not form.is_valid()
    assert form.errors["opens_at"] == ["Укажите часы работы или отметьте «круглосуточно»."]
    assert form.errors["closes_at"] == ["Укажите часы работы или отметьте «круглосуточно»."]


def test_weekdays_are_digits_one_to_seven_kept_in_order(db):
    ok = admin_form(round_the_clock="", weekdays="5 4321", opens_at="09:00", closes_at="18:00")
    bad = admin_form(round_the_clock="on", weekdays="пн-пт")

    assert ok.is_valid(), ok.errors
    assert ok.save().weekdays == "12345"
    assert "weekdays" in bad.errors


# ── Hours in the city's own time ─────────────────────────────────────────────────────────────

EKB = ZoneInfo("Asia/Yekaterinburg")


@pytest.fixture
def ekaterinburg_local(db) -> DeskContact:
    return DeskContact.objects.create(
        city="Екатеринбург", title="Пульт филиала", phone="+7 343 310-40-40", round_the_clock=False,
        weekdays="123456", opens_at=dt.time(8), closes_at=dt.time(20), time_zone="Asia/Yekaterinburg",
    )  # fmt: skip


def test_a_branch_keeps_its_own_clock_eight_to_eight_in_ekaterinburg_is_six_to_six_in_moscow(
    federal, ekaterinburg_local
):
    assert desk_now(city="Екатеринбург", at=msk(20, 6, 0)).contact == ekaterinburg_local
    assert desk_now(city="Екатеринбург", at=msk(20, 17, 59)).contact == ekaterinburg_local
    closed = desk_now(city="Екатеринбург", at=msk(20, 18, 0))
    assert closed.contact == federal and not closed.city_open


def test_the_weekday_is_the_citys_too(federal, ekaterinburg_local):
    # Saturday 23:30 in Moscow is already Sunday 01:30 in Ekaterinburg: closed till Monday 8:00 local.
    now = desk_now(city="Екатеринбург", at=msk(21, 23, 30))
    assert now.opens_next == dt.datetime(2026, 11, 23, 8, 0, tzinfo=EKB)
    assert now.opens_next_text == "23.11.2026 08:00 по местному времени"


def test_a_moscow_desk_tells_its_opening_in_moscow_time(moscow):
    now = desk_now(city="Москва", at=msk(21, 12, 0))  # Saturday: the 24/7 desk answers
    assert now.city_open and now.opens_next_text == ""
    curators = moscow[1]
    assert next_opening(curators, msk(21, 12, 0)) == msk(23, 9, 30)
