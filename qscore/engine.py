"""Scoring a batch of units against a ruleset: points, totals, ranks and tiers.

The engine works column by column: each indicator's rule and target are resolved once
for the batch, and a unit's value is scored without building any text.  Explanations
are built only when asked for, from the same figures.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from decimal import Decimal

import attrs

from qscore.cells import EXEMPT
from qscore.data import Cell, Dataset
from qscore.errors import DataError, MissingFigure, QscoreError
from qscore.model import AdjustmentResult, BatchResult, Indicator, IndicatorResult, Item, Ruleset, UnitResult
from qscore.numbers import ZERO
from qscore.ranking import rank_units
from qscore.rules.base import Rule
from qscore.targets import Figures, Timing

#: A plug-in's extra adjustments for one unit (see ``qscore_adjust_unit``).
Adjuster = Callable[[Ruleset, UnitResult], Iterable[AdjustmentResult]]
STANDARD_FIELDS = ("baseline", "previous")
NOT_APPLICABLE = "不适用"


@attrs.frozen
class Column:
    """One indicator scored for every unit of a batch."""

    points: list[Decimal]
    max_points: list[Decimal]
    exempt: list[bool]
    targets: list[Decimal | None]
    met: list[bool | None]
    explanations: list[str] | None


class YearError(QscoreError):
    """An assessment year outside the plan."""


def score_batch(ruleset: Ruleset, data: Dataset, *, year: int | None = None, explain: bool = False,
                adjusters: Sequence[Adjuster] = ()) -> BatchResult:
    """Score, total, rank and classify every unit in ``data``.

    :param year: the assessment year (default: the horizon year); before the horizon,
        targets are the year's point on the path from baseline to target.
    :param explain: build each indicator's explanation text.
    :param adjusters: plug-in adjustments applied to each unit.
    """
    year = ruleset.horizon_year if year is None else year
    if year < ruleset.base_year:
        raise YearError(f"year {year} is before the plan's base year {ruleset.base_year}")
    columns = {i.id: score_indicator(ruleset, i, data, year, explain) for i in ruleset.indicators}
    units = [_unit_result(ruleset, data, n, columns, adjusters) for n in range(len(data.units))]
    return BatchResult(ruleset=ruleset, year=year, units=rank_units(units, ruleset))


def score_indicator(ruleset: Ruleset, indicator: Indicator, data: Dataset, year: int, explain: bool) -> Column:
    """Score one indicator's column for the whole batch."""
    values = data.values[indicator.id]
    timing = Timing(indicator.baseline_year or ruleset.base_year, ruleset.horizon_year, year)
    figures = _figures(indicator, data)
    exempt = [value is EXEMPT or not indicator.applies(unit) for value, unit in zip(values, data.units)]
    targets = _targets(indicator, data, figures, timing, exempt)
    baselines = [f.baseline for f in figures]
    present = [n for n, value in enumerate(values) if value is not None and not exempt[n]]
    _check_missing(ruleset, indicator, data, values, exempt)
    rule, rounding = indicator.rule, ruleset.rounding
    try:
        raw = _points(rule, [values[n] for n in present], [targets[n] for n in present],
                      [baselines[n] for n in present])
    except MissingFigure as exc:
        # A rule reads no figure but the baseline (进度, 计件 of the increase): name a unit without one.
        unit = next((n for n in present if baselines[n] is None), present[0])
        raise _missing_figure(indicator, data, unit, exc) from None
    if rounding.stage == "indicator":
        raw = [rounding.apply(p) for p in raw]
    nothing = rounding.apply(ZERO) if rounding.stage == "indicator" else ZERO
    points, met = [nothing] * len(values), [None] * len(values)
    for n, p in zip(present, raw):
        points[n] = p
        met[n] = rule.met(values[n], targets[n])  # type: ignore[arg-type]
    explanations = _explain(ruleset, indicator, values, present, targets, baselines, figures, timing, points,
                            exempt) if explain else None
    max_points = [ZERO if off else indicator.points for off in exempt]
    return Column(points=points, max_points=max_points, exempt=exempt, targets=targets, met=met,  # type: ignore[arg-type]
                  explanations=explanations)


def _points(rule: Rule, values: list[Cell], targets: list[Decimal | None],
            baselines: list[Decimal | None]) -> list[Decimal]:
    if rule.batch or len(set(targets)) > 1 or len(set(baselines)) > 1:
        return rule.points_batch(values, targets, baselines)
    # One target and baseline for the whole batch: each distinct value is scored once.
    memo: dict[Cell, Decimal] = {}
    target = targets[0] if targets else None
    baseline = baselines[0] if baselines else None
    out = []
    for value in values:
        points = memo.get(value)
        if points is None:
            points = memo[value] = rule.points(value, target, baseline)
        out.append(points)
    return out


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


def _targets(indicator: Indicator, data: Dataset, figures: list[Figures], timing: Timing,
             exempt: list[bool]) -> list[Decimal | None]:
    target = indicator.target
    if target is None:
        return [None] * len(figures)
    resolved: dict[Figures, Decimal] = {}
    out: list[Decimal | None] = []
    for n, (fig, value) in enumerate(zip(figures, data.values[indicator.id])):
        if value is None or exempt[n] or not indicator.rule.uses_target:
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


