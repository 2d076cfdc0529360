"""The value objects a ruleset is made of, and the results scoring produces.

Every class is frozen and validated on construction, so a ruleset that loaded is a
ruleset that can be scored.  Numbers that decide a score are ``decimal.Decimal``.
"""

from __future__ import annotations

import abc
from collections.abc import Callable, Iterable, Mapping, Sequence
from decimal import ROUND_DOWN, ROUND_HALF_EVEN, ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING, Any, Literal, TypeVar, overload

import attrs
from attrs import validators as v

from qscore.i18n import _

if TYPE_CHECKING:
    from qscore.rules.base import Rule
    from qscore.targets import Target

DIRECTIONS = ("higher", "lower")
LEVELS = ("county", "district", "city", "prefecture", "province", "township", "department")
ROUNDING_MODES = {"half_up": ROUND_HALF_UP, "half_even": ROUND_HALF_EVEN, "down": ROUND_DOWN}
MISSING_POLICIES = ("zero", "error")
#: The units of measure of a percentage.
PERCENT_UNITS = ("%",)
CLASSIFY_BY = ("score", "rank", "share")
ZERO = Decimal(0)
#: An exempt unit's value in its indicator result.
NOT_APPLICABLE = "不适用"


def _non_negative(instance: Any, attribute: attrs.Attribute, value: Decimal | None) -> None:
    if value is not None and value < 0:
        raise ValueError(_("'{name}' must be 0 or more, got {value}").format(
                name=attribute.name, value=value))


def _positive(instance: Any, attribute: attrs.Attribute, value: Decimal | None) -> None:
    if value is not None and value <= 0:
        raise ValueError(_("'{name}' must be more than 0, got {value}").format(
                name=attribute.name, value=value))


NAME = v.and_(v.instance_of(str), v.min_len(1))
IDENTIFIER = v.matches_re(r"^[A-Za-z][A-Za-z0-9_\-]*$")
DECIMAL = v.instance_of(Decimal)
#: A field that is a Decimal or None (typed loosely: attrs types a validator by its field's default).
OPTIONAL_DECIMAL: Callable[[Any, Any, Any], Any] = v.optional(v.instance_of(Decimal))


@attrs.frozen
class Rounding:
    """How points are rounded, once.

    :param places: decimal places kept (official sheets: 2).
    :param mode: ``half_up`` (四舍五入, the default), ``half_even`` or ``down``.
    :param stage: ``indicator`` rounds each indicator's points and sums the rounded
        figures (what an examiner writes on the sheet); ``total`` keeps indicator points
        exact and rounds the total only.
    """

    places: int = attrs.field(default=2, validator=[v.instance_of(int), v.ge(0), v.le(8)])
    mode: str = attrs.field(default="half_up", validator=v.in_(tuple(ROUNDING_MODES)))
    stage: str = attrs.field(default="indicator", validator=v.in_(("indicator", "total")))

    @property
    def quantum(self) -> Decimal:
        return Decimal(1).scaleb(-self.places)

    def apply(self, number: Decimal) -> Decimal:
        """``number`` rounded to this many places in this mode; zero is never -0.00."""
        rounded = number.quantize(self.quantum, rounding=ROUNDING_MODES[self.mode])
        return rounded.copy_abs() if rounded.is_zero() else rounded


@attrs.frozen
class Category:
    """A group of indicators with a subtotal, e.g. 石柱's 产业质量竞争力水平.

    :param id: short identifier used by indicators.
    :param name: the plan's Chinese name.
    :param points: the category's declared full marks, when the scoring sheet states it.
    """

    id: str = attrs.field(validator=IDENTIFIER)
    name: str = attrs.field(validator=v.instance_of(str))
    points: Decimal | None = attrs.field(default=None, validator=v.and_(OPTIONAL_DECIMAL, _non_negative))


