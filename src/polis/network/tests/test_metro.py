"""The metro stations reference data (migration 0004): sane coordinates, every demo clinic's
station present, and a seed that can run twice and be undone."""

import importlib

import pytest
from django.apps import apps as django_apps

from polis.demo.clinics import CLINICS
from polis.network.directory import haversine_km
from polis.network.models import MetroStation

seed_module = importlib.import_module("polis.network.migrations.0004_metro_stations")

# Generous boxes around each city's metro (Moscow's reaches Mitino and Butovo; St. Petersburg's
# Parnas and Rybatskoye), so a swapped latitude and longitude or a typo falls outside.
BOXES = {
    "Москва": ((55.50, 55.95), (37.30, 37.95)),
    "Санкт-Петербург": ((59.78, 60.10), (30.15, 30.55)),
}


def test_every_station_lies_inside_its_city(db):
    stations = list(MetroStation.objects.all())

    assert len(stations) >= 80
    assert {s.city for s in stations} == set(BOXES)
    for station in stations:
        (lat_min, lat_max), (lon_min, lon_max) = BOXES[station.city]
        assert lat_min < station.latitude < lat_max, station
        assert lon_min < station.longitude < lon_max, station
        assert station.line, station
        assert station.latitude.as_tuple().exponent == -6


def test_every_demo_clinics_metro_is_a_station_within_walking_distance(db):
    for clinic in CLINICS:
        station = MetroStation.objects.filter(city=clinic.city, name=clinic.metro).first()
        assert station is not None, f"{clinic.city}: м. {clinic.metro}"
        km = haversine_km(float(clinic.lat), float(clinic.lon), float(station.latitude), float(station.longitude))
        assert km < 1.5, f"{clinic.name}: {km:.2f} км от м. {clinic.metro}"


@pytest.mark.parametrize(
    ("city", "name", "lines"),
    [
        ("Москва", "Киевская", "Кольцевая, Арбатско-Покровская, Филёвская"),
        ("Москва", "Китай-город", "Калужско-Рижская, Таганско-Краснопресненская"),
        ("Санкт-Петербург", "Технологический институт", "Кировско-Выборгская, Московско-Петроградская"),
    ],
)
def test_an_interchange_is_one_station_with_all_its_lines(db, city, name, lines):
    assert MetroStation.objects.get(city=city, name=name).line == lines


def test_neighbouring_stations_are_about_as_far_apart_as_on_the_map(db):
    def km(a: str, b: str, city: str = "Москва") -> float:
        one, two = MetroStation.objects.get(city=city, name=a), MetroStation.objects.get(city=city, name=b)
        return haversine_km(float(one.latitude), float(one.longitude), float(two.latitude), float(two.longitude))

    assert km("Охотный Ряд", "Театральная") < 0.3
    assert 1.0 < km("Парк культуры", "Октябрьская") < 2.0
    assert 1.5 < km("Невский проспект", "Площадь Восстания", city="Санкт-Петербург") < 2.0


def test_the_seed_runs_twice_without_duplicates_and_can_be_undone(db):
    before = MetroStation.objects.count()
    MetroStation.objects.filter(city="Москва", name="Арбатская").update(line="")

    seed_module.seed(django_apps, None)
    assert MetroStation.objects.count() == before
    assert MetroStation.objects.get(city="Москва", name="Арбатская").line

    MetroStation.objects.create(city="Казань", name="Кремлёвская", latitude="55.795177", longitude="49.107009")
    seed_module.unseed(django_apps, None)
    assert list(MetroStation.objects.values_list("name", flat=True)) == ["Кремлёвская"]
