"""The insured person's booking pages: choose, book, see, cancel, move; and the dashboard block."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from polis.care.models import DeskContact
from polis.coverage.models import Policy
from polis.network import booking as svc
from polis.network.models import Booking, BookingStatus
from polis.network.tests.booking_factories import MONDAY, DoctorFactory, online_clinic, slot_at
from polis.testing import factories as f

NEW = reverse("booking:new")
LIST = reverse("booking:list")


@pytest.fixture
def clinic(alice_policy):
    return online_clinic(alice_policy.program)


@pytest.fixture
def doctor(clinic):
    return DoctorFactory(clinic=clinic)


@pytest.fixture
def slot(doctor):
    return slot_at(doctor, MONDAY, 10)


@pytest.fixture
def son_policy(alice):
    return Policy.objects.get(number="001-0000002")


def test_alice_walks_from_specialty_to_doctor_to_a_time_and_books(client, alice, alice_policy, clinic, doctor, slot):
    client.force_login(alice)
    base = f"{NEW}?clinic={clinic.pk}&policy={alice_policy.pk}"

    # One specialty: it is chosen already and its doctors are shown.
    step = client.get(base).content.decode()
    assert "Терапевт" in step and "Петров Сергей Иванович" in step
    assert "Стаж 20 лет" in step and "Сеченова" in step and "высшей категории" in step
    times = client.get(f"{base}&doctor={doctor.pk}").content.decode()
    assert "Понедельник, 23.11.2026" in times and ">10:00<" in times
    confirm = client.get(f"{base}&doctor={doctor.pk}&slot={slot.pk}").content.decode()
    assert 'data-testid="confirm"' in confirm
    response = client.post(f"{base}&doctor={doctor.pk}", {"slot": slot.pk}, follow=True)

    booking = Booking.objects.get()
    assert (booking.slot, booking.policy, booking.status) == (slot, alice_policy, BookingStatus.ACTIVE)
    assert response.redirect_chain[-1][0] == LIST
    page = response.content.decode()
    assert "записан(а) на 23.11.2026 10:00" in page
    assert f'data-booking="{booking.pk}"' in page


def test_the_switch_books_for_the_son_and_shows_whose_visit_it_is(client, alice, son_policy, clinic, doctor, slot):
    client.force_login(alice)
    url = f"{NEW}?clinic={clinic.pk}&policy={son_policy.pk}&doctor={doctor.pk}"

    page = client.get(url).content.decode()
    client.post(url, {"slot": slot.pk})

    assert 'data-testid="who-switch"' in page and "Смирнова А.А." in page
    assert Booking.objects.get().policy == son_policy


def test_a_strangers_policy_in_the_address_is_not_found(client, bob, alice_policy, clinic, doctor, slot):
    client.force_login(bob)
    url = f"{NEW}?clinic={clinic.pk}&policy={alice_policy.pk}&doctor={doctor.pk}"

    assert client.get(url).status_code == 404
    assert client.post(url, {"slot": slot.pk}).status_code == 404
    assert not Booking.objects.exists()


def test_staff_cannot_open_the_insured_booking_pages(client, clinic_user, desk_user):
    for user in (clinic_user, desk_user):
        client.force_login(user)
        assert client.get(NEW).status_code == 403
        assert client.get(LIST).status_code == 403


def test_a_lost_race_is_shown_next_to_the_times_and_nothing_is_booked_twice(
    client, alice, alice_policy, son_policy, clinic, doctor, slot
):
    svc.booking_create(user=alice, policy_id=son_policy.pk, slot_id=slot.pk)
    client.force_login(alice)

    page = client.post(f"{NEW}?clinic={clinic.pk}&policy={alice_policy.pk}&doctor={doctor.pk}", {"slot": slot.pk})

    assert page.status_code == 200
    assert "Это время только что заняли, выберите другое." in page.content.decode()
    assert Booking.objects.count() == 1


def test_a_clinic_closed_to_online_booking_says_how_to_get_in_instead(client, alice, alice_policy):
    DeskContact.objects.create(city="Москва", title="Пульт", phone="+7 495 777-00-00")
    desk_only = f.ClinicFactory()
    f.ProgramClinicFactory(program=alice_policy.program, clinic=desk_only)
    client.force_login(alice)

    page = client.get(f"{NEW}?clinic={desk_only.pk}&policy={alice_policy.pk}").content.decode()

    assert "Онлайн-запись сюда недоступна" in page
    assert "+7 495 777-00-00" in page
    assert "только через медицинский пульт" in page


def test_a_doctor_not_open_online_for_the_person_is_not_found(client, alice, alice_policy, clinic):
    dentist = DoctorFactory(clinic=clinic, specialty__code="dentist-therapist")
    client.force_login(alice)

    page = client.get(f"{NEW}?clinic={clinic.pk}&policy={alice_policy.pk}&doctor={dentist.pk}")

    assert page.status_code == 404


def test_the_list_shows_own_and_relatives_bookings_and_not_a_strangers(client, alice, bob, son_policy, slot, doctor):
    own = svc.booking_create(user=alice, policy_id=alice.insured_records.get().policies.get().pk, slot_id=slot.pk)
    sons = svc.booking_create(user=alice, policy_id=son_policy.pk, slot_id=slot_at(doctor, MONDAY, 12).pk)
    client.force_login(bob)
    assert f'data-booking="{own.pk}"' not in client.get(LIST).content.decode()

    client.force_login(alice)
    page = client.get(LIST).content.decode()

    assert f'data-booking="{own.pk}"' in page and f'data-booking="{sons.pk}"' in page


def test_cancelling_from_the_list_and_a_stranger_cannot(client, alice, alice_policy, bob, slot):
    booking = svc.booking_create(user=alice, policy_id=alice_policy.pk, slot_id=slot.pk)
    url = reverse("booking:cancel", args=[booking.pk])

    client.force_login(bob)
    assert client.post(url).status_code == 404
    client.force_login(alice)
    assert client.get(url).status_code == 405
    page = client.post(url, follow=True).content.decode()

    booking.refresh_from_db()
    assert booking.status == BookingStatus.CANCELLED
    assert "Запись на 23.11.2026 10:00 отменена." in page


def test_rescheduling_from_its_page(client, alice, alice_policy, doctor, slot):
    booking = svc.booking_create(user=alice, policy_id=alice_policy.pk, slot_id=slot.pk)
    later = slot_at(doctor, MONDAY, 16)
    url = reverse("booking:reschedule", args=[booking.pk])
    client.force_login(alice)

    page = client.get(f"{url}?slot={later.pk}").content.decode()
    response = client.post(url, {"slot": later.pk})

    assert ">16:00<" in page and 'data-testid="confirm"' in page
    assert response.status_code == 302
    booking.refresh_from_db()
    assert booking.status == BookingStatus.RESCHEDULED
    assert booking.rescheduled_to.slot == later


def test_rescheduling_to_a_taken_time_shows_why_and_keeps_the_visit(client, alice, alice_policy, son_policy, doctor):
    booking = svc.booking_create(user=alice, policy_id=alice_policy.pk, slot_id=slot_at(doctor, MONDAY, 10).pk)
    later = slot_at(doctor, MONDAY, 16)
    svc.booking_create(user=alice, policy_id=son_policy.pk, slot_id=later.pk)
    client.force_login(alice)

    page = client.post(reverse("booking:reschedule", args=[booking.pk]), {"slot": later.pk})

    assert "Это время только что заняли" in page.content.decode()
    booking.refresh_from_db()
    assert booking.status == BookingStatus.ACTIVE


def test_a_stranger_cannot_open_the_reschedule_page(client, alice, alice_policy, bob, slot):
    booking = svc.booking_create(user=alice, policy_id=alice_policy.pk, slot_id=slot.pk)
    client.force_login(bob)

    assert client.get(reverse("booking:reschedule", args=[booking.pk])).status_code == 404


def test_the_dashboard_shows_upcoming_visits_at_a_constant_query_count(client, alice, alice_policy, son_policy, doctor):
    svc.booking_create(user=alice, policy_id=alice_policy.pk, slot_id=slot_at(doctor, MONDAY, 10).pk)
    client.force_login(alice)
    dashboard = reverse("coverage:dashboard")
    client.get(dashboard)
    with CaptureQueriesContext(connection) as few:
        client.get(dashboard)
    for hour in (12, 13):
        other = DoctorFactory(clinic=doctor.clinic, last_name=f"Врач{hour}")
        svc.booking_create(user=alice, policy_id=son_policy.pk, slot_id=slot_at(other, MONDAY, hour).pk)
    with CaptureQueriesContext(connection) as many:
        page = client.get(dashboard).content.decode()

    assert "Ближайшие записи" in page
    assert page.count("data-booking=") == 3
    assert len(many) == len(few)