@attrs.frozen
class Indicator:
    """One indicator of the plan and how it is scored.

    :param id: short ASCII identifier (data may use it instead of the Chinese name).
    :param name: the plan's Chinese name, e.g. 食品抽检合格率.
    :param category: the id of its :class:`Category`, or ``None``.
    :param unit: unit of measure as the plan writes it (``%``, ``家``, ``件``, ``分``).
    :param direction: ``higher`` or ``lower`` is better.
    :param baseline: the plan's base-year value, ``None`` where the plan has none (``-``).
    :param baseline_year: the year of ``baseline`` when it is not the ruleset's base year.
    :param target: the :class:`~qscore.targets.Target` to reach by the horizon year.
    :param lead: the lead department (牵头部门/牵头单位).
    :param points: full marks (分值).
    :param rule: the compiled scoring :class:`~qscore.rules.base.Rule`.
    :param missing: missing-value policy overriding the ruleset's.
    :param aliases: other headers a spreadsheet may use for this indicator.
    :param applies_to: the units this indicator is assessed for (e.g. the departments
        that lead or share it); empty means every unit.  Other units are exempt.
    :param notes: remarks, e.g. where the plan's text disagrees with its annex.
    :param source: where in the plan the figures come from.
    :param change: a ``%`` figure that measures a change (增长率, 降低率): it may be
        negative (emissions rose, output fell) or above 100, where a share (合格率, 占比)
        lies in 0–100.
    """

    id: str = attrs.field(validator=IDENTIFIER)
    name: str = attrs.field(validator=NAME)
    target: Target
    rule: Rule
    points: Decimal = attrs.field(validator=v.and_(DECIMAL, _non_negative))
    direction: str = attrs.field(default="higher", validator=v.in_(DIRECTIONS))
    category: str | None = None
    unit: str = ""
    baseline: Decimal | None = attrs.field(default=None, validator=OPTIONAL_DECIMAL)
    baseline_year: int | None = None
    lead: str = ""
    missing: str | None = attrs.field(default=None, validator=v.optional(v.in_(MISSING_POLICIES)))
    aliases: tuple[str, ...] = ()
    applies_to: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()
    source: str = ""
    change: bool = False

    def applies(self, unit: str) -> bool:
        return not self.applies_to or unit in self.applies_to

    @property
    def share(self) -> bool:
        """Whether its figures are percentages that lie in 0–100 (a ``%`` indicator that
        is not a ``change``)."""
        return self.unit in PERCENT_UNITS and not self.change


@attrs.frozen
class Item:
    """A bonus (加分项), deduction (扣分项) or veto (一票否决) item.

    The data gives, per unit, how many times it happened (0 or empty: never).

    :param id: short identifier.
    :param name: the plan's wording, e.g. 获中国质量奖.
    :param points: points per occurrence (0 for a veto).
    :param cap: most points this one item can give or take, ``None`` for no cap.
    """

    id: str = attrs.field(validator=IDENTIFIER)
    name: str = attrs.field(validator=NAME)
    points: Decimal = attrs.field(default=ZERO, validator=v.and_(DECIMAL, _non_negative))
    cap: Decimal | None = attrs.field(default=None, validator=v.and_(OPTIONAL_DECIMAL, _non_negative))
    source: str = ""


@attrs.frozen
class Adjustments:
    """The bonus, deduction and veto items and their overall caps.

    :param bonus: 加分项.
    :param deductions: 扣分项.
    :param vetoes: 一票否决 items; any occurrence forces the lowest class.
    :param bonus_cap: most bonus points in all (加分累计不超过…), ``None`` for no cap.
    :param deduction_cap: most points deducted in all, ``None`` for no cap.
    :param total_floor: the total never falls below this (扣完为止), ``None`` for no floor.
    """

    bonus: tuple[Item, ...] = ()
    deductions: tuple[Item, ...] = ()
    vetoes: tuple[Item, ...] = ()
    bonus_cap: Decimal | None = attrs.field(default=None, validator=v.and_(OPTIONAL_DECIMAL, _non_negative))
    deduction_cap: Decimal | None = attrs.field(default=None, validator=v.and_(OPTIONAL_DECIMAL, _non_negative))
    total_floor: Decimal | None = attrs.field(default=ZERO, validator=OPTIONAL_DECIMAL)

    @property
    def items(self) -> tuple[Item, ...]:
        return self.bonus + self.deductions + self.vetoes


