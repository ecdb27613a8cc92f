"""Importing clinics of programs, doctors, schedules and price lists."""

import datetime as dt

import pytest

from polis.conftest import MOSCOW_NOON
from polis.coverage.models import AccessMode, ProgramClinic
from polis.jobs.models import JobStatus
from polis.jobs.tests.helpers import csv_bytes, problems, run_network_import, xlsx_bytes
from polis.network.imports.registry import SAMPLES_DIR
from polis.network.models import Doctor, KindOfCare, PriceListItem, Slot, Specialty
from polis.testing import factories as f

UTC = dt.UTC


@pytest.fixture
def run(backoffice_user, django_capture_on_commit_callbacks):
    def run(kind: str, content: bytes, name: str = "file.csv"):
        job = run_network_import(
            django_capture_on_commit_callbacks, kind=kind, content=content, user=backoffice_user, name=name
        )
        assert job.status == JobStatus.DONE, job.error
        return job

    return run


def sample(kind: str) -> bytes:
    return (SAMPLES_DIR / f"{kind}.csv").read_bytes()


def counts(job) -> tuple[int, int, int, int]:
    r = job.result
    return r["created"], r["updated"], r["unchanged"], r["rejected"]


@pytest.fixture
def network(run):
    """The sample clinics, and the contract and program the sample files refer to."""
    program = f.ProgramFactory(code="OPT-F20", contract=f.ContractFactory(number="ДМС-0148/26"))
    run("clinics", sample("clinics"))
    return program


# --- clinics of programs ---------------------------------------------------------------------


def test_the_program_clinics_sample_links_clinics_with_their_access_modes(run, network):
    job = run("program_clinics", sample("program_clinics"))

    assert counts(job) == (4, 0, 0, 0)
    rows = set(network.clinics.values_list("clinic__code", "kind", "access_mode"))
    assert rows == {
        ("MSK-901", "outpatient", "online"),
        ("MSK-901", "dental", "desk"),
        ("MSK-902", "outpatient", "registry"),
        ("SPB-901", "checkup", "desk"),
    }
    assert counts(run("program_clinics", sample("program_clinics"))) == (0, 0, 4, 0)


def test_a_changed_access_mode_is_an_update(run, network):
    run("program_clinics", sample("program_clinics"))
    content = csv_bytes(
        [["Номер договора", "Код программы", "Код клиники", "Вид помощи", "Порядок доступа"],
         ["ДМС-0148/26", "OPT-F20", "MSK-901", "Стоматология", "Через регистратуру клиники"]]
    )  # fmt: skip

    job = run("program_clinics", content)

    assert counts(job) == (0, 1, 0, 0)
    assert ProgramClinic.objects.get(clinic__code="MSK-901", kind="dental").access_mode == AccessMode.REGISTRY


def test_program_clinic_rows_naming_unknown_things_are_rejected_each_with_its_code(run, network):
    header = ["Номер договора", "Код программы", "Код клиники", "Вид помощи", "Порядок доступа"]
    content = csv_bytes(
        [
            header,
            ["ДМС-0148/26", "OPT-F20", "MSK-901", "outpatient", "онлайн"],
            ["ДМС-9999/99", "OPT-F20", "MSK-901", "outpatient", "онлайн"],
            ["ДМС-0148/26", "NOPE", "MSK-901", "outpatient", "онлайн"],
            ["ДМС-0148/26", "OPT-F20", "MSK-000", "outpatient", "онлайн"],
            ["ДМС-0148/26", "OPT-F20", "MSK-901", "массаж", "онлайн"],
            ["ДМС-0148/26", "OPT-F20", "MSK-901", "dental", "по звонку"],
            ["ДМС-0148/26", "OPT-F20", "MSK-901", "Амбулаторно-поликлиническая помощь", "пульт"],
        ]
    )

    job = run("program_clinics", content)

    assert problems(job) == [
        (3, "unknown_contract"), (4, "unknown_program"), (5, "unknown_clinic"), (6, "unknown_kind"),
        (7, "unknown_access_mode"), (8, "duplicate_in_file"),
    ]  # fmt: skip
    assert job.problems.get(code="unknown_clinic").message == "Клиника с кодом «MSK-000» не найдена"
    assert list(ProgramClinic.objects.values_list("kind", "access_mode")) == [("outpatient", "online")]


# --- doctors ---------------------------------------------------------------------------------


