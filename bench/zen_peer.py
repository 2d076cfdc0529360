"""GoRules ZEN (``zen-engine``, a Rust rule engine) scoring a seed ruleset, as a peer.

``python bench/zen_peer.py PLAN.json DATA.csv TOTALS.csv`` turns the plan's figures
(``bench/plan.py``) into one JDM decision, an expression node that computes every
indicator's points, rounds them, adds the capped bonus, takes the capped deductions,
applies the floor, the score rate and the veto, and evaluates it once per unit, the way
``bench/national.py`` measures ZEN on its synthetic ruleset.  It writes each unit's total
to TOTALS.csv and prints, as JSON, the seconds of the evaluations alone and of the whole
(reading the CSV into one context per unit, then evaluating).

A per-unit decision never sees the batch, so 排序赋分 gets each unit's place computed
beforehand, and a top target (进入前列) its value from the batch (outside the evaluations'
time); ZEN does not rank, tier or write a report.
"""

from __future__ import annotations

import csv
import json
import sys
import time
from typing import Any

Expression = list[Any]


def number(value: float) -> str:
    text = repr(float(value))
    return f"({text})" if text.startswith("-") else text


def expression(node: Expression, names: dict[str, str]) -> str:
    """A plan expression in ZEN's expression language."""
    op = node[0]
    if op == "lit":
        return number(node[1])
    if op == "col":
        var = names[node[1]]
        return var if node[2] is None else f"({var} == null ? {number(node[2])} : {var})"
    symbol = {"add": "+", "sub": "-", "mul": "*", "div": "/"}[op]
    return f"({expression(node[1], names)} {symbol} {expression(node[2], names)})"


def meets(value: str, target: str, direction: str, strict: bool = False) -> str:
    op = (">" if strict else ">=") if direction == "higher" else ("<" if strict else "<=")
    return f"{value} {op} {target}"


def rule_body(spec: dict[str, Any], v: str, target: str | None, baseline: str | None) -> str:
    kind, full, direction, params = spec["rule"], number(spec["full"]), spec["direction"], spec["params"]
    higher = direction == "higher"
    if kind == "levels":
        steps = " : ".join(f'{v} == "{name}" ? {number(spec["full"] * share)}'
                           for name, share in params["levels"].items())
        return f"({steps} : 0)"
    if kind == "count":
        items = f"max([{v} - {baseline}, 0])" if params["basis"] == "increase" else f"max([{v}, 0])"
        return f"min([{items} * {number(params['per_item'])}, {number(params['ceiling'])}])"
    if kind == "rank":  # v is the unit's place, given with the context
        return f"max([{full} - ({v} - 1) * {number(params['step'])}, {number(params['floor'])}])"
    if kind == "bands":
        shift = f"{target} + " if params["relative"] else ""
        steps = " : ".join(f"{meets(v, shift + number(t), direction)} ? {number(p)}" for t, p in params["bands"])
        return f"({steps} : {number(params['otherwise'])})"
    passed = f"({meets(v, target, direction, spec['strict'])} ? {full} : 0)"  # type: ignore[arg-type]
    loose = f"({meets(v, target, direction)} ? {full} : 0)"  # type: ignore[arg-type]
    if kind == "pass_fail":
        return passed
    if kind == "ratio":
        if higher:
            return f"({target} > 0 ? {full} * min([max([{v} / {target}, 0]), 1]) : {loose})"
        return f"({v} > 0 and {target} >= 0 ? {full} * min([max([{target} / {v}, 0]), 1]) : {loose})"
    if kind == "progress":
        span = f"({target} - {baseline})"
        moves = f"{span} != 0 and {span} {'>' if higher else '<'} 0"
        return f"({moves} ? {full} * min([max([({v} - {baseline}) / {span}, 0]), 1]) : {passed})"
    if kind == "deduction":
        gap = f"max([{target} - {v}, 0])" if higher else f"max([{v} - {target}, 0])"
        steps = f"{gap} / {number(params['step'])}"
        steps = {"whole": f"floor({steps})", "started": f"ceil({steps})"}.get(params["partial"], f"({steps})")
        return f"max([{full} - {steps} * {number(params['per_step'])}, 0])"
    raise ValueError(f"rule type {kind!r} is not modelled")


def variables(plan: dict[str, Any], header: list[str]) -> dict[str, str]:
    """A short ASCII variable for every column of the data."""
    return {name: f"c{n}" for n, name in enumerate(header)}


def graph(plan: dict[str, Any], names: dict[str, str]) -> str:
    rounding = plan["rounding"]
    places = rounding["places"]
    unit = names[plan["unit_column"]]
    expressions = []
    for n, spec in enumerate(plan["indicators"]):
        v = names[spec["header"]]
        target = expression(spec["target"], names) if spec["target"] is not None else None
        baseline = expression(spec["baseline"], names) if spec["baseline"] is not None else None
        body = rule_body(spec, v, target, baseline)
        if rounding["stage"] == "indicator":
            body = f"round({body}, {places})"
        applies = f"{unit} in {json.dumps(spec['applies_to'], ensure_ascii=False)}" if spec["applies_to"] else "true"
        expressions.append({"id": f"p{n}", "key": f"p{n}", "value": f"{applies} and {v} != null ? {body} : 0"})
        expressions.append({"id": f"m{n}", "key": f"m{n}", "value": f"{applies} ? {number(spec['full'])} : 0"})
    count = len(plan["indicators"])
    expressions.append({"id": "sum", "key": "sum", "value": " + ".join(f"$.p{n}" for n in range(count))})
    part = "$.sum"
    if plan["scale_to"] is not None:
        expressions.append({"id": "marks", "key": "marks", "value": " + ".join(f"$.m{n}" for n in range(count))})
        part = f"($.marks > 0 ? round($.sum * {number(plan['scale_to'])} / $.marks, {places}) : 0)"
    expressions.append({"id": "part", "key": "part", "value": part})
    for key, items, cap in (("bonus", plan["bonus"], plan["bonus_cap"]),
                            ("deduction", plan["deductions"], plan["deduction_cap"])):
        terms = [f"{names[i['header']]} * {number(i['points'])}" for i in items]
        terms = [f"min([{t}, {number(i['cap'])}])" if i["cap"] is not None else t for t, i in zip(terms, items)]
        value = " + ".join(terms) or "0"
        expressions.append({"id": key, "key": key, "value": f"min([{value}, {number(cap)}])" if cap is not None else value})
    total = "$.part + $.bonus - $.deduction"
    if plan["total_floor"] is not None:
        total = f"max([{total}, {number(plan['total_floor'])}])"
    expressions.append({"id": "total", "key": "total", "value": f"round({total}, {places})"})
    vetoes = " or ".join(f"{names[h]} > 0" for h in plan["vetoes"]) or "false"
    expressions.append({"id": "vetoed", "key": "vetoed", "value": vetoes})
    return decision(expressions)


