"""A ruleset written out as plain figures, for the peers that score with floats.

The polars script (``bench/polars_peer.py``) is what a county IT person would write with
the plan's figures typed in: it imports neither qscore nor its rulesets.  This module
writes those figures down once, from the loaded :class:`~qscore.model.Ruleset`, as a
JSON document the peer reads in a few microseconds:

- every indicator's rule type, direction, full marks and parameters as floats, the units
  it applies to, and its target for the assessment year: a constant where every unit has
  the same one (``indicator.target.resolve(...)``), else a small expression over the
  data's per-unit figure columns (``名称@基期``, ``名称@上年``, ``名称@全国平均``);
- the bonus, deduction and veto items with their caps, the floor, ``scale_to``, the
  rounding, and the grades or tiers.

An expression is a nested list: ``["lit", x]``, ``["col", header, fallback]`` (a figure
column; ``fallback`` where its cell is empty, or ``None``), and ``["add" | "sub" | "mul"
| "div", a, b]``, in the order qscore's own arithmetic takes; a top target (进入前列) is
``["top", place, share, value, direction]``, worked out by each peer from the batch.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from qscore.model import Indicator, Ruleset
from qscore.targets import Figures, Timing

HUNDRED = Decimal(100)
Expression = list[Any]
RULE_PARAMETERS = {"bands": ("otherwise", "relative"), "deduction": ("per_step", "step", "partial"),
                   "count": ("per_item", "cap", "basis"), "rank": ("step", "floor"), "levels": ("levels",)}
BUILTIN_RULES = ("pass_fail", "ratio", "progress", "bands", "deduction", "count", "rank", "levels")


class Unsupported(Exception):
    """A ruleset uses something the float peers do not model (a plug-in's rule type or target shape)."""


def _number(value: Any) -> Any:
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, dict):
        return {str(k): _number(v) for k, v in value.items()}
    return value


def lit(value: Decimal | float) -> Expression:
    return ["lit", float(value)]


def build_plan(ruleset: Ruleset, header: Sequence[str], year: int) -> dict[str, Any]:
    """The ruleset's figures for ``year``, given the data file's ``header``."""
    adjust = ruleset.adjustments
    classification = ruleset.classification
    return {
        "ruleset": ruleset.id, "year": year, "unit_column": "单位",
        "rounding": {"places": ruleset.rounding.places, "mode": ruleset.rounding.mode,
                     "stage": ruleset.rounding.stage},
        "scale_to": _number(ruleset.scale_to),
        "indicators": [_indicator(ruleset, indicator, set(header), year) for indicator in ruleset.indicators],
        "bonus": [_item(item) for item in adjust.bonus if item.name in header],
        "deductions": [_item(item) for item in adjust.deductions if item.name in header],
        "vetoes": [item.name for item in adjust.vetoes if item.name in header],
        "bonus_cap": _number(adjust.bonus_cap), "deduction_cap": _number(adjust.deduction_cap),
        "total_floor": _number(adjust.total_floor),
        "classification": None if classification is None else {
            "by": classification.by,
            "grades": [{"name": g.name, "min_score": _number(g.min_score), "count": g.count,
                        "share": _number(g.share)} for g in classification.grades]},
    }


def _item(item: Any) -> dict[str, Any]:
    return {"header": item.name, "points": float(item.points), "cap": _number(item.cap)}


def _indicator(ruleset: Ruleset, indicator: Indicator, header: set[str], year: int) -> dict[str, Any]:
    rule = indicator.rule
    if rule.type not in BUILTIN_RULES:
        raise Unsupported(f"rule type '{rule.type}' of indicator {indicator.id}")
    params = {name: _number(getattr(rule, name)) for name in RULE_PARAMETERS.get(rule.type, ())}
    if rule.type == "bands":
        params["bands"] = [[float(b.threshold), float(b.points)] for b in rule.bands]  # type: ignore[attr-defined]
    if rule.type == "count":
        params["ceiling"] = float(rule.ceiling)  # type: ignore[attr-defined]
    timing = Timing(indicator.baseline_year or ruleset.base_year, ruleset.horizon_year, year)
    baseline = _baseline(indicator, header)
    return {"id": indicator.id, "header": indicator.name, "rule": rule.type, "direction": rule.direction,
            "strict": rule.strict, "full": float(rule.full), "params": params,
            "applies_to": list(indicator.applies_to),
            "target": _target(indicator, baseline, header, timing) if rule.uses_target else None,
            "baseline": baseline}


def _baseline(indicator: Indicator, header: set[str]) -> Expression | None:
    """The unit's base-year value: its ``名称@基期`` cell where the data has the column
    (the plan's value where the cell is empty), else the plan's."""
    column = f"{indicator.name}@基期"
    fallback = None if indicator.baseline is None else float(indicator.baseline)
    if column in header:
        return ["col", column, fallback]
    return None if indicator.baseline is None else lit(indicator.baseline)


def _target(indicator: Indicator, baseline: Expression | None, header: set[str], timing: Timing) -> Expression:
    """The year's target, as qscore's target shapes resolve it (``qscore/targets.py``)."""
    target = indicator.target
    if target is None:
        raise Unsupported(f"indicator {indicator.id} has a rule that needs a target and none")
    if target.batch and target.kind == "top":  # 进入前列: the value at a place among the batch's values
        value = target.value  # type: ignore[attr-defined]
        return ["top", target.place, _number(target.share), None if value is None else float(value),  # type: ignore[attr-defined]
                target.direction]  # type: ignore[attr-defined]
    if target.batch:
        raise Unsupported(f"batch target kind '{target.kind}' of indicator {indicator.id}")
    if target.needs is None and (baseline is None or baseline[0] == "lit"):
        return lit(target.resolve(Figures(baseline=indicator.baseline), timing))
    kind = target.kind
    if kind == "reference":
        column = ["col", f"{indicator.name}@{target.name}", None]  # type: ignore[attr-defined]
        offset = target.offset  # type: ignore[attr-defined]
        return ["add", column, lit(offset)] if offset else column
    if kind == "trend":
        return ["col", f"{indicator.name}@上年", None]
    if kind == "maintain":
        return lit(target.value)  # type: ignore[attr-defined]
    if baseline is None:
        raise Unsupported(f"indicator {indicator.id}: a '{kind}' target needs a baseline and there is none")
    if kind == "growth":
        years = min(timing.year, timing.horizon_year) - timing.base_year
        return ["mul", baseline, lit((1 + target.annual_percent / HUNDRED) ** years)]  # type: ignore[attr-defined]
    if kind == "change":
        percent, points = target.percent, target.points  # type: ignore[attr-defined]
        final = ["mul", baseline, lit(1 + percent / HUNDRED)] if percent is not None else ["add", baseline, lit(points)]
        start: Expression | None = baseline
    elif kind == "value":
        final, start = lit(target.value), baseline  # type: ignore[attr-defined]
    elif kind == "new":
        final, start = lit(target.value), lit(0)  # type: ignore[attr-defined]
    else:
        raise Unsupported(f"target kind '{kind}' of indicator {indicator.id}")
    if not timing.interim or start is None:
        return final
    # start + (final − start) × elapsed ÷ span: the straight path, as Target.resolve takes it.
    elapsed, span = timing.year - timing.base_year, timing.horizon_year - timing.base_year
    return ["add", start, ["div", ["mul", ["sub", final, start], lit(elapsed)], lit(span)]]
