"""重庆市永川区: the 镇街 assessment of its 质量强区 plan (质量强镇, “赛马比拼”).

The rules are data in ``rulesets/yongchuan/`` (seed 002, 《重庆市永川区质量强区建设实施方案》);
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
    register.directory(Path(str(files("qscore_rulesets") / "yongchuan")))
