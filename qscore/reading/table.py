"""The readers' contract: what a reader is given (:class:`ReadOptions`) and what it
returns (:class:`RawTable`), and the register plug-ins call to add one."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

import attrs

from qscore.limits import DEFAULT as DEFAULT_LIMITS, Limits
from qscore.registry import Registry


@attrs.frozen
class RawTable:
    """A data file as rows of strings, before it means anything.

    :param file: the file's name, for messages.
    :param header: column headers as the file spells them.
    :param rows: the data rows, each as long as the header.
    :param row_numbers: each row's number in the file, as the examiner sees it.
    :param header_row: the header's row number in the file.
    """

    file: str
    header: tuple[str, ...]
    rows: Sequence[Sequence[str]]
    row_numbers: Sequence[int]
    header_row: int = 1


@attrs.frozen
class ReadOptions:
    """Reader options from the command line or :func:`qscore.score`.

    :param encoding: a CSV encoding forced by the user, ``None`` to detect.
    :param sheet: a spreadsheet's sheet name, ``None`` for the first.
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
