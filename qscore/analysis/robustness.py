"""How sure is each unit's rank and tier, given that the ruleset's weights, cut-offs and
bonus values are choices of ours?

:func:`robustness` draws samples of those figures within plausible ranges and ranks the
batch again under each: per unit, the median rank, the 5–95 % rank interval, the share
of samples in each grade or tier, and a tier certificate — the probability of keeping
the nominal tier, and the smallest uniform change of weights that can move it.

What a sample changes.  Each assumed indicator's weight is multiplied by a factor drawn
from [1 − r, 1 + r], and the assumed weights are then scaled together so that the full
marks add up as before; official figures (``[assumption_ranges] fixed``) stay.  A weight
scales every point the indicator can give — a band's 8 of 10 points, 每低1个百分点扣2分,
a place's points under 排序赋分 — so a unit's points on the indicator are the sheet's
points times the factor, whatever the rule; indicator values are never re-read or
re-scored.  Cut-offs move by up to ± the cut-off range in the classification's own unit
(points for grades by score, places for tiers by rank, percentage points for tiers by
share), still falling from one class to the next; bonus and deduction items' points
move by a factor as weights do.  Sample figures are worked in billionths of a point;
the indicator part (with 得分率折算), the total with its caps and floor, ranks and classes
come from :mod:`qscore.scoring.formulas` and :mod:`qscore.scoring.ranking`.

Samples are drawn from one generator per sample (seeded with the seed and the sample's
number), so the result does not depend on how they are shared among processes.
"""

from __future__ import annotations

import contextlib
import math
import signal
import statistics
from collections.abc import Iterator, Sequence
from decimal import Decimal
from fractions import Fraction
from multiprocessing import get_context
from multiprocessing.pool import Pool
from typing import Any, Literal

import attrs
import numpy as np

from qscore.analysis.case import Case
from qscore.errors import UsageError
from qscore.i18n import _
from qscore.interrupts import ENDING, first_on_signal
from qscore.model import (AdjustmentResult, BatchResult, Classification, Grade, Indicator, Ruleset)
from qscore.numbers import ZERO
from qscore.reading.binding import Dataset
from qscore.rules.library import PassFail
from qscore.scoring import formulas
from qscore.scoring.ranking import classes, cutoffs, rank
from qscore.targets import Absolute

Missing = Literal["drop", "zero", "median"]
MISSING = ("drop", "zero", "median")
#: Billionths of a point: the fixed point samples are worked in.
SCALE = 9
NANO = 10 ** SCALE
#: Below this many unit-samples the work is done in this process (starting workers costs more).
PARALLEL_MIN = 200_000
DEFAULT_POINTS = Decimal("0.2")
DEFAULT_CUTOFFS = Decimal(2)
#: Sums this close to 0 (relative) are equal totals worked out in floating point.
TIED = 1e-9
LOW, MIDDLE, HIGH = Fraction(5, 100), Fraction(1, 2), Fraction(95, 100)


@attrs.frozen
class Ranges:
    """How far each kind of assumed figure may be off.

    :param points: relative range of an indicator's full marks (0.2: ±20 %).
    :param cutoffs: range of a cut-off in the classification's unit.
    :param bonus: relative range of a bonus or deduction item's points.
    :param fixed: ids of indicators and items whose points the plan states.
    """

    points: Decimal
    cutoffs: Decimal
    bonus: Decimal
    fixed: frozenset[str] = frozenset()


