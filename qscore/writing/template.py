"""The form (填报表) an examiner sends out: a workbook, or a CSV file for offices without
Excel, that comes back in the shape qscore reads.

The XLSX form has two sheets.  填报: a title naming the ruleset and the year, the header
exactly as binding reads it, the units of the roster, one input cell per unit and column,
each with data validation (a percentage between 0 and 100, a count of 0 or more, a level
from its list, 是/否 for a veto) and an input message; the header cells carry the
indicator's unit, direction, the year's target and lead department as input messages;
the sheet is protected with only the input cells unlocked, the panes frozen under the
header, and set up to print on A4.  填报说明: how to fill it in, and every indicator with
its unit, direction, baseline, targets, lead department, the rule (as ``qscore show``
gives it) and the plan's source line.

Cells of an indicator that does not apply to a unit (``applies_to``) say 不适用 (its
figures' cells stay empty) and are locked, in grey.  The long layout lists one row per unit and indicator instead (单位, 指标, 值).
XlsxWriter writes the same bytes for the same form (fixed document dates).
"""

from __future__ import annotations

import io
import math
from collections.abc import Iterator, Sequence
from decimal import Decimal
from typing import Any, Literal

import attrs

from qscore.collect.forms import (FORM_SHEET, GUIDE_SHEET, ITEM_KINDS, LONG_HEADERS, PERCENT, FormColumn, form_title,
                                  timing, unit_header)
from qscore.errors import MissingFigure
from qscore.model import Indicator, Ruleset
from qscore.numbers import fmt
from qscore.reading.binding import COUNT_UNITS
from qscore.targets import Figures
from qscore.writing.describe import indicator_document, target_text
from qscore.writing.text import csv_text, safe_text
from qscore.writing.xlsx import FIXED_CREATED, text_width

Layout = Literal["wide", "long"]
#: Excel's limits on a data validation's input title and message.
TITLE_LIMIT = 32
MESSAGE_LIMIT = 255
#: The bounds a figure of no particular kind is held to (Excel needs some).
ANY_NUMBER = 1e15
#: Column widths (in characters) an A4 page holds at 100% between 0.5" margins, landscape
#: and portrait; a form is shrunk to fit a page's width down to SMALLEST_SCALE, and wider
#: ones run over more pages, the unit column repeated on each.
A4_WIDTH = {True: 146, False: 100}
SMALLEST_SCALE = 0.7
INPUT_WIDTH = 14
#: A ruleset parameter (``qscore show --format json``) as the 填报说明 sheet names it.
PARAMETER_WORDS = {"per_step": "每档扣分", "step": "每档", "partial": "不足一档", "bands": "分档",
                   "otherwise": "其余得分", "relative": "按当年目标浮动", "per_item": "每件得分", "cap": "最高得分",
                   "basis": "计数", "floor": "最低得分", "levels": "完成程度"}
PARAMETER_VALUES = {"proportional": "按比例扣", "whole": "不扣", "started": "按一档扣", "value": "实际数",
                    "increase": "较基期新增数", True: "是", False: "否"}
#: How to fill the form in, above the indicators on the 填报说明 sheet.
GUIDE = (
    "一、请在“{sheet}”表的黄色单元格中填写{year}年度的数据，每个单位一行；灰色单元格（不适用）不用填。",
    "二、百分比只填数字：98.5% 填 98.5，不要填 0.985，也可以带百分号填 98.5%。",
    "三、没有数据的单元格留空，不要填 0，也不要删除行、列；不要改动标题和表头，qscore 按表头读取数据。",
    "四、加分项、扣分项填发生的次数（0、1、2……）；一票否决项填“是”或“否”；任务完成情况从下拉列表中选择。",
    "五、指标的定义、单位、年度目标和牵头部门见下表，在“{sheet}”表中点击表头也会显示。",
    "六、填好后保存为 .xlsx 文件发回，文件名写明单位，如“{unit}.xlsx”。",
)


@attrs.frozen
class Form:
    """A form to write: the ruleset, the year, the units and the columns.

    :param lead: the department it is made for (``--lead``), ``None`` for every unit's.
    """

    ruleset: Ruleset
    year: int
    units: tuple[str, ...]
    columns: tuple[FormColumn, ...]
    lead: str | None = None
    layout: Layout = "wide"

    @property
    def title(self) -> str:
        return form_title(self.ruleset, self.year, self.lead)

    def rows(self) -> Iterator[tuple[str, FormColumn]]:
        """``(unit, column)`` of every cell a unit fills, unit by unit (the long layout's rows)."""
        for unit in self.units:
            for column in self.columns:
                if column.applies(unit):
                    yield unit, column


