"""Comparing two years of the same assessment, and what moved each unit's total.

Targets move along the path from the baseline to the horizon every year, so last
year's total and this year's are not scored against the same targets.  The change of a
total (or of an indicator's points) is split exactly into

- the **data effect**: this year's data scored against last year's targets, minus last
  year's result: what the unit's own figures did;
- the **target effect**: this year's result minus this year's data scored against last
  year's targets: what the year's move along the path did;

which add up to the change, to the last digit: both are exact differences of three
results, all worked out by the engine (:func:`~qscore.scoring.engine.score_batch`).
"""

from __future__ import annotations

import bisect
import contextlib
import decimal
import functools
from collections.abc import Callable, Iterator, Sequence
from decimal import Decimal
from operator import sub
from typing import Any, Literal, TypeVar

import attrs

from qscore.errors import UsageError
from qscore.i18n import N_, _
from qscore.model import BatchResult, Notice, Ruleset, ScoringOptions
from qscore.pipeline import assessment_year, bind_options, load_dataset
from qscore.plugins.manager import Catalog
from qscore.provenance import ruleset_sha256
from qscore.reading.binding import Dataset
from qscore.rounds.archive import Archive, Round
from qscore.scoring.engine import score_batch

T = TypeVar("T")


@attrs.frozen
class DataSource:
    """A year's data file.

    :param path: the file.
    :param year: the assessment year it is scored for; ``None``: the year the data
        states (its title, sheet or file name), as ``qscore rank`` takes it.
    :param options: how it is read; its ``roster``, when given, names the roster file the
        units are checked against instead of the ruleset's (``--units``).
    :param option: the option that gives its year, named when the data states none.
    """

    path: str
    year: int | None
    options: ScoringOptions = ScoringOptions()
    option: str = "--year"

    @property
    def label(self) -> str:
        return self.path


@attrs.frozen
class RoundSource:
    """A round recorded in an archive.

    :param archive: the archive.
    :param round: the round.
    """

    archive: Archive
    round: Round

    @property
    def year(self) -> int:
        return self.round.year

    @property
    def label(self) -> str:
        return f"{self.archive.path}:{self.round.year}"


Source = DataSource | RoundSource


@attrs.frozen
class Place:
    """A unit's standing in one year: total, rank and tier, and whether a veto item
    put it last whatever its total."""

    total: Decimal
    rank: int
    tier: str | None
    vetoed: bool = False


@attrs.frozen
class IndicatorFigures:
    """An indicator's figures for a unit in one year: the value, the target used, the points."""

    value: Decimal | str | None
    target: Decimal | None
    points: Decimal


@attrs.frozen
class IndicatorChange:
    """How one indicator's points moved for a unit.

    :param indicator: the indicator's id.
    :param old: last year's figures, ``None`` when the unit was not in last year's batch.
    :param new: this year's figures, ``None`` when the unit is not in this year's batch.
    :param change: the points' change; with the two effects, ``None`` unless the unit is
        in both years.
    :param data_effect: this year's value against last year's target, minus last year's points.
    :param target_effect: this year's points minus this year's value against last year's target.
    """

    indicator: str
    old: IndicatorFigures | None
    new: IndicatorFigures | None
    change: Decimal | None
    data_effect: Decimal | None
    target_effect: Decimal | None


@attrs.frozen
class UnitChange:
    """How a unit's total, rank and tier moved between the two years.

    :param unit: the unit's name.
    :param old: last year's place, ``None`` when it was not in last year's batch.
    :param new: this year's place, ``None`` when it is not in this year's batch.
    :param change: the total's change (``None`` unless in both years).
    :param data_effect: what the unit's data moved: this year's data scored against last
        year's targets, minus last year's total.
    :param target_effect: what the targets' move moved: this year's total minus this
        year's data scored against last year's targets.
    :param indicators: per indicator, in ruleset order.
    """

    unit: str
    old: Place | None
    new: Place | None
    change: Decimal | None
    data_effect: Decimal | None
    target_effect: Decimal | None
    indicators: tuple[IndicatorChange, ...]

    @property
    def rank_change(self) -> int | None:
        """Places gained (positive) or lost (negative)."""
        if self.old is None or self.new is None:
            return None
        return self.old.rank - self.new.rank


class _Changes(Sequence[Decimal | None]):
    """A column of :func:`changes`, worked out when first read."""

    def __init__(self, shown: Callable[[list[Decimal]], list[Decimal | None]], old: list[Decimal],
                 new: list[Decimal]) -> None:
        self._shown, self._old, self._new = shown, old, new

    @functools.cached_property
    def _column(self) -> list[Decimal | None]:
        return self._shown(changes(self._old, self._new))

    def __len__(self) -> int:
        return len(self._column)

    def __getitem__(self, index: Any) -> Any:
        return self._column[index]


