"""Batch scoring, ranking and tiers: worked examples and properties."""

from __future__ import annotations

from decimal import Decimal as D

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from qscore.reading.binding import bind
from qscore.reading.table import RawTable
from qscore.scoring.engine import score_batch
from qscore.errors import DataError
from qscore.plugins.manager import load_plugins
from qscore.rulesets import parse_ruleset

RULE_TYPES = load_plugins(entry_points=False).rule_types

BASE = {
    "id": "prop", "title": "性质测试", "jurisdiction": "测试县", "base_year": 2023, "horizon_year": 2027,
    "categories": [{"id": "product", "name": "产品质量水平"}],
    "indicators": [
        {"id": "food", "name": "食品抽检合格率", "category": "product", "unit": "%", "target": 98,
         "points": 30, "rule": "pass_fail"},
        {"id": "drug", "name": "药品抽检合格率", "category": "product", "unit": "%", "baseline": 90,
         "target": 98, "points": 40, "rule": "progress"},
        {"id": "brand", "name": "区域公用品牌", "unit": "个", "points": 30,
         "rule": {"type": "count", "per_item": 10}},
    ],
    "adjustments": {"bonus_cap": 5, "bonus": [{"id": "award", "name": "获奖", "points": 3}],
                    "deductions": [{"id": "notice", "name": "被通报批评", "points": 2}],
                    "vetoes": [{"id": "incident", "name": "发生重大质量安全事故"}]},
}
HEADER = ("单位", "食品抽检合格率", "药品抽检合格率", "区域公用品牌", "获奖", "被通报批评", "发生重大质量安全事故")


def ruleset_with(classification=None, **extra):
    data = dict(BASE, **extra)
    if classification:
        data["classification"] = classification
    return parse_ruleset(data, RULE_TYPES)


def table(rows):
    return RawTable(file="data.csv", header=HEADER, rows=rows, row_numbers=list(range(2, len(rows) + 2)))


percent = st.one_of(st.just(""), st.decimals(min_value=85, max_value=100, places=1).map(str))
unit_rows = st.lists(
    st.tuples(percent, percent, st.integers(0, 4).map(str), st.integers(0, 3).map(str),
              st.integers(0, 2).map(str), st.sampled_from(["", "", "", "", "是"])),
    min_size=1, max_size=25,
).map(lambda rows: [[f"单位{n:02d}", *row] for n, row in enumerate(rows)])

classifications = st.sampled_from([
    {"by": "score", "grades": [{"name": "优秀", "min_score": 90}, {"name": "良好", "min_score": 75},
                               {"name": "合格", "min_score": 60}, {"name": "不合格"}]},
    {"by": "rank", "grades": [{"name": "第一方阵", "count": 3}, {"name": "第二方阵", "count": 5},
                              {"name": "第三方阵"}]},
    {"by": "share", "grades": [{"name": "第一方阵", "share": D("0.3")}, {"name": "第二方阵", "share": D("0.4")},
                               {"name": "第三方阵"}]},
])


def test_worked_example_with_interim_targets_bonus_and_veto():
    ruleset = ruleset_with({"by": "score", "grades": [{"name": "优秀", "min_score": 90}, {"name": "良好", "min_score": 75},
                                                      {"name": "不合格"}]})
    rows = [["甲镇", "98.5", "93", "2", "2", "0", ""],   # 30 + 40×(93−90)/(94−90)=30 + 20 = 80; bonus 6→5 → 85
            ["乙镇", "97", "95", "4", "0", "1", ""],     # 0 + 40 + 30 − 2 = 68
            ["丙镇", "99", "96", "3", "0", "0", "是"]]   # 30 + 40 + 30 = 100, vetoed
    batch = score_batch(ruleset, bind(table(rows), ruleset), year=2025)
    # 2025 point of drug: 90 + (98 − 90) × 2/4 = 94
    got = {u.unit: (u.total, u.rank, u.tier) for u in batch.units}
    assert got == {"甲镇": (D("85.00"), 1, "良好"), "乙镇": (D("68.00"), 2, "不合格"), "丙镇": (D("100.00"), 3, "不合格")}
    first = batch.unit("甲镇")
    assert first.bonus == D(5) and first.gap_to_next == D(5)
    assert [r.points for r in first.indicators] == [D("30.00"), D("30.00"), D("20.00")]


def test_missing_values_follow_the_policy():
    rows = [["甲镇", "", "93", "2", "", "", ""]]
    zero = ruleset_with()
    assert score_batch(zero, bind(table(rows), zero)).units[0].indicators[0].points == 0
    strict = ruleset_with(missing="error")
    with pytest.raises(DataError) as caught:
        score_batch(strict, bind(table(rows), strict))
    assert str(caught.value) == ("data.csv, row 2, column '食品抽检合格率': unit '甲镇' has no value for 食品抽检合格率, "
                                 "and the ruleset's missing-value policy is 'error'")


