"""Scoring a batch of units against a ruleset: points, totals, ranks and tiers.

The engine works column by column: each indicator's rule and target are resolved once
for the batch, and a unit's value is scored without building any text.  Explanations
are built only when asked for, from the same figures.  A unit the indicator does not
apply to (``applies_to``, or a cell marked 不适用) has ``EXEMPT`` in its value column:
0 points and 0 full marks.  Totals, ranks and classes come from the pure formulas of
:mod:`qscore.scoring.formulas` and :mod:`qscore.scoring.ranking`.
"""

from __future__ import annotations

import decimal
from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from decimal import Decimal
from functools import partial
from itertools import repeat
from operator import add, mul
from typing import TypeVar

import attrs

from qscore.errors import DataError, DataProblem, DataProblems, MissingFigure, PluginError, QscoreError
from qscore.i18n import _
from qscore.limits import listed
from qscore.model import ROUNDING_MODES, AdjustmentResult, BatchResult, Indicator, Item, Notice, Rounding, Ruleset, \
    UnitResult
from qscore.numbers import ZERO, exact, fmt
from qscore.reading.binding import Cell, Dataset, one_unit
from qscore.cells import EXEMPT, Exempt
from qscore.rules.base import Rule, Value
from qscore.scoring import formulas
from qscore.scoring.adjusters import Adjuster
from qscore.scoring.columns import (CodedColumn, EngineUnits, IndicatorView, OnRead, PerValue, RankedColumns,
                                   ResultColumns)
from qscore.scoring.ranking import classes, rank
from qscore.targets import Figures, Timing

STANDARD_FIELDS = ("baseline", "previous")
T = TypeVar("T")
__all__ = ["Column", "YearError", "assessed_year", "score_batch", "score_indicator"]


@attrs.frozen
class Column:
    """One indicator scored for every unit of a batch."""

    values: list[Cell]
    points: CodedColumn
    targets: Sequence[Decimal | None]
    met: Sequence[bool | None]
    explanations: list[str] | None
    #: What the examiner must be told about the column: units scored 0 for a missing
    #: value or a missing figure.
    notices: tuple[Notice, ...] = ()
    #: Each unit's case, where the column knows it: units of one case have the same
    #: value, figures, target, points and explanation.
    cases: Sequence[int] | None = None


class _Lacking(Exception):
    """Units that lack a figure the target or rule needs (a baseline, last year's value, a
    reference): under the ``zero`` missing-value policy they score 0, under ``error`` the
    first is refused."""

    def __init__(self, units: dict[int, MissingFigure], error: DataError) -> None:
        self.units, self.error = units, error
        super().__init__(str(error))


class YearError(QscoreError):
    """An assessment year outside the plan."""


def score_batch(ruleset: Ruleset, data: Dataset, *, year: int | None = None, explain: bool = False,
                adjusters: Sequence[Adjuster] = (), progress: Callable[[int], None] | None = None,
                scored: Mapping[str, Column] | None = None) -> BatchResult:
    """Score, total, rank and classify every unit in ``data``.

    :param year: the assessment year (default: the horizon year); before the horizon,
        targets are the year's point on the path from baseline to target.
    :param explain: build each indicator's explanation text.
    :param adjusters: the plug-in adjusters registered for this ruleset.
    :param progress: called with 1 after each indicator is scored (a progress bar's update).
    :param scored: columns already scored for some indicators (id → column), as
        :func:`score_indicator` scores them from the same cells, year and ``explain``:
        taken as they are (what-if scores variants of a batch that differ in a few
        columns).
    """
    year = assessed_year(ruleset, year)
    _check_all_missing(ruleset, data)
    columns = []
    for indicator in ruleset.indicators:
        column = scored.get(indicator.id) if scored else None
        columns.append(score_indicator(ruleset, indicator, data, year, explain) if column is None else column)
        if progress is not None:
            progress(1)
    table = _result_columns(ruleset, columns, data)
    count = len(data.units)
    sums, subtotals = _sums(ruleset, table, count)
    parts = formulas.indicator_parts(ruleset, sums, _applicable_marks(ruleset, table, count))
    settled = _settle(ruleset, data, table, parts, subtotals, adjusters)
    order, ranks = rank(settled.total, settled.vetoed, _tie_breaks(ruleset, table, subtotals, count))
    totals, vetoed = _in_order(settled.total, order), _in_order(settled.vetoed, order)
    tiers: Sequence[str | None] = [None] * count
    gaps: Sequence[Decimal | None] = [None] * count
    if ruleset.classification is not None:
        tiers, gaps = classes(totals, vetoed, ranks, ruleset.classification)
    ranked = RankedColumns(unit=_in_order(data.units, order), row=_in_order(data.rows, order), rank=ranks,
                           total=totals, tier=tiers, vetoed=vetoed, bonus=_in_order(settled.bonus, order),
                           deductions=_in_order(settled.deductions, order), gap_to_next=gaps,
                           adjustments=_in_order(settled.adjustments, order))
    notices = [notice for column in columns for notice in column.notices]
    notices += _absent_units(ruleset, data)
    return BatchResult(ruleset=ruleset, year=year, units=EngineUnits(ranked, table, order, subtotals), notices=notices)


