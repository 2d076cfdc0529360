"""Scoring a batch of units against a ruleset: points, totals, ranks and tiers.

The engine works column by column: each indicator's rule and target are resolved once
for the batch, and a unit's value is scored without building any text.  Explanations
are built only when asked for, from the same figures.  A unit the indicator does not
apply to (``applies_to``, or a cell marked 不适用) has ``EXEMPT`` in its value column:
0 points and 0 full marks.
"""

from __future__ import annotations

import decimal
import itertools
from collections.abc import Callable, Iterable, Iterator, Sequence
from decimal import Decimal
from functools import partial
from operator import add, not_, sub
from typing import NamedTuple, TypeVar

import attrs

from qscore.cells import EXEMPT
from qscore.data import Cell, Dataset
from qscore.errors import DataError, MissingFigure, QscoreError
from qscore.model import (NOT_APPLICABLE, ROUNDING_MODES, AdjustmentResult, BatchResult, CodedColumn, Indicator,
                          IndicatorResults, Item, RankedUnits, ResultColumns, Rounding, Ruleset, UnitResult)
from qscore.numbers import ZERO
from qscore.ranking import classes, rank_order
from qscore.rules.base import Rule
from qscore.targets import Figures, Timing

#: A plug-in's extra adjustments for one unit (see ``qscore_adjust_unit``).
Adjuster = Callable[[Ruleset, UnitResult], Iterable[AdjustmentResult]]
STANDARD_FIELDS = ("baseline", "previous")
T = TypeVar("T")
__all__ = ["NOT_APPLICABLE", "Adjuster", "Column", "YearError", "indicator_total", "score_batch", "score_indicator"]


@attrs.frozen
class Column:
    """One indicator scored for every unit of a batch."""

    values: list[Cell]
    points: Sequence[Decimal]
    targets: Sequence[Decimal | None]
    met: Sequence[bool | None]
    explanations: list[str] | None


class YearError(QscoreError):
    """An assessment year outside the plan."""


def score_batch(ruleset: Ruleset, data: Dataset, *, year: int | None = None, explain: bool = False,
                adjusters: Sequence[Adjuster] = (), progress: Callable[[int], None] | None = None) -> BatchResult:
    """Score, total, rank and classify every unit in ``data``.

    :param year: the assessment year (default: the horizon year); before the horizon,
        targets are the year's point on the path from baseline to target.
    :param explain: build each indicator's explanation text.
    :param adjusters: plug-in adjustments applied to each unit.
    :param progress: called with 1 after each indicator is scored (a progress bar's update).
    """
    year = ruleset.horizon_year if year is None else year
    if year < ruleset.base_year:
        raise YearError(f"year {year} is before the plan's base year {ruleset.base_year}")
    columns = []
    for indicator in ruleset.indicators:
        columns.append(score_indicator(ruleset, indicator, data, year, explain))
        if progress is not None:
            progress(1)
    table = _result_columns(ruleset, data, columns)
    points, subtotal_columns = _sums(ruleset, table, len(data.units))
    if ruleset.scale_to is not None:
        points = _scaled(ruleset, table, points)
    subtotals = _SubtotalDicts(subtotal_columns, len(data.units))
    settled = _settle_all(ruleset, data, table, points, subtotals, adjusters)
    totals, vetoed = settled["total"], settled["vetoed"]
    order, ranks = rank_order(_sort_keys(ruleset, table, subtotals, totals, vetoed),
                              None if ruleset.ranking.tie_break else _best_first(totals, vetoed))
    tiers: Sequence[str | None] = [None] * len(order)
    gaps: Sequence[Decimal | None] = [None] * len(order)
    if ruleset.classification is not None:
        tiers, gaps = classes(list(map(totals.__getitem__, order)), list(map(vetoed.__getitem__, order)), ranks,
                              ruleset.classification)
    fields: dict[str, Sequence[object]] = {name: list(map(column.__getitem__, order))
                                           for name, column in settled.items()}
    fields.update(unit=list(map(data.units.__getitem__, order)), row=list(map(data.rows.__getitem__, order)),
                  rank=ranks, tier=tiers, gap_to_next=gaps)
    return BatchResult(ruleset=ruleset, year=year, units=RankedUnits(fields, table, order, subtotal_columns))


