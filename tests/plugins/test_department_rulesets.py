"""永川 and 开州 区级有关部门: each department scored on the tasks the plan names it for and
on the district targets it leads, loaded through the entry points, checked against the
plans (seeds 002, 004) and run on the example data through the real CLI."""

from __future__ import annotations

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

YONGCHUAN, KAIZHOU = "002_2579526691e78db1.txt", "004_40eed3278287cde7.txt"
# A department named as 区…局/委/办/部/中心, or one of the bodies without the 区 prefix.
UNIT = re.compile(r"浦里新区管委会|永川高新区管委会|港桥产业促进中心|永川海关|区[^、区等)]+?(?:局|委|办|部|中心)")
# Not assessed as 区级部门 (the ruleset says why): courts, procuratorate, a vertical agency.
NOT_ASSESSED = {"区法院", "区检察院", "永川海关"}
SHARES = {"完成": Decimal(1), "基本完成": Decimal("0.6"), "未完成": Decimal(0)}
CASES = [("yongchuan", "yongchuan-departments", YONGCHUAN, 29), ("kaizhou", "kaizhou-departments", KAIZHOU, 17)]


def cents(number: Decimal) -> Decimal:
    return number.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def task_lines(seed: str) -> dict[int, str]:
    """Each numbered task's line in the plan (folded), by its number."""
    lines = {}
    for line in seed.splitlines():
        match = re.match(r"(?:\[bookmark: _GoBack\])?(\d+)\. ?", line)
        if match and "责任单位:" in line:
            lines[int(match.group(1))] = line
    return lines


@pytest.mark.parametrize("plugin, ruleset_id, seed_name, count", CASES)
def test_each_task_applies_to_exactly_the_departments_the_plan_names(allow_plugins, plugin, ruleset_id, seed_name,
                                                                     count):
    ruleset = installed_ruleset(allow_plugins, plugin, ruleset_id)
    seed = seed_text(seed_name)
    lines = task_lines(seed)
    tasks = [i for i in ruleset.indicators if i.category != "targets"]
    assert [t.id for t in tasks] == [f"t{n}" for n in range(1, count + 1)] and sorted(lines) == list(range(1, count + 1))
    named_anywhere = set()
    for number, task in enumerate(tasks, 1):
        line = lines[number]
        assert folded(task.name) in line and quote(task) in line, task.id
        named = set(UNIT.findall(line.rsplit("责任单位:", 1)[1]))
        named_anywhere |= named
        assert set(task.applies_to) == named - NOT_ASSESSED, task.id
        assert task.points == 10 and task.rule.type == "levels"
    assert set(ruleset.roster.units) == named_anywhere - NOT_ASSESSED
    assert len(ruleset.roster.units) == {"yongchuan": 29, "kaizhou": 20}[plugin]
    assert ruleset.level == "department" and ruleset.scale_to == 100


@pytest.mark.parametrize("plugin, ruleset_id, seed_name, count", CASES)
def test_each_target_quotes_the_plan_and_is_led_as_in_the_town_ruleset(allow_plugins, plugin, ruleset_id, seed_name,
                                                                       count):
    ruleset = installed_ruleset(allow_plugins, plugin, ruleset_id)
    towns = loaded_ruleset(plugin, f"{plugin}-towns")
    town_leads = {i.id: i.lead for i in towns.indicators}
    seed = seed_text(seed_name)
    lines = task_lines(seed)
    for target in (i for i in ruleset.indicators if i.category == "targets"):
        assert quote(target) in seed, target.id
        for figure in target_figures(target):
            assert figure in quote(target) and figure in folded(target.target.text), (target.id, figure)
        assert target.applies_to == (target.lead,) and target.points == 5 and target.rule.type == "pass_fail"
        task = int(re.search(r"对应任务“(\d+)\. ", target.notes[0]).group(1))
        assert target.lead in lines[task], target.id
        if target.id in town_leads:
            assert target.lead == town_leads[target.id], target.id


