"""Results out: the output formats (table, CSV, JSON, XLSX; plug-ins add more), the
explanation of one unit, and the document of a ruleset.

A format is a function ``write(batch) -> bytes`` registered under a name and a suffix.
Writers read a batch through :class:`~qscore.model.RankedUnits` (columns, or one unit at
a time) and are pure: the same batch gives the same bytes.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

import attrs

from qscore.model import BatchResult
from qscore.registry import Registry

#: ``write(batch)``: the whole output as bytes.
WriteFunction = Callable[[BatchResult], bytes]
#: ``stream(batch)``: the same bytes as ``write(batch)``, in pieces made as they are
#: written, so that a national batch's output is never held whole.
StreamFunction = Callable[[BatchResult], Iterable[bytes]]


@attrs.frozen
class Writer:
    """A registered output format.

    :param name: the format's name for ``--format``.
    :param write: the function that writes a batch.
    :param suffix: the file suffix that selects this format for ``-o``.
    :param explained: whether the engine must build each indicator's explanation first.
    :param plugin: the plug-in that registered it.
    :param stream: the same output in pieces, when the format can be written a piece
        at a time (``qscore rank -o`` writes them as they come).
    """

    name: str
    write: WriteFunction
    suffix: str
    explained: bool
    plugin: str
    stream: StreamFunction | None = None


class WriterRegister:
    """What ``qscore_register_writers`` receives: ``register(name, write, suffix=…)``."""

    def __init__(self, registry: Registry[Writer], plugin: str) -> None:
        self._registry, self.plugin = registry, plugin

    def __call__(self, name: str, write: WriteFunction, *, suffix: str, explained: bool = False,
                 stream: StreamFunction | None = None) -> None:
        self._registry.add(name, Writer(name, write, suffix, explained, self.plugin, stream), self.plugin)
