"""``qscore verify``: every output format of every seed example recomputes to the same
figures; a figure altered in a copy is named by its cell, unit and indicator; a data or
ruleset file changed since is refused; moved files are found by their SHA-256."""

from __future__ import annotations

import csv
import hashlib
import json
import shutil
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import qscore
from qscore.writing import reread
from qscore.writing.text import write_csv, write_json
from conftest import SEED_EXAMPLES
from report_kit import EXAMPLES, TOWNSHIP, TOWNSHIPS

SEEDS = ("chongqing", "guizhou", "kaizhou", "lixian", "shizhu", "yongchuan")
FORMATS = ("csv", "json", "xlsx", "html", "txt")


def agreed(result: Path, units: int, ruleset: str, year: int, data: Path) -> str:
    """What verify says when every figure matches (``ruleset``: the id or file it used)."""
    return (f"一致：{result} 的每个数字都与重新计算的结果相同（{units} 个单位；规则集 {ruleset}，{year}年度；"
            f"数据 {data}；SHA-256 均相符）\n")


def test_the_seed_examples_are_every_example_data_file_and_every_seed_ruleset(allow_plugins):
    allow_plugins(*SEEDS)
    assert sorted(data for _, data, _ in SEED_EXAMPLES) == sorted(
        path.relative_to(EXAMPLES).as_posix() for path in EXAMPLES.rglob("*.csv"))
    assert {ruleset for ruleset, _, _ in SEED_EXAMPLES} == set(qscore.load_plugins().rulesets)


@pytest.mark.parametrize(("ruleset", "data", "year"), SEED_EXAMPLES, ids=lambda v: str(v))
def test_every_output_format_of_every_seed_example_verifies(cli, allow_plugins, tmp_path, ruleset, data, year):
    allow_plugins(*SEEDS)
    path = EXAMPLES / data
    with path.open(encoding="utf-8-sig", newline="") as stream:
        units = sum(1 for _ in csv.reader(stream)) - 1  # a row per unit (examples/README.md)
    for suffix in FORMATS:
        result = tmp_path / f"result.{suffix}"
        done = cli("rank", ruleset, str(path), "--year", str(year), "-o", str(result))
        assert done.exit_code == 0, done.output
        checked = cli("verify", str(result))
        assert (checked.exit_code, checked.output) == (0, agreed(result, units, ruleset, year, path)), suffix


@pytest.fixture
def outputs(cli, tmp_path) -> dict[str, Path]:
    """tests/data's township ranked in every format, beside copies of its ruleset and data."""
    ruleset, data = tmp_path / "township.toml", tmp_path / "townships.csv"
    shutil.copy(TOWNSHIP, ruleset)
    shutil.copy(TOWNSHIPS, data)
    written = {}
    for suffix in FORMATS:
        written[suffix] = tmp_path / f"r.{suffix}"
        assert cli("rank", str(ruleset), str(data), "--year", "2025", "-o", str(written[suffix])).exit_code == 0
    return written


def mismatch(result: Path, where: str) -> str:
    return f"Error: {result} does not match the recomputed result: {where}\n"


# 西沱镇, 2025, is third with 78.00 (40 + 20 + 18; tests/core/test_cli.py works it out).
def test_an_altered_total_in_a_csv_is_named_by_row_column_and_unit(cli, outputs):
    result = outputs["csv"]
    result.write_text(result.read_text(encoding="utf-8-sig").replace("3,西沱镇,78.00", "3,西沱镇,87.00"),
                      encoding="utf-8-sig")
    checked = cli("verify", str(result))
    assert (checked.exit_code, checked.output) == (1, mismatch(
        result, "row 4, column 3 (西沱镇, 总分): the file says 87.00, recomputed 78.00"))


def test_an_altered_total_in_json_is_named_by_its_path_and_unit(cli, outputs):
    result = outputs["json"]
    result.write_text(result.read_text(encoding="utf-8").replace('"total": 78.00', '"total": 87.00'), encoding="utf-8")
    checked = cli("verify", str(result))
    assert (checked.exit_code, checked.output) == (1, mismatch(
        result, "units[2].total (西沱镇): the file says 87.00, recomputed 78.00"))


