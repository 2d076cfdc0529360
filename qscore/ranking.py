"""Ranking with shared ties, and grades or tiers by score, rank or share."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import ROUND_HALF_UP, Decimal

import attrs

from qscore.model import Classification, Ruleset, UnitResult
from qscore.numbers import ZERO


def rank_units(units: Sequence[UnitResult], ruleset: Ruleset) -> tuple[UnitResult, ...]:
    """``units`` in rank order with ``rank``, ``tier`` and ``gap_to_next`` filled in.

    Vetoed units come after every other unit.  Units equal on the total and on every
    tie-break share a rank, and the next rank skips (1, 1, 3); among equals the input
    order is kept.
    """
    order, ranks = rank_order(_sort_keys(units, ruleset))
    ranked = [units[i] for i in order]
    if ruleset.classification is None:
        return tuple(attrs.evolve(unit, rank=rank) for unit, rank in zip(ranked, ranks))
    tiers, gaps = classes([u.total for u in ranked], [u.vetoed for u in ranked], ranks, ruleset.classification)
    return tuple(attrs.evolve(unit, rank=rank, tier=tier, gap_to_next=gap)
                 for unit, rank, tier, gap in zip(ranked, ranks, tiers, gaps))


def rank_order(keys: Sequence[tuple], order: list[int] | None = None) -> tuple[list[int], list[int]]:
    """Positions best first and each one's rank, shared by equal keys (1, 1, 3).

    A larger key is better; among equal keys the input order is kept (a reversed sort
    is still stable).  ``order``: the positions already in that order, when the caller
    could sort them more cheaply.
    """
    if order is None:
        order = sorted(range(len(keys)), key=keys.__getitem__, reverse=True)
    ranks: list[int] = []
    previous = None
    for position, index in enumerate(order, 1):
        key = keys[index]
        ranks.append(ranks[-1] if position > 1 and key == previous else position)
        previous = key
    return order, ranks


def _sort_keys(units: Sequence[UnitResult], ruleset: Ruleset) -> list[tuple]:
    """Per unit: not vetoed, the total, then each tie-break's points (larger is better)."""
    tie_break = ruleset.ranking.tie_break
    if not tie_break:
        return [(not u.vetoed, u.total) for u in units]
    # A tie-break names a category or an indicator; results are in ruleset order, so an
    # indicator's points are read by position without building the others.
    position = {i.id: n for n, i in enumerate(ruleset.indicators)}
    keys = []
    for unit in units:
        extra = [unit.subtotals[name] if name in unit.subtotals else _indicator_points(unit, name, position.get(name))
                 for name in tie_break]
        keys.append((not unit.vetoed, unit.total, *extra))
    return keys


def _indicator_points(unit: UnitResult, name: str, position: int | None) -> Decimal:
    if position is not None and position < len(unit.indicators):
        result = unit.indicators[position]
        if result.indicator == name:
            return result.points
    return next((r.points for r in unit.indicators if r.indicator == name), Decimal(0))


def cutoffs(classification: Classification, count: int) -> list[Decimal | int]:
    """Each class's lowest qualifying score (by score) or worst rank (by rank or share)."""
    if classification.by == "score":
        return [g.min_score for g in classification.grades[:-1]]  # type: ignore[misc]
    running, out = Decimal(0), []
    for grade in classification.grades[:-1]:
        running += grade.count if classification.by == "rank" else grade.share * count  # type: ignore[operator]
        out.append(int(running.to_integral_value(rounding=ROUND_HALF_UP)))
    return out


def classify(ranked: list[UnitResult], classification: Classification) -> list[UnitResult]:
    """Put ranked units into classes; a veto sends a unit to the last class."""
    tiers, gaps = classes([u.total for u in ranked], [u.vetoed for u in ranked], [u.rank for u in ranked],
                          classification)
    return [attrs.evolve(unit, tier=tier, gap_to_next=gap) for unit, tier, gap in zip(ranked, tiers, gaps)]


def classes(totals: Sequence[Decimal], vetoed: Sequence[bool], ranks: Sequence[int],
            classification: Classification) -> tuple[list[str], list[Decimal | None]]:
    """Each ranked unit's class name and the points it lacks to reach the next class up,
    from the units' totals, vetoes and ranks in rank order.

    Ranked units come in runs of equal totals (and ranks); a unit equal to the one
    before it is in that one's class without comparing it with the limits again.  (Its
    gap is still worked out: equal totals may be written differently, 85.5 and 85.50.)
    """
    limits = cutoffs(classification, len(totals))
    names = [g.name for g in classification.grades]
    by_score = classification.by == "score"
    positions: list[int] = []
    measure = position = None
    for this, veto in zip(totals if by_score else ranks, vetoed):
        if veto:
            positions.append(len(limits))
            continue
        if this != measure:
            measure, position = this, _position(this, by_score, limits, False)
        positions.append(position)
    lowest_in = {}
    for total, veto, position in zip(totals, vetoed, positions):
        if not veto:
            lowest_in[position] = total  # ranked order: the last seen is the lowest
    gaps: list[Decimal | None] = []
    for total, veto, position in zip(totals, vetoed, positions):
        gap = None
        if not veto and position > 0:
            better = limits[position - 1] if by_score else lowest_in.get(position - 1)
            gap = max(better - total, ZERO) if better is not None else None  # type: ignore[operator]
        gaps.append(gap)
    return [names[p] for p in positions], gaps


def _position(measure: Decimal | int, by_score: bool, limits: list[Decimal | int], vetoed: bool) -> int:
    """The class a total (by score) or a rank falls in; the last for a vetoed unit."""
    if vetoed:
        return len(limits)
    for position, limit in enumerate(limits):
        if (measure >= limit) if by_score else (measure <= limit):
            return position
    return len(limits)
