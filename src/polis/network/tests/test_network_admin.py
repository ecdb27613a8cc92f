"""The back office's admin for the clinic network: every new model's list and add page opens, times
read in Moscow, prices in rubles, and the denormalised and audit fields are not typed by hand."""

import datetime as dt

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from polis.accounts.models import User
from polis.coverage.models import Policy
from polis.network.models import (
    Booking,
    BookingStatus,
    Clinic,
    Doctor,
    MetroStation,
    PriceListItem,
    Slot,
    Specialty,
)
from polis.testing import factories as f

MODELS = ("specialty", "doctor", "slot", "booking", "pricelistitem", "metrostation", "clinic")


@pytest.fixture
def back(client: Client, backoffice_user: User) -> Client:
    client.force_login(backoffice_user)
    return client


@pytest.fixture
def clinic(db: None) -> Clinic:
    return f.ClinicFactory(name="Клиника «Ходынка»", code="MSK-017", has_online_booking=True)


def make_doctor(clinic: Clinic, last_name: str = "Жукова", specialty: str = "therapist") -> Doctor:
    return Doctor.objects.create(
        clinic=clinic, specialty=Specialty.objects.get(code=specialty), last_name=last_name, first_name="Мария",
        patronymic="Александровна", practising_since=2006, external_id=f"{clinic.code}-{last_name}",
    )  # fmt: skip


def make_slot(doctor: Doctor, moscow: dt.datetime) -> Slot:
    start = moscow.replace(tzinfo=dt.timezone(dt.timedelta(hours=3))).astimezone(dt.UTC)
    return Slot.objects.create(
        doctor=doctor, clinic=doctor.clinic, starts_at=start, ends_at=start + dt.timedelta(minutes=20)
    )


@pytest.mark.parametrize("model", MODELS)
def test_the_back_office_opens_the_list_and_the_add_page_of_every_network_model(
    back: Client, clinic: Clinic, alice_policy: Policy, model: str
) -> None:
    doctor = make_doctor(clinic)
    slot = make_slot(doctor, dt.datetime(2026, 11, 23, 10, 0))
    Booking.objects.create(slot=slot, policy=alice_policy, booked_by=alice_policy.insured.user)
    PriceListItem.objects.create(
        clinic=clinic, code="1001", federal_code="B01.047.001", name="Приём терапевта первичный",
        service_category="consultation", price_kopecks=320_000,
    )  # fmt: skip
    MetroStation.objects.get_or_create(
        city="Москва", name="ЦСКА", defaults={"line": "Большая кольцевая", "latitude": 55.7868, "longitude": 37.5347}
    )
    assert back.get(reverse(f"admin:network_{model}_changelist")).status_code == 200
    assert back.get(reverse(f"admin:network_{model}_add")).status_code == 200


def test_the_slot_list_shows_moscow_time_and_whether_the_slot_is_booked(
    back: Client, clinic: Clinic, alice_policy: Policy
) -> None:
    doctor = make_doctor(clinic)
    booked = make_slot(doctor, dt.datetime(2026, 11, 23, 10, 0))
    make_slot(doctor, dt.datetime(2026, 11, 23, 10, 20))
    Booking.objects.create(slot=booked, policy=alice_policy, booked_by=alice_policy.insured.user)
    url = reverse("admin:network_slot_changelist")

    html = back.get(url).content.decode()
    assert "23.11.2026 10:00" in html and "23.11.2026 10:20" in html
    assert "Жукова Мария Александровна" in html

    only_booked = back.get(url, {"booked": "yes"}).content.decode()
    assert "23.11.2026 10:00" in only_booked and "23.11.2026 10:20" not in only_booked
    only_free = back.get(url, {"booked": "no"}).content.decode()
    assert "23.11.2026 10:20" in only_free and "23.11.2026 10:00" not in only_free


def test_a_cancelled_booking_leaves_its_slot_free_in_the_slot_list(
    back: Client, clinic: Clinic, alice_policy: Policy
) -> None:
    slot = make_slot(make_doctor(clinic), dt.datetime(2026, 11, 23, 10, 0))
    Booking.objects.create(
        slot=slot, policy=alice_policy, booked_by=alice_policy.insured.user, status=BookingStatus.CANCELLED
    )
    html = back.get(reverse("admin:network_slot_changelist"), {"booked": "no"}).content.decode()
    assert "23.11.2026 10:00" in html


def test_a_slot_added_in_the_admin_takes_its_clinic_from_the_doctor(back: Client, clinic: Clinic) -> None:
    doctor = make_doctor(clinic)
    response = back.post(
        reverse("admin:network_slot_add"),
        {
            "doctor": doctor.pk,
            "starts_at_0": "24.11.2026", "starts_at_1": "09:00",
            "ends_at_0": "24.11.2026", "ends_at_1": "09:30",
        },
    )  # fmt: skip
    assert response.status_code == 302, response.content.decode()[:2000]
    slot = Slot.objects.get()
    assert slot.clinic == clinic
    assert slot.starts_at == dt.datetime(2026, 11, 24, 6, 0, tzinfo=dt.UTC)


