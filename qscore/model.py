"""The value objects a ruleset is made of, and the results scoring produces.

Every class is frozen and validated on construction, so a ruleset that loaded is a
ruleset that can be scored.  Numbers that decide a score are ``decimal.Decimal``.
"""

from __future__ import annotations

import abc
from collections.abc import Iterator, Sequence
from decimal import ROUND_DOWN, ROUND_HALF_EVEN, ROUND_HALF_UP, Decimal
from operator import itemgetter
from typing import TYPE_CHECKING, Any, TypeVar, overload

import attrs
from attrs import validators as v

from qscore.cells import EXEMPT, Exempt

if TYPE_CHECKING:
    from qscore.rules.base import Rule
    from qscore.targets import Target

DIRECTIONS = ("higher", "lower")
LEVELS = ("county", "district", "city", "prefecture", "province", "township", "department")
ROUNDING_MODES = {"half_up": ROUND_HALF_UP, "half_even": ROUND_HALF_EVEN, "down": ROUND_DOWN}
MISSING_POLICIES = ("zero", "error")
CLASSIFY_BY = ("score", "rank", "share")
ZERO = Decimal(0)
#: An exempt unit's value in its indicator result.
NOT_APPLICABLE = "不适用"


def _non_negative(instance: Any, attribute: attrs.Attribute, value: Decimal | None) -> None:
    if value is not None and value < 0:
        raise ValueError(f"'{attribute.name}' must be 0 or more, got {value}")


def _positive(instance: Any, attribute: attrs.Attribute, value: Decimal | None) -> None:
    if value is not None and value <= 0:
        raise ValueError(f"'{attribute.name}' must be more than 0, got {value}")


IDENTIFIER = v.matches_re(r"^[A-Za-z][A-Za-z0-9_\-]*$")
DECIMAL = v.instance_of(Decimal)
OPTIONAL_DECIMAL = v.optional(v.instance_of(Decimal))


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
        """``number`` rounded to this many places in this mode."""
        return number.quantize(self.quantum, rounding=ROUNDING_MODES[self.mode])


@attrs.frozen
class Category:
    """A group of indicators with a subtotal, e.g. 石柱's 产业质量竞争力水平.

    :param id: short identifier used by indicators.
    :param name: the plan's Chinese name.
    :param points: the category's declared full marks, when the scoring sheet states it.
    """

    id: str = attrs.field(validator=IDENTIFIER)
    name: str = attrs.field(validator=v.instance_of(str))
    points: Decimal | None = attrs.field(default=None, validator=[OPTIONAL_DECIMAL, _non_negative])


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
    """

    id: str = attrs.field(validator=IDENTIFIER)
    name: str = attrs.field(validator=[v.instance_of(str), v.min_len(1)])
    target: Target
    rule: Rule
    points: Decimal = attrs.field(validator=[DECIMAL, _non_negative])
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

    def applies(self, unit: str) -> bool:
        return not self.applies_to or unit in self.applies_to


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
    name: str = attrs.field(validator=[v.instance_of(str), v.min_len(1)])
    points: Decimal = attrs.field(default=ZERO, validator=[DECIMAL, _non_negative])
    cap: Decimal | None = attrs.field(default=None, validator=[OPTIONAL_DECIMAL, _non_negative])
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
    bonus_cap: Decimal | None = attrs.field(default=None, validator=[OPTIONAL_DECIMAL, _non_negative])
    deduction_cap: Decimal | None = attrs.field(default=None, validator=[OPTIONAL_DECIMAL, _non_negative])
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

    name: str = attrs.field(validator=[v.instance_of(str), v.min_len(1)])
    min_score: Decimal | None = attrs.field(default=None, validator=OPTIONAL_DECIMAL)
    count: int | None = attrs.field(default=None, validator=v.optional([v.instance_of(int), v.gt(0)]))
    share: Decimal | None = attrs.field(default=None, validator=[OPTIONAL_DECIMAL, _positive, v.optional(v.le(Decimal(1)))])


def _check_grades(instance: Classification, attribute: attrs.Attribute, grades: tuple[Grade, ...]) -> None:
    if not grades:
        raise ValueError("needs at least one class")
    key = {"score": "min_score", "rank": "count", "share": "share"}[instance.by]
    others = {"min_score", "count", "share"} - {key}
    for position, grade in enumerate(grades):
        last = position == len(grades) - 1
        if any(getattr(grade, name) is not None for name in others):
            raise ValueError(f"class '{grade.name}' sets {' or '.join(sorted(others))}, but classes go by {instance.by} ('{key}')")
        if not last and getattr(grade, key) is None:
            raise ValueError(f"class '{grade.name}' needs '{key}' (only the last class takes the rest)")
        if last and getattr(grade, key) is not None:
            raise ValueError(f"the last class '{grade.name}' takes every unit left and sets no '{key}'")
    cutoffs = [getattr(g, key) for g in grades[:-1]]
    if instance.by == "score" and any(a <= b for a, b in zip(cutoffs, cutoffs[1:])):
        raise ValueError("min_score must fall from one class to the next")
    if instance.by == "share" and sum(cutoffs, ZERO) > 1:
        raise ValueError(f"shares add up to {sum(cutoffs, ZERO)}, more than 1")


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

    name: str = attrs.field(validator=[v.instance_of(str), v.min_len(1)])
    inputs: tuple[tuple[str, str], ...] = ()
    points: tuple[tuple[str, Decimal], ...] = ()
    total: Decimal | None = attrs.field(default=None, validator=OPTIONAL_DECIMAL)
    tier: str | None = attrs.field(default=None, validator=v.optional(v.instance_of(str)))
    year: int | None = attrs.field(default=None, validator=v.optional(v.instance_of(int)))


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
    examples: tuple[Example, ...] = ()
    file: str | None = None

    def __attrs_post_init__(self) -> None:
        if self.horizon_year < self.base_year:
            raise ValueError(f"horizon_year {self.horizon_year} is before base_year {self.base_year}")

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
    """

    indicator: str
    value: Decimal | str | None
    target: Decimal | None
    points: Decimal
    max_points: Decimal
    met: bool | None
    explanation: str | None = None