class _SubtotalDicts(Sequence[dict[str, Decimal]]):
    """Each unit's category subtotals as a dict, made when read: ranking and writing a
    batch read the subtotal columns, only tie-breaks and adjustments a unit's dict."""

    def __init__(self, columns: dict[str, list[Decimal]], count: int) -> None:
        self.columns, self.count = columns, count

    def __len__(self) -> int:
        return self.count

    def __getitem__(self, unit: int) -> dict[str, Decimal]:  # type: ignore[override]
        if not 0 <= unit < self.count:
            raise IndexError(unit)
        return {category: column[unit] for category, column in self.columns.items()}

    def __iter__(self) -> Iterator[dict[str, Decimal]]:
        return map(self.__getitem__, range(self.count))


def _best_first(totals: list[Decimal], vetoed: list[bool]) -> list[int]:
    """Positions sorted on (not vetoed, total), best first, ties in input order: units
    not vetoed by total, then vetoed ones by total, without comparing tuples."""
    kept = list(itertools.compress(range(len(totals)), map(not_, vetoed)))
    out = list(itertools.compress(range(len(totals)), vetoed))
    return sorted(kept, key=totals.__getitem__, reverse=True) + sorted(out, key=totals.__getitem__, reverse=True)


def _sort_keys(ruleset: Ruleset, table: ResultColumns, subtotals: Sequence[dict[str, Decimal]],
               totals: list[Decimal], vetoed: list[bool]) -> list[tuple]:
    """What :func:`~qscore.ranking.rank_order` sorts on: not vetoed, the total, then each
    tie-break's subtotal or indicator points."""
    if not ruleset.ranking.tie_break:
        return list(zip(map(not_, vetoed), totals))
    columns = {ident: points for ident, points in zip(table.indicators, table.points)}
    extra = [[sub[name] if name in sub else columns[name][n] if name in columns else ZERO
              for name in ruleset.ranking.tie_break] for n, sub in enumerate(subtotals)]
    return [(not veto, total, *more) for veto, total, more in zip(vetoed, totals, extra)]


def _result_columns(ruleset: Ruleset, data: Dataset, columns: list[Column]) -> ResultColumns:
    return ResultColumns(indicators=tuple(i.id for i in ruleset.indicators),
                         max_points=tuple(i.points for i in ruleset.indicators),
                         values=tuple(c.values for c in columns),
                         targets=tuple(c.targets for c in columns), points=tuple(c.points for c in columns),
                         met=tuple(c.met for c in columns), explanations=tuple(c.explanations for c in columns))


def _sums(ruleset: Ruleset, table: ResultColumns, count: int) -> tuple[list[Decimal], dict[str, list[Decimal]]]:
    """Each unit's sum of indicator points, and its category subtotals.

    The total is added up from the subtotals, which is half the work; that is the same
    sum only while every addition is exact, which the context's ``Rounded`` flag tells,
    so otherwise it is added up again indicator by indicator, the order a unit-by-unit
    sum takes.
    """
    with decimal.localcontext() as context:
        context.clear_flags()
        subtotals = {c.id: [ZERO] * count for c in ruleset.categories}
        loose = [ZERO] * count  # indicators in no category
        for indicator, points in zip(ruleset.indicators, table.points):
            key = indicator.category
            if key is None:
                loose = list(map(add, loose, points))
            else:
                subtotals[key] = list(map(add, subtotals[key], points))
        totals = [ZERO] * count
        for column in (*subtotals.values(), loose):
            totals = list(map(add, totals, column))
        if not context.flags[decimal.Rounded]:
            return totals, subtotals
    totals = [ZERO] * count
    for points in table.points:
        totals = list(map(add, totals, points))
    return totals, subtotals