@attrs.frozen
class UnitRobustness:
    """One unit's ranks and tiers over the samples.

    :param unit: the unit's name.
    :param rank: its nominal rank.
    :param tier: its nominal grade or tier (``None`` without a classification).
    :param median: the median of its sample ranks (by nearest rank).
    :param low: the 5 % point of its sample ranks (its best ranks).
    :param high: the 95 % point of its sample ranks.
    :param tiers: each class's name and the number of samples the unit is in it.
    :param keep: the probability of keeping the nominal tier.
    :param flip: the smallest change ε such that some weights, each within ±ε of its
        own (relative), put the unit in another tier; ``None`` when no weights within
        ±100 % can (or the unit is vetoed, or there is no classification).
    :param flip_exact: ``True`` where ``flip`` is exact; ``False`` where it is a
        guarantee only (for tiers by rank: no smaller change can move the unit, but a
        change of this size was not found to).
    """

    unit: str
    rank: int
    tier: str | None
    median: int
    low: int
    high: int
    tiers: tuple[tuple[str, int], ...]
    keep: Fraction
    flip: Decimal | None
    flip_exact: bool

    @property
    def probabilities(self) -> tuple[tuple[str, Fraction], ...]:
        total = sum(count for _, count in self.tiers)
        return tuple((name, Fraction(count, total)) for name, count in self.tiers)


@attrs.frozen
class RobustnessResult:
    """The Monte-Carlo study of a batch.

    :param ruleset: the ruleset.
    :param year: the assessment year.
    :param samples: how many samples were drawn.
    :param seed: the seed.
    :param ranges: the ranges used.
    :param missing: how missing values were treated (``None``: as the ruleset says).
    :param units: per unit, in nominal rank order.
    :param dropped: units left out because a value is missing (``missing = "drop"``).
    :param ranks: every sample's rank of every unit (samples × units, nominal order).
    """

    ruleset: Ruleset
    year: int
    samples: int
    seed: int
    ranges: Ranges
    missing: str | None
    units: tuple[UnitRobustness, ...]
    dropped: tuple[str, ...] = ()
    ranks: np.ndarray = attrs.field(default=None, eq=False, repr=False)


def robustness(case: Case, *, samples: int = 1000, seed: int = 0, points: Decimal | None = None,
               cutoffs: Decimal | None = None, missing: Missing | None = None, workers: int = 2) -> RobustnessResult:
    """Rank the batch again under ``samples`` draws of its assumed weights, cut-offs and
    bonus values.

    :param case: the ruleset and data (:func:`~qscore.analysis.case.load_case`).
    :param samples: how many samples.
    :param seed: the seed; the same seed gives the same result.
    :param points: relative range of full marks and item points (default: the
        ruleset's ``[assumption_ranges]``, else 0.2).
    :param cutoffs: range of cut-offs (default: the ruleset's, else 2).
    :param missing: ``drop`` leaves out units with a missing value, ``zero`` scores a
        missing value 0, ``median`` gives it the median of the other units' values;
        default: as the ruleset says.
    :param workers: processes to share the samples among (large batches only).
    """
    if samples < 1:
        raise UsageError(_("samples must be 1 or more, got {samples}").format(
                samples=samples))
    ranges = _ranges(case.ruleset, points, cutoffs)
    case, dropped = _missing(case, missing)
    batch = case.score()
    problem = _Problem.of(batch, case.dataset, ranges, seed)
    ranks, tiers = _draw(problem, samples, workers)
    units = _summarise(batch, problem, ranks, tiers)
    return RobustnessResult(ruleset=case.ruleset, year=batch.year, samples=samples, seed=seed, ranges=ranges,
                            missing=missing, units=units, dropped=dropped, ranks=ranks)


def _ranges(ruleset: Ruleset, points: Decimal | None, cutoffs_range: Decimal | None) -> Ranges:
    declared = ruleset.assumption_ranges
    chosen_points = points if points is not None else (
        declared.points if declared is not None and declared.points is not None else DEFAULT_POINTS)
    chosen_cutoffs = cutoffs_range if cutoffs_range is not None else (
        declared.cutoffs if declared is not None and declared.cutoffs is not None else DEFAULT_CUTOFFS)
    bonus = declared.bonus if declared is not None and declared.bonus is not None else chosen_points
    for name, value in (("points", chosen_points), ("cutoffs", chosen_cutoffs), ("bonus", bonus)):
        if value < 0:
            raise UsageError(_("the {name} range must be 0 or more, got {value}").format(
                    name=name, value=value))
    if chosen_points > 1 or bonus > 1:
        raise UsageError(_("a relative range is at most 1 (±100 %); weights cannot fall below 0"))
    return Ranges(points=chosen_points, cutoffs=chosen_cutoffs, bonus=bonus,
                  fixed=frozenset(declared.fixed) if declared is not None else frozenset())


