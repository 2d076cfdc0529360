"""Provenance is a property of every result: the pipeline gives it, every output carries
it (JSON an object, XLSX a 来源 sheet, HTML a section, CSV a sidecar written beside it),
it reads back equal, and no output carries the time of the run.  ``-o`` with a suffix no
format writes is misuse."""

from __future__ import annotations

import hashlib
import importlib.metadata
import json
import os
import subprocess
import sys

import attrs
import pytest

import qscore
from qscore.model import Provenance, ScoringOptions, SourceFile
from qscore.provenance import provenance_document, provenance_from_document
from qscore.writing import reread
from conftest import townships_missing
from report_kit import TOWNSHIP, TOWNSHIPS

RANK_USAGE = "Usage: qscore rank [OPTIONS] RULESET DATA...\nTry 'qscore rank --help' for help.\n\n"


def sha256(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def expected(ruleset_file: str | None = str(TOWNSHIP), data: str = str(TOWNSHIPS)) -> Provenance:
    """What a result of tests/data's township, scored with --year 2025, names."""
    return Provenance(ruleset="test-township", ruleset_sha256=sha256(TOWNSHIP), year=2025,
                      data=(SourceFile(data, sha256(TOWNSHIPS)),), options=ScoringOptions(year=2025),
                      qscore_version=importlib.metadata.version("qscore"), ruleset_file=ruleset_file)


def test_the_pipeline_gives_every_batch_scored_from_a_file_its_provenance(tmp_path):
    assert qscore.score(TOWNSHIP, TOWNSHIPS, year=2025).provenance == expected()
    options = qscore.score(str(TOWNSHIP), str(TOWNSHIPS), year=2025, encoding="utf-8", ignore_unknown=True)
    assert options.provenance == attrs.evolve(expected(), options=ScoringOptions(year=2025, encoding="utf-8",
                                                                                 ignore_unknown=True))
    # The year chosen without --year (the plan's horizon here) is the year; none was given.
    chosen = qscore.score(TOWNSHIP, TOWNSHIPS).provenance
    assert (chosen.year, chosen.options.year) == (2027, None)
    # A roster file given instead of the ruleset's, and the other reading options.
    roster = tmp_path / "roster.txt"
    roster.write_text("南宾街道\n西沱镇\n", encoding="utf-8")
    partial = qscore.score(TOWNSHIP, TOWNSHIPS, year=2025, units=roster, partial=True, hidden="skip", merged="fill",
                           percent_fractions=True).provenance
    assert partial.options == ScoringOptions(year=2025, partial=True, roster=SourceFile(str(roster), sha256(roster)),
                                             hidden="skip", merged="fill", percent_fractions=True)
    # A table already read has no file to name.
    table = qscore.read_table(TOWNSHIPS)
    assert qscore.score(TOWNSHIP, table, year=2025).provenance is None


def test_an_installed_ruleset_is_named_by_its_id_not_where_it_is_installed(allow_plugins):
    allow_plugins("shizhu")
    data = TOWNSHIPS.parent.parent.parent / "examples" / "shizhu" / "townships-2025.csv"
    batch = qscore.score("shizhu-township", data, year=2025)
    assert (batch.provenance.ruleset, batch.provenance.ruleset_file) == ("shizhu-township", None)
    # The object itself, as the catalog holds it: installed too.
    catalog = qscore.load_plugins()
    again = qscore.score(catalog.ruleset("shizhu-township"), data, year=2025, catalog=catalog)
    assert again.provenance == batch.provenance
    # A ruleset loaded from its file is named by the file.
    loaded = qscore.load_ruleset(TOWNSHIP)
    assert qscore.score(loaded, TOWNSHIPS, year=2025).provenance.ruleset_file == str(TOWNSHIP)


def test_the_document_reads_back_equal_and_a_broken_one_is_named():
    provenance = expected()
    assert provenance_from_document(provenance_document(provenance), "r.json") == provenance
    document = provenance_document(provenance)
    document["data"][0]["sha256"] = 5
    with pytest.raises(qscore.QscoreError, match=r"^r.json: the provenance's data file 1's 'sha256' is missing or "
                                                 r"not a text$"):
        provenance_from_document(document, "r.json")


@pytest.mark.parametrize("fmt", ["json", "xlsx", "html"])
def test_json_xlsx_and_html_carry_it_inside(cli, tmp_path, fmt):
    output = tmp_path / f"r.{fmt}"
    result = cli("rank", str(TOWNSHIP), str(TOWNSHIPS), "--year", "2025", "-o", str(output))
    assert (result.exit_code, result.output) == (0, townships_missing(TOWNSHIPS))  # 黄水镇 scored 0
    read = {"json": reread.provenance_of_json, "xlsx": reread.provenance_of_xlsx,
            "html": reread.provenance_of_html}[fmt]
    assert read(output.read_bytes(), str(output)) == expected()
    assert sorted(path.name for path in tmp_path.iterdir()) == [output.name]  # no sidecar


def test_the_json_provenance_object(cli):
    result = cli("rank", str(TOWNSHIP), str(TOWNSHIPS), "--year", "2025", "--format", "json")
    document = json.loads(result.stdout)
    assert list(document) == ["ruleset", "title", "year", "provenance", "notices", "units"]
    assert document["provenance"] == {
        "qscore_version": importlib.metadata.version("qscore"), "ruleset": "test-township",
        "ruleset_file": str(TOWNSHIP), "ruleset_sha256": sha256(TOWNSHIP), "year": 2025,
        "data": [{"file": str(TOWNSHIPS), "sha256": sha256(TOWNSHIPS)}],
        "options": {"year": 2025, "encoding": None, "sheet": None, "ignore_unknown": False, "partial": False,
                    "roster": None, "hidden": "refuse", "merged": "refuse", "percent_fractions": False}}


@pytest.mark.parametrize(("fmt", "suffix"), [("csv", "csv"), ("table", "txt")])
def test_a_csv_or_table_file_gets_a_sidecar_and_stdout_nothing_more(cli, tmp_path, fmt, suffix):
    output = tmp_path / f"r.{suffix}"
    result = cli("rank", str(TOWNSHIP), str(TOWNSHIPS), "--year", "2025", "-o", str(output))
    assert (result.exit_code, result.output) == (0, townships_missing(TOWNSHIPS))  # 黄水镇 scored 0
    beside = tmp_path / f"r.{suffix}.provenance.json"
    assert sorted(path.name for path in tmp_path.iterdir()) == [output.name, beside.name]
    document = json.loads(beside.read_text(encoding="utf-8"))
    assert (document["result"], document["format"]) == (output.name, fmt)
    assert provenance_from_document(document["provenance"], str(beside)) == expected()
    assert "#" not in output.read_text(encoding="utf-8-sig")  # the CSV itself stays comment-free
    # To stdout: the CSV alone, no sidecar anywhere.
    printed = cli("rank", str(TOWNSHIP), str(TOWNSHIPS), "--year", "2025", "--format", fmt)
    assert printed.exit_code == 0 and "provenance" not in printed.output
    assert printed.stdout_bytes == output.read_bytes()


def test_a_sidecar_never_replaces_an_input(cli, tmp_path):
    data = tmp_path / "r.csv.provenance.json"
    data.write_text(json.dumps([{"单位": "南宾街道"}]), encoding="utf-8")
    before = data.read_bytes()
    result = cli("rank", str(TOWNSHIP), str(data), "-o", str(tmp_path / "r.csv"))
    assert (result.exit_code, result.output) == (2, RANK_USAGE + (
        f"Error: Invalid value for '-o': {data} is the data file, which this command reads; writing there would "
        "destroy it: give another file\n"))
    assert data.read_bytes() == before and sorted(p.name for p in tmp_path.iterdir()) == [data.name]


def test_a_device_gets_no_sidecar(cli, tmp_path):
    fifo = tmp_path / "pipe.csv"
    os.mkfifo(fifo)
    reader = subprocess.Popen(["cat", str(fifo)], stdout=subprocess.PIPE)
    result = cli("rank", str(TOWNSHIP), str(TOWNSHIPS), "-o", str(fifo))
    out, _ = reader.communicate(timeout=30)
    assert result.exit_code == 0 and out.startswith("\ufeff排名".encode("utf-8"))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["pipe.csv"]


@pytest.mark.parametrize("fmt", ["csv", "html"])
def test_the_same_input_gives_the_same_sidecar_and_page_across_processes(tmp_path, fmt):
    written = []
    for seed in ("1", "2"):
        output = tmp_path / f"r{seed}.{fmt}"
        subprocess.run([sys.executable, "-m", "qscore", "rank", str(TOWNSHIP), str(TOWNSHIPS), "--year", "2025",
                        "-o", str(output)], check=True, env={**os.environ, "PYTHONHASHSEED": seed})
        beside = tmp_path / f"r{seed}.{fmt}.provenance.json"
        written.append((output.read_bytes(), beside.read_bytes().replace(output.name.encode(), b"")
                        if beside.exists() else None))
    assert written[0] == written[1]


@pytest.mark.parametrize("suffix", [".pdf", ".docx"])
def test_a_suffix_no_format_writes_is_misuse(cli, tmp_path, suffix):
    output = tmp_path / f"r{suffix}"
    result = cli("rank", str(TOWNSHIP), str(TOWNSHIPS), "-o", str(output))
    assert (result.exit_code, result.output) == (2, RANK_USAGE + (
        f"Error: Invalid value for '-o': no output format writes {suffix} files; qscore writes table (.txt), "
        "csv (.csv), json (.json), xlsx (.xlsx), html (.html): give -o a file with one of these suffixes, or "
        "--format\n"))
    assert list(tmp_path.iterdir()) == []
    # Saying the format is enough; a file without a suffix is the table, as before.
    assert cli("rank", str(TOWNSHIP), str(TOWNSHIPS), "-o", str(output), "--format", "csv").exit_code == 0
    assert cli("rank", str(TOWNSHIP), str(TOWNSHIPS), "-o", str(tmp_path / "ranked")).exit_code == 0
    assert (tmp_path / "ranked").read_text(encoding="utf-8").startswith("测试县乡镇质量工作考核（2027年度）\n")


def test_compare_refuses_an_unknown_suffix_too(cli, allow_plugins, tmp_path):
    allow_plugins("shizhu")
    examples = TOWNSHIPS.parent.parent.parent / "examples" / "shizhu"
    result = cli("compare", "shizhu-county", str(examples / "county-2024.csv"), str(examples / "county-2025.csv"),
                 "--year-old", "2024", "--year-new", "2025", "-o", str(tmp_path / "c.pdf"))
    assert result.exit_code == 2
    assert result.output.endswith("Error: Invalid value for '-o': no output format writes .pdf files; compare "
                                  "writes table (.txt), csv (.csv), json (.json), xlsx (.xlsx): give -o a file with "
                                  "one of these suffixes, or --format\n")
