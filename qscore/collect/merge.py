"""Submissions merged into one dataset: one file per township, one per department with
its own columns, or several partial files.

Each submission arrives bound (:func:`qscore.pipeline.collect` reads it as one data file
is read, keeping each value's cell); :func:`merge` combines them:

- the same unit × column given twice is fine when the values are equal, and an error
  naming both files and cells when they differ;
- each value keeps its :class:`~qscore.model.Source`;
- the units are checked against the roster once, across every file;
- what the form asks for and no file gave is the checklist of what is still missing
  (:class:`Missing`), by unit and by lead department: whom to call.
"""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from decimal import Decimal

import attrs

from qscore.errors import DataProblem, DataProblems
from qscore.i18n import _
from qscore.model import Notice, Roster, Ruleset, Source
from qscore.reading.binding import Cell, Dataset
from qscore.cells import normalise
from qscore.reading.layout import StatedYear
from qscore.collect.forms import FormColumn, described, form_columns, header, shown_value, same_value

ZERO = Decimal(0)


@attrs.frozen
class Missing:
    """One thing the form asks for that no submission gave.

    :param unit: the unit.
    :param column: the form's column.
    """

    unit: str
    column: FormColumn


@attrs.frozen
class Collection:
    """Submissions merged.

    :param dataset: one dataset with every unit and column, each value's source in
        ``dataset.sources``.
    :param columns: the merged table's columns: the form's (an item's only when a
        submission has it), and any other ``@`` figure a submission gave (a unit's own 基期).
    :param missing: what is still missing, unit by unit in roster order.
    :param files: the submissions, in the order given.
    """

    dataset: Dataset
    columns: tuple[FormColumn, ...]
    missing: tuple[Missing, ...]
    files: tuple[str, ...]

    def by_lead(self) -> list[tuple[str, FormColumn, list[str]]]:
        """The checklist by lead department: ``(lead, column, units)``, in the order of
        the form's columns; items (which no department leads) under ``""``."""
        grouped: dict[str, dict[str, tuple[FormColumn, list[str]]]] = {}
        order = {column.key: n for n, column in enumerate(self.columns)}
        for entry in sorted(self.missing, key=lambda m: order.get(m.column.key, len(order))):
            slot = grouped.setdefault(entry.column.lead, {}).setdefault(entry.column.key, (entry.column, []))
            slot[1].append(entry.unit)
        return [(lead, column, units) for lead, columns in grouped.items() for column, units in columns.values()]

    def by_unit(self) -> list[tuple[str, list[FormColumn]]]:
        """The checklist by unit: ``(unit, columns)``, in the data's unit order."""
        grouped: dict[str, list[FormColumn]] = {}
        for entry in self.missing:
            grouped.setdefault(entry.unit, []).append(entry.column)
        return list(grouped.items())


def merge(ruleset: Ruleset, submissions: Sequence[Dataset], *, year: int, roster: Roster | None = None,
          partial: bool = False, keep_absent: bool = False) -> Collection:
    """Merge bound submissions (each bound with sources, some columns and some units).

    :param year: the assessment year: which ``@`` figures the form asks for.
    :param roster: the units to check against (default: the ruleset's).
    :param partial: units off the roster are notices, and roster units in no file are
        left out (without ``keep_absent``), not errors.
    :param keep_absent: give roster units that no file names an empty row each (``qscore
        merge``: they are on the checklist), rather than refusing them.
    :raises DataError: carrying every conflict and roster problem.
    """
    problems = DataProblems()
    merger = _Merger(ruleset, submissions, problems, year)
    merger.combine()
    units = merger.units_in_order(roster or ruleset.roster, partial=partial, keep_absent=keep_absent)
    problems.raise_any()
    columns = merger.columns()
    dataset = merger.dataset(units, columns)
    return Collection(dataset=dataset, columns=columns, missing=missing_values(ruleset, dataset, year),
                      files=tuple(data.file for data in submissions))


