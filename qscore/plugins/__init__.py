"""The plug-in contract: the hooks a jurisdiction plug-in may implement
(:mod:`~qscore.plugins.hookspecs`), qscore's own plug-in (:mod:`~qscore.plugins.builtin`)
and the manager that loads them all (:mod:`~qscore.plugins.manager`).

The register types a hook receives live with their domain; the names below are
re-exported for plug-in authors, imported on first use so that ``import qscore`` stays
light.  Most plug-ins need nothing but ``from qscore import hookimpl``.
"""

from __future__ import annotations

import importlib
from typing import Any

_LAZY = {
    "AdjusterRegister": "qscore.scoring.adjusters", "ReadOptions": "qscore.reading.table",
    "ReaderRegister": "qscore.reading.table", "RuleRegister": "qscore.rules.base",
    "RulesetRegister": "qscore.rulesets", "TargetRegister": "qscore.targets", "WriterRegister": "qscore.writing",
}
__all__ = sorted(_LAZY)


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'qscore.plugins' has no attribute '{name}'")
    return getattr(importlib.import_module(module), name)
