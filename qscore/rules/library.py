"""The built-in rule types: the scoring customs of official 评分细则.

Each is registered through the same ``qscore_register_rules`` hook a plug-in uses
(see :mod:`qscore.builtin`).
"""

from __future__ import annotations

import bisect
from collections.abc import Callable, Mapping, Sequence
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal
from typing import ClassVar, Literal

import attrs
from attrs import validators as v

from qscore.errors import MissingFigure
from qscore.i18n import _
from qscore.numbers import ONE, ZERO, clamp, fmt, meets, to_decimal
from qscore.cells import is_exempt, is_missing, normalise
from qscore.rules.base import Rule, Value, decimal_field


def _number(value: Value) -> Decimal:
    assert isinstance(value, Decimal), "level values only reach level rules"
    return value


def _share_of_full(full: Decimal, share: Decimal) -> str:
    return f"{fmt(full)} × {fmt(share)} = {fmt(full * share)}"


@attrs.frozen
class PassFail(Rule):
    """达标: full marks if the target is met, otherwise none."""

    type: ClassVar[str] = "pass_fail"
    label: ClassVar[str] = "达标"

    def points(self, value: Value, target: Decimal | None, baseline: Decimal | None) -> Decimal:
        return self.full if meets(_number(value), target, self.direction, self.strict) else ZERO  # type: ignore[arg-type]

    def explain(self, value: Value, target: Decimal | None, baseline: Decimal | None) -> str:
        if meets(_number(value), target, self.direction, self.strict):  # type: ignore[arg-type]
            return f"{fmt(_number(value))} {self._comparison()} {fmt(target)}，达标 → 满分 {fmt(self.full)}"
        return f"{fmt(_number(value))} 未达到 {self._comparison()} {fmt(target)} → 0"

    def breakpoints(self, target: Decimal | None, baseline: Decimal | None,
                    others: Sequence[Value] = ()) -> tuple[Value, ...]:
        return () if target is None else (target,)


@attrs.frozen
class Ratio(Rule):
    """完成率: full × min(actual ÷ target, 1); lower-is-better uses target ÷ actual.

    Over-achievement earns nothing beyond full marks (a bonus item can reward it).
    """

    type: ClassVar[str] = "ratio"
    label: ClassVar[str] = "完成率"

    def _ratio(self, value: Decimal, target: Decimal) -> Decimal | None:
        """The completion ratio, or ``None`` where a ratio means nothing (target or value ≤ 0)."""
        if self.direction == "higher":
            return value / target if target > 0 else None
        return target / value if value > 0 and target >= 0 else None

    def points(self, value: Value, target: Decimal | None, baseline: Decimal | None) -> Decimal:
        ratio = self._ratio(_number(value), target)  # type: ignore[arg-type]
        if ratio is None:
            return self.full if meets(_number(value), target, self.direction) else ZERO  # type: ignore[arg-type]
        return self.full * clamp(ratio, ZERO, ONE)

    def explain(self, value: Value, target: Decimal | None, baseline: Decimal | None) -> str:
        number = _number(value)
        ratio = self._ratio(number, target)  # type: ignore[arg-type]
        if ratio is None:
            verdict = "达标 → 满分" if meets(number, target, self.direction) else "未达标 → 0"  # type: ignore[arg-type]
            return f"目标或实际值不大于0，按是否达标计：{fmt(number)} 对 {fmt(target)}，{verdict}"
        shown = (f"{fmt(number)} ÷ {fmt(target)}" if self.direction == "higher"
                 else f"{fmt(target)} ÷ {fmt(number)}")
        capped = clamp(ratio, ZERO, ONE)
        note = f"，按 {fmt(capped)} 计" if capped != ratio else ""
        return f"{shown} = {fmt(ratio)}{note}；{_share_of_full(self.full, capped)}"

    def breakpoints(self, target: Decimal | None, baseline: Decimal | None,
                    others: Sequence[Value] = ()) -> tuple[Value, ...]:
        # Higher: the ratio rises along a line from 0 to the target; lower: it falls
        # steadily above the target.  Full marks from the target on.
        if target is None:
            return ()
        return (ZERO, target) if self.direction == "higher" and target > 0 else (target,)