def test_the_doctors_sample_creates_doctors_with_names_split_and_specialties_found(run, network):
    job = run("doctors", sample("doctors"))

    assert counts(job) == (3, 0, 0, 0)
    orlova = Doctor.objects.get(external_id="D-101")
    assert (orlova.last_name, orlova.first_name, orlova.patronymic) == ("Орлова", "Марина", "Викторовна")
    assert orlova.specialty.code == "therapist"
    assert orlova.clinic.code == "MSK-901"
    assert orlova.practising_since == 2008
    assert orlova.education == "РНИМУ им. Н. И. Пирогова, 2006; ординатура по терапии, 2008"
    assert Doctor.objects.get(external_id="D-102").specialty.code == "neurologist"
    guseynov = Doctor.objects.get(external_id="D-201")
    assert (guseynov.first_name, guseynov.patronymic) == ("Рашид", "Али оглы")
    assert counts(run("doctors", sample("doctors"))) == (0, 0, 3, 0)


def test_separate_name_columns_work_too_and_a_change_updates_the_doctor(run, network):
    header = ["Код клиники", "Код врача", "Фамилия", "Имя", "Отчество", "Специальность", "Принимает"]
    run("doctors", csv_bytes([header, ["MSK-901", "D-1", "Петров", "Пётр", "", "therapist", "да"]]))

    job = run("doctors", csv_bytes([header, ["MSK-901", "D-1", "Петров", "Пётр", "", "therapist", "нет"]]))

    assert counts(job) == (0, 1, 0, 0)
    assert Doctor.objects.get(external_id="D-1").is_active is False


def test_the_same_doctor_id_in_two_clinics_is_two_doctors(run, network):
    header = ["Код клиники", "Код врача", "ФИО", "Специальность"]
    job = run(
        "doctors", csv_bytes([header, ["MSK-901", "D-1", "Петров Пётр", "gp"], ["MSK-902", "D-1", "Иванов Иван", "gp"]])
    )
    assert counts(job) == (2, 0, 0, 0)


def test_bad_doctor_rows_are_rejected_with_their_reasons(run, network):
    header = ["Код клиники", "Код врача", "ФИО", "Специальность", "Практикует с"]
    content = csv_bytes(
        [
            header,
            ["MSK-901", "D-1", "Петров Пётр Петрович", "Терапевт", "2010"],
            ["MSK-000", "D-2", "Петров Пётр", "Терапевт", "2010"],
            ["MSK-901", "D-3", "Петров", "Терапевт", "2010"],
            ["MSK-901", "D-4", "Петров Пётр", "Шаман", "2010"],
            ["MSK-901", "D-5", "Петров Пётр", "Терапевт", "2030"],
            ["MSK-901", "", "Петров Пётр", "Терапевт", "2010"],
        ]
    )

    job = run("doctors", content)

    assert problems(job) == [
        (3, "unknown_clinic"), (4, "bad_name"), (5, "unknown_specialty"), (6, "bad_year"), (7, "missing_field"),
    ]  # fmt: skip
    assert job.problems.get(row=7).message == "Не заполнено поле «Код врача»"
    assert list(Doctor.objects.values_list("external_id", flat=True)) == ["D-1"]


def test_a_doctors_file_needs_a_name_column(backoffice_user, django_capture_on_commit_callbacks, network):
    job = run_network_import(
        django_capture_on_commit_callbacks, kind="doctors", user=backoffice_user,
        content=csv_bytes([["Код клиники", "Код врача", "Специальность"], ["MSK-901", "D-1", "gp"]]),
    )  # fmt: skip
    assert job.status == JobStatus.FAILED
    assert "«ФИО»" in job.error


# --- schedules -------------------------------------------------------------------------------


@pytest.fixture
def doctors(run, network):
    run("doctors", sample("doctors"))
    return {d.external_id: d for d in Doctor.objects.all()}


SCHEDULE_HEADER = ["Код клиники", "Код врача", "Дата", "Время с", "Время по", "Длительность слота, мин"]


def test_a_schedule_row_is_cut_into_slots_in_moscow_time_stored_as_utc(run, doctors):
    job = run("schedules", csv_bytes([SCHEDULE_HEADER, ["MSK-901", "D-101", "01.12.2026", "9:00", "11:00", "30"]]))

    assert counts(job) == (4, 0, 0, 0)
    assert job.result["unit"] == "слоты"
    slots = list(Slot.objects.filter(doctor=doctors["D-101"]).values_list("starts_at", "ends_at", "clinic__code"))
    assert slots[0] == (
        dt.datetime(2026, 12, 1, 6, 0, tzinfo=UTC),
        dt.datetime(2026, 12, 1, 6, 30, tzinfo=UTC),
        "MSK-901",
    )
    assert slots[-1][0] == dt.datetime(2026, 12, 1, 7, 30, tzinfo=UTC)


def test_the_schedules_sample_imports_and_a_second_run_touches_nothing(run, doctors):
    first = run("schedules", sample("schedules"))
    before = list(Slot.objects.order_by("pk").values_list())

    again = run("schedules", sample("schedules"))

    assert counts(first) == (6 + 8 + 9 + 6, 0, 0, 0)
    assert counts(again) == (0, 0, 29, 0)
    assert list(Slot.objects.order_by("pk").values_list()) == before


