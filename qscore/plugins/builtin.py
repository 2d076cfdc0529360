"""qscore's own rule types, target shapes, readers and writers, registered like any plug-in's."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any

from qscore.plugins.hookspecs import hookimpl
from qscore.reading.table import ReaderRegister
from qscore.rules.base import RuleRegister
from qscore.targets import BUILTIN_TARGETS, TargetRegister
from qscore.writing import WriterRegister


@hookimpl
def qscore_register_rules(register: RuleRegister) -> None:
    from qscore.rules.library import BUILTIN_RULES

    for rule_type in BUILTIN_RULES:
        register(rule_type)


@hookimpl
def qscore_register_targets(register: TargetRegister) -> None:
    for shape in BUILTIN_TARGETS:
        register(shape)


@hookimpl
def qscore_register_readers(register: ReaderRegister) -> None:
    register("csv", _on_call("qscore.reading.text", "read_csv"), suffixes=(".csv", ".txt"))
    register("json", _on_call("qscore.reading.text", "read_json"), suffixes=(".json",))
    register("xlsx", _on_call("qscore.reading.xlsx", "read_xlsx"), suffixes=(".xlsx", ".xlsm"))
    register("xls", _on_call("qscore.reading.xls", "read_xls"), suffixes=(".xls",))


@hookimpl
def qscore_register_writers(register: WriterRegister) -> None:
    register("table", _on_call("qscore.writing.text", "write_table"), suffix=".txt")
    register("csv", _on_call("qscore.writing.text", "write_csv"), suffix=".csv")
    register("json", _on_call("qscore.writing.text", "write_json"), suffix=".json", explained=True,
             stream=_on_call("qscore.writing.text", "json_chunks"))
    register("xlsx", _on_call("qscore.writing.xlsx", "write_xlsx"), suffix=".xlsx", explained=True,
             stream=_on_call("qscore.writing.xlsx", "xlsx_chunks"))
    register("html", _on_call("qscore.writing.report", "write_html"), suffix=".html", explained=True)


def _on_call(module: str, name: str) -> Callable[..., Any]:
    """``module.name``, imported when first called: a run reads one format and writes
    one, so the others' modules (openpyxl's and xlrd's readers, the XLSX writer, the
    HTML report) are not imported for it."""

    def call(*args: Any, **kwargs: Any) -> Any:
        return getattr(importlib.import_module(module), name)(*args, **kwargs)

    call.__module__, call.__name__, call.__qualname__ = module, name, name
    return call
