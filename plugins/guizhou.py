"""贵州省: the 市州 assessment on the 2025 targets, graded A/B/C/D.

The rules live in ``rulesets/guizhou/`` (seed 003, 贵州省《关于贯彻落实〈质量强国建设纲要〉深化质量强省建设的实施意见》); this plug-in only registers them,
so an examiner can read and check every figure in the TOML file itself.
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

from qscore import hookimpl
from qscore.plugins import RulesetRegister


@hookimpl
def qscore_register_rulesets(register: RulesetRegister) -> None:
    register.directory(Path(str(files("qscore_rulesets") / "guizhou")))
