"""The 重庆 district/county ranking: loaded through its entry point, each target traced to
the three Chongqing seed plans and chosen by the rule its assumptions state, and the
example ranking checked by hand, 石柱's tier and gap to 第二方阵 included."""

from __future__ import annotations

import json
from collections import Counter
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from qscore.reading.binding import bind
from qscore.reading.table import RawTable
from qscore.scoring.engine import score_batch
from qscore.plugins.manager import load_plugins
from qscore.reading.table import ReadOptions

ROOT = Path(__file__).resolve().parents[2]
SEEDS = Path(__file__).parents[1] / "seeds"  # byte-for-byte copies of the seed plans
SHIZHU, YONGCHUAN, KAIZHOU = "000_ae3be324c11ee3c0.txt", "002_2579526691e78db1.txt", "004_40eed3278287cde7.txt"
DATA = ROOT / "examples" / "chongqing" / "districts-2025.csv"
SHIZHU_NAME = "石柱土家族自治县"

# What each plan says, verbatim, and the figure the phrase gives.
QUOTES = {
    "mfg_competitiveness_index": [(SHIZHU, "制造业质量竞争力指数达到85以上", "85"),
                                  (YONGCHUAN, "制造业质量竞争力指数达到90以上", "90")],
    "agri_product_pass_rate": [(SHIZHU, "农产品质量安全例行监测合格率达到98%以上", "98"),
                               (YONGCHUAN, "农产品质量安全例行监测合格率达到98%以上", "98"),
                               (KAIZHOU, "农产品质量安全例行监测合格率和食品抽检合格率均达到98.3%以上", "98.3")],
    "food_pass_rate": [(SHIZHU, "食品抽检合格率达到98%以上", "98"),
                       (YONGCHUAN, "食品抽检合格率达到98.2%以上", "98.2"),
                       (KAIZHOU, "农产品质量安全例行监测合格率和食品抽检合格率均达到98.3%以上", "98.3")],
    "mfg_product_pass_rate": [(SHIZHU, "制造业产品和消费品质量合格率均达到95%以上", "95"),
                              (YONGCHUAN, "制造业产品和消费品质量合格率均达到95%以上", "95"),
                              (KAIZHOU, "制造业产品质量合格率达到95%以上", "95")],
    "consumer_goods_pass_rate": [(SHIZHU, "制造业产品和消费品质量合格率均达到95%以上", "95"),
                                 (YONGCHUAN, "制造业产品和消费品质量合格率均达到95%以上", "95")],
    "drug_circulation_pass_rate": [(SHIZHU, "流通领域药品抽检合格率达到98%以上", "98"),
                                   (YONGCHUAN, "流通领域药品抽检合格率达到99.5%以上", "99.5"),
                                   (KAIZHOU, "生产领域和流通领域药品抽检合格率分别达到99.8%99.5%以上", "99.5")],
    "prefab_building_share": [(SHIZHU, "装配式建筑面积占新建建筑面积的比例达到35%", "35"),
                              (YONGCHUAN, "装配式建筑面积占新建建筑面积的比例达到35%", "35")],
    "green_building_share": [(SHIZHU, "城镇新建绿色建筑占比达到100%", "100"),
                             (YONGCHUAN, "城镇新建绿色建筑占比达到100%", "100")],
    "major_project_acceptance_rate": [(SHIZHU, "重大建设工程竣工验收合格率保持100%", "100"),
                                      (YONGCHUAN, "重大建设工程竣工验收合格率保持100%", "100")],
    "public_service_satisfaction": [(SHIZHU, "公共服务质量满意度达到85分", "85"),
                                    (YONGCHUAN, "公共服务质量满意度达到82分", "82")],
    "life_service_satisfaction": [(SHIZHU, "生活性服务质量满意度达到85分", "85"),
                                  (YONGCHUAN, "生活性服务业质量满意度达到81分", "81")],
}


def chosen(figures: list[str]) -> Decimal:
    """The ruleset's stated rule: a figure at least two plans quote, else the lowest."""
    value, times = Counter(figures).most_common(1)[0]
    return Decimal(value) if times >= 2 else min(Decimal(f) for f in figures)


@pytest.fixture
def catalog(allow_plugins):
    allow_plugins("chongqing")
    return load_plugins()


def test_entry_point_registers_the_ranking(catalog):
    assert {rid: e.plugin for rid, e in catalog.rulesets.items()} == {"chongqing-districts": "chongqing"}


def test_every_target_is_quoted_by_the_plans_and_chosen_by_the_stated_rule(catalog):
    ruleset = catalog.ruleset("chongqing-districts")
    assert {i.id for i in ruleset.indicators} == set(QUOTES)
    assert sum(i.points for i in ruleset.indicators) == 100
    texts = {name: (SEEDS / name).read_text(encoding="utf-8") for name in (SHIZHU, YONGCHUAN, KAIZHOU)}
    for indicator in ruleset.indicators:
        quotes = QUOTES[indicator.id]
        for seed, phrase, _ in quotes:
            assert phrase in texts[seed], (indicator.id, seed, phrase)
        assert indicator.target.value == chosen([figure for _, _, figure in quotes]), indicator.id
        assert indicator.notes, indicator.id


def ranked(catalog):
    ruleset = catalog.ruleset("chongqing-districts")
    table = catalog.reader_for(DATA).read(DATA, ReadOptions())
    return score_batch(ruleset, bind(table, ruleset), year=2025)


