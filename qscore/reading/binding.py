"""Binding a reader's table to a ruleset: the observed data, column by column.

Readers (CSV, JSON, workbooks, plug-ins' own) only turn a file into a :class:`RawTable` of
strings.  Binding does the rest in one place: the office layout
(:mod:`~qscore.reading.layout`: title rows, 序号, 合计 and 注 rows, two-row headers, hidden
and merged cells), wide or long layout, headers by id or Chinese name (with a unit in
brackets, ``食品抽检合格率（%）``), per-unit figures such as last year's value or a
reference (``食品抽检合格率@上年``, ``…@全国平均``), cell parsing, the unit roster, and
every check whose failure must name the file, the row and the column.

Every column is accounted for: used, skipped with a notice (序号, 备注, or an unknown
column under ``--ignore-unknown``), or refused.  Every problem of a file is collected
and reported together (:class:`~qscore.errors.DataProblems`).
"""

from __future__ import annotations

import difflib
import functools
import re
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from decimal import Decimal
from operator import itemgetter
from typing import Any

import attrs

from qscore.errors import DataError, MissingFigure, DataProblem, DataProblems
from qscore.i18n import N_, _
from qscore.model import PERCENT_UNITS, Indicator, Item, Notice, Roster, Ruleset, Source, Sources
from qscore.cells import EXEMPT, CellError, Exempt, invisible, is_exempt, is_missing, normalise, normalise_all, \
    LINE_BREAKS, one_line, parse_count, parse_number
from qscore.reading.layout import (HEADER_SEARCH, MEASURE_WORDS, Layout, LayoutOptions, StatedYear, find_column,
                                   header_key, recognise, stated_year)
from qscore.reading.sheets import column_letter
from qscore.reading.table import RawTable

#: Headers of the unit column, most specific first (the ruleset's unit_kind comes before all).
UNIT_HEADERS = ("考核单位", "被考核单位", "单位名称", "乡镇名称", "乡镇（街道）名称", "乡镇（街道）", "乡镇街道", "镇（街道）",
                "镇街", "乡镇", "街道", "区县", "区县名称", "区（县）", "县（市、区）", "县市区", "市州", "市（州）",
                "市州名称", "部门", "部门名称", "成员单位", "单位（部门）", "地区", "unit", "单位", "名称")
LONG_INDICATOR = ("indicator", "指标", "指标名称")
LONG_VALUE = ("value", "值", "数值", "完成值")
LONG_FIELD = ("field", "字段")
FIELD_ALIASES = {"": "value", "value": "value", "值": "value", "previous": "previous", "上年": "previous",
                 "上年值": "previous", "baseline": "baseline", "基期": "baseline", "基期值": "baseline"}
FIELD_NAMES = {"baseline": "基期", "previous": "上年"}
COUNT_UNITS = ("家", "个", "件", "项", "次", "人", "亩", "万亩")
#: Words that count things alike: a header may say 个 for an indicator counted in 家.
COUNT_WORDS = ("个", "家", "件", "项")
#: A percent column whose figures all lie in [0, FRACTION_CEILING] while the target is at
#: least FRACTION_TARGET looks like fractions (0.975 for 97.5%).
FRACTION_CEILING = Decimal("1.5")
FRACTION_TARGET = Decimal(10)
_TRAILING_BRACKET = re.compile(r"[(\[]([^()\[\]]*)[)\]]$")
_SPACES = re.compile(r"\s+")

Cell = Decimal | str | Exempt | None
ITEM_FIGURES = N_("bonus, deduction and veto items take one count per unit, not '@' figures")
_UNPARSED = object()


class _Bad:
    """A cell text that failed to parse, in place of its value."""

    __slots__ = ("message",)

    def __init__(self, message: str) -> None:
        self.message = message


@attrs.frozen
class BindOptions:
    """How to bind a table, from the command line or :func:`qscore.score`.

    :param ignore_unknown: skip columns that name nothing in the ruleset (never one close
        to a name it has), with a notice.
    :param partial: the batch need not hold every unit of the roster, and a unit not on it
        is a notice, not an error.
    :param roster: the units to check against instead of the ruleset's roster.
    :param percent_fractions: accept a percent column written as fractions (0.975 for
        97.5%) and multiply it by 100, with a notice.
    :param layout: what to do with hidden and merged cells.
    :param complete: every indicator must have a column; ``False`` for a submission that
        gives some of them (one department's columns), merged with others.
    :param sources: record the cell each non-blank value came from
        (:attr:`Dataset.sources`), for merging submissions.
    """

    ignore_unknown: bool = False
    partial: bool = False
    roster: Roster | None = None
    percent_fractions: bool = False
    layout: LayoutOptions = LayoutOptions()
    complete: bool = True
    sources: bool = False


@attrs.frozen
class Dataset:
    """Observed data bound to a ruleset, column by column.

    :param file: where the data came from.
    :param units: unit names in input order.
    :param rows: each unit's row in the file.
    :param values: indicator id → each unit's value (``None``: missing; ``EXEMPT``:
        marked 不适用).
    :param figures: ``(indicator id, field)`` → each unit's figure, where field is
        ``baseline``, ``previous`` or a reference name (全国平均 …).
    :param items: bonus/deduction/veto item id → each unit's count of occurrences.
    :param columns: indicator or item id → the header the file used, for messages.
    :param codes: indicator id → each unit's code and each code's value, such that
        ``values[id][n] is distinct[codes[n]]``: equal cells share a code, so the engine
        scores each code once.  Made by the column-wise binding; optional.
    :param figure_codes: ``(indicator id, field)`` → each unit's code and each code's
        figure, as ``codes`` for a column of ``figures``.  Made by the column-wise
        binding; optional.
    :param notices: rows and columns skipped, layouts recognised, names cleaned, figures
        converted: what the examiner must be told.
    :param sheet: the workbook sheet the data came from, ``None`` for other files.
    :param stated_year: the assessment year the title, sheet or file name states.
    :param sources: each non-blank value's cell, by ``(unit, column)`` (the keys of
        ``columns``): made only when asked (:attr:`BindOptions.sources`) or when
        submissions are merged; ``None`` otherwise.
    :param origins: for submissions merged, each unit's own file, sheet and row (the
        first that names it), where a message about the unit points; ``None`` when every
        unit's row is in ``file``.
    """

    file: str
    units: tuple[str, ...]
    rows: tuple[int, ...]
    values: dict[str, list[Cell]]
    figures: dict[tuple[str, str], list[Decimal | None]]
    items: dict[str, list[Decimal]]
    columns: dict[str, str]
    codes: dict[str, tuple[list[int], list[Cell]]] = attrs.field(factory=dict)
    figure_codes: dict[tuple[str, str], tuple[list[int], list[Cell]]] = attrs.field(factory=dict)
    notices: tuple[Notice, ...] = ()
    sheet: str | None = None
    stated_year: StatedYear | None = None
    sources: Sources | None = None
    origins: tuple[tuple[str, str | None, int], ...] | None = None

    def where(self, unit: int) -> dict[str, Any]:
        """Where the unit at ``unit`` is, as a message names it: ``file``, ``sheet``, ``row``."""
        if self.origins is not None:
            file, sheet, row = self.origins[unit]
            return {"file": file, "sheet": sheet, "row": row}
        return {"file": self.file, "sheet": self.sheet, "row": self.rows[unit]}


