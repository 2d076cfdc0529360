"""How one cell's text is read: the spellings examiners use, and what is refused."""

from __future__ import annotations

from decimal import Decimal

import pytest

from qscore.reading.cells import CellError, parse_count, parse_number
from qscore.reading.xlsx import cell_text


@pytest.mark.parametrize(("text", "expected"), [
    ("98.5", "98.5"), ("98%", "98"), ("98.5 %", "98.5"), ("９８．５", "98.5"), ("９８％", "98"),
    (" 96 ", "96"), ("1,150", "1150"), ("1,150.25", "1150.25"), ("-3", "-3"), (".5", "0.5"),
    ("1.15E+5", "115000"), ("2.5e-3", "0.0025"), ("0.30000000000000004", "0.30000000000000004"),
])
def test_numbers_read_exactly_as_written(text, expected):
    number = parse_number(text)
    assert number == Decimal(expected) and str(number) == expected


@pytest.mark.parametrize("text", ["", "  ", "-", "--", "—", "——", "／", "/", "无", "暂无", "N/A", "null"])
def test_no_data_marks_are_missing(text):
    assert parse_number(text) is None


@pytest.mark.parametrize(("text", "message"), [
    ("优秀", "expected a number (such as 98.5, 98% or 1,150), got '优秀'"),
    ("NaN", "expected a number (such as 98.5, 98% or 1,150), got 'NaN'"),
    ("-inf", "expected a number (such as 98.5, 98% or 1,150), got '-inf'"),
    ("1,15", "expected a number (such as 98.5, 98% or 1,150), got '1,15'"),
    ("98..5", "expected a number (such as 98.5, 98% or 1,150), got '98..5'"),
    ("1e15", "1e15 is too large to be an indicator value (limit 1,000,000,000,000,000)"),
    ("1e999999999", "1e999999999 is too large to be an indicator value (limit 1,000,000,000,000,000)"),
    ("1e-21", "1e-21 has more than 20 decimal places; expected an indicator value"),
])
def test_anything_else_is_refused_with_what_was_expected(text, message):
    with pytest.raises(CellError) as caught:
        parse_number(text)
    assert str(caught.value) == message


@pytest.mark.parametrize(("text", "count"), [("", 0), ("否", 0), ("FALSE", 0), ("是", 1), ("TRUE", 1), ("√", 1),
                                             ("2", 2), ("２", 2)])
def test_item_counts(text, count):
    assert parse_count(text) == count


@pytest.mark.parametrize(("value", "number_format", "text"), [
    (98.5, "General", "98.5"), (97, "0", "97"), (0.985, "0.0%", "98.5%"), (1, "0%", "100%"),
    # 0.29 × 100 in floats is 28.999999999999996; via the float's shortest spelling it is 29.
    (0.29, "0.00%", "29%"), (0.98765, "0.0%", "98.765%"),
    (True, None, "TRUE"), (None, None, ""), ("—", "General", "—"), (1e16, None, "1e+16"),
])
def test_xlsx_cell_values_become_the_text_the_examiner_sees(value, number_format, text):
    assert cell_text(value, number_format) == text
