"""``qscore import-table``: a plan's indicator table turned into a ruleset to finish by hand.

A plan's annex lists 类别, 指标名称, a base-year value, a target-year value and 牵头部门
(石柱's annex: ``指标类别, 指标名称, 2023年, 2027年, 牵头部门``).  The table is read by the
registered reader for its suffix, so whatever formats the active plug-ins read work here.
What the table cannot say (points, ids, a direction where there is no baseline, a unit
that is not in brackets) is guessed and flagged with a ``# 待核对`` comment in the file.
The table is read with the office layout data files get (:mod:`qscore.reading.layout`):
title rows, a 序号 column, two-row headers, note and summary rows, each skipped with a
notice.
"""

from __future__ import annotations

import functools
import re
import tomllib
from collections.abc import Sequence
from decimal import Decimal

import attrs

from qscore.controls import escape_controls
from qscore.errors import DataError, RulesetError
from qscore.i18n import _
from qscore.model import Notice
from qscore.numbers import fmt, plain
from qscore.cells import is_missing, normalise, parse_number
from qscore.reading.layout import LayoutOptions, header_key, recognise
from qscore.reading.table import RawTable
from qscore.rules.base import RuleTypes
from qscore.rulesets import parse_ruleset
from qscore.targets import TargetKinds

CATEGORY_HEADERS = ("类别", "分类", "指标类别", "category")
NAME_HEADERS = ("指标名称", "指标", "名称", "indicator", "name")
BASELINE_HEADERS = ("基期值", "基期", "基准值", "现状值", "baseline")
TARGET_HEADERS = ("目标值", "目标", "target")
LEAD_HEADERS = ("牵头部门", "牵头单位", "责任单位", "lead")
YEAR = re.compile(r"^(\d{4})\s*年?")
UNIT_IN_NAME = re.compile(r"\s*[（(]([^（）()]{1,6})[）)]\s*$")
LOWER_IS_BETTER = ("能耗", "死亡", "事故", "PM2.5", "PM10", "排放", "投诉", "下降", "降低", "不合格", "发生率")
PERCENT_WORDS = ("率", "比例", "占比", "比重")
SCORE_WORDS = ("满意度",)
INDEX_WORDS = ("指数",)
COMPARATORS = re.compile(r"^(≥|>=|＞=|>|＞)|^(≤|<=|<|＜)|(以上|及以上|以内|以下)$")


@attrs.frozen
class Row:
    """One indicator of the table, with what had to be guessed.

    :param category: the category name (continuation rows take the one above).
    :param name: the name without its unit.
    :param unit: the unit, from the brackets or guessed.
    :param baseline: the base-year value, ``None`` for ``-``.
    :param target: the target value, ``None`` when the cell is not a number.
    :param direction: ``higher`` or ``lower``.
    :param lead: the lead department.
    :param row: the row in the file.
    :param flags: what a person must check, in words.
    :param notes: the table's own text where it was not a plain number.
    """

    category: str
    name: str
    unit: str
    baseline: Decimal | None
    target: Decimal | None
    direction: str
    lead: str
    row: int
    flags: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()


@attrs.frozen
class Imported:
    """The table read and guessed at, before it is written as TOML.

    :param rows: the indicators in table order.
    :param base_year: from the baseline column's header (2023年), else given.
    :param horizon_year: from the target column's header (2027年), else given.
    :param file: the table's file name.
    :param notices: the rows and columns of the file that were skipped, and why.
    """

    rows: tuple[Row, ...]
    base_year: int
    horizon_year: int
    file: str
    notices: tuple[Notice, ...] = ()

    @property
    def flagged(self) -> int:
        """How many indicators carry at least one ``# 待核对`` flag."""
        return sum(bool(r.flags) for r in self.rows)


def _column(header: Sequence[str], names: Sequence[str], taken: set[int]) -> int | None:
    keys = [re.sub(r"\s+", "", normalise(h)).lower() for h in header]
    for name in names:
        for number, key in enumerate(keys):
            if number not in taken and key == name:
                return number
    return None


