"""A rule that measures from the baseline (进度, 计件 of the increase) on a unit that has
none follows the ruleset's missing-value policy: under ``zero`` the unit scores 0 on that
indicator, and the notice and the explanation say why; under ``error`` it is a data error
naming the unit, row and the column to add, not an internal error."""

from __future__ import annotations

import json
import tomllib
from decimal import Decimal

import pytest

RULESET = """
id = "baseline-rules"
title = "基期测试"
jurisdiction = "测试县"
base_year = 2023
horizon_year = 2027
{missing}

[[indicators]]
id = "{id}"
name = "{name}"
unit = "{unit}"
points = 10
{extra}
"""

CASES = [
    # 甲: progress (97 − 95) ÷ (98 − 95) × 10 = 6.666… → 6.67
    ("food", "食品抽检合格率", "%", 'target = 98\nrule = "progress"', 6.67),
    # 甲: 97 − 95 = 2 new items × 1 point = 2
    ("gi", "地理标志", "件", 'rule = { type = "count", per_item = 1, basis = "increase" }', 2.0),
]


@pytest.mark.parametrize(("id", "name", "unit", "extra", "points"), CASES)
def test_a_unit_without_a_baseline_is_named_under_the_error_policy(cli, write, id, name, unit, extra, points):
    ruleset = write("r.toml", RULESET.format(id=id, name=name, unit=unit, extra=extra, missing='missing = "error"'))
    data = write("d.csv", f"单位,{name},{name}@基期\n甲,97,95\n乙,97,\n")
    result = cli("rank", str(ruleset), str(data), "--year", "2027")
    assert result.exit_code == 1
    what = "progress" if id == "food" else "count the increase"
    assert result.output == (f"Error: {data}, row 3, column '{name}@基期': unit '乙' has no 基期值 (baseline) to "
                             f"{'measure ' + what + ' from' if id == 'food' else what + ' from'} for indicator {id} "
                             f"({name}); supply it in a column '{name}@基期' (or set the missing-value policy to "
                             "'zero' to score such a unit 0)\n")


@pytest.mark.parametrize(("id", "name", "unit", "extra", "points"), CASES)
def test_a_unit_without_a_baseline_scores_zero_under_the_zero_policy(cli, write, id, name, unit, extra, points):
    ruleset = write("r.toml", RULESET.format(id=id, name=name, unit=unit, extra=extra, missing=""))
    data = write("d.csv", f"单位,{name},{name}@基期\n甲,97,95\n乙,97,\n")
    result = cli("rank", str(ruleset), str(data), "--year", "2027", "--format", "json")
    assert result.exit_code == 0, result.output
    units = {unit["unit"]: unit for unit in json.loads(result.stdout)["units"]}
    assert units["甲"]["total"] == points
    lacking = units["乙"]["indicators"][0]
    assert (units["乙"]["total"], lacking["value"], lacking["points"]) == (0.0, 97.0, 0.0)
    assert lacking["explanation"] == f"缺少基期值（{name}@基期），按缺失值规则记0分"
    assert result.stderr == (f"notice: {data}, column '{name}@基期': 1 unit(s) lack the figure {name}@基期 that the "
                             "target or rule needs (乙): scored 0 under the missing-value policy 'zero'\n")
    explained = cli("explain", str(ruleset), str(data), "乙", "--year", "2027")
    assert explained.exit_code == 0, explained.output
    assert f"缺少基期值（{name}@基期），按缺失值规则记0分" in explained.stdout


@pytest.mark.parametrize(("id", "name", "unit", "extra", "points"), CASES)
def test_the_engine_and_the_unit_by_unit_reference_agree_on_a_lacking_baseline(catalog, id, name, unit, extra,
                                                                               points):
    import qscore
    from qscore.rulesets import parse_ruleset
    from qscore.testing.reference import check_same_as_reference, reference_batch

    ruleset = parse_ruleset(tomllib.loads(RULESET.format(id=id, name=name, unit=unit, extra=extra, missing="")),
                            catalog.rule_types)
    rows = [{"单位": "甲", name: "97", f"{name}@基期": "95"}, {"单位": "乙", name: "97", f"{name}@基期": ""}]
    batch = qscore.score(ruleset, qscore_table(rows), year=2027, catalog=catalog)
    check_same_as_reference(batch, reference_batch(ruleset, rows, year=2027, catalog=catalog))
    assert [u.total for u in batch.units] == [Decimal(str(points)).quantize(Decimal("0.01")), Decimal("0.00")]


def qscore_table(rows):  # noqa: ANN001, ANN201
    from qscore.testing import table

    return table(rows)
