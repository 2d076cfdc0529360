"""`qscore validate`'s lint: each finding names the line; errors exit 1, warnings exit 0."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from conftest import DATA
from qscore.authoring.lint import Locator

HEAD = """
id = "lint-test"
title = "测试"
jurisdiction = "测试县"
base_year = 2023
horizon_year = 2027
"""


def indicator(id_: str, name: str, extra: str = "") -> str:
    return f"""
[[indicators]]
id = "{id_}"
name = "{name}"
unit = "%"
baseline = 95
target = 98
points = 50
rule = "progress"
{extra}"""


def lines_of(output: str) -> list[str]:
    return [line for line in output.splitlines() if ": error: " in line or ": warning: " in line]


def test_clean_ruleset_passes_without_findings(cli):
    result = cli("validate", str(DATA / "township.toml"))
    assert result.exit_code == 0
    assert result.output == "✓ " + str(DATA / "township.toml") + ": test-township, 3 indicators, full marks 100\n"


def test_category_points_that_do_not_add_up_are_an_error_on_the_points_line(cli, write):
    path = write("r.toml", HEAD + """
[[categories]]
id = "product"
name = "产品质量"
points = 60
""" + indicator("a", "甲", 'category = "product"') + indicator("b", "乙", 'category = "product"'))
    result = cli("validate", str(path))
    assert result.exit_code == 1
    # line 10 is `points = 60` (the file starts with a blank line removed by dedent: line 1 is `id`)
    assert lines_of(result.output) == [
        f"{path}:10: error: categories[1] (产品质量): declares 60 points but its indicators carry 50 + 50 = 100"]
    assert path.read_text().splitlines()[9] == "points = 60"


SEVERAL_PROBLEMS = """\
id = "lint-test"
title = "测试"
jurisdiction = "测试县"
base_year = 2023
horizon_year = 2020

[classification]
by = "score"
grades = [{ name = "优秀", min_score = 80 }, { name = "良好", min_score = 80 }, { name = "差" }]

[ranking]
tie_break = ["food"]

[[indicators]]
id = "a"
name = "甲"
target = 98
points = 50
rule = "progres"

[[indicators]]
id = "b"
name = "甲"
unti = "%"
target = 98
points = 50
rule = { type = "stars", per_star = 1 }

[[indicators]]
id = "c"
name = "丙"
direction = "lower"
points = 10
rule = { type = "bands", bands = [{ at_least = 1, points = 10 }] }
"""


def test_every_loader_problem_is_reported_on_its_line(cli, write):
    # Independent problems in five tables: all of them, each on its line, in line order,
    # with the loader's message.  Lint does not run on a file that does not load.
    path = write("r.toml", SEVERAL_PROBLEMS)
    result = cli("validate", str(path))
    assert result.exit_code == 1
    known = "known: bands, count, deduction, levels, pass_fail, progress, rank, ratio"
    assert result.output == (
        f"{path}:5: error: field 'horizon_year': horizon_year 2020 is before base_year 2023\n"
        f"{path}:9: error: classification: field 'grades': min_score must fall from one class to the next\n"
        f"{path}:12: error: ranking: field 'tie_break': 'food' is not a category or indicator id; known: a, b, c\n"
        f"{path}:19: error: indicators[1] (甲): field 'rule.type': unknown rule type 'progres'; {known}\n"
        f"{path}:21: error: indicators[2] (甲): unknown key(s) 'unti'; allowed: aliases, applies_to, baseline, "
        "baseline_year, category, change, direction, id, lead, missing, name, notes, points, rule, source, target, unit\n"
        f"{path}:23: error: indicators[2] (甲): field 'name': name '甲' is also used by indicators[1]\n"
        f"{path}:27: error: indicators[2] (甲): field 'rule.type': unknown rule type 'stars'; {known}\n"
        f"{path}:34: error: indicators[3] (丙): field 'rule': band 1 says 'at_least' but lower is better for this "
        "indicator; write 'at_most', or set direction = \"higher\" if higher is better\n"
        f"✗ {path}: 8 error(s)\n"
        "Error: 1 of 1 file(s) failed validation\n")
    lines = SEVERAL_PROBLEMS.splitlines()
    assert [lines[n - 1] for n in (5, 9, 12, 19, 21, 23, 27, 34)] == [
        "horizon_year = 2020", lines[8], 'tie_break = ["food"]', 'rule = "progres"', "[[indicators]]",
        'name = "甲"', 'rule = { type = "stars", per_star = 1 }', lines[33]]
    assert lines[8].startswith("grades = ") and lines[33].startswith("rule = { type = \"bands\"")


def test_a_file_that_is_not_toml_is_reported_on_the_line_tomllib_names(cli, write):
    path = write("r.toml", 'id = "x"\ntitle = \n')
    result = cli("validate", str(path))
    assert result.exit_code == 1
    assert result.output.splitlines()[0] == (f"{path}:2: error: not valid TOML: Invalid value (at line 2, "
                                             "column 9)")


def test_a_missing_key_is_reported_on_its_table_header(cli, write):
    path = write("r.toml", HEAD + indicator("a", "甲").replace("points = 50\n", ""))
    result = cli("validate", str(path))
    assert result.exit_code == 1
    line = path.read_text().splitlines().index("[[indicators]]") + 1
    assert result.output.splitlines()[0] == f"{path}:{line}: error: indicators[1] (甲): field 'points': is required"


def test_target_on_the_wrong_side_of_the_baseline_is_a_warning(cli, write):
    # higher is better, baseline 95, target 90: suspicious but loadable
    path = write("r.toml", HEAD + indicator("a", "甲").replace("target = 98", "target = 90"))
    result = cli("validate", str(path))
    assert result.exit_code == 0
    line = path.read_text().splitlines().index("target = 90") + 1
    assert lines_of(result.output) == [f"{path}:{line}: warning: indicators[1] (甲): target 90 is below the baseline 95 "
                                       "though higher is better; check direction and target"]
    assert result.output.endswith("full marks 50, 1 warning(s)\n")


def test_lower_is_better_target_above_baseline_warns(cli, write):
    path = write("r.toml", HEAD + indicator("a", "甲", 'direction = "lower"'))
    result = cli("validate", str(path))
    assert result.exit_code == 0
    assert "target 98 is above the baseline 95 though lower is better" in result.output


def test_a_top_band_below_full_marks_is_a_gap_warning(cli, write):
    path = write("r.toml", HEAD + """
