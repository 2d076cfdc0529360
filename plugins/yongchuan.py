"""重庆市永川区: the 镇街 assessment (质量强镇, “赛马比拼”).

The rules live in ``rulesets/yongchuan/`` (seed 002, 《重庆市永川区质量强区建设实施方案》); this plug-in only registers them,
so an examiner can read and check every figure in the TOML file itself.
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

from qscore import hookimpl
from qscore.plugins import RulesetRegister


@hookimpl
def qscore_register_rulesets(register: RulesetRegister) -> None:
    register.directory(Path(str(files("qscore_rulesets") / "yongchuan")))
