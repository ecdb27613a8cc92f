"""Reading CSV and XLSX the way clerks save them, and parsing cells into values."""

import datetime as dt
import io
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from polis import tabular
from polis.jobs.tests.helpers import csv_bytes, xlsx_bytes
from polis.tabular import CellError, TabularError

ALIASES = {
    "code": ["Код клиники", "clinic code"],
    "name": ["Название", "name"],
    "price": ["Цена", "price"],
    "city": ["Город"],
}


def read(content: bytes, filename: str = "file.csv", aliases=ALIASES):
    header, rows = tabular.read_rows(io.BytesIO(content), filename=filename, aliases=aliases)
    return header, list(rows)


RUSSIAN = [["Код клиники", "Название", "Цена"], ["K-1", "Клиника «Ёлка»; у парка", "1 234,56"], ["K-2", "Вторая", "99"]]


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp1251"])
@pytest.mark.parametrize("delimiter", [";", ",", "\t"])
def test_a_csv_is_read_in_any_encoding_and_delimiter_excel_uses(encoding, delimiter):
    header, rows = read(csv_bytes(RUSSIAN, delimiter=delimiter, encoding=encoding))

    assert header.columns == {"code": "Код клиники", "name": "Название", "price": "Цена"}
    assert rows == [
        (2, {"code": "K-1", "name": "Клиника «Ёлка»; у парка", "price": "1 234,56"}),
        (3, {"code": "K-2", "name": "Вторая", "price": "99"}),
    ]


def test_decimal_commas_do_not_fool_the_delimiter_sniffer():
    content = "Код клиники;Цена;Город\nK-1;55,75;Москва\nK-2;37,61;Москва\n".encode()

    _, rows = read(content)

    assert rows[0][1] == {"code": "K-1", "price": "55,75", "city": "Москва"}


def test_english_headers_and_odd_spelling_map_to_the_same_columns():
    content = csv_bytes([["CLINIC_CODE", "  name ", "Price*"], ["K-1", "A", "1"]], delimiter=",")

    header, rows = read(content)

    assert header.columns == {"code": "CLINIC_CODE", "name": "name", "price": "Price*"}
    assert rows[0][1]["code"] == "K-1"


def test_a_header_with_yo_matches_one_written_with_e():
    header, _ = read(
        csv_bytes([["Код клиники", "Назвáние"], ["1", "x"]]), aliases={"code": ["Код клиники"], "x": ["Счёт"]}
    )
    assert "code" in header
    header, _ = read(csv_bytes([["Счет"], ["1"]]), aliases={"x": ["Счёт"]})
    assert header.columns == {"x": "Счет"}


def test_unknown_columns_are_listed_and_left_out_of_rows():
    header, rows = read(csv_bytes([["Код клиники", "Комментарий"], ["K-1", "что-то"]]))

    assert header.unknown == ["Комментарий"]
    assert rows == [(2, {"code": "K-1"})]


def test_blank_rows_are_skipped_but_row_numbers_stay_as_in_excel():
    content = "\n\nКод клиники;Название\nK-1;А\n;\n\nK-2;Б\n".encode()

    _, rows = read(content)

    assert [n for n, _ in rows] == [4, 7]


def test_short_rows_read_missing_cells_as_empty():
    _, rows = read("Код клиники;Название;Цена\nK-1\n".encode())
    assert rows == [(2, {"code": "K-1", "name": "", "price": ""})]


def test_quoted_fields_keep_delimiters_quotes_and_line_breaks():
    content = 'Код клиники;Название\nK-1;"ООО ""Здоровье""; филиал\nна Арбате"\n'.encode()

    _, rows = read(content)

    assert rows == [(2, {"code": "K-1", "name": 'ООО "Здоровье"; филиал\nна Арбате'})]


def test_a_cp1251_letter_far_down_the_file_is_still_read_right():
    lines = ["Код клиники;Название"] + [f"K-{i};Latin" for i in range(30000)] + ["K-last;Ёжик"]
    content = "\n".join(lines).encode("cp1251")

    _, rows = read(content)

    assert rows[-1][1]["name"] == "Ёжик"


def test_the_caller_file_stays_open_after_reading():
    file = io.BytesIO(csv_bytes(RUSSIAN))
    _, rows = tabular.read_rows(file, filename="a.csv", aliases=ALIASES)
    list(rows)
    assert not file.closed


def test_an_xlsx_is_read_from_its_first_sheet_with_typed_cells():
    content = xlsx_bytes(
        [
            ["Код клиники", "Цена", "Дата"],
            ["K-1", 1234.56, dt.datetime(2026, 12, 1)],
            [None, None, None],
            [101, 12, "01.12.2026"],
        ]
    )

    header, rows = read(content, "network.xlsx", aliases={**ALIASES, "date": ["Дата"]})

    assert header.columns == {"code": "Код клиники", "price": "Цена", "date": "Дата"}
    assert rows == [
        (2, {"code": "K-1", "price": Decimal("1234.56"), "date": dt.datetime(2026, 12, 1)}),
        (4, {"code": 101, "price": 12, "date": "01.12.2026"}),
    ]
    assert tabular.parse_kopecks(rows[0][1]["price"]) == 123456


