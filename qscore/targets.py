"""Target shapes: what a unit must reach, resolved for the assessment year.

A plan states targets for its horizon year in several shapes (absolute, 保持, 较基期下降,
年均增长, 新增, 达到全国平均, 持续降低).  Assessments happen every year, so a shape
resolves to the value expected *in the assessment year*: on the straight path from the
baseline to the horizon target unless the shape says otherwise (a growth rate compounds;
a reference or a trend is that year's own figure).

A count (家, 个, 件, 项) cannot be reached in fractions, so a shape's ``interim`` says how
the year's point on the path becomes a whole number (``up``, ``nearest``), keeps the
fraction (``none``), or that the plan's target is judged only in the horizon year
(``horizon``: until then the unit holds its baseline).

Most shapes resolve unit by unit.  A *batch* shape (``batch = True``: 进入全市前列) needs
every unit's value at once; the engine calls its :meth:`Target.resolve_batch` instead.
"""

from __future__ import annotations

import abc
import heapq
from collections.abc import Callable, Mapping, Sequence
from decimal import ROUND_CEILING, ROUND_HALF_UP, Decimal
from typing import ClassVar, Literal

import attrs
from attrs import validators as v

from qscore.errors import MissingFigure, PluginError
from qscore.i18n import _
from qscore.numbers import HUNDRED, ONE, ZERO, fmt, signed
from qscore.registry import Registry


@attrs.frozen
class Figures:
    """The figures a target may depend on, for one unit.

    :param baseline: base-year value (the unit's own, or the plan's).
    :param previous: the unit's value the year before (for trend targets).
    :param references: named reference values supplied with the data (全国平均 …), as
        ``(name, value)`` pairs so that figures can key a cache.
    """

    baseline: Decimal | None = None
    previous: Decimal | None = None
    references: tuple[tuple[str, Decimal], ...] = ()

    def reference(self, name: str) -> Decimal | None:
        return next((value for key, value in self.references if key == name), None)


@attrs.frozen
class Timing:
    """The years a target is resolved for.

    :param base_year: the year of the baseline.
    :param horizon_year: the year the plan's target is for.
    :param year: the assessment year.
    """

    base_year: int
    horizon_year: int
    year: int

    @property
    def interim(self) -> bool:
        return self.base_year <= self.year < self.horizon_year


Interim = Literal["up", "nearest", "none", "horizon"]
#: How an interim year's point on the path is taken, in the order the schema lists them.
INTERIM: tuple[Interim, ...] = ("up", "nearest", "none", "horizon")
_WHOLE = {"up": (ROUND_CEILING, "向上取整"), "nearest": (ROUND_HALF_UP, "四舍五入取整")}


