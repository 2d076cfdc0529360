"""The column-wise engine gives exactly what scoring unit by unit gives.

The engine scores each distinct value once, resolves one target per distinct set of
figures, adds points column by column, builds per-indicator results only when read and
formats CSV points a column at a time.  The property below checks all of that against
:func:`qscore.testing.reference_batch`, which works each unit out the plain way, for
generated rulesets and data: every built-in rule type and target shape (interim points
on a path whole or not, the batch's 进入前列), plan baselines or none, each unit's own figures (``名称@基期`` overriding the plan's, ``名称@上年``,
``名称@全国平均`` / ``名称@省下达``), repeated cells and equal numbers written differently,
missing values, units exempt by ``applies_to`` or a 不适用 cell, ties, vetoes, the
score-rate conversion (``scale_to``), a plug-in's adjuster, and the same data in the
long layout.
"""

from __future__ import annotations

import csv
import io
import json
import pickle
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import attrs
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import assert_cases_share_results

from qscore import hookimpl, score
from qscore.model import AdjustmentResult, Ruleset, RankedUnits, UnitResult, UnitTuple
from qscore.plugins.manager import load_plugins
from qscore.reading.binding import bind
from qscore.reading.table import RawTable
from qscore.rulesets import parse_ruleset
from qscore.scoring.columns import EngineUnits, IndicatorView
from qscore.scoring.engine import score_batch
from qscore.testing import check_same_as_reference, long_rows, reference_batch, score_rows, table
from qscore.writing.text import json_text, notice_json, unit_json, write_json
from qscore.writing.text import csv_text, summary_rows, summary_table, write_csv

LEVELS = {"完成": 1, "基本完成": Decimal("0.6"), "未完成": 0}
ZERO = Decimal(0)
UNITS = [f"单位{n:02d}" for n in range(12)]
#: The ruleset id the test plug-in's adjuster is registered for.
ADJUSTED = "adjusted"

figures = st.decimals(min_value=0, max_value=120, places=1, allow_nan=False, allow_infinity=False)
LEVEL_CELLS = st.sampled_from(["完成", "基本完成", "未完成", "-", "不适用"])
ITEM_CELLS = {"获奖": st.sampled_from(["", "0", "1", "2"]), "通报批评": st.sampled_from(["", "1", "3"]),
              "事故": st.sampled_from(["", "", "", "是"])}


def adjust(ruleset: Ruleset, unit: UnitResult) -> Iterator[AdjustmentResult]:
    """A plug-in's lines from the unit's result so far: 0.5 off per indicator whose
    target it missed, 1.5 on when category a's subtotal reaches 10, and a veto for a
    unit criticised three times (the ruleset's own item line)."""
    unmet = sum(1 for result in unit.indicators if result.met is False)
    if unmet:
        yield AdjustmentResult(kind="deduction", item="unmet", name="未达标指标", count=Decimal(unmet),
                               points=Decimal("0.5") * unmet)
    if unit.subtotals.get("a", ZERO) >= 10:
        yield AdjustmentResult(kind="bonus", item="a-praised", name="甲类表现突出", count=Decimal(1),
                               points=Decimal("1.5"))
    if any(line.item == "criticised" and line.count >= 3 for line in unit.adjustments):
        yield AdjustmentResult(kind="veto", item="repeated", name="屡次通报", count=Decimal(1), points=ZERO)


class AdjusterPlugin:
    @hookimpl
    def qscore_register_adjusters(self, register: Any) -> None:
        register(ADJUSTED, adjust)


CATALOG = load_plugins(entry_points=False, extra=[("test-adjusters", AdjusterPlugin())])
RULE_TYPES = CATALOG.rule_types


@st.composite
def targets(draw: st.DrawFn) -> Any:
    """A target in one of the built-in shapes, as a ruleset writes it."""
    shape = draw(st.sampled_from(["value", "maintain", "change", "growth", "new", "reference", "trend", "top"]))
    target = draw(targets_of(shape))
    if shape in ("change", "growth", "new") or (shape == "value" and isinstance(target, dict)):
        if draw(st.booleans()):  # a year before the horizon: its point on the path, whole or not, or the baseline held
            target["interim"] = draw(st.sampled_from(["up", "nearest", "none", "horizon"]))
    return target


