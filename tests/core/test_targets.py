"""Target shapes resolved for the assessment year, with the seeds' own figures."""

from __future__ import annotations

from decimal import Decimal as D

import pytest
from hypothesis import given
from hypothesis import strategies as st

from qscore.errors import MissingFigure
from qscore.targets import Absolute, Change, Figures, Growth, Maintain, NewCount, Reference, Timing, Trend

SHIZHU_2025 = Timing(base_year=2023, horizon_year=2027, year=2025)
GUIZHOU_2025 = Timing(base_year=2020, horizon_year=2025, year=2025)


def test_absolute_target_interim_point_on_the_path():
    # 石柱 制造业质量竞争力指数: 2023 = 85, 2027 = 92 → 2025: 85 + 7 × 2/4 = 88.5
    target = Absolute(value=D(92))
    assert target.resolve(Figures(baseline=D(85)), SHIZHU_2025) == D("88.5")
    assert "85 + (92 − 85) × (2025 − 2023) ÷ (2027 − 2023) = 88.5" in target.describe(Figures(baseline=D(85)), SHIZHU_2025)
    assert target.resolve(Figures(baseline=D(85)), Timing(2023, 2027, 2027)) == D(92)


def test_absolute_target_without_baseline_is_the_final_value():
    # 石柱 全国优势农业特色产业集群: 2023 "-", 2027 = 1
    target = Absolute(value=D(1))
    assert target.resolve(Figures(), SHIZHU_2025) == D(1)
    assert "无基期值" in target.describe(Figures(), SHIZHU_2025)


def test_maintain_holds_every_year():
    assert Maintain(value=D(100)).resolve(Figures(baseline=D(90)), SHIZHU_2025) == D(100)


def test_change_percent_against_2020():
    # 贵州: 单位地区生产总值能耗较2020年下降13%; a 2020 figure of 0.5 → 0.5 × 0.87 = 0.435
    target = Change(percent=D(-13))
    assert target.resolve(Figures(baseline=D("0.5")), GUIZHOU_2025) == D("0.435")
    assert "0.5 × (1 − 13%) = 0.435" in target.describe(Figures(baseline=D("0.5")), GUIZHOU_2025)


def test_change_in_percentage_points():
    # 贵州: 制造业产品质量合格率整体提升2个百分点; from 93.1 → 95.1
    assert Change(points=D(2)).resolve(Figures(baseline=D("93.1")), GUIZHOU_2025) == D("95.1")


def test_growth_compounds_yearly():
    # 贵州: 每万人口高价值发明专利拥有量年均增长15%; from 1.0 in 2020: 2023 → 1.15³ = 1.520875
    target = Growth(annual_percent=D(15))
    assert target.resolve(Figures(baseline=D(1)), Timing(2020, 2025, 2023)) == D("1.520875")
    assert target.resolve(Figures(baseline=D(1)), GUIZHOU_2025) == D("2.0113571875")


def test_new_count_path_starts_at_zero():
    # 贵州: 新增国家4A级景区12个 (2020 → 2025): 2023 → 12 × 3/5 = 7.2
    assert NewCount(value=D(12)).resolve(Figures(baseline=D(40)), Timing(2020, 2025, 2023)) == D("7.2")


def test_reference_and_trend_use_the_units_figures():
    figures = Figures(previous=D("0.8"), references=(("全省平均", D("1.1")),))
    assert Reference(name="全省平均").resolve(figures, SHIZHU_2025) == D("1.1")
    assert Trend().resolve(figures, SHIZHU_2025) == D("0.8")
    assert Trend().strict


@pytest.mark.parametrize("target, field", [
    (Change(percent=D(-13)), "baseline"), (Growth(annual_percent=D(15)), "baseline"),
    (Reference(name="全国平均"), "全国平均"), (Trend(), "previous"),
])
def test_a_missing_figure_is_reported_by_name(target, field):
    with pytest.raises(MissingFigure) as caught:
        target.resolve(Figures(), SHIZHU_2025)
    assert caught.value.field == field


def test_change_needs_exactly_one_of_percent_and_points():
    with pytest.raises(ValueError, match="exactly one"):
        Change(percent=D(1), points=D(1))


@given(st.decimals(min_value=0, max_value=1000, places=2), st.decimals(min_value=0, max_value=1000, places=2),
       st.integers(2000, 2030), st.integers(1, 10), st.integers(0, 10))
