"""Built-in output formats for a ranked batch: table, CSV and JSON (XLSX: qscore.xlsx).

Every format is a pure function of the batch: no dates, paths or dictionary-order
accidents, so the same input gives byte-identical output."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from qscore.model import BatchResult, UnitResult


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_text(text: str) -> str:
    """A user-supplied text cell that a spreadsheet will not run as a formula."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def _number(value: Decimal | None) -> str:
    return "" if value is None else f"{value:f}"


def summary_table(batch: BatchResult, *, detail: bool) -> tuple[list[str], list[list[Any]]]:
    """Header and typed rows of the ranking (int rank, Decimal points, text, ``None``):
    rank, unit, total, tier, subtotals, adjustments, and with ``detail`` each indicator's
    points."""
    ruleset = batch.ruleset
    header = ["排名", "单位", "总分", "等次"]
    header += [c.name for c in ruleset.categories]
    header += ["加分", "扣分", "一票否决", "距上一等次"]
    if detail:
        header += [f"{i.name}（得分）" for i in ruleset.indicators]
    rows = []
    for unit in batch.units:
        row: list[Any] = [unit.rank, unit.unit, unit.total, unit.tier or ""]
        row += [unit.subtotals[c.id] for c in ruleset.categories]
        row += [unit.bonus, unit.deductions, "是" if unit.vetoed else "否", unit.gap_to_next]
        if detail:
            row += [r.points for r in unit.indicators]
        rows.append(row)
    return header, rows


def summary_rows(batch: BatchResult, *, detail: bool,
                 text: Callable[[str], str] = safe_text) -> tuple[list[str], list[list[str]]]:
    """:func:`summary_table` as strings; ``text`` treats the texts (by default made safe
    from formula injection), never our own numbers."""
    header, rows = summary_table(batch, detail=detail)
    return [text(h) for h in header], [[_shown(cell, text) for cell in row] for row in rows]


def _shown(cell: Any, text: Callable[[str], str]) -> str:
    if isinstance(cell, str):
        return text(cell)
    return str(cell) if isinstance(cell, int) else _number(cell)


def write_table(batch: BatchResult) -> bytes:
    from tabulate import tabulate

    header, rows = summary_rows(batch, detail=False, text=str)
    title = f"{batch.ruleset.title}（{batch.year}年度）"
    return (title + "\n" + tabulate(rows, headers=header, disable_numparse=True) + "\n").encode("utf-8")


def write_csv(batch: BatchResult) -> bytes:
    """CSV with a BOM so that Excel opens the Chinese text correctly."""
    header, rows = summary_rows(batch, detail=True)
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def json_number(value: Decimal | None) -> Any:
    """A JSON number with the same digits (up to 15 significant ones survive a float),
    otherwise the exact figure as a string."""
    if value is None:
        return None
    digits = value.as_tuple().digits
    return float(value) if len(digits) <= 15 else f"{value:f}"


def unit_json(batch: BatchResult, unit: UnitResult) -> dict[str, Any]:
    indicators = {i.id: i for i in batch.ruleset.indicators}
    return {
        "unit": unit.unit, "rank": unit.rank, "total": json_number(unit.total), "tier": unit.tier,
        "vetoed": unit.vetoed, "gap_to_next": json_number(unit.gap_to_next),
        "subtotals": {key: json_number(value) for key, value in unit.subtotals.items()},
        "bonus": json_number(unit.bonus), "deductions": json_number(unit.deductions),
        "adjustments": [{"kind": a.kind, "item": a.item, "name": a.name, "count": json_number(a.count),
                         "points": json_number(a.points)} for a in unit.adjustments],
        "indicators": [{"id": r.indicator, "name": indicators[r.indicator].name,
                        "value": r.value if isinstance(r.value, str) else json_number(r.value),
                        "target": json_number(r.target), "points": json_number(r.points),
                        "max_points": json_number(r.max_points), "met": r.met, "explanation": r.explanation}
                       for r in unit.indicators],
    }


def write_json(batch: BatchResult) -> bytes:
    ruleset = batch.ruleset
    document = {"ruleset": ruleset.id, "title": ruleset.title, "year": batch.year,
                "units": [unit_json(batch, unit) for unit in batch.units]}
    return (json.dumps(document, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


