"""The engine's results held as columns, and the result objects made from them on read.

A national batch is 40,000 units × 50 indicators.  The engine scores it column by
column and keeps it that way: one column of points per indicator, stored as a code per
unit and the figure of each code (units with the same value share a code), and one
column per ranked field.  :class:`EngineUnits` is the engine's implementation of
:class:`~qscore.model.RankedUnits`: writers read its columns, and a unit's
:class:`~qscore.model.UnitResult` (with its per-indicator results) is made only when
something reads that unit.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from decimal import Decimal
from typing import Any, TypeVar, overload

import attrs

from qscore.model import NOT_APPLICABLE, IndicatorResult, RankedField, RankedUnits, ResultField, UnitResult
from qscore.numbers import ZERO
from qscore.cells import EXEMPT, Exempt

T = TypeVar("T")
R = TypeVar("R")


class CodedColumn(Sequence[Decimal]):
    """A column of figures stored as a code per unit and the figure of each code.

    Units with the same value share a code, so a national column of 40,000 points holds
    a few hundred figures: adding it up looks each code up once per unit, and
    :meth:`mapped` formats each figure once.

    :param codes: each unit's code.
    :param figures: code → figure.
    """

    __slots__ = ("codes", "figures")

    def __init__(self, codes: list[int], figures: Mapping[int, Decimal]) -> None:
        self.codes, self.figures = codes, figures

    @classmethod
    def of(cls, figures: list[Decimal]) -> CodedColumn:
        """``figures`` coded by identity: the same object shares a code (the engine hands
        one object to units with the same points)."""
        codes = list(map(id, figures))
        return cls(codes, dict(zip(codes, figures)))

    def __len__(self) -> int:
        return len(self.codes)

    @overload
    def __getitem__(self, unit: int) -> Decimal: ...
    @overload
    def __getitem__(self, unit: slice) -> list[Decimal]: ...

    def __getitem__(self, unit: int | slice) -> Decimal | list[Decimal]:
        if isinstance(unit, slice):
            return list(map(self.figures.__getitem__, self.codes[unit]))
        return self.figures[self.codes[unit]]

    def __iter__(self) -> Iterator[Decimal]:
        return map(self.figures.__getitem__, self.codes)

    def mapped(self, function: Callable[[Decimal], T]) -> list[T]:
        """``function`` of every unit's figure, worked out once per code."""
        done = {code: function(figure) for code, figure in self.figures.items()}
        return list(map(done.__getitem__, self.codes))


class OnRead(Sequence[T | None]):
    """A column worked out for a unit when it is read, ``None`` where the unit's value is
    missing or exempt: the targets and met flags, which only explanations and
    per-indicator results look at.

    :param values: the indicator's value column.
    :param compute: a unit's position → its figure.
    """

    __slots__ = ("values", "compute")

    def __init__(self, values: Sequence[object], compute: Callable[[int], T]) -> None:
        self.values, self.compute = values, compute

    def __len__(self) -> int:
        return len(self.values)

    @overload
    def __getitem__(self, unit: int) -> T | None: ...
    @overload
    def __getitem__(self, unit: slice) -> list[T | None]: ...

    def __getitem__(self, unit: int | slice) -> T | None | list[T | None]:
        if isinstance(unit, slice):
            return [self[n] for n in range(*unit.indices(len(self)))]
        value = self.values[unit]
        return None if value is None or value is EXEMPT else self.compute(unit)


class PerValue(Sequence[T | None]):
    """A column that depends on each unit's value alone, worked out when it is read,
    ``None`` where the value is missing or exempt: the target and met flags of an
    indicator whose target is the same for every unit.  :meth:`mapped` works each
    distinct value out once.

    :param values: the indicator's value column.
    :param compute: a present value → its figure.
    """

    __slots__ = ("values", "compute")

    def __init__(self, values: Sequence[object], compute: Callable[[Any], T]) -> None:
        self.values, self.compute = values, compute

    def __len__(self) -> int:
        return len(self.values)

    @overload
    def __getitem__(self, unit: int) -> T | None: ...
    @overload
    def __getitem__(self, unit: slice) -> list[T | None]: ...

    def __getitem__(self, unit: int | slice) -> T | None | list[T | None]:
        if isinstance(unit, slice):
            return [self._of(value) for value in self.values[unit]]
        return self._of(self.values[unit])

    def _of(self, value: object) -> T | None:
        return None if value is None or value is EXEMPT else self.compute(value)

    def mapped(self, function: Callable[[T | None], R]) -> list[R]:
        """``function`` of every unit's figure, worked out once per distinct value."""
        return _per_object(self.values, lambda value: function(self._of(value)))


