"""Adjusters: a plug-in's bonus, deduction or veto lines that a ruleset file cannot state
(a deduction computed from another system, say), registered for one ruleset."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from decimal import Decimal

import attrs

from qscore.errors import PluginError
from qscore.i18n import _
from qscore.model import ADJUSTMENT_KINDS, AdjustmentResult, Ruleset, UnitResult
from qscore.registry import Registry

#: ``adjust(ruleset, unit)``: extra lines for one unit, given its result so far
#: (indicator points, subtotals and the ruleset's own item lines; no total yet).
Adjuster = Callable[[Ruleset, UnitResult], Iterable[AdjustmentResult] | None]


@attrs.frozen
class CheckedAdjuster:
    """A plug-in's adjuster whose lines are checked before they count: a line that is
    no :class:`AdjustmentResult`, of another kind, or with a count or points that is not
    a Decimal of 0 or more would otherwise be dropped, or subtracted as a bonus, unseen.

    :param plugin: the plug-in that registered it, named in errors.
    :param adjust: the adjuster as registered.
    """

    plugin: str
    adjust: Adjuster

    def __call__(self, ruleset: Ruleset, unit: UnitResult) -> list[AdjustmentResult]:
        """The adjuster's lines for ``unit``.

        :raises PluginError: naming the plug-in, the ruleset, the unit and the line.
        """
        given = self.adjust(ruleset, unit)
        lines = [] if given is None else list(given) if isinstance(given, Iterable) else [given]
        for line in lines:
            problem = _problem(line)
            if problem:
                raise PluginError(_("its adjuster for ruleset '{ruleset}' gave, for unit '{unit}', {problem}").format(
                    ruleset=ruleset.id, unit=unit.unit, problem=problem), plugin=self.plugin)
        return lines


def _problem(line: object) -> str | None:
    """What is wrong with an adjuster's line, ``None`` when nothing is."""
    if not isinstance(line, AdjustmentResult):
        return _("{line!r}, which is no AdjustmentResult; an adjuster returns AdjustmentResult lines, or None").format(
            line=line)
    if line.kind not in ADJUSTMENT_KINDS:
        return _("a line of kind {kind!r}; the kind is 'bonus', 'deduction' or 'veto'").format(kind=line.kind)
    for field, value in (("count", line.count), ("points", line.points)):
        if not (type(value) is Decimal and value.is_finite() and value >= 0):
            shown = repr(value) if type(value) is Decimal else f"{value!r} ({type(value).__name__})"
            return _("the line '{item}' with {field} {value}; count and points are Decimals of 0 or more "
                     "(a deduction's points are taken away)").format(item=line.item, field=field, value=shown)
    return None


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