def _absent_units(ruleset: Ruleset, data: Dataset) -> list[Notice]:
    """A notice for each indicator whose ``applies_to`` names units the data does not
    hold: a name typed wrong leaves the indicator assessed for no one, unseen."""
    if not any(indicator.applies_to for indicator in ruleset.indicators):
        return []
    present = set(data.units)
    notices = []
    for indicator in ruleset.indicators:
        absent = [unit for unit in indicator.applies_to if unit not in present]
        if not absent:
            continue
        if len(absent) == len(indicator.applies_to):
            message = _("indicator {id} ({name}) applies to {units}, none of which is in the data: no unit is "
                        "assessed on it")
        else:
            message = _("indicator {id} ({name}) applies to {units} too, which the data does not hold")
        notices.append(Notice("roster", message.format(id=indicator.id, name=indicator.name, units="、".join(absent)),
                              file=data.file))
    return notices


def assessed_year(ruleset: Ruleset, year: int | None) -> int:
    """The year a batch is scored for: ``year``, else the plan's horizon year.

    :raises YearError: for a year before the plan's base year.
    """
    year = ruleset.horizon_year if year is None else year
    if year < ruleset.base_year:
        raise YearError(_("year {year} is before the plan's base year {base_year}").format(
                year=year, base_year=ruleset.base_year))
    return year


def _in_order(column: Sequence[T], order: list[int]) -> list[T]:
    return list(map(column.__getitem__, order))


def _tie_breaks(ruleset: Ruleset, table: ResultColumns, subtotals: dict[str, list[Decimal]],
                count: int) -> list[Sequence[Decimal]]:
    """The columns ranking compares when totals are equal: each tie-break's category
    subtotals or indicator points."""
    points = dict(zip(table.indicators, table.points))
    return [subtotals[name] if name in subtotals else points[name] if name in points else [ZERO] * count
            for name in ruleset.ranking.tie_break]


def _result_columns(ruleset: Ruleset, columns: list[Column], data: Dataset) -> ResultColumns:
    return ResultColumns(indicators=tuple(i.id for i in ruleset.indicators),
                         max_points=tuple(i.points for i in ruleset.indicators),
                         values=tuple(c.values for c in columns),
                         targets=tuple(c.targets for c in columns), points=tuple(c.points for c in columns),
                         met=tuple(c.met for c in columns), explanations=tuple(c.explanations for c in columns),
                         figures=data.figures, cases=tuple(c.cases for c in columns))