def _same(value: T) -> T:
    return value


def _per_object(column: Sequence[Any], function: Callable[[Any], R]) -> list[R]:
    """``function`` of every cell, worked out once per distinct object: binding and the
    engine hand equal figures one shared object.  Every cell stays alive in ``column``
    while identities are taken, so no two cells share one by accident."""
    keys = list(map(id, column))
    done = {key: function(cell) for key, cell in dict(zip(keys, column)).items()}
    return list(map(done.__getitem__, keys))


@attrs.frozen
class ResultColumns:
    """Every unit's per-indicator results, one column per indicator (ruleset order), in
    the engine's unit order (the input's).

    :param indicators: the indicators' ids.
    :param max_points: the indicators' full marks (a unit exempt from one has 0).
    :param values: per indicator, each unit's observed value, ``EXEMPT`` where the
        indicator does not apply to the unit (its result shows ``不适用``).
    :param targets: per indicator, each unit's target used.
    :param points: per indicator, each unit's points.
    :param met: per indicator, whether each unit met its target.
    :param explanations: per indicator, each unit's explanation, or ``None`` when not asked for.
    :param figures: ``(indicator id, field)`` → each unit's per-unit figure from the data
        (``@上年`` is field ``previous``).
    :param cases: per indicator, each unit's case where the engine knows it (units of one
        case have the same result), else ``None``.
    """

    indicators: tuple[str, ...]
    max_points: tuple[Decimal, ...]
    values: tuple[Sequence[Decimal | str | Exempt | None], ...]
    targets: tuple[Sequence[Decimal | None], ...]
    points: tuple[CodedColumn, ...]
    met: tuple[Sequence[bool | None], ...]
    explanations: tuple[Sequence[str] | None, ...]
    figures: Mapping[tuple[str, str], Sequence[Decimal | None]]
    cases: tuple[Sequence[int] | None, ...]

    def result(self, position: int, unit: int) -> IndicatorResult:
        """The ``position``-th indicator's result for the ``unit``-th unit."""
        explanations, previous = self.explanations[position], self.figures.get((self.indicators[position], "previous"))
        value = self.values[position][unit]
        exempt = value is EXEMPT
        return IndicatorResult(indicator=self.indicators[position],
                               value=NOT_APPLICABLE if exempt else value,  # type: ignore[arg-type]
                               target=self.targets[position][unit], points=self.points[position][unit],
                               max_points=ZERO if exempt else self.max_points[position],
                               met=self.met[position][unit],
                               explanation=None if explanations is None else explanations[unit],
                               previous=None if previous is None else previous[unit])

    def mapped(self, field: ResultField, position: int, shown: Callable[[Any], T]) -> list[T]:
        """The ``position``-th indicator's ``field`` for every unit (the engine's order),
        through ``shown``, worked out once per distinct figure where the column allows."""
        values = self.values[position]
        if field == "points":
            return self.points[position].mapped(shown)
        if field == "value":
            return _per_object(values, lambda value: shown(NOT_APPLICABLE if value is EXEMPT else value))
        if field == "max_points":
            full, nothing = shown(self.max_points[position]), shown(ZERO)
            return [nothing if value is EXEMPT else full for value in values]
        if field == "explanation":  # units with the same figures share one sentence (one object)
            explanations = self.explanations[position]
            return _per_object([None] * len(values) if explanations is None else explanations, shown)
        if field == "previous":
            previous = self.figures.get((self.indicators[position], "previous"))
            return _per_object([None] * len(values) if previous is None else previous, shown)
        column = (self.targets if field == "target" else self.met)[position]
        if isinstance(column, PerValue):
            return column.mapped(shown)
        return _per_object(list(column), shown)


class IndicatorView(Sequence[IndicatorResult]):
    """One unit's per-indicator results, in ruleset order, each made when it is read
    (and not kept: writing a national batch reads each once).  Compares equal to any
    sequence of the same results, like a tuple.

    :param columns: the batch's per-indicator columns.
    :param unit: the unit's position in them.
    """

    __slots__ = ("_columns", "_unit")

    def __init__(self, columns: ResultColumns, unit: int) -> None:
        self._columns, self._unit = columns, unit

    def __len__(self) -> int:
        return len(self._columns.indicators)

    @overload
    def __getitem__(self, index: int) -> IndicatorResult: ...
    @overload
    def __getitem__(self, index: slice) -> tuple[IndicatorResult, ...]: ...

    def __getitem__(self, index: int | slice) -> IndicatorResult | tuple[IndicatorResult, ...]:
        if isinstance(index, slice):
            return tuple(self[n] for n in range(*index.indices(len(self))))
        return self._columns.result(range(len(self))[index], self._unit)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Sequence) or isinstance(other, str):
            return NotImplemented
        return len(self) == len(other) and all(a == b for a, b in zip(self, other))

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return repr(tuple(self))