@attrs.frozen
class Target(abc.ABC):
    """Base of the target shapes.

    :param text: the plan's wording, shown in explanations (e.g. 较2020年下降13%).
    :param strict: the value must be strictly better than the target (持续降低, 低于…).
    :param interim: how a year before the horizon is targeted where the shape has a path:
        ``none`` the exact point on the path; ``up`` / ``nearest`` that point rounded up /
        half up to a whole number (a count cannot be reached in fractions); ``horizon``
        no point on the path: the plan's target is judged in the horizon year, and until
        then the target is where the path starts (the baseline, held).  Rulesets default
        to ``up`` for count units (家, 个, 件, 项 …) and ``none`` otherwise.
    """

    kind: ClassVar[str] = ""
    text: str = attrs.field(default="", kw_only=True)
    strict: bool = attrs.field(default=False, kw_only=True)
    interim: Interim = attrs.field(default="none", kw_only=True, validator=v.in_(INTERIM))
    #: ``linear``: interim years lie on the straight baseline→target path;
    #: ``compound``: on a path the shape works out itself (:meth:`point`);
    #: ``none``: the same value every year.
    path: ClassVar[str] = "linear"
    #: what the data must supply for this shape: "baseline", "previous" or "reference".
    needs: ClassVar[str | None] = None
    #: whether the target depends on the whole batch (进入全市前列): resolved by
    #: :meth:`resolve_batch` from every unit's value, never unit by unit.
    batch: ClassVar[bool] = False

    @abc.abstractmethod
    def horizon(self, figures: Figures, timing: Timing) -> Decimal:
        """The value to reach by the horizon year."""

    def horizon_formula(self, figures: Figures, timing: Timing) -> str:
        return fmt(self.horizon(figures, timing))

    def start(self, figures: Figures) -> Decimal | None:
        """Where the path starts: the baseline (``None`` where the plan has none)."""
        return figures.baseline

    def point(self, figures: Figures, timing: Timing) -> Decimal:
        """The exact point on the path for an interim ``timing.year`` (a path with a start)."""
        start, final = self.start(figures), self.horizon(figures, timing)
        assert start is not None, "point() is asked only of a path with a start"
        elapsed, span = timing.year - timing.base_year, timing.horizon_year - timing.base_year
        return start + (final - start) * elapsed / span

    def _on_path(self, figures: Figures, timing: Timing) -> bool:
        """Whether ``timing.year`` has its own point on a path (else the horizon value counts)."""
        return self.path != "none" and timing.interim and self.start(figures) is not None

    def resolve(self, figures: Figures, timing: Timing) -> Decimal:
        """The target for ``timing.year``."""
        if not self._on_path(figures, timing):
            return self.horizon(figures, timing)
        if self.interim == "horizon":
            return self.start(figures)  # type: ignore[return-value]
        point = self.point(figures, timing)
        if self.interim in _WHOLE:
            return point.to_integral_value(rounding=_WHOLE[self.interim][0])
        return point

    def describe(self, figures: Figures, timing: Timing) -> str:
        """How :meth:`resolve` got its value, in figures an examiner can redo."""
        final = self.horizon_formula(figures, timing)
        if self.path == "none" or not timing.interim:
            return final
        start = self.start(figures)
        if start is None:
            return f"{final}（无基期值，按期末目标）"
        if start == self.horizon(figures, timing):
            return final
        if self.interim == "horizon":
            return (f"期末目标 {final} 只在{timing.horizon_year}年考核；{timing.year}年目标为不低于基期值"
                    f" {fmt(start)}")
        point = self.point(figures, timing)
        shown = f"{timing.year}年进度目标 = {self.path_formula(figures, timing)} = {fmt(point)}"
        value = self.resolve(figures, timing)
        if self.interim in _WHOLE:
            if value != point:
                return f"{shown}，{_WHOLE[self.interim][1]}为 {fmt(value)}"
            return f"{shown}，已是整数"
        return shown

    def path_formula(self, figures: Figures, timing: Timing) -> str:
        """The arithmetic of :meth:`point`, before its result."""
        start, final = self.start(figures), self.horizon(figures, timing)
        return (f"{fmt(start)} + ({fmt(final)} − {fmt(start)})"
                f" × ({timing.year} − {timing.base_year}) ÷ ({timing.horizon_year} − {timing.base_year})")

    def resolve_batch(self, values: Sequence[Decimal], figures: Sequence[Figures], timing: Timing) -> Decimal:
        """The one target of a batch shape for ``timing.year``, from every unit's value
        (units without a value, or exempt, are left out) and their figures, in the same
        order.  Only batch shapes implement it."""
        raise TypeError(f"a '{self.kind}' target is resolved unit by unit: use resolve()")

    def describe_batch(self, values: Sequence[Decimal], figures: Sequence[Figures], timing: Timing) -> str:
        """How :meth:`resolve_batch` got its value, in figures an examiner can redo."""
        raise TypeError(f"a '{self.kind}' target is resolved unit by unit: use describe()")

    def among(self, others: Sequence[Decimal]) -> Callable[[Decimal], Decimal] | None:
        """For a batch shape: the target at any value of one unit, the other units' values
        (``others``, each present) staying as they are.

        A what-if search asks this for many values of one unit; ``None`` (the default)
        has it resolve the whole batch again for each.
        """
        return None

    @staticmethod
    def _require(value: Decimal | None, field: str, what: str) -> Decimal:
        if value is None:
            raise MissingFigure(field, what)
        return value


@attrs.frozen
class Absolute(Target):
    """Reach a value by the horizon year: ≥ 98%, ≤ 0.5, 累计410件.

    :param value: the horizon value.
    """

    kind: ClassVar[str] = "value"
    value: Decimal = attrs.field(kw_only=True, validator=v.instance_of(Decimal))

    def horizon(self, figures: Figures, timing: Timing) -> Decimal:
        return self.value


