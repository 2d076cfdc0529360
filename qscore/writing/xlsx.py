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

from qscore.model import BatchResult
from qscore.writing.text import FORMULA_STARTS, summary_table

# Workbook metadata must not carry the time of the run, or outputs would differ byte-wise.
FIXED_CREATED = datetime.datetime(2000, 1, 1)


#: A notice's kind as the 说明 sheet names it.
NOTICE_KINDS = {"sheet": "工作表", "title": "标题行", "header": "表头", "column": "列", "row": "行", "hidden": "隐藏行列",
                "merged": "合并单元格", "unit": "单位名称", "fractions": "小数形式的百分比", "year": "考核年度",
                "roster": "单位名单", "figure": "基期、上年等数据"}


def write_xlsx(batch: BatchResult) -> bytes:
    """A workbook with a ranking sheet (排名), a per-indicator detail sheet (指标明细) and
    a sheet (说明) stating the ruleset, the assessment year and every notice.

    Points are numbers shown to the ruleset's places; values and targets are numbers in
    Excel's general format; texts from the data are written as text, never formulas.
    """
    import xlsxwriter

    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_formulas": False,
                                            "strings_to_numbers": False, "strings_to_urls": False})
    workbook.set_properties({"title": f"{batch.ruleset.title}（{batch.year}年度）", "created": FIXED_CREATED})
    places = batch.ruleset.rounding.places
    styles = {
        "header": workbook.add_format({"bold": True, "text_wrap": True, "valign": "top"}),
        "points": workbook.add_format({"num_format": "0." + "0" * places if places else "0"}),
        # Excel's own mark for "typed with a leading apostrophe": shown as written, kept
        # as text if the cell is edited, never run as a formula.
        "quoted": workbook.add_format({"quote_prefix": True}),
    }
    header, rows = summary_table(batch, detail=True)
    _write_sheet(workbook.add_worksheet("排名"), header, rows, styles, general=set())
    header, rows = _detail(batch)
    _write_sheet(workbook.add_worksheet("指标明细"), header, rows, styles, general={5, 6})
    _write_notes(workbook.add_worksheet("说明"), batch, styles)
    workbook.close()
    return buffer.getvalue()


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
                # Our figures are rounded or short; a float keeps their 15 significant digits.
                sheet.write_number(number, column, float(cell), None if column in general else styles["points"])
            elif isinstance(cell, int) and not isinstance(cell, bool):
                sheet.write_number(number, column, cell)
            else:
                _write_text(sheet, number, column, str(cell), styles, None)
    sheet.freeze_panes(1, 2)
    for column, width in enumerate(_widths(header, rows)):
        sheet.set_column(column, column, width)


def _write_text(sheet: Any, row: int, column: int, text: str, styles: dict[str, Any], style: Any) -> None:
    if text.startswith(FORMULA_STARTS):
        style = styles["quoted"]
    sheet.write_string(row, column, text, style)


def _widths(header: list[str], rows: list[list[Any]]) -> Iterator[int]:
    """Column widths in Excel's character units, from the widest of the first rows."""
    from wcwidth import wcswidth

    for column, name in enumerate(header):
        texts = [name] + [_shown(row[column]) for row in rows[:200]]
        yield min(60, max(6, max(max(wcswidth(t), len(t)) for t in texts) + 2))


def _shown(value: Any) -> str:
    return "" if value is None else f"{value:f}" if isinstance(value, Decimal) else str(value)
