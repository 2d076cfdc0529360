"""Values a workbook holds but Excel does not show: a cell whose number format has an
empty section for it (``;;;``, ``0;;`` …), a row 0 high, a column 0 wide, none of them
flagged hidden.  Each is refused like a hidden row or column, or read or left out as
``--hidden`` says, with the reason in the message; in XLSX and XLS alike.

The data is test_office_layouts' clean table (worked by hand there: 南宾街道 105,
悦崃镇 100, 西沱镇 78, 黄水镇 0); only how Excel shows some cells changes.  黄水镇 has no
食品抽检合格率 ("-"): each ranking that keeps it ends with that notice (``missing``).
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from office import Formatted, book, write
from qscore.reading.sheets import concealing, hidden_value
from qscore.reading.table import HiddenValue
from test_office_layouts import HEADER, UNITS, clean, missing, ranked, refused  # noqa: F401 - clean is a fixture

WORKBOOKS = [".xlsx", ".xls"]
ADVICE = "or give --hidden read to use it or --hidden skip to leave it out"


def units(output: bytes) -> list[list[str]]:
    """Rank, unit, total and grade of each row of ``rank``'s CSV."""
    return [line.split(",")[:4] for line in output.decode("utf-8-sig").splitlines()[1:]]


def with_format(row: int, column: int, number_format: str) -> list[list[object]]:
    """The clean table with the cell at sheet row ``row`` (the header is row 1) shown
    through ``number_format``."""
    rows = [list(HEADER), *[list(unit) for unit in UNITS]]
    rows[row - 1][column] = Formatted(rows[row - 1][column], number_format)
    return rows


@pytest.mark.parametrize("suffix", WORKBOOKS)
def test_a_value_its_format_shows_as_nothing_is_refused_read_or_left_out(cli, clean, tmp_path, suffix):
    # 西沱镇's 流通领域药品抽检合格率 98.5 under ;;; : the examiner sees an empty cell.
    path = write(tmp_path / f"data{suffix}", book(with_format(3, 2, ";;;")))
    at = f"{path}, sheet '数据', cell C3, column '流通领域药品抽检合格率'"
    assert refused(cli, path, "--year", "2025") == (
        f"Error: {at}: the value '98.5' does not show in Excel: its number format ;;; shows nothing; give the cell "
        f"a number format that shows it, {ADVICE}\n")
    assert ranked(cli, path, "--year", "2025", "--hidden", "read") == (
        clean, f"notice: {at}: the value '98.5' does not show in Excel: its number format ;;; shows nothing; read as "
               "--hidden read says\n" + missing(path))
    # Left out, 西沱镇 has no drug figure: 40 + 0 + 18 = 58, under 合格's 60.
    output, said = ranked(cli, path, "--year", "2025", "--hidden", "skip")
    assert units(output) == [["1", "南宾街道", "105.00", "优秀"], ["2", "悦崃镇", "100.00", "优秀"],
                             ["3", "西沱镇", "58.00", "不合格"], ["4", "黄水镇", "0.00", "不合格"]]
    assert said == (f"notice: {at}: the value '98.5' does not show in Excel: its number format ;;; shows nothing; "
                    "left out as --hidden skip says\n" + missing(path)
                    + f"notice: {path}, sheet '数据', column '流通领域药品抽检合格率': 1 unit(s) have no value for "
                      "流通领域药品抽检合格率 (西沱镇): scored 0 under the missing-value policy 'zero'\n")


