"""The errors qscore raises for users: each says where the trouble is and what was expected."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import attrs


class QscoreError(Exception):
    """Base of every error qscore reports to a user (the CLI turns it into exit 1)."""


@attrs.frozen
class Problem:
    """One thing wrong in a ruleset, located by its TOML path.

    :param message: what is wrong and what was expected.
    :param table: the TOML table, e.g. ``indicators[3] (食品抽检合格率)`` or
        ``classification``; ``None`` for the top level.
    :param field: the key inside that table, dotted below it (``rule.bands``,
        ``points.food``); ``None`` for the table as a whole.
    """

    message: str
    table: str | None = None
    field: str | None = None

    def describe(self, file: str | None = None) -> str:
        """``file: table: field 'f': message``, leaving out the parts not known."""
        where = [part for part in (file, self.table) if part]
        if self.field:
            where.append(f"field '{self.field}'")
        return f"{': '.join(where)}: {self.message}" if where else self.message


class RulesetError(QscoreError):
    """A ruleset file or object that cannot be used, with every problem found in it.

    ``RulesetError(message, table=…, field=…)`` is one problem; :meth:`of` makes one
    error of several.  ``message``, ``table`` and ``field`` are the first problem's.

    :param message: what is wrong and what was expected.
    :param file: the ruleset file, when there is one.
    :param table: the TOML table, e.g. ``indicators[3]`` or ``classification``.
    :param field: the key inside that table.
    """

    #: every problem, in the order they were found (at most the loader's limit).
    problems: tuple[Problem, ...]
    #: whether the loader stopped looking at its limit, so that there are more.
    more: bool

    def __init__(self, message: str, *, file: str | None = None, table: str | None = None,
                 field: str | None = None) -> None:
        self._set((Problem(message, table, field),), file, more=False)

    @classmethod
    def of(cls, problems: Sequence[Problem], *, file: str | None = None, more: bool = False) -> RulesetError:
        """One error carrying ``problems`` (at least one); ``more`` when the search stopped early."""
        if not problems:
            raise ValueError("a RulesetError needs at least one problem")
        error = cls.__new__(cls)
        error._set(tuple(problems), file, more=more)
        return error

    def _set(self, problems: tuple[Problem, ...], file: str | None, *, more: bool) -> None:
        self.problems, self.file, self.more = problems, file, more
        super().__init__(self.__str__())

    @property
    def message(self) -> str:
        return self.problems[0].message

    @property
    def table(self) -> str | None:
        return self.problems[0].table

    @property
    def field(self) -> str | None:
        return self.problems[0].field

    def __str__(self) -> str:
        if len(self.problems) == 1 and not self.more:
            return self.problems[0].describe(self.file)
        count = f"more than {len(self.problems)} problems; the first {len(self.problems)}" if self.more \
            else f"{len(self.problems)} problems"
        head = f"{self.file}: {count}:" if self.file else f"{count}:"
        return "\n".join([head, *(problem.describe(self.file) for problem in self.problems)])

    def __reduce__(self) -> tuple[Any, ...]:
        return _ruleset_error, (self.problems, self.file, self.more)

    def located(self, *, file: str | None = None, table: str | None = None) -> RulesetError:
        """The same error with a file, or a table for problems that name none, filled in."""
        problems = [problem if problem.table or not table else attrs.evolve(problem, table=table)
                    for problem in self.problems]
        return RulesetError.of(problems, file=self.file or file, more=self.more)


def _ruleset_error(problems: tuple[Problem, ...], file: str | None, more: bool) -> RulesetError:
    return RulesetError.of(problems, file=file, more=more)


def location(file: str | None = None, sheet: str | None = None, row: int | None = None,
             column: str | None = None, cell: str | None = None) -> str:
    """Where something is, as an examiner finds it: ``data.csv, row 5, column '食品抽检合格率'``,
    or in a workbook ``data.xlsx, sheet '数据', cell C5, column '食品抽检合格率'``."""
    where = [file] if file else []
    if sheet is not None:
        where.append(f"sheet '{sheet}'")
    if cell is not None:
        where.append(f"{'cells' if ':' in cell else 'cell'} {cell}")
    elif row is not None:
        where.append(f"row {row}")
    if column is not None:
        where.append(f"column '{column}'")
    return ", ".join(where)


@attrs.frozen
class DataProblem:
    """One thing wrong with a data file, with where it is.

    :param message: what is wrong and what was expected.
    :param file: the data file.
    :param sheet: the workbook sheet, for workbooks.
    :param row: the 1-based row in the file or sheet.
    :param column: the column header as the file spells it.
    :param cell: the cell (``C5``) or range (``B3:B4``) in A1 notation, for workbooks.
    """

    message: str
    file: str | None = attrs.field(default=None, kw_only=True)
    sheet: str | None = attrs.field(default=None, kw_only=True)
    row: int | None = attrs.field(default=None, kw_only=True)
    column: str | None = attrs.field(default=None, kw_only=True)
    cell: str | None = attrs.field(default=None, kw_only=True)

    def where(self, *, file: bool = True) -> str:
        return location(self.file if file else None, self.sheet, self.row, self.column, self.cell)

    def __str__(self) -> str:
        where = self.where()
        return f"{where}: {self.message}" if where else self.message


class DataError(QscoreError):
    """Observed data that cannot be trusted: one problem, or every problem found in a file.

    ``DataError(message, file=…, row=…, column=…)`` is one problem; ``DataError(problems=…)``
    carries several, reported together (see :class:`DataProblems`).  ``message``, ``file``,
    ``row`` and ``column`` are the first problem's.

    :param message: what is wrong and what was expected.
    :param file: the data file.
    :param row: the 1-based row in the file (the header is row 1 for CSV).
    :param column: the column header as the file spells it.
    :param sheet: the workbook sheet, for workbooks.
    :param cell: the cell in A1 notation, for workbooks.
    :param problems: the problems, when there are several.
    :param found: how many problems were found in all, when more were found than kept.
    """

    def __init__(self, message: str | None = None, *, file: str | None = None, row: int | None = None,
                 column: str | None = None, sheet: str | None = None, cell: str | None = None,
                 problems: tuple[DataProblem, ...] | list[DataProblem] = (), found: int | None = None) -> None:
        if message is not None:
            problems = (DataProblem(message, file=file, sheet=sheet, row=row, column=column, cell=cell), *problems)
        if not problems:
            raise ValueError("a DataError needs a message or problems")
        self.problems: tuple[DataProblem, ...] = tuple(problems)
        self.found = max(found or 0, len(self.problems))
        first = self.problems[0]
        self.message, self.file, self.row, self.column = first.message, first.file, first.row, first.column
        self.sheet, self.cell = first.sheet, first.cell
        super().__init__(self.__str__())

    def __str__(self) -> str:
        if len(self.problems) == 1 and self.found == 1:
            return str(self.problems[0])
        files = {p.file for p in self.problems}
        shared = files.pop() if len(files) == 1 else None
        lines = [f"{shared + ': ' if shared else ''}{self.found} problems"
                 + (f" (the first {len(self.problems)} shown)" if self.found > len(self.problems) else "") + ":"]
        for problem in self.problems:
            where = problem.where(file=shared is None)
            lines.append(f"  {where}: {problem.message}" if where else f"  {problem.message}")
        return "\n".join(lines)


class DataProblems:
    """Collects a file's problems so that they are reported together, at most
    :attr:`LIMIT` of them (the rest are counted).  Problems are reported in the order of
    the file: by row (file-wide ones last), then by column."""

    LIMIT = 50

    def __init__(self) -> None:
        self._found: list[tuple[tuple[int, int], DataProblem]] = []
        self.count = 0

    def __bool__(self) -> bool:
        return self.count > 0

    def add(self, problem: DataProblem | DataError, column_index: int = -1) -> None:
        """Add one problem (or every problem of a :class:`DataError`); ``column_index``
        orders problems of one row."""
        for one in problem.problems if isinstance(problem, DataError) else (problem,):
            self.count += 1
            row = one.row if one.row is not None else 2**62
            self._found.append(((row, column_index), one))

    def raise_any(self) -> None:
        """Raise a :class:`DataError` carrying the problems, if there are any."""
        if self.count:
            ordered = [p for _, p in sorted(self._found, key=lambda pair: pair[0])]
            raise DataError(problems=ordered[:self.LIMIT], found=self.count)


class PluginError(QscoreError):
    """A plug-in that cannot be loaded, or that registers something that clashes.

    :param message: what went wrong.
    :param plugin: the plug-in's name (entry-point name or file).
    """

    def __init__(self, message: str, *, plugin: str | None = None) -> None:
        self.message, self.plugin = message, plugin
        super().__init__(f"plug-in '{plugin}': {message}" if plugin else message)


class MissingFigure(Exception):
    """A target or rule needs a figure the data lacks (baseline, previous value,
    reference).  Internal: the engine re-raises it as a :class:`DataError` with the row.

    :param field: ``baseline``, ``previous`` or the reference's name.
    :param what: the figure described for the examiner.
    """

    def __init__(self, field: str, what: str) -> None:
        self.field, self.what = field, what
        super().__init__(what)


class UsageError(QscoreError):
    """A request that names something qscore cannot find: a ruleset id not installed, a
    sheet the workbook lacks, a file suffix no reader takes.  The CLI makes it a usage
    error (exit 2); every other error is about the data, the ruleset or a plug-in (exit 1).
    """