@attrs.frozen
class Maintain(Target):
    """Hold a value every year: 保持100%.

    :param value: the value to hold.
    """

    kind: ClassVar[str] = "maintain"
    path: ClassVar[str] = "none"
    value: Decimal = attrs.field(kw_only=True, validator=v.instance_of(Decimal))

    def horizon(self, figures: Figures, timing: Timing) -> Decimal:
        return self.value


@attrs.frozen
class Change(Target):
    """Change against the baseline: 较2020年下降13% (``percent = -13``) or 提升2个百分点
    (``points = 2``).  Exactly one of the two is set.

    :param percent: relative change in per cent of the baseline.
    :param points: absolute change in the indicator's own unit (percentage points).
    """

    kind: ClassVar[str] = "change"
    needs: ClassVar[str | None] = "baseline"
    percent: Decimal | None = attrs.field(default=None, kw_only=True, validator=v.optional(v.instance_of(Decimal)))
    points: Decimal | None = attrs.field(default=None, kw_only=True, validator=v.optional(v.instance_of(Decimal)))

    def __attrs_post_init__(self) -> None:
        if (self.percent is None) == (self.points is None):
            raise ValueError(_("a change target sets exactly one of 'percent' or 'points'"))
        if self.percent is not None and self.percent < -HUNDRED:
            raise ValueError(_("'percent' is {percent}, a fall of more than 100%, which would turn the baseline's "
                               "sign: a fall is at most -100 (to zero)").format(percent=fmt(self.percent)))

    def horizon(self, figures: Figures, timing: Timing) -> Decimal:
        base = self._require(figures.baseline, "baseline", "基期值 (baseline) for a change target")
        if self.percent is not None:
            return base * (ONE + self.percent / HUNDRED)
        return base + self.points  # type: ignore[operator]

    def horizon_formula(self, figures: Figures, timing: Timing) -> str:
        base = self._require(figures.baseline, "baseline", "基期值 (baseline) for a change target")
        if self.percent is not None:
            return f"{fmt(base)} × (1 {signed(self.percent)}%) = {fmt(self.horizon(figures, timing))}"
        return f"{fmt(base)} {signed(self.points)} = {fmt(self.horizon(figures, timing))}"  # type: ignore[arg-type]


@attrs.frozen
class Growth(Target):
    """Compound annual growth from the baseline: 年均增长15%.

    The target for year Y is baseline × (1 + r)^(Y − base year); interim years follow the
    compound path, not a straight line.

    :param annual_percent: the yearly growth rate in per cent (negative for a fall).
    """

    kind: ClassVar[str] = "growth"
    path: ClassVar[str] = "compound"
    needs: ClassVar[str | None] = "baseline"
    annual_percent: Decimal = attrs.field(kw_only=True, validator=v.instance_of(Decimal))

    def __attrs_post_init__(self) -> None:
        if self.annual_percent <= -HUNDRED:
            raise ValueError(_("'annual_percent' is {percent}, a yearly fall of 100% or more, which leaves nothing "
                               "or turns the baseline's sign year by year: a yearly fall is less than 100").format(
                percent=fmt(self.annual_percent)))

    def _years(self, timing: Timing) -> int:
        return min(timing.year, timing.horizon_year) - timing.base_year

    def _base(self, figures: Figures) -> Decimal:
        return self._require(figures.baseline, "baseline", "基期值 (baseline) for a growth target")

    def start(self, figures: Figures) -> Decimal | None:
        return self._base(figures)

    def point(self, figures: Figures, timing: Timing) -> Decimal:
        return self._base(figures) * (ONE + self.annual_percent / HUNDRED) ** self._years(timing)

    def horizon(self, figures: Figures, timing: Timing) -> Decimal:
        return self.point(figures, attrs.evolve(timing, year=timing.horizon_year))

    def horizon_formula(self, figures: Figures, timing: Timing) -> str:
        return self.path_formula(figures, attrs.evolve(timing, year=timing.horizon_year)) + \
            f" = {fmt(self.horizon(figures, timing))}"

    def path_formula(self, figures: Figures, timing: Timing) -> str:
        return f"{fmt(self._base(figures))} × (1 {signed(self.annual_percent)}%)^{self._years(timing)}"


