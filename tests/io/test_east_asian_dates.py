"""Dates in the number formats Excel in Chinese writes by number alone.

Typed into a cell, ``3/1`` becomes 3月1日: Excel stores the day's serial number (45717
for 2025-03-01) under built-in format 58 (``m"月"d"日"``), which a Chinese-language Excel
writes without spelling it out.  Formats 27–36 and 50–58 are such dates and times in
Chinese, Japanese and Korean Excel; read as plain numbers, the date scored as 45717 家 of
高新技术企业.  A date is refused in a number cell, as in an .xls file or under format 14.

The data are shizhu-county's example for 2025 with 石柱县's 高新技术企业 (25) typed as 3/1.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from office import Formatted, book, rewrite_sheet_xml, write_xlsx

EXAMPLE = Path(__file__).parents[2] / "examples" / "shizhu" / "county-2025.csv"


@pytest.fixture(autouse=True)
def seeds(allow_plugins) -> None:
    allow_plugins("shizhu")


@pytest.mark.parametrize("number_format", [14, 27, 31, 32, 36, 50, 57, 58])
def test_a_date_under_a_chinese_built_in_format_is_refused_in_a_number_cell(cli, tmp_path, number_format):
    rows: list[list[object]] = [list(row) for row in csv.reader(EXAMPLE.read_text(encoding="utf-8-sig").splitlines())]
    at = rows[0].index("高新技术企业（家）")
    rows[1][at] = Formatted(45717, "mm-dd-yy")  # openpyxl writes built-in format 14
    path = write_xlsx(tmp_path / "county-2025.xlsx", book(rows))
    rewrite_sheet_xml(path, lambda xml: xml.replace('numFmtId="14"', f'numFmtId="{number_format}"'),
                      sheet="xl/styles.xml")
    result = cli("rank", "shizhu-county", str(path))
    assert (result.exit_code, result.stdout) == (1, "")
    assert result.stderr == (
        f"Error: {path}, sheet '数据', cell C2, column '高新技术企业（家）': expected a number (such as 98.5, 98% or "
        "1,150), got '2025-03-01T00:00:00'\n")
