"""``compare --format json`` written a piece at a time: the same bytes as the whole
document laid out by ``json_text``, and nothing left behind when writing fails."""

from __future__ import annotations

import json
import tempfile
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given, settings, strategies as st

from compare_kit import compared
from conftest import DATA
from qscore.plugins.manager import load_plugins
from qscore.rounds import report
from qscore.rounds.compare import Comparison, DataSource, compare
from qscore.rounds.report import comparison_json, comparison_json_chunks, unit_change_json
from qscore.writing.text import json_text



def whole_document(comparison: Comparison) -> bytes:
    """The document as one value, laid out by json_text at once."""
    ruleset = comparison.ruleset
    names = {indicator.id: indicator.name for indicator in ruleset.indicators}
    document = {"ruleset": ruleset.id, "title": ruleset.title,
                "old": {"year": comparison.old_year, "source": comparison.old_source},
                "new": {"year": comparison.new_year, "source": comparison.new_source},
                "notes": list(comparison.notes),
                "units": [unit_change_json(unit, names) for unit in comparison]}
    return (json_text(document) + "\n").encode("utf-8")


def test_json_in_pieces_is_the_whole_document(tmp_path, monkeypatch):
    # 黄水镇 is in 2024's batch only, 新镇 in 2025's only.
    comparison = compared(tmp_path, (DATA / "townships.csv").read_text(encoding="utf-8").partition("\n")[2],
                          "南宾街道,98,99.2,完成,2,\n西沱镇,96.8,99.2,基本完成,,\n悦崃镇,98,99,完成,0,否\n"
                          "新镇,97,98,完成,,\n")
    monkeypatch.setattr(report, "UNITS_PER_CHUNK", 2)
    pieces = list(comparison_json_chunks(comparison))
    assert len(pieces) == 5  # the head, units 1–2, units 3–4, unit 5, the end
    assert b"".join(pieces) == comparison_json(comparison) == whole_document(comparison)
    units = json.loads(b"".join(pieces), parse_float=Decimal)["units"]
    assert [unit["unit"] for unit in units] == ["南宾街道", "悦崃镇", "新镇", "西沱镇", "黄水镇"]
    # 西沱镇's 药品 98.5 → 99.2: 20 → 30 points against the same fixed target 99.
    drug = units[3]["indicators"][1]
    assert (drug["old"]["points"], drug["new"]["points"], drug["change"]) == (
        Decimal("20.00"), Decimal("30.00"), Decimal("10.00"))
    assert units[2]["old"] is None and units[2]["change"] is None and units[2]["indicators"][0]["old"] is None
    assert units[4]["new"] is None and units[4]["indicators"][2]["new"] is None


ROW = st.tuples(st.decimals(90, 100, places=1), st.sampled_from(["99.2", "98.5", "97", "-"]),
                st.sampled_from(["完成", "基本完成", "未完成"]), st.sampled_from(["", "1", "2"]))


def rows(units: dict[str, tuple[Decimal, str, str, str]]) -> str:
    return "".join(f"{name},{food},{drug},{task},{bonus},\n" for name, (food, drug, task, bonus) in units.items())


@settings(max_examples=25, deadline=None)
@given(old=st.dictionaries(st.sampled_from(["甲镇", "乙镇", "丙镇", "丁镇", "戊镇"]), ROW, min_size=1),
       new=st.dictionaries(st.sampled_from(["甲镇", "乙镇", "丙镇", "丁镇", "己镇"]), ROW, min_size=1),
       per_chunk=st.integers(1, 4))
def test_json_in_pieces_is_the_whole_document_for_any_two_years(old, new, per_chunk):
    with tempfile.TemporaryDirectory() as folder, pytest.MonkeyPatch.context() as patch:
        patch.setattr(report, "UNITS_PER_CHUNK", per_chunk)
        comparison = compared(Path(folder), rows(old), rows(new))
        assert b"".join(comparison_json_chunks(comparison)) == whole_document(comparison)


def test_the_county_examples_in_pieces_are_the_whole_document(allow_plugins, monkeypatch):
    allow_plugins("shizhu")
    examples = Path(__file__).parent.parent.parent / "examples" / "shizhu"
    catalog = load_plugins()
    comparison = compare(catalog.ruleset("shizhu-county"), DataSource(str(examples / "county-2024.csv"), None),
                         DataSource(str(examples / "county-2025.csv"), None), catalog=catalog)
    monkeypatch.setattr(report, "UNITS_PER_CHUNK", 1)
    assert b"".join(comparison_json_chunks(comparison)) == whole_document(comparison)
