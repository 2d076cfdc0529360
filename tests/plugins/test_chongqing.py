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
from seed_quotes import annex_rows

ROOT = Path(__file__).resolve().parents[2]
SEEDS = Path(__file__).parents[1] / "seeds"  # byte-for-byte copies of the seed plans
SHIZHU, YONGCHUAN, KAIZHOU = "000_ae3be324c11ee3c0.txt", "002_2579526691e78db1.txt", "004_40eed3278287cde7.txt"
DATA = ROOT / "examples" / "chongqing" / "districts-2025.csv"
SHIZHU_NAME = "石柱土家族自治县"

# What each plan says, verbatim, and the figure the phrase gives.  石柱's formal figure is
# its annex's 2027 value (ANNEX) where the annex has the row; its text is quoted beside it.
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
    "public_service_satisfaction": [(SHIZHU, "公共服务质量满意度达到85分、进入全市一流行列", "85"),
                                    (YONGCHUAN, "公共服务质量满意度达到82分进入全市前列", "82")],
    "life_service_satisfaction": [(SHIZHU, "生活性服务质量满意度达到85分", "85"),
                                  (YONGCHUAN, "生活性服务业质量满意度达到81分", "81")],
}
# The annex row standing for 石柱 where it has one (name as the annex writes it).
ANNEX = {"mfg_competitiveness_index": "制造业质量竞争力指数", "agri_product_pass_rate": "农产品质量安全例行监测合格率",
         "food_pass_rate": "食品抽检合格率", "mfg_product_pass_rate": "制造业产品质量合格率",
         "consumer_goods_pass_rate": "消费品质量合格率", "drug_circulation_pass_rate": "流通领域药品抽检合格率",
         "prefab_building_share": "装配式建筑面积占新建建筑面积的比例", "green_building_share": "城镇新建绿色建筑占比",
         "major_project_acceptance_rate": "重大建设工程验收合格率", "public_service_satisfaction": "公共服务质量满意度",
         "life_service_satisfaction": "生活性服务业质量满意度"}


def formal(indicator_id: str) -> list[Decimal]:
    """Each plan's formal figure: 石柱's annex 2027 value where the annex has the row, else its text."""
    annex = {name: target for _, name, _, _, target, _ in annex_rows()}
    return [Decimal(annex[ANNEX[indicator_id]]) if seed == SHIZHU else Decimal(figure)
            for seed, _, figure in QUOTES[indicator_id]]


@pytest.fixture
def catalog(allow_plugins):
    allow_plugins("chongqing")
    return load_plugins()


def test_entry_point_registers_the_ranking(catalog):
    assert {rid: e.plugin for rid, e in catalog.rulesets.items()} == {"chongqing-districts": "chongqing"}


def test_every_target_is_quoted_by_the_plans_and_is_the_lowest_formal_figure(catalog):
    ruleset = catalog.ruleset("chongqing-districts")
    assert {i.id for i in ruleset.indicators} == set(QUOTES)
    assert sum(i.points for i in ruleset.indicators) == 100
    texts = {name: (SEEDS / name).read_text(encoding="utf-8") for name in (SHIZHU, YONGCHUAN, KAIZHOU)}
    for indicator in ruleset.indicators:
        for seed, phrase, _ in QUOTES[indicator.id]:
            assert phrase in texts[seed], (indicator.id, seed, phrase)
        # the lowest figure any of the three plans formally commits to
        assert indicator.target.value == min(formal(indicator.id)), indicator.id
        assert indicator.notes, indicator.id
    # Standards counts are in two plans but in different terms (参与 vs 主导): left out, and said why.
    assert "参与地方标准制定" in texts[SHIZHU] and "主导制定（修订）地方标准3项" in texts[YONGCHUAN]
    assert any("标准制定数" in a and "口径不同" in a for a in ruleset.assumptions)
    by_id = {i.id: i for i in ruleset.indicators}
    # 石柱's text 85 is its 2023 baseline in the annex (2027: 92); 永川 90 → 90, not 85
    assert formal("mfg_competitiveness_index") == [Decimal(92), Decimal(90)]
    assert by_id["mfg_competitiveness_index"].target.value == 90
    # 流通领域药品: 石柱's annex 99, 永川 and 开州 99.5 → 99, no district above its own plan
    assert by_id["drug_circulation_pass_rate"].target.value == 99
    assert "渝委发〔2023〕11号" in ruleset.source and "不是从它抄来的" in ruleset.source


