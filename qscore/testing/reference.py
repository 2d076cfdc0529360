"""The unit-by-unit reference scorer, and the check that the engine gives what it gives.

The engine (:mod:`qscore.scoring.engine`) scores a batch a column at a time: binding
codes equal cells, each distinct value is scored once, a target is resolved once per
distinct set of figures, sums are swept across columns, and result objects are made
only when read.  :func:`reference_batch` does none of that.  It takes the units one by
one, parses each of a unit's cells, resolves the unit's targets from its own figures
(``名称@基期``, ``名称@上年``, ``名称@全国平均`` …), calls the rule for that unit, rounds,
adds up in indicator order and applies exemptions and missing values there and then.
What cannot be worked out for one unit alone is worked out from the units with a value:
a batch shape's one target (进入全市前列, ``resolve_batch``) and a batch rule's points
(排序赋分, ``points_batch``).

Only what must exist once is shared: a unit's total with its caps and floor, the score
rate and the item caps (:mod:`qscore.scoring.formulas`), ranking and classes
(:mod:`qscore.scoring.ranking`).  Both paths call those functions, so a disagreement
found by :func:`check_same_as_reference` is in the machinery around them, not between
two copies of a formula.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from decimal import Decimal
from typing import TYPE_CHECKING

import attrs

from qscore.errors import DataError, MissingFigure
from qscore.model import (ADJUSTMENT_KINDS, NOT_APPLICABLE, AdjustmentResult, BatchResult, Indicator,
                          IndicatorResult, Item, Ruleset, UnitResult, UnitTuple)
from qscore.numbers import ZERO
from qscore.reading.binding import FIELD_ALIASES, UNIT_HEADERS, header_key
from qscore.cells import is_exempt, is_missing, normalise, parse_count, parse_number
from qscore.reading.table import RawTable
from qscore.scoring import formulas, ranking
from qscore.scoring.adjusters import Adjuster
from qscore.targets import Figures, Timing

if TYPE_CHECKING:
    from qscore.plugins.manager import Catalog

#: Rows as the test kit makes them (header → cell text), or a wide table a reader made.
Rows = Sequence[Mapping[str, str]] | RawTable
Value = Decimal | str | None
_BRACKETED = re.compile(r"\s*[(\[][^()\[\]]*[)\]]$")

__all__ = ["check_same_as_reference", "reference_batch"]


@attrs.frozen
class _Row:
    """One unit's row: its name, its row number in the file, and its cells by header."""

    unit: str
    number: int
    cells: Mapping[str, str]


def require_ruleset(ruleset: object, function: str) -> None:
    """Refuse what is not a loaded ruleset with the way to load one (a path or an id would
    otherwise fail deep inside, on its first attribute)."""
    if not isinstance(ruleset, Ruleset):
        raise TypeError(f"{function}() takes a qscore.Ruleset, not {type(ruleset).__name__} {ruleset!r}: "
                        f"load it first with qscore.load_ruleset(path_or_id, catalog=catalog)")


def reference_batch(ruleset: Ruleset, rows: Rows, *, year: int | None = None,
                    catalog: Catalog | None = None) -> BatchResult:
    """Score, total, rank and classify ``rows`` unit by unit, the plainest way.

    :param ruleset: the ruleset to score against.
    :param rows: the units in the wide layout, one row each: header → cell text (as
        :func:`qscore.testing.unit_rows` draws them), or a :class:`~qscore.RawTable`.
        Headers name an indicator or item by id, name or alias (a unit in brackets may
        follow), or a unit's own figure as ``名称@基期``, ``名称@上年`` or ``名称@参照名``.
    :param year: the assessment year (default: the ruleset's ``default_year``, else the
        plan's horizon year, as :func:`qscore.score` takes for rows that state no year).
    :param catalog: where the ruleset's plug-in adjusters come from (default: the
        installed plug-ins, as :func:`qscore.score` does).
    :return: the ranked batch; its units are a :class:`~qscore.model.UnitTuple` of plain
        :class:`~qscore.UnitResult` objects whose indicator results are tuples.
    :raises DataError: for a missing value under the ``error`` policy, or a figure a
        unit's target or rule needs and its row lacks, naming the unit.
    :raises ValueError: for a header that names nothing in the ruleset, or a year
        before the plan's base year.
    """
    require_ruleset(ruleset, "reference_batch")
    if year is None:
        year = ruleset.default_year if ruleset.default_year is not None else ruleset.horizon_year
    if year < ruleset.base_year:
        raise ValueError(f"year {year} is before the plan's base year {ruleset.base_year}")
    if catalog is None:
        from qscore.plugins.manager import load_plugins

        catalog = load_plugins()
    units = list(_rows(ruleset, rows))
    headers = _Headers(ruleset, [header for row in units for header in row.cells])
    # What needs the whole batch: a batch shape's one target (进入全市前列), then a batch
    # rule's points (排序赋分).
    shared = {i.id: _batch_target(ruleset, i, units, headers, year) for i in ruleset.indicators
              if i.target is not None and i.target.batch and i.rule.uses_target}
    batch_points = {i.id: _batch_points(ruleset, i, units, headers, year, shared) for i in ruleset.indicators
                    if i.rule.batch}
    unranked = []
    for row in units:
        results = tuple(_indicator_result(ruleset, indicator, row, headers, year, shared,
                                          batch_points.get(indicator.id)) for indicator in ruleset.indicators)
        unranked.append(_settle(ruleset, row, headers, results, catalog.adjusters(ruleset.id)))
    return _ranked(ruleset, year, unranked)


