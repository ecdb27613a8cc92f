"""Online booking services: booking, cancelling, moving a visit; the clinic's cancellation."""

import datetime as dt

import pytest
from django.http import Http404

from polis.care.models import DeskContact
from polis.coverage.models import Policy
from polis.network import booking as svc
from polis.network.booking import BookingError
from polis.network.models import Booking, BookingStatus, KindOfCare
from polis.network.tests.booking_factories import (
    MONDAY,
    DoctorFactory,
    SpecialtyFactory,
    active_bookings,
    online_clinic,
    slot_at,
)
from polis.notify.models import Channel, Notification, OutboundMessage
from polis.testing import factories as f


@pytest.fixture
def clinic(alice_policy):
    return online_clinic(alice_policy.program, address="г. Москва, ул. Тверская, д. 7")


@pytest.fixture
def doctor(clinic):
    return DoctorFactory(clinic=clinic, last_name="Петров", first_name="Сергей", patronymic="Иванович")


@pytest.fixture
def slot(doctor):
    return slot_at(doctor, MONDAY, 10)


@pytest.fixture
def son_policy(alice):
    return Policy.objects.get(number="001-0000002")


def test_alice_books_a_slot_and_is_told_by_sms_email_and_in_the_account(alice, alice_policy, slot):
    booking = svc.booking_create(user=alice, policy_id=alice_policy.pk, slot_id=slot.pk)

    assert (booking.status, booking.policy, booking.booked_by) == (BookingStatus.ACTIVE, alice_policy, alice)
    sms = OutboundMessage.objects.get(channel=Channel.SMS)
    assert sms.recipient == "+79161234567"
    for fact in ("23.11.2026 10:00", "Петров Сергей Иванович", "Клиника «Здоровье»", "ул. Тверская, д. 7"):
        assert fact in sms.body
    assert OutboundMessage.objects.get(channel=Channel.EMAIL).recipient == "alice@example.ru"
    assert Notification.objects.get(user=alice).title == "Вы записаны на приём"


def test_a_mother_books_for_her_son_under_his_policy(alice, son_policy, slot):
    booking = svc.booking_create(user=alice, policy_id=son_policy.pk, slot_id=slot.pk)

    assert booking.policy == son_policy
    assert "Смирнова А.А." in OutboundMessage.objects.get(channel=Channel.SMS).body


def test_an_insured_cannot_book_for_a_stranger(bob, alice_policy, slot):
    with pytest.raises(Http404):
        svc.booking_create(user=bob, policy_id=alice_policy.pk, slot_id=slot.pk)

    assert active_bookings(slot) == 0


def test_pressing_book_twice_books_once(alice, alice_policy, slot):
    first = svc.booking_create(user=alice, policy_id=alice_policy.pk, slot_id=slot.pk)
    second = svc.booking_create(user=alice, policy_id=alice_policy.pk, slot_id=slot.pk)

    assert first == second
    assert active_bookings(slot) == 1
    assert OutboundMessage.objects.filter(channel=Channel.SMS).count() == 1


def test_a_slot_taken_by_someone_else_is_refused_with_a_clear_message(alice, alice_policy, son_policy, slot):
    svc.booking_create(user=alice, policy_id=alice_policy.pk, slot_id=slot.pk)

    with pytest.raises(BookingError, match="Это время только что заняли"):
        svc.booking_create(user=alice, policy_id=son_policy.pk, slot_id=slot.pk)


def test_the_unique_index_turns_a_lost_race_into_the_same_clear_message(alice, alice_policy, son_policy, slot):
    # As if the other booking committed after our checks: only the index stands in the way.
    Booking.objects.create(slot=slot, policy=son_policy, booked_by=alice)

    with pytest.raises(BookingError, match="Это время только что заняли"):
        svc._insert(policy=alice_policy, slot=slot, user=alice)
    assert active_bookings(slot) == 1


