"""The peer a county IT person would write: a polars script scoring with floats.

``python bench/polars_peer.py PLAN.json DATA.csv OUT.csv`` reads the plan's figures
(``bench/plan.py`` writes them from a ruleset, outside the timing), reads the data with
``polars.read_csv``, scores every indicator as a polars expression, adds the capped
bonus, takes the capped deductions, applies the floor, the score rate and the veto,
rounds each indicator's points and the total, ranks with shared places, puts units in
grades or tiers, and writes the ranking as CSV.  It prints the seconds each step took as
JSON.  It imports neither qscore nor its rulesets: the figures are all in the plan.

Floats are what such a script uses; a figure that qscore's exact decimals put on a half
cent may round the other way here, and the benchmark counts those units.
"""

from __future__ import annotations

import json
import math
import sys
import time
from typing import Any

import polars as pl

MODES = {"half_up": "half_away_from_zero", "half_even": "half_to_even", "down": "to_zero"}
NO_DATA = ["", "-", "--", "—", "——", "－", "/", "／"]
Expression = list[Any]


def figure(node: Expression) -> pl.Expr:
    """A plan expression (``bench/plan.py``) as a polars expression."""
    op = node[0]
    if op == "lit":
        return pl.lit(node[1], dtype=pl.Float64)
    if op == "col":
        column = pl.col(node[1])
        return column if node[2] is None else column.fill_null(node[2])
    left, right = figure(node[1]), figure(node[2])
    return {"add": left + right, "sub": left - right, "mul": left * right, "div": left / right}[op]


def meets(value: pl.Expr, target: pl.Expr, direction: str, strict: bool = False) -> pl.Expr:
    if direction == "higher":
        return value > target if strict else value >= target
    return value < target if strict else value <= target


def raw_points(spec: dict[str, Any], value: pl.Expr, target: pl.Expr | None,
               baseline: pl.Expr | None) -> pl.Expr:
    """Exact-as-floats points of one indicator's rule, for a unit with a value."""
    kind, full, direction, params = spec["rule"], spec["full"], spec["direction"], spec["params"]
    higher = direction == "higher"
    if kind == "levels":
        shares = params["levels"]
        return value.replace_strict(list(shares), [full * s for s in shares.values()], default=None,
                                    return_dtype=pl.Float64)
    if kind == "count":
        items = ((value - baseline) if params["basis"] == "increase" else value).clip(lower_bound=0)  # type: ignore[operator]
        return pl.min_horizontal(items * params["per_item"], pl.lit(params["ceiling"]))
    if kind == "rank":
        place = value.rank("min", descending=higher)
        return pl.max_horizontal(full - (place - 1) * params["step"], pl.lit(params["floor"]))
    if kind == "bands":
        shift = target if params["relative"] else pl.lit(0.0)
        chain: Any = pl.when(meets(value, shift + params["bands"][0][0], direction)).then(params["bands"][0][1])  # type: ignore[operator]
        for threshold, points in params["bands"][1:]:
            chain = chain.when(meets(value, shift + threshold, direction)).then(points)  # type: ignore[operator]
        return chain.otherwise(params["otherwise"])
    assert target is not None
    passed = pl.when(meets(value, target, direction, spec["strict"])).then(full).otherwise(0.0)
    if kind == "pass_fail":
        return passed
    if kind == "ratio":
        if higher:
            return pl.when(target > 0).then(full * (value / target).clip(0, 1)) \
                .otherwise(pl.when(meets(value, target, direction)).then(full).otherwise(0.0))
        return pl.when((value > 0) & (target >= 0)).then(full * (target / value).clip(0, 1)) \
            .otherwise(pl.when(meets(value, target, direction)).then(full).otherwise(0.0))
    if kind == "progress":
        assert baseline is not None
        span = target - baseline
        moves = (span != 0) & ((span > 0) if higher else (span < 0))
        return pl.when(moves).then(full * ((value - baseline) / span).clip(0, 1)).otherwise(passed)
    if kind == "deduction":
        gap = ((target - value) if higher else (value - target)).clip(lower_bound=0)
        steps = gap / params["step"]
        steps = {"whole": steps.floor(), "started": steps.ceil()}.get(params["partial"], steps)
        return (full - steps * params["per_step"]).clip(lower_bound=0)
    raise ValueError(f"rule type {kind!r} is not modelled")


def indicator_points(spec: dict[str, Any], rounding: dict[str, Any], unit: pl.Expr) -> tuple[pl.Expr, pl.Expr]:
    """The indicator's points (0 where there is no value or it does not apply) and the
    full marks that apply to each unit."""
    applies = unit.is_in(spec["applies_to"]) if spec["applies_to"] else pl.lit(True)
    value = pl.col(spec["header"])
    if spec["rule"] == "levels":
        value = value.str.strip_chars()
    present = value.is_not_null() & applies
    if spec["rule"] == "rank":  # places among the units with a value
        value = pl.when(present).then(value)
    target = None
    if spec["target"] is not None:
        target = top(spec["target"], value, present) if spec["target"][0] == "top" else figure(spec["target"])
    baseline = figure(spec["baseline"]) if spec["baseline"] is not None else None
    points = raw_points(spec, value, target, baseline)
    if rounding["stage"] == "indicator":
        points = rounded(points, rounding)
    points = pl.when(present).then(points).otherwise(0.0).fill_null(0.0)
    marks = pl.when(applies).then(spec["full"]).otherwise(0.0)
    return points.alias(spec["header"] + "（得分）"), marks


