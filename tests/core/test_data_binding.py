"""Data layouts the examiner's CLI accepts: wide and long CSV, JSON, per-unit figures."""

from __future__ import annotations

import json

import pytest

HEAD = '''
id = "ref"
title = "参照值测试"
jurisdiction = "测试省"
unit_kind = "市州"
base_year = 2020
horizon_year = 2025

[[indicators]]
id = "energy"
name = "单位地区生产总值能耗"
direction = "lower"
target = { kind = "change", percent = -13, text = "较2020年下降13%" }
points = 10
rule = "pass_fail"

[[indicators]]
id = "satisfaction"
name = "公共服务质量满意度"
unit = "分"
target = { kind = "reference", name = "全国平均", text = "达到全国平均水平" }
points = 10
rule = "pass_fail"

[[indicators]]
id = "deaths"
name = "亿元GDP生产安全事故死亡率"
direction = "lower"
target = { kind = "trend", text = "持续降低" }
points = 10
rule = "pass_fail"
'''


@pytest.fixture
def ruleset(write):
    return str(write("ref.toml", HEAD))


def totals(cli, ruleset, data):
    result = cli("rank", ruleset, str(data), "--format", "json")
    assert result.exit_code == 0, result.output
    return {u["unit"]: u["total"] for u in json.loads(result.stdout)["units"]}


WIDE = """市州,单位地区生产总值能耗,单位地区生产总值能耗@基期,公共服务质量满意度,公共服务质量满意度@全国平均,亿元GDP生产安全事故死亡率,亿元GDP生产安全事故死亡率@上年
贵阳市,0.43,0.5,82.1,81.5,0.020,0.025
遵义市,0.44,0.5,81.5,81.5,0.030,0.030
"""


def test_wide_layout_with_baseline_reference_and_previous_columns(cli, ruleset, write):
    # 贵阳: 0.43 ≤ 0.5 × 0.87 = 0.435 ✓; 82.1 ≥ 81.5 ✓; 0.020 < 0.025 ✓ → 30.
    # 遵义: 0.44 > 0.435 ✗; 81.5 ≥ 81.5 ✓; 0.030 not < 0.030 (持续降低 is strict) ✗ → 10.
    assert totals(cli, ruleset, write("wide.csv", WIDE)) == {"贵阳市": 30.0, "遵义市": 10.0}


def test_wide_binding_codes_each_figure_column_as_it_codes_a_value_column(ruleset, write, catalog):
    from decimal import Decimal

    from qscore import read_table
    from qscore.reading.binding import bind

    # Both units' 基期 is 0.5: one code, one object; 上年 0.025 and 0.030: two.
    data = bind(read_table(write("wide.csv", WIDE)), catalog.ruleset(ruleset))
    codes, distinct = data.figure_codes[("energy", "baseline")]
    assert (codes, distinct) == ([0, 0], [Decimal("0.5")])
    assert all(figure is distinct[code] for figure, code in zip(data.figures[("energy", "baseline")], codes))
    assert data.figure_codes[("deaths", "previous")] == ([0, 1], [Decimal("0.025"), Decimal("0.030")])
    assert set(data.figure_codes) == set(data.figures)


def test_figure_codes_follow_a_figure_column_multiplied_by_100(write, catalog):
    from decimal import Decimal

    from qscore import read_table
    from qscore.reading.binding import BindOptions, bind

    # 合格率 (%) to reach 98 from each unit's 基期, written as fractions (0.9 for 90%);
    # --percent-fractions: the column becomes 90, 90, 95, and its codes stay with it.
    ruleset = catalog.ruleset(str(write("pct.toml", HEAD.split("[[indicators]]")[0] + """
[[indicators]]
id = "pass_rate"
name = "合格率"
unit = "%"
target = 98
points = 10
rule = "pass_fail"
""")))
    table = read_table(write("pct.csv", "市州,合格率,合格率@基期\n甲,93,0.9\n乙,91,0.9\n丙,96,0.95\n"))
    data = bind(table, ruleset, options=BindOptions(percent_fractions=True))
    codes, distinct = data.figure_codes[("pass_rate", "baseline")]
    assert data.figures[("pass_rate", "baseline")] == [Decimal(90), Decimal(90), Decimal(95)]
    assert codes == [0, 0, 1] and [distinct[code] for code in codes] == data.figures[("pass_rate", "baseline")]