@attrs.frozen
class Grade:
    """One class of a classification (a grade or a tier).

    Exactly one of ``min_score``, ``count`` or ``share`` is set, matching the
    classification's ``by``; the last class sets none and takes every unit left.

    :param name: e.g. 优秀, 第二方阵, A.
    :param min_score: lowest total in this class (``by = "score"``).
    :param count: how many ranks this class holds (``by = "rank"``).
    :param share: the share of units this class holds, 0 to 1 (``by = "share"``).
    """

    name: str = attrs.field(validator=NAME)
    min_score: Decimal | None = attrs.field(default=None, validator=OPTIONAL_DECIMAL)
    count: int | None = attrs.field(default=None, validator=v.optional([v.instance_of(int), v.gt(0)]))
    share: Decimal | None = attrs.field(default=None, validator=[OPTIONAL_DECIMAL, _positive, v.optional(v.le(Decimal(1)))])


def _check_grades(instance: Classification, attribute: attrs.Attribute, grades: tuple[Grade, ...]) -> None:
    if not grades:
        raise ValueError(_("needs at least one class"))
    key = {"score": "min_score", "rank": "count", "share": "share"}[instance.by]
    others = {"min_score", "count", "share"} - {key}
    names = [grade.name.strip() for grade in grades]
    twice = next((name for n, name in enumerate(names) if name in names[:n]), None)
    if twice is not None:
        raise ValueError(_("two classes are named '{name}'; each class needs its own name, or a unit's class "
                           "would not say which it is").format(name=twice))
    for position, grade in enumerate(grades):
        last = position == len(grades) - 1
        if any(getattr(grade, name) is not None for name in others):
            raise ValueError(_("class '{name}' sets {others}, but classes go by {by} ('{key}')").format(
                    name=grade.name, others=' or '.join(sorted(others)), by=instance.by, key=key))
        if not last and getattr(grade, key) is None:
            raise ValueError(_("class '{name}' needs '{key}' (only the last class takes the rest)").format(
                    name=grade.name, key=key))
        if last and getattr(grade, key) is not None:
            raise ValueError(_("the last class '{name}' takes every unit left and sets no '{key}'").format(
                    name=grade.name, key=key))
    cutoffs = [getattr(g, key) for g in grades[:-1]]
    if instance.by == "score" and any(a <= b for a, b in zip(cutoffs, cutoffs[1:])):
        raise ValueError(_("min_score must fall from one class to the next"))
    if instance.by == "share" and sum(cutoffs, ZERO) > 1:
        raise ValueError(_("shares add up to {cutoffs}, more than 1").format(
                cutoffs=sum(cutoffs, ZERO)))


@attrs.frozen
class Classification:
    """How ranked units are put into grades or tiers.

    :param by: ``score`` (thresholds on the total), ``rank`` (top N) or ``share``
        (top fraction, cut-off ranks = cumulative share × number of ranked units,
        rounded half up).
    :param grades: best first; the last takes the rest and is where a veto sends a unit.
    """

    by: str = attrs.field(validator=v.in_(CLASSIFY_BY))
    grades: tuple[Grade, ...] = attrs.field(validator=_check_grades)

    @property
    def lowest(self) -> str:
        return self.grades[-1].name


@attrs.frozen
class Ranking:
    """How units are ranked.

    :param tie_break: category or indicator ids compared in order (more points first)
        when totals are equal; units equal on all of them share a rank.
    """

    tie_break: tuple[str, ...] = ()


@attrs.frozen
class Example:
    """A worked example (``[[examples]]``): one unit's inputs and the result an examiner
    worked out by hand.  ``qscore validate`` and ``qscore.testing`` score it and compare.

    :param name: the unit's name, also the example's label in messages.
    :param inputs: data column header (indicator id or name, item id or name, or a
        ``名称@基期``-style figure) → the cell as a spreadsheet would hold it.
    :param points: indicator id → the expected points.
    :param total: the expected total, ``None`` to leave it unchecked.
    :param tier: the expected grade or tier, ``None`` to leave it unchecked.
    :param year: the assessment year (default: the plan's horizon year).
    """

    name: str = attrs.field(validator=NAME)
    inputs: tuple[tuple[str, str], ...] = ()
    points: tuple[tuple[str, Decimal], ...] = ()
    total: Decimal | None = attrs.field(default=None, validator=OPTIONAL_DECIMAL)
    tier: str | None = attrs.field(default=None, validator=v.optional(v.instance_of(str)))
    year: int | None = attrs.field(default=None, validator=v.optional(v.instance_of(int)))