def test_a_visit_overlapping_another_of_the_same_person_is_refused(alice, alice_policy, clinic, slot):
    other = DoctorFactory(clinic=clinic, specialty=SpecialtyFactory(code="neurologist"), last_name="Орлова")
    svc.booking_create(user=alice, policy_id=alice_policy.pk, slot_id=slot.pk)

    with pytest.raises(BookingError, match="уже есть запись"):
        svc.booking_create(user=alice, policy_id=alice_policy.pk, slot_id=slot_at(other, MONDAY, 10, 15).pk)
    # Right after the first visit is fine.
    svc.booking_create(user=alice, policy_id=alice_policy.pk, slot_id=slot_at(other, MONDAY, 10, 30).pk)


def test_a_second_future_visit_to_the_same_doctor_is_refused(alice, alice_policy, doctor, slot):
    svc.booking_create(user=alice, policy_id=alice_policy.pk, slot_id=slot.pk)

    with pytest.raises(BookingError, match="уже есть запись к этому врачу"):
        svc.booking_create(user=alice, policy_id=alice_policy.pk, slot_id=slot_at(doctor, MONDAY, 15).pk)


def test_a_past_or_closed_time_cannot_be_booked(alice, alice_policy, doctor):
    past = slot_at(doctor, dt.date(2026, 11, 20), 9)
    closed = slot_at(doctor, MONDAY, 11)
    closed.is_blocked = True
    closed.save()

    with pytest.raises(BookingError, match="уже прошло"):
        svc.booking_create(user=alice, policy_id=alice_policy.pk, slot_id=past.pk)
    with pytest.raises(BookingError, match="закрыла запись"):
        svc.booking_create(user=alice, policy_id=alice_policy.pk, slot_id=closed.pk)


def test_a_kind_of_care_open_only_through_the_desk_is_refused_with_the_desk_phone(alice, alice_policy, clinic):
    DeskContact.objects.create(city="Москва", title="Пульт", phone="+7 495 777-00-00")
    dentist = DoctorFactory(clinic=clinic, specialty=SpecialtyFactory(code="dentist-therapist", kind="dental"))

    with pytest.raises(BookingError, match=r"медицинский пульт.*\+7 495 777-00-00"):
        svc.booking_create(user=alice, policy_id=alice_policy.pk, slot_id=slot_at(dentist, MONDAY, 9).pk)


def test_a_kind_the_program_does_not_cover_in_the_clinic_is_refused(alice, alice_policy, clinic):
    checkup = DoctorFactory(clinic=clinic, specialty=SpecialtyFactory(code="checkup-doctor", kind=KindOfCare.CHECKUP))

    with pytest.raises(BookingError, match="не покрывает"):
        svc.booking_create(user=alice, policy_id=alice_policy.pk, slot_id=slot_at(checkup, MONDAY, 9).pk)


def test_a_visit_after_the_policy_ends_is_refused(alice, alice_policy, doctor):
    january = slot_at(doctor, dt.date(2027, 1, 11), 10)

    with pytest.raises(BookingError, match="не действует"):
        svc.booking_create(user=alice, policy_id=alice_policy.pk, slot_id=january.pk)


def test_cancelling_frees_the_slot_and_a_second_click_changes_nothing(alice, alice_policy, son_policy, slot):
    booking = svc.booking_create(user=alice, policy_id=alice_policy.pk, slot_id=slot.pk)
    sent = OutboundMessage.objects.count()

    svc.booking_cancel(user=alice, booking_id=booking.pk)
    after_first = OutboundMessage.objects.count()
    again = svc.booking_cancel(user=alice, booking_id=booking.pk)

    assert again.status == BookingStatus.CANCELLED
    assert after_first == sent + 2  # SMS and e-mail
    assert OutboundMessage.objects.count() == after_first
    assert svc.booking_create(user=alice, policy_id=son_policy.pk, slot_id=slot.pk).status == BookingStatus.ACTIVE


def test_an_insured_cannot_cancel_another_persons_booking(alice, alice_policy, bob, slot):
    booking = svc.booking_create(user=alice, policy_id=alice_policy.pk, slot_id=slot.pk)

    with pytest.raises(Http404):
        svc.booking_cancel(user=bob, booking_id=booking.pk)
    booking.refresh_from_db()
    assert booking.status == BookingStatus.ACTIVE


