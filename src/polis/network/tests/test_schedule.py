"""The clinic clerk's schedule: opening times, closing them, the day's bookings, cancelling."""

import datetime as dt

import pytest
from django.urls import reverse

from polis.network import booking as svc
from polis.network import schedule
from polis.network.booking import BookingError
from polis.network.models import BookingStatus, Slot
from polis.network.tests.booking_factories import MONDAY, DoctorFactory, moscow, online_clinic, slot_at
from polis.notify.models import Channel, OutboundMessage
from polis.testing import factories as f

WEEKDAYS = {0, 1, 2, 3, 4}


@pytest.fixture
def clinic(alice_policy):
    return online_clinic(alice_policy.program)


@pytest.fixture
def clerk(clinic):
    return f.UserFactory(role="clinic", clinic=clinic, phone=None, email="registry@example.ru")


@pytest.fixture
def doctor(clinic):
    return DoctorFactory(clinic=clinic)


@pytest.fixture
def booking(alice, alice_policy, doctor):
    return svc.booking_create(user=alice, policy_id=alice_policy.pk, slot_id=slot_at(doctor, MONDAY, 10).pk)


def _generate(clerk, doctor, **changes):
    params = {
        "clerk": clerk,
        "doctor_id": doctor.pk,
        "date_from": MONDAY,
        "date_to": MONDAY + dt.timedelta(days=6),
        "weekdays": WEEKDAYS,
        "time_from": dt.time(9),
        "time_to": dt.time(12),
        "minutes": 30,
    }
    params.update(changes)
    return schedule.slots_generate(**params)


def test_generating_opens_moscow_times_on_the_chosen_weekdays(clerk, doctor):
    added = _generate(clerk, doctor)

    slots = list(Slot.objects.filter(doctor=doctor).order_by("starts_at"))
    assert added == len(slots) == 5 * 6
    assert slots[0].starts_at == moscow(MONDAY, 9) == dt.datetime(2026, 11, 23, 6, 0, tzinfo=dt.UTC)
    assert slots[5].ends_at == moscow(MONDAY, 12)
    assert {s.starts_at.astimezone(moscow(MONDAY, 0).tzinfo).weekday() for s in slots} == WEEKDAYS
    assert {s.clinic_id for s in slots} == {doctor.clinic_id}


def test_generating_twice_adds_nothing_and_leaves_existing_times_alone(clerk, doctor, booking):
    existing = Slot.objects.get()  # 10:00–10:30 on Monday, booked

    first = _generate(clerk, doctor, date_to=MONDAY)
    second = _generate(clerk, doctor, date_to=MONDAY)
    # A different grid overlapping the existing ones only fills the gaps.
    third = _generate(clerk, doctor, date_to=MONDAY, minutes=45)

    assert (first, second) == (5, 0)
    assert third == 0
    assert Slot.objects.filter(doctor=doctor).count() == 6
    booking.refresh_from_db()
    assert booking.slot == existing and booking.status == BookingStatus.ACTIVE


def test_generating_today_skips_hours_already_gone(clerk, doctor):
    added = _generate(
        clerk, doctor, date_from=dt.date(2026, 11, 20), date_to=dt.date(2026, 11, 20), time_to=dt.time(14)
    )

    assert added == 3  # 12:30, 13:00, 13:30 — the clock stands at 12:00


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"date_from": dt.date(2026, 11, 19)}, "прошедшие дни"),
        ({"date_to": dt.date(2026, 11, 20) + dt.timedelta(days=91)}, "90 дней"),
        ({"date_to": dt.date(2026, 11, 22)}, "раньше даты начала"),
        ({"time_to": dt.time(9)}, "позже начала"),
        ({"minutes": 2}, "от 5 до 240"),
        ({"weekdays": set()}, "день недели"),
    ],
)
def test_generating_refuses_what_makes_no_sense(clerk, doctor, changes, message):
    with pytest.raises(BookingError, match=message):
        _generate(clerk, doctor, **changes)
    assert not Slot.objects.exists()


def test_a_clerk_cannot_generate_for_another_clinics_doctor(clinic_user, doctor):
    from django.http import Http404

    with pytest.raises(Http404):
        _generate(clinic_user, doctor)


def test_closing_a_free_time_hides_it_and_opening_it_again_shows_it(clerk, doctor, alice, alice_policy):
    slot = slot_at(doctor, MONDAY, 11)

    schedule.slot_block(clerk=clerk, slot_id=slot.pk)
    with pytest.raises(BookingError, match="закрыла запись"):
        svc.booking_create(user=alice, policy_id=alice_policy.pk, slot_id=slot.pk)
    schedule.slot_unblock(clerk=clerk, slot_id=slot.pk)

    assert svc.booking_create(user=alice, policy_id=alice_policy.pk, slot_id=slot.pk).status == BookingStatus.ACTIVE


