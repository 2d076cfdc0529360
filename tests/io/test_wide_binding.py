"""Binding a wide file column by column reports every problem of the file at once, in the
order an examiner reads the sheet: row by row, left to right (problems of the header
first).  The binder parses a column's distinct texts in one go, yet each bad cell is named
where it is.  Each case runs the real CLI on a file.
"""

from __future__ import annotations

from conftest import DATA

HEADER = ("单位,食品抽检合格率（%）,流通领域药品抽检合格率,重点任务完成情况,获市长质量管理奖,"
          "发生重大质量安全事故\n")
NUMBER = "expected a number (such as 98.5, 98% or 1,150)"
LEVELS = "expected one of the levels 完成 / 基本完成 / 未完成"


def rank(cli, write, body: str, header: str = HEADER):  # noqa: ANN001, ANN201
    path = write("data.csv", header + body)
    return path, cli("rank", str(DATA / "township.toml"), str(path))


def test_every_bad_cell_is_reported_row_by_row(cli, write) -> None:
    path, result = rank(cli, write, "甲镇,97,99,完成,,\n"
                                    "乙镇,97,99,差,,\n"          # row 3: bad level in the 4th column
                                    "丙镇,abc,99,完成,,\n")       # row 4: bad number in the 2nd column
    assert result.exit_code == 1
    assert result.output == (f"Error: {path}: 2 problems:\n"
                             f"  row 3, column '重点任务完成情况': {LEVELS}, got '差'\n"
                             f"  row 4, column '食品抽检合格率（%）': {NUMBER}, got 'abc'\n")


def test_within_a_row_bad_cells_are_reported_left_to_right(cli, write) -> None:
    path, result = rank(cli, write, "甲镇,97,abc,差,,\n")
    assert result.exit_code == 1
    assert result.output == (f"Error: {path}: 2 problems:\n"
                             f"  row 2, column '流通领域药品抽检合格率': {NUMBER}, got 'abc'\n"
                             f"  row 2, column '重点任务完成情况': {LEVELS}, got '差'\n")


def test_a_short_row_is_reported_beside_bad_cells_of_other_rows(cli, write) -> None:
    path, result = rank(cli, write, "甲镇,120,99,完成,,\n"      # row 2: 120 % is out of range
                                    "乙镇,97,99\n"               # row 3: 3 cells of 6
                                    "丙镇,abc,99,完成,,\n")       # row 4: bad number
    assert result.exit_code == 1
    assert result.output == (f"Error: {path}: 3 problems:\n"
                             "  row 2, column '食品抽检合格率（%）': 120 is outside 0–100 for a percentage\n"
                             "  row 3, column '重点任务完成情况': the row has 3 cells, the header has 6; expected a "
                             "cell for this column (empty if there is no data)\n"
                             f"  row 4, column '食品抽检合格率（%）': {NUMBER}, got 'abc'\n")


def test_a_short_row_s_own_cells_are_not_read(cli, write) -> None:
    # Its cells may have shifted: only the shape of the row is reported.
    path, result = rank(cli, write, "甲镇,abc,99\n")
    assert result.exit_code == 1
    assert result.output == (f"Error: {path}, row 2, column '重点任务完成情况': the row has 3 cells, the header has 6; "
                             "expected a cell for this column (empty if there is no data)\n")


def test_a_row_one_cell_longer_than_the_others_is_refused_though_its_extra_cell_is_empty(cli, write) -> None:
    # 乙镇's 流通领域药品抽检合格率 typed 98,5 without quotes (a decimal comma): the row splits
    # into 98 | 5 and every cell after moves right, 5 under 获市长质量管理奖 and the
    # empty veto cell past the header.  Read, 乙镇 would have 98 and 5 bonuses.
    header = "单位,重点任务完成情况,食品抽检合格率（%）,流通领域药品抽检合格率,获市长质量管理奖,发生重大质量安全事故\n"
    path, result = rank(cli, write, "甲镇,完成,97,99,,\n"
                                    "乙镇,完成,97,98,5,,\n"
                                    "丙镇,完成,96,99,1,\n", header=header)
    assert (result.exit_code, result.output) == (
        1, f"Error: {path}, row 3: the row has 7 cells, the other rows have 6: a value in it may hold a comma that "
           "split it in two (1,449 typed without quotes), moving the cells after it one column right; write such a "
           "value in quotes (\"1,449\") or without the comma\n")


def test_empty_cells_past_the_header_on_every_row_are_padding(cli, write) -> None:
    # A program that ends each data row with a comma: every row has the empty cell.
    path, result = rank(cli, write, "甲镇,97,99,完成,,,\n乙镇,96,99,完成,1,,\n")
    assert result.exit_code == 0, result.output
    # 甲镇: 40 × (97 − 95)/(98 − 95) + 30 + 30; 乙镇: 40 × 1/3 + 30 + 30 + one bonus of 3.
    ranking = [line.split()[:3] for line in result.output.splitlines() if line[:1].isdigit()]
    assert ranking == [["1", "甲镇", "86.67"], ["2", "乙镇", "76.33"]]


def test_a_repeated_unit_is_reported_with_a_later_bad_cell(cli, write) -> None:
    path, result = rank(cli, write, "甲镇,97,99,完成,,\n"
                                    "甲镇,97,99,完成,,\n"
                                    "乙镇,abc,99,完成,,\n")
    assert result.exit_code == 1
    assert result.output == (f"Error: {path}: 2 problems:\n"
                             "  row 3, column '单位': unit '甲镇' appears twice (first at row 2)\n"
                             f"  row 4, column '食品抽检合格率（%）': {NUMBER}, got 'abc'\n")


def test_an_item_with_a_figure_is_refused_at_the_header_before_the_cells(cli, write) -> None:
    header = ("单位,食品抽检合格率,流通领域药品抽检合格率,重点任务完成情况,获市长质量管理奖@上年,"
              "发生重大质量安全事故\n")
    path, result = rank(cli, write, "甲镇,97,99,完成,1,很多\n", header=header)
    assert result.exit_code == 1
    assert result.output == (f"Error: {path}: 2 problems:\n"
                             "  row 1, column '获市长质量管理奖@上年': bonus, deduction and veto items take one count "
                             "per unit, not '@' figures\n"
                             "  row 2, column '发生重大质量安全事故': expected a count of occurrences (0, 1, 2 … or "
                             "是/否), got '很多'\n")


def test_at_most_fifty_problems_are_listed_and_the_rest_counted(cli, write) -> None:
    body = "".join(f"镇{n},abc,99,完成,,\n" for n in range(60))
    path, result = rank(cli, write, body)
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert lines[0] == f"Error: {path}: 60 problems (the first 50 shown):"
    assert lines[1:] == [f"  row {n}, column '食品抽检合格率（%）': {NUMBER}, got 'abc'" for n in range(2, 52)]


def test_equal_texts_share_one_parsed_value(cli, write) -> None:
    from qscore.reading.binding import bind
    from qscore.plugins.manager import load_plugins
    from qscore.reading.table import ReadOptions
    from qscore.reading.text import read_csv
    from qscore.rulesets import load_ruleset

    path = write("data.csv", HEADER + "甲镇,97.5,99,完成,,\n乙镇,97.5,98,完成,,\n丙镇,97.50,99,未完成,,\n")
    ruleset = load_ruleset(DATA / "township.toml", load_plugins(entry_points=False).rule_types)
    food = bind(read_csv(path, ReadOptions()), ruleset).values["food"]
    assert food[0] is food[1] and food[0] == food[2] and str(food[2]) == "97.50"
