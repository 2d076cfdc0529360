"""The way data takes through qscore, as one public function: read → bind → score → rank.

``qscore.score(ruleset, data)`` is what ``qscore rank`` and ``qscore explain`` run, what
the plug-in test kit and the worked-example checker run, and what a notebook calls::

    import qscore

    batch = qscore.score("shizhu-township", "townships-2025.csv", year=2025)
    for unit in batch.units:
        print(unit.rank, unit.unit, unit.total, unit.tier)
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import attrs

from qscore.collect.forms import SOURCES_SHEET, described, foreign_values, own_notice, own_workbook
from qscore.errors import DataError, DataProblem, PluginError, UsageError
from qscore.i18n import _, os_reason
from qscore.limits import DEFAULT as DEFAULT_LIMITS, Limits, check_table
from qscore.model import BatchResult, HiddenPolicy, MergedPolicy, Notice, Roster, Ruleset, ScoringOptions, SourceFile
from qscore.plugins.manager import BUILTIN, Catalog, load_plugins
from qscore.provenance import file_sha256, provenance_of
from qscore.reading.binding import BindOptions, Dataset, bind, unit_headers
from qscore.reading.layout import LayoutOptions, StatedYear
from qscore.reading.roster import read_roster
from qscore.reading.table import RawTable, ReadOptions
from qscore.scoring.engine import score_batch

if TYPE_CHECKING:
    from qscore.collect.merge import Collection

#: A ruleset as callers name it: an installed id, a ``.toml`` path, or the object itself.
RulesetLike = str | os.PathLike[str] | Ruleset
#: Data as callers give it: a file's path, or a table already read.
DataLike = str | os.PathLike[str] | RawTable
#: One data file, or several submissions to merge first.
DataFiles = DataLike | Sequence[DataLike]
#: A unit roster as callers give it: a :class:`Roster`, a roster file, or the names.
RosterLike = Roster | str | os.PathLike[str] | Sequence[str]
#: How a result names a roster given in code (names or a :class:`Roster`) rather than a file.
ROSTER_IN_CODE = "<given in code>"


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
    :param sheet: the workbook sheet to read (default: the active sheet, when visible).
    :param limits: how much reading may take on (:class:`qscore.limits.Limits`).
    :raises UsageError: for a missing file, a suffix no reader takes, an unknown sheet, or
        a sheet named for a file that has none.
    :raises DataError: for a file that cannot be read or is beyond a limit, naming it.
    """
    if not isinstance(data, RawTable):
        path = Path(data)
        if not is_file(path):
            raise UsageError(_("no such file: {path}").format(path=path))
        reader = (catalog or load_plugins()).reader_for(path)
        data = reader.read(path, ReadOptions(encoding=encoding, sheet=sheet, limits=limits))
        if reader.plugin != BUILTIN:
            _check_plugin_table(data, reader.name, reader.plugin, path)
    check_table(data.file, data.header, data.rows, data.row_numbers, data.header_row, limits)
    return data


def _check_plugin_table(table: object, name: str, plugin: str, path: Path) -> None:
    """Make sure a plug-in's reader gave a :class:`RawTable` of strings, one row number
    a row: anything else would fail far from its cause, naming nothing.

    :raises PluginError: naming the plug-in, the reader, the file and what it gave.
    """
    what = None
    if not isinstance(table, RawTable):
        what = type(table).__name__
    elif not all(isinstance(cell, str) for cell in table.header):
        what = _("a header that is not all strings")
    elif len(table.row_numbers) != len(table.rows):
        what = _("{rows} rows with {numbers} row numbers").format(rows=len(table.rows),
                                                                 numbers=len(table.row_numbers))
    else:
        for row, cells in zip(table.row_numbers, table.rows):
            odd = [cell for cell in cells if not isinstance(cell, str)]
            if odd:
                what = _("the cell {cell!r} ({kind}) in row {row}").format(cell=odd[0], kind=type(odd[0]).__name__,
                                                                            row=row)
                break
    if what is not None:
        raise PluginError(_("its reader '{name}' gave {what} for {file}; a reader gives a qscore.RawTable whose "
                            "header and cells are strings, as the file shows them").format(
            name=name, what=what, file=path), plugin=plugin)