class CodedColumn(Sequence[Decimal]):
    """A column of a batch stored as a code per unit and the figure of each code.

    Units with the same value share a code, so a national column of 40,000 points holds
    a few hundred figures; adding it up or writing it out looks each code up once per
    unit, and formats each figure once.

    :param codes: each unit's code.
    :param figures: code → figure.
    """

    __slots__ = ("codes", "figures")

    def __init__(self, codes: list[int], figures: dict[int, Decimal]) -> None:
        self.codes, self.figures = codes, figures

    def __len__(self) -> int:
        return len(self.codes)

    def __getitem__(self, unit: int) -> Decimal:  # type: ignore[override]
        return self.figures[self.codes[unit]]

    def __iter__(self) -> Iterator[Decimal]:
        return map(self.figures.__getitem__, self.codes)


@attrs.frozen
class ResultColumns:
    """Every unit's per-indicator results, one list per indicator (ruleset order).

    The engine scores column by column; a unit's :class:`IndicatorResult` objects are
    made from these lists only when something reads them.

    :param indicators: the indicators' ids.
    :param max_points: the indicators' full marks (a unit exempt from one has 0).
    :param values: per indicator, each unit's observed value, ``EXEMPT`` where the
        indicator does not apply to the unit (its result shows ``不适用``).
    :param targets: per indicator, each unit's target used.
    :param points: per indicator, each unit's points.
    :param met: per indicator, whether each unit met its target.
    :param explanations: per indicator, each unit's explanation, or ``None`` when not asked for.
    """

    indicators: tuple[str, ...]
    max_points: tuple[Decimal, ...]
    values: tuple[Sequence[Decimal | str | Exempt | None], ...]
    targets: tuple[Sequence[Decimal | None], ...]
    points: tuple[Sequence[Decimal], ...]
    met: tuple[Sequence[bool | None], ...]
    explanations: tuple[Sequence[str] | None, ...]

    def result(self, position: int, unit: int) -> IndicatorResult:
        """The ``position``-th indicator's result for the ``unit``-th unit."""
        explanations = self.explanations[position]
        value = self.values[position][unit]
        exempt = value is EXEMPT
        return IndicatorResult(indicator=self.indicators[position], value=NOT_APPLICABLE if exempt else value,
                               target=self.targets[position][unit], points=self.points[position][unit],
                               max_points=ZERO if exempt else self.max_points[position],
                               met=self.met[position][unit],
                               explanation=None if explanations is None else explanations[unit])


T = TypeVar("T")


class _MadeOnRead(Sequence[T]):
    """A read-only sequence whose items are made on first read and kept; compares equal
    to any sequence of the same items, like a tuple.  Subclasses give ``__len__`` and
    ``_make(position)``."""

    __slots__ = ("_made",)

    @abc.abstractmethod
    def _make(self, position: int) -> T:
        """The item at ``position``, made afresh."""

    @overload
    def __getitem__(self, index: int) -> T: ...
    @overload
    def __getitem__(self, index: slice) -> tuple[T, ...]: ...

    def __getitem__(self, index: int | slice) -> T | tuple[T, ...]:
        if isinstance(index, slice):
            return tuple(self[n] for n in range(*index.indices(len(self))))
        position = range(len(self))[index]  # raises IndexError, allows negative indices
        made = self._made
        if made is None:
            made = self._made = [None] * len(self)
        item = made[position]
        if item is None:
            item = made[position] = self._make(position)
        return item

    def __iter__(self) -> Iterator[T]:
        return (self[n] for n in range(len(self)))

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Sequence) or isinstance(other, str):
            return NotImplemented
        return len(self) == len(other) and all(a == b for a, b in zip(self, other))

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return repr(tuple(self))


