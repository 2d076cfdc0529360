"""What must a unit achieve to reach the next grade or tier?

:func:`whatif` answers with values, not points: the smallest set of improvements that
gets the unit to the goal, best first — fewest indicators changed, then the smallest
change, each change measured against the indicator's distance from baseline to target.

How it searches.  For each indicator the unit can still improve, a *ladder* lists the
values worth proposing: the least value (at the data's precision, never past 100 % or
where the points stop rising) that earns each higher figure of points.  The rule says
where its points jump or change pace (:meth:`qscore.rules.base.Rule.breakpoints`); a
rule that does not say is bisected, on the one assumption that its points never fall as
the value gets better.  Each rung's points come from the engine, for this unit with this
one value.  A knapsack over the points still needed (in the ruleset's rounding quantum)
then finds the cheapest set of rungs for the fewest indicators, and further sets by
excluding indicators of the ones found.  Every set is verified by re-scoring the whole
batch with the engine — 排序赋分 and tiers by rank are worked out again with the other
units as they are — and a set that does not reach the goal is never proposed.

The search counts the other units' totals as they stand: with 排序赋分 and tiers by rank,
the points the others lose when the unit passes them are not counted on, so a proposal
may then do a little more than is needed; it always verifies.
"""

from __future__ import annotations

import heapq
import itertools
from collections.abc import Callable, Iterable, Sequence
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal
from typing import Literal

import attrs
import numpy as np

from qscore.analysis.case import Case, present
from qscore.errors import MissingFigure, UsageError
from qscore.i18n import _
from qscore.model import BatchResult, Indicator, UnitResult
from qscore.numbers import ZERO
from qscore.reading.binding import COUNT_UNITS, Dataset, one_unit
from qscore.cells import EXEMPT
from qscore.rules.base import Value
from qscore.scoring import formulas
from qscore.scoring.engine import score_indicator
from qscore.scoring.ranking import cutoffs

Status = Literal["proposed", "reached", "top", "vetoed", "unreachable"]
#: The most decimal places a proposed value has.
MOST_PLACES = 4
#: The most rungs one indicator's ladder climbs.
MOST_RUNGS = 5000
#: How many times a set of indicators that falls short on verification is tried with more.
RETRIES = 12
HUNDRED = Decimal(100)


@attrs.frozen
class Standing:
    """Where a unit stands.

    :param total: its total.
    :param rank: its rank (shared on ties).
    :param tier: its grade or tier, ``None`` without a classification.
    """

    total: Decimal
    rank: int
    tier: str | None

    @classmethod
    def of(cls, unit: UnitResult) -> Standing:
        return cls(total=unit.total, rank=unit.rank, tier=unit.tier)


@attrs.frozen
class Goal:
    """What the unit is to reach: a grade or tier, or a rank.

    :param tier: the grade or tier (reached when the unit is in it or a better one).
    :param rank: the rank (reached when the unit is ranked there or better).
    """

    tier: str | None = None
    rank: int | None = None

    @property
    def label(self) -> str:
        return self.tier if self.tier is not None else f"第 {self.rank} 名"


@attrs.frozen
class Change:
    """One indicator's value in a proposal.

    :param indicator: the indicator's id.
    :param name: its name.
    :param unit: its unit of measure (``%``, ``家`` …).
    :param value: the unit's value now.
    :param new_value: the value proposed.
    :param points: the points now.
    :param new_points: the points with the value proposed.
    """

    indicator: str
    name: str
    unit: str
    value: Value
    new_value: Value
    points: Decimal
    new_points: Decimal


@attrs.frozen
class Proposal:
    """A set of improvements, verified by re-scoring the whole batch with it.

    :param changes: the indicators changed, in ruleset order.
    :param reached: where the unit stands with them.
    :param effort: the sum of each change relative to its indicator's distance from
        baseline to target (what "smallest" means among sets of the same size).
    """

    changes: tuple[Change, ...]
    reached: Standing
    effort: float