def test_interim_target_lies_between_baseline_and_target(baseline, final, base_year, span, elapsed):
    timing = Timing(base_year, base_year + span, base_year + min(elapsed, span))
    value = Absolute(value=final).resolve(Figures(baseline=baseline), timing)
    assert min(baseline, final) <= value <= max(baseline, final)
    if elapsed == 0:
        assert value == baseline
    if elapsed >= span:
        assert value == final


# -- whole numbers on the path -------------------------------------------------------------

SHIZHU_2024 = Timing(base_year=2023, horizon_year=2027, year=2024)


def test_a_count_rounded_up_on_the_path():
    # 石柱 4A级以上景区: 2023 = 6, 2027 = 8 → 2024: 6 + 2 × 1/4 = 6.5 → 7 (no half a 景区)
    target = Absolute(value=D(8), interim="up")
    assert target.resolve(Figures(baseline=D(6)), SHIZHU_2024) == D(7)
    assert target.describe(Figures(baseline=D(6)), SHIZHU_2024) == \
        "2024年进度目标 = 6 + (8 − 6) × (2024 − 2023) ÷ (2027 − 2023) = 6.5，向上取整为 7"
    # 2025: 6 + 2 × 2/4 = 7, already whole
    assert target.resolve(Figures(baseline=D(6)), SHIZHU_2025) == D(7)
    assert target.describe(Figures(baseline=D(6)), SHIZHU_2025).endswith("= 7，已是整数")
    assert target.resolve(Figures(baseline=D(6)), Timing(2023, 2027, 2027)) == D(8)


def test_nearest_rounds_half_up_and_none_keeps_the_fraction():
    # 石柱 科技型企业: 353 → 500; 2024: 353 + 147 × 1/4 = 389.75; 2026: 353 + 147 × 3/4 = 463.25
    figures, y2026 = Figures(baseline=D(353)), Timing(2023, 2027, 2026)
    assert Absolute(value=D(500), interim="nearest").resolve(figures, SHIZHU_2024) == D(390)
    assert Absolute(value=D(500), interim="nearest").resolve(figures, y2026) == D(463)
    assert Absolute(value=D(500), interim="up").resolve(figures, y2026) == D(464)
    assert Absolute(value=D(500), interim="none").resolve(figures, y2026) == D("463.25")
    # 2025: 353 + 147 × 2/4 = 426.5: half up → 427
    assert "四舍五入取整为 427" in Absolute(value=D(500), interim="nearest").describe(figures, SHIZHU_2025)


def test_horizon_only_holds_the_baseline_until_the_horizon_year():
    # 石柱 市长质量管理奖: "-" → 1 (新增); one award cannot arrive by quarters
    target = NewCount(value=D(1), interim="horizon")
    assert target.resolve(Figures(), SHIZHU_2024) == D(0)
    assert target.resolve(Figures(), SHIZHU_2025) == D(0)
    assert target.resolve(Figures(), Timing(2023, 2027, 2027)) == D(1)
    assert target.describe(Figures(), SHIZHU_2025) == "期末目标 1 只在2027年考核；2025年目标为不低于基期值 0"
    # 农产品区域公用品牌 1 → 2: held at 1 until 2027
    assert Absolute(value=D(2), interim="horizon").resolve(Figures(baseline=D(1)), SHIZHU_2025) == D(1)


def test_a_rounded_growth_path_and_its_arithmetic():
    # 年均增长15% on a count of 10: 2023 = 10 × 1.15³ = 15.20875 → up 16
    target = Growth(annual_percent=D(15), interim="up")
    assert target.resolve(Figures(baseline=D(10)), Timing(2020, 2025, 2023)) == D(16)
    assert "10 × (1 + 15%)^3 = ≈15.2088" in target.describe(Figures(baseline=D(10)), Timing(2020, 2025, 2023))
    assert target.describe(Figures(baseline=D(10)), Timing(2020, 2025, 2023)).endswith("向上取整为 16")


def test_interim_must_be_one_of_the_four():
    with pytest.raises(ValueError, match="'interim' must be in"):
        Absolute(value=D(1), interim="down")  # type: ignore[arg-type]


@given(st.integers(0, 500), st.integers(0, 500), st.integers(1, 10), st.integers(0, 10),
       st.sampled_from(["up", "nearest", "horizon"]))
