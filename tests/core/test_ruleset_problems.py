"""The loader reports every problem of a ruleset file at once, each with its TOML path,
and reads the texts that name units, levels and items as data is read."""

from __future__ import annotations

import pickle
import tomllib
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from qscore.errors import Problem, RulesetError
from qscore.plugins.manager import load_plugins
from qscore.rulesets import PROBLEM_LIMIT, load_ruleset, parse_ruleset

HEAD = '''
id = "t"
title = "测试"
jurisdiction = "测试县"
base_year = 2023
horizon_year = 2027
'''


def indicator(id_: str = "food", name: str = "食品抽检合格率", **extra: str) -> str:
    fields = {"id": f'"{id_}"', "name": f'"{name}"', "unit": '"%"', "target": "98", "points": "10",
              "rule": '"pass_fail"', **extra}
    return "\n[[indicators]]\n" + "".join(f"{key} = {value}\n" for key, value in fields.items() if value)


@pytest.fixture
def load(write, catalog):
    def load_text(text):
        return load_ruleset(write("rules.toml", text), catalog.rule_types)
    return load_text


@pytest.fixture
def problems(load):
    """The problems loading ``text`` reports, each as its one-line description."""
    def found(text: str) -> list[str]:
        with pytest.raises(RulesetError) as caught:
            load(text)
        return [problem.describe() for problem in caught.value.problems]
    return found


# -- every problem, each located ---------------------------------------------------------

def test_independent_problems_are_all_reported_with_their_paths(load, write):
    text = (HEAD + '\n[ranking]\ntie_break = ["food", "prodcut"]\n'
            + '\n[classification]\nby = "grade"\ngrades = [{ name = "优秀", min_score = 90 }, { name = "其他" }]\n'
            + indicator(rule='"pas_fail"')
            + indicator("drug", "药品抽检合格率", points='"ten"', unti='"%"'))
    with pytest.raises(RulesetError) as caught:
        load(text)
    error = caught.value
    file = str(write("rules.toml", text))
    assert [problem.describe() for problem in error.problems] == [
        "indicators[1] (食品抽检合格率): field 'rule.type': unknown rule type 'pas_fail'; known: bands, count, "
        "deduction, levels, pass_fail, progress, rank, ratio",
        "indicators[2] (药品抽检合格率): unknown key(s) 'unti'; allowed: aliases, applies_to, baseline, "
        "baseline_year, category, change, direction, id, lead, missing, name, notes, points, rule, source, target, unit",
        "indicators[2] (药品抽检合格率): field 'points': expected a number, got 'ten'",
        "classification: field 'by': 'by' must be one of 'score', 'rank', 'share', got 'grade'",
        "ranking: field 'tie_break': 'prodcut' is not a category or indicator id; known: drug, food",
    ]
    # The message: how many, then one line per problem in the single-problem format.
    lines = str(error).splitlines()
    assert lines[0] == f"{file}: 5 problems:"
    assert lines[1:] == [f"{file}: {problem.describe()}" for problem in error.problems]
    # The first problem stays readable on its own.
    assert (error.message, error.file, error.table, error.field) == (
        "unknown rule type 'pas_fail'; known: bands, count, deduction, levels, pass_fail, progress, rank, ratio",
        file, "indicators[1] (食品抽检合格率)", "rule.type")


def test_a_single_problem_keeps_the_one_line_message(load, write):
    with pytest.raises(RulesetError) as caught:
        load(HEAD + indicator(points="-1"))
    assert str(caught.value) == (f"{write('rules.toml', '')}: indicators[1] (食品抽检合格率): field 'points': "
                                 "'points' must be 0 or more, got -1")
    assert not caught.value.more and len(caught.value.problems) == 1


def test_each_bad_field_of_one_indicator_is_reported(problems):
    assert problems(HEAD + indicator(id_="食品", direction='"up"', missing='"skip"')) == [
        "indicators[1] (食品抽检合格率): field 'id': '食品' is not allowed for 'id': an id is ASCII letters, digits, "
        "'_' or '-', starting with a letter, such as food_pass_rate",
        "indicators[1] (食品抽检合格率): field 'direction': 'direction' must be one of 'higher', 'lower', got 'up'",
        "indicators[1] (食品抽检合格率): field 'missing': 'missing' must be one of 'zero', 'error', got 'skip'",
    ]


