"""The rows of the workbook's tables, written as sheet XML a row at a time
(:mod:`qscore.writing.sheetrows`): every text reads back as written, numbers as the
rest of the workbook writes them, and what a cell cannot hold is refused."""

from __future__ import annotations

import io
import re
import zipfile
import zlib
from collections.abc import Collection
from decimal import Decimal
from pathlib import Path
from typing import Any

import openpyxl
import pytest
import xlsxwriter
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from qscore.errors import QscoreError
from qscore.writing.sheetrows import ROWS_LEVEL, RowWriter, Run, Runs, SheetRows, column_name, escaped, pack

HEADER = ["单位", "完成值", "得分", "说明"]


def workbook(folder: Path, rows: list[list[Any]], *, general: Collection[int] = (1,)) -> Path:
    """A workbook of one sheet 表: ``HEADER`` written by XlsxWriter in row 1, ``rows``
    by the row writer under it, packed as the results workbook is."""
    package = folder / "package.xlsx"
    book = xlsxwriter.Workbook(str(package), {"constant_memory": True})
    sheet = book.add_worksheet("表")
    for column, name in enumerate(HEADER):
        sheet.write_string(0, column, name)
    points, quoted = book.add_format({"num_format": "0.00"}), book.add_format({"quote_prefix": True})
    path = folder / "rows.xml"
    try:
        with path.open("wb") as out:
            writer = RowWriter(out, "表", len(HEADER), general, points._get_xf_index(), quoted._get_xf_index())
            for number, row in enumerate(rows, 1):
                writer.write(number, row)
    finally:
        book.close()
    result = folder / "out.xlsx"
    with package.open("rb") as source, result.open("wb") as out:
        pack(source, {"表": SheetRows(path, f"A1:D{len(rows) + 1}")}, out)
    return result


def read_back(text: str) -> str:
    """A cell's text as Excel reads it: openpyxl gives the text as stored, where
    _xHHHH_ is the character HHHH (ECMA-376 ST_Xstring)."""
    return re.sub("_x([0-9A-Fa-f]{4})_", lambda match: chr(int(match.group(1), 16)), text)


# Texts made of the hard parts: XML's reserved characters, every character XML 1.0 forbids,
# the escape form itself, spaces at the ends, formula starts and any other character.
PIECES = st.sampled_from(["&", "<", ">", "&amp;", "]]>", "\"", "'", " ", "\t", "\n", "\r", "\r\n", "\u3000", "_",
                          "_x0041_", "_x005F_", "_x005f_x0041_", "_xABCD_", "_X0041_", "x0041_", "<r>", "</r>", "=", "+", "-", "@",
                          "\ufffe", "\uffff", "\x00", "\x0b", "\x1f", "\x7f", "镇", "😀"])
TEXTS = st.lists(st.one_of(PIECES, st.characters(exclude_categories=("Cs",)),
                           st.text(st.characters(exclude_categories=("Cs",)), max_size=5)),
                 min_size=1, max_size=12).map("".join).filter(bool)  # "" makes no cell


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(texts=st.lists(TEXTS, min_size=1, max_size=8))
def test_any_text_reads_back_as_written(tmp_path, texts):
    path = workbook(tmp_path, [["甲镇", None, None, text] for text in texts])
    sheet = openpyxl.load_workbook(path)["表"]
    for number, text in enumerate(texts, 2):
        cell = sheet.cell(number, 4)
        assert (cell.data_type, read_back(cell.value)) == ("s", text)
        # Kept as text, never run, behind Excel's leading apostrophe when it starts like a formula.
        assert cell.quotePrefix == text.startswith(("=", "+", "-", "@", "\t", "\r"))


