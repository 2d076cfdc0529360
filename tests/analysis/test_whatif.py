"""whatif: the smallest verified improvements that get a unit to the next class up."""

from __future__ import annotations

import itertools
import json
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import qscore
from qscore.analysis import Case, load_case, whatif
from qscore.analysis.whatif import Goal, reaches, Standing
from qscore.errors import UsageError
from qscore.plugins.manager import load_plugins
from qscore.reading.binding import bind
from qscore.rulesets import parse_ruleset
from qscore.scoring.engine import score_batch
from qscore.testing import table, unit_rows

ROOT = Path(__file__).parent.parent.parent
DATA = ROOT / "tests" / "data"
RULES, UNITS = str(DATA / "township.toml"), str(DATA / "townships.csv")
CHONGQING = str(ROOT / "examples" / "chongqing" / "districts-2025.csv")
SHIZHU = "石柱土家族自治县"


@pytest.fixture
def township() -> Case:
    return load_case(RULES, UNITS, year=2025)


def test_a_unit_one_level_short_is_told_the_one_level(township):
    # 西沱镇 2025: food 40 + drug 98.5 → 20 + 基本完成 0.6 × 30 = 18 → 78, 良好; 优秀 needs 90.
    # 完成 gives 30 (+12) → 90 on one indicator; drug 99 gives only +10.  (3rd after
    # 南宾街道 105 and 悦崃镇 40 + 30 + 30 = 100, before and after.)
    result = whatif(township, "西沱镇")
    assert (result.status, result.start, result.goal) == ("proposed", Standing(Decimal("78.00"), 3, "良好"),
                                                          Goal(tier="优秀"))
    first = result.proposals[0]
    assert [(c.indicator, c.value, c.new_value, c.points, c.new_points) for c in first.changes] == [
        ("task", "基本完成", "完成", Decimal("18.00"), Decimal("30.00"))]
    assert first.reached == Standing(Decimal("90.00"), 3, "优秀")
    assert first.effort == 1.0
    # The next set: drug 98.5 → 99 (+10) is short by 2 alone, so two indicators are needed.
    assert all(len(p.changes) >= 2 for p in result.proposals[1:])


def test_a_vetoed_unit_cannot_reach_anything(township):
    result = whatif(township, "黄水镇")
    assert (result.status, result.message, result.proposals) == ("vetoed", "不可达：一票否决", ())


def test_a_unit_at_the_top_gets_its_margin(township):
    # 南宾街道: 40 + 30 + 30 + bonus 2 × 3 = 6, capped at 5 → 105; the line below 优秀 is 90.
    result = whatif(township, "南宾街道")
    assert (result.status, result.margin, result.message) == ("top", Decimal("15.00"), "已是最高等次，高出下一等次 15.00 分")


def test_fixed_indicators_are_never_changed(township):
    result = whatif(township, "西沱镇", fix=["drug"])
    assert result.proposals
    assert all(c.indicator != "drug" for p in result.proposals for c in p.changes)
    assert ("drug", "固定（--fix）") in result.left_out
    # Without the task, drug 99 (+10) is all there is: 88 < 90.
    stuck = whatif(township, "西沱镇", fix=["重点任务完成情况"])
    assert (stuck.status, stuck.message) == ("unreachable", "不可达：可改的指标全部改到最好也达不到优秀")


def test_unknown_names_are_refused(township):
    with pytest.raises(UsageError, match="'营商环境' is not an indicator of ruleset 'test-township'"):
        whatif(township, "西沱镇", fix=["营商环境"])
    with pytest.raises(UsageError, match="'第一方阵' is not a class of ruleset 'test-township'; expected one of "
                                         "优秀, 良好, 合格, 不合格 or 'rank N'"):
        whatif(township, "西沱镇", to="第一方阵")
    with pytest.raises(UsageError, match="no unit '无此镇'"):
        whatif(township, "无此镇")


def test_a_goal_already_reached_is_said(township):
    assert whatif(township, "西沱镇", to="合格").status == "reached"


