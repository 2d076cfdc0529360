"""The errors qscore raises for users: each says where the trouble is and what was expected."""

from __future__ import annotations


class QscoreError(Exception):
    """Base of every error qscore reports to a user (the CLI turns it into exit 1)."""


class RulesetError(QscoreError):
    """A ruleset file or object that cannot be used.

    :param message: what is wrong and what was expected.
    :param file: the ruleset file, when there is one.
    :param table: the TOML table, e.g. ``indicators[3]`` or ``classification``.
    :param field: the key inside that table.
    """

    def __init__(self, message: str, *, file: str | None = None, table: str | None = None,
                 field: str | None = None) -> None:
        self.message, self.file, self.table, self.field = message, file, table, field
        super().__init__(self.__str__())

    def __str__(self) -> str:
        where = [part for part in (self.file, self.table) if part]
        if self.field:
            where.append(f"field '{self.field}'")
        return f"{': '.join(where)}: {self.message}" if where else self.message

    def located(self, *, file: str | None = None, table: str | None = None) -> RulesetError:
        """The same error with a file or table filled in where it was not known yet."""
        return RulesetError(self.message, file=self.file or file,
                            table=self.table or table, field=self.field)


class DataError(QscoreError):
    """Observed data that cannot be trusted.

    :param message: what is wrong and what was expected.
    :param file: the data file.
    :param row: the 1-based row in the file (the header is row 1 for CSV).
    :param column: the column header as the file spells it.
    """

    def __init__(self, message: str, *, file: str | None = None, row: int | None = None,
                 column: str | None = None) -> None:
        self.message, self.file, self.row, self.column = message, file, row, column
        super().__init__(self.__str__())

    def __str__(self) -> str:
        where = [self.file] if self.file else []
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.column is not None:
            where.append(f"column '{self.column}'")
        return f"{', '.join(where)}: {self.message}" if where else self.message


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
