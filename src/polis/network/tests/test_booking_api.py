"""Online booking through the mobile API: options, free times, book, cancel, move."""

import pytest

from polis.coverage.models import Policy
from polis.network.models import Booking, BookingStatus
from polis.network.tests.booking_factories import MONDAY, DoctorFactory, online_clinic, slot_at

pytestmark = pytest.mark.django_db


@pytest.fixture
def clinic(alice_policy):
    return online_clinic(alice_policy.program)


@pytest.fixture
def doctor(clinic):
    return DoctorFactory(clinic=clinic)


def test_the_app_finds_a_doctor_books_a_time_moves_it_and_cancels_it(client, alice, alice_policy, clinic, doctor):
    ten, four = slot_at(doctor, MONDAY, 10), slot_at(doctor, MONDAY, 16)
    client.force_login(alice)

    options = client.get("/api/v1/bookings/options", {"clinic_id": clinic.pk, "policy_id": alice_policy.pk}).json()
    assert options["online_allowed"] is True
    assert [(s["code"], [d["id"] for d in s["doctors"]]) for s in options["specialties"]] == [
        ("therapist", [doctor.pk])
    ]
    assert {k["kind"]: k["mode"] for k in options["kinds"]} == {"outpatient": "online", "dental": "desk"}

    slots = client.get("/api/v1/bookings/slots", {"doctor_id": doctor.pk, "policy_id": alice_policy.pk}).json()
    assert [s["id"] for s in slots] == [ten.pk, four.pk]
    assert slots[0]["starts_at"] == "2026-11-23T07:00:00Z"

    made = client.post(
        "/api/v1/bookings", {"policy_id": alice_policy.pk, "slot_id": ten.pk}, content_type="application/json"
    )
    assert made.status_code == 201, made.content
    booking = made.json()
    assert (booking["status"], booking["can_cancel"], booking["slot"]["id"]) == ("active", True, ten.pk)
    again = client.post(
        "/api/v1/bookings", {"policy_id": alice_policy.pk, "slot_id": ten.pk}, content_type="application/json"
    )
    assert again.json()["id"] == booking["id"]

    moved = client.post(
        f"/api/v1/bookings/{booking['id']}/reschedule", {"slot_id": four.pk}, content_type="application/json"
    )
    assert moved.status_code == 201, moved.content
    new_id = moved.json()["id"]
    cancelled = client.post(f"/api/v1/bookings/{new_id}/cancel")
    assert cancelled.status_code == 200
    assert cancelled.json()["status"] == "cancelled"

    mine = client.get("/api/v1/bookings").json()
    assert {(b["id"], b["status"]) for b in mine} == {(booking["id"], "rescheduled"), (new_id, "cancelled")}


def test_a_taken_time_answers_409_with_a_clear_message(client, alice, alice_policy, doctor):
    slot = slot_at(doctor, MONDAY, 10)
    son = Policy.objects.get(number="001-0000002")
    Booking.objects.create(slot=slot, policy=son, booked_by=alice)
    client.force_login(alice)

    response = client.post(
        "/api/v1/bookings", {"policy_id": alice_policy.pk, "slot_id": slot.pk}, content_type="application/json"
    )

    assert response.status_code == 409
    assert response.json() == {"detail": "Это время только что заняли, выберите другое.", "code": "slot_taken"}


def test_a_stranger_gets_not_found_for_anothers_policy_and_booking(client, alice, alice_policy, bob, clinic, doctor):
    slot = slot_at(doctor, MONDAY, 10)
    booking = Booking.objects.create(slot=slot, policy=alice_policy, booked_by=alice)
    client.force_login(bob)

    assert (
        client.post(
            "/api/v1/bookings", {"policy_id": alice_policy.pk, "slot_id": slot.pk}, content_type="application/json"
        ).status_code
        == 404
    )
    assert (
        client.get("/api/v1/bookings/options", {"clinic_id": clinic.pk, "policy_id": alice_policy.pk}).status_code
        == 404
    )
    assert (
        client.get("/api/v1/bookings/slots", {"doctor_id": doctor.pk, "policy_id": alice_policy.pk}).status_code == 404
    )
    assert client.post(f"/api/v1/bookings/{booking.pk}/cancel").status_code == 404
    assert client.get("/api/v1/bookings").json() == []
    booking.refresh_from_db()
    assert booking.status == BookingStatus.ACTIVE


def test_a_doctor_not_open_online_has_no_slots_for_the_person(client, alice, alice_policy, clinic):
    dentist = DoctorFactory(clinic=clinic, specialty__code="dentist-therapist")
    slot_at(dentist, MONDAY, 10)
    client.force_login(alice)

    response = client.get("/api/v1/bookings/slots", {"doctor_id": dentist.pk, "policy_id": alice_policy.pk})

    assert response.status_code == 404


def test_a_refusal_carries_the_reason_and_the_phone(client, alice, alice_policy, clinic):
    dentist = DoctorFactory(clinic=clinic, specialty__code="dentist-therapist")
    slot = slot_at(dentist, MONDAY, 10)
    client.force_login(alice)

    response = client.post(
        "/api/v1/bookings", {"policy_id": alice_policy.pk, "slot_id": slot.pk}, content_type="application/json"
    )

    assert response.status_code == 409
    assert response.json()["code"] == "booking_refused"
    assert "медицинский пульт" in response.json()["detail"]


def test_a_slot_range_longer_than_a_month_is_refused(client, alice, alice_policy, doctor):
    client.force_login(alice)

    response = client.get(
        "/api/v1/bookings/slots",
        {"doctor_id": doctor.pk, "policy_id": alice_policy.pk, "date_from": "2026-11-23", "date_to": "2027-01-23"},
    )

    assert response.status_code == 400
    assert response.json()["code"] == "invalid_range"