def test_a_slot_that_ends_before_it_starts_is_refused_with_a_message(back: Client, clinic: Clinic) -> None:
    doctor = make_doctor(clinic)
    response = back.post(
        reverse("admin:network_slot_add"),
        {
            "doctor": doctor.pk,
            "starts_at_0": "24.11.2026", "starts_at_1": "09:30",
            "ends_at_0": "24.11.2026", "ends_at_1": "09:00",
        },
    )  # fmt: skip
    assert response.status_code == 200
    assert not Slot.objects.exists()


def test_a_booking_added_in_the_admin_is_booked_by_the_back_office_user_and_its_trail_is_read_only(
    back: Client, backoffice_user: User, clinic: Clinic, alice_policy: Policy
) -> None:
    slot = make_slot(make_doctor(clinic), dt.datetime(2026, 11, 23, 10, 0))
    response = back.post(
        reverse("admin:network_booking_add"),
        {"slot": slot.pk, "policy": alice_policy.pk, "status": BookingStatus.ACTIVE, "booked_by": 999_999},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    booking = Booking.objects.get()
    assert booking.booked_by == backoffice_user

    other = make_slot(make_doctor(clinic, "Петрова"), dt.datetime(2026, 11, 24, 11, 0))
    response = back.post(
        reverse("admin:network_booking_change", args=[booking.pk]),
        {"slot": other.pk, "status": BookingStatus.ACTIVE, "cancel_reason": "вписано вручную"},
    )
    assert response.status_code == 302
    booking.refresh_from_db()
    assert booking.slot == slot and booking.cancel_reason == ""


def test_the_booking_list_finds_a_booking_by_policy_number_and_shows_the_visit_in_moscow_time(
    back: Client, clinic: Clinic, alice_policy: Policy
) -> None:
    slot = make_slot(make_doctor(clinic), dt.datetime(2026, 11, 23, 10, 0))
    Booking.objects.create(slot=slot, policy=alice_policy, booked_by=alice_policy.insured.user)
    url = reverse("admin:network_booking_changelist")
    html = back.get(url, {"q": alice_policy.number}).content.decode()
    assert "23.11.2026 10:00" in html and "Клиника «Ходынка»" in html
    assert "23.11.2026 10:00" not in back.get(url, {"q": "999-0000000"}).content.decode()


def test_the_price_list_shows_prices_in_rubles_and_filters_by_category(back: Client, clinic: Clinic) -> None:
    PriceListItem.objects.create(
        clinic=clinic, code="1001", federal_code="B01.047.001", name="Приём терапевта первичный",
        service_category="consultation", price_kopecks=320_000,
    )  # fmt: skip
    PriceListItem.objects.create(
        clinic=clinic, code="5001", federal_code="A16.07.002", name="Восстановление зуба пломбой",
        service_category="dental", price_kopecks=740_050,
    )  # fmt: skip
    url = reverse("admin:network_pricelistitem_changelist")
    html = back.get(url).content.decode()
    assert "3\xa0200,00\xa0₽" in html and "7\xa0400,50\xa0₽" in html
    assert "Приёмы врачей" in html
    dental = back.get(url, {"category": "dental"}).content.decode()
    assert "A16.07.002" in dental and "B01.047.001" not in dental


def test_doctors_are_found_by_the_clinics_network_code_and_listed_on_the_clinic_page(
    back: Client, clinic: Clinic
) -> None:
    make_doctor(clinic)
    make_doctor(f.ClinicFactory(code="SPB-001", city="Санкт-Петербург"), "Лебедев")
    html = back.get(reverse("admin:network_doctor_changelist"), {"q": "MSK-017"}).content.decode()
    assert "Жукова Мария Александровна" in html and "Лебедев" not in html
    assert '<td class="field-experience">20</td>' in html  # in practice since 2006, on 20.11.2026
    page = back.get(reverse("admin:network_clinic_change", args=[clinic.pk])).content.decode()
    assert "Жукова Мария Александровна" in page and "MSK-017" in page


def test_a_person_without_the_back_office_role_cannot_open_the_network_admin(
    client: Client, alice: User, clinic: Clinic
) -> None:
    client.force_login(alice)
    response = client.get(reverse("admin:network_booking_changelist"))
    assert response.status_code == 302 and "/login/" in response["Location"]


def _queries(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


@pytest.mark.parametrize("model", ["slot", "booking", "doctor", "pricelistitem", "specialty"])
def test_a_network_list_costs_the_same_queries_for_two_rows_as_for_twelve(
    back: Client, clinic: Clinic, alice_policy: Policy, model: str
) -> None:
    def add_rows(first: int, last: int) -> None:
        for n in range(first, last):
            slot = make_slot(
                make_doctor(clinic, f"Врачева{n}"), dt.datetime(2026, 11, 23, 9, 0) + dt.timedelta(hours=n)
            )
            Booking.objects.create(slot=slot, policy=alice_policy, booked_by=alice_policy.insured.user)
            PriceListItem.objects.create(
                clinic=clinic, code=f"{n:04d}", name=f"Услуга {n}", service_category="diagnostics", price_kopecks=1000
            )

    url = reverse(f"admin:network_{model}_changelist")
    add_rows(0, 2)
    few = _queries(back, url)
    add_rows(2, 12)
    assert _queries(back, url) == few
