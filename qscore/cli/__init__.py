"""The examiner's command line: ``qscore rank``, ``explain``, ``show``, ``validate`` …

:mod:`~qscore.cli.app` holds the command group and what commands share; each module
beside it adds one family of commands to it.
"""

# Each adds its commands to main.
from qscore.cli import analysis, authoring, collect, report, rounds, rulesets, scoring  # noqa: F401
from qscore.cli.app import main

__all__ = ["main"]
