"""Target shapes: what a unit must reach, resolved for the assessment year.

A plan states targets for its horizon year in several shapes (absolute, 保持, 较基期下降,
年均增长, 新增, 达到全国平均, 持续降低).  Assessments happen every year, so a shape
resolves to the value expected *in the assessment year*: on the straight path from the
baseline to the horizon target unless the shape says otherwise (a growth rate compounds;
a reference or a trend is that year's own figure).
"""

from __future__ import annotations

import abc
from collections.abc import Mapping
from decimal import Decimal
from typing import ClassVar

import attrs
from attrs import validators as v

from qscore.errors import MissingFigure, PluginError
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


@attrs.frozen
class Target(abc.ABC):
    """Base of the target shapes.

    :param text: the plan's wording, shown in explanations (e.g. 较2020年下降13%).
    :param strict: the value must be strictly better than the target (持续降低, 低于…).
    """

    kind: ClassVar[str] = ""
    text: str = attrs.field(default="", kw_only=True)
    strict: bool = attrs.field(default=False, kw_only=True)
    #: ``linear``: interim years lie on the straight baseline→target path;
    #: ``none``: the same value every year.
    path: ClassVar[str] = "linear"
    #: what the data must supply for this shape: "baseline", "previous" or "reference".
    needs: ClassVar[str | None] = None

    @abc.abstractmethod
    def horizon(self, figures: Figures, timing: Timing) -> Decimal:
        """The value to reach by the horizon year."""

    def horizon_formula(self, figures: Figures, timing: Timing) -> str:
        return fmt(self.horizon(figures, timing))

    def start(self, figures: Figures) -> Decimal | None:
        """Where the path starts: the baseline (``None`` where the plan has none)."""
        return figures.baseline

    def resolve(self, figures: Figures, timing: Timing) -> Decimal:
        """The target for ``timing.year``."""
        final = self.horizon(figures, timing)
        start = self.start(figures)
        if self.path == "none" or not timing.interim or start is None:
            return final
        elapsed, span = timing.year - timing.base_year, timing.horizon_year - timing.base_year
        return start + (final - start) * elapsed / span

    def describe(self, figures: Figures, timing: Timing) -> str:
        """How :meth:`resolve` got its value, in figures an examiner can redo."""
        final = self.horizon_formula(figures, timing)
        start = self.start(figures)
        if self.path == "none" or not timing.interim:
            return final
        if start is None:
            return f"{final}（无基期值，按期末目标）"
        if start == self.horizon(figures, timing):
            return final
        value = self.resolve(figures, timing)
        return (f"{timing.year}年进度目标 = {fmt(start)} + ({fmt(self.horizon(figures, timing))} − {fmt(start)})"
                f" × ({timing.year} − {timing.base_year}) ÷ ({timing.horizon_year} − {timing.base_year})"
                f" = {fmt(value)}")

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
            raise ValueError("a change target sets exactly one of 'percent' or 'points'")

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
    path: ClassVar[str] = "none"
    needs: ClassVar[str | None] = "baseline"
    annual_percent: Decimal = attrs.field(kw_only=True, validator=v.instance_of(Decimal))

    def _years(self, timing: Timing) -> int:
        return min(timing.year, timing.horizon_year) - timing.base_year

    def resolve(self, figures: Figures, timing: Timing) -> Decimal:
        base = self._require(figures.baseline, "baseline", "基期值 (baseline) for a growth target")
        return base * (ONE + self.annual_percent / HUNDRED) ** self._years(timing)

    def horizon(self, figures: Figures, timing: Timing) -> Decimal:
        return self.resolve(figures, attrs.evolve(timing, year=timing.horizon_year))

    def describe(self, figures: Figures, timing: Timing) -> str:
        base = self._require(figures.baseline, "baseline", "基期值 (baseline) for a growth target")
        years = self._years(timing)
        return (f"{fmt(base)} × (1 {signed(self.annual_percent)}%)^{years}"
                f" = {fmt(self.resolve(figures, timing))}")


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
    name: str = attrs.field(kw_only=True, validator=[v.instance_of(str), v.min_len(1)])
    offset: Decimal = attrs.field(default=ZERO, kw_only=True, validator=v.instance_of(Decimal))

    def _reference(self, figures: Figures) -> Decimal:
        return self._require(figures.reference(self.name), self.name,
                             f"reference value '{self.name}'")

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


#: The built-in target shapes, registered by qscore's own plug-in.
BUILTIN_TARGETS: tuple[type[Target], ...] = (Absolute, Maintain, Change, Growth, NewCount, Reference, Trend)
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
            raise PluginError(f"register() takes a qscore.targets.Target subclass with a 'kind', got {shape!r}",
                              plugin=self.plugin)
        self._registry.add(shape.kind, shape, self.plugin)
