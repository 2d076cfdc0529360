"""qscore.testing, the plug-in author's kit: it passes good rulesets and catches broken ones."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path
from decimal import Decimal
from typing import ClassVar

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import DATA
from qscore import hookimpl
from qscore.errors import PluginError
from qscore.reading.binding import bind
from qscore.model import AdjustmentResult, BatchResult, IndicatorResult, UnitResult, UnitTuple
from qscore.pipeline import score
from qscore.numbers import ZERO
from qscore.rules.base import Rule
from qscore.rulesets import load_ruleset
from qscore.testing import (check_batch, check_ruleset, check_same_as_reference, long_rows, reference_batch, table,
                            unit_rows)

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


def test_a_ruleset_with_a_default_year_passes_for_that_year(qscore_catalog, write):
    # Without a year, generated rows (no title, no file name) are scored for the ruleset's
    # default_year, as `qscore rank` would; the unit-by-unit reference takes the same year.
    text = TOWNSHIP.read_text(encoding="utf-8").replace("horizon_year = 2027\n",
                                                        "horizon_year = 2027\ndefault_year = 2025\n")
    path = write("township-2025.toml", text)
    check_ruleset(path, catalog=qscore_catalog(), max_examples=20)
    ruleset = load_ruleset(path, qscore_catalog().rule_types)
    row = {"乡镇（街道）": "甲镇", "食品抽检合格率": "96", "流通领域药品抽检合格率": "99", "重点任务完成情况": "完成"}
    assert reference_batch(ruleset, [row]).year == 2025


def test_the_strategies_and_the_reference_ask_for_a_loaded_ruleset():
    # check_ruleset and score_rows take a path; unit_rows and reference_batch need the Ruleset,
    # and say how to get one rather than fail on its first attribute.
    with pytest.raises(TypeError, match=re.escape(
            f"unit_rows() takes a qscore.Ruleset, not str {str(TOWNSHIP)!r}: load it first with "
            "qscore.load_ruleset(path_or_id, catalog=catalog)")):
        unit_rows(str(TOWNSHIP))
    with pytest.raises(TypeError, match=re.escape(
            "reference_batch() takes a qscore.Ruleset, not str 'test-township': load it first with "
            "qscore.load_ruleset(path_or_id, catalog=catalog)")):
        reference_batch("test-township", [])


def test_a_rule_whose_points_fall_as_the_value_improves_fails(qscore_catalog, write):
    catalog = qscore_catalog(extra=[("broken", BrokenRules())])
    with pytest.raises(AssertionError, match=r"a \(higher is better\): .* fewer than"):
        check_ruleset(ruleset_with(write, "inverse"), catalog=catalog)


def test_points_above_full_marks_fail(qscore_catalog, write):
    # The engine refuses them itself, before the kit's own bounds check could see them.
    catalog = qscore_catalog(extra=[("broken", BrokenRules())])
    with pytest.raises(PluginError, match=r"^rule type 'generous' gave Decimal\('11'\) points for the value .* of "
                                          r"indicator a \(甲\); a rule gives a Decimal from 0 to the indicator's full "
                                          r"marks 10: the plug-in that registers 'generous' needs fixing\n"):
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


# -- the unit-by-unit reference --------------------------------------------------------------

def townships(catalog, year=2025):
    from qscore import read_table

    return load_ruleset(TOWNSHIP, catalog.rule_types), read_table(DATA / "townships.csv", catalog=catalog)


def test_the_reference_scores_the_townships_as_worked_by_hand(qscore_catalog):
    catalog = qscore_catalog()
    ruleset, rows = townships(catalog)
    batch = reference_batch(ruleset, rows, year=2025, catalog=catalog)
    # 2025 target for food: 95 + (98 − 95) × 2 ÷ 4 = 96.5, progress from 95.
    # 南宾街道: food 97.5 → (97.5 − 95) ÷ 1.5 > 1 → 40; drug 99.2 ≥ 99 → 30; 完成 → 30;
    #   bonus 2 × 3 = 6, capped at 5: 105.00.
    # 悦崃镇: 98 → 40; 99 → 30; 完成 → 30: 100.00.
    # 西沱镇: 96.8 → (96.8 − 95) ÷ 1.5 > 1 → 40; 98.5 ≥ 98 → 20; 基本完成 0.6 × 30 = 18: 78.00,
    #   良好, 90 − 78 = 12 short of 优秀.
    # 黄水镇: no food value → 0; 97 → 0; 未完成 → 0; vetoed: last, 不合格.
    assert [(u.unit, u.rank, str(u.total), u.tier, u.gap_to_next) for u in batch.units] == [
        ("南宾街道", 1, "105.00", "优秀", None), ("悦崃镇", 2, "100.00", "优秀", None),
        ("西沱镇", 3, "78.00", "良好", Decimal("12.00")), ("黄水镇", 4, "0.00", "不合格", None)]
    west = batch.unit("西沱镇")
    assert [(r.value, r.target, str(r.points), r.met) for r in west.indicators] == [
        (Decimal("96.8"), Decimal("96.5"), "40.00", True), (Decimal("98.5"), None, "20.00", None),
        ("基本完成", None, "18.00", False)]
    assert west.subtotals == {"product": Decimal("60.00")} and west.row == 3
    assert batch.unit("南宾街道").bonus == 5 and batch.unit("黄水镇").vetoed
    assert isinstance(batch.units, UnitTuple)
    check_same_as_reference(score(ruleset, rows, year=2025, catalog=catalog), batch)


def test_a_difference_from_the_reference_names_the_unit_the_indicator_and_both_figures(qscore_catalog):
    catalog = qscore_catalog()
    ruleset, rows = townships(catalog)
    reference = reference_batch(ruleset, rows, year=2025, catalog=catalog)

    def changed(unit_name, **fields):
        units = [attrs.evolve(u, **fields) if u.unit == unit_name else u for u in reference.units]
        return BatchResult(ruleset=ruleset, year=2025, units=units)

    west = reference.unit("西沱镇")
    drug = attrs.evolve(west.indicators[1], points=Decimal("20.0"))  # the same value, other digits
    with pytest.raises(AssertionError, match="^西沱镇 / drug: points 20.0 but the unit-by-unit reference gives 20.00\n"):
        check_same_as_reference(changed("西沱镇", indicators=(west.indicators[0], drug, west.indicators[2])),
                                reference)
    with pytest.raises(AssertionError, match="^悦崃镇: total 100 but the unit-by-unit reference gives 100.00\n"):
        check_same_as_reference(changed("悦崃镇", total=Decimal(100)), reference)
    swapped = BatchResult(ruleset=ruleset, year=2025, units=[reference.units[1], reference.units[0],
                                                             *reference.units[2:]])
    # Each unit's own figures agree (ranks 2 and 1 travel with them); the order does not.
    with pytest.raises(AssertionError, match=re.escape(
            "units in rank order: ['悦崃镇', '南宾街道', '西沱镇', '黄水镇'], but the unit-by-unit reference "
            "gives ['南宾街道', '悦崃镇', '西沱镇', '黄水镇']\n")):
        check_same_as_reference(swapped, reference)
    check_same_as_reference(reference, reference)


def fewer_unmet(ruleset, unit):
    """A plug-in's deduction: 1 point for each indicator whose target the unit missed."""
    unmet = sum(1 for result in unit.indicators if result.met is False)
    if unmet:
        return [AdjustmentResult(kind="deduction", item="unmet", name="未达标指标", count=Decimal(unmet),
                                 points=Decimal(unmet))]
    return None


