"""Last year's figures (``@上年``) given with the data reach the results, and ``explain``
shows them beside the value."""

from __future__ import annotations

from decimal import Decimal

import attrs

import qscore
from conftest import DATA
from qscore.model import UnitTuple

TOWNSHIP = str(DATA / "township.toml")


def test_explain_shows_last_years_value_beside_this_years(cli, write):
    data = write("townships.csv", """
        单位,食品抽检合格率,食品抽检合格率@上年,流通领域药品抽检合格率,重点任务完成情况
        南宾街道,97.5%,97.1,99.2,完成
        西沱镇,96.8,,98.5,基本完成
        """)
    result = cli("explain", TOWNSHIP, str(data), "南宾街道", "--year", "2025")
    assert result.exit_code == 0
    assert "     实际值：97.5%（上年 97.1%），进度达标\n" in result.stdout
    assert "     实际值：99.2%\n" in result.stdout  # no @上年 column for 药品
    other = cli("explain", TOWNSHIP, str(data), "西沱镇", "--year", "2025")
    assert "     实际值：96.8%，进度达标\n" in other.stdout  # an empty @上年 cell shows nothing


def test_the_seed_example_with_last_years_counts(cli, allow_plugins):
    allow_plugins("yongchuan")
    towns = str(DATA.parent.parent / "examples" / "yongchuan" / "towns-2027.csv")
    result = cli("explain", "yongchuan-towns", towns, "中山路街道")
    assert result.exit_code == 0
    # 质量品牌数量 is 不断壮大: last year's 1 is the target, and 0 falls short.
    assert "     实际值：0（上年 1），未达标\n" in result.stdout


def test_last_years_figures_are_a_result_column(write):
    data = write("townships.csv", """
        单位,食品抽检合格率,食品抽检合格率@上年,流通领域药品抽检合格率,重点任务完成情况
        南宾街道,97.5%,97.1,99.2,完成
        西沱镇,96.8,,98.5,基本完成
        """)
    batch = qscore.score(TOWNSHIP, data, year=2025)
    assert [u.indicators[0].previous for u in batch.units] == [Decimal("97.1"), None]
    assert [u.indicators[1].previous for u in batch.units] == [None, None]
    assert batch.units.figures() == {("food", "previous"): [Decimal("97.1"), None]}
    assert batch.units.result_rows("previous", str) == [("97.1", "None", "None"), ("None", "None", "None")]
    # The same results held unit by unit give the same columns.
    plain = attrs.evolve(batch, units=UnitTuple(attrs.evolve(u, indicators=tuple(u.indicators)) for u in batch.units))
    assert plain.units.figures() == batch.units.figures()
    for field in ("value", "target", "points", "max_points", "met", "previous"):
        assert [list(row) for row in plain.units.result_rows(field, str)] == \
            [list(row) for row in batch.units.result_rows(field, str)]
        assert [list(c) for c in plain.units.result_columns(field)] == \
            [list(c) for c in batch.units.result_columns(field)]
