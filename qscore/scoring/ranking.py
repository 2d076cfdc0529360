"""Ranking with shared ties, and grades or tiers by score, rank or share: pure functions
on columns, used by the engine and the reference scorer alike."""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from decimal import ROUND_HALF_UP, Decimal
from operator import not_

from qscore.model import Classification
from qscore.numbers import ZERO


def rank(totals: Sequence[Decimal], vetoed: Sequence[bool],
         tie_breaks: Sequence[Sequence[Decimal]] = ()) -> tuple[list[int], list[int]]:
    """Positions best first, and each one's rank.

    Vetoed units come after every other unit.  Units equal on the total and on every
    tie-break column (more points first) share a rank and the next rank skips (1, 1, 3);
    among equals the input order is kept.

    :param totals: each unit's total.
    :param vetoed: whether each unit is vetoed.
    :param tie_breaks: columns compared in order when totals are equal.
    """
    if tie_breaks:
        keys: list[tuple] = [(not veto, total, *more)
                             for veto, total, *more in zip(vetoed, totals, *tie_breaks)]
        order = sorted(range(len(keys)), key=keys.__getitem__, reverse=True)  # a reversed sort is stable
        return order, _shared_ranks(keys, order)
    # Without tie-breaks: units not vetoed by total, then vetoed ones, without comparing tuples.
    kept = sorted(itertools.compress(range(len(totals)), map(not_, vetoed)), key=totals.__getitem__, reverse=True)
    out = sorted(itertools.compress(range(len(totals)), vetoed), key=totals.__getitem__, reverse=True)
    order = kept + out
    return order, _shared_ranks(list(zip(map(not_, vetoed), totals)), order)


def _shared_ranks(keys: Sequence[tuple], order: Sequence[int]) -> list[int]:
    """Each ranked position's rank: the position, or the one before it for an equal key."""
    ranks: list[int] = []
    previous = None
    for position, index in enumerate(order, 1):
        key = keys[index]
        ranks.append(ranks[-1] if position > 1 and key == previous else position)
        previous = key
    return ranks


def cutoffs(classification: Classification, count: int) -> list[Decimal] | list[int]:
    """Each class's lowest qualifying score (by score) or worst rank (by rank or share)."""
    if classification.by == "score":
        return [g.min_score for g in classification.grades[:-1] if g.min_score is not None]
    running, out = ZERO, []
    for grade in classification.grades[:-1]:
        running += grade.count if classification.by == "rank" else grade.share * count  # type: ignore[operator]
        out.append(int(running.to_integral_value(rounding=ROUND_HALF_UP)))
    return out


def classes(totals: Sequence[Decimal], vetoed: Sequence[bool], ranks: Sequence[int],
            classification: Classification) -> tuple[list[str], list[Decimal | None]]:
    """Each ranked unit's class name and the points it lacks to reach the next class up,
    from the units' totals, vetoes and ranks in rank order.  A veto sends a unit to the
    last class.

    Ranked units come in runs of equal totals (and ranks); a unit equal to the one
    before it is in that one's class without comparing it with the limits again.  (Its
    gap is still worked out: equal totals may be written differently, 85.5 and 85.50.)
    """
    limits = cutoffs(classification, len(totals))
    names = [g.name for g in classification.grades]
    by_score = classification.by == "score"
    positions: list[int] = []
    measure: Decimal | int | None = None
    position = 0
    measures: Sequence[Decimal | int] = totals if by_score else ranks
    for this, veto in zip(measures, vetoed):
        if veto:
            positions.append(len(limits))
            continue
        if this != measure:
            measure, position = this, _position(this, by_score, limits)
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
            gap = max(better - total, ZERO) if better is not None else None
        gaps.append(gap)
    return [names[p] for p in positions], gaps


def _position(measure: Decimal | int, by_score: bool, limits: Sequence[Decimal | int]) -> int:
    """The class a total (by score) or a rank falls in."""
    for position, limit in enumerate(limits):
        if (measure >= limit) if by_score else (measure <= limit):
            return position
    return len(limits)
