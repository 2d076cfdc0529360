"""`import-table` writes TOML that always loads (or it fails): no text from the table can
end a comment or a string, and full marks are a finite number of points."""

from __future__ import annotations

import re
import tomllib
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hostile_kit import check_cli
from qscore.authoring.importer import read_table, to_toml
from qscore.plugins.manager import load_plugins
from qscore.reading.table import RawTable
from qscore.rulesets import load_ruleset

USAGE = "Usage: qscore import-table [OPTIONS] FILE\nTry 'qscore import-table --help' for help.\n\n"
INJECTION = '完成市下达任务\n[[indicators]]\nid = "x"\nname = "注入"\ntarget = 1\npoints = 1000\nrule = "pass_fail"\n#'


def table_file(folder: Path, rows: list[list[str]]) -> Path:
    """A JSON table: its \\u escapes carry any character, line breaks and CR included."""
    import json

    header = ["类别", "指标名称", "2023年", "2027年", "牵头部门"]
    path = folder / "plan.json"
    path.write_text(json.dumps([dict(zip(header, row)) for row in rows], ensure_ascii=True), encoding="utf-8")
    return path


def imported(cli, folder: Path, path: Path, *options: str) -> Path:
    output = folder / "out" / "imported.toml"
    output.parent.mkdir(exist_ok=True)
    result = cli("import-table", str(path), "-o", str(output), *options)
    assert result.exit_code == 0, result.output
    return output


def test_a_line_break_in_a_flagged_cell_cannot_add_an_indicator(cli, catalog, tmp_path):
    path = table_file(tmp_path, [["产品", "食品抽检合格率（%）", "96", INJECTION, "县市场监管局"],
                                 ["", "企业标准（项）", "3", "5", "县市场监管局"]])
    output = imported(cli, tmp_path, path)
    text = output.read_text(encoding="utf-8")
    assert "\npoints = 1000" not in text and "[[indicators]]\nid = \"x\"" not in text
    assert "# 待核对: 目标值「完成市下达任务\\x0a[[indicators]]\\x0aid = \"x\"" in text
    ruleset_data = tomllib.loads(text)
    assert [i["name"] for i in ruleset_data["indicators"]] == ["食品抽检合格率", "企业标准"]
    assert ruleset_data["indicators"][0]["notes"] == [f"表中目标值为「{INJECTION}」"]


@pytest.mark.parametrize("text", ["县市场\r监管局", "县市场\x7f监管局", "县\x1b[2J市场监管局", '县"市场"\\监管局\t',
                                  "县\x00局", "县\x9b局"])
def test_control_characters_and_quotes_in_any_cell_give_a_ruleset_that_loads(cli, catalog, tmp_path, text):
    path = table_file(tmp_path, [["产品", f"食品{text}合格率（%）", "96", "98", text]])
    output = imported(cli, tmp_path, path)
    ruleset = load_ruleset(output, catalog.rule_types)
    # The importer takes names without their spaces and cells without surrounding ones.
    assert ruleset.indicators[0].lead == text.strip()
    assert ruleset.indicators[0].name == re.sub(r"\s+", "", f"食品{text}合格率")


def test_a_file_name_with_a_line_break_stays_in_its_comment(cli, catalog, tmp_path):
    path = table_file(tmp_path, [["产品", "食品抽检合格率（%）", "96", "98", "县市场监管局"]])
    odd = path.with_name("plan\n[[indicators]].json")
    path.rename(odd)
    output = imported(cli, tmp_path, odd)
    ruleset = load_ruleset(output, catalog.rule_types)
    assert ruleset.source == str(odd) and len(ruleset.indicators) == 1
    shown = str(odd).replace("\n", "\\x0a")
    assert output.read_text(encoding="utf-8").startswith(f"# Imported by `qscore import-table` from {shown}: 1 ")