def test_whole_interims_are_whole_and_stay_between_baseline_and_target(baseline, final, span, elapsed, interim):
    timing = Timing(2020, 2020 + span, 2020 + min(elapsed, span))
    value = Absolute(value=D(final), interim=interim).resolve(Figures(baseline=D(baseline)), timing)
    assert value == value.to_integral_value()
    assert min(baseline, final) <= value <= max(baseline, final)


# -- rank clauses: a target from the whole batch --------------------------------------------

# Five districts' 公共服务质量满意度 (illustrative): best first 84.6, 83.5, 82, 81.6, 80.1.
SATISFACTION = [D("80.1"), D("83.5"), D("82"), D("84.6"), D("81.6")]


def top(**params):
    from qscore.targets import Top
    return Top(**params)


def test_top_place_is_the_value_of_the_unit_at_that_place():
    figures = [Figures()] * len(SATISFACTION)
    assert top(place=2).resolve_batch(SATISFACTION, figures, SHIZHU_2025) == D("83.5")
    assert top(place=2).describe_batch(SATISFACTION, figures, SHIZHU_2025) == "5个单位中前2名的最低值 = 83.5"
    # 达到85分、进入一流行列: the stricter of the two
    assert top(place=2, value=D(85)).resolve_batch(SATISFACTION, figures, SHIZHU_2025) == D(85)
    assert top(place=2, value=D(82)).describe_batch(SATISFACTION, figures, SHIZHU_2025) == \
        "5个单位中前2名的最低值 = 83.5；与 82 取较高者 = 83.5"


def test_top_share_rounds_the_place_half_up():
    # 前50% of 5 units: 5 × 50% = 2.5 → 3rd place, 82
    figures = [Figures()] * 5
    assert top(share=D("0.5")).resolve_batch(SATISFACTION, figures, SHIZHU_2025) == D(82)
    assert top(share=D("0.5")).describe_batch(SATISFACTION, figures, SHIZHU_2025) == \
        "5个单位中前50%（5 × 50% = 2.5，取前3名）的最低值 = 82"
    # a share too small for one place still names the best unit
    assert top(share=D("0.1")).resolve_batch(SATISFACTION, figures, SHIZHU_2025) == D("84.6")


def test_top_lower_is_better_and_ties_and_a_short_batch():
    figures = [Figures()] * 5
    assert top(place=2, direction="lower").resolve_batch(SATISFACTION, figures, SHIZHU_2025) == D("81.6")
    assert top(place=2, direction="lower", value=D(81)).describe_batch(SATISFACTION, figures, SHIZHU_2025) == \
        "5个单位中前2名的最高值 = 81.6；与 81 取较低者 = 81"
    # two units level at the place both reach it
    assert top(place=2).resolve_batch([D(90), D(90), D(85)], [Figures()] * 3, SHIZHU_2025) == D(90)
    # fewer units than the place: the last of them sets the target
    assert top(place=13).resolve_batch([D(90), D(85)], [Figures()] * 2, SHIZHU_2025) == D(85)
    assert top(place=13).describe_batch([D(90), D(85)], [Figures()] * 2, SHIZHU_2025) == \
        "2个单位中前13名（只有2个单位有数据，取全部）的最低值 = 85"


LEVEL_VALUES = st.sampled_from([D("90"), D("90.0"), D("90.00"), D("85"), D("85.0"), D("80"), D("99.9")])


@given(data=st.data(), place=st.integers(1, 12), direction=st.sampled_from(["higher", "lower"]),
       few=st.booleans())
def test_top_place_is_the_first_of_equal_values_in_sorted_order_digits_and_all(data, place, direction, few):
    # The value at the place is the object sorted() puts there, so a target shows the
    # digits of that unit's cell (90 and 90.0 are level, and written differently).  A few
    # places among many values (few) are found with a heap, which must pick the same object.
    size = st.integers(8 * place, 8 * place + 40) if few else st.integers(1, 8 * place)
    values = data.draw(st.lists(LEVEL_VALUES, min_size=data.draw(size), max_size=8 * place + 40))
    expected = sorted(values, reverse=direction == "higher")[min(place, len(values)) - 1]
    found = top(place=place, direction=direction).resolve_batch(values, [Figures()] * len(values), SHIZHU_2025)
    assert (found, str(found)) == (expected, str(expected))


@given(others=st.lists(LEVEL_VALUES, max_size=30), value=LEVEL_VALUES, at=st.integers(0, 30),
       place=st.one_of(st.integers(1, 12).map(lambda n: {"place": n}),
                       st.sampled_from(["0.1", "0.3", "0.5", "1"]).map(lambda s: {"share": D(s)})),
       stricter=st.sampled_from([None, D("88"), D("90")]), direction=st.sampled_from(["higher", "lower"]))