@st.composite
def targets_of(draw: st.DrawFn, shape: str) -> Any:
    if shape == "value":
        return draw(figures) if draw(st.booleans()) else {"kind": "value", "value": draw(figures)}
    if shape == "top":  # 进入全市前列: the value at a place or a share of the batch, or a value as well
        where = ({"place": draw(st.integers(1, 5))} if draw(st.booleans())
                 else {"share": draw(st.sampled_from([Decimal("0.3"), Decimal("0.5"), 1]))})
        return {"kind": "top", **where, **({"value": draw(figures)} if draw(st.booleans()) else {})}
    if shape == "maintain":
        return {"kind": "maintain", "value": draw(figures)}
    if shape == "change":
        key = draw(st.sampled_from(["percent", "points"]))
        return {"kind": "change", key: draw(st.sampled_from([-13, 2, Decimal("0.5")]))}
    if shape == "growth":
        return {"kind": "growth", "annual_percent": draw(st.sampled_from([15, -3, Decimal("2.5")]))}
    if shape == "new":
        return {"kind": "new", "value": draw(st.integers(1, 12))}
    if shape == "reference":
        return {"kind": "reference", "name": draw(st.sampled_from(["全国平均", "省下达"])),
                "offset": draw(st.sampled_from([0, 1, Decimal("-0.5")]))}
    return {"kind": "trend"}


@st.composite
def indicator_tables(draw: st.DrawFn, number: int) -> dict:
    kind = draw(st.sampled_from(["pass_fail", "ratio", "progress", "bands", "deduction", "count", "rank", "levels"]))
    full = draw(st.integers(1, 20))
    # 计件 rewards each item: higher is better by definition.
    direction = "higher" if kind == "count" else draw(st.sampled_from(["higher", "lower"]))
    table: dict[str, Any] = {"id": f"i{number}", "name": f"指标{number}", "points": full, "direction": direction}
    baseline = draw(st.one_of(st.none(), figures))
    if baseline is not None:
        table["baseline"] = baseline
        if draw(st.integers(0, 3)) == 0:  # 较2021年…: a base year of its own
            table["baseline_year"] = 2021
    category = draw(st.sampled_from([None, "a", "b"]))
    if category:
        table["category"] = category
    if draw(st.integers(0, 3)) == 0:  # assessed for some units only
        table["applies_to"] = draw(st.lists(st.sampled_from(UNITS), min_size=1, max_size=6, unique=True))
    if kind in ("pass_fail", "ratio", "progress", "deduction"):
        table["target"] = draw(targets())
        table["rule"] = kind if kind != "deduction" else {
            "type": "deduction", "per_step": draw(st.sampled_from([1, 2, Decimal("0.5")])),
            "step": draw(st.sampled_from([1, Decimal("0.3")])),
            "partial": draw(st.sampled_from(["proportional", "whole", "started"]))}
    elif kind == "bands":
        # Thresholds as figures, or as offsets from the year's target (relative).
        relative = draw(st.booleans())
        steps = sorted(draw(st.lists(st.decimals(-10, 10, places=1) if relative else figures,
                                     min_size=1, max_size=3, unique=True)), reverse=direction == "higher")
        awarded = sorted(draw(st.lists(st.integers(0, full), min_size=len(steps), max_size=len(steps))), reverse=True)
        key = "at_least" if direction == "higher" else "at_most"
        table["rule"] = {"type": "bands", "bands": [{key: t, "points": p} for t, p in zip(steps, awarded)],
                         "relative": relative}
        if relative:
            table["target"] = draw(targets())
    elif kind == "count":
        table["rule"] = {"type": "count", "per_item": draw(st.sampled_from([1, 2, Decimal("0.7")])),
                         "basis": draw(st.sampled_from(["value", "increase"]))}
    elif kind == "rank":
        table["rule"] = {"type": "rank", "step": draw(st.sampled_from([1, Decimal("0.5"), 3])),
                         "floor": draw(st.integers(0, full))}
    else:
        table["rule"] = {"type": "levels", "levels": LEVELS}
    return table