class IndicatorResults(_MadeOnRead[IndicatorResult]):
    """One unit's per-indicator results, in ruleset order, made on first read.

    A national batch holds millions of indicator results while ranking and CSV output
    need only the points (:attr:`points`); the result objects are built on demand and
    kept.  Compares equal to any sequence of the same results.
    """

    __slots__ = ("_columns", "_unit")

    def __init__(self, columns: ResultColumns, unit: int) -> None:
        self._columns, self._unit = columns, unit
        self._made: list[IndicatorResult | None] | None = None

    @property
    def columns(self) -> ResultColumns:
        """The batch's columns these results are read from."""
        return self._columns

    @property
    def unit(self) -> int:
        """The unit's position in the batch's columns."""
        return self._unit

    @property
    def points(self) -> list[Decimal]:
        """The unit's points per indicator, without building any result object."""
        return list(map(itemgetter(self._unit), self._columns.points))

    def __len__(self) -> int:
        return len(self._columns.indicators)

    def _make(self, position: int) -> IndicatorResult:
        return self._columns.result(position, self._unit)


def indicator_points(indicators: Sequence[IndicatorResult]) -> list[Decimal]:
    """The points of ``indicators`` (a unit's results), the fast way when they are lazy."""
    if isinstance(indicators, IndicatorResults):
        return indicators.points
    return [r.points for r in indicators]


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
        engine an :class:`IndicatorResults` that builds them when read).
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
    subtotals: dict[str, Decimal]
    adjustments: tuple[AdjustmentResult, ...]
    bonus: Decimal
    deductions: Decimal
    vetoed: bool
    total: Decimal
    rank: int = 0
    tier: str | None = None
    gap_to_next: Decimal | None = None
    row: int | None = None


#: The :class:`UnitResult` fields a :class:`RankedUnits` holds as columns.
RANKED_FIELDS = ("unit", "adjustments", "bonus", "deductions", "vetoed", "total", "rank", "tier", "gap_to_next",
                 "row")


class RankedUnits(_MadeOnRead[UnitResult]):
    """A batch's unit results in rank order, each made on first read and kept.

    The engine ranks a batch as columns, and a national CSV reads only columns
    (:meth:`column`, :meth:`subtotals`, :attr:`positions` into :attr:`table`), so its
    40,000 result objects need never be built.  Compares equal to any sequence of the
    same results.
    """

    __slots__ = ("_columns", "_table", "_positions", "_subtotals")

    def __init__(self, columns: dict[str, Sequence[Any]], table: ResultColumns, positions: Sequence[int],
                 subtotals: dict[str, Sequence[Decimal]]) -> None:
        """:param columns: each field of :data:`RANKED_FIELDS` → every unit's value, in rank order.
        :param table: the batch's per-indicator results, in the engine's unit order.
        :param positions: each ranked unit's position in ``table`` and ``subtotals``.
        :param subtotals: category id → every unit's subtotal, in the engine's unit order.
        """
        self._columns, self._table, self._positions, self._subtotals = columns, table, positions, subtotals
        self._made: list[UnitResult | None] | None = None

    @property
    def table(self) -> ResultColumns:
        """The batch's per-indicator results, in the engine's unit order."""
        return self._table

    @property
    def positions(self) -> Sequence[int]:
        """Each ranked unit's position in :attr:`table`."""
        return self._positions

    def column(self, field: str) -> Sequence[Any]:
        """Every unit's ``field`` (one of :data:`RANKED_FIELDS`), in rank order."""
        return self._columns[field]

    def subtotals(self, category: str) -> list[Decimal]:
        """Every unit's subtotal of ``category``, in rank order."""
        return list(map(self._subtotals[category].__getitem__, self._positions))

    def __len__(self) -> int:
        return len(self._positions)

    def _make(self, rank_position: int) -> UnitResult:
        position = self._positions[rank_position]
        fields = {name: column[rank_position] for name, column in self._columns.items()}
        subtotals = {category: column[position] for category, column in self._subtotals.items()}
        return UnitResult(indicators=IndicatorResults(self._table, position), subtotals=subtotals, **fields)


@attrs.frozen
class BatchResult:
    """A ranked batch.

    :param ruleset: the ruleset used.
    :param year: the assessment year.
    :param units: unit results in rank order (ties in input order): a tuple, or from
        the engine a :class:`RankedUnits` that builds them when read.
    """

    ruleset: Ruleset
    year: int
    units: Sequence[UnitResult]

    def unit(self, name: str) -> UnitResult | None:
        return next((u for u in self.units if u.unit == name), None)