@attrs.frozen
class WhatIf:
    """The answer for one unit.

    :param unit: the unit's name.
    :param start: where it stands now.
    :param goal: what it is to reach, ``None`` when it is vetoed or at the top.
    :param status: ``proposed`` (proposals found), ``reached`` (already there), ``top``
        (already in the best class), ``vetoed`` (不可达：一票否决) or ``unreachable`` (no
        set of values reaches the goal).
    :param proposals: best first: fewest indicators changed, then the least effort.
    :param margin: for a unit at the top, its total less the line below (the lowest
        total of the best class by score; by rank, the best total of the next class).
    :param left_out: indicators no proposal touches, each with the reason (fixed, no
        data, not assessed for the unit, full marks already).
    """

    unit: str
    start: Standing
    goal: Goal | None
    status: Status
    proposals: tuple[Proposal, ...] = ()
    margin: Decimal | None = None
    left_out: tuple[tuple[str, str], ...] = ()

    @property
    def message(self) -> str:
        """The verdict in an examiner's words."""
        if self.status == "vetoed":
            return "不可达：一票否决"
        if self.status == "top":
            shown = "" if self.margin is None else f"，高出下一等次 {self.margin:f} 分"
            return f"已是最高等次{shown}"
        if self.status == "reached":
            return f"已达到{self.goal.label if self.goal else ''}"
        if self.status == "unreachable":
            return f"不可达：可改的指标全部改到最好也达不到{self.goal.label if self.goal else ''}"
        return f"达到{self.goal.label if self.goal else ''}的方案 {len(self.proposals)} 个"


def whatif(case: Case, unit: str, *, to: str | int | None = None, fix: Iterable[str] = (),
           limit: int = 3, batch: BatchResult | None = None) -> WhatIf:
    """The smallest sets of value improvements that get ``unit`` to a grade, tier or rank.

    :param case: the ruleset and data (:func:`~qscore.analysis.case.load_case`).
    :param unit: the unit's name.
    :param to: a grade or tier name, or a rank (``int``); default: the next class up.
    :param fix: indicator ids or names the unit cannot change.
    :param limit: at most this many proposals, each with a different set of indicators.
    :param batch: the case as it is scored, where the caller has it (else scored here).
    :raises UsageError: for an unknown unit, class or indicator, or a ruleset without
        classes and no rank given.
    """
    batch = case.score() if batch is None else batch
    position = case.unit_index(unit)
    result = batch.unit(case.dataset.units[position])
    assert result is not None
    start = Standing.of(result)
    fixed = _fixed(case, fix)
    if result.vetoed:
        return WhatIf(unit=result.unit, start=start, goal=None, status="vetoed")
    goal = _goal(batch, result, to)
    if goal is None:
        return WhatIf(unit=result.unit, start=start, goal=None, status="top", margin=_margin(batch, result))
    if reaches(batch, goal, start):
        return WhatIf(unit=result.unit, start=start, goal=goal, status="reached")
    search = _Search(case, batch, position, result, goal, fixed)
    proposals = search.run(limit)
    return WhatIf(unit=result.unit, start=start, goal=goal, status="proposed" if proposals else "unreachable",
                  proposals=tuple(proposals), left_out=search.left_out)


def reaches(batch: BatchResult, goal: Goal, standing: Standing) -> bool:
    """Whether a unit standing so has reached the goal."""
    if goal.rank is not None:
        return standing.rank <= goal.rank
    classification = batch.ruleset.classification
    assert classification is not None and standing.tier is not None
    names = [grade.name for grade in classification.grades]
    return names.index(standing.tier) <= names.index(goal.tier)  # type: ignore[arg-type]