def test_a_visit_whose_time_has_come_cannot_be_cancelled(alice, alice_policy, slot, frozen_now):
    booking = svc.booking_create(user=alice, policy_id=alice_policy.pk, slot_id=slot.pk)
    frozen_now.return_value = slot.starts_at + dt.timedelta(minutes=5)

    with pytest.raises(BookingError, match="уже наступило"):
        svc.booking_cancel(user=alice, booking_id=booking.pk)


def test_rescheduling_moves_the_visit_and_keeps_the_old_booking_as_moved(alice, alice_policy, doctor, slot):
    old = svc.booking_create(user=alice, policy_id=alice_policy.pk, slot_id=slot.pk)
    later = slot_at(doctor, MONDAY, 16)

    new = svc.booking_reschedule(user=alice, booking_id=old.pk, new_slot_id=later.pk)

    old.refresh_from_db()
    assert (old.status, old.rescheduled_to) == (BookingStatus.RESCHEDULED, new)
    assert (new.status, new.slot) == (BookingStatus.ACTIVE, later)
    assert "Запись перенесена с 23.11.2026 10:00" in OutboundMessage.objects.filter(channel=Channel.SMS).first().body


def test_rescheduling_to_a_taken_time_keeps_the_old_booking(alice, alice_policy, son_policy, doctor, slot):
    old = svc.booking_create(user=alice, policy_id=alice_policy.pk, slot_id=slot.pk)
    later = slot_at(doctor, MONDAY, 16)
    svc.booking_create(user=alice, policy_id=son_policy.pk, slot_id=later.pk)

    with pytest.raises(BookingError, match="заняли"):
        svc.booking_reschedule(user=alice, booking_id=old.pk, new_slot_id=later.pk)

    old.refresh_from_db()
    assert (old.status, old.rescheduled_to) == (BookingStatus.ACTIVE, None)


def test_rescheduling_to_another_doctor_is_refused(alice, alice_policy, clinic, slot):
    other = DoctorFactory(clinic=clinic, last_name="Орлова")
    old = svc.booking_create(user=alice, policy_id=alice_policy.pk, slot_id=slot.pk)

    with pytest.raises(BookingError, match="того же врача"):
        svc.booking_reschedule(user=alice, booking_id=old.pk, new_slot_id=slot_at(other, MONDAY, 16).pk)


def test_the_clinic_cancels_a_visit_and_the_person_learns_why(alice, alice_policy, slot, clinic):
    clerk = f.UserFactory(role="clinic", clinic=clinic, phone=None)
    booking = svc.booking_create(user=alice, policy_id=alice_policy.pk, slot_id=slot.pk)

    svc.clinic_booking_cancel(clerk=clerk, booking_id=booking.pk, reason="Врач заболел")

    booking.refresh_from_db()
    assert (booking.status, booking.cancelled_by_clinic, booking.cancel_reason) == ("cancelled", True, "Врач заболел")
    sms = OutboundMessage.objects.filter(channel=Channel.SMS).first()
    assert sms.recipient == "+79161234567"
    assert "Врач заболел" in sms.body
    assert OutboundMessage.objects.filter(channel=Channel.EMAIL, subject="Клиника отменила запись").exists()
    assert Notification.objects.filter(user=alice, title="Клиника отменила запись").exists()


def test_the_clinic_must_give_a_reason_to_cancel(alice, alice_policy, slot, clinic):
    clerk = f.UserFactory(role="clinic", clinic=clinic, phone=None)
    booking = svc.booking_create(user=alice, policy_id=alice_policy.pk, slot_id=slot.pk)

    with pytest.raises(BookingError, match="причину"):
        svc.clinic_booking_cancel(clerk=clerk, booking_id=booking.pk, reason="   ")


def test_another_clinics_clerk_cannot_cancel_the_booking(alice, alice_policy, slot, clinic_user):
    booking = svc.booking_create(user=alice, policy_id=alice_policy.pk, slot_id=slot.pk)

    with pytest.raises(Http404):
        svc.clinic_booking_cancel(clerk=clinic_user, booking_id=booking.pk, reason="Врач заболел")
    booking.refresh_from_db()
    assert booking.status == BookingStatus.ACTIVE
