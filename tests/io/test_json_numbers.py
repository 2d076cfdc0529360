"""One JSON encoding for every figure: a number with the Decimal's exact digits, laid out
as json.dumps(indent=2) lays out a document; never a string, Infinity, NaN or -0."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import DATA
from qscore.writing.text import json_figure, json_string, json_text

RULESET = str(DATA / "township.toml")
UNITS = str(DATA / "townships.csv")

PLAIN = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=5), children, max_size=4),
    max_leaves=20)


@settings(max_examples=150)
@given(PLAIN)
def test_without_figures_the_layout_is_json_dumps(document):
    assert json_text(document) == json.dumps(document, ensure_ascii=False, indent=2).translate(
        {n: f"\\u{n:04x}" for n in range(0x7f, 0xa0)})


@settings(max_examples=150)
@given(st.decimals(allow_nan=False, allow_infinity=False, min_value=-10**14, max_value=10**14, places=4)
       | st.decimals(allow_nan=False, allow_infinity=False, min_value=-1, max_value=1))
def test_a_figure_reads_back_with_its_digits(value):
    text = json_text({"total": value})
    read = json.loads(text, parse_float=Decimal, parse_int=Decimal)["total"]
    assert read == value
    # The same digits, trailing zeros kept; zero without a sign.
    assert f"{read:f}" == f"{value.copy_abs() if value.is_zero() else value:f}"


@pytest.mark.parametrize(("value", "written"), [
    (Decimal("87.50"), "87.50"), (Decimal("87.5"), "87.5"), (Decimal("-0.00"), "0.00"), (Decimal("-0"), "0"),
    (Decimal("1E+2"), "100"), (Decimal("2E-7"), "0.0000002"),
    (Decimal("92.33333333333333333333333333"), "92.33333333333333333333333333"),
])
def test_figures_are_written_with_exactly_their_digits(value, written):
    assert json_figure(value) == written


@pytest.mark.parametrize("value", [Decimal("NaN"), Decimal("Infinity"), Decimal("-Infinity")])
def test_nan_and_infinities_are_refused(value):
    with pytest.raises(ValueError, match="is not a finite figure and cannot be written as JSON"):
        json_text([value])


def test_floats_are_refused_figures_are_decimals():
    with pytest.raises(TypeError, match="cannot write float 87.5 as JSON; figures are Decimals"):
        json_text({"total": 87.5})


def test_control_characters_in_strings_are_escaped_c1_and_del_too():
    assert json_string("甲\x1b[2J\x9b\x7f\n") == '"甲\\u001b[2J\\u009b\\u007f\\n"'
    assert json.loads(json_string("甲\x1b\x9b\x7f")) == "甲\x1b\x9b\x7f"


def test_rank_json_writes_every_figure_as_a_number_with_its_places(cli):
    # 南宾街道 (hand-worked in tests/test_smoke_cli.py): 食品抽检合格率 97.5 on the way
    # from 95 to 98 is 40 × 2.5/3 = 33.333… → 33.33; 药品 99.2 ≥ 99 → 30.00; 完成 → 30.00.
    text = cli("rank", RULESET, UNITS, "--year", "2027", "--format", "json").stdout
    document = json.loads(text, parse_float=Decimal)
    unit = next(u for u in document["units"] if u["unit"] == "南宾街道")
    assert [str(i["points"]) for i in unit["indicators"]] == ["33.33", "30.00", "30.00"]
    assert str(unit["subtotals"]["product"]) == "63.33" and unit["bonus"] == 5
    assert '"total": 98.33,' in text and '"points": 30.00,' in text and '"max_points": 40,' in text
    assert "Infinity" not in text and "NaN" not in text and '"-0' not in text
    # No figure is ever a string: value is a number, a level name or 不适用.
    for each in document["units"]:
        for result in each["indicators"]:
            assert isinstance(result["points"], (Decimal, int)) and isinstance(result["max_points"], (Decimal, int))
            assert result["target"] is None or isinstance(result["target"], (Decimal, int))
            assert result["value"] is None or isinstance(result["value"], (Decimal, int)) or \
                result["value"] in ("完成", "基本完成", "未完成", "不适用")


def test_a_28_digit_target_stays_exact(cli, write):
    # 2025 on the path from 95 (2024) to 100 (2027): 95 + 5 × 1/3, which has 28
    # significant digits; a float would keep 15 of them, and it used to be a string.
    ruleset = write("path.toml", """
        id = "path"
        title = "年度目标"
        jurisdiction = "测试县"
        base_year = 2024
        horizon_year = 2027
        [[indicators]]
        id = "food"
        name = "食品抽检合格率"
        baseline = 95
        target = 100
        points = 10
        rule = "pass_fail"
        """)
    data = write("path.csv", "单位,食品抽检合格率\n甲镇,97\n")
    text = cli("rank", str(ruleset), str(data), "--year", "2025", "--format", "json").output
    assert '"target": 96.66666666666666666666666667,' in text
    target = json.loads(text, parse_float=Decimal)["units"][0]["indicators"][0]["target"]
    assert target == Decimal(95) + Decimal(5) / Decimal(3)


def test_show_json_uses_the_same_encoding(cli):
    text = cli("show", RULESET, "--format", "json").output
    document = json.loads(text, parse_float=Decimal)
    assert document["full_marks"] == 100 and '"full_marks": 100,' in text
    food = document["indicators"][0]
    assert (food["baseline"], food["target"], food["points"]) == (95, 98, 40)
    bands = document["indicators"][1]["rule"]["bands"]
    assert [(b["threshold"], b["points"]) for b in bands] == [(99, 30), (98, 20)]
    levels = document["indicators"][2]["rule"]["levels"]
    assert '"基本完成": 0.6,' in text and levels == {"完成": 1, "基本完成": Decimal("0.6"), "未完成": 0}