def _scaled(ruleset: Ruleset, table: ResultColumns, points: list[Decimal]) -> list[Decimal]:
    """Each unit's indicator points on the ``scale_to`` scale (得分率折算): points ÷ the
    full marks that apply to it × ``scale_to``, rounded once; as :func:`indicator_total`."""
    count = len(points)
    applicable = [ZERO] * count
    for full, values in zip(table.max_points, table.values):
        marks: Iterable[Decimal] = itertools.repeat(full, count)
        if EXEMPT in values:
            marks = [ZERO if value is EXEMPT else full for value in values]
        applicable = list(map(add, applicable, marks))  # in ruleset order, as a unit-by-unit sum
    scale, rounding = ruleset.scale_to, ruleset.rounding
    return [rounding.apply(p * scale / marks if marks else ZERO)  # type: ignore[operator]
            for p, marks in zip(points, applicable)]


def indicator_total(ruleset: Ruleset, unit: UnitResult) -> Decimal:
    """The indicators' part of the total: their points, or with ``scale_to`` their score
    rate on that scale (points ÷ full marks that apply × scale_to, rounded once)."""
    points = sum((r.points for r in unit.indicators), ZERO)
    if ruleset.scale_to is None:
        return points
    applicable = sum((r.max_points for r in unit.indicators), ZERO)
    return ruleset.rounding.apply(points * ruleset.scale_to / applicable if applicable else ZERO)


def score_indicator(ruleset: Ruleset, indicator: Indicator, data: Dataset, year: int, explain: bool) -> Column:
    """Score one indicator's column for the whole batch."""
    values = _applicable_values(indicator, data)
    timing = Timing(indicator.baseline_year or ruleset.base_year, ruleset.horizon_year, year)
    figures = _figures(indicator, data)
    if not indicator.rule.batch and not _own_figures(indicator, data):
        target = _constant_target(indicator, data, values, figures, timing)
        _check_missing(ruleset, indicator, data, values)
        column = _constant_column(ruleset, indicator, data, values, target, figures)
    else:
        targets = _targets(indicator, data, values, figures, timing)
        _check_missing(ruleset, indicator, data, values)
        column = _varying_column(ruleset, indicator, data, values, targets, figures)
    if not explain:
        return column
    present = [n for n, value in enumerate(values) if value is not None and value is not EXEMPT]
    explanations = _explain(ruleset, indicator, values, present, column.targets, [f.baseline for f in figures],
                            figures, timing, column.points)
    return attrs.evolve(column, explanations=explanations)


def _applicable_values(indicator: Indicator, data: Dataset) -> list[Cell]:
    """The indicator's column with ``EXEMPT`` for each unit outside its ``applies_to``."""
    values = data.values[indicator.id]
    if not indicator.applies_to:
        return values
    return [value if indicator.applies(unit) else EXEMPT for value, unit in zip(values, data.units)]


def _first_present(values: list[Cell]) -> int:
    return next(n for n, value in enumerate(values) if value is not None and value is not EXEMPT)


def _constant_target(indicator: Indicator, data: Dataset, values: list[Cell], figures: list[Figures],
                     timing: Timing) -> Decimal | None:
    """The target when every unit has the plan's figures: resolved once."""
    first = next((n for n, value in enumerate(values) if value is not None and value is not EXEMPT), None)
    if first is None or indicator.target is None or not indicator.rule.uses_target:
        return None
    try:
        return indicator.target.resolve(figures[first], timing)
    except MissingFigure as exc:
        raise _missing_figure(indicator, data, first, exc) from None


class _OnRead(Sequence[T]):
    """A column worked out for a unit when read, ``None`` where its value is missing or
    exempt: the targets and met flags, which only explanations and per-indicator results
    look at."""

    def __init__(self, values: list[Cell], compute: Callable[[int], T]) -> None:
        self.values, self.compute = values, compute

    def __len__(self) -> int:
        return len(self.values)

    def __getitem__(self, unit: int) -> T | None:  # type: ignore[override]
        value = self.values[unit]
        return None if value is None or value is EXEMPT else self.compute(unit)


