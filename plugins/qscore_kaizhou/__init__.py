"""重庆市开州区: the 乡镇（街道） assessment of its 质量强区 plan.

The rules are data in ``rulesets/`` beside this file (seed 004, 开州区《质量强区建设实施方案》);
this plug-in only registers them, so an examiner reads and checks every figure in the
TOML file itself.
"""

from qscore import hookimpl


@hookimpl
def qscore_register_rulesets(register):
    """Register the rulesets shipped in this package's rulesets/ folder."""
    register.package(__name__)