def _sums(ruleset: Ruleset, table: ResultColumns, count: int) -> tuple[list[Decimal], dict[str, list[Decimal]]]:
    """Each unit's sum of indicator points, and its category subtotals.

    The sum is added up from the subtotals, which is half the work; that is the same
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
        sums = [ZERO] * count
        for column in (*subtotals.values(), loose):
            sums = list(map(add, sums, column))
        if not context.flags[decimal.Rounded]:
            return sums, subtotals
    sums = [ZERO] * count
    for points in table.points:
        sums = list(map(add, sums, points))
    return sums, subtotals


def _applicable_marks(ruleset: Ruleset, table: ResultColumns, count: int) -> list[Decimal]:
    """Each unit's full marks of the indicators that apply to it, added in ruleset order
    (needed only for 得分率折算)."""
    if ruleset.scale_to is None:
        return []
    applicable = [ZERO] * count
    for full, values in zip(table.max_points, table.values):
        applicable = [marks if value is EXEMPT else marks + full for marks, value in zip(applicable, values)]
    return applicable


def score_indicator(ruleset: Ruleset, indicator: Indicator, data: Dataset, year: int, explain: bool) -> Column:
    """Score one indicator's column for the whole batch.

    A unit lacking a figure its target or rule needs (``@基期``, ``@上年``, a reference)
    follows the missing-value policy: ``zero`` scores it 0 and says so in a notice and
    its explanation, ``error`` refuses it. So does a unit without a value."""
    values = _applicable_values(indicator, data)
    timing = Timing(indicator.baseline_year or ruleset.base_year, ruleset.horizon_year, year)
    figures = UnitFigures(indicator, data)
    lacking: dict[int, MissingFigure] = {}
    while True:
        scored: list[Cell] = values if not lacking else [None if n in lacking else v for n, v in enumerate(values)]
        try:
            column = _score_column(ruleset, indicator, data, scored, figures, timing, values)
            break
        except _Lacking as exc:
            if (indicator.missing or ruleset.missing) != "zero" or not set(exc.units) - set(lacking):
                raise exc.error from None
            lacking.update(exc.units)
    notices = _missing_notices(indicator, data, values) + _outside_notices(indicator, data, values)
    if lacking:
        # The units scored 0 for a lacking figure keep their values: the codes no longer tell cases.
        notices += (_lacking_notice(indicator, data, lacking),)
        column = attrs.evolve(column, values=values, cases=None)
    if notices:
        column = attrs.evolve(column, notices=notices)
    if not explain:
        return column
    # A rule that needs no batch explains a unit from its value and figures alone, as it
    # scores it: units of one code of the points (one value, or one case) share a sentence.
    alike = None if indicator.rule.batch else column.points.codes
    explanations = _explain(ruleset, indicator, scored, column.targets, figures, timing, column.points, alike)
    for unit, missing in lacking.items():
        explanations[unit] = f"缺少{_figure_name(missing)}（{indicator.name}@{_field_name(missing)}），按缺失值规则记0分"
    return attrs.evolve(column, explanations=explanations)


def explain_one(ruleset: Ruleset, data: Dataset, year: int, position: int) -> list[str]:
    """Each indicator's explanation for the unit at ``position``, as :func:`score_batch`
    with ``explain`` words it, worked out for that unit alone: an indicator scored unit by
    unit on a one-unit copy of the data, one that needs the batch (排序赋分, a target
    from the batch) on the whole column."""
    alone = one_unit(data, position)
    texts = []
    for indicator in ruleset.indicators:
        whole = indicator.rule.batch or (indicator.target is not None and indicator.target.batch)
        column = score_indicator(ruleset, indicator, data if whole else alone, year, True)
        assert column.explanations is not None
        texts.append(column.explanations[position if whole else 0])
    return texts


def _score_column(ruleset: Ruleset, indicator: Indicator, data: Dataset, values: list[Cell], figures: UnitFigures,
                  timing: Timing, observed: list[Cell]) -> Column:
    """The column scored from ``values``: the units' values, less those of units that
    lack a figure (scored 0); a batch target (进入前列) is set by every value ``observed``,
    theirs too, as the batch's ranking is."""
    if not indicator.rule.batch and not figures.columns:
        target = _constant_target(indicator, data, values, figures, timing, observed)
        _check_missing(ruleset, indicator, data, values)
        return _constant_column(ruleset, indicator, data, values, target, figures)
    cases = _cases(indicator, data, values, figures)
    targets = _targets(indicator, data, values, figures, cases, timing, observed)
    _check_missing(ruleset, indicator, data, values)
    if indicator.rule.batch:
        return _varying_column(ruleset, indicator, data, values, targets, figures)
    return _case_column(ruleset, indicator, data, values, targets, figures, cases)


def _field_name(missing: MissingFigure) -> str:
    return {"baseline": "基期", "previous": "上年"}.get(missing.field, missing.field)


def _figure_name(missing: MissingFigure) -> str:
    return {"baseline": "基期值", "previous": "上年值"}.get(missing.field, f"参照值「{missing.field}」")


def _missing_notices(indicator: Indicator, data: Dataset, values: list[Cell]) -> tuple[Notice, ...]:
    """A notice naming the units without a value, which the ``zero`` policy scores 0 (the
    ``error`` policy has refused them before)."""
    missing = [n for n, value in enumerate(values) if value is None]
    if not missing:
        return ()
    return (_column_notice("missing", _("{count} unit(s) have no value for {name} ({shown}): scored 0 under the "
                                        "missing-value policy 'zero'").format(
        count=len(missing), name=indicator.name, shown=_some_units(data, missing)), indicator, data),)


def _outside_notices(indicator: Indicator, data: Dataset, values: list[Cell]) -> tuple[Notice, ...]:
    """A notice naming the units outside the indicator's ``applies_to`` (``EXEMPT`` in
    ``values``) whose cell holds a value anyway: it is not scored, and the examiner should
    see that rather than lose it."""
    if not indicator.applies_to:
        return ()
    given = [n for n, (value, cell) in enumerate(zip(values, data.values[indicator.id]))
             if value is EXEMPT and cell is not None and cell is not EXEMPT]
    if not given:
        return ()
    return (_column_notice("figure", _("{count} unit(s) give a value for {name} ({shown}), which applies only to "
                                       "{units}: not scored; check the value, or the indicator's applies_to").format(
        count=len(given), name=indicator.name, shown=_some_units(data, given), units="、".join(indicator.applies_to)),
        indicator, data),)