def test_altered_points_in_a_workbook_are_named_by_cell_unit_and_indicator(cli, outputs):
    result = outputs["xlsx"]
    book = openpyxl.load_workbook(result)
    detail = book["指标明细"]
    # Rows in rank order then indicator order, below the title and header: 西沱镇 (third)
    # has rows 9, 10, 11; its 流通领域药品抽检合格率 (98.5: the ≥ 98 band) 20 points in H10.
    assert [cell.value for cell in detail[10]][:4] == [3, "西沱镇", "drug", "流通领域药品抽检合格率"]
    detail["H10"] = 30
    book.save(result)
    checked = cli("verify", str(result))
    assert (checked.exit_code, checked.output) == (1, mismatch(
        result, "sheet 指标明细, cell H10 (西沱镇, 流通领域药品抽检合格率, 得分): the file says 30, recomputed 20"))
    book["排名"]["C5"] = 87
    book.save(result)
    assert cli("verify", str(result)).output == mismatch(
        result, "sheet 排名, cell C5 (西沱镇, 总分): the file says 87, recomputed 78")


def test_an_altered_figure_is_named_in_chinese_words_for_a_chinese_examiner(cli, outputs, monkeypatch):
    # It said "sheet 排名, cell C5 (西沱镇, 总分)" and "row 4, column 3" amid the Chinese message.
    monkeypatch.setenv("QSCORE_LANG", "zh")
    book = openpyxl.load_workbook(outputs["xlsx"])
    assert [cell.value for cell in book["排名"][5]][:3] == [3, "西沱镇", 78]  # title, header, then 1st and 2nd
    book["排名"]["C5"] = 87
    book.save(outputs["xlsx"])
    checked = cli("verify", str(outputs["xlsx"]))
    assert (checked.exit_code, checked.output) == (1, f"错误：{outputs['xlsx']} 与重新计算的结果不一致：工作表「排名」，"
                                                      "单元格 C5（西沱镇，总分）：文件中为 87，重新计算为 78\n")
    result = outputs["csv"]
    result.write_text(result.read_text(encoding="utf-8-sig").replace("3,西沱镇,78.00", "3,西沱镇,87.00"),
                      encoding="utf-8-sig")
    checked = cli("verify", str(result))
    assert (checked.exit_code, checked.output) == (1, f"错误：{result} 与重新计算的结果不一致：第 4 行，第 3 列"
                                                      "（西沱镇，总分）：文件中为 87.00，重新计算为 78.00\n")


def test_an_altered_figure_in_a_report_is_named_by_its_place(cli, outputs):
    result = outputs["html"]
    page = result.read_text(encoding="utf-8")
    cell = 'data-verify="各单位得分 · 西沱镇 · 总分">78.00</td>'
    assert page.count(cell) == 1
    result.write_text(page.replace(cell, cell.replace("78.00", "87.00")), encoding="utf-8")
    checked = cli("verify", str(result))
    assert (checked.exit_code, checked.output) == (1, mismatch(
        result, "各单位得分 · 西沱镇 · 总分: the file says 87.00, recomputed 78.00"))


def test_an_altered_line_of_the_table_is_named(cli, outputs):
    result = outputs["txt"]
    lines = result.read_text(encoding="utf-8").splitlines()
    assert lines[5].split()[:3] == ["3", "西沱镇", "78.00"]  # title, header, rule, then a line per unit
    altered = lines[5].replace("78.00", "87.00")
    result.write_text("\n".join([*lines[:5], altered, *lines[6:]]) + "\n", encoding="utf-8")
    checked = cli("verify", str(result))
    assert (checked.exit_code, checked.output) == (1, mismatch(
        result, f"line 6: the file says {altered.rstrip()!r}, recomputed {lines[5].rstrip()!r}"))


