"""A batch as the archive stores it, and back: one row per unit, its per-indicator
figures as JSON arrays in ruleset order.

Figures are exact decimal text (``"98.50"``), never binary floats, so a round read back
has the very figures it was recorded with.  A national round is 40,000 units × 50
indicators: the rows are made and read a column at a time, each distinct figure
converted once.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from decimal import Decimal
from typing import Any, NamedTuple, TypeVar

from qscore.model import (ADJUSTMENT_KINDS, NOT_APPLICABLE, AdjustmentResult, IndicatorResult, RankedField,
                          RankedUnits, ResultField, Ruleset, UnitResult)
from qscore.numbers import ZERO
from qscore.reading.binding import Cell, Dataset
from qscore.cells import EXEMPT

T = TypeVar("T")
#: The per-indicator fields a unit's row holds, each a JSON array in ruleset order.
STORED_FIELDS: tuple[ResultField, ...] = ("value", "target", "points", "met")
_encode = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode


def decimal_text(number: Decimal | None) -> str | None:
    """A figure as exact text (never an exponent), ``None`` for none."""
    if number is None:
        return None
    text = str(number)
    return f"{number:f}" if "E" in text else text


def _cell_text(value: Decimal | str | None) -> str | None:
    return value if isinstance(value, str) else decimal_text(value)


def _json_cell(value: Decimal | str | bool | None) -> str:
    """One cell of a JSON array: a figure as exact text in quotes, a flag, or null."""
    if value is None or value is True or value is False:
        return {None: "null", True: "true", False: "false"}[value]
    return _encode(_cell_text(value))


def _json_array(cells: Sequence[str]) -> str:
    return "[" + ",".join(cells) + "]"


class StoredUnit(NamedTuple):
    """One unit's row, as the archive's ``units`` table holds it (see ``docs/data.md``),
    and its adjustment lines (``kind, item, name, count, points``)."""

    position: int
    unit: str
    row: int | None
    rank: int
    total: str
    tier: str | None
    vetoed: bool
    bonus: str
    deductions: str
    gap_to_next: str | None
    subtotals: str
    values: str
    targets: str
    points: str
    met: str
    figures: str | None
    adjustments: tuple[tuple[str, str, str, str, str], ...]

    def result(self) -> tuple[Any, ...]:
        """Everything but its position and row in the data: two rounds give a unit the
        same result when these are equal."""
        return self[1:2] + self[3:]


def stored_units(units: RankedUnits, categories: Sequence[str]) -> list[StoredUnit]:
    """Every unit's row, in rank order, made a field at a time."""
    subtotals = [_encode(dict(zip(categories, figures))) for figures in
                 zip(*(map(decimal_text, units.subtotals(c)) for c in categories))] or ["{}"] * len(units)
    arrays = [list(map(_json_array, units.result_rows(field, _json_cell))) for field in STORED_FIELDS]
    adjustments = [tuple((a.kind, a.item, a.name, decimal_text(a.count), decimal_text(a.points)) for a in lines)
                   if lines else () for lines in units.column("adjustments")]
    columns = (range(len(units)), units.column("unit"), units.column("row"), units.column("rank"),
               _texts(units.column("total")), units.column("tier"), list(map(bool, units.column("vetoed"))),
               _texts(units.column("bonus")), _texts(units.column("deductions")), _texts(units.column("gap_to_next")),
               subtotals, *arrays, _figure_texts(units), adjustments)
    return list(map(StoredUnit._make, zip(*columns)))


def _texts(figures: Sequence[Decimal | None]) -> list[str | None]:
    return list(map(decimal_text, figures))


def _figure_texts(units: RankedUnits) -> list[str | None]:
    """Each unit's figures as a JSON object ``{"indicator@field": "98.2"}``, ``None``
    for a unit the data gives none."""
    figures = units.figures()
    if not figures:
        return [None] * len(units)
    keys = [f"{indicator}@{field}" for indicator, field in figures]
    texts = []
    for row in zip(*(map(decimal_text, column) for column in figures.values())):
        given = {key: figure for key, figure in zip(keys, row) if figure is not None}
        texts.append(_encode(given) if given else None)
    return texts


