"""重庆市永川区: the 镇街 assessment of its 质量强区 plan (质量强镇, “赛马比拼”).

The rules are data in ``rulesets/`` beside this file (seed 002, 《重庆市永川区质量强区建设实施方案》);
this plug-in only registers them, so an examiner reads and checks every figure in the
TOML file itself.
"""

from qscore import hookimpl


@hookimpl
def qscore_register_rulesets(register):
    """Register the rulesets shipped in this package's rulesets/ folder."""
    register.package(__name__)
