"""The examiner's command line: ``qscore rank``, ``explain``, ``show``, ``validate`` …

:mod:`~qscore.cli.app` holds the command group and what commands share; each module
beside it adds one family of commands to it.
"""

from qscore.cli import analysis, authoring, collect, rounds, rulesets, scoring  # noqa: F401  (each adds its commands to main)
from qscore.cli.app import main

__all__ = ["main"]