def decision(expressions: list[dict[str, str]]) -> str:
    """A ZEN decision graph: the request, one expression node of ``expressions``, the response."""
    nodes = [{"id": "in", "type": "inputNode", "name": "request", "position": {"x": 0, "y": 0}},
             {"id": "score", "type": "expressionNode", "name": "score", "position": {"x": 300, "y": 0},
              "content": {"expressions": expressions}},
             {"id": "out", "type": "outputNode", "name": "response", "position": {"x": 600, "y": 0}}]
    edges = [{"id": "a", "sourceId": "in", "targetId": "score", "type": "edge"},
             {"id": "b", "sourceId": "score", "targetId": "out", "type": "edge"}]
    return json.dumps({"nodes": nodes, "edges": edges}, ensure_ascii=False)


def _float(text: str) -> float | None:
    try:
        return float(text.strip().rstrip("%"))
    except ValueError:
        return None


def contexts(plan: dict[str, Any], data: str) -> tuple[list[str], dict[str, str], list[dict[str, Any]]]:
    """One context per unit, as a ZEN user would build them from the CSV."""
    with open(data, encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle))
    header, rows = rows[0], rows[1:]
    names = variables(plan, header)
    texts = {plan["unit_column"]} | {s["header"] for s in plan["indicators"] if s["rule"] == "levels"}
    keys = [names[h] for h in header]
    kinds = [h in texts for h in header]
    counts = {names[i["header"]] for i in plan["bonus"] + plan["deductions"]} | {names[h] for h in plan["vetoes"]}
    out = []
    for row in rows:
        context: dict[str, Any] = {}
        for key, text_kind, cell in zip(keys, kinds, row):
            if text_kind:
                context[key] = cell.strip() or None
            else:
                value = _float(cell)
                context[key] = (value or 0) if key in counts else value
        out.append(context)
    for spec in plan["indicators"]:  # 进入前列: one target from the batch, worked out beforehand
        if spec["target"] is not None and spec["target"][0] == "top":
            spec["target"] = ["lit", top_cut(spec, names, out, names[plan["unit_column"]])]
    for spec in plan["indicators"]:  # 排序赋分: each unit's place among those with a value
        if spec["rule"] == "rank":
            give_places(spec, names, out, names[plan["unit_column"]])
    return [row[0] for row in rows], names, out


def top_cut(spec: dict[str, Any], names: dict[str, str], units: list[dict[str, Any]], unit: str) -> float:
    """The value at the top target's place among the units with a value (the stricter of
    it and the target's own value)."""
    _, place, share, floor, direction = spec["target"]
    key, applies = names[spec["header"]], set(spec["applies_to"])
    values = sorted((c[key] for c in units if c[key] is not None and (not applies or c[unit] in applies)),
                    reverse=direction == "higher")
    at = place if share is None else int(share * len(values) + 0.5)
    cut = values[min(max(at, 1), len(values)) - 1]
    if floor is None:
        return cut
    return max(cut, floor) if direction == "higher" else min(cut, floor)


def give_places(spec: dict[str, Any], names: dict[str, str], units: list[dict[str, Any]], unit: str) -> None:
    """Replace the indicator's value in each context by the unit's place (1, 1, 3 on ties)."""
    key = names[spec["header"]]
    applies = set(spec["applies_to"])
    present = [n for n, c in enumerate(units) if c[key] is not None and (not applies or c[unit] in applies)]
    first: dict[float, int] = {}
    for place, value in enumerate(sorted((units[n][key] for n in present), reverse=spec["direction"] == "higher"), 1):
        first.setdefault(value, place)
    ranked = set(present)
    for n, c in enumerate(units):
        c[key] = first[c[key]] if n in ranked else None


def main() -> None:
    import zen

    plan_file, data, out = sys.argv[1:4]
    with open(plan_file, encoding="utf-8") as handle:
        plan = json.load(handle)
    start = time.perf_counter()
    units, names, batch = contexts(plan, data)
    decision = zen.ZenEngine().create_decision(graph(plan, names))
    middle = time.perf_counter()
    results = [decision.evaluate(context)["result"] for context in batch]
    end = time.perf_counter()
    with open(out, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["单位", "总分"])
        writer.writerows((unit, result["total"]) for unit, result in zip(units, results))
    from importlib import metadata

    print(json.dumps({"evaluate": end - middle, "whole": end - start, "units": len(units),
                      "version": metadata.version("zen-engine")}))


if __name__ == "__main__":
    main()