def _column_notice(kind: str, message: str, indicator: Indicator, data: Dataset) -> Notice:
    """A notice about the indicator's column, named as the file heads it."""
    return Notice(kind, message, file=data.file, sheet=data.sheet, column=data.columns.get(indicator.id, indicator.name))


def _some_units(data: Dataset, positions: list[int]) -> str:
    """The first five units at ``positions``, and an ellipsis for more."""
    return listed([data.units[n] for n in positions])


def _lacking_notice(indicator: Indicator, data: Dataset, lacking: dict[int, MissingFigure]) -> Notice:
    fields = sorted({_field_name(m) for m in lacking.values()})
    shown = _some_units(data, sorted(lacking))
    return Notice("figure", _("{count} unit(s) lack the figure {name}@{fields} that the "
                            "target or rule needs ({shown}): scored 0 under the missing-value policy 'zero'").format(
            count=len(lacking), name=indicator.name, fields='/@'.join(fields), shown=shown),
                  file=data.file, sheet=data.sheet, column=f"{indicator.name}@{fields[0]}")


def _applicable_values(indicator: Indicator, data: Dataset) -> list[Cell]:
    """The indicator's column with ``EXEMPT`` for each unit outside its ``applies_to``."""
    values = data.values[indicator.id]
    if not indicator.applies_to:
        return values
    return [value if indicator.applies(unit) else EXEMPT for value, unit in zip(values, data.units)]


def _present(values: list[Cell]) -> tuple[list[int], list[Value]]:
    """The positions of the units with a value (neither missing nor exempt), and their values."""
    positions: list[int] = []
    present: list[Value] = []
    for n, value in enumerate(values):
        if value is not None and not isinstance(value, Exempt):
            positions.append(n)
            present.append(value)
    return positions, present


def _first_present(values: list[Cell]) -> int:
    return next(n for n, value in enumerate(values) if value is not None and value is not EXEMPT)


def _constant_target(indicator: Indicator, data: Dataset, values: list[Cell], figures: UnitFigures,
                     timing: Timing, observed: list[Cell]) -> Decimal | None:
    """The target when every unit has the plan's figures: resolved once."""
    first = next((n for n, value in enumerate(values) if value is not None and value is not EXEMPT), None)
    if first is None or indicator.target is None or not indicator.rule.uses_target:
        return None
    if indicator.target.batch:
        return _batch_target(indicator, data, observed, figures, timing)
    try:
        return indicator.target.resolve(figures[first], timing)
    except MissingFigure as exc:  # every unit has these figures
        raise _Lacking(dict.fromkeys(_present(values)[0], exc), _missing_figure(indicator, data, first, exc)) from None


def _constant_column(ruleset: Ruleset, indicator: Indicator, data: Dataset, values: list[Cell],
                     target: Decimal | None, figures: UnitFigures) -> Column:
    """Points when the target and baseline are the same for every unit: each distinct
    value is scored once (a missing or exempt one scores nothing)."""
    rule, rounding = indicator.rule, ruleset.rounding
    baseline = figures.baseline  # the plan's: the column has no figures of its own
    codes, distinct = _codes(indicator, data, values)
    points_of: dict[int, Decimal] = {}
    for code, value in distinct:
        if value is None or isinstance(value, Exempt):
            points_of[code] = _nothing(rounding)
            continue
        try:
            points = rule.points(value, target, baseline)
        except MissingFigure as exc:  # 进度, 计件 of the increase: no baseline in the plan or the data
            raise _Lacking(dict.fromkeys(_present(values)[0], exc),
                           _missing_figure(indicator, data, _first_present(values), exc)) from None
        _check_points(indicator, (value,), (points,))
        points_of[code] = rounding.apply(points) if rounding.stage == "indicator" else points
    return Column(values=values, points=CodedColumn(codes, points_of),
                  targets=PerValue(values, partial(_same, target)),
                  met=PerValue(values, partial(_met_one, rule, target)), explanations=None, cases=codes)


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
                    targets: list[Decimal | None], figures: UnitFigures) -> Column:
    """Points when the rule needs the whole batch (排序赋分)."""
    rule, rounding = indicator.rule, ruleset.rounding
    present, scored = _present(values)
    baselines = list(map(figures.baseline_at, present))
    try:
        raw = rule.points_batch(scored, [targets[n] for n in present], baselines)
    except MissingFigure as exc:
        # A rule reads no figure but the baseline (进度, 计件 of the increase): the units without one.
        units = [n for n, baseline in zip(present, baselines) if baseline is None]
        raise _Lacking(dict.fromkeys(units, exc),
                       _missing_figure(indicator, data, units[0] if units else present[0], exc)) from None
    _check_points(indicator, scored, raw)
    if rounding.stage == "indicator":
        quantum, mode = rounding.quantum, ROUNDING_MODES[rounding.mode]  # Rounding.apply, once per column
        # A batch rule may give units with the same points one shared figure (排序赋分's
        # places): each figure is rounded once, keyed by identity while ``raw`` keeps it alive.
        keys = list(map(id, raw))
        # Adding 0 turns -0.00 into 0.00, as Rounding.apply does.
        rounded = {key: p.quantize(quantum, rounding=mode) + ZERO for key, p in dict(zip(keys, raw)).items()}
        raw = list(map(rounded.__getitem__, keys))
    points = [_nothing(rounding)] * len(values)
    for n, p in zip(present, raw):
        points[n] = p
    return Column(values=values, points=CodedColumn.of(points), targets=targets, explanations=None,
                  met=OnRead(values, partial(_met_each, rule, values, targets)))  # type: ignore[arg-type]


