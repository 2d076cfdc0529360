"""贵州省: the 市州 ruleset loaded through its entry point, checked against the plan
(seed 003) and run on the example data through the real CLI."""

from __future__ import annotations

import json
from decimal import ROUND_HALF_UP, Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from qscore.reading.binding import bind
from qscore.reading.table import RawTable
from qscore.scoring.engine import score_batch
from seed_quotes import (EXAMPLES, folded, installed_ruleset, loaded_ruleset, only, points, quote, rank_json,
                         seed_text, target_figures)

SEED = "003_309ac1a153ce57e6.txt"
DATA = EXAMPLES / "guizhou" / "prefectures-2025.csv"
PREFECTURES = ["贵阳市", "遵义市", "六盘水市", "安顺市", "毕节市", "铜仁市", "黔东南苗族侗族自治州",
               "黔南布依族苗族自治州", "黔西南布依族苗族自治州"]
CENT = Decimal("0.01")


def cents(number: Decimal) -> Decimal:
    return number.quantize(CENT, rounding=ROUND_HALF_UP)


@pytest.fixture
def ruleset(allow_plugins):
    return installed_ruleset(allow_plugins, "guizhou", "guizhou-prefectures")


@pytest.fixture
def indicators(ruleset):
    return {i.id: i for i in ruleset.indicators}


def test_the_plugin_is_listed_by_the_cli(allow_plugins, cli):
    allow_plugins("guizhou")
    listed = json.loads(cli("rulesets", "--format", "json").output)
    assert [(r["id"], r["plugin"], r["unit_kind"]) for r in listed] == [("guizhou-prefectures", "guizhou", "市州")]
    assert "guizhou" in [p["name"] for p in json.loads(cli("plugins", "--format", "json").output)]


def test_every_indicator_quotes_the_plan_and_its_figures(ruleset):
    seed = seed_text(SEED)
    for indicator in ruleset.indicators:
        words = quote(indicator)
        assert words in seed, f"{indicator.id}: {words!r} is not in the plan"
        for figure in target_figures(indicator):
            if figure == "1" and "零的突破" in words:   # 零的突破: the first one, new = 1
                continue
            assert figure in words and figure in folded(indicator.target.text), (indicator.id, figure)


def test_the_target_shapes_are_the_plans(indicators):
    energy = indicators["energy_intensity"]
    assert (energy.target.kind, energy.target.percent, energy.baseline_year, energy.direction) == \
        ("change", Decimal(-13), 2020, "lower")                                     # 较2020年下降13%
    assert (indicators["high_value_patents"].target.kind,
            indicators["high_value_patents"].target.annual_percent) == ("growth", Decimal(15))  # 年均增长15%
    assert (indicators["manufacturing_pass_rate"].target.kind,
            indicators["manufacturing_pass_rate"].target.points) == ("change", Decimal(2))   # 提升2个百分点
    assert indicators["manufacturing_quality_index"].target.name == "全国平均"            # 接近全国平均水平
    assert {indicators[i].target.name for i in ("public_service_satisfaction", "third_party_evaluation")} == {"全国平均"}
    assert indicators["new_4a_scenic_areas"].target.kind == "new"                        # 新增国家4A级景区12个
    assert indicators["geographical_indications"].target.kind == "value"                 # 地理标志累计410件
    assert indicators["high_value_patents"].target.interim == "none"                     # a density, not a count


# The province's cumulative counts: each 市州 scores what it added since 2020 (its stock less @基期).
CUMULATIVE = {"governor_quality_award": "15", "governor_award_nominations": "25", "quality_benchmarks": "5",
              "geographical_indications": "410", "leading_agri_enterprises": "70", "luban_awards": "34",
              "time_honoured_brands": "230", "national_standards": "700", "measurement_standards": "1500"}


def test_every_count_is_read_as_new_items_since_2020(indicators):
    seed = seed_text(SEED)
    for key, figure in CUMULATIVE.items():
        indicator = indicators[key]
        assert indicator.rule.type == "count" and indicator.rule.basis == "increase", key
        assert target_figures(indicator) == [figure] and "(全省)" in folded(indicator.target.text), key
        assert figure in quote(indicator) and quote(indicator) in seed, key
    # 4A级景区 is the one the plan itself states as new: the data gives the new count directly
    assert indicators["new_4a_scenic_areas"].rule.basis == "value" and "新增国家4A级景区12个" in seed


