"""``qscore report`` and ``-o FILE.html``: one self-contained page (nothing it links to,
everything inside), the same bytes every run, the headline worked out by hand, each
unit's page holding the text ``qscore explain`` prints, and the year-over-year view from
``qscore compare``'s comparison."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from decimal import Decimal

import pytest

import qscore
from qscore.writing import reread
from qscore.writing.explain import explain_unit
from qscore.writing.report import explanation_lines, html_report
from conftest import townships_missing
from report_kit import EXAMPLES, TOWNSHIP, TOWNSHIPS

USAGE = "Usage: qscore report [OPTIONS] RULESET DATA...\nTry 'qscore report --help' for help.\n\n"
COUNTY_2024, COUNTY_2025 = EXAMPLES / "shizhu" / "county-2024.csv", EXAMPLES / "shizhu" / "county-2025.csv"


def marked(page: bytes) -> dict[str, object]:
    """The page's figures by their ``data-verify`` place."""
    return {cell.key: cell.value for cell in reread.cells("html", page)}


@pytest.fixture
def township_page(cli, tmp_path) -> bytes:
    output = tmp_path / "报告.html"
    result = cli("report", str(TOWNSHIP), str(TOWNSHIPS), "--year", "2025", "-o", str(output))
    assert (result.exit_code, result.output) == (0, townships_missing(TOWNSHIPS))  # 黄水镇 scored 0
    return output.read_bytes()


def test_the_headline_as_worked_out_by_hand(township_page):
    # tests/data/townships.csv, 2025 (tests/core/test_cli.py works the figures out):
    # 南宾街道 40 + 30 + 30 + bonus 2 × 3 = 6, capped at 5 → 105; 悦崃镇 100; 西沱镇 78;
    # 黄水镇 vetoed → 0.00, 不合格.  Targets: food (path, 96.5 in 2025) and drug (99);
    # the task has none.  Met: 南宾 97.5 ≥ 96.5, 99.2 ≥ 99 (2/2); 悦崃 98, 99 (2/2);
    # 西沱 96.8 ≥ 96.5, 98.5 < 99 (1/2); 黄水 missing, 97 < 99 (0/1).
    figures = marked(township_page)
    assert {key.removeprefix("总体情况 · "): value for key, value in figures.items() if key.startswith("总体情况")} == {
        "参评单位": "4 个乡镇（街道）", "考核年度": "2025 年", "等次分布": "优秀 2 个，良好 1 个，合格 0 个，不合格 1 个",
        "一票否决": "1 个", "第一名": "南宾街道（105.00 分）", "末位": "黄水镇（0.00 分，一票否决）",
        "全部目标进度达标": "2 个单位（共 4 个）", "目标进度达标率": "5 / 7 项次"}
    assert figures["各单位得分 · 西沱镇 · 总分"] == Decimal("78.00")
    assert figures["各单位得分 · 西沱镇 · 距上一等次"] == Decimal("12.00")
    assert figures["各单位得分 · 西沱镇 · 进度达标"] == "1/2"
    assert figures["各单位得分 · 南宾街道 · 加减分事项"] == "获市长质量管理奖 2 次 +6"
    assert figures["各单位得分 · 黄水镇 · 加减分事项"] == "发生重大质量安全事故（一票否决）"


def test_each_unit_page_holds_the_text_explain_prints(township_page):
    batch = qscore.score(TOWNSHIP, TOWNSHIPS, year=2025, explain=True)
    figures = marked(township_page)
    for unit in batch.units:
        text = explain_unit(batch, unit)
        lines = [value for key, value in figures.items() if key.startswith(f"{unit.unit} · 说明第 ")]
        shown = [" ".join(line.split()) for line in text.splitlines() if line.strip() and line.strip("- ")]
        assert [str(line) for line in lines] == shown  # every line but the category table's rule
        assert len(lines) > 15


def test_explanation_lines_keep_every_line_and_split_the_table():
    batch = qscore.score(TOWNSHIP, TOWNSHIPS, year=2025, explain=True)
    text = explain_unit(batch, batch.units[0])
    lines = list(explanation_lines(text))
    kept = [line.text for line in lines]
    assert kept == [line for line in text.splitlines() if line.strip() and not re.fullmatch(r"[\s-]+", line)]
    assert [line.kind for line in lines][:4] == ["title", "summary", "category", "indicator"]
    table = [line.cells for line in lines if line.kind in ("head", "row")]
    assert table == [("类别", "得分", "满分"), ("产品质量水平", "70.00", "70")]


def test_the_page_links_to_nothing_and_holds_plotly(township_page):
    page = township_page.decode("utf-8")
    assert not re.search(r"<(?:script|img|link|iframe)[^>]*\s(?:src|href)=", page)
    assert "@import" not in page and "url(" not in page.split("<script>", 1)[0]
    assert page.count("Plotly.newPlot(") == 3 + 3  # three charts, and one per indicator
    assert 'window.Plotly' in page or "Plotly=" in page or "var Plotly" in page
    assert len(township_page) > 3_000_000  # plotly.js itself is inside