@settings(max_examples=60, deadline=None)
@given(unit_rows, classifications, st.randoms())
def test_ranks_and_tiers_do_not_depend_on_row_order(rows, classification, rnd):
    ruleset = ruleset_with(classification)
    before = score_batch(ruleset, bind(table(rows), ruleset), year=2025)
    shuffled = rows[:]
    rnd.shuffle(shuffled)
    after = score_batch(ruleset, bind(table(shuffled), ruleset), year=2025)
    summary = lambda batch: {u.unit: (u.total, u.rank, u.tier, u.gap_to_next) for u in batch.units}  # noqa: E731
    assert summary(before) == summary(after)


@settings(max_examples=60, deadline=None)
@given(unit_rows, classifications)
def test_equal_totals_share_a_rank_and_the_next_rank_skips(rows, classification):
    ruleset = ruleset_with(classification)
    units = score_batch(ruleset, bind(table(rows), ruleset), year=2025).units
    for unit in units:
        ahead = sum(1 for other in units if (other.vetoed, -other.total) < (unit.vetoed, -unit.total))
        assert unit.rank == ahead + 1
    assert [u.rank for u in units] == sorted(u.rank for u in units)


@settings(max_examples=60, deadline=None)
@given(unit_rows, classifications)
def test_totals_are_the_sum_of_the_shown_points(rows, classification):
    ruleset = ruleset_with(classification)
    for unit in score_batch(ruleset, bind(table(rows), ruleset), year=2025).units:
        shown = sum((r.points for r in unit.indicators), D(0))
        assert unit.total == max(shown + unit.bonus - unit.deductions, D(0))
        assert sum(unit.subtotals.values()) == unit.indicators[0].points + unit.indicators[1].points
        assert D(0) <= unit.bonus <= D(5)
        assert all(0 <= r.points <= r.max_points for r in unit.indicators)


@settings(max_examples=60, deadline=None)
@given(unit_rows, classifications)
def test_a_veto_always_yields_the_lowest_class_and_the_bottom_ranks(rows, classification):
    ruleset = ruleset_with(classification)
    units = score_batch(ruleset, bind(table(rows), ruleset), year=2025).units
    vetoed = [u for u in units if u.vetoed]
    assert all(u.tier == ruleset.classification.lowest for u in vetoed)
    assert all(u.gap_to_next is None for u in vetoed)
    assert all(v.rank > u.rank for v in vetoed for u in units if not u.vetoed)


@settings(max_examples=60, deadline=None)
@given(unit_rows, classifications)
def test_tiers_respect_their_thresholds_counts_and_shares(rows, classification):
    ruleset = ruleset_with(classification)
    units = score_batch(ruleset, bind(table(rows), ruleset), year=2025).units
    names = [g.name for g in ruleset.classification.grades]
    grades = ruleset.classification.grades
    cumulative = 0
    for position, grade in enumerate(grades[:-1]):
        members = [u for u in units if u.tier == grade.name]
        assert all(not u.vetoed for u in members)
        if classification["by"] == "score":
            assert all(u.total >= grade.min_score for u in members)
        else:
            cumulative += grade.count if grade.count else grade.share * len(units)
            limit = int(D(cumulative).quantize(D(1), rounding="ROUND_HALF_UP"))
            assert all(u.rank <= limit for u in members)
            later = [u for u in units if names.index(u.tier) > position and not u.vetoed]
            assert all(u.rank > limit for u in later)


@settings(max_examples=40, deadline=None)
@given(unit_rows)
def test_bonus_never_lowers_a_total(rows):
    ruleset = ruleset_with()
    with_bonus = score_batch(ruleset, bind(table(rows), ruleset))
    cleared = [row[:4] + ["0"] + row[5:] for row in rows]
    without = score_batch(ruleset, bind(table(cleared), ruleset))
    totals = {u.unit: u.total for u in without.units}
    assert all(u.total >= totals[u.unit] for u in with_bonus.units)


def test_tie_break_orders_equal_totals_by_the_named_category():
    ruleset = ruleset_with(ranking={"tie_break": ["product"]})
    rows = [["甲镇", "97", "98", "3", "", "", ""],   # 0 + 40 + 30 = 70, product 40
            ["乙镇", "98", "90", "4", "", "", ""],   # 30 + 0 + 30 = 60
            ["丙镇", "98", "90", "4", "", "", ""],   # same as 乙镇: shared rank
            ["丁镇", "98", "98", "0", "", "", ""]]   # 30 + 40 + 0 = 70, product 70 → ahead of 甲镇
    units = score_batch(ruleset, bind(table(rows), ruleset)).units
    assert [(u.unit, u.rank) for u in units] == [("丁镇", 1), ("甲镇", 2), ("乙镇", 3), ("丙镇", 3)]