def _rows(ruleset: Ruleset, rows: Rows) -> Iterator[_Row]:
    if isinstance(rows, RawTable):
        mappings: Sequence[Mapping[str, str]] = [dict(zip(rows.header, cells)) for cells in rows.rows]
        numbers: Sequence[int] = rows.row_numbers
    else:
        mappings, numbers = rows, range(2, len(rows) + 2)
    unit_headers = {*UNIT_HEADERS, header_key(ruleset.unit_kind).lower()} - {""}
    seen = set()
    for cells, number in zip(mappings, numbers):
        column = next((h for h in cells if header_key(h).lower() in unit_headers), None)
        name = normalise(cells[column]) if column is not None else ""
        if not name or name in seen:
            raise ValueError(f"row {number}: the unit name {name!r} is empty or not unique")
        seen.add(name)
        yield _Row(unit=name, number=number, cells={h: t for h, t in cells.items() if h != column})


class _Headers:
    """What each header of the rows names: ``(indicator or item id, field)``, where field
    is ``value``, ``baseline``, ``previous`` or a reference's name."""

    def __init__(self, ruleset: Ruleset, headers: Sequence[str]) -> None:
        names: dict[str, str] = {}
        for indicator in ruleset.indicators:
            for name in (indicator.id, indicator.name, *indicator.aliases):
                names.setdefault(header_key(name), indicator.id)
        for item in ruleset.adjustments.items:
            for name in (item.id, item.name):
                names.setdefault(header_key(name), item.id)
        self.meaning: dict[str, tuple[str, str]] = {}
        for header in dict.fromkeys(headers):
            if not header.strip():
                continue
            name, _, field = header.partition("@")
            key = header_key(name)
            while key not in names and _BRACKETED.search(key):
                key = _BRACKETED.sub("", key)
            if key not in names:
                raise ValueError(f"column {header!r} names no indicator or item of ruleset '{ruleset.id}'")
            self.meaning[header] = (names[key], FIELD_ALIASES.get(header_key(field).lower(), field.strip()))

    def cell(self, row: _Row, thing: str, field: str = "value") -> str | None:
        """The row's cell for ``(thing, field)``, ``None`` when there is no such column."""
        return next((text for header, text in row.cells.items() if self.meaning.get(header) == (thing, field)), None)

    def figures(self, row: _Row, indicator: Indicator) -> Figures:
        """The unit's own figures for ``indicator``; where it has no 基期, the plan's."""
        own: dict[str, Decimal | None] = {}
        for header, text in row.cells.items():
            thing, field = self.meaning.get(header, ("", ""))
            if thing == indicator.id and field != "value":
                own[field] = parse_number(text)
        baseline = own.pop("baseline", None)
        previous = own.pop("previous", None)
        return Figures(baseline=indicator.baseline if baseline is None else baseline, previous=previous,
                       references=tuple((name, figure) for name, figure in own.items() if figure is not None))


