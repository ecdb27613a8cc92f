"""Today's answer times on the console and each request's clock against the desk's target."""
# ruff: noqa: F811 - the desk fixtures are imported from test_desk_world and taken as arguments

import datetime as dt

import pytest
from django.test import override_settings

from polis.care import metrics
from polis.care.desk_selectors import answer_clock
from polis.care.models import RequestStatus, Urgency
from polis.care.tests.test_desk_world import dispatcher, make_request  # noqa: F401 - fixtures used by name
from polis.conftest import MOSCOW_NOON

TARGETS = {"urgent": 30, "routine": 120}


def answered(policy, *, urgency, created, waited_minutes):
    return make_request(
        policy,
        urgency=urgency,
        status=RequestStatus.APPROVED,
        created_at=created,
        answered_at=created + dt.timedelta(minutes=waited_minutes),
    )


def line(stats, label):
    return next(s for s in stats if s.label == label)


@override_settings(DESK_ANSWER_TARGET_MINUTES=TARGETS)
def test_the_median_and_the_share_within_target_per_urgency_and_overall(alice_policy, dispatcher):
    morning = MOSCOW_NOON - dt.timedelta(hours=2)  # 10:00 Moscow
    for waited in (10, 20, 50):  # urgent: two within 30 min
        answered(alice_policy, urgency=Urgency.URGENT, created=morning, waited_minutes=waited)
    for waited in (60, 200):  # routine: one within 120 min
        answered(alice_policy, urgency=Urgency.ROUTINE, created=morning, waited_minutes=waited)
    make_request(alice_policy, urgency=Urgency.URGENT, created_at=morning)  # not answered: not counted

    stats = metrics.answer_stats_today(viewer=dispatcher)

    urgent, routine, overall = line(stats, "Срочно"), line(stats, "Планово"), line(stats, "Всего")
    assert (urgent.answered, urgent.median_minutes, urgent.within_target, urgent.share_percent) == (3, 20, 2, 67)
    assert (routine.answered, routine.median_minutes, routine.share_percent) == (2, 130, 50)
    assert (overall.answered, overall.median_minutes, overall.within_target, overall.share_percent) == (5, 50, 3, 60)
    assert urgent.target_minutes == 30 and overall.target_minutes is None


def test_only_answers_of_the_moscow_day_count(alice_policy, dispatcher, frozen_now):
    # 21.11 00:30 Moscow is 20.11 21:30 UTC: the day in Moscow has just begun.
    frozen_now.return_value = dt.datetime(2026, 11, 20, 21, 30, tzinfo=dt.UTC)
    yesterday_late = dt.datetime(2026, 11, 20, 20, 0, tzinfo=dt.UTC)  # 23:00 Moscow on 20.11
    answered(alice_policy, urgency=Urgency.ROUTINE, created=yesterday_late, waited_minutes=50)  # 23:50 on 20.11
    answered(alice_policy, urgency=Urgency.ROUTINE, created=yesterday_late, waited_minutes=70)  # 00:10 on 21.11

    overall = line(metrics.answer_stats_today(viewer=dispatcher), "Всего")

    assert (overall.answered, overall.median_minutes) == (1, 70)


def test_a_quiet_day_shows_no_median_and_no_share(dispatcher):
    overall = line(metrics.answer_stats_today(viewer=dispatcher), "Всего")
    assert (overall.answered, overall.median_minutes, overall.share_percent) == (0, None, None)


def test_nobody_outside_the_desk_sees_the_metrics(alice):
    assert metrics.answer_stats_today(viewer=alice) == []


@override_settings(DESK_ANSWER_TARGET_MINUTES=TARGETS)
@pytest.mark.parametrize(
    ("urgency", "minutes_ago", "badge", "label"),
    [
        (Urgency.URGENT, 5, "ok", "осталось 25 мин"),
        (Urgency.URGENT, 25, "warn", "осталось 5 мин"),
        (Urgency.URGENT, 100, "err", "просрочено на 1 ч 10 мин"),
        (Urgency.ROUTINE, 25, "ok", "осталось 1 ч 35 мин"),
    ],
)
def test_an_open_requests_clock_runs_against_its_urgencys_target(alice_policy, urgency, minutes_ago, badge, label):
    request = make_request(alice_policy, urgency=urgency, created_at=MOSCOW_NOON - dt.timedelta(minutes=minutes_ago))
    clock = answer_clock(request)
    assert (clock.badge, clock.label) == (badge, label)


@override_settings(DESK_ANSWER_TARGET_MINUTES=TARGETS)
def test_an_answered_requests_clock_stops_at_the_answer(alice_policy, frozen_now):
    request = answered(alice_policy, urgency=Urgency.URGENT, created=MOSCOW_NOON, waited_minutes=12)
    frozen_now.return_value = MOSCOW_NOON + dt.timedelta(hours=5)
    clock = answer_clock(request)
    assert (clock.badge, clock.label) == ("ok", "ответ через 12 мин")