def _constant_column(ruleset: Ruleset, indicator: Indicator, data: Dataset, values: list[Cell],
                     target: Decimal | None, figures: list[Figures]) -> Column:
    """Points when the target and baseline are the same for every unit: each distinct
    value is scored once (a missing or exempt one scores nothing)."""
    rule, rounding = indicator.rule, ruleset.rounding
    baseline = figures[0].baseline if figures else None
    codes, distinct = _codes(indicator, data, values)
    points_of: dict[int, Decimal] = {}
    for code, value in distinct:
        if value is None or value is EXEMPT:
            points_of[code] = _nothing(rounding)
            continue
        try:
            points = rule.points(value, target, baseline)
        except MissingFigure as exc:  # 进度, 计件 of the increase: no baseline in the plan or the data
            raise _missing_figure(indicator, data, _first_present(values), exc) from None
        points_of[code] = rounding.apply(points) if rounding.stage == "indicator" else points
    return Column(values=values, points=CodedColumn(codes, points_of), targets=_OnRead(values, partial(_same, target)),
                  met=_OnRead(values, partial(_met_one, rule, values, target)), explanations=None)


def _codes(indicator: Indicator, data: Dataset, values: list[Cell]) -> tuple[list[int], Iterable[tuple[int, Cell]]]:
    """Each unit's code and each code's value: the binding's, else the values' identities.

    Hashing a Decimal costs more than scoring it, and binding gives every cell with the
    same text the same object.  Every value is alive in ``values`` while the identities
    are taken, so no two share one by accident.
    """
    coded = data.codes.get(indicator.id)
    if coded is not None and values is data.values[indicator.id] and len(coded[0]) == len(values):
        return coded[0], enumerate(coded[1])
    codes = list(map(id, values))
    return codes, dict(zip(codes, values)).items()


def _varying_column(ruleset: Ruleset, indicator: Indicator, data: Dataset, values: list[Cell],
                    targets: list[Decimal | None], figures: list[Figures]) -> Column:
    """Points when targets or baselines differ by unit, or the rule needs the whole batch."""
    rule, rounding = indicator.rule, ruleset.rounding
    present = [n for n, value in enumerate(values) if value is not None and value is not EXEMPT]
    baselines = [figures[n].baseline for n in present]
    try:
        raw = rule.points_batch([values[n] for n in present], [targets[n] for n in present], baselines)
    except MissingFigure as exc:
        # A rule reads no figure but the baseline (进度, 计件 of the increase): name a unit without one.
        unit = next((n for n, baseline in zip(present, baselines) if baseline is None), present[0])
        raise _missing_figure(indicator, data, unit, exc) from None
    if rounding.stage == "indicator":
        quantum, mode = rounding.quantum, ROUNDING_MODES[rounding.mode]  # Rounding.apply, once per column
        # A batch rule may give units with the same points one shared figure (排序赋分's
        # places): each figure is rounded once, keyed by identity while ``raw`` keeps it alive.
        keys = list(map(id, raw))
        rounded = {key: p.quantize(quantum, rounding=mode) for key, p in dict(zip(keys, raw)).items()}
        raw = list(map(rounded.__getitem__, keys))
    points = [_nothing(rounding)] * len(values)
    for n, p in zip(present, raw):
        points[n] = p
    return Column(values=values, points=points, targets=targets, explanations=None,
                  met=_OnRead(values, partial(_met_each, rule, values, targets)))  # type: ignore[arg-type]


# Module-level, so that a batch's lazy columns can be pickled.
def _same(target: Decimal | None, unit: int) -> Decimal | None:
    return target


def _met_one(rule: Rule, values: list[Cell], target: Decimal | None, unit: int) -> bool | None:
    return rule.met(values[unit], target)  # type: ignore[arg-type]


def _met_each(rule: Rule, values: list[Cell], targets: Sequence[Decimal | None], unit: int) -> bool | None:
    return rule.met(values[unit], targets[unit])  # type: ignore[arg-type]


def _nothing(rounding: Rounding) -> Decimal:
    """What a missing value scores."""
    return rounding.apply(ZERO) if rounding.stage == "indicator" else ZERO


def _own_figures(indicator: Indicator, data: Dataset) -> bool:
    return any(ident == indicator.id for ident, _ in data.figures)


