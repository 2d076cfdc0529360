"""Scoring rules: each maps a unit's observed value to points between 0 and full marks.

A new rule type is a :class:`Rule` subclass registered through the
``qscore_register_rules`` hook; the built-in ones are in :mod:`qscore.rules.library`.
"""

from qscore.rules.base import Rule, RuleRegister

__all__ = ["Rule", "RuleRegister"]
