"""qscore's own rule types, target shapes, readers and writers, registered like any plug-in's."""

from __future__ import annotations

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
    from qscore.reading import text, xls, xlsx

    register("csv", text.read_csv, suffixes=(".csv", ".txt"))
    register("json", text.read_json, suffixes=(".json",))
    register("xlsx", xlsx.read_xlsx, suffixes=(".xlsx", ".xlsm"))
    register("xls", xls.read_xls, suffixes=(".xls",))


@hookimpl
def qscore_register_writers(register: WriterRegister) -> None:
    from qscore.writing import report, text, xlsx

    register("table", text.write_table, suffix=".txt")
    register("csv", text.write_csv, suffix=".csv")
    register("json", text.write_json, suffix=".json", explained=True, stream=text.json_chunks)
    register("xlsx", xlsx.write_xlsx, suffix=".xlsx", explained=True)
    register("html", report.write_html, suffix=".html", explained=True)
