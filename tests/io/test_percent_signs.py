"""A % sign is dropped only where the figure is a percentage: on a figure of an indicator
measured in something else (亿元, 家) it says the figure is not in that unit, and on a
bonus, deduction or veto count it is no count at all (a percent-formatted 1 shows 100%,
which read without its sign was 100 occurrences).  An indicator that states no unit (a
satisfaction score) still reads ``83.5%`` as 83.5.

The data are the shizhu seeds' examples for 2025 with one cell changed.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from office import Formatted, book, write

EXAMPLES = Path(__file__).parents[2] / "examples" / "shizhu"


@pytest.fixture(autouse=True)
def seeds(allow_plugins) -> None:
    allow_plugins("shizhu")


def example(name: str) -> list[list[str]]:
    return [list(row) for row in csv.reader((EXAMPLES / name).read_text(encoding="utf-8-sig").splitlines())]


def changed(tmp_path: Path, name: str, row: int, column: str, cell: object, suffix: str = ".csv") -> Path:
    """The example ``name`` with the cell of ``column`` in sheet row ``row`` replaced."""
    rows: list[list[object]] = list(example(name))
    rows[row - 1][rows[0].index(column)] = cell
    return write(tmp_path / (Path(name).stem + suffix), book(rows))


def test_a_percentage_for_an_indicator_in_yuan_is_refused(cli, tmp_path):
    # 石柱县's 市级质量品牌价值 is 31.2 (亿元); written 31.2% it is not a value in 亿元.
    path = changed(tmp_path, "county-2025.csv", 2, "市级质量品牌价值", "31.2%")
    result = cli("rank", "shizhu-county", str(path))
    assert (result.exit_code, result.stderr) == (1, (
        f"Error: {path}, row 2, column '市级质量品牌价值': 31.2% is written with a percent sign, but 市级质量品牌价值 is measured in 亿元; "
        "write the figure in 亿元, without the sign\n"))


def test_a_percent_formatted_count_is_refused(cli, tmp_path):
    # 高新技术企业 (家) is 25; in a cell formatted 0%, 0.25 shows (and reads) as 25%.
    path = changed(tmp_path, "county-2025.csv", 2, "高新技术企业（家）", Formatted(0.25, "0%"), suffix=".xlsx")
    result = cli("rank", "shizhu-county", str(path))
    assert (result.exit_code, result.stderr) == (1, (
        f"Error: {path}, sheet '数据', cell C2, column '高新技术企业（家）': 25% is written with a percent sign, but 高新技术企业 is "
        "measured in 家; write the figure in 家, without the sign\n"))


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_a_percentage_in_an_item_column_is_no_count(cli, tmp_path, suffix):
    # 西沱镇 (row 5) has 1 新获地理标志或重庆老字号; 100% would have been 100 of them.
    cell = "100%" if suffix == ".csv" else Formatted(1, "0%")
    path = changed(tmp_path, "townships-2025.csv", 5, "新获地理标志或重庆老字号", cell, suffix=suffix)
    where = f"{path}, row 5" if suffix == ".csv" else f"{path}, sheet '数据', cell H5"
    result = cli("rank", "shizhu-township", str(path))
    assert (result.exit_code, result.stderr) == (1, (
        f"Error: {where}, column '新获地理标志或重庆老字号': expected a count of occurrences (0, 1, 2 … or 是/否), got "
        "'100%'\n"))


def test_a_percentage_for_an_indicator_without_a_unit_reads_as_the_number(cli, tmp_path):
    # 公共服务质量满意度 states no unit; 南宾街道's 83.5 written 83.5% scores the same.
    path = changed(tmp_path, "townships-2025.csv", 2, "公共服务质量满意度", "83.5%")
    ours = cli("rank", "shizhu-township", str(path), "--format", "csv")
    theirs = cli("rank", "shizhu-township", str(EXAMPLES / "townships-2025.csv"), "--format", "csv")
    assert (ours.exit_code, theirs.exit_code) == (0, 0), ours.output
    assert ours.stdout_bytes == theirs.stdout_bytes