def _value(ruleset: Ruleset, indicator: Indicator, row: _Row, headers: _Headers) -> tuple[bool, Value]:
    """Whether the unit is exempt from ``indicator``, and its value (``None``: no data)."""
    text = headers.cell(row, indicator.id)
    if not indicator.applies(row.unit) or (text is not None and is_exempt(text)):
        return True, None
    if text is None or (indicator.rule.value_kind == "level" and is_missing(text)):
        value: Value = None
    elif indicator.rule.value_kind == "level":
        value = normalise(text)
        if value not in getattr(indicator.rule, "levels", {}):
            raise ValueError(f"row {row.number}: {text!r} is not a level of {indicator.id}")
    else:
        value = parse_number(text)
    if value is None and (indicator.missing or ruleset.missing) == "error":
        raise DataError(f"unit '{row.unit}' has no value for {indicator.name}, and the ruleset's "
                        "missing-value policy is 'error'", row=row.number)
    return False, value


def _timing(ruleset: Ruleset, indicator: Indicator, year: int) -> Timing:
    return Timing(indicator.baseline_year or ruleset.base_year, ruleset.horizon_year, year)


def _target(ruleset: Ruleset, indicator: Indicator, row: _Row, figures: Figures, year: int,
            shared: Mapping[str, Decimal | None]) -> Decimal | None:
    """The unit's target this year, from its own figures (a batch shape's: the batch's).

    :raises MissingFigure: when the unit lacks a figure the target needs.
    """
    if indicator.target is None or not indicator.rule.uses_target:
        return None
    if indicator.target.batch:
        return shared[indicator.id]
    return indicator.target.resolve(figures, _timing(ruleset, indicator, year))


def _lenient(ruleset: Ruleset, indicator: Indicator) -> bool:
    """Whether a unit lacking a figure (a baseline, last year's value) scores 0, as a
    missing value does, rather than being refused."""
    return (indicator.missing or ruleset.missing) == "zero"


def _missing(indicator: Indicator, row: _Row, exc: MissingFigure) -> DataError:
    return DataError(f"unit '{row.unit}' has no {exc.what} for indicator {indicator.id} ({indicator.name})",
                     row=row.number)


def _batch_target(ruleset: Ruleset, indicator: Indicator, units: Sequence[_Row], headers: _Headers,
                  year: int) -> Decimal | None:
    """A batch shape's one target, from the value and figures of every unit with a number."""
    present = []
    for row in units:
        exempt, value = _value(ruleset, indicator, row, headers)
        if not exempt and isinstance(value, Decimal):
            present.append((row, value, headers.figures(row, indicator)))
    if not present or indicator.target is None:
        return None
    try:
        return indicator.target.resolve_batch([value for _, value, _ in present], [fig for _, _, fig in present],
                                              _timing(ruleset, indicator, year))
    except MissingFigure as exc:
        raise _missing(indicator, present[0][0], exc) from None


def _batch_points(ruleset: Ruleset, indicator: Indicator, units: Sequence[_Row], headers: _Headers,
                  year: int, shared: Mapping[str, Decimal | None]) -> dict[str, Decimal]:
    """A batch rule's (排序赋分's) exact points for each unit with a value, by unit name."""
    present = []
    for row in units:
        exempt, value = _value(ruleset, indicator, row, headers)
        if not exempt and value is not None:
            figures = headers.figures(row, indicator)
            try:
                target = _target(ruleset, indicator, row, figures, year, shared)
            except MissingFigure as exc:
                if _lenient(ruleset, indicator):
                    continue  # scores 0, as a missing value does
                raise _missing(indicator, row, exc) from None
            present.append((row, value, target, figures.baseline))
    for attempt in range(2):
        if not present:
            return {}
        rows, values, targets, baselines = zip(*present)
        try:
            return dict(zip((row.unit for row in rows), indicator.rule.points_batch(values, targets, baselines)))
        except MissingFigure as exc:
            # A batch rule reads no figure but the baseline: the units without one score 0.
            if attempt or not _lenient(ruleset, indicator):
                raise _missing(indicator, next((p[0] for p in present if p[3] is None), present[0][0]), exc) \
                    from None
            present = [p for p in present if p[3] is not None]
    return {}