def one_unit(data: Dataset, position: int) -> Dataset:
    """A copy of ``data`` holding only the unit at ``position``, with its own lists (a
    rule that scores a unit on its own gives it the same points there)."""
    return Dataset(file=data.file, units=(data.units[position],), rows=(data.rows[position],),
                   values={key: [column[position]] for key, column in data.values.items()},
                   figures={key: [column[position]] for key, column in data.figures.items()},
                   items={key: [column[position]] for key, column in data.items.items()},
                   columns=data.columns, sheet=data.sheet, stated_year=data.stated_year,
                   origins=None if data.origins is None else (data.origins[position],))


def unit_headers(ruleset: Ruleset) -> tuple[str, ...]:
    """The unit column's headers for ``ruleset``: its ``unit_kind`` (and ``unit_kind名称``)
    first, then the common ones."""
    if not ruleset.unit_kind:
        return UNIT_HEADERS
    return (f"{ruleset.unit_kind}名称", ruleset.unit_kind, *UNIT_HEADERS)


class HeaderIndex:
    """Finds the indicator or item a header names, by id, Chinese name or alias."""

    def __init__(self, ruleset: Ruleset) -> None:
        self.ruleset = ruleset
        self.names: dict[str, str] = {}
        things: list[Indicator | Item] = [*ruleset.indicators, *ruleset.adjustments.items]
        for thing in things:
            for name in (thing.id, thing.name, *getattr(thing, "aliases", ())):
                self.names.setdefault(header_key(name), thing.id)
        self.indicators = {i.id: i for i in ruleset.indicators}
        self.items = {i.id for i in ruleset.adjustments.items}

    def find(self, header: str) -> str | None:
        """The id the header names; a bracket at its end is dropped only when it holds a
        unit of measure (``食品抽检合格率（%）``), never a note (``（2024年上年值）``)."""
        key = header_key(header)
        if key in self.names:
            return self.names[key]
        shorter, bracket = split_bracket(key)
        thing = self.names.get(shorter) if bracket is not None else None
        return thing if thing is not None and self.is_unit(thing, bracket or "") else None

    def noted(self, header: str) -> tuple[str, str] | None:
        """``(id, note)`` for a header that is a name with a bracketed note that is not a unit."""
        shorter, bracket = split_bracket(header_key(header))
        thing = self.names.get(shorter) if bracket is not None else None
        return (thing, bracket or "") if thing is not None else None

    def is_unit(self, thing: str, text: str) -> bool:
        """Whether ``text`` (a bracket's content) is the unit ``thing`` is measured in: the
        indicator's own unit (a plain count word for a count: 个, 家, 件, 项 alike), or any
        unit of measure for an item or an indicator that states none.  Another unit is a
        different scale (‰ for %, 万元 for 亿元), which the figures would be read in."""
        text = _measure(text)
        own = self.unit_of(thing)
        if own is None:
            return _is_measure(text)
        return text == own or (text in COUNT_WORDS and own in COUNT_WORDS)

    def unit_of(self, thing: str) -> str | None:
        """The unit an indicator states, folded as a header is; ``None`` for an item or an
        indicator without one."""
        indicator = self.indicators.get(thing)
        return header_key(indicator.unit) if indicator is not None and indicator.unit else None

    def other_unit(self, thing: str, text: str) -> bool:
        """Whether ``text`` is a unit of measure, but not the one ``thing`` is measured in."""
        text = _measure(text)
        return _is_measure(text) and not self.is_unit(thing, text)

    def knows(self, header: str) -> bool:
        return self.find(split_field(header)[0]) is not None

    def suggest(self, header: str, cutoff: float = 0.5) -> list[str]:
        return difflib.get_close_matches(header_key(header), list(self.names), n=3, cutoff=cutoff)

    def near(self, header: str) -> list[str]:
        """Names the header comes close to: a near miss ``--ignore-unknown`` must not skip."""
        key = header_key(split_field(header)[0])
        containing = [name for name in self.names if len(name) >= 2 and (name in key or (len(key) >= 2 and key in name))]
        return list(dict.fromkeys([*containing, *self.suggest(key, 0.6)]))[:3]


def split_field(header: str) -> tuple[str, str, str]:
    """``名称@字段`` split at its ``@``, also when typed full-width (``＠``, as a Chinese
    input method writes it): ``(name, "@", field)``, or ``(header, "", "")``."""
    return header.replace("＠", "@").replace("﹫", "@").partition("@")


def _measure(text: str) -> str:
    """A bracket's content without a leading ``单位：``."""
    return text.removeprefix("单位:").removeprefix("单位").strip()


def _is_measure(text: str) -> bool:
    """Whether ``text`` (a bracket's content, :func:`_measure`) is a unit of measure."""
    return text in MEASURE_WORDS or text in COUNT_UNITS or text in PERCENT_UNITS


def split_bracket(key: str) -> tuple[str, str | None]:
    """``key`` without a trailing bracket, and the bracket's content (``None`` if none)."""
    match = _TRAILING_BRACKET.search(key)
    if match is None or match.start() == 0:
        return key, None
    return key[:match.start()], match.group(1)


