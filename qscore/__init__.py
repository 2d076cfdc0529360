"""qscore: score, rank and tier quality-development assessments (质量强县/区/省 考核).

The public face.  A notebook or a script calls :func:`score`::

    import qscore

    batch = qscore.score("shizhu-township", "townships-2025.csv", year=2025)
    best = batch.units[0]
    print(best.unit, best.total, best.rank, best.tier)

A jurisdiction plug-in starts with ``from qscore import hookimpl`` (``docs/plugins.md``).
Every name here is imported on first use (``hookimpl`` too), so that ``qscore --help``
starts fast.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

#: name → the module that defines it, imported when the name is first used.
_LAZY = {
    "hookimpl": "qscore.plugins.hookspecs",
    "score": "qscore.pipeline", "load_ruleset": "qscore.pipeline", "read_table": "qscore.pipeline",
    "load_plugins": "qscore.plugins.manager", "Catalog": "qscore.plugins.manager",
    "Ruleset": "qscore.model", "Indicator": "qscore.model", "BatchResult": "qscore.model",
    "UnitResult": "qscore.model", "IndicatorResult": "qscore.model", "AdjustmentResult": "qscore.model",
    "RankedUnits": "qscore.model",
    "Rule": "qscore.rules.base", "Target": "qscore.targets",
    "RawTable": "qscore.reading.table", "ReadOptions": "qscore.reading.table", "Limits": "qscore.limits",
    "QscoreError": "qscore.errors", "DataError": "qscore.errors", "RulesetError": "qscore.errors",
    "PluginError": "qscore.errors", "UsageError": "qscore.errors",
}

__all__ = [*_LAZY]

if TYPE_CHECKING:
    from qscore.errors import DataError, PluginError, QscoreError, RulesetError, UsageError
    from qscore.limits import Limits
    from qscore.model import (AdjustmentResult, BatchResult, Indicator, IndicatorResult, RankedUnits, Ruleset,
                              UnitResult)
    from qscore.pipeline import load_ruleset, read_table, score
    from qscore.plugins.hookspecs import hookimpl
    from qscore.plugins.manager import Catalog, load_plugins
    from qscore.reading.table import RawTable, ReadOptions
    from qscore.rules.base import Rule
    from qscore.targets import Target


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'qscore' has no attribute '{name}'")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