def is_file(path: Path) -> bool:
    """Whether ``path`` is a file; a file in a folder qscore may not read is refused.

    :raises DataError: when the folder cannot be searched (permission denied).
    """
    try:
        return path.is_file()
    except OSError as exc:
        raise DataError(_("cannot read the file: {value}").format(
                value=os_reason(exc)), file=str(path)) from None


def score(ruleset: RulesetLike, data: DataFiles, *, year: int | None = None, explain: bool = False,
          catalog: Catalog | None = None, ignore_unknown: bool = False, encoding: str | None = None,
          sheet: str | None = None, progress: Callable[[int], None] | None = None, partial: bool = False,
          units: RosterLike | None = None, hidden: HiddenPolicy = "refuse", merged: MergedPolicy = "refuse",
          percent_fractions: bool = False, limits: Limits = DEFAULT_LIMITS) -> BatchResult:
    """Score, total, rank and classify every unit of ``data`` against ``ruleset``.

    What was done with the data that the examiner must know (title, summary and note
    rows skipped, the year chosen …) is in ``batch.notices``.

    :param ruleset: an installed ruleset id, a ``.toml`` path, or a :class:`Ruleset`.
    :param data: a data file (CSV, XLSX, XLS, JSON or a plug-in's format) or a :class:`RawTable`;
        or several submissions (a list of them), merged first as :func:`collect` merges
        them, each value's source then in ``batch.sources``.
    :param year: the assessment year (default: the year the sheet's title, the sheet name
        or the file name states, else the ruleset's ``default_year``, else its horizon year).
    :param explain: build each indicator's explanation text (for ``explain``, JSON, XLSX).
    :param catalog: the plug-ins to use (default: :func:`load_plugins`).
    :param ignore_unknown: skip columns that name nothing in the ruleset (never one that
        comes close to a name it has).
    :param encoding: force the text encoding of a CSV or JSON file.
    :param sheet: the workbook sheet to read (default: the active sheet, when visible).
    :param progress: called with a number of steps done, :func:`steps` in all.
    :param partial: the data need not hold every unit of the roster; units off the
        roster are notices, not errors.
    :param units: the roster to check the units against instead of the ruleset's: a
        :class:`Roster`, a file with one name per line, or the names.
    :param hidden: rows and columns hidden in a workbook that hold data: ``refuse``,
        ``skip`` or ``read``.
    :param merged: merged cells in a workbook's data: ``refuse``, or ``fill`` each cell
        of a range with its first cell's value.
    :param percent_fractions: accept a percent column written as fractions (0.975 for
        97.5%) and multiply it by 100.
    :param limits: how much reading may take on (:class:`qscore.limits.Limits`; the
        defaults are far above any examiner's file).
    :return: the ranked batch: ``batch.units`` in rank order, each with ``unit``,
        ``total``, ``rank``, ``tier``, ``vetoed``, ``gap_to_next`` and ``indicators``;
        for data read from a file, ``batch.provenance`` names the ruleset and the file
        by their SHA-256 (:class:`qscore.model.Provenance`).
    :raises UsageError: for a year outside the plan, and as :func:`read_table` does.
    :raises DataError: carrying every problem of the data, each located.
    """
    catalog = catalog or load_plugins()
    given = ruleset
    ruleset = load_ruleset(ruleset, catalog=catalog)
    if year is not None:
        check_year(ruleset, year)
    options = bind_options(ruleset, ignore_unknown=ignore_unknown, partial=partial, units=units, hidden=hidden,
                           merged=merged, percent_fractions=percent_fractions, encoding=encoding)
    dataset = load_dataset(ruleset, data, options, catalog=catalog, encoding=encoding, sheet=sheet, limits=limits,
                           year=year, progress=progress)
    given_year = year
    year, said = assessment_year(ruleset, year, dataset)
    batch = score_batch(ruleset, dataset, year=year, explain=explain, adjusters=catalog.adjusters(ruleset.id),
                        progress=progress)
    batch = attrs.evolve(batch, notices=(*dataset.notices, *([said] if said else []), *batch.notices),
                         sources=dataset.sources)
    files = data_files(data)
    if any(isinstance(file, RawTable) for file in files):
        return batch  # read before: no file to name
    reading = ScoringOptions(year=given_year, encoding=encoding, sheet=sheet, ignore_unknown=ignore_unknown,
                             partial=partial, roster=_roster_file(units), hidden=hidden, merged=merged,
                             percent_fractions=percent_fractions)
    return attrs.evolve(batch, provenance=provenance_of(batch, [f for f in files if not isinstance(f, RawTable)],
                                                        reading, ruleset_file=_ruleset_file(given, ruleset, catalog)))