def test_a_booked_time_cannot_be_closed_before_its_booking_is_cancelled(clerk, booking):
    with pytest.raises(BookingError, match="сначала отмените запись"):
        schedule.slot_block(clerk=clerk, slot_id=booking.slot_id)

    svc.clinic_booking_cancel(clerk=clerk, booking_id=booking.pk, reason="Врач на конференции")
    assert schedule.slot_block(clerk=clerk, slot_id=booking.slot_id).is_blocked


# --- pages --------------------------------------------------------------------------------------


def test_the_week_shows_each_time_free_booked_by_whom_or_closed(client, clerk, doctor, booking):
    closed = slot_at(doctor, MONDAY, 11)
    schedule.slot_block(clerk=clerk, slot_id=closed.pk)
    slot_at(doctor, MONDAY, 12)
    client.force_login(clerk)

    page = client.get(reverse("clinic:doctor_schedule", args=[doctor.pk]), {"week": "2026-11-25"}).content.decode()

    assert "23.11.2026 – 29.11.2026" in page
    assert "Смирнова Ирина Петровна" in page and "№ 001-0000001" in page
    assert "закрыто" in page and "свободно" in page
    assert "+79161234567" not in page and "alice@example.ru" not in page


def test_the_clerk_opens_times_through_the_form_and_errors_show_next_to_the_fields(client, clerk, doctor):
    client.force_login(clerk)
    url = reverse("clinic:slots_generate", args=[doctor.pk])
    form = {
        "date_from": "2026-11-23",
        "date_to": "2026-11-24",
        "weekdays": ["0", "1"],
        "time_from": "09:00",
        "time_to": "10:00",
        "minutes": "30",
    }

    bad = client.post(url, {**form, "minutes": "", "date_from": "2026-11-10"}).content.decode()
    response = client.post(url, form, follow=True)

    assert "Укажите длительность приёма." in bad and 'value="2026-11-10"' in bad
    assert Slot.objects.filter(doctor=doctor).count() == 4
    assert "Добавлено слотов: 4." in response.content.decode()


def test_the_days_bookings_and_cancelling_one_with_a_reason(client, clerk, booking):
    client.force_login(clerk)

    day = client.get(reverse("clinic:bookings"), {"day": "2026-11-23"}).content.decode()
    cancel_url = reverse("clinic:booking_cancel", args=[booking.pk])
    empty = client.post(cancel_url, {"reason": ""}).content.decode()
    done = client.post(cancel_url, {"reason": "Врач заболел", "next": "https://evil.example/"})

    assert f'data-booking="{booking.pk}"' in day and "001-0000001" in day
    assert "Укажите причину отмены" in empty
    assert done.status_code == 302 and done["Location"] == reverse("clinic:bookings")
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CANCELLED
    assert OutboundMessage.objects.filter(channel=Channel.SMS, body__contains="Врач заболел").exists()


def test_another_clinics_clerk_gets_not_found_everywhere(client, clinic_user, doctor, booking):
    client.force_login(clinic_user)
    slot_id = booking.slot_id

    assert client.get(reverse("clinic:doctor_schedule", args=[doctor.pk])).status_code == 404
    assert client.get(reverse("clinic:slots_generate", args=[doctor.pk])).status_code == 404
    assert client.post(reverse("clinic:slot_block", args=[slot_id])).status_code == 404
    assert client.post(reverse("clinic:slot_unblock", args=[slot_id])).status_code == 404
    assert client.get(reverse("clinic:booking_cancel", args=[booking.pk])).status_code == 404
    assert client.post(reverse("clinic:booking_cancel", args=[booking.pk]), {"reason": "x"}).status_code == 404
    assert "Петров" not in client.get(reverse("clinic:doctors")).content.decode()
    assert (
        f'data-booking="{booking.pk}"'
        not in client.get(reverse("clinic:bookings"), {"day": "2026-11-23"}).content.decode()
    )
    booking.refresh_from_db()
    assert booking.status == BookingStatus.ACTIVE


def test_an_insured_cannot_open_the_clinic_schedule(client, alice, doctor):
    client.force_login(alice)

    assert client.get(reverse("clinic:doctors")).status_code == 403
    assert client.get(reverse("clinic:doctor_schedule", args=[doctor.pk])).status_code == 403


def test_the_clerks_own_doctors_are_listed(client, clerk, doctor):
    client.force_login(clerk)

    page = client.get(reverse("clinic:doctors")).content.decode()

    assert "Петров Сергей Иванович" in page
    assert reverse("clinic:doctor_schedule", args=[doctor.pk]) in page
