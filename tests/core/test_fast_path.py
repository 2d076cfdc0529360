"""The column-wise engine gives exactly what scoring unit by unit gives.

The engine scores each distinct value once, adds points column by column, builds
per-indicator results only when read and formats CSV points a column at a time.  The
property below checks all of that against a reference written the plain way: per unit,
``rule.points`` on the parsed cell, rounding, a sum in indicator order, the score-rate
conversion (``scale_to``), bonus and deduction caps, competition ranking (1, 1, 3) and
classes, for generated rulesets and data (with repeated cells, missing values, units
exempt by ``applies_to`` or a 不适用 cell, ties and vetoes).
"""

from __future__ import annotations

import csv
import io
import json
import pickle
from decimal import Decimal

import attrs

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from qscore.reading.cells import is_exempt, normalise, parse_count, parse_number
from qscore.reading.binding import bind
from qscore.reading.table import RawTable
from qscore.scoring.engine import score_batch
from qscore.model import RankedUnits
from qscore.scoring.columns import IndicatorView
from qscore.plugins.manager import load_plugins
from qscore.rulesets import parse_ruleset
from qscore.targets import Figures, Timing
from qscore.writing.text import csv_text, summary_rows, summary_table, write_csv

RULE_TYPES = load_plugins(entry_points=False).rule_types
LEVELS = {"完成": 1, "基本完成": Decimal("0.6"), "未完成": 0}
ZERO = Decimal(0)
UNITS = [f"单位{n:02d}" for n in range(12)]

figures = st.decimals(min_value=0, max_value=120, places=1, allow_nan=False, allow_infinity=False)


@st.composite
def indicator_tables(draw: st.DrawFn, number: int) -> dict:
    kind = draw(st.sampled_from(["pass_fail", "ratio", "progress", "bands", "deduction", "count", "rank", "levels"]))
    full = draw(st.integers(1, 20))
    # 计件 rewards each item: higher is better by definition.
    direction = "higher" if kind == "count" else draw(st.sampled_from(["higher", "lower"]))
    table = {"id": f"i{number}", "name": f"指标{number}", "points": full, "direction": direction,
             "baseline": draw(figures)}
    category = draw(st.sampled_from([None, "a", "b"]))
    if category:
        table["category"] = category
    if draw(st.integers(0, 3)) == 0:  # assessed for some units only
        table["applies_to"] = draw(st.lists(st.sampled_from(UNITS), min_size=1, max_size=6, unique=True))
    if kind in ("pass_fail", "ratio", "progress", "deduction"):
        table["target"] = draw(figures)
        table["rule"] = kind if kind != "deduction" else {
            "type": "deduction", "per_step": draw(st.sampled_from([1, 2, Decimal("0.5")])),
            "step": draw(st.sampled_from([1, Decimal("0.3")])),
            "partial": draw(st.sampled_from(["proportional", "whole", "started"]))}
    elif kind == "bands":
        steps = sorted(draw(st.lists(figures, min_size=1, max_size=3, unique=True)), reverse=direction == "higher")
        awarded = sorted(draw(st.lists(st.integers(0, full), min_size=len(steps), max_size=len(steps))), reverse=True)
        key = "at_least" if direction == "higher" else "at_most"
        table["rule"] = {"type": "bands", "bands": [{key: t, "points": p} for t, p in zip(steps, awarded)]}
    elif kind == "count":
        table["rule"] = {"type": "count", "per_item": draw(st.sampled_from([1, 2, Decimal("0.7")])),
                         "basis": draw(st.sampled_from(["value", "increase"]))}
    elif kind == "rank":
        table["rule"] = {"type": "rank", "step": draw(st.sampled_from([1, Decimal("0.5"), 3])),
                         "floor": draw(st.integers(0, full))}
    else:
        table["rule"] = {"type": "levels", "levels": LEVELS}
    return table