@attrs.frozen
class Progress(Rule):
    """进度: full × clamp((actual − baseline) ÷ (target − baseline), 0, 1).

    Where target equals baseline (a value to hold), it is pass/fail.
    """

    type: ClassVar[str] = "progress"
    label: ClassVar[str] = "进度"

    def _share(self, value: Decimal, target: Decimal, baseline: Decimal | None) -> Decimal | None:
        if baseline is None:
            raise MissingFigure("baseline", _("基期值 (baseline) to measure progress from"))
        span = target - baseline
        if span == 0 or (span > 0) != (self.direction == "higher"):
            return None
        return clamp((value - baseline) / span, ZERO, ONE)

    def points(self, value: Value, target: Decimal | None, baseline: Decimal | None) -> Decimal:
        share = self._share(_number(value), target, baseline)  # type: ignore[arg-type]
        if share is None:
            return self.full if meets(_number(value), target, self.direction, self.strict) else ZERO  # type: ignore[arg-type]
        return self.full * share

    def explain(self, value: Value, target: Decimal | None, baseline: Decimal | None) -> str:
        number = _number(value)
        share = self._share(number, target, baseline)  # type: ignore[arg-type]
        if share is None:
            verdict = "达标 → 满分" if meets(number, target, self.direction, self.strict) else "未达标 → 0"  # type: ignore[arg-type]
            return f"目标与基期值 {fmt(baseline)} 无进度空间，按是否达标计：{fmt(number)} 对 {fmt(target)}，{verdict}"
        raw = (number - baseline) / (target - baseline)  # type: ignore[operator]
        note = f"，按 {fmt(share)} 计" if share != raw else ""
        return (f"({fmt(number)} − {fmt(baseline)}) ÷ ({fmt(target)} − {fmt(baseline)}) = {fmt(raw)}"
                f"{note}；{_share_of_full(self.full, share)}")

    def breakpoints(self, target: Decimal | None, baseline: Decimal | None,
                    others: Sequence[Value] = ()) -> tuple[Value, ...]:
        if target is None:
            return ()
        return (target,) if baseline is None else (baseline, target)


@attrs.frozen
class Band:
    """One step of a 分档 rule.

    :param threshold: the value a unit must reach (``at_least`` or ``at_most`` in the ruleset).
    :param points: the points this step gives.
    :param key: the key the ruleset wrote the threshold under, so that one contradicting
        the indicator's direction is refused rather than read the other way round.
    """

    threshold: Decimal = attrs.field(converter=to_decimal)
    points: Decimal = attrs.field(converter=to_decimal, validator=v.ge(ZERO))
    key: Literal["at_least", "at_most"] | None = attrs.field(default=None, kw_only=True, eq=False, repr=False)


def _bands(value: object) -> tuple[Band, ...]:
    if not isinstance(value, (list, tuple)) or not value:
        raise TypeError(_("'bands' must be a non-empty list of {at_least|at_most = …, points = …}"))
    out = []
    for number, band in enumerate(value, 1):
        if isinstance(band, Band):
            out.append(band)
            continue
        if not isinstance(band, Mapping) or set(band) not in ({"at_least", "points"}, {"at_most", "points"}):
            raise TypeError(_("band {number} must have exactly 'at_least' (or 'at_most') and 'points', got {band!r}").format(
                number=number, band=band))
        key: Literal["at_least", "at_most"] = "at_least" if "at_least" in band else "at_most"
        out.append(Band(band[key], band["points"], key=key))
    return tuple(out)