@attrs.frozen
class NewCount(Target):
    """A number of new items since the base year: 新增12个; 零的突破 is ``value = 1``.

    The observed value is the count of new items; the path starts at 0.

    :param value: how many new items by the horizon year.
    """

    kind: ClassVar[str] = "new"
    value: Decimal = attrs.field(kw_only=True, validator=v.instance_of(Decimal))

    def horizon(self, figures: Figures, timing: Timing) -> Decimal:
        return self.value

    def start(self, figures: Figures) -> Decimal | None:
        return ZERO


@attrs.frozen
class Reference(Target):
    """Relative to a reference supplied with the data: 达到全国平均水平, 低于全省平均数,
    完成省下达任务.

    :param name: the reference's name as the data labels it (全国平均, 全省平均, 省下达).
    :param offset: added to the reference (in the indicator's unit).
    """

    kind: ClassVar[str] = "reference"
    path: ClassVar[str] = "none"
    needs: ClassVar[str | None] = "reference"
    name: str = attrs.field(kw_only=True, validator=v.and_(v.instance_of(str), v.min_len(1)))
    offset: Decimal = attrs.field(default=ZERO, kw_only=True, validator=v.instance_of(Decimal))

    def _reference(self, figures: Figures) -> Decimal:
        return self._require(figures.reference(self.name), self.name,
                             _("reference value '{name}'").format(name=self.name))

    def horizon(self, figures: Figures, timing: Timing) -> Decimal:
        return self._reference(figures) + self.offset

    def horizon_formula(self, figures: Figures, timing: Timing) -> str:
        reference = self._reference(figures)
        if not self.offset:
            return f"{self.name} {fmt(reference)}"
        return f"{self.name} {fmt(reference)} {signed(self.offset)} = {fmt(self.horizon(figures, timing))}"


@attrs.frozen
class Trend(Target):
    """Better than the unit's own previous value: 持续降低, 不断提高.

    Strict by default: equal to last year is not an improvement.
    """

    kind: ClassVar[str] = "trend"
    path: ClassVar[str] = "none"
    needs: ClassVar[str | None] = "previous"
    strict: bool = attrs.field(default=True, kw_only=True)

    def horizon(self, figures: Figures, timing: Timing) -> Decimal:
        return self._require(figures.previous, "previous", "上年值 (previous value) for a trend target")

    def horizon_formula(self, figures: Figures, timing: Timing) -> str:
        return f"上年值 {fmt(self.horizon(figures, timing))}"


