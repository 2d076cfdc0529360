"""Helpers for the collection-round tests: fill a form as a person would (openpyxl), and
write the same values as a plain CSV."""

from __future__ import annotations

import csv
from collections.abc import Mapping, Sequence
from decimal import Decimal
from pathlib import Path

import openpyxl

#: A value as a person types it: a number, a text (98.5, 完成, 是), or a percentage typed
#: with its % sign (Excel stores the fraction and shows it with a percent format).
Typed = int | float | str | None


class Percent:
    """A percentage typed as ``98.5%``: Excel stores 0.985 under a ``0.0%`` format."""

    def __init__(self, figure: Decimal) -> None:
        self.figure = figure


def fill(form: Path, out: Path, values: Mapping[tuple[str, str], Typed | Percent], *, sheet: str = "填报",
         header_row: int = 2) -> None:
    """Type ``values`` (by unit and header) into the form's input cells and save it as ``out``."""
    book = openpyxl.load_workbook(form)
    ws = book[sheet]
    header = {cell.value: cell.column for cell in ws[header_row]}
    rows = {ws.cell(row, 1).value: row for row in range(header_row + 1, ws.max_row + 1)}
    for (unit, column), value in values.items():
        cell = ws.cell(rows[unit], header[column])
        assert cell.protection.locked is False, f"{unit} × {column} is not an input cell"
        if isinstance(value, Percent):
            cell.value = float(str(value.figure / 100))
            cell.number_format = "0.0%"
        else:
            cell.value = value
    book.save(out)


def fill_long(form: Path, out: Path, values: Mapping[tuple[str, str], Typed]) -> None:
    """Type ``values`` into a long-layout form's 值 cells (by unit and 指标)."""
    book = openpyxl.load_workbook(form)
    ws = book["填报"]
    for row in range(3, ws.max_row + 1):
        key = (ws.cell(row, 1).value, ws.cell(row, 2).value)
        if key in values:
            ws.cell(row, 3).value = values[key]
    book.save(out)


def plain_csv(path: Path, header: Sequence[str], rows: Sequence[Sequence[object]]) -> Path:
    """A plain CSV of ``rows`` under ``header`` (no title): what an examiner would type by hand."""
    with path.open("w", encoding="utf-8-sig", newline="") as stream:
        writer = csv.writer(stream)
        writer.writerow(header)
        for row in rows:
            writer.writerow(["" if cell is None else str(cell) for cell in row])
    return path


def read_csv(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8-sig", newline="") as stream:
        return list(csv.reader(stream))


def example_cells(ruleset: str, example: Path) -> dict[tuple[str, str], str]:
    """The example's cells by unit and column key (an indicator's or item's id, or
    ``id@field``), as binding matches its headers: what each department types into its form."""
    from qscore import load_plugins, read_table
    from qscore.pipeline import bind_options
    from qscore.reading.binding import bind

    loaded = load_plugins().ruleset(ruleset)
    table = read_table(example)
    columns = bind(table, loaded, options=bind_options(loaded)).columns
    position = {name: number for number, name in enumerate(table.header)}
    return {(row[0], key): row[position[header]] for row in table.rows for key, header in columns.items()
            if row[position[header]].strip()}


def typed(text: str) -> int | float | str:
    """A cell's text as a person types it into Excel: a number stays a number."""
    try:
        number = Decimal(text)
    except ArithmeticError:
        return text
    return int(number) if number == number.to_integral_value() and "." not in text else float(text)


def fill_by_key(form: Path, out: Path, cells: Mapping[tuple[str, str], str], ruleset: str, year: int,
                lead: str | None = None) -> None:
    """Type the cells a form asks for (by unit and column key) into it, as a person would."""
    from qscore import load_plugins
    from qscore.collect.forms import form_columns

    columns = form_columns(load_plugins().ruleset(ruleset), year, lead=lead)
    book = openpyxl.load_workbook(form)
    ws = book["填报"]
    units = [ws.cell(row, 1).value for row in range(3, ws.max_row + 1)]
    fill(form, out, {(unit, column.header): typed(cells[(unit, column.key)]) for unit in units for column in columns
                     if (unit, column.key) in cells})