@attrs.frozen
class Bands(Rule):
    """分档: ordered thresholds, best first (≥98% 得10分，95%–98% 得8分，其余 ``otherwise``).

    Thresholds are ``at_least`` for higher-is-better and ``at_most`` for lower; each step
    covers everything down to the next, so there are no gaps.

    :param bands: the steps, best first; points must not rise from one to the next.
    :param otherwise: points below the last step.
    :param relative: thresholds are offsets from the year's target (0 = the target).
    """

    type: ClassVar[str] = "bands"
    label: ClassVar[str] = "分档"
    bands: tuple[Band, ...] = attrs.field(converter=_bands, kw_only=True)
    otherwise: Decimal = decimal_field(ZERO)
    relative: bool = attrs.field(default=False, kw_only=True, validator=v.instance_of(bool))

    @property
    def uses_target(self) -> bool:  # type: ignore[override]
        return self.relative

    def __attrs_post_init__(self) -> None:
        key, other = ("at_least", "lower") if self.direction == "higher" else ("at_most", "higher")
        for number, band in enumerate(self.bands, 1):
            if band.key not in (None, key):
                raise ValueError(_("band {number} says '{key}' but {direction} is better for this indicator; "
                                 "write '{key2}', or set direction = \"{other}\" if {other} is better").format(
                        number=number, key=band.key, direction=self.direction, key2=key, other=other))
        steps = [b.threshold for b in self.bands]
        better = (lambda a, b: a > b) if self.direction == "higher" else (lambda a, b: a < b)
        if not all(better(a, b) for a, b in zip(steps, steps[1:])):
            order = _("fall") if self.direction == "higher" else _("rise")
            raise ValueError(_("band thresholds must {order} strictly from the best step to the worst").format(
                    order=order))
        awarded = [b.points for b in self.bands] + [self.otherwise]
        if any(a < b for a, b in zip(awarded, awarded[1:])):
            raise ValueError(_("band points must not rise from a better step to a worse one"))
        if awarded[0] > self.full:
            raise ValueError(_("the best band gives {awarded}, more than the full marks {full}").format(
                    awarded=fmt(awarded[0]), full=fmt(self.full)))

    def _step(self, value: Decimal, target: Decimal | None) -> tuple[Band | None, Decimal]:
        shift = target if self.relative else ZERO
        for band in self.bands:
            if meets(value, band.threshold + shift, self.direction):  # type: ignore[operator]
                return band, band.threshold + shift  # type: ignore[operator]
        return None, ZERO

    def points(self, value: Value, target: Decimal | None, baseline: Decimal | None) -> Decimal:
        band, _threshold = self._step(_number(value), target)
        return band.points if band else self.otherwise

    def explain(self, value: Value, target: Decimal | None, baseline: Decimal | None) -> str:
        number = _number(value)
        band, threshold = self._step(number, target)
        sign = "≥" if self.direction == "higher" else "≤"
        shift = target if self.relative else ZERO
        table = "；".join(f"{sign}{fmt(b.threshold + shift)} 得{fmt(b.points)}" for b in self.bands)  # type: ignore[operator]
        table += f"；其余 得{fmt(self.otherwise)}"
        if band is None:
            return f"{fmt(number)} 未进入任何一档 → {fmt(self.otherwise)}（{table}）"
        return f"{fmt(number)} {sign} {fmt(threshold)} → {fmt(band.points)}（{table}）"

    def breakpoints(self, target: Decimal | None, baseline: Decimal | None,
                    others: Sequence[Value] = ()) -> tuple[Value, ...]:
        if self.relative and target is None:
            return ()
        shift = target if self.relative else ZERO
        return tuple(band.threshold + shift for band in self.bands)  # type: ignore[operator]


