"""Adjusters: a plug-in's bonus, deduction or veto lines that a ruleset file cannot state
(a deduction computed from another system, say), registered for one ruleset."""

from __future__ import annotations

from collections.abc import Callable, Iterable

import attrs

from qscore.i18n import _
from qscore.model import AdjustmentResult, Ruleset, UnitResult
from qscore.registry import Registry

#: ``adjust(ruleset, unit)``: extra lines for one unit, given its result so far
#: (indicator points, subtotals and the ruleset's own item lines; no total yet).
Adjuster = Callable[[Ruleset, UnitResult], Iterable[AdjustmentResult] | None]


@attrs.frozen
class AdjusterEntry:
    """The adjusters registered for one ruleset.

    :param ruleset: the ruleset id.
    :param adjusters: ``(plug-in, adjuster)`` pairs, in registration order.
    """

    ruleset: str
    adjusters: tuple[tuple[str, Adjuster], ...] = ()


class AdjusterRegister:
    """What ``qscore_register_adjusters`` receives: ``register(ruleset_id, adjust)``."""

    def __init__(self, registry: Registry[list[tuple[str, Adjuster]]], plugin: str) -> None:
        self._registry, self.plugin = registry, plugin

    def __call__(self, ruleset: str, adjust: Adjuster) -> None:
        if not isinstance(ruleset, str) or not callable(adjust):
            raise TypeError(_("register(ruleset_id, adjust) takes a ruleset id and a function "
                            "adjust(ruleset, unit) returning AdjustmentResult lines"))
        entries = self._registry.entries
        if ruleset not in entries:
            self._registry.add(ruleset, [], self.plugin)
        entries[ruleset].append((self.plugin, adjust))
