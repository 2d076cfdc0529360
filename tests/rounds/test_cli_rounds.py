"""The command line of the examiner's year: ``rank --record``, ``compare`` and
``history``, with their exact messages and exit codes."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import openpyxl
import pytest
from wcwidth import wcswidth

from conftest import DATA, townships_missing
from qscore.provenance import file_sha256

ROOT = Path(__file__).parent.parent.parent
COUNTY_2024 = str(ROOT / "examples" / "shizhu" / "county-2024.csv")
COUNTY_2025 = str(ROOT / "examples" / "shizhu" / "county-2025.csv")
TOWNSHIP = str(DATA / "township.toml")
TOWNSHIPS = str(DATA / "townships.csv")


@pytest.fixture
def corrected(write) -> str:
    # 西沱镇's 药品 corrected on 复核 from 98.5 to 99.2: 20 → 30 points.
    return str(write("corrected.csv", Path(TOWNSHIPS).read_text(encoding="utf-8")
                     .replace("西沱镇,９６．８,98.5", "西沱镇,９６．８,99.2")))


@pytest.fixture
def county_rounds(cli, allow_plugins, tmp_path) -> str:
    allow_plugins("shizhu")
    archive = str(tmp_path / "rounds.db")
    for data, year in ((COUNTY_2024, "2024"), (COUNTY_2025, "2025")):
        result = cli("rank", "shizhu-county", data, "--year", year, "--record", archive, "--format", "csv")
        assert result.exit_code == 0, result.output
    return archive


# -- rank --record -------------------------------------------------------------------------------

def test_rank_records_the_round_and_says_so_on_stderr(cli, tmp_path):
    archive = tmp_path / "rounds.db"
    result = cli("rank", TOWNSHIP, TOWNSHIPS, "--year", "2025", "--format", "csv", "--record", str(archive))
    assert result.exit_code == 0
    # After the notice of 黄水镇, scored 0 for its missing 食品抽检合格率.
    assert result.stderr == townships_missing(TOWNSHIPS) + f"已记录：test-township 2025年度（第1轮，4个单位） → {archive}\n"
    assert result.stdout == cli("rank", TOWNSHIP, TOWNSHIPS, "--year", "2025", "--format", "csv").stdout
    # The same round, whatever the output format (JSON is scored with explanations).
    again = cli("rank", TOWNSHIP, TOWNSHIPS, "--year", "2025", "--format", "json", "--record", str(archive))
    assert again.exit_code == 0
    assert again.stderr == (townships_missing(TOWNSHIPS)
                            + f"未改动：{archive} 中已有相同的 test-township 2025年度（第1轮，4个单位）\n")


def test_other_results_are_refused_without_replace_and_no_output_is_written(cli, tmp_path, corrected):
    archive = tmp_path / "rounds.db"
    assert cli("rank", TOWNSHIP, TOWNSHIPS, "--year", "2025", "--record", str(archive)).exit_code == 0
    output = tmp_path / "ranked.csv"
    result = cli("rank", TOWNSHIP, corrected, "--year", "2025", "--record", str(archive), "-o", str(output))
    assert result.exit_code == 1
    assert result.stderr == townships_missing(corrected) + (
        f"Error: {archive}: round 2025 of ruleset 'test-township' is already recorded (round 1) with other results: "
        f"the data differs ({TOWNSHIPS} sha256 {file_sha256(TOWNSHIPS)[:12]} then, {corrected} sha256 "
        f"{file_sha256(corrected)[:12]} now); "
        "other results for 1 unit: 西沱镇; give --replace to record this round and keep the recorded one as "
        "superseded\n")
    assert not output.exists()


def test_replace_records_the_correction_and_history_shows_both(cli, tmp_path, corrected):
    archive = tmp_path / "rounds.db"
    assert cli("rank", TOWNSHIP, TOWNSHIPS, "--year", "2025", "--record", str(archive)).exit_code == 0
    result = cli("rank", TOWNSHIP, corrected, "--year", "2025", "--record", str(archive), "--replace")
    assert result.exit_code == 0
    assert result.stderr == (townships_missing(corrected)
                             + f"已替换：test-township 2025年度（第2轮，4个单位） → {archive}；原第1轮保留为已取代\n")
    history = cli("history", str(archive), "西沱镇")
    assert history.exit_code == 0
    lines = history.stdout.splitlines()
    assert lines[:3] == [f"西沱镇 的历年考核结果（{archive}）", "", "测试县乡镇质量工作考核（test-township）"]
    assert lines[3].split() == ["年度", "总分", "排名", "等次", "进度", "轮次", "状态"]
    # 78 = 40 (食品 96.8 ≥ 96.5) + 20 (药品 98.5 in the 98 band) + 18 (基本完成 0.6 × 30); 99.2 → 30: 88.
    assert [line.split() for line in lines[5:7]] == [
        ["2025", "78.00", "3", "/", "4", "良好", "1项中1项进度达标", "1", "已被第2轮取代"],
        ["2025", "88.00", "3", "/", "4", "良好", "1项中1项进度达标", "2", "现行"]]


def test_replace_needs_record(cli):
    result = cli("rank", TOWNSHIP, TOWNSHIPS, "--replace")
    assert result.exit_code == 2
    assert result.stderr.endswith("Error: --replace needs --record ARCHIVE\n")


def test_a_file_that_is_not_an_archive_is_refused_and_left_alone(cli, tmp_path):
    archive = tmp_path / "rounds.db"
    archive.write_bytes(b"PK\x03\x04 a workbook")
    result = cli("rank", TOWNSHIP, TOWNSHIPS, "--record", str(archive))
    assert result.exit_code == 1
    assert result.stderr == f"Error: {archive}: not an archive of rounds (the file is not an SQLite database)\n"
    assert archive.read_bytes() == b"PK\x03\x04 a workbook"


# -- compare -------------------------------------------------------------------------------------

def test_compare_prints_the_table_in_chinese(cli, county_rounds):
    result = cli("compare", "shizhu-county", f"{county_rounds}:2024", f"{county_rounds}:2025")
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[:3] == [
        "石柱县质量发展主要指标年度进度评价：2024年度 → 2025年度",
        f"2024年：{county_rounds}:2024；2025年：{county_rounds}:2025",
        "数据影响 = 2025年数据按2024年目标计分 − 2024年得分；目标影响 = 2025年得分 − 2025年数据按2024年目标计分；"
        "两者之和即变化。"]
    assert lines[4].split() == ["单位", "2024年总分", "2025年总分", "变化", "数据影响", "目标影响", "2024年排名",
                                "2025年排名", "名次变化"]
    assert lines[6].split() == ["石柱县", "81.21", "93.60", "+12.39", "+18.79", "-6.40", "1", "1", "持平"]
    assert lines[8] == "【石柱县】总分 2024年 81.21 → 2025年 93.60，变化 +12.39（数据影响 +18.79，目标影响 -6.40）"
    assert lines[9].split() == ["指标", "2024年实际值", "2024年目标", "2024年得分", "2025年实际值", "2025年目标",
                                "2025年得分", "变化", "数据影响", "目标影响"]
    assert lines[11].split() == ["制造业质量竞争力指数", "86.5", "86.75", "3.43", "87.8", "88.5", "3.20", "-0.23",
                                 "+0.57", "-0.80"]
    rates = next(line for line in lines if line.startswith("食品抽检合格率"))
    assert rates.split() == ["食品抽检合格率（%）", "95.9%", "95.75%", "4.00", "96.8%", "96.5%", "4.00", "0.00",
                             "0.00", "0.00"]


def test_compare_of_files_takes_the_years_they_state_else_needs_them(cli, allow_plugins, tmp_path):
    allow_plugins("shizhu")
    stated = cli("compare", "shizhu-county", COUNTY_2024, COUNTY_2025, "--format", "json")
    given = cli("compare", "shizhu-county", COUNTY_2024, COUNTY_2025, "--year-old", "2024", "--year-new", "2025",
                "--format", "json")
    assert stated.exit_code == given.exit_code == 0
    assert stated.stdout == given.stdout
    assert stated.stderr == (f"notice: {COUNTY_2024}: assessment year 2024, as the file name 'county-2024.csv' says "
                             "(give --year-old to score for another)\n"
                             f"notice: {COUNTY_2025}: assessment year 2025, as the file name 'county-2025.csv' says "
                             "(give --year-new to score for another)\n")
    unnamed = tmp_path / "old.csv"
    unnamed.write_bytes(Path(COUNTY_2024).read_bytes())
    result = cli("compare", "shizhu-county", str(unnamed), COUNTY_2025, "--year-new", "2025")
    assert result.exit_code == 2
    assert result.stderr.endswith(f"Error: give --year-old for the data file {unnamed}: it states no year (in its "
                                  "title, sheet or file name), and the targets it is scored against depend on the "
                                  "year\n")


def test_compare_of_files_equals_compare_of_their_rounds(cli, county_rounds):
    files = cli("compare", "shizhu-county", COUNTY_2024, COUNTY_2025, "--year-old", "2024", "--year-new", "2025",
                "--format", "json")
    rounds = cli("compare", "shizhu-county", f"{county_rounds}:2024", f"{county_rounds}:2025", "--format", "json")
    assert files.exit_code == rounds.exit_code == 0
    one, other = json.loads(files.stdout), json.loads(rounds.stdout)
    assert one["units"] == other["units"]
    assert (one["old"], one["new"]) == ({"year": 2024, "source": COUNTY_2024}, {"year": 2025, "source": COUNTY_2025})


def test_options_for_reading_data_files_are_refused_when_both_years_are_recorded_rounds(cli, county_rounds,
                                                                                        write):
    rounds = (f"{county_rounds}:2024", f"{county_rounds}:2025")
    roster = write("roster.txt", "西沱镇\n")
    result = cli("compare", "shizhu-county", *rounds, "--units", str(roster), "--partial", "--sheet", "Sheet1")
    assert result.exit_code == 2
    assert result.stderr.endswith("Error: --sheet, --units, --partial say how a data file is read, and OLD and NEW "
                                  "are recorded rounds, which keep the data they were recorded with: leave them "
                                  "out\n")
    # With one data file they read it.
    mixed = cli("compare", "shizhu-county", COUNTY_2024, rounds[1], "--partial", "--year-old", "2024")
    assert mixed.exit_code == 0, mixed.output


def test_compare_json_has_the_fields_of_the_issue(cli, county_rounds):
    result = cli("compare", "shizhu-county", f"{county_rounds}:2024", f"{county_rounds}:2025", "--format", "json")
    document = json.loads(result.stdout)
    assert list(document) == ["ruleset", "title", "old", "new", "notes", "units"]
    unit = document["units"][0]
    assert list(unit) == ["unit", "old", "new", "change", "data_effect", "target_effect", "indicators"]
    assert (unit["unit"], unit["old"], unit["new"]) == ("石柱县", {"total": 81.21, "rank": 1, "tier": None},
                                                       {"total": 93.6, "rank": 1, "tier": None})
    assert (unit["change"], unit["data_effect"], unit["target_effect"]) == (12.39, 18.79, -6.4)
    assert unit["indicators"][0] == {
        "id": "mfg_competitiveness_index", "name": "制造业质量竞争力指数",
        "old": {"value": 86.5, "target": 86.75, "points": 3.43}, "new": {"value": 87.8, "target": 88.5, "points": 3.2},
        "change": -0.23, "data_effect": 0.57, "target_effect": -0.8}


def test_compare_csv_is_one_row_per_unit_with_each_indicators_effects(cli, county_rounds, tmp_path):
    result = cli("compare", "shizhu-county", f"{county_rounds}:2024", f"{county_rounds}:2025", "--format", "csv")
    assert result.stdout.startswith("\ufeff单位,2024年排名,2025年排名,名次变化,2024年总分,2025年总分,变化,数据影响,"
                                    "目标影响,制造业质量竞争力指数（数据影响）,制造业质量竞争力指数（目标影响）,")
    rows = list(csv.reader(io.StringIO(result.stdout.removeprefix("\ufeff"))))
    assert len(rows) == 2 and len(rows[0]) == 9 + 2 * 32
    assert rows[1][:11] == ["石柱县", "1", "1", "0", "81.21", "93.60", "12.39", "18.79", "-6.40", "0.57", "-0.80"]
    # Written to a file a piece at a time, the same bytes.
    output = tmp_path / "compare.csv"
    assert cli("compare", "shizhu-county", f"{county_rounds}:2024", f"{county_rounds}:2025", "-o",
               str(output)).exit_code == 0
    assert output.read_bytes() == result.stdout_bytes


def test_compare_writes_xlsx_to_a_file(cli, county_rounds, tmp_path):
    output = tmp_path / "compare.xlsx"
    result = cli("compare", "shizhu-county", f"{county_rounds}:2024", f"{county_rounds}:2025", "-o", str(output))
    assert result.exit_code == 0 and result.stdout == ""
    workbook = openpyxl.load_workbook(output)
    assert workbook.sheetnames == ["单位对比", "指标对比"]
    summary = list(workbook["单位对比"].values)
    assert summary[1][:9] == ("石柱县", "1", "1", "0", "81.21", "93.60", "12.39", "18.79", "-6.40")
    detail = list(workbook["指标对比"].values)
    assert detail[0][:7] == ("单位", "指标代码", "指标", "计量单位", "2024年实际值", "2024年目标", "2024年得分")
    assert detail[1] == ("石柱县", "mfg_competitiveness_index", "制造业质量竞争力指数", None, 86.5, 86.75, 3.43, 87.8,
                         88.5, 3.2, -0.23, 0.57, -0.8)
    assert len(detail) == 1 + 32
    # The same comparison gives the same bytes.
    again = tmp_path / "again.xlsx"
    assert cli("compare", "shizhu-county", f"{county_rounds}:2024", f"{county_rounds}:2025", "-o",
               str(again)).exit_code == 0
    assert again.read_bytes() == output.read_bytes()


@pytest.fixture
def renamed(allow_plugins, write) -> tuple[str, str]:
    """The county examples with the county renamed: a unit off shizhu-county's roster."""
    allow_plugins("shizhu")
    return tuple(str(write(f"pengshui-{year}.csv", Path(data).read_text(encoding="utf-8-sig")
                           .replace("\n石柱县,", "\n彭水县,")))
                 for year, data in (("2024", COUNTY_2024), ("2025", COUNTY_2025)))  # type: ignore[return-value]


