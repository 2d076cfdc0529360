"""A unit without a value for an indicator (an empty cell, '-', '—') is scored 0 under the
``zero`` missing-value policy: rank says so on stderr, and JSON and XLSX record it, naming
the indicator, how many units and the first five; ``不适用`` and units outside an
indicator's ``applies_to`` are not missing, and the ``error`` policy refuses instead."""

from __future__ import annotations

import json
import tomllib
from decimal import Decimal

import openpyxl
from hypothesis import given
from hypothesis import strategies as st

from qscore.plugins.manager import load_plugins
from qscore.reading.binding import bind
from qscore.rulesets import parse_ruleset
from qscore.scoring.engine import score_batch
from qscore.testing import table

RULESET = """
id = "missing-values"
title = "缺失值测试"
jurisdiction = "测试县"
base_year = 2023
horizon_year = 2025
{missing}

[[indicators]]
id = "food"
name = "食品抽检合格率"
unit = "%"
target = 98
points = 10
rule = "ratio"

[[indicators]]
id = "brand"
name = "品牌数"
points = 5
target = 2
rule = "ratio"
{applies}
"""


def _notice(path, column: str, count: int, name: str, shown: str) -> str:  # noqa: ANN001
    return (f"notice: {path}, column '{column}': {count} unit(s) have no value for {name} ({shown}): scored 0 "
            "under the missing-value policy 'zero'\n")


def test_each_indicator_with_gaps_is_named_once_with_its_units(cli, write):
    ruleset = write("r.toml", RULESET.format(missing="", applies=""))
    # 乙 '-', 丙 empty, 丁 '—' on food; 丙 empty on brand; 戊 不适用 on food is not missing.
    data = write("d.csv", "单位,食品抽检合格率（%）,品牌数\n甲,98,2\n乙,-,1\n丙,,\n丁,—,2\n戊,不适用,2\n")
    result = cli("rank", str(ruleset), str(data), "--year", "2025", "--format", "json")
    assert result.exit_code == 0, result.output
    assert result.stderr == (_notice(data, "食品抽检合格率（%）", 3, "食品抽检合格率", "乙、丙、丁")
                             + _notice(data, "品牌数", 1, "品牌数", "丙"))
    document = json.loads(result.stdout)
    assert [(n["kind"], n["column"]) for n in document["notices"]] == [("missing", "食品抽检合格率（%）"),
                                                                        ("missing", "品牌数")]
    # The figures the notice speaks of: 0 points for each gap, 甲 10 + 5, 乙 0 + 2.5.
    totals = {u["unit"]: u["total"] for u in document["units"]}
    assert (totals["甲"], totals["乙"], totals["丙"], totals["丁"]) == (15.0, 2.5, 0.0, 5.0)


def test_more_than_five_units_are_shown_as_five_and_an_ellipsis(cli, write):
    ruleset = write("r.toml", RULESET.format(missing="", applies=""))
    rows = "".join(f"单位{n},,2\n" for n in range(1, 8))
    data = write("d.csv", f"单位,食品抽检合格率,品牌数\n甲,98,2\n{rows}")
    result = cli("rank", str(ruleset), str(data), "--year", "2025", "-o", str(data.parent / "out.csv"))
    assert result.exit_code == 0, result.output
    assert result.stderr == _notice(data, "食品抽检合格率", 7, "食品抽检合格率", "单位1、单位2、单位3、单位4、单位5 …")


def test_units_outside_applies_to_are_not_missing(cli, write):
    ruleset = write("r.toml", RULESET.format(missing="", applies='applies_to = ["甲", "乙"]'))
    data = write("d.csv", "单位,食品抽检合格率,品牌数\n甲,98,2\n乙,97,\n丙,96,\n")
    result = cli("rank", str(ruleset), str(data), "--year", "2025", "-o", str(data.parent / "out.csv"))
    assert result.exit_code == 0, result.output
    assert result.stderr == _notice(data, "品牌数", 1, "品牌数", "乙")