def test_top_among_others_is_the_batch_target_with_the_unit_in_it(others, value, at, place, stricter, direction):
    # A what-if search asks the target at many values of one unit: that target is the
    # batch's, the unit's value put among the others wherever it stands in the data.
    shape = top(**place, value=stricter, direction=direction)
    batch = [*others[:at], value, *others[at:]]
    assert shape.among(others)(value) == shape.resolve_batch(batch, [Figures()] * len(batch), SHIZHU_2025)


def test_a_shape_resolved_unit_by_unit_has_no_target_among_others():
    assert Absolute(value=D(1)).among([D(1), D(2)]) is None


def test_top_is_not_resolved_unit_by_unit():
    with pytest.raises(MissingFigure) as caught:
        top(place=3).resolve(Figures(), SHIZHU_2025)
    assert caught.value.field == "batch"
    with pytest.raises(TypeError, match="resolved unit by unit"):
        Absolute(value=D(1)).resolve_batch([D(1)], [Figures()], SHIZHU_2025)


@pytest.mark.parametrize("params, message", [
    ({}, "exactly one of 'place' or 'share'"), ({"place": 3, "share": D("0.3")}, "exactly one"),
    ({"share": D("1.5")}, r"'share' must lie in \(0, 1\], got 1.5"), ({"place": 0}, "'place' must be >= 1"),
])
def test_top_needs_a_place_or_a_share(params, message):
    with pytest.raises(ValueError, match=message):
        top(**params)


@given(st.lists(st.decimals(min_value=0, max_value=100, places=1), min_size=1, max_size=40),
       st.integers(1, 50), st.sampled_from(["higher", "lower"]))
def test_at_least_the_place_reaches_a_top_target_and_none_worse_than_one_that_misses(values, place, direction):
    target = top(place=place, direction=direction).resolve_batch(values, [Figures()] * len(values), SHIZHU_2025)
    better = (lambda a, b: a >= b) if direction == "higher" else (lambda a, b: a <= b)
    reached = [value for value in values if better(value, target)]
    assert len(reached) >= min(place, len(values))
    assert all(better(r, m) for r in reached for m in values if m not in reached)
    assert target in values


# -- rank clauses through a ruleset file, the engine and the command line --------------------

RACE = '''
id = "race"
title = "满意度比拼"
jurisdiction = "测试市"
unit_kind = "区县"
base_year = 2023
horizon_year = 2027

[[indicators]]
id = "satisfaction"
name = "公共服务质量满意度"
unit = "分"
target = { kind = "top", place = 2, value = 82, text = "达到82分、进入全市前列" }
points = 10
rule = { type = "deduction", per_step = 2 }

[[indicators]]
id = "complaints"
name = "万人投诉量"
unit = "件"
direction = "lower"
target = { kind = "top", share = 0.4 }
points = 10
rule = "pass_fail"
'''
RACE_DATA = """区县,公共服务质量满意度,万人投诉量
甲区,80.1,3.2
乙区,83.5,2.8
丙区,82,4.1
丁区,84.6,
戊区,81.6,2.5
"""


@pytest.fixture
def race(write):
    return write("race.toml", RACE), write("race.csv", RACE_DATA)


def test_the_loader_gives_a_top_target_the_indicators_direction_and_counts_an_up_interim(write, catalog):
    from qscore.rulesets import load_ruleset

    ruleset = load_ruleset(write("race.toml", RACE), catalog.rule_types, catalog.target_kinds)
    satisfaction, complaints = ruleset.indicators
    assert (satisfaction.target.kind, satisfaction.target.place, satisfaction.target.value) == ("top", 2, D(82))
    assert (complaints.target.direction, complaints.target.share) == ("lower", D("0.4"))
    # 件 is a count unit: an interim point on a path would be rounded up; 分 is not
    assert (complaints.target.interim, satisfaction.target.interim) == ("up", "none")


