"""湖南省澧县: member departments scored on the tasks they lead or share.

The rules are data in ``rulesets/`` beside this file (seed 001, 《澧县质量强县培育建设实施方案》);
this plug-in only registers them, so an examiner reads and checks every figure in the
TOML file itself.
"""

from qscore import hookimpl


@hookimpl
def qscore_register_rulesets(register):
    """Register the rulesets shipped in this package's rulesets/ folder."""
    register.package(__name__)