@pytest.mark.parametrize("suffix", WORKBOOKS)
def test_a_format_hides_only_the_values_whose_section_is_empty(cli, clean, tmp_path, suffix):
    rows = with_format(2, 4, "0;;")        # 南宾街道's 2 awards: 0;; shows positives
    rows[4][4] = Formatted(0, "0;;")       # 悦崃镇's 0 awards: 0;; shows nothing for zero
    rows[1][2] = Formatted(99.2, ";;0")    # 南宾街道's 99.2: ;;0 shows only zeros
    rows[4][2] = Formatted(99, ";;")       # 悦崃镇's 99: ;; shows no number (text it would)
    rows[3][3] = Formatted("未完成", "0;0;0;")  # 黄水镇's 未完成: an empty fourth section hides text
    path = write(tmp_path / f"data{suffix}", book(rows))
    sheet = "sheet '数据'"
    assert refused(cli, path, "--year", "2025") == (
        f"Error: {path}: 4 problems:\n"
        f"  {sheet}, cell C2, column '流通领域药品抽检合格率': the value '99.2' does not show in Excel: its number "
        f"format ;;0 shows nothing for a positive number; give the cell a number format that shows it, {ADVICE}\n"
        f"  {sheet}, cell D4, column '重点任务完成情况': the value '未完成' does not show in Excel: its number format "
        f"0;0;0; shows nothing for text; give the cell a number format that shows it, {ADVICE}\n"
        f"  {sheet}, cell C5, column '流通领域药品抽检合格率': the value '99' does not show in Excel: its number "
        f"format ;; shows no number; give the cell a number format that shows it, {ADVICE}\n"
        f"  {sheet}, cell E5, column '获市长质量管理奖': the value '0' does not show in Excel: its number format 0;; "
        f"shows nothing for zero; give the cell a number format that shows it, {ADVICE}\n")
    output, said = ranked(cli, path, "--year", "2025", "--hidden", "read")
    assert output == clean
    *shown, last = said.splitlines(keepends=True)
    assert [line.split(": the value ", 1)[0] for line in shown] == [
        f"notice: {path}, {sheet}, cell C2, column '流通领域药品抽检合格率'",
        f"notice: {path}, {sheet}, cell D4, column '重点任务完成情况'",
        f"notice: {path}, {sheet}, cell C5, column '流通领域药品抽检合格率'",
        f"notice: {path}, {sheet}, cell E5, column '获市长质量管理奖'"]
    assert last == missing(path)


@pytest.mark.parametrize("suffix", WORKBOOKS)
def test_a_unit_name_shown_as_nothing_leaves_its_row_out_under_skip(cli, tmp_path, suffix):
    path = write(tmp_path / f"data{suffix}", book(with_format(3, 0, ";;;")))
    at = f"{path}, sheet '数据', cell A3, column '单位'"
    assert refused(cli, path, "--year", "2025") == (
        f"Error: {at}: the value '西沱镇' does not show in Excel: its number format ;;; shows nothing; give the cell "
        f"a number format that shows it, {ADVICE}\n")
    output, said = ranked(cli, path, "--year", "2025", "--hidden", "skip")
    assert units(output) == [["1", "南宾街道", "105.00", "优秀"], ["2", "悦崃镇", "100.00", "优秀"],
                             ["3", "黄水镇", "0.00", "不合格"]]
    assert said == (f"notice: {at}: the value '西沱镇' does not show in Excel: its number format ;;; shows nothing; "
                    "its row skipped as --hidden skip says\n" + missing(path))


@pytest.mark.parametrize("suffix", WORKBOOKS)
def test_a_row_0_high_is_hidden_though_not_flagged(cli, clean, tmp_path, suffix):
    path = write(tmp_path / f"data{suffix}", book([HEADER, *UNITS], zero_height_rows=[4]))
    at = f"{path}, sheet '数据', cells A4:F4"
    assert refused(cli, path, "--year", "2025") == (
        f"Error: {at}: row 4 ('黄水镇') has a height of 0, so Excel does not show it, and holds data; give it a "
        f"height, {ADVICE}\n")
    assert ranked(cli, path, "--year", "2025", "--hidden", "read") == (
        clean, f"notice: {at}: row 4 ('黄水镇') has a height of 0, so Excel does not show it; read as --hidden read "
               "says\n" + missing(path))
    output, said = ranked(cli, path, "--year", "2025", "--hidden", "skip")
    assert [row[1] for row in units(output)] == ["南宾街道", "悦崃镇", "西沱镇"]
    assert said == (f"notice: {at}: row 4 ('黄水镇') has a height of 0, so Excel does not show it; skipped as "
                    "--hidden skip says\n")