def test_the_escapes_excel_reads():
    assert escaped("甲 & 乙 <丙> \"丁\"") == "甲 &amp; 乙 &lt;丙&gt; \"丁\""
    assert escaped("a\x00b\x1fc\rd\ne\tf\ufffe") == "a_x0000_b_x001F_c_x000D_d\ne\tf_xFFFE_"
    # A text that looks like an escape keeps its underscore: _x005F_ is "_".
    assert escaped("_x0041_") == "_x005F_x0041_" and escaped("_x00") == "_x00" and escaped("_X0041_") == "_X0041_"
    # Each underscore that starts the form, where two forms share one.
    assert escaped("_x0041_x0042_") == "_x005F_x0041_x005F_x0042_"
    assert read_back(escaped("_x0041_x0042_")) == "_x0041_x0042_"


def test_spaces_at_either_end_are_kept_in_the_xml(tmp_path):
    path = workbook(tmp_path, [[" 甲镇", None, None, "说明 "], ["乙镇", None, None, "中 间"]])
    xml = zipfile.ZipFile(path).read("xl/worksheets/sheet1.xml").decode("utf-8")
    assert '<c r="A2" t="inlineStr"><is><t xml:space="preserve"> 甲镇</t></is></c>' in xml
    assert '<c r="D2" t="inlineStr"><is><t xml:space="preserve">说明 </t></is></c>' in xml
    assert '<c r="D3" t="inlineStr"><is><t>中 间</t></is></c>' in xml
    sheet = openpyxl.load_workbook(path)["表"]
    assert (sheet["A2"].value, sheet["D2"].value) == (" 甲镇", "说明 ")


def test_numbers_as_the_workbook_writes_them(tmp_path):
    # Column 2 (完成值) is in Excel's general format, column 3 (得分) shows points to 2 places.
    rows = [["甲镇", Decimal("98.50"), Decimal("4.5"), 3], ["乙镇", Decimal("-0"), Decimal("-0.00"), None],
            ["丙镇", Decimal("0.1"), Decimal("12345678901234.5"), Decimal("1E+3")]]
    path = workbook(tmp_path, rows)
    sheet = openpyxl.load_workbook(path)["表"]
    values = [[cell.value for cell in row] for row in sheet.iter_rows(min_row=2)]
    assert values == [["甲镇", 98.5, 4.5, 3], ["乙镇", 0, 0, None], ["丙镇", 0.1, 12345678901234.5, 1000]]
    assert [[cell.number_format for cell in row] for row in sheet.iter_rows(min_row=2)] == [
        ["General", "General", "0.00", "General"], ["General", "General", "0.00", "General"],
        ["General", "General", "0.00", "0.00"]]
    xml = zipfile.ZipFile(path).read("xl/worksheets/sheet1.xml").decode("utf-8")
    # No sign on zero; an int is a number in the general format, as is a decimal in a general column.
    assert '<c r="B3"><v>0</v></c>' in xml and "-0" not in xml and '<c r="D2"><v>3</v></c>' in xml


def test_none_and_empty_texts_make_no_cell(tmp_path):
    path = workbook(tmp_path, [["甲镇", None, "", "说明"], ["", None, None, None], ["乙镇"]])
    xml = zipfile.ZipFile(path).read("xl/worksheets/sheet1.xml").decode("utf-8")
    rows = re.findall(r'<row r="(\d+)">(.*?)</row>', xml)
    assert [(number, re.findall(r'<c r="([A-Z]+\d+)"', cells)) for number, cells in rows] == [
        ("1", ["A1", "B1", "C1", "D1"]), ("2", ["A2", "D2"]), ("3", []), ("4", ["A4"])]
    assert '<dimension ref="A1:D4"/>' in xml