def _fixed(case: Case, fix: Iterable[str]) -> frozenset[str]:
    by_name = {key: indicator.id for indicator in case.ruleset.indicators
               for key in (indicator.id, indicator.name, *indicator.aliases)}
    out = set()
    for text in fix:
        for name in filter(None, (part.strip() for part in text.replace("，", ",").split(","))):
            if name not in by_name:
                raise UsageError(_("'{name}' is not an indicator of ruleset '{id}'").format(
                        name=name, id=case.ruleset.id))
            out.add(by_name[name])
    return frozenset(out)


def _goal(batch: BatchResult, unit: UnitResult, to: str | int | None) -> Goal | None:
    """The goal ``to`` names; ``None`` for the next class up of a unit in the best one."""
    classification = batch.ruleset.classification
    if isinstance(to, int) and not isinstance(to, bool):
        if not 1 <= to <= len(batch.units):
            raise UsageError(_("rank {to} is outside 1–{count}").format(
                    to=to, count=len(batch.units)))
        return Goal(rank=to)
    if classification is None:
        raise UsageError(_("ruleset '{id}' has no grades or tiers; give a rank to reach").format(
                id=batch.ruleset.id))
    names = [grade.name for grade in classification.grades]
    if to is None:
        place = names.index(unit.tier)  # type: ignore[arg-type]
        return Goal(tier=names[place - 1]) if place > 0 else None
    if to not in names:
        raise UsageError(_("'{to}' is not a class of ruleset '{id}'; expected one of "
                         "{names} or 'rank N'").format(
                to=to, id=batch.ruleset.id, names=', '.join(names)))
    return Goal(tier=to)


def _margin(batch: BatchResult, unit: UnitResult) -> Decimal | None:
    classification = batch.ruleset.classification
    assert classification is not None
    if classification.by == "score":
        line = classification.grades[0].min_score
        return None if line is None else unit.total - line
    units = batch.units
    below = [total for total, tier, vetoed in zip(units.column("total"), units.column("tier"), units.column("vetoed"))
             if tier != unit.tier and not vetoed]
    return unit.total - max(below) if below else None


@attrs.frozen
class _Rung:
    """A value worth proposing for one indicator: the least that earns these points."""

    value: Value
    points: Decimal
    gain: int  # in rounding quanta, rounded down
    effort: float


@attrs.frozen
class _Ladder:
    indicator: int  # position in the ruleset
    rungs: tuple[_Rung, ...]