@st.composite
def cases(draw: st.DrawFn) -> tuple[dict, list[str], list[list[str]], int]:
    indicators = [draw(indicator_tables(n)) for n in range(draw(st.integers(1, 5)))]
    by = draw(st.sampled_from(["score", "rank"]))
    grades = ([{"name": "优秀", "min_score": 30}, {"name": "良好", "min_score": 15}, {"name": "其他"}]
              if by == "score" else
              [{"name": "第一方阵", "count": 2}, {"name": "第二方阵", "count": 3}, {"name": "第三方阵"}])
    ruleset = {
        "id": "fast-path", "title": "测试", "jurisdiction": "测试县", "base_year": 2023, "horizon_year": 2027,
        "categories": [{"id": "a", "name": "甲"}, {"id": "b", "name": "乙"}],
        "indicators": indicators,
        "rounding": {"places": draw(st.integers(0, 3)), "mode": draw(st.sampled_from(["half_up", "half_even", "down"])),
                     "stage": draw(st.sampled_from(["indicator", "total"]))},
        "adjustments": {"bonus": [{"id": "award", "name": "获奖", "points": 3, "cap": 5}],
                        "deductions": [{"id": "criticised", "name": "通报批评", "points": 2}],
                        "vetoes": [{"id": "incident", "name": "事故"}],
                        "bonus_cap": draw(st.sampled_from([4, 10])), "total_floor": 0},
        "classification": {"by": by, "grades": grades},
        "ranking": {"tie_break": draw(st.sampled_from([[], ["a"], ["i0"], ["b", "i0", "a"]]))},
    }
    scale_to = draw(st.sampled_from([None, None, 100, Decimal("7.5")]))
    if scale_to is not None:
        ruleset["scale_to"] = scale_to
    pools = []
    for table in indicators:
        if table["rule"] == "levels" or (isinstance(table["rule"], dict) and table["rule"]["type"] == "levels"):
            pools.append(["完成", "基本完成", "未完成", "-", "不适用"])
        else:
            # Equal numbers written differently ("98" and "98.0") and repeated cells.
            numbers = draw(st.lists(figures, min_size=1, max_size=4))
            pools.append([f"{n}" for n in numbers] + [f"{n:.2f}" for n in numbers[:1]] + ["", "—", "不适用"])
    header = ["单位", *(t["name"] for t in indicators), "获奖", "通报批评", "事故"]
    rows = []
    for unit in range(draw(st.integers(1, 12))):
        cells = [draw(st.sampled_from(pool)) for pool in pools]
        cells += [draw(st.sampled_from(["", "0", "1", "2"])), draw(st.sampled_from(["", "1", "3"])),
                  draw(st.sampled_from(["", "", "", "是"]))]
        rows.append([UNITS[unit], *cells])
    year = draw(st.sampled_from([2025, 2027]))
    return ruleset, header, rows, year


def reference(ruleset, rows: list[list[str]], year: int) -> list[dict]:  # noqa: ANN001
    """Every unit's result, worked out unit by unit in the plainest way."""
    rounding = ruleset.rounding
    columns = list(zip(*rows))
    parsed = []
    # Exempt: a 不适用 cell, or a unit outside the indicator's applies_to.
    exempt = [[is_exempt(t) or bool(indicator.applies_to) and row[0] not in indicator.applies_to
               for t, row in zip(columns[1 + n], rows)] for n, indicator in enumerate(ruleset.indicators)]
    for n, indicator in enumerate(ruleset.indicators):
        texts = [None if off else t for t, off in zip(columns[1 + n], exempt[n])]
        if indicator.rule.value_kind == "level":
            parsed.append([None if t is None or normalise(t) in ("-", "") else normalise(t) for t in texts])
        else:
            parsed.append([None if t is None else parse_number(t) for t in texts])
    units = []
    for u, row in enumerate(rows):
        points, results, full_marks = [], [], []
        for n, indicator in enumerate(ruleset.indicators):
            value, rule = parsed[n][u], indicator.rule
            if exempt[n][u]:  # 0 points and 0 full marks; the rank rule's others skip it (parsed None)
                p = rounding.apply(ZERO) if rounding.stage == "indicator" else ZERO
                points.append(p)
                full_marks.append(ZERO)
                results.append((indicator.id, "不适用", None, p, ZERO, None))
                continue
            full_marks.append(indicator.points)
            target = None
            if value is not None and rule.uses_target:
                target = indicator.target.resolve(Figures(baseline=indicator.baseline),
                                                  Timing(ruleset.base_year, ruleset.horizon_year, year))
            if value is None:
                exact = ZERO
            elif rule.batch:  # rank rule: 1 + how many units with a value are strictly better
                others = [v for v in parsed[n] if v is not None]
                better = sum(1 for v in others if (v > value if rule.direction == "higher" else v < value))
                exact = max(rule.full - better * rule.step, rule.floor)
            else:
                exact = rule.points(value, target, indicator.baseline)
            p = rounding.apply(exact) if rounding.stage == "indicator" else exact
            points.append(p)
            results.append((indicator.id, value, target, p, indicator.points,
                            None if value is None else rule.met(value, target)))
        total = ZERO
        for p in points:
            total += p
        if ruleset.scale_to is not None:  # 得分率折算: points ÷ applicable full marks × scale_to, rounded
            applicable = ZERO
            for marks in full_marks:
                applicable += marks
            total = rounding.apply(total * ruleset.scale_to / applicable if applicable else ZERO)
        subtotals = {c.id: ZERO for c in ruleset.categories}
        for indicator, p in zip(ruleset.indicators, points):
            if indicator.category:
                subtotals[indicator.category] += p
        award, criticised, incident = (parse_count(t) for t in row[-3:])
        bonus = min(min(award * 3, Decimal(5)), ruleset.adjustments.bonus_cap)
        deductions = criticised * 2
        total = max(total + bonus - deductions, ZERO)
        if rounding.stage == "total":
            total = rounding.apply(total)
        units.append({"unit": row[0], "points": points, "results": results, "subtotals": subtotals,
                      "bonus": bonus, "deductions": deductions, "vetoed": bool(incident), "total": total})
    def tie(unit: dict, name: str) -> Decimal:
        ids = [i.id for i in ruleset.indicators]
        return unit["subtotals"][name] if name in unit["subtotals"] else \
            unit["points"][ids.index(name)] if name in ids else ZERO

    key = {id(u): (u["vetoed"], -u["total"], *(-tie(u, name) for name in ruleset.ranking.tie_break)) for u in units}
    for unit in units:
        unit["rank"] = 1 + sum(1 for other in units if key[id(other)] < key[id(unit)])
    units.sort(key=lambda u: key[id(u)])  # stable: ties keep input order
    classify(ruleset.classification, units)
    return units


