"""The plug-in contract: every hook a jurisdiction plug-in may implement.

A plug-in is a module (or object) with functions named after these hooks and marked
with ``@qscore.hookimpl``.  Register-style hooks receive a ``register`` callable instead
of returning lists, so that clashes are caught in one place, with both plug-ins named.
Built-in rule types, readers and writers are registered through these same hooks.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pluggy

if TYPE_CHECKING:
    from collections.abc import Iterable

    from qscore.model import AdjustmentResult, Ruleset, UnitResult
    from qscore.plugins import ReaderRegister, RuleRegister, RulesetRegister, WriterRegister

hookspec = pluggy.HookspecMarker("qscore")


@hookspec
def qscore_register_rules(register: RuleRegister) -> None:
    """Register rule types (scoring customs).

    Called once, before any ruleset is loaded, so rulesets may use the types.

    :param register: call ``register(RuleClass)`` for each
        :class:`qscore.rules.Rule` subclass; its ``type`` is the id rulesets use in
        ``rule = { type = "..." }``.  A type id registered twice is an error naming both
        plug-ins.
    """


@hookspec
def qscore_register_rulesets(register: RulesetRegister) -> None:
    """Register rulesets.

    :param register: call ``register(path)`` with a ruleset ``.toml`` file (or a
        :class:`qscore.model.Ruleset`); ``register.directory(path)`` registers every
        ``*.toml`` file in a folder.  A ruleset id registered twice is an error naming
        both plug-ins.
    """


@hookspec
def qscore_register_readers(register: ReaderRegister) -> None:
    """Register readers that turn a data file into a :class:`qscore.data.RawTable`.

    :param register: call ``register(name, read, suffixes=(".csv",))`` where
        ``read(path, options)`` returns a ``RawTable`` and raises
        :class:`qscore.errors.DataError` for a file it cannot read (exit 1), or
        ``LookupError`` for a misuse such as an unknown ``--sheet`` (exit 2); ``options``
        is a :class:`qscore.plugins.ReadOptions`.  The reader is chosen by the file's suffix.
    """


@hookspec
def qscore_register_writers(register: WriterRegister) -> None:
    """Register output formats for ``qscore rank --format NAME``.

    :param register: call ``register(name, write, suffix=".csv", explained=False)``
        where ``write(batch)`` returns the output as ``bytes`` for a
        :class:`qscore.model.BatchResult`; ``explained=True`` asks the engine to build
        each indicator's explanation first.
    """


@hookspec
def qscore_adjust_unit(ruleset: Ruleset, unit: UnitResult) -> Iterable[AdjustmentResult] | None:
    """Add bonus, deduction or veto lines a ruleset file cannot state.

    Called for every unit after its indicators are scored and before totals, caps,
    ranks and tiers; every implementation's lines are applied (not ``firstresult``).
    Return nothing for rulesets the plug-in does not handle.

    :param ruleset: the ruleset being scored; check ``ruleset.id``.
    :param unit: the unit's result so far (indicator points and item lines, no total).
    :return: :class:`qscore.model.AdjustmentResult` lines with kind ``bonus``,
        ``deduction`` or ``veto``; they are shown in explanations like ruleset items.
    """