def test_compare_checks_the_units_against_the_roster_given(cli, renamed, write):
    old, new = renamed
    roster = write("roster.txt", "彭水县\n")
    result = cli("compare", "shizhu-county", old, new, "--units", str(roster), "--format", "json")
    assert result.exit_code == 0, result.output
    # The county's figures, as the table of the examples above shows them, under its new name.
    [unit] = json.loads(result.stdout)["units"]
    assert unit["unit"] == "彭水县"
    assert (unit["old"]["total"], unit["new"]["total"], unit["change"], unit["data_effect"],
            unit["target_effect"]) == (81.21, 93.60, 12.39, 18.79, -6.40)
    assert '"change": 12.39,' in result.stdout


def test_compare_of_units_off_the_roster_without_units_is_refused(cli, renamed):
    old, new = renamed
    result = cli("compare", "shizhu-county", old, new)
    assert result.exit_code == 1
    roster = "the roster of 1 units (石柱府发〔2024〕14号：本规则集评价石柱县全县一个单位)"
    assert result.stderr == (
        f"Error: {old}: 2 problems:\n"
        f"  row 2, column '单位': unit '彭水县' is not on {roster} (a new or renamed unit: update the roster, "
        "or give --units FILE)\n"
        f"  unit '石柱县' of {roster} is not in the data (add its row, with empty cells where there is no data, "
        "or give --partial)\n")