def _columns(table: RawTable) -> dict[str, int | None]:
    header, taken = table.header, set[int]()
    found: dict[str, int | None] = {}
    for role, names in (("category", CATEGORY_HEADERS), ("name", NAME_HEADERS), ("lead", LEAD_HEADERS),
                        ("baseline", BASELINE_HEADERS), ("target", TARGET_HEADERS)):
        column = found[role] = _column(header, names, taken)
        if column is not None:
            taken.add(column)
    years = [n for n, h in enumerate(header) if YEAR.match(h.strip()) and n not in taken]
    if found["baseline"] is None and years:
        found["baseline"] = years.pop(0)
    if found["target"] is None and years:
        found["target"] = years.pop(-1)
    for role in ("name", "baseline", "target"):
        if found[role] is None:
            wanted = {"name": NAME_HEADERS, "baseline": BASELINE_HEADERS, "target": TARGET_HEADERS}[role]
            message = {"name": _("no name column; expected a header such as {headers}"),
                       "baseline": _("no baseline column; expected a header such as {headers} or a year (2023年)"),
                       "target": _("no target column; expected a header such as {headers} or a year (2023年)")}[role]
            raise DataError(message.format(headers=" / ".join(wanted[:3])), file=table.file,
                            sheet=table.sheet, row=table.header_row)
    return found


def _year(table: RawTable, column: int, given: int | None, option: str) -> int:
    if given is not None:
        return given
    match = YEAR.match(table.header[column].strip())
    if match is None:
        raise DataError(_("the header '{header}' names no year; give {option}").format(
                header=table.header[column], option=option), file=table.file,
                        sheet=table.sheet, row=table.header_row)
    return int(match.group(1))


def _cell(cells: Sequence[str], columns: dict[str, int | None], role: str) -> str:
    index = columns[role]
    return cells[index].strip() if index is not None and index < len(cells) else ""


def _known(header: str) -> bool:
    key = header_key(header).lower()
    return bool(YEAR.match(header.strip())) or any(
        key == name for names in (CATEGORY_HEADERS, NAME_HEADERS, BASELINE_HEADERS, TARGET_HEADERS, LEAD_HEADERS)
        for name in names)


def read_table(table: RawTable, *, base_year: int | None = None, horizon_year: int | None = None) -> Imported:
    """Read an indicator table into :class:`Row` objects, guessing and flagging."""
    if not table.header:
        raise DataError(_("the file is empty; expected a header row and one row per indicator"), file=table.file)
    # An annex merges a category over its indicators' rows (or a target over two
    # indicators): each cell of the range takes the value, as each row means.
    layout = recognise(table, NAME_HEADERS, known=_known, options=LayoutOptions(merged="fill"),
                       missing=_("no name column; expected a header such as {headers}").format(
                           headers=" / ".join(NAME_HEADERS[:3])))
    if layout.problems:
        raise DataError(problems=list(layout.problems))
    table = layout.table
    columns = _columns(table)
    rows, category = [], ""
    for cells, number in zip(table.rows, table.row_numbers):
        role = functools.partial(_cell, cells, columns)
        name = re.sub(r"\s+", "", role("name"))
        if not name:
            continue
        category = re.sub(r"\s+", "", normalise(role("category"))) or category
        rows.append(_row(table.file, number, category, name, role("baseline"), role("target"), role("lead")))
    if not rows:
        raise DataError(_("no indicator rows under the header"), file=table.file)
    return Imported(rows=tuple(rows), file=table.file, notices=(*table.notices, *layout.notices),
                    base_year=_year(table, columns["baseline"], base_year, "--base-year"),  # type: ignore[arg-type]
                    horizon_year=_year(table, columns["target"], horizon_year, "--horizon-year"))  # type: ignore[arg-type]


