"""Escape sequences in names read from files never reach the terminal: every text qscore
shows a person has its control characters escaped; files keep the text as read."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from hostile_kit import RULESET, UNITS, check_cli, copy_inputs
from qscore.controls import escape_controls

CLEAR = "\x1b[2J"            # clear the screen
TITLE = "\x1b]0;pwned\x07"   # set the window title
CSI = "\x9b2J"               # the C1 form of ESC [
NAMES = {"南宾街道": f"南宾{CLEAR}街道", "西沱镇": f"西沱{TITLE}镇", "黄水镇": f"黄水{CSI}镇", "悦崃镇": "悦崃\b\x7f镇"}
SHOWN = {"南宾街道": "南宾\\x1b[2J街道", "西沱镇": "西沱\\x1b]0;pwned\\x07镇", "黄水镇": "黄水\\x9b2J镇",
         "悦崃镇": "悦崃\\x08\\x7f镇"}


@pytest.fixture
def hostile(tmp_path: Path) -> tuple[Path, Path]:
    """townships.csv with escape sequences in every unit name, as JSON (\\u001b escapes)."""
    (ruleset,) = copy_inputs(tmp_path, RULESET)
    with UNITS.open(encoding="utf-8", newline="") as stream:
        records = list(csv.DictReader(stream))
    for record in records:
        record["单位"] = NAMES[record["单位"]]
    data = tmp_path / "hostile.json"
    data.write_text(json.dumps(records, ensure_ascii=True), encoding="utf-8")
    assert "\\u001b" in data.read_text(encoding="utf-8")
    return ruleset, data


def test_escape_controls_shows_every_control_character_but_tab_and_line_feed():
    assert escape_controls("a\tb\nc") == "a\tb\nc"
    assert escape_controls("".join(map(chr, range(0x20)))) == (
        "".join(f"\\x{n:02x}" for n in range(9)) + "\t\n" + "".join(f"\\x{n:02x}" for n in range(0x0b, 0x20)))
    assert escape_controls("\x7f\x80\x9f\xa0é") == "\\x7f\\x80\\x9f\xa0é"
    assert escape_controls("a\tb\nc", one_line=True) == "a\\x09b\\x0ac"


def test_the_rank_table_shows_escape_sequences_escaped(cli, tmp_path, hostile):
    ruleset, data = hostile
    result = check_cli(cli, tmp_path, "rank", str(ruleset), str(data), code=0, output=None)
    assert "\x1b" not in result.output and "\x9b" not in result.output and "\r" not in result.output
    for shown in SHOWN.values():
        assert shown in result.output


def test_explain_shows_the_unit_escaped(cli, tmp_path, hostile):
    ruleset, data = hostile
    result = check_cli(cli, tmp_path, "explain", str(ruleset), str(data), NAMES["南宾街道"], "--year", "2027",
                       code=0, output=None)
    assert result.stdout.splitlines()[1].startswith(f"单位：{SHOWN['南宾街道']}    排名：第 2 名 / 4")
    assert "\x1b" not in result.output


def test_did_you_mean_shows_the_names_escaped(cli, tmp_path, hostile):
    ruleset, data = hostile
    check_cli(cli, tmp_path, "explain", str(ruleset), str(data), "南宾街", "--year", "2027", code=2,
              output=("Usage: qscore explain [OPTIONS] RULESET DATA... UNIT\nTry 'qscore explain --help' for help.\n\n"
                      f"Error: Invalid value for UNIT: no unit '南宾街' in {data}; did you mean "
                      f"{SHOWN['南宾街道']}?\n"))


def test_a_data_error_shows_the_column_escaped(cli, tmp_path):
    (ruleset,) = copy_inputs(tmp_path, RULESET)
    data = tmp_path / "column.json"
    data.write_text('[{"单位": "甲镇", "食品\\u001b[2J合格率": 98}]', encoding="utf-8")
    check_cli(cli, tmp_path, "rank", str(ruleset), str(data), code=1,
              output=f"Error: {data}: 3 problems:\n"
                     "  row 1: no column for indicator drug (流通领域药品抽检合格率); add it, leaving cells empty or '-' "
                     "where there is no data\n"
                     "  row 1: no column for indicator task (重点任务完成情况); add it, leaving cells empty or '-' where "
                     "there is no data\n"
                     "  row 1, column '食品\\x1b[2J合格率': column names no indicator or item of ruleset "
                     "'test-township'; did you mean 食品抽检合格率? (use --ignore-unknown to skip such columns)\n")


def test_files_keep_the_text_as_read(cli, tmp_path, hostile):
    ruleset, data = hostile
    assert cli("rank", str(ruleset), str(data), "-o", str(tmp_path / "out.csv")).exit_code == 0
    with (tmp_path / "out.csv").open(encoding="utf-8-sig", newline="") as stream:
        written = {row["单位"] for row in csv.DictReader(stream)}
    assert written == set(NAMES.values())
    # JSON escapes every control character itself (C1 and DEL too) and reads back as written.
    document = cli("rank", str(ruleset), str(data), "--format", "json").stdout
    assert not any(character in document for character in "\x1b\x07\x9b\x7f\r")
    assert {u["unit"] for u in json.loads(document)["units"]} == set(NAMES.values())
    assert "\\u009b" in document and "\\u007f" in document


def test_csv_on_a_terminal_is_shown_escaped(cli, tmp_path, hostile, monkeypatch):
    from qscore.cli import scoring

    ruleset, data = hostile
    piped = cli("rank", str(ruleset), str(data), "--format", "csv").output
    assert NAMES["南宾街道"] in piped
    monkeypatch.setattr(scoring, "_stdout_is_terminal", lambda: True)
    shown = cli("rank", str(ruleset), str(data), "--format", "csv").output
    assert "\x1b" not in shown and SHOWN["南宾街道"] in shown


def test_rulesets_show_and_plugins_show_their_texts_escaped(cli, tmp_path):
    folder = tmp_path / "plugins"
    folder.mkdir(mode=0o755)
    ruleset = RULESET.read_text(encoding="utf-8").replace('title = "测试县乡镇质量工作考核"',
                                                          'title = "测试\\u001b[2J考核"')
    (folder / "rules.toml").write_text(ruleset.replace('id = "test-township"', 'id = "escape"'), encoding="utf-8")
    plugin = folder / "evil\x1b.py"
    plugin.write_text("from pathlib import Path\nfrom qscore import hookimpl\n\n\n@hookimpl\n"
                      "def qscore_register_rulesets(register):\n"
                      "    register(Path(__file__).with_name('rules.toml'))\n", encoding="utf-8")
    plugin.chmod(0o644)
    listed = cli("--plugins-dir", str(folder), "rulesets")
    assert listed.exit_code == 0 and "测试\\x1b[2J考核" in listed.output and "evil\\x1b" in listed.output
    shown = cli("--plugins-dir", str(folder), "show", "escape")
    assert shown.exit_code == 0 and shown.output.startswith("测试\\x1b[2J考核（escape）")
    plugins = cli("--plugins-dir", str(folder), "plugins")
    assert plugins.exit_code == 0 and "evil\\x1b" in plugins.output
    assert not any("\x1b" in result.output for result in (listed, shown, plugins))
    # As data, the JSON listings keep the text (JSON escapes it as \u001b).
    assert json.loads(cli("--plugins-dir", str(folder), "show", "escape", "--format", "json").output)["title"] == \
        "测试\x1b[2J考核"
