"""The insured person's clinic pages: the list and the map, the clinic's page."""

import datetime as dt
import json
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from polis.care.models import DeskContact
from polis.coverage.models import AccessMode, Policy, Relation
from polis.network.models import KindOfCare, MetroStation
from polis.network.tests.test_directory import CENTRE, SOUTH, clinic_in
from polis.testing import factories as f

LIST = reverse("clinics:list")


def detail_url(policy: Policy, clinic_id: int) -> str:
    return reverse("clinics:detail", args=[policy.pk, clinic_id])


def markers(html: str) -> list[dict]:
    found = re.search(r'<script id="clinic-markers" type="application/json">(.*?)</script>', html, re.S)
    assert found, "no markers on the page"
    return json.loads(found.group(1))


def test_an_insured_sees_the_clinics_of_her_program_with_how_to_get_in(client, alice, alice_policy):
    clinic_in(
        alice_policy.program,
        kinds=(KindOfCare.OUTPATIENT, KindOfCare.DENTAL),
        mode=AccessMode.ONLINE,
        name="Клиника «Маросейка»",
        metro="Китай-город",
        phones="+7 495 123-45-67",
        has_online_booking=True,
        is_franchise=True,
    )
    clinic_in(f.ProgramFactory(), name="Чужая клиника")
    client.force_login(alice)

    html = client.get(LIST).content.decode()

    assert "Клиника «Маросейка»" in html
    assert "Чужая клиника" not in html
    assert "м. Китай-город" in html
    assert 'href="tel:+74951234567"' in html
    assert "Клиника с франшизой" in html
    assert 'class="badge mode-online"' in html
    assert "Как записаться: онлайн-запись" in html
    assert "Найдено: 1 клиника" in html


def test_the_switch_lists_her_relatives_policies_and_shows_the_chosen_program(client, alice, alice_person):
    child_program = f.ProgramFactory(contract=f.ContractFactory())
    child = f.PolicyFactory(
        insured=f.InsuredPersonFactory(first_name="Маша", birth_date=dt.date(2016, 3, 1)),
        holder=alice_person,
        relation=Relation.CHILD,
        program=child_program,
    )
    clinic_in(child_program, name="Детская клиника")
    clinic_in(Policy.objects.get(number="001-0000001").program, name="Взрослая клиника")
    client.force_login(alice)

    own = client.get(LIST).content.decode()
    childs = client.get(LIST, {"policy": child.pk}).content.decode()

    assert f'<option value="{child.pk}"' in own
    assert "Взрослая клиника" in own and "Детская клиника" not in own
    assert "Детская клиника" in childs and "Взрослая клиника" not in childs
    assert f'<option value="{child.pk}" selected>' in childs


def test_an_insured_cannot_open_the_directory_or_a_clinic_with_a_strangers_policy(client, alice, bob):
    strangers = Policy.objects.get(number="002-0000001")
    clinic = clinic_in(strangers.program)
    client.force_login(alice)

    assert client.get(LIST, {"policy": strangers.pk}).status_code == 404
    assert client.get(detail_url(strangers, clinic.pk)).status_code == 404


def test_a_clinic_outside_the_program_is_not_found(client, alice, alice_policy):
    elsewhere = clinic_in(f.ProgramFactory())
    client.force_login(alice)

    assert client.get(detail_url(alice_policy, elsewhere.pk)).status_code == 404


@pytest.mark.parametrize("staff", ["desk_user", "hr_user", "clinic_user", "backoffice_user"])
def test_staff_roles_are_refused_the_directory(client, request, alice_policy, staff):
    clinic = clinic_in(alice_policy.program)
    client.force_login(request.getfixturevalue(staff))

    assert client.get(LIST).status_code == 403
    assert client.get(detail_url(alice_policy, clinic.pk)).status_code == 403


def test_an_anonymous_visitor_is_sent_to_log_in(client, db):
    response = client.get(LIST)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_an_account_without_policies_sees_a_way_to_add_one(client, db):
    client.force_login(f.UserFactory())

    html = client.get(LIST).content.decode()

    assert "Нет полиса — нет клиник" in html
    assert reverse("accounts:policy_add") in html