def top(node: Expression, value: pl.Expr, present: pl.Expr) -> pl.Expr:
    """进入前列: the value at a place (or a share) among the units with a value, and with a
    value of its own the stricter of the two."""
    _, place, share, floor, direction = node
    higher = direction == "higher"
    values = pl.when(present).then(value)
    count = values.count()
    at = pl.lit(place) if share is None else (count * share + 0.5).floor().cast(pl.Int64)
    at = pl.min_horizontal(pl.max_horizontal(at, pl.lit(1)), count)
    cut = values.sort(descending=higher, nulls_last=True).gather(at - 1).first()
    if floor is None:
        return cut
    return pl.max_horizontal(cut, pl.lit(floor)) if higher else pl.min_horizontal(cut, pl.lit(floor))


def rounded(points: pl.Expr, rounding: dict[str, Any]) -> pl.Expr:
    return points.round(rounding["places"], mode=MODES[rounding["mode"]])  # type: ignore[arg-type]


def items_sum(items: list[dict[str, Any]], cap: float | None) -> pl.Expr:
    total = pl.lit(0.0)
    for item in items:
        one = pl.col(item["header"]).fill_null(0) * item["points"]
        total = total + (one.clip(upper_bound=item["cap"]) if item["cap"] is not None else one)
    return total.clip(upper_bound=cap) if cap is not None else total


def tiers(plan: dict[str, Any], count: int) -> pl.Expr | None:
    """Each unit's grade or tier from its total (by score) or rank (by rank or share)."""
    classification = plan["classification"]
    if classification is None:
        return None
    grades = classification["grades"]
    chain: Any = pl.when(pl.col("一票否决") == "是").then(pl.lit(grades[-1]["name"]))
    running = 0.0
    for grade in grades[:-1]:
        if classification["by"] == "score":
            chain = chain.when(pl.col("总分") >= grade["min_score"]).then(pl.lit(grade["name"]))
            continue
        running += grade["count"] if classification["by"] == "rank" else grade["share"] * count
        chain = chain.when(pl.col("排名") <= math.floor(running + 0.5)).then(pl.lit(grade["name"]))
    return chain.otherwise(pl.lit(grades[-1]["name"])).alias("等次")


def score(plan: dict[str, Any], frame: pl.DataFrame) -> pl.DataFrame:
    rounding, unit = plan["rounding"], pl.col(plan["unit_column"])
    scored = [indicator_points(spec, rounding, unit) for spec in plan["indicators"]]
    points = [p for p, _ in scored]
    frame = frame.with_columns(points)
    names = [spec["header"] + "（得分）" for spec in plan["indicators"]]
    part = pl.sum_horizontal(names)
    if plan["scale_to"] is not None:
        marks = pl.sum_horizontal([m for _, m in scored])
        part = pl.when(marks > 0).then(rounded(part * plan["scale_to"] / marks, rounding)).otherwise(0.0)
    bonus = items_sum(plan["bonus"], plan["bonus_cap"])
    deductions = items_sum(plan["deductions"], plan["deduction_cap"])
    total = part + bonus - deductions
    if plan["total_floor"] is not None:
        total = total.clip(lower_bound=plan["total_floor"])
    vetoed = pl.any_horizontal([pl.col(v).fill_null(0) > 0 for v in plan["vetoes"]]) if plan["vetoes"] else pl.lit(False)
    frame = frame.with_columns(rounded(total, rounding).alias("总分"), rounded(bonus, rounding).alias("加分"),
                               rounded(deductions, rounding).alias("扣分"), vetoed.alias("vetoed"))
    # Vetoed units rank after every other: their totals are moved far below.
    frame = frame.with_columns(pl.when(pl.col("vetoed")).then(pl.col("总分") - 1e9).otherwise(pl.col("总分"))
                               .rank("min", descending=True).cast(pl.Int64).alias("排名"),
                               pl.when(pl.col("vetoed")).then(pl.lit("是")).otherwise(pl.lit("否")).alias("一票否决"))
    classes = tiers(plan, frame.height)
    frame = frame.with_columns(classes if classes is not None else pl.lit("").alias("等次"))
    return frame.sort("排名", maintain_order=True).select(
        "排名", pl.col(plan["unit_column"]).alias("单位"), "总分", "等次", "加分", "扣分", "一票否决", *names)


def read(plan: dict[str, Any], data: str) -> pl.DataFrame:
    """The data file, each figure column as floats and level columns as text."""
    header = pl.read_csv(data, n_rows=0).columns
    texts = {plan["unit_column"]} | {s["header"] for s in plan["indicators"] if s["rule"] == "levels"}
    schema = {name: pl.String if name in texts else pl.Float64 for name in header}
    return pl.read_csv(data, schema_overrides=schema, null_values=NO_DATA)


def main() -> None:
    plan_file, data, out = sys.argv[1:4]
    start = time.perf_counter()
    with open(plan_file, encoding="utf-8") as handle:
        plan = json.load(handle)
    frame = read(plan, data)
    read_at = time.perf_counter()
    ranked = score(plan, frame)
    scored_at = time.perf_counter()
    ranked.write_csv(out, float_precision=plan["rounding"]["places"])
    end = time.perf_counter()
    print(json.dumps({"read": read_at - start, "score": scored_at - read_at, "write": end - scored_at,
                      "units": ranked.height, "version": pl.__version__}))


if __name__ == "__main__":
    main()
