"""The Chinese guide (docs/zh/) is true: every command it shows runs as written against
the bundled examples and prints and exits as it says; the explanation it walks through
is recomputed by hand figure by figure; the Windows commands say what the tested Linux
ones say; the README links it."""

from __future__ import annotations

import ast
import re
import shutil
from decimal import Decimal
from pathlib import Path

import click
import pytest
from click.testing import CliRunner, Result

from qscore.cli import main
from qscore.plugins.manager import ALLOW_ENV

from guide import GUIDE, PAGES, ROOT, Block, blocks, commands, console_blocks, marked, mismatch

SEEDS = sorted(p.name.removeprefix("qscore_") for p in (ROOT / "plugins").glob("qscore_*"))
RUNNABLE = list(console_blocks())


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A folder laid out as qscore's source folder is, where the guide's commands run:
    the bundled examples and the guide's own example files, every seed plug-in active."""
    shutil.copytree(ROOT / "examples", tmp_path / "examples")
    shutil.copytree(GUIDE / "examples", tmp_path / "docs" / "zh" / "examples")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv(ALLOW_ENV, ",".join(SEEDS))
    # The guide shows what an examiner sees: qscore speaking Chinese.
    monkeypatch.setenv("QSCORE_LANG", "zh")
    return tmp_path


def run(argv: tuple[str, ...]) -> Result:
    assert argv[0] == "qscore", f"not a qscore command: {' '.join(argv)}"
    return CliRunner().invoke(main, list(argv[1:]), prog_name="qscore", catch_exceptions=False)


def check_blocks(chosen: list[Block]) -> None:
    for block in chosen:
        for command in commands(block):
            result = run(command.argv)
            shown = result.output.split("\n")
            shown = shown[:-1] if shown[-1] == "" else shown
            assert result.exit_code == command.exit_code, (
                f"{command.where}: `{command.text}` exits {result.exit_code}\n{result.output}")
            problem = mismatch(command.output, shown)
            assert problem is None, f"{command.where}: `{command.text}`: {problem}\n--- it prints:\n{result.output}"


def test_the_guide_has_pages_and_commands_to_check():
    assert {p.name for p in PAGES} == {"README.md", "install.md", "round.md", "explain.md", "errors.md"}
    assert len([c for b in RUNNABLE for c in commands(b)]) >= 30


@pytest.mark.parametrize("page", [p.name for p in PAGES if any(b.page == p.name for b in RUNNABLE)])
def test_every_command_of_the_page_runs_as_written(workdir, page):
    # A page's commands run in order in one folder, as an examiner runs them (a later
    # command reads what an earlier one recorded or wrote).
    check_blocks([b for b in RUNNABLE if b.page == page])


def test_every_command_the_guide_shows_is_a_command_of_qscore():
    assert not [f"{b.page}:{b.line}" for b in RUNNABLE if b.flag]  # every block runs: none is held back
    shown = {c.argv[1] for b in RUNNABLE for c in commands(b) if len(c.argv) > 1 and not c.argv[1].startswith("-")}
    assert shown and shown <= set(main.list_commands(click.Context(main)))
    assert not any("待上线" in page.read_text(encoding="utf-8") for page in PAGES)


def test_the_bundled_examples_and_the_guides_files_are_all_used():
    # Every example file of the guide is used by a command that runs.
    used = " ".join(c.text for b in RUNNABLE for c in commands(b))
    for path in (GUIDE / "examples").iterdir():
        if path.name != "README.md":
            assert f"docs/zh/examples/{path.name}" in used, f"docs/zh/examples/{path.name} is not used"


# -- the Windows lines say what the tested Linux lines say -----------------------------

def _normalised(lines: tuple[str, ...]) -> list[str]:
    out = []
    for line in lines:
        line = line.strip()
        if not line or line.startswith("cd "):
            continue
        line = line.replace(r".venv\Scripts\Activate.ps1", ". .venv/bin/activate")
        line = re.sub(r"^py -m ", "python3 -m ", line).replace("\\", "/")
        out.append(line)
    return out


@pytest.mark.parametrize("mark", ["offline-build", "download-for-windows", "offline-install"])
def test_the_windows_commands_are_the_tested_linux_ones(mark):
    tested = marked(mark)
    page = blocks(GUIDE / tested.page)
    windows = [b for b in page if b.language == "powershell" and b.line < tested.line][-1]
    assert _normalised(windows.lines) == _normalised(tested.lines), f"{tested.page}:{windows.line}"


# -- the explanation walked through by hand --------------------------------------------

EXPLAIN = (GUIDE / "explain.md").read_text(encoding="utf-8")
#: `a op b … = c` written in the walkthrough, one per inline code span.
FORMULA = re.compile(r"`([^`]*?=[^`]*?)`")
OPERATORS = str.maketrans({"−": "-", "×": "*", "÷": "/"})


def _value(expression: str) -> Decimal:
    if not re.fullmatch(r"[\d.\s()+\-*/]+", expression):
        raise AssertionError(f"not arithmetic: {expression!r}")
    # Digits, brackets and + - * / only (checked above): every number an exact Decimal.
    return eval(re.sub(r"(\d+(?:\.\d+)?)", r"Decimal('\1')", expression), {"Decimal": Decimal})


