"""``qscore --help`` starts fast: it imports no engine, no plug-ins and no table printer."""

from __future__ import annotations

import importlib.metadata
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import click
import pytest

from conftest import DATA
from qscore.cli import main
from qscore.cli.app import COMMAND_MODULES
from qscore.plugins.manager import ALLOW_ENV

SCRIPT = """
import json, sys
from qscore.cli import main
try:
    main(["--help"])
except SystemExit:
    pass
print(json.dumps(sorted(sys.modules)), file=sys.stderr)
"""


def test_help_imports_only_the_command_line() -> None:
    done = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True, check=True)
    assert "Score, rank and tier" in done.stdout
    loaded = set(json.loads(done.stderr))
    ours = {name for name in loaded if name.startswith("qscore")}
    assert ours == {"qscore", "qscore.i18n", "qscore.cli", "qscore.cli.app", "qscore.cli.analysis", "qscore.cli.authoring",
                    "qscore.cli.collect", "qscore.cli.report", "qscore.cli.rounds", "qscore.cli.rulesets",
                    "qscore.cli.scoring"}
    assert not loaded & {"attr", "attrs", "pluggy", "tabulate", "decimal", "csv", "importlib.metadata"}


def test_each_command_is_in_the_module_named_for_it() -> None:
    context = click.Context(main)
    for name in main.list_commands(context):
        command = main.get_command(context, name)
        assert command is not None and command.callback is not None, name
        assert command.callback.__module__ == COMMAND_MODULES[name], name
    assert set(main.commands) == set(COMMAND_MODULES)  # none added outside the table


RANK = """
import json, sys
from qscore.cli import main
try:
    main(["rank", "shizhu-township", "examples/shizhu/townships-2025.csv", "--year", "2025"])
except SystemExit as exc:
    assert not exc.code, exc.code
print(json.dumps(sorted(sys.modules)), file=sys.stderr)
"""


def test_a_plain_run_imports_only_what_it_uses(monkeypatch: pytest.MonkeyPatch) -> None:
    """The README's 33-unit run reads a CSV and prints a table: the other formats'
    readers and writers, merging submissions and the analysis are not imported."""
    monkeypatch.delenv(ALLOW_ENV)  # every installed plug-in, as a user's run loads them
    root = Path(__file__).resolve().parents[2]
    done = subprocess.run([sys.executable, "-c", RANK], capture_output=True, text=True, check=True, cwd=root)
    assert done.stdout.startswith("石柱县乡镇（街道）质量强县工作考核（2025年度）\n排名")
    loaded = set(json.loads(done.stderr.splitlines()[-1]))
    assert "qscore.reading.text" in loaded and "qscore.writing.text" in loaded  # the check sees imports at all
    assert not loaded & {"qscore.reading.xlsx", "qscore.reading.xls", "qscore.writing.xlsx", "qscore.writing.report",
                         "qscore.writing.explain", "qscore.collect.merge", "qscore.collect.workbook",
                         "qscore.analysis", "openpyxl", "xlrd", "xlsxwriter", "jinja2", "plotly", "numpy"}
    # Nor the other commands' modules, nor the hints for a ruleset that is not valid TOML,
    # nor tabulate (the ranking's table is laid out by qscore.writing.text).
    assert "qscore.cli.scoring" in loaded
    assert not loaded & {"qscore.cli.analysis", "qscore.cli.authoring", "qscore.cli.collect", "qscore.cli.report",
                         "qscore.cli.rulesets", "qscore.toml_hints", "tabulate"}


LOAD = """
import json, sys
from qscore.plugins.manager import load_plugins
found = load_plugins()
read = "email.parser" in sys.modules  # what importlib.metadata parses METADATA with
shown = {info.name: [info.source, info.version] for info in found.infos}
print(json.dumps([read, "email.parser" in sys.modules, shown]))
"""


def test_loading_the_plugins_reads_their_metadata_only_when_shown(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(ALLOW_ENV)
    done = subprocess.run([sys.executable, "-c", LOAD], capture_output=True, text=True, check=True)
    read, read_when_shown, shown = json.loads(done.stdout)
    assert not read and read_when_shown
    version = importlib.metadata.version("qscore")
    assert shown["qscore.builtin"] == ["qscore", version]
    assert shown["shizhu"] == ["qscore", version]  # the seeds ship in qscore's distribution


HISTORY = """
import json, sys
from qscore.cli import main
try:
    main(["history", sys.argv[1], "西沱镇"])
except SystemExit as exc:
    assert not exc.code, exc.code
print(json.dumps(sorted(sys.modules)), file=sys.stderr)
"""


def test_history_reads_the_archive_without_plugins_or_the_engine(cli: Any, tmp_path: Path) -> None:
    """``history`` reads what was recorded: no plug-ins (nor importlib.metadata), no
    ruleset loading or scoring, and no tabulate."""
    archive = tmp_path / "rounds.db"
    recorded = cli("rank", str(DATA / "township.toml"), str(DATA / "townships.csv"), "--year", "2025", "--record",
                   str(archive), "--format", "csv")
    assert recorded.exit_code == 0, recorded.output
    done = subprocess.run([sys.executable, "-c", HISTORY, str(archive)], capture_output=True, text=True, check=True)
    assert done.stdout.startswith(f"西沱镇 的历年考核结果（{archive}）\n")
    loaded = set(json.loads(done.stderr.splitlines()[-1]))
    assert "qscore.rounds.archive" in loaded  # the check sees imports at all
    assert not loaded & {"qscore.plugins.manager", "qscore.pipeline", "qscore.rulesets", "qscore.scoring.engine",
                         "qscore.reading.binding", "pluggy", "importlib.metadata", "tabulate"}