def needs_baseline(table: dict) -> bool:
    """Whether the indicator's target or rule reads a baseline (change, growth, 进度, 计件 of the increase)."""
    target, rule = table.get("target"), table["rule"]
    return ((isinstance(target, dict) and target["kind"] in ("change", "growth")) or rule == "progress"
            or (isinstance(rule, dict) and rule.get("basis") == "increase"))


@st.composite
def figure_columns(draw: st.DrawFn, table: dict) -> dict[str, list[str]]:
    """Each unit's own figures the indicator reads from the data, as column → pool of
    cells: a 基期 the plan lacks (or one overriding the plan's, empty now and then), 上年
    for a trend, the reference a reference target names."""
    def pool(empty: bool) -> list[str]:
        numbers = draw(st.lists(figures, min_size=1, max_size=4))
        return [f"{n}" for n in numbers] + [f"{n:.2f}" for n in numbers[:1]] + (["", "-"] if empty else [])

    name, target = table["name"], table.get("target")
    columns = {}
    needed = "baseline" not in table and needs_baseline(table)
    if needed or draw(st.booleans()):
        columns[f"{name}@{draw(st.sampled_from(['基期', '基期值', 'baseline']))}"] = pool(empty=not needed)
    if isinstance(target, dict) and target["kind"] == "trend":
        columns[f"{name}@{draw(st.sampled_from(['上年', '上年值', 'previous']))}"] = pool(empty=False)
    if isinstance(target, dict) and target["kind"] == "reference":
        columns[f"{name}@{target['name']}"] = pool(empty=False)
    return columns


@st.composite
def cases(draw: st.DrawFn) -> tuple[dict, list[dict[str, str]], int]:
    """A ruleset (as parsed TOML), its units' rows (header → cell text) and the year."""
    indicators = [draw(indicator_tables(n)) for n in range(draw(st.integers(1, 5)))]
    by = draw(st.sampled_from(["score", "rank"]))
    grades = ([{"name": "优秀", "min_score": 30}, {"name": "良好", "min_score": 15}, {"name": "其他"}]
              if by == "score" else
              [{"name": "第一方阵", "count": 2}, {"name": "第二方阵", "count": 3}, {"name": "第三方阵"}])
    ruleset: dict[str, Any] = {
        "id": draw(st.sampled_from(["fast-path", ADJUSTED])), "title": "测试", "jurisdiction": "测试县",
        "base_year": 2023, "horizon_year": 2027,
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
    # Each column's cells are drawn from a pool (one strategy per column, not per cell).
    columns = {}
    for table in indicators:
        if table["rule"] == "levels" or (isinstance(table["rule"], dict) and table["rule"]["type"] == "levels"):
            columns[table["name"]] = LEVEL_CELLS
            continue
        # Equal numbers written differently ("98" and "98.0") and repeated cells.
        numbers = draw(st.lists(figures, min_size=1, max_size=4))
        columns[table["name"]] = st.sampled_from([f"{n}" for n in numbers] + [f"{n:.2f}" for n in numbers[:1]]
                                                 + ["", "—", "不适用"])
        columns.update((column, st.sampled_from(cells)) for column, cells in draw(figure_columns(table)).items())
    columns.update(ITEM_CELLS)
    rows = [{"单位": unit, **{column: draw(cells) for column, cells in columns.items()}}
            for unit in draw(st.permutations(UNITS))[:draw(st.integers(1, 12))]]
    return ruleset, rows, draw(st.sampled_from([2024, 2025, 2027]))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cases())
