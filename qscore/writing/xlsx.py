"""Writing results as an Excel workbook (XLSX).

XlsxWriter fixes zip entry dates; the document's creation date is fixed too, so the
same batch gives the same bytes.
"""

from __future__ import annotations

import datetime
import io
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

from qscore.errors import QscoreError
from qscore.model import BatchResult
from qscore.writing.text import FORMULA_STARTS, summary_table

# Workbook metadata must not carry the time of the run, or outputs would differ byte-wise.
FIXED_CREATED = datetime.datetime(2000, 1, 1)
#: What one Excel sheet holds: rows (the header is one of them), columns, characters in a cell.
EXCEL_MAX_ROWS = 1_048_576
EXCEL_MAX_COLUMNS = 16_384
EXCEL_MAX_TEXT = 32_767


#: A notice's kind as the 说明 sheet names it.
NOTICE_KINDS = {"sheet": "工作表", "title": "标题行", "header": "表头", "column": "列", "row": "行", "hidden": "隐藏行列",
                "merged": "合并单元格", "unit": "单位名称", "fractions": "小数形式的百分比", "year": "考核年度",
                "roster": "单位名单", "figure": "基期、上年等数据"}


def write_xlsx(batch: BatchResult, *, max_rows: int = EXCEL_MAX_ROWS) -> bytes:
    """A workbook with a ranking sheet (排名), a per-indicator detail sheet (指标明细) and
    a sheet (说明) stating the ruleset, the assessment year and every notice.

    Points are numbers shown to the ruleset's places; values and targets are numbers in
    Excel's general format; texts from the data are written as text, never formulas.
    A table longer than a sheet (``max_rows`` rows with its header) goes on as many
    sheets as it needs, 指标明细, 指标明细(2) …, each with the header: nothing is dropped.

    :raises QscoreError: for a ranking wider than a sheet, or a text longer than a cell.
    """
    import xlsxwriter

    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_formulas": False,
                                            "strings_to_numbers": False, "strings_to_urls": False})
    workbook.set_properties({"title": f"{batch.ruleset.title}（{batch.year}年度）", "created": FIXED_CREATED})
    styles = _styles(workbook, batch.ruleset.rounding.places)
    header, rows = summary_table(batch, detail=True)
    write_table(workbook, "排名", header, rows, styles, general=set(), max_rows=max_rows)
    header, rows = _detail(batch)
    write_table(workbook, "指标明细", header, rows, styles, general={5, 6}, max_rows=max_rows)
    _write_notes(workbook.add_worksheet("说明"), batch, styles)
    workbook.close()
    return buffer.getvalue()


def _styles(workbook: Any, places: int) -> dict[str, Any]:
    return {
        "header": workbook.add_format({"bold": True, "text_wrap": True, "valign": "top"}),
        "points": workbook.add_format({"num_format": "0." + "0" * places if places else "0"}),
        # Excel's own mark for "typed with a leading apostrophe": shown as written, kept
        # as text if the cell is edited, never run as a formula.
        "quoted": workbook.add_format({"quote_prefix": True}),
    }


def write_table(workbook: Any, name: str, header: list[str], rows: list[list[Any]], styles: dict[str, Any], *,
                general: set[int], max_rows: int = EXCEL_MAX_ROWS) -> list[Any]:
    """``rows`` under ``header`` on sheet ``name``, and on ``name(2)``, ``name(3)`` …
    when they are more than a sheet holds; the sheets made, in order (to set up further).

    :raises QscoreError: for more columns than a sheet holds.
    """
    if len(header) > EXCEL_MAX_COLUMNS:
        raise QscoreError(f"the sheet {name} would have {len(header):,} columns, and an XLSX sheet holds at most "
                          f"{EXCEL_MAX_COLUMNS:,}; write CSV or JSON instead")
    per_sheet = max_rows - 1
    sheets = []
    for number, start in enumerate(range(0, max(len(rows), 1), per_sheet), 1):
        sheet = workbook.add_worksheet(name if number == 1 else f"{name}({number})")
        _write_sheet(sheet, header, rows[start:start + per_sheet], styles, general=general)
        sheets.append(sheet)
    return sheets


