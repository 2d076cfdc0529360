"""``compare``'s table and workbook written a piece of units at a time: the same text and
the same cells as in one piece, and nothing left behind when writing fails."""

from __future__ import annotations

import io
import tempfile
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from wcwidth import wcswidth
from hypothesis import given, settings, strategies as st

from compare_kit import TOWNSHIP, compared
from conftest import DATA
from qscore.rounds import report
from qscore.rounds.report import comparison_table, comparison_xlsx

WHOLE = 100_000  # units per piece: every comparison here in one piece


def cells(workbook: bytes) -> dict[str, list[list[tuple[object, str, str, bool]]]]:
    """Every sheet's cells: value, type, number format, and whether kept as text."""
    book = openpyxl.load_workbook(io.BytesIO(workbook))
    return {sheet.title: [[(cell.value, cell.data_type, cell.number_format, cell.quotePrefix) for cell in row]
                          for row in sheet.iter_rows()] for sheet in book.worksheets}


ROW = st.tuples(st.decimals(90, 100, places=1), st.sampled_from(["99.2", "98.5", "97", "-"]),
                st.sampled_from(["完成", "基本完成", "未完成"]), st.sampled_from(["", "1", "2"]))
# A long name widens the units' table in whichever piece it falls.
NAMES = ["甲镇", "乙镇", "丙镇", "丁镇", "黄水镇大风堡片区管理委员会", "=戊镇"]


def rows(units: dict[str, tuple[Decimal, str, str, str]]) -> str:
    return "".join(f"{name},{food},{drug},{task},{bonus},\n" for name, (food, drug, task, bonus) in units.items())


@settings(max_examples=20, deadline=None)
@given(old=st.dictionaries(st.sampled_from(NAMES), ROW, min_size=1),
       new=st.dictionaries(st.sampled_from(NAMES[1:] + ["己镇"]), ROW, min_size=1), per_chunk=st.integers(1, 3))
def test_table_in_pieces_is_the_table_in_one_piece(old, new, per_chunk):
    with tempfile.TemporaryDirectory() as folder, pytest.MonkeyPatch.context() as patch:
        comparison = compared(Path(folder), rows(old), rows(new))
        patch.setattr(report, "UNITS_PER_CHUNK", WHOLE)
        whole = comparison_table(comparison)
        patch.setattr(report, "UNITS_PER_CHUNK", per_chunk)
        pieces = list(report.comparison_table_chunks(comparison))
    assert b"".join(pieces) == whole
    lines = whole.decode("utf-8").split("\n")
    header = next(n for n, line in enumerate(lines) if line.startswith("单位"))
    # The units' table keeps its columns in every piece: each name is padded to where
    # the totals' header starts on screen (wide characters count two).
    start = wcswidth(lines[header][:lines[header].index("2024年总分")])
    for name, line in zip(comparison.units, lines[header + 2:header + 2 + len(comparison)]):
        padded = next(line[:n] for n in range(len(line) + 1) if wcswidth(line[:n]) >= start)
        assert wcswidth(padded) == start and padded.endswith("  ") and padded.rstrip() == name


@pytest.mark.parametrize("per_chunk", [1, 2])
def test_workbook_in_pieces_has_the_cells_of_one_piece(tmp_path, monkeypatch, per_chunk):
    # 黄水镇 is in 2024's batch only, 新镇 in 2025's only; =新镇 would be a formula.
    comparison = compared(tmp_path, (DATA / "townships.csv").read_text(encoding="utf-8").partition("\n")[2],
                          "南宾街道,98,99.2,完成,2,\n西沱镇,96.8,99.2,基本完成,,\n悦崃镇,98,99,完成,0,否\n"
                          "=新镇,97,98,完成,,\n")
    monkeypatch.setattr(report, "UNITS_PER_CHUNK", WHOLE)
    whole = cells(comparison_xlsx(comparison))
    monkeypatch.setattr(report, "UNITS_PER_CHUNK", per_chunk)
    assert cells(b"".join(report.comparison_xlsx_chunks(comparison))) == whole
    assert list(whole) == ["单位对比", "指标对比"]
    detail = whole["指标对比"]
    assert len(detail) == 1 + 5 * 3  # the header, then 5 units × 3 indicators
    # 西沱镇's 药品 98.5 → 99.2: 20 → 30 points against the same fixed target 99.
    drug = next(row for row in detail if row[0][0] == "西沱镇" and row[1][0] == "drug")
    assert [cell[0] for cell in drug[4:]] == [98.5, None, 20, 99.2, None, 30, 10, 10, 0]
    assert {cell[1] for cell in drug[4:]} == {"n"} and {cell[2] for cell in drug} == {"General"}
    new = [row for row in detail if row[0][0] == "=新镇"]
    assert len(new) == 3 and all(row[0][1:] == ("s", "General", True) for row in new)
    assert all(cell[0] is None for row in new for cell in row[4:7] + row[10:])


def test_workbook_splits_its_indicators_over_sheets_past_the_row_limit(tmp_path, monkeypatch):
    comparison = compared(tmp_path, (DATA / "townships.csv").read_text(encoding="utf-8").partition("\n")[2],
                          (DATA / "townships.csv").read_text(encoding="utf-8").partition("\n")[2])
    monkeypatch.setattr(report, "SHEET_ROWS", 5)
    monkeypatch.setattr(report, "UNITS_PER_CHUNK", 1)
    sheets = cells(comparison_xlsx(comparison))
    detail = [name for name in sheets if name.startswith("指标对比")]
    assert detail == ["指标对比", "指标对比（2）", "指标对比（3）"]  # 4 units × 3 indicators, 5 rows a sheet
    assert [len(sheets[name]) - 1 for name in detail] == [5, 5, 2]
    assert all(sheets[name][0] == sheets["指标对比"][0] for name in detail)  # each with the header


@pytest.mark.parametrize("suffix, units", [("json", "_unit_texts"), ("xlsx", "_detail_units"),
                                            ("txt", "_unit_sections")])
def test_a_comparison_failing_part_way_through_its_units_leaves_the_earlier_file(cli, tmp_path, monkeypatch,
                                                                                 fail_after_one_unit, suffix, units):
    # Written a piece of units at a time: a failure after the first pieces reached the
    # temporary file leaves the earlier result as it was, no temporary file, and none of
    # the workbook's rows written so far.
    data = (DATA / "townships.csv").read_text(encoding="utf-8")
    (tmp_path / "old.csv").write_text(data, encoding="utf-8")
    (tmp_path / "new.csv").write_text(data.replace("西沱镇,９６．８,98.5", "西沱镇,９６．８,99.2"), encoding="utf-8")
    output = tmp_path / f"result.{suffix}"
    output.write_bytes(b"earlier result\n")
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))
    before = sorted(path.name for path in tmp_path.iterdir())
    fail_after_one_unit(report, units)
    monkeypatch.chdir(tmp_path)
    result = cli("compare", str(TOWNSHIP), "old.csv", "new.csv", "--year-old", "2024", "--year-new", "2025",
                 "-o", output.name)
    assert result.exit_code == 1
    assert "internal error: RuntimeError: made to fail after one unit" in result.output
    assert sorted(path.name for path in tmp_path.iterdir()) == before
    assert output.read_bytes() == b"earlier result\n"
    assert list(scratch.iterdir()) == []