def test_engine_matches_unit_by_unit_reference(case: tuple[dict, list[dict[str, str]], int]) -> None:
    table_data, rows, year = case
    ruleset = parse_ruleset(table_data, RULE_TYPES)
    batch = score_rows(ruleset, rows, year=year, catalog=CATALOG)
    expected = reference_batch(ruleset, rows, year=year, catalog=CATALOG)
    assert isinstance(batch.units, EngineUnits) and isinstance(expected.units, UnitTuple)
    assert all(isinstance(unit.indicators, IndicatorView) for unit in batch.units)
    assert all(isinstance(unit.indicators, tuple) for unit in expected.units)
    check_same_as_reference(batch, expected)
    assert batch.units == expected.units  # rows, adjustment lines and all
    assert_cases_share_results(batch.units)
    assert_cases_share_results(expected.units)  # each unit its own case
    # The reference's plain units are written as JSON with the same bytes too.
    assert write_json(attrs.evolve(expected, notices=batch.notices, provenance=batch.provenance)) == write_json(batch)
    explained = score(ruleset, table(rows), year=year, catalog=CATALOG, partial=True, explain=True)
    assert_cases_share_results(explained.units)
    # JSON lays each case out once: the document is still each unit's results, unit by unit.
    document = {"ruleset": ruleset.id, "title": ruleset.title, "year": explained.year, "provenance": None,
                "notices": [notice_json(notice) for notice in explained.notices],
                "units": [unit_json(explained, unit) for unit in explained.units]}
    assert write_json(explained) == (json_text(document) + "\n").encode("utf-8")
    # The same data in the long layout (单位, 指标, 字段, 数值) is the same batch.
    check_same_as_reference(score_rows(ruleset, long_rows(rows), year=year, catalog=CATALOG), batch,
                            what="the same data in the wide layout")

    # The CSV is what csv.writer writes for the summary rows.
    header, summary = summary_rows(batch, detail=True)
    buffer = io.StringIO(newline="")
    csv.writer(buffer, lineterminator="\r\n").writerows([header, *summary])
    assert write_csv(batch) == ("\ufeff" + buffer.getvalue()).encode("utf-8")
    written = list(csv.reader(io.StringIO(write_csv(batch).decode("utf-8-sig"))))[1:]
    width = len(ruleset.indicators)
    # Outputs never show -0: a zero is written without its sign.
    shown = lambda figure: f"{figure.copy_abs() if figure.is_zero() else figure:f}"  # noqa: E731
    assert [row[-width:] for row in written] == [[shown(r.points) for r in u.indicators] for u in expected.units]
    assert [row[2] for row in written] == [shown(u.total) for u in expected.units]
    # The engine's units are read as columns; the reference's plain units (a UnitTuple)
    # are written with the same bytes.
    assert write_csv(expected) == write_csv(batch)
    assert summary_table(expected, detail=True) == summary_table(batch, detail=True)


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


def small_batch(indicators: list[dict], rows: list[list[str]], *, explain: bool = False,  # noqa: ANN201
                **extra: object):
    data = {"id": "small", "title": "测试", "jurisdiction": "测试县", "base_year": 2023, "horizon_year": 2027,
            "indicators": indicators, **extra}
    ruleset = parse_ruleset(data, RULE_TYPES)
    header = ("单位", *(i["name"] for i in indicators))
    table = RawTable(file="data.csv", header=header, rows=rows, row_numbers=list(range(2, len(rows) + 2)))
    return score_batch(ruleset, bind(table, ruleset), explain=explain)


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