def _figures(indicator: Indicator, data: Dataset) -> list[Figures]:
    count = len(data.units)
    own = {field: column for (ident, field), column in data.figures.items() if ident == indicator.id}
    if not own:
        return [Figures(baseline=indicator.baseline)] * count
    baselines = own.get("baseline", [None] * count)
    previous = own.get("previous", [None] * count)
    references = {name: column for name, column in own.items() if name not in STANDARD_FIELDS}
    return [Figures(baseline=indicator.baseline if baselines[n] is None else baselines[n],
                    previous=previous[n],
                    references=tuple((name, col[n]) for name, col in references.items() if col[n] is not None))
            for n in range(count)]


def _targets(indicator: Indicator, data: Dataset, values: list[Cell], figures: list[Figures],
             timing: Timing) -> list[Decimal | None]:
    target = indicator.target
    if target is None:
        return [None] * len(figures)
    resolved: dict[Figures, Decimal] = {}
    out: list[Decimal | None] = []
    for n, (fig, value) in enumerate(zip(figures, values)):
        if value is None or value is EXEMPT or not indicator.rule.uses_target:
            out.append(None)
            continue
        if fig not in resolved:
            try:
                resolved[fig] = target.resolve(fig, timing)
            except MissingFigure as exc:
                raise _missing_figure(indicator, data, n, exc) from None
        out.append(resolved[fig])
    return out


def _missing_figure(indicator: Indicator, data: Dataset, unit: int, exc: MissingFigure) -> DataError:
    field = "基期" if exc.field == "baseline" else "上年" if exc.field == "previous" else exc.field
    return DataError(f"unit '{data.units[unit]}' has no {exc.what} for indicator {indicator.id} "
                     f"({indicator.name}); supply it in a column '{indicator.name}@{field}'",
                     file=data.file, row=data.rows[unit], column=f"{indicator.name}@{field}")


def _check_missing(ruleset: Ruleset, indicator: Indicator, data: Dataset, values: list[Cell]) -> None:
    if (indicator.missing or ruleset.missing) != "error" or None not in values:
        return
    unit = next(n for n, value in enumerate(values) if value is None)
    raise DataError(f"unit '{data.units[unit]}' has no value for {indicator.name}, and the ruleset's "
                    "missing-value policy is 'error'", file=data.file, row=data.rows[unit],
                    column=data.columns.get(indicator.id, indicator.name))


def _explain(ruleset: Ruleset, indicator: Indicator, values: list[Cell], present: list[int],
             targets: list[Decimal | None], baselines: list[Decimal | None], figures: list[Figures],
             timing: Timing, points: list[Decimal]) -> list[str]:
    rule, rounding = indicator.rule, ruleset.rounding
    lines = rule.explain_batch([values[n] for n in present], [targets[n] for n in present],
                               [baselines[n] for n in present])
    missing = f"无数据，按0分计（缺失值规则：{indicator.missing or ruleset.missing}）"
    limited = f"不适用：本指标只考核 {'、'.join(indicator.applies_to)}" if indicator.applies_to else ""
    exempt = limited or "不适用：数据标为不适用，不计分也不计满分"
    texts = [exempt if value is EXEMPT else missing for value in values]
    for n, line in zip(present, lines):
        target = ""
        if rule.uses_target and indicator.target is not None:
            target = f"目标：{indicator.target.describe(figures[n], timing)}；"
        rounded = ""
        if rounding.stage == "indicator":
            rounded = f"；保留{rounding.places}位小数 → {points[n]:f}"
        texts[n] = f"{target}{rule.label}：{line}{rounded}"
    return texts


def _item_counts(ruleset: Ruleset, data: Dataset) -> list[tuple[str, Item, list[Decimal]]]:
    """Bonus, deduction and veto items the data has a column for, each with every unit's
    count (an item without a column never happened)."""
    adjust = ruleset.adjustments
    kinds = (("bonus", adjust.bonus), ("deduction", adjust.deductions), ("veto", adjust.vetoes))
    return [(kind, item, data.items[item.id]) for kind, items in kinds for item in items if item.id in data.items]


