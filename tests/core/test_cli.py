"""The examiner's CLI through click's runner: exact exit codes and messages."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from conftest import DATA, townships_missing

RULES, UNITS = str(DATA / "township.toml"), str(DATA / "townships.csv")


def test_rank_json_contract(cli):
    result = cli("rank", RULES, UNITS, "--year", "2025", "--format", "json")
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert document["ruleset"] == "test-township" and document["year"] == 2025
    # 黄水镇's 食品抽检合格率 is "-": scored 0, and the document says so as stderr does.
    assert result.stderr == townships_missing(UNITS)
    assert [(n["kind"], n["column"]) for n in document["notices"]] == [("missing", "食品抽检合格率（%）")]
    first = document["units"][0]
    assert {"unit", "total", "rank", "tier", "vetoed", "indicators"} <= set(first)
    assert {"id", "value", "points", "max_points", "explanation"} <= set(first["indicators"][0])
    assert [u["rank"] for u in document["units"]] == [1, 2, 3, 4]
    # 西沱镇, 2025: food target 95 + 3 × 2/4 = 96.5, value 96.8 → progress capped at 1 → 40;
    # drug 98.5 → band ≥98 → 20; 基本完成 → 30 × 0.6 = 18; total 78 → 良好 (≥75), 12 short of 优秀.
    xituo = next(u for u in document["units"] if u["unit"] == "西沱镇")
    assert (xituo["total"], xituo["tier"], xituo["gap_to_next"]) == (78.0, "良好", 12.0)
    assert [i["points"] for i in xituo["indicators"]] == [40.0, 20.0, 18.0]


def test_rank_csv_to_file_opens_in_excel(cli, tmp_path):
    out = tmp_path / "ranked.csv"
    result = cli("rank", RULES, UNITS, "-o", str(out))
    # Nothing on stdout; on stderr, the year used, as the data names none, and 黄水镇's missing value.
    assert result.exit_code == 0 and result.stdout == ""
    assert result.stderr == (f"notice: {UNITS}: assessment year 2027: the plan's horizon year, as neither --year, "
                             "the data nor the ruleset names one\n" + townships_missing(UNITS))
    text = out.read_bytes().decode("utf-8")
    assert text.startswith("\ufeff排名,单位,总分,等次")
    # Beside the CSV, what it was scored from (CSV has no room for it: qscore verify reads it there).
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ranked.csv", "ranked.csv.provenance.json"]
    sidecar = json.loads((tmp_path / "ranked.csv.provenance.json").read_text(encoding="utf-8"))
    assert (sidecar["result"], sidecar["format"], sidecar["provenance"]["data"][0]["file"]) == (
        "ranked.csv", "csv", str(UNITS))
    umask = os.umask(0)
    os.umask(umask)
    assert out.stat().st_mode & 0o777 == 0o666 & ~umask


def test_explain_shows_every_figure(cli):
    result = cli("explain", RULES, UNITS, "西沱镇", "--year", "2025")
    assert result.exit_code == 0, result.output
    assert "目标：2025年进度目标 = 95 + (98 − 95) × (2025 − 2023) ÷ (2027 − 2023) = 96.5" in result.output
    assert "进度：(96.8 − 95) ÷ (96.5 − 95) = 1.2，按 1 计；40 × 1 = 40；保留2位小数 → 40.00" in result.output
    assert "任务完成：基本完成 → 30 × 0.6 = 18" in result.output
    assert "总分 = 指标得分合计 78.00 = 78.00" in result.output
    assert "距上一等次（优秀）还差：12.00 分" in result.output
    assert "指标失分（从多到少）：重点任务完成情况 12；流通领域药品抽检合格率 10" in result.output


def test_show_json_contract(cli):
    document = json.loads(cli("show", RULES, "--format", "json").output)
    food = document["indicators"][0]
    assert (food["id"], food["name"], food["unit"], food["direction"]) == ("food", "食品抽检合格率", "%", "higher")
    assert (food["baseline"], food["target"], food["lead"], food["points"]) == (95.0, 98.0, "县市场监管局", 40.0)
    assert food["rule"]["type"] == "progress"
    assert document["indicators"][2]["baseline"] is None


@pytest.mark.parametrize("command", [("show",), ("rank", UNITS)], ids=["show", "rank"])
def test_a_folder_given_as_the_ruleset_is_said_to_be_one(cli, tmp_path, command):
    # It was "no ruleset '…' is installed and no such file exists".
    result = cli(command[0], str(tmp_path), *command[1:])
    assert (result.exit_code, result.output) == (2, f"Error: {tmp_path} is a folder, not a ruleset file: give a "
                                                    "ruleset file (.toml) or the id of an installed ruleset\n")


def test_an_installed_id_wins_over_a_folder_of_that_name(cli, allow_plugins, tmp_path, monkeypatch):
    allow_plugins("shizhu")
    monkeypatch.chdir(tmp_path)
    (tmp_path / "shizhu-county").mkdir()
    result = cli("show", "shizhu-county", "--format", "json")
    assert (result.exit_code, json.loads(result.output)["id"]) == (0, "shizhu-county")


def test_unknown_unit_is_misuse(cli):
    result = cli("explain", RULES, UNITS, "西沱")
    assert result.exit_code == 2
    assert "Error: Invalid value for UNIT: no unit '西沱' in " in result.output
    assert "did you mean 西沱镇?" in result.output


def test_unknown_ruleset_is_misuse(cli):
    result = cli("rank", "no-such-ruleset", UNITS)
    assert result.exit_code == 2
    assert result.output.endswith("Error: no ruleset 'no-such-ruleset' is installed and no such file exists; "
                                  "installed: none\n")


def test_bad_cell_names_file_row_and_column_and_leaves_no_output(cli, write, tmp_path):
    data = write("bad.csv", "单位,食品抽检合格率,流通领域药品抽检合格率,重点任务完成情况\n甲镇,98,九十九,完成\n")
    out = tmp_path / "out.csv"
    result = cli("rank", RULES, str(data), "-o", str(out))
    assert result.exit_code == 1
    assert result.output == (f"Error: {data}, row 2, column '流通领域药品抽检合格率': expected a number "
                             "(such as 98.5, 98% or 1,150), got '九十九'\n")
    assert not out.exists()


def test_bad_year_and_bad_format_are_misuse(cli):
    assert cli("rank", RULES, UNITS, "--year", "2020").exit_code == 2
    result = cli("rank", RULES, UNITS, "--format", "pdf")
    assert result.exit_code == 2 and "'pdf' is not one of table, csv, json" in result.output


def test_validate_reports_each_file(cli, write):
    bad = write("bad.toml", "id = 'x'\n")
    result = cli("validate", RULES, str(bad))
    assert result.exit_code == 1
    assert "✓ " + RULES + ": test-township, 3 indicators, full marks 100" in result.output
    assert f"{bad}: error: field 'base_year': is required\n" in result.output
    assert f"{bad}: error: field 'indicators': expected at least one [[indicators]] table\n" in result.output
    assert f"✗ {bad}: 5 error(s)\n" in result.output
    assert result.output.rstrip().endswith("Error: 1 of 2 file(s) failed validation")


def test_the_installed_command_runs_as_a_process():
    result = subprocess.run([sys.executable, "-m", "qscore", "rank", RULES, UNITS, "--format", "csv"],
                            capture_output=True, check=False)
    assert result.returncode == 0, result.stderr
    assert result.stdout.decode("utf-8").splitlines()[1].startswith("1,悦崃镇,100.00,优秀")


def test_output_to_a_legacy_code_page_is_switched_to_utf8(tmp_path):
    # Chinese Windows redirects stdout as GBK, which has no "−": explain must not fail.
    import os
    import subprocess
    import sys

    from conftest import DATA

    env = {**os.environ, "PYTHONIOENCODING": "gbk", "QSCORE_LOAD_PLUGINS": ""}
    done = subprocess.run([sys.executable, "-m", "qscore", "explain", str(DATA / "township.toml"),
                           str(DATA / "townships.csv"), "南宾街道", "--year", "2025"],
                          capture_output=True, env=env, check=False)
    assert done.returncode == 0, done.stderr.decode("utf-8", "replace")
    text = done.stdout.decode("utf-8")
    assert "单位：南宾街道" in text and "−" in text
