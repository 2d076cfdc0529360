"""qscore.testing, the plug-in author's kit: it passes good rulesets and catches broken ones."""

from __future__ import annotations

from decimal import Decimal
from typing import ClassVar

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import DATA
from qscore import hookimpl
from qscore.reading.binding import bind
from qscore.model import BatchResult, IndicatorResult, UnitResult
from qscore.numbers import ZERO
from qscore.rules.base import Rule
from qscore.rulesets import load_ruleset
from qscore.testing import check_batch, check_ruleset, table, unit_rows

TOWNSHIP = DATA / "township.toml"


@attrs.frozen
class Inverse(Rule):
    """A broken custom: points fall as a higher-is-better value rises."""

    type: ClassVar[str] = "inverse"
    label: ClassVar[str] = "反向"
    uses_target: ClassVar[bool] = False

    def points(self, value, target, baseline):
        return max(ZERO, self.full - value / 10)

    def explain(self, value, target, baseline):
        return ""


@attrs.frozen
class Generous(Rule):
    """A broken custom: one point more than full marks for any value."""

    type: ClassVar[str] = "generous"
    label: ClassVar[str] = "超额"
    uses_target: ClassVar[bool] = False

    def points(self, value, target, baseline):
        return self.full + 1

    def explain(self, value, target, baseline):
        return ""


class BrokenRules:
    @hookimpl
    def qscore_register_rules(self, register):
        register(Inverse)
        register(Generous)


def ruleset_with(write, rule: str) -> str:
    return str(write("custom.toml", f"""
        id = "custom"
        title = "自定义"
        jurisdiction = "测试县"
        base_year = 2023
        horizon_year = 2027

        [[indicators]]
        id = "a"
        name = "甲"
        unit = "%"
        points = 10
        rule = "{rule}"
        """))


def test_a_good_ruleset_passes(qscore_catalog):
    check_ruleset(TOWNSHIP, catalog=qscore_catalog())


@pytest.mark.parametrize("year", [2025, 2027])
def test_every_builtin_rule_and_target_shape_passes_the_kit(qscore_catalog, year):
    # all_rules.toml: every rule type, reference and trend targets, tiers by share,
    # rounding of the total only, capped bonus and deductions, a veto.
    check_ruleset(DATA / "all_rules.toml", catalog=qscore_catalog(), year=year)


def test_the_template_ruleset_passes_with_its_example(qscore_catalog, tmp_path, cli):
    assert cli("new-plugin", "kit-check", "-d", str(tmp_path)).exit_code == 0
    check_ruleset(tmp_path / "kit-check" / "qscore_kit_check" / "rulesets" / "kit-check.toml",
                  catalog=qscore_catalog())


def test_a_rule_whose_points_fall_as_the_value_improves_fails(qscore_catalog, write):
    catalog = qscore_catalog(extra=[("broken", BrokenRules())])
    with pytest.raises(AssertionError, match=r"a \(higher is better\): .* fewer than"):
        check_ruleset(ruleset_with(write, "inverse"), catalog=catalog)


def test_points_above_full_marks_fail(qscore_catalog, write):
    catalog = qscore_catalog(extra=[("broken", BrokenRules())])
    with pytest.raises(AssertionError, match=r"11 points for value .*, outside \[0, 10\]"):
        check_ruleset(ruleset_with(write, "generous"), catalog=catalog)


def test_a_wrong_worked_example_fails(qscore_catalog, write):
    text = TOWNSHIP.read_text(encoding="utf-8") + """
[[examples]]
name = "错例"
inputs = { "食品抽检合格率" = 98, "流通领域药品抽检合格率" = 99, "重点任务完成情况" = "完成" }
total = 99
"""
    # 40 + 30 + 30 = 100, not 99
    with pytest.raises(AssertionError, match="example '错例': total: expected 99, qscore gives 100"):
        check_ruleset(write("r.toml", text), catalog=qscore_catalog())


def unit(name: str, total: str, rank: int, tier: str | None = None, vetoed: bool = False,
         shown: str | None = None) -> UnitResult:
    """A hand-made result whose one indicator shows ``shown`` points (default: the total)."""
    points = Decimal(shown or total)
    line = IndicatorResult(indicator="food", value=None, target=None, points=points, max_points=Decimal(100), met=None)
    return UnitResult(unit=name, indicators=(line,), subtotals={}, adjustments=(), bonus=ZERO, deductions=ZERO,
                      vetoed=vetoed, total=Decimal(total), rank=rank, tier=tier)


@pytest.fixture
def township(catalog):
    return load_ruleset(TOWNSHIP, catalog.rule_types)


@pytest.mark.parametrize("ranks, message", [
    ((1, 2, 3), "both have 90 but ranks 1 and 2"),     # equal totals 90, 90 must share
    ((1, 1, 2), r"rank 2 with 2 unit\(s\) ahead"),     # the rank after a shared 1st is 3rd
])
def test_ties_must_share_a_rank_and_the_next_skips(township, ranks, message):
    units = (unit("甲", "90", ranks[0]), unit("乙", "90", ranks[1]), unit("丙", "80", ranks[2]))
    batch = BatchResult(ruleset=attrs.evolve(township, classification=None), year=2027, units=units)
    with pytest.raises(AssertionError, match=message):
        check_batch(batch.ruleset, batch)


def test_a_total_that_is_not_the_sum_of_the_shown_points_fails(township):
    units = (unit("甲", "90", 1, "优秀", shown="89.99"),)
    with pytest.raises(AssertionError, match=r"甲: total 90 but the shown points make 89.99 \+ bonus 0"):
        check_batch(township, BatchResult(ruleset=township, year=2027, units=units))


def test_a_vetoed_unit_must_be_in_the_lowest_class(township):
    units = (unit("甲", "95", 1, "优秀"), unit("乙", "96", 2, "优秀", vetoed=True))
    with pytest.raises(AssertionError, match="乙 is vetoed but in class 优秀, not 不合格"):
        check_batch(township, BatchResult(ruleset=township, year=2027, units=units))


def test_correct_shared_ranks_pass(township):
    units = (unit("甲", "90", 1, "优秀"), unit("乙", "90", 1, "优秀"), unit("丙", "80", 3, "良好"),
             unit("丁", "99", 4, "不合格", vetoed=True))
    check_batch(township, BatchResult(ruleset=township, year=2027, units=units))


@settings(max_examples=30, deadline=None)
@given(data=st.data())
def test_generated_rows_bind_to_the_ruleset(data):
    from qscore.plugins.manager import load_plugins

    ruleset = load_ruleset(TOWNSHIP, load_plugins(entry_points=False).rule_types)
    rows = data.draw(unit_rows(ruleset, min_units=2, max_units=5))
    dataset = bind(table(rows), ruleset)
    assert len(dataset.units) == len(rows)
    assert all(value is None or ZERO <= value <= 100 for value in dataset.values["food"])
    assert set(dataset.values["task"]) <= {"完成", "基本完成", "未完成"}


def test_the_cli_fixture_runs_with_only_the_named_plugins(qscore_cli):
    result = qscore_cli("plugins", "--format", "json")
    assert result.exit_code == 0
    assert '"name": "qscore.builtin"' in result.output and result.output.count('"name"') == 1
