"""Worked examples inside a ruleset ([[examples]]): parsed, and checked by `qscore validate`."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from conftest import DATA
from qscore.errors import RulesetError
from qscore.rulesets import load_ruleset

# tests/data/township.toml, horizon year 2027 (targets are the plan's own):
#   食品抽检合格率 97.5, progress (97.5 − 95) ÷ (98 − 95) = 0.8333… × 40 = 33.333… → 33.33
#   流通领域药品抽检合格率 98.5, bands: 98.5 ≥ 98 → 20
#   重点任务完成情况 基本完成 = 0.6 × 30 = 18
#   获市长质量管理奖 2 × 3 = 6, capped at 5
#   total 33.33 + 20 + 18 + 5 = 76.33 → 良好 (75 ≤ 76.33 < 90)
EXAMPLE = """
[[examples]]
name = "示例街道"
year = 2027
inputs = { "食品抽检合格率" = 97.5, "流通领域药品抽检合格率" = "98.5%", "重点任务完成情况" = "基本完成", "获市长质量管理奖" = 2 }
points = { food = 33.33, drug = 20, task = 18 }
total = {total}
tier = "良好"
"""


@pytest.fixture
def with_example(write):
    def make(total: str = "76.33", extra: str = "") -> str:
        text = (DATA / "township.toml").read_text(encoding="utf-8") + EXAMPLE.replace("{total}", total) + extra
        return str(write("example.toml", text))
    return make


def test_examples_are_parsed_into_the_model(with_example, catalog):
    ruleset = load_ruleset(with_example(), catalog.rule_types)
    (example,) = ruleset.examples
    assert example.name == "示例街道" and example.year == 2027
    assert dict(example.inputs)["流通领域药品抽检合格率"] == "98.5%"
    assert dict(example.inputs)["食品抽检合格率"] == "97.5"
    assert dict(example.points) == {"food": Decimal("33.33"), "drug": Decimal(20), "task": Decimal(18)}
    assert example.total == Decimal("76.33") and example.tier == "良好"


def test_validate_reports_agreeing_examples(cli, with_example):
    path = with_example()
    result = cli("validate", path)
    assert result.exit_code == 0, result.output
    assert result.output == f"✓ {path}: test-township, 3 indicators, full marks 100, 1 worked example(s) agree\n"


def test_validate_fails_on_an_example_that_does_not_come_out(cli, with_example):
    path = with_example(total="76.34")
    result = cli("validate", path)
    assert result.exit_code == 1
    line = Path(path).read_text(encoding="utf-8").splitlines().index("[[examples]]") + 1
    assert f"{path}:{line}: error: examples[1] (示例街道): total: expected 76.34, qscore gives 76.33" in result.output


def test_an_example_whose_inputs_cannot_be_bound_is_an_error(cli, with_example):
    path = with_example(extra='\n[[examples]]\nname = "坏例"\ninputs = { "不存在的指标" = 1 }\n')
    result = cli("validate", path)
    assert result.exit_code == 1
    assert "error: examples[2] (坏例): cannot be scored:" in result.output
    assert "column names no indicator or item" in result.output


def test_example_points_must_name_indicator_ids(with_example, catalog):
    path = with_example(extra='\n[[examples]]\nname = "错例"\npoints = { "食品" = 1 }\n')
    with pytest.raises(RulesetError) as caught:
        load_ruleset(path, catalog.rule_types)
    assert str(caught.value) == (f"{path}: examples[2] (错例): field 'points.食品': '食品' is not an indicator id; "
                                 "known: drug, food, task")


def test_example_keys_are_checked(with_example, catalog):
    path = with_example(extra='\n[[examples]]\nname = "错例"\nexpected = 1\n')
    with pytest.raises(RulesetError, match=r"examples\[2\] \(错例\): unknown key\(s\) 'expected'"):
        load_ruleset(path, catalog.rule_types)