def load_dataset(ruleset: Ruleset, data: DataFiles, options: BindOptions, *, catalog: Catalog,
                 encoding: str | None = None, sheet: str | None = None, limits: Limits = DEFAULT_LIMITS,
                 year: int | None = None, progress: Callable[[int], None] | None = None) -> Dataset:
    """``data`` read and bound to ``ruleset`` (:func:`score`'s first half): one file as
    it is, several merged (:func:`collect`), the units of all of them checked against the
    roster as one batch.  A form or merged workbook qscore made is read as its own
    (:func:`read_submission`)."""
    files = data_files(data)
    if len(files) == 1:
        table = read_table(files[0], catalog=catalog, encoding=encoding, sheet=sheet, limits=limits)
        if progress is not None:
            progress(1)
        dataset = read_submission(table, ruleset, options, catalog=catalog, limits=limits)
        del table  # the cells' text is no longer needed: free it before scoring
        if progress is not None:
            progress(1)
        return dataset
    collection = collect(ruleset, files, options, catalog=catalog, encoding=encoding, sheet=sheet, limits=limits,
                         year=year)
    if progress is not None:
        progress(2)
    dataset = collection.dataset
    if collection.missing:
        from qscore.collect.workbook import missing_notice

        dataset = attrs.evolve(dataset, notices=(*dataset.notices, missing_notice(collection.missing, dataset.file,
                                                                                  _("none of the files gives"))))
    return dataset


def data_files(data: DataFiles) -> list[DataLike]:
    """The files ``data`` names: itself, or each of a list.

    :raises UsageError: for an empty list, or a file listed twice.
    """
    if isinstance(data, (str, os.PathLike, RawTable)):
        return [data]
    files = list(data)
    if not files:
        raise UsageError(_("no data file given"))
    seen: set[str] = set()
    for file in files:
        if isinstance(file, RawTable):
            continue
        real = os.path.realpath(file)
        if real in seen:
            raise UsageError(_("{file} is given twice; give each submission once").format(
                    file=os.fspath(file)))
        seen.add(real)
    return files


def collect(ruleset: Ruleset, files: Sequence[DataLike], options: BindOptions, *, catalog: Catalog,
            encoding: str | None = None, sheet: str | None = None, limits: Limits = DEFAULT_LIMITS,
            year: int | None = None, keep_absent: bool = False) -> Collection:
    """Merge submissions into one dataset (:func:`qscore.collect.merge.merge`), each read
    and bound as one data file is (:func:`read_submission`), with some of the columns
    and some of the units, each value's cell kept.

    :param options: the binding options the command was given (its roster and
        ``partial`` apply to the units of all the files together).
    :param year: the assessment year (default: the one the files state …, as
        :func:`assessment_year` chooses): which ``@`` figures the form asks for.
    :param keep_absent: roster units in no file get an empty row (and are on the
        checklist) instead of being refused (``qscore merge``).
    :raises DataError: carrying every problem of every file (up to 50), then every
        conflict between files.
    """
    from qscore.collect.merge import merge, stated_year

    each = attrs.evolve(options, partial=True, complete=False, sources=True)
    submissions: list[Dataset] = []
    problems: list[DataProblem] = []
    found = 0
    for file in files:
        try:
            table = read_table(file, catalog=catalog, encoding=encoding, sheet=sheet, limits=limits)
            submissions.append(read_submission(table, ruleset, each, catalog=catalog, limits=limits))
        except DataError as exc:
            problems += exc.problems
            found += exc.found
    if problems:
        raise DataError(problems=problems[:50], found=found)
    chosen, _ = choose_year(ruleset, year, stated_year(submissions), described([s.file for s in submissions]), None)
    return merge(ruleset, submissions, year=chosen, roster=options.roster, partial=options.partial,
                 keep_absent=keep_absent)