[[indicators]]
id = "a"
name = "甲"
unit = "%"
points = 10
rule = { type = "bands", bands = [{ at_least = 98, points = 8 }] }
""")
    result = cli("validate", str(path))
    assert result.exit_code == 0
    assert lines_of(result.output) == [f"{path}:12: warning: indicators[1] (甲): the best band gives 8 of the 10 "
                                       "points: no value earns full marks"]


def test_a_class_no_unit_can_reach_is_a_warning(cli, write):
    grades = """
[classification]
by = "score"
grades = [{ name = "优秀", min_score = 60 }, { name = "良好", min_score = 40 }, { name = "差" }]
"""
    path = write("u.toml", HEAD + grades + indicator("a", "甲"))
    result = cli("validate", str(path))
    assert result.exit_code == 0
    assert lines_of(result.output) == [f"{path}:9: warning: classification: class '优秀' needs 60 but the most a "
                                       "unit can score is 50"]


def test_a_trend_target_whose_words_go_against_the_direction_is_an_error(cli, write):
    trend = 'target = { kind = "trend", text = "亿元GDP生产安全事故死亡率持续降低" }'
    path = write("r.toml", HEAD + indicator("a", "甲").replace("target = 98", trend).replace("baseline = 95\n", ""))
    result = cli("validate", str(path))
    assert result.exit_code == 1
    line = path.read_text().splitlines().index(trend) + 1
    assert lines_of(result.output) == [
        f"{path}:{line}: error: indicators[1] (甲): the trend target says '降低' (亿元GDP生产安全事故死亡率持续降低) "
        "but higher is better, so a unit meets it only if its value rises above the previous year's; correct the "
        "direction or the text"]
    lower = write("l.toml", HEAD + indicator("a", "甲", 'direction = "lower"').replace(
        "target = 98", 'target = { kind = "trend", text = "不断提升" }').replace("baseline = 95\n", ""))
    result = cli("validate", str(lower))
    assert result.exit_code == 1
    assert "the trend target says '提升' (不断提升) but lower is better" in result.output
    # Words that agree with the direction, or none at all, pass.
    for direction, text in (("lower", "持续降低"), ("higher", "不断提高"), ("higher", "明显改善")):
        fine = write("f.toml", HEAD + indicator("a", "甲", f'direction = "{direction}"').replace(
            "target = 98", f'target = {{ kind = "trend", text = "{text}" }}').replace("baseline = 95\n", ""))
        assert cli("validate", str(fine)).exit_code == 0


def test_a_header_that_names_two_things_is_an_error(cli, write):
    path = write("r.toml", HEAD + indicator("a", "食品抽检合格率") + indicator("b", "乙", 'aliases = ["食品抽检 合格率"]')
                 + '\n[[adjustments.bonus]]\nid = "award"\nname = "乙"\n')
    result = cli("validate", str(path))
    assert result.exit_code == 1
    lines = path.read_text().splitlines()
    aliases = lines.index('aliases = ["食品抽检 合格率"]') + 1
    item = lines.index('name = "乙"', aliases) + 1
    assert lines_of(result.output) == [
        f"{path}:{aliases}: error: indicators[2] (乙): alias '食品抽检 合格率' reads as the same column header as "
        "the name '食品抽检合格率' of indicators[1]; a column headed so could only go to one of them",
        f"{path}:{item}: error: adjustments.bonus[1] (乙): name '乙' reads as the same column header as the name "
        "'乙' of indicators[2]; a column headed so could only go to one of them",
    ]


def test_warnings_and_errors_from_several_files_are_counted(cli, write):
    good = write("good.toml", HEAD + indicator("a", "甲"))
    bad = write("bad.toml", HEAD + indicator("a", "甲") + indicator("b", "甲"))
    result = cli("validate", str(good), str(bad))
    assert result.exit_code == 1
    assert result.output.endswith("Error: 1 of 2 file(s) failed validation\n")


@given(st.lists(st.sampled_from(["indicators", "categories", "adjustments.bonus"]), min_size=1, max_size=12))
def test_locator_finds_the_nth_array_table(order):
    text = "\n".join(f"[[{name}]]\nid = \"x{n}\"\n" for n, name in enumerate(order))
    locator = Locator(text)
    seen: dict[str, int] = {}
    for position, name in enumerate(order):
        seen[name] = seen.get(name, 0) + 1
        # each table takes three lines: header, id, blank
        assert locator.line(f"{name}[{seen[name]}]") == position * 3 + 1
        assert locator.line(f"{name}[{seen[name]}]", "id") == position * 3 + 2


def test_locator_resolves_sub_tables_of_array_elements():
    text = '[[examples]]\nname = "a"\n[examples.inputs]\n"甲" = 1\n[[examples]]\nname = "b"\n[examples.inputs]\n"甲" = 2\n'
    locator = Locator(text)
    assert locator.line("examples[2].inputs", "甲") == 8
    assert locator.line("examples[1].inputs") == 3


def test_locator_places_the_loaders_toml_paths():
    text = """\