@attrs.frozen
class Roster:
    """The units an assessment scores (``[roster]``): 石柱's 33 乡镇（街道）, 重庆's 38 区县.

    With a roster, a data unit not on it, or a roster unit missing from the data, is an
    error unless the examiner says the batch is partial.

    :param units: every unit's official name, in the list's order.
    :param source: where the list comes from (e.g. 统计用区划代码 with its year).
    :param as_of: the date the list is true for, as the source gives it (2024-10).
    """

    units: tuple[str, ...] = attrs.field(validator=v.min_len(1))
    source: str = ""
    as_of: str = ""

    def __attrs_post_init__(self) -> None:
        seen: set[str] = set()
        for unit in self.units:
            if not unit.strip():
                raise ValueError(_("a unit name is empty"))
            if unit in seen:
                raise ValueError(_("unit '{unit}' is listed twice").format(unit=unit))
            seen.add(unit)


@attrs.frozen
class AssumptionRanges:
    """How far the figures that are our own choices may plausibly be off
    (``[assumption_ranges]``), for ``qscore robustness``.  Every figure not listed in
    ``fixed`` is taken as an assumption.

    :param points: relative range of each indicator's full marks (0.2: ±20 %).
    :param cutoffs: range of each grade or tier cut-off, in the classification's unit
        (points by score, places by rank, percentage points by share).
    :param bonus: relative range of each bonus and deduction item's points (default:
        the ``points`` range).
    :param fixed: ids of the indicators and items whose points the plan states itself.
    """

    points: Decimal | None = attrs.field(default=None, validator=[OPTIONAL_DECIMAL, _non_negative,
                                                                   v.optional(v.le(Decimal(1)))])
    cutoffs: Decimal | None = attrs.field(default=None, validator=v.and_(OPTIONAL_DECIMAL, _non_negative))
    bonus: Decimal | None = attrs.field(default=None, validator=[OPTIONAL_DECIMAL, _non_negative,
                                                                  v.optional(v.le(Decimal(1)))])
    fixed: tuple[str, ...] = ()


@attrs.frozen
class Ruleset:
    """A jurisdiction's assessment: its indicators, targets and scoring rules.

    :param id: identifier used on the command line, e.g. ``shizhu-county``.
    :param title: Chinese title.
    :param jurisdiction: e.g. 重庆市石柱土家族自治县.
    :param level: the level of the jurisdiction (county, district, province …).
    :param unit_kind: what is scored, e.g. 乡镇（街道）, 成员单位, 区县, 市州.
    :param base_year: the plan's base year (baseline values).
    :param horizon_year: the year targets are for.
    :param source: the document the rules come from.
    :param categories: indicator categories, in sheet order.
    :param indicators: the indicators, in sheet order.
    :param adjustments: bonus, deduction and veto items.
    :param classification: grades or tiers, ``None`` for none.
    :param ranking: tie-break settings.
    :param rounding: where and how points are rounded.
    :param missing: what a missing value scores: ``zero`` or ``error``.
    :param scale_to: when set, a unit's indicator points are converted to this scale by
        its score rate (得分率折算): points ÷ full marks of the indicators that apply to
        it × ``scale_to``, rounded once more; for units assessed on different indicators.
    :param assumptions: choices of ours where the plan is silent, each with its reason.
    :param assumption_ranges: how far the assumed figures may be off, ``None``: the
        defaults of ``qscore robustness`` for every figure.
    :param roster: the units assessed, when the ruleset lists them.
    :param default_year: the assessment year to use when neither the command nor the data
        says one (between ``base_year`` and ``horizon_year``), ``None`` for the horizon year.
    :param examples: worked examples checked by ``qscore validate`` and the test kit.
    :param file: the file it was loaded from, if any.
    """

    id: str = attrs.field(validator=v.matches_re(r"^[a-z0-9][a-z0-9_.\-]*$"))
    title: str
    jurisdiction: str
    base_year: int
    horizon_year: int
    indicators: tuple[Indicator, ...] = attrs.field(validator=v.min_len(1))
    level: str = attrs.field(default="county", validator=v.in_(LEVELS))
    unit_kind: str = ""
    source: str = ""
    categories: tuple[Category, ...] = ()
    adjustments: Adjustments = Adjustments()
    classification: Classification | None = None
    ranking: Ranking = Ranking()
    rounding: Rounding = Rounding()
    missing: str = attrs.field(default="zero", validator=v.in_(MISSING_POLICIES))
    scale_to: Decimal | None = attrs.field(default=None, validator=[OPTIONAL_DECIMAL, _positive])
    assumptions: tuple[str, ...] = ()
    assumption_ranges: AssumptionRanges | None = None
    roster: Roster | None = None
    examples: tuple[Example, ...] = ()
    file: str | None = None
    default_year: int | None = attrs.field(default=None, validator=v.optional(v.instance_of(int)))

    def __attrs_post_init__(self) -> None:
        if self.horizon_year < self.base_year:
            raise ValueError(_("horizon_year {horizon_year} is before base_year {base_year}").format(
                    horizon_year=self.horizon_year, base_year=self.base_year))
        if self.default_year is not None and not self.base_year <= self.default_year <= self.horizon_year:
            raise ValueError(_("default_year {default_year} is outside the plan "
                             "({base_year} → {horizon_year})").format(
                    default_year=self.default_year, base_year=self.base_year, horizon_year=self.horizon_year))

    @property
    def full_marks(self) -> Decimal:
        return sum((i.points for i in self.indicators), ZERO)

    def category(self, category_id: str | None) -> Category | None:
        return next((c for c in self.categories if c.id == category_id), None)