def test_a_value_given_for_a_unit_outside_applies_to_is_said_not_scored(cli, write):
    # 丙 and 丁 are not assessed on 品牌数, yet their cells hold 3 and 1: a value in the wrong row,
    # or an applies_to that leaves a unit out.  Neither is scored, and the notice says so;
    # 戊's 不适用 and 己's empty cell say nothing.
    ruleset = write("r.toml", RULESET.format(missing="", applies='applies_to = ["甲", "乙"]'))
    data = write("d.csv", "单位,食品抽检合格率,品牌数\n甲,98,2\n乙,97,1\n丙,96,3\n丁,98,1\n戊,98,不适用\n己,98,\n")
    result = cli("rank", str(ruleset), str(data), "--year", "2025", "--format", "json")
    assert result.exit_code == 0, result.output
    assert result.stderr == (f"notice: {data}, column '品牌数': 2 unit(s) give a value for 品牌数 (丙、丁), which "
                             "applies only to 甲、乙: not scored; check the value, or the indicator's applies_to\n")
    document = json.loads(result.stdout, parse_float=Decimal)
    assert [n["kind"] for n in document["notices"]] == ["figure"]
    # 丙: food 10 × 96 ÷ 98 = 9.80, brand exempt (0 of 0); 乙: 10 × 97 ÷ 98 = 9.90 + 5 × 1 ÷ 2 = 2.5.
    totals = {u["unit"]: u["total"] for u in document["units"]}
    assert (totals["甲"], totals["乙"], totals["丙"], totals["丁"]) == (
        Decimal("15.00"), Decimal("12.40"), Decimal("9.80"), Decimal("10.00"))


def test_a_full_column_says_nothing_and_the_error_policy_refuses(cli, write):
    data = write("d.csv", "单位,食品抽检合格率,品牌数\n甲,98,2\n乙,97,\n")
    full = write("full.csv", "单位,食品抽检合格率,品牌数\n甲,98,2\n乙,97,1\n")
    zero = write("r.toml", RULESET.format(missing="", applies=""))
    result = cli("rank", str(zero), str(full), "--year", "2025", "-o", str(full.parent / "out.csv"))
    assert (result.exit_code, result.stderr) == (0, "")
    strict = write("strict.toml", RULESET.format(missing='missing = "error"', applies=""))
    result = cli("rank", str(strict), str(data), "--year", "2025")
    assert result.exit_code == 1 and "notice:" not in result.output
    assert "missing-value policy is 'error'" in result.output


def test_the_workbook_lists_it_among_the_data_notices(cli, write):
    ruleset = write("r.toml", RULESET.format(missing="", applies=""))
    data = write("d.csv", "单位,食品抽检合格率,品牌数\n甲,98,2\n乙,,1\n")
    out = data.parent / "out.xlsx"
    assert cli("rank", str(ruleset), str(data), "--year", "2025", "-o", str(out)).exit_code == 0
    rows = list(openpyxl.load_workbook(out)["数据提示"].iter_rows(min_row=2, values_only=True))
    assert any(row[0] == "缺失数值" and "食品抽检合格率" in (row[3] or "") and "乙" in row[4] for row in rows), rows


@given(st.lists(st.one_of(st.none(), st.integers(50, 100)), min_size=1, max_size=12))
def test_the_notice_counts_exactly_the_units_without_a_value(cells):
    ruleset = parse_ruleset(tomllib.loads(RULESET.format(missing="", applies=""), parse_float=Decimal),
                            load_plugins(entry_points=False).rule_types)
    rows = [{"单位": f"单位{n}", "食品抽检合格率": "" if cell is None else str(cell), "品牌数": "1"}
            for n, cell in enumerate(cells)]
    batch = score_batch(ruleset, bind(table(rows), ruleset), year=2025)
    missing = [n for n, cell in enumerate(cells) if cell is None]
    said = [notice for notice in batch.notices if notice.kind == "missing"]
    if not missing:
        assert said == []
        return
    (notice,) = said
    assert notice.message.startswith(f"{len(missing)} unit(s) have no value for 食品抽检合格率 (")
    shown = notice.message.split("食品抽检合格率 (", 1)[1].split(")")[0]
    assert shown.removesuffix(" …").split("、") == [f"单位{n}" for n in missing[:5]]
    assert shown.endswith(" …") == (len(missing) > 5)
    # and each of them scored 0 on it
    points = {u.unit: u.indicators[0].points for u in batch.units}
    assert all(points[f"单位{n}"] == 0 for n in missing)
