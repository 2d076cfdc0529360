"""robustness: ranks and tiers under the ruleset's assumed weights, cut-offs and bonus values."""

from __future__ import annotations

import json
import tomllib
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import attrs
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from qscore.analysis import Case, load_case
from qscore.analysis import robustness as module
from qscore.analysis.report import robustness_html, robustness_json
from qscore.analysis.robustness import robustness
from qscore.errors import RulesetError
from qscore.plugins.manager import load_plugins
from qscore.reading.binding import bind
from qscore.rulesets import parse_ruleset
from qscore.testing import table

ROOT = Path(__file__).parent.parent.parent
DATA = ROOT / "tests" / "data"
RULES, UNITS = str(DATA / "township.toml"), str(DATA / "townships.csv")
CHONGQING = str(ROOT / "examples" / "chongqing" / "districts-2025.csv")
ZERO = Decimal(0)

TWO = """
id = "two"
title = "两项指标"
jurisdiction = "测试县"
base_year = 2023
horizon_year = 2025
{extra}

[classification]
by = "{by}"
grades = {grades}

[[indicators]]
id = "a"
name = "甲"
target = 100
points = 50
rule = "ratio"

[[indicators]]
id = "b"
name = "乙"
target = 100
points = 50
rule = "ratio"

[adjustments]
[[adjustments.bonus]]
id = "award"
name = "获奖"
points = 2
"""
BY_SCORE = '[{ name = "优秀", min_score = 90 }, { name = "良好", min_score = 70 }, { name = "一般" }]'
BY_RANK = '[{ name = "前列", count = 2 }, { name = "其余" }]'


def _ruleset(by: str = "score", grades: str = BY_SCORE, extra: str = ""):  # type: ignore[no-untyped-def]
    return parse_ruleset(tomllib.loads(TWO.format(by=by, grades=grades, extra=extra), parse_float=Decimal),
                         load_plugins(entry_points=False).rule_types)


def _case(rows: list[tuple[str, int, int]], **ruleset) -> Case:  # type: ignore[no-untyped-def]
    loaded = _ruleset(**ruleset)
    raw = table([{"单位": name, "甲": str(a), "乙": str(b)} for name, a, b in rows])
    return Case(ruleset=loaded, dataset=bind(raw, loaded), year=2025)


def test_the_same_seed_gives_the_same_bytes_and_another_seed_other_draws():
    case = _case([("甲镇", 90, 80), ("乙镇", 80, 90), ("丙镇", 85, 85), ("丁镇", 70, 95)])
    first = robustness_json(robustness(case, samples=200, seed=7))
    assert first == robustness_json(robustness(case, samples=200, seed=7))
    assert robustness(case, samples=200, seed=8).ranks.tolist() != robustness(case, samples=200, seed=7).ranks.tolist()


def test_samples_shared_among_processes_give_the_same_result(monkeypatch):
    case = _case([("甲镇", 90, 80), ("乙镇", 80, 90), ("丙镇", 85, 85), ("丁镇", 70, 95)])
    alone = robustness(case, samples=30, seed=3, workers=1)
    monkeypatch.setattr(module, "PARALLEL_MIN", 0)
    shared = robustness(case, samples=30, seed=3, workers=2)
    assert shared.ranks.tolist() == alone.ranks.tolist()
    assert robustness_json(shared) == robustness_json(alone)


def test_probabilities_add_up_to_one():
    result = robustness(load_case(RULES, UNITS, year=2025), samples=300, seed=1)
    for unit in result.units:
        assert sum(p for _, p in unit.probabilities) == 1
        assert sum(count for _, count in unit.tiers) == 300


def test_zero_ranges_give_the_nominal_ranks_every_time():
    case = load_case(RULES, UNITS, year=2025)
    result = robustness(case, samples=40, seed=5, points=ZERO, cutoffs=ZERO)
    nominal = case.score()
    assert [u.rank for u in result.units] == nominal.units.column("rank")
    for n, unit in enumerate(result.units):
        assert (result.ranks[:, n] == unit.rank).all()
        assert (unit.median, unit.low, unit.high, unit.keep) == (unit.rank, unit.rank, unit.rank, 1)