# -- what a form says ----------------------------------------------------------------------

def year_target(ruleset: Ruleset, indicator: Indicator, year: int) -> str:
    """The target of ``year``: the point on the path (``96.5%``), or the plan's words
    where a figure the data gives (全国平均, 优于上年) or the whole batch decides it."""
    target = indicator.target
    if target is None:
        return "—"
    if not target.batch:
        try:
            value = target.resolve(Figures(baseline=indicator.baseline), timing(ruleset, indicator, year))
        except MissingFigure:
            pass
        else:
            return f"{fmt(value)}{indicator.unit}" if indicator.unit == PERCENT else fmt(value)
    return target_text(ruleset, indicator)


def rule_text(ruleset: Ruleset, indicator: Indicator) -> str:
    """The rule as ``qscore show`` documents it: its name, and its parameters in words."""
    rule = dict(indicator_document(ruleset, indicator)["rule"])
    label, parts = rule.pop("label"), []
    rule.pop("type")
    for name, value in rule.items():
        if value is None:
            continue
        parts.append(f"{PARAMETER_WORDS.get(name, name)} {_parameter(value)}")
    return f"{label}（{'，'.join(parts)}）" if parts else label


def _parameter(value: Any) -> str:
    if isinstance(value, Decimal):
        return fmt(value)
    if isinstance(value, dict) and {"threshold", "points"} <= set(value):
        sign = "≤" if value.get("key") == "at_most" else "≥"
        return f"{sign}{fmt(value['threshold'])} 得{fmt(value['points'])}"
    if isinstance(value, dict):
        return "、".join(f"{key} {_parameter(item)}" for key, item in value.items())
    if isinstance(value, (list, tuple)):
        return "；".join(_parameter(item) for item in value)
    if isinstance(value, (str, bool)) and value in PARAMETER_VALUES:
        return PARAMETER_VALUES[value]
    return str(value)


def header_message(form: Form, column: FormColumn) -> tuple[str, str]:
    """The input title and message of a column's header cell: what to enter, its unit,
    direction, the year's target and lead department."""
    ruleset, year = form.ruleset, form.year
    if column.item is not None:
        item = column.item
        kind = ITEM_KINDS[column.item_kind]
        if column.item_kind == "veto":
            return kind, _clip(f"{item.name}：发生的填“是”，没有发生的填“否”或留空。{item.source}")
        cap = f"，本项最多{fmt(item.cap)}分" if item.cap is not None else ""
        return kind, _clip(f"{item.name}：每次{fmt(item.points)}分{cap}。填发生的次数（0、1、2……），没有发生的填0或留空。"
                           f"{item.source}")
    indicator = column.indicator
    assert indicator is not None
    unit = f"单位：{indicator.unit}；" if indicator.unit else ""
    if column.kind == "figure":
        what = {"previous": f"本单位{year - 1}年的实际值", "baseline": f"本单位{indicator.baseline_year or ruleset.base_year}年"
                "（基期）的实际值"}.get(column.field, f"{column.field}（上级下达或公布的数）")
        return _title(column.header), _clip(f"{indicator.name}：{what}。{unit}")
    direction = f"{said}；" if (said := direction_text(column)) else ""
    target = f"{year}年度目标：{year_target(ruleset, indicator, year)}；" if indicator.target is not None else ""
    lead = f"牵头部门：{indicator.lead}；" if indicator.lead else ""
    levels = f"从下拉列表选择：{'、'.join(column.levels)}；" if column.levels else ""
    return _title(column.header), _clip(f"{indicator.name}。{unit}{direction}{target}{lead}{levels}{indicator.source}")


def direction_text(column: FormColumn) -> str:
    """越高越好 or 越低越好 for a figure, nothing for a level chosen from a list (完成 …)."""
    if column.levels or column.indicator is None:
        return ""
    return "越高越好" if column.indicator.direction == "higher" else "越低越好"


def _title(text: str) -> str:
    return text if len(text) <= TITLE_LIMIT else text[:TITLE_LIMIT - 1] + "…"


def _clip(text: str) -> str:
    return text if len(text) <= MESSAGE_LIMIT else text[:MESSAGE_LIMIT - 1] + "…"