@pytest.mark.parametrize("suffix", WORKBOOKS)
def test_a_column_0_wide_is_hidden_though_not_flagged(cli, clean, tmp_path, suffix):
    path = write(tmp_path / f"data{suffix}", book([HEADER, *UNITS], zero_width_columns=[2]))
    at = f"{path}, sheet '数据', cells C1:C5, column '流通领域药品抽检合格率'"
    assert refused(cli, path, "--year", "2025") == (
        f"Error: {at}: column C ('流通领域药品抽检合格率') has a width of 0, so Excel does not show it, and holds "
        f"data; widen it, {ADVICE}\n")
    assert ranked(cli, path, "--year", "2025", "--hidden", "read") == (
        clean, f"notice: {at}: column C ('流通领域药品抽检合格率') has a width of 0, so Excel does not show it; read "
               "as --hidden read says\n" + missing(path))
    assert refused(cli, path, "--year", "2025", "--hidden", "skip") == (
        f"Error: {path}, sheet '数据', cell C1, column '流通领域药品抽检合格率': this is the column of indicator drug "
        "(流通领域药品抽检合格率), hidden in Excel and left out as --hidden skip says, so the indicator has no values; "
        "unhide it, or give --hidden read\n")


@pytest.mark.parametrize("suffix", WORKBOOKS)
def test_a_cell_of_a_hidden_row_is_named_once_by_its_row(cli, tmp_path, suffix):
    rows = with_format(4, 2, ";;;")
    path = write(tmp_path / f"data{suffix}", book(rows, zero_height_rows=[4]))
    assert refused(cli, path, "--year", "2025") == (
        f"Error: {path}, sheet '数据', cells A4:F4: row 4 ('黄水镇') has a height of 0, so Excel does not show it, and "
        f"holds data; give it a height, {ADVICE}\n")


# Excel's rule, section by section: positive; negative; zero; text.  One section serves
# every number; two give negatives their own; text has a section only in a fourth.
@pytest.mark.parametrize(("number_format", "hidden"), [
    (";;;", {"positive", "negative", "zero", "text"}),
    (";;", {"positive", "negative", "zero"}),
    ("0;;", {"negative", "zero"}),
    (";;0", {"positive", "negative"}),
    ("0;", {"negative"}),
    (";0", {"positive", "zero"}),
    ("0;-0;;@", {"zero"}),
    ("0;0;0;", {"text"}),
    ("[Red];[Blue];", {"positive", "negative", "zero"}),  # a colour alone shows nothing
    ('0;"-"0;"无"', set()),
    ("_-* #,##0_-;-* #,##0_-;_-* \"-\"_-;_-@_-", set()),   # accounting: zero shown as "-"
    ("0.0%", set()), ("General", set()), ("", set()),
    ("[>=100]0;;", set()),                                # conditions pick sections, not signs
    ('"a;b";0', set()),                                   # a quoted ; splits nothing
])
def test_which_values_a_format_shows_as_nothing(number_format, hidden):
    assert concealing(number_format) == hidden


@pytest.mark.parametrize(("number_format", "value", "expected"), [
    (";;;", 98.5, HiddenValue(";;;", "all")),
    (";;;", "黄水镇", HiddenValue(";;;", "all")),
    (";;", -1, HiddenValue(";;", "number")),
    (";;", "完成", None),
    ("0;;", 3, None),
    ("0;;", -3, HiddenValue("0;;", "negative")),
    ("0;;", 0, HiddenValue("0;;", "zero")),
    (";;0", 0.5, HiddenValue(";;0", "positive")),
    (";;;", True, None),                                  # TRUE/FALSE: not judged
])
def test_why_a_value_does_not_show(number_format, value, expected):
    assert hidden_value(number_format, value) == expected


#: Sections a format may have, and whether Excel shows anything of the value through it.
SECTIONS = {"": False, "[Red]": False, "_)": False, "0": True, "0.0%": True, "[Blue]#,##0_)": True, '"无"': True}


@settings(max_examples=60)
@given(st.lists(st.sampled_from(sorted(SECTIONS)), min_size=2, max_size=4))
def test_a_kind_of_value_is_hidden_exactly_when_the_section_excel_picks_for_it_is_empty(sections):
    # Excel's table: positive → 1st; negative → 2nd; zero → 3rd, else the 1st; text → 4th.
    picks = {"positive": 0, "negative": 1, "zero": 2 if len(sections) > 2 else 0, "text": 3}
    expected = {kind for kind, n in picks.items() if n < len(sections) and not SECTIONS[sections[n]]}
    assert concealing(";".join(sections)) == expected
