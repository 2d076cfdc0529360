"""Scoring rules: each maps a unit's observed value to points between 0 and full marks."""

from qscore.rules.base import Rule

__all__ = ["Rule"]
