"""澧县: member departments scored on the tasks they lead or share, loaded through the
entry point, checked against the plan (seed 001) and run on the example data."""

from __future__ import annotations

import json
import re
from decimal import ROUND_HALF_UP, Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from qscore.reading.binding import bind
from qscore.reading.table import RawTable
from qscore.scoring.engine import score_batch
from seed_quotes import EXAMPLES, folded, installed_ruleset, loaded_ruleset, only, points, quote, rank_json, seed_text

SEED = "001_18b350cd3e67d7c6.txt"
DATA = EXAMPLES / "lixian" / "departments-2027.csv"
# The plan names two departments two ways; the ruleset uses one name for each.
SAME_DEPARTMENT = {"县市场监督管理局": "县市场监管局", "县卫生健康局": "县卫健局"}
SHARES = {"完成": Decimal(1), "基本完成": Decimal("0.6"), "未完成": Decimal(0)}
PHASES = ["动员部署阶段(2026年3月-2026年10月)", "培育建设阶段(2026年10月-2028年8月)",
          "总结提升阶段(2028年8月-2028年12月)"]
# The plan's five 约束性指标 and the indicator carrying each (二氧化碳排放量 as the intensity
# reduction the province assigns, see the ruleset's assumptions).
CONSTRAINTS = {"地表水水质优良比例": "surface_water_good", "达到或好于Ⅲ类水体比例": "class_iii_water",
               "主要污染物排放总量减少": "pollutant_reduction", "二氧化碳排放量": "co2_intensity_reduction",
               "PM2.5浓度": "pm25"}


@pytest.fixture
def ruleset(allow_plugins):
    return installed_ruleset(allow_plugins, "lixian", "lixian-departments")


@pytest.fixture
def indicators(ruleset):
    return {i.id: i for i in ruleset.indicators}


def departments_in(words: str) -> set[str]:
    named = re.findall(r"(?<!澧)县[\u4e00-\u9fff]+?(?:分局|局|中心)", words)   # not 澧县物流中心
    return {SAME_DEPARTMENT.get(name, name) for name in named}


def test_the_plugin_is_listed_by_the_cli(allow_plugins, cli):
    allow_plugins("lixian")
    listed = json.loads(cli("rulesets", "--format", "json").output)
    assert [(r["id"], r["plugin"], r["unit_kind"]) for r in listed] == [("lixian-departments", "lixian", "成员单位")]


def test_each_task_applies_to_exactly_the_departments_the_plan_names(ruleset):
    seed = seed_text(SEED)
    tasks = [i for i in ruleset.indicators if i.id.startswith("t")]
    assert len(tasks) == 11   # (一)1-2, (二)1-3, (三)1-3, (四), (五), (六)
    for task in tasks:
        words = quote(task)
        assert words in seed, f"{task.id}: {words!r} is not in the plan"
        assert departments_in(words) == set(task.applies_to), task.id
        if "牵头单位" in words:
            lead = words.split("牵头单位:")[1].split(",责任单位")[0]
            assert departments_in(lead) == set(task.lead.split("、")), task.id


def test_every_department_in_the_example_is_named_by_the_plan(ruleset):
    seed = seed_text(SEED)
    listed = {line.split(",")[0] for line in DATA.read_text(encoding="utf-8").splitlines()[1:]}
    assert listed == departments_in(seed)
    assert len(listed) == 21


def test_constraint_indicators_meet_what_the_province_assigns(indicators):
    seed = seed_text(SEED)
    for name, key in CONSTRAINTS.items():
        indicator = indicators[key]
        assert folded(name) in seed and folded(name) in quote(indicator) and "约束性指标完成省下达任务" in quote(indicator)
        assert (indicator.target.kind, indicator.target.name) == ("reference", "省下达")
        assert set(indicator.applies_to) == {"县发改局", "县生态环境分局"}   # 牵头单位 of (五)
    assert indicators["pm25"].direction == "lower"
    # 二氧化碳排放量 read as the intensity reduction Hunan assigns: a per cent, higher is better,
    # the plan's words kept as an alias, the reading disclosed
    co2 = indicators["co2_intensity_reduction"]
    assert (co2.name, co2.unit, co2.direction, co2.aliases) == \
        ("单位地区生产总值二氧化碳排放降低率", "%", "higher", ("二氧化碳排放量",))
    assert any("强度" in note for note in co2.notes)


def test_the_sections_held_to_standard_and_the_assessment_level(ruleset, indicators):
    seed = seed_text(SEED)
    sections = indicators["monitored_sections"]
    assert "确保国控、省控断面水质稳定达标" in seed and "确保国控、省控断面水质稳定达标" in quote(sections)
    assert (sections.target.kind, sections.target.value) == ("maintain", Decimal(100))
    assert set(sections.applies_to) == {"县发改局", "县生态环境分局"}
    assert ruleset.level == "department"   # member departments, like shizhu-members
    assert any("单位地区生产总值二氧化碳排放降低率" in a and "强度" in a for a in ruleset.assumptions)