def bind(table: RawTable, ruleset: Ruleset, *, ignore_unknown: bool = False,
         options: BindOptions | None = None) -> Dataset:
    """Turn ``table`` into a :class:`Dataset` for ``ruleset``.

    :param ignore_unknown: skip columns that name nothing in the ruleset (a shorthand
        for ``options=BindOptions(ignore_unknown=True)``).
    :param options: every binding option.
    :raises DataError: carrying every problem found (up to
        :attr:`~qscore.errors.DataProblems.LIMIT`), each naming the file, row and column.
    """
    options = options or BindOptions(ignore_unknown=ignore_unknown)
    if not table.header:
        if table.sheet is not None and len(table.sheets) > 1:
            empty = _("the sheet is empty; the workbook's sheets are {sheets}; give --sheet with the sheet to "
                      "read").format(sheets=", ".join(table.sheets))
        elif table.sheet is not None:
            empty = _("the sheet is empty; expected a header row and one row per unit")
        else:
            empty = _("the file is empty; expected a header row and one row per unit")
        raise DataError(empty, file=table.file, sheet=table.sheet)
    index = HeaderIndex(ruleset)
    headers = unit_headers(ruleset)
    named = " / ".join(dict.fromkeys(h for h in (ruleset.unit_kind, "单位", "单位名称", "考核单位", "乡镇名称") if h))
    layout = recognise(table, headers, known=index.knows, options=options.layout,
                       missing=_("no unit column in the first {rows} rows; expected one headed {named} …").format(
                           rows=HEADER_SEARCH, named=named))
    if not layout.table.rows:
        skipped = sum(1 for n in layout.notices if n.kind == "row")
        raise DataError(_("the file has a header but no rows; expected one row per unit ({skipped} rows were "
                          "skipped as summary, note or section rows)").format(skipped=skipped) if skipped
                        else _("the file has a header but no rows; expected one row per unit"),
                        file=table.file, sheet=table.sheet)
    problems = DataProblems()
    for problem in layout.problems:
        problems.add(problem)
    binder = (_LongBinder if _is_long(layout.table.header) else _WideBinder)(layout, index, ruleset, options, problems)
    binder.bind()
    binder.check_fractions()
    binder.check_roster(options.roster or ruleset.roster)
    problems.raise_any()
    return binder.dataset(stated_year(layout.titles, table.sheet, table.file),
                          (*table.notices, *layout.notices))


def _is_long(header: Sequence[str]) -> bool:
    return find_column(header, LONG_INDICATOR) is not None and find_column(header, LONG_VALUE) is not None