@attrs.frozen
class IndicatorResult:
    """One unit's points on one indicator.

    :param indicator: the indicator's id.
    :param value: the observed value (a number, a level name, or ``None`` if missing).
    :param target: the target actually used this year, ``None`` where none applies.
    :param points: points after rounding (or exact, when the ruleset rounds totals only).
    :param max_points: the indicator's full marks (0 where it does not apply to the unit).
    :param met: whether the value meets the target used (``None`` when missing or exempt).
    :param explanation: the arithmetic in words and figures, when asked for.
    :param previous: the unit's value the year before, where the data gives it (``@上年``).
    """

    indicator: str
    value: Decimal | str | None
    target: Decimal | None
    points: Decimal
    max_points: Decimal
    met: bool | None
    explanation: str | None = None
    previous: Decimal | None = None


#: The kinds of adjustment line: a bonus item, a deduction item, a veto.
ADJUSTMENT_KINDS = ("bonus", "deduction", "veto")


@attrs.frozen
class AdjustmentResult:
    """A bonus, deduction or veto applied to a unit.

    :param kind: ``bonus``, ``deduction`` or ``veto``.
    :param item: the item's id (or the plug-in's name for plug-in adjustments).
    :param name: the wording shown to the examiner.
    :param count: occurrences in the data.
    :param points: points added or taken (positive; 0 for a veto).
    """

    kind: str
    item: str
    name: str
    count: Decimal
    points: Decimal


@attrs.frozen
class UnitResult:
    """A unit's full result.

    :param unit: the unit's name.
    :param indicators: per-indicator results in ruleset order (a tuple, or from the
        engine a sequence that makes each result when it is read).
    :param subtotals: points per category id, in ruleset order.
    :param adjustments: bonus, deduction and veto lines.
    :param bonus: bonus points after caps.
    :param deductions: points deducted after caps.
    :param vetoed: whether a veto applies.
    :param total: the total that ranks the unit.
    :param rank: 1-based, shared on ties (1, 1, 3).
    :param tier: grade or tier name, ``None`` without a classification.
    :param gap_to_next: points the unit lacks to reach the next class up.
    :param row: the row the unit came from, for messages.
    """

    unit: str
    indicators: Sequence[IndicatorResult]
    subtotals: Mapping[str, Decimal]
    adjustments: tuple[AdjustmentResult, ...]
    bonus: Decimal
    deductions: Decimal
    vetoed: bool
    total: Decimal
    rank: int = 0
    tier: str | None = None
    gap_to_next: Decimal | None = None
    row: int | None = None


#: The :class:`UnitResult` fields :meth:`RankedUnits.column` reads as a column.
RankedField = Literal["unit", "row", "rank", "total", "tier", "vetoed", "bonus", "deductions", "gap_to_next",
                      "adjustments"]
#: The :class:`IndicatorResult` fields :meth:`RankedUnits.result_rows` reads.
ResultField = Literal["value", "target", "points", "max_points", "met", "previous", "explanation"]
T = TypeVar("T")