class _Search:
    """One unit's search: its ladders, the points it needs, the knapsack and the checks."""

    def __init__(self, case: Case, batch: BatchResult, position: int, unit: UnitResult, goal: Goal,
                 fixed: frozenset[str]) -> None:
        self.case, self.batch, self.position, self.unit, self.goal = case, batch, position, unit, goal
        self.ruleset = case.ruleset
        self.quantum = self.ruleset.rounding.quantum
        self.probe = _Probe(case, position, batch.year)
        self.indicator_points = sum((r.points for r in unit.indicators), ZERO)
        self.marks = sum((r.max_points for r in unit.indicators), ZERO)
        left_out: list[tuple[str, str]] = []
        self.ladders: list[_Ladder] = []
        threshold = self._threshold(batch)
        self.need = self._need(threshold)
        for number, (indicator, result) in enumerate(zip(self.ruleset.indicators, unit.indicators)):
            reason = self._left_out(indicator, result.value, result.points, result.max_points, fixed)
            if reason:
                left_out.append((indicator.id, reason))
                continue
            ladder = self._ladder(number, indicator, result.value, result.points, result.target)  # type: ignore[arg-type]
            if ladder.rungs:
                self.ladders.append(ladder)
            else:
                left_out.append((indicator.id, "已得满分" if result.points == result.max_points else "已无可提高的分数"))
        self.left_out = tuple(left_out)

    # -- what is needed -------------------------------------------------------------------

    def _threshold(self, batch: BatchResult) -> Decimal:
        """The total that reaches the goal, the other units as they stand in ``batch``."""
        classification = self.ruleset.classification
        if self.goal.tier is not None:
            assert classification is not None
            names = [g.name for g in classification.grades]
            index = names.index(self.goal.tier)
            if classification.by == "score":
                return classification.grades[index].min_score  # type: ignore[return-value]
            place = int(cutoffs(classification, len(batch.units))[index])
        else:
            assert self.goal.rank is not None
            place = self.goal.rank
        units = batch.units
        others = sorted((total for name, total, vetoed in zip(units.column("unit"), units.column("total"),
                                                               units.column("vetoed"))
                         if name != self.unit.unit and not vetoed), reverse=True)
        return others[place - 1] if len(others) >= place else ZERO

    def _total(self, points: Decimal) -> Decimal:
        """The unit's total with ``points`` from its indicators, its bonus and deductions as they are."""
        part = formulas.indicator_parts(self.ruleset, [points], [self.marks])[0]
        return formulas.total(self.ruleset, part, self.unit.bonus, self.unit.deductions)

    def _need(self, threshold: Decimal) -> int | None:
        """The fewest rounding quanta of indicator points that lift the total to
        ``threshold``, ``None`` when even full marks everywhere do not."""
        most = int((self.marks - self.indicator_points) / self.quantum) + 1
        if self._total(self.indicator_points + most * self.quantum) < threshold:
            return None
        low, high = 0, most  # total(low) < threshold <= total(high)
        if self._total(self.indicator_points) >= threshold:
            return 1
        while high - low > 1:
            middle = (low + high) // 2
            if self._total(self.indicator_points + middle * self.quantum) >= threshold:
                high = middle
            else:
                low = middle
        return high

    @staticmethod
    def _left_out(indicator: Indicator, value: object, points: Decimal, max_points: Decimal,
                  fixed: frozenset[str]) -> str:
        if indicator.id in fixed:
            return "固定（--fix）"
        if value is None:
            return "无数据"
        if value is EXEMPT or value == "不适用" or not max_points:
            return "不适用"
        return ""

    # -- the ladders ----------------------------------------------------------------------

    def _ladder(self, number: int, indicator: Indicator, value: Value, points: Decimal,
                target: Decimal | None) -> _Ladder:
        column = self.case.dataset.values[indicator.id]
        others: list[Value] = [v for n, v in enumerate(column)  # type: ignore[misc]
                               if n != self.position and v is not None and v is not EXEMPT] \
            if indicator.rule.batch else []  # only a batch rule places a unit among the others
        baseline = self.probe.baseline(indicator)
        breakpoints = indicator.rule.breakpoints(target, baseline, others)
        score: Callable[[Value], Decimal] = lambda candidate: self.probe.points(indicator, candidate)  # noqa: E731
        if not isinstance(value, Decimal):
            levels = breakpoints if breakpoints is not None else tuple(getattr(indicator.rule, "levels", ()))
            steps = _level_steps(value, points, levels, score)
            top = max((p for _, p in steps), default=points)
            rungs = [self._rung(v, p, points, float((p - points) / (top - points))) for v, p in steps]
            return _Ladder(number, tuple(rungs))
        coded = self.case.dataset.codes.get(indicator.id)  # each distinct cell once, where binding has them
        grid = _Grid.of(indicator, value, present(coded[1] if coded else column), breakpoints, (target, baseline))
        climb = _Climb(grid, indicator.direction, value, score, breakpoints)
        scale = _scale(indicator, value, target, baseline, breakpoints)
        climbed: list[tuple[Decimal, Decimal]] = []
        for rung_value, rung_points in climb.rungs(points):
            climbed.append((rung_value, rung_points))
            # Measured against the climb's end (no scale yet), the climb is finished first.
            if scale is not None and self.need is not None and self._gain(rung_points, points) >= self.need:
                break
        if scale is None:
            end = climbed[-1][0] if climbed else value
            scale = abs(end - value) or max(abs(value), Decimal(1))
        return _Ladder(number, tuple(self._rung(v, p, points, float(abs(v - value) / scale)) for v, p in climbed))

    def _gain(self, new: Decimal, old: Decimal) -> int:
        return int(((new - old) / self.quantum).to_integral_value(rounding=ROUND_FLOOR))

    def _rung(self, value: Value, points: Decimal, old: Decimal, effort: float) -> _Rung:
        return _Rung(value=value, points=points, gain=self._gain(points, old), effort=effort)

    # -- sets of indicators ---------------------------------------------------------------

    def run(self, limit: int) -> list[Proposal]:
        """Up to ``limit`` verified proposals, each with another set of indicators.

        The sets are taken best first from a heap of knapsacks, each with some
        indicators forced in and some left out (Lawler's way to the next-best answer):
        once a set is taken, the rest of its space is split by leaving out each of its
        indicators in turn.  A set that falls short when re-scored is asked again for
        more points, on the same indicators, a few times.
        """
        if self.need is None or not self.ladders:
            return []
        proposals: list[Proposal] = []
        counter = itertools.count()
        every = frozenset(range(len(self.ladders)))
        heap: list[tuple[tuple[int, float], int, frozenset[int], frozenset[int], int, dict[int, int]]] = []

        def push(forced_in: frozenset[int], forced_out: frozenset[int], need: int) -> None:
            found = _knapsack(self.ladders, need, forced_in, forced_out)
            if found is not None:
                key, choice = found
                heapq.heappush(heap, (key, next(counter), forced_in, forced_out, need, choice))

        push(frozenset(), frozenset(), self.need)
        tries: dict[frozenset[int], int] = {}
        while heap and len(proposals) < limit:
            _, _, forced_in, forced_out, need, choice = heapq.heappop(heap)
            chosen = frozenset(choice)
            retry = forced_in == chosen and forced_out == every - chosen and need != self.need
            verified, more = self._verify(choice, _effort(self.ladders, choice))
            if verified is None:
                tries[chosen] = tries.get(chosen, 0) + 1
                if tries[chosen] <= RETRIES:
                    push(chosen, every - chosen, max(need + 1, more))
            else:
                proposals.append(verified)
            if retry:
                continue
            ordered = sorted(chosen)
            for place, ladder in enumerate(ordered):
                if ladder not in forced_in:
                    push(forced_in | frozenset(ordered[:place]), forced_out | {ladder}, self.need)
        return proposals

    def _verify(self, choice: dict[int, int], effort: float) -> tuple[Proposal | None, int]:
        """The proposal re-scored with the engine, or ``None`` and the quanta to ask for."""
        rungs = {self.ladders[ladder].indicator: self.ladders[ladder].rungs[rung] for ladder, rung in choice.items()}
        indicators = self.ruleset.indicators
        batch = self.case.score_changed(self.position, {indicators[n].id: rung.value for n, rung in rungs.items()})
        result = batch.unit(self.unit.unit)
        assert result is not None
        reached = Standing.of(result)
        if not reaches(batch, self.goal, reached):
            short = max(self._threshold(batch) - reached.total, self.quantum)
            gained = self._gain(sum((r.points for r in result.indicators), ZERO), self.indicator_points)
            return None, gained + int((short / self.quantum).to_integral_value(rounding=ROUND_CEILING))
        changes = tuple(Change(indicator=indicators[n].id, name=indicators[n].name, unit=indicators[n].unit,
                               value=self.unit.indicators[n].value, new_value=rung.value,  # type: ignore[arg-type]
                               points=self.unit.indicators[n].points, new_points=result.indicators[n].points)
                        for n, rung in sorted(rungs.items()))
        return Proposal(changes=changes, reached=reached, effort=effort), 0