class _Binder:
    def __init__(self, layout: Layout, index: HeaderIndex, ruleset: Ruleset, options: BindOptions,
                 problems: DataProblems) -> None:
        self.layout, self.table, self.index, self.ruleset = layout, layout.table, index, ruleset
        self.options, self.problems = options, problems
        self.unit_column = layout.key_column
        self.units: dict[str, int] = {}
        self.rows: list[int] = []
        self.values: dict[str, list[Cell]] = {}
        self.figures: dict[tuple[str, str], list[Decimal | None]] = {}
        self.items: dict[str, list[Decimal]] = {}
        self.columns: dict[str, str] = {}
        self.cache: dict[tuple[str, str, str], object] = {}
        self.codes: dict[str, tuple[list[int], list[Cell]]] = {}
        self.figure_codes: dict[tuple[str, str], tuple[list[int], list[Cell]]] = {}
        self.notices: list[Notice] = []
        self.seen: set[str] = set()  # the indicators and items the header names
        # (indicator, field) of a % column → each unit's code and each code's text, so that a
        # figure written as a fraction can be told from one written with its % sign.
        self.texts: dict[tuple[str, str], tuple[Sequence[int | None], list[str], list[Cell] | None]] = {}
        self.meant: set[str] = set()  # ids a refused header seems to mean (did you mean …?)
        # The units whose row is refused whole (ragged, a cell under no header): in the data,
        # though not read, so not also "not in the data".
        self.refused_units: set[str] = set()
        self.sources: dict[tuple[str, str], Source] | None = {} if options.sources else None

    # -- where -------------------------------------------------------------------------

    def where(self, row: int | None, column: int | None) -> dict[str, Any]:
        table = self.table
        name = table.header[column] if column is not None and column < len(table.header) else None
        cell = None
        if table.sheet is not None and row is not None and column is not None:
            cell = f"{column_letter(column)}{row}"
        return {"file": table.file, "sheet": table.sheet, "row": row, "column": name or None, "cell": cell}

    def problem(self, message: str, row: int | None, column: int | None) -> None:
        self.problems.add(DataProblem(message, **self.where(row, column)), -1 if column is None else column)

    def notice(self, kind: str, message: str, row: int | None, column: int | None) -> None:
        self.notices.append(Notice(kind, message, **self.where(row, column)))

    # -- columns -----------------------------------------------------------------------

    def target_of(self, header: str, row: int, column: int | None) -> tuple[str, str] | None:
        """``(id, field)`` a header names; ``None`` (with a problem or a notice) for a
        header that names nothing usable."""
        name, at, field = split_field(header)
        thing = self.index.find(name)
        if thing is None:
            self.unknown(header, row, column)
            return None
        if not at:
            return thing, "value"
        if thing in self.index.items:
            self.problem(_(ITEM_FIGURES), row, column)
            return None
        return self.field_of(thing, field, row, column)

    subject = N_("column")

    def unknown(self, header: str, row: int, column: int | None) -> None:
        """A header that names nothing: a problem, or (``--ignore-unknown``, far from every
        name) an ignored column, which :meth:`ignored` reports."""
        ruleset, subject = self.ruleset.id, _(self.subject).format(header.strip())
        noted = self.index.noted(split_field(header)[0])
        if noted is not None and self.index.other_unit(*noted):
            self.meant.add(noted[0])
            measured = self.index.indicators[noted[0]]
            self.problem(_("{value} would be {name}, which is measured in {unit}, but the bracket says '{noted}': "
                           "figures in another unit would be read as {unit}; convert them to {unit} and head the "
                           "column {name}（{unit}）").format(
                    value=_("the column") if self.subject == "column" else subject, name=measured.name,
                    unit=measured.unit, noted=noted[1]), row, column)
            return
        if noted is not None:
            self.meant.add(noted[0])
            indicator = self.index.indicators.get(noted[0])
            name = indicator.name if indicator is not None else noted[0]
            value = _("the column") if self.subject == "column" else subject
            if indicator is not None and indicator.unit:
                message = _("{value} would be {name}, but the bracket holds '{noted}', which is not a unit of "
                            "measure; name this year's figures {name} (or {name}（{unit}）) and last year's "
                            "{name}@上年").format(value=value, name=name, noted=noted[1], unit=indicator.unit)
            else:
                message = _("{value} would be {name}, but the bracket holds '{noted}', which is not a unit of "
                            "measure; name this year's figures {name} and last year's {name}@上年").format(
                        value=value, name=name, noted=noted[1])
            self.problem(message, row, column)
            return
        if not self.options.ignore_unknown:
            close = self.index.suggest(split_field(header)[0])
            self.meant.update(self.index.names[key] for key in close[:1])
            hint = _("; did you mean {names}?").format(names=" / ".join(close)) if close else ""
            self.problem(_("{subject} names no indicator or item of ruleset '{ruleset}'{hint}"
                         " (use --ignore-unknown to skip such columns)").format(
                    subject=subject, ruleset=ruleset, hint=hint), row, column)
            return
        near = self.index.near(header)
        self.meant.update(self.index.names[key] for key in near[:1])
        if near:
            self.problem(_("{subject} names no indicator or item of ruleset '{ruleset}' but comes close to "
                         "{near}, so --ignore-unknown does not skip it; rename it to the name it means, "
                         "or delete it").format(
                    subject=subject, ruleset=ruleset, near=' / '.join(near)), row, column)
            return
        self.ignored(header, row, column)

    def ignored(self, header: str, row: int, column: int | None) -> None:
        self.notice("column", _("ignored: the column names no indicator or item of the ruleset (--ignore-unknown)"),
                    row, column)

    def field_of(self, thing: str, field: str, row: int, column: int | None) -> tuple[str, str] | None:
        """The figure an ``@`` field names, when the indicator reads it."""
        indicator = self.index.indicators[thing]
        key, bracket = split_bracket(header_key(field))
        if bracket is not None and self.index.is_unit(thing, bracket):
            field = key
        alias = FIELD_ALIASES.get(header_key(field).lower())
        references = _references(indicator)
        if alias == "previous" and getattr(indicator.target, "needs", None) != "previous":
            self.notice("figure", _("not used: the target of {name} does not compare with last year's "
                                  "value").format(name=indicator.name), row, column)
        if alias is not None:
            return thing, alias
        name = field.strip()
        if references is None or name in references:
            return thing, name
        spellings = ["基期", "上年", *references]
        close = difflib.get_close_matches(header_key(field), [*spellings, "基期值", "上年值"], n=1, cutoff=0.4)
        hint = _("; did you mean @{name}?").format(name=close[0]) if close else ""
        self.problem(_("'@{name}' is not a figure {indicator_name} reads: it reads "
                     "{value}{hint}").format(
                name=name, indicator_name=indicator.name, value=', '.join(('@' + s for s in spellings)),
                hint=hint), row, column)
        return None

    def check_complete(self) -> None:
        """Every indicator has a column (unless a refused column seems to mean it: its
        problem already says so), unless the table is one submission of several."""
        if not self.options.complete:
            return
        for indicator in self.ruleset.indicators:
            if indicator.id not in self.values and indicator.id not in self.seen | self.meant:
                self.problem(self.absent(indicator), self.table.header_row, None)

    def absent(self, indicator: Indicator) -> str:
        """What to say of an indicator the table does not give."""
        return _("no column for indicator {id} ({name}); add it, leaving cells empty or '-' where there is "
                 "no data").format(id=indicator.id, name=indicator.name)

    # -- rows and cells ----------------------------------------------------------------

    def unit_name(self, cells: Sequence[str], row: int) -> str | None:
        raw = cells[self.unit_column] if self.unit_column < len(cells) else ""
        name = normalise(raw)
        if not name:
            self.problem(_("the unit name is empty"), row, self.unit_column)
            return None
        marks = invisible(raw)
        if marks:
            self.notice("unit", _("the unit name '{name}' held invisible characters ({marks}); they were "
                                "removed").format(name=name, marks=', '.join(marks)), row, self.unit_column)
        if LINE_BREAKS.isdisjoint(name):
            return name
        self.lines_notice(name, row)
        return one_line(name)

    def lines_notice(self, name: str, row: int) -> None:
        """Say that the cell held the unit's name on several lines, and how it was read."""
        self.notice("unit", _("the unit name is written on {count} lines in its cell; read as '{name}'").format(
            count=len(name.splitlines()), name=one_line(name)), row, self.unit_column)

    def unit_index(self, name: str, row: int) -> int:
        if name not in self.units:
            self.units[name] = len(self.rows)
            self.rows.append(row)
            for values in self.values.values():
                values.append(None)
            for figures in self.figures.values():
                figures.append(None)
            for counts in self.items.values():
                counts.append(Decimal(0))
        return self.units[name]

    def check_width(self, cells: Sequence[str], row: int) -> bool:
        """A ragged row has shifted or lost cells; no guess at which is safe."""
        header = self.table.header
        if len(cells) < len(header):
            self.problem(_("the row has {count} cells, the header has {count2}; expected a cell "
                         "for this column (empty if there is no data)").format(
                    count=len(cells), count2=len(header)), row, len(cells))
            return False
        if len(cells) > len(header) and any(cell.strip() for cell in cells[len(header):]):
            self.problem(_("the row has {count} cells, the header has {count2}; expected no "
                         "cells after column {count2}").format(
                    count=len(cells), count2=len(header)), row, None)
            return False
        if len(cells) > max(len(header), self.usual_width):
            # Empty cells past the header are padding when every row has them; one row
            # longer than the rest has a value split in two (1,449 typed without quotes
            # in a CSV file), and its cells from there on have moved one column right.
            self.problem(_("the row has {count} cells, the other rows have {count2}: a value in it may hold a comma "
                           "that split it in two (1,449 typed without quotes), moving the cells after it one column "
                           "right; write such a value in quotes (\"1,449\") or without the comma").format(
                    count=len(cells), count2=max(len(header), self.usual_width)), row, None)
            return False
        return True

    @functools.cached_property
    def usual_width(self) -> int:
        """How many cells most data rows have (the fewest, if as many rows have more)."""
        widths = Counter(map(len, self.table.rows))
        most = max(widths.values(), default=0)
        return min((width for width, count in widths.items() if count == most), default=0)

    def parse(self, thing: str, field: str, text: str) -> Cell:
        if thing in self.index.items:
            return parse_count(text)
        indicator = self.index.indicators[thing]
        if field == "value" and is_exempt(text):
            return EXEMPT
        if field == "value" and indicator.rule.value_kind == "level":
            return self.parse_level(indicator, text)
        number = parse_number(text)
        if number is not None:
            _check_range(indicator, number)
            _check_percent_sign(indicator, text)
        return number

    @staticmethod
    def parse_level(indicator: Indicator, text: str) -> str | None:
        if is_missing(text):
            return None
        cleaned = normalise(text)
        levels = getattr(indicator.rule, "levels", {})
        if cleaned in levels:
            return cleaned
        # 完　成: offices pad two-character words with a space to align them, as in 合　计.
        spaced = {_SPACES.sub("", normalise(level)): level for level in levels}
        level = spaced.get(_SPACES.sub("", cleaned))
        if level is None:
            raise CellError(_("expected one of the levels {levels}, got {strip!r}").format(
                    levels=' / '.join(levels), strip=text.strip()))
        return str(level)

    def column_of(self, thing: str, field: str) -> tuple[dict, object, object]:
        """Where the cells of ``(thing, field)`` go: the mapping, its key, the empty cell."""
        if thing in self.index.items:
            return self.items, thing, Decimal(0)
        if field == "value":
            return self.values, thing, None
        return self.figures, (thing, field), None

    # -- whole-file checks -------------------------------------------------------------

    def check_fractions(self) -> None:
        """A percent figure written as a fraction (0.975 for 97.5%) scores as a hundredth
        of itself: in a ``%`` column where the target is 10% or more (higher is better), a
        figure between 0 and 1.5 written without a % sign is refused, or multiplied by 100
        when the option says so.  A whole column of them says so once; a figure that
        really is that small is written with its % sign (``1.2%``).

        Where the ruleset gives no figure to go by (a target that is a reference, 省下达 or
        全省平均, or last year's value), the indicator's other columns in the data do: a
        fraction beside a column of percentages (``0.938`` under ``地表水水质优良比例`` while
        ``地表水水质优良比例@省下达`` holds ``92.5``) would be compared with them as it is."""
        for indicator in self.ruleset.indicators:
            if indicator.unit not in PERCENT_UNITS or indicator.direction != "higher":
                continue
            magnitude = _magnitude(indicator, self.ruleset)
            if magnitude is not None and magnitude < FRACTION_TARGET:
                continue  # a small target: a small figure may be just what it says
            fields = ["value", *(field for thing, field in self.figures if thing == indicator.id)]
            columns = {field: coded for field in fields if (coded := self.coded((indicator.id, field))) is not None}
            targets = {field: self.fraction_target(indicator, field, magnitude, columns) for field in columns}
            for field, (codes, distinct, texts) in columns.items():
                target = targets[field]
                if target is None:
                    continue
                suspect = {code for code, (value, text) in enumerate(zip(distinct, texts))
                           if isinstance(value, Decimal) and 0 < value <= FRACTION_CEILING and "%" not in normalise(text)}
                if suspect:
                    self.fractions(indicator, field, target, codes, distinct, texts, suspect)

    def fraction_target(self, indicator: Indicator, field: str, magnitude: Decimal | None,
                        columns: dict[str, tuple[Sequence[int | None], list[Cell], list[str]]]) -> str | None:
        """What a column's figures of ``indicator`` are measured against, in words: the
        ruleset's target, else the largest figure of its other columns when that is a
        percentage of 10 or more; ``None`` when there is nothing to go by."""
        if magnitude is not None:
            return _("the target is {magnitude:f}%").format(magnitude=magnitude)
        others = [(max(numbers), other) for other, (_codes, distinct, _texts) in columns.items() if other != field
                  and (numbers := [value for value in distinct if isinstance(value, Decimal)])]
        if not others or max(others)[0] < FRACTION_TARGET:
            return None
        largest, other = max(others)
        label = indicator.name if other == "value" else f"{indicator.name}@{FIELD_NAMES.get(other, other)}"
        return _("the figures of {label} reach {largest:f}").format(label=label, largest=largest)

    def coded(self, key: tuple[str, str]) -> tuple[Sequence[int | None], list[Cell], list[str]] | None:
        """Each unit's code in a column, and each code's value and text (``None`` when the
        column was not stored)."""
        stored = self.texts.get(key)
        if stored is None:
            return None
        codes, texts, known = stored
        column = self.values.get(key[0]) if key[1] == "value" else self.figures.get(key)
        if column is None:
            return None
        if known is not None:  # the column-wise binding parsed each distinct text once
            return codes, known, texts
        distinct: list[Cell] = [None] * len(texts)
        for unit, code in enumerate(codes):
            if code is not None and distinct[code] is None:
                distinct[code] = column[unit]
        return codes, distinct, texts

    def fractions(self, indicator: Indicator, field: str, target: str, codes: Sequence[int | None],
                  distinct: list[Cell], texts: list[str], suspect: set[int]) -> None:
        header = self.columns.get(indicator.id if field == "value" else f"{indicator.id}@{field}", indicator.name)
        column = self.table.header.index(header) if header in self.table.header else None
        numbers = [value for value in distinct if isinstance(value, Decimal) and value != 0]
        whole = all(code in suspect for code, value in enumerate(distinct) if isinstance(value, Decimal) and value != 0)
        if not self.options.percent_fractions:
            if whole:
                example = max(numbers)
                self.problem(_("every figure lies between 0 and {FRACTION_CEILING} while {target}: they look like "
                             "fractions ({example:f} for {example2:f}%); write them as percentages (or "
                             "format the cells as %), or give --percent-fractions to multiply them by 100").format(
                        FRACTION_CEILING=FRACTION_CEILING, target=target, example=example, example2=_hundred(example)),
                             self.table.header_row, column)
                return
            for unit, code in enumerate(codes):
                if code in suspect:
                    value = distinct[code]
                    assert isinstance(value, Decimal)
                    self.problem(_("{strip} has no % sign and lies between 0 and {FRACTION_CEILING} while "
                                 "{target} and the column's other figures are percentages: it looks like a fraction "
                                 "({value:f} for {value2:f}%); write {value2:f}, or "
                                 "{strip}% if that is what it is, or give --percent-fractions to "
                                 "multiply such figures by 100").format(
                            strip=texts[code].strip(), FRACTION_CEILING=FRACTION_CEILING, target=target, value=value,
                            value2=_hundred(value)), self.rows[unit], column)
            return
        scaled = [_hundred(value) if code in suspect and isinstance(value, Decimal) else value
                  for code, value in enumerate(distinct)]
        cells = [None if code is None else scaled[code] for code in codes]
        if field == "value":
            self.values[indicator.id] = cells
            if indicator.id in self.codes and all(code is not None for code in codes):
                self.codes[indicator.id] = (list(codes), scaled)  # type: ignore[arg-type]
            else:
                self.codes.pop(indicator.id, None)
        else:
            self.figures[(indicator.id, field)] = cells  # type: ignore[assignment]
            if (indicator.id, field) in self.figure_codes and all(code is not None for code in codes):
                self.figure_codes[(indicator.id, field)] = (list(codes), scaled)  # type: ignore[arg-type]
            else:
                self.figure_codes.pop((indicator.id, field), None)
        changed = sorted(value for code in suspect if isinstance(value := distinct[code], Decimal))
        over = [value for value in changed if _hundred(value) > 100]
        if over:
            self.problem(_("multiplied by 100 as --percent-fractions says, {over:f} becomes "
                         "{over2:f}, outside 0–100 for a percentage").format(
                    over=over[0], over2=_hundred(over[0])), self.table.header_row, column)
            return
        count = sum(1 for code in codes if code in suspect)
        what = _("every figure lay") if whole else _("{count} figure(s) without a % sign lay").format(count=count)
        self.notice("fractions", _("{what} between 0 and {FRACTION_CEILING} while {target}: multiplied by 100 as "
                                 "--percent-fractions says ({changed:f} → {changed2:f})").format(
                what=what, FRACTION_CEILING=FRACTION_CEILING, target=target, changed=changed[-1],
                changed2=_hundred(changed[-1])),
                    self.table.header_row, column)

    def check_roster(self, roster: Roster | None) -> None:
        """With a roster, every unit of the data is on it and every unit on it is in the data."""
        if roster is None:
            return
        listed = dict(zip(normalise_all(roster.units), roster.units))
        described = (_("the roster of {count} units ({source})") if roster.source else _("the roster of {count} units")).format(
            count=len(listed), source=roster.source)
        strangers = [name for name in self.units if name not in listed]
        absent = [name for key, name in listed.items() if key not in self.units and key not in self.refused_units]
        for name in strangers:
            close = difflib.get_close_matches(name, [listed[key] for key in listed if key not in self.units]
                                              or list(listed.values()), n=3, cutoff=0.5)
            hint = _("; did you mean {names}?").format(names=" / ".join(close)) if close else ""
            row = self.rows[self.units[name]]
            if self.options.partial:
                self.notice("roster", _("unit '{name}' is not on {described}{hint}").format(
                        name=name, described=described, hint=hint), row, self.unit_column)
            else:
                self.problem(_("unit '{name}' is not on {described}{hint} (a new or renamed unit: update the "
                             "roster, or give --units FILE)").format(
                        name=name, described=described, hint=hint), row, self.unit_column)
        if absent and self.options.partial:
            self.notices.append(Notice("roster", _("a partial batch: {count} of the {count2} units on "
                                       "the roster are not in the data ({absent}"
                                       "{value})").format(
                    count=len(absent), count2=len(listed), absent='、'.join(absent[:10]),
                    value=' …' if len(absent) > 10 else ''), file=self.table.file,
                                       sheet=self.table.sheet))
            return
        for name in absent:
            close = difflib.get_close_matches(name, strangers, n=1, cutoff=0.5)
            hint = _("; is it '{name}'?").format(name=close[0]) if close else ""
            self.problems.add(DataProblem(_("unit '{name}' of {described} is not in the data{hint} (add its row, with "
                                      "empty cells where there is no data, or give --partial)").format(
                    name=name, described=described, hint=hint),
                                      file=self.table.file, sheet=self.table.sheet))

    def dataset(self, year: StatedYear | None, before: Iterable[Notice]) -> Dataset:
        return Dataset(file=self.table.file, units=tuple(self.units), rows=tuple(self.rows),
                       values=self.values, figures=self.figures, items=self.items, columns=self.columns,
                       codes=self.codes, figure_codes=self.figure_codes, notices=(*before, *self.notices), sheet=self.table.sheet,
                       stated_year=year, sources=self.sources)

    def record(self, unit: str, key: str, row: int, column: int) -> None:
        """Note the cell a non-blank value of ``unit`` came from (when sources are kept)."""
        if self.sources is not None:
            self.sources[(unit, key)] = Source(self.table.file, f"{column_letter(column)}{row}", self.table.sheet)


