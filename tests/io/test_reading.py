"""Reading what examiners really have: awkward cells, both layouts, every encoding, XLSX, JSON.

The data in tests/data/io/awkward*.{csv,txt} is one table in several files.  Its scores
under tests/data/io/county.toml, worked by hand (each indicator is pass/fail for 10, or a
count at 2 per item capped at 10):

- 甲区: 98.5% ≥ 全省平均 98.2 → 10; 3 deaths < 上年 4 → 10; "1,150" firms × 2 capped → 10; 30
- 丁区: 99% ≥ 98.2% → 10; deaths "-" missing → 0; "２" firms × 2 = 4; 14
- 乙区: "９８．０" < " 98.2 " → 0; " 4 " is not below 4 → 0; 3 firms × 2 = 6; 6
- 丙区: "—", "／" and empty are all missing → 0

Each indicator with units missing a value gives a notice naming them (:func:`missing`).
"""

from __future__ import annotations

import csv
import io
import json
from decimal import Decimal
from pathlib import Path

import pytest
import xlsxwriter

from conftest import DATA
from qscore.reading.binding import bind
from qscore.reading.table import ReadOptions
from qscore.reading.text import read_csv
from qscore.rulesets import load_ruleset
from qscore.reading.xlsx import read_xlsx

IO = DATA / "io"
RULESET = str(IO / "county.toml")
EXPECTED = [["1", "甲区", "30.00"], ["2", "丁区", "14.00"], ["3", "乙区", "6.00"], ["4", "丙区", "0.00"]]


def missing(path: Path) -> str:
    """The notices ``rank`` gives for awkward.csv's missing values: 丙区's "—" (食品), its "／"
    and 丁区's "-" (死亡人数), and 丙区's empty 质量标杆企业, under the columns as awkward.csv
    heads them."""
    policy = "scored 0 under the missing-value policy 'zero'"
    return (f"notice: {path}, column '食品抽检合格率（%）': 1 unit(s) have no value for 食品抽检合格率 (丙区): {policy}\n"
            f"notice: {path}, column '安全事故死亡人数（人）': 2 unit(s) have no value for 安全事故死亡人数 (丙区、丁区): "
            f"{policy}\n"
            f"notice: {path}, column '质量标杆企业（家）': 1 unit(s) have no value for 质量标杆企业 (丙区): {policy}\n")


def ranking(cli, data: Path, *options: str) -> list[list[str]]:
    """Rank, unit and total from the real CLI's CSV output."""
    result = cli("rank", RULESET, str(data), "--format", "csv", *options)
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(result.stdout.removeprefix("\ufeff"))))
    return [row[:3] for row in rows[1:]]


@pytest.mark.parametrize("name", ["awkward.csv", "awkward-bom.csv", "awkward-gb18030.csv", "awkward-utf16.txt",
                                  "awkward-long.csv"])
def test_awkward_files_score_as_worked_by_hand(cli, name):
    assert ranking(cli, IO / name) == EXPECTED


def test_the_corpus_files_really_are_in_their_encodings():
    raw = (IO / "awkward-gb18030.csv").read_bytes()
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")
    assert (IO / "awkward-bom.csv").read_bytes().startswith(b"\xef\xbb\xbf")
    assert (IO / "awkward-utf16.txt").read_bytes().startswith(b"\xff\xfe")


def test_awkward_cells_bind_to_exact_decimals(catalog):
    ruleset = load_ruleset(IO / "county.toml", catalog.rule_types)
    dataset = bind(read_csv(IO / "awkward.csv", ReadOptions()), ruleset)
    assert dataset.units == ("甲区", "乙区", "丙区", "丁区")
    assert dataset.values["food"] == [Decimal("98.5"), Decimal("98.0"), None, Decimal("99")]
    assert dataset.values["firms"] == [Decimal("1150"), Decimal("3"), None, Decimal("2")]
    assert dataset.figures[("food", "全省平均")] == [Decimal("98.2")] * 4
    assert dataset.figures[("deaths", "previous")] == [Decimal("4")] * 4
    assert dataset.rows == (2, 3, 4, 5)


# The encoding matrix: every encoding examiners' files come in, both line endings,
# detected and forced.
ENCODINGS = ("utf-8", "utf-8-sig", "gb18030", "utf-16")


@pytest.mark.parametrize("encoding", ENCODINGS)
@pytest.mark.parametrize("newline", ["\r\n", "\n"])
@pytest.mark.parametrize("forced", [False, True])
def test_encoding_matrix(cli, tmp_path, encoding, newline, forced):
    text = (IO / "awkward.csv").read_text(encoding="utf-8").replace("\r\n", newline)
    path = tmp_path / "data.csv"
    path.write_bytes(text.encode(encoding))  # Python's utf-16 and utf-8-sig write a BOM
    options = ("--encoding", encoding) if forced else ()
    assert ranking(cli, path, *options) == EXPECTED


