"""永川区: the 镇街 ruleset (质量强镇, “赛马比拼”) loaded through its entry point, checked
against the plan (seed 002) and run on the example data through the real CLI."""

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
from seed_quotes import (EXAMPLES, folded, installed_ruleset, loaded_ruleset, only, points, quote, rank_json,
                         seed_text, target_figures)

SEED = "002_2579526691e78db1.txt"
DATA = EXAMPLES / "yongchuan" / "towns-2027.csv"
# The 2027 targets the issue lists, with the plan's own words.
TARGETS = {
    "manufacturing_quality_index": ("90", "制造业质量竞争力指数达到90以上"),
    "food_pass_rate": ("98.2", "食品抽检合格率达到98.2%以上"),
    "drug_circulation_rate": ("99.5", "流通领域药品抽检合格率达到99.5%以上"),
    "public_service_satisfaction": ("82", "公共服务质量满意度达到82分"),
    "life_service_satisfaction": ("81", "生活性服务业质量满意度达到81分"),
    "national_industry_standards": ("2", "国家标准、行业标准共计2项"),
    "local_standards": ("3", "主导制定(修订)地方标准3项"),
}


def cents(number: Decimal) -> Decimal:
    return number.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


@pytest.fixture
def ruleset(allow_plugins):
    return installed_ruleset(allow_plugins, "yongchuan", "yongchuan-towns")


def test_the_plugin_is_listed_by_the_cli(allow_plugins, cli):
    allow_plugins("yongchuan")
    listed = json.loads(cli("rulesets", "--format", "json").output)
    assert [(r["id"], r["plugin"], r["unit_kind"]) for r in listed] == \
        [("yongchuan-departments", "yongchuan", "区级部门"), ("yongchuan-towns", "yongchuan", "镇街")]


def test_every_indicator_quotes_the_plan_and_its_figures(ruleset):
    seed = seed_text(SEED)
    by_id = {i.id: i for i in ruleset.indicators}
    for indicator in ruleset.indicators:
        assert quote(indicator) in seed, indicator.id
        for figure in target_figures(indicator):
            assert figure in quote(indicator) and figure in indicator.target.text, (indicator.id, figure)
    for key, (figure, words) in TARGETS.items():
        assert words in seed and words in quote(by_id[key]) and target_figures(by_id[key]) == [figure]


def test_the_town_assessment_is_the_plans(ruleset):
    seed = seed_text(SEED)
    for words in ("深化质量强镇建设", "打造质量强区建设示范镇", "推动质量强区建设工作“赛马比拼”"):
        assert folded(words) in seed and words in ruleset.source
    brands = next(i for i in ruleset.indicators if i.id == "quality_brands")
    assert brands.target.kind == "trend" and "不断壮大质量品牌矩阵" in seed
    # the plan states it under 质量支撑能力显著增强, not 产业质量竞争力
    assert brands.category == "support" and "质量支撑能力显著增强。国家级质量品牌总量和品牌价值显著增加" in seed
    assert [(g.name, g.share) for g in ruleset.classification.grades] == \
        [("第一方阵", Decimal("0.3")), ("第二方阵", Decimal("0.4")), ("第三方阵", None)]
    assert ruleset.full_marks == 100 and ruleset.scale_to == 100


def test_worked_points_for_jian_town(cli, allow_plugins):
    allow_plugins("yongchuan")
    jian = rank_json(cli, "yongchuan-towns", DATA)["by_unit"]["吉安镇"]
    # 食品 97.5 against 98.2: 0.7 short × 2 per point = 1.4 off 10 → 8.60
    assert points(jian, "food_pass_rate") == Decimal("8.60")
    # 制造业质量竞争力指数 84.1 against 90: 5.9 short × 1 = 5.9 off 10 → 4.10 (a ratio would give 9.34)
    assert points(jian, "manufacturing_quality_index") == Decimal("4.10")
    # 质量品牌数量 0 after 1 last year: not 不断壮大 → 0
    assert points(jian, "quality_brands") == 0


