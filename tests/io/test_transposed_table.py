"""A table turned on its side — indicators down the first column, one column per unit, as
some offices lay out a short list of units — has no unit column: the refusal says how
the table is laid out and how to turn it in Excel, rather than only asking for a header."""

from __future__ import annotations

import openpyxl
import pytest

from conftest import DATA

RULESET = str(DATA / "township.toml")
SIDEWAYS = [["指标", "南宾街道", "西沱镇", "黄水镇"], ["食品抽检合格率（%）", "97", "96", "95"],
            ["流通领域药品抽检合格率", "98", "97", "96"], ["重点任务完成情况", "完成", "完成", "未完成"]]
HINT = ("; the indicators run down a column (食品抽检合格率（%）、流通领域药品抽检合格率 …) and the units across: the "
        "table is laid out one column per unit; qscore reads one row per unit (in Excel, copy the table and paste it "
        "with Paste Special → Transpose)")


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_a_table_on_its_side_is_refused_saying_how_to_turn_it(cli, tmp_path, suffix):
    path = tmp_path / f"sideways{suffix}"
    if suffix == ".csv":
        path.write_text("".join(",".join(row) + "\n" for row in SIDEWAYS), encoding="utf-8")
    else:
        workbook = openpyxl.Workbook()
        for row in SIDEWAYS:
            workbook.active.append(row)
        workbook.active.title = "数据"
        workbook.save(path)
    result = cli("rank", RULESET, str(path), "--year", "2025")
    assert result.exit_code == 1
    where = f"{path}, sheet '数据', row 1" if suffix == ".xlsx" else f"{path}, row 1"
    assert result.output == (f"Error: {where}: no unit column in the first 10 rows; expected one headed 乡镇（街道） / "
                             f"单位 / 单位名称 / 考核单位 / 乡镇名称 …{HINT}\n")


def test_a_table_without_a_unit_column_and_nothing_down_a_column_gets_no_such_hint(cli, tmp_path):
    path = tmp_path / "headless.csv"
    path.write_text("填报人,食品抽检合格率（%）\n张三,97\n", encoding="utf-8")
    result = cli("rank", RULESET, str(path), "--year", "2025")
    assert result.exit_code == 1
    assert "no unit column" in result.output and "Transpose" not in result.output
