"""Issue 3's journey in a real browser: the map, dental clinics, the nearest one, a slot booked,
seen on the dashboard, then cancelled."""

import os
import re
from decimal import Decimal
from pathlib import Path

import pytest

from polis.coverage.models import AccessMode, Policy
from polis.network.models import Booking, BookingStatus, ClinicCare, KindOfCare, MetroStation
from polis.network.tests.booking_factories import MONDAY, DoctorFactory, SpecialtyFactory, slot_at
from polis.testing import factories as f

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def shot(page, name: str) -> None:
    if folder := os.environ.get("POLIS_SCREENSHOTS"):
        page.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=True)


def dental_clinic(program, name: str, lat: str, lon: str, metro: str):
    clinic = f.ClinicFactory(
        name=name, metro=metro, latitude=Decimal(lat), longitude=Decimal(lon), has_online_booking=True
    )
    ClinicCare.objects.create(clinic=clinic, kind=KindOfCare.DENTAL)
    f.ProgramClinicFactory(program=program, clinic=clinic, kind=KindOfCare.DENTAL, access_mode=AccessMode.ONLINE)
    dentist = SpecialtyFactory(code="dentist-therapist", name="Стоматолог-терапевт", kind=KindOfCare.DENTAL)
    doctor = DoctorFactory(clinic=clinic, specialty=dentist, last_name="Зубова", first_name="Мария")
    for hour in (10, 11, 12):
        slot_at(doctor, MONDAY, hour)
    return clinic


@pytest.fixture
def network(alice_policy: Policy) -> Policy:
    program = alice_policy.program
    MetroStation.objects.get_or_create(
        city="Москва",
        name="Тверская",
        defaults={"line": "Замоскворецкая", "latitude": "55.765747", "longitude": "37.604150"},
    )
    dental_clinic(program, "Стоматология на Тверской", "55.766100", "37.603500", "Тверская")
    dental_clinic(program, "Стоматология в Марьино", "55.650000", "37.744000", "Марьино")
    outpatient = f.ClinicFactory(
        name="Поликлиника у Маяковской", latitude=Decimal("55.7698"), longitude=Decimal("37.5961")
    )
    f.ProgramClinicFactory(program=program, clinic=outpatient, kind=KindOfCare.OUTPATIENT)
    return alice_policy


def test_an_insured_finds_the_nearest_dental_clinic_on_the_map_books_and_cancels(browser_page, network):
    page = browser_page
    page.goto("/accounts/login/")
    page.fill("#id_login", "8 916 123-45-67")
    page.fill("#id_password", "Secret-pass-42")
    page.get_by_role("button", name="Войти").click()
    page.wait_for_url(re.compile(r"/my/$"))

    # The map: markers work even though no tile server is reachable from here.
    page.get_by_role("link", name="Клиники").first.click()
    page.get_by_role("link", name="Карта").click()
    page.wait_for_selector("#clinic-map .leaflet-marker-icon, #clinic-map .marker-cluster")
    shot(page, "20-map")

    # Dental clinics only, measured from a metro station: the nearest comes first.
    page.select_option("#id_kind", KindOfCare.DENTAL.value)
    station = MetroStation.objects.get(city="Москва", name="Тверская")
    page.select_option("#id_metro_id", str(station.pk))
    page.get_by_role("button", name="Показать").click()
    page.get_by_role("link", name="Список").click()
    names = page.locator(".clinic-card h2").all_inner_texts()
    assert names[:2] == ["Стоматология на Тверской", "Стоматология в Марьино"]
    assert "Поликлиника у Маяковской" not in names
    shot(page, "21-dental-nearest")

    page.locator(".clinic-card").first.get_by_role("link", name="Записаться").click()
    page.get_by_role("link", name="Записаться онлайн").first.click()
    # The booking steps swap in with htmx: let each request settle before the next click.
    page.get_by_role("link", name="Стоматолог-терапевт").click()
    page.wait_for_load_state("networkidle")
    page.get_by_role("link", name="Выбрать время").first.click()
    page.wait_for_load_state("networkidle")
    page.locator("[data-slot]").first.click()
    page.wait_for_load_state("networkidle")
    page.get_by_role("button", name="Записаться").click()
    page.wait_for_url(re.compile(r"/my/bookings/"))
    shot(page, "22-booked")
    booking = Booking.objects.get(policy=network, status=BookingStatus.ACTIVE)
    assert booking.slot.clinic.name == "Стоматология на Тверской"

    page.goto("/my/")
    upcoming = page.locator("[data-testid=upcoming-bookings]")
    assert "Стоматология на Тверской" in upcoming.inner_text()
    shot(page, "23-dashboard")

    page.goto("/my/bookings/")
    page.get_by_role("button", name="Отменить").first.click()
    page.wait_for_load_state()
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CANCELLED
    assert "Стоматология на Тверской" not in page.goto("/my/").text()