def test_an_exempt_street_is_scaled_and_bonus_is_added(cli, allow_plugins):
    allow_plugins("yongchuan")
    units = rank_json(cli, "yongchuan-towns", DATA)["by_unit"]
    chashan = units["茶山竹海街道"]
    # 制造业质量竞争力指数 不适用: full marks 90.  Points: 品牌 5 = 5 → 0; 农产品 97.7: 9 − 0.3 × 2 = 8.40;
    # 食品 97.4: 10 − 0.8 × 2 = 8.40; 制造业 6; 消费品 6; 药品 99.2 < 99.5 → 0; 装配式 23.2 ÷ 35 × 6 = 3.98;
    # 绿色建筑 96 ÷ 100 × 5 = 4.80; 重大工程 5; 公共服务 79.2: 2.8 short × 2 = 5.6 off 8 → 2.40;
    # 生活服务 79.5: 1.5 × 2 = 3 off 7 → 4.00; 国家/行业标准 0; 地方标准 3 × 2 = 6.
    # Sum 54.98; 54.98 ÷ 90 × 100 = 61.088… → 61.09
    assert points(chashan, "public_service_satisfaction") == Decimal("2.40")
    assert points(chashan, "life_service_satisfaction") == Decimal("4.00")
    assert sum(points(chashan, i["id"]) for i in chashan["indicators"]) == Decimal("54.98")
    assert chashan["total"] == 61.09
    # 卫星湖街道 was named a 示范镇: +3 on top of its indicator points.
    weixinghu = units["卫星湖街道"]
    assert weixinghu["bonus"] == 3
    assert Decimal(str(weixinghu["total"])) == sum(points(weixinghu, i["id"]) for i in weixinghu["indicators"]) + 3


def test_the_example_race_ranks_tiers_and_ties(cli, allow_plugins):
    allow_plugins("yongchuan")
    units = rank_json(cli, "yongchuan-towns", DATA)["by_unit"]
    assert len(units) == 23
    assert sum(name.endswith("街道") for name in units) == 7 and sum(name.endswith("镇") for name in units) == 16
    # 23 镇街: 第一方阵 to rank round(0.3 × 23 = 6.9) = 7, 第二方阵 to rank round(0.7 × 23 = 16.1) = 16.
    for unit in units.values():
        expected = "第一方阵" if unit["rank"] <= 7 else "第二方阵" if unit["rank"] <= 16 else "第三方阵"
        assert unit["tier"] == expected, unit["unit"]
    # 五间镇 repeats 吉安镇 with values only above their targets: same total, same rank.
    assert units["五间镇"]["total"] == units["吉安镇"]["total"]
    assert units["五间镇"]["rank"] == units["吉安镇"]["rank"]
    # 双石镇 left 食品抽检合格率 empty ("-"): 0 of 10.
    assert points(units["双石镇"], "food_pass_rate") == 0


@settings(max_examples=80, deadline=None)
@given(value=st.decimals("90", "100", places=2))
def test_food_rate_loses_two_points_per_point_short_of_98_2(value):
    ruleset = only(loaded_ruleset("yongchuan", "yongchuan-towns"), "food_pass_rate")
    table = RawTable("f.csv", ("镇街", "食品抽检合格率"), [["吉安镇", str(value)]], [2])
    total = score_batch(ruleset, bind(table, ruleset)).units[0].total
    # scale_to: 10 points of 10 → ×100/10
    assert total == cents(max(10 - 2 * max(Decimal("98.2") - value, Decimal(0)), Decimal(0)) * 10)


# Each indicator's lead, and the task (by its number) whose 责任单位 it is taken from.
LEADS = {"manufacturing_quality_index": (2, "区市场监管局"), "quality_brands": (15, "区经济信息委"),
         "farm_product_rate": (5, "区农业农村委"), "food_pass_rate": (6, "区市场监管局"),
         "manufacturing_pass_rate": (8, "区市场监管局"), "consumer_goods_pass_rate": (7, "区市场监管局"),
         "drug_circulation_rate": (6, "区市场监管局"), "prefabricated_building_share": (10, "区住房城乡建委"),
         "green_building_share": (10, "区住房城乡建委"), "major_project_acceptance_rate": (9, "区住房城乡建委"),
         "public_service_satisfaction": (14, "区市场监管局"), "life_service_satisfaction": (13, "区市场监管局"),
         "national_industry_standards": (18, "区市场监管局"), "local_standards": (18, "区市场监管局")}


def task_units(seed: str, number: int) -> str:
    """The 责任单位 of task ``number`` in the plan, as written."""
    line = next(line for line in seed.splitlines() if re.match(rf"(?:\[bookmark: _GoBack\])?{number}\. ", line))
    return line.rsplit("(责任单位:", 1)[1]


def test_every_lead_is_a_unit_its_task_names(ruleset):
    seed = seed_text(SEED)
    by_id = {i.id: i for i in ruleset.indicators}
    assert set(by_id) == set(LEADS)
    for key, (task, lead) in LEADS.items():
        assert by_id[key].lead == lead, key
        assert lead in task_units(seed, task), (key, task)
        assert any(f"“{task}. " in note for note in by_id[key].notes), key
    # the first-listed unit where 石柱's annex has nothing to compare (品牌总量): task 15 opens with 区经济信息委
    assert task_units(seed, 15).startswith("区经济信息委")
