from pathlib import Path

from conftest import DATA


def test_rank_table_lists_units_in_rank_order(cli):
    result = cli("rank", str(DATA / "township.toml"), str(DATA / "townships.csv"), "--year", "2025")
    assert result.exit_code == 0, result.output
    lines = [line.split() for line in result.output.splitlines()[3:]]
    assert [line[1] for line in lines] == ["南宾街道", "悦崃镇", "西沱镇", "黄水镇"]
    assert lines[0][2] == "105.00" and lines[-1][3] == "不合格"
