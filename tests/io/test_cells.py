"""How one cell's text is read: the spellings examiners use, and what is refused."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from qscore.cells import CellError, normalise, normalise_all, parse_count, parse_number
from qscore.reading.xlsx import cell_text


@pytest.mark.parametrize(("text", "expected"), [
    ("98.5", "98.5"), ("98%", "98"), ("98.5 %", "98.5"), ("９８．５", "98.5"), ("９８％", "98"),
    (" 96 ", "96"), ("1,150", "1150"), ("1,150.25", "1150.25"), ("-3", "-3"), (".5", "0.5"),
    ("1.15E+5", "115000"), ("2.5e-3", "0.0025"), ("0.30000000000000004", "0.30000000000000004"),
    # the minus sign (U+2212) of Word and of web pages, as the hyphen-minus and the full-width one
    ("\u22123", "-3"), ("\u22121,150.5", "-1150.5"), ("－3", "-3"),
])
def test_numbers_read_exactly_as_written(text, expected):
    number = parse_number(text)
    assert number == Decimal(expected) and str(number) == expected


@pytest.mark.parametrize("text", ["", "  ", "-", "--", "—", "——", "／", "/", "\u2212", "无", "暂无", "N/A", "null",
                                  "未填报", "未报", "未上报", "未报送", "缺报"])
def test_no_data_marks_are_missing(text):
    assert parse_number(text) is None


def test_a_unit_that_did_not_report_scores_as_a_missing_value(cli, allow_plugins, tmp_path):
    # 洗新乡 left 每万户市场主体有效注册商标量 empty in shizhu-township's example; written
    # 未填报 it was refused as text, though it says the same.
    allow_plugins("shizhu")
    example = Path(__file__).parents[2] / "examples" / "shizhu" / "townships-2025.csv"
    text = example.read_text(encoding="utf-8-sig")
    row = next(line for line in text.splitlines() if line.startswith("洗新乡,"))
    assert row.split(",")[3] == ""
    path = tmp_path / "townships-2025.csv"
    path.write_text(text.replace(row, ",".join([*row.split(",")[:3], "未填报", *row.split(",")[4:]])), encoding="utf-8-sig")
    written, empty = (cli("rank", "shizhu-township", str(file), "--format", "csv") for file in (path, example))
    assert (written.exit_code, empty.exit_code) == (0, 0), written.output
    assert written.stdout_bytes == empty.stdout_bytes


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


@pytest.mark.parametrize(("text", "mark"), [("97.5①", "①"), ("1100¹", "¹"), ("⒈5", "⒈"), ("½", "½"), ("９８²", "²")])
def test_a_footnote_mark_or_a_numeral_that_is_not_a_digit_is_refused(text, mark):
    # NFKC alone would read 97.5① as 97.51 and 1100¹ as 11001.
    with pytest.raises(CellError) as refusal:
        parse_number(text)
    assert str(refusal.value) == (f"expected a number, got {text!r}: {mark!r} is a footnote mark or a numeral that is "
                                  "not a digit; move the note out of the cell")


def test_invisible_characters_are_removed_by_the_one_normalisation():
    from qscore.cells import invisible, normalise

    name = "\ufeff南宾\u200b街道\u2060 "
    assert normalise(name) == "南宾街道" and invisible(name) == ["U+FEFF", "U+200B", "U+2060"]
    assert normalise("县市场监管局（知识产权局）") == "县市场监管局(知识产权局)"
    assert parse_number("98.5\u200b") == Decimal("98.5")


@pytest.mark.parametrize(("number_format", "value", "shown"), [
    ("0.0%", 0.985, "98.5%"), ('0"%"', 98, "98%"), ("0\\%", 98.5, "98.5%"), ("0.0%;[Red]-0.0%", -0.02, "-2%"),
    ('0.0"%";0.0%', -0.5, "-50%"), ("[$-409]0.0%", 0.5, "50%"), ("General", 0.975, "0.975"), ("0.00", 3.0, "3"),
    ('"合格率"0.0%', 0.9, "90%"), ('0.0_%', 97.0, "97"),
])
def test_a_number_reads_as_its_format_shows_it(number_format, value, shown):
    assert cell_text(value, number_format) == shown


def test_a_column_of_names_is_normalised_as_each_name_is():
    names = [" 南宾街道 ", "西沱\u200b镇", "ＡＢ镇", "悦崃镇"]
    assert normalise_all(names) == ["南宾街道", "西沱镇", "AB镇", "悦崃镇"]
    assert normalise_all(["南宾街道 ", "西沱镇"]) == ["南宾街道", "西沱镇"]  # in normal form: only stripped


@given(st.lists(st.text(alphabet=st.sampled_from("镇街 ａ１a1\u200b\ufeff\u3000\u00a0-½①"), max_size=8), max_size=6))
@settings(max_examples=60)
def test_normalise_all_is_normalise_of_each_text(texts):
    assert normalise_all(texts) == [normalise(text) for text in texts]
