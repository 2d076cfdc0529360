"""A rule that measures from the baseline (进度, 计件 of the increase) on a unit that has
none: a data error naming the unit, row and the column to add, not an internal error."""

from __future__ import annotations

import pytest

RULESET = """
id = "baseline-rules"
title = "基期测试"
jurisdiction = "测试县"
base_year = 2023
horizon_year = 2027

[[indicators]]
id = "{id}"
name = "{name}"
unit = "{unit}"
points = 10
{extra}
"""


@pytest.mark.parametrize(("id", "name", "unit", "extra"), [
    ("food", "食品抽检合格率", "%", 'target = 98\nrule = "progress"'),
    ("gi", "地理标志", "件", 'rule = { type = "count", per_item = 1, basis = "increase" }'),
])
def test_a_unit_without_a_baseline_is_named(cli, write, id, name, unit, extra):
    ruleset = write("r.toml", RULESET.format(id=id, name=name, unit=unit, extra=extra))
    data = write("d.csv", f"单位,{name},{name}@基期\n甲,97,95\n乙,97,\n")
    result = cli("rank", str(ruleset), str(data))
    assert result.exit_code == 1
    assert "internal error" not in result.output
    assert "unit '乙'" in result.output and f"{name}@基期" in result.output and "row 3" in result.output