@pytest.mark.parametrize(("given", "message"), [
    ("nan", "nan is not a finite number; expected full marks"),
    ("inf", "inf is not a finite number; expected full marks"),
    ("-Infinity", "-Infinity is not a finite number; expected full marks"),
    ("0", "expected more than 0 points, got 0"),
    ("1e20", "1e20 is too large to be full marks (limit 1,000,000,000,000,000)"),
    ("百", "expected a number of points, such as 100, got '百'"),
])
def test_full_marks_are_a_finite_number_of_points(cli, tmp_path, given, message):
    path = table_file(tmp_path, [["产品", "食品抽检合格率（%）", "96", "98", "县市场监管局"]])
    check_cli(cli, tmp_path, "import-table", str(path), "--full-marks", given, "-o", str(tmp_path / "out.toml"),
              code=2, output=f"{USAGE}Error: Invalid value for '--full-marks': {message}\n")


def test_a_table_that_makes_no_loadable_ruleset_fails_and_writes_nothing(cli, tmp_path):
    path = table_file(tmp_path, [["产品", "食品抽检合格率（%）", "96", "98", "县"],
                                 ["", "食品抽检合格率", "95", "97", "县"]])
    check_cli(cli, tmp_path, "import-table", str(path), "-o", str(tmp_path / "out.toml"), code=1,
              output=f"Error: {path}: the table does not make a ruleset that loads (indicators[2] (食品抽检合格率): "
                     "field 'name': name '食品抽检合格率' is also used by indicators[1]); nothing was written\n")


def test_a_text_that_would_not_load_is_refused_before_anything_is_written(catalog):
    from qscore.authoring.importer import check_loads
    from qscore.errors import DataError

    raw = RawTable(file="plan.csv", header=("指标名称", "2023年", "2027年"), rows=[["甲（%）", "96", "98"]],
                   row_numbers=[2])
    table = read_table(raw)
    text = to_toml(table, ruleset_id="t", title="测试", jurisdiction="测试县")
    check_loads(text, table, catalog.rule_types, catalog.target_kinds)  # the real output loads
    with pytest.raises(DataError) as refused:
        check_loads(text.replace("points = 100.00", "points = 1e30"), table, catalog.rule_types, catalog.target_kinds)
    assert str(refused.value) == ("plan.csv: the table does not make a ruleset that loads (indicators[1] (甲): "
                                  "field 'points': 1E+30 is too large to be a ruleset figure (limit "
                                  "1,000,000,000,000,000)); nothing was written")


CELL_TEXT = st.text(st.characters(blacklist_categories=("Cs",)), max_size=12)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rows=st.lists(st.tuples(CELL_TEXT, CELL_TEXT.filter(lambda t: t.strip() != ""), CELL_TEXT,
                               st.one_of(CELL_TEXT, st.decimals(0, 100, places=2).map(str)), CELL_TEXT),
                     min_size=1, max_size=4, unique_by=lambda row: re.sub(r"\s+", "", row[1])))
def test_whatever_the_cells_hold_the_toml_loads(rows):
    """Any text in any cell (names distinct, as a plan's are): the output is TOML, and
    where every target was a number the real loader takes it."""
    from qscore.errors import DataError

    raw = RawTable(file="表.csv", header=("类别", "指标名称", "2023年", "2027年", "牵头部门"),
                   rows=[list(row) for row in rows], row_numbers=list(range(2, len(rows) + 2)))
    try:
        table = read_table(raw)
    except DataError:
        return  # no indicator row: refused before anything is written
    text = to_toml(table, ruleset_id="t", title="测\n试\x1b", jurisdiction="测试县")
    data = tomllib.loads(text, parse_float=Decimal)
    assert [i["name"] for i in data["indicators"]] == [row.name for row in table.rows]
    assert [i.get("lead") for i in data["indicators"]] == [row.lead or None for row in table.rows]
    if all(row.target is not None for row in table.rows):
        catalog = load_plugins(entry_points=False)
        from qscore.rulesets import parse_ruleset

        ruleset = parse_ruleset(data, catalog.rule_types, target_kinds=catalog.target_kinds)
        assert ruleset.title == "测\n试\x1b" and len(ruleset.indicators) == len(table.rows)