def test_existing_slots_stay_as_they_are_and_only_the_missing_ones_are_added(run, doctors):
    doctor = doctors["D-101"]
    blocked = Slot.objects.create(
        doctor=doctor, clinic=doctor.clinic, starts_at=dt.datetime(2026, 12, 1, 6, 30, tzinfo=UTC),
        ends_at=dt.datetime(2026, 12, 1, 7, 0, tzinfo=UTC), is_blocked=True,
    )  # fmt: skip

    job = run("schedules", csv_bytes([SCHEDULE_HEADER, ["MSK-901", "D-101", "01.12.2026", "09:00", "11:00", "30"]]))

    assert counts(job) == (3, 0, 1, 0)
    blocked.refresh_from_db()
    assert blocked.is_blocked is True


def test_a_row_overlapping_an_existing_slot_at_another_start_is_rejected_whole(run, doctors):
    doctor = doctors["D-101"]
    Slot.objects.create(
        doctor=doctor, clinic=doctor.clinic, starts_at=dt.datetime(2026, 12, 1, 6, 15, tzinfo=UTC),
        ends_at=dt.datetime(2026, 12, 1, 6, 45, tzinfo=UTC),
    )  # fmt: skip

    job = run("schedules", csv_bytes([SCHEDULE_HEADER, ["MSK-901", "D-101", "01.12.2026", "09:00", "11:00", "30"]]))

    assert problems(job) == [(2, "slot_overlap")]
    assert "01.12.2026 09:15" in job.problems.get().message
    assert Slot.objects.count() == 1


def test_bad_schedule_rows_are_rejected_with_their_reasons(run, doctors, frozen_now):
    Doctor.objects.filter(external_id="D-102").update(is_active=False)
    content = csv_bytes(
        [
            SCHEDULE_HEADER,
            ["MSK-901", "D-101", "01.12.2026", "09:00", "10:00", "30"],  # good
            ["MSK-901", "D-101", "19.11.2026", "09:00", "10:00", "30"],  # yesterday
            ["MSK-901", "D-101", "01.12.2028", "09:00", "10:00", "30"],  # a typo in the year
            ["MSK-901", "D-101", "02.12.2026", "10:00", "09:00", "30"],
            ["MSK-901", "D-101", "02.12.2026", "09:00", "09:20", "30"],
            ["MSK-901", "D-101", "02.12.2026", "09:00", "10:00", "1"],
            ["MSK-901", "D-999", "02.12.2026", "09:00", "10:00", "30"],
            ["MSK-901", "D-102", "02.12.2026", "09:00", "10:00", "30"],
            ["MSK-901", "D-101", "01.12.2026", "09:30", "11:00", "30"],  # overlaps row 2
            ["MSK-901", "D-101", "01.12.2026", "09:00", "10:00", "30"],  # repeats row 2
            ["MSK-901", "D-101", "31.11.2026", "09:00", "10:00", "30"],
            ["MSK-901", "D-101", "03.12.2026", "9 утра", "10:00", "30"],
            ["MSK-901", "D-101", "20.11.2026", "08:00", "11:00", "30"],  # today, already over at 12:00
        ]
    )

    job = run("schedules", content)

    assert problems(job) == [
        (3, "past_date"), (4, "too_far"), (5, "bad_time_range"), (6, "bad_time_range"), (7, "bad_slot_minutes"),
        (8, "unknown_doctor"), (9, "inactive_doctor"), (10, "overlap_in_file"), (11, "duplicate_in_file"),
        (12, "bad_date"), (13, "bad_time"), (14, "past_date"),
    ]  # fmt: skip
    assert job.problems.get(row=10).message == "Часы приёма пересекаются со строкой 2 (09:00–10:00)"
    assert job.problems.get(row=11).message == "Строка повторяет строку 2"
    assert Slot.objects.count() == 2


def test_today_only_the_slots_still_ahead_are_created(run, doctors):
    job = run("schedules", csv_bytes([SCHEDULE_HEADER, ["MSK-901", "D-101", "20.11.2026", "11:30", "14:30", "60"]]))

    assert counts(job) == (2, 0, 0, 0)
    assert min(Slot.objects.values_list("starts_at", flat=True)) > MOSCOW_NOON


def test_a_schedule_from_excel_with_date_and_time_cells_imports(run, doctors):
    content = xlsx_bytes(
        [SCHEDULE_HEADER, ["MSK-901", "D-101", dt.datetime(2026, 12, 1), dt.time(9, 0), dt.time(10, 0), 30]]
    )
    job = run("schedules", content, "schedule.xlsx")
    assert counts(job) == (2, 0, 0, 0)


# --- price lists -----------------------------------------------------------------------------