def _missing(case: Case, missing: Missing | None) -> tuple[Case, tuple[str, ...]]:
    """The case with missing values treated as asked, and the units left out."""
    if missing is None:
        return case, ()
    if missing not in MISSING:
        raise UsageError(_("missing must be one of {MISSING}, got {missing!r}").format(
                MISSING=', '.join(MISSING), missing=missing))
    data = case.dataset
    if missing == "zero":
        ruleset = attrs.evolve(case.ruleset, missing="zero",
                               indicators=tuple(attrs.evolve(i, missing=None) for i in case.ruleset.indicators))
        return attrs.evolve(case, ruleset=ruleset), ()
    if missing == "median":
        values = {key: _with_median(column) for key, column in data.values.items()}
        return attrs.evolve(case, dataset=attrs.evolve(data, values=values, codes={})), ()
    keep = [n for n in range(len(data.units)) if all(column[n] is not None for column in data.values.values())]
    if not keep:
        raise UsageError(_("every unit has a missing value; with missing 'drop' none is left to rank"))
    kept_positions = set(keep)
    dropped = tuple(unit for n, unit in enumerate(data.units) if n not in kept_positions)
    pick = _picker(keep)
    kept = Dataset(file=data.file, units=tuple(pick(data.units)), rows=tuple(pick(data.rows)),
                   values={k: pick(c) for k, c in data.values.items()},
                   figures={k: pick(c) for k, c in data.figures.items()},
                   items={k: pick(c) for k, c in data.items.items()}, columns=data.columns, sheet=data.sheet,
                   origins=None if data.origins is None else tuple(pick(data.origins)))
    return attrs.evolve(case, dataset=kept), dropped


def _picker(keep: list[int]):  # type: ignore[no-untyped-def]
    def pick(column: Sequence[object]) -> list:  # type: ignore[type-arg]
        return [column[n] for n in keep]
    return pick


def _with_median(column: list) -> list:  # type: ignore[type-arg]
    """Missing numbers given the median (the lower middle: a figure a unit reported) of the others."""
    numbers = [value for value in column if isinstance(value, Decimal)]
    if None not in column or not numbers:
        return column
    middle = statistics.median_low(numbers)
    return [middle if value is None else value for value in column]


