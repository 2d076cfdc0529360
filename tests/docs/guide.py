"""Reading the commands out of the Chinese guide (docs/zh/*.md).

The convention, stated for maintainers at the end of docs/zh/README.md:

- a ```` ```console ```` block is run: each ``$ qscore …`` line is a command, typed as the
  guide shows it, and the lines under it are its output (stdout and stderr as a terminal
  shows them); a line ``…`` stands for any number of lines, a line ending in ``…`` for a
  line that begins so; no lines under a command means it prints nothing;
- ``# 退出码 N`` at the end of a command says it exits N (else 0);
- every other block (``powershell``, ``bat``, ``sh``, ``text`` …) is illustrative; an
  ``sh`` block under ``<!-- test: NAME -->`` is run by the install tests under that name.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Iterator, Sequence
from pathlib import Path

import attrs

ROOT = Path(__file__).parents[2]
GUIDE = ROOT / "docs" / "zh"
PAGES = sorted(GUIDE.glob("*.md"))
_FENCE = re.compile(r"^```(\S*)(?:[ \t]+(\S+))?[ \t]*$")
_EXIT = re.compile(r"#\s*退出码\s*(\d+)\s*$")
_MARK = re.compile(r"^<!-- test: ([\w-]+) -->$")


@attrs.frozen
class Block:
    """A fenced code block of a page.

    :param page: the page's file name.
    :param line: the 1-based line of its opening fence.
    :param language: the info string's first word (``console``, ``sh`` …).
    :param flag: the info string's second word (none is used: every console block runs), if any.
    :param mark: the name of an ``<!-- test: NAME -->`` line just above it, if any.
    :param lines: its lines.
    """

    page: str
    line: int
    language: str
    flag: str | None
    mark: str | None
    lines: tuple[str, ...]


@attrs.frozen
class Command:
    """A ``$ qscore …`` line of a console block, with the output and exit code shown.

    :param where: ``page:line``, for messages.
    :param text: the command as typed.
    :param argv: its words, ``qscore`` first.
    :param exit_code: the exit code the guide states (0 unless ``# 退出码 N``).
    :param output: the lines shown under it.
    """

    where: str
    text: str
    argv: tuple[str, ...]
    exit_code: int
    output: tuple[str, ...]


def blocks(page: Path) -> list[Block]:
    found: list[Block] = []
    lines = page.read_text(encoding="utf-8").split("\n")
    index = 0
    while index < len(lines):
        match = _FENCE.match(lines[index])
        if match and match.group(1):
            end = lines.index("```", index + 1)
            above = lines[index - 1] if index else ""
            mark = _MARK.match(above)
            found.append(Block(page.name, index + 1, match.group(1), match.group(2), mark and mark.group(1),
                               tuple(lines[index + 1:end])))
            index = end
        index += 1
    return found


def commands(block: Block) -> list[Command]:
    """The commands of a console block."""
    out: list[Command] = []
    for offset, line in enumerate(block.lines):
        if line.startswith("$ "):
            text = line[2:]
            argv = tuple(shlex.split(text, comments=True))
            exit_code = _EXIT.search(text)
            out.append(Command(f"{block.page}:{block.line + 1 + offset}", text, argv,
                               int(exit_code.group(1)) if exit_code else 0, ()))
        elif out:
            last = out[-1]
            out[-1] = attrs.evolve(last, output=(*last.output, line))
        else:
            raise AssertionError(f"{block.page}:{block.line + 1 + offset}: output before any command")
    return out


def console_blocks() -> Iterator[Block]:
    for page in PAGES:
        for block in blocks(page):
            if block.language == "console":
                yield block


def marked(name: str) -> Block:
    """The block under ``<!-- test: NAME -->``."""
    found = [b for page in PAGES for b in blocks(page) if b.mark == name]
    assert len(found) == 1, f"docs/zh has {len(found)} blocks marked {name}"
    return found[0]


def mismatch(expected: Sequence[str], actual: Sequence[str]) -> str | None:
    """Why ``actual`` is not what ``expected`` shows, ``None`` when it is (lines compared
    without trailing spaces; ``…`` lines as the module says)."""
    expected = [line.rstrip() for line in expected]
    actual = [line.rstrip() for line in actual]
    if not expected:
        return None if not actual else "the guide shows no output"
    chunks: list[list[str]] = [[]]
    for line in expected:
        if line == "…":
            chunks.append([])
        else:
            chunks[-1].append(line)
    anchored_start, anchored_end = expected[0] != "…", expected[-1] != "…"
    position = 0
    for number, chunk in enumerate(chunks):
        if not chunk:
            continue
        first, last = number == 0 and anchored_start, number == len(chunks) - 1 and anchored_end
        starts = [position] if first else range(position, len(actual) - len(chunk) + 1)
        found = next((start for start in starts if _chunk_at(chunk, actual, start)
                      and (not last or start + len(chunk) == len(actual))), None)
        if found is None:
            return f"lines not found in order: {chunk!r}"
        position = found + len(chunk)
    return None


def _chunk_at(chunk: Sequence[str], actual: Sequence[str], start: int) -> bool:
    if start + len(chunk) > len(actual):
        return False
    return all(actual[start + i] == line or (line.endswith("…") and actual[start + i].startswith(line[:-1]))
               for i, line in enumerate(chunk))
