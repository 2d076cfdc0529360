"""Built-in output formats for a ranked batch: table, CSV and JSON (XLSX: :mod:`qscore.writing.xlsx`).

Every format is a pure function of the batch: no dates, paths or dictionary-order
accidents, so the same input gives byte-identical output."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Sequence
from decimal import Decimal
from itertools import chain
from typing import Any

from qscore.model import BatchResult, Notice, UnitResult


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
TEXT_COLUMNS = (1, 3)  # unit and tier in summary rows; 是/否 is the last but one


def safe_text(text: str) -> str:
    """A user-supplied text cell that a spreadsheet will not run as a formula."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def _number(value: Decimal | None) -> str:
    if value is None:
        return ""
    # str() is twice as fast as format() and the same unless it would use an exponent.
    text = str(value)
    return f"{value:f}" if "E" in text else text


def summary_table(batch: BatchResult, *, detail: bool) -> tuple[list[str], list[list[Any]]]:
    """Header and typed rows of the ranking (int rank, Decimal points, text, ``None``):
    rank, unit, total, tier, subtotals, adjustments, and with ``detail`` each indicator's
    points."""
    units = batch.units
    columns: list[Sequence[Any]] = [units.column("rank"), units.column("unit"), units.column("total"),
                                    [tier or "" for tier in units.column("tier")]]
    columns += [units.subtotals(c.id) for c in batch.ruleset.categories]
    columns += [units.column("bonus"), units.column("deductions"),
                ["是" if vetoed else "否" for vetoed in units.column("vetoed")], units.column("gap_to_next")]
    header = _header(batch, detail)
    if not detail:
        return header, list(map(list, zip(*columns)))
    return header, list(map(list, map(chain, zip(*columns), units.points_rows(_same))))


def summary_rows(batch: BatchResult, *, detail: bool,
                 text: Callable[[str], str] = safe_text) -> tuple[list[str], list[list[str]]]:
    """:func:`summary_table` as strings; ``text`` treats the texts (by default made safe
    from formula injection), never our own numbers.

    Built a column at a time and turned into rows at the end: a national batch has
    millions of cells, and a column's figures are formatted in one sweep.
    """
    header, columns = _summary_columns(batch, detail, text)
    if not detail:
        return header, list(map(list, zip(*columns)))
    return header, list(map(list, map(chain, zip(*columns), batch.units.points_rows(_number))))


def _same(value: Decimal) -> Decimal:
    return value


def _summary_columns(batch: BatchResult, detail: bool,
                     text: Callable[[str], str]) -> tuple[list[str], list[Sequence[str]]]:
    """The header and the text columns of :func:`summary_rows` up to the indicators' points."""
    units = batch.units
    tiers = units.column("tier")
    tier_text = {tier: text(tier or "") for tier in set(tiers)}  # a handful of names
    columns: list[Sequence[str]] = [
        list(map(str, units.column("rank"))),
        list(map(text, units.column("unit"))),
        _numbers(units.column("total")),
        list(map(tier_text.__getitem__, tiers)),
    ]
    columns += [_numbers(units.subtotals(c.id)) for c in batch.ruleset.categories]
    vetoed = {True: text("是"), False: text("否")}
    columns += [_numbers(units.column("bonus")), _numbers(units.column("deductions")),
                list(map(vetoed.__getitem__, units.column("vetoed"))), _numbers(units.column("gap_to_next"))]
    return [text(h) for h in _header(batch, detail)], columns


def _header(batch: BatchResult, detail: bool) -> list[str]:
    ruleset = batch.ruleset
    header = ["排名", "单位", "总分", "等次"]
    header += [c.name for c in ruleset.categories]
    header += ["加分", "扣分", "一票否决", "距上一等次"]
    if detail:
        header += [f"{i.name}（得分）" for i in ruleset.indicators]
    return header


