"""qscore: score, rank and tier quality-development assessments (质量强县/区/省 考核).

A jurisdiction plug-in starts with ``from qscore import hookimpl``; see
``docs/plugins.md``.  This module stays light so that ``qscore --help`` starts fast.
"""

import pluggy

hookimpl = pluggy.HookimplMarker("qscore")

__all__ = ["hookimpl"]
