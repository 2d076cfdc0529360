"""Every kind of bad input exits 1 with the file, row and column named, no traceback, and
no output file left behind (not even a temporary one)."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest
import xlsxwriter

from conftest import DATA

IO = DATA / "io"
BAD = IO / "bad"
RULESET = str(IO / "county.toml")
NUMBER = "expected a number (such as 98.5, 98% or 1,150)"
FOOD = "column '食品抽检合格率（%）'"

CASES = {
    "text.csv": f"row 3, {FOOD}: {NUMBER}, got '优秀'",
    "nan.csv": f"row 3, {FOOD}: {NUMBER}, got 'NaN'",
    "inf.csv": f"row 2, column '安全事故死亡人数@上年': {NUMBER}, got 'inf'",
    "percent-over.csv": f"row 3, {FOOD}: 101 is outside 0–100 for a percentage",
    "negative-count.csv": "row 2, column '质量标杆企业（家）': -1 is negative for a count (家)",
    "too-large.csv": ("row 2, column '质量标杆企业（家）': 1000000000000000 is too large to be an indicator value "
                      "(limit 1,000,000,000,000,000)"),
    "duplicate-unit.csv": "row 4, column '区县': unit '甲区' appears twice (first at row 2)",
    "unknown-column.csv": ("row 1, column '食品抽检合格律': column names no indicator or item of ruleset "
                           "'test-county-io'; did you mean 食品抽检合格率? "
                           "(use --ignore-unknown to skip such columns)"),
    "missing-indicator.csv": ("row 1: no column for indicator firms (质量标杆企业); add it, leaving cells empty or "
                              "'-' where there is no data"),
    "no-unit-column.csv": ("row 1: no unit column in the first 10 rows; expected one headed 区县 / 单位 / 单位名称 / "
                           "考核单位 / 乡镇名称 …"),
    "empty.csv": "the file is empty; expected a header row and one row per unit",
    "header-only.csv": "the file has a header but no rows; expected one row per unit",
    "ragged.csv": ("row 3, column '质量标杆企业（家）': the row has 5 cells, the header has 6; expected a cell for "
                   "this column (empty if there is no data)"),
    "unclosed-quote.csv": "row 2: malformed CSV: unexpected end of data",
    "unnamed-column.csv": "row 3: the cell '备注' is in column 5, which has no header; name the column or clear it",
    "junk.csv": "this is not a text file (it holds NUL bytes); expected CSV text",
    "workbook-named.csv": "this is a zip file (an .xlsx workbook?), not CSV text; give it the .xlsx suffix",
    "not-a-workbook.xlsx": "this is a text file, not an Excel .xlsx workbook; a CSV file needs the .csv suffix",
}


def test_every_bad_file_in_the_corpus_has_a_case():
    assert sorted(p.name for p in BAD.iterdir()) == sorted(CASES)


def assert_refused(cli, tmp_path: Path, data: Path, message: str, *options: str) -> None:
    """Exit 1 with exactly ``Error: FILE, message``, and nothing written."""
    output = tmp_path / "out" / "result.csv"
    output.parent.mkdir()
    result = cli("rank", RULESET, str(data), "-o", str(output), *options)
    assert result.exit_code == 1
    separator = ": " if message.startswith(("this", "the", "not", "2 ", "3 ")) else ", "
    assert result.output == f"Error: {data}{separator}{message}\n"
    assert "Traceback" not in result.output
    assert list(output.parent.iterdir()) == []


@pytest.mark.parametrize("name", sorted(CASES))
def test_bad_file_is_refused_naming_where(cli, tmp_path, name):
    assert_refused(cli, tmp_path, BAD / name, CASES[name])


def test_a_failed_run_leaves_an_earlier_output_untouched(cli, tmp_path):
    output = tmp_path / "result.csv"
    output.write_bytes(b"earlier result\n")
    result = cli("rank", RULESET, str(BAD / "text.csv"), "-o", str(output))
    assert result.exit_code == 1
    assert output.read_bytes() == b"earlier result\n"
    assert [p.name for p in tmp_path.iterdir()] == ["result.csv"]


def test_ignore_unknown_never_skips_a_near_miss_of_an_indicator(cli, tmp_path):
    # 食品抽检合格律 is one character off 食品抽检合格率: skipping it would drop the figures unseen.
    data = BAD / "unknown-column.csv"
    assert_refused(cli, tmp_path, data, "row 1, column '食品抽检合格律': column names no indicator or item of ruleset "
                   "'test-county-io' but comes close to 食品抽检合格率, so --ignore-unknown does not skip it; rename it "
                   "to the name it means, or delete it", "--ignore-unknown")


def test_unknown_columns_are_skipped_with_ignore_unknown_but_a_missing_indicator_still_fails(cli, tmp_path):
    data = tmp_path / "data.csv"
    data.write_text("区县,联系人,安全事故死亡人数,质量标杆企业\n甲区,张三,3,2\n", encoding="utf-8")
    assert_refused(cli, tmp_path, data, "row 1: no column for indicator food (食品抽检合格率); add it, leaving "
                   "cells empty or '-' where there is no data", "--ignore-unknown")


def test_binary_junk_that_decodes_as_gb18030_is_still_refused(cli, tmp_path):
    data = tmp_path / "junk.csv"
    data.write_bytes(b"\x81\x30\x81\x30abc\x1b[31m\x07")  # valid GB18030, but with control characters
    assert_refused(cli, tmp_path, data, "row 1: this is not a text file (it holds the control character "
                   "'\\x1b'); expected CSV text")


def test_an_old_xls_workbook_named_csv_is_recognised(cli, tmp_path):
    data = tmp_path / "old.csv"
    data.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(100))
    assert_refused(cli, tmp_path, data, "this is an old Excel .xls workbook, not CSV text; give it the .xls suffix")


def test_missing_values_are_refused_under_the_error_policy(cli, tmp_path):
    ruleset = tmp_path / "strict.toml"
    ruleset.write_text('missing = "error"\n' + (IO / "county.toml").read_text(encoding="utf-8"), encoding="utf-8")
    result = cli("rank", str(ruleset), str(IO / "awkward.csv"))
    assert result.exit_code == 1
    # Every missing value of the batch at once, row by row (丙区 has none; 丁区 no deaths).
    policy = "and the ruleset's missing-value policy is 'error'"
    assert result.output == (f"Error: {IO / 'awkward.csv'}: 4 problems:\n"
                             f"  row 4, {FOOD}: unit '丙区' has no value for 食品抽检合格率, {policy}\n"
                             f"  row 4, column '安全事故死亡人数（人）': unit '丙区' has no value for 安全事故死亡人数, {policy}\n"
                             f"  row 4, column '质量标杆企业（家）': unit '丙区' has no value for 质量标杆企业, {policy}\n"
                             f"  row 5, column '安全事故死亡人数（人）': unit '丁区' has no value for 安全事故死亡人数, {policy}\n")


def test_long_layout_duplicates_and_blank_indicators(cli, tmp_path):
    data = tmp_path / "long.csv"
    rest = "甲区,安全事故死亡人数,3\n甲区,质量标杆企业,2\n"
    data.write_text("区县,指标,值\n甲区,食品抽检合格率,98\n甲区,food,97\n" + rest, encoding="utf-8")
    assert_refused(cli, tmp_path, data, "row 3, column '指标': unit '甲区' has 'food' twice (first at row 2)")
    data.write_text("区县,指标,值\n甲区,,98\n甲区,食品抽检合格率,98\n" + rest, encoding="utf-8")
    (tmp_path / "out").rmdir()
    assert_refused(cli, tmp_path, data, "row 2, column '指标': the indicator name is empty; expected an "
                   "indicator's id or name")


def test_an_xlsx_formula_without_a_saved_result_is_refused(cli, tmp_path):
    data = tmp_path / "formulas.xlsx"
    workbook = openpyxl.Workbook()  # openpyxl saves formulas without results, as programs do
    sheet = workbook.active
    sheet.append(["区县", "食品抽检合格率", "安全事故死亡人数", "质量标杆企业"])
    sheet.append(["甲区", "=97+1", 3, 2])
    workbook.save(data)
    assert_refused(cli, tmp_path, data, "sheet 'Sheet', cell B2: the cell holds =97+1 with no saved result; open "
                   "and save the file in Excel, or paste values")


def test_an_xlsx_error_value_is_refused_as_text(cli, tmp_path):
    data = tmp_path / "errors.xlsx"
    workbook = xlsxwriter.Workbook(data)
    sheet = workbook.add_worksheet()
    sheet.write_row(0, 0, ["区县", "食品抽检合格率", "安全事故死亡人数", "质量标杆企业"])
    sheet.write_row(1, 0, ["甲区", 98])
    sheet.write_formula(1, 2, "=1/0", None, "#DIV/0!")
    sheet.write(1, 3, 2)
    workbook.close()
    assert_refused(cli, tmp_path, data, f"sheet 'Sheet1', cell C2, column '安全事故死亡人数': {NUMBER}, got '#DIV/0!'")


def test_an_xlsx_value_beyond_the_header_is_refused(cli, tmp_path):
    data = tmp_path / "wide.xlsx"
    workbook = xlsxwriter.Workbook(data)
    sheet = workbook.add_worksheet()
    sheet.write_row(0, 0, ["区县", "食品抽检合格率", "安全事故死亡人数", "质量标杆企业"])
    sheet.write_row(1, 0, ["甲区", 98, 3, 2])
    sheet.write_row(2, 0, ["乙区", 97, 3, 2, None, "备注"])
    workbook.close()
    assert_refused(cli, tmp_path, data, "sheet 'Sheet1', cell F3: the cell '备注' is in column 6, which has no "
                   "header; name the column or clear it")


def test_output_into_a_missing_folder_is_a_clean_error_said_before_the_data_is_read(cli, tmp_path):
    output = tmp_path / "no" / "such" / "result.csv"
    refused = f"Error: Could not open file '{output}': the folder {output.parent} does not exist\n"
    result = cli("rank", RULESET, str(IO / "awkward.csv"), "--year", "2027", "-o", str(output))
    assert (result.exit_code, result.output) == (1, refused)
    # Before the work: a data file that is no table is not what the examiner hears first.
    broken = tmp_path / "broken.csv"
    broken.write_text("not a table", encoding="utf-8")
    result = cli("rank", RULESET, str(broken), "--year", "2027", "-o", str(output))
    assert (result.exit_code, result.output) == (1, refused)
    assert sorted(path.name for path in tmp_path.iterdir()) == ["broken.csv"]


def test_a_json_key_given_twice_is_refused(cli, tmp_path):
    data = tmp_path / "data.json"
    data.write_text('[{"区县": "甲区", "食品抽检合格率": 98, "食品抽检合格率": 97}]', encoding="utf-8")
    assert_refused(cli, tmp_path, data, "not valid JSON: the key '食品抽检合格率' appears twice in one object")


def test_an_unknown_suffix_is_a_usage_error_listing_the_readable_suffixes(cli, tmp_path):
    data = tmp_path / "data.ods"
    data.write_bytes(b"PK\x03\x04")
    result = cli("rank", RULESET, str(data))
    assert result.exit_code == 2
    assert result.output.endswith("Error: no reader for '.ods' files; readable: .csv, .json, .txt, .xls, .xlsm, "
                                  ".xlsx\n")


def test_a_damaged_xls_workbook_is_refused(cli, tmp_path):
    data = tmp_path / "data.xls"
    data.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(100))
    assert_refused(cli, tmp_path, data, "not a readable .xls workbook (CompDocError); expected a file saved by Excel "
                   "as .xls")


def test_a_chart_sheet_first_is_refused_with_a_hint(cli, tmp_path):
    data = tmp_path / "chart.xlsx"
    workbook = xlsxwriter.Workbook(data)
    chartsheet = workbook.add_chartsheet("图表")
    sheet = workbook.add_worksheet("数据")
    sheet.write_row(0, 0, ["区县", "食品抽检合格率", "food@全省平均", "安全事故死亡人数", "deaths@上年",
                           "质量标杆企业"])
    sheet.write_row(1, 0, ["甲区", 98.5, 98.2, 3, 4, 2])
    chart = workbook.add_chart({"type": "column"})
    chart.add_series({"values": "=数据!$B$2:$B$2"})
    chartsheet.set_chart(chart)
    workbook.close()
    assert_refused(cli, tmp_path, data, "the active sheet '图表' is a chart, not a table; the workbook's sheets are "
                   "图表 (chart, active), 数据; give --sheet with a data sheet")
    result = cli("rank", RULESET, str(data), "--sheet", "数据", "--format", "csv")
    assert result.exit_code == 0, result.output
    # 98.5 ≥ 98.2 → 10; 3 < 4 → 10; 2 firms × 2 → 4: 24
    assert result.stdout.splitlines()[1].startswith("1,甲区,24.00,")