# -- the worked example of the README -------------------------------------------------------

@pytest.fixture
def chongqing(allow_plugins) -> Case:
    allow_plugins("chongqing")
    return load_case("chongqing-districts", CHONGQING, year=2025)


def test_shizhu_reaches_the_first_tier(chongqing):
    # 石柱 2025: 82.50, 19th, 第二方阵; the 13th (last of 第一方阵) has 88.23: 5.73 short.
    # No indicator alone gives 5.73 (the most it lost on one is 4.4), so two:
    # 制造业质量竞争力指数 87.8 → 90 closes its gap: 12 − 2.2 × 2 = 7.60 → 12.00 (+4.40, effort 1);
    # 绿色建筑占比 (完成率, 8 × value ÷ 100): +1.33 needs 16.625 points of share, whole
    # numbers in the data → 58 → 75, 4.64 → 6.00 (+1.36, effort 17 ÷ 42).
    # 82.50 + 4.40 + 1.36 = 88.26 > 88.23 → 13th, 第一方阵.  The next sets keep the index
    # and add 消费品 93.5 → 94.2 (+1.40, effort 0.7 ÷ 1.5) or 食品 96.8 → 97.5 (+1.40, 0.7 ÷ 1.2).
    result = whatif(chongqing, SHIZHU)
    assert result.start == Standing(Decimal("82.50"), 19, "第二方阵")
    first, second, third = result.proposals
    assert [(c.indicator, c.value, c.new_value, c.points, c.new_points) for c in first.changes] == [
        ("mfg_competitiveness_index", Decimal("87.8"), Decimal("90"), Decimal("7.60"), Decimal("12.00")),
        ("green_building_share", Decimal("58"), Decimal("75"), Decimal("4.64"), Decimal("6.00"))]
    assert first.reached == Standing(Decimal("88.26"), 13, "第一方阵")
    assert first.effort == pytest.approx(1 + 17 / 42)
    assert [(c.indicator, c.new_value) for c in second.changes][1] == ("consumer_goods_pass_rate", Decimal("94.2"))
    assert second.effort == pytest.approx(1 + 0.7 / 1.5)
    assert [(c.indicator, c.new_value) for c in third.changes][1] == ("food_pass_rate", Decimal("97.5"))
    assert third.effort == pytest.approx(1 + 0.7 / 1.2)


def test_the_cli_prints_the_proposals(cli, allow_plugins):
    allow_plugins("chongqing")
    result = cli("whatif", "chongqing-districts", CHONGQING, SHIZHU, "--year", "2025", "--proposals", "1")
    assert result.exit_code == 0, result.output
    # The batch it re-scores holds 城口县 at 0 for its empty 装配式建筑占比, as rank says.
    assert result.stderr == (f"notice: {CHONGQING}, column '装配式建筑占比（%）': 1 unit(s) have no value for "
                             "装配式建筑面积占新建建筑面积的比例 (城口县): scored 0 under the missing-value policy 'zero'\n")
    lines = result.stdout.splitlines()
    assert lines[:4] == ["重庆市区县质量强区（县）建设比拼 · 2025年度",
                         "单位：石柱土家族自治县    现在：总分 82.50，第 19 名 / 38，第二方阵", "目标：第一方阵", ""]
    assert lines[4] == "方案一：改 2 项指标"
    assert lines[7].split() == ["制造业质量竞争力指数", "87.8", "90", "7.60", "12.00"]
    assert lines[8].split() == ["城镇新建绿色建筑占比（%）", "58", "75", "4.64", "6.00"]
    assert lines[9] == "改后：总分 88.26，第 13 名，第一方阵"
    assert "农产品质量安全例行监测合格率（已得满分）" in lines[-1]