def test_province_wide_firsts_are_bonus_items_and_the_quality_rates_are_carried(ruleset, indicators):
    seed = seed_text(SEED)
    assert "china_quality_award" not in indicators   # 零的突破 is the province's, not every 市州's
    bonus = {item.id: item for item in ruleset.adjustments.bonus}
    assert set(bonus) == {"china_quality_award", "brand_demonstration_zone", "scenic_5a_application"}
    for words in ("获得中国质量奖实现零的突破", "获批全国质量品牌提升示范区2个以上", "指导2个景区申报创建国家5A级景区"):
        assert words in seed and any(words in folded(item.source) for item in bonus.values()), words
    assert ruleset.adjustments.bonus_cap == 5
    for key, words in (("rural_road_acceptance_rate", "交工验收合格率100%"),
                       ("water_project_supervision", "大中型水利工程质量监督覆盖率100%"),
                       ("water_project_acceptance_rate", "一次性竣工验收合格率100%")):
        assert words in quote(indicators[key]) and quote(indicators[key]) in seed
        assert (indicators[key].target.value, indicators[key].rule.type) == (Decimal(100), "pass_fail")
    # the department assessment the plan asks for (各部门) is left out, with the reason
    assert any("省级各部门" in a and "无法追溯" in a for a in ruleset.assumptions)


def test_plan_years_grades_and_the_national_veto(ruleset):
    assert (ruleset.base_year, ruleset.horizon_year) == (2020, 2025)   # 十四五: 较2020年 … 到2025年
    assert [(g.name, g.min_score) for g in ruleset.classification.grades] == \
        [("A", Decimal(90)), ("B", Decimal(80)), ("C", Decimal(60)), ("D", None)]
    veto, = ruleset.adjustments.vetoes
    assert veto.name == "发生区域性、系统性产品质量安全事件" and "国办发〔2013〕47号" in veto.source
    assert "考核结果一律为D级" in veto.source   # 第五条 of the national method
    assert ruleset.full_marks == 100


def test_zunyi_energy_intensity_falls_13_percent_from_its_own_2020_figure(cli, allow_plugins):
    allow_plugins("guizhou")
    zunyi = rank_json(cli, "guizhou-prefectures", DATA)["by_unit"]["遵义市"]
    energy = next(i for i in zunyi["indicators"] if i["id"] == "energy_intensity")
    # 遵义市 2020: 0.80 吨标准煤/万元; target 0.80 × (1 − 13%) = 0.696; 2025 value 0.70.
    assert Decimal(str(energy["target"])) == Decimal("0.696")
    # lower is better, so 完成率 = 0.696 ÷ 0.70 = 0.99428…; 5 × 0.99428… = 4.9714… → 4.97
    assert points(zunyi, "energy_intensity") == Decimal("4.97") == cents(5 * Decimal("0.696") / Decimal("0.70"))
    assert "0.8 × (1 − 13%) = 0.696" in energy["explanation"]


def test_zunyi_patents_grow_15_percent_a_year_compounded(cli, allow_plugins):
    allow_plugins("guizhou")
    # 1.15² = 1.3225, 1.15⁴ = 1.74900625, 1.15⁵ = 2.0113571875; 2020 base 2.0 → 2025 target 4.022714375
    target_2025 = Decimal("2.0") * Decimal("2.0113571875")
    zunyi = rank_json(cli, "guizhou-prefectures", DATA)["by_unit"]["遵义市"]
    # 3.8 ÷ 4.022714375 = 0.94463…; 4 × 0.94463… = 3.7785… → 3.78
    assert points(zunyi, "high_value_patents") == Decimal("3.78") == cents(4 * Decimal("3.8") / target_2025)
    # In 2023 the compound path stands at 2.0 × 1.15³ = 2.0 × 1.520875 = 3.04175: 3.8 beats it, full marks.
    zunyi_2023 = rank_json(cli, "guizhou-prefectures", DATA, "--year", "2023")["by_unit"]["遵义市"]
    patents = next(i for i in zunyi_2023["indicators"] if i["id"] == "high_value_patents")
    # (a density: the point on the path is not rounded to a whole number)
    assert Decimal(str(patents["target"])) == Decimal("3.04175") and patents["points"] == 4


def test_zunyi_pass_rate_progress_and_new_geographical_indications(cli, allow_plugins):
    allow_plugins("guizhou")
    zunyi = rank_json(cli, "guizhou-prefectures", DATA)["by_unit"]["遵义市"]
    # 提升2个百分点: 92 → 94; reached 93.5: (93.5 − 92) ÷ (94 − 92) = 0.75; 5 × 0.75 = 3.75
    assert points(zunyi, "manufacturing_pass_rate") == Decimal("3.75")
    # 地理标志: 52 now, 45 in 2020 → 7 new × 0.5 = 3.50 (cap 4)
    assert points(zunyi, "geographical_indications") == Decimal("3.50")
    # 省长质量奖: 2 now, 1 in 2020 → 1 new × 1.5 = 1.50 (cap 3); 提名奖 4 − 2 = 2 × 1 = 2 (cap 2)
    assert points(zunyi, "governor_quality_award") == Decimal("1.50")
    assert points(zunyi, "governor_award_nominations") == Decimal("2.00")
    # 指数 84.1 against 全国平均 85: 0.9 short × 1 = 0.9 → 7.10
    assert points(zunyi, "manufacturing_quality_index") == Decimal("7.10")
    # a 景区 申报创建 5A: +2
    assert zunyi["bonus"] == 2