class StoredUnits(RankedUnits):
    """A recorded round's units, read back from its rows: the archive's implementation
    of :class:`~qscore.model.RankedUnits`.  The rows are read a column at a time, when
    first asked for; figures are decoded a field at a time, each distinct text once.

    :param ruleset: the ruleset the round is read with (its indicators, in the round's order).
    :param fetch: reads some fields (:class:`StoredUnit` attributes: ``unit``, ``total``,
        ``values`` …) of every row, a column per field, the rows in rank order.
    """

    __slots__ = ("_ruleset", "_fetch", "_read", "_decoded")

    def __init__(self, ruleset: Ruleset, fetch: Callable[[Sequence[str]], list[list[Any]]]) -> None:
        self._ruleset, self._fetch = ruleset, fetch
        self._read: dict[str, list[Any]] = {}
        self._decoded: dict[str, Any] = {}

    def _stored(self, field: str) -> list[Any]:
        """The rows' ``field``; a JSON array column is read afresh each time (a national
        round's arrays are millions of strings), any other is kept once read (the
        :data:`_STANDING` fields together)."""
        if field in COLUMNS:
            return self._fetch((field,))[0]
        if field not in self._read:
            fields = _STANDING if field in _STANDING else (field,)
            self._read.update(zip(fields, self._fetch(fields)))
        return self._read[field]

    def __len__(self) -> int:
        return len(self._stored("unit"))

    def column(self, field: RankedField) -> list[Any]:
        if field in ("total", "bonus", "deductions", "gap_to_next"):
            if field not in self._decoded:
                self._decoded[field] = _decimals(self._stored(field))
            return list(self._decoded[field])
        if field == "adjustments":
            return list(map(_adjustments, self._stored("adjustments")))
        if field == "vetoed":
            return list(map(bool, self._stored(field)))
        return list(self._stored(field))

    def subtotals(self, category: str) -> list[Decimal]:
        if "subtotals" not in self._decoded:
            self._decoded["subtotals"] = list(map(json.loads, self._stored("subtotals")))
        return _decimals(subtotals[category] for subtotals in self._decoded["subtotals"])

    def points_rows(self, shown: Callable[[Decimal], T]) -> list[tuple[T, ...]]:
        return self.result_rows("points", shown)

    def result_rows(self, field: ResultField, shown: Callable[[Any], T]) -> list[tuple[T, ...]]:
        columns = [_per_object(column, shown) for column in self.result_columns(field)]
        return list(zip(*columns)) if columns else [()] * len(self)

    def result_columns(self, field: ResultField, order: Sequence[int] | None = None) -> list[list[Any]]:
        """Per indicator (ruleset order), every unit's ``field`` in rank order, or that of
        the units at the rank positions ``order`` gives, in its order, as
        :class:`~qscore.model.IndicatorResult` holds it.  The columns in rank order are
        kept once read; a field not yet read is read straight in ``order``."""
        if field not in self._decoded and order is not None and field in _ATTRIBUTES:
            return self._converted(field, self._converters(field), order)
        if field not in self._decoded:
            self._decoded[field] = self._decode(field)
        columns = self._decoded[field]
        return columns if order is None else [list(map(column.__getitem__, order)) for column in columns]

    def _converters(self, field: ResultField) -> list[Callable[[Any], Any] | None]:
        return [_typed(field, indicator.rule.value_kind) for indicator in self._ruleset.indicators]

    def _decode(self, field: ResultField) -> list[list[Any]]:
        indicators = self._ruleset.indicators
        if field == "max_points":
            return [[ZERO if value == NOT_APPLICABLE else indicator.points for value in values]
                    for indicator, values in zip(indicators, self.result_columns("value"))]
        if field == "previous":
            figures = self.figures()
            return [figures.get((i.id, "previous"), [None] * len(self)) for i in indicators]
        return self._converted(field, self._converters(field))

    def _converted(self, field: ResultField, converters: Sequence[Callable[[Any], Any] | None],
                   order: Sequence[int] | None = None) -> list[list[Any]]:
        """Per indicator, every unit's ``field`` passed through the indicator's converter
        (``None``: kept as decoded), the units in rank order or at the positions ``order``
        gives.  The arrays are decoded :data:`_ROWS_PER_BLOCK` rows at a time, each
        block's cells converted while they are fresh: a national round's millions of
        texts are never held at once (and reading is twice as fast)."""
        rows = self._stored(_ATTRIBUTES[field])
        if order is not None:
            rows = list(map(rows.__getitem__, order))  # a row per unit: cheaper than reordering every column
        columns: list[list[Any]] = [[] for _ in converters]
        for start in range(0, len(rows), _ROWS_PER_BLOCK):
            cells = _columns(rows[start:start + _ROWS_PER_BLOCK], len(converters))
            for column, convert, texts in zip(columns, converters, cells):
                column += texts if convert is None else map(convert, texts)
        return columns

    def figures(self) -> dict[tuple[str, str], list[Decimal | None]]:
        if "figures" not in self._decoded:
            given = [json.loads(text) if text else {} for text in self._stored("figures")]
            convert = _Converted(Decimal)
            self._decoded["figures"] = {
                _figure_key(key): [convert[figures.get(key)] for figures in given]
                for key in dict.fromkeys(key for figures in given for key in figures)}
        return dict(self._decoded["figures"])

    def result_at(self, position: int, indicator: int) -> IndicatorResult:
        n = range(len(self._ruleset.indicators))[indicator]
        return IndicatorResult(indicator=self._ruleset.indicators[n].id,
                               **{field: self.result_columns(field)[n][position] for field in _RESULT_FIELDS})

    def unit_at(self, position: int) -> UnitResult:
        indicators = tuple(self.result_at(position, n) for n in range(len(self._ruleset.indicators)))
        stored = {field: self._stored(field)[position] for field in _SCALARS}
        subtotals = {key: Decimal(text) for key, text in json.loads(stored["subtotals"]).items()}
        gap = stored["gap_to_next"]
        return UnitResult(unit=stored["unit"], indicators=indicators, subtotals=subtotals,
                          adjustments=_adjustments(stored["adjustments"]), bonus=Decimal(stored["bonus"]),
                          deductions=Decimal(stored["deductions"]), vetoed=bool(stored["vetoed"]),
                          total=Decimal(stored["total"]), rank=stored["rank"], tier=stored["tier"],
                          gap_to_next=None if gap is None else Decimal(gap), row=stored["row"])

    def dataset(self, file: str) -> Dataset:
        """The data this round was scored from, bound to the ruleset as binding binds a
        file: units in the file's order, values, per-unit figures and item counts.

        :param file: how messages name the round (``rounds.db:2024``).
        """
        names, rows = self._stored("unit"), self._stored("row")
        order = sorted(range(len(self)), key=lambda n: (rows[n] is None, rows[n] or 0, n))
        indicators = self._ruleset.indicators
        coded = [_Codes(str if indicator.rule.value_kind == "level" else Decimal) for indicator in indicators]
        values, codes = {}, {}
        unit_codes = self._converted("value", [column.__getitem__ for column in coded], order)
        for indicator, column, column_codes in zip(indicators, coded, unit_codes):
            values[indicator.id] = list(map(column.distinct.__getitem__, column_codes))
            codes[indicator.id] = (column_codes, column.distinct)
        figures = {key: [column[n] for n in order] for key, column in self.figures().items()}
        return Dataset(file=file, units=tuple(names[n] for n in order),
                       rows=tuple(rows[n] or n + 2 for n in order), values=values, figures=figures,
                       items=self._item_counts(order), columns={i.id: i.name for i in self._ruleset.indicators},
                       codes=codes)

    def _item_counts(self, order: list[int]) -> dict[str, list[Decimal]]:
        """Each bonus, deduction and veto item's count per unit, from the adjustment lines
        (lines a plug-in's adjuster made are made again when the round is scored)."""
        items = {item.id: [ZERO] * len(order) for item in self._ruleset.adjustments.items}
        place = {unit: n for n, unit in enumerate(order)}
        for n, lines in enumerate(self._stored("adjustments")):
            for kind, item, _, count, _ in lines:
                if item in items and kind in ADJUSTMENT_KINDS:
                    items[item][place[n]] = Decimal(count)
        return {item: counts for item, counts in items.items() if any(counts)}