@settings(max_examples=10, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_zero_ranges_give_the_nominal_ranks_for_every_rule_type(data):
    # all_rules.toml rounds the total only (one place) and tiers by share: worked in points, not billionths.
    from qscore.testing import unit_rows

    ruleset = load_plugins(entry_points=False).ruleset(str(DATA / "all_rules.toml"))
    rows = data.draw(unit_rows(ruleset, min_units=2, max_units=8))
    case = Case(ruleset=ruleset, dataset=bind(table(rows), ruleset), year=2025)
    result = robustness(case, samples=5, points=ZERO, cutoffs=ZERO)
    nominal = case.score()
    assert [(u.unit, u.rank, u.tier) for u in result.units] == list(zip(
        nominal.units.column("unit"), nominal.units.column("rank"), nominal.units.column("tier")))
    assert all((result.ranks[:, n] == unit.rank).all() and unit.keep == 1 for n, unit in enumerate(result.units))


def test_a_unit_on_a_tier_line_keeps_it_about_half_the_time():
    # 甲镇: 45 + 45 = 90, exactly on 优秀's line; only the cut-offs move (±2 points).
    case = _case([("甲镇", 90, 90), ("乙镇", 60, 60)])
    result = robustness(case, samples=2000, seed=11, points=ZERO)
    on_line = next(u for u in result.units if u.unit == "甲镇")
    assert on_line.tier == "优秀"
    assert abs(on_line.keep - Fraction(1, 2)) < Fraction(5, 100)


def test_the_certificate_by_score_is_worked_out_by_hand():
    # 甲镇: 甲 100 → 50, 乙 60 → 30: 80, 良好 (70–90).  Down to 70 takes weights (1 − ε, 1 + ε):
    # 50(1 − ε) + 30(1 + ε) = 80 − 20ε ≤ 70 → ε = 0.5; up to 90: 80 + 20ε → ε = 0.5 too.
    case = _case([("甲镇", 100, 60), ("乙镇", 50, 50)])
    unit = next(u for u in robustness(case, samples=10).units if u.unit == "甲镇")
    assert (unit.flip, unit.flip_exact) == (Decimal("0.5"), True)


def test_the_certificate_by_rank_is_a_bound_never_beaten_by_a_sample():
    case = _case([("甲镇", 95, 70), ("乙镇", 80, 84), ("丙镇", 70, 96), ("丁镇", 60, 60)], by="rank", grades=BY_RANK)
    result = robustness(case, samples=400, seed=2, cutoffs=ZERO, points=Decimal("0.3"))
    for unit in result.units:
        assert unit.flip is not None
        if unit.flip > Decimal("0.3"):  # no draw within ±30 % can reach the bound: the tier holds
            assert unit.keep == 1


def test_ranges_come_from_the_ruleset_and_fixed_figures_stay():
    declared = '[assumption_ranges]\npoints = 0.1\ncutoffs = 0\nfixed = ["a", "award"]'
    case = _case([("甲镇", 100, 60), ("乙镇", 50, 50), ("丙镇", 75, 75)], extra=declared)
    result = robustness(case, samples=50, seed=4)
    assert (result.ranges.points, result.ranges.cutoffs, result.ranges.bonus) == (Decimal("0.1"), ZERO, Decimal("0.1"))
    # Only 乙 is assumed: scaled back to its own full marks, its weight cannot move.
    assert all((result.ranks[:, n] == unit.rank).all() for n, unit in enumerate(result.units))
    with pytest.raises(RulesetError, match="'c' is not the id of an indicator or a bonus or deduction item"):
        _case([("甲镇", 1, 1)], extra='[assumption_ranges]\nfixed = ["c"]')
    with pytest.raises(RulesetError, match="unknown key"):
        _case([("甲镇", 1, 1)], extra='[assumption_ranges]\nweights = 0.1')


@settings(max_examples=15, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(st.integers(0, 100), st.integers(0, 100), st.integers(0, 2)), min_size=2, max_size=7))
def test_a_unit_better_on_every_indicator_never_ranks_below(values):
    loaded = _ruleset()
    raw = table([{"单位": f"单位{n}", "甲": str(a), "乙": str(b), "获奖": str(c)} for n, (a, b, c) in enumerate(values)])
    case = Case(ruleset=loaded, dataset=bind(raw, loaded), year=2025)
    result = robustness(case, samples=60, seed=9, points=Decimal("0.5"))
    batch = case.score()
    points = {u.unit: ([r.points for r in u.indicators], u.bonus) for u in batch.units}
    position = {u.unit: n for n, u in enumerate(result.units)}
    for first, (p, bonus) in points.items():
        for second, (q, other) in points.items():
            if first != second and all(x >= y for x, y in zip(p, q)) and bonus >= other:
                assert (result.ranks[:, position[first]] <= result.ranks[:, position[second]]).all()


def test_missing_values_dropped_or_given_the_median(write):
    loaded = _ruleset()
    raw = table([{"单位": "甲镇", "甲": "90", "乙": "-"}, {"单位": "乙镇", "甲": "80", "乙": "70"},
                 {"单位": "丙镇", "甲": "70", "乙": "60"}, {"单位": "丁镇", "甲": "60", "乙": "80"}])
    case = Case(ruleset=loaded, dataset=bind(raw, loaded), year=2025)
    dropped = robustness(case, samples=5, missing="drop")
    assert dropped.dropped == ("甲镇",) and [u.unit for u in dropped.units] == ["乙镇", "丁镇", "丙镇"]
    # 甲镇's 乙 takes the median (the lower middle) of 70, 60, 80: 70 → 45 + 35 = 80, first.
    median = robustness(case, samples=5, missing="median", points=ZERO, cutoffs=ZERO)
    assert median.units[0].unit == "甲镇" and median.units[0].rank == 1
    zero = robustness(case, samples=5, missing="zero", points=ZERO, cutoffs=ZERO)
    assert [u.unit for u in zero.units][-1] == "甲镇"  # 45 + 0


