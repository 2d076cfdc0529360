"""Shared fixtures.  Tests never autoload whatever happens to be installed: only qscore's
built-ins are active unless a test names the plug-ins it wants."""

from __future__ import annotations

import os
import textwrap
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import click
import pytest
from click.testing import CliRunner, Result
from hypothesis import settings

# The command line's help is made when it is imported: in English, whatever the locale
# (tests that want Chinese ask for it; tests/test_i18n.py checks the Chinese help).
os.environ["QSCORE_LANG"] = "en"

from qscore.cli import main  # noqa: E402
from qscore.plugins.manager import ALLOW_ENV, DIRS_ENV, Catalog, load_plugins

# A command's module is imported when the command is first asked for: make them all now,
# in English, rather than in whatever language the first test to run one asks for.
for _command in main.list_commands(click.Context(main)):
    main.get_command(click.Context(main), _command)

DATA = Path(__file__).parent / "data"
#: (ruleset, data file under examples/, year): every seed example (examples/README.md).
SEED_EXAMPLES = [("shizhu-township", "shizhu/townships-2025.csv", 2025),
                 ("shizhu-county", "shizhu/county-2025.csv", 2025), ("shizhu-county", "shizhu/county-2024.csv", 2024),
                 ("shizhu-members", "shizhu/members-2025.csv", 2025),
                 ("chongqing-districts", "chongqing/districts-2025.csv", 2025),
                 ("guizhou-prefectures", "guizhou/prefectures-2025.csv", 2025),
                 ("kaizhou-towns", "kaizhou/towns-2027.csv", 2027),
                 ("kaizhou-departments", "kaizhou/departments-2027.csv", 2027),
                 ("lixian-departments", "lixian/departments-2027.csv", 2027),
                 ("yongchuan-towns", "yongchuan/towns-2027.csv", 2027),
                 ("yongchuan-departments", "yongchuan/departments-2027.csv", 2027)]



def townships_missing(path: Path | str = DATA / "townships.csv", column: str = "食品抽检合格率（%）",
                      sheet: str | None = None) -> str:
    """The notice line ``rank`` prints on stderr for tests/data/townships.csv (and the files
    made from it): 黄水镇 has no 食品抽检合格率 ("-"), which the ``zero`` policy scores 0.

    :param column: the column's header as the file spells it.
    :param sheet: the sheet, for a workbook."""
    where = f"{path}, sheet '{sheet}'" if sheet is not None else f"{path}"
    return (f"notice: {where}, column '{column}': 1 unit(s) have no value for 食品抽检合格率 (黄水镇): "
            "scored 0 under the missing-value policy 'zero'\n")


# Properties are about values, not speed: a busy CI machine must not fail a test on
# Hypothesis's per-example deadline (speed is measured by bench/, not by tests).
settings.register_profile("qscore", deadline=None)
settings.load_profile("qscore")
# qscore's own test kit for plug-in authors: its fixtures (qscore_catalog, qscore_cli)
# are exercised here as an author would use them.
pytest_plugins = ["qscore.testing"]


@pytest.fixture(autouse=True)
def no_installed_plugins(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv(ALLOW_ENV, "")
    monkeypatch.delenv(DIRS_ENV, raising=False)
    monkeypatch.delenv("QSCORE_DEBUG", raising=False)
    # Messages are checked in English unless a test asks for Chinese, whatever the locale.
    monkeypatch.setenv("QSCORE_LANG", "en")
    yield


@pytest.fixture
def allow_plugins(monkeypatch: pytest.MonkeyPatch) -> Callable[..., None]:
    """Let the named installed plug-ins (entry points) load, e.g. ``allow_plugins("shizhu")``."""
    def allow(*names: str) -> None:
        monkeypatch.setenv(ALLOW_ENV, ",".join(names))
    return allow


@pytest.fixture
def catalog() -> Catalog:
    return load_plugins()


@pytest.fixture
def cli() -> Callable[..., Result]:
    """Run the real CLI in-process: ``cli("rank", "file.toml", "data.csv")``."""
    runner = CliRunner()

    def invoke(*args: str, input: str | None = None) -> Result:
        return runner.invoke(main, list(args), input=input, catch_exceptions=False, prog_name="qscore")
    return invoke


@pytest.fixture
def write(tmp_path: Path) -> Callable[[str, str], Path]:
    """Write a dedented text file under tmp_path and return its path."""
    def write_file(name: str, text: str, encoding: str = "utf-8") -> Path:
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip("\n"), encoding=encoding)
        return path
    return write_file


@pytest.fixture
def fail_after_one_unit(monkeypatch: pytest.MonkeyPatch) -> Callable[[object, str], None]:
    """Make a streamed writer (a module with ``UNITS_PER_CHUNK`` and the generator
    ``units``, which it makes its units' texts with) write one unit as a piece of its own
    and then fail, as a disk or a bug would."""
    def arrange(module: object, units: str) -> None:
        made = getattr(module, units)

        def failing(*args: object) -> Iterator[str]:
            texts = made(*args)
            yield next(texts)
            raise RuntimeError("made to fail after one unit")

        monkeypatch.setattr(module, "UNITS_PER_CHUNK", 1)
        monkeypatch.setattr(module, units, failing)
    return arrange


def assert_cases_share_results(units: Any) -> None:
    """``units.result_cases()`` names each unit's case by the rank position of the case's
    first unit, and the units of one case have the same result for that indicator, with
    the same digits (``98.0`` and ``98`` are equal figures written differently)."""
    for position, cases in enumerate(units.result_cases()):
        assert len(cases) == len(units)
        for rank, case in enumerate(cases):
            assert case <= rank and cases[case] == case, (position, rank, case)
            shared = units[case].indicators[position]
            assert repr(units[rank].indicators[position]) == repr(shared), (position, rank, case)