def classify(classification, units: list[dict]) -> None:  # noqa: ANN001
    names = [g.name for g in classification.grades]
    if classification.by == "score":
        limits = [g.min_score for g in classification.grades[:-1]]
        fits = [next((n for n, lim in enumerate(limits) if u["total"] >= lim), len(limits)) for u in units]
    else:
        limits = [2, 5]  # counts 2 and 3, cumulative
        fits = [next((n for n, lim in enumerate(limits) if u["rank"] <= lim), len(limits)) for u in units]
    tiers = [len(limits) if u["vetoed"] else f for u, f in zip(units, fits)]
    lowest = {}
    for unit, tier in zip(units, tiers):
        if not unit["vetoed"]:
            lowest[tier] = unit["total"]
    for unit, tier in zip(units, tiers):
        unit["tier"] = names[tier]
        better = None
        if not unit["vetoed"] and tier > 0:
            better = limits[tier - 1] if classification.by == "score" else lowest.get(tier - 1)
        unit["gap"] = None if better is None else max(better - unit["total"], ZERO)


def same(a: Decimal | None, b: Decimal | None) -> bool:
    """Equal in value and in the digits shown."""
    return (a is None and b is None) or (a is not None and b is not None and a == b and str(a) == str(b))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cases())
def test_engine_matches_unit_by_unit_reference(case: tuple[dict, list[str], list[list[str]], int]) -> None:
    table_data, header, rows, year = case
    ruleset = parse_ruleset(table_data, RULE_TYPES)
    table = RawTable(file="data.csv", header=tuple(header), rows=rows, row_numbers=list(range(2, len(rows) + 2)))
    batch = score_batch(ruleset, bind(table, ruleset), year=year)
    expected = reference(ruleset, rows, year)

    assert [u.unit for u in batch.units] == [u["unit"] for u in expected]
    for got, want in zip(batch.units, expected):
        assert got.rank == want["rank"] and got.tier == want["tier"] and got.vetoed == want["vetoed"]
        assert same(got.total, want["total"]) and same(got.gap_to_next, want["gap"])
        assert same(got.bonus, want["bonus"]) and same(got.deductions, want["deductions"])
        assert all(same(got.subtotals[k], v) for k, v in want["subtotals"].items())
        assert isinstance(got.indicators, IndicatorView)
        assert all(same(a.points, b) for a, b in zip(got.indicators, want["points"]))
        for result, (ident, value, target, points, full, met) in zip(got.indicators, want["results"]):
            assert (result.indicator, result.value, result.target, result.met) == (ident, value, target, met)
            assert same(result.points, points) and same(result.max_points, full)

    # The CSV is what csv.writer writes for the summary rows.
    header, rows = summary_rows(batch, detail=True)
    buffer = io.StringIO(newline="")
    csv.writer(buffer, lineterminator="\r\n").writerows([header, *rows])
    assert write_csv(batch) == ("\ufeff" + buffer.getvalue()).encode("utf-8")
    written = list(csv.reader(io.StringIO(write_csv(batch).decode("utf-8-sig"))))[1:]
    width = len(ruleset.indicators)
    # Outputs never show -0: a zero is written without its sign.
    shown = lambda figure: f"{figure.copy_abs() if figure.is_zero() else figure:f}"  # noqa: E731
    assert [row[-width:] for row in written] == [[shown(p) for p in u["points"]] for u in expected]
    assert [row[2] for row in written] == [shown(u["total"]) for u in expected]

    # The engine's units are read as columns; the same units as plain objects, with
    # their indicator results made, are written the same way.
    plain = attrs.evolve(batch, units=tuple(attrs.evolve(u, indicators=tuple(u.indicators)) for u in batch.units))
    assert plain.units == batch.units and batch.units == plain.units
    assert write_csv(plain) == write_csv(batch)
    assert summary_table(plain, detail=True) == summary_table(batch, detail=True)