def _case_column(ruleset: Ruleset, indicator: Indicator, data: Dataset, values: list[Cell],
                 targets: list[Decimal | None], figures: UnitFigures, cases: list[int]) -> Column:
    """Points when a unit's target or baseline comes from its own figures (``@基期``,
    ``@上年``, a reference): each case, a value with its figures, is scored once, as a
    column with the plan's figures scores each distinct value once."""
    rule, rounding = indicator.rule, ruleset.rounding
    distinct = list(dict.fromkeys(cases))
    present = [unit for unit in distinct if values[unit] is not None and not isinstance(values[unit], Exempt)]
    given: list[Value] = [values[unit] for unit in present]  # type: ignore[misc]
    try:
        raw = rule.points_batch(given, [targets[unit] for unit in present], list(map(figures.baseline_at, present)))
    except MissingFigure as exc:
        # A rule reads no figure but the baseline (进度, 计件 of the increase): the units without one.
        scored = _present(values)[0]
        units = [n for n in scored if figures.baseline_at(n) is None]
        raise _Lacking(dict.fromkeys(units, exc),
                       _missing_figure(indicator, data, units[0] if units else scored[0], exc)) from None
    _check_points(indicator, given, raw)
    points_of = dict.fromkeys(distinct, _nothing(rounding))
    points_of.update(zip(present, map(rounding.apply, raw) if rounding.stage == "indicator" else raw))
    return Column(values=values, points=CodedColumn(cases, points_of), targets=targets, explanations=None,
                  met=OnRead(values, partial(_met_each, rule, values, targets)), cases=cases)  # type: ignore[arg-type]


def _check_points(indicator: Indicator, values: Sequence[Value], points: Sequence[object]) -> None:
    """Make sure a rule gave each value a finite ``Decimal`` from 0 to the indicator's
    full marks, as every rule must: a plug-in's rule that gives more, less, a float or
    nothing would otherwise be totalled as it stands, or fail far from its cause.

    :raises PluginError: naming the rule type, the indicator, the value and what it gave.
    """
    full = indicator.points
    if len(points) != len(values):
        raise PluginError(_("rule type '{type}' gave {given} figures for the {count} values of indicator {id} "
                            "({name}); a rule gives one figure of points per value: the plug-in that registers '{type}' "
                            "needs fixing").format(type=indicator.rule.type, given=len(points), count=len(values),
                                                   id=indicator.id, name=indicator.name))
    for value, given in zip(values, points):
        if type(given) is Decimal and given.is_finite() and ZERO <= given <= full:
            continue
        raise PluginError(_("rule type '{type}' gave {points} points for the value {value} of indicator {id} "
                            "({name}); a rule gives a Decimal from 0 to the indicator's full marks {full}: the "
                            "plug-in that registers '{type}' needs fixing").format(
            type=indicator.rule.type, points=repr(given) if type(given) is Decimal else f"{given!r} ({type(given).__name__})",
            value=fmt(value) if isinstance(value, Decimal) else value,
            id=indicator.id, name=indicator.name, full=fmt(full)))


