"""重庆市石柱土家族自治县: the county's own yearly progress on the 26 indicators of its
plan's annex, and its assessments of 乡镇（街道） and 成员单位 (石柱府发〔2024〕14号)."""

from __future__ import annotations

from importlib.resources import as_file, files

from qscore import hookimpl
from qscore.plugins import RulesetRegister


@hookimpl
def qscore_register_rulesets(register: RulesetRegister) -> None:
    with as_file(files("qscore_rulesets") / "shizhu") as folder:
        register.directory(folder)
