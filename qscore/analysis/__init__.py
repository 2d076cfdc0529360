"""Questions asked of a scored batch: what a unit must achieve to reach the next grade
or tier (:func:`whatif`), and how sure each unit's rank and tier are under the
ruleset's assumptions (:func:`robustness`).  Both re-score through the engine."""

from qscore.analysis.case import Case, load_case
from qscore.analysis.whatif import Change, Goal, Proposal, Standing, WhatIf, whatif

__all__ = ["Case", "Change", "Goal", "Proposal", "Standing", "WhatIf", "load_case", "whatif"]