def test_compare_of_a_missing_roster_file_says_what_rank_says(cli, renamed):
    old, new = renamed
    compared = cli("compare", "shizhu-county", old, new, "--units", "roster.txt")
    ranked = cli("rank", "shizhu-county", old, "--units", "roster.txt")
    assert compared.exit_code == ranked.exit_code == 2
    message = "Error: Invalid value for '--units': no such file: roster.txt\n"
    assert compared.stderr.endswith(message) and ranked.stderr.endswith(message)


def test_compare_of_a_round_not_recorded(cli, county_rounds):
    result = cli("compare", "shizhu-county", f"{county_rounds}:2023", f"{county_rounds}:2025")
    assert result.exit_code == 2
    assert result.stderr == (f"Error: {county_rounds} has no round 2023 of ruleset 'shizhu-county' "
                             "(it holds 2024, 2025)\n")


def test_compare_of_a_round_not_recorded_in_chinese(cli, county_rounds, monkeypatch):
    monkeypatch.setenv("QSCORE_LANG", "zh")
    result = cli("compare", "shizhu-county", f"{county_rounds}:2023", f"{county_rounds}:2025")
    assert result.exit_code == 2
    assert result.stderr == f"错误：{county_rounds} 中没有规则集「shizhu-county」2023 年的轮次（已有 2024, 2025 年）\n"
    other = cli("compare", "shizhu-township", f"{county_rounds}:2024", f"{county_rounds}:2025")
    assert other.stderr == f"错误：{county_rounds} 中没有规则集「shizhu-township」2024 年的轮次（没有该规则集的轮次）\n"


