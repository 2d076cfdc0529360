"""qscore's own rule types, readers and writers, registered like any plug-in's."""

from __future__ import annotations

from qscore import hookimpl
from qscore.plugins import ReaderRegister, RuleRegister, WriterRegister


@hookimpl
def qscore_register_rules(register: RuleRegister) -> None:
    from qscore.rules.library import BUILTIN_RULES

    for rule_type in BUILTIN_RULES:
        register(rule_type)


@hookimpl
def qscore_register_readers(register: ReaderRegister) -> None:
    from qscore import readers

    register("csv", readers.read_csv, suffixes=(".csv", ".txt"))
    register("json", readers.read_json, suffixes=(".json",))


@hookimpl
def qscore_register_writers(register: WriterRegister) -> None:
    from qscore import writers

    register("table", writers.write_table, suffix=".txt")
    register("csv", writers.write_csv, suffix=".csv")
    register("json", writers.write_json, suffix=".json", explained=True)
