"""The way data takes through qscore, as one public function: read → bind → score → rank.

``qscore.score(ruleset, data)`` is what ``qscore rank`` and ``qscore explain`` run, what
the plug-in test kit and the worked-example checker run, and what a notebook calls::

    import qscore

    batch = qscore.score("shizhu-township", "townships-2025.csv", year=2025)
    for unit in batch.units:
        print(unit.rank, unit.unit, unit.total, unit.tier)
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import attrs

from qscore.errors import DataError, UsageError
from qscore.limits import DEFAULT as DEFAULT_LIMITS, Limits, check_table
from qscore.model import BatchResult, Ruleset
from qscore.plugins.manager import Catalog, load_plugins
from qscore.provenance import ScoringOptions, provenance_of
from qscore.reading.binding import bind
from qscore.reading.table import RawTable, ReadOptions
from qscore.scoring.engine import score_batch

#: A ruleset as callers name it: an installed id, a ``.toml`` path, or the object itself.
RulesetLike = str | os.PathLike[str] | Ruleset
#: Data as callers give it: a file's path, or a table already read.
DataLike = str | os.PathLike[str] | RawTable


def load_ruleset(ruleset: RulesetLike, *, catalog: Catalog | None = None) -> Ruleset:
    """The ruleset with this installed id, or in this ``.toml`` file.

    :param catalog: the plug-ins to look in (default: :func:`load_plugins`, the built-ins
        and the installed plug-ins ``QSCORE_LOAD_PLUGINS`` allows).
    :raises UsageError: for an id that is not installed and no such file.
    :raises RulesetError: for a file that does not load, naming file, table and field.
    """
    if isinstance(ruleset, Ruleset):
        return ruleset
    return (catalog or load_plugins()).ruleset(ruleset)


def read_table(data: DataLike, *, catalog: Catalog | None = None, encoding: str | None = None,
               sheet: str | None = None, limits: Limits = DEFAULT_LIMITS) -> RawTable:
    """A data file as the :class:`RawTable` its reader (chosen by suffix) makes of it,
    its headers and cells within ``limits``.

    :param encoding: force a CSV or JSON file's text encoding (default: detected).
    :param sheet: the workbook sheet to read (default: the first).
    :param limits: how much reading may take on (:class:`qscore.limits.Limits`).
    :raises UsageError: for a missing file, a suffix no reader takes or an unknown sheet.
    :raises DataError: for a file that cannot be read or is beyond a limit, naming it.
    """
    if not isinstance(data, RawTable):
        path = Path(data)
        if not is_file(path):
            raise UsageError(f"no such file: {path}")
        reader = (catalog or load_plugins()).reader_for(path)
        data = reader.read(path, ReadOptions(encoding=encoding, sheet=sheet, limits=limits))
    check_table(data.file, data.header, data.rows, data.row_numbers, data.header_row, limits)
    return data


def is_file(path: Path) -> bool:
    """Whether ``path`` is a file; a file in a folder qscore may not read is refused.

    :raises DataError: when the folder cannot be searched (permission denied).
    """
    try:
        return path.is_file()
    except OSError as exc:
        raise DataError(f"cannot read the file: {exc.strerror or exc}", file=str(path)) from None


def score(ruleset: RulesetLike, data: DataLike, *, year: int | None = None, explain: bool = False,
          catalog: Catalog | None = None, ignore_unknown: bool = False, encoding: str | None = None,
          sheet: str | None = None, progress: Callable[[int], None] | None = None,
          limits: Limits = DEFAULT_LIMITS) -> BatchResult:
    """Score, total, rank and classify every unit of ``data`` against ``ruleset``.

    :param ruleset: an installed ruleset id, a ``.toml`` path, or a :class:`Ruleset`.
    :param data: a data file (CSV, XLSX, JSON or a plug-in's format) or a :class:`RawTable`.
    :param year: the assessment year (default: the plan's horizon year).
    :param explain: build each indicator's explanation text (for ``explain``, JSON, XLSX).
    :param catalog: the plug-ins to use (default: :func:`load_plugins`).
    :param ignore_unknown: skip columns that name nothing in the ruleset.
    :param encoding: force the text encoding of a CSV or JSON file.
    :param sheet: the workbook sheet to read.
    :param progress: called with a number of steps done, :func:`steps` in all.
    :param limits: how much reading may take on (:class:`qscore.limits.Limits`; the
        defaults are far above any examiner's file).
    :return: the ranked batch: ``batch.units`` in rank order, each with ``unit``,
        ``total``, ``rank``, ``tier``, ``vetoed``, ``gap_to_next`` and ``indicators``;
        for data read from a file, ``batch.provenance`` names the ruleset and the file
        by their SHA-256 (:class:`qscore.provenance.Provenance`).
    """
    catalog = catalog or load_plugins()
    given = ruleset
    ruleset = load_ruleset(ruleset, catalog=catalog)
    table = read_table(data, catalog=catalog, encoding=encoding, sheet=sheet, limits=limits)
    if progress is not None:
        progress(1)
    dataset = bind(table, ruleset, ignore_unknown=ignore_unknown)
    del table  # the cells' text is no longer needed: free it before scoring
    if progress is not None:
        progress(1)
    batch = score_batch(ruleset, dataset, year=year, explain=explain, adjusters=catalog.adjusters(ruleset.id),
                        progress=progress)
    if isinstance(data, RawTable):
        return batch  # read before: no file to name
    options = ScoringOptions(encoding=encoding, sheet=sheet, ignore_unknown=ignore_unknown)
    return attrs.evolve(batch, provenance=provenance_of(batch, [data], options,
                                                        ruleset_file=_ruleset_file(given, ruleset, catalog)))


def _ruleset_file(given: RulesetLike, ruleset: Ruleset, catalog: Catalog) -> str | None:
    """The ruleset file a result names: the file the ruleset was loaded from, unless it
    is an installed one (found again by its id, wherever it is installed)."""
    if ruleset.file is None:
        return None
    if isinstance(given, Ruleset):
        entry = catalog.rulesets.get(ruleset.id)
        return None if entry is not None and entry.ruleset is ruleset else ruleset.file
    return ruleset.file if ruleset.file == str(Path(given)) else None


def steps(ruleset: Ruleset) -> int:
    """How many steps :func:`score` reports to ``progress``: reading, binding, and one
    per indicator."""
    return len(ruleset.indicators) + 2