@attrs.frozen
class Deduction(Rule):
    """扣分: full marks less ``per_step`` for every ``step`` short of the target, floored at 0.

    :param per_step: points taken per step of shortfall (每低1个百分点扣2分: 2).
    :param step: the size of a step in the indicator's unit (1).
    :param partial: a part step counts ``proportional`` (default), not at all
        (``whole``), or as a whole step (``started``).
    """

    type: ClassVar[str] = "deduction"
    label: ClassVar[str] = "扣分"
    per_step: Decimal = decimal_field(positive=True)
    step: Decimal = decimal_field(ONE, positive=True)
    partial: str = attrs.field(default="proportional", kw_only=True,
                               validator=v.in_(("proportional", "whole", "started")))

    def _shortfall(self, value: Decimal, target: Decimal) -> Decimal:
        gap = target - value if self.direction == "higher" else value - target
        return max(gap, ZERO)

    def _steps(self, shortfall: Decimal) -> Decimal:
        steps = shortfall / self.step
        if self.partial == "whole":
            return steps.to_integral_value(rounding=ROUND_FLOOR)
        if self.partial == "started":
            return steps.to_integral_value(rounding=ROUND_CEILING)
        return steps

    def points(self, value: Value, target: Decimal | None, baseline: Decimal | None) -> Decimal:
        steps = self._steps(self._shortfall(_number(value), target))  # type: ignore[arg-type]
        return max(self.full - steps * self.per_step, ZERO)

    def explain(self, value: Value, target: Decimal | None, baseline: Decimal | None) -> str:
        number = _number(value)
        shortfall = self._shortfall(number, target)  # type: ignore[arg-type]
        if not shortfall:
            return f"{fmt(number)} {self._comparison()} {fmt(target)}，无差距 → 满分 {fmt(self.full)}"
        steps = self._steps(shortfall)
        gap = (f"{fmt(target)} − {fmt(number)}" if self.direction == "higher"
               else f"{fmt(number)} − {fmt(target)}")
        counted = {"proportional": "", "whole": "（不足一档不扣）", "started": "（不足一档按一档）"}[self.partial]
        taken = steps * self.per_step
        result = max(self.full - taken, ZERO)
        floor = "，扣完为止" if self.full - taken < 0 else ""
        return (f"差距 = {gap} = {fmt(shortfall)}，每 {fmt(self.step)} 扣 {fmt(self.per_step)}{counted}："
                f"扣 {fmt(steps)} × {fmt(self.per_step)} = {fmt(taken)}；{fmt(self.full)} − {fmt(taken)}"
                f" → {fmt(result)}{floor}")

    def breakpoints(self, target: Decimal | None, baseline: Decimal | None,
                    others: Sequence[Value] = ()) -> tuple[Value, ...]:
        # Nothing is left to deduct from ``full ÷ per_step`` steps short on: points are
        # 0 beyond that, rise along a line (proportional) or a step at a time up to the
        # target, and stay full from there.
        if target is None:
            return ()
        worse = -1 if self.direction == "higher" else 1
        steps = (self.full / self.per_step).to_integral_value(rounding=ROUND_CEILING)
        if self.partial == "proportional":
            return target, target + worse * self.full / self.per_step * self.step
        return tuple(target + worse * k * self.step for k in range(int(steps) + 1))