def _indicator_result(ruleset: Ruleset, indicator: Indicator, row: _Row, headers: _Headers, year: int,
                      shared: Mapping[str, Decimal | None],
                      batch_points: Mapping[str, Decimal] | None) -> IndicatorResult:
    """One unit's result on one indicator."""
    rounding = ruleset.rounding
    nothing = rounding.apply(ZERO) if rounding.stage == "indicator" else ZERO
    exempt, value = _value(ruleset, indicator, row, headers)
    figures = headers.figures(row, indicator)  # last year's value is shown whatever this year's
    if exempt:  # 0 points of 0 full marks
        return IndicatorResult(indicator=indicator.id, value=NOT_APPLICABLE, target=None, points=nothing,
                               max_points=ZERO, met=None, previous=figures.previous)
    if value is None:
        return IndicatorResult(indicator=indicator.id, value=None, target=None, points=nothing,
                               max_points=indicator.points, met=None, previous=figures.previous)
    rule = indicator.rule
    try:
        target = _target(ruleset, indicator, row, figures, year, shared)
        if batch_points is not None and row.unit not in batch_points:  # it lacked a figure: 0
            raise MissingFigure("baseline", "a figure")
        exact = batch_points[row.unit] if batch_points is not None else rule.points(value, target, figures.baseline)
    except MissingFigure as exc:
        if not _lenient(ruleset, indicator):
            raise _missing(indicator, row, exc) from None
        return IndicatorResult(indicator=indicator.id, value=value, target=None, points=nothing,
                               max_points=indicator.points, met=None, previous=figures.previous)
    points = rounding.apply(exact) if rounding.stage == "indicator" else exact
    return IndicatorResult(indicator=indicator.id, value=value, target=target, points=points,
                           max_points=indicator.points, met=rule.met(value, target), previous=figures.previous)


def _settle(ruleset: Ruleset, row: _Row, headers: _Headers, results: tuple[IndicatorResult, ...],
            adjusters: Sequence[Adjuster]) -> UnitResult:
    """The unit's subtotals, adjustment lines and total, before ranking."""
    subtotals = {category.id: ZERO for category in ruleset.categories}
    points = applicable = ZERO
    for indicator, result in zip(ruleset.indicators, results):
        points += result.points
        if result.value != NOT_APPLICABLE:
            applicable += result.max_points
        if indicator.category is not None:
            subtotals[indicator.category] += result.points
    adjust = ruleset.adjustments
    lines = []
    for kind, items in zip(ADJUSTMENT_KINDS, (adjust.bonus, adjust.deductions, adjust.vetoes)):
        lines += [line for item in items if (line := _item_line(kind, item, headers.cell(row, item.id)))]
    so_far = UnitResult(unit=row.unit, indicators=results, subtotals=subtotals, adjustments=tuple(lines),
                        bonus=ZERO, deductions=ZERO, vetoed=False, total=ZERO, row=row.number)
    for adjuster in adjusters:
        lines += adjuster(ruleset, so_far) or ()
    bonus, deductions, vetoed = formulas.adjustment_sums(lines, adjust)
    part = formulas.indicator_parts(ruleset, [points], [applicable])[0]
    return attrs.evolve(so_far, adjustments=tuple(lines), bonus=bonus, deductions=deductions, vetoed=vetoed,
                        total=formulas.total(ruleset, part, bonus, deductions))


def _item_line(kind: str, item: Item, text: str | None) -> AdjustmentResult | None:
    count = ZERO if text is None else parse_count(text)
    if not count:
        return None
    return AdjustmentResult(kind=kind, item=item.id, name=item.name, count=count,
                            points=formulas.item_points(count, item.points, item.cap))


def _ranked(ruleset: Ruleset, year: int, units: list[UnitResult]) -> BatchResult:
    """The units ranked and classified by the shared formulas."""
    positions = {indicator.id: n for n, indicator in enumerate(ruleset.indicators)}
    tie_breaks = []
    for name in ruleset.ranking.tie_break:
        if any(category.id == name for category in ruleset.categories):
            tie_breaks.append([unit.subtotals[name] for unit in units])
        elif name in positions:
            tie_breaks.append([unit.indicators[positions[name]].points for unit in units])
        else:
            tie_breaks.append([ZERO for _ in units])
    order, ranks = ranking.rank([u.total for u in units], [u.vetoed for u in units], tie_breaks)
    ordered = [units[n] for n in order]
    tiers: Sequence[str | None] = [None] * len(ordered)
    gaps: Sequence[Decimal | None] = [None] * len(ordered)
    if ruleset.classification is not None:
        tiers, gaps = ranking.classes([u.total for u in ordered], [u.vetoed for u in ordered], ranks,
                                      ruleset.classification)
    return BatchResult(ruleset=ruleset, year=year, units=UnitTuple(
        attrs.evolve(unit, rank=rank, tier=tier, gap_to_next=gap)
        for unit, rank, tier, gap in zip(ordered, ranks, tiers, gaps)))