class _WideBinder(_Binder):
    """Binds a wide table column by column: each column's distinct texts are parsed once
    and its cells looked up, so a national file costs no Python work per cell."""

    def bind(self) -> None:
        header, row = self.table.header, self.table.header_row
        skip = {self.unit_column, *self.layout.skipped}
        targets = [None if n in skip or not h.strip() else self.target_of(h, row, n) for n, h in enumerate(header)]
        self.seen = {target[0] for target in targets if target is not None}
        self.check_duplicate_columns(targets)
        self.check_hidden_skipped()
        self.check_complete()
        good = self.register_rows()
        self.store_columns(targets, good)

    def check_hidden_skipped(self) -> None:
        """An indicator whose only column ``--hidden skip`` leaves out has no value at all:
        say so at the column, rather than that the file lacks one."""
        if not self.options.complete:
            return
        header, row = self.table.header, self.table.header_row
        for n in sorted(self.layout.skipped & self.table.hidden_columns):
            name, at, _field = split_field(header[n]) if n < len(header) else ("", "", "")
            thing = self.index.find(name) if name.strip() and not at else None
            if thing in self.index.indicators and thing not in self.seen | self.meant:
                self.meant.add(thing)
                self.problem(_("this is the column of indicator {id} ({name}), hidden in Excel and left out as --hidden "
                               "skip says, so the indicator has no values; unhide it, or give --hidden read").format(
                        id=thing, name=self.index.indicators[thing].name), row, n)

    def register_rows(self) -> list[int] | None:
        """Register each row's unit; the positions of the rows that are well formed
        (``None``: all of them)."""
        if self.register_well_formed():
            return None
        header = self.table.header
        unnamed = [n for n, h in enumerate(header) if not h.strip() and n != self.unit_column
                   and n not in self.layout.skipped]
        good = []
        for position, (cells, row) in enumerate(zip(self.table.rows, self.table.row_numbers)):
            if not self.check_width(cells, row) or not self.check_unnamed(cells, unnamed, row):
                self.refused_units.add(normalise(cells[self.unit_column]) if self.unit_column < len(cells) else "")
                continue
            name = self.unit_name(cells, row)
            if name is None:
                continue
            if name in self.units:
                self.problem(_("unit '{name}' appears twice (first at row {rows})").format(
                        name=name, rows=self.rows[self.units[name]]), row,
                             self.unit_column)
                continue
            self.unit_index(name, row)
            good.append(position)
        return good

    def register_well_formed(self) -> bool:
        """Register every row's unit at once when no row is malformed (each as wide as the
        header, named, and named once, no cell under a column without a header), which a
        national file is; otherwise register none and leave it to the row-by-row check."""
        rows, width = self.table.rows, len(self.table.header)
        if any(not h.strip() for n, h in enumerate(self.table.header) if n != self.unit_column
               and n not in self.layout.skipped):
            return False
        if any(len(cells) != width for cells in rows):
            return False
        raw = list(map(itemgetter(self.unit_column), rows))
        written = normalise_all(raw)
        broken = not LINE_BREAKS.isdisjoint("".join(written))
        names = list(map(one_line, written)) if broken else written
        units = dict(zip(names, range(len(names))))
        if len(units) != len(names) or "" in units:
            return False
        if broken:
            for name, row in zip(written, self.table.row_numbers):
                if not LINE_BREAKS.isdisjoint(name):
                    self.lines_notice(name, row)
        if invisible("".join(raw)):
            for name, text, row in zip(names, raw, self.table.row_numbers):
                marks = invisible(text)
                if marks:
                    self.notice("unit", _("the unit name '{name}' held invisible characters ({marks}); "
                                        "they were removed").format(
                            name=name, marks=', '.join(marks)), row, self.unit_column)
        self.units, self.rows = units, list(self.table.row_numbers)
        return True

    def store_columns(self, targets: list[tuple[str, str] | None], good: list[int] | None) -> None:
        """Parse and store the cells of the registered rows, every bad cell a problem."""
        rows = self.table.rows if good is None else [self.table.rows[n] for n in good]
        numbers = self.table.row_numbers if good is None else [self.table.row_numbers[n] for n in good]
        columns = list(zip(*rows)) if rows else []
        header = self.table.header
        for number, target in enumerate(targets):
            if target is None or number >= len(columns):
                continue
            texts, (thing, field) = columns[number], target
            parsed = _CellCodes(functools.partial(self.parse, thing, field))
            codes = list(map(parsed.__getitem__, texts))
            if parsed.bad:
                for position, code in enumerate(codes):
                    if code in parsed.bad:
                        self.problem(parsed.bad[code], numbers[position], number)
                continue
            cells = list(map(parsed.distinct.__getitem__, codes))
            self.columns.setdefault(thing if field == "value" else f"{thing}@{field}", header[number])
            if self.sources is not None:
                self.record_column(thing if field == "value" else f"{thing}@{field}", texts, numbers, number)
            store, key, _kind = self.column_of(thing, field)
            store[key] = cells
            if store is self.values:
                self.codes[thing] = (codes, parsed.distinct)
            elif store is self.figures:
                self.figure_codes[(thing, field)] = (codes, parsed.distinct)
            if thing in self.index.indicators and self.index.indicators[thing].unit in PERCENT_UNITS:
                self.texts[(thing, field)] = (codes, list(parsed), parsed.distinct)

    def record_column(self, key: str, texts: Sequence[str], numbers: Sequence[int], column: int) -> None:
        """Note the cell of each non-blank text of a column (the units in row order)."""
        for name, text, row in zip(self.units, texts, numbers):
            if text.strip():
                self.record(name, key, row, column)

    def check_unnamed(self, cells: Sequence[str], unnamed: list[int], row: int) -> bool:
        """A figure under a column without a header would be dropped unseen; refuse it."""
        ok = True
        for number in unnamed:
            if number < len(cells) and cells[number].strip():
                self.problem(_("the cell {strip!r} is in column {number}, which has no header; "
                             "name the column or clear it").format(
                        strip=cells[number].strip(), number=number + 1), row, number)
                ok = False
        return ok

    def check_duplicate_columns(self, targets: list[tuple[str, str] | None]) -> None:
        seen: dict[tuple[str, str], str] = {}
        for number, (header, target) in enumerate(zip(self.table.header, targets)):
            if target is None:
                continue
            if target in seen:
                self.problem(_("names the same thing as column '{seen}'").format(
                        seen=seen[target]), self.table.header_row, number)
                targets[number] = None
                continue
            seen[target] = header