def test_the_cli_json_contract(cli, allow_plugins):
    allow_plugins("chongqing")
    result = cli("whatif", "chongqing-districts", CHONGQING, SHIZHU, "--year", "2025", "--format", "json")
    document = json.loads(result.stdout)
    assert document["unit"] == SHIZHU
    assert document["from"] == {"total": 82.5, "rank": 19, "tier": "第二方阵"}
    assert document["to"] == {"tier": "第一方阵", "rank": None}
    assert document["changes"][0] == {"indicator": "mfg_competitiveness_index", "name": "制造业质量竞争力指数",
                                      "value": 87.8, "new_value": 90.0, "points": 7.6, "new_points": 12.0}
    assert document["reached"] == {"total": 88.26, "rank": 13, "tier": "第一方阵"}
    assert len(document["alternatives"]) == 2


def test_the_cli_takes_a_rank_and_refuses_misuse(cli, allow_plugins):
    allow_plugins("chongqing")
    ranked = cli("whatif", "chongqing-districts", CHONGQING, SHIZHU, "--year", "2025", "--to", "rank 10",
                 "--format", "json")
    assert json.loads(ranked.stdout)["to"] == {"tier": None, "rank": 10}
    assert json.loads(ranked.stdout)["reached"]["rank"] <= 10
    unknown = cli("whatif", "chongqing-districts", CHONGQING, "石柱县", "--year", "2025")
    assert unknown.exit_code == 2
    assert unknown.output.splitlines()[-1] == (f"Error: Invalid value for UNIT: no unit '石柱县' in {CHONGQING}; "
                                               "did you mean 石柱土家族自治县 / 忠县 / 巫溪县?")
    fixed = cli("whatif", "chongqing-districts", CHONGQING, SHIZHU, "--year", "2025", "--fix", "药品")
    assert fixed.exit_code == 2
    assert "Error: '药品' is not an indicator of ruleset 'chongqing-districts'" in fixed.output


def test_explain_ends_with_the_first_proposal(cli, allow_plugins):
    allow_plugins("chongqing")
    result = cli("explain", "chongqing-districts", CHONGQING, SHIZHU, "--year", "2025")
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[-1] == ("达到第一方阵的最小改进：制造业质量竞争力指数 87.8 → 90，"
                                             "城镇新建绿色建筑占比 58 → 75（改后总分 88.26，第 13 名，第一方阵）")
    top = cli("explain", RULES, UNITS, "南宾街道", "--year", "2025")
    assert top.output.splitlines()[-1] == "已是最高等次，高出下一等次 15.00 分"
    vetoed = cli("explain", RULES, UNITS, "黄水镇", "--year", "2025")
    assert vetoed.output.splitlines()[-1] == "不可达：一票否决"


# -- properties -------------------------------------------------------------------------------

ALL_RULES = qscore.load_ruleset(str(DATA / "all_rules.toml"))


def _rescored(case: Case, unit: str, changes) -> qscore.BatchResult:  # type: ignore[no-untyped-def]
    """The batch scored again from cells, as an examiner's edited file would be."""
    position = case.dataset.units.index(unit)
    return case.score(case.with_values(position, {c.indicator: c.new_value for c in changes}))