def read_submission(table: RawTable, ruleset: Ruleset, options: BindOptions, *, catalog: Catalog,
                    limits: Limits = DEFAULT_LIMITS) -> Dataset:
    """``table`` bound to ``ruleset``; a form or merged workbook qscore made (by its
    title, :func:`qscore.collect.forms.own_workbook`) is read as its own: no notice of
    its title row and sheets, a merged workbook's sources read from its 来源 sheet.  Its
    year is the one its title states (scored for another only as ``--year`` says, with
    a notice, as for any title).

    :raises DataError: as :func:`bind` does.
    """
    own = own_workbook(table, ruleset)
    if own is None:
        return bind(table, ruleset, options=options)
    dataset = bind(table, ruleset, options=attrs.evolve(options, sources=options.sources or own.kind == "merged"))
    dataset = attrs.evolve(dataset, notices=tuple(n for n in dataset.notices
                                                  if not (n.file == table.file and own_notice(n.kind, n.row, table, own))))
    if own.kind == "form" and own.lead:
        dataset = attrs.evolve(dataset, notices=dataset.notices + foreign_values(dataset, ruleset, own.lead))
    if own.kind == "merged":
        recorded = None
        if table.sheet is not None and SOURCES_SHEET in {name.split(" (")[0] for name in table.sheets}:
            recorded = read_table(table.file, catalog=catalog, sheet=SOURCES_SHEET, limits=limits)
        from qscore.collect.workbook import merged_workbook

        dataset = merged_workbook(dataset, recorded, ruleset, own.year)
    return dataset


def _ruleset_file(given: RulesetLike, ruleset: Ruleset, catalog: Catalog) -> str | None:
    """The ruleset file a result names: the file the ruleset was loaded from, unless it
    is an installed one (found again by its id, wherever it is installed)."""
    if ruleset.file is None:
        return None
    if isinstance(given, Ruleset):
        return None if catalog.is_installed(ruleset) else ruleset.file
    return ruleset.file if ruleset.file == str(Path(given)) else None


def _roster_file(units: RosterLike | None) -> SourceFile | None:
    """The roster given instead of the ruleset's, as a result names it: a file by its
    SHA-256; names given in code by the SHA-256 of the names, one a line."""
    if units is None:
        return None
    if isinstance(units, (str, os.PathLike)):
        return SourceFile(name=str(units), sha256=file_sha256(units))
    names = units.units if isinstance(units, Roster) else tuple(units)
    return SourceFile(name=ROSTER_IN_CODE, sha256=hashlib.sha256("\n".join(names).encode("utf-8")).hexdigest())


def bind_options(ruleset: Ruleset, *, ignore_unknown: bool = False, partial: bool = False,
                 units: RosterLike | None = None, hidden: HiddenPolicy = "refuse", merged: MergedPolicy = "refuse",
                 percent_fractions: bool = False, encoding: str | None = None) -> BindOptions:
    """The binding options :func:`score`'s arguments stand for (a roster file read)."""
    return BindOptions(ignore_unknown=ignore_unknown, partial=partial, roster=roster(units, ruleset, encoding),
                       percent_fractions=percent_fractions, layout=LayoutOptions(hidden=hidden, merged=merged))