@attrs.frozen
class Count(Rule):
    """计件: points per item, capped (每新增1个得2分，最高10分).

    :param per_item: points per item.
    :param cap: most points, at most the full marks (default: the full marks).
    :param basis: ``value`` counts the observed value; ``increase`` counts the rise over
        the baseline (a cumulative figure against its base year).
    """

    type: ClassVar[str] = "count"
    label: ClassVar[str] = "计件"
    uses_target: ClassVar[bool] = False
    per_item: Decimal = decimal_field(positive=True)
    cap: Decimal | None = attrs.field(default=None, kw_only=True,
                                      converter=attrs.converters.optional(to_decimal))
    basis: str = attrs.field(default="value", kw_only=True, validator=v.in_(("value", "increase")))

    def __attrs_post_init__(self) -> None:
        if self.direction != "higher":
            raise ValueError(_("计件 rewards each item, so the indicator must be higher-is-better; "
                             "for items that count against a unit use 'deduction' or a deduction item"))
        if self.cap is not None and not ZERO <= self.cap <= self.full:
            raise ValueError(_("'cap' must be between 0 and the full marks {full}, got {cap}").format(
                    full=fmt(self.full), cap=fmt(self.cap)))

    @property
    def ceiling(self) -> Decimal:
        return self.full if self.cap is None else self.cap

    def _items(self, value: Decimal, baseline: Decimal | None) -> Decimal:
        if self.basis == "increase":
            if baseline is None:
                raise MissingFigure("baseline", _("基期值 (baseline) to count the increase from"))
            value = value - baseline
        return max(value, ZERO)

    def points(self, value: Value, target: Decimal | None, baseline: Decimal | None) -> Decimal:
        return min(self._items(_number(value), baseline) * self.per_item, self.ceiling)

    def explain(self, value: Value, target: Decimal | None, baseline: Decimal | None) -> str:
        items = self._items(_number(value), baseline)
        counted = (f"新增 = {fmt(_number(value))} − {fmt(baseline)} = {fmt(items)}；"
                   if self.basis == "increase" else "")
        raw = items * self.per_item
        capped = f"，封顶 {fmt(self.ceiling)} → {fmt(self.ceiling)}" if raw > self.ceiling else ""
        return f"{counted}{fmt(items)} × {fmt(self.per_item)} = {fmt(raw)}{capped}"

    def breakpoints(self, target: Decimal | None, baseline: Decimal | None,
                    others: Sequence[Value] = ()) -> tuple[Value, ...]:
        # Points rise with the count from no items to the cap.
        start = baseline if self.basis == "increase" and baseline is not None else ZERO
        return start, start + self.ceiling / self.per_item


@attrs.frozen
class RankPoints(Rule):
    """排序赋分: first place gets full marks, each later place ``step`` less, down to ``floor``.

    Places are shared on equal values (two units both 3rd, the next 5th); units with no
    value take no place.

    :param step: points less per place.
    :param floor: the fewest points a unit with a value gets.
    """

    type: ClassVar[str] = "rank"
    label: ClassVar[str] = "排序赋分"
    uses_target: ClassVar[bool] = False
    batch: ClassVar[bool] = True
    step: Decimal = decimal_field(positive=True)
    floor: Decimal = decimal_field(ZERO)

    def __attrs_post_init__(self) -> None:
        if self.floor > self.full:
            raise ValueError(_("'floor' {floor} is above the full marks {full}").format(
                    floor=fmt(self.floor), full=fmt(self.full)))

    def places(self, values: Sequence[Value]) -> list[int]:
        """Competition ranking (1, 1, 3) of ``values`` in the better direction."""
        numbers = list(map(_number, values))
        first: dict[Decimal, int] = {}
        for place, number in enumerate(sorted(numbers, reverse=self.direction == "higher"), 1):
            first.setdefault(number, place)
        return list(map(first.__getitem__, numbers))

    def _for_place(self, place: int) -> Decimal:
        return max(self.full - (place - 1) * self.step, self.floor)

    def points(self, value: Value, target: Decimal | None, baseline: Decimal | None) -> Decimal:
        raise TypeError("排序赋分 needs the whole batch: use points_batch()")

    def breakpoints(self, target: Decimal | None, baseline: Decimal | None,
                    others: Sequence[Value] = ()) -> tuple[Value, ...]:
        # A unit takes a place by equalling the unit on it.
        return tuple(sorted(set(map(_number, others))))

    def explain(self, value: Value, target: Decimal | None, baseline: Decimal | None) -> str:
        raise TypeError("排序赋分 needs the whole batch: use explain_batch()")

    def among(self, others: Sequence[Value]) -> Callable[[Value], Decimal]:
        # A unit's place is one more than the number of others strictly better.
        numbers = sorted(map(_number, others))
        if self.direction == "higher":
            return lambda value: self._for_place(len(numbers) - bisect.bisect_right(numbers, _number(value)) + 1)
        return lambda value: self._for_place(bisect.bisect_left(numbers, _number(value)) + 1)

    def points_batch(self, values: Sequence[Value], targets: Sequence[Decimal | None],
                     baselines: Sequence[Decimal | None]) -> list[Decimal]:
        # A national column has far fewer places than units (ties, and every place at
        # the floor): each place's points are worked out once and shared.
        places = self.places(values)
        points = {place: self._for_place(place) for place in set(places)}
        return list(map(points.__getitem__, places))

    def explain_batch(self, values: Sequence[Value], targets: Sequence[Decimal | None],
                      baselines: Sequence[Decimal | None]) -> list[str]:
        # Units with equal values share a place, and so one sentence.
        sentences: dict[tuple[Decimal, int], str] = {}
        lines = []
        for number, place in zip(map(_number, values), self.places(values)):
            line = sentences.get((number, place))
            if line is None:
                raw = self.full - (place - 1) * self.step
                floor = f"，不低于 {fmt(self.floor)}" if raw < self.floor else ""
                line = sentences[number, place] = (
                    f"{fmt(number)} 列第 {place} 名（共 {len(values)} 个有数据的单位）："
                    f"{fmt(self.full)} − ({place} − 1) × {fmt(self.step)} = {fmt(raw)}{floor}"
                    f" → {fmt(self._for_place(place))}")
            lines.append(line)
        return lines