def test_long_layout_gives_the_same_result(cli, ruleset, write):
    rows = ["unit,indicator,value,field"]
    header, *lines = WIDE.strip().splitlines()
    columns = header.split(",")
    for line in lines:
        cells = line.split(",")
        for column, cell in zip(columns[1:], cells[1:]):
            name, _, field = column.partition("@")
            rows.append(f"{cells[0]},{name},{cell},{field}")
    assert totals(cli, ruleset, write("long.csv", "\n".join(rows) + "\n")) == {"贵阳市": 30.0, "遵义市": 10.0}


def test_json_rows_give_the_same_result(cli, ruleset, write):
    header, *lines = WIDE.strip().splitlines()
    records = [dict(zip(header.split(","), line.split(","))) for line in lines]
    data = write("rows.json", json.dumps({"units": records}, ensure_ascii=False))
    assert totals(cli, ruleset, data) == {"贵阳市": 30.0, "遵义市": 10.0}


NOREF = ("市州,单位地区生产总值能耗,单位地区生产总值能耗@基期,公共服务质量满意度,亿元GDP生产安全事故死亡率,"
         "亿元GDP生产安全事故死亡率@上年\n贵阳市,0.43,0.5,82,0.02,0.025\n")


def test_a_missing_reference_follows_the_missing_policy_zero_and_says_so(cli, ruleset, write):
    # The ruleset's missing-value policy is the default, zero: 贵阳 lacks 全国平均, so
    # 满意度 scores 0, the others 10 each as in the wide case: 20.
    data = write("noref.csv", NOREF)
    result = cli("rank", ruleset, str(data), "--year", "2025", "--format", "json")
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert document["units"][0]["total"] == 20.0
    satisfaction = document["units"][0]["indicators"][1]
    assert (satisfaction["value"], satisfaction["points"], satisfaction["met"]) == (82.0, 0.0, None)
    assert satisfaction["explanation"] == "缺少参照值「全国平均」（公共服务质量满意度@全国平均），按缺失值规则记0分"
    assert result.stderr == (f"notice: {data}, column '公共服务质量满意度@全国平均': 1 unit(s) lack the figure "
                             "公共服务质量满意度@全国平均 that the target or rule needs (贵阳市): scored 0 under the "
                             "missing-value policy 'zero'\n")


def test_a_missing_reference_names_the_column_to_add_under_the_error_policy(cli, write):
    strict = str(write("strict.toml", 'missing = "error"\n' + HEAD))
    data = write("noref.csv", NOREF)
    result = cli("rank", strict, str(data))
    assert result.exit_code == 1
    assert result.output == (f"Error: {data}, row 2, column '公共服务质量满意度@全国平均': unit '贵阳市' has no "
                             "reference value '全国平均' for indicator satisfaction (公共服务质量满意度); supply it "
                             "in a column '公共服务质量满意度@全国平均' (or set the missing-value policy to 'zero' to "
                             "score such a unit 0)\n")


def test_duplicate_unit_and_unknown_column(cli, ruleset, write):
    dup = write("dup.csv", WIDE + WIDE.splitlines()[1] + "\n")
    result = cli("rank", ruleset, str(dup))
    assert result.exit_code == 1
    assert result.output == f"Error: {dup}, row 4, column '市州': unit '贵阳市' appears twice (first at row 2)\n"
    odd = write("odd.csv", WIDE.replace("公共服务质量满意度,", "公共服务满意度,", 1))
    result = cli("rank", ruleset, str(odd))
    assert result.exit_code == 1
    assert "column '公共服务满意度': column names no indicator or item of ruleset 'ref'; did you mean" in result.output
