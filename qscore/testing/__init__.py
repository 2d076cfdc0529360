"""The plug-in author's test kit: pytest fixtures, Hypothesis strategies, and
:func:`check_ruleset`, which runs qscore's core properties on a ruleset.

Use it as a pytest plug-in, ``pytest -p qscore.testing`` (or ``addopts = "-p qscore.testing"``
in ``[tool.pytest.ini_options]``), after ``pip install 'qscore[test]'``::

    from qscore.testing import check_ruleset

    def test_my_ruleset_keeps_the_core_properties():
        check_ruleset("my_county/rulesets/my-county.toml")

The properties: every indicator's points lie in [0, full marks]; points never fall as
the observed value gets better (in the indicator's direction); units with the same
figures share a rank and the next rank skips (1, 1, 3); shuffling the rows changes none
of a unit's figures (to the digit), its rank or its class; a total is the sum of the shown points plus bonus less
deductions; a veto sends a unit to the lowest class, behind every unit without one;
the engine gives every unit exactly what the unit-by-unit reference scorer
(:mod:`qscore.testing.reference`) gives, and the same data written in the long layout
gives the same batch; and every ``[[examples]]`` entry comes out as the ruleset says.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping, Sequence
from decimal import Decimal
from typing import Any

import pytest
from click.testing import CliRunner, Result
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from qscore.authoring.examples import UNIT_HEADER, check_example
from qscore.model import BatchResult, Indicator, Ruleset, UnitResult
from qscore.numbers import ZERO, fmt
from qscore.pipeline import score
from qscore.plugins.manager import ALLOW_ENV, DIRS_ENV, Catalog, load_plugins
from qscore.reading.binding import COUNT_UNITS, looks_like_fractions
from qscore.reading.table import RawTable
from qscore.scoring import formulas
from qscore.testing.reference import check_same_as_reference, reference_batch, require_ruleset

Row = dict[str, str]
BASELINE_FIELD, PREVIOUS_FIELD = "基期", "上年"
#: How a value cell says the indicator does not apply to the unit.
EXEMPT_MARK = "不适用"
#: The long layout's header: unit, indicator, field (empty for the value), value.
LONG_HEADER = (UNIT_HEADER, "指标", "字段", "数值")


# -- fixtures ------------------------------------------------------------------------------

@pytest.fixture
def qscore_catalog(monkeypatch: pytest.MonkeyPatch) -> Callable[..., Catalog]:
    """Load qscore's built-ins plus only the named installed plug-ins::

        catalog = qscore_catalog("my-county")
        assert "my-county" in catalog.rulesets

    ``plugins_dirs=[...]`` adds folder plug-ins, ``extra=[(name, module)]`` registers
    objects directly.
    """
    def load(*plugins: str, plugins_dirs: Sequence[str | os.PathLike[str]] = (),
             extra: Sequence[tuple[str, object]] = ()) -> Catalog:
        monkeypatch.setenv(ALLOW_ENV, ",".join(plugins))
        monkeypatch.delenv(DIRS_ENV, raising=False)
        return load_plugins(plugins_dirs, extra=extra)
    return load


@pytest.fixture
def qscore_cli() -> Callable[..., Result]:
    """Run the real ``qscore`` command in-process with only the named plug-ins::

        result = qscore_cli("rank", "my-county", "units.csv", plugins=["my-county"])
        assert result.exit_code == 0, result.output
    """
    from qscore.cli import main

    runner = CliRunner()

    def invoke(*args: str, plugins: Sequence[str] = (), input: str | None = None) -> Result:
        # Only the named plug-ins: no folder plug-ins from the environment either.
        env = {ALLOW_ENV: ",".join(plugins), DIRS_ENV: None}
        return runner.invoke(main, list(args), input=input, env=env, catch_exceptions=False)
    return invoke


# -- strategies ----------------------------------------------------------------------------

def _scale(indicator: Indicator) -> Decimal:
    figures = [abs(f) for f in (indicator.baseline, getattr(indicator.target, "value", None)) if f is not None]
    return max([Decimal(10), *figures]) * 2


def indicator_values(indicator: Indicator, ruleset: Ruleset | None = None) -> st.SearchStrategy[Decimal | str]:
    """Plausible observed values for ``indicator``: a level name for task rules,
    0–100 for ``%``, whole numbers for counts, else decimals up to twice its figures.

    With ``ruleset``, a ``%`` column that qscore would refuse as fractions (every figure
    at most 1.5 while the target, or where the ruleset has none the indicator's other
    columns, reach 10% or more) is not drawn: 0, or above 1.5.
    """
    levels = getattr(indicator.rule, "levels", None)
    if indicator.rule.value_kind == "level" and levels:
        return st.sampled_from(sorted(levels))
    if indicator.unit == "%" and ruleset is not None and looks_like_fractions(indicator, ruleset, [Decimal(1)],
                                                                             beside=Decimal(100)):
        return st.one_of(st.just(Decimal(0)), st.decimals(min_value=Decimal("1.51"), max_value=100, places=2))
    if indicator.unit == "%":
        return st.decimals(min_value=0, max_value=100, places=2)
    if indicator.unit in COUNT_UNITS:
        return st.integers(min_value=0, max_value=int(_scale(indicator))).map(Decimal)
    return st.decimals(min_value=0, max_value=_scale(indicator), places=2)


def _cell(value: Decimal | str | None) -> str:
    if value is None:
        return "-"
    return value if isinstance(value, str) else f"{value:f}"


def _figure_columns(indicator: Indicator) -> list[str]:
    """The ``名称@字段`` figures this indicator needs from the data."""
    fields = []
    if indicator.baseline is None:
        fields.append(BASELINE_FIELD)
    needs = getattr(indicator.target, "needs", None)
    if needs == "previous":
        fields.append(PREVIOUS_FIELD)
    if needs == "reference":
        fields.append(getattr(indicator.target, "name"))
    return [f"{indicator.name}@{field}" for field in fields]


def _value_or_missing(ruleset: Ruleset, indicator: Indicator) -> st.SearchStrategy[Decimal | str | None]:
    values = indicator_values(indicator, ruleset)
    if (indicator.missing or ruleset.missing) == "zero":
        return st.one_of(values, st.none()) if indicator.rule.value_kind == "number" else values
    return values


_COUNTS = st.integers(min_value=0, max_value=3).map(str)
_VETOES = st.sampled_from(["", "", "", "是"])
_ONE_IN_EIGHT = st.integers(min_value=0, max_value=7).map(lambda number: number == 0)


def unit_rows(ruleset: Ruleset, min_units: int = 1, max_units: int = 8, *, per_unit: bool = False,
              exempt: bool = False) -> st.SearchStrategy[list[Row]]:
    """A batch of units as spreadsheet rows (header → cell text) for ``ruleset``.

    Figures a target needs from the data (a baseline the plan lacks, last year's value,
    a reference) are drawn once for the whole batch, so every unit faces the same target;
    with ``per_unit`` each unit has its own, and now and then an indicator whose plan
    has a baseline gets a ``名称@基期`` column too (the unit's own base-year value; the
    plan's where its cell is ``-``).  With ``exempt``, about one value cell in eight is
    marked 不适用.  Bonus and deduction items occur 0–3 times; vetoes now and then.  Where
    indicators apply only to some units (``applies_to``), the units are drawn from those
    names.
    """
    require_ruleset(ruleset, "unit_rows")
    named = sorted({unit for indicator in ruleset.indicators for unit in indicator.applies_to})
    if named:
        # Indicators assessed only for some units: draw those units, so the rules are exercised.
        names = st.tuples(st.permutations(named), st.integers(min_value=1, max_value=len(named))).map(
            lambda drawn: drawn[0][:drawn[1]])
    else:
        names = st.integers(min_value=min_units, max_value=max_units).map(
            lambda count: [f"单位{number}" for number in range(1, count + 1)])
    # Strategies are made once per ruleset, not once per example: Hypothesis checks each new one.
    values = [(i.name, _value_or_missing(ruleset, i).map(_cell)) for i in ruleset.indicators]
    figures, own_baselines = [], []
    for indicator in ruleset.indicators:
        if indicator.rule.value_kind == "number":
            cells = indicator_values(indicator, ruleset).map(_cell)
            figures += [(column, cells) for column in _figure_columns(indicator)]
            if per_unit and indicator.baseline is not None:
                own_baselines.append((f"{indicator.name}@{BASELINE_FIELD}", st.one_of(st.just("-"), cells)))
    adjust = ruleset.adjustments
    items = [*((item.name, _COUNTS) for item in (*adjust.bonus, *adjust.deductions)),
             *((item.name, _VETOES) for item in adjust.vetoes)]
    return _unit_rows(names, values, figures, own_baselines, items, per_unit, exempt)


Cells = Sequence[tuple[str, st.SearchStrategy[str]]]


@st.composite
def _unit_rows(draw: st.DrawFn, names: st.SearchStrategy[list[str]], values: Cells, figures: Cells,
               own_baselines: Cells, items: Cells, per_unit: bool, exempt: bool) -> list[Row]:
    figures = [*figures, *((column, cells) for column, cells in own_baselines if draw(st.booleans()))]
    shared: Row = {} if per_unit else {column: draw(cells) for column, cells in figures}
    rows = []
    for name in draw(names):
        row: Row = {UNIT_HEADER: name}
        for column, cells in values:
            row[column] = EXEMPT_MARK if exempt and draw(_ONE_IN_EIGHT) else draw(cells)
        row.update((column, draw(cells)) for column, cells in items)
        row.update({column: draw(cells) for column, cells in figures} if per_unit else shared)
        rows.append(row)
    return rows


def long_rows(rows: Sequence[Mapping[str, str]], unit_header: str = UNIT_HEADER) -> list[Row]:
    """``rows`` (the wide layout) written in the long layout: one row per unit and column,
    headed ``单位, 指标, 字段, 数值``; a ``名称@字段`` column's field goes in ``字段``.
    Units keep their order (a unit's first row), so the batch is the same."""
    out = []
    for row in rows:
        for header, text in row.items():
            if header != unit_header:
                name, _, field = header.partition("@")
                out.append({LONG_HEADER[0]: row[unit_header], LONG_HEADER[1]: name, LONG_HEADER[2]: field,
                            LONG_HEADER[3]: text})
    return out


def table(rows: Sequence[Mapping[str, str]], file: str = "<generated>") -> RawTable:
    """``rows`` as the :class:`~qscore.data.RawTable` a reader would produce."""
    header = tuple(dict.fromkeys(key for row in rows for key in row))
    return RawTable(file=file, header=header, rows=[[row.get(h, "") for h in header] for row in rows],
                    row_numbers=list(range(2, len(rows) + 2)))


def score_rows(ruleset: Ruleset, rows: Sequence[Mapping[str, str]], *, year: int | None = None,
               catalog: Catalog | None = None) -> BatchResult:
    """Score ``rows`` through the real pipeline (binding, engine, plug-in adjusters), as a
    partial batch of the ruleset's roster (generated units are not on it)."""
    return score(ruleset, table(rows), year=year, catalog=catalog, partial=True)


# -- the core properties -------------------------------------------------------------------

def check_ruleset(ruleset_or_path: Ruleset | str | os.PathLike[str], *, catalog: Catalog | None = None,
                  year: int | None = None, max_examples: int = 60) -> None:
    """Assert qscore's core properties on a ruleset, and its worked examples.

    Each generated batch (figures shared by the batch or each unit's own, cells marked
    不适用 or not) is scored by the engine and by :func:`reference_batch`, which must
    agree unit by unit; the same rows in the long layout must give the same batch.

    :param ruleset_or_path: a :class:`~qscore.model.Ruleset` or a ruleset ``.toml`` file.
    :param catalog: where rule types and adjustments come from (default: the built-ins
        and the installed plug-ins ``QSCORE_LOAD_PLUGINS`` allows).
    :param year: the assessment year (default: the ruleset's ``default_year``, else the
        horizon year).
    :param max_examples: how many generated batches Hypothesis tries.
    :raises AssertionError: naming the property, the unit and the figures.
    """
    catalog = catalog if catalog is not None else load_plugins()
    ruleset = ruleset_or_path if isinstance(ruleset_or_path, Ruleset) else catalog.ruleset(str(ruleset_or_path))
    check_examples(ruleset, catalog=catalog)

    batches = {(per_unit, exempt): unit_rows(ruleset, per_unit=per_unit, exempt=exempt)
               for per_unit in (False, True) for exempt in (False, True)}

    @settings(max_examples=max_examples, deadline=None, database=None,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
    @given(st.data())
    def properties(data: st.DataObject) -> None:
        per_unit = data.draw(st.booleans(), label="per-unit figures")
        exempt = data.draw(st.booleans(), label="cells marked 不适用")
        rows = data.draw(batches[per_unit, exempt], label="rows")
        batch = score_rows(ruleset, rows, year=year, catalog=catalog)
        check_batch(ruleset, batch)
        check_same_as_reference(batch, reference_batch(ruleset, rows, year=year, catalog=catalog))
        check_same_as_reference(score_rows(ruleset, long_rows(rows), year=year, catalog=catalog), batch,
                                what="the same data in the wide layout")
        if not per_unit:  # the same targets for every unit
            check_monotone(ruleset, batch)
        shuffled = data.draw(st.permutations(rows), label="shuffled")
        check_same_as_reference(score_rows(ruleset, shuffled, year=year, catalog=catalog), batch,
                                what="the rows in their first order", ordered=False)
        if any(indicator.applies_to for indicator in ruleset.indicators):
            return  # a twin under another name would be assessed on other indicators
        original = data.draw(st.sampled_from(rows), label="twin of")
        twin = {**original, UNIT_HEADER: "孪生单位"}
        check_twin(score_rows(ruleset, [*rows, twin], year=year, catalog=catalog), original[UNIT_HEADER], "孪生单位")

    properties()


def check_examples(ruleset: Ruleset, *, catalog: Catalog | None = None) -> None:
    """Assert that every ``[[examples]]`` entry of ``ruleset`` comes out as stated."""
    problems = [f"example '{example.name}': {problem}" for example in ruleset.examples
                for problem in check_example(ruleset, example, catalog)]
    assert not problems, f"{ruleset.id}: worked examples disagree:\n  " + "\n  ".join(problems)


def check_batch(ruleset: Ruleset, batch: BatchResult) -> None:
    """Bounds, totals, shared ranks, and vetoes in the lowest class, on one scored batch."""
    for unit in batch.units:
        _check_bounds(unit)
        _check_total(ruleset, unit)
    _check_ranks(batch.units, shared=not ruleset.ranking.tie_break)
    _check_vetoes(ruleset, batch.units)


def _check_bounds(unit: UnitResult) -> None:
    for result in unit.indicators:
        assert ZERO <= result.points <= result.max_points, (
            f"{unit.unit} / {result.indicator}: {fmt(result.points)} points for value {result.value}, "
            f"outside [0, {fmt(result.max_points)}]")


def _check_total(ruleset: Ruleset, unit: UnitResult) -> None:
    shown = sum((r.points for r in unit.indicators), ZERO)
    applicable = sum((r.max_points for r in unit.indicators), ZERO)
    part = formulas.indicator_parts(ruleset, [shown], [applicable])[0]
    expected = formulas.total(ruleset, part, unit.bonus, unit.deductions)
    assert unit.total == expected, (
        f"{unit.unit}: total {fmt(unit.total)} but the shown points make {fmt(part)} "
        f"+ bonus {fmt(unit.bonus)} − deductions {fmt(unit.deductions)} = {fmt(expected)}")
    caps = ruleset.adjustments
    assert caps.bonus_cap is None or unit.bonus <= caps.bonus_cap, f"{unit.unit}: bonus above its cap"
    assert caps.deduction_cap is None or unit.deductions <= caps.deduction_cap, f"{unit.unit}: deductions above cap"


def _check_ranks(units: Sequence[UnitResult], shared: bool) -> None:
    for unit in units:
        ahead = sum(other.rank < unit.rank for other in units)
        assert unit.rank == ahead + 1, (
            f"{unit.unit}: rank {unit.rank} with {ahead} unit(s) ahead; shared ranks skip (1, 1, 3)")
        for other in units:
            better = (not unit.vetoed and other.vetoed) or (unit.vetoed == other.vetoed and unit.total > other.total)
            assert not better or unit.rank < other.rank, (
                f"{unit.unit} ({fmt(unit.total)}{', vetoed' if unit.vetoed else ''}) is ranked {unit.rank}, "
                f"not ahead of {other.unit} ({fmt(other.total)}{', vetoed' if other.vetoed else ''}) at {other.rank}")
            equal = shared and unit.vetoed == other.vetoed and unit.total == other.total
            assert not equal or unit.rank == other.rank, (
                f"{unit.unit} and {other.unit} both have {fmt(unit.total)} but ranks {unit.rank} and {other.rank}; "
                "equal totals share a rank")


def _check_vetoes(ruleset: Ruleset, units: Sequence[UnitResult]) -> None:
    if ruleset.classification is None:
        return
    order = [grade.name for grade in ruleset.classification.grades]
    for unit in units:
        if unit.vetoed:
            assert unit.tier == ruleset.classification.lowest, (
                f"{unit.unit} is vetoed but in class {unit.tier}, not {ruleset.classification.lowest}")
        for other in units:
            if unit.rank < other.rank:
                assert order.index(unit.tier) <= order.index(other.tier), (  # type: ignore[arg-type]
                    f"{unit.unit} ranks {unit.rank} in {unit.tier}, below {other.unit} ranking {other.rank} "
                    f"in {other.tier}")


def check_monotone(ruleset: Ruleset, batch: BatchResult) -> None:
    """Within one batch (same targets for all), a better value never earns fewer points."""
    for position, indicator in enumerate(ruleset.indicators):
        if indicator.rule.value_kind != "number":
            continue
        results = ((u.indicators[position], u.unit) for u in batch.units)
        scored = sorted(((r.value, r.points, unit) for r, unit in results if isinstance(r.value, Decimal)),
                        key=lambda case: case[0])
        if indicator.direction == "lower":
            scored.reverse()
        for (worse, low, unit_a), (better, high, unit_b) in zip(scored, scored[1:]):
            assert high >= low or better == worse, (
                f"{indicator.id} ({indicator.direction} is better): {unit_b} has {fmt(better)} → {fmt(high)} points, "
                f"fewer than {unit_a} with {fmt(worse)} → {fmt(low)}")


def _outcomes(batch: BatchResult) -> dict[str, tuple[Any, ...]]:
    return {u.unit: (u.total, u.rank, u.tier, tuple(r.points for r in u.indicators)) for u in batch.units}


def check_same_results(first: BatchResult, second: BatchResult, what: str) -> None:
    """Every unit's points, total, rank and class agree between two batches."""
    a, b = _outcomes(first), _outcomes(second)
    changed = [unit for unit in a if a[unit] != b.get(unit)]
    assert not changed, f"{what} changed the results of {', '.join(changed)}: {a[changed[0]]} → {b.get(changed[0])}"


def check_twin(batch: BatchResult, original: str, twin: str) -> None:
    """A unit copied under another name ties with its original: same points, total and rank."""
    a, b = batch.unit(original), batch.unit(twin)
    assert a is not None and b is not None, f"{original} or {twin} missing from the batch"
    assert (a.total, a.rank, a.tier) == (b.total, b.rank, b.tier), (
        f"{twin}, a copy of {original}, scored {fmt(b.total)} (rank {b.rank}, {b.tier}) against "
        f"{fmt(a.total)} (rank {a.rank}, {a.tier}); equal figures must share a rank")

