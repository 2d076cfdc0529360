"""Binding a reader's table to a ruleset: the observed data, column by column.

Readers (CSV, JSON, plug-ins' own) only turn a file into a :class:`RawTable` of strings.
Binding does the rest in one place: wide or long layout, headers by id or Chinese name
(with a unit in brackets, ``食品抽检合格率（%）``), per-unit figures such as last year's
value or a reference (``食品抽检合格率@上年``, ``…@全国平均``), cell parsing, and every
check whose failure must name the file, the row and the column.
"""

from __future__ import annotations

import difflib
import functools
import itertools
import re
from collections.abc import Callable, Iterator, Sequence
from decimal import Decimal
from operator import itemgetter

import attrs

from qscore.reading.cells import EXEMPT, CellError, Exempt, is_exempt, is_missing, normalise, parse_count, parse_number
from qscore.errors import DataError
from qscore.model import Indicator, Ruleset
from qscore.reading.table import RawTable

UNIT_HEADERS = ("unit", "单位", "名称", "单位名称")
LONG_INDICATOR = ("indicator", "指标", "指标名称")
LONG_VALUE = ("value", "值", "数值", "完成值")
LONG_FIELD = ("field", "字段")
FIELD_ALIASES = {"": "value", "value": "value", "值": "value", "previous": "previous", "上年": "previous",
                 "上年值": "previous", "baseline": "baseline", "基期": "baseline", "基期值": "baseline"}
PERCENT_UNITS = ("%",)
COUNT_UNITS = ("家", "个", "件", "项", "次", "人", "亩", "万亩")
TITLE_ROWS = 3