@attrs.frozen
class Effects:
    """Every shown unit's change, and its split: columns in the order of
    :attr:`Comparison.units`, ``None`` for a unit in one year only."""

    change: Sequence[Decimal | None]
    data_effect: Sequence[Decimal | None]
    target_effect: Sequence[Decimal | None]


def data_effects(old: Sequence[Decimal], at_old_targets: Sequence[Decimal]) -> list[Decimal]:
    """Per unit: this year's data scored against last year's targets, minus last year's result."""
    return _differences(at_old_targets, old)


def target_effects(at_old_targets: Sequence[Decimal], new: Sequence[Decimal]) -> list[Decimal]:
    """Per unit: this year's result, minus this year's data scored against last year's targets."""
    return _differences(new, at_old_targets)


def changes(old: Sequence[Decimal], new: Sequence[Decimal]) -> list[Decimal]:
    """Per unit: this year's result minus last year's."""
    return _differences(new, old)


def _differences(minuends: Sequence[Decimal], subtrahends: Sequence[Decimal]) -> list[Decimal]:
    with _exact():
        return list(map(sub, minuends, subtrahends))


def _exact() -> contextlib.AbstractContextManager[decimal.Context]:
    """A context in which a difference is never rounded (and would fail if it were)."""
    context = decimal.Context(prec=decimal.MAX_PREC, Emax=decimal.MAX_EMAX, Emin=decimal.MIN_EMIN,
                              traps=[decimal.Inexact, decimal.InvalidOperation])
    return decimal.localcontext(context)