def _effort(ladders: Sequence[_Ladder], choice: dict[int, int]) -> float:
    return sum(ladders[ladder].rungs[rung].effort for ladder, rung in sorted(choice.items()))


def _knapsack(ladders: Sequence[_Ladder], need: int, forced_in: frozenset[int],
              forced_out: frozenset[int]) -> tuple[tuple[int, float], dict[int, int]] | None:
    """The set of rungs, at most one per ladder, whose gains add up to ``need`` with the
    fewest ladders and then the least effort: ``((count, effort), {ladder: rung})``.

    A table of the least effort per number of ladders used and quanta gained (capped at
    ``need``), built one ladder at a time, with each step's choice kept to walk back.
    """
    size = len(ladders)
    best = np.full((size + 1, need + 1), np.inf)
    best[0, 0] = 0.0
    steps: list[tuple[int, np.ndarray, np.ndarray]] = []
    for number, ladder in enumerate(ladders):
        if number in forced_out:
            continue
        new = np.full_like(best, np.inf) if number in forced_in else best.copy()
        choice = np.full(best.shape, -1, dtype=np.int32)
        came_from = np.full(size + 1, -1, dtype=np.int64)  # for the capped column: the quanta before
        for index, rung in enumerate(ladder.rungs):
            gain = min(rung.gain, need)
            if gain <= 0:
                continue
            if gain < need:
                offer = best[:-1, :need - gain] + rung.effort
                region = new[1:, gain:need]
                better = offer < region
                region[better] = offer[better]
                choice[1:, gain:need][better] = index
            source = best[:-1, need - gain:]
            lowest = source.argmin(axis=1)
            offer_top = source[np.arange(size), lowest] + rung.effort
            better_top = offer_top < new[1:, need]
            new[1:, need][better_top] = offer_top[better_top]
            choice[1:, need][better_top] = index
            came_from[1:][better_top] = (need - gain + lowest)[better_top]
        steps.append((number, choice, came_from))
        best = new
    finite = np.flatnonzero(np.isfinite(best[:, need]))
    finite = finite[finite > 0]
    if not finite.size:
        return None
    count = int(finite[0])
    effort = float(best[count, need])
    picked: dict[int, int] = {}
    used, gained = count, need
    for number, choice, came_from in reversed(steps):
        index = int(choice[used, gained])
        if index < 0:
            continue
        picked[number] = index
        gain = min(ladders[number].rungs[index].gain, need)
        gained = int(came_from[used]) if gained == need else gained - gain
        used -= 1
    assert used == 0 and gained == 0, (used, gained)
    return (count, effort), picked