class UnmetDeduction:
    @hookimpl
    def qscore_register_adjusters(self, register):
        register("test-township", fewer_unmet)


def test_a_plug_in_adjuster_is_in_the_reference_and_passes_the_kit(qscore_catalog):
    catalog = qscore_catalog(extra=[("unmet", UnmetDeduction())])
    ruleset, rows = townships(catalog)
    batch = reference_batch(ruleset, rows, year=2025, catalog=catalog)
    # 西沱镇 missed one target (基本完成 is not 完成; bands have no target): 78.00 − 1 = 77.00,
    # 13.00 short of 优秀.  南宾街道 and 悦崃镇 met both targets they have.
    west = batch.unit("西沱镇")
    assert (str(west.total), west.deductions, west.gap_to_next) == ("77.00", 1, Decimal("13.00"))
    assert [(a.kind, a.item, a.count) for a in west.adjustments] == [("deduction", "unmet", 1)]
    assert batch.unit("悦崃镇").adjustments == ()
    check_ruleset(TOWNSHIP, catalog=catalog, max_examples=20)


@attrs.frozen
class Hasty(Rule):
    """A broken custom: full marks from 50 up, but its batch shortcut gives everyone full marks."""

    type: ClassVar[str] = "hasty"
    label: ClassVar[str] = "过半"
    uses_target: ClassVar[bool] = False

    def points(self, value, target, baseline):
        return self.full if value >= 50 else ZERO

    def points_batch(self, values, targets, baselines):
        return [self.full for _ in values]

    def explain(self, value, target, baseline):
        return ""


class HastyRules:
    @hookimpl
    def qscore_register_rules(self, register):
        register(Hasty)


