"""Ruleset files: the schema is enforced and every error names file, table and field."""

from __future__ import annotations

import pytest

from qscore.errors import RulesetError
from qscore.rulesets import load_ruleset

from conftest import DATA

HEAD = '''
id = "t"
title = "测试"
jurisdiction = "测试县"
base_year = 2023
horizon_year = 2027
'''
FOOD = '''
[[indicators]]
id = "food"
name = "食品抽检合格率"
unit = "%"
target = 98
points = 10
rule = "pass_fail"
'''


@pytest.fixture
def load(write, catalog):
    def load_text(text):
        return load_ruleset(write("rules.toml", text), catalog.rule_types)
    return load_text


def test_the_test_township_ruleset_loads_with_every_part(catalog):
    ruleset = load_ruleset(DATA / "township.toml", catalog.rule_types)
    assert [i.id for i in ruleset.indicators] == ["food", "drug", "task"]
    assert ruleset.classification.lowest == "不合格"
    assert ruleset.adjustments.bonus_cap == 5
    assert str(ruleset.indicators[0].baseline) == "95"


@pytest.mark.parametrize("change, message", [
    (FOOD.replace('rule = "pass_fail"', 'rule = "pas_fail"'),
     "rules.toml: indicators[1] (食品抽检合格率): field 'rule.type': unknown rule type 'pas_fail'; known: "
     "bands, count, deduction, levels, pass_fail, progress, rank, ratio"),
    (FOOD.replace("points = 10", "points = -1"),
     "rules.toml: indicators[1] (食品抽检合格率): field 'points': 'points' must be 0 or more, got -1"),
    (FOOD.replace("points = 10", 'points = "ten"'),
     "rules.toml: indicators[1] (食品抽检合格率): field 'points': expected a number, got 'ten'"),
    (FOOD.replace('unit = "%"', 'unti = "%"'),
     "rules.toml: indicators[1] (食品抽检合格率): unknown key(s) 'unti'; allowed: aliases, applies_to, baseline, "
     "baseline_year, category, change, direction, id, lead, missing, name, notes, points, rule, source, target, unit"),
    (FOOD.replace("target = 98\n", ""),
     "rules.toml: indicators[1] (食品抽检合格率): field 'target': rule 'pass_fail' compares with a target, "
     "but none is given"),
    (FOOD.replace('rule = "pass_fail"', 'rule = { type = "bands", bands = [{ at_least = 95, points = 8 }, '
                  '{ at_least = 98, points = 10 }] }'),
     "rules.toml: indicators[1] (食品抽检合格率): field 'rule': band thresholds must fall strictly from the best "
     "step to the worst"),
    (FOOD.replace("target = 98", 'target = { kind = "change", percnt = -13 }'),
     "rules.toml: indicators[1] (食品抽检合格率): field 'target': unknown key(s) 'percnt' for a 'change' target; "
     "allowed: kind, interim, percent, points, strict, text"),
    (FOOD.replace('rule = "pass_fail"', 'rule = { type = "count", per_item = 2, max = 10 }'),
     "rules.toml: indicators[1] (食品抽检合格率): field 'rule': unknown parameter(s) max for rule 'count'; "
     "it takes: per_item, cap, basis"),
    (FOOD + '\n[classification]\nby = "score"\ngrades = [{ name = "优秀", min_score = 80 }, '
            '{ name = "良好", min_score = 90 }, { name = "差" }]\n',
     "rules.toml: classification: field 'grades': min_score must fall from one class to the next"),
    (FOOD.replace('id = "food"', 'id = "食品"'),
     "rules.toml: indicators[1] (食品抽检合格率): field 'id': '食品' is not allowed for 'id': an id is ASCII letters, "
     "digits, '_' or '-', starting with a letter, such as food_pass_rate"),
])
def test_errors_name_the_file_table_and_field(load, change, message):
    with pytest.raises(RulesetError) as caught:
        load(HEAD + change)
    assert str(caught.value).split("/")[-1] == message


def test_years_out_of_order_and_unknown_top_level_keys(load):
    with pytest.raises(RulesetError, match="horizon_year 2020 is before base_year 2023"):
        load(HEAD.replace("horizon_year = 2027", "horizon_year = 2020") + FOOD)
    with pytest.raises(RulesetError, match="unknown key\\(s\\) 'titel'"):
        load(HEAD + 'titel = "x"\n' + FOOD)


def test_not_toml_is_reported_with_the_position(load):
    with pytest.raises(RulesetError, match=r"rules.toml: not valid TOML: .*line 2"):
        load("id = 1\nthis is not toml\n")


def test_unknown_category_and_duplicate_ids(load):
    with pytest.raises(RulesetError, match="category 'product' is not among \\[\\[categories\\]\\]"):
        load(HEAD + FOOD.replace('unit = "%"', 'unit = "%"\ncategory = "product"'))
    with pytest.raises(RulesetError) as caught:
        load(HEAD + FOOD + FOOD.replace("食品抽检合格率", "食品合格率"))
    assert [p.describe() for p in caught.value.problems] == [
        "indicators[2] (食品合格率): field 'id': id 'food' is also used by indicators[1]"]


def test_a_roster_lists_the_units_with_its_source(load):
    ruleset = load(HEAD + '[roster]\nsource = "统计用区划代码"\nas_of = "2023"\nunits = ["南宾街道", "西沱镇"]\n' + FOOD)
    assert ruleset.roster.units == ("南宾街道", "西沱镇")
    assert (ruleset.roster.source, ruleset.roster.as_of) == ("统计用区划代码", "2023")


@pytest.mark.parametrize(("roster", "message"), [
    ('units = ["西沱镇", "西沱镇"]', "roster: unit '西沱镇' is listed twice"),
    ("units = []", "roster"),
    ('units = ["西沱镇"]\nwhen = "2023"', r"roster: unknown key\(s\) 'when'"),
    ('units = ["西沱镇"]\nsource = 2023', "roster: field 'source': expected a string, got 2023"),
])
def test_a_bad_roster_is_refused_naming_the_table(load, roster, message):
    with pytest.raises(RulesetError, match=message):
        load(HEAD + "[roster]\n" + roster + "\n" + FOOD)
