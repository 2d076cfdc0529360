"""Merged submissions written out (``qscore merge -o 汇总.xlsx``), and the checklist of
what is still missing.

The XLSX workbook has three sheets.  汇总: a title naming the ruleset and the year, the
ruleset's headers (those of the form), one row per unit: the dataset that ``qscore
rank`` scores.  缺报: the checklist, by unit and by lead department (whom to call).  来源:
one row per value with the file, sheet and cell it came from, and the value as merged,
so that ``explain`` on the merged workbook still names each figure's submission (a value
changed afterwards in 汇总 is noticed and takes its own cell as its source).

A percentage is written as a number shown with a literal % sign (``98.5%``), so that a
small one is never mistaken for a fraction when the workbook is read back; a figure with
more digits than a floating-point number keeps is written as text.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from qscore.collect.forms import (MERGED_SHEET, MISSING_SHEET, PERCENT, SOURCE_HEADERS, SOURCES_SHEET, FormColumn,
                                  merged_title, unit_header, value_text)
from qscore.collect.merge import Collection
from qscore.model import Ruleset
from qscore.reading.binding import Dataset
from qscore.reading.cells import Exempt
from qscore.writing.text import csv_text, safe_text
from qscore.writing.xlsx import FIXED_CREATED

#: Significant digits a float written to XLSX and read back keeps exactly.
FLOAT_DIGITS = 15


def merged_rows(collection: Collection, ruleset: Ruleset, *,
                percent_signs: bool) -> tuple[list[str], list[list[object]]]:
    """The merged table: header and rows, each cell a Decimal, a text or ``None``
    (``percent_signs``: percentages as texts with a % sign, for CSV)."""
    data = collection.dataset
    header = [unit_header(ruleset), *(column.header for column in collection.columns)]
    rows: list[list[object]] = []
    for position, unit in enumerate(data.units):
        row: list[object] = [unit]
        for column in collection.columns:
            value = cell_value(data, position, column)
            given = (data.sources or {}).get((unit, column.key)) is not None
            if value is None:
                row.append("-" if given else None)
            elif isinstance(value, Exempt):
                row.append("不适用")
            elif isinstance(value, Decimal) and column.kind == "item" and not given:
                row.append(None)  # not given: none happened, as an empty cell says
            elif isinstance(value, Decimal) and percent_signs and column.unit == PERCENT:
                row.append(f"{value:f}%")
            else:
                row.append(value)
        rows.append(row)
    return header, rows


def cell_value(data: Dataset, position: int, column: FormColumn) -> object:
    thing, at, field = column.key.partition("@")
    if at:
        figures = data.figures.get((thing, field))
        return None if figures is None else figures[position]
    if column.kind == "item":
        counts = data.items.get(thing)
        return None if counts is None else counts[position]
    return data.values[thing][position]


def write_merged_csv(collection: Collection, ruleset: Ruleset, year: int) -> bytes:
    """The merged table as CSV (UTF-8 with a BOM): title line, header, units."""
    header, rows = merged_rows(collection, ruleset, percent_signs=True)
    texts = [[safe_text(str(row[0])), *(value_text(cell) if not isinstance(cell, str) else cell for cell in row[1:])]
             for row in rows]
    title = [merged_title(ruleset, year)] + [""] * (len(header) - 1)
    return ("\ufeff" + csv_text([title, header, *texts])).encode("utf-8")


def write_merged_xlsx(collection: Collection, ruleset: Ruleset, year: int) -> bytes:
    """The merged workbook: 汇总, 缺报 and 来源."""
    import xlsxwriter

    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_formulas": False,
                                            "strings_to_numbers": False, "strings_to_urls": False})
    title = merged_title(ruleset, year)
    workbook.set_properties({"title": title, "subject": f"qscore {ruleset.id} {year}", "created": FIXED_CREATED})
    border = {"border": 1, "valign": "vcenter"}
    styles = {
        "title": workbook.add_format({"bold": True, "font_size": 14, "align": "center", "valign": "vcenter"}),
        "header": workbook.add_format({**border, "bold": True, "text_wrap": True, "align": "center",
                                       "bg_color": "#D9E1F2"}),
        "cell": workbook.add_format(border),
        "percent": workbook.add_format({**border, "num_format": 'General"%"'}),
        "section": workbook.add_format({"bold": True, "font_size": 12}),
    }
    _merged_sheet(workbook.add_worksheet(MERGED_SHEET), collection, ruleset, title, styles)
    _missing_sheet(workbook.add_worksheet(MISSING_SHEET), collection, styles)
    _sources_sheet(workbook.add_worksheet(SOURCES_SHEET), collection, styles)
    workbook.close()
    return buffer.getvalue()


def _merged_sheet(sheet: Any, collection: Collection, ruleset: Ruleset, title: str, styles: dict[str, Any]) -> None:
    header, rows = merged_rows(collection, ruleset, percent_signs=False)
    sheet.merge_range(0, 0, 0, len(header) - 1, title, styles["title"])
    sheet.set_row(0, 30)
    for number, text in enumerate(header):
        sheet.write_string(1, number, text, styles["header"])
    sheet.set_row(1, 48)
    columns = collection.columns
    for row, cells in enumerate(rows, 2):
        for number, cell in enumerate(cells):
            style = styles["percent"] if number and columns[number - 1].unit == PERCENT else styles["cell"]
            if cell is None:
                sheet.write_blank(row, number, None, styles["cell"])
            elif isinstance(cell, Decimal) and len(cell.normalize().as_tuple().digits) <= FLOAT_DIGITS:
                sheet.write_number(row, number, float(cell) + 0.0, style)
            else:
                sheet.write_string(row, number, value_text(cell) if isinstance(cell, Decimal) else str(cell),
                                   styles["cell"])
    sheet.set_column(0, 0, 14)
    sheet.set_column(1, len(header) - 1, 14)
    sheet.freeze_panes(2, 1)
    sheet.set_paper(9)
    sheet.set_landscape()
    sheet.fit_to_pages(1, 0)
    sheet.repeat_rows(0, 1)


def checklist_tables(collection: Collection) -> tuple[list[list[str]], list[list[str]]]:
    """The checklist as two tables: by unit (单位, 缺报数, 缺报项目) and by lead department
    (牵头部门, 项目, 缺报单位数, 缺报单位)."""
    by_unit = [[unit, str(len(columns)), "、".join(column.header for column in columns)]
               for unit, columns in collection.by_unit()]
    by_lead = [[lead or "（未定牵头部门）", column.header, str(len(units)), "、".join(units)]
               for lead, column, units in collection.by_lead()]
    return by_unit, by_lead


UNIT_HEADERS = ["单位", "缺报数", "缺报项目"]
LEAD_HEADERS = ["牵头部门", "项目", "缺报单位数", "缺报单位"]


def checklist_title(collection: Collection) -> str:
    missing, units = collection.missing, collection.dataset.units
    if not missing:
        return f"缺报清单：无，{len(units)}个单位的数据均已报齐"
    return f"缺报清单：{len(missing)}项未填报，涉及{len(collection.by_unit())}个单位"


def checklist_text(collection: Collection) -> str:
    """The checklist as a person reads it on a terminal."""
    from tabulate import tabulate

    lines = [checklist_title(collection)]
    if collection.missing:
        by_unit, by_lead = checklist_tables(collection)
        lines += ["", "按单位：", tabulate(by_unit, headers=UNIT_HEADERS, disable_numparse=True), "",
                  "按牵头部门：", tabulate(by_lead, headers=LEAD_HEADERS, disable_numparse=True)]
    return "\n".join(lines) + "\n"


def _missing_sheet(sheet: Any, collection: Collection, styles: dict[str, Any]) -> None:
    sheet.write_string(0, 0, checklist_title(collection), styles["section"])
    if not collection.missing:
        return
    by_unit, by_lead = checklist_tables(collection)
    row = 2
    for heading, header, rows in (("按单位", UNIT_HEADERS, by_unit), ("按牵头部门", LEAD_HEADERS, by_lead)):
        sheet.write_string(row, 0, heading, styles["section"])
        row = _table(sheet, row + 1, header, rows, styles) + 1
    for number, width in enumerate((18, 30, 12, 60)):
        sheet.set_column(number, number, width)


def _sources_sheet(sheet: Any, collection: Collection, styles: dict[str, Any]) -> None:
    data = collection.dataset
    sources = data.sources or {}
    rows = []
    for position, unit in enumerate(data.units):
        for column in collection.columns:
            source = sources.get((unit, column.key))
            if source is None:
                continue
            rows.append([unit, column.header, column.key, value_text(cell_value(data, position, column)), source.file,
                         source.sheet or "", source.cell])
    _table(sheet, 0, list(SOURCE_HEADERS), rows, styles)
    for number, width in enumerate((14, 30, 24, 10, 30, 10, 8)):
        sheet.set_column(number, number, width)
    sheet.freeze_panes(1, 0)


def _table(sheet: Any, row: int, header: Sequence[str], rows: Sequence[Sequence[str]], styles: dict[str, Any]) -> int:
    """Write a table of texts from ``row``; the row after it."""
    for number, text in enumerate(header):
        sheet.write_string(row, number, text, styles["header"])
    for offset, cells in enumerate(rows, 1):
        for number, text in enumerate(cells):
            sheet.write_string(row + offset, number, text, styles["cell"])
    return row + len(rows) + 1
