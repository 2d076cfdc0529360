"""贵州省: the 市州 assessment on the plan's 2025 targets, graded A/B/C/D.

The rules are data in ``rulesets/`` beside this file (seed 003, 贵州省深化质量强省建设的实施意见);
this plug-in only registers them, so an examiner reads and checks every figure in the
TOML file itself.
"""

from qscore import hookimpl


@hookimpl
def qscore_register_rulesets(register):
    """Register the rulesets shipped in this package's rulesets/ folder."""
    register.package(__name__)