def validation(form: Form, column: FormColumn) -> dict[str, Any]:
    """The data validation of a column's input cells, with its input and error messages."""
    unit = column.unit
    if column.levels:
        rule: dict[str, Any] = {"validate": "list", "source": list(column.levels)}
        hint = f"从下拉列表选择：{'、'.join(column.levels)}"
    elif column.item_kind == "veto":
        rule, hint = {"validate": "list", "source": ["是", "否"]}, "填“是”或“否”"
    elif column.item is not None:
        rule, hint = {"validate": "integer", "criteria": ">=", "value": 0}, "填发生的次数：0、1、2……"
    elif unit == PERCENT and column.indicator is not None and column.indicator.change:
        rule = {"validate": "decimal", "criteria": "between", "minimum": -ANY_NUMBER, "maximum": ANY_NUMBER}
        hint = "填变化的百分数，可为负数：下降 1.2% 填 -1.2，不要填 -0.012"
    elif unit == PERCENT:
        rule = {"validate": "decimal", "criteria": "between", "minimum": 0, "maximum": 100}
        hint = "填0到100之间的数：98.5% 填 98.5，不要填 0.985"
    elif unit in COUNT_UNITS:
        rule, hint = {"validate": "decimal", "criteria": ">=", "value": 0}, f"填0或更大的数（{unit}）"
    else:
        rule = {"validate": "decimal", "criteria": "between", "minimum": -ANY_NUMBER, "maximum": ANY_NUMBER}
        hint = "填数字" + (f"（{unit}）" if unit else "")
    return {**rule, "input_title": _title(column.header), "input_message": _clip(f"{hint}；没有数据的留空。"),
            "error_title": "填写有误", "error_message": _clip(f"{column.header}：{hint}。")}


# -- the workbook ----------------------------------------------------------------------------

def write_form_xlsx(form: Form) -> bytes:
    """The form as an XLSX workbook: the 填报 sheet and the 填报说明 sheet."""
    import xlsxwriter

    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_formulas": False,
                                            "strings_to_numbers": False, "strings_to_urls": False})
    workbook.set_properties({"title": form.title, "subject": f"qscore {form.ruleset.id} {form.year}",
                             "created": FIXED_CREATED})
    styles = _styles(workbook)
    sheet = workbook.add_worksheet(FORM_SHEET)
    if form.layout == "wide":
        _wide_sheet(sheet, form, styles)
    else:
        _long_sheet(sheet, form, styles)
    _guide_sheet(workbook.add_worksheet(GUIDE_SHEET), form, styles)
    sheet.activate()
    workbook.close()
    return buffer.getvalue()


def _styles(workbook: Any) -> dict[str, Any]:
    border = {"border": 1, "valign": "vcenter"}
    return {
        "title": workbook.add_format({"bold": True, "font_size": 14, "align": "center", "valign": "vcenter"}),
        "wide_title": workbook.add_format({"bold": True, "font_size": 14, "align": "left", "valign": "vcenter"}),
        "header": workbook.add_format({**border, "bold": True, "text_wrap": True, "align": "center",
                                       "bg_color": "#D9E1F2"}),
        "unit": workbook.add_format({**border, "bold": True}),
        "label": workbook.add_format({**border, "text_wrap": True}),
        "input": workbook.add_format({**border, "locked": False, "bg_color": "#FFF2CC"}),
        "exempt": workbook.add_format({**border, "align": "center", "font_color": "#808080", "bg_color": "#E7E6E6"}),
        "text": workbook.add_format({"text_wrap": True, "valign": "top"}),
        "note": workbook.add_format({"valign": "top"}),
        "section": workbook.add_format({"bold": True, "font_size": 12}),
    }


def _wide_sheet(sheet: Any, form: Form, styles: dict[str, Any]) -> None:
    columns, units = form.columns, form.units
    width = len(columns) + 1
    unit_width = max(12, max((text_width(unit) for unit in units), default=0) + 2)
    landscape = width > 7
    pages = _pages_wide(unit_width, INPUT_WIDTH * len(columns), landscape=landscape)
    # a title centred over more than a page's columns is off the screen and off the first page
    sheet.merge_range(0, 0, 0, width - 1, form.title, styles["title"] if pages == 1 else styles["wide_title"])
    sheet.set_row(0, 30)
    sheet.write_string(1, 0, unit_header(form.ruleset), styles["header"])
    sheet.set_row(1, 64)
    for number, column in enumerate(columns, 1):
        sheet.write_string(1, number, column.header, styles["header"])
        title, message = header_message(form, column)
        sheet.data_validation(1, number, 1, number, {"validate": "any", "input_title": title,
                                                     "input_message": message})
        for first, last in _runs([column.applies(unit) for unit in units]):
            sheet.data_validation(first + 2, number, last + 2, number, validation(form, column))
    for row, unit in enumerate(units, 2):
        sheet.write_string(row, 0, unit, styles["unit"])
        for number, column in enumerate(columns, 1):
            exempt = column.exempt_text(unit)
            if exempt is None:
                sheet.write_blank(row, number, None, styles["input"])
            elif exempt:
                sheet.write_string(row, number, exempt, styles["exempt"])
            else:
                sheet.write_blank(row, number, None, styles["exempt"])
    sheet.set_column(0, 0, unit_width)
    sheet.set_column(1, width - 1, INPUT_WIDTH)
    sheet.freeze_panes(2, 1)
    _protect_and_print(sheet, form, landscape=landscape, last_column=width - 1, pages=pages)
    if pages > 1:
        sheet.repeat_columns(0)