@attrs.frozen
class _Problem:
    """What a sample needs, in the nominal rank order: plain arrays and model objects
    that any process can unpickle (no plug-in's rule comes along)."""

    seed: int
    points: np.ndarray      # units × indicators, billionths
    marks: np.ndarray | None  # units × indicators, full marks that apply (得分率折算 only)
    full: np.ndarray        # indicators, billionths
    assumed: np.ndarray     # indicators, bool
    spread: np.ndarray      # indicators, relative range (0 where fixed)
    items: tuple[tuple[str, int, Decimal | None, float], ...]  # (kind, points, cap, spread) per item
    counts: tuple[tuple[int, tuple[Decimal, ...]], ...]  # (unit, count of each item) for units with any
    extra: tuple[tuple[Decimal, Decimal], ...]  # per unit: plug-in adjusters' bonus and deductions
    vetoed: tuple[bool, ...]
    tie_breaks: tuple[tuple[int, ...] | None, ...]  # indicator positions per tie-break column
    classification: Classification | None  # cut-offs by score in the unit figures are worked in
    cutoff_range: Decimal
    formula: Ruleset  # the ruleset as the total's formulas read it
    whole: bool  # figures worked as whole billionths (no rounding of totals or score rates to keep)

    @classmethod
    def of(cls, batch: BatchResult, data: Dataset, ranges: Ranges, seed: int) -> _Problem:
        ruleset = batch.ruleset
        units = batch.units
        points = np.array(units.points_rows(_billionths), dtype=np.float64).reshape(len(units), -1)
        marks = None
        if ruleset.scale_to is not None:
            marks = np.array([[_billionths(r.max_points) for r in unit.indicators] for unit in units],
                             dtype=np.float64)
        indicators = ruleset.indicators
        assumed = np.array([i.id not in ranges.fixed for i in indicators])
        spread = np.where(assumed, float(ranges.points), 0.0)
        adjust = ruleset.adjustments
        items = tuple((kind, _billionths(item.points), item.cap,
                       0.0 if item.id in ranges.fixed else float(ranges.bonus))
                      for kind, group in (("bonus", adjust.bonus), ("deduction", adjust.deductions))
                      for item in group)
        ids = [item.id for group in (adjust.bonus, adjust.deductions) for item in group]
        where = {unit: n for n, unit in enumerate(data.units)}
        order = [where[name] for name in units.column("unit")]
        known = set(ids) | {item.id for item in adjust.vetoes}
        extra = tuple(_extra(lines, known) for lines in units.column("adjustments"))
        every = [tuple(data.items[i][n] if i in data.items else ZERO for i in ids) for n in order]
        counts = tuple((n, row) for n, row in enumerate(every) if any(row) or any(extra[n]))
        position = {indicator.id: n for n, indicator in enumerate(indicators)}
        tie_breaks = tuple(tuple(n for n, i in enumerate(indicators) if i.category == name)
                           if ruleset.category(name) is not None else
                           (position[name],) if name in position else None
                           for name in ruleset.ranking.tie_break)
        # Without a rounded total or score rate, sums, caps, floors and cut-offs can all be
        # worked in whole billionths, which Python adds and compares faster than decimals.
        whole = ruleset.scale_to is None and ruleset.rounding.stage == "indicator"
        unit = Decimal(NANO) if whole else Decimal(1)
        items = tuple((kind, base, None if cap is None else cap * unit, spread) for kind, base, cap, spread in items)
        classification = ruleset.classification
        if whole and classification is not None and classification.by == "score":
            classification = attrs.evolve(classification, grades=tuple(
                attrs.evolve(g, min_score=None if g.min_score is None else g.min_score * unit)
                for g in classification.grades))
        stand_in = Indicator(id="total", name="总分", target=Absolute(value=ZERO), rule=PassFail(full=ZERO),
                             points=ZERO)
        formula = attrs.evolve(ruleset, indicators=(stand_in,), categories=(), classification=None, examples=(),
                               roster=None, file=None, adjustments=attrs.evolve(
                                   adjust, bonus=(), deductions=(), vetoes=(),
                                   bonus_cap=None if adjust.bonus_cap is None else adjust.bonus_cap * unit,
                                   deduction_cap=None if adjust.deduction_cap is None else adjust.deduction_cap * unit,
                                   total_floor=None if adjust.total_floor is None else adjust.total_floor * unit))
        extra = tuple((b * unit, d * unit) for b, d in extra)
        return cls(seed=seed, points=points, marks=marks,
                   full=np.array([_billionths(i.points) for i in indicators], dtype=np.float64),
                   assumed=assumed, spread=spread, items=items, counts=counts, extra=extra,
                   vetoed=tuple(units.column("vetoed")), tie_breaks=tie_breaks,
                   classification=classification, cutoff_range=ranges.cutoffs, formula=formula, whole=whole)


def _billionths(number: Decimal) -> int:
    return int(number.scaleb(SCALE).to_integral_value())


def _decimal(billionths: int) -> Decimal:
    return Decimal(billionths).scaleb(-SCALE)