class _LongBinder(_Binder):
    """Binds a long table: one row per unit, indicator and (optionally) field."""

    subject = N_("the indicator '{}'")
    ignored_labels: dict[str, int]

    def ignored(self, header: str, row: int, column: int | None) -> None:
        if header not in self.ignored_labels:  # say it once per name, at its first row
            self.ignored_labels[header] = row
            self.notice("row", _("ignored the rows naming '{header}', which names no indicator or item of the ruleset "
                               "(--ignore-unknown)").format(header=header), row, column)

    def bind(self) -> None:
        header, row = self.table.header, self.table.header_row
        self.indicator_column = find_column(header, LONG_INDICATOR)
        self.value_column = find_column(header, LONG_VALUE)
        self.field_column = find_column(header, LONG_FIELD)
        used = {self.unit_column, self.indicator_column, self.value_column, self.field_column, *self.layout.skipped}
        for number, name in enumerate(header):
            if number not in used and name.strip():
                self.problem(_("the long layout reads the unit, indicator, field and value columns only; this column "
                             "would be ignored: remove it, or give the file one column per indicator"), row, number)
        seen: dict[tuple[str, str, str], int] = {}
        self.unit_texts: dict[tuple[str, str], dict[int, str]] = {}
        self.ignored_labels = {}
        self.failed_labels: set[str] = set()
        for cells, row in zip(self.table.rows, self.table.row_numbers):
            self.bind_row(cells, row, seen)
        self.seen = {thing for _, thing, _ in seen}
        self.check_complete()

    def absent(self, indicator: Indicator) -> str:
        return _("no row gives indicator {id} ({name}); add one for each unit, leaving the value empty or '-' "
                 "where there is no data").format(id=indicator.id, name=indicator.name)

    def bind_row(self, cells: Sequence[str], row: int, seen: dict[tuple[str, str, str], int]) -> None:
        indicator_column, value_column = self.indicator_column, self.value_column
        assert indicator_column is not None and value_column is not None
        if not self.check_width(cells, row) or (name := self.unit_name(cells, row)) is None:
            # The row's own problem is said; the indicator it names is not missing.
            label = cells[indicator_column].strip() if indicator_column < len(cells) else ""
            thing = self.index.find(label) if label else None
            if thing is not None:
                self.meant.add(thing)
            return
        if not cells[indicator_column].strip():
            self.problem(_("the indicator name is empty; expected an indicator's id or name"), row, indicator_column)
            return
        field = cells[self.field_column] if self.field_column is not None else ""
        label = cells[indicator_column].strip() + (f"@{field.strip()}" if field.strip() else "")
        if label in self.failed_labels:  # its problem is reported at its first row
            return
        target = self.target_of(label, row, indicator_column)
        if target is None:
            if label not in self.ignored_labels:
                self.failed_labels.add(label)
            return
        key = (name, *target)
        if key in seen:
            self.problem(_("unit '{name}' has '{label}' twice (first at row {seen})").format(
                    name=name, label=label, seen=seen[key]), row, indicator_column)
            return
        seen[key] = row
        self.store(self.unit_index(name, row), target[0], target[1], cells[value_column], row, value_column)
        if cells[value_column].strip():
            self.record(name, target[0] if target[1] == "value" else f"{target[0]}@{target[1]}", row, value_column)

    def store(self, unit: int, thing: str, field: str, text: str, row: int, column: int) -> None:
        # Examiners' sheets repeat the same few figures; parse each distinct text once.
        parsed = self.cache.get((thing, field, text), _UNPARSED)
        if parsed is _UNPARSED:
            try:
                parsed = self.cache[(thing, field, text)] = self.parse(thing, field, text)
            except CellError as exc:
                self.problem(str(exc), row, column)
                return
        self.columns.setdefault(thing if field == "value" else f"{thing}@{field}", self.table.header[column])
        store, key, fill = self.column_of(thing, field)
        if key not in store:  # a list as long as the batch: made once, not per cell
            store[key] = [fill] * len(self.rows)
        store[key][unit] = parsed
        if thing in self.index.indicators and self.index.indicators[thing].unit in PERCENT_UNITS:
            self.unit_texts.setdefault((thing, field), {})[unit] = text

    def coded(self, key: tuple[str, str]) -> tuple[Sequence[int | None], list[Cell], list[str]] | None:
        texts = self.unit_texts.get(key)
        if texts is None:
            return None
        order = list(dict.fromkeys(texts.values()))
        code_of = {text: code for code, text in enumerate(order)}
        self.texts[key] = ([code_of[texts[unit]] if unit in texts else None for unit in range(len(self.rows))], order,
                           None)
        return super().coded(key)