def test_the_filter_bar_keeps_what_was_chosen(client, alice, alice_policy):
    clinic_in(alice_policy.program, kinds=(KindOfCare.DENTAL,), name="Стоматология «Дент»", city="Москва")
    clinic_in(alice_policy.program, kinds=(KindOfCare.OUTPATIENT,), name="Городская больница", city="Москва")
    client.force_login(alice)

    html = client.get(
        LIST, {"q": "дент", "kind": "dental", "city": "Москва", "access": "desk", "franchise": ""}
    ).content.decode()

    assert "Стоматология «Дент»" in html and "Городская больница" not in html
    assert 'value="дент"' in html
    assert '<option value="dental" selected>' in html
    assert '<option value="Москва" selected>' in html
    assert '<option value="desk" selected>' in html


def test_a_wrong_filter_value_shows_an_error_and_filters_nothing(client, alice, alice_policy):
    clinic_in(alice_policy.program, name="Поликлиника")
    client.force_login(alice)

    html = client.get(LIST, {"kind": "acupuncture"}).content.decode()

    assert "Поликлиника" in html
    assert "Выберите корректный вариант" in html


def test_clinics_are_sorted_by_distance_from_a_chosen_metro_station(client, alice, alice_policy):
    clinic_in(alice_policy.program, name="Клиника в Ясенево", latitude=SOUTH[0], longitude=SOUTH[1])
    clinic_in(alice_policy.program, name="Клиника на Маросейке", latitude=CENTRE[0], longitude=CENTRE[1])
    near_south = MetroStation.objects.get(city="Москва", name="Ясенево")
    client.force_login(alice)

    html = client.get(LIST, {"metro_id": near_south.pk}).content.decode()

    assert html.index("Клиника в Ясенево") < html.index("Клиника на Маросейке")
    assert "Расстояние от: <strong>м. Ясенево</strong>" in html
    assert f'<option value="{near_south.pk}" selected>' in html
    # The clinic's page keeps the point, so it can tell the distance too.
    assert f"?metro_id={near_south.pk}" in html


def test_the_browsers_location_sorts_the_list_and_a_bad_point_is_explained(client, alice, alice_policy):
    clinic_in(alice_policy.program, name="Клиника в Ясенево", latitude=SOUTH[0], longitude=SOUTH[1])
    clinic_in(alice_policy.program, name="Клиника на Маросейке", latitude=CENTRE[0], longitude=CENTRE[1])
    client.force_login(alice)

    near = client.get(LIST, {"lat": "55.7570", "lon": "37.6340", "src": "geo"}).content.decode()
    broken = client.get(LIST, {"lat": "155.7", "lon": "37.6"}).content.decode()

    assert near.index("Клиника на Маросейке") < near.index("Клиника в Ясенево")
    assert "ваше местоположение" in near
    assert "data-origin-lat" not in near  # the list view has no map
    assert "координаты заданы неверно" in broken
    assert "Клиника на Маросейке" in broken


def test_the_map_view_has_markers_for_every_filtered_clinic_not_only_this_page(client, alice, alice_policy):
    for n in range(23):
        clinic_in(alice_policy.program, name=f"Клиника {n:02d}", kinds=(KindOfCare.DENTAL,))
    clinic_in(alice_policy.program, name="Поликлиника", kinds=(KindOfCare.OUTPATIENT,))
    client.force_login(alice)

    html = client.get(LIST, {"view": "map", "kind": "dental"}).content.decode()

    found = markers(html)
    assert len(found) == 23
    assert {m["name"] for m in found} == {f"Клиника {n:02d}" for n in range(23)}
    assert found[0]["url"] == detail_url(alice_policy, found[0]["id"])
    assert html.count('class="card clinic-card') == 20
    assert "/static/vendor/leaflet/leaflet.js" in html
    assert "/static/vendor/leaflet.markercluster/leaflet.markercluster.js" in html
    assert 'data-tiles="https://tile.openstreetmap.org/{z}/{x}/{y}.png"' in html
    assert 'id="map-note"' in html  # shown by the script when tiles fail


