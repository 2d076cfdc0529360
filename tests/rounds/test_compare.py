"""Comparing two years: every change of a total or of an indicator's points is split
exactly into a data effect and a target effect, each what the pipeline gives when the
new data is scored against the old year's targets."""

from __future__ import annotations

import csv
import decimal
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import qscore
from conftest import DATA
from qscore.provenance import provenance_of
from qscore.rounds.archive import Archive
from qscore.rounds.compare import Comparison, DataSource, IndicatorFigures, Place, RoundSource, compare
from qscore.testing import unit_rows

ROOT = Path(__file__).parent.parent.parent
COUNTY_2024 = ROOT / "examples" / "shizhu" / "county-2024.csv"
COUNTY_2025 = ROOT / "examples" / "shizhu" / "county-2025.csv"
TOWNSHIP = qscore.load_ruleset(DATA / "township.toml")
ALL_RULES = qscore.load_ruleset(DATA / "all_rules.toml")
D = Decimal


@pytest.fixture
def county(allow_plugins):
    allow_plugins("shizhu")
    catalog = qscore.load_plugins()
    return catalog, catalog.ruleset("shizhu-county")


def test_the_county_2024_to_2025_worked_by_hand(county):
    catalog, ruleset = county
    comparison = compare(ruleset, DataSource(str(COUNTY_2024), 2024), DataSource(str(COUNTY_2025), 2025),
                         catalog=catalog)
    unit = comparison.unit("石柱县")
    assert unit is not None
    by_id = {change.indicator: change for change in unit.indicators}

    # 制造业质量竞争力指数, 进度 from the 2023 value 85 to the 2027 target 92, 4 points:
    #   2024 target = 85 + (92 − 85) × (2024 − 2023) ÷ (2027 − 2023) = 86.75
    #   2024: 86.5 → (86.5 − 85) ÷ (86.75 − 85) = 1.5 ÷ 1.75 = 0.857142… × 4 = 3.428… → 3.43
    #   2025 target = 85 + 7 × 2 ÷ 4 = 88.5
    #   2025: 87.8 → (87.8 − 85) ÷ (88.5 − 85) = 2.8 ÷ 3.5 = 0.8 × 4 = 3.20
    #   2025's 87.8 against 2024's 86.75: reached, 4 × 1 = 4.00
    #   data effect 4.00 − 3.43 = +0.57; target effect 3.20 − 4.00 = −0.80; change −0.23
    mfg = by_id["mfg_competitiveness_index"]
    assert mfg.old == IndicatorFigures(value=D("86.5"), target=D("86.75"), points=D("3.43"))
    assert mfg.new == IndicatorFigures(value=D("87.8"), target=D("88.5"), points=D("3.20"))
    assert (mfg.change, mfg.data_effect, mfg.target_effect) == (D("-0.23"), D("0.57"), D("-0.80"))

    # 生活性服务业质量满意度, 进度 from 84 to 85, 4 points:
    #   2024 target = 84 + (85 − 84) × 1 ÷ 4 = 84.25;  84.1 → 0.1 ÷ 0.25 = 0.4 × 4 = 1.60
    #   2025 target = 84 + 1 × 2 ÷ 4 = 84.5;           84.3 → 0.3 ÷ 0.5 = 0.6 × 4 = 2.40
    #   2025's 84.3 against 2024's 84.25: reached, 4.00
    #   data effect 4.00 − 1.60 = +2.40; target effect 2.40 − 4.00 = −1.60; change +0.80
    life = by_id["life_service_satisfaction"]
    assert life.old == IndicatorFigures(value=D("84.1"), target=D("84.25"), points=D("1.60"))
    assert life.new == IndicatorFigures(value=D("84.3"), target=D("84.5"), points=D("2.40"))
    assert (life.change, life.data_effect, life.target_effect) == (D("0.80"), D("2.40"), D("-1.60"))

    # The totals are the two years' rank runs (81.21 and 93.60); shizhu-county has no
    # bonus, deductions or score-rate, so each effect on the total is the sum of the
    # indicators' effects.
    assert (unit.old, unit.new) == (Place(D("81.21"), 1, None), Place(D("93.60"), 1, None))
    assert unit.change == D("12.39") == unit.data_effect + unit.target_effect
    assert unit.data_effect == sum((c.data_effect for c in unit.indicators), D(0)) == D("18.79")
    assert unit.target_effect == sum((c.target_effect for c in unit.indicators), D(0)) == D("-6.40")


def test_recorded_rounds_compare_as_their_data_files(county, tmp_path):
    catalog, ruleset = county
    with Archive.open(tmp_path / "rounds.db", create=True) as archive:
        for data, year in ((COUNTY_2024, 2024), (COUNTY_2025, 2025)):
            batch = qscore.score(ruleset, data, year=year, catalog=catalog)
            archive.record(batch, provenance_of(batch, [data]))
        rounds = compare(ruleset, RoundSource(archive, archive.round(ruleset.id, 2024)),
                         RoundSource(archive, archive.round(ruleset.id, 2025)), catalog=catalog)
        files = compare(ruleset, DataSource(str(COUNTY_2024), 2024), DataSource(str(COUNTY_2025), 2025),
                        catalog=catalog)
        assert list(rounds) == list(files)
        assert (rounds.old_source, rounds.new_source) == (f"{archive.path}:2024", f"{archive.path}:2025")
        assert rounds.notes == ()


