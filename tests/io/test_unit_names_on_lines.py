"""A unit name written on two lines of its cell (Alt+Enter in Excel, to fit a narrow
column) is the unit's name on one line: 南宾↵街道 is 南宾街道, matched to the roster and to
last year's results as the examiner means it, with a notice saying how it was read."""

from __future__ import annotations

import json

import openpyxl
import pytest

from conftest import DATA
from qscore.cells import one_line

HEADER = ["单位", "食品抽检合格率（%）", "流通领域药品抽检合格率", "重点任务完成情况", "获市长质量管理奖", "发生重大质量安全事故"]
ROWS = [["南宾\n街道", "97.5", "99.2", "完成", "2", ""], ["西沱镇", "96.8", "98.5", "基本完成", "", ""],
        ["黄水镇", "95", "97", "未完成", "", "是"], ["Yuelai\r\nTown ", "98", "99", "完成", "0", "否"]]


@pytest.mark.parametrize(("text", "expected"), [("南宾\n街道", "南宾街道"), ("南宾 \r\n 街道", "南宾街道"),
                                                ("石柱县\nABC公司", "石柱县ABC公司"), ("Yuelai\nTown", "Yuelai Town"),
                                                ("区市场\u2028监管局", "区市场监管局"), ("黄水镇", "黄水镇")])
def test_the_lines_of_a_name_are_joined_as_the_name_reads(text, expected):
    assert one_line(text) == expected


def _csv(path):  # noqa: ANN001
    import csv

    with path.open("w", encoding="utf-8", newline="") as file:
        csv.writer(file).writerows([HEADER, *ROWS])
    return path


def _xlsx(path):  # noqa: ANN001
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "数据"
    for row in [HEADER, *ROWS]:
        sheet.append(row)
    workbook.save(path)
    return path


@pytest.mark.parametrize("make", [_csv, _xlsx], ids=["csv", "xlsx"])
def test_a_name_on_two_lines_is_ranked_and_matched_as_one(cli, tmp_path, make):
    data = make(tmp_path / f"data.{'csv' if make is _csv else 'xlsx'}")
    roster = tmp_path / "roster.txt"
    roster.write_text("南宾街道\n西沱镇\n黄水镇\nYuelai Town\n", encoding="utf-8")
    result = cli("rank", str(DATA / "township.toml"), str(data), "--year", "2025", "--units", str(roster),
                 "--format", "json")
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert sorted(u["unit"] for u in document["units"]) == sorted(["南宾街道", "西沱镇", "黄水镇", "Yuelai Town"])
    said = [n["message"] for n in document["notices"] if n["kind"] == "unit"]
    assert said == ["the unit name is written on 2 lines in its cell; read as '南宾街道'",
                    "the unit name is written on 2 lines in its cell; read as 'Yuelai Town'"]
    # Each notice is one line on stderr: the name's own line break is not printed.
    lines = result.stderr.splitlines()
    assert sum("read as '南宾街道'" in line for line in lines) == 1
    assert all(line.startswith("notice: ") for line in lines)


def test_rows_after_a_cell_on_two_lines_are_numbered_as_excel_shows_them(cli, tmp_path):
    # Excel opens the CSV with 南宾↵街道 in row 2 and 西沱镇 in row 3, though the text has
    # 西沱镇 on its fourth line: the message points where the examiner looks.
    rows = [HEADER, ROWS[0], ["西沱镇", "abc", "98.5", "基本完成", "", ""]]
    data = tmp_path / "data.csv"
    data.write_text("\n".join(",".join(f'"{cell}"' if "\n" in cell else cell for cell in row) for row in rows) + "\n",
                    encoding="utf-8")
    assert data.read_text(encoding="utf-8").splitlines()[3].startswith("西沱镇")
    result = cli("rank", str(DATA / "township.toml"), str(data), "--year", "2025")
    assert result.exit_code == 1
    assert result.output == (f"Error: {data}, row 3, column '食品抽检合格率（%）': expected a number (such as 98.5, "
                             "98% or 1,150), got 'abc'\n")


@pytest.mark.parametrize(("broken", "message"), [
    (b'"9"7', "malformed CSV: ',' expected after '\"'"),
    (b"97\x01", "this is not a text file (it holds the control character '\\x01'); expected CSV text"),
    (b"97\xff\xff", "cannot decode the file as utf-8 or gb18030; save it as UTF-8 CSV or give --encoding")])
def test_a_file_refused_whole_names_the_row_as_excel_shows_it(cli, tmp_path, broken, message):
    # Two names on two lines each above the broken cell: it is on the sixth line of text,
    # in row 4 of the sheet Excel opens (header, 南宾↵街道, 西沱↵镇, 黄水镇).
    lines = [",".join(HEADER).encode(), '"南宾\n街道",97,99,完成,,'.encode(), '"西沱\n镇",97,99,完成,,'.encode(),
             "黄水镇,".encode() + broken + ",99,完成,,".encode()]
    data = tmp_path / "data.csv"
    data.write_bytes(b"\n".join(lines) + b"\n")
    assert data.read_bytes().split(b"\n")[5].startswith("黄水镇".encode())
    result = cli("rank", str(DATA / "township.toml"), str(data), "--year", "2025")
    assert (result.exit_code, result.output) == (1, f"Error: {data}, row 4: {message}\n")


def test_a_roster_copied_with_its_names_on_two_lines_lists_them_as_the_data_names_them(cli, tmp_path):
    # The roster's column, copied from the same workbook, keeps 南宾↵街道 in quotes: it is
    # the unit the data names 南宾街道, not a unit of the roster missing from the data.
    data = _csv(tmp_path / "data.csv")
    roster = tmp_path / "roster.csv"
    roster.write_text('单位\n"南宾\n街道"\n西沱镇\n黄水镇\n"Yuelai\r\nTown"\n', encoding="utf-8")
    result = cli("rank", str(DATA / "township.toml"), str(data), "--year", "2025", "--units", str(roster),
                 "--format", "json")
    assert result.exit_code == 0, result.output
    assert sorted(u["unit"] for u in json.loads(result.stdout)["units"]) == ["Yuelai Town", "南宾街道", "西沱镇",
                                                                              "黄水镇"]
    # Written both ways, the roster names the unit twice.
    roster.write_text('"南宾\n街道"\n西沱镇\n南宾街道\n', encoding="utf-8")
    result = cli("rank", str(DATA / "township.toml"), str(data), "--year", "2025", "--units", str(roster))
    assert (result.exit_code, result.output) == (
        1, f"Error: {roster}, row 3: unit '南宾街道' is listed twice (first at row 1)\n")
