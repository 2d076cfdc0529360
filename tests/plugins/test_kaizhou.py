"""开州区: the 乡镇（街道） ruleset loaded through its entry point, checked against the
plan (seed 004) and run on the example data through the real CLI."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from qscore.reading.binding import bind
from qscore.reading.table import RawTable
from qscore.scoring.engine import score_batch
from seed_quotes import (EXAMPLES, installed_ruleset, loaded_ruleset, only, points, quote, rank_json, seed_text,
                         target_figures)

SEED = "004_40eed3278287cde7.txt"
DATA = EXAMPLES / "kaizhou" / "towns-2027.csv"
TARGETS = {"farm_product_rate": "98.3", "food_pass_rate": "98.3", "manufacturing_pass_rate": "95",
           "drug_production_rate": "99.8", "drug_circulation_rate": "99.5"}
TRENDS = {"construction_compliance_rate": "工程质量抽查符合率不断提高",
          "consumer_goods_pass_rate": "不断提高消费品质量合格率",
          "customer_satisfaction": "重点服务行业顾客满意度明显改善",
          "known_brands": "知名品牌数量显著增加"}


@pytest.fixture
def ruleset(allow_plugins):
    return installed_ruleset(allow_plugins, "kaizhou", "kaizhou-towns")


def test_the_plugin_is_listed_by_the_cli(allow_plugins, cli):
    allow_plugins("kaizhou")
    listed = json.loads(cli("rulesets", "--format", "json").output)
    assert [(r["id"], r["plugin"], r["unit_kind"]) for r in listed] == \
        [("kaizhou-departments", "kaizhou", "区级部门"), ("kaizhou-towns", "kaizhou", "乡镇（街道）")]


def test_targets_and_trends_quote_the_plan(ruleset):
    seed = seed_text(SEED)
    by_id = {i.id: i for i in ruleset.indicators}
    for indicator in ruleset.indicators:
        assert quote(indicator) in seed, indicator.id
    for key, figure in TARGETS.items():
        assert target_figures(by_id[key]) == [figure]
        assert figure + "%" in quote(by_id[key]) and figure + "%" in by_id[key].target.text
    for key, words in TRENDS.items():
        assert words in seed and words in quote(by_id[key])
        assert (by_id[key].target.kind, by_id[key].target.strict) == ("trend", True)
    assert "探索建立完善质量考核督查激励制度" in seed and "质量考核督查激励制度" in ruleset.source
    assert ruleset.full_marks == 100


def test_worked_total_of_a_township_with_a_missing_and_an_exempt_cell(cli, allow_plugins):
    allow_plugins("kaizhou")
    zishui = rank_json(cli, "kaizhou-towns", DATA)["by_unit"]["紫水乡"]
    # 农产品 97.7: 12 − 0.6 × 3 = 10.20; 食品 97.2: 14 − 1.1 × 3 = 10.70; 制造业 empty → 0;
    # 生产领域药品 不适用 (no points, no full marks); 流通领域 100 → 10;
    # 工程 89.5 > 88.9 → 11; 消费品 93.3 > 92.8 → 11; 满意度 78.8 < 79.8 → 0; 品牌 5 > 4 → 11.
    assert [points(zishui, key) for key in ("farm_product_rate", "food_pass_rate", "manufacturing_pass_rate")] == \
        [Decimal("10.20"), Decimal("10.70"), 0]
    # 63.90 of 100 − 8 = 92 full marks: 63.90 ÷ 92 × 100 = 69.456… → 69.46, 合格
    assert sum(Decimal(str(i["max_points"])) for i in zishui["indicators"]) == 92
    assert (zishui["total"], zishui["tier"]) == (69.46, "合格")


def test_the_example_ranks_and_ties(cli, allow_plugins):
    allow_plugins("kaizhou")
    document = rank_json(cli, "kaizhou-towns", DATA)
    units = document["by_unit"]
    assert len(units) == 40
    # 8 街道 / 27 镇 / 5 乡 since 镇安镇 became 正安街道 (2020), 白泉乡 雪宝山镇 and 满月乡 满月镇
    assert [sum(n.endswith(s) for n in units) for s in ("街道", "镇", "乡")] == [8, 27, 5]
    assert {"正安街道", "雪宝山镇", "满月镇"} <= set(units) and not {"镇安镇", "白泉乡", "满月乡"} & set(units)
    assert units["关面乡"]["total"] == units["满月镇"]["total"]
    assert units["关面乡"]["rank"] == units["满月镇"]["rank"]
    ranks = [u["rank"] for u in document["units"]]
    assert ranks == sorted(ranks) and ranks[0] == 1
    for unit in document["units"]:
        grade = "优秀" if unit["total"] >= 90 else "良好" if unit["total"] >= 80 else \
            "合格" if unit["total"] >= 60 else "不合格"
        assert unit["tier"] == grade


def test_a_trend_without_last_years_value_scores_zero_and_the_column_is_named(cli, allow_plugins, write):
    # The ruleset's missing-value policy is zero: 汉丰街道 lacks 上年, so scores 0 on the trend.
    allow_plugins("kaizhou")
    lines = DATA.read_text(encoding="utf-8").splitlines()
    lines[1] = lines[1].replace(lines[1].split(",")[6] + "," + lines[1].split(",")[7],
                                "," + lines[1].split(",")[7], 1)
    path = write("no-previous.csv", "\n".join(lines) + "\n")
    result = cli("rank", "kaizhou-towns", str(path), "--year", "2027", "--format", "json")
    assert result.exit_code == 0, result.output
    unit = next(u for u in json.loads(result.stdout)["units"] if u["unit"] == "汉丰街道")
    trend = next(i for i in unit["indicators"] if i["id"] == "construction_compliance_rate")
    assert (trend["points"], trend["explanation"]) == (0.0, "缺少上年值（工程质量抽查符合率@上年），按缺失值规则记0分")
    # The example's own gaps come first (五通乡's 食品抽检合格率 "—", 紫水乡's empty 制造业产品质量合格率).
    assert result.stderr == (f"notice: {path}, column '食品抽检合格率': 1 unit(s) have no value for 食品抽检合格率 "
                             "(五通乡): scored 0 under the missing-value policy 'zero'\n"
                             f"notice: {path}, column '制造业产品质量合格率': 1 unit(s) have no value for "
                             "制造业产品质量合格率 (紫水乡): scored 0 under the missing-value policy 'zero'\n"
                             f"notice: {path}, column '工程质量抽查符合率@上年': 1 unit(s) lack the figure "
                             "工程质量抽查符合率@上年 that the target or rule needs (汉丰街道): scored 0 under the "
                             "missing-value policy 'zero'\n")


@settings(max_examples=80, deadline=None)
@given(previous=st.decimals("80", "100", places=1), value=st.decimals("80", "100", places=1))
def test_a_trend_scores_only_a_real_improvement(previous, value):
    ruleset = only(loaded_ruleset("kaizhou", "kaizhou-towns"), "construction_compliance_rate")
    table = RawTable("t.csv", ("乡镇（街道）", "工程质量抽查符合率@上年", "工程质量抽查符合率"),
                     [["汉丰街道", str(previous), str(value)]], [2])
    total = score_batch(ruleset, bind(table, ruleset)).units[0].total
    assert total == (100 if value > previous else 0)


# Each indicator's lead, and the task whose 责任单位 it is taken from (石柱's annex decides
# among them where it has the same indicator or category).
LEADS = {"farm_product_rate": (1, "区农业农村委"), "food_pass_rate": (1, "区市场监管局"),
         "manufacturing_pass_rate": (3, "区市场监管局"), "drug_production_rate": (1, "区市场监管局"),
         "drug_circulation_rate": (1, "区市场监管局"), "construction_compliance_rate": (4, "区住房城乡建委"),
         "consumer_goods_pass_rate": (2, "区市场监管局"), "customer_satisfaction": (5, "区市场监管局"),
         "known_brands": (6, "区市场监管局")}


def task_units(seed: str, number: int) -> str:
    """The 责任单位 of task ``number`` as the plan writes them."""
    line = next(line for line in seed.splitlines() if line.startswith(f"{number}."))
    return line.rsplit("责任单位:", 1)[1]


def test_leads_come_from_the_tasks_and_categories_from_the_plans_goals(ruleset):
    seed = seed_text(SEED)
    by_id = {i.id: i for i in ruleset.indicators}
    for key, (task, lead) in LEADS.items():
        assert by_id[key].lead == lead and lead in task_units(seed, task), key
        assert any(f"“{task}. " in note for note in by_id[key].notes), key
    assert {c.name for c in ruleset.categories} == {"产品、工程、服务质量水平", "品牌影响力"}
    assert "——产品、工程、服务质量水平显著提升" in seed and "——品牌影响力不断扩大" in seed
    assert {i.id for i in ruleset.indicators if i.category == "brand"} == {"known_brands"}
