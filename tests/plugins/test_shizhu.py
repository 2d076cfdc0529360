"""The 石柱 plug-in: loaded through its entry point, its figures checked against the seed
plan's annex, and worked examples computed by hand from the seed numbers."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest

from qscore.reading.binding import bind
from qscore.scoring.engine import score_batch
from qscore.plugins.manager import load_plugins
from qscore.reading.table import ReadOptions
from seed_quotes import annex_rows, folded, quote, seed_text

ROOT = Path(__file__).resolve().parents[2]
# Copies of the seed plans, byte for byte, so the tests need nothing outside the repository.
SEED = Path(__file__).parents[1] / "seeds" / "000_ae3be324c11ee3c0.txt"
EXAMPLES = ROOT / "examples" / "shizhu"
# The annex leaves three rows without a unit; the plan's text counts them in 个.
UNIT_FROM_TEXT = {"参与地方标准制定": "地方标准1个", "企业标准": "企业标准5个", "团体标准": "团体标准2个"}


def test_annex_parser_reads_26_rows():
    rows = annex_rows()
    assert len(rows) == 26
    assert rows[17][1:3] == ("重庆市市长质量管理奖（含提名奖）", "家")
    assert rows[0] == ("产业质量竞争力水平", "制造业质量竞争力指数", "", "85", "92", "县市场监管局")


@pytest.fixture
def catalog(allow_plugins):
    allow_plugins("shizhu")
    return load_plugins()


def test_entry_point_registers_three_rulesets(catalog):
    owned = {rid: entry.plugin for rid, entry in catalog.rulesets.items()}
    assert owned == {"shizhu-county": "shizhu", "shizhu-township": "shizhu", "shizhu-members": "shizhu"}


@pytest.mark.parametrize("ruleset_id", ["shizhu-county", "shizhu-members"])
def test_every_annex_row_is_carried_exactly(catalog, ruleset_id):
    ruleset = catalog.ruleset(ruleset_id)
    categories = {c.id: c.name for c in ruleset.categories}
    annex = [i for i in ruleset.indicators if i.category != "text"]
    assert len(annex) == 26
    text = SEED.read_text(encoding="utf-8")
    for indicator, (category, name, unit, base, target, lead) in zip(annex, annex_rows()):
        if name in UNIT_FROM_TEXT:
            assert (unit, indicator.unit) == ("", "个") and UNIT_FROM_TEXT[name] in text, name
            assert any("单位记为“个”" in note for note in indicator.notes), name
            unit = "个"
        assert (categories[indicator.category], indicator.name, indicator.unit, indicator.lead) == \
            (category, name, unit, lead)
        assert indicator.baseline == (None if base == "-" else Decimal(base)), name
        assert indicator.target.value == Decimal(target), name
        assert f"2023年 {base}，2027年 {target}" in indicator.source, name


def test_text_figures_that_disagree_with_the_annex_are_notes(catalog):
    text = SEED.read_text(encoding="utf-8")
    by_id = {i.id: i for i in catalog.ruleset("shizhu-county").indicators}
    for phrase, ident, figure in (("制造业质量竞争力指数达到85以上", "mfg_competitiveness_index", "85"),
                                  ("制造业产品和消费品质量合格率均达到95%以上", "mfg_product_pass_rate", "95%"),
                                  ("制造业产品和消费品质量合格率均达到95%以上", "consumer_goods_pass_rate", "95%"),
                                  ("流通领域药品抽检合格率达到98%以上", "drug_circulation_pass_rate", "98%")):
        assert phrase in text
        assert any(f"正文的{figure}" in note for note in by_id[ident].notes), ident
        assert by_id[ident].target.value != Decimal(figure.rstrip("%"))


def test_rulesets_say_what_the_plan_does_not(catalog):
    for ruleset_id in ("shizhu-county", "shizhu-township", "shizhu-members"):
        ruleset = catalog.ruleset(ruleset_id)
        assert sum(i.points for i in ruleset.indicators) == 100
        assert any("方案未规定" in a for a in ruleset.assumptions), ruleset_id


def test_township_indicators_are_annex_rows(catalog):
    annex = {name: (unit, base, target, lead) for _, name, unit, base, target, lead in annex_rows()}
    for indicator in catalog.ruleset("shizhu-township").indicators:
        unit, base, target, lead = annex[indicator.name]
        assert (indicator.unit, indicator.baseline, indicator.target.value, indicator.lead) == \
            (unit, Decimal(base), Decimal(target), lead)


def scored(catalog, ruleset_id: str, name: str, year: int):
    ruleset = catalog.ruleset(ruleset_id)
    path = EXAMPLES / name
    table = catalog.reader_for(path).read(path, ReadOptions())
    return score_batch(ruleset, bind(table, ruleset), year=year)


def test_county_2025_worked_example(catalog):
    unit = scored(catalog, "shizhu-county", "county-2025.csv", 2025).unit("石柱县")
    points = {r.indicator: r for r in unit.indicators}
    # 制造业质量竞争力指数 87.8; 2025 target 85 + (92 − 85) × 2 ÷ 4 = 88.5;
    # progress (87.8 − 85) ÷ (88.5 − 85) = 2.8 ÷ 3.5 = 0.8; 4 × 0.8 = 3.20, behind the path.
    index = points["mfg_competitiveness_index"]
    assert (index.target, index.points, index.met) == (Decimal("88.5"), Decimal("3.20"), False)
    # 城镇新建绿色建筑占比 58; target 10 + (100 − 10) × 2 ÷ 4 = 55; 58 ≥ 55 → 4, on track.
    green = points["green_building_share"]
    assert (green.target, green.points, green.met) == (Decimal("55"), Decimal("4.00"), True)
    # 市长质量管理奖: 2023 "-", one award judged only in 2027 (interim = horizon): the 2025
    # target is the baseline 0, held; 1 award ≥ 0 → 4.
    assert points["mayor_quality_award"].target == Decimal("0")
    assert points["mayor_quality_award"].points == Decimal("4.00")
    # 全国优势农业特色产业集群 likewise: 0 in 2025 holds the baseline 0 → 4 (not 0 against a quarter-cluster path).
    assert (points["agri_industry_clusters"].target, points["agri_industry_clusters"].points) == \
        (Decimal("0"), Decimal("4.00"))
    # 科技型企业 420: 2025 target 353 + 147 × 2 ÷ 4 = 426.5, rounded up to 427 (家);
    # (420 − 353) ÷ (427 − 353) = 67 ÷ 74 = 0.9054…; 4 × 0.9054… = 3.6216… → 3.62
    tech = points["tech_enterprises"]
    assert (tech.target, tech.points) == (Decimal("427"), Decimal("3.62"))
    # 地理标志 6 → 7 is one item, judged in 2027: 2025 holds 6; 6 ≥ 6 → 4.
    assert (points["geographical_indications"].target, points["geographical_indications"].points) == \
        (Decimal("6"), Decimal("4.00"))
    # 重大建设工程验收合格率 保持100%: the 2025 target is 100, not a point on a path.
    assert points["major_project_acceptance_rate"].target == Decimal("100")


def test_township_worked_example_nanbin(catalog):
    batch = scored(catalog, "shizhu-township", "townships-2025.csv", 2025)
    unit = batch.unit("南宾街道")
    points = {r.indicator: r.points for r in unit.indicators}
    # 南宾街道: 农产品 97.7, 食品 97.9, 商标 1449, 公共服务 83.5, 生活性服务 82.
    # 农产品 98 held: shortfall 0.3 point × 5 per point = 1.5 → 25 − 1.5 = 23.50
    assert points["agri_product_pass_rate"] == Decimal("23.50")
    # 食品 2025 target 95 + (98 − 95) × 2 ÷ 4 = 96.5; (97.9 − 95) ÷ (96.5 − 95) > 1 → 25.00
    assert points["food_pass_rate"] == Decimal("25.00")
    # 商标 target 1050 + 100 × 2 ÷ 4 = 1100; 1449 ÷ 1100 > 1 → 20.00
    assert points["trademarks_per_10k_entities"] == Decimal("20.00")
    # 满意度 target 84 + 1 × 2 ÷ 4 = 84.5, 3 points off per point short:
    # 83.5: 1 × 3 = 3 → 12.00; 82: 2.5 × 3 = 7.5 → 7.50
    assert points["public_service_satisfaction"] == Decimal("12.00")
    assert points["life_service_satisfaction"] == Decimal("7.50")
    # 23.50 + 25 + 20 + 12 + 7.5 = 88.00: 80 ≤ 88 < 90 → 良好
    assert (unit.total, unit.tier) == (Decimal("88.00"), "良好")


def test_township_ties_missing_cells_and_veto(catalog):
    batch = scored(catalog, "shizhu-township", "townships-2025.csv", 2025)
    assert len(batch.units) == 33
    by_name = {u.unit: u for u in batch.units}
    # 马武镇 and 黎场乡 have the same figures: they share 24th, and the next unit is 26th.
    assert by_name["马武镇"].rank == by_name["黎场乡"].rank == 24
    assert [u.rank for u in batch.units if u.rank > 24][0] == 26
    # 冷水镇 scores 73.43 (合格 by score) but has a 重大质量安全事故: last and 不合格.
    cold = by_name["冷水镇"]
    assert (cold.vetoed, cold.rank, cold.tier) == (True, 33, "不合格") and cold.total > 60
    # 石家乡's 生活性服务业质量满意度 is "-": 0 points, said so.
    assert {r.indicator: r.points for r in by_name["石家乡"].indicators}["life_service_satisfaction"] == 0
    # 三河镇 被通报批评 once: −2; 黄水镇 a mayor's award: +3.
    assert (by_name["三河镇"].deductions, by_name["黄水镇"].bonus) == (2, 3)


def test_members_scaled_on_the_indicators_they_lead(catalog):
    batch = scored(catalog, "shizhu-members", "members-2025.csv", 2025)
    by_name = {u.unit: u for u in batch.units}
    econ = by_name["县经济信息委"]
    assert sum(r.max_points for r in econ.indicators) == 12  # leads three 4-point indicators
    # 高新技术企业 25: target 17 + 18 × 2 ÷ 4 = 26; (25 − 17) ÷ 9 × 4 = 3.555… → 3.56
    # 科技型企业 420: target 353 + 147 × 2 ÷ 4 = 426.5, rounded up to 427; 67 ÷ 74 × 4 = 3.621… → 3.62
    # 小巨人 3: target 2 + 2 × 2 ÷ 4 = 3 → 4.00.  (3.56 + 3.62 + 4) ÷ 12 × 100 = 93.166… → 93.17
    assert (econ.total, econ.tier) == (Decimal("93.17"), "优秀")
    # 县商务委: 重庆老字号 4 against 3 + 2 × 2 ÷ 4 = 4 → 4 ÷ 4 × 100 = 100, 被通报批评 once − 2 = 98
    assert by_name["县商务委"].total == Decimal("98.00")


def test_cli_explains_the_county_on_track(cli, allow_plugins):
    allow_plugins("shizhu")
    result = cli("explain", "shizhu-county", str(EXAMPLES / "county-2025.csv"), "石柱县", "--year", "2025")
    assert result.exit_code == 0, result.output
    assert "2025年进度目标 = 85 + (92 − 85) × (2025 − 2023) ÷ (2027 − 2023) = 88.5" in result.output
    assert "实际值：87.8，进度滞后" in result.output
    assert "实际值：58%，进度达标" in result.output


def test_cli_ranks_all_townships(cli, allow_plugins):
    allow_plugins("shizhu")
    result = cli("rank", "shizhu-township", str(EXAMPLES / "townships-2025.csv"), "--year", "2025",
                 "--format", "json")
    assert result.exit_code == 0, result.output
    units = json.loads(result.stdout)["units"]
    assert len(units) == 33
    # 下路街道: 98.4, 96.9, 1261, 85.2, 84.9 — every figure at or past its 2025 target → 100
    assert (units[0]["unit"], units[0]["total"]) == ("下路街道", 100.0)
    assert units[-1]["unit"] == "冷水镇"


def test_county_2024_is_scored_against_the_first_interim_point(catalog):
    unit = scored(catalog, "shizhu-county", "county-2024.csv", 2024).unit("石柱县")
    points = {r.indicator: r for r in unit.indicators}
    # 食品抽检合格率 95.9 in 2024: target 95 + (98 − 95) × 1 ÷ 4 = 95.75; met, (95.9 − 95) ÷ 0.75 > 1 → 4.
    food = points["food_pass_rate"]
    assert (food.target, food.points, food.met) == (Decimal("95.75"), Decimal("4.00"), True)
    # 每万户市场主体有效注册商标量 1072: target 1050 + 100 × 1 ÷ 4 = 1075; (1072 − 1050) ÷ 25 = 0.88 → 3.52.
    marks = points["trademarks_per_10k_entities"]
    assert (marks.target, marks.points, marks.met) == (Decimal("1075"), Decimal("3.52"), False)


def test_cli_explain_names_the_grade_above_and_the_lost_points(cli, allow_plugins):
    allow_plugins("shizhu")
    result = cli("explain", "shizhu-township", str(EXAMPLES / "townships-2025.csv"), "鱼池镇", "--year", "2025")
    assert result.exit_code == 0, result.output
    # 鱼池镇: 农产品 98.5 → 25; 食品 96.5 = the 2025 point → 25; 商标 527 ÷ 1100 × 20 = 9.581… → 9.58;
    # 公共服务 83.1: 1.4 short × 3 = 4.2 → 10.80; 生活性 84.8 ≥ 84.5 → 15.
    # 25 + 25 + 9.58 + 10.8 + 15 = 85.38 is 良好; 优秀 starts at 90: 90 − 85.38 = 4.62.
    assert "等次：良好" in result.output and "距上一等次（优秀）还差：4.62 分" in result.output
    assert "指标失分（从多到少）：每万户市场主体有效注册商标量 10.42；公共服务质量满意度 4.2" in result.output


def test_cli_explain_marks_lost_points_as_before_scaling(cli, allow_plugins):
    allow_plugins("shizhu")
    result = cli("explain", "shizhu-members", str(EXAMPLES / "members-2025.csv"), "县市场监管局", "--year", "2025")
    assert result.exit_code == 0, result.output
    # 制造业质量竞争力指数 3.20 of 4 (see the county example): 0.8 lost before scaling.
    assert "指标失分（折算前的指标分）（从多到少）：" in result.output
    assert "制造业质量竞争力指数 0.8" in result.output


def test_text_targets_the_annex_lacks_are_tracked_without_points(catalog):
    seed = seed_text("000_ae3be324c11ee3c0.txt")
    text = [i for i in catalog.ruleset("shizhu-county").indicators if i.category == "text"]
    # 重庆市名牌农产品 60, “三品一标” 160, 融入全市集群 ≥ 1, 市级品牌“双倍增” (总量 and 价值),
    # 动员2家企业参与市长质量管理奖评选 (entrants, not the annex's one award)
    figures = {i.id: getattr(i.target, "value", None) or i.target.percent for i in text}
    assert figures == {"famous_agri_products": 60, "branded_agri_products": 160, "city_agri_clusters": 1,
                       "city_quality_brands": 100, "city_quality_brand_value": 100,
                       "mayor_award_participants": 2}
    for indicator in text:
        assert quote(indicator) in seed, indicator.id
        assert indicator.points == 0 and indicator.notes and indicator.lead, indicator.id
    for phrase in ("重庆市名牌农产品达到60个", "“三品一标”等品牌农产品160个", "融入全市优势农业特色产业集群不低于1个",
                   "动员2家企业参与市长质量管理奖评选"):
        assert folded(phrase) in seed
    assert folded("市级质量品牌总量和品牌价值实现“双倍增”") in seed


def test_cli_explains_a_tracked_text_target_on_its_whole_number_path(cli, allow_plugins):
    allow_plugins("shizhu")
    result = cli("explain", "shizhu-county", str(EXAMPLES / "county-2025.csv"), "石柱县", "--year", "2025")
    assert result.exit_code == 0, result.output
    # 市级质量品牌总量 doubles from its own 2023 figure 12: 2025 point 12 + (24 − 12) × 2 ÷ 4 = 18; 17 falls short
    assert "2025年进度目标 = 12 + (24 − 12) × (2025 − 2023) ÷ (2027 − 2023) = 18，已是整数；达标：17 未达到 ≥ 18 → 0" \
        in result.output
    # “三品一标” 110 → 160: 2025 point 135; 136 reaches it (a 0-point indicator still says so)
    assert "达标：136 ≥ 135，达标 → 满分 0" in result.output
    # 2024: 110 + 50 × 1 ÷ 4 = 122.5, rounded up to 123; 121 falls short
    result = cli("explain", "shizhu-county", str(EXAMPLES / "county-2024.csv"), "石柱县", "--year", "2024")
    assert "= 122.5，向上取整为 123；达标：121 未达到 ≥ 123 → 0" in result.output
    assert "目标：期末目标 1 只在2027年考核；2024年目标为不低于基期值 0" in result.output
    # 参与市长质量管理奖评选企业, new since 2023: 2024 point 0 + (2 − 0) × 1 ÷ 4 = 0.5, rounded up to 1;
    # none mobilised yet (0) falls short
    assert "2024年进度目标 = 0 + (2 − 0) × (2024 − 2023) ÷ (2027 − 2023) = 0.5，向上取整为 1；达标：0 未达到 ≥ 1 → 0" \
        in result.output


def test_cli_explains_the_mayor_award_entrants_on_their_whole_number_path(cli, allow_plugins):
    allow_plugins("shizhu")
    result = cli("explain", "shizhu-county", str(EXAMPLES / "county-2025.csv"), "石柱县", "--year", "2025")
    assert result.exit_code == 0, result.output
    # 2025 point 0 + (2 − 0) × 2 ÷ 4 = 1, already whole; one enterprise mobilised reaches it (0 points, tracked)
    assert "2025年进度目标 = 0 + (2 − 0) × (2025 − 2023) ÷ (2027 − 2023) = 1，已是整数；达标：1 ≥ 1，达标 → 满分 0" \
        in result.output
