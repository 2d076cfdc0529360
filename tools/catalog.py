"""qscore's message catalogs: extract the English texts, update the Chinese catalog, compile it.

    python tools/catalog.py update    # re-extract; new texts enter qscore.po untranslated,
                                      # texts gone from the code leave it; .mo compiled
    python tools/catalog.py compile   # qscore.po and click.po -> .mo (after translating)

A message is a call of ``_``, ``N_`` or ``ngettext`` in ``qscore/`` (a literal string,
never an f-string: placeholders are named, ``_("{file}: …").format(file=…)``), or the
docstring of a click command or group, which is its ``--help``.  ``click.po`` holds
click's own words (``Usage:``, ``Missing argument …``), taken as click writes them.
"""

from __future__ import annotations

import ast
import datetime
import inspect
import io
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from babel.messages.catalog import Catalog
from babel.messages.extract import extract
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

REPO = Path(__file__).resolve().parents[1]
PACKAGE = REPO / "qscore"
LOCALE = PACKAGE / "locale"
LANGUAGES = ("zh",)
DATED = ('"POT-Creation-Date:', '"PO-Revision-Date:', "# Copyright (C)", "# FIRST AUTHOR")
FIXED_DATE = datetime.datetime(2026, 1, 1, tzinfo=datetime.timezone.utc)
KEYWORDS: dict[str, Any] = {"_": None, "N_": None, "ngettext": (1, 2)}


def po_path(domain: str, language: str = "zh") -> Path:
    return LOCALE / language / "LC_MESSAGES" / f"{domain}.po"


def command_docstrings(fileobj: Any, keywords: Any, comment_tags: Any, options: Any) -> Iterator[tuple[Any, ...]]:
    """Babel extraction method: the docstrings of functions decorated as click commands
    or groups (``@main.command()``, ``@click.group(…)``), cleaned as click cleans them."""
    tree = ast.parse(fileobj.read().decode("utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and any(_is_command(d) for d in node.decorator_list):
            text = ast.get_docstring(node, clean=False)
            if text:
                yield node.lineno, None, inspect.cleandoc(text), []


def _is_command(decorator: ast.expr) -> bool:
    called = decorator.func if isinstance(decorator, ast.Call) else decorator
    name = called.attr if isinstance(called, ast.Attribute) else getattr(called, "id", "")
    return name in ("command", "group")


def extracted() -> Catalog:
    """Every message of qscore's code, as the template catalog."""
    template = Catalog(project="qscore", fuzzy=False)
    for path in sorted(PACKAGE.rglob("*.py")):
        where = path.relative_to(REPO).as_posix()
        for method in ("python", command_docstrings):
            with path.open("rb") as stream:
                for line, message, comments, context in extract(method, stream, keywords=KEYWORDS,
                                                                  strip_comment_tags=True):
                    template.add(message, locations=[(where, line)], auto_comments=comments, context=context)
    return template


def read(path: Path) -> Catalog:
    with path.open("rb") as stream:
        catalog = read_po(stream)
    # The .po keeps no dates; Babel would put today's into the compiled header.
    catalog.creation_date = catalog.revision_date = FIXED_DATE
    return catalog


def write(catalog: Catalog, path: Path) -> None:
    out = io.BytesIO()
    # No line numbers and no dates: the file changes only when a message does.
    write_po(out, catalog, width=100, sort_output=False, ignore_obsolete=True, include_lineno=False)
    text = out.getvalue().decode("utf-8")
    lines = [line for line in text.splitlines(keepends=True) if not line.startswith(DATED)]
    path.write_text("".join(lines), encoding="utf-8")


def mo_bytes(catalog: Catalog) -> bytes:
    out = io.BytesIO()
    write_mo(out, catalog, use_fuzzy=False)
    return out.getvalue()


def update() -> None:
    template = extracted()
    for language in LANGUAGES:
        path = po_path("qscore", language)
        catalog = read(path) if path.exists() else Catalog(locale=language, project="qscore")
        catalog.update(template, no_fuzzy_matching=True)
        catalog.obsolete.clear()
        path.parent.mkdir(parents=True, exist_ok=True)
        write(catalog, path)
    compile_all()


def compile_all() -> None:
    for language in LANGUAGES:
        for po in sorted((LOCALE / language / "LC_MESSAGES").glob("*.po")):
            po.with_suffix(".mo").write_bytes(mo_bytes(read(po)))


if __name__ == "__main__":
    {"update": update, "compile": compile_all}[sys.argv[1]]()