_RESULT_FIELDS: tuple[ResultField, ...] = ("value", "target", "points", "max_points", "met", "previous")


def _figure_key(key: str) -> tuple[str, str]:
    indicator, _, field = key.partition("@")
    return indicator, field


def _per_object(column: Sequence[Any], function: Callable[[Any], T]) -> list[T]:
    """``function`` of every cell, once per distinct object (decoding gives equal texts
    one object; every cell stays alive in ``column`` while identities are taken)."""
    keys = list(map(id, column))
    done = {key: function(cell) for key, cell in dict(zip(keys, column)).items()}
    return list(map(done.__getitem__, keys))


#: The fields every reader of a round reads (compare, the writers), read in one query.
_STANDING = ("unit", "row", "rank", "total", "tier")
#: The :class:`StoredUnit` fields :meth:`StoredUnits.unit_at` reads besides the JSON arrays.
_SCALARS = ("unit", "row", "rank", "total", "tier", "vetoed", "bonus", "deductions", "gap_to_next", "subtotals",
            "adjustments")
_ATTRIBUTES = {"value": "values", "target": "targets", "points": "points", "met": "met"}
#: The :class:`StoredUnit` fields held as JSON arrays (and figures as an object), and their
#: columns in ``units``.
COLUMNS = {"values": "indicator_values", "targets": "indicator_targets", "points": "indicator_points",
           "met": "indicator_met", "figures": "figures"}