Cell = Decimal | str | Exempt | None
ITEM_FIGURES = "bonus, deduction and veto items take one count per unit, not '@' figures"
_UNPARSED = object()


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
    """

    file: str
    units: tuple[str, ...]
    rows: tuple[int, ...]
    values: dict[str, list[Cell]]
    figures: dict[tuple[str, str], list[Decimal | None]]
    items: dict[str, list[Decimal]]
    columns: dict[str, str]
    codes: dict[str, tuple[list[int], list[Cell]]] = attrs.field(factory=dict)


def header_key(text: str) -> str:
    """A header folded for matching: full-width to ASCII, no spaces."""
    return re.sub(r"\s+", "", normalise(text))


class HeaderIndex:
    """Finds the indicator or item a header names, by id, Chinese name or alias."""

    def __init__(self, ruleset: Ruleset) -> None:
        self.ruleset = ruleset
        self.names: dict[str, str] = {}
        for thing in (*ruleset.indicators, *ruleset.adjustments.items):
            for name in (thing.id, thing.name, *getattr(thing, "aliases", ())):
                self.names.setdefault(header_key(name), thing.id)
        self.lengths = set(map(len, self.names))
        self.indicators = {i.id: i for i in ruleset.indicators}
        self.items = {i.id for i in ruleset.adjustments.items}

    def find(self, header: str) -> str | None:
        """The id the header names, trying it whole and then without each trailing
        bracket in turn (``名称（%）（2025）``): one sweep from the end, and only the
        lengths some name has are looked up, so the work is linear in the header."""
        key = header_key(header)
        for end in _bracket_ends(key):
            if end in self.lengths and key[:end] in self.names:
                return self.names[key[:end]]
        return None

    def suggest(self, header: str) -> list[str]:
        return difflib.get_close_matches(header_key(header), list(self.names), n=3, cutoff=0.5)


def _bracket_ends(key: str) -> Iterator[int]:
    """``len(key)``, then where ``key`` ends once each trailing bracket is dropped, as
    long as something is left: ``a(b)[c]`` gives 7, 4, 1.  A bracket is ``(`` or ``[``
    … ``)`` or ``]`` with no bracket inside (folded headers have no spaces)."""
    end = len(key)
    yield end
    while end and key[end - 1] in ")]":
        start = end - 2
        while start >= 0 and key[start] not in "()[]":
            start -= 1
        if start <= 0 or key[start] not in "([":
            return
        end = start
        yield end


def bind(table: RawTable, ruleset: Ruleset, *, ignore_unknown: bool = False) -> Dataset:
    """Turn ``table`` into a :class:`Dataset` for ``ruleset``.

    :param ignore_unknown: skip columns that name nothing in the ruleset instead of failing.
    :raises DataError: naming the file, row and column of the first problem.
    """
    if not table.header:
        raise DataError("the file is empty; expected a header row and one row per unit", file=table.file)
    index = HeaderIndex(ruleset)
    table = _below_titles(table, _unit_headers(ruleset))
    binder = _LongBinder if _is_long(table.header) else _WideBinder
    return binder(table, index, ruleset, ignore_unknown).bind()


def _unit_headers(ruleset: Ruleset) -> tuple[str, ...]:
    return (*UNIT_HEADERS, header_key(ruleset.unit_kind).lower()) if ruleset.unit_kind else UNIT_HEADERS


def _below_titles(table: RawTable, unit_headers: Sequence[str]) -> RawTable:
    """The table under the title rows examiners put above the header (一行合并的表名): a
    first row with a single filled cell and no unit column is a title when a later row
    among the first few is a header with one."""
    skipped = 0
    header, rows, numbers = table.header, table.rows, table.row_numbers
    while (rows and skipped < TITLE_ROWS and _find(header, unit_headers) is None
           and sum(1 for cell in header if cell.strip()) == 1):
        header, rows, numbers, skipped = tuple(c.strip() for c in rows[0]), rows[1:], numbers[1:], skipped + 1
    if skipped == 0 or _find(header, unit_headers) is None:
        return table
    return RawTable(file=table.file, header=header, rows=rows, row_numbers=numbers,
                    header_row=table.row_numbers[skipped - 1])


def _find(header: Sequence[str], names: Sequence[str]) -> int | None:
    keys = [header_key(h).lower() for h in header]
    return next((keys.index(n) for n in names if n in keys), None)


def _is_long(header: Sequence[str]) -> bool:
    return _find(header, LONG_INDICATOR) is not None and _find(header, LONG_VALUE) is not None


class _Binder:
    def __init__(self, table: RawTable, index: HeaderIndex, ruleset: Ruleset, ignore_unknown: bool) -> None:
        self.table, self.index, self.ruleset, self.ignore_unknown = table, index, ruleset, ignore_unknown
        self.units: dict[str, int] = {}
        self.rows: list[int] = []
        self.values: dict[str, list[Cell]] = {}
        self.figures: dict[tuple[str, str], list[Decimal | None]] = {}
        self.items: dict[str, list[Decimal]] = {}
        self.columns: dict[str, str] = {}
        self.cache: dict[tuple[str, str, str], object] = {}
        self.codes: dict[str, tuple[list[int], list[Cell]]] = {}
        self.unit_column = _find(table.header, _unit_headers(ruleset))
        if self.unit_column is None:
            raise DataError(f"no unit column; expected one headed {' / '.join(UNIT_HEADERS)}"
                            + (f" or {ruleset.unit_kind}" if ruleset.unit_kind else ""),
                            file=table.file, row=table.header_row)
        if not table.rows:
            raise DataError("the file has a header but no rows; expected one row per unit", file=table.file)

    def error(self, message: str, row: int | None, column: str | None) -> DataError:
        return DataError(message, file=self.table.file, row=row, column=column)

    def target_of(self, header: str) -> tuple[str, str] | None:
        """``(id, field)`` a header names, ``None`` to skip it."""
        name, _, field = header.partition("@")
        thing = self.index.find(name)
        if thing is None:
            if self.ignore_unknown or not header.strip():
                return None
            close = self.index.suggest(name)
            hint = f"; did you mean {' / '.join(close)}?" if close else ""
            raise self.error(f"column names no indicator or item of ruleset '{self.ruleset.id}'{hint}"
                             " (use --ignore-unknown to skip such columns)", self.table.header_row, header)
        return thing, FIELD_ALIASES.get(header_key(field).lower(), field.strip())

    def unit_index(self, name: str, row: int) -> int:
        if name not in self.units:
            self.units[name] = len(self.rows)
            self.rows.append(row)
            for column in (*self.values.values(), *self.figures.values()):
                column.append(None)
            for counts in self.items.values():
                counts.append(Decimal(0))
        return self.units[name]

    def unit_name(self, cells: Sequence[str], row: int) -> str:
        name = normalise(cells[self.unit_column]) if self.unit_column < len(cells) else ""
        if not name:
            raise self.error("the unit name is empty", row, self.table.header[self.unit_column])
        return name

    def store(self, unit: int, thing: str, field: str, text: str, row: int, column: str) -> None:
        # Examiners' sheets repeat the same few figures; parse each distinct text once.
        parsed = self.cache.get((thing, field, text), _UNPARSED)
        if parsed is _UNPARSED:
            try:
                parsed = self.cache[(thing, field, text)] = self.parse(thing, field, text)
            except CellError as exc:
                raise self.error(str(exc), row, column) from None
        self.columns.setdefault(thing if field == "value" else f"{thing}@{field}", column)
        if thing in self.index.items and field != "value":
            raise self.error(ITEM_FIGURES, self.table.header_row, column)
        store, key, fill = self.column_of(thing, field)
        if key not in store:  # a list as long as the batch: made once, not per cell
            store[key] = [fill] * len(self.rows)
        store[key][unit] = parsed

    def column_of(self, thing: str, field: str) -> tuple[dict, object, object]:
        """Where the cells of ``(thing, field)`` go: the mapping, its key, the empty cell."""
        if thing in self.index.items:
            return self.items, thing, Decimal(0)
        if field == "value":
            return self.values, thing, None
        return self.figures, (thing, field), None

    def check_width(self, cells: Sequence[str], row: int) -> None:
        """A ragged row has shifted or lost cells; no guess at which is safe."""
        header = self.table.header
        if len(cells) < len(header):
            raise self.error(f"the row has {len(cells)} cells, the header has {len(header)}; expected a cell "
                             "for this column (empty if there is no data)", row, header[len(cells)])
        if len(cells) > len(header):
            raise self.error(f"the row has {len(cells)} cells, the header has {len(header)}; expected no "
                             f"cells after column {len(header)}", row, None)

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
        return number

    @staticmethod
    def parse_level(indicator: Indicator, text: str) -> str | None:
        if is_missing(text):
            return None
        cleaned = normalise(text)
        levels = getattr(indicator.rule, "levels", {})
        if cleaned not in levels:
            raise CellError(f"expected one of the levels {' / '.join(levels)}, got {text.strip()!r}")
        return cleaned

    def check_complete(self) -> None:
        for indicator in self.ruleset.indicators:
            if indicator.id not in self.values:
                raise self.error(f"no column for indicator {indicator.id} ({indicator.name}); add it, leaving "
                                 "cells empty or '-' where there is no data", self.table.header_row, None)

    def dataset(self) -> Dataset:
        self.check_complete()
        return Dataset(file=self.table.file, units=tuple(self.units), rows=tuple(self.rows),
                       values=self.values, figures=self.figures, items=self.items, columns=self.columns,
                       codes=self.codes)


class _WideBinder(_Binder):
    """Binds a wide table column by column: each column's distinct texts are parsed once
    and its cells looked up, so a national file costs no Python work per cell.  Errors
    are the ones a cell-by-cell pass would meet first (row by row, left to right)."""

    def bind(self) -> Dataset:
        targets = [None if n == self.unit_column else self.target_of(h) for n, h in enumerate(self.table.header)]
        self.check_duplicate_columns(targets)
        try:
            self.check_rows()
        except DataError:
            self.store_columns(targets)  # a bad cell in an earlier row is met first
            raise
        self.store_columns(targets)
        return self.dataset()

    def check_rows(self) -> None:
        """Register each row's unit, stopping at the first row that is malformed."""
        header = self.table.header
        unnamed = [n for n, h in enumerate(header) if not h.strip() and n != self.unit_column]
        if not unnamed and self.register_well_formed():
            return
        for cells, row in zip(self.table.rows, self.table.row_numbers):
            self.check_width(cells, row)
            self.check_unnamed(cells, unnamed, row)
            name = self.unit_name(cells, row)
            if name in self.units:
                raise self.error(f"unit '{name}' appears twice (first at row {self.rows[self.units[name]]})",
                                 row, header[self.unit_column])
            self.unit_index(name, row)

    def register_well_formed(self) -> bool:
        """Register every row's unit at once when no row is malformed (each as wide as the
        header, named, and named once), which a national file is; otherwise register none
        and leave it to the row-by-row check to find the first problem."""
        rows, width = self.table.rows, len(self.table.header)
        if self.units or any(len(cells) != width for cells in rows):
            return False
        names = list(map(normalise, map(itemgetter(self.unit_column), rows)))  # type: ignore[arg-type]
        units = dict(zip(names, range(len(names))))
        if len(units) != len(names) or "" in units:
            return False
        self.units, self.rows = units, list(self.table.row_numbers)
        return True

    def store_columns(self, targets: list[tuple[str, str] | None]) -> None:
        """Parse and store the cells of the rows registered so far."""
        count, header, numbers = len(self.rows), self.table.header, self.table.row_numbers
        columns = list(zip(*itertools.islice(self.table.rows, count))) if count else []
        first: tuple[int, int, DataError] | None = None  # (row position, column, error)
        for number, target in enumerate(targets):
            if target is None or not columns:
                continue
            texts, (thing, field) = columns[number], target
            parsed = _CellCodes(functools.partial(self.parse, thing, field))
            problem = None
            try:
                codes = list(map(parsed.__getitem__, texts))
                cells = list(map(parsed.distinct.__getitem__, codes))
            except CellError as exc:  # the column's first bad cell: it is met in order
                position = texts.index(parsed.failed)
                problem = (position, number, self.error(str(exc), numbers[position], header[number]))
            if thing in self.index.items and field != "value" and (problem is None or problem[0] > 0):
                problem = (0, number, self.error(ITEM_FIGURES, self.table.header_row, header[number]))
            if problem is not None:
                first = problem if first is None or problem[:2] < first[:2] else first
                continue
            self.columns.setdefault(thing if field == "value" else f"{thing}@{field}", header[number])
            store, key, _ = self.column_of(thing, field)
            store[key] = cells
            if store is self.values:
                self.codes[thing] = (codes, parsed.distinct)
        if first is not None:
            raise first[2]

    def check_unnamed(self, cells: Sequence[str], unnamed: list[int], row: int) -> None:
        """A figure under a column without a header would be dropped unseen; refuse it."""
        for number in unnamed:
            if cells[number].strip():
                raise self.error(f"the cell {cells[number].strip()!r} is in column {number + 1}, which has no "
                                 "header; name the column or clear it", row, None)

    def check_duplicate_columns(self, targets: list[tuple[str, str] | None]) -> None:
        seen: dict[tuple[str, str], str] = {}
        for header, target in zip(self.table.header, targets):
            if target is None:
                continue
            if target in seen:
                raise self.error(f"names the same thing as column '{seen[target]}'", self.table.header_row, header)
            seen[target] = header