def _agrees(value: Decimal, written: str) -> bool:
    """``written`` is ``value`` exactly, or its first digits when it ends in ``…``."""
    if written.endswith("…"):
        return str(value).startswith(written[:-1])
    return value == Decimal(written)


def walkthrough_formulas() -> list[str]:
    section = EXPLAIN.split("## 逐项验算", 1)[1].split("| 项目 |", 1)[0]
    return [f for f in FORMULA.findall(section) if not f.startswith("$")]


def test_the_walkthrough_has_its_formulas():
    assert len(walkthrough_formulas()) >= 15


@pytest.mark.parametrize("formula", walkthrough_formulas())
def test_each_formula_of_the_walkthrough_holds(formula):
    # Every `… = …` of the walkthrough, computed exactly: each side equals the next.
    parts = [p.strip() for p in formula.translate(OPERATORS).split("=")]
    for left, right in zip(parts, parts[1:]):
        value = _value(left)
        if re.fullmatch(r"[\d.]+…?", right):
            assert _agrees(value, right), f"{formula}: {left} is {value}, not {right}"
        else:
            assert value == _value(right), f"{formula}: {left} ≠ {right}"


def _explained(unit: str) -> str:
    """The real output of the guide's `qscore explain` command for ``unit``."""
    block = next(b for b in RUNNABLE if b.page == "explain.md" and any("explain" in c.argv for c in commands(b)))
    command = next(c for c in commands(block) if c.argv[1] == "explain")
    assert command.argv[-3] == unit
    return run(command.argv).output


def test_the_table_of_hand_computed_figures_is_what_qscore_says(workdir):
    # The walkthrough ends with a table: each figure worked out by hand, next to where
    # qscore prints it; every one must be in the real output, on the line named.
    output = _explained("三河镇")
    table = EXPLAIN.split("## 逐项验算", 1)[1].split("| 项目 |", 1)[1].split("\n\n", 1)[0]
    rows = [row.split("|")[1:-1] for row in table.strip().split("\n")[2:]]
    assert len(rows) >= 10
    for item, figure, shown in ((r[0].strip(), r[1].strip(), r[2].strip()) for r in rows):
        printed = shown.strip("`")
        assert printed in output, f"{item}: `{printed}` is not in qscore's output"
        assert figure in printed, f"{item}: the hand figure {figure} is not what qscore prints ({printed})"


# -- links ---------------------------------------------------------------------------------

def test_the_readme_links_the_guide_at_the_top_and_the_guide_links_its_pages():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "docs/zh/" in readme.split("\n## ", 1)[0]
    index = (GUIDE / "README.md").read_text(encoding="utf-8")
    for page in PAGES:
        if page.name != "README.md":
            assert f"({page.name})" in index, f"docs/zh/README.md does not link {page.name}"


def test_links_between_the_pages_lead_to_files_that_exist():
    for page in PAGES:
        for target in re.findall(r"\]\(([^)#:]+)(?:#[^)]*)?\)", page.read_text(encoding="utf-8")):
            assert (page.parent / target).exists(), f"{page.name} links {target}, which does not exist"




def test_the_readmes_windows_lines_are_its_two_commands():
    readme = (ROOT / "README.md").read_text(encoding="utf-8").split("## Two commands on a fresh machine", 1)[1]
    readme = readme.split("\n## ", 1)[0]
    posix = re.findall(r"```sh\n(.*?)\n```", readme, re.S)
    windows = re.findall(r"```powershell\n(.*?)\n```", readme, re.S)
    assert len(posix) == len(windows) == 2
    for sh, ps in zip(posix, windows):
        assert _normalised(tuple(ps.split("; "))) == _normalised(tuple(sh.split(" && ")))


def _message_texts() -> list[str]:
    """Every string qscore's code writes, an f-string's placeholders as ``…``, in English
    and in Chinese."""
    texts = []
    for path in (ROOT / "qscore").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.JoinedStr):
                texts.append("".join(v.value if isinstance(v, ast.Constant) else "…" for v in node.values))
            elif isinstance(node, ast.Constant) and isinstance(node.value, str):
                texts.append(node.value)
    # and their Chinese, as the catalog gives it
    from babel.messages.pofile import read_po

    with (ROOT / "qscore" / "locale" / "zh" / "LC_MESSAGES" / "qscore.po").open("rb") as stream:
        for message in read_po(stream):
            texts.extend([message.string] if isinstance(message.string, str) else message.string)
    return texts


def test_each_message_the_error_table_names_is_one_qscore_gives():
    # The table's first column quotes a part of each message (… where a name or a figure
    # goes): each piece must be in a string of qscore's code, so the table goes stale loudly.
    source = "\n".join(_message_texts())
    table = (GUIDE / "errors.md").read_text(encoding="utf-8").split("## 速查表", 1)[1].split("\n## ", 1)[0]
    rows = [line for line in table.split("\n") if line.startswith("| `")]
    assert len(rows) >= 20
    for row in rows:
        for fragment in re.findall(r"`([^`]+)`", row.split("|")[1]):
            for piece in (p.strip() for p in fragment.split("…")):
                assert piece in source, f"errors.md: '{piece}' is in no message of qscore"