def _detail(batch: BatchResult) -> tuple[list[str], list[list[Any]]]:
    """One row per unit and indicator, in rank order then ruleset order."""
    indicators = {i.id: i for i in batch.ruleset.indicators}
    header = ["排名", "单位", "指标代码", "指标", "计量单位", "完成值", "目标值", "得分", "分值", "是否达标",
              "计算说明"]
    rows = []
    for unit in batch.units:
        for result in unit.indicators:
            indicator = indicators[result.indicator]
            met = "" if result.met is None else ("是" if result.met else "否")
            rows.append([unit.rank, unit.unit, indicator.id, indicator.name, indicator.unit, result.value,
                         result.target, result.points, result.max_points, met, result.explanation or ""])
    return header, rows


def _write_notes(sheet: Any, batch: BatchResult, styles: dict[str, Any]) -> None:
    """The ruleset and the assessment year, then one row per notice."""
    ruleset = batch.ruleset
    lines: list[list[Any]] = [["规则", f"{ruleset.title}（{ruleset.id}）"], ["考核年度", f"{batch.year}年度"], []]
    lines.append(["提示", "文件", "工作表", "位置", "内容"])
    for notice in batch.notices:
        place = notice.cell or (f"第{notice.row}行" if notice.row is not None else "")
        if notice.column:
            place = f"{place} {notice.column}".strip()
        lines.append([NOTICE_KINDS.get(notice.kind, notice.kind), notice.file or "", notice.sheet or "", place,
                      notice.message])
    if not batch.notices:
        lines.append(["（无）"])
    for number, line in enumerate(lines):
        for column, text in enumerate(line):
            if text == "":
                continue
            _write_text(sheet, number, column, str(text), styles, styles["header"] if number == 3 or column == 0 and
                        number < 2 else None)
    sheet.set_column(0, 0, 18)
    sheet.set_column(1, 3, 24)
    sheet.set_column(4, 4, 80)


def _write_sheet(sheet: Any, header: list[str], rows: list[list[Any]], styles: dict[str, Any], *,
                 general: set[int]) -> None:
    """Write ``rows`` under ``header``; Decimal cells in columns ``general`` are plain
    numbers, other Decimal cells are points."""
    for column, name in enumerate(header):
        _write_text(sheet, 0, column, name, styles, styles["header"])
    for number, row in enumerate(rows, 1):
        for column, cell in enumerate(row):
            if cell is None or cell == "":
                continue
            if isinstance(cell, Decimal):
                # Our figures are rounded or short; a float keeps their 15 significant
                # digits.  Adding 0.0 turns -0.0 into 0.0.
                _written(sheet.write_number(number, column, float(cell) + 0.0,
                                            None if column in general else styles["points"]), sheet, number, column)
            elif isinstance(cell, int) and not isinstance(cell, bool):
                _written(sheet.write_number(number, column, cell), sheet, number, column)
            else:
                _write_text(sheet, number, column, str(cell), styles, None)
    sheet.freeze_panes(1, 2)
    for column, width in enumerate(_widths(header, rows)):
        sheet.set_column(column, column, width)


def _write_text(sheet: Any, row: int, column: int, text: str, styles: dict[str, Any], style: Any) -> None:
    if text.startswith(FORMULA_STARTS):
        style = styles["quoted"]
    _written(sheet.write_string(row, column, text, style), sheet, row, column)


def _written(status: int, sheet: Any, row: int, column: int) -> None:
    """XlsxWriter returns -1 for a cell outside the sheet and -2 for a text it cut to
    32,767 characters, and writes on: refuse both rather than drop or cut a cell."""
    if status == -2:
        raise QscoreError(f"the text in sheet {sheet.name}, row {row + 1}, column {column + 1} is longer than the "
                          f"{EXCEL_MAX_TEXT:,} characters an XLSX cell holds; write CSV or JSON instead")
    if status:
        raise QscoreError(f"sheet {sheet.name}, row {row + 1}, column {column + 1} is outside what an XLSX sheet "
                          "holds; write CSV or JSON instead")


def _widths(header: list[str], rows: list[list[Any]]) -> Iterator[int]:
    """Column widths in Excel's character units, from the widest of the first rows."""
    from wcwidth import wcswidth

    for column, name in enumerate(header):
        texts = [name] + [_shown(row[column]) for row in rows[:200]]
        yield min(60, max(6, max(max(wcswidth(t), len(t)) for t in texts) + 2))


def _shown(value: Any) -> str:
    return "" if value is None else f"{value:f}" if isinstance(value, Decimal) else str(value)