def test_a_data_file_changed_since_is_refused_and_the_original_found_by_its_sha256(cli, outputs, tmp_path):
    data = tmp_path / "townships.csv"
    original = tmp_path / "kept" / "original.csv"
    original.parent.mkdir()
    shutil.copy(data, original)
    before = reread.provenance_of_json(outputs["json"].read_bytes(), "r.json").data[0].sha256
    data.write_text(data.read_text(encoding="utf-8").replace("西沱镇,９６．８", "西沱镇,97.9"), encoding="utf-8")
    now = reread.provenance_of_json(outputs["json"].read_bytes(), "r.json")  # the result still names the old bytes
    assert now.data[0].sha256 == before
    import hashlib

    changed = hashlib.sha256(data.read_bytes()).hexdigest()
    for suffix in FORMATS:
        result = outputs[suffix]
        checked = cli("verify", str(result))
        assert (checked.exit_code, checked.output) == (1, f"Error: the data file {data} has changed since {result} "
                                                          f"was written: its SHA-256 is {changed}, the result names "
                                                          f"{before}; give the file it was scored from with --data\n")
        checked = cli("verify", str(result), "--data", str(original))
        assert (checked.exit_code, checked.output) == (0, agreed(result, 4, str(tmp_path / "township.toml"), 2025,
                                                                 original))


def test_data_that_has_moved_is_asked_for_and_a_stranger_is_refused(cli, outputs, tmp_path):
    data = tmp_path / "townships.csv"
    moved = tmp_path / "moved.csv"
    data.rename(moved)
    result = outputs["csv"]
    checked = cli("verify", str(result))
    assert (checked.exit_code, checked.output.splitlines()[-1]) == (
        2, f"Error: the data file {data} that {result} names is not there; give it with --data FILE (found by its "
           "SHA-256)")
    stranger = EXAMPLES / "shizhu" / "townships-2025.csv"
    checked = cli("verify", str(result), "--data", str(moved), "--data", str(stranger))
    import hashlib

    assert (checked.exit_code, checked.output) == (1, f"Error: --data {stranger}: its SHA-256 "
                                                      f"{hashlib.sha256(stranger.read_bytes()).hexdigest()} is that of "
                                                      f"no file {result} names\n")
    assert cli("verify", str(result), "--data", str(moved)).exit_code == 0


def test_a_ruleset_file_changed_since_is_refused(cli, outputs, tmp_path):
    ruleset = tmp_path / "township.toml"
    before = hashlib.sha256(ruleset.read_bytes()).hexdigest()
    kept = tmp_path / "kept.toml"
    shutil.copy(ruleset, kept)
    ruleset.write_text(ruleset.read_text(encoding="utf-8").replace("points = 40", "points = 45"), encoding="utf-8")
    now = hashlib.sha256(ruleset.read_bytes()).hexdigest()
    result = outputs["xlsx"]
    checked = cli("verify", str(result))
    assert (checked.exit_code, checked.output) == (1, (
        f"Error: the ruleset has changed since {result} was written: it names ruleset 'test-township' with SHA-256 "
        f"{before}, but found {ruleset} (ruleset 'test-township', SHA-256 {now}); give the ruleset file it was "
        "scored with with --ruleset\n"))
    checked = cli("verify", str(result), "--ruleset", str(kept))
    assert checked.exit_code == 0, checked.output


def test_a_ruleset_file_changed_so_that_it_no_longer_loads_is_said_to_have_changed(cli, outputs, tmp_path):
    # It was refused for its band above full marks, as if the file the result was scored
    # with were broken: a reviewer must learn that it changed, and where the original is.
    ruleset = tmp_path / "township.toml"
    before = hashlib.sha256(ruleset.read_bytes()).hexdigest()
    kept = tmp_path / "kept.toml"
    shutil.copy(ruleset, kept)
    ruleset.write_text(ruleset.read_text(encoding="utf-8").replace("points = 30\nrule = { type = \"bands\"",
                                                                   "points = 25\nrule = { type = \"bands\""),
                       encoding="utf-8")
    now = hashlib.sha256(ruleset.read_bytes()).hexdigest()
    result = outputs["json"]
    checked = cli("verify", str(result))
    assert (checked.exit_code, checked.output) == (1, (
        f"Error: the ruleset has changed since {result} was written: it names ruleset 'test-township' with SHA-256 "
        f"{before}, but found {ruleset} (SHA-256 {now}; it does not load as it stands); give the ruleset file it "
        "was scored with with --ruleset\n"))
    checked = cli("verify", str(result), "--ruleset", str(kept))
    assert checked.exit_code == 0, checked.output