def test_all_38_units_in_three_tiers(catalog):
    batch = ranked(catalog)
    assert len(batch.units) == 38
    tiers = Counter(u.tier for u in batch.units)
    # 13 / 13 / the rest; 黔江区 and 巫山县 share 25th, so ranks 1–26 hold 26 units.
    assert tiers == {"第一方阵": 13, "第二方阵": 13, "第三方阵": 12}


def test_shizhu_worked_example_tier_and_gap(catalog):
    batch = ranked(catalog)
    unit = batch.unit(SHIZHU_NAME)
    points = {r.indicator: r.points for r in unit.indicators}
    # 石柱 2025 (the figures of examples/shizhu/county-2025.csv):
    # 指数 87.8 ≥ 85 → 12; 农产品 98.1 ≥ 98 → 8; 食品 96.8: (98 − 96.8) × 2 = 2.4 → 5.6;
    # 制造业 94.2: 0.8 × 2 = 1.6 → 6.4; 消费品 93.5: 1.5 × 2 = 3 → 5; 药品 98.6: 0.9 × 4 = 3.6 → 4.4;
    # 装配式 30 ÷ 35 × 8 = 6.857… → 6.86; 绿色 58 ÷ 100 × 8 = 4.64; 重大工程 100 → 8; 满意度 84.6, 84.3 → 12 + 12.
    assert points["food_pass_rate"] == Decimal("5.60")
    assert points["drug_circulation_pass_rate"] == Decimal("4.40")
    assert points["prefab_building_share"] == Decimal("6.86")
    # 12 + (8 + 5.6 + 6.4 + 5 + 4.4) + (6.86 + 4.64 + 8) + 24 = 12 + 29.4 + 19.5 + 24 = 84.90
    assert unit.total == Decimal("84.90")
    assert (unit.rank, unit.tier) == (32, "第三方阵")
    # The lowest of 第二方阵 is 黔江区 (tied with 巫山县): 指数 86.6 → 12; 农产品 98.2, 食品 98.9,
    # 制造业 95.4 → 8 each; 消费品 93.1: 1.9 × 2 = 3.8 → 4.2; 药品 99.4: 0.1 × 4 = 0.4 → 7.6;
    # 装配式 32 ÷ 35 × 8 = 7.314… → 7.31; 绿色 74 ÷ 100 × 8 = 5.92; 重大工程 100 → 8;
    # 公共服务 80.1: 1.9 × 2 = 3.8 → 8.2; 生活性服务 81.6 → 12.
    # 12 + 35.8 + 21.23 + 20.2 = 89.23; gap = 89.23 − 84.90 = 4.33
    qianjiang = batch.unit("黔江区")
    assert (qianjiang.total, qianjiang.rank, qianjiang.tier) == (Decimal("89.23"), 25, "第二方阵")
    assert batch.unit("巫山县").rank == 25
    assert unit.gap_to_next == Decimal("4.33")


def test_cli_explain_answers_what_shizhu_lacks(cli, allow_plugins):
    allow_plugins("chongqing")
    result = cli("explain", "chongqing-districts", str(DATA), SHIZHU_NAME, "--year", "2025")
    assert result.exit_code == 0, result.output
    assert "排名：第 32 名 / 38    等次：第三方阵    总分：84.90" in result.output
    assert "距上一等次（第二方阵）还差：4.33 分" in result.output
    # Where the 4.33 points can come from, largest loss first (8 − 4.4 = 3.6, 8 − 4.64 = 3.36, …).
    assert "指标失分（从多到少）：流通领域药品抽检合格率 3.6；城镇新建绿色建筑占比 3.36；消费品质量合格率 3；" \
        in result.output


def test_cli_rank_order_and_missing_cell(cli, allow_plugins):
    allow_plugins("chongqing")
    result = cli("rank", "chongqing-districts", str(DATA), "--year", "2025", "--format", "json")
    assert result.exit_code == 0, result.output
    units = {u["unit"]: u for u in json.loads(result.stdout)["units"]}
    assert units["巴南区"]["rank"] == 1 and units["綦江区"]["rank"] == 38
    # 城口县's 装配式建筑占比 is "—": 0 of 8 points.
    prefab = next(i for i in units["城口县"]["indicators"] if i["id"] == "prefab_building_share")
    assert (prefab["value"], prefab["points"]) == (None, 0.0)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.lists(st.decimals("80", "100", places=1), min_size=11, max_size=11),
                min_size=38, max_size=38))
def test_gap_to_next_closes_exactly_to_the_next_tier(catalog, rows):
    """Whatever the figures, a unit's total plus its gap equals the lowest total in the
    class above, and tiers never go back up as ranks go down."""
    ruleset = catalog.ruleset("chongqing-districts")
    header = ("区县", *(i.name for i in ruleset.indicators))
    table = RawTable(file="generated.csv", header=header,
                     rows=[(f"区县{n}", *map(str, values)) for n, values in enumerate(rows)],
                     row_numbers=list(range(2, 40)))
    batch = score_batch(ruleset, bind(table, ruleset), year=2025)
    names = [g.name for g in ruleset.classification.grades]
    positions = [names.index(u.tier) for u in batch.units]
    assert positions == sorted(positions)
    for unit, position in zip(batch.units, positions):
        if position == 0:
            assert unit.gap_to_next is None
            continue
        lowest_above = min(u.total for u, p in zip(batch.units, positions) if p == position - 1)
        assert unit.total + unit.gap_to_next == lowest_above
