"""贵州省: the 市州 assessment on the plan's 2025 targets, graded A/B/C/D.

The rules are data in ``rulesets/guizhou/`` (seed 003, 贵州省深化质量强省建设的实施意见);
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
    register.directory(Path(str(files("qscore_rulesets") / "guizhou")))