def missing_values(ruleset: Ruleset, dataset: Dataset, year: int) -> tuple[Missing, ...]:
    """What the form for ``year`` asks of each unit of ``dataset`` and no cell gave: a
    value or figure without a source; an item (bonus, deduction, veto) only when no
    submission has its column at all: a list of deductions names the units that had one,
    and an empty cell says none happened.
    """
    sources = dataset.sources or {}
    columns = form_columns(ruleset, year)
    return tuple(Missing(unit, column) for unit in dataset.units for column in columns
                 if column.applies(unit) and (unit, column.key) not in sources
                 and not (column.kind == "item" and column.key in dataset.items))


def stated_year(submissions: Sequence[Dataset]) -> StatedYear | None:
    """The year the submissions state, when they agree (several years: none of them)."""
    stated = [(data.file, data.stated_year) for data in submissions if data.stated_year is not None]
    if not stated:
        return None
    years = sorted({year for _, said in stated for year in (said.years or (said.year,)) if year is not None})
    file, first = stated[0]
    if len(years) == 1:
        if len(stated) > 1:
            return StatedYear(years[0], _("{source} in {file} and {count} more file(s)").format(
                source=first.source, file=file, count=len(stated) - 1))
        return StatedYear(years[0], _("{source} in {file}").format(source=first.source, file=file))
    listing = _(", ").join(_("{file} {year}").format(file=file, year=said.year or "/".join(map(str, said.years)))
                           for file, said in stated)
    return StatedYear(None, _("the data ({listing})").format(listing=listing), tuple(years))