@settings(max_examples=40, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_a_variant_scored_from_the_kept_columns_is_the_variant_scored_whole(data):
    # Every rule type and target shape (排序赋分 and 进入前列 read the whole column): a unit
    # given other units' values in some indicators, the other columns taken as the case
    # scored them, is the batch the engine makes of the edited data.
    rows = data.draw(unit_rows(ALL_RULES, min_units=2, max_units=6))
    case = Case(ruleset=ALL_RULES, dataset=bind(table(rows), ALL_RULES), year=data.draw(st.sampled_from([2024, 2025])))
    first = case.score()
    assert first == score_batch(ALL_RULES, case.dataset, year=case.year)
    position = data.draw(st.integers(0, len(rows) - 1))
    ids = [indicator.id for indicator in ALL_RULES.indicators]
    changed = data.draw(st.lists(st.sampled_from(ids), min_size=1, max_size=3, unique=True))
    values = {id: case.dataset.values[id][data.draw(st.integers(0, len(rows) - 1))] for id in changed}
    whole = case.score(case.with_values(position, values))
    assert case.score_changed(position, values) == whole
    assert case.score() == first  # the kept columns are the case's own, whatever was asked between


def test_a_case_of_a_year_before_the_plan_is_refused_before_any_column_is_scored(township, monkeypatch):
    import attrs

    from qscore.analysis import case as case_module
    from qscore.scoring.engine import YearError

    def never(*args: object) -> None:
        raise AssertionError("a column scored for a year outside the plan")

    monkeypatch.setattr(case_module, "score_indicator", never)
    early = attrs.evolve(township, year=2019)
    for scored in (early.score, lambda: early.score_changed(0, {})):
        with pytest.raises(YearError, match="year 2019 is before the plan's base year 2023"):
            scored()


@settings(max_examples=25, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_every_proposal_reaches_its_goal_for_every_rule_type(data):
    rows = data.draw(unit_rows(ALL_RULES, min_units=2, max_units=6))
    case = Case(ruleset=ALL_RULES, dataset=bind(table(rows), ALL_RULES), year=2025)
    batch = case.score()
    unit = data.draw(st.sampled_from(list(batch.units.column("unit"))))
    result = whatif(case, unit)
    if result.status != "proposed":
        return
    for proposal in result.proposals:
        again = _rescored(case, unit, proposal.changes).unit(unit)
        assert again is not None and Standing.of(again) == proposal.reached
        assert reaches(batch, result.goal, proposal.reached)  # type: ignore[arg-type]
        for change in proposal.changes:
            indicator = next(i for i in ALL_RULES.indicators if i.id == change.indicator)
            if indicator.unit == "%":
                assert change.new_value <= 100
            if indicator.id == "cnt":  # 计件 of the increase over 3, 3 per item, cap = full 10: 4 items
                assert change.new_value <= 3 + 4
            assert change.new_points > change.points


SMALL = """
id = "small"
title = "小测试"
jurisdiction = "测试县"
base_year = 2023
horizon_year = 2025

[classification]
by = "{by}"
grades = {grades}

[[indicators]]
id = "a"
name = "甲"
baseline = 2
target = 8
points = 6
rule = "{rule_a}"

[[indicators]]
id = "b"
name = "乙"
target = 6
points = 8
rule = {{ type = "deduction", per_step = 2, partial = "{partial}" }}

[[indicators]]
id = "c"
name = "丙"
target = {target_c}
points = 4
rule = "{rule_c}"
"""


def _effort(ruleset, unit_values, new_values, targets) -> float | None:  # type: ignore[no-untyped-def]
    """Σ |change| ÷ (target − baseline) where the plan gives a baseline, else ÷ the unit's own
    gap; ``None`` where a unit already stands on its target (a 进入前列 target at its own
    value), as what-if then measures the change against where the points stop rising."""
    total = 0.0
    for indicator, old, new in zip(ruleset.indicators, unit_values, new_values):
        if new == old:
            continue
        target = targets[indicator.id]
        scale = abs(target - indicator.baseline) if indicator.baseline is not None else abs(target - old)
        if not scale:
            return None
        total += float(abs(new - old) / scale)
    return total


@settings(max_examples=12, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_the_first_proposal_is_as_small_as_brute_force_finds(data):
    by = data.draw(st.sampled_from(["score", "rank"]))
    grades = ('[{ name = "优", min_score = 14 }, { name = "中", min_score = 8 }, { name = "差" }]' if by == "score"
              else '[{ name = "前", count = 1 }, { name = "中", count = 2 }, { name = "后" }]')
    text = SMALL.format(by=by, grades=grades, rule_a=data.draw(st.sampled_from(["progress", "ratio", "pass_fail"])),
                        partial=data.draw(st.sampled_from(["proportional", "whole", "started"])),
                        rule_c=data.draw(st.sampled_from(["ratio", "pass_fail"])),
                        # 进入前列: the target moves with the unit's own value
                        target_c=data.draw(st.sampled_from(["5", '{ kind = "top", place = 2 }',
                                                            '{ kind = "top", share = 0.5, value = 4 }'])))
    import tomllib
    ruleset = parse_ruleset(tomllib.loads(text, parse_float=Decimal), load_plugins(entry_points=False).rule_types)
    values = st.integers(min_value=0, max_value=8)
    rows = [{"单位": f"单位{n}", "甲": str(data.draw(values)), "乙": str(data.draw(values)), "丙": str(data.draw(values))}
            for n in range(1, 5)]
    case = Case(ruleset=ruleset, dataset=bind(table(rows), ruleset), year=2025)
    batch = case.score()
    unit = data.draw(st.sampled_from(list(batch.units.column("unit"))))
    result = whatif(case, unit, limit=1)
    if result.status not in ("proposed", "unreachable"):
        return
    start = batch.unit(unit)
    assert start is not None
    old = [r.value for r in start.indicators]
    targets = {r.indicator: r.target for r in start.indicators}
    # What-if counts the other units' totals as they stand (the module's docstring): its
    # first proposal changes no more indicators than the fewest of the ways that reach the
    # goal leaving the others' totals alone, and no fewer than any way does (a unit that
    # lifts a 进入前列 target can also reach it by taking points from the others).
    others = {u.unit: u.total for u in batch.units if u.unit != unit}
    fewest_any: int | None = None
    fewest: int | None = None
    efforts: list[float | None] = []  # of the ways with the fewest changes that leave the others alone
    position = case.dataset.units.index(unit)
    for new in itertools.product(*(range(int(v), 11) for v in old)):
        count = sum(1 for a, b in zip(old, new) if a != b)
        if fewest is not None and count > fewest:
            continue
        again = case.score(case.with_values(position, {i.id: Decimal(v) for i, v in zip(ruleset.indicators, new)}))
        standing = Standing.of(again.unit(unit))  # type: ignore[arg-type]
        if not reaches(again, result.goal, standing):  # type: ignore[arg-type]
            continue
        fewest_any = count if fewest_any is None else min(fewest_any, count)
        if any(u.total != others[u.unit] for u in again.units if u.unit != unit):
            continue
        if fewest is None or count < fewest:
            fewest, efforts = count, []
        efforts.append(_effort(ruleset, old, [Decimal(v) for v in new], targets))
    if fewest_any is None:
        assert result.status == "unreachable"
        return
    if fewest is None:  # only by taking points from the others, which the search does not count on
        assert result.status == "unreachable" or len(result.proposals[0].changes) >= fewest_any
        return
    assert result.status == "proposed"
    first = result.proposals[0]
    assert fewest_any <= len(first.changes) <= fewest
    if len(first.changes) == fewest and None not in efforts:
        assert first.effort <= min(efforts) + 1e-9  # type: ignore[type-var,operator]


def test_a_plug_in_rule_without_breakpoints_is_bisected():
    import attrs as attrs_
    from typing import ClassVar

    from qscore.rules.base import Rule

    @attrs_.frozen
    class Steps(Rule):
        """Half the marks from 4, all from 7.3: says nothing of where it steps."""

        type: ClassVar[str] = "steps"
        label: ClassVar[str] = "阶梯"
        uses_target: ClassVar[bool] = False

        def points(self, value, target, baseline):  # type: ignore[no-untyped-def]
            return self.full if value >= Decimal("7.3") else self.full / 2 if value >= 4 else Decimal(0)

        def explain(self, value, target, baseline):  # type: ignore[no-untyped-def]
            return ""

    import tomllib
    text = SMALL.format(by="score", grades='[{ name = "优", min_score = 16 }, { name = "差" }]', rule_a="pass_fail",
                        partial="whole", rule_c="pass_fail", target_c="5").replace('rule = "pass_fail"\n"""', "")
    text = text.replace('name = "丙"\ntarget = 5\npoints = 4\nrule = "pass_fail"',
                        'name = "丙"\npoints = 10\nrule = "steps"')
    types = {**load_plugins(entry_points=False).rule_types, "steps": Steps}
    ruleset = parse_ruleset(tomllib.loads(text), types)
    rows = [{"单位": "一", "甲": "8", "乙": "6", "丙": "2.5"}, {"单位": "二", "甲": "1", "乙": "1", "丙": "1"}]
    case = Case(ruleset=ruleset, dataset=bind(table(rows), ruleset), year=2025)
    # 一: 甲 8 ≥ 8 → 6, 乙 6 → 8, 丙 2.5 → 0: 14; 优 needs 16: 丙 to 4 gives 5 (one place, like the data).
    result = whatif(case, "一")
    first = result.proposals[0]
    assert [(c.indicator, c.new_value, c.new_points) for c in first.changes] == [("c", Decimal("4.0"), Decimal("5.00"))]
    assert first.reached.total == Decimal("19.00")


def test_the_api_example_runs_as_shown(allow_plugins, capsys):
    import re

    allow_plugins("chongqing")
    doc = (ROOT / "docs" / "api.md").read_text(encoding="utf-8")
    section = doc.split("## What a unit must achieve", 1)[1]
    code = re.search(r"```python\n(.*?)```", section, re.S).group(1)  # type: ignore[union-attr]
    exec(compile(code, "docs/api.md", "exec"), {})
    printed = capsys.readouterr().out.splitlines()
    shown = [line.split("# ", 1)[1] for line in code.splitlines() if line.startswith("print(") and "# " in line]
    assert printed[0] == shown[0]
    assert printed[1] == "制造业质量竞争力指数 87.8 → 90.0 7.60 → 12.00"  # at the data's one place
    assert printed[3] == shown[1]


TREND = """
id = "trend-whatif"
title = "趋势目标测试"
jurisdiction = "测试县"
base_year = 2023
horizon_year = 2027

[classification]
by = "score"
grades = [{ name = "良好", min_score = 15 }, { name = "一般" }]

[[indicators]]
id = "cases"
name = "质量违法案件数"
unit = "件"
direction = "lower"
target = { kind = "trend", text = "持续降低" }
points = 8
rule = "pass_fail"

[[indicators]]
id = "rate"
name = "食品抽检合格率"
unit = "%"
target = { kind = "trend", text = "不断提高" }
points = 8
rule = "pass_fail"

[[indicators]]
id = "satisfaction"
name = "满意度"
unit = "分"
target = 90
points = 10
rule = "ratio"
"""


def test_a_unit_level_with_last_year_is_told_to_beat_it(cli, write):
    # 持续降低 / 不断提高 are strict: equal to 上年 earns 0, and the least value that beats it
    # earns the 8.  甲: 0 + 0 + 10 × 80 ÷ 90 = 8.89; 案件 4 → 3 alone gives 16.89 ≥ 15, as does
    # 合格率 95.5 → 95.6 (the data's precision); 满意度 90 alone gives 10, short.
    rules = write("trend.toml", TREND)
    data = write("data.csv", """
        单位,质量违法案件数（件）,质量违法案件数@上年,食品抽检合格率（%）,食品抽检合格率@上年,满意度
        甲镇,4,4,95.5,95.5,80
        乙镇,1,3,97,96,90
        """)
    result = cli("whatif", str(rules), str(data), "甲镇", "--year", "2025", "--format", "json")
    assert result.exit_code == 0, result.output
    answer = json.loads(result.stdout, parse_float=Decimal)
    assert answer["status"] == "proposed"
    proposals = [answer, *answer["alternatives"]]
    changes = [[(c["indicator"], str(c["value"]), str(c["new_value"]), str(c["new_points"])) for c in p["changes"]]
               for p in proposals]
    assert changes == [[("cases", "4", "3", "8.00")], [("rate", "95.5", "95.6", "8.00")]]
    assert [(p["reached"]["total"], p["reached"]["tier"]) for p in proposals] == [(Decimal("16.89"), "良好")] * 2