def test_the_rank_clauses_of_both_plans_are_a_top_target(catalog):
    target = {i.id: i for i in catalog.ruleset("chongqing-districts").indicators}["public_service_satisfaction"].target
    assert (target.kind, target.place, target.value, target.direction) == ("top", 13, Decimal(82), "higher")
    assert catalog.ruleset("chongqing-districts").classification.grades[0].count == 13   # 前列 = 第一方阵
    assert any("全国优势农业特色产业集群" in a and "不纳入" in a for a in catalog.ruleset("chongqing-districts").assumptions)


def ranked(catalog):
    ruleset = catalog.ruleset("chongqing-districts")
    table = catalog.reader_for(DATA).read(DATA, ReadOptions())
    return score_batch(ruleset, bind(table, ruleset), year=2025)


def test_all_38_units_in_three_tiers(catalog):
    batch = ranked(catalog)
    assert len(batch.units) == 38
    tiers = Counter(u.tier for u in batch.units)
    # 13 / 13 / the rest, but 黔江区 and 巫山县 share 26th: both stay in 第二方阵, which holds 14.
    assert tiers == {"第一方阵": 13, "第二方阵": 14, "第三方阵": 11}
    assert batch.unit("黔江区").rank == batch.unit("巫山县").rank == 26


def test_shizhu_worked_example_tier_and_gap(catalog):
    batch = ranked(catalog)
    unit = batch.unit(SHIZHU_NAME)
    points = {r.indicator: r.points for r in unit.indicators}
    # 石柱 2025 (the figures of examples/shizhu/county-2025.csv):
    # 指数 87.8 against 90: 2.2 × 2 = 4.4 → 7.6; 农产品 98.1 ≥ 98 → 8; 食品 96.8: 1.2 × 2 = 2.4 → 5.6;
    # 制造业 94.2: 0.8 × 2 = 1.6 → 6.4; 消费品 93.5: 1.5 × 2 = 3 → 5; 药品 98.6 against 99: 0.4 × 4 = 1.6 → 6.4;
    # 装配式 30 ÷ 35 × 8 = 6.857… → 6.86; 绿色 58 ÷ 100 × 8 = 4.64; 重大工程 100 → 8;
    # 公共服务 84.6 against the 13th best (江北区 84.3, above 82) → 12; 生活性服务 84.3 ≥ 81 → 12.
    assert points["mfg_competitiveness_index"] == Decimal("7.60")
    assert points["drug_circulation_pass_rate"] == Decimal("6.40")
    assert points["prefab_building_share"] == Decimal("6.86")
    assert points["public_service_satisfaction"] == Decimal("12.00")
    # 7.6 + (8 + 5.6 + 6.4 + 5 + 6.4) + (6.86 + 4.64 + 8) + 24 = 7.6 + 31.4 + 19.5 + 24 = 82.50
    assert unit.total == Decimal("82.50")
    assert (unit.rank, unit.tier) == (19, "第二方阵")   # 迈入全市第二方阵
    # The lowest of 第一方阵 is 九龙坡区, 13th: 指数 89.4: 0.6 × 2 → 10.8; 农产品 98.8 → 8; 食品 97.4: 0.6 × 2
    # → 6.8; 制造业 94.3: 0.7 × 2 → 6.6; 消费品 95.9, 药品 99.6 → 8 + 8; 装配式 32 ÷ 35 × 8 → 7.31;
    # 绿色 89 ÷ 100 × 8 = 7.12; 重大工程 8; 公共服务 81.1 against 84.3: 3.2 × 2 = 6.4 → 5.6; 生活性服务 81.9 → 12.
    # 10.8 + 37.4 + 22.43 + 17.6 = 88.23; gap = 88.23 − 82.50 = 5.73
    jiulongpo = batch.unit("九龙坡区")
    assert (jiulongpo.total, jiulongpo.rank, jiulongpo.tier) == (Decimal("88.23"), 13, "第一方阵")
    assert unit.gap_to_next == Decimal("5.73")