def test_lazy_results_read_like_a_tuple() -> None:
    """A unit's indicator results index, slice, iterate and compare like the tuple they replace."""
    from conftest import DATA

    from qscore.reading.binding import bind as bind_table
    from qscore.reading.text import read_csv
    from qscore.reading.table import ReadOptions
    from qscore.rulesets import load_ruleset

    ruleset = load_ruleset(DATA / "township.toml", RULE_TYPES)
    batch = score_batch(ruleset, bind_table(read_csv(DATA / "townships.csv", ReadOptions()), ruleset), year=2025)
    unit = batch.unit("南宾街道")
    results = unit.indicators
    eager = tuple(results)
    assert len(results) == 3 and results[-1] == eager[2] and results[0:2] == eager[:2]
    assert results == eager and eager == results and results != eager[:2]
    # 南宾街道: food 97.5 on the path 95 → 98 (2025 target 95 + 3 × 2/4 = 96.5): met;
    # bands 99.2 ≥ 99 → 30; task 完成 → 30.
    assert [r.indicator for r in results] == ["food", "drug", "task"]
    assert results[0].target == Decimal("96.5") and results[0].met is True
    assert [r.points for r in results][1:] == [Decimal("30.00"), Decimal("30.00")]
    # The batch's units, too, are made when read and read like the tuple they replace.
    units = batch.units
    assert isinstance(units, RankedUnits)
    eager_units = tuple(units)
    assert len(units) == len(eager_units) == 4 and units[-1] == eager_units[3] and units[1:3] == eager_units[1:3]
    assert units == eager_units and eager_units == units and units != eager_units[:3]
    assert unit in eager_units and units.column("total") == [u.total for u in eager_units]
    assert units.column("rank") == [u.rank for u in eager_units]
    # A batch survives pickling (for worker processes), lazy parts and all.
    again = pickle.loads(pickle.dumps(batch))
    assert [tuple(u.indicators) for u in again.units] == [tuple(u.indicators) for u in batch.units]
    assert again.units == batch.units


def small_batch(indicators: list[dict], rows: list[list[str]], **extra: object):  # noqa: ANN201
    data = {"id": "small", "title": "测试", "jurisdiction": "测试县", "base_year": 2023, "horizon_year": 2027,
            "indicators": indicators, **extra}
    ruleset = parse_ruleset(data, RULE_TYPES)
    header = ("单位", *(i["name"] for i in indicators))
    table = RawTable(file="data.csv", header=header, rows=rows, row_numbers=list(range(2, len(rows) + 2)))
    return score_batch(ruleset, bind(table, ruleset))


