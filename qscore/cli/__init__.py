"""The examiner's command line: ``qscore rank``, ``explain``, ``show``, ``validate`` …

:mod:`~qscore.cli.app` holds the command group and what commands share; each module
beside it adds one family of commands to it, and is imported when one of its commands
is asked for (:data:`~qscore.cli.app.COMMAND_MODULES` names it).
"""

from qscore.cli.app import main

__all__ = ["main"]