base_year = 2023
[classification]
grades = [
  { name = "优秀", min_score = 90 },
  { name = "良好", min_score = 95 },
]
[[indicators]]
id = "a"
rule = { type = "bands", bands = [] }
[[examples]]
name = "甲"
inputs = { "食品" = 1 }
[[examples]]
name = "乙"
[examples.inputs]
"食品" = 2
"""
    locator = Locator(text)
    assert locator.locate(None, "base_year") == 1
    assert locator.locate("indicators[1] (甲)", "rule.bands") == 9
    assert locator.locate("indicators[1] (甲)", "points") == 7  # not written: the table's header
    assert locator.locate("classification.grades[2] (良好)", "min_score") == 3  # an inline array: its key
    assert locator.locate("classification", "grades") == 3
    assert locator.locate("examples[1] (甲)", "inputs.食品") == 12
    assert locator.locate("examples[2] (乙)", "inputs.食品") == 16
    assert locator.locate("examples[2] (乙)") == 13
    assert locator.locate("roster", "units") is None


def test_past_the_limit_validate_shows_the_first_fifty(cli, write):
    path = write("r.toml", HEAD + "".join(indicator(f"i{n}", f"指标{n}").replace("points = 50", 'points = "x"')
                                          for n in range(60)))
    result = cli("validate", str(path))
    assert result.exit_code == 1
    assert len(lines_of(result.output)) == 50
    assert lines_of(result.output)[-1].endswith("indicators[50] (指标49): field 'points': expected a number, got 'x'")
    assert result.output.endswith(f"✗ {path}: more than 50 errors; the first 50 are shown\n"
                                  "Error: 1 of 1 file(s) failed validation\n")