def _long_sheet(sheet: Any, form: Form, styles: dict[str, Any]) -> None:
    sheet.merge_range(0, 0, 0, 2, form.title, styles["title"])
    sheet.set_row(0, 30)
    for number, text in enumerate((unit_header(form.ruleset), *LONG_HEADERS)):
        sheet.write_string(1, number, text, styles["header"])
    titles: list[str] = []
    for row, (unit, column) in enumerate(form.rows(), 2):
        sheet.write_string(row, 0, unit, styles["unit"])
        sheet.write_string(row, 1, column.header, styles["label"])
        sheet.write_blank(row, 2, None, styles["input"])
        title, message = header_message(form, column)
        rule = validation(form, column)
        # what to type first (98.5 not 0.985, a level from the list), then what the indicator is
        sheet.data_validation(row, 2, row, 2, {**rule, "input_title": title,
                                               "input_message": _clip(rule["input_message"] + message)})
        titles.append(column.header)
    sheet.set_column(0, 0, max(12, max((text_width(unit) for unit in form.units), default=0) + 2))
    sheet.set_column(1, 1, min(60, max((text_width(title) for title in titles), default=10) + 2))
    sheet.set_column(2, 2, 14)
    sheet.freeze_panes(2, 0)
    _protect_and_print(sheet, form, landscape=False, last_column=2)


def _pages_wide(unit_width: float, inputs_width: float, *, landscape: bool) -> int:
    """How many A4 pages wide a form prints on, for a print scale of SMALLEST_SCALE or more
    with the unit column on every page."""
    page = A4_WIDTH[landscape] / SMALLEST_SCALE - unit_width
    return max(1, math.ceil(inputs_width / page))


def _protect_and_print(sheet: Any, form: Form, *, landscape: bool, last_column: int, pages: int = 1) -> None:
    # Only the input cells are unlocked; columns and rows may be widened, but not
    # inserted or deleted (qscore reads the header as it is).
    sheet.protect("", {"format_columns": True, "format_rows": True, "select_locked_cells": True,
                       "select_unlocked_cells": True})
    sheet.set_paper(9)  # A4
    if landscape:
        sheet.set_landscape()
    sheet.fit_to_pages(pages, 0)
    sheet.repeat_rows(0, 1)
    sheet.set_margins(left=0.5, right=0.5, top=0.75, bottom=0.75)
    sheet.set_footer("&C第 &P 页，共 &N 页")
    sheet.print_area(0, 0, max(1, _last_row(form)), last_column)


def _last_row(form: Form) -> int:
    return 1 + (len(form.units) if form.layout == "wide" else sum(1 for _ in form.rows()))


def _runs(flags: Sequence[bool]) -> list[tuple[int, int]]:
    """The ``(first, last)`` positions of each run of ``True``."""
    runs: list[tuple[int, int]] = []
    for position, flag in enumerate(flags):
        if not flag:
            continue
        if runs and runs[-1][1] == position - 1:
            runs[-1] = (runs[-1][0], position)
        else:
            runs.append((position, position))
    return runs


# -- the 填报说明 sheet ---------------------------------------------------------------------