def _check_explanations(indicator: Indicator, count: int, lines: Sequence[object]) -> None:
    """Make sure a rule explained each of ``count`` values in a sentence: a plug-in's
    rule that gives ``None`` would be printed as "None" where the examiner reads the
    arithmetic.

    :raises PluginError: naming the rule type, the indicator and what it gave.
    """
    odd = [line for line in lines if not isinstance(line, str)]
    if len(lines) == count and not odd:
        return
    shown = f"{odd[0]!r} ({type(odd[0]).__name__})" if odd else f"{len(lines)} sentences for {count} values"
    raise PluginError(_("rule type '{type}' explained indicator {id} ({name}) with {shown}; a rule explains each "
                        "value in a sentence (a str): the plug-in that registers '{type}' needs fixing").format(
        type=indicator.rule.type, id=indicator.id, name=indicator.name, shown=shown))


# Module-level, so that a batch's lazy columns can be pickled.
def _same(target: Decimal | None, value: Cell) -> Decimal | None:
    return target


def _met_one(rule: Rule, target: Decimal | None, value: Cell) -> bool | None:
    return rule.met(value, target)  # type: ignore[arg-type]


def _met_each(rule: Rule, values: list[Cell], targets: Sequence[Decimal | None], unit: int) -> bool | None:
    return rule.met(values[unit], targets[unit])  # type: ignore[arg-type]


def _nothing(rounding: Rounding) -> Decimal:
    """What a missing value scores."""
    return rounding.apply(ZERO) if rounding.stage == "indicator" else ZERO


class UnitFigures:
    """Each unit's figures for one indicator, made when read: its own ``@基期`` from the
    data (else the plan's baseline), its ``@上年`` and its references (全国平均 …).

    :param columns: the indicator's figure columns in the data, field → each unit's figure.
    """

    __slots__ = ("baseline", "columns", "plan")

    def __init__(self, indicator: Indicator, data: Dataset) -> None:
        self.baseline = indicator.baseline
        self.columns = {field: column for (ident, field), column in data.figures.items() if ident == indicator.id}
        #: The figures of a unit without figures of its own: the plan's, one object for all.
        self.plan = Figures(baseline=self.baseline)

    def baseline_at(self, unit: int) -> Decimal | None:
        """The unit's baseline: its own, else the plan's."""
        own = self.columns["baseline"][unit] if "baseline" in self.columns else None
        return self.baseline if own is None else own

    def __getitem__(self, unit: int) -> Figures:
        own = self.columns
        if not own:
            return self.plan
        return Figures(baseline=self.baseline_at(unit),
                       previous=own["previous"][unit] if "previous" in own else None,
                       references=tuple((name, figure) for name, column in own.items()
                                        if name not in STANDARD_FIELDS and (figure := column[unit]) is not None))


def _cases(indicator: Indicator, data: Dataset, values: list[Cell], figures: UnitFigures) -> list[int]:
    """Each unit's case, a value with its figures, named by the position of one unit of
    it: units of one case have the same target and points.  A case is the combination of
    the unit's codes in the value column and each figure column, numbered as digits are,
    each column a digit of its own base."""
    coded = data.codes.get(indicator.id) if values is data.values.get(indicator.id) else None
    keys, _count = _column_codes(values, coded)
    for field, column in figures.columns.items():
        codes, count = _column_codes(column, data.figure_codes.get((indicator.id, field)))
        keys = list(map(add, map(mul, keys, repeat(count)), codes))  # key × count + code
    unit_of = dict(zip(keys, range(len(keys))))
    return list(map(unit_of.__getitem__, keys))


def _column_codes(column: Sequence[object], coded: tuple[list[int], list[Cell]] | None) -> tuple[list[int], int]:
    """Each unit's code in a column, and how many codes there are: binding's, else the
    cells' identities (binding hands equal cells one object; every cell is alive in the
    column while they are taken)."""
    if coded is not None and len(coded[0]) == len(column):
        return coded[0], len(coded[1])
    ids = list(map(id, column))
    code_of = {ident: code for code, ident in enumerate(dict.fromkeys(ids))}
    return list(map(code_of.__getitem__, ids)), len(code_of)


def _batch_target(indicator: Indicator, data: Dataset, values: list[Cell], figures: UnitFigures,
                  timing: Timing) -> Decimal | None:
    """A batch shape's one target (进入全市前列), from the values of the units that have one."""
    numbers = [value for value in values if isinstance(value, Decimal)]
    if not numbers or indicator.target is None:
        return None
    if figures.columns:
        each = [figures[n] for n, value in enumerate(values) if isinstance(value, Decimal)]
    else:
        each = [figures.plan] * len(numbers)
    try:
        return indicator.target.resolve_batch(numbers, each, timing)
    except MissingFigure as exc:
        first = next(n for n, value in enumerate(values) if isinstance(value, Decimal))
        raise _missing_figure(indicator, data, first, exc) from None


