"""重庆市石柱土家族自治县: the county's own yearly progress on the 26 indicators of its
plan's annex, and its assessments of 乡镇（街道） and 成员单位 (石柱府发〔2024〕14号).

The rules are data in ``rulesets/`` beside this file; this plug-in only registers
them, so an examiner reads and checks every figure in the TOML file itself.
"""

from qscore import hookimpl


@hookimpl
def qscore_register_rulesets(register):
    """Register the rulesets shipped in this package's rulesets/ folder."""
    register.package(__name__)