def test_compare_of_a_missing_file(cli, county_rounds):
    result = cli("compare", "shizhu-county", "county-2023.csv", f"{county_rounds}:2025", "--year-old", "2023")
    assert result.exit_code == 2
    assert result.stderr.endswith("Error: Invalid value for OLD: no such file: county-2023.csv\n")


def test_compare_of_a_round_of_another_year_than_given(cli, county_rounds):
    result = cli("compare", "shizhu-county", f"{county_rounds}:2024", f"{county_rounds}:2025", "--year-old", "2023")
    assert result.exit_code == 2
    assert result.stderr.endswith(f"Error: Invalid value for '--year-old': 2023, but {county_rounds}:2024 is the "
                                  "round of 2024\n")


def test_compare_notes_a_round_scored_with_another_ruleset_file(cli, tmp_path, write):
    ruleset = write("township.toml", Path(TOWNSHIP).read_text(encoding="utf-8"))
    archive = str(tmp_path / "rounds.db")
    assert cli("rank", str(ruleset), TOWNSHIPS, "--year", "2024", "--record", archive).exit_code == 0
    assert cli("rank", str(ruleset), TOWNSHIPS, "--year", "2025", "--record", archive).exit_code == 0
    ruleset.write_text(ruleset.read_text(encoding="utf-8").replace('title = "测试县乡镇质量工作考核"',
                                                                   'title = "测试县乡镇质量工作考核（修订）"'),
                       encoding="utf-8")
    result = cli("compare", str(ruleset), f"{archive}:2024", f"{archive}:2025", "--format", "json")
    assert result.exit_code == 0
    note = (f"round 2024 in {archive} was scored with another version of the ruleset file of 'test-township'; it is "
            "compared as recorded, so the data effect includes the change of the rules")
    assert result.stderr.startswith(f"note: {note}\n")
    assert json.loads(result.stdout)["notes"][0] == note