class _Probe:
    """The engine's points for one unit with one value changed.

    A rule that scores a unit on its own is asked on a one-unit copy of the data (the
    unit's own figures kept); 排序赋分, and a target worked out from the whole batch
    (进入全市前列), on the whole column with the one value changed.
    """

    def __init__(self, case: Case, position: int, year: int) -> None:
        self.case, self.position, self.year = case, position, year
        self.alone = one_unit(case.dataset, position)
        self.memo: dict[tuple[str, Value], Decimal] = {}
        self.among: dict[str, Callable[[Value], Decimal] | None] = {}
        self.targets: dict[str, Callable[[Decimal], Decimal] | None] = {}

    def baseline(self, indicator: Indicator) -> Decimal | None:
        own = self.alone.figures.get((indicator.id, "baseline"))
        return own[0] if own and own[0] is not None else indicator.baseline

    def points(self, indicator: Indicator, value: Value) -> Decimal:
        key = (indicator.id, value)
        if key not in self.memo:
            if indicator.target is not None and indicator.target.batch:
                self.memo[key] = self._with_batch_target(indicator, value)
            elif indicator.rule.batch:
                among = self._among(indicator)
                self.memo[key] = self._in_batch(indicator, value) if among is None else self._rounded(among(value))
            else:
                self.alone.values[indicator.id][0] = value
                column = score_indicator(self.case.ruleset, indicator, self.alone, self.year, False)
                self.memo[key] = column.points[0]
        return self.memo[key]

    def _in_batch(self, indicator: Indicator, value: Value) -> Decimal:
        data = self.case.with_values(self.position, {indicator.id: value})
        return score_indicator(self.case.ruleset, indicator, data, self.year, False).points[self.position]

    def _with_batch_target(self, indicator: Indicator, value: Value) -> Decimal:
        """Points under a target from the batch (进入全市前列): the rule asked at the target
        the batch would have with this value, where the shape can tell it, as the engine
        asks it; else the whole column scored again."""
        target_at = self._target_among(indicator)
        if target_at is None or indicator.rule.batch or not isinstance(value, Decimal):
            return self._in_batch(indicator, value)
        try:
            return self._rounded(indicator.rule.points(value, target_at(value), self.baseline(indicator)))
        except MissingFigure:  # the engine's missing-value policy decides
            return self._in_batch(indicator, value)

    def _target_among(self, indicator: Indicator) -> Callable[[Decimal], Decimal] | None:
        """The batch target at any value of this unit, the others' values as they stand."""
        if indicator.id not in self.targets:
            values = score_indicator(self.case.ruleset, indicator, self.case.dataset, self.year, False).values
            others = [v for n, v in enumerate(values) if n != self.position and isinstance(v, Decimal)]
            self.targets[indicator.id] = indicator.target.among(others)  # type: ignore[union-attr]
        return self.targets[indicator.id]

    def _among(self, indicator: Indicator) -> Callable[[Value], Decimal] | None:
        """The batch rule's points for this unit among the others as they stand."""
        if indicator.id not in self.among:
            values = score_indicator(self.case.ruleset, indicator, self.case.dataset, self.year, False).values
            others = [v for n, v in enumerate(values) if n != self.position and v is not None and v is not EXEMPT]
            self.among[indicator.id] = indicator.rule.among(others)  # type: ignore[arg-type]
        return self.among[indicator.id]

    def _rounded(self, points: Decimal) -> Decimal:
        rounding = self.case.ruleset.rounding
        return rounding.apply(points) if rounding.stage == "indicator" else points