def _extra(lines: Sequence[AdjustmentResult], known: set[str]) -> tuple[Decimal, Decimal]:
    """A unit's bonus and deductions from plug-in adjusters (not the ruleset's items): held as they are."""
    bonus = sum((line.points for line in lines if line.kind == "bonus" and line.item not in known), ZERO)
    deductions = sum((line.points for line in lines if line.kind == "deduction" and line.item not in known), ZERO)
    return bonus, deductions


def _draw(problem: _Problem, samples: int, workers: int) -> tuple[np.ndarray, np.ndarray]:
    units = problem.points.shape[0]
    if workers <= 1 or samples * units < PARALLEL_MIN:
        return _run(problem, 0, samples)
    bounds = [samples * k // workers for k in range(workers + 1)]
    # Pool's exit terminates its workers, as a ProcessPoolExecutor's does not: ended by an
    # error or Ctrl-C, no worker is left running.
    with get_context("spawn").Pool(workers) as pool, _workers_end_with_qscore(pool):
        parts = pool.starmap(_run, zip([problem] * workers, bounds[:-1], bounds[1:]))
    return np.concatenate([p[0] for p in parts]), np.concatenate([p[1] for p in parts])


def _workers_end_with_qscore(pool: Pool) -> contextlib.AbstractContextManager[None]:
    """While the workers run, SIGTERM and SIGHUP (which end qscore at once, without
    unwinding) first terminate them (:func:`~qscore.interrupts.first_on_signal`): a
    ``kill`` of qscore leaves no worker sampling for no one.  Ctrl-C unwinds, and the
    pool's own exit ends them."""
    return first_on_signal(pool.terminate, [number for number in ENDING if number != signal.SIGINT])


def _run(problem: _Problem, start: int, stop: int) -> tuple[np.ndarray, np.ndarray]:
    """Samples ``start`` to ``stop``: each unit's rank and class (index; −1 without classes)."""
    units = problem.points.shape[0]
    ranks = np.zeros((stop - start, units), dtype=np.int32)
    tiers = np.full((stop - start, units), -1, dtype=np.int16)
    names = {g.name: n for n, g in enumerate(problem.classification.grades)} if problem.classification else {}
    for row, sample in enumerate(range(start, stop)):
        order, sample_ranks, sample_tiers = _sample(problem, sample)
        ranks[row, order] = sample_ranks
        if sample_tiers is not None:
            tiers[row, order] = [names[name] for name in sample_tiers]
    return ranks, tiers


def _sample(problem: _Problem, sample: int) -> tuple[list[int], list[int], list[str] | None]:
    generator = np.random.default_rng([problem.seed, sample])
    factors = generator.uniform(1 - problem.spread, 1 + problem.spread)
    weights = _renormalised(problem, factors)
    item_factors = generator.uniform(1 - np.array([s for *_, s in problem.items]),
                                     1 + np.array([s for *_, s in problem.items])) if problem.items else ()
    shifts = _cutoff_shifts(problem, generator)
    figure = _figure(problem)
    sums = figure(np.rint(problem.points @ weights).astype(np.int64).tolist())
    marks: Sequence[Decimal] = []
    if problem.marks is not None:
        marks = figure(np.rint(problem.marks @ weights).astype(np.int64).tolist())
    bonus, deductions = _adjustments(problem, item_factors)
    parts = formulas.indicator_parts(problem.formula, sums, marks)
    totals = formulas.totals(problem.formula, parts, bonus, deductions)
    tie_breaks = [figure(np.rint(problem.points[:, list(columns)] @ weights[list(columns)]).astype(np.int64).tolist())
                  if columns else [ZERO] * len(totals) for columns in problem.tie_breaks]
    order, ranks = rank(totals, problem.vetoed, tie_breaks)
    if problem.classification is None:
        return order, ranks, None
    classification = _shifted(problem.classification, shifts, Decimal(1) if problem.whole else _decimal(1))
    names, _ = classes([totals[n] for n in order], [problem.vetoed[n] for n in order], ranks, classification)
    return order, ranks, names


def _figure(problem: _Problem):  # type: ignore[no-untyped-def]
    """Billionths as the figures a sample is worked in: kept whole, or as points."""
    if problem.whole:
        return lambda numbers: numbers
    return lambda numbers: list(map(_decimal, numbers))


def _renormalised(problem: _Problem, factors: np.ndarray) -> np.ndarray:
    """Each indicator's weight factor: assumed ones drawn and scaled together so that
    their full marks add up as before; fixed ones 1."""
    assumed = problem.assumed
    nominal = problem.full[assumed].sum()
    drawn = (factors * problem.full)[assumed].sum()
    scale = nominal / drawn if drawn else 1.0
    return np.where(assumed, factors * scale, 1.0)


def _adjustments(problem: _Problem, factors: Sequence[float] | np.ndarray) -> tuple[list[Decimal], list[Decimal]]:
    adjust = problem.formula.adjustments
    units = problem.points.shape[0]
    shown = Decimal if problem.whole else _decimal
    item_points = [shown(int(round(base * float(factor)))) for (_, base, _, _), factor in zip(problem.items, factors)]
    bonus_none = formulas.capped(ZERO, adjust.bonus_cap)
    deductions_none = formulas.capped(ZERO, adjust.deduction_cap)
    bonus, deductions = [bonus_none] * units, [deductions_none] * units
    for unit, counts in problem.counts:
        raw = {"bonus": problem.extra[unit][0], "deduction": problem.extra[unit][1]}
        for (kind, _, cap, _), points, count in zip(problem.items, item_points, counts):
            if count:
                raw[kind] += formulas.item_points(count, points, cap)
        bonus[unit] = formulas.capped(raw["bonus"], adjust.bonus_cap)
        deductions[unit] = formulas.capped(raw["deduction"], adjust.deduction_cap)
    return bonus, deductions


def _cutoff_shifts(problem: _Problem, generator: np.random.Generator) -> list[Decimal]:
    classification = problem.classification
    if classification is None:
        return []
    size, reach = len(classification.grades) - 1, problem.cutoff_range
    if classification.by == "rank":
        whole = int(reach)
        return [Decimal(int(n)) for n in generator.integers(-whole, whole + 1, size=size)]
    drawn = generator.uniform(-float(reach), float(reach), size=size)
    if classification.by == "score" and problem.whole:  # the cut-offs are in billionths too
        return [Decimal(int(round(x * NANO))) for x in drawn]
    return [_decimal(int(round(x * NANO))) for x in drawn]


def _shifted(classification: Classification, shifts: Sequence[Decimal], hair: Decimal) -> Classification:
    """The classification with each cut-off moved, still falling from class to class
    (by ``hair`` at least, the least figure by score)."""
    grades = list(classification.grades)
    if not any(shifts):
        return classification
    if classification.by == "score":
        previous: Decimal | None = None
        for n, shift in enumerate(shifts):
            line = grades[n].min_score + shift  # type: ignore[operator]
            if previous is not None and line >= previous:
                line = previous - hair
            grades[n] = attrs.evolve(grades[n], min_score=line)
            previous = line
    elif classification.by == "rank":
        for n, shift in enumerate(shifts):
            grades[n] = attrs.evolve(grades[n], count=max(1, grades[n].count + int(shift)))  # type: ignore[operator]
    else:
        shares = [max(grades[n].share + shift / 100, _decimal(1)) for n, shift in enumerate(shifts)]  # type: ignore[operator]
        total = sum(shares, ZERO)
        if total > 1:
            shares = [share / total for share in shares]
        for n, share in enumerate(shares):
            grades[n] = attrs.evolve(grades[n], share=min(share, Decimal(1)))
    return attrs.evolve(classification, grades=tuple(grades))


def _nearest_rank(ordered: np.ndarray, fraction: Fraction) -> np.ndarray:
    """The least rank with at least ``fraction`` of the samples at it or better."""
    index = max(math.ceil(fraction * ordered.shape[0]) - 1, 0)
    return ordered[index]


def _summarise(batch: BatchResult, problem: _Problem, ranks: np.ndarray,
               tiers: np.ndarray) -> tuple[UnitRobustness, ...]:
    ordered = np.sort(ranks, axis=0)
    low, middle, high = (_nearest_rank(ordered, f).tolist() for f in (LOW, MIDDLE, HIGH))
    classification = batch.ruleset.classification
    names = [g.name for g in classification.grades] if classification else []
    counts = [(tiers == n).sum(axis=0).tolist() for n in range(len(names))]
    flips = _certificates(batch, problem)
    out = []
    for n, (unit, nominal_rank, tier) in enumerate(zip(batch.units.column("unit"), batch.units.column("rank"),
                                                        batch.units.column("tier"))):
        unit_tiers = tuple((name, int(counts[k][n])) for k, name in enumerate(names))
        keep = Fraction(dict(unit_tiers)[tier], ranks.shape[0]) if tier is not None else Fraction(1)
        flip, exact = flips[n]
        out.append(UnitRobustness(unit=unit, rank=nominal_rank, tier=tier, median=int(middle[n]), low=int(low[n]),
                                  high=int(high[n]), tiers=unit_tiers, keep=keep, flip=flip, flip_exact=exact))
    return tuple(out)


# -- the certificate ------------------------------------------------------------------------

def _certificates(batch: BatchResult, problem: _Problem) -> list[tuple[Decimal | None, bool]]:
    """Each unit's smallest uniform change of weights that moves its tier (see
    :class:`UnitRobustness`).

    With weights u (each within ±ε of 1 on the assumed indicators) scaled to the same
    full marks, "the unit's total reaches m" and "unit B's total beats unit A's" are
    each one linear inequality Σ uᵢcᵢ ≥ 0 in u; the least ε that turns one over is
    |Σcᵢ| ÷ Σ|cᵢ|.  By score that is the answer.  By rank a unit leaves its tier when
    enough others pass it (or it passes enough): the k-th least pairwise ε is a bound
    no smaller change can beat, and it is exact when the weights that turn the k-th
    pair over move the tier.
    """
    classification = batch.ruleset.classification
    count = problem.points.shape[0]
    if classification is None or not problem.assumed.any():
        return [(None, False)] * count
    units = batch.units
    totals = np.array([float(t) for t in units.column("total")])
    adjust = np.array([float(b - d) for b, d in zip(units.column("bonus"), units.column("deductions"))])
    names = [g.name for g in classification.grades]
    positions = [names.index(t) for t in units.column("tier")]
    if classification.by == "score":
        return [_by_score(problem, classification, n, positions[n], adjust[n]) for n in range(count)]
    if problem.marks is not None:
        return [(None, False)] * count  # scores converted by rate: not linear between units
    limits = [int(limit) for limit in cutoffs(classification, count)]
    return [_by_rank(problem, limits, n, positions[n], totals, adjust) for n in range(count)]


def _split(problem: _Problem) -> tuple[np.ndarray, np.ndarray, float]:
    """Points (in points) on assumed indicators, on fixed ones summed, and the assumed full marks."""
    points = problem.points / NANO
    full = problem.full / NANO
    return points[:, problem.assumed], points[:, ~problem.assumed].sum(axis=1), float(full[problem.assumed].sum())


def _radius(coefficients: np.ndarray, towards_negative: bool) -> float:
    total, spread = float(coefficients.sum()), float(np.abs(coefficients).sum())
    if towards_negative:
        return 0.0 if total < 0 else (total / spread if spread else math.inf)
    return 0.0 if total >= 0 else (-total / spread if spread else math.inf)


def _shown(radius: float) -> Decimal | None:
    return None if radius > 1 else Decimal(repr(round(radius, 4)))


def _by_score(problem: _Problem, classification: Classification, unit: int, position: int,
              adjust: float) -> tuple[Decimal | None, bool]:
    if problem.vetoed[unit]:
        return None, False
    assumed, fixed, marks = _split(problem)
    full = (problem.full / NANO)[problem.assumed]
    lines = cutoffs(classification, 0)
    radii = []
    if position < len(lines):  # down: below its own line
        radii.append(_radius((fixed[unit] + adjust - float(lines[position])) * full + marks * assumed[unit], True))
    if position > 0:  # up: reaching the line above
        radii.append(_radius((fixed[unit] + adjust - float(lines[position - 1])) * full + marks * assumed[unit],
                             False))
    return _shown(min(radii, default=math.inf)), True


def _by_rank(problem: _Problem, limits: Sequence[int], unit: int, position: int, totals: np.ndarray,
             adjust: np.ndarray) -> tuple[Decimal | None, bool]:
    if problem.vetoed[unit]:
        return None, False
    assumed, fixed, marks = _split(problem)
    full = (problem.full / NANO)[problem.assumed]
    rivals = np.array([n != unit and not problem.vetoed[n] for n in range(len(totals))])
    base = (fixed + adjust) - (fixed[unit] + adjust[unit])
    # Row b: Σ u c_b > 0 is "b's total beats the unit's".
    pairs = base[:, None] * full[None, :] + marks * (assumed - assumed[unit])
    sums, spreads = pairs.sum(axis=1), np.abs(pairs).sum(axis=1)
    ahead = sums > TIED * np.maximum(spreads, 1.0)  # equal totals share a rank: not ahead
    with np.errstate(divide="ignore", invalid="ignore"):
        to_pass = np.where(ahead, 0.0, np.where(spreads > 0, np.maximum(-sums, 0.0) / spreads, np.inf))
        to_fall = np.where(ahead, np.where(spreads > 0, sums / spreads, np.inf), np.inf)
    to_pass, to_fall = np.where(rivals, to_pass, np.inf), np.where(rivals, to_fall, np.inf)
    candidates = []
    if position < len(limits):  # down: at least limit others ahead
        needed = limits[position]
        if needed <= rivals.sum():
            order = np.argsort(to_pass, kind="stable")
            candidates.append((float(to_pass[order[needed - 1]]), int(order[needed - 1]), 1))
    if position > 0:  # up: at most limit − 1 others ahead
        current = int((ahead & rivals).sum())
        needed = current - limits[position - 1] + 1
        if needed > 0:
            order = np.argsort(to_fall, kind="stable")
            candidates.append((float(to_fall[order[needed - 1]]), int(order[needed - 1]), -1))
    if not candidates:
        return None, False
    radius, rival, sign = min(candidates)
    if radius > 1:
        return None, False
    exact = _moves(problem, limits, unit, position, pairs[rival] * sign, radius, totals, adjust)
    return _shown(radius), exact


def _moves(problem: _Problem, limits: Sequence[int], unit: int, position: int, direction: np.ndarray,
           radius: float, totals: np.ndarray, adjust: np.ndarray) -> bool:
    """Whether the weights that turn the critical pair over (a hair past ``radius``)
    put the unit in another tier."""
    epsilon = min(radius + 1e-9, 1.0)
    factors = np.ones(problem.assumed.shape)
    factors[problem.assumed] = 1 + epsilon * np.sign(direction)
    weights = _renormalised(problem, factors)
    sample = (problem.points @ weights) / NANO + adjust
    rivals = [n for n in range(len(totals)) if n != unit and not problem.vetoed[n]]
    ahead = sum(1 for n in rivals if sample[n] - sample[unit] > TIED * max(abs(sample[unit]), 1.0))
    place = ahead + 1
    now = next((k for k, limit in enumerate(limits) if place <= limit), len(limits))
    return now != position