def test_the_provenance_file_given_for_its_result_names_the_result(cli, outputs):
    # It was compared as a JSON result: "ruleset: the file says none, recomputed 'test-township'".
    sidecar = outputs["csv"].with_name(outputs["csv"].name + ".provenance.json")
    assert sidecar.is_file()
    checked = cli("verify", str(sidecar))
    assert (checked.exit_code, checked.output) == (2, (
        f"Error: {sidecar} is the provenance file of {outputs['csv']}, not a result: give the result itself (qscore "
        f"verify {outputs['csv']})\n"))


def test_a_result_scored_with_a_roster_and_options_recomputes_with_them(cli, tmp_path):
    ruleset, data, roster = tmp_path / "township.toml", tmp_path / "townships.csv", tmp_path / "roster.txt"
    shutil.copy(TOWNSHIP, ruleset)
    shutil.copy(TOWNSHIPS, data)
    roster.write_text("南宾街道\n西沱镇\n", encoding="utf-8")
    options = ("--year", "2025", "--units", str(roster), "--partial", "--percent-fractions")
    for suffix in ("json", "xlsx"):
        result = tmp_path / f"r.{suffix}"
        assert cli("rank", str(ruleset), str(data), *options, "-o", str(result)).exit_code == 0
        checked = cli("verify", str(result))
        assert (checked.exit_code, checked.output) == (0, agreed(result, 4, str(ruleset), 2025, data)), suffix
    # Without --partial the same data is refused (two of its units are not on the roster),
    # so a verify that dropped the option would not agree.
    assert cli("rank", str(ruleset), str(data), "--year", "2025", "--units", str(roster)).exit_code == 1
    before = hashlib.sha256(roster.read_bytes()).hexdigest()
    roster.write_text("南宾街道\n西沱镇\n万安街道\n", encoding="utf-8")
    now = hashlib.sha256(roster.read_bytes()).hexdigest()
    checked = cli("verify", str(result))
    assert (checked.exit_code, checked.output) == (1, (
        f"Error: the roster file {roster} has changed since {result} was written: its SHA-256 is {now}, the result "
        f"names {before}; give the file it was scored from with --data\n"))
    kept = tmp_path / "kept.txt"
    kept.write_text("南宾街道\n西沱镇\n", encoding="utf-8")
    assert cli("verify", str(result), "--data", str(kept)).exit_code == 0


def test_a_csv_without_its_provenance_file_cannot_be_verified(cli, outputs):
    result = outputs["csv"]
    Path(str(result) + ".provenance.json").unlink()
    checked = cli("verify", str(result))
    assert (checked.exit_code, checked.output) == (1, (
        f"Error: {result} does not say what it was scored from: its provenance file {result}.provenance.json is not "
        "there (qscore writes it beside a CSV or table written with -o)\n"))


def test_a_provenance_naming_a_policy_rank_does_not_take_is_refused(cli, outputs):
    result = outputs["json"]
    document = json.loads(result.read_text(encoding="utf-8"))
    assert document["provenance"]["options"]["hidden"] == "refuse"
    document["provenance"]["options"]["hidden"] = "ignore"
    result.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    checked = cli("verify", str(result))
    assert (checked.exit_code, checked.output) == (1, (
        f"Error: {result}: the provenance's options' 'hidden' is 'ignore', which is none of refuse, skip, read\n"))


def test_a_report_s_year_over_year_section_is_left_out_and_said_so(cli, allow_plugins, tmp_path):
    allow_plugins("shizhu")
    result = tmp_path / "c.html"
    new, old = EXAMPLES / "shizhu" / "county-2025.csv", EXAMPLES / "shizhu" / "county-2024.csv"
    assert cli("report", "shizhu-county", str(new), "--year", "2025", "--compare", str(old), "--compare-year",
               "2024", "-o", str(result)).exit_code == 0
    checked = cli("verify", str(result))
    assert checked.exit_code == 0
    assert checked.stderr == (f"note: {result}'s year-over-year section is not recomputed (the result does not name "
                              "last year's data)\n")
    # Not "every figure": the section left out is named.
    assert checked.stdout == agreed(result, 1, "shizhu-county", 2025, new).replace(
        f"{result} 的每个数字", f"{result} 除「与2024年度对比」一节（未重新计算）外的每个数字")