def test_a_broken_value_stops_only_the_checks_that_depend_on_it(problems):
    # Without base_year an example's year cannot be checked against it; the rest still is.
    text = (HEAD.replace("base_year = 2023\n", "") + indicator(unti='"%"')
            + '\n[[examples]]\nname = "甲"\nyear = 2000\n')
    assert problems(text) == [
        "field 'base_year': is required",
        "indicators[1] (食品抽检合格率): unknown key(s) 'unti'; allowed: aliases, applies_to, baseline, baseline_year, "
        "category, change, direction, id, lead, missing, name, notes, points, rule, source, target, unit",
    ]
    # Negative points leave the rule unbound: its bands are not checked against them.
    bands = '{ type = "bands", bands = [{ at_least = 95, points = 8 }, { at_least = 98, points = 10 }] }'
    assert problems(HEAD + indicator(points="-1", rule=bands)) == [
        "indicators[1] (食品抽检合格率): field 'points': 'points' must be 0 or more, got -1"]


def test_a_target_text_and_strictness_and_a_missing_rule(problems):
    assert problems(HEAD + indicator(target='{ kind = "trend", text = 1, strict = "yes" }', rule="")) == [
        "indicators[1] (食品抽检合格率): field 'target.text': expected a string, got 1",
        "indicators[1] (食品抽检合格率): field 'target.strict': expected true or false, got 'yes'",
        "indicators[1] (食品抽检合格率): field 'rule': is required",
    ]


def test_the_years_are_checked_even_where_no_indicator_loads(problems):
    text = HEAD.replace("horizon_year = 2027", "horizon_year = 2020") + indicator(rule='"pas_fail"')
    assert problems(text)[0] == "field 'horizon_year': horizon_year 2020 is before base_year 2023"
    assert problems(HEAD + indicator(baseline_year="2030") + '\n[[examples]]\nname = "甲"\nyear = 2020\n') == [
        "indicators[1] (食品抽检合格率): field 'baseline_year': baseline_year 2030 comes after the horizon year 2027",
        "examples[1] (甲): field 'year': year 2020 comes before the plan's base year 2023",
    ]


def test_references_are_checked_against_what_the_file_declares_not_what_loaded(problems):
    # indicators[1] does not load, yet the example's points for it and the tie-break on it
    # are not reported as unknown ids: only the indicator's own problem is.
    text = (HEAD + '\n[ranking]\ntie_break = ["food"]\n' + indicator(points='"ten"')
            + '\n[[examples]]\nname = "甲"\npoints = { food = 10 }\n')
    assert problems(text) == ["indicators[1] (食品抽检合格率): field 'points': expected a number, got 'ten'"]


def test_problems_stop_at_the_limit(load, write):
    text = HEAD + "".join(indicator(f"i{n}", f"指标{n}", points='"x"') for n in range(PROBLEM_LIMIT + 10))
    with pytest.raises(RulesetError) as caught:
        load(text)
    error = caught.value
    assert error.more and len(error.problems) == PROBLEM_LIMIT == 50
    assert str(error).splitlines()[0] == f"{write('rules.toml', '')}: more than 50 problems; the first 50:"
    assert error.problems[-1] == Problem("expected a number, got 'x'", "indicators[50] (指标49)", "points")


@settings(max_examples=25)
@given(st.lists(st.booleans(), min_size=1, max_size=12))
def test_a_problem_in_one_indicator_never_hides_another(broken):
    # Any mix of good and broken indicators: exactly one problem per broken one, each
    # naming its own table, in file order.
    text = HEAD + "".join(indicator(f"i{n}", f"指标{n}", points='"x"' if bad else "10")
                          for n, bad in enumerate(broken))
    data = tomllib.loads(text, parse_float=Decimal)
    if not any(broken):
        assert len(parse_ruleset(data, load_plugins().rule_types).indicators) == len(broken)
        return
    with pytest.raises(RulesetError) as caught:
        parse_ruleset(data, load_plugins().rule_types)
    assert [p.table for p in caught.value.problems] == [f"indicators[{n + 1}] (指标{n})"
                                                        for n, bad in enumerate(broken) if bad]


