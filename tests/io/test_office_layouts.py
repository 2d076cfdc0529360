"""Workbooks and CSVs as county offices make them: each either scores exactly what the
clean table scores (the same bytes of CSV) with a notice for everything skipped, or is
refused with the exact message, exit 1.

The clean table is tests/data/townships.csv under tests/data/township.toml, scored for
2025 (worked by hand: the year's 食品 target is 95 + (98 − 95) × 2/4 = 96.5):

- 南宾街道: 97.5 ≥ 96.5 → 40; 99.2 ≥ 99 → 30; 完成 → 30; 2 awards × 3 = 6, capped at 5: 105
- 悦崃镇: 98 → 40; 99 → 30; 完成 → 30: 100
- 西沱镇: 96.8 → 40; 98.5 ≥ 98 → 20; 基本完成 → 30 × 0.6 = 18: 78
- 黄水镇: no 食品 figure → 0; 97 → 0; 未完成 → 0; vetoed: 0, last

黄水镇's "-" under 食品抽检合格率（%） is scored 0 with a notice, the last line of every
``rank`` that reads it (:func:`missing`).
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from conftest import DATA, townships_missing
from office import Book, Formatted, Sheet, book, rewrite_sheet_xml, row_xml, write, write_csv, write_xls, write_xlsx

RULESET = str(DATA / "township.toml")
HEADER = ["单位", "食品抽检合格率（%）", "流通领域药品抽检合格率", "重点任务完成情况", "获市长质量管理奖", "发生重大质量安全事故"]
UNITS = [["南宾街道", Formatted(0.975, "0.0%"), 99.2, "完成", 2, None],
         ["西沱镇", "９６．８", 98.5, "基本完成", None, None],
         ["黄水镇", "-", 97, "未完成", None, "是"],
         ["悦崃镇", 98, 99, "完成", 0, "否"]]
TITLE = "2025年度乡镇质量工作考核数据表"
FORMATS = [".csv", ".xlsx", ".xls"]


def ranked(cli, path: Path, *options: str) -> tuple[bytes, str]:
    """The CSV ``rank`` writes (as bytes) and what it says on stderr; it must succeed."""
    result = cli("rank", RULESET, str(path), "--format", "csv", *options)
    assert result.exit_code == 0, result.output
    return result.stdout_bytes, result.stderr


def refused(cli, path: Path, *options: str) -> str:
    result = cli("rank", RULESET, str(path), "--format", "csv", *options)
    assert result.exit_code == 1, result.output
    assert result.stdout == ""
    return result.output


@pytest.fixture(scope="module")
def clean() -> bytes:
    """The clean table's ranking, through the real CLI."""
    from click.testing import CliRunner

    from qscore.cli import main

    result = CliRunner().invoke(main, ["rank", RULESET, str(DATA / "townships.csv"), "--year", "2025",
                                       "--format", "csv"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.stdout_bytes


def test_the_clean_table_scores_as_worked_by_hand(clean):
    rows = list(csv.reader(io.StringIO(clean.decode("utf-8-sig"))))
    assert [row[:4] for row in rows[1:]] == [["1", "南宾街道", "105.00", "优秀"], ["2", "悦崃镇", "100.00", "优秀"],
                                             ["3", "西沱镇", "78.00", "良好"], ["4", "黄水镇", "0.00", "不合格"]]


def missing(path: Path, column: str = HEADER[1]) -> str:
    """The notice for 黄水镇, which has no 食品抽检合格率 ("-") and is scored 0, under the
    column ``column`` of the file at ``path``."""
    return townships_missing(path, column, None if path.suffix == ".csv" else "数据")


def where(path: Path, row: int | None = None, column: str | None = None, cell: str | None = None) -> str:
    """A location as qscore writes it, for the file's format."""
    parts = [str(path)]
    if path.suffix != ".csv":
        parts.append("sheet '数据'")
    if path.suffix != ".csv" and cell is not None:
        parts.append(f"{'cells' if ':' in cell else 'cell'} {cell}")
    elif row is not None:
        parts.append(f"row {row}")
    if column is not None:
        parts.append(f"column '{column}'")
    return ", ".join(parts)


# -- the layout an office makes -------------------------------------------------------

def office_sheet() -> list[list]:
    """Title, 序号, the units, a 合计 and a 平均 row, notes and signatures."""
    return [[TITLE],
            ["序号", *HEADER],
            *[[n, *unit] for n, unit in enumerate(UNITS, 1)],
            [None, "合  计", 360.1, 393.7, None, 2, 1],
            [None, "平均", 90.0, 98.4, None, None, None],
            ["注：“-”表示无数据。"],
            ["填表人：张三", None, "审核人：李四", None, "联系电话：023-7333"]]


@pytest.mark.parametrize("suffix", FORMATS)
def test_title_serial_summary_and_note_rows_are_skipped_and_said(cli, clean, tmp_path, suffix):
    path = write(tmp_path / f"data{suffix}", book(office_sheet()))
    output, said = ranked(cli, path)  # no --year: the title says 2025年度
    assert output == clean
    assert said == (f"notice: {where(path, 1)}: skipped a title row above the header: '{TITLE}'\n"
                    f"notice: {where(path, 2, '序号', 'A2')}: skipped: row numbers, not scored\n"
                    f"notice: {where(path, 7)}: skipped a summary row, not a unit: '合 计'\n"
                    f"notice: {where(path, 8)}: skipped a summary row, not a unit: '平均'\n"
                    f"notice: {where(path, 9)}: skipped a note row: '注：“-”表示无数据。'\n"
                    f"notice: {where(path, 10)}: skipped a note row: '填表人：张三'\n"
                    f"notice: {path}: assessment year 2025, as the title in row 1 ('{TITLE}') says (give --year to "
                    "score for another)\n" + missing(path))


def test_a_summary_row_in_the_unit_column_is_never_ranked(cli, clean, tmp_path):
    # The first case of the issue: a 合计 row whose label sits in the 单位 column.
    path = write(tmp_path / "data.xlsx", book([HEADER, *UNITS[:2], ["合计", 194.3, 197.7, None, 2, None], *UNITS[2:]]))
    output, said = ranked(cli, path, "--year", "2025")
    assert output == clean
    assert said == f"notice: {path}, sheet '数据', row 4: skipped a summary row, not a unit: '合计'\n" + missing(path)


@pytest.mark.parametrize("label", ["小计", "总计", "全县", "全县平均", "平均值", "合计（4个乡镇）", "其中：街道",
                                   "县平均", "区合计", "合计：", "全国平均", "Total"])
def test_every_kind_of_summary_label_is_skipped(cli, clean, tmp_path, label):
    # test-township has no roster: a row not recognised here would be ranked as a unit.
    path = write_csv(tmp_path / "data.csv", [HEADER, *UNITS, [label, 95, 98, None, None, None]])
    output, said = ranked(cli, path, "--year", "2025")
    assert output == clean
    assert said == f"notice: {path}, row 6: skipped a summary row, not a unit: '{label}'\n" + missing(path)


@pytest.mark.parametrize("label", ["目标值", "2025年目标", "年度目标", "基期值", "上年值"])
def test_a_row_of_the_plans_figures_is_skipped(cli, clean, tmp_path, label):
    path = write_csv(tmp_path / "data.csv", [HEADER, [label, 96.5, 99, None, None, None], *UNITS])
    output, said = ranked(cli, path, "--year", "2025")
    assert output == clean
    assert said == (f"notice: {path}, row 2: skipped a row of the plan's figures (目标值, 基期值 …), not a unit: "
                    f"'{label}'\n" + missing(path))


#: Note rows: by their first word; a label alone in its row holding a colon (no unit's name
#: holds one); a sentence without a colon (以上…, 本表…, a full stop or a comma, its mark
#: ASCII, full-width or a small form), which no unit's name is.  test-township has no
#: roster: read as a unit, each would be ranked with 0 points among the four townships.
NOTES = ["制表：王五", "填报时间：2025年12月", "经办人：赵六", "联系方式：138", "复核人：李四", "签字：", "单位（盖章）",
         "注 “-”表示无数据",
         "附表：2024年各乡镇数据", "附表2:上年数据", "以上数据截至：2025年12月31日",
         "以上数据经审核确认", "本表数据由县统计局提供", "数据截至2025年12月31日。", "黄水镇数据待补报，暂按0分计",
         "仅供参考,不作考核依据", "如有问题请及时反馈！", "请核实；", "有疑问？", "仅供参考﹐以审定为准"]


@pytest.mark.parametrize("label", NOTES)
def test_every_kind_of_note_is_skipped(cli, clean, tmp_path, label):
    path = write_csv(tmp_path / "data.csv", [HEADER, *UNITS, [label]])
    output, said = ranked(cli, path, "--year", "2025")
    assert output == clean
    assert said == f"notice: {path}, row 6: skipped a note row: '{label}'\n" + missing(path)


@pytest.mark.parametrize("label", ["以上数据经审核确认", "附表：2024年各乡镇数据"])
def test_a_note_beside_a_row_number_is_quoted_by_its_text(cli, clean, tmp_path, label):
    # The 序号 column went on into the footer: the notice quotes the note, not the '5'
    # that gives the examiner nothing to look for.
    path = write_csv(tmp_path / "data.csv", [["序号", *HEADER], *[[n, *unit] for n, unit in enumerate(UNITS, 1)],
                                             [5, label]])
    output, said = ranked(cli, path, "--year", "2025")
    assert output == clean
    assert said == (f"notice: {path}, row 1, column '序号': skipped: row numbers, not scored\n"
                    f"notice: {path}, row 6: skipped a note row: '{label}'\n" + missing(path))


def test_a_unit_that_sent_nothing_is_not_a_note(cli, tmp_path):
    # 石家乡 alone in its row, every value empty: a unit without values, scored 0 and named.
    path = write_csv(tmp_path / "data.csv", [HEADER, *UNITS, ["石家乡", "", "", "", "", ""]])
    result = cli("rank", RULESET, str(path), "--year", "2025", "--format", "csv")
    assert result.exit_code == 0, result.output
    assert "石家乡" in result.stdout and "skipped" not in result.stderr


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_the_header_repeated_down_the_table_is_skipped(cli, clean, tmp_path, suffix):
    # A table printed page by page, its header typed again at the top of each page.
    rows = [HEADER, *UNITS[:2], HEADER, *UNITS[2:]]
    path = write_csv(tmp_path / "data.csv", rows) if suffix == ".csv" else write(tmp_path / "data.xlsx", book(rows))
    output, said = ranked(cli, path, "--year", "2025")
    assert output == clean
    sheet = ", sheet '数据'" if suffix == ".xlsx" else ""
    assert said == (f"notice: {path}{sheet}, row 4: skipped a repeat of the header; the rows under it are read as more "
                    "units of the same table\n" + missing(path))


def test_a_second_table_under_the_header_repeated_is_refused_by_its_units(cli, tmp_path):
    # Last year's figures pasted below this year's, under the same header: the units are
    # there twice, and each is named.
    rows = [HEADER, *UNITS, [], ["附表：2024年数据"], HEADER, *UNITS[:2]]
    path = write_csv(tmp_path / "data.csv", rows)
    result = cli("rank", str(DATA / "township.toml"), str(path), "--year", "2025")
    assert (result.exit_code, result.output) == (
        1, f"Error: {path}: 2 problems:\n"
           f"  row 9, column '单位': unit '{UNITS[0][0]}' appears twice (first at row 2)\n"
           f"  row 10, column '单位': unit '{UNITS[1][0]}' appears twice (first at row 3)\n")


def test_section_headings_and_subtotals_between_groups_are_skipped(cli, clean, tmp_path):
    rows = [HEADER, ["一、街道"], UNITS[0], ["小计", 97.5, 99.2, None, 2, None],
            ["二、乡镇"], *UNITS[1:], ["小计", 97.4, 98.0, None, None, 1]]
    path = write_csv(tmp_path / "data.csv", rows)
    output, said = ranked(cli, path, "--year", "2025")
    assert output == clean
    assert said == (f"notice: {path}, row 2: skipped a section heading, not a unit: '一、街道'\n"
                    f"notice: {path}, row 4: skipped a summary row, not a unit: '小计'\n"
                    f"notice: {path}, row 5: skipped a section heading, not a unit: '二、乡镇'\n"
                    f"notice: {path}, row 9: skipped a summary row, not a unit: '小计'\n" + missing(path))


@pytest.mark.parametrize("name", ["乡镇名称", "乡镇（街道）名称", "乡镇(街道)", "考核单位", "单位名称", "镇街"])
def test_the_unit_column_under_its_common_names(cli, clean, tmp_path, name):
    path = write_csv(tmp_path / "data.csv", [[name, *HEADER[1:]], *UNITS])
    assert ranked(cli, path, "--year", "2025") == (clean, missing(path))


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_a_two_row_header_is_read_as_one(cli, clean, tmp_path, suffix):
    rows = [[TITLE],
            ["序号", "乡镇（街道）", "产品质量水平", None, "重点任务", "加分项", "一票否决"],
            [None, None, *HEADER[1:]],
            *[[n, *unit] for n, unit in enumerate(UNITS, 1)]]
    merged = [(1, 0, 1, 6), (2, 0, 3, 0), (2, 1, 3, 1), (2, 2, 2, 3)]
    path = write(tmp_path / f"data{suffix}", book(rows, merged=merged))
    output, said = ranked(cli, path, "--year", "2025")
    assert output == clean
    assert said == (f"notice: {where(path, 1)}: skipped a title row above the header: '{TITLE}'\n"
                    f"notice: {where(path, 2)}: rows 2 and 3 read as one header: the lower row names the columns; "
                    "the upper row's groups (产品质量水平, 重点任务, 加分项, 一票否决) are not data\n"
                    f"notice: {where(path, 2, '序号', 'A2')}: skipped: row numbers, not scored\n" + missing(path))


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_a_forms_particulars_above_the_table_are_not_its_header(cli, clean, tmp_path, suffix):
    # 单位 | 县市场监管局 names a unit column too; the header is the row that also names
    # indicators.  Taken for the header, it made every row of the table too long.
    rows = [["单位", "县市场监管局"], ["日期", "2025-12-31"], HEADER, *UNITS]
    path = write(tmp_path / f"data{suffix}", book(rows))
    assert ranked(cli, path, "--year", "2025") == (
        clean, f"notice: {where(path, 1)}: skipped a title row above the header: '单位 县市场监管局'\n"
               f"notice: {where(path, 2)}: skipped a title row above the header: '日期 2025-12-31'\n" + missing(path))


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_a_level_padded_with_spaces_is_the_level(cli, clean, tmp_path, suffix):
    # 完　成 and 基本　完成: two-character words padded to line up, as 合　计 is.
    rows = [HEADER, [*UNITS[0][:3], "完　成", *UNITS[0][4:]], [*UNITS[1][:3], "基本 完成", *UNITS[1][4:]], *UNITS[2:]]
    path = write(tmp_path / f"data{suffix}", book(rows))
    assert ranked(cli, path, "--year", "2025") == (clean, missing(path))


def test_a_category_row_above_the_header_is_skipped(cli, clean, tmp_path):
    rows = [[None, "产品质量水平", None, "重点任务", "加分项", "一票否决"], HEADER, *UNITS]
    path = write_csv(tmp_path / "data.csv", rows)
    output, said = ranked(cli, path, "--year", "2025")
    assert output == clean
    assert said == (f"notice: {path}, row 1: skipped a title row above the header: '产品质量水平 重点任务 加分项 "
                    "一票否决'\n" + missing(path))


def test_a_units_row_and_a_column_number_row_under_the_header_are_skipped(cli, clean, tmp_path):
    rows = [HEADER, ["栏次", "1", "2", "3", "4", "5"], *UNITS]
    path = write_csv(tmp_path / "data.csv", rows)
    assert ranked(cli, path, "--year", "2025") == (
        clean, f"notice: {path}, row 2: skipped row 2: it numbers the columns (1, 2, 3 …), not data\n" + missing(path))
    rows = [HEADER, [None, "%", "%", None, "次", "次"], *UNITS]
    path = write_csv(tmp_path / "units.csv", rows)
    assert ranked(cli, path, "--year", "2025") == (
        clean, f"notice: {path}, row 2: skipped row 2 under the header: units of measure (%, %, 次, 次), not data\n"
               + missing(path))


# -- the year ------------------------------------------------------------------------

def test_the_year_comes_from_the_file_name(cli, clean, tmp_path):
    path = write_csv(tmp_path / "乡镇考核数据（2025年度）.csv", [HEADER, *UNITS])
    assert ranked(cli, path) == (clean, f"notice: {path}: assessment year 2025, as the file name "
                                        f"'{path.name}' says (give --year to score for another)\n" + missing(path))


@pytest.mark.parametrize("name", ["townships-2025.csv", "2025乡镇.csv", "乡镇_2025_汇总.csv"])
def test_a_bare_year_in_the_file_name_is_the_year(cli, clean, tmp_path, name):
    path = write_csv(tmp_path / name, [HEADER, *UNITS])
    assert ranked(cli, path) == (clean, f"notice: {path}: assessment year 2025, as the file name "
                                        f"'{name}' says (give --year to score for another)\n" + missing(path))


@pytest.mark.parametrize("name", ["20250301.csv", "data-12025.csv", "v2025.1.csv"])
def test_a_number_that_only_holds_a_year_is_not_one(cli, tmp_path, name):
    path = write_csv(tmp_path / name, [HEADER, *UNITS])
    _, said = ranked(cli, path)
    assert "the plan's horizon year" in said


def test_a_date_in_the_file_name_is_not_a_year_of_assessment(cli, tmp_path):
    path = write_csv(tmp_path / "2025年3月报送.csv", [HEADER, *UNITS])
    _, said = ranked(cli, path)
    assert said == (f"notice: {path}: assessment year 2027: the plan's horizon year, as neither --year, the data "
                    "nor the ruleset names one\n" + missing(path))


def test_a_given_year_other_than_the_title_s_is_said(cli, tmp_path):
    path = write_csv(tmp_path / "data.csv", [[TITLE], HEADER, *UNITS])
    _, said = ranked(cli, path, "--year", "2026")
    assert said.splitlines(keepends=True)[-2:] == [f"notice: {path}: scored for 2026, as --year says, though the title "
                                                   f"in row 1 ('{TITLE}') says 2025\n", missing(path)]


def test_a_title_year_outside_the_plan_or_two_years_are_refused(cli, tmp_path):
    path = write_csv(tmp_path / "data.csv", [["2030年度乡镇质量工作考核数据表"], HEADER, *UNITS])
    assert refused(cli, path) == (f"Error: {path}: the title in row 1 ('2030年度乡镇质量工作考核数据表') says 2030, "
                                  "outside the plan (2023 → 2027); give --year if the file is for a year of the plan\n")
    path = write_csv(tmp_path / "two.csv", [["2024年度、2025年度考核数据"], HEADER, *UNITS])
    assert refused(cli, path) == (f"Error: {path}: the title in row 1 ('2024年度、2025年度考核数据') names the years "
                                  "2024, 2025; give --year with the assessment year\n")


@pytest.mark.parametrize("title", ["乡镇质量工作考核数据表（2023—2027年）", "2023-2027年乡镇质量工作考核数据表",
                                   "乡镇质量工作考核（2023至2027年度）"])
def test_a_span_of_years_in_the_title_names_both_years(cli, tmp_path, title):
    # The plan's period is not the year assessed: read as its last year, a 2025 file was
    # scored against the 2027 targets.  Written 2023年—2027年, it was already refused.
    path = write_csv(tmp_path / "data.csv", [[title], HEADER, *UNITS])
    assert refused(cli, path) == (f"Error: {path}: the title in row 1 ({title!r}) names the years 2023, 2027; give "
                                  "--year with the assessment year\n")


def test_a_span_beside_the_year_assessed_leaves_the_year(cli, clean, tmp_path):
    title = "2025年度乡镇质量工作考核数据表（2023—2027年）"
    path = write_csv(tmp_path / "data.csv", [[title], HEADER, *UNITS])
    assert ranked(cli, path)[0] == clean


@pytest.mark.parametrize("year", ["2040", "2020"])
def test_a_year_outside_the_plan_is_a_usage_error(cli, year):
    result = cli("rank", RULESET, str(DATA / "townships.csv"), "--year", year)
    assert result.exit_code == 2
    assert result.output.endswith(f"Error: Invalid value for '--year': {year} is outside the plan (2023 → 2027)\n")


def test_the_ruleset_s_default_year_comes_before_the_horizon(cli, clean, tmp_path):
    ruleset = tmp_path / "r.toml"
    ruleset.write_text("default_year = 2025\n" + (DATA / "township.toml").read_text(encoding="utf-8"),
                       encoding="utf-8")
    result = cli("rank", str(ruleset), str(DATA / "townships.csv"), "--format", "csv")
    assert result.exit_code == 0, result.output
    assert result.stdout_bytes == clean.replace(b"test-township", b"test-township")
    assert result.stderr == (f"notice: {DATA / 'townships.csv'}: assessment year 2025: the ruleset's default year, "
                             "as neither --year nor the data names one\n" + missing(DATA / "townships.csv"))
    ruleset.write_text("default_year = 2030\n" + (DATA / "township.toml").read_text(encoding="utf-8"),
                       encoding="utf-8")
    result = cli("rank", str(ruleset), str(DATA / "townships.csv"))
    assert result.exit_code == 1
    assert result.output == f"Error: {ruleset}: default_year 2030 is outside the plan (2023 → 2027)\n"


# -- workbooks -----------------------------------------------------------------------

OLD = [["单位", "食品抽检合格率（%）"], ["南宾街道", 50]]


@pytest.mark.parametrize("suffix", [".xlsx", ".xls"])
def test_a_hidden_first_sheet_is_never_read_unasked(cli, clean, tmp_path, suffix):
    path = write(tmp_path / f"data{suffix}", Book([Sheet("旧表", OLD, state="hidden"),
                                                    Sheet("数据", [HEADER, *UNITS])], active=1))
    assert ranked(cli, path, "--year", "2025") == (
        clean, f"notice: {path}, sheet '数据': read the active sheet '数据'; the workbook's sheets are 旧表 (hidden), "
               "数据 (active) (give --sheet to read another)\n" + missing(path))
    result = cli("rank", RULESET, str(path), "--sheet", "旧表", "--year", "2025")
    assert result.exit_code == 1
    assert result.output == (f"Error: {path}: 2 problems:\n"
                             "  sheet '旧表', row 1: no column for indicator drug (流通领域药品抽检合格率); add it, "
                             "leaving cells empty or '-' where there is no data\n"
                             "  sheet '旧表', row 1: no column for indicator task (重点任务完成情况); add it, leaving "
                             "cells empty or '-' where there is no data\n")


def test_an_xls_written_by_a_program_opens_on_the_workbook_s_active_tab(cli, clean, tmp_path):
    # Excel marks the active sheet twice: the workbook window's tab and the sheet's own
    # "shown" flag.  Programs such as xlwt write only the tab; going by the sheets' flags
    # alone read the first sheet, last year's, as if it were the one Excel opens on.
    import xlwt

    out = xlwt.Workbook(encoding="utf-8")
    for name, rows in (("上年", [HEADER, *[[unit[0], 50, 50, "未完成", None, None] for unit in UNITS]]),
                       ("数据", [HEADER, *UNITS])):
        sheet = out.add_sheet(name)
        for number, row in enumerate(rows):
            for column, cell in enumerate(row):
                if isinstance(cell, Formatted):
                    sheet.write(number, column, cell.value, xlwt.easyxf(num_format_str=cell.number_format))
                elif cell is not None:
                    sheet.write(number, column, cell)
    out.active_sheet = 1
    path = tmp_path / "data.xls"
    out.save(str(path))
    assert ranked(cli, path, "--year", "2025") == (
        clean, f"notice: {path}, sheet '数据': read the active sheet '数据'; the workbook's sheets are 上年, 数据 "
               "(active) (give --sheet to read another)\n" + missing(path))


def test_an_xls_that_opens_on_a_chart_is_refused_as_an_xlsx_one_is(cli, clean, tmp_path):
    # xlrd does not load chart sheets: with the chart's tab active, the first worksheet
    # was read as "the active sheet".  The chart is made from a worksheet by setting
    # its BOUNDSHEET record's sheet type to 2 (chart), which is all xlrd looks at.
    import struct

    path = write_xls(tmp_path / "data.xls", Book([Sheet("图表", [["图"]]), Sheet("数据", [HEADER, *UNITS])], active=0))
    data = bytearray(path.read_bytes())
    name = "图表".encode("utf-16-le")
    at = data.find(b"\x85\x00")
    while name not in data[at + 4:at + 4 + struct.unpack_from("<H", data, at + 2)[0]]:
        at = data.find(b"\x85\x00", at + 1)
    data[at + 4 + 5] = 2
    path.write_bytes(bytes(data))
    assert refused(cli, path, "--year", "2025") == (
        f"Error: {path}: the workbook opens on a chart (or another sheet that is not a table); its worksheets are 数据; "
        "give --sheet with a data sheet\n")
    assert ranked(cli, path, "--year", "2025", "--sheet", "数据") == (clean, missing(path))


def test_a_hidden_active_sheet_is_refused_listing_the_sheets(cli, tmp_path):
    path = write_xlsx(tmp_path / "data.xlsx", Book([Sheet("数据", [HEADER, *UNITS]),
                                                    Sheet("隐藏", OLD, state="veryHidden")]))
    # A program (not Excel) may leave a hidden sheet active.
    rewrite_sheet_xml(path, lambda xml: xml.replace('activeTab="0"', 'activeTab="1"', 1), sheet="xl/workbook.xml")
    assert refused(cli, path) == (f"Error: {path}: the active sheet '隐藏' is very hidden; the workbook's sheets are "
                                  "数据, 隐藏 (very hidden, active); give --sheet with the sheet to read\n")


def test_data_on_another_sheet_is_named_with_the_sheets(cli, clean, tmp_path):
    path = write_xlsx(tmp_path / "data.xlsx", Book([Sheet("填报说明", [["请按下表填报"], ["注：…"]]),
                                                    Sheet("数据", [HEADER, *UNITS])]))
    assert refused(cli, path) == (f"Error: {path}, sheet '填报说明', row 1: no unit column in the first 10 rows; "
                                  "expected one headed 乡镇（街道） / 单位 / 单位名称 / 考核单位 / 乡镇名称 …; the "
                                  "workbook's sheets are 填报说明 (active), 数据; give --sheet\n")
    output, said = ranked(cli, path, "--sheet", "数据", "--year", "2025")
    assert (output, said) == (clean, missing(path))


@pytest.mark.parametrize("suffix", [".xlsx", ".xls"])
def test_sheet_picks_a_tab_named_with_a_space_after_its_name(cli, clean, tmp_path, suffix):
    # The tab shows 数据; its name is '数据 '.  --sheet 数据 is the sheet the examiner sees.
    path = write(tmp_path / f"data{suffix}", Book([Sheet("填报说明", [["请按下表填报"]]),
                                                  Sheet("数据 ", [HEADER, *UNITS])]))
    output, said = ranked(cli, path, "--sheet", "数据", "--year", "2025")
    assert (output, said) == (clean, townships_missing(path, HEADER[1], "数据 "))


@pytest.mark.parametrize("suffix", [".xlsx", ".xls"])
def test_an_empty_active_sheet_names_the_sheets_not_an_empty_file(cli, clean, tmp_path, suffix):
    # A new workbook's blank Sheet1 left active, the data on another sheet.
    path = write(tmp_path / f"data{suffix}", Book([Sheet("Sheet1", []), Sheet("数据", [HEADER, *UNITS])]))
    assert refused(cli, path) == (f"Error: {path}, sheet 'Sheet1': the sheet is empty; the workbook's sheets are "
                                  "Sheet1 (active), 数据; give --sheet with the sheet to read\n")
    assert ranked(cli, path, "--sheet", "数据", "--year", "2025") == (clean, missing(path))
    path = write(tmp_path / f"one{suffix}", Book([Sheet("Sheet1", [])]))
    assert refused(cli, path) == (f"Error: {path}, sheet 'Sheet1': the sheet is empty; expected a header row and one "
                                  "row per unit\n")


@pytest.mark.parametrize("suffix", [".xlsx", ".xls"])
def test_a_hidden_row_is_refused_read_or_skipped_as_asked(cli, clean, tmp_path, suffix):
    path = write(tmp_path / f"data{suffix}", book([HEADER, *UNITS], hidden_rows=[4]))
    assert refused(cli, path, "--year", "2025") == (
        f"Error: {path}, sheet '数据', cells A4:F4: row 4 ('黄水镇') is hidden in Excel and holds data; unhide it, or "
        "give --hidden read to use it or --hidden skip to leave it out\n")
    assert ranked(cli, path, "--year", "2025", "--hidden", "read") == (
        clean, f"notice: {path}, sheet '数据', cells A4:F4: row 4 ('黄水镇') is hidden in Excel; read as --hidden read "
               "says\n" + missing(path))
    output, said = ranked(cli, path, "--year", "2025", "--hidden", "skip")
    assert [line.split(",")[1] for line in output.decode("utf-8-sig").splitlines()[1:]] == ["南宾街道", "悦崃镇", "西沱镇"]
    assert said == (f"notice: {path}, sheet '数据', cells A4:F4: row 4 ('黄水镇') is hidden in Excel; skipped as "
                    "--hidden skip says\n")


@pytest.mark.parametrize("suffix", [".xlsx", ".xls"])
def test_a_hidden_column_is_refused_or_skipped_as_asked(cli, clean, tmp_path, suffix):
    rows = [[*HEADER, "辅助列"], *[[*unit, n * 7] for n, unit in enumerate(UNITS, 1)]]
    path = write(tmp_path / f"data{suffix}", book(rows, hidden_columns=[6]))
    assert refused(cli, path, "--year", "2025") == (
        f"Error: {path}: 2 problems:\n"
        "  sheet '数据', cells G1:G5, column '辅助列': column G ('辅助列') is hidden in Excel and holds data; unhide "
        "it, or give --hidden read to use it or --hidden skip to leave it out\n"
        "  sheet '数据', cell G1, column '辅助列': column names no indicator or item of ruleset 'test-township' (use "
        "--ignore-unknown to skip such columns)\n")
    assert ranked(cli, path, "--year", "2025", "--hidden", "skip") == (
        clean, f"notice: {path}, sheet '数据', cells G1:G5, column '辅助列': column G ('辅助列') is hidden in Excel; "
               "skipped as --hidden skip says\n" + missing(path))


@pytest.mark.parametrize("suffix", [".xlsx", ".xls"])
def test_an_indicator_column_left_out_by_hidden_skip_is_named(cli, clean, tmp_path, suffix):
    # --hidden skip leaves the hidden 流通领域药品抽检合格率 out: the indicator then has no
    # values, and the message points at its column, not at a column to add.
    path = write(tmp_path / f"data{suffix}", book([HEADER, *UNITS], hidden_columns=[2]))
    assert refused(cli, path, "--year", "2025", "--hidden", "skip") == (
        f"Error: {path}, sheet '数据', cell C1, column '流通领域药品抽检合格率': this is the column of indicator drug "
        "(流通领域药品抽检合格率), hidden in Excel and left out as --hidden skip says, so the indicator has no values; "
        "unhide it, or give --hidden read\n")
    assert ranked(cli, path, "--year", "2025", "--hidden", "read")[0] == clean


MERGED_UNITS = [UNITS[0], ["西沱镇", "96.8", 98.5, "基本完成", None, None], ["黄水镇", "-", 98.5, "未完成", None, "是"],
                UNITS[3]]


@pytest.mark.parametrize("suffix", [".xlsx", ".xls"])
def test_a_merged_value_shared_by_two_units_is_refused_or_filled_as_asked(cli, tmp_path, suffix):
    filled = write_csv(tmp_path / "filled.csv", [HEADER, *MERGED_UNITS])
    expected, _ = ranked(cli, filled, "--year", "2025")
    rows = [HEADER, MERGED_UNITS[0], MERGED_UNITS[1], [*MERGED_UNITS[2][:2], None, *MERGED_UNITS[2][3:]],
            MERGED_UNITS[3]]
    path = write(tmp_path / f"data{suffix}", book(rows, merged=[(3, 2, 4, 2)]))
    assert refused(cli, path, "--year", "2025") == (
        f"Error: {path}, sheet '数据', cells C3:C4, column '流通领域药品抽检合格率': cells C3:C4 are merged: only the "
        "first holds the value ('98.5') and the others would read as empty; unmerge them and fill each cell, or give "
        "--fill-merged\n")
    assert ranked(cli, path, "--year", "2025", "--fill-merged") == (
        expected, f"notice: {path}, sheet '数据', cells C3:C4, column '流通领域药品抽检合格率': cells C3:C4 are merged: "
                  "the value '98.5' was used for each of them, as --fill-merged says\n" + missing(path))


def test_a_merged_title_and_a_merged_note_are_fine(cli, clean, tmp_path):
    rows = [[TITLE], HEADER, *UNITS, ["注：“-”表示无数据。"]]
    path = write_xlsx(tmp_path / "data.xlsx", book(rows, merged=[(1, 0, 1, 5), (7, 0, 7, 5)]))
    output, said = ranked(cli, path, "--year", "2025")
    assert output == clean
    assert said == (f"notice: {path}, sheet '数据', row 1: skipped a title row above the header: '{TITLE}'\n"
                    f"notice: {path}, sheet '数据', row 7: skipped a note row: '注：“-”表示无数据。'\n" + missing(path))


@pytest.mark.parametrize("suffix", [".xlsx", ".xls"])
def test_fractions_without_a_percent_format_are_refused_or_multiplied_as_asked(cli, clean, tmp_path, suffix):
    rows = [HEADER, *[[unit[0], fraction, *unit[2:]] for unit, fraction in zip(UNITS, [0.975, 0.968, "-", 0.98])]]
    path = write(tmp_path / f"data{suffix}", book(rows))
    assert refused(cli, path, "--year", "2025") == (
        f"Error: {path}, sheet '数据', cell B1, column '食品抽检合格率（%）': every figure lies between 0 and 1.5 while "
        "the target is 98%: they look like fractions (0.98 for 98%); write them as percentages (or format the cells "
        "as %), or give --percent-fractions to multiply them by 100\n")
    assert ranked(cli, path, "--year", "2025", "--percent-fractions") == (
        clean, f"notice: {path}, sheet '数据', cell B1, column '食品抽检合格率（%）': every figure lay between 0 and 1.5 "
               "while the target is 98%: multiplied by 100 as --percent-fractions says (0.98 → 98)\n" + missing(path))


@pytest.mark.parametrize("suffix", [".xlsx", ".xls"])
def test_percent_formats_scale_and_literal_percent_signs_read_as_shown(cli, clean, tmp_path, suffix):
    rows = [HEADER, [UNITS[0][0], Formatted(0.975, "0.0%"), Formatted(99.2, '0.0"%"'), *UNITS[0][3:]],
            [UNITS[1][0], Formatted(0.968, "0.0%;[Red]-0.0%"), Formatted(98.5, "0.0\\%"), *UNITS[1][3:]],
            UNITS[2], UNITS[3]]
    path = write(tmp_path / f"data{suffix}", book(rows))
    assert ranked(cli, path, "--year", "2025") == (clean, missing(path))


def test_duplicate_and_out_of_order_row_records_are_refused(cli, tmp_path):
    path = write_xlsx(tmp_path / "twice.xlsx", book([HEADER, *UNITS]))
    rewrite_sheet_xml(path, lambda xml: xml.replace(row_xml(xml, 3), row_xml(xml, 3) * 2))
    assert refused(cli, path, "--year", "2025") == (
        f"Error: {path}, sheet '数据', row 3: the sheet's data lists row 3 twice, which Excel never writes; open the "
        "file in Excel and save it again\n")
    path = write_xlsx(tmp_path / "order.xlsx", book([HEADER, *UNITS]))
    rewrite_sheet_xml(path, lambda xml: xml.replace(row_xml(xml, 3) + row_xml(xml, 4),
                                                    row_xml(xml, 4) + row_xml(xml, 3)))
    assert refused(cli, path, "--year", "2025") == (
        f"Error: {path}, sheet '数据', row 3: the sheet's data lists row 3 after row 4, which Excel never writes; "
        "open the file in Excel and save it again\n")


def test_an_xls_workbook_scores_like_the_csv(cli, clean, tmp_path):
    path = write(tmp_path / "data.xls", book([HEADER, *UNITS]))
    assert ranked(cli, path, "--year", "2025") == (clean, missing(path))


def test_an_encrypted_workbook_is_named_as_such(cli, tmp_path):
    for suffix in (".xlsx", ".xls"):
        path = tmp_path / f"locked{suffix}"
        path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(500) + "EncryptedPackage".encode("utf-16-le"))
        assert refused(cli, path) == (f"Error: {path}: the workbook is encrypted (password-protected); save a copy "
                                      "without the password (文件 → 信息 → 保护工作簿 → 用密码进行加密, clear it) and "
                                      "read that\n")


@pytest.mark.parametrize(("suffix", "content", "message"), [
    (".xls", b"<html><table><tr><td>1</td></tr></table></html>",
     "this is an HTML or XML page, not an Excel .xls workbook (some systems export tables this way); open it in "
     "Excel and save it as .xlsx"),
    (".xls", b"PK\x03\x04rest", "this is an .xlsx workbook (a zip file), not an old Excel .xls workbook; give it the "
                                ".xlsx suffix"),
    (".xlsx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(100),
     "this is an old Excel .xls workbook, not an .xlsx workbook; give it the .xls suffix"),
    (".xlsx", "单位,食品\n甲,98\n".encode("utf-8"),
     "this is a text file, not an Excel .xlsx workbook; a CSV file needs the .csv suffix"),
])
def test_a_file_that_is_not_the_workbook_its_name_says_is_named(cli, tmp_path, suffix, content, message):
    path = tmp_path / f"data{suffix}"
    path.write_bytes(content)
    assert refused(cli, path) == f"Error: {path}: {message}\n"


def test_sheet_on_a_csv_is_a_usage_error(cli):
    path = DATA / "townships.csv"
    result = cli("rank", RULESET, str(path), "--sheet", "数据")
    assert result.exit_code == 2
    assert result.output.endswith(f"Error: --sheet names a sheet of a workbook, but {path} is a CSV file, which has "
                                  "no sheets\n")


# -- columns -------------------------------------------------------------------------

def test_a_misspelled_item_is_never_dropped_by_ignore_unknown(cli, tmp_path):
    # The 三河镇: a 序号 column no longer needs --ignore-unknown, and --ignore-unknown
    # never drops a near miss of an item (its deduction would silently vanish).
    rows = [["序号", *HEADER[:4], "获市长质量管理将", HEADER[5]], *[[n, *unit] for n, unit in enumerate(UNITS, 1)]]
    path = write_csv(tmp_path / "data.csv", rows)
    assert refused(cli, path, "--year", "2025", "--ignore-unknown") == (
        f"Error: {path}, row 1, column '获市长质量管理将': column names no indicator or item of ruleset 'test-township' "
        "but comes close to 获市长质量管理奖, so --ignore-unknown does not skip it; rename it to the name it means, or "
        "delete it\n")


def test_a_bracketed_note_is_not_taken_for_a_unit(cli, tmp_path):
    rows = [[*HEADER, "食品抽检合格率（2024年上年值）"], *[[*unit, 96] for unit in UNITS]]
    path = write_csv(tmp_path / "data.csv", rows)
    message = (f"Error: {path}, row 1, column '食品抽检合格率（2024年上年值）': the column would be 食品抽检合格率, but the "
               "bracket holds '2024年上年值', which is not a unit of measure; name this year's figures 食品抽检合格率 (or "
               "食品抽检合格率（%）) and last year's 食品抽检合格率@上年\n")
    assert refused(cli, path, "--year", "2025") == message
    assert refused(cli, path, "--year", "2025", "--ignore-unknown") == message


def test_a_misspelled_figure_field_is_refused(cli, tmp_path):
    rows = [[*HEADER, "食品抽检合格率@基期数"], *[[*unit, 96] for unit in UNITS]]
    path = write_csv(tmp_path / "data.csv", rows)
    assert refused(cli, path, "--year", "2025") == (
        f"Error: {path}, row 1, column '食品抽检合格率@基期数': '@基期数' is not a figure 食品抽检合格率 reads: it reads "
        "@基期, @上年; did you mean @基期?\n")


def test_a_long_layout_with_each_units_name_merged_down_its_rows(cli, tmp_path):
    # Offices merge a unit's name down its indicator rows.  The rows under the first read
    # no unit; the indicators they name are in the file, and were said to be missing.
    rows = [["单位", "指标", "值"], ["南宾街道", "食品抽检合格率", 97.5], [None, "流通领域药品抽检合格率", 99.2],
            [None, "重点任务完成情况", "完成"]]
    path = write_xlsx(tmp_path / "long.xlsx", book(rows, merged=[(2, 0, 4, 0)]))
    assert refused(cli, path, "--year", "2025") == (
        f"Error: {path}: 3 problems:\n"
        "  sheet '数据', cells A2:A4, column '单位': cells A2:A4 are merged: only the first holds the value ('南宾街道') "
        "and the others would read as empty; unmerge them and fill each cell, or give --fill-merged\n"
        "  sheet '数据', cell A3, column '单位': the unit name is empty\n"
        "  sheet '数据', cell A4, column '单位': the unit name is empty\n")
    output, said = ranked(cli, path, "--year", "2025", "--fill-merged")
    # 南宾街道: 97.5 ≥ 96.5 → 40; 99.2 ≥ 99 → 30; 完成 → 30: 100
    assert output.decode("utf-8-sig").splitlines()[1].split(",")[:3] == ["1", "南宾街道", "100.00"]


def test_a_long_layout_refuses_columns_it_would_ignore(cli, tmp_path):
    rows = [["序号", "乡镇（街道）", "指标", "值", "备用"], [1, "南宾街道", "食品抽检合格率", 97.5, "x"]]
    path = write_csv(tmp_path / "long.csv", rows)
    assert refused(cli, path, "--year", "2025") == (
        f"Error: {path}: 3 problems:\n"
        "  row 1: no row gives indicator drug (流通领域药品抽检合格率); add one for each unit, leaving the value empty "
        "or '-' where there is no data\n"
        "  row 1: no row gives indicator task (重点任务完成情况); add one for each unit, leaving the value empty or '-' "
        "where there is no data\n"
        "  row 1, column '备用': the long layout reads the unit, indicator, field and value columns only; this column "
        "would be ignored: remove it, or give the file one column per indicator\n")


def test_every_unknown_column_is_listed_at_once(cli, tmp_path):
    rows = [[*HEADER, "联系人", "食品合格率"], *[[*unit, "张三", 1] for unit in UNITS]]
    path = write_csv(tmp_path / "data.csv", rows)
    assert refused(cli, path, "--year", "2025") == (
        f"Error: {path}: 2 problems:\n"
        "  row 1, column '联系人': column names no indicator or item of ruleset 'test-township' (use --ignore-unknown "
        "to skip such columns)\n"
        "  row 1, column '食品合格率': column names no indicator or item of ruleset 'test-township'; did you mean "
        "食品抽检合格率 / 流通领域药品抽检合格率? (use --ignore-unknown to skip such columns)\n")


# -- cells ---------------------------------------------------------------------------

def test_footnote_marks_are_refused_not_folded_into_the_figure(cli, tmp_path):
    rows = [HEADER, ["南宾街道", "97.5①", "99.2¹", "完成", 2, None], *UNITS[1:]]
    path = write_csv(tmp_path / "data.csv", rows)
    assert refused(cli, path, "--year", "2025") == (
        f"Error: {path}: 2 problems:\n"
        "  row 2, column '食品抽检合格率（%）': expected a number, got '97.5①': '①' is a footnote mark or a numeral "
        "that is not a digit; move the note out of the cell\n"
        "  row 2, column '流通领域药品抽检合格率': expected a number, got '99.2¹': '¹' is a footnote mark or a numeral "
        "that is not a digit; move the note out of the cell\n")


def test_invisible_characters_in_unit_names_are_removed_and_said(cli, clean, tmp_path):
    rows = [HEADER, ["\ufeff南宾街道\u200b", *UNITS[0][1:]], *UNITS[1:]]
    path = write_csv(tmp_path / "data.csv", rows)
    assert ranked(cli, path, "--year", "2025") == (
        clean, f"notice: {path}, row 2, column '单位': the unit name '南宾街道' held invisible characters (U+FEFF, "
               "U+200B); they were removed\n" + missing(path))
    rows = [HEADER, *UNITS, ["南宾街道\u200b", *UNITS[0][1:]]]
    path = write_csv(tmp_path / "twice.csv", rows)
    assert refused(cli, path, "--year", "2025") == (
        f"Error: {path}, row 6, column '单位': unit '南宾街道' appears twice (first at row 2)\n")


def test_a_file_s_problems_are_reported_together_around_skipped_rows(cli, tmp_path):
    rows = [[TITLE], HEADER, ["南宾街道", "优秀", 99.2, "完成", 2, None], UNITS[1],
            ["黄水镇", "-", "97.0.1", "差不多", None, "是"], UNITS[3], ["合计", None, None, None, 2, 1],
            ["注：本表仅供参考"]]
    path = write_csv(tmp_path / "data.csv", rows)
    assert refused(cli, path) == (
        f"Error: {path}: 3 problems:\n"
        "  row 3, column '食品抽检合格率（%）': expected a number (such as 98.5, 98% or 1,150), got '优秀'\n"
        "  row 5, column '流通领域药品抽检合格率': expected a number (such as 98.5, 98% or 1,150), got '97.0.1'\n"
        "  row 5, column '重点任务完成情况': expected one of the levels 完成 / 基本完成 / 未完成, got '差不多'\n")


# -- the roster ----------------------------------------------------------------------

ROSTER = '\n[roster]\nunits = ["南宾街道", "西沱镇", "黄水镇", "悦崃镇", "中益乡"]\nsource = "测试县乡镇名单"\n'


@pytest.fixture
def rostered(tmp_path) -> str:
    path = tmp_path / "rostered.toml"
    path.write_text((DATA / "township.toml").read_text(encoding="utf-8") + ROSTER, encoding="utf-8")
    return str(path)


def test_a_roster_unit_missing_from_the_data_is_an_error_unless_partial(cli, clean, rostered):
    data = DATA / "townships.csv"
    result = cli("rank", rostered, str(data), "--year", "2025", "--format", "csv")
    assert result.exit_code == 1
    assert result.output == (f"Error: {data}: unit '中益乡' of the roster of 5 units (测试县乡镇名单) is not in the "
                             "data (add its row, with empty cells where there is no data, or give --partial)\n")
    result = cli("rank", rostered, str(data), "--year", "2025", "--format", "csv", "--partial")
    assert (result.exit_code, result.stdout_bytes) == (0, clean)
    assert result.stderr == (f"notice: {data}: a partial batch: 1 of the 5 units on the roster are not in the data "
                             "(中益乡)\n" + missing(data))


def test_a_unit_off_the_roster_is_an_error_with_did_you_mean(cli, rostered, tmp_path):
    rows = [HEADER, ["南滨街道", *UNITS[0][1:]], *UNITS[1:], ["中益乡", 97, 99, "完成", None, None]]
    path = write_csv(tmp_path / "data.csv", rows)
    result = cli("rank", rostered, str(path), "--year", "2025")
    assert result.exit_code == 1
    assert result.output == (f"Error: {path}: 2 problems:\n"
                             "  row 2, column '单位': unit '南滨街道' is not on the roster of 5 units (测试县乡镇名单); "
                             "did you mean 南宾街道? (a new or renamed unit: update the roster, or give --units FILE)\n"
                             "  unit '南宾街道' of the roster of 5 units (测试县乡镇名单) is not in the data; is it "
                             "'南滨街道'? (add its row, with empty cells where there is no data, or give --partial)\n")


def test_a_roster_file_stands_in_for_the_ruleset_s(cli, clean, rostered, tmp_path):
    roster = tmp_path / "units.txt"
    roster.write_text("乡镇（街道）\n悦崃镇\n南宾街道\n\n西沱镇\n黄水镇\n", encoding="utf-8")
    data = DATA / "townships.csv"
    for ruleset in (RULESET, rostered):
        result = cli("rank", ruleset, str(data), "--year", "2025", "--format", "csv", "--units", str(roster))
        assert (result.exit_code, result.stdout_bytes, result.stderr) == (0, clean, missing(data))
    roster.write_text("南宾街道\n西沱镇\n悦崃镇\n", encoding="utf-8")
    result = cli("rank", RULESET, str(data), "--year", "2025", "--units", str(roster))
    assert result.exit_code == 1
    assert result.output == (f"Error: {data}, row 4, column '单位': unit '黄水镇' is not on the roster of 3 units "
                             f"({roster}) (a new or renamed unit: update the roster, or give --units FILE)\n")


def test_a_roster_file_with_two_columns_or_a_repeated_name_is_refused(cli, tmp_path):
    roster = tmp_path / "units.csv"
    roster.write_text("南宾街道,1\n西沱镇\n西沱镇\n", encoding="utf-8")
    result = cli("rank", RULESET, str(DATA / "townships.csv"), "--units", str(roster))
    assert result.exit_code == 1
    assert result.output == (f"Error: {roster}: 2 problems:\n"
                             "  row 1: expected one unit name per line, got 2 cells\n"
                             "  row 3: unit '西沱镇' is listed twice (first at row 2)\n")


def test_the_python_api_takes_the_same_options(tmp_path):
    import qscore

    path = write(tmp_path / "data.xlsx", book([HEADER, *UNITS], hidden_rows=[4]))
    with pytest.raises(qscore.DataError) as refusal:
        qscore.score(RULESET, path, year=2025)
    assert refusal.value.problems[0].cell == "A4:F4"
    batch = qscore.score(RULESET, path, year=2025, hidden="read", partial=True, units=["南宾街道", "西沱镇"])
    assert [u.unit for u in batch.units] == ["南宾街道", "悦崃镇", "西沱镇", "黄水镇"]
    assert [n.kind for n in batch.notices] == ["hidden", "roster", "roster", "missing"]
    notice = batch.notices[-1]  # 黄水镇, read from its hidden row, has no 食品 figure
    assert (notice.file, notice.sheet, notice.column, notice.message) == (
        str(path), "数据", "食品抽检合格率（%）",
        "1 unit(s) have no value for 食品抽检合格率 (黄水镇): scored 0 under the missing-value policy 'zero'")
    with pytest.raises(qscore.UsageError):
        qscore.score(RULESET, path, year=2031)


def test_the_typical_sheet_of_docs_data_md_reads_as_documented(cli, clean, tmp_path):
    import re

    doc = (Path(__file__).parent.parent.parent / "docs" / "data.md").read_text(encoding="utf-8")
    section = doc.split("## Office layouts", 1)[1].split("\n## ", 1)[0]
    rows = []
    for line in re.findall(r"^\| \*\*\d+\*\* \|(.*)\|$", section, re.M):
        cells = [cell.strip() for cell in line.split("|")]
        rows.append([float(c) if re.fullmatch(r"\d+\.\d+", c) else int(c) if c.isdigit() else c or None
                     for c in cells])
    assert len(rows) == 10
    merged = [(1, 0, 1, 6), (2, 2, 2, 3), (2, 0, 3, 0), (2, 1, 3, 1)]
    assert "(A1:G1 and C2:D2 merged, A2:A3 and B2:B3 merged.)" in section
    path = write_xlsx(tmp_path / "data.xlsx", book(rows, merged=merged))
    output, said = ranked(cli, path)
    assert output == clean
    documented = re.search(r"```\n(notice: .*?)```", section, re.S).group(1)
    assert said == documented.replace("data.xlsx", str(path))


def test_json_and_xlsx_outputs_record_the_year_and_every_notice(cli, tmp_path):
    import json

    import openpyxl

    path = write_csv(tmp_path / "data.csv", [[TITLE], HEADER, *UNITS, ["合计", None, None, None, 2, 1]])
    result = cli("rank", RULESET, str(path), "--format", "json")
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert document["year"] == 2025
    assert document["notices"] == [
        {"kind": "title", "message": f"skipped a title row above the header: '{TITLE}'", "file": str(path),
         "sheet": None, "row": 1, "column": None, "cell": None},
        {"kind": "row", "message": "skipped a summary row, not a unit: '合计'", "file": str(path), "sheet": None,
         "row": 7, "column": None, "cell": None},
        {"kind": "year", "message": f"assessment year 2025, as the title in row 1 ('{TITLE}') says (give --year to "
                                    "score for another)", "file": str(path), "sheet": None, "row": None,
         "column": None, "cell": None},
        {"kind": "missing", "message": "1 unit(s) have no value for 食品抽检合格率 (黄水镇): scored 0 under the "
                                       "missing-value policy 'zero'", "file": str(path), "sheet": None, "row": None,
         "column": "食品抽检合格率（%）", "cell": None}]
    output = tmp_path / "ranked.xlsx"
    assert cli("rank", RULESET, str(path), "-o", str(output)).exit_code == 0
    book = openpyxl.load_workbook(output)
    # The year heads every sheet; the notices have a sheet of their own (数据提示).
    assert book["说明"]["A1"].value == "测试县乡镇质量工作考核（2025年度）：规则与假设说明"
    notes = [[cell for cell in row if cell is not None] for row in book["数据提示"].iter_rows(values_only=True)]
    assert notes == [["测试县乡镇质量工作考核（2025年度）"], ["提示", "文件", "工作表", "位置", "内容"],
                     ["标题行", str(path), "第1行", f"skipped a title row above the header: '{TITLE}'"],
                     ["行", str(path), "第7行", "skipped a summary row, not a unit: '合计'"],
                     ["考核年度", str(path), f"assessment year 2025, as the title in row 1 ('{TITLE}') says (give "
                                             "--year to score for another)"],
                     ["缺失数值", str(path), "食品抽检合格率（%）", "1 unit(s) have no value for 食品抽检合格率 (黄水镇): "
                                                           "scored 0 under the missing-value policy 'zero'"]]


@pytest.mark.parametrize("suffix", [".xlsx", ".xls", ".csv"])
def test_one_fraction_among_percentages_is_refused_or_multiplied_as_asked(cli, clean, tmp_path, suffix):
    # The 万安街道: one cell typed 0.975 without the percent format the others have.
    rows = [HEADER, *UNITS[:1], ["西沱镇", 0.968, *UNITS[1][2:]], *UNITS[2:]]
    path = write(tmp_path / f"data{suffix}", book(rows))
    assert refused(cli, path, "--year", "2025") == (
        f"Error: {where(path, 3, '食品抽检合格率（%）', 'B3')}: 0.968 has no % sign and lies between 0 and 1.5 while "
        "the target is 98% and the column's other figures are percentages: it looks like a fraction (0.968 for "
        "96.8%); write 96.8, or 0.968% if that is what it is, or give --percent-fractions to multiply such figures "
        "by 100\n")
    assert ranked(cli, path, "--year", "2025", "--percent-fractions") == (
        clean, f"notice: {where(path, 1, '食品抽检合格率（%）', 'B1')}: 1 figure(s) without a % sign lay between 0 and "
               "1.5 while the target is 98%: multiplied by 100 as --percent-fractions says (0.968 → 96.8)\n"
               + missing(path))


def test_a_small_percentage_written_with_its_sign_is_taken_as_written(cli, tmp_path):
    # 1.2% is a poor figure, not a fraction: written with its % sign, it is read as 1.2.
    rows = [HEADER, *UNITS[:1], ["西沱镇", "1.2%", *UNITS[1][2:]], *UNITS[2:]]
    path = write_csv(tmp_path / "data.csv", rows)
    output, said = ranked(cli, path, "--year", "2025")
    assert said == missing(path)
    # 西沱镇: (1.2 − 95) ÷ (96.5 − 95) < 0 → 0; 20 + 18 = 38
    assert [line.split(",")[:3] for line in output.decode("utf-8-sig").splitlines()[1:]][2] == ["3", "西沱镇", "38.00"]
