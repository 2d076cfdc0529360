"""What a form (填报表) asks for, and how qscore knows its own workbooks when they come back.

A form has one column per indicator, per ``@`` figure the ruleset needs (上年, 基期,
全省平均 …) and per bonus, deduction and veto item, each headed exactly as binding reads
it (``食品抽检合格率（%）``, ``消费品质量合格率@上年（%）``, ``被通报批评``); one row per
unit of the roster.  Its title states the ruleset and the year
(``2025年度石柱县乡镇（街道）质量强县工作考核填报表``), so that the year detection of
:mod:`qscore.reading.layout` reads the year back, and so that qscore recognises the form
(and the merged workbook, ``…汇总表``) as its own: their title row and their sheets are
qscore's layout, not the office's, and need no notice.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Sequence
from decimal import Decimal
from typing import Literal

import attrs

from qscore.errors import MissingFigure, UsageError
from qscore.i18n import _
from qscore.limits import listed
from qscore.model import Indicator, Item, Notice, Roster, Ruleset
from qscore.cells import Exempt, normalise
from qscore.reading.binding import Dataset
from qscore.reading.table import RawTable
from qscore.targets import Figures, Timing

FORM_SHEET = "填报"
GUIDE_SHEET = "填报说明"
MERGED_SHEET = "汇总"
MISSING_SHEET = "缺报"
SOURCES_SHEET = "来源"
#: The sheet tabs of qscore's workbooks, as a reader lists them (the first is active).
FORM_SHEETS = (f"{FORM_SHEET} (active)", GUIDE_SHEET)
MERGED_SHEETS = (f"{MERGED_SHEET} (active)", MISSING_SHEET, SOURCES_SHEET)
#: A figure's field as a header writes it after the ``@``.
FIELD_WORDS = {"previous": "上年", "baseline": "基期"}
ITEM_KINDS = {"bonus": "加分项", "deduction": "扣分项", "veto": "一票否决"}
PERCENT = "%"
#: What the value column of a form's long layout is headed; the indicator column is 指标.
LONG_HEADERS = ("指标", "值")
#: The columns of a merged workbook's 来源 sheet: each value's unit, column (its header
#: and key), the value as merged, and the file, sheet and cell it came from.
SOURCE_HEADERS = ("单位", "项目", "代码", "值", "来源文件", "工作表", "单元格")

Kind = Literal["value", "figure", "item"]
WorkbookKind = Literal["form", "merged"]


@attrs.frozen
class FormColumn:
    """One column of a form.

    :param key: what binding keys it by: the indicator's or item's id, or ``id@field``.
    :param header: the header, as binding reads it (the unit of measure in brackets).
    :param kind: ``value`` (an indicator's value), ``figure`` (an ``@`` figure) or ``item``.
    :param name: the indicator's or item's name.
    :param field: ``value``, ``previous``, ``baseline`` or a reference's name (全省平均).
    :param indicator: the indicator (for values and figures).
    :param item: the item, and ``item_kind`` (bonus, deduction, veto), for items.
    """

    key: str
    header: str
    kind: Kind
    name: str
    field: str = "value"
    indicator: Indicator | None = None
    item: Item | None = None
    item_kind: str = ""

    @property
    def unit(self) -> str:
        return self.indicator.unit if self.indicator is not None else ""

    @property
    def lead(self) -> str:
        """The department that reports it (an indicator's lead; items have none)."""
        return self.indicator.lead if self.indicator is not None else ""

    @property
    def levels(self) -> tuple[str, ...]:
        """The task levels a value takes (完成, 基本完成 …), for a level rule's value."""
        if self.kind != "value" or self.indicator is None or self.indicator.rule.value_kind != "level":
            return ()
        return tuple(getattr(self.indicator.rule, "levels", {}))

    def applies(self, unit: str) -> bool:
        """Whether the unit reports this column (an indicator outside its ``applies_to`` is exempt)."""
        return self.indicator is None or self.indicator.applies(unit)

    def exempt_text(self, unit: str) -> str | None:
        """What a form writes in a cell the unit does not fill: 不适用 for an indicator's
        value (binding reads it as exempt), empty for a figure (a figure column holds
        numbers only, and the engine asks none of an exempt unit); ``None`` for a cell the
        unit fills."""
        if self.applies(unit):
            return None
        return "不适用" if self.kind == "value" else ""


def header(name: str, unit: str, field: str = "value") -> str:
    """A column's header as binding reads it: ``名称（单位）``, ``名称@上年（单位）``."""
    at = "" if field == "value" else f"@{FIELD_WORDS.get(field, field)}"
    return f"{name}{at}（{unit}）" if unit else f"{name}{at}"


def timing(ruleset: Ruleset, indicator: Indicator, year: int) -> Timing:
    return Timing(indicator.baseline_year or ruleset.base_year, ruleset.horizon_year, year)


def figure_fields(ruleset: Ruleset, indicator: Indicator, year: int) -> tuple[str, ...]:
    """The ``@`` figures the data must give for ``indicator`` in ``year``: last year's
    value for a trend target, a reference for a reference target (全省平均, 省下达), the
    unit's own baseline where the plan gives none and the target or rule needs one.

    Found by asking the target and the rule, as the engine will, with a sample value:
    a plug-in's shapes and rules say what they need the same way (:class:`MissingFigure`).
    """
    figures = Figures(baseline=indicator.baseline)
    fields: list[str] = []
    for _ in range(4):  # baseline, previous and a reference at most
        try:
            _sample_points(indicator, figures, timing(ruleset, indicator, year))
            break
        except MissingFigure as missing:
            if missing.field in fields:
                break
            fields.append(missing.field)
            figures = _with(figures, missing.field)
        except (ArithmeticError, TypeError, ValueError, KeyError):
            break  # a batch target or rule: it needs the other units, not a figure
    return tuple(fields)


def _sample_points(indicator: Indicator, figures: Figures, when: Timing) -> None:
    target = None
    if indicator.target is not None and not indicator.target.batch:
        target = indicator.target.resolve(figures, when)
    sample: Decimal | str
    if indicator.rule.value_kind == "level":
        sample = next(iter(getattr(indicator.rule, "levels", {"": 0})))
    else:
        sample = target if target is not None else figures.baseline if figures.baseline is not None else Decimal(1)
    if indicator.rule.uses_target and target is None:
        return
    indicator.rule.points_batch([sample], [target], [figures.baseline])


def _with(figures: Figures, field: str) -> Figures:
    one = Decimal(1)
    if field == "baseline":
        return attrs.evolve(figures, baseline=one)
    if field == "previous":
        return attrs.evolve(figures, previous=one)
    return attrs.evolve(figures, references=(*figures.references, (field, one)))


def form_columns(ruleset: Ruleset, year: int, *, lead: str | None = None) -> tuple[FormColumn, ...]:
    """The columns of the form for ``year``: every indicator's value and the figures it
    needs, then the items; with ``lead``, only what that department leads or shares
    (``lead``, ``applies_to``), and no items.

    :raises UsageError: for a department that leads and shares nothing.
    """
    chosen = list(ruleset.indicators) if lead is None else lead_indicators(ruleset, lead)
    columns: list[FormColumn] = []
    for indicator in chosen:
        columns.append(FormColumn(indicator.id, header(indicator.name, indicator.unit), "value", indicator.name,
                                  indicator=indicator))
        for field in figure_fields(ruleset, indicator, year):
            columns.append(FormColumn(f"{indicator.id}@{field}", header(indicator.name, indicator.unit, field),
                                      "figure", indicator.name, field=field, indicator=indicator))
    if lead is None:
        adjustments = ruleset.adjustments
        for kind, items in (("bonus", adjustments.bonus), ("deduction", adjustments.deductions),
                            ("veto", adjustments.vetoes)):
            columns += [FormColumn(item.id, item.name, "item", item.name, item=item, item_kind=kind) for item in items]
    return tuple(columns)


def lead_indicators(ruleset: Ruleset, lead: str) -> list[Indicator]:
    """The indicators ``lead`` leads or shares.

    :raises UsageError: for a department that leads and shares none, naming those that do.
    """
    wanted = normalise(lead)
    chosen = [i for i in ruleset.indicators
              if normalise(i.lead) == wanted or wanted in {normalise(unit) for unit in i.applies_to}]
    if chosen:
        return chosen
    known = list(dict.fromkeys(i.lead for i in ruleset.indicators if i.lead))
    close = difflib.get_close_matches(wanted, known, n=3, cutoff=0.4)
    hint = _("; did you mean {names}?").format(names=" / ".join(close)) if close else ""
    listing = _(" (the departments that lead one: {known})").format(known=", ".join(known)) if known \
        else _(" (it names no lead departments)")
    raise UsageError(_("'{lead}' leads and shares no indicator of ruleset '{id}'{hint}{listing}").format(
            lead=lead, id=ruleset.id, hint=hint, listing=listing))


def foreign_values(dataset: Dataset, ruleset: Ruleset, lead: str) -> tuple[Notice, ...]:
    """A notice per indicator that ``lead``'s form (by its title) gives values for, though
    the department neither leads nor shares it: the values are used, and the examiner
    must check them with the lead department, which may never have reported them."""
    wanted = normalise(lead)
    notices = []
    for indicator in ruleset.indicators:
        if normalise(indicator.lead) == wanted or wanted in {normalise(unit) for unit in indicator.applies_to}:
            continue
        keys: list[tuple[str, Sequence[object]]] = [(indicator.id, dataset.values.get(indicator.id, []))]
        keys += [(f"{indicator.id}@{field}", figures) for (thing, field), figures in dataset.figures.items()
                 if thing == indicator.id]
        for key, values in keys:
            given = [unit for unit, value in zip(dataset.units, values) if value is not None]
            if not given:
                continue
            header = dataset.columns.get(key, key)
            notices.append(Notice("source", _(
                "this is the form of {lead}, which neither leads nor shares {name} (lead: {owner}); the values it "
                "gives for {count} unit(s) ({units}) are used: check them with the lead department").format(
                    lead=lead, name=indicator.name, owner=indicator.lead or _("none named"), count=len(given),
                    units=listed(given)),
                file=dataset.file, sheet=dataset.sheet, column=header))
    return tuple(notices)


def form_units(ruleset: Ruleset, roster: Roster | None, *, lead: str | None = None) -> tuple[str, ...]:
    """The units a form lists: the roster's; for a department, the units its indicators
    are assessed for (all of the roster when one applies to every unit).

    :raises UsageError: when there is no roster.
    """
    roster = roster or ruleset.roster
    if roster is None:
        raise UsageError(_("ruleset '{id}' lists no units ([roster]); give --units FILE with one unit name "
                         "per line").format(id=ruleset.id))
    if lead is None:
        return roster.units
    chosen = lead_indicators(ruleset, lead)
    if any(not indicator.applies_to for indicator in chosen):
        return roster.units
    wanted = {normalise(unit) for indicator in chosen for unit in indicator.applies_to}
    listed = [unit for unit in roster.units if normalise(unit) in wanted]
    others = [unit for indicator in chosen for unit in indicator.applies_to
              if normalise(unit) not in {normalise(u) for u in roster.units}]
    return tuple(dict.fromkeys([*listed, *others]))


def unit_header(ruleset: Ruleset) -> str:
    """The unit column's header: the ruleset's ``unit_kind`` (乡镇（街道）, 成员单位), else 单位."""
    return ruleset.unit_kind or "单位"


# -- values as a form writes them ---------------------------------------------------------

def value_text(value: object) -> str:
    """A bound value as a cell's text: a figure with its digits, a level's name, 不适用,
    or empty for no value."""
    if value is None:
        return ""
    if isinstance(value, Exempt):
        return "不适用"
    if isinstance(value, Decimal):
        return f"{value:f}"
    return str(value)


def same_value(one: object, other: object) -> bool:
    """Whether two bound values are the same (98.5 and 98.50 are)."""
    if isinstance(one, Decimal) and isinstance(other, Decimal):
        return one == other
    return type(one) is type(other) and one == other


def shown_value(value: object, column: FormColumn) -> str:
    """A bound value for a message: ``97.5``, ``完成``, ``不适用``, ``no data``."""
    if value is None:
        return "no data ('-')"
    text = value_text(value)
    return f"{text}%" if isinstance(value, Decimal) and column.unit == PERCENT else text


# -- titles, and qscore's own workbooks ----------------------------------------------------

def form_title(ruleset: Ruleset, year: int, lead: str | None = None) -> str:
    """The form's title: ``2025年度石柱县乡镇（街道）质量强县工作考核填报表（县市场监管局）``."""
    return f"{year}年度{ruleset.title}填报表" + (f"（{lead}）" if lead else "")


def merged_title(ruleset: Ruleset, year: int) -> str:
    """The merged workbook's title: ``2025年度石柱县乡镇（街道）质量强县工作考核汇总表``."""
    return f"{year}年度{ruleset.title}汇总表"


@attrs.frozen
class OwnWorkbook:
    """A form or merged workbook qscore made, as it came back.

    :param kind: ``form`` or ``merged``.
    :param year: the year its title states.
    :param row: its title's row.
    :param sheets: the sheet tabs qscore gave it (``()`` for a CSV form).
    :param lead: the department a form was made for.
    """

    kind: WorkbookKind
    year: int
    row: int
    sheets: tuple[str, ...] = ()
    lead: str | None = None


def own_workbook(table: RawTable, ruleset: Ruleset) -> OwnWorkbook | None:
    """The form or merged workbook of ``ruleset`` that ``table`` is, by its title: the
    first row holds exactly a title :func:`form_title` or :func:`merged_title` makes."""
    texts = [cell for cell in table.header if cell.strip()]
    if len(texts) != 1 or table.header_row != 1:
        return None
    match = re.fullmatch(r"(\d{4})年度" + re.escape(normalise(ruleset.title)) + r"(填报表|汇总表)(?:\((.+)\))?",
                         normalise(texts[0]))
    if match is None:
        return None
    kind: WorkbookKind = "form" if match.group(2) == "填报表" else "merged"
    sheets = () if table.sheet is None else FORM_SHEETS if kind == "form" else MERGED_SHEETS
    return OwnWorkbook(kind, int(match.group(1)), table.header_row, sheets, match.group(3))


def own_notice(notice_kind: str, row: int | None, table: RawTable, own: OwnWorkbook) -> bool:
    """Whether a notice is about qscore's own layout of ``own``: its title row, or (with
    the sheets qscore gave it) which sheet was read."""
    if notice_kind == "title":
        return row == own.row
    return notice_kind == "sheet" and table.sheets == own.sheets


def described(files: Sequence[str]) -> str:
    """Several submissions named as one data source, for messages."""
    if len(files) <= 3:
        return " + ".join(files)
    return _("{file} + {count} more files").format(file=files[0], count=len(files) - 1)