def _number(text: str, what: str, flags: list[str], notes: list[str]) -> tuple[Decimal | None, str | None]:
    """The cell's number, and ``lower``/``higher`` when it carries ≤/≥ wording."""
    if is_missing(text):
        return None, None
    cleaned = normalise(text).replace(" ", "")
    hint = None
    match = COMPARATORS.search(cleaned)
    if match:
        hint = "higher" if match.group(1) or match.group(3) in ("以上", "及以上") else "lower"
        cleaned = COMPARATORS.sub("", cleaned)
    try:
        number = parse_number(cleaned)
    except ValueError:
        number = None
    if number is None:
        flags.append(f"{what}「{text}」不是数值，请手工填写")
        notes.append(f"表中{what}为「{text}」")
    elif hint or cleaned != normalise(text).replace(" ", ""):
        notes.append(f"表中{what}为「{text}」")
    return number, hint


def _row(file: str, number: int, category: str, name: str, baseline_text: str, target_text: str,
         lead: str) -> Row:
    flags: list[str] = []
    notes: list[str] = []
    match = UNIT_IN_NAME.search(name)
    unit = match.group(1) if match else ""
    name = UNIT_IN_NAME.sub("", name) if match else name
    if not unit:
        unit = _guess_unit(name, flags)
    baseline, _flag = _number(baseline_text, "基期值", flags, notes)
    target, hint = _number(target_text, "目标值", flags, notes)
    if is_missing(baseline_text):
        flags.append("无基期值（-），规则设为达标制（pass_fail）")
    direction = _direction(name, baseline, target, hint, flags)
    if not category:
        flags.append("没有类别")
    return Row(category=category, name=name, unit=unit, baseline=baseline, target=target, direction=direction,
               lead=lead, row=number, flags=tuple(flags), notes=tuple(notes))


def _guess_unit(name: str, flags: list[str]) -> str:
    if any(word in name for word in PERCENT_WORDS):
        flags.append("单位未标注，按名称猜作 %")
        return "%"
    if any(word in name for word in SCORE_WORDS):
        flags.append("单位未标注，按名称猜作 分")
        return "分"
    if any(word in name for word in INDEX_WORDS):
        flags.append("单位未标注：指数，按无单位处理")
        return ""
    flags.append("单位未标注，请补 unit（家、个、件、项 …）")
    return ""


def _direction(name: str, baseline: Decimal | None, target: Decimal | None, hint: str | None,
               flags: list[str]) -> str:
    if hint:
        return hint
    if baseline is not None and target is not None:
        if target < baseline:
            flags.append("目标值低于基期值，按「越低越好」处理，请核对")
            return "lower"
        return "higher"
    lower = any(word in name for word in LOWER_IS_BETTER)
    flags.append(f"方向无从判断（无基期值），按名称猜作「越{'低' if lower else '高'}越好」")
    return "lower" if lower else "higher"


# -- writing -------------------------------------------------------------------------------

# TOML basic strings take no raw control character but tab (U+0000–U+001F, U+007F);
# C1 controls are legal but escaped too, so the file shows as it reads.
_TOML_ESCAPES = {'"': '\\"', "\\": "\\\\", "\b": "\\b", "\t": "\\t", "\n": "\\n", "\f": "\\f", "\r": "\\r"}
_TOML_UNSAFE = re.compile('["\\\\\x00-\x1f\x7f-\x9f]')


def _string(text: str) -> str:
    """``text`` as a TOML basic string that reads back as ``text``.

    :raises DataError: for a lone surrogate, which no TOML file can hold.
    """
    if any("\ud800" <= character <= "\udfff" for character in text):
        raise DataError(_("the text {text!r} holds a lone surrogate, which is not text").format(
                text=escape_controls(text)))
    return '"' + _TOML_UNSAFE.sub(_toml_escape, text) + '"'


def _toml_escape(match: re.Match[str]) -> str:
    character = match.group()
    return _TOML_ESCAPES.get(character) or f"\\u{ord(character):04x}"


def _comment(text: str) -> str:
    """A ``#`` comment line carrying ``text``: a line break, CR or other control
    character in it is written ``\\x0a`` and cannot end the comment."""
    return "# " + escape_controls(text, one_line=True)