def test_the_library_function_gives_the_commands_bytes(township_page):
    batch = qscore.score(str(TOWNSHIP), str(TOWNSHIPS), year=2025, explain=True)
    assert html_report(batch) == township_page


def test_rank_writes_the_report_for_an_html_file(cli, tmp_path, township_page):
    output = tmp_path / "r.html"
    assert cli("rank", str(TOWNSHIP), str(TOWNSHIPS), "--year", "2025", "-o", str(output)).exit_code == 0
    assert output.read_bytes() == township_page


def test_the_same_input_gives_the_same_page_across_processes(tmp_path):
    pages = []
    for seed in ("1", "2"):
        output = tmp_path / f"r{seed}.html"
        subprocess.run([sys.executable, "-m", "qscore", "report", str(TOWNSHIP), str(TOWNSHIPS), "--year", "2025",
                        "-o", str(output)], check=True, env={**os.environ, "PYTHONHASHSEED": seed})
        pages.append(output.read_bytes())
    assert pages[0] == pages[1]


def test_year_over_year_is_compare_s_comparison(cli, allow_plugins, tmp_path):
    allow_plugins("shizhu")
    output = tmp_path / "c.html"
    result = cli("report", "shizhu-county", str(COUNTY_2025), "--year", "2025", "--compare", str(COUNTY_2024),
                 "--compare-year", "2024", "-o", str(output))
    assert (result.exit_code, result.output) == (0, "")
    compared = json.loads(cli("compare", "shizhu-county", str(COUNTY_2024), str(COUNTY_2025), "--year-old", "2024",
                              "--year-new", "2025", "--format", "json").output, parse_float=Decimal)["units"][0]
    page = output.read_bytes().decode("utf-8")
    section = page.split('<section id="year-over-year">', 1)[1].split("</section>", 1)[0]
    cells = re.findall(r"<td[^>]*>([^<]*)</td>", section)
    assert cells[:6] == ["石柱县", f"{compared['old']['total']:f}", f"{compared['new']['total']:f}",
                         f"{compared['change']:+f}", f"{compared['data_effect']:+f}", f"{compared['target_effect']:+f}"]
    assert compared["data_effect"] + compared["target_effect"] == compared["change"]
    assert f"较上年：【石柱县】总分 2024年 {compared['old']['total']:f} → 2025年 {compared['new']['total']:f}" in page


def test_year_over_year_from_a_recorded_round(cli, allow_plugins, tmp_path):
    allow_plugins("shizhu")
    archive = tmp_path / "rounds.db"
    assert cli("rank", "shizhu-county", str(COUNTY_2024), "--year", "2024", "--record", str(archive),
               "-o", str(tmp_path / "2024.json")).exit_code == 0
    output = tmp_path / "c.html"
    result = cli("report", "shizhu-county", str(COUNTY_2025), "--year", "2025", "--compare", f"{archive}:2024",
                 "-o", str(output))
    assert result.exit_code == 0, result.output
    assert f"2024年结果来自 {archive}:2024" in output.read_text(encoding="utf-8")


def test_year_over_year_reads_this_year_s_data_against_the_roster_it_was_ranked_with(cli, allow_plugins, tmp_path):
    # The county is renamed in 2025: this year's roster names it, last year's round the old name.
    allow_plugins("shizhu")
    archive = tmp_path / "rounds.db"
    assert cli("rank", "shizhu-county", str(COUNTY_2024), "--year", "2024", "--record", str(archive)).exit_code == 0
    renamed = tmp_path / "county-2025.csv"
    renamed.write_text(COUNTY_2025.read_text(encoding="utf-8-sig").replace("\n石柱县,", "\n石柱土家族自治县,"),
                       encoding="utf-8")
    roster = tmp_path / "units.txt"
    roster.write_text("石柱土家族自治县\n", encoding="utf-8")
    output = tmp_path / "c.html"
    result = cli("report", "shizhu-county", str(renamed), "--year", "2025", "--units", str(roster),
                 "--compare", f"{archive}:2024", "-o", str(output))
    note = ("2024 ranked 1 units and 2025 ranks 1, 1 only in 2024 (石柱县) and 1 only in 2025 (石柱土家族自治县): the "
            "ranks are places among other units, so their changes are not like for like, and a unit renamed, merged "
            "or split is shown as units of one year each")
    assert (result.exit_code, result.output) == (0, f"note: {note}\n")
    section = output.read_text(encoding="utf-8").split('<section id="year-over-year">', 1)[1].split("</section>")[0]
    assert f'<p class="note">注意：{note}</p>' in section
    rows = [re.findall(r"<td[^>]*>([^<]*)</td>", row) for row in section.split("<tr>")[2:]]
    assert [(row[0], row[1], row[2]) for row in rows] == [("石柱土家族自治县", "", "93.60"), ("石柱县", "81.21", "")]


