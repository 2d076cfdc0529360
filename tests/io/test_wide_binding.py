"""Binding a wide file column by column reports the problem a reader meets first.

The binder parses a column's distinct texts in one go, yet an examiner reading the sheet
row by row, left to right, must be told about the first bad cell in that order, and a
malformed row only if no earlier cell is bad.  Each case runs the real CLI on a file.
"""

from __future__ import annotations

from conftest import DATA

HEADER = ("单位,食品抽检合格率（%）,流通领域药品抽检合格率,重点任务完成情况,获市长质量管理奖,"
          "发生重大质量安全事故\n")


def rank(cli, write, body: str, header: str = HEADER):  # noqa: ANN001, ANN201
    path = write("data.csv", header + body)
    return path, cli("rank", str(DATA / "township.toml"), str(path))


def test_an_earlier_row_is_reported_before_an_earlier_column(cli, write) -> None:
    path, result = rank(cli, write, "甲镇,97,99,完成,,\n"
                                    "乙镇,97,99,差,,\n"          # row 3: bad level in the 4th column
                                    "丙镇,abc,99,完成,,\n")       # row 4: bad number in the 2nd column
    assert result.exit_code == 1
    assert result.output == (f"Error: {path}, row 3, column '重点任务完成情况': "
                             "expected one of the levels 完成 / 基本完成 / 未完成, got '差'\n")


def test_within_a_row_the_leftmost_bad_cell_is_reported(cli, write) -> None:
    path, result = rank(cli, write, "甲镇,97,abc,差,,\n")
    assert result.exit_code == 1
    assert result.output == (f"Error: {path}, row 2, column '流通领域药品抽检合格率': "
                             "expected a number (such as 98.5, 98% or 1,150), got 'abc'\n")


def test_a_bad_cell_before_a_short_row_is_reported_first(cli, write) -> None:
    path, result = rank(cli, write, "甲镇,120,99,完成,,\n"      # row 2: 120 % is out of range
                                    "乙镇,97,99\n")             # row 3: 3 cells of 6
    assert result.exit_code == 1
    assert result.output == (f"Error: {path}, row 2, column '食品抽检合格率（%）': "
                             "120 is outside 0–100 for a percentage\n")


def test_a_short_row_is_reported_before_a_later_bad_cell(cli, write) -> None:
    path, result = rank(cli, write, "甲镇,97,99\n"
                                    "乙镇,abc,99,完成,,\n")
    assert result.exit_code == 1
    assert result.output == (f"Error: {path}, row 2, column '重点任务完成情况': the row has 3 cells, the header "
                             "has 6; expected a cell for this column (empty if there is no data)\n")


def test_a_repeated_unit_is_reported_before_a_later_bad_cell(cli, write) -> None:
    path, result = rank(cli, write, "甲镇,97,99,完成,,\n"
                                    "甲镇,97,99,完成,,\n"
                                    "乙镇,abc,99,完成,,\n")
    assert result.exit_code == 1
    assert result.output == f"Error: {path}, row 3, column '单位': unit '甲镇' appears twice (first at row 2)\n"


def test_an_item_with_a_figure_is_refused_at_the_header_before_cells_to_its_right(cli, write) -> None:
    header = ("单位,食品抽检合格率,流通领域药品抽检合格率,重点任务完成情况,获市长质量管理奖@上年,"
              "发生重大质量安全事故\n")
    path, result = rank(cli, write, "甲镇,97,99,完成,1,很多\n", header=header)
    assert result.exit_code == 1
    assert result.output == (f"Error: {path}, row 1, column '获市长质量管理奖@上年': "
                             "bonus, deduction and veto items take one count per unit, not '@' figures\n")


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