def test_the_map_marks_the_point_distances_are_measured_from(client, alice, alice_policy):
    clinic_in(alice_policy.program)
    client.force_login(alice)

    html = client.get(LIST, {"view": "map", "lat": "55.757", "lon": "37.634", "src": "map"}).content.decode()

    # Not localised («55,757000» would be read by the script as 55).
    assert 'data-origin-lat="55.757000" data-origin-lon="37.634000" data-origin-label="точка на карте"' in html


def test_the_list_view_does_not_load_the_map(client, alice, alice_policy):
    clinic_in(alice_policy.program)
    client.force_login(alice)

    html = client.get(LIST).content.decode()

    assert "clinic-markers" not in html
    assert "leaflet.js" not in html


@pytest.mark.parametrize("view", ["list", "map"])
def test_the_page_costs_the_same_queries_for_3_or_40_clinics(client, alice, alice_policy, view):
    other = f.PolicyFactory(insured=alice.insured_records.get(), program=f.ProgramFactory(), number="001-0000009")
    for _ in range(3):
        clinic_in(alice_policy.program, kinds=(KindOfCare.OUTPATIENT, KindOfCare.DENTAL))
    for _ in range(40):
        clinic_in(other.program, kinds=(KindOfCare.OUTPATIENT, KindOfCare.DENTAL))
    client.force_login(alice)
    station = MetroStation.objects.get(city="Москва", name="Китай-город")

    def count(policy: Policy) -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(LIST, {"policy": policy.pk, "view": view, "metro_id": station.pk}).status_code == 200
        return len(queries)

    assert count(alice_policy) == count(other)


def test_the_clinic_page_tells_this_person_how_to_get_in_for_each_kind(client, alice, alice_policy):
    DeskContact.objects.create(city="Москва", title="Пульт в Москве", phone="+7 495 777-00-00")
    clinic = f.ClinicFactory(
        name="Клиника «Маросейка»",
        phones="+7 495 111-11-11, +7 495 222-22-22",
        website="https://maroseyka.example.ru",
        opening_hours="пн–пт 8:00–21:00",
        has_online_booking=True,
        is_franchise=True,
    )
    program = alice_policy.program
    f.ProgramClinicFactory(program=program, clinic=clinic, kind=KindOfCare.OUTPATIENT, access_mode=AccessMode.ONLINE)
    f.ProgramClinicFactory(program=program, clinic=clinic, kind=KindOfCare.DENTAL, access_mode=AccessMode.DESK)
    f.ProgramClinicFactory(program=program, clinic=clinic, kind=KindOfCare.CHECKUP, access_mode=AccessMode.REGISTRY)
    client.force_login(alice)

    html = client.get(detail_url(alice_policy, clinic.pk)).content.decode()

    booking = f"{reverse('booking:new')}?clinic={clinic.pk}&amp;policy={alice_policy.pk}"
    assert f'href="{booking}"' in html
    assert "Записаться онлайн" in html
    assert 'href="tel:+74957770000"' in html  # the desk, for dentistry
    assert 'href="tel:+74951111111"' in html  # the clinic's registry, for the check-up
    assert "только через медицинский пульт" in html
    assert "https://maroseyka.example.ru" in html
    assert "пн–пт 8:00–21:00" in html
    assert "по вашей программе франшизы нет" in html


def test_the_clinic_page_shows_the_distance_from_the_chosen_point(client, alice, alice_policy):
    clinic = clinic_in(alice_policy.program, latitude=SOUTH[0], longitude=SOUTH[1])
    station = MetroStation.objects.get(city="Москва", name="Китай-город")
    client.force_login(alice)

    html = client.get(detail_url(alice_policy, clinic.pk), {"metro_id": station.pk}).content.decode()

    assert "18 км от: м. Китай-город" in html
    assert f'data-origin-lat="{station.latitude:f}" data-origin-lon="{station.longitude:f}"' in html
