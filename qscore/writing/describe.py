"""A ruleset as a plain document (``qscore show --format json``): figures stay
Decimals, written with their exact digits by :func:`qscore.writing.text.json_text`."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

import attrs

from qscore.errors import MissingFigure
from qscore.model import Indicator, Ruleset
from qscore.numbers import fmt
from qscore.targets import Figures, Timing

BOUND = ("full", "direction", "strict")


def _plain(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if attrs.has(type(value)):
        return {k: _plain(v) for k, v in attrs.asdict(value, recurse=False).items()}
    return value


def horizon_target(ruleset: Ruleset, indicator: Indicator) -> Decimal | None:
    """The horizon-year target from the plan's own figures; ``None`` where it depends on
    data (a reference, last year's value, a unit's own baseline)."""
    if indicator.target is None:
        return None
    timing = Timing(indicator.baseline_year or ruleset.base_year, ruleset.horizon_year, ruleset.horizon_year)
    try:
        return indicator.target.resolve(Figures(baseline=indicator.baseline), timing)
    except MissingFigure:
        return None


def target_text(ruleset: Ruleset, indicator: Indicator) -> str:
    target = indicator.target
    if target is None:
        return "—"
    value = horizon_target(ruleset, indicator)
    shown = target.text or {"reference": f"{getattr(target, 'name', '')}", "trend": "优于上年"}.get(target.kind, "")
    if value is None:
        return shown
    return f"{fmt(value)}（{shown}）" if shown else fmt(value)


def indicator_document(ruleset: Ruleset, indicator: Indicator) -> dict[str, Any]:
    rule = indicator.rule
    params = {k: _plain(v) for k, v in attrs.asdict(rule, recurse=False).items() if k not in BOUND}
    target = indicator.target
    return {
        "id": indicator.id, "name": indicator.name, "category": indicator.category, "unit": indicator.unit,
        "direction": indicator.direction, "baseline": indicator.baseline,
        "baseline_year": indicator.baseline_year or ruleset.base_year,
        "target": horizon_target(ruleset, indicator),
        "target_kind": target.kind if target else None,
        "target_text": target_text(ruleset, indicator),
        "target_shape": _plain(target) if target else None,
        "lead": indicator.lead, "points": indicator.points,
        "rule": {"type": rule.type, "label": rule.label, **params},
        "missing": indicator.missing or ruleset.missing, "notes": list(indicator.notes), "source": indicator.source,
    }


def ruleset_document(ruleset: Ruleset) -> dict[str, Any]:
    """Everything a reviewer needs to check a ruleset against its plan."""
    return {
        "id": ruleset.id, "title": ruleset.title, "jurisdiction": ruleset.jurisdiction, "level": ruleset.level,
        "unit_kind": ruleset.unit_kind, "base_year": ruleset.base_year, "horizon_year": ruleset.horizon_year,
        "source": ruleset.source, "full_marks": ruleset.full_marks,
        "categories": [_plain(c) for c in ruleset.categories],
        "indicators": [indicator_document(ruleset, i) for i in ruleset.indicators],
        "adjustments": _plain(ruleset.adjustments),
        "classification": _plain(ruleset.classification),
        "rounding": _plain(ruleset.rounding), "missing": ruleset.missing,
        "assumptions": list(ruleset.assumptions),
    }