class _LongBinder(_Binder):
    def bind(self) -> Dataset:
        header = self.table.header
        indicator_column = _find(header, LONG_INDICATOR)
        value_column = _find(header, LONG_VALUE)
        field_column = _find(header, LONG_FIELD)
        seen: dict[tuple[str, str, str], int] = {}
        for cells, row in zip(self.table.rows, self.table.row_numbers):
            self.check_width(cells, row)
            name = self.unit_name(cells, row)
            if not cells[indicator_column].strip():  # type: ignore[index]
                raise self.error("the indicator name is empty; expected an indicator's id or name", row,
                                 header[indicator_column])  # type: ignore[index]
            field = cells[field_column] if field_column is not None else ""
            label = cells[indicator_column] + (f"@{field}" if field.strip() else "")
            target = self.target_of(label)
            if target is None:
                continue
            key = (name, *target)
            if key in seen:
                raise self.error(f"unit '{name}' has '{label.strip()}' twice (first at row {seen[key]})",
                                 row, header[indicator_column])  # type: ignore[index]
            seen[key] = row
            unit = self.unit_index(name, row)
            self.store(unit, target[0], target[1], cells[value_column], row, header[value_column])  # type: ignore[index]
        return self.dataset()


class _CellCodes(dict):
    """Cell text → its code, parsing each distinct text once, on first sight, into
    ``distinct[code]`` (so equal texts share one object); remembers the text that failed."""

    def __init__(self, parse: Callable[[str], Cell]) -> None:
        super().__init__()
        self.parse = parse
        self.distinct: list[Cell] = []
        self.failed: str | None = None

    def __missing__(self, text: str) -> int:
        try:
            value = self.parse(text)
        except CellError:
            self.failed = text
            raise
        code = self[text] = len(self.distinct)
        self.distinct.append(value)
        return code


def _check_range(indicator: Indicator, number: Decimal) -> None:
    if indicator.unit in PERCENT_UNITS and not 0 <= number <= 100:
        raise CellError(f"{number} is outside 0–100 for a percentage")
    if indicator.unit in COUNT_UNITS and number < 0:
        raise CellError(f"{number} is negative for a count ({indicator.unit})")
