"""A two-row header with an indicator over its figures — 工程质量抽查符合率 merged over
上年值 | 完成值, as an office lays out a trend indicator — reads as the columns
``工程质量抽查符合率@上年`` and ``工程质量抽查符合率``: the same ranking as the flat table,
with a notice naming how each column was read."""

from __future__ import annotations

import csv
from pathlib import Path

import openpyxl
import pytest

ROOT = Path(__file__).parents[2]
FLAT = ROOT / "examples" / "kaizhou" / "towns-2027.csv"
TRENDS = ["工程质量抽查符合率", "消费品质量合格率", "重点服务行业顾客满意度", "知名品牌数量"]


def _rows(lower: tuple[str, str] = ("上年值", "完成值")) -> list[list[str]]:
    """The kaizhou example with each trend indicator over its two figures."""
    flat = list(csv.reader(FLAT.read_text(encoding="utf-8-sig").splitlines()))
    # The flat header gives each trend as 名称@上年, 名称 (in that order), after six plain columns.
    assert flat[0][6:] == [part for name in TRENDS for part in (f"{name}@上年", name)]
    upper = [*flat[0][:6], *[part for name in TRENDS for part in (name, "")]]
    return [upper, ["", *[""] * 5, *lower * len(TRENDS)], *flat[1:]]


def _write(path: Path, rows: list[list[str]]) -> Path:
    if path.suffix == ".csv":
        with path.open("w", encoding="utf-8", newline="") as file:
            csv.writer(file).writerows(rows)
        return path
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "数据"
    for row in rows:
        sheet.append(row)
    for column in range(1, 7):  # the plain columns' names span both header rows
        sheet.merge_cells(start_row=1, start_column=column, end_row=2, end_column=column)
    for n in range(len(TRENDS)):  # each trend indicator over its two figures
        sheet.merge_cells(start_row=1, start_column=7 + 2 * n, end_row=1, end_column=8 + 2 * n)
    workbook.save(path)
    return path


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_an_indicator_over_its_figures_ranks_as_the_flat_table(cli, allow_plugins, tmp_path, suffix):
    allow_plugins("kaizhou")
    path = _write(tmp_path / f"towns{suffix}", _rows())
    flat = cli("rank", "kaizhou-towns", str(FLAT), "--year", "2027", "--format", "csv")
    laid_out = cli("rank", "kaizhou-towns", str(path), "--year", "2027", "--format", "csv")
    assert (flat.exit_code, laid_out.exit_code) == (0, 0), laid_out.output
    assert laid_out.stdout == flat.stdout
    where = f"{path}, sheet '数据', row 1" if suffix == ".xlsx" else f"{path}, row 1"
    assert laid_out.stderr.splitlines()[0] == (
        f"notice: {where}: rows 1 and 2 read as one header: the upper row names the indicator over its figures, "
        "read as 工程质量抽查符合率@上年, 工程质量抽查符合率, 消费品质量合格率@上年, 消费品质量合格率, "
        "重点服务行业顾客满意度@上年, 重点服务行业顾客满意度 …")


def test_a_figure_it_does_not_know_is_not_read_as_the_indicator(cli, allow_plugins, tmp_path):
    # 目标值 | 完成值: the plan's target is the ruleset's; the column is named as it is
    # written and refused as unknown, and 完成值 alone is the indicator's value.
    allow_plugins("kaizhou")
    path = _write(tmp_path / "towns.csv", _rows(("目标值", "完成值")))
    result = cli("rank", "kaizhou-towns", str(path), "--year", "2027")
    assert result.exit_code == 1
    unknown = ("  row 1, column '目标值': column names no indicator or item of ruleset 'kaizhou-towns' (use "
               "--ignore-unknown to skip such columns)\n")
    assert result.output == f"Error: {path}: 4 problems:\n" + unknown * 4


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_a_misspelt_indicator_over_its_figures_is_named_in_the_refusal(cli, allow_plugins, tmp_path, suffix):
    # 工程质量抽查符和率 (和 for 合) over 上年值 | 完成值: the refusal names the indicator as
    # written, with the name it comes close to, not two columns '上年值' and '完成值' of
    # the four pairs under the header.
    allow_plugins("kaizhou")
    rows = _rows()
    rows[0][6] = "工程质量抽查符和率"
    path = _write(tmp_path / f"towns{suffix}", rows)
    result = cli("rank", "kaizhou-towns", str(path), "--year", "2027")
    where = [f"sheet '数据', cell {cell}, " if suffix == ".xlsx" else "row 1, " for cell in ("G1", "H1")]
    unknown = ("column names no indicator or item of ruleset 'kaizhou-towns'; did you mean 工程质量抽查符合率? (use "
               "--ignore-unknown to skip such columns)")
    assert (result.exit_code, result.output) == (1, (
        f"Error: {path}: 2 problems:\n"
        f"  {where[0]}column '工程质量抽查符和率@上年': {unknown}\n"
        f"  {where[1]}column '工程质量抽查符和率': {unknown}\n"))
    # A near miss: --ignore-unknown does not skip the figures of the indicator it means.
    ignoring = cli("rank", "kaizhou-towns", str(path), "--year", "2027", "--ignore-unknown")
    assert ignoring.exit_code == 1 and ignoring.stdout == ""
    assert ignoring.output.count("comes close to 工程质量抽查符合率, so --ignore-unknown does not skip it") == 2


def test_an_indicator_over_its_figures_in_another_unit_is_refused_as_another_scale(cli, allow_plugins, tmp_path):
    allow_plugins("kaizhou")
    rows = _rows()
    rows[0][6] = "工程质量抽查符合率（‰）"
    path = _write(tmp_path / "towns.csv", rows)
    result = cli("rank", "kaizhou-towns", str(path), "--year", "2027")
    assert result.exit_code == 1
    assert result.output.count("which is measured in %, but the bracket says '‰'") == 2
    assert "上年值" not in result.output and "完成值" not in result.output