def test_a_file_named_xlsx_that_is_not_a_workbook_is_refused():
    with pytest.raises(TabularError, match="не книга Excel"):
        read(b"a;b\n1;2\n", "file.xlsx")


def test_an_excel_workbook_named_csv_is_refused_with_advice():
    with pytest.raises(TabularError, match="это книга Excel"):
        read(xlsx_bytes([["a"]]), "file.csv")


@pytest.mark.parametrize(
    ("name", "message"),
    [("file.xls", "Старый формат"), ("file.pdf", "Поддерживаются файлы CSV и XLSX"), ("file", "CSV и XLSX")],
)
def test_other_file_types_are_refused_by_extension(name, message):
    with pytest.raises(TabularError, match=message):
        read(b"x", name)


def test_an_empty_file_and_a_file_of_unknown_headers_are_refused():
    with pytest.raises(TabularError, match="Файл пуст"):
        read(b"\n\n")
    with pytest.raises(TabularError, match="нет ни одного известного заголовка"):
        read("Что-то;Иное\n1;2\n".encode())


def test_two_headers_meaning_one_column_are_refused():
    with pytest.raises(TabularError, match="означают одно и то же"):
        read("Код клиники;clinic code\n1;2\n".encode())


def test_a_binary_file_named_csv_is_refused():
    with pytest.raises(TabularError, match="не похож на текстовый"):
        read(b"\x00\x01\x02binary")


# --- cells -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1 234,56", Decimal("1234.56")),
        ("1234.56", Decimal("1234.56")),
        ("1\u00a0234,5", Decimal("1234.5")),
        ("1.234,56", Decimal("1234.56")),
        ("1,234.56", Decimal("1234.56")),
        ("-0,5", Decimal("-0.5")),
        ("2 500 ₽", Decimal("2500")),
        ("2500 руб.", Decimal("2500")),
        (Decimal("12.5"), Decimal("12.5")),
        (7, Decimal("7")),
    ],
)
def test_decimals_are_read_with_a_comma_or_a_point_and_group_spaces(text, expected):
    assert tabular.parse_decimal(text) == expected


@pytest.mark.parametrize("text", ["", "abc", "1,2,3", "1.2.3", "12-5", "--1"])
def test_things_that_are_not_numbers_are_refused_in_russian(text):
    with pytest.raises(CellError, match="не число"):
        tabular.parse_decimal(text)


def test_kopecks_are_rounded_half_up_and_never_through_float():
    assert tabular.parse_kopecks("0,005") == 1
    assert tabular.parse_kopecks("1 500,50") == 150050
    assert tabular.parse_kopecks(Decimal("0.1") + Decimal("0.2")) == 30


@given(st.integers(min_value=0, max_value=10**12))
def test_any_kopeck_amount_written_with_a_comma_reads_back_exactly(kopecks):
    rubles, kop = divmod(kopecks, 100)
    text = f"{rubles:,}".replace(",", " ") + f",{kop:02d}"
    assert tabular.parse_kopecks(text) == kopecks


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("01.12.2026", dt.date(2026, 12, 1)),
        ("1.2.2026", dt.date(2026, 2, 1)),
        ("2026-12-01", dt.date(2026, 12, 1)),
        ("2026-12-01 00:00:00", dt.date(2026, 12, 1)),
        (dt.datetime(2026, 12, 1, 0, 0), dt.date(2026, 12, 1)),
        (dt.date(2026, 12, 1), dt.date(2026, 12, 1)),
        (46357, dt.date(2026, 12, 1)),  # an Excel serial that lost its date format
    ],
)
def test_dates_are_read_russian_iso_or_from_excel(value, expected):
    assert tabular.parse_date(value) == expected


@pytest.mark.parametrize(
    ("value", "message"), [("31.02.2026", "не бывает"), ("12/31/26", "ДД.ММ.ГГГГ"), ("завтра", "не дата")]
)
def test_bad_dates_are_explained(value, message):
    with pytest.raises(CellError, match=message):
        tabular.parse_date(value)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("9:00", dt.time(9)),
        ("09:30", dt.time(9, 30)),
        ("18.45", dt.time(18, 45)),
        ("08:00:00", dt.time(8)),
        (dt.time(14, 15), dt.time(14, 15)),
        (Decimal("0.375"), dt.time(9)),
    ],
)
def test_times_are_read_as_hours_and_minutes(value, expected):
    assert tabular.parse_time(value) == expected


@pytest.mark.parametrize("value", ["25:00", "9:75", "девять", "9"])
def test_bad_times_are_refused(value):
    with pytest.raises(CellError, match="ЧЧ:ММ"):
        tabular.parse_time(value)


@pytest.mark.parametrize(
    ("value", "expected"),
    [("да", True), ("Да", True), ("1", True), ("true", True), ("+", True), ("нет", False), ("0", False), ("-", False)],
)
def test_yes_and_no_are_read_in_russian_and_english(value, expected):
    assert tabular.parse_bool(value) is expected


def test_a_yes_or_no_that_is_neither_is_refused():
    with pytest.raises(CellError, match="«да» или «нет»"):
        tabular.parse_bool("возможно")


def test_integers_refuse_fractions():
    assert tabular.parse_int("2010") == 2010
    with pytest.raises(CellError, match="не целое"):
        tabular.parse_int("2010,5")
