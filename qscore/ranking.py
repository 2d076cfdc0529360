"""Ranking with shared ties, and grades or tiers by score, rank or share."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import ROUND_HALF_UP, Decimal

import attrs

from qscore.model import Classification, Ruleset, UnitResult


def rank_units(units: Sequence[UnitResult], ruleset: Ruleset) -> tuple[UnitResult, ...]:
    """``units`` in rank order with ``rank``, ``tier`` and ``gap_to_next`` filled in.

    Vetoed units come after every other unit.  Units equal on the total and on every
    tie-break share a rank, and the next rank skips (1, 1, 3); among equals the input
    order is kept.
    """
    keys = [_sort_key(u, ruleset.ranking.tie_break) for u in units]
    order = sorted(range(len(units)), key=keys.__getitem__)
    ranks: list[int] = []
    for position, index in enumerate(order):
        tied = position and keys[index] == keys[order[position - 1]]
        ranks.append(ranks[-1] if tied else position + 1)
    ranked = [attrs.evolve(units[i], rank=r) for i, r in zip(order, ranks)]
    if ruleset.classification is None:
        return tuple(ranked)
    return tuple(classify(ranked, ruleset.classification))


def _sort_key(unit: UnitResult, tie_break: Sequence[str]) -> tuple:
    points = {r.indicator: r.points for r in unit.indicators}
    extra = tuple(-(unit.subtotals.get(name, points.get(name, Decimal(0)))) for name in tie_break)
    return (unit.vetoed, -unit.total, *extra)


def cutoffs(classification: Classification, count: int) -> list[Decimal | int]:
    """Each class's lowest qualifying score (by score) or worst rank (by rank or share)."""
    if classification.by == "score":
        return [g.min_score for g in classification.grades[:-1]]  # type: ignore[misc]
    running, out = Decimal(0), []
    for grade in classification.grades[:-1]:
        running += grade.count if classification.by == "rank" else grade.share * count  # type: ignore[operator]
        out.append(int(running.to_integral_value(rounding=ROUND_HALF_UP)))
    return out


def _class_of(unit: UnitResult, limits: list[Decimal | int], by_score: bool) -> int:
    """The first class whose limit the unit meets: a lowest score, or a worst rank."""
    for position, limit in enumerate(limits):
        if (unit.total >= limit) if by_score else (unit.rank <= limit):
            return position
    return len(limits)


def classify(ranked: list[UnitResult], classification: Classification) -> list[UnitResult]:
    """Put ranked units into classes; a veto sends a unit to the last class."""
    limits = cutoffs(classification, len(ranked))
    names = [g.name for g in classification.grades]
    by_score = classification.by == "score"
    tiers = [len(limits) if unit.vetoed else _class_of(unit, limits, by_score) for unit in ranked]
    lowest_in = {}
    for unit, tier in zip(ranked, tiers):
        if not unit.vetoed:
            lowest_in[tier] = unit.total  # ranked order: the last seen is the lowest
    out = []
    for unit, tier in zip(ranked, tiers):
        gap = None
        if not unit.vetoed and tier > 0:
            better = limits[tier - 1] if by_score else lowest_in.get(tier - 1)
            gap = max(better - unit.total, Decimal(0)) if better is not None else None  # type: ignore[operator]
        out.append(attrs.evolve(unit, tier=names[tier], gap_to_next=gap))
    return out
