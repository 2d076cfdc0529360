"""A batch to ask questions of: a ruleset, the data bound to it once, the year.

What-if and robustness re-score the same data many times with one thing changed, so
they start from a bound :class:`~qscore.reading.binding.Dataset` and call the engine
(:func:`qscore.scoring.engine.score_batch`) on it, never reading the file again.
"""

from __future__ import annotations

from collections.abc import Sequence

import attrs

from qscore.errors import UsageError
from qscore.i18n import _
from qscore.limits import DEFAULT as DEFAULT_LIMITS, Limits
from qscore.model import BatchResult, HiddenPolicy, Indicator, MergedPolicy, Ruleset, UnitResult
from qscore.pipeline import DataFiles, RosterLike, RulesetLike, assessment_year, bind_options, load_dataset, load_ruleset
from qscore.plugins.manager import Catalog, load_plugins
from qscore.reading.binding import Dataset
from qscore.cells import EXEMPT
from qscore.scoring.adjusters import Adjuster
from qscore.scoring.engine import Column, assessed_year, explain_one, score_batch, score_indicator


@attrs.frozen
class Case:
    """A ruleset with data bound to it, ready to be scored again and again.

    :param ruleset: the ruleset.
    :param dataset: the data bound to it (:func:`qscore.reading.binding.bind`).
    :param year: the assessment year (``None``: the plan's horizon year).
    :param adjusters: the plug-in adjusters registered for the ruleset.
    """

    ruleset: Ruleset
    dataset: Dataset
    year: int | None = None
    adjusters: tuple[Adjuster, ...] = ()
    #: The indicators' columns scored from :attr:`dataset`, kept for the variants.
    _columns: dict[str, Column] = attrs.field(factory=dict, init=False, eq=False, repr=False)

    def score(self, dataset: Dataset | None = None) -> BatchResult:
        """The batch scored, ranked and classified by the engine (``dataset``: other
        values for the same units)."""
        if dataset is not None:
            return score_batch(self.ruleset, dataset, year=self.year, adjusters=self.adjusters)
        return score_batch(self.ruleset, self.dataset, year=self.year, adjusters=self.adjusters,
                           scored={i.id: self._column(i) for i in self.ruleset.indicators})

    def score_changed(self, unit: int, values: dict[str, object]) -> BatchResult:
        """:meth:`score` of :meth:`with_values`: the batch with the unit at position
        ``unit`` given other values (indicator id → value).  Only those indicators are
        scored again; every other column is this case's own, scored once and kept."""
        kept = {i.id: self._column(i) for i in self.ruleset.indicators if i.id not in values}
        return score_batch(self.ruleset, self.with_values(unit, values), year=self.year, adjusters=self.adjusters,
                           scored=kept)

    def _column(self, indicator: Indicator) -> Column:
        if indicator.id not in self._columns:
            year = assessed_year(self.ruleset, self.year)
            self._columns[indicator.id] = score_indicator(self.ruleset, indicator, self.dataset, year, False)
        return self._columns[indicator.id]

    def explained(self, batch: BatchResult, unit: str) -> UnitResult:
        """The unit's result in ``batch`` (this case scored), each indicator with its
        explanation, worked out for that unit alone."""
        result = batch.unit(unit)
        assert result is not None
        texts = explain_one(self.ruleset, self.dataset, batch.year, self.unit_index(unit))
        indicators = tuple(attrs.evolve(r, explanation=text) for r, text in zip(result.indicators, texts))
        return attrs.evolve(result, indicators=indicators)

    def unit_index(self, unit: str) -> int:
        """The position of the unit called ``unit`` in the data.

        :raises UsageError: when there is no such unit.
        """
        try:
            return self.dataset.units.index(unit.strip())
        except ValueError:
            raise UsageError(_("no unit '{unit}' in {file}").format(
                    unit=unit, file=self.dataset.file)) from None

    def with_values(self, unit: int, values: dict[str, object]) -> Dataset:
        """The data with the unit at position ``unit`` given other values (indicator id →
        value); every other cell as it is."""
        columns = dict(self.dataset.values)
        for indicator, value in values.items():
            column = list(columns[indicator])
            column[unit] = value  # type: ignore[call-overload]
            columns[indicator] = column
        # Binding's codes say which units share a cell; a changed column has none.
        codes = {key: coded for key, coded in self.dataset.codes.items() if key not in values}
        return attrs.evolve(self.dataset, values=columns, codes=codes)


def load_case(ruleset: RulesetLike, data: DataFiles, *, year: int | None = None, catalog: Catalog | None = None,
              ignore_unknown: bool = False, encoding: str | None = None, sheet: str | None = None,
              limits: Limits = DEFAULT_LIMITS, partial: bool = False, units: RosterLike | None = None,
              hidden: HiddenPolicy = "refuse", merged: MergedPolicy = "refuse",
              percent_fractions: bool = False) -> Case:
    """Read and bind ``data`` once, as :func:`qscore.score` does (with its options, and
    its choice of the year when none is given), for what-if and robustness questions.
    The dataset's notices end with the one saying which year was chosen.

    :param ruleset: an installed ruleset id, a ``.toml`` path, or a :class:`Ruleset`.
    :param data: a data file or a :class:`~qscore.reading.table.RawTable`, or several
        submissions to merge (:func:`qscore.pipeline.collect`).
    :param year: the assessment year (default: as :func:`qscore.score` chooses it).
    :param catalog: the plug-ins to use (default: :func:`qscore.load_plugins`).
    :param limits: how much reading may take on (:class:`qscore.limits.Limits`).
    """
    catalog = catalog or load_plugins()
    loaded = load_ruleset(ruleset, catalog=catalog)
    options = bind_options(loaded, ignore_unknown=ignore_unknown, partial=partial, units=units, hidden=hidden,
                           merged=merged, percent_fractions=percent_fractions, encoding=encoding)
    dataset = load_dataset(loaded, data, options, catalog=catalog, encoding=encoding, sheet=sheet, limits=limits,
                           year=year)
    year, said = assessment_year(loaded, year, dataset)
    if said is not None:
        dataset = attrs.evolve(dataset, notices=(*dataset.notices, said))
    return Case(ruleset=loaded, dataset=dataset, year=year, adjusters=tuple(catalog.adjusters(loaded.id)))


def present(values: Sequence[object]) -> list[object]:
    """The values that are there: neither missing nor exempt."""
    return [value for value in values if value is not None and value is not EXEMPT]
