"""The clinic directory in the mobile API: the same scoping, filters and order as the pages."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from polis.api.tests.test_api import bearer, token_for
from polis.coverage.models import AccessMode, Policy
from polis.network.models import KindOfCare, MetroStation
from polis.network.tests.test_directory import CENTRE, SOUTH, clinic_in
from polis.testing import factories as f

CLINICS = "/api/v1/clinics"


@pytest.fixture
def alice_token(client, alice) -> dict[str, str]:
    return bearer(token_for(client, "alice@example.ru"))


def test_the_list_defaults_to_the_own_policy_and_carries_access_for_each_kind(client, alice_token, alice_policy):
    clinic = clinic_in(
        alice_policy.program,
        kinds=(KindOfCare.OUTPATIENT,),
        mode=AccessMode.ONLINE,
        name="Клиника «Маросейка»",
        has_online_booking=True,
        phones="+7 495 123-45-67",
    )
    clinic_in(f.ProgramFactory(), name="Чужая")

    body = client.get(CLINICS, **alice_token).json()

    assert (body["policy_id"], body["count"], body["page"], body["pages"], body["per_page"]) == (
        alice_policy.pk, 1, 1, 1, 20
    )  # fmt: skip
    item = body["items"][0]
    assert (item["id"], item["name"], item["phones"], item["online_allowed"]) == (
        clinic.pk, "Клиника «Маросейка»", ["+7 495 123-45-67"], True
    )  # fmt: skip
    assert item["kinds"] == [
        {
            "kind": "outpatient",
            "kind_label": "Амбулаторно-поликлиническая помощь",
            "mode": "online",
            "mode_label": "Онлайн-запись",
            "phone": "",
            "online_allowed": True,
            "reason": "",
        }
    ]
    assert item["summary"].startswith("Как записаться")
    assert item["distance_km"] is None


def test_filters_and_distance_order_match_the_page(client, alice_token, alice_policy):
    clinic_in(
        alice_policy.program, kinds=(KindOfCare.DENTAL,), name="Дент Ясенево", latitude=SOUTH[0], longitude=SOUTH[1]
    )
    clinic_in(
        alice_policy.program, kinds=(KindOfCare.DENTAL,), name="Дент центр", latitude=CENTRE[0], longitude=CENTRE[1]
    )
    clinic_in(
        alice_policy.program,
        kinds=(KindOfCare.OUTPATIENT,),
        name="Поликлиника",
        latitude=CENTRE[0],
        longitude=CENTRE[1],
    )
    station = MetroStation.objects.get(city="Москва", name="Новоясеневская")

    def names(**params) -> list[str]:
        return [i["name"] for i in client.get(CLINICS, params, **alice_token).json()["items"]]

    assert names(kind="dental", metro_id=station.pk) == ["Дент Ясенево", "Дент центр"]
    assert names(kind="dental", lat="55.7574", lon="37.6348") == ["Дент центр", "Дент Ясенево"]
    assert names(q="поликлиника") == ["Поликлиника"]
    body = client.get(CLINICS, {"lat": "55.7574", "lon": "37.6348"}, **alice_token).json()
    assert body["origin"]["source"] == "geo"
    assert body["items"][0]["distance_km"] == pytest.approx(0, abs=0.01)


def test_a_strangers_policy_and_a_clinic_outside_the_program_are_not_found(client, alice_token, alice_policy, bob):
    strangers = Policy.objects.get(number="002-0000001")
    theirs = clinic_in(strangers.program)
    mine = clinic_in(alice_policy.program)

    assert client.get(CLINICS, {"policy_id": strangers.pk}, **alice_token).status_code == 404
    assert client.get(f"{CLINICS}/{theirs.pk}", {"policy_id": strangers.pk}, **alice_token).status_code == 404
    assert client.get(f"{CLINICS}/{theirs.pk}", {"policy_id": alice_policy.pk}, **alice_token).status_code == 404
    assert client.get(f"{CLINICS}/{mine.pk}", {"policy_id": alice_policy.pk}, **alice_token).status_code == 200


def test_the_clinic_detail_tells_how_to_get_in_and_the_distance(client, alice_token, alice_policy):
    clinic = clinic_in(
        alice_policy.program,
        kinds=(KindOfCare.OUTPATIENT, KindOfCare.DENTAL),
        mode=AccessMode.REGISTRY,
        phones="+7 495 111-11-11",
        website="https://clinic.example.ru",
        latitude=SOUTH[0],
        longitude=SOUTH[1],
    )
    station = MetroStation.objects.get(city="Москва", name="Ясенево")

    body = client.get(
        f"{CLINICS}/{clinic.pk}", {"policy_id": alice_policy.pk, "metro_id": station.pk}, **alice_token
    ).json()

    assert body["website"] == "https://clinic.example.ru"
    assert [(k["kind"], k["mode"], k["phone"]) for k in body["kinds"]] == [
        ("outpatient", "registry", "+7 495 111-11-11"),
        ("dental", "registry", "+7 495 111-11-11"),
    ]
    assert body["distance_km"] < 0.5
    assert body["policy_id"] == alice_policy.pk


def test_metro_stations_come_from_the_reference_data(client, alice_token):
    spb = client.get(f"{CLINICS}/metro", {"city": "Санкт-Петербург"}, **alice_token).json()

    assert {s["city"] for s in spb} == {"Санкт-Петербург"}
    assert "Площадь Восстания" in {s["name"] for s in spb}


@pytest.mark.parametrize(
    ("params", "code"),
    [
        ({"kind": "acupuncture"}, "invalid_kind"),
        ({"access": "fax"}, "invalid_access"),
        ({"lat": "99", "lon": "37"}, "invalid_origin"),
    ],
)
def test_wrong_parameters_are_explained_in_russian(client, alice_token, alice_policy, params, code):
    response = client.get(CLINICS, params, **alice_token)

    assert response.status_code == 400
    assert response.json()["code"] == code
    assert response.json()["detail"]


@pytest.mark.parametrize("staff", ["desk_user", "hr_user", "clinic_user", "backoffice_user"])
def test_staff_are_refused_the_directory(client, request, alice_policy, staff):
    clinic = clinic_in(alice_policy.program)
    client.force_login(request.getfixturevalue(staff))

    for url in (CLINICS, f"{CLINICS}/metro", f"{CLINICS}/{clinic.pk}?policy_id={alice_policy.pk}"):
        response = client.get(url)
        assert response.status_code == 403, url
        assert response.json()["code"] == "forbidden"


def test_without_a_login_the_directory_answers_401(client, db):
    assert client.get(CLINICS).status_code == 401


def test_the_list_costs_the_same_queries_for_3_or_40_clinics(client, alice, alice_policy):
    other = f.PolicyFactory(insured=alice.insured_records.get(), program=f.ProgramFactory(), number="001-0000009")
    for _ in range(3):
        clinic_in(alice_policy.program, kinds=(KindOfCare.OUTPATIENT, KindOfCare.DENTAL))
    for _ in range(40):
        clinic_in(other.program, kinds=(KindOfCare.OUTPATIENT, KindOfCare.DENTAL))
    client.force_login(alice)

    def count(policy: Policy) -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(CLINICS, {"policy_id": policy.pk, "lat": "55.75", "lon": "37.62"}).status_code == 200
        return len(queries)

    assert count(alice_policy) == count(other)