# -- the comparison ------------------------------------------------------------------------

def _same(a: object, b: object) -> bool:
    """Equal, and for figures also written with the same digits (98.5 is not 98.50)."""
    if isinstance(a, Decimal) or isinstance(b, Decimal):
        return isinstance(a, Decimal) and isinstance(b, Decimal) and a == b and str(a) == str(b)
    return type(a) is type(b) and a == b


def check_same_as_reference(batch: BatchResult, reference: BatchResult, *,
                            what: str = "the unit-by-unit reference", ordered: bool = True) -> None:
    """Assert that ``batch`` gives every unit exactly what ``reference`` gives.

    Compared unit by unit: for each indicator its value, target, points, full marks and
    whether it was met; then the unit's subtotals, adjustment lines, bonus, deductions,
    veto, total, rank, class and gap to the next class; then the order of the units
    (unless ``ordered`` is false: units that tie keep their input order, which may differ).
    Figures must agree in value and in the digits shown (``str``): 90.00 is not 90.0.
    Causes come before their effects, so a message names the first figure that differs.

    :param batch: the batch under test (the engine's).
    :param reference: the expected batch (from :func:`reference_batch`).
    :param what: what ``reference`` is, for the message.
    :param ordered: whether the units must also come in the same order.
    :raises AssertionError: naming the unit, the indicator and both figures.
    """
    got, want = list(batch.units.column("unit")), list(reference.units.column("unit"))
    assert sorted(got) == sorted(want), f"units {sorted(got)}, but {what} gives {sorted(want)}"
    expected = dict(zip(want, reference.units))
    for mine in batch.units:
        theirs = expected[mine.unit]
        _check_indicators(mine, theirs, what)
        assert list(mine.subtotals) == list(theirs.subtotals), (
            f"{mine.unit}: subtotals of {list(mine.subtotals)} but {what} gives {list(theirs.subtotals)}")
        for category, a in mine.subtotals.items():
            b = theirs.subtotals[category]
            assert _same(a, b), f"{mine.unit}: subtotal {category} {a} but {what} gives {b}"
        _check_lines(mine.unit, mine.adjustments, theirs.adjustments, what)
        for field in ("bonus", "deductions", "vetoed", "total", "rank", "tier", "gap_to_next"):
            a, b = getattr(mine, field), getattr(theirs, field)
            assert _same(a, b), f"{mine.unit}: {field} {a} but {what} gives {b}"
    assert got == want or not ordered, f"units in rank order: {got}, but {what} gives {want}"


def _check_lines(unit: str, mine: Sequence[AdjustmentResult], theirs: Sequence[AdjustmentResult], what: str) -> None:
    shown = [(line.kind, line.item) for line in mine]
    expected = [(line.kind, line.item) for line in theirs]
    assert shown == expected, f"{unit}: adjustment lines {shown} but {what} gives {expected}"
    for a, b in zip(mine, theirs):
        for field in ("name", "count", "points"):
            assert _same(getattr(a, field), getattr(b, field)), (
                f"{unit} / {a.kind} {a.item}: {field} {getattr(a, field)} but {what} gives {getattr(b, field)}")


def _check_indicators(mine: UnitResult, theirs: UnitResult, what: str) -> None:
    shown = [result.indicator for result in mine.indicators]
    expected = [result.indicator for result in theirs.indicators]
    assert shown == expected, f"{mine.unit}: indicators {shown} but {what} gives {expected}"
    for a, b in zip(mine.indicators, theirs.indicators):
        for field in ("value", "target", "points", "max_points", "met"):
            x, y = getattr(a, field), getattr(b, field)
            assert _same(x, y), f"{mine.unit} / {a.indicator}: {field} {x!s} but {what} gives {y!s}"