def guide_rows(form: Form) -> list[list[str]]:
    """The 填报说明 sheet as rows: the instructions, the indicators, the items."""
    ruleset, year = form.ruleset, form.year
    rows: list[list[str]] = [[f"{form.title}·填报说明"], []]
    example = form.lead or (form.units[0] if form.units else unit_header(ruleset))
    rows += [[line.format(sheet=FORM_SHEET, year=year, unit=example)] for line in GUIDE]
    missing = {"zero": "未填报的指标按0分计", "error": "未填报的指标不能计分，须补报"}[ruleset.missing]
    scale = (f"；按得分率折算为{fmt(ruleset.scale_to)}分制（只考核本单位牵头或参与的指标）"
             if ruleset.scale_to is not None else "")
    rows += [[f"七、计分：{missing}{scale}。考核规则：{ruleset.title}（{ruleset.id}），依据：{ruleset.source}"], []]
    rows.append([f"考核对象（{len(form.units)}个）：{'、'.join(form.units)}"])
    rows.append([])
    indicators = [column for column in form.columns if column.kind != "item"]
    if indicators:
        rows.append(["指标"])
        rows.append(["序号", "表头", "类别", "单位", "方向", "基期值", "期末目标", f"{year}年度目标", "牵头部门",
                     "计分规则", "分值", "依据", "备注"])
        categories = {c.id: c.name for c in ruleset.categories}
        for number, column in enumerate(indicators, 1):
            indicator = column.indicator
            assert indicator is not None
            if column.kind == "figure":
                rows.append([str(number), column.header, "", indicator.unit, "", "", "", "", indicator.lead,
                             f"{indicator.name}的{column.header.partition('@')[2]}：计算{year}年度目标时用", "", "", ""])
                continue
            base_year = indicator.baseline_year or ruleset.base_year
            rows.append([str(number), column.header, categories.get(indicator.category or "", ""), indicator.unit,
                         direction_text(column) or "—",
                         f"{fmt(indicator.baseline)}（{base_year}年）" if indicator.baseline is not None else "—",
                         f"{target_text(ruleset, indicator)}（{ruleset.horizon_year}年）" if indicator.target else "—",
                         year_target(ruleset, indicator, year), indicator.lead, rule_text(ruleset, indicator),
                         fmt(indicator.points), indicator.source, "；".join(indicator.notes)])
        rows.append([])
    items = [column for column in form.columns if column.item is not None]
    if items:
        rows.append(["加分、扣分和一票否决项"])
        rows.append(["序号", "表头", "类别", "每次分值", "本项上限", "填法", "依据"])
        adjust = ruleset.adjustments
        for number, column in enumerate(items, 1):
            item = column.item
            assert item is not None
            how = "填“是”或“否”" if column.item_kind == "veto" else "填发生的次数"
            rows.append([str(number), column.header, ITEM_KINDS[column.item_kind],
                         "" if column.item_kind == "veto" else fmt(item.points),
                         "" if item.cap is None else fmt(item.cap), how, item.source])
        caps = [f"加分累计不超过{fmt(adjust.bonus_cap)}分" if adjust.bonus_cap is not None else "",
                f"扣分累计不超过{fmt(adjust.deduction_cap)}分" if adjust.deduction_cap is not None else ""]
        if any(caps):
            rows.append(["；".join(cap for cap in caps if cap)])
    return rows


def _guide_sheet(sheet: Any, form: Form, styles: dict[str, Any]) -> None:
    tables = {"序号"}
    for row, cells in enumerate(guide_rows(form)):
        if row == 0:
            sheet.write_string(row, 0, cells[0], styles["section"])
            continue
        if len(cells) == 1 and cells[0] in ("指标", "加分、扣分和一票否决项"):
            sheet.write_string(row, 0, cells[0], styles["section"])
            continue
        style = styles["header"] if cells and cells[0] in tables else styles["label"] if len(cells) > 1 else \
            styles["note"]
        for number, text in enumerate(cells):
            if text:
                sheet.write_string(row, number, text, style)
            else:
                sheet.write_blank(row, number, None, style)
    for number, width in enumerate((6, 26, 14, 8, 10, 14, 22, 14, 16, 28, 8, 40, 40)):
        sheet.set_column(number, number, width)
    sheet.set_paper(9)
    sheet.set_landscape()
    sheet.fit_to_pages(1, 0)


# -- CSV -------------------------------------------------------------------------------------

def write_form_csv(form: Form) -> bytes:
    """The form as CSV (UTF-8 with a BOM, as Excel and WPS open it): the title line, the
    header, the units with empty cells (不适用 where an indicator does not apply)."""
    if form.layout == "wide":
        header = [unit_header(form.ruleset), *(column.header for column in form.columns)]
        rows = [[safe_text(unit), *(column.exempt_text(unit) or "" for column in form.columns)]
                for unit in form.units]
    else:
        header = [unit_header(form.ruleset), *LONG_HEADERS]
        rows = [[safe_text(unit), column.header, ""] for unit, column in form.rows()]
    title = [form.title] + [""] * (len(header) - 1)
    return ("\ufeff" + csv_text([title, header, *rows])).encode("utf-8")
