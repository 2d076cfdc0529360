"""Making the files county offices make: a sheet as rows of cells, with what Excel adds
(hidden rows and columns, merged ranges, number formats, other sheets, the active tab),
written as CSV, XLSX (openpyxl, as a program or Excel saves it) or XLS (xlwt).

A cell is a string, a number, or :class:`Formatted` (a number shown through a number
format, e.g. 0.975 under ``0.0%``).  Rows are numbered from 1 as Excel shows them.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

Cell = Any


@dataclass(frozen=True)
class Formatted:
    """A number (or text) stored as ``value`` and shown through ``number_format``."""

    value: float | str
    number_format: str


@dataclass
class Sheet:
    """A sheet: its rows (row 1 first; ``None`` or ``""`` is an empty cell) and what Excel
    keeps beside the cells.

    :param merged: ``(first row, first column, last row, last column)``, rows from 1 and
        columns from 0, the value in the first cell.
    """

    name: str
    rows: list[list[Cell]]
    hidden_rows: Sequence[int] = ()
    hidden_columns: Sequence[int] = ()
    merged: Sequence[tuple[int, int, int, int]] = ()
    state: str = "visible"
    zero_height_rows: Sequence[int] = ()
    zero_width_columns: Sequence[int] = ()


@dataclass
class Book:
    """Sheets in tab order, and which one Excel shows on opening."""

    sheets: list[Sheet]
    active: int = 0
    extra: dict[str, Any] = field(default_factory=dict)


def book(rows: list[list[Cell]], **sheet: Any) -> Book:
    """A workbook of one sheet named 数据."""
    return Book([Sheet("数据", rows, **sheet)])


def text_of(cell: Cell) -> str:
    """The text a CSV saved by Excel holds for the cell."""
    if cell is None:
        return ""
    if isinstance(cell, Formatted):
        if "%" in cell.number_format and '"%"' not in cell.number_format and "\\%" not in cell.number_format:
            return f"{cell.value * 100:g}%"
        return f"{cell.value:g}"
    return str(cell)


def write_csv(path: Path, rows: list[list[Cell]], *, encoding: str = "utf-8-sig") -> Path:
    buffer = io.StringIO(newline="")
    csv.writer(buffer, lineterminator="\r\n").writerows([[text_of(c) for c in row] for row in rows])
    path.write_bytes(buffer.getvalue().encode(encoding))
    return path


def write_xlsx(path: Path, workbook: Book) -> Path:
    import openpyxl
    from openpyxl.utils import get_column_letter

    out = openpyxl.Workbook()
    out.remove(out.active)
    for spec in workbook.sheets:
        sheet = out.create_sheet(spec.name)
        for number, row in enumerate(spec.rows, 1):
            for column, cell in enumerate(row, 1):
                if cell is None or cell == "":
                    continue
                target = sheet.cell(row=number, column=column)
                if isinstance(cell, Formatted):
                    target.value = cell.value
                    target.number_format = cell.number_format
                else:
                    target.value = cell
        for number in spec.hidden_rows:
            sheet.row_dimensions[number].hidden = True
        for column in spec.hidden_columns:
            sheet.column_dimensions[get_column_letter(column + 1)].hidden = True
        for first_row, first_column, last_row, last_column in spec.merged:
            sheet.merge_cells(start_row=first_row, start_column=first_column + 1, end_row=last_row,
                              end_column=last_column + 1)
        sheet.sheet_state = spec.state
    out.active = workbook.active
    for number, sheet in enumerate(out.worksheets):
        sheet.sheet_view.tabSelected = number == workbook.active
    out.save(path)
    for number, spec in enumerate(workbook.sheets, 1):
        if spec.zero_height_rows or spec.zero_width_columns:
            rewrite_sheet_xml(path, lambda text, spec=spec: _zero_sizes(text, spec), f"xl/worksheets/sheet{number}.xml")
    return path


def _zero_sizes(text: str, spec: Sheet) -> str:
    """Rows 0 high and columns 0 wide without the hidden flag, as some programs write them
    (openpyxl leaves a size of 0 out)."""
    for number in spec.zero_height_rows:
        text = text.replace(f'<row r="{number}"', f'<row r="{number}" ht="0" customHeight="1"', 1)
    if spec.zero_width_columns:
        assert "<cols>" not in text
        columns = "".join(f'<col min="{n + 1}" max="{n + 1}" width="0" customWidth="1" />'
                          for n in spec.zero_width_columns)
        text = text.replace("<sheetData", f"<cols>{columns}</cols><sheetData", 1)
    return text


def write_xls(path: Path, workbook: Book) -> Path:
    import xlwt

    out = xlwt.Workbook(encoding="utf-8")
    styles: dict[str, Any] = {}
    for index, spec in enumerate(workbook.sheets):
        sheet = out.add_sheet(spec.name)
        merged_cells = {(r, c) for r1, c1, r2, c2 in spec.merged for r in range(r1, r2 + 1)
                        for c in range(c1, c2 + 1)}
        for first_row, first_column, last_row, last_column in spec.merged:
            value = spec.rows[first_row - 1][first_column]
            sheet.write_merge(first_row - 1, last_row - 1, first_column, last_column, *_xls_value(value, styles))
        for number, row in enumerate(spec.rows, 1):
            for column, cell in enumerate(row):
                if cell is None or cell == "" or (number, column) in merged_cells:
                    continue
                sheet.write(number - 1, column, *_xls_value(cell, styles))
        for number in spec.hidden_rows:
            sheet.row(number - 1).hidden = True
        for column in spec.hidden_columns:
            sheet.col(column).hidden = True
        for number in spec.zero_height_rows:
            sheet.row(number - 1).height = 0
            sheet.row(number - 1).height_mismatch = True
        for column in spec.zero_width_columns:
            sheet.col(column).width = 0
        sheet.visibility = {"visible": 0, "hidden": 1, "veryHidden": 2}[spec.state]
        sheet.sheet_visible = index == workbook.active
        sheet.selected = index == workbook.active
    out.active_sheet = workbook.active
    out.save(str(path))
    return path


def _xls_value(cell: Cell, styles: dict[str, Any]) -> tuple[Any, ...]:
    import xlwt

    if isinstance(cell, Formatted):
        style = styles.setdefault(cell.number_format, xlwt.easyxf(num_format_str=cell.number_format))
        return cell.value, style
    return (cell,)


def write(path: Path, workbook: Book) -> Path:
    """The book in the format the suffix says (CSV: the first sheet's cells as Excel saves them)."""
    if path.suffix == ".xlsx":
        return write_xlsx(path, workbook)
    if path.suffix == ".xls":
        return write_xls(path, workbook)
    return write_csv(path, workbook.sheets[workbook.active].rows)


def rewrite_sheet_xml(path: Path, change: Any, sheet: str = "xl/worksheets/sheet1.xml") -> Path:
    """Rewrite one sheet's XML in an XLSX file, as a program writing its own XLSX might."""
    with zipfile.ZipFile(path) as archive:
        entries = {name: archive.read(name) for name in archive.namelist()}
    entries[sheet] = change(entries[sheet].decode("utf-8")).encode("utf-8")
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return path


def row_xml(text: str, number: int) -> str:
    """The ``<row r="number">…</row>`` element of a sheet's XML."""
    match = re.search(rf'<row r="{number}"[^>]*>.*?</row>', text, re.S)
    assert match, f"no row {number}"
    return match.group(0)