def _check_missing(ruleset: Ruleset, indicator: Indicator, data: Dataset, values: list[Cell],
                   exempt: list[bool]) -> None:
    if (indicator.missing or ruleset.missing) != "error":
        return
    unit = next((n for n, value in enumerate(values) if value is None and not exempt[n]), None)
    if unit is None:
        return
    raise DataError(f"unit '{data.units[unit]}' has no value for {indicator.name}, and the ruleset's "
                    "missing-value policy is 'error'", file=data.file, row=data.rows[unit],
                    column=data.columns.get(indicator.id, indicator.name))


def _explain(ruleset: Ruleset, indicator: Indicator, values: list[Cell], present: list[int],
             targets: list[Decimal | None], baselines: list[Decimal | None], figures: list[Figures],
             timing: Timing, points: list[Decimal], exempt: list[bool]) -> list[str]:
    rule, rounding = indicator.rule, ruleset.rounding
    lines = rule.explain_batch([values[n] for n in present], [targets[n] for n in present],
                               [baselines[n] for n in present])
    missing = f"无数据，按0分计（缺失值规则：{indicator.missing or ruleset.missing}）"
    limited = f"不适用：本指标只考核 {'、'.join(indicator.applies_to)}" if indicator.applies_to else ""
    texts = [(limited or "不适用：数据标为不适用，不计分也不计满分") if off else missing for off in exempt]
    for n, line in zip(present, lines):
        target = ""
        if rule.uses_target and indicator.target is not None:
            target = f"目标：{indicator.target.describe(figures[n], timing)}；"
        rounded = ""
        if rounding.stage == "indicator":
            rounded = f"；保留{rounding.places}位小数 → {points[n]:f}"
        texts[n] = f"{target}{rule.label}：{line}{rounded}"
    return texts


def _item_lines(kind: str, items: Sequence[Item], data: Dataset, unit: int) -> list[AdjustmentResult]:
    lines = []
    for item in items:
        count = data.items.get(item.id, [ZERO] * len(data.units))[unit]
        if count:
            points = count * item.points
            if item.cap is not None:
                points = min(points, item.cap)
            lines.append(AdjustmentResult(kind=kind, item=item.id, name=item.name, count=count, points=points))
    return lines


def _unit_result(ruleset: Ruleset, data: Dataset, unit: int, columns: dict[str, Column],
                 adjusters: Sequence[Adjuster]) -> UnitResult:
    indicators = tuple(
        IndicatorResult(indicator=i.id, value=NOT_APPLICABLE if columns[i.id].exempt[unit] else data.values[i.id][unit],
                        target=columns[i.id].targets[unit], points=columns[i.id].points[unit],
                        max_points=columns[i.id].max_points[unit], met=columns[i.id].met[unit],
                        explanation=None if columns[i.id].explanations is None else columns[i.id].explanations[unit])
        for i in ruleset.indicators)
    subtotals = {c.id: ZERO for c in ruleset.categories}
    for indicator, result in zip(ruleset.indicators, indicators):
        if indicator.category is not None:
            subtotals[indicator.category] += result.points
    adjust = ruleset.adjustments
    lines = (_item_lines("bonus", adjust.bonus, data, unit) + _item_lines("deduction", adjust.deductions, data, unit)
             + _item_lines("veto", adjust.vetoes, data, unit))
    partial = UnitResult(unit=data.units[unit], indicators=indicators, subtotals=subtotals, adjustments=tuple(lines),
                         bonus=ZERO, deductions=ZERO, vetoed=False, total=ZERO, row=data.rows[unit])
    for adjuster in adjusters:
        lines.extend(adjuster(ruleset, partial))
    return _totalled(ruleset, partial, lines)


def _totalled(ruleset: Ruleset, unit: UnitResult, lines: list[AdjustmentResult]) -> UnitResult:
    adjust = ruleset.adjustments
    bonus = sum((line.points for line in lines if line.kind == "bonus"), ZERO)
    deductions = sum((line.points for line in lines if line.kind == "deduction"), ZERO)
    if adjust.bonus_cap is not None:
        bonus = min(bonus, adjust.bonus_cap)
    if adjust.deduction_cap is not None:
        deductions = min(deductions, adjust.deduction_cap)
    total = indicator_total(ruleset, unit) + bonus - deductions
    if adjust.total_floor is not None:
        total = max(total, adjust.total_floor)
    if ruleset.rounding.stage == "total":
        total = ruleset.rounding.apply(total)
    return attrs.evolve(unit, adjustments=tuple(lines), bonus=bonus, deductions=deductions,
                        vetoed=any(line.kind == "veto" for line in lines), total=total)


def indicator_total(ruleset: Ruleset, unit: UnitResult) -> Decimal:
    """The indicators' part of the total: their points, or with ``scale_to`` their score
    rate on that scale (points ÷ full marks that apply × scale_to, rounded once)."""
    points = sum((r.points for r in unit.indicators), ZERO)
    if ruleset.scale_to is None:
        return points
    applicable = sum((r.max_points for r in unit.indicators), ZERO)
    return ruleset.rounding.apply(points * ruleset.scale_to / applicable if applicable else ZERO)
