"""The day-before reminder: scheduled when a visit is booked, sent once, never after a cancel."""

import datetime as dt
from io import StringIO
from types import SimpleNamespace

import pytest
from django.core.management import call_command

from polis.network import booking as svc
from polis.network import tasks
from polis.network.tests.booking_factories import MONDAY, DoctorFactory, moscow, online_clinic, slot_at
from polis.notify.models import Channel, OutboundMessage


@pytest.fixture
def doctor(alice_policy):
    return DoctorFactory(clinic=online_clinic(alice_policy.program))


@pytest.fixture
def booking(alice, alice_policy, doctor):
    return svc.booking_create(user=alice, policy_id=alice_policy.pk, slot_id=slot_at(doctor, MONDAY, 10).pk)


def _reminders() -> list[OutboundMessage]:
    return list(OutboundMessage.objects.filter(body__startswith="Напоминаем"))


class RecordingTask:
    """Stands in for the task on a backend that can defer, recording what would be queued."""

    def __init__(self) -> None:
        self.queued: list[tuple[dt.datetime, dict]] = []

    def get_backend(self) -> SimpleNamespace:
        return SimpleNamespace(supports_defer=True)

    def using(self, *, run_after: dt.datetime) -> SimpleNamespace:
        # Like Task.using: a new task object carrying its own run_after.
        return SimpleNamespace(enqueue=lambda **kwargs: self.queued.append((run_after, kwargs)))


def test_booking_queues_the_reminder_for_a_day_before_the_visit(
    alice, alice_policy, doctor, monkeypatch, django_capture_on_commit_callbacks
):
    recorder = RecordingTask()
    monkeypatch.setattr(tasks, "send_booking_reminder", recorder)
    slot = slot_at(doctor, MONDAY, 10)

    with django_capture_on_commit_callbacks(execute=True):
        booking = svc.booking_create(user=alice, policy_id=alice_policy.pk, slot_id=slot.pk)

    assert recorder.queued == [(moscow(dt.date(2026, 11, 22), 10), {"booking_id": booking.pk})]


def test_a_visit_within_a_day_is_reminded_at_once_and_a_moved_one_again(
    alice, alice_policy, doctor, monkeypatch, django_capture_on_commit_callbacks, frozen_now
):
    recorder = RecordingTask()
    monkeypatch.setattr(tasks, "send_booking_reminder", recorder)
    soon = slot_at(doctor, dt.date(2026, 11, 21), 9)

    with django_capture_on_commit_callbacks(execute=True):
        booking = svc.booking_create(user=alice, policy_id=alice_policy.pk, slot_id=soon.pk)
        moved = svc.booking_reschedule(user=alice, booking_id=booking.pk, new_slot_id=slot_at(doctor, MONDAY, 12).pk)

    assert recorder.queued == [
        (frozen_now.return_value, {"booking_id": booking.pk}),
        (moscow(dt.date(2026, 11, 22), 12), {"booking_id": moved.pk}),
    ]


def test_the_reminder_is_sent_once_even_when_the_task_runs_twice(booking, frozen_now):
    frozen_now.return_value = moscow(dt.date(2026, 11, 22), 10)

    first = tasks.send_booking_reminder.call(booking_id=booking.pk)
    second = tasks.send_booking_reminder.call(booking_id=booking.pk)

    assert (first, second) == (True, False)
    reminders = _reminders()
    assert sorted(m.channel for m in reminders) == [Channel.EMAIL, Channel.SMS]
    assert "23.11.2026 10:00" in reminders[0].body
    booking.refresh_from_db()
    assert booking.reminder_sent_at == frozen_now.return_value


def test_no_reminder_for_a_cancelled_visit(alice, booking, frozen_now):
    svc.booking_cancel(user=alice, booking_id=booking.pk)
    frozen_now.return_value = moscow(dt.date(2026, 11, 22), 10)

    assert svc.booking_remind(booking_id=booking.pk) is False
    assert _reminders() == []


def test_no_reminder_for_a_moved_visit_but_one_for_its_new_time(alice, booking, doctor, frozen_now):
    moved = svc.booking_reschedule(user=alice, booking_id=booking.pk, new_slot_id=slot_at(doctor, MONDAY, 12).pk)
    frozen_now.return_value = moscow(dt.date(2026, 11, 22), 13)

    assert svc.booking_remind(booking_id=booking.pk) is False
    assert svc.booking_remind(booking_id=moved.pk) is True


def test_a_reminder_fired_days_early_sends_nothing_and_is_left_for_later(booking, frozen_now):
    assert svc.booking_remind(booking_id=booking.pk) is False

    frozen_now.return_value = moscow(dt.date(2026, 11, 22), 11)
    assert svc.booking_remind(booking_id=booking.pk) is True


def test_no_reminder_after_the_visit_has_started(booking, frozen_now):
    frozen_now.return_value = moscow(MONDAY, 10, 1)

    assert svc.booking_remind(booking_id=booking.pk) is False


def test_the_command_sends_due_reminders_once_and_leaves_later_ones(alice, alice_policy, booking, doctor, frozen_now):
    later = svc.booking_create(
        user=alice, policy_id=alice_policy.pk, slot_id=slot_at(DoctorFactory(clinic=doctor.clinic), MONDAY, 15).pk
    )
    frozen_now.return_value = moscow(dt.date(2026, 11, 22), 11)
    out = StringIO()

    call_command("send_booking_reminders", stdout=out)
    call_command("send_booking_reminders", stdout=out)

    assert out.getvalue().splitlines() == ["Напоминаний отправлено: 1", "Напоминаний отправлено: 0"]
    booking.refresh_from_db()
    later.refresh_from_db()
    assert booking.reminder_sent_at is not None
    assert later.reminder_sent_at is None
