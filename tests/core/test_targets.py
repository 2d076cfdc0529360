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