def _level_steps(value: Value, points: Decimal, levels: Sequence[Value],
                 score: Callable[[Value], Decimal]) -> list[tuple[Value, Decimal]]:
    """Each level that earns more than the unit's, the first of each figure of points."""
    scored = sorted(((score(level), order, level) for order, level in enumerate(levels)), key=lambda t: (t[0], t[1]))
    out: list[tuple[Value, Decimal]] = []
    for level_points, _, level in scored:
        if level_points > points and (not out or level_points > out[-1][1]):
            out.append((level, level_points))
    return out


def _places(number: Decimal) -> int:
    exponent = number.normalize().as_tuple().exponent
    return max(0, -exponent) if isinstance(exponent, int) else 0


@attrs.frozen
class _Grid:
    """The values a proposal may take: a step (the data's precision) and bounds."""

    step: Decimal
    low: Decimal | None
    high: Decimal | None
    far: Decimal

    @classmethod
    def of(cls, indicator: Indicator, value: Decimal, column: Sequence[object],
           breakpoints: Sequence[Value] | None, figures: Sequence[Decimal | None]) -> _Grid:
        """:param figures: the target and baseline: with the data's values, they tell how
            far a rule that does not give its breakpoints is searched (ten times the
            largest of them)."""
        numbers = {v for v in column if isinstance(v, Decimal)} | {value}  # equal numbers have equal places
        places = max(map(_places, numbers))
        if indicator.unit not in COUNT_UNITS:
            # A target of 99.5 is proposed as 99.5 even where units report whole numbers.
            short = [_places(b) for b in breakpoints or () if isinstance(b, Decimal) and _places(b) <= 2]
            places = max([places, *short])
        places = min(places, MOST_PLACES)
        low = ZERO if indicator.share or indicator.unit in COUNT_UNITS or value >= 0 else None
        high = HUNDRED if indicator.share else None
        far = 10 * max(abs(n) for n in [*numbers, *(f for f in figures if f is not None), Decimal(1)])
        return cls(step=Decimal(1).scaleb(-places), low=low, high=high, far=far)

    def snap(self, number: Decimal, better: int) -> Decimal:
        """The grid value nearest ``number`` on its better side."""
        return number.quantize(self.step, rounding=ROUND_CEILING if better > 0 else ROUND_FLOOR)