class _CellCodes(dict[str, int]):
    """Cell text → its code, parsing each distinct text once, on first sight, into
    ``distinct[code]`` (so equal texts share one object); a text that fails has a code
    in ``bad``, with its message."""

    def __init__(self, parse: Callable[[str], Cell]) -> None:
        super().__init__()
        self.parse = parse
        self.distinct: list[Cell] = []
        self.bad: dict[int, str] = {}

    def __missing__(self, text: str) -> int:
        code = self[text] = len(self.distinct)
        try:
            self.distinct.append(self.parse(text))
        except CellError as exc:
            self.distinct.append(None)
            self.bad[code] = str(exc)
        return code


def _check_range(indicator: Indicator, number: Decimal) -> None:
    if indicator.share and not 0 <= number <= 100:
        raise CellError(_("{number} is outside 0–100 for a percentage").format(
                number=number))
    if indicator.unit in COUNT_UNITS and number < 0:
        raise CellError(_("{number} is negative for a count ({unit})").format(
                number=number, unit=indicator.unit))


def _check_percent_sign(indicator: Indicator, text: str) -> None:
    """A % sign on a figure of an indicator measured in something else (亿元, 家, 分) says
    the figure is not in that unit; dropping the sign would read 12% as 12 亿元."""
    if indicator.unit and indicator.unit not in PERCENT_UNITS and normalise(text).endswith("%"):
        raise CellError(_("{strip} is written with a percent sign, but {name} is measured in {unit}; write the "
                          "figure in {unit}, without the sign").format(
                strip=text.strip(), name=indicator.name, unit=indicator.unit))


