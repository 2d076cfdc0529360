"""重庆市: the 38 districts and counties ranked into 第一/第二/第三方阵 on the targets of
渝委发〔2023〕11号 that the Chongqing seed plans share.

The rules are data in ``rulesets/`` beside this file; this plug-in only registers
them, so an examiner reads and checks every figure in the TOML file itself.
"""

from qscore import hookimpl


@hookimpl
def qscore_register_rulesets(register):
    """Register the rulesets shipped in this package's rulesets/ folder."""
    register.package(__name__)