class _Climb:
    """The rungs of one numeric indicator: from the unit's value, the least value on the
    grid that earns more points, again and again, until the points stop rising."""

    def __init__(self, grid: _Grid, direction: str, value: Decimal, score: Callable[[Value], Decimal],
                 breakpoints: Sequence[Value] | None) -> None:
        self.grid, self.value, self.score = grid, value, score
        self.better = 1 if direction == "higher" else -1
        self.end = grid.high if self.better > 0 else grid.low
        numbers = None if breakpoints is None else [grid.snap(b, self.better) for b in breakpoints
                                                    if isinstance(b, Decimal)]
        if numbers is not None:
            numbers = sorted({n for b in numbers for n in (b, b + self.better * grid.step)}, key=self._key)
            # Past the best breakpoint the points no longer rise, but a strict target (持续降低:
            # below 上年) is met only one step of the data's precision beyond it.
            best = numbers[-1] if numbers else value
            if self.end is None or self._key(best) < self._key(self.end):
                self.end = best
        elif self.end is None:
            self.end = grid.snap(value + self.better * grid.far, self.better)
        self.anchors = numbers

    def _key(self, number: Decimal) -> Decimal:
        return number * self.better

    def _index(self, number: Decimal) -> int:
        return int((number - self.value) * self.better / self.grid.step)

    def _at(self, index: int) -> Decimal:
        return self.value + self.better * index * self.grid.step

    def rungs(self, points: Decimal) -> Iterable[tuple[Decimal, Decimal]]:
        index = 0
        for _ in range(MOST_RUNGS):
            found = self._next(index, points)
            if found is None:
                return
            index, points = found
            yield self._at(index), points

    def _next(self, index: int, points: Decimal) -> tuple[int, Decimal] | None:
        """The least grid index past ``index`` that earns more than ``points``."""
        last = self._index(self.end)  # type: ignore[arg-type]
        low = index + 1
        if low > last:
            return None
        first = self.score(self._at(low))
        if first > points:
            return low, first
        for probe in self._probes(low, last):
            earned = self.score(self._at(probe))
            if earned > points:
                return self._bisect(low, probe, points, earned)
            low = probe
        return None

    def _probes(self, low: int, last: int) -> Iterable[int]:
        if self.anchors is not None:
            for anchor in self.anchors:
                at = self._index(anchor)
                if low < at <= last:
                    yield at
            yield last
            return
        span = 1
        while low + span < last:
            yield low + span
            span *= 2
        yield last

    def _bisect(self, low: int, high: int, points: Decimal, earned: Decimal) -> tuple[int, Decimal]:
        """``low`` earns ``points``, ``high`` more: the least index between that earns more."""
        while high - low > 1:
            middle = (low + high) // 2
            got = self.score(self._at(middle))
            if got > points:
                high, earned = middle, got
            else:
                low = middle
        return high, earned


def _scale(indicator: Indicator, value: Decimal, target: Decimal | None, baseline: Decimal | None,
           breakpoints: Sequence[Value] | None) -> Decimal | None:
    """What a change of this indicator is measured against: the plan's distance from
    baseline to the year's target; without a baseline, the unit's own distance to the
    target; for rules without a target, the distance to where the points stop rising
    (``None``: known once the climb ends)."""
    if indicator.rule.uses_target and target is not None:
        if baseline is not None and target != baseline:
            return abs(target - baseline)
        if target != value:
            return abs(target - value)
    return None