def test_a_top_target_in_the_engine_worked_by_hand(race, catalog):
    from qscore.pipeline import score

    ruleset_path, data = race
    batch = score(catalog.ruleset(str(ruleset_path)), data, year=2025, explain=True)
    units = {u.unit: u for u in batch.units}
    # 满意度 best first: 丁 84.6, 乙 83.5, 丙 82, 戊 81.6, 甲 80.1; 2nd place 83.5 ≥ 82 → target 83.5.
    # 甲: 3.4 short × 2 = 6.8 → 3.20; 丙: 1.5 × 2 = 3 → 7.00; 乙 and 丁 reach it → 10.
    assert [units[n].indicators[0].points for n in ("甲区", "乙区", "丙区", "丁区", "戊区")] == \
        [D("3.20"), D("10.00"), D("7.00"), D("10.00"), D("6.20")]
    assert {u.indicators[0].target for u in batch.units} == {D("83.5")}
    # 投诉量, lower is better, 丁区 has none: 4 units, 前40% = 1.6 → 2nd place; best first 2.5, 2.8 → 2.8.
    assert [units[n].indicators[1].points for n in ("甲区", "乙区", "丙区", "丁区", "戊区")] == \
        [D("0.00"), D("10.00"), D("0.00"), D("0.00"), D("10.00")]
    assert units["甲区"].indicators[0].explanation.startswith(
        "目标：5个单位中前2名的最低值 = 83.5；与 82 取较高者 = 83.5；扣分：差距 = 83.5 − 80.1 = 3.4")
    assert units["甲区"].indicators[1].explanation.startswith(
        "目标：4个单位中前40%（4 × 40% = 1.6，取前2名）的最高值 = 2.8；达标：")


def test_a_top_target_with_no_value_in_the_batch_is_explained(write, catalog):
    from qscore.pipeline import score

    # No unit reports 万人投诉量: no batch to take the 前40% from, and nothing to explain
    # but the missing values (each scores 0 under the default 'zero' policy).
    data = write("race.csv", "区县,公共服务质量满意度,万人投诉量\n甲区,80.1,-\n乙区,83.5,-\n")
    batch = score(catalog.ruleset(str(write("race.toml", RACE))), data, year=2025, explain=True)
    assert [(u.indicators[1].target, u.indicators[1].points) for u in batch.units] == [(None, D("0.00"))] * 2
    assert {u.indicators[1].explanation for u in batch.units} == {"无数据，按缺失值规则记0分"}


def test_explain_shows_how_the_top_target_was_worked_out(race, cli, write):
    ruleset_path, data = race
    result = cli("explain", str(ruleset_path), str(data), "丙区", "--year", "2025")
    assert result.exit_code == 0, result.output
    assert "目标：5个单位中前2名的最低值 = 83.5；与 82 取较高者 = 83.5；扣分：差距 = 83.5 − 82 = 1.5" in result.output
    # the stricter figure moves with the batch: without 丁区 and 乙区, 82 itself is the target
    short = write("short.csv", RACE_DATA.replace("乙区,83.5,2.8\n", "").replace("丁区,84.6,\n", ""))
    result = cli("explain", str(ruleset_path), str(short), "丙区")
    assert result.exit_code == 0, result.output
    assert "目标：3个单位中前2名的最低值 = 81.6；与 82 取较高者 = 82；" in result.output


def test_a_top_target_keeps_the_core_properties(race, catalog):
    from qscore.testing import check_ruleset

    ruleset_path, _ = race
    for year in (2024, 2027):
        check_ruleset(catalog.ruleset(str(ruleset_path)), catalog=catalog, year=year, max_examples=40)


def test_validate_names_a_bad_top_target_and_a_bad_interim(cli, write):
    path = write("bad.toml", RACE.replace('target = { kind = "top", share = 0.4 }',
                                          'target = { kind = "top", share = 1.5, direction = "lower" }')
                 .replace('target = { kind = "top", place = 2, value = 82, text = "达到82分、进入全市前列" }',
                          'target = { kind = "top", place = 2, interim = "down" }'))
    result = cli("validate", str(path))
    assert result.exit_code == 1
    assert ("indicators[1] (公共服务质量满意度): field 'target.interim': 'interim' must be one of "
            "'up', 'nearest', 'none', 'horizon', got 'down'") in result.output
    # the direction comes from the indicator, never from the target table
    assert ("indicators[2] (万人投诉量): field 'target': unknown key(s) 'direction' for a 'top' target; "
            "allowed: kind, interim, place, share, strict, text, value") in result.output
    fixed = write("share.toml", path.read_text(encoding="utf-8").replace(', direction = "lower"', ""))
    assert "field 'target': 'share' must lie in (0, 1], got 1.5" in cli("validate", str(fixed)).output
