"""What plug-ins register, credited to each: the shared book-keeping of the register objects.

Each domain keeps its own register type beside its contract (rule types in
:mod:`qscore.rules.base`, readers in :mod:`qscore.reading.table` …); they all record
entries here, so a key registered twice is refused in one place, naming both plug-ins.
"""

from __future__ import annotations

from typing import Generic, TypeVar

from qscore.errors import PluginError
from qscore.i18n import _

T = TypeVar("T")


class Registry(Generic[T]):
    """Entries by key, with the plug-in that registered each; a second key is a clash.

    :param kind: what the entries are, for messages (``rule type``, ``reader`` …).
    """

    def __init__(self, kind: str) -> None:
        self.kind = kind
        self._entries: dict[str, T] = {}
        self._owners: dict[str, str] = {}

    @property
    def entries(self) -> dict[str, T]:
        """Key → entry, in registration order."""
        return self._entries

    def owner(self, key: str) -> str:
        """The plug-in that registered ``key``."""
        return self._owners[key]

    def add(self, key: str, entry: T, plugin: str) -> None:
        if key in self._entries:
            raise PluginError(_("{kind} '{key}' is already registered by plug-in '{_owners}'").format(
                    kind=self.kind, key=key, _owners=self._owners[key]),
                              plugin=plugin)
        self._entries[key], self._owners[key] = entry, plugin
