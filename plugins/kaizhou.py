"""重庆市开州区: the 乡镇（街道） assessment of its 质量强区 plan.

The rules are data in ``rulesets/kaizhou/`` (seed 004, 开州区《质量强区建设实施方案》);
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
    register.directory(Path(str(files("qscore_rulesets") / "kaizhou")))