def test_the_cli_table_json_and_html(cli, allow_plugins, tmp_path):
    allow_plugins("chongqing")
    args = ("robustness", "chongqing-districts", CHONGQING, "--year", "2025", "--samples", "100", "--seed", "3")
    text = cli(*args)
    assert text.exit_code == 0, text.output
    # Under the ruleset's policy 城口县's empty 装配式建筑占比 scores 0, as rank says.
    assert text.stderr == (f"notice: {CHONGQING}, column '装配式建筑占比（%）': 1 unit(s) have no value for "
                           "装配式建筑面积占新建建筑面积的比例 (城口县): scored 0 under the missing-value policy 'zero'\n")
    lines = text.stdout.splitlines()
    assert lines[0] == "重庆市区县质量强区（县）建设比拼 · 2025年度 · 排名与等次的稳健性"
    assert lines[1] == ("100 次抽样（种子 3）；指标分值 ±20.0%（合计不变），等次线 ±2 名，加减分项分值 ±20.0%；"
                        "缺失值按规则集")
    assert lines[3].split() == ["排名", "单位", "等次", "中位排名", "5%–95%排名", "第一方阵", "第二方阵", "第三方阵",
                                "保持等次", "翻转所需权重变动"]
    document = json.loads(cli(*args, "--format", "json").stdout)
    assert document["samples"] == 100 and len(document["units"]) == 38
    shizhu = next(u for u in document["units"] if u["unit"] == "石柱土家族自治县")
    assert (shizhu["rank"], shizhu["tier"]) == (19, "第二方阵")
    assert sum(shizhu["tiers"].values()) == pytest.approx(1)
    page = tmp_path / "r.html"
    assert cli(*args, "--format", "html", "-o", str(page)).exit_code == 0
    html = page.read_text(encoding="utf-8")
    assert html.startswith("<!DOCTYPE html>") and "<svg" in html and "石柱土家族自治县" in html
    assert "<script" not in html and "src=" not in html and "href=" not in html
    bad = cli(*args, "--points", "lots")
    assert bad.exit_code == 2
    assert bad.output.splitlines()[-1] == "Error: Invalid value for '--points': 'lots' is not a range such as ±20%"


def test_weights_scale_every_built_in_rule_linearly():
    # A sample multiplies an indicator's points by its weight factor: true of a rule
    # whose every point figure is scaled so (checked here for each built-in type).
    from qscore.rules import library

    cases = [(library.PassFail(full=Decimal(8)), Decimal(97), Decimal(95)),
             (library.Ratio(full=Decimal(8)), Decimal(58), Decimal(100)),
             (library.Progress(full=Decimal(8)), Decimal(97), Decimal(98)),
             (library.Bands(full=Decimal(10), bands=[{"at_least": 98, "points": 10}, {"at_least": 95, "points": 8}],
                            otherwise=Decimal(1)), Decimal(96), None),
             (library.Deduction(full=Decimal(8), per_step=Decimal(2)), Decimal(95.5), Decimal(98)),
             (library.Count(full=Decimal(10), per_item=Decimal(3), cap=Decimal(9)), Decimal(2), None),
             (library.Levels(full=Decimal(10), levels={"完成": 1, "基本完成": Decimal("0.6")}), "基本完成", None)]
    for factor in (Decimal("0.8"), Decimal("1.25")):
        for rule, value, target in cases:
            scaled = _scaled(rule, factor)
            assert scaled.points(value, target, Decimal(90)) == factor * rule.points(value, target, Decimal(90)), rule
        rank = library.RankPoints(full=Decimal(10), step=Decimal(3), floor=Decimal(2))
        values = [Decimal(v) for v in (90, 80, 80, 70, 60)]
        assert _scaled(rank, factor).points_batch(values, [None] * 5, [None] * 5) == [
            factor * p for p in rank.points_batch(values, [None] * 5, [None] * 5)]


def _scaled(rule, factor):  # type: ignore[no-untyped-def]
    """The rule with every point figure (full marks, band points, per-step and per-item points, caps, floors) times ``factor``."""
    from qscore.rules.library import Band

    changes = {"full": rule.full * factor}
    for name in ("per_step", "per_item", "cap", "floor", "otherwise", "step"):
        if hasattr(rule, name) and getattr(rule, name) is not None and not (name == "step" and hasattr(rule, "partial")):
            changes[name] = getattr(rule, name) * factor
    if hasattr(rule, "bands"):
        changes["bands"] = tuple(Band(b.threshold, b.points * factor) for b in rule.bands)
    return attrs.evolve(rule, **changes)