class RankedUnits(Sequence[UnitResult]):
    """A batch's unit results in rank order, readable one unit at a time or a column at
    a time.

    Writers read columns (:meth:`column`, :meth:`subtotals`, :meth:`points_rows`), so a
    national batch is written without making 40,000 result objects.  There are two
    implementations behind this one face: :class:`UnitTuple` for units made one by one
    (by a plug-in, a test, or the reference scorer) and the engine's columns
    (:mod:`qscore.scoring.columns`), which make a unit's object only when it is read.
    Compares equal to any sequence of the same results, like a tuple.
    """

    __slots__ = ()

    @abc.abstractmethod
    def column(self, field: RankedField) -> Sequence[Any]:
        """Every unit's ``field``, in rank order."""

    @abc.abstractmethod
    def subtotals(self, category: str) -> Sequence[Decimal]:
        """Every unit's subtotal of the category with id ``category``, in rank order."""

    @abc.abstractmethod
    def points_rows(self, shown: Callable[[Decimal], T]) -> Sequence[Sequence[T]]:
        """Each unit's points per indicator (ruleset order), in rank order, passed through
        ``shown`` (e.g. ``str``).  ``shown`` must be a pure function: it may be applied
        once per distinct figure rather than once per cell."""

    def figures(self) -> Mapping[tuple[str, str], Sequence[Decimal | None]]:
        """The per-unit figures the data gave with the values (``@上年``, ``@基期``,
        ``@全国平均`` …): ``(indicator id, field)`` → every unit's figure, in rank order.
        This knows last year's values only (:attr:`IndicatorResult.previous`); the
        engine's units give every figure they were scored with."""
        columns = {}
        for position, indicator in enumerate(self[0].indicators if len(self) else ()):
            previous = [unit.indicators[position].previous for unit in self]
            if any(figure is not None for figure in previous):
                columns[(indicator.indicator, "previous")] = previous
        return columns

    def result_rows(self, field: ResultField, shown: Callable[[Any], T]) -> Sequence[Sequence[T]]:
        """Each unit's per-indicator ``field`` (ruleset order), in rank order, passed
        through ``shown``, which must be a pure function (as for :meth:`points_rows`).
        This reads every unit's results; implementations read their columns instead."""
        return [[shown(getattr(result, field)) for result in unit.indicators] for unit in self]

    def result_columns(self, field: ResultField, order: Sequence[int] | None = None) -> Sequence[Sequence[Any]]:
        """Per indicator (ruleset order), every unit's ``field`` in rank order, or that of
        the units at the rank positions ``order`` gives, in its order: what
        :meth:`result_rows` gives, a column at a time."""
        columns = [list(column) for column in zip(*self.result_rows(field, _same))]
        return columns if order is None else [list(map(column.__getitem__, order)) for column in columns]

    def result_cases(self) -> Sequence[Sequence[int]]:
        """Per indicator (ruleset order), each unit's case, in rank order: units of one
        case have the same result for that indicator (every :class:`IndicatorResult`
        field), so a writer lays each case out once.  A case is named by the rank
        position of its first unit.  This gives every unit a case of its own; the
        engine's units share them."""
        count = len(self.unit_at(0).indicators) if len(self) else 0
        return [range(len(self))] * count

    def result_at(self, position: int, indicator: int) -> IndicatorResult:
        """The result of the ``indicator``-th indicator (ruleset order) of the unit ranked
        at ``position``."""
        return self.unit_at(position).indicators[indicator]

    def explanation_rows(self) -> Sequence[Sequence[str]]:
        """Each unit's explanations per indicator (ruleset order), in rank order, ``""``
        where none was built.  This reads every unit's results; the engine's units read
        their columns instead."""
        return [[result.explanation or "" for result in unit.indicators] for unit in self]

    @overload
    def __getitem__(self, index: int) -> UnitResult: ...
    @overload
    def __getitem__(self, index: slice) -> tuple[UnitResult, ...]: ...

    def __getitem__(self, index: int | slice) -> UnitResult | tuple[UnitResult, ...]:
        if isinstance(index, slice):
            return tuple(self.unit_at(n) for n in range(*index.indices(len(self))))
        return self.unit_at(range(len(self))[index])  # IndexError, negative indices

    @abc.abstractmethod
    def unit_at(self, position: int) -> UnitResult:
        """The unit ranked at ``position`` (0-based), ``0 <= position < len(self)``."""

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Sequence) or isinstance(other, str):
            return NotImplemented
        return len(self) == len(other) and all(a == b for a, b in zip(self, other))

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"{type(self).__name__}({list(self)!r})"