def test_safety_indicators_against_last_year_and_the_provincial_average(indicators):
    seed = seed_text(SEED)
    death_rate = indicators["gdp_fatality_rate"]
    assert "亿元GDP生产安全事故死亡率持续降低" in seed and "持续降低" in quote(death_rate)
    assert (death_rate.target.kind, death_rate.target.strict, death_rate.direction) == ("trend", True, "lower")
    assert "万台特种设备事故起数和死亡人数低于全省平均数" in seed
    for key in ("special_equipment_accidents", "special_equipment_deaths"):
        target = indicators[key].target
        assert (target.kind, target.name, target.strict, indicators[key].direction) == \
            ("reference", "全省平均", True, "lower")


def test_the_three_dated_phases_are_quoted(ruleset, indicators):
    seed = seed_text(SEED)
    notes = folded(" ".join(indicators["phase_work"].notes))
    for phase in PHASES:
        assert phase in seed and phase in notes
    assert (ruleset.base_year, ruleset.horizon_year) == (2026, 2028)
    assert ruleset.scale_to == 100


def test_a_department_is_scored_on_its_own_tasks_scaled_to_100(cli, allow_plugins):
    allow_plugins("lixian")
    units = rank_json(cli, "lixian-departments", DATA, "--year", "2027")["by_unit"]
    # 县司法局 shares only task (六) and the phase work: full marks 10 + 10 = 20.
    # (六) 基本完成 10 × 0.6 = 6, phase 完成 10 → 16 ÷ 20 × 100 = 80.00
    justice = units["县司法局"]
    assert sum(Decimal(str(i["max_points"])) for i in justice["indicators"]) == 20
    assert justice["total"] == 80.0
    # 县市场监管局: 9 tasks (90) + phase (10) + two 特种设备 indicators (10) = 110 full marks.
    # 7 tasks 完成 70 + 2 基本完成 2 × 6 = 12, phase 10, 事故起数 0.12 < 全省 0.15 → 5,
    # 死亡人数 0.02 not below 全省 0.02 → 0: 97 ÷ 110 × 100 = 88.1818… → 88.18, 良好
    market = units["县市场监管局"]
    assert sum(Decimal(str(i["max_points"])) for i in market["indicators"]) == 110
    assert points(market, "special_equipment_accidents") == 5 and points(market, "special_equipment_deaths") == 0
    assert (market["total"], market["tier"]) == (88.18, "良好")
    # 县应急管理局: (六) 10 + phase 10 + death rate 0.021 < last year 0.025 → 5: 25 ÷ 25 × 100 = 100
    assert units["县应急管理局"]["total"] == 100.0
    # 县生态环境分局: (五) 10, phase 基本完成 6, constraints 4 × 4 (减排 2.8 < 省下达 3.0 → 0;
    # 碳强度降低 4.1 ≥ 省下达 3.9 → 4), 断面达标率 100 → 4: 36 ÷ 44 × 100 = 81.818… → 81.82
    assert points(units["县生态环境分局"], "pollutant_reduction") == 0
    assert points(units["县生态环境分局"], "co2_intensity_reduction") == 4
    assert units["县生态环境分局"]["total"] == 81.82


def test_the_example_run_ties_and_missing_cells(cli, allow_plugins):
    allow_plugins("lixian")
    document = rank_json(cli, "lixian-departments", DATA, "--year", "2027")
    assert document["year"] == 2027
    units = document["by_unit"]
    # 县统计局 left its one task (三)3 empty: 0 of 10, phase 10 → 10 ÷ 20 × 100 = 50.00, 不合格.
    stats = units["县统计局"]
    assert points(stats, "t3_3") == 0 and (stats["total"], stats["tier"]) == (50.0, "不合格")
    # Three departments on 80.00 share one rank and the next rank skips three places.
    tied = [name for name, unit in units.items() if unit["total"] == 80.0]
    assert sorted(tied) == sorted(["县司法局", "县自然资源局", "县教育局"])
    shared = {units[name]["rank"] for name in tied}
    assert len(shared) == 1
    after = min(u["rank"] for u in units.values() if u["total"] < 80.0)
    assert after == shared.pop() + 3


def test_a_level_that_is_not_one_of_the_three_is_refused(cli, allow_plugins, write):
    allow_plugins("lixian")
    text = DATA.read_text(encoding="utf-8").replace("县司法局,,,,,,,,,,,基本完成", "县司法局,,,,,,,,,,,大部完成")
    result = cli("rank", "lixian-departments", str(write("bad.csv", text)))
    assert result.exit_code == 1
    assert "大部完成" in result.output and "完成 / 基本完成 / 未完成" in result.output


@settings(max_examples=40, deadline=None)
@given(task=st.sampled_from(sorted(SHARES)), phase=st.sampled_from(sorted(SHARES)))
def test_a_two_item_department_scores_its_share_of_20_on_100(task, phase):
    ruleset = only(loaded_ruleset("lixian", "lixian-departments"), "t6", "phase_work")
    table = RawTable("p.csv", ("成员单位", "强力推进社会民生质量普惠发展", "工作步骤落实情况"),
                     [["县司法局", task, phase]], [2])
    total = score_batch(ruleset, bind(table, ruleset)).units[0].total
    expected = (10 * SHARES[task] + 10 * SHARES[phase]) / 20 * 100
    assert total == expected.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    assert 0 <= total <= 100