def _targets(indicator: Indicator, data: Dataset, values: list[Cell], figures: UnitFigures, cases: list[int],
             timing: Timing, observed: list[Cell]) -> list[Decimal | None]:
    """Each unit's target (``None`` where its value is missing or exempt), resolved once
    per distinct set of figures."""
    target = indicator.target
    if target is None or not indicator.rule.uses_target:
        return [None] * len(values)
    if target.batch:
        shared = _batch_target(indicator, data, observed, figures, timing)
        return [None if value is None or value is EXEMPT else shared for value in values]
    columns = tuple(figures.columns.values())
    resolved: dict[tuple[int, ...], Decimal | MissingFigure] = {}
    of_case: dict[int, Decimal | None] = {}
    lacking: dict[int, MissingFigure] = {}  # case → what its figures lack
    for unit in dict.fromkeys(cases):
        of_case[unit] = None
        if values[unit] is None or values[unit] is EXEMPT:
            continue
        key = tuple(id(column[unit]) for column in columns)  # alive in the columns, as in _column_codes
        if key not in resolved:
            try:
                resolved[key] = target.resolve(figures[unit], timing)
            except MissingFigure as exc:
                resolved[key] = exc
        found = resolved[key]
        if isinstance(found, MissingFigure):
            lacking[unit] = found
        else:
            of_case[unit] = found
    if lacking:
        units = {n: lacking[case] for n, case in enumerate(cases) if case in lacking}
        first = min(units)
        raise _Lacking(units, _missing_figure(indicator, data, first, units[first]))
    return list(map(of_case.__getitem__, cases))


def _missing_figure(indicator: Indicator, data: Dataset, unit: int, exc: MissingFigure) -> DataError:
    field = "基期" if exc.field == "baseline" else "上年" if exc.field == "previous" else exc.field
    return DataError(_("unit '{units}' has no {what} for indicator {id} "
                     "({name}); supply it in a column '{name}@{field}' (or set the "
                     "missing-value policy to 'zero' to score such a unit 0)").format(
            units=data.units[unit], what=exc.what, id=indicator.id, name=indicator.name,
            field=field), column=f"{indicator.name}@{field}", **data.where(unit))


def _check_all_missing(ruleset: Ruleset, data: Dataset) -> None:
    """Under the ``error`` policy, every missing value of the batch, reported together."""
    problems = DataProblems()
    for number, indicator in enumerate(ruleset.indicators):
        if (indicator.missing or ruleset.missing) != "error" or None not in data.values.get(indicator.id, ()):
            continue
        for unit, value in enumerate(_applicable_values(indicator, data)):
            if value is None:
                problems.add(DataProblem(_("unit '{units}' has no value for {name}, and the "
                                     "ruleset's missing-value policy is 'error'").format(
                        units=data.units[unit], name=indicator.name),
                                     column=data.columns.get(indicator.id, indicator.name), **data.where(unit)),
                             number)
    problems.raise_any()


def _check_missing(ruleset: Ruleset, indicator: Indicator, data: Dataset, values: list[Cell]) -> None:
    if (indicator.missing or ruleset.missing) != "error" or None not in values:
        return
    unit = next(n for n, value in enumerate(values) if value is None)
    raise DataError(_("unit '{units}' has no value for {name}, and the ruleset's "
                    "missing-value policy is 'error'").format(
            units=data.units[unit], name=indicator.name),
                    column=data.columns.get(indicator.id, indicator.name), **data.where(unit))


def _explain(ruleset: Ruleset, indicator: Indicator, values: list[Cell], targets: Sequence[Decimal | None],
             figures: UnitFigures, timing: Timing, points: Sequence[Decimal],
             alike: Sequence[Hashable] | None) -> list[str]:
    """Every unit's explanation of the indicator.

    :param alike: each unit's key: one unit of each key is
        explained and the others share its sentence; ``None``: every unit is explained.
    """
    shared = ""
    if indicator.rule.uses_target and indicator.target is not None and indicator.target.batch:
        numbers = [(n, value) for n, value in enumerate(values) if isinstance(value, Decimal)]
        if numbers:  # else no unit's sentence shows the target
            shared = indicator.target.describe_batch([value for _, value in numbers],
                                                     [figures[n] for n, _ in numbers], timing)
    if alike is None:
        return _sentences(ruleset, indicator, values, targets, figures, timing, points, shared, range(len(values)))
    first = dict(zip(alike, range(len(alike))))
    said = dict(zip(first, _sentences(ruleset, indicator, values, targets, figures, timing, points, shared,
                                      list(first.values()))))
    return list(map(said.__getitem__, alike))


