"""Outputs: Excel-ready CSV and XLSX, JSON, the table; formula injection neutralised;
byte-identical output for the same input."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import openpyxl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import DATA

IO = DATA / "io"
TOWNSHIP = str(DATA / "township.toml")
TOWNSHIPS = DATA / "townships.csv"
FORMATS = ("table", "csv", "json", "xlsx")

# Unit and tier names a spreadsheet would run as formulas if written as they are.
HOSTILE_UNITS = ["=HYPERLINK(\"http://x\",\"点击\")", "+1+1", "-2+3", "@SUM(A1)", "南宾街道"]


@pytest.fixture
def hostile(tmp_path: Path) -> tuple[Path, Path]:
    """townships.csv with hostile unit names, and a ruleset whose grade names start with '='."""
    lines = TOWNSHIPS.read_text(encoding="utf-8").splitlines()
    rows = [lines[0]] + [f'"{name.replace(chr(34), chr(34) * 2)}",' + line.split(",", 1)[1]
                         for name, line in zip(HOSTILE_UNITS, lines[1:] + lines[1:2])]
    data = tmp_path / "hostile.csv"
    data.write_text("\n".join(rows) + "\n", encoding="utf-8")
    ruleset = tmp_path / "hostile.toml"
    ruleset.write_text((DATA / "township.toml").read_text(encoding="utf-8")
                       .replace('name="优秀"', 'name="=优秀"'), encoding="utf-8")
    return ruleset, data


def run(cli, *args: str) -> str:
    result = cli(*args)
    assert result.exit_code == 0, result.output
    return result.stdout


def test_csv_has_a_bom_and_neutralises_formulas_but_not_numbers(cli, hostile):
    ruleset, data = hostile
    text = run(cli, "rank", str(ruleset), str(data), "--year", "2025", "--format", "csv")
    assert text.startswith("\ufeff排名,单位,总分,等次")
    rows = list(csv.reader(io.StringIO(text.removeprefix("\ufeff"))))
    units = {row[1] for row in rows[1:]}
    assert units == {"'=HYPERLINK(\"http://x\",\"点击\")", "'+1+1", "'-2+3", "'@SUM(A1)", "南宾街道"}
    assert {row[3] for row in rows[1:]} >= {"'=优秀"}
    assert all(not cell.startswith("'") for row in rows[1:] for cell in row[:1] + row[2:3])


def test_table_and_json_show_names_as_they_are(cli, hostile):
    ruleset, data = hostile
    table = run(cli, "rank", str(ruleset), str(data), "--year", "2025")
    assert "=HYPERLINK" in table and "'=" not in table
    document = json.loads(run(cli, "rank", str(ruleset), str(data), "--year", "2025", "--format", "json"))
    assert {u["unit"] for u in document["units"]} == set(HOSTILE_UNITS)


def test_xlsx_writes_hostile_text_as_quoted_text_and_points_as_numbers(cli, hostile, tmp_path):
    ruleset, data = hostile
    output = tmp_path / "result.xlsx"
    run(cli, "rank", str(ruleset), str(data), "--year", "2025", "-o", str(output))
    workbook = openpyxl.load_workbook(output)
    assert workbook.sheetnames == ["排名", "总分图", "指标明细", "加减分", "数据提示", "说明", "来源", "图表数据"]
    sheet = workbook["排名"]
    for row in sheet.iter_rows(min_row=3):  # below the title and the header
        unit, total = row[1], row[2]
        assert unit.data_type == "s" and unit.value in HOSTILE_UNITS
        assert unit.quotePrefix == unit.value.startswith(("=", "+", "-", "@"))
        assert total.data_type == "n" and total.number_format == "0.00"
    # No cell of any sheet is a formula.
    assert all(cell.data_type != "f" for sheet in workbook.worksheets for row in sheet.iter_rows() for cell in row)


def test_xlsx_writes_names_that_look_like_xml_as_text(cli, tmp_path):
    # A name that is a piece of SpreadsheetML (a rich text run) is a name, not markup.
    names = {"悦崃镇": "<r><t>悦崃镇</t></r>", "西沱镇": "<r>&</r>", "黄水镇": "_x0041_镇"}
    text = TOWNSHIPS.read_text(encoding="utf-8")
    for old, new in names.items():
        text = text.replace(old, new)
    data = tmp_path / "names.csv"
    data.write_text(text, encoding="utf-8")
    output = tmp_path / "result.xlsx"
    run(cli, "rank", TOWNSHIP, str(data), "--year", "2025", "--partial", "-o", str(output))
    sheet = openpyxl.load_workbook(output)["排名"]
    written = {row[1] for row in sheet.iter_rows(min_row=3, values_only=True)}
    # openpyxl gives the text as stored: _x005F_ is Excel's escape of an underscore.
    assert written == {"<r><t>悦崃镇</t></r>", "<r>&</r>", "_x005F_x0041_镇", "南宾街道"}


@pytest.mark.parametrize("fmt", FORMATS)
def test_the_same_input_gives_byte_identical_output_across_processes(tmp_path, fmt):
    outputs = []
    for seed in ("1", "2"):
        output = tmp_path / f"result-{seed}.{'txt' if fmt == 'table' else fmt}"
        env = {**os.environ, "PYTHONHASHSEED": seed}
        subprocess.run([sys.executable, "-m", "qscore", "rank", TOWNSHIP, str(TOWNSHIPS), "--year", "2025",
                        "--format", fmt, "-o", str(output)], check=True, env=env)
        outputs.append(output.read_bytes())
    assert outputs[0] == outputs[1]
    assert len(outputs[0]) > 100


def test_xlsx_carries_no_time_of_the_run(cli, tmp_path):
    output = tmp_path / "result.xlsx"
    run(cli, "rank", TOWNSHIP, str(TOWNSHIPS), "-o", str(output))
    archive = zipfile.ZipFile(output)
    # The first date a zip holds, whatever the day of the run.
    assert {info.date_time for info in archive.infolist()} == {(1980, 1, 1, 0, 0, 0)}
    core = archive.read("docProps/core.xml").decode()
    assert "2000-01-01T00:00:00Z" in core


def test_xlsx_to_a_terminal_is_refused_but_a_pipe_gets_the_workbook(cli, monkeypatch):
    from qscore.cli import scoring

    result = cli("rank", TOWNSHIP, str(TOWNSHIPS), "--format", "xlsx")
    assert result.exit_code == 0 and result.stdout_bytes.startswith(b"PK\x03\x04")
    monkeypatch.setattr(scoring, "_stdout_is_terminal", lambda: True)
    result = cli("rank", TOWNSHIP, str(TOWNSHIPS), "--format", "xlsx")
    assert result.exit_code == 2
    assert result.output.endswith("Error: an XLSX workbook cannot be shown on a terminal; give -o FILE.xlsx\n")


def totals_from_json(cli, *args: str) -> dict[str, str]:
    document = json.loads(run(cli, "rank", *args, "--format", "json"))
    return {u["unit"]: f"{u['total']:.2f}" for u in document["units"]}


def test_output_round_trip_xlsx_and_csv_hold_the_json_totals(cli, tmp_path):
    expected = totals_from_json(cli, TOWNSHIP, str(TOWNSHIPS), "--year", "2025")
    xlsx, csv_file = tmp_path / "r.xlsx", tmp_path / "r.csv"
    run(cli, "rank", TOWNSHIP, str(TOWNSHIPS), "--year", "2025", "-o", str(xlsx))
    run(cli, "rank", TOWNSHIP, str(TOWNSHIPS), "--year", "2025", "-o", str(csv_file))
    sheet = openpyxl.load_workbook(xlsx)["排名"]
    from_xlsx = {row[1]: f"{row[2]:.2f}" for row in sheet.iter_rows(min_row=3, values_only=True)}
    with csv_file.open(encoding="utf-8-sig", newline="") as stream:
        from_csv = {row["单位"]: row["总分"] for row in csv.DictReader(stream)}
    assert from_xlsx == from_csv == expected
    # The hand-worked top of the table (tests/test_smoke_cli.py): 南宾街道 105.00.
    assert expected["南宾街道"] == "105.00"


def test_xlsx_detail_sheet_adds_up_to_the_totals(cli, tmp_path):
    document = json.loads(run(cli, "rank", TOWNSHIP, str(TOWNSHIPS), "--year", "2025", "--format", "json"))
    output = tmp_path / "r.xlsx"
    run(cli, "rank", TOWNSHIP, str(TOWNSHIPS), "--year", "2025", "-o", str(output))
    rows = list(openpyxl.load_workbook(output)["指标明细"].iter_rows(min_row=3, values_only=True))
    assert len(rows) == 4 * 3  # four townships, three indicators
    for unit in document["units"]:
        points = [r[7] for r in rows if r[1] == unit["unit"]]
        assert points == [i["points"] for i in unit["indicators"]]
        if not unit["vetoed"]:
            assert sum(points) + unit["bonus"] - unit["deductions"] == pytest.approx(unit["total"])


def test_input_round_trip_csv_to_xlsx_gives_the_same_totals(cli, tmp_path):
    """townships.csv saved as a workbook (numbers as numbers, as Excel would) scores the same."""
    from qscore.cells import CellError, parse_number

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    with TOWNSHIPS.open(encoding="utf-8", newline="") as stream:
        for row in csv.reader(stream):
            cells = []
            for text in row:
                try:
                    number = parse_number(text) if text.strip() and not text.endswith("%") else None
                except CellError:
                    number = None
                cells.append(float(number) if number is not None else text)
            sheet.append(cells)
    data = tmp_path / "townships.xlsx"
    workbook.save(data)
    assert totals_from_json(cli, TOWNSHIP, str(data), "--year", "2025") == \
        totals_from_json(cli, TOWNSHIP, str(TOWNSHIPS), "--year", "2025")


def test_table_columns_line_up_with_chinese_names(cli):
    """Double-width characters count twice: each column starts at the same screen column
    on every line (tabulate with wcwidth)."""
    from wcwidth import wcswidth

    lines = run(cli, "rank", TOWNSHIP, str(TOWNSHIPS), "--year", "2025").splitlines()[1:]
    header, rule, rows = lines[0], lines[1], lines[2:]
    starts = [n for n, char in enumerate(rule) if char == "-" and (n == 0 or rule[n - 1] == " ")]
    for line in [header, *rows]:
        cells = line.split()
        positions, offset = [], 0
        for cell in cells:
            index = line.index(cell, offset)
            positions.append(wcswidth(line[:index]))
            offset = index + len(cell)
        # Leading cells are all filled (rank, unit, total, tier): they sit on the rule's starts.
        assert positions[:4] == starts[:4], line
    assert [line.split()[1] for line in rows] == ["南宾街道", "悦崃镇", "西沱镇", "黄水镇"]


# -- the table on a terminal --------------------------------------------------------------

_TEXTS = st.text(st.sampled_from(list("ab1.-石柱镇合格 \u3000\t０％")), max_size=8)


@settings(max_examples=200)
@given(st.integers(1, 4).flatmap(lambda width: st.tuples(
    st.lists(_TEXTS, min_size=width, max_size=width),
    st.lists(st.lists(_TEXTS, min_size=width, max_size=width), max_size=5))))
def test_plain_table_lays_out_texts_as_tabulate_does(case: tuple[list[str], list[list[str]]]) -> None:
    from tabulate import tabulate

    from qscore.writing.text import plain_table

    header, rows = case
    columns = [list(column) for column in zip(*rows)] if rows else [[] for _ in header]
    assert "\n".join(plain_table(header, columns)) == tabulate(rows, headers=header, disable_numparse=True)


def test_plain_table_counts_chinese_characters_twice() -> None:
    from qscore.writing.text import plain_table

    # 排名 is 4 columns wide (+2 under the header), 石柱镇 6: the column is 6 wide.
    assert plain_table(["排名", "单位"], [["1", "10"], ["石柱镇", "ab"]]) == [
        "排名    单位", "------  ------", "1       石柱镇", "10      ab"]


def test_csv_from_columns_quotes_only_the_cells_that_need_it():
    from qscore.writing.text import csv_columns

    assert csv_columns(["单位", "总分"], [["甲镇", "乙,镇"], ["98.5", "97"]]) == \
        '单位,总分\r\n甲镇,98.5\r\n"乙,镇",97\r\n'
    assert csv_columns(["单位"], []) == "单位\r\n"


@given(st.integers(1, 3).flatmap(lambda width: st.tuples(
        st.lists(st.text(alphabet='a,"\r\n镇1', max_size=3), min_size=width, max_size=width),
        st.lists(st.lists(st.text(alphabet='a,"\r\n镇1', max_size=3), min_size=width, max_size=width), max_size=4))))
@settings(max_examples=80)
def test_csv_from_columns_is_the_csv_of_the_rows(case):
    from qscore.writing.text import csv_columns, csv_text

    header, rows = case
    columns = [list(column) for column in zip(*rows)] if rows else [[] for _ in header]
    assert csv_columns(header, columns) == csv_text([header, *rows])