def _levels(value: object) -> dict[str, Decimal]:
    """Level name → share, the names normalised as data cells are, so that a cell holding
    a level is found whatever width its brackets are typed in."""
    if not isinstance(value, Mapping) or not value:
        raise TypeError(_("'levels' must be a table of level = share of full marks, e.g. { 完成 = 1, 未完成 = 0 }"))
    shares: dict[str, Decimal] = {}
    written: dict[str, str] = {}
    for name, share in value.items():
        level = normalise(str(name))
        if is_missing(level) or is_exempt(level):
            mark = _("no-data") if is_missing(level) else _("exempt (不适用)")
            raise ValueError(_("level {name!r} reads as the {mark} mark in a data cell; give the level another name").format(
                    name=str(name), mark=mark))
        if level in shares:
            raise ValueError(_("levels {written!r} and {name!r} are one level once read as data is "
                             "(full-width forms folded, outer spaces removed)").format(
                    written=written[level], name=str(name)))
        shares[level], written[level] = to_decimal(share), str(name)
        if not ZERO <= shares[level] <= ONE:
            raise ValueError(_("level '{level}' gives share {shares}; shares are between 0 and 1").format(
                    level=level, shares=fmt(shares[level])))
    return shares


@attrs.frozen
class Levels(Rule):
    """任务完成: a completion level mapped to a share of full marks
    (完成 = 1, 基本完成 = 0.6, 未完成 = 0).

    :param levels: level name → share of full marks, between 0 and 1.
    """

    type: ClassVar[str] = "levels"
    label: ClassVar[str] = "任务完成"
    value_kind: ClassVar[str] = "level"
    uses_target: ClassVar[bool] = False
    levels: dict[str, Decimal] = attrs.field(converter=_levels, kw_only=True)

    def met(self, value: Value, target: Decimal | None) -> bool | None:
        return self.levels.get(str(value)) == max(self.levels.values())

    def points(self, value: Value, target: Decimal | None, baseline: Decimal | None) -> Decimal:
        return self.full * self.levels[str(value)]

    def explain(self, value: Value, target: Decimal | None, baseline: Decimal | None) -> str:
        return f"{value} → {_share_of_full(self.full, self.levels[str(value)])}"

    def breakpoints(self, target: Decimal | None, baseline: Decimal | None,
                    others: Sequence[Value] = ()) -> tuple[Value, ...]:
        return tuple(self.levels)


BUILTIN_RULES: tuple[type[Rule], ...] = (PassFail, Ratio, Progress, Bands, Deduction, Count, RankPoints, Levels)