class Comparison:
    """Two years of one ruleset, unit by unit.

    Units are shown in this year's rank order, then those only in last year's batch in
    last year's order.  Figures are worked out a column at a time, when first asked for.

    :param ruleset: the ruleset.
    :param old: last year's batch.
    :param new: this year's batch.
    :param at_old_targets: this year's data scored against last year's targets.
    :param old_source: where last year's results come from (a file, ``rounds.db:2024``).
    :param new_source: where this year's come from.
    :param notes: what the reader must know (rounds scored with another ruleset file).
    :param notices: what was done reading and scoring the data files (rows skipped, the
        year taken, units scored 0 for a missing value …).
    """

    def __init__(self, ruleset: Ruleset, old: BatchResult, new: BatchResult, at_old_targets: BatchResult, *,
                 old_source: str, new_source: str, notes: Sequence[str] = (),
                 notices: Sequence[Notice] = ()) -> None:
        self.ruleset, self.old, self.new, self.at_old_targets = ruleset, old, new, at_old_targets
        self.old_source, self.new_source, self.notes = old_source, new_source, tuple(notes)
        self.notices = tuple(notices)
        old_names, new_names = old.units.column("unit"), new.units.column("unit")
        old_at = {name: n for n, name in enumerate(old_names)}
        new_at = {name: n for n, name in enumerate(new_names)}
        mid_at = {name: n for n, name in enumerate(at_old_targets.units.column("unit"))}
        self.units: tuple[str, ...] = (*new_names, *(name for name in old_names if name not in new_at))
        self._old = [old_at.get(name) for name in self.units]
        self._new = [new_at.get(name) for name in self.units]
        #: positions in ``units`` of the units in both years, and their places in each batch
        self._both = [n for n, (a, b) in enumerate(zip(self._old, self._new)) if a is not None and b is not None]
        self._in_old = [old_at[self.units[n]] for n in self._both]
        self._in_mid = [mid_at[self.units[n]] for n in self._both]
        self._in_new = [new_at[self.units[n]] for n in self._both]
        self._new_in_order = self._in_new == list(range(len(new_names)))
        self._cache: dict[Any, Any] = {}
        if len(self._both) != len(old_names) or len(self._both) != len(new_names):
            self.notes += (_units_note(old.year, old_names, new.year, new_names, new_at),)

    @property
    def old_year(self) -> int:
        return self.old.year

    @property
    def new_year(self) -> int:
        return self.new.year

    def __len__(self) -> int:
        return len(self.units)

    # -- columns ---------------------------------------------------------------------------

    def places(self, year: Literal["old", "new"], units: slice = slice(None)) -> list[Place | None]:
        """The place in the ``old`` or ``new`` year of the shown units ``units`` (a run of
        :attr:`units`, all of them by default)."""
        start, stop = self._run(units)
        fields = ("total", "rank", "tier", "vetoed")
        columns = list(zip(*(self.column(year, field)[start:stop] for field in fields)))  # type: ignore[arg-type]
        return [None if rank is None else Place(total, rank, tier, bool(vetoed))
                for total, rank, tier, vetoed in columns]

    def column(self, year: Literal["old", "new"], field: Literal["total", "rank", "tier", "vetoed"]) -> list[Any]:
        """Every shown unit's ``field`` in the ``old`` or ``new`` year, ``None`` for a
        unit not in that year's batch (:meth:`places` without a :class:`Place` per unit)."""
        batch, positions = (self.old, self._old) if year == "old" else (self.new, self._new)
        figures = batch.units.column(field)
        return [None if n is None else figures[n] for n in positions]

    def result_rows(self, year: Literal["old", "new"], field: Literal["value", "target", "points"],
                    shown: Callable[[Any], T] | None = None, units: slice = slice(None)) -> list[Sequence[T] | None]:
        """The per-indicator ``field`` (ruleset order) in the ``old`` or ``new`` year of the
        shown units ``units`` (a run of :attr:`units`, all of them by default), passed
        through ``shown`` (a pure function, applied once per distinct figure; ``None``:
        as results hold them), ``None`` for a unit not in that year's batch.  The batch's
        columns are read once and kept; a national writer asks for a run of units at a
        time, so that the rows are never all made."""
        start, stop = self._run(units)
        key = ("results", year, field)
        if key not in self._cache:
            batch = self.old if year == "old" else self.new
            self._cache[key] = batch.units.result_columns(field)
        positions = (self._old if year == "old" else self._new)[start:stop]
        present = [n for n in positions if n is not None]
        columns = [[column[n] for n in present] for column in self._cache[key]]
        if shown is not None:
            # Texts by the figure's identity: the figures stay alive in the columns kept above.
            done: dict[int, T] = self._cache.setdefault(("shown", year, field, shown), {})
            columns = [_once(column, shown, done) for column in columns]
        rows = iter(list(zip(*columns)) if columns else [()] * len(present))
        return [None if n is None else next(rows) for n in positions]

    def totals(self) -> Effects:
        """Every shown unit's change of total, data effect and target effect."""
        if "totals" not in self._cache:
            old, mid, new = (self._aligned(column, positions) for column, positions in zip(
                (b.units.column("total") for b in self._batches()), (self._in_old, self._in_mid, self._in_new)))
            self._cache["totals"] = Effects(self._shown(changes(old, new)), self._shown(data_effects(old, mid)),
                                            self._shown(target_effects(mid, new)))
        return self._cache["totals"]

    def indicator_effects(self) -> list[Effects]:
        """Per indicator (ruleset order): every shown unit's data effect and target effect
        on the points, and their change (worked out when first read: CSV needs none)."""
        if "indicators" not in self._cache:
            self._cache["indicators"] = [self.indicator_effect(n) for n in range(len(self.ruleset.indicators))]
        return self._cache["indicators"]

    def indicator_effect(self, position: int, units: slice = slice(None)) -> Effects:
        """The ``position``-th indicator's effects on the shown units ``units`` (a slice of
        :attr:`units`, all of them by default), worked out afresh: a national CSV writes
        them a piece of units at a time rather than holding millions of figures.

        :raises ValueError: for a slice with a step.
        """
        start, stop = self._run(units)
        if "points" not in self._cache:
            self._cache["points"] = [self._points(batch, positions) for batch, positions in
                                     zip(self._batches(), (self._in_old, self._in_mid, self._in_new))]
        both = slice(bisect.bisect_left(self._both, start), bisect.bisect_left(self._both, stop))
        old, mid, new = (side[position][both] for side in self._cache["points"])
        shown = functools.partial(self._shown, start=start, stop=stop)
        return Effects(_Changes(shown, old, new), shown(data_effects(old, mid)), shown(target_effects(mid, new)))

    def _run(self, units: slice) -> tuple[int, int]:
        """Where the run of shown units ``units`` starts and stops.

        :raises ValueError: for a slice with a step.
        """
        start, stop, step = units.indices(len(self.units))
        if step != 1:
            raise ValueError("the units' effects are worked out for a run of units, not a slice with a step")
        return start, max(start, stop)

    def _batches(self) -> tuple[BatchResult, BatchResult, BatchResult]:
        return self.old, self.at_old_targets, self.new

    def _points(self, batch: BatchResult, positions: list[int]) -> Sequence[Sequence[Decimal]]:
        """Per indicator, the points of the units in both years, in shown order."""
        if positions is self._in_new and self._new_in_order:
            return batch.units.result_columns("points")
        return batch.units.result_columns("points", positions)

    def _aligned(self, column: Sequence[Decimal], positions: list[int]) -> Sequence[Decimal]:
        """``column``'s figures at ``positions`` (this year's are usually all of them, in order)."""
        if positions is self._in_new and self._new_in_order:
            return column
        return list(map(column.__getitem__, positions))

    def _shown(self, figures: list[Decimal], start: int = 0, stop: int | None = None) -> list[Decimal | None]:
        """Figures of the units in both years among the shown units ``start`` to
        ``stop`` (all of them by default), spread over those shown units (``None`` for a
        unit in one year only)."""
        stop = len(self.units) if stop is None else stop
        if len(figures) == stop - start:
            return figures  # type: ignore[return-value]
        out: list[Decimal | None] = [None] * (stop - start)
        first = bisect.bisect_left(self._both, start)
        for n, figure in zip(self._both[first:first + len(figures)], figures):
            out[n - start] = figure
        return out

    # -- units -----------------------------------------------------------------------------

    def __iter__(self) -> Iterator[UnitChange]:
        """Every shown unit's change, made :data:`UNITS_PER_RUN` units at a time."""
        for start in range(0, len(self.units), UNITS_PER_RUN):
            yield from self.unit_changes(slice(start, start + UNITS_PER_RUN))

    def unit(self, name: str) -> UnitChange | None:
        """The change of the unit called ``name``, ``None`` when it is in neither year."""
        return self.unit_at(self.units.index(name)) if name in self.units else None

    def unit_at(self, position: int) -> UnitChange:
        """The ``position``-th shown unit's change, with its indicators."""
        return self.unit_changes(slice(position, position + 1))[0]

    def unit_changes(self, units: slice = slice(None)) -> list[UnitChange]:
        """The changes of the shown units ``units`` (a run of :attr:`units`, all of them
        by default), with their indicators, made from the columns of that run only."""
        start, stop = self._run(units)
        run = slice(start, stop)
        totals = self.totals()
        ids = [indicator.id for indicator in self.ruleset.indicators]
        effects = [self.indicator_effect(n, run) for n in range(len(ids))]
        places = {year: self.places(year, run) for year in ("old", "new")}
        figures = {year: list(zip(*(self.result_rows(year, field, None, run)
                                    for field in ("value", "target", "points")))) for year in ("old", "new")}
        changes = []
        for k, n in enumerate(range(start, stop)):
            olds, news = (_unit_figures(figures[year][k], len(ids)) for year in ("old", "new"))
            indicators = tuple(
                IndicatorChange(indicator=id, old=olds[i], new=news[i], change=effect.change[k],
                                data_effect=effect.data_effect[k], target_effect=effect.target_effect[k])
                for i, (id, effect) in enumerate(zip(ids, effects)))
            changes.append(UnitChange(unit=self.units[n], old=places["old"][k], new=places["new"][k],
                                      change=totals.change[n], data_effect=totals.data_effect[n],
                                      target_effect=totals.target_effect[n], indicators=indicators))
        return changes