def test_units_in_one_year_only_have_no_change(write):
    old = write("old.csv", """
        单位,食品抽检合格率,流通领域药品抽检合格率,重点任务完成情况
        南宾街道,97,99,完成
        西沱镇,96,98,完成
        """)
    new = write("new.csv", """
        单位,食品抽检合格率,流通领域药品抽检合格率,重点任务完成情况
        南宾街道,98,99,完成
        黄水镇,96,98,未完成
        """)
    comparison = compare(TOWNSHIP, DataSource(str(old), 2024), DataSource(str(new), 2025),
                         catalog=qscore.load_plugins())
    # This year's rank order, then last year's units that left.
    assert comparison.units == ("南宾街道", "黄水镇", "西沱镇")
    huangshui, xituo = comparison.unit("黄水镇"), comparison.unit("西沱镇")
    assert huangshui.old is None and huangshui.new is not None and huangshui.change is None
    assert xituo.new is None and xituo.old is not None and xituo.data_effect is None
    assert all(c.old is None and c.change is None for c in huangshui.indicators)
    assert comparison.unit("南宾街道").change is not None
    assert comparison.unit("不存在") is None


# -- the split adds up, for any data and any two years ----------------------------------------

def _write_csv(path: Path, rows: list[dict[str, str]]) -> str:
    header = list(dict.fromkeys(key for row in rows for key in row))
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows([[row.get(h, "") for h in header] for row in rows])
    return str(path)


CATALOG = qscore.load_plugins(entry_points=False)
# Points of a ruleset that rounds the total only keep every digit (28 and more): the
# expected differences are worked out without rounding, as the comparison's are.
EXACT = decimal.Context(prec=decimal.MAX_PREC, Emax=decimal.MAX_EMAX, Emin=decimal.MIN_EMIN)


def _totals(ruleset, data: str, year: int) -> dict[str, Decimal]:
    batch = qscore.score(ruleset, data, year=year, catalog=CATALOG)
    return dict(zip(batch.units.column("unit"), batch.units.column("total")))


def _points(ruleset, data: str, year: int) -> dict[str, list[Decimal]]:
    batch = qscore.score(ruleset, data, year=year, catalog=CATALOG)
    return {unit.unit: [r.points for r in unit.indicators] for unit in batch.units}


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                                                  HealthCheck.function_scoped_fixture])
@given(data=st.data(), ruleset=st.sampled_from([TOWNSHIP, ALL_RULES]),
       # Years of the plan (2023 → 2027): a year after the horizon is refused.
       years=st.tuples(st.integers(min_value=2023, max_value=2027), st.integers(min_value=2023, max_value=2027)))
def test_each_change_is_its_data_effect_plus_its_target_effect(tmp_path_factory, data, ruleset, years):
    folder = tmp_path_factory.mktemp("years")
    old_rows = data.draw(unit_rows(ruleset, max_units=6), label="old")
    new_rows = data.draw(unit_rows(ruleset, max_units=6), label="new")
    old, new = _write_csv(folder / "old.csv", old_rows), _write_csv(folder / "new.csv", new_rows)
    old_year, new_year = years
    comparison = compare(ruleset, DataSource(old, old_year), DataSource(new, new_year), catalog=CATALOG)

    # Each effect is what the pipeline gives, scoring each file for a year on its own.
    before, after = _totals(ruleset, old, old_year), _totals(ruleset, new, new_year)
    new_at_old = _totals(ruleset, new, old_year)
    points_before, points_after = _points(ruleset, old, old_year), _points(ruleset, new, new_year)
    points_new_at_old = _points(ruleset, new, old_year)
    assert [unit.unit for unit in comparison] == [*after, *(name for name in before if name not in after)]
    with decimal.localcontext(EXACT):
        _check_split(comparison, before, after, new_at_old, points_before, points_after, points_new_at_old)


def _check_split(comparison, before, after, new_at_old, points_before, points_after, points_new_at_old) -> None:
    for unit in comparison:
        if unit.old is None or unit.new is None:
            assert unit.change is unit.data_effect is unit.target_effect is None
            continue
        name = unit.unit
        assert unit.data_effect == new_at_old[name] - before[name]
        assert unit.target_effect == after[name] - new_at_old[name]
        assert unit.change == after[name] - before[name] == unit.data_effect + unit.target_effect
        for n, change in enumerate(unit.indicators):
            assert change.data_effect == points_new_at_old[name][n] - points_before[name][n]
            assert change.target_effect == points_after[name][n] - points_new_at_old[name][n]
            assert change.change == change.data_effect + change.target_effect == change.new.points - change.old.points


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                                                  HealthCheck.function_scoped_fixture])
@given(rows=unit_rows(TOWNSHIP, max_units=6), years=st.tuples(st.integers(2023, 2027), st.integers(2023, 2027)))
def test_the_same_data_moves_nothing_and_the_same_year_moves_no_target(tmp_path_factory, rows, years):
    path = _write_csv(tmp_path_factory.mktemp("same") / "data.csv", rows)
    moved = compare(TOWNSHIP, DataSource(path, years[0]), DataSource(path, years[1]), catalog=CATALOG)
    assert all(u.data_effect == 0 and all(c.data_effect == 0 for c in u.indicators) for u in moved)
    still = compare(TOWNSHIP, DataSource(path, years[0]), DataSource(path, years[0]), catalog=CATALOG)
    assert all(u.change == u.target_effect == 0 for u in still)


def test_a_comparison_is_read_in_this_years_rank_order(county):
    catalog, ruleset = county
    comparison = compare(ruleset, DataSource(str(COUNTY_2025), 2025), DataSource(str(COUNTY_2024), 2024),
                         catalog=catalog)
    assert isinstance(comparison, Comparison) and len(comparison) == 1
    # Backwards in time works the same way: 2024's data against 2025's targets.
    unit = comparison.unit("石柱县")
    assert unit.change == D("-12.39") == unit.data_effect + unit.target_effect