def test_a_rule_whose_batch_points_differ_from_its_points_fails_the_reference_check(qscore_catalog, write):
    # With no baseline in the plan, each batch carries a 甲@基期 column, and the engine
    # scores a column with figures of its own through points_batch.
    catalog = qscore_catalog(extra=[("hasty", HastyRules())])
    with pytest.raises(AssertionError, match=r"/ a: points 10.00 but the unit-by-unit reference gives 0.00"):
        check_ruleset(ruleset_with(write, "hasty"), catalog=catalog, max_examples=20)


def test_long_rows_put_each_cell_on_a_row_of_its_own():
    rows = [{"单位": "甲镇", "食品抽检合格率": "98", "食品抽检合格率@上年": "97", "获奖": "1"},
            {"单位": "乙镇", "食品抽检合格率": "-", "食品抽检合格率@上年": "96", "获奖": ""}]
    assert long_rows(rows) == [
        {"单位": "甲镇", "指标": "食品抽检合格率", "字段": "", "数值": "98"},
        {"单位": "甲镇", "指标": "食品抽检合格率", "字段": "上年", "数值": "97"},
        {"单位": "甲镇", "指标": "获奖", "字段": "", "数值": "1"},
        {"单位": "乙镇", "指标": "食品抽检合格率", "字段": "", "数值": "-"},
        {"单位": "乙镇", "指标": "食品抽检合格率", "字段": "上年", "数值": "96"},
        {"单位": "乙镇", "指标": "获奖", "字段": "", "数值": ""}]


@settings(max_examples=20, deadline=None)
@given(data=st.data())
def test_unit_rows_draw_figures_shared_by_the_batch_or_each_units_own(data):
    from qscore.plugins.manager import load_plugins

    ruleset = load_ruleset(DATA / "all_rules.toml", load_plugins(entry_points=False).rule_types)
    per_unit = data.draw(st.booleans())
    rows = data.draw(unit_rows(ruleset, min_units=2, max_units=5, per_unit=per_unit, exempt=True))
    # all_rules.toml: 扣分指标 is scored against 全省平均, 趋势指标 against 上年; neither has a
    # baseline in the plan, so both have a 基期 column; 进度指标 may have one of its own.
    needed = {"扣分指标@全省平均", "趋势指标@上年", "扣分指标@基期", "趋势指标@基期"}
    assert all(needed <= set(row) for row in rows)
    if not per_unit:
        assert all(len({row[column] for row in rows}) == 1 for column in rows[0] if "@" in column)
    assert all(row[column] != "-" for row in rows for column in needed)
    dataset = bind(table(rows), ruleset)
    assert len(dataset.units) == len(rows)
    assert all(figure is not None for figure in dataset.figures[("trend", "previous")])


def test_the_documented_reference_example_passes_a_good_rule_and_catches_a_hasty_one(qscore_catalog, write):
    kit = (Path(__file__).parents[2] / "docs" / "plugins.md").read_text(encoding="utf-8")
    block = next(code for code in re.findall(r"```python\n(.*?)```", kit, re.S) if "reference_batch(" in code)
    namespace: dict = {}
    exec(block, namespace)
    example = settings(max_examples=20)(namespace["test_the_engine_scores_my_rule_as_unit_by_unit"])
    catalog = qscore_catalog()
    example(my_ruleset=load_ruleset(TOWNSHIP, catalog.rule_types), my_catalog=catalog)
    hasty = qscore_catalog(extra=[("hasty", HastyRules())])
    with pytest.raises(AssertionError, match="but the unit-by-unit reference gives"):
        example(my_ruleset=load_ruleset(ruleset_with(write, "hasty"), hasty.rule_types), my_catalog=hasty)


def test_the_documented_hypothesis_fixtures_and_properties_run_as_written(tmp_path):
    # The docs' module fixtures and both @given examples, saved as one test file and run by
    # pytest with the kit: no health check refuses the fixtures, and both properties hold.
    kit = (Path(__file__).parents[2] / "docs" / "plugins.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```python\n(.*?)```", kit, re.S)
    fixtures = next(code for code in blocks if "def my_ruleset(" in code)
    examples = [code for code in blocks if "@given" in code and ("my_ruleset" in code or "my_catalog" in code)]
    assert len(examples) == 2
    fixtures = fixtures.replace('files("qscore_example_county") / "rulesets" / "example-county.toml"',
                                repr(str(TOWNSHIP)))
    (tmp_path / "test_documented.py").write_text("\n\n".join([fixtures, *examples]), encoding="utf-8")
    run = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "qscore.testing", "-p", "no:cacheprovider",
                          str(tmp_path / "test_documented.py")], capture_output=True, text=True, cwd=tmp_path,
                         env={**os.environ, "QSCORE_LOAD_PLUGINS": "", "PYTHONDONTWRITEBYTECODE": "1"}, timeout=300)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "2 passed" in run.stdout