def test_a_text_longer_than_a_cell_is_refused_naming_its_cell(tmp_path):
    with pytest.raises(QscoreError) as refused:
        workbook(tmp_path, [["甲镇", None, None, "说明"], ["乙镇", None, None, "镇" * 32_768]])
    assert str(refused.value) == ("the text in sheet 表, row 3, column 4 is longer than the 32,767 characters an XLSX "
                                  "cell holds; write CSV or JSON instead")
    # Excel counts UTF-16 units: 16,384 characters beyond the BMP are 32,768 of them.
    with pytest.raises(QscoreError, match="row 2, column 1 is longer than the 32,767"):
        workbook(tmp_path, [["😀" * 16_384]])
    # As long as a cell holds is written whole.
    path = workbook(tmp_path, [["镇" * 32_767, None, None, "😀" * 16_383 + "镇"]])
    sheet = openpyxl.load_workbook(path)["表"]
    assert (sheet["A2"].value, sheet["D2"].value) == ("镇" * 32_767, "😀" * 16_383 + "镇")


def test_a_row_past_the_last_of_a_sheet_is_refused(tmp_path):
    with (tmp_path / "rows.xml").open("wb") as out:
        writer = RowWriter(out, "表", 1, set(), 1, 2)
        writer.write(1_048_575, ["最后一行"])  # row 1,048,576, Excel's last
        with pytest.raises(QscoreError) as refused:
            writer.write(1_048_576, ["甲镇"])
    assert str(refused.value) == ("sheet 表, row 1048577, column 1 is outside what an XLSX sheet holds; write CSV "
                                  "or JSON instead")


def test_column_names():
    assert [column_name(n) for n in (0, 1, 25, 26, 27, 51, 52, 701, 702, 16_383)] == [
        "A", "B", "Z", "AA", "AB", "AZ", "BA", "ZZ", "AAA", "XFD"]


def test_packing_keeps_each_parts_place_and_deflates_the_rows_at_their_level(tmp_path):
    rows = [[f"镇{number}", Decimal(number), Decimal("1.5"), "说明" * number] for number in range(300)]
    path = workbook(tmp_path, rows)
    package, packed = zipfile.ZipFile(tmp_path / "package.xlsx"), zipfile.ZipFile(path)
    assert [part.filename for part in packed.infolist()] == [part.filename for part in package.infolist()]
    # Every part is dated 1980-01-01, the first date a zip holds; the parts copied keep
    # XlsxWriter's mode (its files' 600) and the sheet given rows is deflated at ROWS_LEVEL.
    sheet = "xl/worksheets/sheet1.xml"
    assert {(part.filename, part.date_time, part.external_attr >> 16, part.compress_type)
            for part in packed.infolist()} == {
        *((part.filename, (1980, 1, 1, 0, 0, 0), 0o100600, zipfile.ZIP_DEFLATED)
          for part in package.infolist() if part.filename != sheet),
        (sheet, (1980, 1, 1, 0, 0, 0), 0o600, zipfile.ZIP_DEFLATED)}
    deflate = zlib.compressobj(ROWS_LEVEL, zlib.DEFLATED, -15)  # a zip part's raw deflate stream
    assert packed.getinfo(sheet).compress_size == len(deflate.compress(packed.read(sheet)) + deflate.flush())
    # Nothing but the rows is left on disk.
    assert sorted(file.name for file in tmp_path.iterdir()) == ["out.xlsx", "package.xlsx", "rows.xml"]
    # Packed again, the same bytes.
    again = tmp_path / "again.xlsx"
    with (tmp_path / "package.xlsx").open("rb") as source, again.open("wb") as out:
        pack(source, {"表": SheetRows(tmp_path / "rows.xml", f"A1:D{len(rows) + 1}")}, out)
    assert again.read_bytes() == path.read_bytes()
    assert openpyxl.load_workbook(path)["表"]["D301"].value == "说明" * 299


def rows_xml(rows: list[Any], *, sheet: str = "表", columns: int = 8, general: Collection[int] = (2,)) -> str:
    """``rows`` as a row writer writes them from the sheet's second row (points in style 1, quoted texts in 2)."""
    out = io.BytesIO()
    writer = RowWriter(out, sheet, columns, general, 1, 2)
    for number, row in enumerate(rows, 1):
        writer.write(number, row)
    return out.getvalue().decode("utf-8")