def test_each_units_target_keeps_the_digits_of_its_own_figures() -> None:
    # 较基期下降2个单位 (change, points = −2), 完成率 lower-is-better, points kept exact
    # (stage = total).  东镇: 基期 84 → target 82; 82 ÷ 164 = 0.5; × 10 = 5.0.
    # 西镇: 基期 84.00 → target 82.00; 82.00 ÷ 164 = 0.50; × 10 = 5.00.  Equal figures,
    # each written with its own digits, whichever unit comes first.
    data = {"id": "digits", "title": "测试", "jurisdiction": "测试县", "base_year": 2023, "horizon_year": 2027,
            "rounding": {"stage": "total"},
            "indicators": [{"id": "a", "name": "甲", "points": 10, "direction": "lower", "rule": "ratio",
                            "target": {"kind": "change", "points": -2}}]}
    ruleset = parse_ruleset(data, RULE_TYPES)
    rows = [{"单位": "东镇", "甲": "164", "甲@基期": "84"}, {"单位": "西镇", "甲": "164", "甲@基期": "84.00"}]
    for order in (rows, rows[::-1]):
        batch = score_rows(ruleset, order, catalog=CATALOG)
        shown = {u.unit: (str(u.indicators[0].target), str(u.indicators[0].points)) for u in batch.units}
        assert shown == {"东镇": ("82", "5.0"), "西镇": ("82.00", "5.00")}
        written = list(csv.reader(io.StringIO(write_csv(batch).decode("utf-8-sig"))))
        assert {row[1]: row[-1] for row in written[1:]} == {"东镇": "5.0", "西镇": "5.00"}


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
    batch = small_batch(indicators, [["东镇", "0.5", "1"], ["西镇", "", "不适用"]])
    # Scored from a table already read: no file to name, the provenance is null.
    document = {"ruleset": "small", "title": "测试", "year": 2027, "provenance": None, "notices": [],
                "units": [unit_json(batch, unit) for unit in batch.units]}
    assert write_json(batch) == (json_text(document) + "\n").encode("utf-8")
    assert json.loads(write_json(batch), parse_float=Decimal) == document
    # 西镇 is exempt from both: 甲 applies to 东镇 only, 乙 is marked 不适用.
    west = json.loads(write_json(batch), parse_float=Decimal)["units"][1]
    assert [(r["value"], str(r["points"]), r["max_points"]) for r in west["indicators"]] == [
        ("不适用", "0.00", 0), ("不适用", "0.00", 0)]


@pytest.mark.parametrize("laid", [0, 4096])
@pytest.mark.parametrize("explain", [True, False])
def test_json_in_pieces_is_the_document_unit_by_unit(monkeypatch, explain, laid) -> None:
    from qscore.writing import text
    from qscore.writing.text import json_chunks, json_text, unit_json

    indicators = [{"id": "a", "name": "甲", "points": 2, "target": 1, "rule": "ratio", "applies_to": ["东镇", "南镇"]},
                  {"id": "b", "name": "乙", "points": 3, "target": 1, "rule": "pass_fail", "category": "quality"}]
    rows = [["东镇", "0.5", "1"], ["西镇", "", "不适用"], ["南镇", "0.5", "1"]]
    batch = small_batch(indicators, rows, explain=explain,
                        categories=[{"id": "quality", "name": "质量"}])
    document = {"ruleset": "small", "title": "测试", "year": 2027, "provenance": None, "notices": [],
                "units": [unit_json(batch, unit) for unit in batch.units]}
    monkeypatch.setattr(text, "UNITS_PER_CHUNK", 2)
    monkeypatch.setattr(text, "LAID_CASES", laid)  # 0: each piece lays its cases out afresh
    pieces = list(json_chunks(batch))
    assert len(pieces) == 4  # the head, units 1–2, unit 3, the end
    assert b"".join(pieces) == (json_text(document) + "\n").encode("utf-8")
    written = json.loads(b"".join(pieces), parse_float=Decimal)
    explanations = {unit["unit"]: [r["explanation"] for r in unit["indicators"]] for unit in written["units"]}
    if explain:
        # 东镇 and 南镇 have the same figures, so the same sentences; 西镇 is exempt from both.
        assert explanations["东镇"] == explanations["南镇"]
        assert explanations["东镇"][0] == "目标：1；完成率：0.5 ÷ 1 = 0.5；2 × 0.5 = 1；保留2位小数 → 1.00"
        assert explanations["西镇"] == ["不适用：本指标只考核 东镇、南镇", "不适用：数据标为不适用，不计分也不计满分"]
    else:
        assert list(explanations.values()) == [[None, None]] * 3
