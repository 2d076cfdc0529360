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
    from qscore import readers, xlsx

    register("csv", readers.read_csv, suffixes=(".csv", ".txt"))
    register("json", readers.read_json, suffixes=(".json",))
    register("xlsx", xlsx.read_xlsx, suffixes=(".xlsx", ".xlsm"))


@hookimpl
def qscore_register_writers(register: WriterRegister) -> None:
    from qscore import writers, xlsx

    register("table", writers.write_table, suffix=".txt")
    register("csv", writers.write_csv, suffix=".csv")
    register("json", writers.write_json, suffix=".json", explained=True)
    register("xlsx", xlsx.write_xlsx, suffix=".xlsx", explained=True)