class _Merger:
    def __init__(self, ruleset: Ruleset, submissions: Sequence[Dataset], problems: DataProblems, year: int) -> None:
        self.ruleset, self.submissions, self.problems, self.year = ruleset, submissions, problems, year
        self.values: dict[tuple[str, str], Cell] = {}
        self.sources: dict[tuple[str, str], Source] = {}
        self.seen: dict[str, tuple[Dataset, int]] = {}  # unit → the first file naming it, and its row there
        self.figures: list[tuple[str, str]] = []
        self.notices: list[Notice] = []
        self.headers = {column.key: column for column in form_columns(ruleset, year)}

    def combine(self) -> None:
        for data in self.submissions:
            self.notices += [notice for notice in data.notices if notice.kind != "roster"]
            positions = {unit: position for position, unit in enumerate(data.units)}
            for unit, position in positions.items():
                self.seen.setdefault(unit, (data, data.rows[position]))
            self.figures += [key for key in data.figures if key not in self.figures]
            for (unit, key), source in (data.sources or {}).items():
                self.take(unit, key, _value(data, positions[unit], key), source)

    def take(self, unit: str, key: str, value: Cell, source: Source) -> None:
        first = self.sources.get((unit, key))
        if first is None:
            self.values[(unit, key)], self.sources[(unit, key)] = value, source
            return
        if same_value(value, self.values[(unit, key)]):
            return
        column = self.column(key)
        self.problems.add(DataProblem(
            _("unit '{unit}' is given two values for {header}: {values} "
            "in {first} and {value} in {source}; correct the file that is wrong (or clear its "
            "cell)").format(
                    unit=unit, header=column.header, values=shown_value(self.values[unit, key], column), first=first,
                    value=shown_value(value, column), source=source)))

    def column(self, key: str) -> FormColumn:
        """The form's column for ``key``, or one made for a figure the form does not ask for."""
        if key in self.headers:
            return self.headers[key]
        thing, _, field = key.partition("@")
        indicator = next(i for i in self.ruleset.indicators if i.id == thing)
        return FormColumn(key, header(indicator.name, indicator.unit, field), "figure", indicator.name, field=field,
                          indicator=indicator)

    def units_in_order(self, roster: Roster | None, *, partial: bool, keep_absent: bool) -> list[str]:
        """The merged units: the roster's order, then units off it (with ``partial``)."""
        named = list(self.seen)
        if roster is None:
            return named
        listed = {normalise(unit): unit for unit in roster.units}
        shown = (_("the roster of {count} units ({source})") if roster.source else _("the roster of {count} units")).format(
            count=len(listed), source=roster.source)
        strangers = [unit for unit in named if unit not in listed]
        absent = [key for key in listed if key not in self.seen]
        for unit in strangers:
            close = difflib.get_close_matches(unit, absent or list(listed.values()), n=3, cutoff=0.5)
            hint = _("; did you mean {names}?").format(names=" / ".join(close)) if close else ""
            data, row = self.seen[unit]
            if partial:
                self.notices.append(Notice("roster", _("unit '{unit}' is not on {shown}{hint}").format(
                        unit=unit, shown=shown, hint=hint), file=data.file,
                                           sheet=data.sheet, row=row))
            else:
                self.problems.add(DataProblem(_("unit '{unit}' is not on {shown}{hint} (a new or renamed unit: update "
                                              "the roster, or give --units FILE)").format(
                        unit=unit, shown=shown, hint=hint), file=data.file, sheet=data.sheet,
                                              row=row))
        files = len(self.submissions)
        if absent and not keep_absent:
            if partial:
                self.notices.append(Notice("roster", _("a partial batch: {count} of the {count2} units on "
                                           "the roster are in none of the {files} files ({absent}"
                                           "{value})").format(
                        count=len(absent), count2=len(listed), files=files, absent='、'.join(absent[:10]),
                        value=' …' if len(absent) > 10 else '')))
            else:
                for unit in absent:
                    self.problems.add(DataProblem(_("unit '{unit}' of {shown} is in none of the {files} files (add "
                                                  "its file, or give --partial)").format(
                            unit=unit, shown=shown, files=files)))
        order = [unit for unit in listed if unit in self.seen or keep_absent]
        return order + strangers

    def columns(self) -> tuple[FormColumn, ...]:
        """The form's columns, each other figure a submission gave after its indicator's;
        an item's only when a submission has it (written empty, it would read back as
        reported: none happened)."""
        given = {item for data in self.submissions for item in data.items}
        columns = [column for column in self.headers.values() if column.kind != "item" or column.key in given]
        for thing, field in self.figures:
            key = f"{thing}@{field}"
            if any(column.key == key for column in columns):
                continue
            last = max(n for n, column in enumerate(columns) if column.indicator is not None
                       and column.indicator.id == thing)
            columns.insert(last + 1, self.column(key))
        return tuple(columns)

    def dataset(self, units: list[str], columns: tuple[FormColumn, ...]) -> Dataset:
        ruleset = self.ruleset
        values = {i.id: [self.values.get((unit, i.id)) for unit in units] for i in ruleset.indicators}
        figures = {(thing, field): [_figure(self.values.get((unit, f"{thing}@{field}"))) for unit in units]
                   for thing, field in self.figures}
        given = {item for data in self.submissions for item in data.items}
        items = {item.id: [_count(self.values.get((unit, item.id))) for unit in units]
                 for item in ruleset.adjustments.items if item.id in given}
        kept = set(units)
        sources = {(unit, key): source for (unit, key), source in self.sources.items() if unit in kept}
        files = [data.file for data in self.submissions]
        # A message about a unit points to its own row in the first file naming it (an
        # absent unit kept for the merged workbook, to its row there).
        merged = described(files)
        origins = tuple((found[0].file, found[0].sheet, found[1]) if (found := self.seen.get(unit)) is not None
                        else (merged, None, row) for row, unit in enumerate(units, 3))
        return Dataset(file=merged, units=tuple(units), rows=tuple(range(3, len(units) + 3)),
                       values=values, figures=figures, items=items,
                       columns={column.key: column.header for column in columns}, notices=tuple(self.notices),
                       stated_year=stated_year(self.submissions), sources=sources, origins=origins)


def _value(data: Dataset, position: int, key: str) -> Cell:
    thing, at, field = key.partition("@")
    if at:
        return data.figures[(thing, field)][position]
    if thing in data.items:
        return data.items[thing][position]
    return data.values[thing][position]


def _figure(value: Cell) -> Decimal | None:
    return value if isinstance(value, Decimal) else None


def _count(value: Cell) -> Decimal:
    return value if isinstance(value, Decimal) else ZERO