def test_the_district_targets_the_towns_leave_out_are_the_departments(allow_plugins):
    yongchuan = {i.id: i for i in installed_ruleset(allow_plugins, "yongchuan", "yongchuan-departments").indicators}
    cluster = yongchuan["agri_industry_clusters"]
    assert (cluster.target.kind, cluster.target.value, cluster.target.interim, cluster.lead) == \
        ("new", Decimal(1), "horizon", "区农业农村委")
    assert "全国优势农业特色产业集群达到1个" in seed_text(YONGCHUAN)
    # 国家级质量品牌总量和品牌价值显著增加: the 镇街 count brands only; the value is the district's
    value = yongchuan["quality_brand_value"]
    assert (value.name, value.target.kind, value.lead) == ("国家级质量品牌价值", "trend", "区经济信息委")
    assert "国家级质量品牌总量和品牌价值显著增加" in seed_text(YONGCHUAN)
    towns = loaded_ruleset("yongchuan", "yongchuan-towns")
    assert "quality_brand_value" not in {i.id for i in towns.indicators}
    assert any("品牌价值显著增加”不列入镇街考核" in a for a in towns.assumptions)
    kaizhou = {i.id: i for i in installed_ruleset(allow_plugins, "kaizhou", "kaizhou-departments").indicators}
    share = kaizhou["high_value_supply_share"]
    assert (share.target.kind, share.lead) == ("trend", "区商务委")
    assert "高附加值和优质服务供给比重进一步提升" in seed_text(KAIZHOU) and "进一步提升" in share.target.text


def test_yongchuan_departments_worked_by_hand(cli, allow_plugins):
    allow_plugins("yongchuan")
    units = rank_json(cli, "yongchuan-departments", EXAMPLES / "yongchuan" / "departments-2027.csv")["by_unit"]
    assert len(units) == 29
    # 区金融办: tasks 12 完成 (10) and 25 基本完成 (6): 16 ÷ 20 × 100 = 80.00
    assert units["区金融办"]["total"] == 80.0 and units["区金融办"]["tier"] == "良好"
    # 区司法局: task 23 only (区法院, 区检察院 are not assessed), 基本完成: 6 ÷ 10 × 100 = 60.00
    assert sum(Decimal(str(i["max_points"])) for i in units["区司法局"]["indicators"]) == 10
    assert units["区司法局"]["total"] == 60.0
    # 区人力社保局 (4 完成, 27 基本完成), 区教委 (14 完成, 27 基本完成), 区金融办 and 区文化旅游委 share 80.00;
    # the next department is 4 places on.
    tied = sorted(name for name, unit in units.items() if unit["total"] == 80.0)
    assert tied == sorted(["区人力社保局", "区教委", "区金融办", "区文化旅游委"])
    assert min(u["rank"] for u in units.values() if u["total"] < 80) == units["区教委"]["rank"] + 4
    # 区行政服务中心: task 14 未完成 → 0; 区公共资源事务中心 left task 25 empty → 0, said as missing.
    assert units["区行政服务中心"]["total"] == units["区公共资源事务中心"]["total"] == 0.0
    # 区市场监管局's targets: 指数 90.6 ≥ 90, 制造业 96.1, 消费品 95.3 ≥ 95, 药品 99.7 ≥ 99.5, 满意度 82.6 ≥ 82 and
    # 81.4 ≥ 81, 地方标准 3 → 5 each; 食品 98.0 < 98.2 and 国家/行业标准 1 < 2 → 0: 35 of 45.
    market = units["区市场监管局"]
    targets = [i for i in market["indicators"] if not i["id"].startswith("t") and i["max_points"]]
    assert sum(Decimal(str(i["points"])) for i in targets) == 35 and len(targets) == 9
    assert points(market, "food_pass_rate") == 0 and points(market, "national_industry_standards") == 0
    # 区经济信息委: “国家级质量品牌总量和品牌价值显著增加”, two indicators: 总量 27 against 24 last year → 5;
    # 价值 45.3 亿元 against 41.6 → 5.  23 tasks: 完成 ×15 = 150, 基本完成 ×7 = 42, 未完成 (29) 0;
    # (192 + 5 + 5) ÷ (230 + 5 + 5) × 100 = 202 ÷ 240 × 100 = 84.166… → 84.17
    econ = units["区经济信息委"]
    assert points(econ, "quality_brands") == 5 and points(econ, "quality_brand_value") == 5
    assert sum(Decimal(str(i["max_points"])) for i in econ["indicators"]) == 240
    assert econ["total"] == 84.17
    # 区农业农村委: 全国优势农业特色产业集群 0 in 2027, the horizon: 0 < 1 → 0
    assert points(units["区农业农村委"], "agri_industry_clusters") == 0


