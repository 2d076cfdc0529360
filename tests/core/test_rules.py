"""The built-in rule types: hand-worked examples from the seeds' numbers, and properties."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal as D

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from qscore.rules.library import Bands, Count, Deduction, Levels, PassFail, Progress, RankPoints, Ratio

values = st.decimals(min_value=0, max_value=100, places=2)
fulls = st.decimals(min_value=1, max_value=20, places=1)
directions = st.sampled_from(["higher", "lower"])


def two_places(number: D) -> D:
    return number.quantize(D("0.01"), rounding=ROUND_HALF_UP)


# -- worked examples ------------------------------------------------------------------

def test_pass_fail_on_shizhu_food_target():
    # 石柱 annex: 食品抽检合格率 2027 target 98 (%); 4 points, an assumption of the test.
    rule = PassFail(full=D(4))
    assert rule.points(D("98"), D("98"), None) == D(4)
    assert rule.points(D("97.99"), D("98"), None) == 0
    assert "98 ≥ 98" in rule.explain(D("98"), D("98"), None)


def test_ratio_lower_is_better_uses_target_over_value():
    # 贵州: 单位GDP能耗 target 0.435 (0.5 × 87%); a unit at 0.45 completes 0.435 ÷ 0.45.
    rule = Ratio(full=D(10), direction="lower")
    points = rule.points(D("0.45"), D("0.435"), None)
    assert points == D(10) * D("0.435") / D("0.45")
    assert two_places(points) == D("9.67")
    assert "0.435 ÷ 0.45" in rule.explain(D("0.45"), D("0.435"), None)


def test_progress_on_shizhu_food_interim_2025():
    # 石柱 食品抽检合格率: 2023 = 95, 2027 = 98; the 2025 point is 95 + 3 × 2/4 = 96.5.
    # A unit at 96: (96 − 95) ÷ (96.5 − 95) = 2/3 of 10 points = 6.666… → 6.67.
    rule = Progress(full=D(10))
    points = rule.points(D(96), D("96.5"), D(95))
    assert two_places(points) == D("6.67")
    text = rule.explain(D(96), D("96.5"), D(95))
    assert "(96 − 95) ÷ (96.5 − 95)" in text


def test_progress_on_a_value_to_hold_is_pass_fail():
    # 石柱 重大建设工程验收合格率: 2023 = 100, 2027 = 100 (保持).
    rule = Progress(full=D(4))
    assert rule.points(D(100), D(100), D(100)) == D(4)
    assert rule.points(D("99.9"), D(100), D(100)) == 0


def test_bands_as_in_a_scoring_sheet():
    # ≥98% 得10分，95%–98% 得8分，其余不得分
    rule = Bands(full=D(10), bands=[{"at_least": D(98), "points": 10}, {"at_least": D(95), "points": 8}])
    assert [rule.points(D(v), None, None) for v in ("99", "98", "97.9", "95", "94.99")] == [10, 10, 8, 8, 0]


def test_deduction_two_points_per_percentage_point():
    # 每低1个百分点扣2分，扣完为止: target 98.2 (永川 食品), value 96.7 → short 1.5 → −3 → 7.
    rule = Deduction(full=D(10), per_step=D(2))
    assert rule.points(D("96.7"), D("98.2"), None) == D(7)
    assert Deduction(full=D(10), per_step=D(2), partial="started").points(D("96.7"), D("98.2"), None) == D(6)
    assert Deduction(full=D(10), per_step=D(2), partial="whole").points(D("96.7"), D("98.2"), None) == D(8)
    assert rule.points(D("80"), D("98.2"), None) == 0


def test_count_points_per_item_capped():
    # 每新增1个得2分，最高10分
    rule = Count(full=D(10), per_item=D(2))
    assert rule.points(D(3), None, None) == D(6)
    assert rule.points(D(12), None, None) == D(10)
    increase = Count(full=D(10), per_item=D(2), basis="increase")
    # 石柱 地理标志: 2023 = 6; a county at 7 has 1 new → 2 points.
    assert increase.points(D(7), None, D(6)) == D(2)


def test_rank_points_share_places_on_ties():
    # 第1名得满分，每后移一位减0.5分
    rule = RankPoints(full=D(5), step=D("0.5"))
    points = rule.points_batch([D(90), D(95), D(90), D(80)], [None] * 4, [None] * 4)
    assert points == [D("4.5"), D(5), D("4.5"), D("3.5")]


def test_rank_points_among_others_as_they_stand():
    # The others 95, 90, 90, 80: at 92 a unit is 2nd (4.5), at 90 it shares 2nd, at 70 it is 5th (3)
    rule = RankPoints(full=D(5), step=D("0.5"))
    points = rule.among([D(95), D(90), D(90), D(80)])
    assert [points(v) for v in (D(99), D(95), D(92), D(90), D(85), D(70))] == \
        [D(5), D(5), D("4.5"), D("4.5"), D("3.5"), D(3)]
    lower = RankPoints(full=D(5), step=D("0.5"), direction="lower").among([D(95), D(90), D(90), D(80)])
    assert [lower(v) for v in (D(70), D(80), D(90), D(99))] == [D(5), D(5), D("4.5"), D(3)]


def test_levels_map_to_shares():
    rule = Levels(full=D(20), levels={"完成": 1, "基本完成": D("0.6"), "未完成": 0})
    assert [rule.points(x, None, None) for x in ("完成", "基本完成", "未完成")] == [20, 12, 0]


@pytest.mark.parametrize("build, message", [
    (lambda: Bands(full=D(10), bands=[{"at_least": 95, "points": 8}, {"at_least": 98, "points": 10}]),
     "band thresholds must fall"),
    (lambda: Bands(full=D(5), bands=[{"at_least": 98, "points": 10}]), "more than the full marks"),
    (lambda: Count(full=D(5), per_item=D(1), cap=D(6)), "'cap' must be between 0"),
    (lambda: Levels(full=D(5), levels={"完成": D("1.5")}), "shares are between 0 and 1"),
    (lambda: Count(full=D(5), per_item=D(1), direction="lower"), "must be higher-is-better"),
])
def test_invalid_parameters_are_refused_with_reasons(build, message):
    with pytest.raises((ValueError, TypeError), match=message):
        build()


# -- properties -----------------------------------------------------------------------

@st.composite
def numeric_rules(draw):
    full, direction = draw(fulls), draw(directions)
    kind = draw(st.sampled_from(["pass_fail", "ratio", "progress", "bands", "deduction", "count"]))
    if kind == "pass_fail":
        return PassFail(full=full, direction=direction)
    if kind == "ratio":
        return Ratio(full=full, direction=direction)
    if kind == "progress":
        return Progress(full=full, direction=direction)
    if kind == "deduction":
        return Deduction(full=full, direction=direction, per_step=draw(fulls),
                         step=draw(st.decimals(min_value="0.1", max_value=5, places=1)),
                         partial=draw(st.sampled_from(["proportional", "whole", "started"])))
    if kind == "count":
        return Count(full=full, per_item=draw(fulls))
    thresholds = sorted(draw(st.lists(values, min_size=1, max_size=4, unique=True)),
                        reverse=direction == "higher")
    awarded = sorted(draw(st.lists(st.decimals(min_value=0, max_value=full, places=1),
                                   min_size=len(thresholds), max_size=len(thresholds))), reverse=True)
    key = "at_least" if direction == "higher" else "at_most"
    return Bands(full=full, direction=direction,
                 bands=[{key: t, "points": p} for t, p in zip(thresholds, awarded)])


@given(numeric_rules(), values, values, values)
def test_points_stay_within_zero_and_full_marks(rule, value, target, baseline):
    assert 0 <= rule.points(value, target, baseline) <= rule.full


@given(numeric_rules(), values, values, values, values)
def test_points_never_fall_as_the_value_gets_better(rule, first, second, target, baseline):
    worse, better = sorted([first, second], reverse=rule.direction == "lower")
    assert rule.points(worse, target, baseline) <= rule.points(better, target, baseline)


@given(fulls, directions, values)
def test_pass_fail_gives_full_marks_exactly_at_the_target(full, direction, target):
    assert PassFail(full=full, direction=direction).points(target, target, None) == full


@given(fulls, values, values)
def test_progress_is_zero_at_the_baseline_and_full_at_the_target(full, baseline, target):
    assume(baseline != target)
    direction = "higher" if target > baseline else "lower"
    rule = Progress(full=full, direction=direction)
    assert rule.points(baseline, target, baseline) == 0
    assert rule.points(target, target, baseline) == full


@given(numeric_rules(), values, values, values)
def test_explanation_states_the_points_it_gives(rule, value, target, baseline):
    points = rule.points(value, target, baseline)
    text = rule.explain(value, target, baseline)
    from qscore.numbers import fmt
    assert fmt(points) in text or (points == 0 and "→ 0" in text) or points == rule.full


@given(st.lists(values, min_size=1, max_size=30), st.randoms())
def test_rank_points_ignore_input_order_and_share_ties(raw, rnd):
    rule = RankPoints(full=D(10), step=D("0.5"))
    points = rule.points_batch(raw, [None] * len(raw), [None] * len(raw))
    by_value = dict(zip(raw, points))
    shuffled = raw[:]
    rnd.shuffle(shuffled)
    again = rule.points_batch(shuffled, [None] * len(raw), [None] * len(raw))
    assert [by_value[v] for v in shuffled] == again
    places = rule.places(raw)
    for value, place in zip(raw, places):
        assert place == 1 + sum(1 for other in raw if other > value)


@given(st.lists(values, max_size=30), values, directions, st.decimals(min_value=0, max_value=4, places=1))
def test_rank_points_among_others_is_the_place_in_the_whole_column(others, value, direction, floor):
    rule = RankPoints(full=D(10), step=D("0.5"), floor=floor, direction=direction)
    column = [value, *others]
    assert rule.among(others)(value) == rule.points_batch(column, [None] * len(column), [None] * len(column))[0]


@given(st.lists(values, min_size=1, max_size=6, unique=True), fulls, values)
def test_bands_have_no_gaps(thresholds, full, value):
    thresholds.sort(reverse=True)
    rule = Bands(full=full, bands=[{"at_least": t, "points": full} for t in thresholds], otherwise=D(0))
    expected = full if value >= thresholds[-1] else 0
    assert rule.points(value, None, None) == expected
