"""A percent column written as fractions where the ruleset gives no target to measure it
by: a trend target (不断提高, against the unit's ``@上年``) or a reference (省下达, 全省平均).
The indicator's other columns in the same file then show the scale: ``0.918`` under
``工程质量抽查符合率@上年`` beside ``93`` under ``工程质量抽查符合率`` is 91.8%, and read as
0.918 it would make every town "better than last year".

The seed is kaizhou-towns (工程质量抽查符合率: trend, pass/fail, 11 points) with its example
data for 2027; the fractions are the example's own figures divided by 100, so that
``--percent-fractions`` must give back exactly the example's ranking.  The example has
two units without a value, each scored 0 with a notice (:func:`missing`).
"""

from __future__ import annotations

import csv
from decimal import Decimal
from pathlib import Path

import pytest

from office import book, write

EXAMPLE = Path(__file__).parents[2] / "examples" / "kaizhou" / "towns-2027.csv"
VALUE, PREVIOUS = "工程质量抽查符合率", "工程质量抽查符合率@上年"


def rows_with_fractions(column: str) -> list[list[object]]:
    """The example's rows, ``column`` divided by 100 and written as a plain number."""
    rows: list[list[object]] = [list(row) for row in csv.reader(EXAMPLE.read_text(encoding="utf-8-sig").splitlines())]
    at = rows[0].index(column)
    for row in rows[1:]:
        row[at] = float(Decimal(str(row[at])) / 100)
    return rows


def missing(path: Path, sheet: str | None = None) -> str:
    """The notices for the example's units without a value: 五通乡's 食品抽检合格率 is "—",
    紫水乡's 制造业产品质量合格率 is empty."""
    where = f"{path}, sheet '{sheet}'" if sheet is not None else f"{path}"
    return (f"notice: {where}, column '食品抽检合格率': 1 unit(s) have no value for 食品抽检合格率 (五通乡): scored 0 "
            "under the missing-value policy 'zero'\n"
            f"notice: {where}, column '制造业产品质量合格率': 1 unit(s) have no value for 制造业产品质量合格率 (紫水乡): "
            "scored 0 under the missing-value policy 'zero'\n")


@pytest.fixture(autouse=True)
def seeds(allow_plugins) -> None:
    allow_plugins("kaizhou", "lixian")


@pytest.fixture
def example_ranking(cli) -> bytes:
    result = cli("rank", "kaizhou-towns", str(EXAMPLE), "--year", "2027", "--format", "csv")
    assert (result.exit_code, result.stderr) == (0, missing(EXAMPLE)), result.output
    return result.stdout_bytes


@pytest.mark.parametrize("suffix", [".xlsx", ".xls", ".csv"])
def test_last_years_figures_as_fractions_beside_percentages_are_refused_or_multiplied(cli, tmp_path, suffix,
                                                                                       example_ranking):
    path = write(tmp_path / f"towns{suffix}", book(rows_with_fractions(PREVIOUS)))
    where = f"{path}, row 1" if suffix == ".csv" else f"{path}, sheet '数据', cell G1"
    # Read as written, 0.918 < 93 would pass every town's 不断提高; the largest figure of
    # this year's column is 95.7 (two towns), the largest fraction 0.952 (95.2%).
    result = cli("rank", "kaizhou-towns", str(path), "--year", "2027", "--format", "csv")
    assert (result.exit_code, result.output) == (1, (
        f"Error: {where}, column '{PREVIOUS}': every figure lies between 0 and 1.5 while the figures of {VALUE} "
        "reach 95.7: they look like fractions (0.952 for 95.2%); write them as percentages (or format the cells as "
        "%), or give --percent-fractions to multiply them by 100\n"))
    result = cli("rank", "kaizhou-towns", str(path), "--year", "2027", "--format", "csv", "--percent-fractions")
    assert result.exit_code == 0, result.output
    assert result.stdout_bytes == example_ranking
    assert result.stderr == (
        f"notice: {where}, column '{PREVIOUS}': every figure lay between 0 and 1.5 while the figures of {VALUE} "
        "reach 95.7: multiplied by 100 as --percent-fractions says (0.952 → 95.2)\n"
        + missing(path, None if suffix == ".csv" else "数据"))


def test_this_years_figures_as_fractions_beside_last_years_are_refused(cli, tmp_path):
    path = write(tmp_path / "towns.xlsx", book(rows_with_fractions(VALUE)))
    result = cli("rank", "kaizhou-towns", str(path), "--year", "2027", "--format", "csv")
    assert (result.exit_code, result.output) == (1, (
        f"Error: {path}, sheet '数据', cell H1, column '{VALUE}': every figure lies between 0 and 1.5 while the "
        f"figures of {PREVIOUS} reach 95.2: they look like fractions (0.957 for 95.7%); write them as percentages (or "
        "format the cells as %), or give --percent-fractions to multiply them by 100\n"))


def test_a_reference_figure_written_as_a_fraction_is_refused(cli, tmp_path):
    # lixian-departments: 地表水水质优良比例 must reach what the province assigns (@省下达);
    # 92.5 written 0.925 would let 93.8 pass against 0.925.
    example = Path(__file__).parents[2] / "examples" / "lixian" / "departments-2027.csv"
    rows = list(csv.reader(example.read_text(encoding="utf-8-sig").splitlines()))
    at = rows[0].index("地表水水质优良比例@省下达")
    rows = [[cell if n != at or not cell or number == 0 else "0.925" for n, cell in enumerate(row)]
            for number, row in enumerate(rows)]
    path = tmp_path / "departments.csv"
    path.write_text("\n".join(",".join(row) for row in rows) + "\n", encoding="utf-8")
    result = cli("rank", "lixian-departments", str(path), "--year", "2027")
    assert (result.exit_code, result.output) == (1, (
        f"Error: {path}, row 1, column '地表水水质优良比例@省下达': every figure lies between 0 and 1.5 while the "
        "figures of 地表水水质优良比例 reach 93.8: they look like fractions (0.925 for 92.5%); write them as "
        "percentages (or format the cells as %), or give --percent-fractions to multiply them by 100\n"))


def test_percentages_on_both_sides_are_read_as_written(cli, tmp_path, example_ranking):
    path = write(tmp_path / "towns.xlsx", book([list(row) for row in csv.reader(EXAMPLE.read_text(encoding="utf-8-sig").splitlines())]))
    result = cli("rank", "kaizhou-towns", str(path), "--year", "2027", "--format", "csv")
    assert (result.exit_code, result.stderr, result.stdout_bytes) == (0, missing(path, "数据"), example_ranking)
