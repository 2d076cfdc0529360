from pathlib import Path

import pytest

from conftest import DATA

RULES, UNITS = str(DATA / "township.toml"), str(DATA / "townships.csv")


def test_rank_table_lists_units_in_rank_order(cli):
    result = cli("rank", str(DATA / "township.toml"), str(DATA / "townships.csv"), "--year", "2025")
    assert result.exit_code == 0, result.output
    lines = [line.split() for line in result.stdout.splitlines()[3:]]
    assert [line[1] for line in lines] == ["南宾街道", "悦崃镇", "西沱镇", "黄水镇"]
    assert lines[0][2] == "105.00" and lines[-1][3] == "不合格"


def test_rank_no_explain_writes_null_explanations_and_the_same_figures(cli, tmp_path):
    import json

    explained, bare = tmp_path / "explained.json", tmp_path / "bare.json"
    assert cli("rank", RULES, UNITS, "--year", "2025", "-o", str(explained)).exit_code == 0
    assert cli("rank", RULES, UNITS, "--year", "2025", "--no-explain", "-o", str(bare)).exit_code == 0
    full, without = json.loads(explained.read_bytes()), json.loads(bare.read_bytes())
    results = [r for unit in without["units"] for r in unit["indicators"]]
    assert results and all(r["explanation"] is None for r in results)
    for unit in full["units"]:
        for r in unit["indicators"]:
            assert r.pop("explanation")
            r["explanation"] = None
    assert full == without


@pytest.mark.parametrize("fmt", ["csv", "table"])
def test_rank_no_explain_changes_nothing_in_formats_without_explanations(cli, fmt):
    plain = cli("rank", RULES, UNITS, "--year", "2025", "--format", fmt)
    assert cli("rank", RULES, UNITS, "--year", "2025", "--format", fmt, "--no-explain").output == plain.output


def test_rank_no_explain_is_refused_for_a_format_that_shows_explanations(cli, tmp_path):
    result = cli("rank", RULES, UNITS, "--year", "2025", "--no-explain", "-o", str(tmp_path / "out.xlsx"))
    assert result.exit_code == 2
    assert result.output.endswith("Error: --no-explain is for JSON output; the xlsx format shows the explanations\n")
    assert not (tmp_path / "out.xlsx").exists()