def test_compare_says_when_the_two_years_rank_other_units(cli, write):
    # 悦崃镇 left in 2025: 黄水镇 climbs from 4th to 3rd without moving a point.
    new = write("2025.csv", "".join(line for line in Path(TOWNSHIPS).read_text(encoding="utf-8").splitlines(True)
                                    if not line.startswith("悦崃镇")))
    result = cli("compare", TOWNSHIP, TOWNSHIPS, str(new), "--year-old", "2024", "--year-new", "2025", "--partial",
                 "--format", "json")
    assert result.exit_code == 0
    note = ("2024 ranked 4 units and 2025 ranks 3, 1 only in 2024 (悦崃镇) and 0 only in 2025 (none): the ranks are "
            "places among other units, so their changes are not like for like, and a unit renamed, merged or split "
            "is shown as units of one year each")
    # Each year's file says that 黄水镇 has no 食品抽检合格率, then the note.
    assert result.stderr == townships_missing(TOWNSHIPS) + townships_missing(new) + f"note: {note}\n"
    assert json.loads(result.stdout)["notes"] == [note]
    same = cli("compare", TOWNSHIP, TOWNSHIPS, TOWNSHIPS, "--year-old", "2024", "--year-new", "2025")
    assert (same.exit_code, same.stderr) == (0, townships_missing(TOWNSHIPS) * 2)


def test_compare_shows_the_veto_that_put_a_unit_last(cli, write):
    # 黄水镇 was vetoed in 2024 only: its total does not move, its rank and grade do.
    new = write("2025.csv", Path(TOWNSHIPS).read_text(encoding="utf-8").replace("未完成,,是", "未完成,,否"))
    result = cli("compare", TOWNSHIP, TOWNSHIPS, str(new), "--year-old", "2024", "--year-new", "2025")
    assert result.exit_code == 0
    [row] = [line.split() for line in result.stdout.splitlines() if line.startswith("黄水镇")]
    assert row == ["黄水镇", "0.00", "0.00", "0.00", "0.00", "0.00", "4", "4", "持平", "不合格（一票否决）", "→",
                   "不合格"]
    assert ("【黄水镇】总分 2024年 0.00 → 2025年 0.00，变化 0.00（数据影响 0.00，目标影响 0.00）；"
            "2024年一票否决，不论总分排在最后\n") in result.stdout


# -- history -------------------------------------------------------------------------------------

def test_history_shows_the_years_and_the_on_track_count(cli, county_rounds):
    result = cli("history", county_rounds, "石柱县")
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[2] == "石柱县质量发展主要指标年度进度评价（shizhu-county）"
    assert lines[3].split() == ["年度", "总分", "排名", "进度", "轮次", "状态"]
    # 32 indicators: the annex's 26 and the text's 6 tracked without points.
    assert [line.split() for line in lines[5:7]] == [["2024", "81.21", "1", "/", "1", "32项中18项进度达标", "1", "现行"],
                                                     ["2025", "93.60", "1", "/", "1", "32项中23项进度达标", "2", "现行"]]