def _points(count: int, full: Decimal) -> list[Decimal]:
    share = (full / count).quantize(Decimal("0.01"), rounding="ROUND_DOWN")
    points = [share] * count
    points[0] += full - share * count
    return points


def to_toml(imported: Imported, *, ruleset_id: str, title: str, jurisdiction: str,
            full_marks: Decimal = Decimal(100)) -> str:
    """The ruleset file text: loadable where every target was a number, flagged for review."""
    categories = list(dict.fromkeys(r.category for r in imported.rows if r.category))
    points = _points(len(imported.rows), full_marks)
    lines = [
        _comment(f"Imported by `qscore import-table` from {imported.file}: {len(imported.rows)} indicators, "
                 f"{imported.flagged} flagged for review (# 待核对)."),
        "# Ids are placeholders (i01 …), points are full marks shared evenly, rules are guesses:",
        "# finish by hand against the scoring sheet (评分细则), then run `qscore validate`.",
        "schema = 1",
        f"id = {_string(ruleset_id)}",
        f"title = {_string(title)}",
        f"jurisdiction = {_string(jurisdiction)}",
        f"base_year = {imported.base_year}",
        f"horizon_year = {imported.horizon_year}",
        f"source = {_string(imported.file)}",
        "assumptions = [",
        f"  {_string(f'分值按 {fmt(full_marks)} 分在 {len(imported.rows)} 项指标间平均分配，待按评分细则修改。')},",
        f"  {_string('规则：有基期值的用进度（progress），其余用达标（pass_fail），待按评分细则修改。')},",
        "]",
    ]
    for number, name in enumerate(categories, 1):
        lines += ["", "[[categories]]", f'id = "c{number}"', f"name = {_string(name)}"]
    for number, (row, share) in enumerate(zip(imported.rows, points), 1):
        lines += ["", *_indicator_lines(row, number, share, categories)]
    return "\n".join(lines) + "\n"


def _indicator_lines(row: Row, number: int, points: Decimal, categories: list[str]) -> list[str]:
    lines = [_comment(f"待核对: {flag}") for flag in row.flags]
    lines += ["[[indicators]]", f'id = "i{number:02d}"', f"name = {_string(row.name)}"]
    if row.category:
        lines.append(f'category = "c{categories.index(row.category) + 1}"')
    if row.unit:
        lines.append(f"unit = {_string(row.unit)}")
    lines.append(f'direction = "{row.direction}"')
    if row.baseline is not None:
        lines.append(f"baseline = {plain(row.baseline)}")
    lines += _target_lines(row)
    lines.append(f"points = {plain(points)}")
    if row.lead:
        lines.append(f"lead = {_string(row.lead)}")
    if row.notes:
        lines.append(f"notes = [{', '.join(_string(n) for n in row.notes)}]")
    lines.append(f"source = {_string(f'指标表第{row.row}行')}")
    return lines


def _target_lines(row: Row) -> list[str]:
    if row.target is None:
        return ["# target = ?   ← 目标值不是数值，请填写", 'rule = "pass_fail"']
    if row.baseline is not None and row.target == row.baseline:
        return [f'target = {{ kind = "maintain", value = {plain(row.target)} }}', 'rule = "pass_fail"']
    rule = "progress" if row.baseline is not None else "pass_fail"
    return [f"target = {plain(row.target)}", f'rule = "{rule}"']


def check_loads(text: str, imported: Imported, rule_types: RuleTypes, target_kinds: TargetKinds) -> None:
    """Make sure :func:`to_toml`'s ``text`` is TOML, and a ruleset the loader takes
    when every target was a number (a missing target is left for a person to fill in).

    :raises DataError: naming the table, when it is not.
    """
    try:
        data = tomllib.loads(text, parse_float=Decimal)
        if all(row.target is not None for row in imported.rows):
            parse_ruleset(data, rule_types, target_kinds=target_kinds)
    except (ValueError, RulesetError) as exc:
        raise DataError(_("the table does not make a ruleset that loads ({exc}); nothing was written").format(
                exc=exc),
                        file=imported.file) from None