def looks_like_fractions(indicator: Indicator, ruleset: Ruleset, numbers: Sequence[Decimal],
                         beside: Decimal | None = None) -> bool:
    """Whether a percent column's figures are fractions (0.975 for 97.5%): a higher-is-
    better ``%`` indicator whose target is at least 10 (%), with every figure between 0
    and 1.5, not all 0.  Where the ruleset gives no target figure, ``beside`` (the
    largest figure of the indicator's other columns) stands for the target."""
    if indicator.unit not in PERCENT_UNITS or indicator.direction != "higher" or not numbers:
        return False
    if max(numbers) == 0 or max(numbers) > FRACTION_CEILING or min(numbers) < 0:
        return False
    magnitude = _magnitude(indicator, ruleset)
    magnitude = beside if magnitude is None else magnitude
    return magnitude is not None and magnitude >= FRACTION_TARGET


def _references(indicator: Indicator) -> tuple[str, ...] | None:
    """The reference figures (全国平均 …) the indicator's target reads; ``None`` when a
    plug-in's target reads references without naming them."""
    target = indicator.target
    if getattr(target, "needs", None) != "reference":
        return ()
    name = getattr(target, "name", None)
    return (name,) if isinstance(name, str) else None


def _magnitude(indicator: Indicator, ruleset: Ruleset) -> Decimal | None:
    """The size of figure the indicator expects: its horizon target, else its baseline."""
    from qscore.targets import Figures, Timing

    if indicator.target is not None:
        timing = Timing(indicator.baseline_year or ruleset.base_year, ruleset.horizon_year, ruleset.horizon_year)
        try:
            return indicator.target.horizon(Figures(baseline=indicator.baseline), timing)
        except (MissingFigure, ArithmeticError, ValueError, TypeError):
            pass
    return indicator.baseline


def _hundred(value: Decimal) -> Decimal:
    scaled = value.scaleb(2)
    exponent = scaled.as_tuple().exponent
    return scaled.quantize(Decimal(1)) if isinstance(exponent, int) and exponent > 0 else scaled