def test_history_as_json(cli, county_rounds):
    result = cli("history", county_rounds, "石柱县", "--format", "json")
    document = json.loads(result.stdout)
    assert document["rounds"][1] == {"round": 2, "ruleset": "shizhu-county", "year": 2025, "total": 93.6,
                                     "rank": 1, "units": 1, "tier": None,
                                     "on_track": {"assessed": 32, "met": 23}, "superseded_by": None}


def test_history_without_a_unit_lists_the_rounds(cli, county_rounds):
    result = cli("history", county_rounds, "--format", "json")
    rounds = json.loads(result.stdout)["rounds"]
    assert [(r["round"], r["ruleset"], r["year"], r["units"], r["sources"][0]["file"]) for r in rounds] == [
        (1, "shizhu-county", 2024, 1, COUNTY_2024), (2, "shizhu-county", 2025, 1, COUNTY_2025)]
    table = cli("history", county_rounds)
    assert table.stdout.splitlines()[0] == f"{county_rounds} 中的考核轮次"


def test_history_of_a_unit_never_recorded(cli, county_rounds):
    result = cli("history", county_rounds, "石柱")
    assert result.exit_code == 2
    assert result.stderr.endswith(f"Error: Invalid value for UNIT: no unit '石柱' in any round of {county_rounds}\n")


def test_history_of_a_missing_archive(cli, tmp_path):
    result = cli("history", str(tmp_path / "rounds.db"))
    assert result.exit_code == 2
    assert result.stderr == f"Error: no such archive: {tmp_path / 'rounds.db'}\n"
    assert not (tmp_path / "rounds.db").exists()


def test_the_archive_is_never_an_output(cli, tmp_path):
    archive = tmp_path / "rounds.db"
    assert cli("rank", TOWNSHIP, TOWNSHIPS, "--record", str(archive)).exit_code == 0
    before = archive.read_bytes()
    result = cli("rank", TOWNSHIP, TOWNSHIPS, "--record", str(archive), "-o", str(archive))
    assert result.exit_code == 2
    assert result.stderr.endswith(f"Error: Invalid value for '-o': {archive} is the archive, which this command "
                                  "reads; writing there would destroy it: give another file\n")
    compared = cli("compare", TOWNSHIP, f"{archive}:2027", f"{archive}:2027", "-o", str(archive))
    assert compared.exit_code == 2
    assert compared.stderr.endswith(f"Error: Invalid value for '-o': {archive} is the old year's file, which this "
                                    "command reads; writing there would destroy it: give another file\n")
    assert archive.read_bytes() == before


def test_compare_json_figures_keep_their_digits(cli, county_rounds):
    result = cli("compare", "shizhu-county", f"{county_rounds}:2024", f"{county_rounds}:2025", "--format", "json")
    # 93.60 and 4.00 as written on the sheet, not 93.6 and 4.0.
    assert '"total": 93.60,' in result.stdout and '"points": 3.20' in result.stdout
    assert '"data_effect": 0.00,' in result.stdout


def test_compare_table_keeps_a_unit_name_with_a_control_character_on_one_line(cli, tmp_path):
    # The table is laid out a row a line: a control character in a name (a tab; a line
    # break is read as the name on one line) is written out, as in rank's table, and
    # every row keeps its columns.
    data = Path(TOWNSHIPS).read_text(encoding="utf-8").replace("西沱镇,", '"西沱\t镇",', 1)
    for name in ("old.csv", "new.csv"):
        (tmp_path / name).write_text(data, encoding="utf-8")
    result = cli("compare", TOWNSHIP, str(tmp_path / "old.csv"), str(tmp_path / "new.csv"), "--year-old", "2024",
                 "--year-new", "2025")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    row = next(line for line in lines if line.startswith("西沱"))
    assert row.split() == ["西沱\\x09镇", "78.00", "78.00", "0.00", "0.00", "0.00", "3", "3", "持平", "良好"]
    assert "【西沱\\x09镇】总分 2024年 78.00 → 2025年 78.00，变化 0.00（数据影响 0.00，目标影响 0.00）" in lines
    header = next(line for line in lines if line.startswith("单位"))
    # The totals start in the same screen column as their header (wide characters count two).
    assert wcswidth(row[:row.index("78.00")]) == wcswidth(header[:header.index("2024年总分")]) == 12