def test_forcing_the_wrong_encoding_fails_on_the_header(cli, tmp_path):
    path = tmp_path / "data.csv"
    path.write_bytes((IO / "awkward.csv").read_text(encoding="utf-8").encode("gb18030"))
    result = cli("rank", RULESET, str(path), "--encoding", "utf-8")
    assert result.exit_code == 1
    assert result.output == (f"Error: {path}, row 1: cannot decode the file as utf-8; save it as UTF-8 CSV "
                             "or give --encoding\n")


def test_an_unknown_encoding_is_a_usage_error(cli):
    result = cli("rank", RULESET, str(IO / "awkward.csv"), "--encoding", "klingon")
    assert result.exit_code == 2
    assert "Invalid value for '--encoding': unknown encoding 'klingon' (try utf-8, utf-8-sig, gb18030)" \
        in result.output


def awkward_workbook(path: Path, *, first_sheet: str = "说明") -> Path:
    """The awkward table as Excel keeps it: numbers as numbers, a percent-formatted
    fraction, a formula with its saved result, after a first sheet of notes."""
    workbook = xlsxwriter.Workbook(path)
    workbook.add_worksheet(first_sheet).write(0, 0, "本表为测试数据")
    sheet = workbook.add_worksheet("数据")
    percent = workbook.add_format({"num_format": "0.0%"})
    sheet.write_row(0, 0, ["区县", "食品抽检合格率（%）", "食品抽检合格率@全省平均", "安全事故死亡人数（人）",
                           "安全事故死亡人数@上年", "质量标杆企业（家）"])
    sheet.write_row(1, 0, ["甲区"])
    sheet.write_number(1, 1, 0.985, percent)          # shown as 98.5%
    sheet.write_number(1, 2, 98.2)
    sheet.write_formula(1, 3, "=1+2", None, 3)        # saved result 3
    sheet.write_row(1, 4, [4, 1150])
    sheet.write_row(2, 0, ["乙区", "９８．０", " 98.2 ", 4, 4, 3])
    # row 4 left empty: blank rows are skipped, row numbers stay the sheet's
    sheet.write_row(4, 0, ["丙区", "—", 98.2, "／", 4])
    sheet.write_row(5, 0, ["丁区"])
    sheet.write_number(5, 1, 0.99, percent)
    sheet.write_row(5, 2, ["98.2%", "-", 4, "２"])
    workbook.close()
    return path


def test_xlsx_scores_like_the_csv(cli, tmp_path):
    path = awkward_workbook(tmp_path / "data.xlsx")
    assert ranking(cli, path, "--sheet", "数据") == EXPECTED


def test_xlsx_cells_read_as_the_examiner_sees_them(tmp_path):
    table = read_xlsx(awkward_workbook(tmp_path / "data.xlsx"), ReadOptions(sheet="数据"))
    assert table.rows[0] == ["甲区", "98.5%", "98.2", "3", "4", "1150"]
    assert table.rows[2][:3] == ["丙区", "—", "98.2"]
    assert table.row_numbers == [2, 3, 5, 6]


def test_xlsx_reads_the_active_sheet_by_default_and_names_the_others(cli, tmp_path):
    path = awkward_workbook(tmp_path / "data.xlsx")
    result = cli("rank", RULESET, str(path))
    assert result.exit_code == 1
    assert result.output == (f"Error: {path}, sheet '说明', row 1: no unit column in the first 10 rows; expected one "
                             "headed 区县 / 单位 / 单位名称 / 考核单位 / 乡镇名称 …; the workbook's sheets are 说明 "
                             "(active), 数据; give --sheet\n")


def test_an_unknown_sheet_is_a_usage_error_listing_the_sheets(cli, tmp_path):
    path = awkward_workbook(tmp_path / "data.xlsx")
    result = cli("rank", RULESET, str(path), "--sheet", "Sheet9")
    assert result.exit_code == 2
    assert result.output.endswith(f"Error: no sheet 'Sheet9' in {path}; its sheets are 说明 (active), 数据\n")


def test_xlsx_floats_keep_their_shortest_spelling(tmp_path):
    path = tmp_path / "floats.xlsx"
    workbook = xlsxwriter.Workbook(path)
    sheet = workbook.add_worksheet()
    sheet.write_row(0, 0, ["单位", "a", "b", "c", "d"])
    sheet.write_row(1, 0, ["甲", 98.5, 1 / 3, 1e16, 99.8])
    sheet.write_number(1, 5, 1.0, workbook.add_format({"num_format": "0%"}))
    workbook.close()
    table = read_xlsx(path, ReadOptions())
    # A float's shortest round-trip spelling: 98.5 stays 98.5, a third keeps the 16
    # digits the file holds, 1e16 is kept for the too-large check to refuse.
    assert table.rows[0] == ["甲", "98.5", "0.3333333333333333", "1e+16", "99.8", "100%"]


