"""How a unit's figures make its total, each formula written once.

Every function is pure and works on columns (one figure per unit): the engine applies
them to a whole batch, the per-unit path and the reference scorer
(:mod:`qscore.testing.reference`) to columns of one.  Ranking and classes are in
:mod:`qscore.scoring.ranking`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from decimal import Decimal
from itertools import repeat
from operator import add, sub

from qscore.model import AdjustmentResult, Adjustments, Ruleset
from qscore.numbers import ZERO


def capped(raw: Decimal, cap: Decimal | None) -> Decimal:
    """``raw`` points, or ``cap`` where they exceed it (``None``: no cap)."""
    return raw if cap is None or raw <= cap else cap


def item_points(count: Decimal, points: Decimal, cap: Decimal | None) -> Decimal:
    """One bonus or deduction item: ``count`` occurrences × ``points`` each, up to its cap."""
    return capped(count * points, cap)


def adjustment_sums(lines: Iterable[AdjustmentResult], adjustments: Adjustments) -> tuple[Decimal, Decimal, bool]:
    """A unit's bonus and deductions after the overall caps, and whether a veto applies."""
    bonus = deductions = ZERO
    vetoed = False
    for line in lines:
        if line.kind == "bonus":
            bonus += line.points
        elif line.kind == "deduction":
            deductions += line.points
        elif line.kind == "veto":
            vetoed = True
    return capped(bonus, adjustments.bonus_cap), capped(deductions, adjustments.deduction_cap), vetoed


def indicator_parts(ruleset: Ruleset, points: Sequence[Decimal], applicable: Sequence[Decimal]) -> Sequence[Decimal]:
    """What the indicators add to each unit's total: the sum of their ``points``, or with
    ``scale_to`` the score rate on that scale (得分率折算), points ÷ the full marks that
    apply to the unit (``applicable``) × ``scale_to``, rounded once."""
    scale = ruleset.scale_to
    if scale is None:
        return points
    rounding = ruleset.rounding
    return [rounding.apply(p * scale / marks if marks else ZERO) for p, marks in zip(points, applicable)]


def unfloored_totals(parts: Iterable[Decimal], bonus: Iterable[Decimal],
                     deductions: Iterable[Decimal]) -> Iterable[Decimal]:
    """indicator part + bonus − deductions, before the floor and the total's rounding."""
    return map(sub, map(add, parts, bonus), deductions)


def totals(ruleset: Ruleset, parts: Iterable[Decimal], bonus: Iterable[Decimal],
           deductions: Iterable[Decimal]) -> list[Decimal]:
    """Each unit's total: indicator part + bonus − deductions, never below the ruleset's
    floor (扣完为止), rounded here when the ruleset rounds totals only."""
    out = unfloored_totals(parts, bonus, deductions)
    floor = ruleset.adjustments.total_floor
    if floor is not None:
        out = map(max, out, repeat(floor))
    if ruleset.rounding.stage == "total":
        out = map(ruleset.rounding.apply, out)
    return list(out)


def total(ruleset: Ruleset, part: Decimal, bonus: Decimal, deductions: Decimal) -> Decimal:
    """:func:`totals` for one unit."""
    return totals(ruleset, (part,), (bonus,), (deductions,))[0]