def _item_lines(items: list[tuple[str, Item, list[Decimal]]], unit: int) -> list[AdjustmentResult]:
    lines = []
    for kind, item, counts in items:
        count = counts[unit]
        if count:
            points = count * item.points
            if item.cap is not None:
                points = min(points, item.cap)
            lines.append(AdjustmentResult(kind=kind, item=item.id, name=item.name, count=count, points=points))
    return lines


class Settled(NamedTuple):
    """A unit's adjustments and total, before ranking: :class:`UnitResult`'s fields
    from ``adjustments`` to ``total``, in that order."""

    adjustments: tuple[AdjustmentResult, ...]
    bonus: Decimal
    deductions: Decimal
    vetoed: bool
    total: Decimal


def _settle_all(ruleset: Ruleset, data: Dataset, table: ResultColumns, points: list[Decimal],
                subtotals: Sequence[dict[str, Decimal]], adjusters: Sequence[Adjuster]) -> dict[str, list]:
    """Every unit's bonus, deductions, veto and total: :class:`Settled`'s fields as
    columns, in the units' order."""
    items = _item_counts(ruleset, data)
    count = len(points)
    if adjusters:
        settled = [_settle(ruleset, data, n, table, points[n], subtotals[n], items, adjusters) for n in range(count)]
        return {name: [s[field] for s in settled] for field, name in enumerate(Settled._fields)}
    # Most units have no bonus, deduction or veto: settle them in one sweep, the same
    # arithmetic as _settle with no lines, and the others one by one.
    adjust, rounding = ruleset.adjustments, ruleset.rounding
    bonus = ZERO if adjust.bonus_cap is None else min(ZERO, adjust.bonus_cap)
    deductions = ZERO if adjust.deduction_cap is None else min(ZERO, adjust.deduction_cap)
    totals: Iterable[Decimal] = map(sub, map(add, points, itertools.repeat(bonus)), itertools.repeat(deductions))
    if adjust.total_floor is not None:
        totals = map(max, totals, itertools.repeat(adjust.total_floor))
    if rounding.stage == "total":
        totals = map(rounding.apply, totals)
    columns = {"adjustments": [()] * count, "bonus": [bonus] * count, "deductions": [deductions] * count,
               "vetoed": [False] * count, "total": list(totals)}
    for unit in sorted({n for _, _, counts in items for n, count in enumerate(counts) if count}):
        settled = _settle(ruleset, data, unit, table, points[unit], subtotals[unit], items, adjusters)
        for name, value in zip(Settled._fields, settled):
            columns[name][unit] = value
    return columns


def _settle(ruleset: Ruleset, data: Dataset, unit: int, table: ResultColumns, points: Decimal,
            subtotals: dict[str, Decimal], items: list[tuple[str, Item, list[Decimal]]],
            adjusters: Sequence[Adjuster]) -> Settled:
    """A unit's bonus, deductions, veto and total; ``points`` is its indicator points' sum."""
    lines = _item_lines(items, unit)
    if adjusters:
        partial = UnitResult(unit=data.units[unit], indicators=IndicatorResults(table, unit), subtotals=subtotals,
                             adjustments=tuple(lines), bonus=ZERO, deductions=ZERO, vetoed=False, total=ZERO,
                             row=data.rows[unit])
        for adjuster in adjusters:
            lines.extend(adjuster(ruleset, partial))
    adjust = ruleset.adjustments
    bonus = deductions = ZERO
    if lines:  # most units have none: skip the sums
        bonus = sum((line.points for line in lines if line.kind == "bonus"), ZERO)
        deductions = sum((line.points for line in lines if line.kind == "deduction"), ZERO)
    if adjust.bonus_cap is not None:
        bonus = min(bonus, adjust.bonus_cap)
    if adjust.deduction_cap is not None:
        deductions = min(deductions, adjust.deduction_cap)
    total = points + bonus - deductions
    if adjust.total_floor is not None:
        total = max(total, adjust.total_floor)
    if ruleset.rounding.stage == "total":
        total = ruleset.rounding.apply(total)
    return Settled(tuple(lines), bonus, deductions, any(line.kind == "veto" for line in lines), total)