def _same(value: T) -> T:
    return value


class UnitTuple(RankedUnits):
    """Ranked units held as ready-made :class:`UnitResult` objects.

    :param units: the units in rank order.
    """

    __slots__ = ("_units",)

    def __init__(self, units: Iterable[UnitResult] = ()) -> None:
        self._units = tuple(units)

    def __len__(self) -> int:
        return len(self._units)

    def unit_at(self, position: int) -> UnitResult:
        return self._units[position]

    def column(self, field: RankedField) -> list[Any]:
        return [getattr(unit, field) for unit in self._units]

    def subtotals(self, category: str) -> list[Decimal]:
        return [unit.subtotals[category] for unit in self._units]

    def points_rows(self, shown: Callable[[Decimal], T]) -> list[list[T]]:
        return [[shown(result.points) for result in unit.indicators] for unit in self._units]


def _ranked_units(units: Iterable[UnitResult]) -> RankedUnits:
    return units if isinstance(units, RankedUnits) else UnitTuple(units)


#: What a :class:`Notice` is about.
NoticeKind = Literal["sheet", "title", "header", "column", "row", "hidden", "merged", "unit", "fractions",
                     "year", "roster", "figure", "source", "missing"]
NOTICE_KINDS: tuple[str, ...] = NoticeKind.__args__  # type: ignore[attr-defined]


@attrs.frozen
class Notice:
    """Something qscore did with the data that the examiner must know about: a row or
    column deliberately skipped, a layout recognised, a figure converted, the year chosen.
    Printed on stderr by ``rank`` and ``explain`` and recorded in JSON and XLSX outputs.

    :param kind: what it is about: ``sheet`` (which sheet was read), ``title`` (rows above
        the header), ``header`` (a two-row header), ``column`` (a column skipped), ``row``
        (a summary, note or section row skipped), ``hidden`` and ``merged`` (cells handled
        as an option said), ``unit`` (a unit name cleaned), ``fractions`` (a column
        multiplied by 100), ``year`` (the assessment year and where it came from),
        ``roster`` (units of a partial batch), ``figure`` (a figure missing or unused),
        ``source`` (where a merged workbook's value came from, when it was changed by
        hand; a department's form giving values for an indicator it does not lead), ``missing`` (values merged submissions have not yet given, or the units
        without a value for an indicator, scored 0 under the ``zero`` missing-value
        policy).
    :param message: what was done, in one sentence.
    :param file: the data file.
    :param sheet: the workbook sheet.
    :param row: the row in the file or sheet.
    :param column: the column header as the file spells it.
    :param cell: a cell or range in A1 notation, for workbooks.
    """

    kind: str = attrs.field(validator=v.in_(NOTICE_KINDS))
    message: str = attrs.field(validator=v.instance_of(str))
    file: str | None = None
    sheet: str | None = None
    row: int | None = None
    column: str | None = None
    cell: str | None = None

    def where(self) -> str:
        from qscore.errors import location

        return location(self.file, self.sheet, self.row, self.column, self.cell)

    def __str__(self) -> str:
        where = self.where()
        return _("{where}: {message}").format(where=where, message=self.message) if where else self.message


def _notices(notices: Iterable[Notice]) -> tuple[Notice, ...]:
    return tuple(notices)


@attrs.frozen
class Source:
    """Where one value of a unit came from: the cell of the submission that gave it.

    Kept when submissions are merged (``qscore merge``, or several data files given to
    ``rank`` and ``explain``), so that every figure can be traced to the file it was
    typed in; shown by ``explain`` as ``来源：西沱镇.xlsx 填报!D5``.

    :param file: the submission as it was named (a path).
    :param cell: the cell in A1 notation (a CSV file's too, as a spreadsheet shows it).
    :param sheet: the workbook sheet, ``None`` for a CSV or other text file.
    """

    file: str
    cell: str
    sheet: str | None = None

    def __str__(self) -> str:
        return f"{self.file} {self.sheet}!{self.cell}" if self.sheet is not None else f"{self.file} {self.cell}"