def test_an_error_keeps_its_problems_when_located_and_pickled():
    error = RulesetError.of([Problem("a"), Problem("b", "indicators[2]", "points")])
    located = error.located(file="r.toml", table="indicators[1]")
    assert located.problems == (Problem("a", "indicators[1]"), Problem("b", "indicators[2]", "points"))
    assert str(located) == ("r.toml: 2 problems:\nr.toml: indicators[1]: a\n"
                            "r.toml: indicators[2]: field 'points': b")
    copy = pickle.loads(pickle.dumps(located))
    assert (copy.problems, copy.file, str(copy)) == (located.problems, "r.toml", str(located))


# -- ruleset texts never reinterpreted silently ------------------------------------------

@pytest.mark.parametrize(("direction", "band", "message"), [
    ("lower", "at_least", "band 1 says 'at_least' but lower is better for this indicator; write 'at_most', "
                          "or set direction = \"higher\" if higher is better"),
    ("higher", "at_most", "band 1 says 'at_most' but higher is better for this indicator; write 'at_least', "
                          "or set direction = \"lower\" if lower is better"),
])
def test_a_band_key_against_the_direction_is_refused(problems, direction, band, message):
    rule = f'{{ type = "bands", bands = [{{ {band} = 1, points = 10 }}] }}'
    assert problems(HEAD + indicator(direction=f'"{direction}"', rule=rule)) == [
        f"indicators[1] (食品抽检合格率): field 'rule': {message}"]


def test_band_keys_that_agree_with_the_direction_load(load):
    rule = '{ type = "bands", bands = [{ at_most = 0.5, points = 10 }, { at_most = 1, points = 5 }] }'
    ruleset = load(HEAD + indicator(direction='"lower"', target="0.5", rule=rule))
    assert [(str(b.threshold), str(b.points)) for b in ruleset.indicators[0].rule.bands] == [("0.5", "10"),
                                                                                            ("1", "5")]


def test_an_unknown_tie_break_id_is_refused_and_a_single_id_is_one_id(problems, load):
    assert problems(HEAD + '\n[ranking]\ntie_break = ["fod"]\n' + indicator()) == [
        "ranking: field 'tie_break': 'fod' is not a category or indicator id; known: food"]
    assert load(HEAD + '\n[ranking]\ntie_break = "food"\n' + indicator()).ranking.tie_break == ("food",)


def test_unit_and_level_names_are_read_as_data_is(load):
    ruleset = load(HEAD + '\n[roster]\nunits = ["县市场监管局（知识产权局）", " 西沱镇 "]\n'
                   + indicator(applies_to='["县市场监管局（知识产权局）"]')
                   + indicator("task", "重点任务", target="", rule='{ type = "levels", levels = '
                               '{ "完成（含提前完成）" = 1, "未完成" = 0 } }'))
    assert ruleset.roster.units == ("县市场监管局(知识产权局)", "西沱镇")
    assert ruleset.indicators[0].applies_to == ("县市场监管局(知识产权局)",)
    assert ruleset.indicators[0].applies("县市场监管局(知识产权局)")
    assert set(ruleset.indicators[1].rule.levels) == {"完成(含提前完成)", "未完成"}


def test_names_equal_once_read_as_data_are_duplicates(problems):
    text = (HEAD + indicator(name="食品抽检合格率（%）") + indicator("drug", "食品抽检合格率(%)")
            + '\n[[adjustments.bonus]]\nid = "award"\nname = "获奖"\n'
            + '\n[[adjustments.deductions]]\nid = "award"\nname = " 获奖"\n')
    assert problems(text) == [
        "indicators[2] (食品抽检合格率(%)): field 'name': name '食品抽检合格率(%)' is also used by indicators[1], "
        "as '食品抽检合格率（%）' (names are compared as data is read)",
        "adjustments.deductions[1] ( 获奖): field 'id': id 'award' is also used by adjustments.bonus[1]",
        "adjustments.deductions[1] ( 获奖): field 'name': name ' 获奖' is also used by adjustments.bonus[1], "
        "as '获奖' (names are compared as data is read)",
    ]
    levels = '{ type = "levels", levels = { "完成" = 1, "完成 " = 0.5 } }'
    assert problems(HEAD + indicator(target="", rule=levels)) == [
        "indicators[1] (食品抽检合格率): field 'rule': levels '完成' and '完成 ' are one level once read as data is "
        "(full-width forms folded, outer spaces removed)"]
    assert problems(HEAD + '\n[roster]\nunits = ["西沱镇", "西沱镇 "]\n' + indicator()) == [
        "roster: unit '西沱镇' is listed twice"]