def test_inexact_sums_are_added_in_sheet_order() -> None:
    # With 28 significant digits, A = 100000000000000.0000000049999 (28 digits) plus
    # 0.00000000000004 rounds back to A (0.4 of the last digit), twice: the sheet-order
    # total is A, 100000000000000.00000000 at 8 places.  Adding the category subtotals
    # instead (A, then 0.00000000000004 + 0.00000000000004 = 0.00000000000008) would
    # give 100000000000000.0000000050000, which rounds half up to …00000001.
    rule = {"target": 0, "rule": "pass_fail"}
    big, small = Decimal("100000000000000.0000000049999"), Decimal("0.00000000000004")
    indicators = [{"id": "a", "name": "甲", "category": "x", "points": big, **rule},
                  {"id": "b", "name": "乙", "category": "y", "points": small, **rule},
                  {"id": "c", "name": "丙", "category": "y", "points": small, **rule}]
    batch = small_batch(indicators, [["某镇", "1", "1", "1"]], rounding={"places": 8, "stage": "total"},
                        categories=[{"id": "x", "name": "X"}, {"id": "y", "name": "Y"}])
    unit = batch.units[0]
    assert f"{unit.total:f}" == "100000000000000.00000000"
    assert unit.subtotals == {"x": big, "y": Decimal("0.00000000000008")}


def test_csv_shows_tiny_exact_points_without_an_exponent() -> None:
    # 完成率 kept exact (stage = total): 2 × 0.0000001 ÷ 1 = 0.0000002, which str() would
    # write as 2E-7; the total is rounded to 0.00.
    indicators = [{"id": "a", "name": "甲", "points": 2, "target": 1, "rule": "ratio"}]
    batch = small_batch(indicators, [["某镇", "0.0000001"]], rounding={"stage": "total"})
    header, row = list(csv.reader(io.StringIO(write_csv(batch).decode("utf-8-sig"))))
    assert row[header.index("甲（得分）")] == "0.0000002"
    assert row[header.index("总分")] == "0.00"


def test_cells_with_commas_quotes_or_line_breaks_are_quoted_as_csv_writer_does() -> None:
    rows = [["排名", "单位"], ["1", '甲,乙镇'], ["2", '丙"镇'], ["3", "丁\n镇"], ["4", "戊镇"]]
    assert csv_text(rows) == '排名,单位\r\n1,"甲,乙镇"\r\n2,"丙""镇"\r\n3,"丁\n镇"\r\n4,戊镇\r\n'
    assert csv_text([["1", "甲镇"], ["2", "乙镇"]]) == "1,甲镇\r\n2,乙镇\r\n"


def test_csv_with_cells_to_quote_is_what_csv_writer_writes() -> None:
    # A comma, a quote and a formula in unit names: the joined fast path must give way to
    # csv.writer, with the formula neutralised ('=...).
    indicators = [{"id": "a", "name": "甲", "points": 2, "target": 1, "rule": "ratio"}]
    batch = small_batch(indicators, [['东,镇', "1"], ['南"镇', "0.5"], ["=1+1", "0.25"]])
    header, rows = summary_rows(batch, detail=True)
    buffer = io.StringIO(newline="")
    csv.writer(buffer, lineterminator="\r\n").writerows([header, *rows])
    assert write_csv(batch) == ("\ufeff" + buffer.getvalue()).encode("utf-8")
    written = list(csv.reader(io.StringIO(write_csv(batch).decode("utf-8-sig"))))
    assert [row[1] for row in written[1:]] == ["东,镇", '南"镇', "'=1+1"]


def test_json_written_unit_by_unit_is_the_whole_document_dumped() -> None:
    from qscore.writing.text import json_text, unit_json, write_json

    indicators = [{"id": "a", "name": "甲", "points": 2, "target": 1, "rule": "ratio", "applies_to": ["东镇"]},
                  {"id": "b", "name": "乙\n（备注）", "points": 3, "target": 1, "rule": "pass_fail"}]
    batch = small_batch(indicators, [["东镇", "0.5", "1"], ["西镇", "1", "不适用"]])
    document = {"ruleset": "small", "title": "测试", "year": 2027,
                "units": [unit_json(batch, unit) for unit in batch.units]}
    assert write_json(batch) == (json_text(document) + "\n").encode("utf-8")
    assert json.loads(write_json(batch), parse_float=Decimal) == document
    # 西镇 is exempt from both: 甲 applies to 东镇 only, 乙 is marked 不适用.
    west = json.loads(write_json(batch), parse_float=Decimal)["units"][1]
    assert [(r["value"], str(r["points"]), r["max_points"]) for r in west["indicators"]] == [
        ("不适用", "0.00", 0), ("不适用", "0.00", 0)]