def test_the_price_list_sample_imports_prices_in_kopecks_and_categories_by_name(run, network):
    job = run("price_list", sample("price_list"))

    assert counts(job) == (4, 0, 0, 0)
    usi = PriceListItem.objects.get(clinic__code="MSK-901", code="2001")
    assert usi.price_kopecks == 195050
    assert usi.service_category == "diagnostics"
    assert usi.federal_code == "A04.14.001"
    assert usi.valid_from == dt.date(2026, 1, 1)
    assert PriceListItem.objects.get(code="3001").service_category == "dental"
    assert counts(run("price_list", sample("price_list"))) == (0, 0, 4, 0)


def test_a_new_price_updates_the_service(run, network):
    run("price_list", sample("price_list"))
    header = ["Код клиники", "Код услуги", "Услуга", "Категория услуги", "Цена"]
    row = ["MSK-901", "1001", "Приём (осмотр, консультация) врача-терапевта первичный", "consultation", "2 700,00"]

    job = run("price_list", csv_bytes([header, row]))

    assert counts(job) == (0, 1, 0, 0)
    item = PriceListItem.objects.get(clinic__code="MSK-901", code="1001")
    assert item.price_kopecks == 270000
    assert item.valid_from == dt.date(2026, 1, 1)  # the column was not in the file


def test_bad_price_rows_are_rejected_with_their_reasons(run, network):
    header = ["Код клиники", "Код услуги", "Код номенклатуры", "Услуга", "Категория услуги", "Цена"]
    content = csv_bytes(
        [
            header,
            ["MSK-901", "1", "А04.14.001", "УЗИ", "Диагностика и анализы", "1 000"],  # Cyrillic «А»: accepted
            ["MSK-901", "2", "", "УЗИ", "Диагностика и анализы", "тысяча"],
            ["MSK-901", "3", "", "УЗИ", "Диагностика и анализы", "-5"],
            ["MSK-901", "4", "", "УЗИ", "Массаж", "100"],
            ["MSK-901", "5", "14.001", "УЗИ", "diagnostics", "100"],
            ["MSK-000", "6", "", "УЗИ", "diagnostics", "100"],
            ["MSK-901", "7", "", "УЗИ", "diagnostics", ""],
        ]
    )

    job = run("price_list", content)

    assert problems(job) == [
        (3, "bad_price"), (4, "bad_price"), (5, "unknown_category"), (6, "bad_federal_code"), (7, "unknown_clinic"),
        (8, "missing_field"),
    ]  # fmt: skip
    assert job.problems.get(row=3).message == "Цена: «тысяча» — не число"
    assert job.problems.get(row=8).message == "Не заполнено поле «Цена»"
    assert PriceListItem.objects.get().federal_code == "A04.14.001"


def test_every_kind_has_a_sample_whose_headers_it_reads(run):
    from polis import tabular
    from polis.network.imports.registry import KINDS

    for code, kind in KINDS.items():
        header, rows = tabular.read_rows(
            (SAMPLES_DIR / f"{code}.csv").open("rb"), filename=f"{code}.csv", aliases=kind.aliases()
        )
        rows.close()
        kind.check_header(header)
        assert not header.unknown, code
        assert set(header.columns) <= {c.name for c in kind.columns}


def test_kinds_of_care_are_named_in_every_way_people_write_them(db):
    from polis.network.imports.common import parse_kinds

    assert parse_kinds("Амбулаторно-поликлиническая помощь; стоматология, на дому,check-up, СМП") == {
        KindOfCare.OUTPATIENT, KindOfCare.DENTAL, KindOfCare.HOME_CARE, KindOfCare.CHECKUP, KindOfCare.EMERGENCY,
    }  # fmt: skip
    assert Specialty.objects.filter(code="therapist").exists()  # the reference data the doctors sample relies on


def test_the_docs_describe_every_column_of_every_kind():
    from polis.network.imports.registry import KINDS
    from polis.settings import PROJECT_DIR

    docs = (PROJECT_DIR / "docs" / "imports.md").read_text()
    for code, kind in KINDS.items():
        assert f"(`{code}`)" in docs
        for column in kind.columns:
            assert f"| {column.label}" in docs and f"| {column.english} |" in docs, (code, column.name)


def test_the_docs_explain_every_rejection_code():
    import re
    from pathlib import Path

    from polis.settings import PROJECT_DIR

    sources = [
        *Path(PROJECT_DIR / "src/polis/network/imports").glob("*.py"),
        PROJECT_DIR / "src/polis/jobs/tabular_import.py",
    ]
    codes = {c for p in sources for c in re.findall(r'RowRejected\(\s*"(\w+)"', p.read_text())}
    codes |= {c for p in sources for c in re.findall(r'code="(\w+)"', p.read_text())}
    docs = (PROJECT_DIR / "docs" / "imports.md").read_text()
    assert len(codes) > 20
    assert [c for c in sorted(codes) if f"`{c}`" not in docs] == []
