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


def test_every_unknown_rule_type_is_reported_with_its_line(cli, write):
    text = HEAD + indicator("a", "甲").replace('"progress"', '"progres"') + indicator("b", "乙").replace(
        'rule = "progress"', 'rule = { type = "stars", per_star = 1 }')
    path = write("r.toml", text)
    result = cli("validate", str(path))
    assert result.exit_code == 1
    lines = path.read_text().splitlines()
    found = lines_of(result.output)
    assert [line.split(":")[1] for line in found] == [str(lines.index('rule = "progres"') + 1),
                                                       str(lines.index('rule = { type = "stars", per_star = 1 }') + 1)]
    assert "unknown rule type 'progres'" in found[0] and "unknown rule type 'stars'" in found[1]
    # the loader's own message stays as it was
    assert f"✗ {path}: indicators[1] (甲): field 'rule.type': unknown rule type 'progres'" in result.output


def test_duplicate_names_are_errors(cli, write):
    path = write("r.toml", HEAD + indicator("a", "食品抽检合格率") + indicator("b", "食品抽检合格率"))
    result = cli("validate", str(path))
    assert result.exit_code == 1
    line = path.read_text().splitlines().index('name = "食品抽检合格率"', 10) + 1
    assert lines_of(result.output) == [f"{path}:{line}: error: indicators[2] (食品抽检合格率): indicators: name "
                                       "'食品抽检合格率' is also used by indicators[1]"]


def test_duplicate_ids_are_reported_by_line_as_well_as_by_the_loader(cli, write):
    path = write("r.toml", HEAD + indicator("a", "甲") + indicator("a", "乙"))
    result = cli("validate", str(path))
    assert result.exit_code == 1
    assert "✗ " + str(path) + ": indicators: field 'id': id 'a' is used twice" in result.output
    line = path.read_text().splitlines().index('id = "a"', 8) + 1
    assert f"{path}:{line}: error: indicators[2] (乙): indicators: id 'a' is also used by indicators[1]" in result.output


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


def test_overlapping_bands_are_found_before_the_loader_stops(cli, write):
    path = write("r.toml", HEAD + """
[[indicators]]
id = "a"
name = "甲"
unit = "%"
points = 10
rule = { type = "bands", bands = [{ at_least = 95, points = 8 }, { at_least = 98, points = 10 }] }
""")
    result = cli("validate", str(path))
    assert result.exit_code == 1
    found = lines_of(result.output)
    assert found[0].startswith(f"{path}:12: error: indicators[1] (甲): bands overlap: the step at 98 comes after the step at 95")
    assert found[1] == f"{path}:12: error: indicators[1] (甲): band points rise from 8 to 10 for a worse step"


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


def test_overlapping_and_unreachable_classes(cli, write):
    grades = """
[classification]
by = "score"
grades = [{ name = "优秀", min_score = 80 }, { name = "良好", min_score = 80 }, { name = "差" }]
"""
    path = write("r.toml", HEAD + grades + indicator("a", "甲"))
    result = cli("validate", str(path))
    assert result.exit_code == 1
    assert lines_of(result.output) == [f"{path}:9: error: classification: classes overlap: '良好' (min_score 80) is "
                                       "not below '优秀' (min_score 80)"]
    unreachable = write("u.toml", HEAD + grades.replace("80 }, { name = \"良好\", min_score = 80", "60 }, { name = \"良好\", min_score = 40") + indicator("a", "甲").replace("points = 50", "points = 50"))
    result = cli("validate", str(unreachable))
    assert result.exit_code == 0
    assert "warning: classification: class '优秀' needs 60 but the most a unit can score is 50" in result.output


def test_years_out_of_order(cli, write):
    path = write("r.toml", HEAD.replace("horizon_year = 2027", "horizon_year = 2020")
                 + indicator("a", "甲", "baseline_year = 2030"))
    result = cli("validate", str(path))
    assert result.exit_code == 1
    found = lines_of(result.output)
    assert found[0] == f"{path}:5: error: horizon_year 2020 comes before base_year 2023"
    assert "error: indicators[1] (甲): baseline_year 2030 comes after the horizon year 2020" in found[1]


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