def _units_note(old_year: int, old_names: Sequence[str], new_year: int, new_names: Sequence[str],
                new_at: dict[str, int]) -> str:
    """What to say when the two years rank other units: a rank is a place among other
    units, and a unit renamed, merged or split is two units to the comparison."""
    old_at = set(old_names)
    only_old = [name for name in old_names if name not in new_at]
    only_new = [name for name in new_names if name not in old_at]
    return _("{old_year} ranked {old_count} units and {new_year} ranks {new_count}, {only_old} only in {old_year} "
             "({old_names}) and {only_new} only in {new_year} ({new_names}): the ranks are places among other units, "
             "so their changes are not like for like, and a unit renamed, merged or split is shown as units of one "
             "year each").format(
        old_year=old_year, new_year=new_year, old_count=len(old_names), new_count=len(new_names),
        only_old=len(only_old), only_new=len(only_new), old_names=_listed(only_old), new_names=_listed(only_new))


def _listed(names: Sequence[str], shown: int = 5) -> str:
    if not names:
        return _("none")
    if len(names) > shown:
        return _("{names} and {count} more").format(names=_(", ").join(names[:shown]), count=len(names) - shown)
    return _(", ").join(names)


#: Units per run of :meth:`Comparison.__iter__`.
UNITS_PER_RUN = 500