@pytest.fixture
def unreadable(tmp_path):
    """This year's data with a cell no rule reads: found only when the data is read."""
    data = tmp_path / "townships.csv"
    data.write_text(TOWNSHIPS.read_text(encoding="utf-8").replace("南宾街道,97.5%", "南宾街道,见附件"),
                    encoding="utf-8")
    return data


def test_last_year_s_round_not_recorded_is_said_before_the_work(cli, tmp_path, unreadable):
    # It was found once the whole batch was scored; here the data is not even read.
    archive = tmp_path / "rounds.db"
    assert cli("rank", str(TOWNSHIP), str(TOWNSHIPS), "--year", "2025", "--record", str(archive)).exit_code == 0
    output = tmp_path / "r.html"
    result = cli("report", str(TOWNSHIP), str(unreadable), "--year", "2026", "--compare", f"{archive}:2024",
                 "-o", str(output))
    assert (result.exit_code, result.output) == (2, f"Error: {archive} has no round 2024 of ruleset 'test-township' "
                                                    "(it holds 2025)\n")
    assert not output.exists()


@pytest.mark.parametrize(("archive", "message"), [
    (b"PK\x03\x04 a workbook", "{archive}: not an archive of rounds (the file is not an SQLite database)"),
    (None, "no such archive: {archive}"),
], ids=["not-an-archive", "missing"])
def test_last_year_s_archive_that_cannot_be_read_is_said_before_the_work(cli, tmp_path, unreadable, archive,
                                                                         message):
    path = tmp_path / "rounds.db"
    if archive is not None:
        path.write_bytes(archive)
    result = cli("report", str(TOWNSHIP), str(unreadable), "--year", "2026", "--compare", f"{path}:2024",
                 "-o", str(tmp_path / "r.html"))
    code = 1 if archive is not None else 2
    assert (result.exit_code, result.output) == (code, f"Error: {message.format(archive=path)}\n")
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(["townships.csv"] + ["rounds.db"] * (archive is not None))


@pytest.mark.parametrize(("args", "message"), [
    (["-o", "r.pdf"], "Error: Invalid value for '-o': the report is an HTML page: give a file ending in .html, "
                      "not r.pdf\n"),
    (["-o", "r.html", "--compare-year", "2024"], "Error: --compare-year needs --compare OLD\n"),
    ([], "Error: Missing option '-o' / '--output'.\n"),
], ids=["pdf", "year-alone", "no-output"])
def test_report_misuse_is_exit_2(cli, tmp_path, monkeypatch, args, message):
    monkeypatch.chdir(tmp_path)
    result = cli("report", str(TOWNSHIP), str(TOWNSHIPS), "--year", "2025", *args)
    assert (result.exit_code, result.output) == (2, USAGE + message)


def test_last_year_s_file_that_states_no_year_needs_compare_year(cli, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = cli("report", str(TOWNSHIP), str(TOWNSHIPS), "--year", "2025", "-o", "r.html", "--compare", str(TOWNSHIPS))
    assert result.exit_code == 2 and not (tmp_path / "r.html").exists()
    assert result.stderr.endswith(f"Error: give --compare-year for the data file {TOWNSHIPS}: it states no year (in "
                                  "its title, sheet or file name), and the targets it is scored against depend on "
                                  "the year\n")
    assert list(tmp_path.iterdir()) == []


def test_several_submissions_are_reported_but_not_compared(cli, tmp_path):
    # Each file half of the townships: the report merges them as rank does.
    lines = TOWNSHIPS.read_text(encoding="utf-8").splitlines()
    first, second = tmp_path / "a.csv", tmp_path / "b.csv"
    first.write_text("\n".join(lines[:3]) + "\n", encoding="utf-8")
    second.write_text("\n".join([lines[0], *lines[3:]]) + "\n", encoding="utf-8")
    output = tmp_path / "r.html"
    result = cli("report", str(TOWNSHIP), str(first), str(second), "--year", "2025", "--compare", str(TOWNSHIPS),
                 "--compare-year", "2024", "-o", str(output))
    assert (result.exit_code, result.output) == (2, USAGE + (
        "Error: --compare compares one data file with last year's: merge the submissions first (qscore merge) and "
        "report on the merged workbook\n"))
    assert not output.exists()
    assert cli("report", str(TOWNSHIP), str(first), str(second), "--year", "2025", "-o", str(output)).exit_code == 0
    checked = cli("verify", str(output))
    assert checked.exit_code == 0, checked.output
    assert f"数据 {first}、{second}；" in checked.output


def test_the_report_never_replaces_its_data(cli, tmp_path):
    data = tmp_path / "townships.csv"
    data.write_bytes(TOWNSHIPS.read_bytes())
    result = cli("report", str(TOWNSHIP), str(data), "-o", str(data))
    assert (result.exit_code, result.output) == (2, USAGE + f"Error: Invalid value for '-o': {data} is the data file, "
                                                 "which this command reads; writing there would destroy it: give "
                                                 "another file\n")
    assert data.read_bytes() == TOWNSHIPS.read_bytes()
