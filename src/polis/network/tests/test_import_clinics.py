"""Importing clinics: created, updated, unchanged, and every bad row rejected with its reason."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from polis.jobs.models import JobStatus
from polis.jobs.tests.helpers import csv_bytes, problems, run_network_import, xlsx_bytes
from polis.network.imports.registry import SAMPLES_DIR
from polis.network.models import Clinic, ClinicCare, KindOfCare
from polis.testing import factories as f

HEADER = ["Код клиники", "Название", "Город", "Адрес", "ИНН", "Широта", "Долгота", "Виды помощи", "Франшиза"]


def good_row(code: str = "K-1", **changes: str) -> list[str]:
    row = {
        "code": code, "name": f"Клиника {code}", "city": "Москва", "address": "ул. Арбат, 1", "inn": "7707083893",
        "lat": "55,751244", "lon": "37,618423", "care": "outpatient, Стоматология", "franchise": "нет",
    }  # fmt: skip
    row.update(changes)
    return list(row.values())


@pytest.fixture
def run(backoffice_user, django_capture_on_commit_callbacks):
    def run(content: bytes, name: str = "clinics.csv"):
        job = run_network_import(
            django_capture_on_commit_callbacks, kind="clinics", content=content, user=backoffice_user, name=name
        )
        assert job.status == JobStatus.DONE, job.error
        return job

    return run


def counts(job) -> tuple[int, int, int, int]:
    r = job.result
    return r["created"], r["updated"], r["unchanged"], r["rejected"]


def snapshot() -> list[tuple]:
    """Everything an import of clinics can touch, as plain values."""
    clinics = list(Clinic.objects.order_by("code").values_list())
    care = sorted(ClinicCare.objects.values_list("clinic__code", "kind"))
    return [*clinics, *care]


def test_the_sample_file_creates_its_clinics_with_every_field(run):
    job = run((SAMPLES_DIR / "clinics.csv").read_bytes())

    assert counts(job) == (3, 0, 0, 0)
    clinic = Clinic.objects.get(code="MSK-901")
    assert clinic.name == "Клиника «Семейный доктор на Арбате»"
    assert clinic.legal_name == 'ООО "Семейный доктор"'
    assert (clinic.inn, clinic.kpp) == ("7704123450", "770401001")
    assert (clinic.latitude, clinic.longitude) == (Decimal("55.751432"), Decimal("37.596213"))
    assert clinic.website == "https://family-doctor.example.ru"
    assert clinic.price_category == 2
    assert (clinic.is_franchise, clinic.has_online_booking, clinic.has_access_control, clinic.is_active) == (
        False, True, False, True,
    )  # fmt: skip
    assert set(clinic.care.values_list("kind", flat=True)) == {"outpatient", "dental", "home_care"}
    assert set(Clinic.objects.get(code="MSK-902").care.values_list("kind", flat=True)) == {"outpatient", "dental"}


def test_importing_the_same_file_again_changes_nothing(run):
    content = (SAMPLES_DIR / "clinics.csv").read_bytes()
    run(content)
    before = snapshot()

    again = run(content)

    assert counts(again) == (0, 0, 3, 0)
    assert snapshot() == before


def test_a_changed_row_updates_its_clinic_and_the_rest_stay_unchanged(run):
    run(csv_bytes([HEADER, good_row("K-1"), good_row("K-2")]))

    job = run(csv_bytes([HEADER, good_row("K-1", address="ул. Арбат, 2", care="dental"), good_row("K-2")]))

    assert counts(job) == (0, 1, 1, 0)
    clinic = Clinic.objects.get(code="K-1")
    assert clinic.address == "ул. Арбат, 2"
    assert list(clinic.care.values_list("kind", flat=True)) == [KindOfCare.DENTAL]


def test_only_a_changed_kind_of_care_counts_as_an_update(run):
    run(csv_bytes([HEADER, good_row("K-1")]))
    job = run(csv_bytes([HEADER, good_row("K-1", care="outpatient, dental, telemedicine")]))
    assert counts(job) == (0, 1, 0, 0)


def test_a_column_left_out_of_the_file_leaves_that_field_as_it_is(run):
    clinic = f.ClinicFactory(code="K-1", phones="+7 495 000-00-00", price_category=3)
    f.ClinicCareFactory(clinic=clinic, kind=KindOfCare.INPATIENT)

    job = run(
        csv_bytes([["Код клиники", "Название", "Город", "Адрес"], ["K-1", "Новое имя", "Москва", "ул. Новая, 1"]])
    )

    assert counts(job) == (0, 1, 0, 0)
    clinic.refresh_from_db()
    assert clinic.name == "Новое имя"
    assert (clinic.phones, clinic.price_category) == ("+7 495 000-00-00", 3)
    assert list(clinic.care.values_list("kind", flat=True)) == [KindOfCare.INPATIENT]


def test_english_headers_a_comma_delimiter_and_cp1251_read_the_same(run):
    content = csv_bytes(
        [
            ["Clinic code", "Name", "City", "Address", "Latitude", "Longitude", "Kinds of care", "Online booking"],
            ["K-1", "Клиника «Ёлка»", "Москва", "ул. Арбат, 1", "55,75", "37,61", "стоматология; чекап", "yes"],
        ],
        delimiter=",",
        encoding="cp1251",
    )

    job = run(content)

    assert counts(job) == (1, 0, 0, 0)
    clinic = Clinic.objects.get(code="K-1")
    assert clinic.name == "Клиника «Ёлка»"
    assert clinic.latitude == Decimal("55.75")
    assert clinic.has_online_booking is True
    assert set(clinic.care.values_list("kind", flat=True)) == {"dental", "checkup"}


def test_an_xlsx_imports_like_a_csv(run):
    content = xlsx_bytes(
        [
            ["Код клиники", "Название", "Город", "Адрес", "Широта", "Долгота", "Ценовая категория", "ИНН"],
            ["K-1", "Клиника", "Москва", "ул. Арбат, 1", 55.751244, 37.618423, 2, 7707083893],
        ]
    )

    job = run(content, "clinics.xlsx")

    assert counts(job) == (1, 0, 0, 0)
    clinic = Clinic.objects.get(code="K-1")
    assert (clinic.latitude, clinic.longitude) == (Decimal("55.751244"), Decimal("37.618423"))
    assert (clinic.price_category, clinic.inn) == (2, "7707083893")
    assert counts(run(content, "clinics.xlsx")) == (0, 0, 1, 0)


@pytest.mark.parametrize(
    ("changes", "code", "message"),
    [
        ({"inn": "12345"}, "bad_inn", "ИНН должен содержать 10 или 12 цифр"),
        ({"inn": "7707083894"}, "bad_inn", "контрольного числа"),
        ({"lat": "95", "lon": "37"}, "bad_coordinates", "вне земного шара"),
        ({"lat": "55,7", "lon": ""}, "bad_coordinates", "вместе"),
        ({"lat": "северная"}, "bad_coordinates", "Широта: «северная» — не число"),
        ({"care": "outpatient, зубы"}, "unknown_kind", "Неизвестный вид помощи «зубы»"),
        ({"address": ""}, "missing_field", "Не заполнено поле «Адрес»"),
        ({"name": "Я" * 201}, "too_long", "длиннее 200 символов"),
        ({"franchise": "может быть"}, "bad_bool", "Франшиза: «может быть» — ожидается «да» или «нет»"),
    ],
)
def test_a_bad_row_is_rejected_with_its_code_and_reason_and_the_good_rows_are_kept(run, changes, code, message):
    job = run(csv_bytes([HEADER, good_row("K-1"), good_row("K-2", **changes), good_row("K-3")]))

    assert counts(job) == (2, 0, 0, 1)
    problem = job.problems.get()
    assert (problem.row, problem.code) == (3, code)
    assert message in problem.message
    assert problem.data["code"] == "K-2"
    assert set(Clinic.objects.values_list("code", flat=True)) == {"K-1", "K-3"}


@pytest.mark.parametrize(
    ("column", "value", "code"),
    [
        ("КПП", "77-01", "bad_kpp"),
        ("Сайт", "not a site", "bad_url"),
        ("E-mail", "info@", "bad_email"),
        ("Ценовая категория", "4", "bad_price_category"),
    ],
)
def test_contact_and_category_columns_are_checked(run, column, value, code):
    job = run(csv_bytes([[*HEADER, column], [*good_row("K-1"), value]]))
    assert problems(job) == [(2, code)]


def test_price_category_may_be_written_in_words(run):
    run(csv_bytes([[*HEADER, "Ценовая категория"], [*good_row("K-1"), "3 категория"]]))
    assert Clinic.objects.get(code="K-1").price_category == 3


def test_a_code_repeated_in_the_file_is_rejected_pointing_at_the_first_row(run):
    job = run(csv_bytes([HEADER, good_row("K-1"), good_row("K-2"), good_row("K-1", name="Другая")]))

    assert counts(job) == (2, 0, 0, 1)
    problem = job.problems.get()
    assert (problem.row, problem.code) == (4, "duplicate_in_file")
    assert problem.message.startswith("Строка повторяет строку 2")
    assert Clinic.objects.get(code="K-1").name == "Клиника K-1"


def test_a_file_without_a_required_column_fails_with_the_columns_named(
    backoffice_user, django_capture_on_commit_callbacks
):
    job = run_network_import(
        django_capture_on_commit_callbacks,
        kind="clinics",
        content=csv_bytes([["Код клиники", "Название"], ["K-1", "Клиника"]]),
        user=backoffice_user,
    )

    assert job.status == JobStatus.FAILED
    assert job.error == "В файле нет обязательных столбцов: «Город», «Адрес». Сверьтесь с образцом файла."
    assert not Clinic.objects.exists()


def test_clinics_are_imported_set_based_not_row_by_row(run):
    def file_of(n: int) -> bytes:
        return csv_bytes([HEADER] + [good_row(f"K-{i}") for i in range(n)])

    with CaptureQueriesContext(connection) as small:
        run(file_of(10))
    Clinic.objects.all().delete()
    with CaptureQueriesContext(connection) as large:
        run(file_of(1200))  # three batches

    assert Clinic.objects.count() == 1200
    assert ClinicCare.objects.count() == 2400
    # Per batch: a lookup of clinics, one of their care, the inserts. Never a query per row.
    assert len(large.captured_queries) < len(small.captured_queries) + 40


def test_a_row_that_collides_with_a_clinic_saved_meanwhile_is_rejected_alone(run, monkeypatch):
    """Another import (or the admin) creates K-2 between our lookup and our insert: the batch's
    bulk insert fails, the rows are saved one by one, and only K-2 is reported."""
    from polis.network.imports.clinics import ClinicImport

    original = ClinicImport.prepare

    def prepare_then_race(self, rows):
        original(self, rows)
        if not Clinic.objects.filter(code="K-2").exists():
            f.ClinicFactory(code="K-2", name="Создана параллельно")
        self.existing.pop("K-2", None)  # what we read before the other writer committed

    monkeypatch.setattr(ClinicImport, "prepare", prepare_then_race)

    job = run(csv_bytes([HEADER, good_row("K-1"), good_row("K-2"), good_row("K-3")]))

    assert problems(job) == [(3, "conflict")]
    assert "противоречит данным в базе" in job.problems.get().message
    assert counts(job) == (2, 0, 0, 1)
    assert sorted(Clinic.objects.values_list("code", "name")) == [
        ("K-1", "Клиника K-1"), ("K-2", "Создана параллельно"), ("K-3", "Клиника K-3"),
    ]  # fmt: skip