@attrs.frozen
class RankedColumns:
    """The :class:`~qscore.model.UnitResult` fields the engine settles and ranks, each a
    column in rank order."""

    unit: Sequence[str]
    row: Sequence[int | None]
    rank: Sequence[int]
    total: Sequence[Decimal]
    tier: Sequence[str | None]
    vetoed: Sequence[bool]
    bonus: Sequence[Decimal]
    deductions: Sequence[Decimal]
    gap_to_next: Sequence[Decimal | None]
    adjustments: Sequence[tuple[Any, ...]]


class EngineUnits(RankedUnits):
    """The engine's ranked units: columns, with each unit's objects made when read.

    :param ranked: the ranked fields, in rank order.
    :param table: the per-indicator results, in the engine's unit order.
    :param positions: each ranked unit's position in ``table`` and ``subtotals``.
    :param subtotals: category id → every unit's subtotal, in the engine's unit order.
    """

    __slots__ = ("_ranked", "_table", "_positions", "_subtotals")

    def __init__(self, ranked: RankedColumns, table: ResultColumns, positions: Sequence[int],
                 subtotals: Mapping[str, Sequence[Decimal]]) -> None:
        self._ranked, self._table, self._positions, self._subtotals = ranked, table, positions, subtotals

    def __len__(self) -> int:
        return len(self._positions)

    def column(self, field: RankedField) -> Sequence[Any]:
        return getattr(self._ranked, field)  # type: ignore[no-any-return]

    def subtotals(self, category: str) -> list[Decimal]:
        return list(map(self._subtotals[category].__getitem__, self._positions))

    def points_rows(self, shown: Callable[[Decimal], T]) -> list[tuple[T, ...]]:
        # Rows are made in the engine's order, each figure shown once per code, then put
        # in rank order whole: cheaper than reordering every column.
        rows = list(zip(*(column.mapped(shown) for column in self._table.points)))
        if not rows:
            rows = [()] * len(self)
        return list(map(rows.__getitem__, self._positions))

    def figures(self) -> dict[tuple[str, str], list[Decimal | None]]:
        return {key: list(map(column.__getitem__, self._positions)) for key, column in self._table.figures.items()}

    def result_rows(self, field: ResultField, shown: Callable[[Any], T]) -> list[tuple[T, ...]]:
        table = self._table
        rows = list(zip(*(table.mapped(field, position, shown) for position in range(len(table.indicators)))))
        if not rows:
            rows = [()] * len(self)
        return list(map(rows.__getitem__, self._positions))

    def explanation_rows(self) -> list[tuple[str, ...]]:
        table = self._table
        columns = [[""] * len(table.values[n]) if texts is None else texts for n, texts in enumerate(table.explanations)]
        rows = list(zip(*columns)) or [()] * len(self)
        return list(map(rows.__getitem__, self._positions))

    def result_cases(self) -> list[Sequence[int]]:
        positions, count = self._positions, len(self._positions)
        named: list[Sequence[int]] = []
        for cases in self._table.cases:
            if cases is None:
                named.append(range(count))
                continue
            ranked = list(map(cases.__getitem__, positions))
            first = dict(zip(reversed(ranked), range(count - 1, -1, -1)))  # the last written is the first in rank
            named.append(list(map(first.__getitem__, ranked)))
        return named

    def result_columns(self, field: ResultField) -> list[list[Any]]:
        table, positions = self._table, self._positions
        return [list(map(table.mapped(field, n, _same).__getitem__, positions)) for n in range(len(table.indicators))]

    def result_at(self, position: int, indicator: int) -> IndicatorResult:
        return self._table.result(range(len(self._table.indicators))[indicator], self._positions[position])

    def unit_at(self, position: int) -> UnitResult:
        ranked, engine = self._ranked, self._positions[position]
        return UnitResult(unit=ranked.unit[position], indicators=IndicatorView(self._table, engine),
                          subtotals={category: column[engine] for category, column in self._subtotals.items()},
                          adjustments=ranked.adjustments[position], bonus=ranked.bonus[position],
                          deductions=ranked.deductions[position], vetoed=ranked.vetoed[position],
                          total=ranked.total[position], rank=ranked.rank[position], tier=ranked.tier[position],
                          gap_to_next=ranked.gap_to_next[position], row=ranked.row[position])
