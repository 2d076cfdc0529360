"""Results out: the output formats (table, CSV, JSON, XLSX; plug-ins add more), the
explanation of one unit, and the document of a ruleset.

A format is a function ``write(batch) -> bytes`` registered under a name and a suffix.
Writers read a batch through :class:`~qscore.model.RankedUnits` (columns, or one unit at
a time) and are pure: the same batch gives the same bytes.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable

import attrs

from qscore.errors import PluginError
from qscore.i18n import _
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

    def output(self, batch: BatchResult, *, in_pieces: bool) -> bytes | Iterable[bytes]:
        """The batch written in this format: whole, or in pieces where the format can
        (``in_pieces``), each checked to be bytes as it is made.

        :raises PluginError: naming the plug-in, for a writer that gives anything else.
        """
        if in_pieces and self.stream is not None:
            return map(self._checked, self.stream(batch))
        return self._checked(self.write(batch))

    def _checked(self, data: object) -> bytes:
        if isinstance(data, bytes):
            return data
        raise PluginError(_("its output format '{name}' gave {kind} where a writer gives bytes; encode text first "
                            "(text.encode('utf-8'))").format(name=self.name, kind=type(data).__name__),
                          plugin=self.plugin)


class WriterRegister:
    """What ``qscore_register_writers`` receives: ``register(name, write, suffix=…)``."""

    def __init__(self, registry: Registry[Writer], plugin: str) -> None:
        self._registry, self.plugin = registry, plugin

    def __call__(self, name: str, write: WriteFunction, *, suffix: str, explained: bool = False,
                 stream: StreamFunction | None = None) -> None:
        if not (isinstance(suffix, str) and re.fullmatch(r"\.[a-z0-9]+", suffix)):
            raise PluginError(_("output format '{name}' has the suffix {suffix!r}; a suffix is a dot and lower-case "
                                "letters or digits, such as '.md'").format(name=name, suffix=suffix),
                              plugin=self.plugin)
        taken = next((w for w in self._registry.entries.values() if w.suffix == suffix), None)
        if taken is not None:
            # -o FILE picks a format by its suffix: the second would never be picked.
            raise PluginError(_("output format '{name}' has the suffix {suffix}, which output format '{other}' of "
                                "plug-in '{owner}' has already; give it a suffix of its own").format(
                name=name, suffix=suffix, other=taken.name, owner=taken.plugin), plugin=self.plugin)
        self._registry.add(name, Writer(name, write, suffix, explained, self.plugin, stream), self.plugin)