def _unit_figures(rows: tuple[Sequence[Any] | None, ...], count: int) -> Sequence[IndicatorFigures | None]:
    """A unit's figures per indicator in one year, from its rows of values, targets and
    points; ``None`` for each of the ``count`` indicators when the unit is not in that
    year's batch."""
    values, targets, points = rows
    if values is None or targets is None or points is None:
        return [None] * count
    return [IndicatorFigures(value=v, target=t, points=p) for v, t, p in zip(values, targets, points)]


def _once(column: Sequence[Any], shown: Callable[[Any], T], done: dict[int, T]) -> list[T]:
    """``shown`` of every cell, worked out once per distinct object (``done``: the texts
    already worked out, by the object's identity)."""
    texts = []
    for cell in column:
        key = id(cell)
        if key not in done:
            done[key] = shown(cell)
        texts.append(done[key])
    return texts


# -- the two years, from files or rounds ---------------------------------------------------

def compare(ruleset: Ruleset, old: Source, new: Source, *, catalog: Catalog) -> Comparison:
    """Compare ``new`` with ``old``: each is a data file scored for its year, or a round
    recorded in an archive (compared as recorded).  ``new``'s data is scored against
    ``old``'s year's targets for the split of every change.

    :raises UsageError: for a round of another ruleset.
    """
    adjusters = catalog.adjusters(ruleset.id)
    notes = [note for source, effect in ((old, N_("data")), (new, N_("target")))
             if (note := _ruleset_note(ruleset, source, effect))]
    notices: list[Notice] = []
    if isinstance(old, RoundSource):
        old_batch, old_year = old.archive.batch(old.round, ruleset), old.year
    else:
        old_data, old_year = _bound(ruleset, old, catalog, notices)
        old_batch = score_batch(ruleset, old_data, year=old_year, adjusters=adjusters)
        notices += old_batch.notices  # units scored 0 for a missing value …
    if isinstance(new, RoundSource):
        units = new.archive.units(new.round, ruleset)
        new_batch = BatchResult(ruleset=ruleset, year=new.year, units=units)
        dataset = units.dataset(new.label)
    else:
        dataset, new_year = _bound(ruleset, new, catalog, notices)
        new_batch = score_batch(ruleset, dataset, year=new_year, adjusters=adjusters)
        notices += new_batch.notices
    at_old_targets = score_batch(ruleset, dataset, year=old_year, adjusters=adjusters)
    return Comparison(ruleset, old_batch, new_batch, at_old_targets, old_source=old.label, new_source=new.label,
                      notes=notes, notices=notices)


def _bound(ruleset: Ruleset, source: DataSource, catalog: Catalog, notices: list[Notice]) -> tuple[Dataset, int]:
    """A data file read and bound as the pipeline reads and binds it, and its year: the
    one given, else the one the data states; what was done reading it added to ``notices``.

    :raises UsageError: when no year is given and the data states none.
    """
    options = source.options
    binding = bind_options(ruleset, ignore_unknown=options.ignore_unknown, partial=options.partial,
                           units=None if options.roster is None else options.roster.name,
                           hidden=options.hidden, merged=options.merged, percent_fractions=options.percent_fractions,
                           encoding=options.encoding)
    dataset = load_dataset(ruleset, source.path, binding, catalog=catalog, encoding=options.encoding,
                           sheet=options.sheet, year=source.year)
    if source.year is None and dataset.stated_year is None:
        raise UsageError(_("give {option} for the data file {path}: it states no year (in its title, "
                         "sheet or file name), and the targets it is scored against depend on the year").format(
                option=source.option, path=source.path))
    year, said = assessment_year(ruleset, source.year, dataset, source.option)
    notices += [*dataset.notices, *([said] if said else [])]
    return dataset, year


def _ruleset_note(ruleset: Ruleset, source: Source, effect: str) -> str | None:
    """What to say of a round scored with another version of the ruleset file: it is
    compared as recorded, so the change of the rules falls into one of the effects."""
    if not isinstance(source, RoundSource):
        return None
    if source.round.ruleset != ruleset.id:
        raise UsageError(_("{label} is a round of ruleset '{ruleset}', not '{id}'").format(
                label=source.label, ruleset=source.round.ruleset, id=ruleset.id))
    if source.round.ruleset_sha256 == ruleset_sha256(ruleset):
        return None
    return _("round {year} in {archive} was scored with another version of the ruleset file of '{id}'; it is "
             "compared as recorded, so the {effect} effect includes the change of the rules").format(
        year=source.year, archive=source.archive.path, id=ruleset.id, effect=_(effect))
