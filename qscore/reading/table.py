"""The readers' contract: what a reader is given (:class:`ReadOptions`) and what it
returns (:class:`RawTable`), and the register plug-ins call to add one."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from types import MappingProxyType
from typing import Literal

import attrs

from qscore.limits import DEFAULT as DEFAULT_LIMITS, Limits
from qscore.model import Notice
from qscore.registry import Registry

#: A merged range of a sheet: first row, first column, last row, last column (rows as
#: the sheet numbers them, columns from 0 for A).
Merged = tuple[int, int, int, int]


@attrs.frozen
class HiddenValue:
    """A cell whose number format shows nothing for the value it holds (``;;;``, or
    ``0;;`` under a negative number).

    :param number_format: the format as the workbook spells it.
    :param kind: the kind of value the format hides: ``positive``, ``negative``, ``zero``
        or ``text``; ``number`` when it shows no number (``;;``), ``all`` when it shows
        nothing for any value (``;;;``).
    """

    number_format: str
    kind: Literal["positive", "negative", "zero", "text", "number", "all"]


@attrs.frozen
class RawTable:
    """A data file as rows of strings, before it means anything.

    A reader gives every non-blank row: ``header`` is the first one and ``rows`` the rest,
    whatever they hold (title rows, notes, totals); :mod:`qscore.reading.layout` finds
    the real header and the data rows.  Workbook readers also say what the sheet hides
    or merges, so that no hidden or merged cell is read unseen.

    :param file: the file's name, for messages.
    :param header: column headers as the file spells them.
    :param rows: the data rows, each as long as the header.
    :param row_numbers: each row's number in the file, as the examiner sees it.
    :param header_row: the header's row number in the file.
    :param sheet: the sheet read, for workbooks (messages then name cells in A1
        notation, column 0 being A); ``None`` for other files.
    :param sheets: every sheet of the workbook with its state, for messages
        (``数据``, ``旧表 (hidden)``).
    :param hidden_rows: the sheet rows hidden in Excel (row numbers), by the hidden flag,
        a filter or a height of 0.
    :param hidden_columns: the sheet columns hidden in Excel (0 for A), by the hidden
        flag or a width of 0.
    :param zero_height_rows: those of ``hidden_rows`` hidden only by a height of 0.
    :param zero_width_columns: those of ``hidden_columns`` hidden only by a width of 0.
    :param hidden_values: the cells, as ``(row number, column)``, whose number format
        shows nothing for their value.
    :param merged: the sheet's merged ranges; only a range's first cell holds its value.
    :param notices: what the reader did that the examiner must know (which sheet it read).
    """

    file: str
    header: tuple[str, ...]
    rows: Sequence[Sequence[str]]
    row_numbers: Sequence[int]
    header_row: int = 1
    sheet: str | None = None
    sheets: tuple[str, ...] = ()
    hidden_rows: frozenset[int] = frozenset()
    hidden_columns: frozenset[int] = frozenset()
    zero_height_rows: frozenset[int] = frozenset()
    zero_width_columns: frozenset[int] = frozenset()
    hidden_values: Mapping[tuple[int, int], HiddenValue] = MappingProxyType({})
    merged: tuple[Merged, ...] = ()
    notices: tuple[Notice, ...] = ()


@attrs.frozen
class ReadOptions:
    """Reader options from the command line or :func:`qscore.score`.

    :param encoding: a CSV encoding forced by the user, ``None`` to detect.
    :param sheet: a workbook's sheet name, ``None`` for the active sheet.  Readers of
        files without sheets refuse it (:class:`~qscore.errors.UsageError`).
    :param limits: how much a reader may take on (:mod:`qscore.limits`).
    """

    encoding: str | None = None
    sheet: str | None = None
    limits: Limits = DEFAULT_LIMITS


#: ``read(path, options)``: the file as a :class:`RawTable`.
ReadFunction = Callable[[Path, ReadOptions], RawTable]


@attrs.frozen
class Reader:
    """A registered reader.

    :param name: unique among readers.
    :param read: the function that reads a file.
    :param suffixes: the lower-case suffixes it reads, with the dot.
    :param plugin: the plug-in that registered it.
    """

    name: str
    read: ReadFunction
    suffixes: tuple[str, ...]
    plugin: str


class ReaderRegister:
    """What ``qscore_register_readers`` receives: call it with a name, a read function
    and the suffixes it reads."""

    def __init__(self, registry: Registry[Reader], plugin: str) -> None:
        self._registry, self.plugin = registry, plugin

    def __call__(self, name: str, read: ReadFunction, *, suffixes: Sequence[str]) -> None:
        self._registry.add(name, Reader(name, read, tuple(s.lower() for s in suffixes), self.plugin), self.plugin)