def test_json_rows_read_like_csv_rows(cli, tmp_path):
    records = [{"区县": "甲区", "食品抽检合格率": 98.5, "食品抽检合格率@全省平均": "98.2", "安全事故死亡人数": 3,
                "安全事故死亡人数@上年": 4, "质量标杆企业": "1,150"},
               {"区县": "乙区", "食品抽检合格率": "９８．０", "食品抽检合格率@全省平均": 98.2,
                "安全事故死亡人数": 4, "安全事故死亡人数@上年": 4, "质量标杆企业": 3},
               {"区县": "丙区", "食品抽检合格率": None, "食品抽检合格率@全省平均": 98.2,
                "安全事故死亡人数": "／", "安全事故死亡人数@上年": 4},
               {"区县": "丁区", "食品抽检合格率": "99%", "食品抽检合格率@全省平均": "98.2%",
                "安全事故死亡人数": "-", "安全事故死亡人数@上年": 4, "质量标杆企业": 2}]
    path = tmp_path / "data.json"
    path.write_text(json.dumps({"units": records}, ensure_ascii=False), encoding="utf-8")
    assert ranking(cli, path) == EXPECTED


def test_a_json_nan_is_refused_at_its_object(cli, tmp_path):
    path = tmp_path / "data.json"
    path.write_text('[{"区县": "甲区", "食品抽检合格率": NaN, "安全事故死亡人数": 3, "质量标杆企业": 1}]',
                    encoding="utf-8")
    result = cli("rank", RULESET, str(path))
    assert result.exit_code == 1
    assert result.output == (f"Error: {path}, row 1, column '食品抽检合格率': expected a number (such as 98.5, "
                             "98% or 1,150), got 'nan'\n")


def test_ignore_unknown_skips_only_unknown_columns_and_says_so(cli, tmp_path):
    text = (IO / "awkward.csv").read_text(encoding="utf-8").replace("\r\n", "\n")
    lines = [line + ",联系人" if n == 0 else line + ",x" for n, line in enumerate(text.splitlines())]
    path = tmp_path / "data.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert cli("rank", RULESET, str(path)).exit_code == 1
    assert ranking(cli, path, "--ignore-unknown") == EXPECTED
    result = cli("rank", RULESET, str(path), "--ignore-unknown", "--year", "2027")
    assert result.stderr == (f"notice: {path}, row 1, column '联系人': ignored: the column names no indicator or item "
                             "of the ruleset (--ignore-unknown)\n" + missing(path))


def test_a_remarks_column_is_skipped_with_a_notice(cli, tmp_path):
    text = (IO / "awkward.csv").read_text(encoding="utf-8").replace("\r\n", "\n")
    lines = [line + ",备注" if n == 0 else line + (",待核实" if n == 2 else ",") for n, line in
             enumerate(text.splitlines())]
    path = tmp_path / "data.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert ranking(cli, path) == EXPECTED
    result = cli("rank", RULESET, str(path), "--year", "2027")
    assert result.stderr == (f"notice: {path}, row 1, column '备注': skipped: remarks (1 filled), not scored\n"
                             + missing(path))


def test_title_rows_above_the_header_are_skipped_and_rows_keep_their_numbers(cli, tmp_path):
    """Examiners put a merged title row (and a blank line) above the header."""
    text = (IO / "awkward.csv").read_text(encoding="utf-8")
    path = tmp_path / "titled.csv"
    path.write_text("2025年度区县质量工作考核数据表,,,,,\r\n,,,,,\r\n" + text, encoding="utf-8")
    assert ranking(cli, path) == EXPECTED
    path.write_text("2025年度区县质量工作考核数据表,,,,,\r\n" + text.replace("乙区,９８．０", "乙区,优秀"),
                    encoding="utf-8")
    result = cli("rank", RULESET, str(path))
    assert result.exit_code == 1
    assert result.output == (f"Error: {path}, row 4, column '食品抽检合格率（%）': expected a number (such as "
                             "98.5, 98% or 1,150), got '优秀'\n")


def test_header_errors_name_the_header_row_below_a_title(cli, tmp_path):
    path = tmp_path / "titled.xlsx"
    workbook = xlsxwriter.Workbook(path)
    sheet = workbook.add_worksheet()
    sheet.merge_range(0, 0, 0, 3, "2025年度区县质量工作考核数据表")
    sheet.write_row(2, 0, ["区县", "食品抽检合格律", "安全事故死亡人数", "质量标杆企业"])
    sheet.write_row(3, 0, ["甲区", 98, 3, 2])
    workbook.close()
    result = cli("rank", RULESET, str(path))
    assert result.exit_code == 1
    assert result.output.startswith(f"Error: {path}, sheet 'Sheet1', cell B3, column '食品抽检合格律': column names "
                                    "no indicator")


def test_a_lone_first_row_that_is_not_a_title_is_still_the_header(cli, tmp_path):
    path = tmp_path / "one-column.csv"
    path.write_text("说明\n甲区\n乙区\n", encoding="utf-8")  # no header with a unit column below
    result = cli("rank", RULESET, str(path))
    assert result.exit_code == 1
    assert result.output == (f"Error: {path}, row 1: no unit column in the first 10 rows; expected one headed 区县 / "
                             "单位 / 单位名称 / 考核单位 / 乡镇名称 …\n")