def test_a_one_item_target_is_held_at_its_baseline_before_2027(cli, allow_plugins):
    allow_plugins("yongchuan")
    units = rank_json(cli, "yongchuan-departments", EXAMPLES / "yongchuan" / "departments-2027.csv",
                      "--year", "2025")["by_unit"]
    cluster = next(i for i in units["区农业农村委"]["indicators"] if i["id"] == "agri_industry_clusters")
    # 2025: not yet judged, the target is the baseline 0, held → 5
    assert (cluster["target"], cluster["points"]) == (0, 5)
    assert "期末目标 1 只在2027年考核；2025年目标为不低于基期值 0" in cluster["explanation"]


def test_kaizhou_departments_worked_by_hand(cli, allow_plugins):
    allow_plugins("kaizhou")
    units = rank_json(cli, "kaizhou-departments", EXAMPLES / "kaizhou" / "departments-2027.csv")["by_unit"]
    assert len(units) == 20
    # 区司法局: tasks 15 完成 and 17 基本完成: 16 ÷ 20 × 100 = 80.00
    assert units["区司法局"]["total"] == 80.0
    # 区民政局 and 区卫生健康委: tasks 5 and 10 基本完成: 12 ÷ 20 × 100 = 60.00, sharing 17th; the next is 19th
    assert units["区民政局"]["rank"] == units["区卫生健康委"]["rank"] == 17
    assert (units["区民政局"]["total"], units["区政务管理办"]["rank"]) == (60.0, 19)
    # 区政务管理办: 5 完成, 13 未完成: 10 ÷ 20 × 100 = 50.00, 不合格
    assert (units["区政务管理办"]["total"], units["区政务管理办"]["tier"]) == (50.0, "不合格")
    # 区商务委: 7 tasks (2, 5–10): 完成 ×5 = 50, 基本完成 ×2 = 12; 高附加值和优质服务供给比重 31.5 > 30.2 → 5:
    # 67 ÷ 75 × 100 = 89.333… → 89.33, 良好, 0.67 short of 优秀
    trade = units["区商务委"]
    assert points(trade, "high_value_supply_share") == 5
    assert (trade["total"], trade["tier"], trade["gap_to_next"]) == (89.33, "良好", 0.67)
    # 区市场监管局: 17 tasks — 完成 ×12 = 120, 基本完成 ×4 = 24, 未完成 ×1 = 0 — and its 7 targets:
    # 食品 98.1 < 98.3 → 0, 消费品 95.1 not above 95.4 last year → 0, the other five → 25.
    # (144 + 25) ÷ (170 + 35) × 100 = 82.439… → 82.44
    market = units["区市场监管局"]
    assert points(market, "food_pass_rate") == 0 and points(market, "consumer_goods_pass_rate") == 0
    assert market["total"] == 82.44
    # 区城市管理局 left its one task (10) empty: 0 of 10 → 0.00
    assert units["区城市管理局"]["total"] == 0.0


@settings(max_examples=40, deadline=None)
@given(first=st.sampled_from(sorted(SHARES)), second=st.sampled_from(sorted(SHARES)))
def test_a_two_task_department_scores_its_share_of_20_on_100(first, second):
    ruleset = only(loaded_ruleset("kaizhou", "kaizhou-departments"), "t15", "t17")
    table = RawTable("p.csv", ("区级部门", "优化质量安全监管效能", "推进质量全民共治"), [["区司法局", first, second]], [2])
    total = score_batch(ruleset, bind(table, ruleset)).units[0].total
    assert total == cents((10 * SHARES[first] + 10 * SHARES[second]) / 20 * 100)