def test_runs_of_cells_shared_by_rows_are_written_as_their_cells_are():
    # Two units' rows, each a run of its own (rank, name), the indicator's, and a case's
    # results shared by both: -0, a text that starts like a formula, no cell, an empty
    # text, a space at the end, XML's reserved characters.
    shared = Run(Decimal("-0"), Decimal("98.50"), "=1+1", None, "")
    label = Run("说明 <甲&乙> ")
    first, second = Run(1, "甲镇"), Run(2, "乙镇")
    rows = [Runs(first, shared, label), Runs(second, shared, label), Runs(second, Run(None, "另一种", 3, 4, "x"), label)]
    xml = rows_xml(rows)
    assert xml == rows_xml([tuple(row) for row in rows])
    assert xml.startswith(
        '<row r="2"><c r="A2"><v>1</v></c><c r="B2" t="inlineStr"><is><t>甲镇</t></is></c>'
        '<c r="C2"><v>0</v></c><c r="D2" s="1"><v>98.5</v></c>'
        '<c r="E2" s="2" t="inlineStr"><is><t>=1+1</t></is></c>'
        '<c r="H2" t="inlineStr"><is><t xml:space="preserve">说明 &lt;甲&amp;乙&gt; </t></is></c></row>'
        '<row r="3"><c r="A3"><v>2</v></c><c r="B3" t="inlineStr"><is><t>乙镇</t></is></c><c r="C3"><v>0</v></c>')
    assert "\x00" not in xml and "-0" not in xml
    # Read as a sequence, a row of runs is its cells.
    assert tuple(rows[0]) == (1, "甲镇", Decimal("-0"), Decimal("98.50"), "=1+1", None, "", "说明 <甲&乙> ")
    assert (len(rows[0]), rows[0][1], rows[0][-1], rows[0][2:4]) == (8, "甲镇", "说明 <甲&乙> ",
                                                                      (Decimal("-0"), Decimal("98.50")))


def test_a_run_met_at_another_column_or_by_another_writer_is_laid_out_again():
    shared = Run("说明", Decimal("1.5"))
    rows = [Runs(Run("甲镇"), shared), Runs(Run("乙镇", 2), shared)]
    xml = rows_xml(rows)
    assert xml == rows_xml([tuple(row) for row in rows])
    assert '<c r="B2" t="inlineStr"><is><t>说明</t></is></c><c r="C2"><v>1.5</v></c>' in xml
    assert '<c r="C3" t="inlineStr"><is><t>说明</t></is></c><c r="D3" s="1"><v>1.5</v></c>' in xml
    # A writer of other styles (the next sheet's) lays the run out in its own.
    out = io.BytesIO()
    RowWriter(out, "表(2)", 4, (), 5, 6).write(1, Runs(Run("丙镇"), shared))
    assert out.getvalue().decode("utf-8") == ('<row r="2"><c r="A2" t="inlineStr"><is><t>丙镇</t></is></c>'
                                              '<c r="B2" t="inlineStr"><is><t>说明</t></is></c>'
                                              '<c r="C2" s="5"><v>1.5</v></c></row>')


def test_a_shared_text_longer_than_a_cell_is_refused_in_the_first_row_it_is_in():
    long = Run(Decimal(1), "镇" * 32_768)
    writer = RowWriter(io.BytesIO(), "指标明细", 4, (), 1, 2)
    writer.write(1, Runs(Run("甲镇"), Run(Decimal(1), "短")))
    with pytest.raises(QscoreError) as refused:
        writer.write(2, Runs(Run("乙镇"), long))
    assert str(refused.value) == ("the text in sheet 指标明细, row 3, column 3 is longer than the 32,767 characters an "
                                  "XLSX cell holds; write CSV or JSON instead")
    # On the next sheet, in the row there.
    with pytest.raises(QscoreError, match=r"sheet 指标明细\(2\), row 7, column 3 is longer"):
        RowWriter(io.BytesIO(), "指标明细(2)", 4, (), 1, 2).write(6, Runs(Run("丙镇"), long))
