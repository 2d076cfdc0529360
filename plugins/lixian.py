"""湖南省澧县: member departments scored on the tasks they lead or share.

The rules are data in ``rulesets/lixian/`` (seed 001, 《澧县质量强县培育建设实施方案》);
this plug-in only registers them, so an examiner reads and checks every figure in the
TOML file itself.
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

from qscore import hookimpl
from qscore.plugins import RulesetRegister


@hookimpl
def qscore_register_rulesets(register: RulesetRegister) -> None:
    register.directory(Path(str(files("qscore_rulesets") / "lixian")))
