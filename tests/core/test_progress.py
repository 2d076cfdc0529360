"""The progress bar: on stderr for a large file when stderr is a terminal, never otherwise."""

from __future__ import annotations

import io
import sys

import pytest

from conftest import DATA, townships_missing
from qscore import cli as cli_module
from qscore.cli import app as cli_app


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def run_on_terminal(monkeypatch: pytest.MonkeyPatch, tmp_path, *options: str) -> str:  # noqa: ANN001
    """Rank the township sample with stderr on a (pretend) terminal; return what it showed."""
    terminal = Terminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    monkeypatch.setattr(cli_app, "PROGRESS_MIN_BYTES", 0)  # the sample counts as large
    output = tmp_path / "ranked.csv"
    cli_module.main(["rank", str(DATA / "township.toml"), str(DATA / "townships.csv"), "--year", "2025",
                     "-o", str(output), *options], standalone_mode=False)
    assert output.read_text(encoding="utf-8-sig").startswith("排名,单位,总分")
    return terminal.getvalue()


def test_a_large_run_on_a_terminal_shows_progress_to_the_end(monkeypatch, tmp_path) -> None:
    shown = run_on_terminal(monkeypatch, tmp_path)
    # 3 indicators + reading, binding and writing = 6 steps, all done.
    assert "townships.csv" in shown and "100%" in shown


def test_quiet_shows_no_bar_on_a_terminal(monkeypatch, tmp_path) -> None:
    # --quiet hides the bar, not what the examiner must be told about the data.
    assert run_on_terminal(monkeypatch, tmp_path, "--quiet") == townships_missing()


def test_a_small_file_shows_nothing_on_a_terminal(monkeypatch, tmp_path) -> None:
    terminal = Terminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    # With the year given there is no notice of the year and no bar: only 黄水镇's missing value.
    cli_module.main(["rank", str(DATA / "township.toml"), str(DATA / "townships.csv"), "--year", "2027", "-o",
                     str(tmp_path / "out.csv")], standalone_mode=False)
    assert terminal.getvalue() == townships_missing()


def test_progress_stays_off_when_stderr_is_not_a_terminal(cli, monkeypatch, tmp_path) -> None:
    monkeypatch.setattr(cli_app, "PROGRESS_MIN_BYTES", 0)
    result = cli("rank", str(DATA / "township.toml"), str(DATA / "townships.csv"), "--year", "2027", "-o",
                 str(tmp_path / "out.csv"))
    assert result.exit_code == 0 and result.stderr == townships_missing()
