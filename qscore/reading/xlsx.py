"""Reading Excel workbooks (XLSX).

openpyxl is used because it reports each cell's number format: a cell Excel shows as
``98.5%`` holds 0.985, and only the format tells the two apart.  Every cell becomes the
text an examiner sees, so binding parses XLSX and CSV cells by the same rules:

- numbers: ``repr`` of the float (its shortest exact spelling), so 98.5 reads as
  ``Decimal('98.5')``, never as binary noise;
- percent-formatted numbers: the stored fraction times 100 with a ``%`` sign, so
  0.985 under ``0.0%`` reads as ``98.5%``, exactly as a CSV cell typed ``98.5%`` does;
- formulas: the result Excel last saved; a formula with no saved result (a file written
  by a program and never opened in Excel) is refused rather than read as empty.
"""

from __future__ import annotations

import datetime
import warnings
from decimal import Decimal
from pathlib import Path
from typing import Any

from qscore.errors import DataError, UsageError
from qscore.limits import bounded_rows, check_workbook
from qscore.reading.table import RawTable, ReadOptions

# Marks a formula cell in the first pass, which sees formulas but not their results.
_FORMULA = object()
# A sheet as rows of (raw value, text) pairs.
Grid = list[list[tuple[Any, str]]]


def read_xlsx(path: Path, options: ReadOptions) -> RawTable:
    """Read the first sheet (or ``options.sheet``) of an XLSX workbook; its first non-empty
    row is the header, and rows keep the sheet's numbers.

    :raises DataError: for a file that is not a workbook, or a formula without a saved value.
    :raises UsageError: for a ``--sheet`` the workbook lacks.
    """
    check_workbook(path, options.limits)
    grid = _sheet_grid(path, options.sheet, formulas=True, cell_limit=options.limits.xlsx_cells)
    if any(raw is _FORMULA for row in grid for raw, _ in row):
        grid = _with_saved_results(path, options.sheet, grid, options.limits.xlsx_cells)
    rows = [(number, [cell for _, cell in row]) for number, row in enumerate(grid, 1)]
    rows = [(number, cells) for number, cells in rows if any(cell.strip() for cell in cells)]
    if not rows:
        return RawTable(file=str(path), header=(), rows=[], row_numbers=[])
    header = [cell.strip() for cell in rows[0][1]]
    width = max(len(header), *(len(cells) for _, cells in rows))
    body = [cells + [""] * (width - len(cells)) for _, cells in rows[1:]]
    return RawTable(file=str(path), header=tuple(header + [""] * (width - len(header))), rows=body,
                    row_numbers=[number for number, _ in rows[1:]], header_row=rows[0][0])


def _with_saved_results(path: Path, sheet: str | None, grid: Grid, cell_limit: int) -> Grid:
    """``grid`` with each formula replaced by the value Excel saved for it."""
    saved = _sheet_grid(path, sheet, formulas=False, cell_limit=cell_limit)
    result = []
    for number, row in enumerate(grid, 1):
        values = saved[number - 1] if number <= len(saved) else []
        cells = []
        for column, (raw, text) in enumerate(row):
            if raw is _FORMULA:
                value = values[column] if column < len(values) else (None, "")
                if value[0] is None:
                    raise DataError(f"the cell holds the formula {text} with no saved result; open and save "
                                    "the file in Excel, or paste values", file=str(path), row=number,
                                    column=_column_name(grid, column))
                cells.append(value)
            else:
                cells.append((raw, text))
        result.append(cells)
    return result


def _sheet_grid(path: Path, sheet: str | None, *, formulas: bool, cell_limit: int) -> Grid:
    """Every row of the sheet as ``(raw value, text)`` pairs; with ``formulas`` a formula
    cell is ``(_FORMULA, "=…")``, without it the result Excel saved (``None`` if none).
    More than ``cell_limit`` cells, counting the empty ones openpyxl fills in, are refused."""
    import openpyxl

    try:
        with warnings.catch_warnings():
            # openpyxl warns about workbook features it skips (data validation, styles);
            # none of them changes a cell's value.
            warnings.simplefilter("ignore")
            workbook = openpyxl.load_workbook(path, read_only=True, data_only=not formulas)
            try:
                worksheet = _pick_sheet(path, workbook, sheet)
                worksheet.reset_dimensions()
                rows = bounded_rows(worksheet.iter_rows(), str(path), cell_limit)
                return [[_cell(cell, formulas) for cell in row] for row in rows]
            finally:
                workbook.close()
    except (DataError, UsageError):
        raise
    except OSError as exc:
        raise DataError(f"cannot read the file: {exc.strerror or exc}", file=str(path)) from None
    except Exception as exc:  # noqa: BLE001 - a damaged zip or XML fails in many library-specific ways
        raise DataError(f"not a readable XLSX workbook ({type(exc).__name__}); expected a file saved by "
                        "Excel as .xlsx", file=str(path)) from None


def _pick_sheet(path: Path, workbook: Any, sheet: str | None) -> Any:
    names = workbook.sheetnames
    if not names:
        raise DataError("the workbook has no sheets", file=str(path))
    sheet = names[0] if sheet is None else sheet
    if sheet not in names:
        raise UsageError(f"no sheet '{sheet}' in {path}; its sheets are {', '.join(names)}")
    chosen = workbook[sheet]
    if not hasattr(chosen, "iter_rows"):
        raise DataError(f"sheet '{sheet}' is a chart, not a table; give --sheet with a data sheet",
                        file=str(path))
    return chosen


# An empty cell, shared: a sheet may hold millions of them.
_EMPTY: tuple[Any, str] = (None, "")


def _cell(cell: Any, formulas: bool) -> tuple[Any, str]:
    value = getattr(cell, "value", None)
    if value is None:
        return _EMPTY
    if formulas and getattr(cell, "data_type", None) == "f":
        return _FORMULA, str(value)
    return value, cell_text(value, getattr(cell, "number_format", None))


def cell_text(value: Any, number_format: str | None = None) -> str:
    """The text of an XLSX cell value as the examiner sees it (see the module docstring)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, (int, float)):
        text = repr(value) if isinstance(value, float) else str(value)
        if number_format and "%" in number_format and _finite(value):
            percent = (Decimal(text) * 100).normalize()
            return f"{percent:f}%"
        return text
    if isinstance(value, (datetime.datetime, datetime.date, datetime.time)):
        return value.isoformat()
    return str(value)


def _finite(value: float | int) -> bool:
    return value == value and value not in (float("inf"), float("-inf"))


def _column_name(grid: Grid, index: int) -> str:
    """The column's header where the header row has one, else its letter (A, B … AA)."""
    first = next((row for row in grid if any(text.strip() for _, text in row)), [])
    header = first[index][1].strip() if index < len(first) else ""
    return header if header and not header.startswith("=") else _column_letter(index)


def _column_letter(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = chr(ord("A") + remainder) + letters
    return letters