#: Each value's :class:`Source`, by ``(unit, column)``: the column is an indicator's or
#: an item's id, or ``id@field`` for a per-unit figure (``food_pass_rate@previous``),
#: as :attr:`qscore.reading.binding.Dataset.columns` keys them.
Sources = Mapping[tuple[str, str], Source]


#: What is done with rows and columns hidden in a workbook that hold data.
HiddenPolicy = Literal["refuse", "skip", "read"]
#: What is done with merged cells in a workbook's data.
MergedPolicy = Literal["refuse", "fill"]


@attrs.frozen
class SourceFile:
    """A data file a result was worked out from (:class:`Provenance`; the SHA-256 is
    worked out by :func:`qscore.provenance.provenance_of`).

    :param name: the file's path as it was given.
    :param sha256: the SHA-256 of its bytes, in hex.
    """

    name: str
    sha256: str


@attrs.frozen
class ScoringOptions:
    """The options that change how data files are read and scored, as ``qscore rank``
    takes them.

    :param encoding: the forced text encoding, ``None`` for detected.
    :param sheet: the workbook sheet read, ``None`` for the active one.
    :param ignore_unknown: whether columns naming nothing in the ruleset were skipped.
    :param year: the assessment year given (``--year``), ``None`` when it was chosen
        from the data, the ruleset's default year or the horizon year.
    :param partial: whether the data could hold only some units of the roster.
    :param roster: the roster file given instead of the ruleset's (``--units``), by its
        SHA-256 (names given in code are named ``<given in code>``).
    :param hidden: what was done with hidden workbook rows and columns holding data:
        ``refuse``, ``skip`` or ``read``.
    :param merged: what was done with merged cells in a workbook's data: ``refuse`` or ``fill``.
    :param percent_fractions: whether a % column written as fractions was multiplied by 100.
    """

    encoding: str | None = None
    sheet: str | None = None
    ignore_unknown: bool = False
    year: int | None = None
    partial: bool = False
    roster: SourceFile | None = None
    hidden: HiddenPolicy = "refuse"
    merged: MergedPolicy = "refuse"
    percent_fractions: bool = False


@attrs.frozen
class Provenance:
    """What a batch was scored from.

    :param ruleset: the ruleset's id.
    :param ruleset_sha256: the SHA-256 of the ruleset file, ``None`` for a ruleset built
        in code (it has no file).
    :param year: the assessment year.
    :param data: the data files, in the order given.
    :param options: the reading options.
    :param qscore_version: the installed qscore's version, ``None`` when qscore runs
        from a source tree that was never installed.
    :param ruleset_file: the ruleset file as it was given, when the ruleset was given as
        a file; ``None`` for an installed ruleset (found again by its id) or one built
        in code.
    """

    ruleset: str
    ruleset_sha256: str | None
    year: int
    data: tuple[SourceFile, ...]
    options: ScoringOptions = ScoringOptions()
    qscore_version: str | None = None
    ruleset_file: str | None = None


@attrs.frozen
class BatchResult:
    """A ranked batch.

    :param ruleset: the ruleset used.
    :param year: the assessment year.
    :param units: unit results in rank order (ties in input order); any iterable of
        :class:`UnitResult` is held as a :class:`UnitTuple`.
    :param provenance: what it was scored from (the ruleset and data files by their
        SHA-256, the year, the options, the qscore version), which every output carries;
        :func:`qscore.score` sets it for data read from a file, ``None`` otherwise.
    :param notices: what was done with the data that the examiner must know about, in the
        order it happened (rows skipped, the year chosen …).
    :param sources: where each value came from, when the data was merged from
        submissions (:class:`Sources`); ``None`` otherwise.
    """

    ruleset: Ruleset
    year: int
    units: RankedUnits = attrs.field(converter=_ranked_units)
    provenance: Provenance | None = None
    notices: tuple[Notice, ...] = attrs.field(default=(), converter=_notices)
    sources: Sources | None = None

    def unit(self, name: str) -> UnitResult | None:
        """The result of the unit called ``name``, ``None`` when it is not in the batch."""
        names = self.units.column("unit")
        return self.units[names.index(name)] if name in names else None