@pytest.mark.parametrize(("level", "mark"), [("无", "no-data"), ("N/A", "no-data"), ("－", "no-data"),
                                             ("不适用", "exempt (不适用)"), ("免考核", "exempt (不适用)")])
def test_a_level_named_like_a_data_mark_is_refused(problems, level, mark):
    rule = f'{{ type = "levels", levels = {{ "完成" = 1, "{level}" = 0 }} }}'
    assert problems(HEAD + indicator(target="", rule=rule)) == [
        f"indicators[1] (食品抽检合格率): field 'rule': level '{level}' reads as the {mark} mark in a data cell; "
        "give the level another name"]


def test_an_item_named_like_a_data_mark_is_refused(problems):
    text = HEAD + indicator() + '\n[[adjustments.vetoes]]\nid = "none"\nname = "无"\n'
    assert problems(text) == ["adjustments.vetoes[1] (无): field 'name': item '无' reads as the no-data mark in a "
                              "data cell; give the item another name"]


def test_applies_to_must_name_units_of_the_roster(problems):
    text = HEAD + '\n[roster]\nunits = ["县市场监管局", "县农业农村委"]\n' + indicator(applies_to='["县市场监督局"]')
    assert problems(text) == ["indicators[1] (食品抽检合格率): field 'applies_to': '县市场监督局' is not a unit of "
                              "the [roster]; did you mean 县市场监管局?"]


# -- worked example: the lead department is assessed on its own task ---------------------

MEMBERS = '''
id = "members"
title = "测试县成员单位考核"
jurisdiction = "测试县"
unit_kind = "成员单位"
base_year = 2023
horizon_year = 2027
scale_to = 100

[[indicators]]
id = "food"
name = "食品抽检合格率"
unit = "%"
target = 98
points = 50
rule = "pass_fail"
applies_to = ["县市场监管局（知识产权局）"]

[[indicators]]
id = "task"
name = "重点任务完成情况"
points = 50
rule = { type = "levels", levels = { "完成" = 1, "未完成" = 0 } }

# 县市场监管局(知识产权局) leads 食品抽检合格率: 97 < 98 → 0 of 50; 完成 → 50 of 50.
# Score rate (0 + 50) ÷ (50 + 50) × 100 = 50.00.  Were the full-width brackets not read
# as the data's, it would be exempt from its own task: 50 ÷ 50 × 100 = 100.00.
[[examples]]
name = "县市场监管局(知识产权局)"
inputs = { "食品抽检合格率" = 97, "重点任务完成情况" = "完成" }
points = { food = 0, task = 50 }
total = 50
'''


def test_a_full_width_applies_to_entry_matches_the_data_unit(cli, write):
    ruleset = write("members.toml", MEMBERS)
    data = write("members.csv", "成员单位,食品抽检合格率,重点任务完成情况\n"
                                "县市场监管局(知识产权局),97,完成\n县农业农村委,-,完成\n")
    result = cli("rank", str(ruleset), str(data), "--format", "csv")
    assert result.exit_code == 0, result.output
    # 县农业农村委 is exempt from 食品抽检合格率: 50 ÷ 50 × 100 = 100.00.
    assert result.stdout.lstrip("\ufeff").splitlines()[1:] == [
        "1,县农业农村委,100.00,,0,0,否,,0.00,50.00",
        "2,县市场监管局(知识产权局),50.00,,0,0,否,,0.00,50.00",
    ]
    validated = cli("validate", str(ruleset))
    assert validated.exit_code == 0, validated.output
    assert validated.output == (f"✓ {ruleset}: members, 2 indicators, full marks 100, "
                                "1 worked example(s) agree\n")