def roster(units: RosterLike | None, ruleset: Ruleset, encoding: str | None = None) -> Roster | None:
    """The roster ``units`` gives (``None``: the ruleset's own)."""
    if units is None or isinstance(units, Roster):
        return units
    if isinstance(units, (str, os.PathLike)):
        path = Path(units)
        if not path.is_file():
            raise UsageError(_("no such roster file: {path}").format(path=path))
        return read_roster(path, headers=unit_headers(ruleset), encoding=encoding)
    return Roster(units=tuple(units), source=_("the names given"))


def check_year(ruleset: Ruleset, year: int) -> None:
    """Refuse an assessment year outside the plan (base year to horizon year).

    :raises UsageError: naming the plan's years.
    """
    if not ruleset.base_year <= year <= ruleset.horizon_year:
        raise UsageError(_("{year} is outside the plan ({base_year} → {horizon_year}); "
                         "give a year of the plan").format(
                year=year, base_year=ruleset.base_year, horizon_year=ruleset.horizon_year))


def assessment_year(ruleset: Ruleset, year: int | None, dataset: Dataset,
                    option: str = "--year") -> tuple[int, Notice | None]:
    """The year to score for, and a notice saying where it came from: ``year`` when given
    (a notice only when the data states another), else the year the data states (its
    title, sheet or file name), else the ruleset's ``default_year``, else the horizon year.
    ``option`` is the command's option that gives the year, as the notices name it.

    :raises DataError: when the data names several years, or one outside the plan.
    """
    return choose_year(ruleset, year, dataset.stated_year, dataset.file, dataset.sheet, option)


def choose_year(ruleset: Ruleset, year: int | None, stated: StatedYear | None, file: str,
                sheet: str | None, option: str = "--year") -> tuple[int, Notice | None]:
    """:func:`assessment_year` for data that states ``stated``, read from ``file``."""
    if year is not None:
        if stated is not None and stated.year is not None and stated.year != year:
            return year, Notice("year", _("scored for {year}, as {option} says, though {source} says "
                                        "{stated_year}").format(
                    year=year, option=option, source=stated.source, stated_year=stated.year), file=file)
        if stated is not None and stated.year is None:
            return year, Notice("year", _("scored for {year}, as {option} says, though {source} names the years "
                                        "{years}").format(
                    year=year, option=option, source=stated.source, years=_(", ").join(map(str, stated.years))), file=file)
        return year, None
    if stated is not None:
        if stated.year is None:
            raise DataError(_("{source} names the years {years}; give {option} "
                            "with the assessment year").format(
                    option=option, source=stated.source, years=_(", ").join(map(str, stated.years))), file=file, sheet=sheet)
        if not ruleset.base_year <= stated.year <= ruleset.horizon_year:
            raise DataError(_("{source} says {year}, outside the plan ({base_year} → "
                            "{horizon_year}); give {option} if the file is for a year of the plan").format(
                    option=option, source=stated.source, year=stated.year, base_year=ruleset.base_year,
                    horizon_year=ruleset.horizon_year), file=file,
                            sheet=sheet)
        return stated.year, Notice("year", _("assessment year {year}, as {source} says (give {option} "
                                           "to score for another)").format(
                option=option, year=stated.year, source=stated.source), file=file)
    if ruleset.default_year is not None:
        return ruleset.default_year, Notice("year", _("assessment year {default_year}: the ruleset's default "
                                                    "year, as neither {option} nor the data names one").format(
                default_year=ruleset.default_year, option=option), file=file)
    return ruleset.horizon_year, Notice("year", _("assessment year {horizon_year}: the plan's horizon year, as "
                                                "neither {option}, the data nor the ruleset names one").format(
            horizon_year=ruleset.horizon_year, option=option), file=file)


def steps(ruleset: Ruleset) -> int:
    """How many steps :func:`score` reports to ``progress``: reading, binding, and one
    per indicator."""
    return len(ruleset.indicators) + 2