@attrs.frozen
class Top(Target):
    """Among the best of the batch: 进入全市前列, 进入全市一流行列 — the value of the unit
    at a place (``place = 10``: 前10名) or a share of the units (``share = 0.3``: 前30%),
    and, with ``value``, that value too (达到85分、进入全市一流行列: the stricter of the two).

    Only units with a value take part (missing and exempt ones are left out); units on
    the same value share a place, so every unit level with the place reaches it.  Where
    fewer units have a value than the place, the last of them sets the target.  The
    same every year: it is the year's batch that moves.

    :param place: the place to reach, 1 = best.
    :param share: the share of the units (0–1] to be among; the place is share × units
        with a value, rounded half up, and at least 1.
    :param value: a value to reach as well, or ``None``.
    :param direction: the indicator's (rulesets set it from the indicator): which end
        of the batch is best.
    """

    kind: ClassVar[str] = "top"
    path: ClassVar[str] = "none"
    batch: ClassVar[bool] = True
    place: int | None = attrs.field(default=None, kw_only=True,
                                    validator=v.optional([v.instance_of(int), v.ge(1)]))
    share: Decimal | None = attrs.field(default=None, kw_only=True, validator=v.optional(v.instance_of(Decimal)))
    value: Decimal | None = attrs.field(default=None, kw_only=True, validator=v.optional(v.instance_of(Decimal)))
    direction: str = attrs.field(default="higher", kw_only=True, validator=v.in_(("higher", "lower")))

    def __attrs_post_init__(self) -> None:
        if (self.place is None) == (self.share is None):
            raise ValueError(_("a top target sets exactly one of 'place' or 'share'"))
        if self.share is not None and not ZERO < self.share <= ONE:
            raise ValueError(_("'share' must lie in (0, 1], got {share}").format(
                    share=fmt(self.share)))

    def horizon(self, figures: Figures, timing: Timing) -> Decimal:
        raise MissingFigure("batch", _("every unit's value (a top target is worked out from the whole batch)"))

    def _place(self, count: int) -> int:
        if self.share is None:
            return min(self.place or 1, count)
        place = int((self.share * count).to_integral_value(rounding=ROUND_HALF_UP))
        return min(max(place, 1), count)

    def _cut(self, values: Sequence[Decimal]) -> Decimal:
        """The value at the place, as ``sorted`` orders the batch (the first of equal
        values); heapq's n largest or smallest are that order's first n, found faster
        for a few places."""
        place = self._place(len(values))
        if place * 8 > len(values):
            return sorted(values, reverse=self.direction == "higher")[place - 1]
        return (heapq.nlargest if self.direction == "higher" else heapq.nsmallest)(place, values)[-1]

    def _stricter(self, cut: Decimal) -> Decimal:
        if self.value is None:
            return cut
        return max(cut, self.value) if self.direction == "higher" else min(cut, self.value)

    def resolve_batch(self, values: Sequence[Decimal], figures: Sequence[Figures], timing: Timing) -> Decimal:
        if not values:
            raise MissingFigure("batch", _("at least one unit's value (a top target is worked out from the batch)"))
        return self._stricter(self._cut(values))

    def among(self, others: Sequence[Decimal]) -> Callable[[Decimal], Decimal]:
        # With one more value the place is worked out for one more unit, and the value at
        # it is one of the two others around it, or the unit's own.
        ordered = sorted(others, reverse=self.direction == "higher")
        place = self._place(len(ordered) + 1)
        around = ordered[max(place - 2, 0):place]
        at = place - 1 - max(place - 2, 0)
        return lambda value: self._stricter(sorted([*around, value], reverse=self.direction == "higher")[at])

    def describe_batch(self, values: Sequence[Decimal], figures: Sequence[Figures], timing: Timing) -> str:
        count = len(values)
        place = self._place(count)
        end = "最低值" if self.direction == "higher" else "最高值"
        if self.share is not None:
            how = (f"前{fmt(self.share * HUNDRED)}%（{count} × {fmt(self.share * HUNDRED)}% = "
                   f"{fmt(self.share * count)}，取前{place}名）")
        elif self.place is not None and self.place > count:
            how = f"前{self.place}名（只有{count}个单位有数据，取全部）"
        else:
            how = f"前{place}名"
        cut = self._cut(values)
        shown = f"{count}个单位中{how}的{end} = {fmt(cut)}"
        if self.value is None:
            return shown
        pick = "较高者" if self.direction == "higher" else "较低者"
        return f"{shown}；与 {fmt(self.value)} 取{pick} = {fmt(self._stricter(cut))}"


#: The built-in target shapes, registered by qscore's own plug-in.
BUILTIN_TARGETS: tuple[type[Target], ...] = (Absolute, Maintain, Change, Growth, NewCount, Reference, Trend, Top)
#: kind → shape, for code that needs no plug-ins (the built-in shapes only).
TARGET_KINDS: dict[str, type[Target]] = {cls.kind: cls for cls in BUILTIN_TARGETS}
TargetKinds = Mapping[str, type[Target]]


class TargetRegister:
    """What ``qscore_register_targets`` receives: call it with a :class:`Target` subclass
    whose ``kind`` is the id rulesets write in ``target = { kind = "..." }``."""

    def __init__(self, registry: Registry[type[Target]], plugin: str) -> None:
        self._registry, self.plugin = registry, plugin

    def __call__(self, shape: type[Target]) -> None:
        if not (isinstance(shape, type) and issubclass(shape, Target)) or not getattr(shape, "kind", ""):
            raise PluginError(_("register() takes a qscore.targets.Target subclass with a 'kind', got {shape!r}").format(
                    shape=shape),
                              plugin=self.plugin)
        self._registry.add(shape.kind, shape, self.plugin)