def test_the_satisfaction_target_is_the_13th_best_of_the_year(catalog):
    batch = ranked(catalog)
    # Best first: 云阳 86.0, 荣昌 85.6, 铜梁 85.1, 奉节 85.1, 南岸/潼南/垫江 84.9, 合川 84.8, 大足 84.7,
    # 永川/石柱 84.6, 忠县 84.4, 江北 84.3 (13th) → the target is 84.3 for all, above 82.
    assert {u.indicators[9].target for u in batch.units} == {Decimal("84.3")}
    # 黔江区 80.1: 4.2 short × 2 = 8.4 → 3.60, where the old 82 alone would have given 8.20
    assert batch.unit("黔江区").indicators[9].points == Decimal("3.60")


def test_cli_explain_answers_what_shizhu_lacks(cli, allow_plugins):
    allow_plugins("chongqing")
    result = cli("explain", "chongqing-districts", str(DATA), SHIZHU_NAME, "--year", "2025")
    assert result.exit_code == 0, result.output
    assert "排名：第 19 名 / 38    等次：第二方阵    总分：82.50" in result.output
    assert "目标：38个单位中前13名的最低值 = 84.3；与 82 取较高者 = 84.3；扣分：84.6 ≥ 84.3" in result.output
    assert "距上一等次（第一方阵）还差：5.73 分" in result.output
    # Where the 5.73 points can come from, largest loss first (12 − 7.6 = 4.4, 8 − 4.64 = 3.36, …).
    assert "指标失分（从多到少）：制造业质量竞争力指数 4.4；城镇新建绿色建筑占比 3.36；消费品质量合格率 3；" \
        in result.output


def test_cli_rank_order_and_missing_cell(cli, allow_plugins):
    allow_plugins("chongqing")
    result = cli("rank", "chongqing-districts", str(DATA), "--year", "2025", "--format", "json")
    assert result.exit_code == 0, result.output
    units = {u["unit"]: u for u in json.loads(result.stdout)["units"]}
    # 江北区: 指数 88.6 → 12 − 1.4 × 2 = 9.2; 98% and more everywhere → 40; 32 ÷ 35 × 8 = 7.31,
    # 87 ÷ 100 × 8 = 6.96, 8 → 22.27; 满意度 84.3 is the 13th best itself → 12, 81.2 → 12: 95.47, first.
    assert (units["江北区"]["rank"], units["江北区"]["total"]) == (1, 95.47) and units["綦江区"]["rank"] == 38
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
    table = RawTable(file="generated.csv", header=header,  # the 38 区县 of the roster
                     rows=[(name, *map(str, values)) for name, values in zip(ruleset.roster.units, rows)],
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


def test_the_readme_shows_what_explain_prints(cli, allow_plugins, monkeypatch):
    allow_plugins("chongqing")
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    block = readme.split("$ qscore explain chongqing-districts", 1)[1].split("```", 1)[0]
    monkeypatch.chdir(ROOT)  # the data named as the README names it, in its notices too
    result = cli("explain", "chongqing-districts", str(DATA.relative_to(ROOT)), SHIZHU_NAME, "--year", "2025")
    shown = [line.rstrip("…；") for line in block.splitlines()[1:] if line.strip() and line.strip() != "…"]
    assert len(shown) >= 8
    for line in shown:
        assert line in result.output, line
