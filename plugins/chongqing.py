"""重庆市: the 38 districts and counties ranked into 第一/第二/第三方阵 on the targets of
渝委发〔2023〕11号 that the Chongqing seed plans share."""

from __future__ import annotations

from importlib.resources import as_file, files

from qscore import hookimpl
from qscore.plugins import RulesetRegister


@hookimpl
def qscore_register_rulesets(register: RulesetRegister) -> None:
    with as_file(files("qscore_rulesets") / "chongqing") as folder:
        register.directory(folder)