def _sentences(ruleset: Ruleset, indicator: Indicator, values: list[Cell], targets: Sequence[Decimal | None],
               figures: UnitFigures, timing: Timing, points: Sequence[Decimal], shared: str,
               units: Sequence[int]) -> list[str]:
    """The explanations of the units at ``units`` (positions in the columns), in that order."""
    rule, rounding = indicator.rule, ruleset.rounding
    present = [n for n in units if values[n] is not None and not isinstance(values[n], Exempt)]
    own = [figures[n] for n in present]
    lines = rule.explain_batch([values[n] for n in present],  # type: ignore[misc]
                               [targets[n] for n in present], [unit.baseline for unit in own])
    _check_explanations(indicator, len(present), lines)
    missing = "无数据，按缺失值规则记0分"  # under the ``error`` policy there is no score to explain
    limited = f"不适用：本指标只考核 {'、'.join(indicator.applies_to)}" if indicator.applies_to else ""
    exempt = limited or "不适用：数据标为不适用，不计分也不计满分"
    texts = {n: exempt if values[n] is EXEMPT else missing for n in units}
    # Each distinct sentence is made once and shared by the units it explains: a target
    # once per distinct set of figures, a sentence once per target, line and points.
    described: dict[tuple[object, ...], str] = {}
    sentences: dict[tuple[str, str, object], str] = {}
    whole = f"目标：{shared}；" if shared else ""
    for n, unit, line in zip(present, own, lines):
        target = whole
        if not shared and rule.uses_target and indicator.target is not None:
            key = (exact(unit.baseline), exact(unit.previous),
                   *((name, exact(figure)) for name, figure in unit.references))
            known = described.get(key)
            if known is None:
                known = described[key] = f"目标：{indicator.target.describe(unit, timing)}；"
            target = known
        point = points[n]
        wording = (target, line, exact(point))
        said = sentences.get(wording)
        if said is None:
            rounded = f"；保留{rounding.places}位小数 → {point:f}" if rounding.stage == "indicator" else ""
            said = sentences[wording] = f"{target}{rule.label}：{line}{rounded}"
        texts[n] = said
    return list(texts.values())


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
            points = formulas.item_points(count, item.points, item.cap)
            lines.append(AdjustmentResult(kind=kind, item=item.id, name=item.name, count=count, points=points))
    return lines


@attrs.frozen
class Settled:
    """Every unit's adjustments and total before ranking, as columns in the units' order."""

    adjustments: list[tuple[AdjustmentResult, ...]]
    bonus: list[Decimal]
    deductions: list[Decimal]
    vetoed: list[bool]
    total: list[Decimal]


def _settle(ruleset: Ruleset, data: Dataset, table: ResultColumns, parts: Sequence[Decimal],
            subtotals: dict[str, list[Decimal]], adjusters: Sequence[Adjuster]) -> Settled:
    """Every unit's bonus, deductions, veto and total.  Most units have no line: they
    share the figures of a unit without one, and only the others are settled one by one."""
    count = len(parts)
    items = _item_counts(ruleset, data)
    adjust = ruleset.adjustments
    bonus_none, deductions_none, _total = formulas.adjustment_sums((), adjust)
    settled = Settled(adjustments=[()] * count, bonus=[bonus_none] * count, deductions=[deductions_none] * count,
                      vetoed=[False] * count, total=[])
    touched: Iterable[int] = range(count) if adjusters else \
        sorted({n for _, _, counts in items for n, count in enumerate(counts) if count})
    for unit in touched:
        lines = _item_lines(items, unit)
        if adjusters:
            lines += _adjuster_lines(ruleset, data, table, subtotals, unit, lines, adjusters)
        if lines:
            settled.adjustments[unit] = tuple(lines)
            settled.bonus[unit], settled.deductions[unit], settled.vetoed[unit] = \
                formulas.adjustment_sums(lines, adjust)
    settled.total.extend(formulas.totals(ruleset, parts, settled.bonus, settled.deductions))
    return settled


def _adjuster_lines(ruleset: Ruleset, data: Dataset, table: ResultColumns, subtotals: dict[str, list[Decimal]],
                    unit: int, lines: list[AdjustmentResult], adjusters: Sequence[Adjuster]) -> list[AdjustmentResult]:
    """The plug-in adjusters' lines for one unit, given its result so far."""
    so_far = UnitResult(unit=data.units[unit], indicators=IndicatorView(table, unit),
                        subtotals={category: column[unit] for category, column in subtotals.items()},
                        adjustments=tuple(lines), bonus=ZERO, deductions=ZERO, vetoed=False, total=ZERO,
                        row=data.rows[unit])
    extra: list[AdjustmentResult] = []
    for adjuster in adjusters:
        extra.extend(adjuster(ruleset, so_far) or ())
    return extra
