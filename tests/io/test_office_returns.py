"""Forms as units send them back, saved by other programs: what Excel writes for a
formula whose result is empty text, a stray cell beside the table, text files with a
DOS end-of-file mark or a byte-order mark before GBK, workbooks saved as Strict Open XML.

Each file is read as the examiner reads it: the same ranking as the clean table, or a
refusal naming the cell, never a second message that is not so.
"""

from __future__ import annotations

import codecs
import csv
import io
import zipfile
from pathlib import Path

import pytest

from conftest import DATA, townships_missing
from office import book, rewrite_sheet_xml, row_xml, write, write_csv

RULESET = str(DATA / "township.toml")
HEADER = ["单位", "食品抽检合格率（%）", "流通领域药品抽检合格率", "重点任务完成情况", "获市长质量管理奖", "发生重大质量安全事故"]
UNITS = [["南宾街道", "97.5%", 99.2, "完成", 2, None],
         ["西沱镇", 96.8, 98.5, "基本完成", None, None],
         ["黄水镇", "-", 97, "未完成", None, "是"],
         ["悦崃镇", 98, 99, "完成", 0, "否"]]


def rank(cli, path: Path, *options: str):
    return cli("rank", RULESET, str(path), "--year", "2025", "--format", "csv", *options)


@pytest.fixture(scope="module")
def clean() -> bytes:
    """The clean table's ranking (``test_office_layouts`` checks it against the hand-worked one)."""
    from click.testing import CliRunner

    from qscore.cli import main

    result = CliRunner().invoke(main, ["rank", RULESET, str(DATA / "townships.csv"), "--year", "2025",
                                       "--format", "csv"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.stdout_bytes


# -- a formula whose saved result is empty text --------------------------------------------

def test_a_formula_whose_saved_result_is_empty_text_is_an_empty_cell(cli, clean, tmp_path):
    # =IF(D3="完成",1,"") for 西沱镇 (基本完成): Excel saves the empty text as t="str" and
    # an empty <v/>; the cell is saved, and empty (no award), not a formula never computed.
    path = write(tmp_path / "returned.xlsx", book([HEADER, *UNITS]))

    def add_formula(text: str) -> str:
        row = row_xml(text, 3)
        cell = '<c r="E3" t="str"><f>IF(D3="完成",1,"")</f><v/></c>'
        return text.replace(row, row.replace("</row>", cell + "</row>"))

    rewrite_sheet_xml(path, add_formula)
    result = rank(cli, path)
    assert result.exit_code == 0, result.output
    assert result.stdout_bytes == clean


def test_a_formula_with_no_saved_result_is_still_refused_beside_one_with_empty_text(cli, tmp_path):
    path = write(tmp_path / "returned.xlsx", book([HEADER, *UNITS]))

    def add_formulas(text: str) -> str:
        row = row_xml(text, 3)
        cells = '<c r="E3"><f>IF(D3="完成",1,0)</f></c><c r="F3" t="str"><f>""</f><v></v></c>'
        return text.replace(row, row.replace("</row>", cells + "</row>"))

    rewrite_sheet_xml(path, add_formulas)
    result = rank(cli, path)
    assert (result.exit_code, result.output) == (
        1, f"Error: {path}, sheet '数据', cell E3: the cell holds =IF(D3=\"完成\",1,0) with no saved result; "
           "open and save the file in Excel, or paste values\n")


# -- a stray cell beside the table -------------------------------------------------------

def roster(tmp_path: Path) -> Path:
    path = tmp_path / "名单.txt"
    path.write_text("".join(f"{unit[0]}\n" for unit in UNITS), encoding="utf-8")
    return path


def test_a_note_far_right_of_the_table_is_named_by_its_cell_and_only_once(cli, tmp_path):
    # A unit typed a note in column AD, far right of the form: its row is refused, naming
    # the cell, and the unit is not also said to be missing from the data.
    rows = [HEADER, *[list(unit) for unit in UNITS]]
    rows[2] += [None] * 23 + ["数据待核实"]
    path = write(tmp_path / "returned.xlsx", book(rows))
    result = rank(cli, path, "--units", str(roster(tmp_path)))
    assert (result.exit_code, result.output) == (
        1, f"Error: {path}, sheet '数据', cell AD3: the cell '数据待核实' is in column 30, which has no header; "
           "name the column or clear it\n")


def test_a_ragged_csv_row_is_refused_once(cli, tmp_path):
    rows = [HEADER, *[list(unit) for unit in UNITS]]
    rows[3] += ["多余"]
    path = write_csv(tmp_path / "returned.csv", rows)
    result = rank(cli, path, "--units", str(roster(tmp_path)))
    assert (result.exit_code, result.output) == (
        1, f"Error: {path}, row 4: the row has 7 cells, the header has 6; expected no cells after column 6\n")


# -- text files from other programs -------------------------------------------------------

def csv_bytes(rows: list[list], encoding: str) -> bytes:
    buffer = io.StringIO(newline="")
    csv.writer(buffer, lineterminator="\r\n").writerows([["" if c is None else str(c) for c in row] for row in rows])
    return buffer.getvalue().encode(encoding)


def test_a_csv_ending_in_ctrl_z_reads_as_without_it(cli, clean, tmp_path):
    # The end-of-file mark MS-DOS programs (and some county systems' exports) close a text file with.
    path = tmp_path / "returned.csv"
    path.write_bytes(csv_bytes([HEADER, *UNITS], "gb18030") + b"\x1a")
    result = rank(cli, path)
    assert result.exit_code == 0, result.output
    assert result.stdout_bytes == clean


def test_a_ctrl_z_inside_the_text_is_still_refused(cli, tmp_path):
    path = tmp_path / "returned.csv"
    path.write_bytes(csv_bytes([HEADER, *UNITS], "utf-8").replace(b"\r\n", b"\x1a\r\n", 2))
    result = rank(cli, path)
    assert (result.exit_code, result.output) == (
        1, f"Error: {path}, row 1: this is not a text file (it holds the control character '\\x1a'); "
           "expected CSV text\n")


@pytest.mark.parametrize("forced", [(), ("--encoding", "gbk"), ("--encoding", "GB18030")])
def test_gbk_text_behind_a_utf8_byte_order_mark_reads_as_gbk(cli, clean, tmp_path, forced):
    path = tmp_path / "returned.csv"
    path.write_bytes(codecs.BOM_UTF8 + csv_bytes([HEADER, *UNITS], "gbk"))
    result = rank(cli, path, *forced)
    assert result.exit_code == 0, result.output
    assert result.stdout_bytes == clean


def test_text_neither_utf8_nor_gb18030_is_refused_at_its_row(cli, tmp_path):
    path = tmp_path / "returned.csv"
    path.write_bytes(codecs.BOM_UTF8 + csv_bytes([HEADER, *UNITS], "utf-8").replace("西沱镇".encode(), b"\x80\xff"))
    result = rank(cli, path)
    assert (result.exit_code, result.output) == (
        1, f"Error: {path}, row 3: cannot decode the file as utf-8-sig or gb18030; save it as UTF-8 CSV or give "
           "--encoding\n")


# -- a workbook saved as Strict Open XML --------------------------------------------------

STRICT = {b"http://schemas.openxmlformats.org/spreadsheetml/2006/main": b"http://purl.oclc.org/ooxml/spreadsheetml/main",
          b"http://schemas.openxmlformats.org/officeDocument/2006/relationships":
          b"http://purl.oclc.org/ooxml/officeDocument/relationships"}


@pytest.mark.parametrize("namespaces", [STRICT, dict(list(STRICT.items())[:1])], ids=["strict", "cells-only"])
def test_a_strict_open_xml_workbook_is_refused_saying_what_it_is(cli, tmp_path, namespaces):
    # Excel's 另存为 "Strict Open XML 电子表格" writes the same parts in other namespaces,
    # which openpyxl reads as a workbook without sheets (or, when the relationships are
    # in the usual namespace, with sheets it finds no cell in: "the sheet is empty").
    path = write(tmp_path / "returned.xlsx", book([HEADER, *UNITS]))
    with zipfile.ZipFile(path) as archive:
        parts = {name: archive.read(name) for name in archive.namelist()}
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in parts.items():
            for usual, strict in namespaces.items():
                data = data.replace(usual, strict)
            archive.writestr(name, data)
    result = rank(cli, path)
    assert (result.exit_code, result.output) == (
        1, f"Error: {path}: the workbook is saved as Strict Open XML, which qscore cannot read; open it in Excel "
           "and save it as Excel Workbook (*.xlsx)\n")


# -- a remarks column merged down the table ------------------------------------------------

@pytest.mark.parametrize("suffix", [".xlsx", ".xls"])
def test_a_remarks_column_merged_down_the_table_is_skipped_as_remarks(cli, clean, tmp_path, suffix):
    # 备注 merged from the first unit to the last, one remark for all: the column is not
    # scored, so its merged cells are not refused.
    rows = [[*HEADER, "备注"], *[[*unit, None] for unit in UNITS]]
    rows[1][6] = "以上数据均经核实"
    path = write(tmp_path / f"returned{suffix}", book(rows, merged=[(2, 6, 5, 6)]))
    result = rank(cli, path)
    assert result.exit_code == 0, result.output
    assert result.stdout_bytes == clean
    assert result.stderr == (f"notice: {path}, sheet '数据', cell G1, column '备注': skipped: remarks (1 filled), "
                             "not scored\n" + townships_missing(path, "食品抽检合格率（%）", "数据"))


def test_a_range_merged_across_remarks_and_a_scored_column_is_still_refused(cli, tmp_path):
    rows = [[*HEADER, "备注"], *[[*unit, None] for unit in UNITS]]
    path = write(tmp_path / "returned.xlsx", book(rows, merged=[(3, 5, 3, 6)]))
    result = rank(cli, path)
    assert (result.exit_code, result.output) == (
        1, f"Error: {path}, sheet '数据', cells F3:G3, column '发生重大质量安全事故': cells F3:G3 are merged: only the "
           "first holds the value ('') and the others would read as empty; unmerge them and fill each cell, or give "
           "--fill-merged\n")
