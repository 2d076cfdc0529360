"""The plug-in contract: every hook a jurisdiction plug-in may implement.

A plug-in is a module (or object) with functions named after these hooks and marked
with ``@qscore.hookimpl``.  Every hook receives a ``register`` callable instead of
returning lists, so that clashes are caught in one place, with both plug-ins named; it is
called once per plug-in, so what each registers is credited to it.  None is
``firstresult``.  Built-in rule types, target shapes, readers and writers are registered
through these same hooks.  The register types live with their domain (rules, targets,
rulesets, reading, writing, scoring), so this module imports none of them at run time.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pluggy

if TYPE_CHECKING:
    from qscore.reading.table import ReaderRegister
    from qscore.rules.base import RuleRegister
    from qscore.rulesets import RulesetRegister
    from qscore.scoring.adjusters import AdjusterRegister
    from qscore.targets import TargetRegister
    from qscore.writing import WriterRegister

#: Marks the hook specifications below.
hookspec = pluggy.HookspecMarker("qscore")
#: Marks a plug-in's hook implementations; plug-ins import it as ``from qscore import hookimpl``.
hookimpl = pluggy.HookimplMarker("qscore")


@hookspec
def qscore_register_rules(register: RuleRegister) -> None:
    """Register rule types (scoring customs).

    Called once, before any ruleset is loaded, so rulesets may use the types.

    :param register: call ``register(RuleClass)`` for each
        :class:`qscore.Rule` subclass; its ``type`` is the id rulesets use in
        ``rule = { type = "..." }``.  A type id registered twice is an error naming both
        plug-ins.
    """


@hookspec
def qscore_register_rulesets(register: RulesetRegister) -> None:
    """Register rulesets.

    :param register: ``register.package(__name__)`` registers every ``*.toml`` file in
        the ``rulesets`` folder of the plug-in's package (zipped installs too);
        ``register(path)`` one ruleset file (or a :class:`qscore.Ruleset`);
        ``register.directory(path)`` every ``*.toml`` file in a folder.  Files load when a
        ruleset is first needed (a run loads only the one it scores).  A ruleset id
        registered twice is an error naming both plug-ins.
    """


@hookspec
def qscore_register_readers(register: ReaderRegister) -> None:
    """Register readers that turn a data file into a :class:`qscore.RawTable`.

    :param register: call ``register(name, read, suffixes=(".csv",))`` where
        ``read(path, options)`` returns a ``RawTable`` and raises
        :class:`qscore.DataError` for a file it cannot read (exit 1), or
        :class:`qscore.UsageError` for a misuse such as an unknown ``--sheet`` (exit 2);
        ``options`` is a :class:`qscore.ReadOptions`.  The reader is chosen by the
        file's suffix.
    """


@hookspec
def qscore_register_writers(register: WriterRegister) -> None:
    """Register output formats for ``qscore rank --format NAME``.

    :param register: call ``register(name, write, suffix=".csv", explained=False)``
        where ``write(batch)`` returns the output as ``bytes`` for a
        :class:`qscore.BatchResult`; ``explained=True`` asks the engine to build
        each indicator's explanation first.
    """


@hookspec
def qscore_register_targets(register: TargetRegister) -> None:
    """Register target shapes (how a plan states what to reach) beyond the built-in ones
    (``value``, ``maintain``, ``change``, ``growth``, ``new``, ``reference``, ``trend``).

    Called once, before any ruleset is loaded, so rulesets may use the shapes.

    :param register: call ``register(ShapeClass)`` for each
        :class:`qscore.targets.Target` subclass; its ``kind`` is the id rulesets use in
        ``target = { kind = "..." }``.  A kind registered twice is an error naming both
        plug-ins.
    """


@hookspec
def qscore_register_adjusters(register: AdjusterRegister) -> None:
    """Register bonus, deduction or veto lines a ruleset file cannot state, for one ruleset.

    :param register: call ``register(ruleset_id, adjust)``.  For every unit of a batch
        scored with that ruleset, after its indicators are scored and before totals,
        caps, ranks and tiers, ``adjust(ruleset, unit)`` is called with the unit's
        :class:`qscore.UnitResult` so far (indicator points, subtotals and the
        ruleset's own item lines; no total yet) and returns
        :class:`qscore.AdjustmentResult` lines with kind ``bonus``, ``deduction`` or
        ``veto`` (or ``None``).  The lines count toward the ruleset's caps and are shown
        in explanations like the ruleset's own items.  Rulesets with no adjuster are
        scored without calling any.
    """
