"""``compare --format csv`` written a piece of units at a time: the same bytes as the
whole file, each row's effects those of the unit's change."""

from __future__ import annotations

import csv
import io
import tempfile
from pathlib import Path

import pytest
from hypothesis import given, settings, strategies as st

from conftest import DATA
from qscore.rounds import report
from qscore.rounds.compare import Comparison
from qscore.rounds.report import comparison_csv, comparison_csv_chunks
from test_compare_json import ROW, compared, rows


def effect_cells(comparison: Comparison) -> list[list[str]]:
    """Each unit's data and target effect of each indicator (the CSV's last columns), from
    its change."""
    return [["" if figure is None else str(figure) for change in unit.indicators
             for figure in (change.data_effect, change.target_effect)] for unit in comparison]


def read(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))


def test_csv_in_pieces_is_the_whole_file(tmp_path, monkeypatch):
    # 黄水镇 is in 2024's batch only, 新镇 in 2025's only.
    comparison = compared(tmp_path, (DATA / "townships.csv").read_text(encoding="utf-8").partition("\n")[2],
                          "南宾街道,98,99.2,完成,2,\n西沱镇,96.8,99.2,基本完成,,\n悦崃镇,98,99,完成,0,否\n"
                          "新镇,97,98,完成,,\n")
    whole = comparison_csv(comparison)
    monkeypatch.setattr(report, "UNITS_PER_CHUNK", 2)
    pieces = list(comparison_csv_chunks(comparison))
    assert len(pieces) == 4  # the header, units 1–2, units 3–4, unit 5
    assert pieces[0].startswith("\ufeff单位,".encode("utf-8")) and pieces[0].endswith(b"\r\n")
    assert b"".join(pieces) == whole
    header, *units = read(whole)
    assert [row[0] for row in units] == ["南宾街道", "悦崃镇", "新镇", "西沱镇", "黄水镇"]
    assert len(header) == 11 + 2 * 3 and [row[11:] for row in units] == effect_cells(comparison)
    # 西沱镇's 药品 98.5 → 99.2: 20 → 30 points against the same fixed target 99, all of it
    # the data's doing; 新镇 and 黄水镇, in one year only, have no effects.
    drug = header.index("流通领域药品抽检合格率（数据影响）")
    assert units[3][drug:drug + 2] == ["10.00", "0.00"]
    assert units[2][11:] == units[4][11:] == [""] * 6


@settings(max_examples=25, deadline=None)
@given(old=st.dictionaries(st.sampled_from(["甲镇", "乙镇", "丙镇", "丁镇", "戊镇"]), ROW, min_size=1),
       new=st.dictionaries(st.sampled_from(["甲镇", "乙镇", "丙镇", "丁镇", "己镇"]), ROW, min_size=1),
       per_chunk=st.integers(1, 4), start=st.integers(0, 6), length=st.integers(0, 6))
def test_csv_in_pieces_is_the_whole_file_for_any_two_years(old, new, per_chunk, start, length):
    with tempfile.TemporaryDirectory() as folder, pytest.MonkeyPatch.context() as patch:
        comparison = compared(Path(folder), rows(old), rows(new))
        whole = comparison_csv(comparison)
        patch.setattr(report, "UNITS_PER_CHUNK", per_chunk)
        assert b"".join(comparison_csv_chunks(comparison)) == whole
        assert [row[11:] for row in read(whole)[1:]] == effect_cells(comparison)
        # A run of units' effects are those of the whole comparison, at the same places.
        units = slice(start, start + length)
        for position in range(len(comparison.ruleset.indicators)):
            part, every = comparison.indicator_effect(position, units), comparison.indicator_effect(position)
            for field in ("change", "data_effect", "target_effect"):
                assert list(getattr(part, field)) == list(getattr(every, field))[units]


def test_effects_are_worked_out_for_runs_of_units_only(tmp_path):
    comparison = compared(tmp_path, "甲镇,98,99.2,完成,,\n", "甲镇,97,98.5,完成,,\n")
    with pytest.raises(ValueError, match="a run of units, not a slice with a step"):
        comparison.indicator_effect(0, slice(None, None, 2))