# -- any one figure altered is the one named ---------------------------------------------------

BATCH = qscore.score(TOWNSHIP, TOWNSHIPS, year=2025, explain=True)


@settings(max_examples=40)
@given(data=st.data(), writer=st.sampled_from([("csv", write_csv), ("json", write_json)]))
def test_any_one_figure_altered_is_the_difference_found(data, writer):
    fmt, write = writer
    written = write(BATCH)
    figures = [cell for cell in reread.cells(fmt, written) if isinstance(cell.value, Decimal)]
    chosen = data.draw(st.sampled_from(figures))
    step = data.draw(st.sampled_from([Decimal("0.01"), Decimal("1"), Decimal("-0.5")]))
    altered = chosen.value + step
    if fmt == "csv":
        rows = list(csv.reader(written.decode("utf-8-sig").splitlines()))
        number, column = (int(part.split()[1]) for part in chosen.key.split(", "))
        rows[number - 1][column - 1] = f"{altered:f}"
        changed = ("\ufeff" + "\r\n".join(",".join(row) for row in rows) + "\r\n").encode("utf-8")
    else:
        document = json.loads(written, parse_float=Decimal)
        *path, last = chosen.key.replace("[", ".").replace("]", "").split(".")
        holder = document
        for step_key in path:
            holder = holder[int(step_key) if step_key.isdigit() else step_key]
        holder[int(last) if last.isdigit() else last] = altered
        from qscore.writing.text import json_text

        changed = (json_text(document) + "\n").encode("utf-8")
    difference = reread.first_difference(fmt, changed, written)
    assert difference is not None
    assert difference.where == (f"{chosen.key} ({chosen.context})" if chosen.context else chosen.key)
    assert (difference.found, difference.expected) == (f"{altered:f}", f"{chosen.value:f}")


def test_the_example_in_docs_data_md_runs_as_shown(cli, allow_plugins, tmp_path, monkeypatch):
    allow_plugins("shizhu")
    (tmp_path / "examples").symlink_to(EXAMPLES)
    monkeypatch.chdir(tmp_path)
    doc = (EXAMPLES.parent / "docs" / "data.md").read_text(encoding="utf-8")
    block = doc.split("`qscore verify RESULT", 1)[1].split("```console\n", 1)[1].split("```", 1)[0]
    commands = [line.removeprefix("$ qscore ").split("#")[0].split() for line in block.splitlines()
                if line.startswith("$ ")]
    shown = [line for line in block.splitlines() if not line.startswith("$ ")]
    assert cli(*commands[0]).exit_code == 0
    checked = cli(*commands[1])
    assert (checked.exit_code, checked.output) == (0, shown[0] + "\n")
    book = openpyxl.load_workbook("ranked.xlsx")
    assert [cell.value for cell in book["排名"][13]][:3] == [11, "西沱镇", 92.95]
    book["排名"]["C13"] = 93.95
    book.save("altered.xlsx")
    checked = cli(*commands[2])
    assert (checked.exit_code, checked.output) == (1, shown[1] + "\n")


def test_a_comparison_is_not_taken_for_a_file_qscore_did_not_write(cli, allow_plugins, tmp_path):
    # compare's workbook and JSON are qscore's own, with no provenance: verify said "不是
    # qscore 写出的结果", which an examiner holding the file qscore compare wrote cannot believe.
    allow_plugins("shizhu")
    old, new = EXAMPLES / "shizhu" / "county-2024.csv", EXAMPLES / "shizhu" / "county-2025.csv"
    for suffix, lacking in (("xlsx", "has no 来源 sheet"), ("json", "has no provenance")):
        result = tmp_path / f"compare.{suffix}"
        assert cli("compare", "shizhu-county", str(old), str(new), "-o", str(result)).exit_code == 0
        checked = cli("verify", str(result))
        assert (checked.exit_code, checked.output) == (1, f"Error: {result} {lacking}: it is not a result of qscore "
                                                          "rank or report, the only outputs verify recomputes\n")