def _numbers(values: Sequence[Decimal | None]) -> list[str]:
    """A column of figures as text, as :func:`_number` writes them ("" for ``None``)."""
    texts = list(map(str, values))
    if "E" in "".join(texts) or "None" in texts:  # rare: str() chose an exponent somewhere
        return list(map(_number, values))
    return texts


def write_table(batch: BatchResult) -> bytes:
    from tabulate import tabulate

    header, rows = summary_rows(batch, detail=False, text=str)
    title = f"{batch.ruleset.title}（{batch.year}年度）"
    return (title + "\n" + tabulate(rows, headers=header, disable_numparse=True) + "\n").encode("utf-8")


def write_csv(batch: BatchResult) -> bytes:
    """CSV with a BOM so that Excel opens the Chinese text correctly."""
    text = _joined_csv(batch)
    if text is None:
        header, rows = summary_rows(batch, detail=True)
        text = csv_text([header, *rows])
    return ("\ufeff" + text).encode("utf-8")


def _joined_csv(batch: BatchResult) -> str | None:
    """The CSV of :func:`summary_rows` joined line by line; ``None`` when some cell
    needs quoting (see :func:`csv_text`).

    Only the texts can hold a comma, a quote or a line break: the header, unit names,
    tiers and 是/否.  Our figures are digits, a sign and a point.
    """
    if not batch.ruleset.indicators:
        return None
    header, columns = _summary_columns(batch, True, safe_text)
    texts = "".join(chain(header, *(columns[n] for n in TEXT_COLUMNS), columns[-2]))
    if any(special in texts for special in ',"\r\n'):
        return None
    points = map(",".join, batch.units.points_rows(_number))
    lines = [",".join(header), *map(",".join, zip(*columns, points))]
    return "\r\n".join(lines) + "\r\n"


def csv_text(rows: list[list[str]]) -> str:
    """``rows`` as :func:`csv.writer` writes them: minimal quoting, CRLF line ends.

    Only a cell holding a comma, a double quote or a line break needs quoting.  When the
    joined text has no quote and exactly one comma between cells and one CRLF per row,
    no cell holds one, and the join is already the CSV (three times faster on a
    national batch).
    """
    text = "\r\n".join(map(",".join, rows)) + "\r\n"
    if ('"' not in text and text.count(",") == sum(map(len, rows)) - len(rows)
            and text.count("\r") == len(rows) and text.count("\n") == len(rows)):
        return text
    buffer = io.StringIO(newline="")
    csv.writer(buffer, lineterminator="\r\n").writerows(rows)
    return buffer.getvalue()


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


def notice_json(notice: Notice) -> dict[str, Any]:
    return {"kind": notice.kind, "message": notice.message, "file": notice.file, "sheet": notice.sheet,
            "row": notice.row, "column": notice.column, "cell": notice.cell}


def write_json(batch: BatchResult) -> bytes:
    """The document ``json.dumps(..., indent=2)`` writes, made one unit at a time: a
    national batch as one nested structure takes gigabytes.  It states the assessment
    year and every notice (rows skipped, the year chosen …)."""
    ruleset = batch.ruleset
    head = {"ruleset": ruleset.id, "title": ruleset.title, "year": batch.year,
            "notices": [notice_json(notice) for notice in batch.notices]}
    if not batch.units:
        return (json.dumps({**head, "units": []}, ensure_ascii=False, indent=2) + "\n").encode("utf-8")
    # A unit sits two levels deep: its lines are indented four more spaces.  JSON text
    # has no raw line break inside a string, so every line break is a layout one.
    units = ",\n".join("    " + json.dumps(unit_json(batch, unit), ensure_ascii=False, indent=2).replace("\n", "\n    ")
                       for unit in batch.units)
    opening = json.dumps(head, ensure_ascii=False, indent=2).removesuffix("\n}")
    return f'{opening},\n  "units": [\n{units}\n  ]\n}}\n'.encode("utf-8")


