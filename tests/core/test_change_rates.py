"""A ``%`` indicator that measures a change (``change = true``: 降低率, 增长率) takes a
negative figure or one above 100 — a county whose carbon intensity rose reports its
降低率 as −1.2 and fails the target — where a share (合格率, 占比) is refused outside
0–100.  ``validate`` warns of a ``%`` indicator named as a change but read as a share."""

from __future__ import annotations

import json
from pathlib import Path

import openpyxl

ROOT = Path(__file__).parents[2]
LIXIAN = ROOT / "examples" / "lixian" / "departments-2027.csv"
CO2 = "单位地区生产总值二氧化碳排放降低率"


def _with(tmp_path: Path, column: str, value: str) -> Path:
    """lixian's example with 县发改局's ``column`` set to ``value``."""
    lines = LIXIAN.read_text(encoding="utf-8-sig").splitlines()
    position = lines[0].split(",").index(column)
    row = next(n for n, line in enumerate(lines) if line.startswith("县发改局,"))
    cells = lines[row].split(",")
    cells[position] = value
    lines[row] = ",".join(cells)
    path = tmp_path / "departments-2027.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_a_fall_is_reported_as_a_negative_rate_and_fails_the_target(cli, allow_plugins, tmp_path):
    allow_plugins("lixian")
    # 县发改局's intensity rose 1.2 %: 降低率 −1.2 against the 3.9 the province set → 0 of 4.
    path = _with(tmp_path, CO2, "-1.2")
    result = cli("rank", "lixian-departments", str(path), "--year", "2027", "--format", "json")
    assert result.exit_code == 0, result.output
    unit = next(u for u in json.loads(result.stdout)["units"] if u["unit"] == "县发改局")
    co2 = next(i for i in unit["indicators"] if i["id"] == "co2_intensity_reduction")
    assert (co2["value"], co2["target"], co2["met"], co2["points"]) == (-1.2, 3.9, False, 0.0)
    # The example's 4.1 met it for all 4 points.
    before = cli("rank", "lixian-departments", str(LIXIAN), "--year", "2027", "--format", "json")
    was = next(u for u in json.loads(before.stdout)["units"] if u["unit"] == "县发改局")
    co2_was = next(i for i in was["indicators"] if i["id"] == "co2_intensity_reduction")
    assert (co2_was["value"], co2_was["met"], co2_was["points"]) == (4.1, True, 4.0)
    assert unit["total"] < was["total"]


def test_a_share_is_still_refused_outside_0_to_100(cli, allow_plugins, tmp_path):
    allow_plugins("lixian")
    path = _with(tmp_path, "地表水水质优良比例", "-1.2")
    result = cli("rank", "lixian-departments", str(path), "--year", "2027")
    assert result.exit_code == 1
    assert "column '地表水水质优良比例': -1.2 is outside 0–100 for a percentage" in result.output


RULESET = """
id = "rates"
title = "变化率测试"
jurisdiction = "测试县"
base_year = 2023
horizon_year = 2025

[[indicators]]
id = "gdp"
name = "地区生产总值增长率"
unit = "%"
target = 6
points = 10
rule = "pass_fail"
{change}
"""


def test_validate_warns_of_a_change_read_as_a_share(cli, write):
    plain = write("plain.toml", RULESET.format(change=""))
    result = cli("validate", str(plain))
    assert result.exit_code == 0
    assert ("warning: indicators[1] (地区生产总值增长率): '增长' in the name says the figure is a change, which may be "
            "negative or above 100, but it is read as a percentage in 0–100; set change = true") in result.output
    marked = write("marked.toml", RULESET.format(change="change = true"))
    result = cli("validate", str(marked))
    assert result.exit_code == 0 and "warning" not in result.output


def test_the_form_lets_a_change_be_negative(cli, write, tmp_path):
    ruleset = write("marked.toml", RULESET.format(change="change = true"))
    roster = write("units.txt", "甲镇\n乙镇\n")
    form = tmp_path / "form.xlsx"
    result = cli("template", str(ruleset), "--units", str(roster), "-o", str(form), "--year", "2025")
    assert result.exit_code == 0, result.output
    rules = [dv for dv in openpyxl.load_workbook(form)["填报"].data_validations.dataValidation
             if dv.type == "decimal"]
    assert rules and all(float(dv.formula1) < 0 for dv in rules)
    assert any("可为负数" in (dv.prompt or "") for dv in rules)
