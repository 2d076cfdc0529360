"""Per-unit figure columns are scored like value columns: one case at a time.

Where an indicator's target or rule reads a unit's own figures (``名称@基期``, ``名称@上年``,
``名称@全国平均`` …), the engine scores each *case* — a value with its figures — once and
shares its target, points and explanation among the units of that case.  The property
below draws many units onto few cases (small pools of cells, equal numbers written with
different digits, empty figure cells, missing and 不适用 values) for every target shape
that reads a unit's figures, and every rule that can go with it, and checks the engine
against :func:`qscore.testing.reference_batch`, which resolves and scores each unit on its
own; and each unit's explanation in the batch against the one it gets explained alone.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from conftest import assert_cases_share_results

from qscore.errors import DataError
from qscore.plugins.manager import load_plugins
from qscore.reading.binding import bind
from qscore.rulesets import parse_ruleset
from qscore.scoring.engine import explain_one, score_batch
from qscore.testing import check_same_as_reference, reference_batch, score_rows, table

CATALOG = load_plugins(entry_points=False)
UNITS = [f"单位{n:02d}" for n in range(40)]
#: The target shapes that read a unit's own figures: 基期 (the start of the path to a
#: value, a change, a growth), a reference, last year's value; and the batch's 进入前列,
#: which is handed every unit's figures.
SHAPES = ("value", "change", "growth", "reference", "trend", "top")
numbers = st.decimals(min_value=1, max_value=120, places=1, allow_nan=False, allow_infinity=False)


@st.composite
def pool(draw: st.DrawFn, empty: bool) -> list[str]:
    """A column's few cells: numbers, one of them also written with two decimals (the
    same figure, other digits), and empty cells where a unit may lack the figure."""
    drawn = draw(st.lists(numbers, min_size=1, max_size=3, unique=True))
    return [f"{n}" for n in drawn] + [f"{drawn[0]:.2f}"] + (["", "-"] if empty else [])


@st.composite
def target_of(draw: st.DrawFn, shape: str) -> dict[str, Any]:
    if shape == "value":  # on the path from the unit's 基期 in a year before the horizon
        return {"kind": "value", "value": draw(numbers),
                "interim": draw(st.sampled_from(["up", "nearest", "none", "horizon"]))}
    if shape == "change":
        key = draw(st.sampled_from(["percent", "points"]))
        return {"kind": "change", key: draw(st.sampled_from([-13, 2, Decimal("0.5")])),
                "interim": draw(st.sampled_from(["up", "nearest", "none", "horizon"]))}
    if shape == "growth":
        return {"kind": "growth", "annual_percent": draw(st.sampled_from([15, -3, Decimal("2.5")]))}
    if shape == "reference":
        return {"kind": "reference", "name": draw(st.sampled_from(["全国平均", "省下达"])),
                "offset": draw(st.sampled_from([0, 1, Decimal("-0.5")]))}
    if shape == "top":
        return {"kind": "top", "place": draw(st.integers(1, 5))}
    return {"kind": "trend"}


@st.composite
def indicator_with_figures(draw: st.DrawFn, number: int, shape: str) -> tuple[dict[str, Any], dict[str, list[str]]]:
    """An indicator whose target has ``shape``, and its columns: value, 基期 and what the
    target reads, each a pool of cells."""
    rules = ["pass_fail", "ratio", "deduction", "bands", "progress", "count"]
    rule = draw(st.sampled_from(rules))
    direction = "higher" if rule == "count" else draw(st.sampled_from(["higher", "lower"]))
    name = f"指标{number}"
    table_: dict[str, Any] = {"id": f"i{number}", "name": name, "points": draw(st.integers(1, 20)),
                              "direction": direction, "target": draw(target_of(shape))}
    if draw(st.booleans()):  # the plan's 基期, which a unit's own overrides
        table_["baseline"] = draw(numbers)
    if rule == "deduction":
        table_["rule"] = {"type": "deduction", "per_step": draw(st.sampled_from([1, Decimal("0.5")])),
                          "partial": draw(st.sampled_from(["proportional", "whole", "started"]))}
    elif rule == "bands":  # thresholds as offsets from the unit's target
        key = "at_least" if direction == "higher" else "at_most"
        table_["rule"] = {"type": "bands", "relative": True,
                          "bands": [{key: 0, "points": table_["points"]},
                                    {key: -2 if direction == "higher" else 2, "points": 1}]}
    elif rule == "count":  # the rise over the unit's 基期
        table_["rule"] = {"type": "count", "per_item": draw(st.sampled_from([1, Decimal("0.7")])), "basis": "increase"}
    else:
        table_["rule"] = rule
    columns = {name: draw(pool(empty=False)) + ["-", "不适用"], f"{name}@基期": draw(pool(empty=True))}
    if shape == "trend":
        columns[f"{name}@上年"] = draw(pool(empty=draw(st.booleans())))
    if shape == "reference":
        columns[f"{name}@{table_['target']['name']}"] = draw(pool(empty=draw(st.booleans())))
    return table_, columns


@st.composite
def cases(draw: st.DrawFn) -> tuple[dict[str, Any], list[dict[str, str]], int]:
    """A ruleset whose indicators read per-unit figures, many units' rows drawn from
    few cells, and the year (before the horizon, or the horizon)."""
    shapes = draw(st.lists(st.sampled_from(SHAPES), min_size=1, max_size=3))
    drawn = [draw(indicator_with_figures(n, shape)) for n, shape in enumerate(shapes)]
    ruleset = {"id": "figure-cases", "title": "测试", "jurisdiction": "测试县", "base_year": 2023,
               "horizon_year": 2027, "missing": draw(st.sampled_from(["zero", "zero", "error"])),
               "rounding": {"places": draw(st.integers(0, 2)), "stage": draw(st.sampled_from(["indicator", "total"]))},
               "indicators": [indicator for indicator, _ in drawn]}
    columns = {header: cells for _, own in drawn for header, cells in own.items()}
    count = draw(st.integers(1, len(UNITS)))
    rows = [{"单位": unit, **{header: draw(st.sampled_from(cells)) for header, cells in columns.items()}}
            for unit in UNITS[:count]]
    return ruleset, rows, draw(st.sampled_from([2024, 2025, 2027]))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cases())
def test_cases_of_figures_score_as_each_unit_alone(case: tuple[dict[str, Any], list[dict[str, str]], int]) -> None:
    table_data, rows, year = case
    ruleset = parse_ruleset(table_data, CATALOG.rule_types)
    try:
        expected = reference_batch(ruleset, rows, year=year, catalog=CATALOG)
    except DataError:
        # A unit lacks a figure (or a value) the error policy will not score as 0.
        try:
            score_rows(ruleset, rows, year=year, catalog=CATALOG)
        except DataError:
            event("refused by both")
            return
        raise AssertionError("the reference refuses the batch, the engine scores it") from None
    check_same_as_reference(score_rows(ruleset, rows, year=year, catalog=CATALOG), expected)
    data = bind(table(rows), ruleset)
    explained = score_batch(ruleset, data, year=year, explain=True).units
    assert_cases_share_results(explained)
    positions = {unit: n for n, unit in enumerate(data.units)}
    for unit in explained:
        alone = explain_one(ruleset, data, year, positions[unit.unit])
        assert [result.explanation for result in unit.indicators] == alone, unit.unit


def one_indicator(rule: str, target: dict[str, Any]) -> Any:
    """A ruleset of one indicator, 甲指标, 10 points, 2 places, missing figures scored 0."""
    data = {"id": "one", "title": "测试", "jurisdiction": "测试县", "base_year": 2023, "horizon_year": 2027,
            "missing": "zero", "indicators": [{"id": "a", "name": "甲指标", "points": 10, "rule": rule,
                                               "target": target}]}
    return parse_ruleset(data, CATALOG.rule_types)


def targets_and_points(batch: Any) -> dict[str, tuple[str, str]]:
    return {u.unit: (str(u.indicators[0].target), str(u.indicators[0].points)) for u in batch.units}


def test_units_of_one_case_share_it_whatever_the_order() -> None:
    # 较基期提升2个百分点 (change, points = 2), 完成率, 2 places.  Four units on two cases of
    # (value, 基期): 甲 and 丙 (90, 84 → target 86; 90 ÷ 86 ≥ 1 → 10.00), 乙 and 丁
    # (80, 84.0 → target 86.0; 80 ÷ 86.0 = 0.9302… → 9.30).  A unit without a 基期 and
    # none in the plan (戊) scores 0 under the 'zero' policy and is named in a notice.
    ruleset = one_indicator("ratio", {"kind": "change", "points": 2})
    rows = [{"单位": "甲", "甲指标": "90", "甲指标@基期": "84"}, {"单位": "乙", "甲指标": "80", "甲指标@基期": "84.0"},
            {"单位": "丙", "甲指标": "90", "甲指标@基期": "84"}, {"单位": "丁", "甲指标": "80", "甲指标@基期": "84.0"},
            {"单位": "戊", "甲指标": "90", "甲指标@基期": ""}]
    for order in (rows, rows[::-1]):
        batch = score_rows(ruleset, order, catalog=CATALOG)
        assert targets_and_points(batch) == {"甲": ("86", "10.00"), "丙": ("86", "10.00"), "乙": ("86.0", "9.30"), "丁": ("86.0", "9.30"),
                         "戊": ("None", "0.00")}
        assert [n.message for n in batch.notices if n.kind == "figure"] == [
            "1 unit(s) lack the figure 甲指标@基期 that the target or rule needs (戊): scored 0 under the "
            "missing-value policy 'zero'"]


def test_a_unit_scored_0_for_a_missing_figure_still_counts_in_the_ranking_that_sets_a_top_target() -> None:
    # 进入前1名 (top, place 1), 进度 from the unit's 基期 (none in the plan), 10 points.  甲 (100)
    # has no 基期: 0 points under the 'zero' policy; its 100 is still the batch's best value,
    # so the target is 100: 乙 (90, 基期 80) scores (90 − 80) ÷ (100 − 80) × 10 = 5.00 and
    # 丙 (85, 基期 80) (85 − 80) ÷ 20 × 10 = 2.50.  (Leaving 甲 out would set the target at 90
    # and give 乙 10.00 and 丙 5.00.)
    ruleset = one_indicator("progress", {"kind": "top", "place": 1})
    rows = [{"单位": "甲", "甲指标": "100", "甲指标@基期": ""}, {"单位": "乙", "甲指标": "90", "甲指标@基期": "80"},
            {"单位": "丙", "甲指标": "85", "甲指标@基期": "80"}]
    batch = score_rows(ruleset, rows, year=2027, catalog=CATALOG)
    assert targets_and_points(batch) == {"甲": ("None", "0.00"), "乙": ("100", "5.00"), "丙": ("100", "2.50")}
    check_same_as_reference(batch, reference_batch(ruleset, rows, year=2027, catalog=CATALOG))
