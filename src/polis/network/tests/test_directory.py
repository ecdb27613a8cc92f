"""The clinic directory's selectors: scoping, filters, distance order, a constant query count."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.http import Http404
from django.test.utils import CaptureQueriesContext

from polis.coverage.models import AccessMode, Policy, Program, Relation, ServiceMode
from polis.network import directory
from polis.network.directory import DirectoryFilters, clinic_directory, clinic_for_user, origin_from
from polis.network.models import Clinic, KindOfCare, MetroStation
from polis.testing import factories as f

OUT = KindOfCare.OUTPATIENT
DEN = KindOfCare.DENTAL

# Near Kitay-gorod, near Yasenevo (17 km south-west) and in St. Petersburg.
CENTRE = (Decimal("55.757400"), Decimal("37.634800"))
SOUTH = (Decimal("55.605400"), Decimal("37.534700"))


def clinic_in(program: Program, *, kinds=(OUT,), mode=AccessMode.DESK, **fields) -> Clinic:
    clinic = f.ClinicFactory(**fields)
    for kind in kinds:
        f.ProgramClinicFactory(program=program, clinic=clinic, kind=kind, access_mode=mode)
    return clinic


def names(result: directory.Directory) -> list[str]:
    return [card.clinic.name for card in result.cards]


def browse(user, policy: Policy, **kwargs) -> directory.Directory:
    filters = kwargs.pop("filters", DirectoryFilters())
    return clinic_directory(user=user, policy_id=policy.pk, filters=filters, **kwargs)


def test_the_directory_shows_only_the_clinics_of_the_policys_program(alice, alice_policy):
    mine = clinic_in(alice_policy.program, name="Моя клиника")
    clinic_in(f.ProgramFactory(), name="Чужая клиника")

    result = browse(alice, alice_policy)

    assert names(result) == ["Моя клиника"]
    assert result.count == 1
    assert result.cards[0].access.kinds[0].kind == OUT
    assert mine.pk in {c.clinic.pk for c in result.cards}


def test_a_clinic_with_several_kinds_of_care_is_one_card_with_all_of_them(alice, alice_policy):
    clinic_in(alice_policy.program, kinds=(OUT, DEN, KindOfCare.CHECKUP), name="Многопрофильная")

    result = browse(alice, alice_policy)

    assert len(result.cards) == 1
    assert [k.kind for k in result.cards[0].access.kinds] == [OUT, DEN, KindOfCare.CHECKUP]


def test_a_clinic_that_stopped_working_with_the_insurer_is_not_listed(alice, alice_policy):
    clinic_in(alice_policy.program, name="Закрытая", is_active=False)
    clinic_in(alice_policy.program, name="Открытая")

    assert names(browse(alice, alice_policy)) == ["Открытая"]


def test_an_insured_cannot_browse_with_a_strangers_policy_id(alice, bob):
    strangers = Policy.objects.get(number="002-0000001")
    clinic_in(strangers.program)

    with pytest.raises(Http404):
        browse(alice, strangers)


def test_a_parent_browses_the_program_of_her_childs_policy(alice, alice_person):
    child_program = f.ProgramFactory(contract=f.ContractFactory())
    child = f.PolicyFactory(
        insured=f.InsuredPersonFactory(first_name="Маша", birth_date=dt.date(2016, 3, 1)),
        holder=alice_person,
        relation=Relation.CHILD,
        program=child_program,
    )
    clinic_in(child_program, name="Детская клиника")
    clinic_in(Policy.objects.get(number="001-0000001").program, name="Взрослая клиника")

    assert names(browse(alice, child)) == ["Детская клиника"]
    assert child.pk in [p.pk for p in directory.directory_policies(user=alice)]


def test_the_directory_opens_with_the_persons_own_policy_in_force(alice, alice_policy):
    policies = list(directory.directory_policies(user=alice))

    assert directory.default_policy(policies) == alice_policy
    assert [p.number for p in policies] == ["001-0000001", "001-0000002"]


def test_ended_policies_come_after_those_in_force(alice, alice_person):
    ended = f.PolicyFactory(insured=alice_person, starts_on=dt.date(2025, 1, 1), ends_on=dt.date(2025, 12, 31))

    policies = list(directory.directory_policies(user=alice))

    assert policies[-1] == ended


def test_staff_see_no_policies_to_browse(desk_user, alice_policy):
    assert list(directory.directory_policies(user=desk_user)) == []
    with pytest.raises(Http404):
        browse(desk_user, alice_policy)


def test_the_kind_of_care_filter_keeps_clinics_giving_it(alice, alice_policy):
    program = alice_policy.program
    clinic_in(program, kinds=(OUT,), name="Поликлиника")
    clinic_in(program, kinds=(OUT, DEN), name="Поликлиника со стоматологией")
    clinic_in(program, kinds=(DEN,), name="Стоматология")

    result = browse(alice, alice_policy, filters=DirectoryFilters(kind=DEN))

    assert sorted(names(result)) == ["Поликлиника со стоматологией", "Стоматология"]


def test_a_clinic_giving_dentistry_under_another_program_only_is_not_a_dental_clinic_here(alice, alice_policy):
    clinic = clinic_in(alice_policy.program, kinds=(OUT,), name="Только поликлиника по этой программе")
    f.ProgramClinicFactory(program=f.ProgramFactory(), clinic=clinic, kind=DEN)

    assert browse(alice, alice_policy, filters=DirectoryFilters(kind=DEN)).count == 0


def test_city_franchise_metro_and_text_filters(alice, alice_policy):
    program = alice_policy.program
    clinic_in(program, name="Клиника «Маросейка»", city="Москва", metro="Китай-город", address="ул. Маросейка, 9")
    clinic_in(program, name="Клиника «Литейный»", city="Санкт-Петербург", metro="Маяковская", is_franchise=True)
    clinic_in(program, name="Стоматология «Дент-Арбат»", city="Москва", metro="Смоленская", is_franchise=True)

    def only(**filters) -> list[str]:
        return sorted(names(browse(alice, alice_policy, filters=DirectoryFilters(**filters))))

    assert only(city="Санкт-Петербург") == ["Клиника «Литейный»"]
    assert only(franchise=True) == ["Клиника «Литейный»", "Стоматология «Дент-Арбат»"]
    assert only(franchise=True, city="Москва") == ["Стоматология «Дент-Арбат»"]
    # Lower case and Cyrillic: SQLite's LIKE alone would not match «Маяковская».
    assert only(metro="маяк") == ["Клиника «Литейный»"]
    assert only(query="маросейка") == ["Клиника «Маросейка»"]
    assert only(query="ДЕНТ арбат") == ["Стоматология «Дент-Арбат»"]
    assert only(query="Маросейка Литейный") == []  # every word must match
    assert only(query="ул. маросейка") == ["Клиника «Маросейка»"]


def test_the_access_filter_follows_how_this_person_gets_in(alice, alice_policy):
    program = alice_policy.program
    clinic_in(program, name="Онлайн", mode=AccessMode.ONLINE, has_online_booking=True)
    # The program says online, but the clinic takes no online bookings: its registry it is.
    clinic_in(program, name="Онлайн на бумаге", mode=AccessMode.ONLINE, has_online_booking=False)
    clinic_in(program, name="Пульт", mode=AccessMode.DESK)

    def only(access: str) -> list[str]:
        return sorted(names(browse(alice, alice_policy, filters=DirectoryFilters(access=access))))

    assert only("online") == ["Онлайн"]
    assert only("registry") == ["Онлайн на бумаге"]
    assert only("desk") == ["Пульт"]


def test_a_registry_mode_policy_gets_into_other_clinics_only_through_the_desk(alice, alice_policy):
    program = alice_policy.program
    attached = clinic_in(program, name="Моя поликлиника", mode=AccessMode.REGISTRY)
    clinic_in(program, name="Другая, онлайн", mode=AccessMode.ONLINE, has_online_booking=True)
    Policy.objects.filter(pk=alice_policy.pk).update(service_mode=ServiceMode.REGISTRY, registry_clinic=attached)

    desk = browse(alice, alice_policy, filters=DirectoryFilters(access="desk"))
    online = browse(alice, alice_policy, filters=DirectoryFilters(access="online"))

    assert names(desk) == ["Другая, онлайн"]
    assert names(online) == []


def test_the_access_filter_with_a_kind_needs_that_kind_to_be_reached_that_way(alice, alice_policy):
    clinic = f.ClinicFactory(name="Смешанная", has_online_booking=True)
    f.ProgramClinicFactory(program=alice_policy.program, clinic=clinic, kind=OUT, access_mode=AccessMode.ONLINE)
    f.ProgramClinicFactory(program=alice_policy.program, clinic=clinic, kind=DEN, access_mode=AccessMode.DESK)

    def count(kind: str, access: str) -> int:
        return browse(alice, alice_policy, filters=DirectoryFilters(kind=kind, access=access)).count

    assert (count(OUT, "online"), count(DEN, "online"), count(DEN, "desk")) == (1, 0, 1)


def test_clinics_are_sorted_by_distance_from_a_point(alice, alice_policy):
    program = alice_policy.program
    clinic_in(program, name="А: далеко, Ясенево", latitude=SOUTH[0], longitude=SOUTH[1])
    clinic_in(program, name="Б: рядом, Маросейка", latitude=CENTRE[0], longitude=CENTRE[1])
    clinic_in(program, name="В: без координат", latitude=None, longitude=None)
    clinic_in(program, name="Г: Петербург", city="Санкт-Петербург", latitude="59.932100", longitude="30.349500")

    from_centre = browse(alice, alice_policy, origin=(Decimal("55.756498"), Decimal("37.631326")))
    from_south = browse(alice, alice_policy, origin=(Decimal("55.606182"), Decimal("37.533400")))

    assert names(from_centre) == ["Б: рядом, Маросейка", "А: далеко, Ясенево", "Г: Петербург", "В: без координат"]
    assert names(from_south)[:2] == ["А: далеко, Ясенево", "Б: рядом, Маросейка"]
    near, far, spb, nowhere = from_centre.cards
    assert near.distance_km is not None and near.distance_km < 0.5
    assert far.distance_km == pytest.approx(17.9, abs=0.5)
    assert spb.distance_km == pytest.approx(635, abs=10)
    assert nowhere.distance_km is None
    assert near.distance_label.endswith(" м") and far.distance_label == "18 км"


def test_a_metro_station_from_the_reference_data_is_an_origin(alice, alice_policy):
    program = alice_policy.program
    clinic_in(program, name="Ясенево", latitude=SOUTH[0], longitude=SOUTH[1])
    clinic_in(program, name="Маросейка", latitude=CENTRE[0], longitude=CENTRE[1])
    station = MetroStation.objects.get(city="Москва", name="Новоясеневская")

    origin = origin_from(metro_id=str(station.pk))
    assert origin is not None
    result = browse(alice, alice_policy, origin=origin.point)

    assert (origin.source, origin.label, origin.station_id) == ("metro", "м. Новоясеневская", station.pk)
    assert names(result) == ["Ясенево", "Маросейка"]


def test_without_a_point_the_persons_own_city_comes_first(alice, alice_policy):
    program = alice_policy.program
    clinic_in(program, name="Б-Петербург", city="Санкт-Петербург")
    clinic_in(program, name="А-Петербург", city="Санкт-Петербург")
    clinic_in(program, name="Москва", city="Москва")

    assert names(browse(alice, alice_policy)) == ["Москва", "А-Петербург", "Б-Петербург"]


def test_origin_from_reads_the_browsers_point_and_the_map_click():
    geo = origin_from(lat="55.7558", lon="37,6173")
    clicked = origin_from(lat="59.93", lon="30.31", source="map")

    assert geo is not None and clicked is not None
    assert geo.point == (Decimal("55.755800"), Decimal("37.617300"))
    assert (geo.source, clicked.source) == ("geo", "map")
    assert origin_from(lat="", lon="") is None


@pytest.mark.parametrize(
    ("lat", "lon", "metro_id"),
    [("95", "37", None), ("55", "abc", None), ("55", "", None), ("NaN", "37", None), ("", "", "999999"), ("", "", "x")],
)
def test_origin_from_refuses_what_is_not_a_point(db, lat, lon, metro_id):
    with pytest.raises(directory.OriginError):
        origin_from(lat=lat, lon=lon, metro_id=metro_id)


def test_the_list_is_paged_by_twenty_and_markers_cover_every_filtered_clinic(alice, alice_policy):
    for n in range(25):
        clinic_in(alice_policy.program, name=f"Клиника {n:02d}")
    clinic_in(alice_policy.program, name="Без координат", latitude=None, longitude=None)

    first = browse(alice, alice_policy, page=1, with_markers=True)
    second = browse(alice, alice_policy, page=2)

    assert (first.count, len(first.cards), len(second.cards)) == (26, 20, 6)
    assert len(first.markers) == 25
    marker = first.markers[0]
    assert set(marker) == {"id", "name", "address", "lat", "lon", "url"}
    assert marker["url"] == f"/my/clinics/{alice_policy.pk}/{marker['id']}/"
    assert second.markers == []


def _queries(user, policy: Policy, **kwargs) -> int:
    with CaptureQueriesContext(connection) as queries:
        browse(user, policy, with_markers=True, **kwargs)
    return len(queries)


@pytest.mark.parametrize(
    "filters",
    [DirectoryFilters(), DirectoryFilters(kind=OUT, franchise=False, query="клиника"), DirectoryFilters(access="desk")],
)
def test_the_number_of_queries_does_not_grow_with_the_number_of_clinics(alice, alice_policy, filters):
    program = alice_policy.program
    other_policy = f.PolicyFactory(insured=alice.insured_records.get(), program=f.ProgramFactory())
    for _ in range(3):
        clinic_in(program, kinds=(OUT, DEN), name="Клиника")
    for _ in range(40):
        clinic_in(other_policy.program, kinds=(OUT, DEN), name="Клиника")

    few = _queries(alice, alice_policy, filters=filters, origin=CENTRE)
    many = _queries(alice, other_policy, filters=filters, origin=CENTRE)

    assert few == many
    # The policy, the cities, the count and the page, the access rows and desk phones, markers.
    assert many <= 7


def test_a_clinic_page_is_found_only_within_the_policys_program(alice, alice_policy, bob):
    mine = clinic_in(alice_policy.program, name="Моя", latitude=CENTRE[0], longitude=CENTRE[1])
    elsewhere = clinic_in(f.ProgramFactory(), name="Чужая")
    strangers = Policy.objects.get(number="002-0000001")
    clinic_in(strangers.program)

    detail = clinic_for_user(user=alice, policy_id=alice_policy.pk, clinic_id=mine.pk, origin=CENTRE)

    assert detail.clinic == mine
    assert detail.access.in_program
    assert detail.distance_km == pytest.approx(0, abs=0.01)
    with pytest.raises(Http404):
        clinic_for_user(user=alice, policy_id=alice_policy.pk, clinic_id=elsewhere.pk)
    with pytest.raises(Http404):
        clinic_for_user(user=alice, policy_id=strangers.pk, clinic_id=mine.pk)
    with pytest.raises(Http404):
        clinic_for_user(user=bob, policy_id=alice_policy.pk, clinic_id=mine.pk)


@pytest.mark.parametrize(("km", "label"), [(0.004, "10 м"), (0.853, "850 м"), (1.26, "1,3 км"), (12.4, "12 км")])
def test_distances_read_as_people_say_them(km, label):
    assert directory.distance_label(km) == label


def test_haversine_matches_a_known_distance():
    # Moscow (Kremlin) to St. Petersburg (Palace Square): about 634 km.
    assert directory.haversine_km(55.7520, 37.6175, 59.9390, 30.3158) == pytest.approx(634, abs=3)