def test_the_example_ranks_grades_ties_and_veto(cli, allow_plugins):
    allow_plugins("guizhou")
    document = rank_json(cli, "guizhou-prefectures", DATA)
    units = document["by_unit"]
    assert sorted(units) == sorted(PREFECTURES)
    # 贵阳市 loses only: 制造业比重 24/25 × 5 = 4.80 (−0.2), 绿色经济 48/50 × 3 = 2.88 (−0.12),
    # 地理标志 (31 − 25) × 0.5 = 3 of 4 (−1): 100 − 0.2 − 0.12 − 1 = 98.68; a 中国质量奖 (+5) and a
    # 示范区 (+3) make 8, capped at 5 → 103.68, first, grade A.
    assert (units["贵阳市"]["rank"], units["贵阳市"]["total"], units["贵阳市"]["tier"]) == (1, 103.68, "A")
    assert units["贵阳市"]["bonus"] == 5
    # 六盘水市 and 安顺市 reach the same completion ratios from different baselines (能耗
    # 1.044/1.10 = 0.783/0.825; 专利 1.5/1.6090… = 1.875/2.0113…): equal totals, shared 6th, next 8th.
    assert units["六盘水市"]["total"] == units["安顺市"]["total"]
    assert units["六盘水市"]["rank"] == units["安顺市"]["rank"] == 6
    assert units["毕节市"]["rank"] == 8
    # 毕节市 left 数字经济 empty: 0 of 4 points, said in the explanation.
    assert points(units["毕节市"], "digital_economy_share") == 0
    # 黔西南州 scores in the C range but the national veto puts it last, in D.
    qianxinan = units["黔西南布依族苗族自治州"]
    assert qianxinan["vetoed"] and qianxinan["total"] >= 60
    assert (qianxinan["rank"], qianxinan["tier"]) == (9, "D")
    assert document["units"][-1]["unit"] == "黔西南布依族苗族自治州"


def test_prefectures_without_their_2020_baseline_score_zero_and_the_column_is_named(cli, allow_plugins, write):
    # The plan gives no 2020 energy figure per prefecture; without the column, the ruleset's
    # missing-value policy (zero) scores every prefecture 0 on it, and says so.
    allow_plugins("guizhou")
    header, *rows = DATA.read_text(encoding="utf-8").splitlines()
    columns = header.split(",")
    drop = columns.index("单位地区生产总值能耗@基期")
    trimmed = [",".join(c for n, c in enumerate(line.split(",")) if n != drop) for line in [header, *rows]]
    path = write("no-baseline.csv", "\n".join(trimmed) + "\n")
    document = rank_json(cli, "guizhou-prefectures", path, "--year", "2025")
    assert all(points(unit, "energy_intensity") == 0 for unit in document["units"])
    result = cli("rank", "guizhou-prefectures", str(path), "--year", "2025")
    notice = next(line for line in result.stderr.splitlines() if "@基期" in line)
    assert notice.startswith(f"notice: {path}, column '单位地区生产总值能耗@基期': {len(rows)} unit(s) lack the figure "
                             "单位地区生产总值能耗@基期 that the target or rule needs (贵阳市")
    assert notice.endswith("scored 0 under the missing-value policy 'zero'")


@settings(max_examples=60, deadline=None)
@given(baseline=st.decimals("0.2", "2.0", places=3), value=st.decimals("0.1", "2.5", places=3))
def test_energy_points_are_the_completion_ratio_against_a_13_percent_fall(baseline, value):
    ruleset = only(loaded_ruleset("guizhou", "guizhou-prefectures"), "energy_intensity")
    table = RawTable("h.csv", ("市州", "单位地区生产总值能耗@基期", "单位地区生产总值能耗"),
                     [["遵义市", str(baseline), str(value)]], [2])
    result = score_batch(ruleset, bind(table, ruleset)).units[0]
    target = baseline * Decimal("0.87")
    assert 0 <= result.total <= 5
    assert result.total == cents(5 * min(target / value, Decimal(1)))
    if value <= target:
        assert result.total == 5