#: Rows of JSON arrays decoded at a time (:meth:`StoredUnits._converted`): a block's cells
#: stay in the processor's cache while they are converted.
_ROWS_PER_BLOCK = 250


def _typed(field: str, kind: str) -> Callable[[Any], Any] | None:
    """How a decoded cell of an indicator's column becomes what results hold: decimals,
    level names, 不适用, flags (as decoded: ``None``).  Equal texts of the column become
    one object."""
    if field == "met":
        return None
    return _Converted(str if field == "value" and kind == "level" else Decimal).__getitem__


def _columns(rows: Sequence[str], width: int) -> list[Sequence[Any]]:
    """The cells of JSON arrays of ``width`` cells (one per unit), a column per position.

    When every array holds strings only, no backslash, each its ``2 × width`` quotes, no
    string holds a quote, and the arrays joined by ``","`` split into the columns' cells
    at once (each array gives at most ``width`` cells, so a total of ``width`` per array
    means each gave exactly ``width``): faster than the JSON decoder.  Otherwise (a
    null, a flag, an escape) the arrays are read by the decoder, as one array of them.
    """
    quotes = 2 * width
    if width and all(row.startswith('["') and row.endswith('"]') and row.count('"') == quotes for row in rows):
        joined = '","'.join([row[2:-2] for row in rows])
        cells = joined.split('","') if "\\" not in joined else []
        if len(cells) == width * len(rows):
            return [cells[n::width] for n in range(width)]
    return list(zip(*json.loads("[" + ",".join(rows) + "]"))) or [()] * width


class _Converted(dict):
    """Text → its figure, converted once per distinct text, so that equal texts share
    one object (``None`` and 不适用 are kept as they are)."""

    def __init__(self, convert: Callable[[str], Any]) -> None:
        super().__init__()
        self.convert = convert

    def __missing__(self, text: str | None) -> Any:
        figure = self[text] = text if text is None or text == NOT_APPLICABLE else self.convert(text)
        return figure


class _Codes(dict):
    """A value's text → its code, as binding codes a column: each distinct text is
    converted once, into ``distinct[code]`` (不适用 is the exempt mark)."""

    def __init__(self, convert: Callable[[str], Cell]) -> None:
        super().__init__()
        self.convert = convert
        self.distinct: list[Cell] = []

    def __missing__(self, text: str | None) -> int:
        code = self[text] = len(self.distinct)
        self.distinct.append(None if text is None else EXEMPT if text == NOT_APPLICABLE else self.convert(text))
        return code


def _decimals(texts: Iterable[str | None]) -> list[Any]:
    return list(map(_Converted(Decimal).__getitem__, texts))


def _adjustments(lines: Sequence[tuple[str, str, str, str, str]]) -> tuple[AdjustmentResult, ...]:
    return tuple(AdjustmentResult(kind=kind, item=item, name=name, count=Decimal(count), points=Decimal(points))
                 for kind, item, name, count, points in lines)
