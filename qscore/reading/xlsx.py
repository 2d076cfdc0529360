"""Reading Excel workbooks (XLSX).

openpyxl is used because it reports each cell's number format: a cell Excel shows as
``98.5%`` holds 0.985, and only the format tells the two apart.  Every cell becomes the
text an examiner sees (:func:`~qscore.reading.sheets.cell_text`), so binding parses
workbook and CSV cells by the same rules.

The sheet is read in one streaming pass with openpyxl's own sheet parser, which also
reports what a table read cell by cell would miss: rows and columns hidden in Excel (by
the hidden flag or a size of 0), values whose number format shows nothing (``;;;``), merged
ranges (only a range's first cell holds the value), and row records a program
wrote twice or out of order (openpyxl's row iterator drops such a row unseen).  A formula
gives the result Excel last saved; a formula with no saved result (a file written by a
program and never opened in Excel) is refused rather than read as empty; one whose saved
result is an empty text is empty.
"""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import Any

from qscore.errors import DataError, DataProblem, DataProblems, UsageError
from qscore.i18n import _, os_reason
from qscore.limits import check_workbook, exceeded
from qscore.model import Notice
from qscore.reading.sheets import (SheetInfo, cell_text, choose_sheet, column_letter, concealing, hidden_value,
                                   sheet_table, sniff)
from qscore.reading.table import HiddenValue, Merged, RawTable, ReadOptions


def read_xlsx(path: Path, options: ReadOptions) -> RawTable:
    """Read the active sheet (or ``options.sheet``) of an XLSX workbook: every non-blank
    row, with the sheet's row numbers, hidden rows and columns and merged ranges.

    :raises DataError: for a file that is not a workbook, an encrypted one, a hidden or
        chart sheet picked by default, row records out of order, a formula without a saved
        result.
    :raises UsageError: for a ``--sheet`` the workbook lacks.
    """
    sniff(path, "xlsx")
    check_workbook(path, options.limits)
    import openpyxl

    try:
        with warnings.catch_warnings():
            # openpyxl warns about workbook features it skips (data validation, styles);
            # none of them changes a cell's value.
            warnings.simplefilter("ignore")
            workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except OSError as exc:
        raise DataError(_("cannot read the file: {value}").format(
                value=os_reason(exc)), file=str(path)) from None
    except Exception as exc:  # noqa: BLE001 - a damaged zip or XML fails in many library-specific ways
        raise DataError(_("not a readable XLSX workbook ({__name__}); expected a file saved by "
                        "Excel as .xlsx").format(__name__=type(exc).__name__), file=str(path)) from None
    try:
        sheets = _sheets(workbook)
        if _strict(workbook):
            raise DataError(_("the workbook is saved as Strict Open XML, which qscore cannot read; open it in Excel "
                              "and save it as Excel Workbook (*.xlsx)"), file=str(path))
        chosen, notices = choose_sheet(path, sheets, options.sheet)
        return _read_sheet(path, workbook, chosen, sheets, notices, options.limits.xlsx_cells)
    except (DataError, UsageError):
        raise
    except Exception as exc:  # noqa: BLE001 - damaged sheet XML
        raise DataError(_("not a readable XLSX workbook ({__name__}); expected a file saved by "
                        "Excel as .xlsx").format(__name__=type(exc).__name__), file=str(path)) from None
    finally:
        workbook.close()


#: The namespace of a workbook Excel saves as "Strict Open XML Spreadsheet": openpyxl reads
#: only the usual (transitional) one, and finds no sheets in it, or no cells in them.
STRICT_NAMESPACE = b"http://purl.oclc.org/ooxml/spreadsheetml/main"


def _strict(workbook: Any) -> bool:
    """Whether the workbook's part is in the Strict Open XML namespace."""
    archive = workbook._archive
    part = next((name for name in archive.namelist() if name.endswith("workbook.xml")), None)
    if part is None:
        return False
    with archive.open(part) as stream:
        return STRICT_NAMESPACE in stream.read(4096)


def _sheets(workbook: Any) -> list[SheetInfo]:
    active = workbook.active
    return [SheetInfo(name=sheet.title, state=getattr(sheet, "sheet_state", "visible") or "visible",
                      chart=not hasattr(sheet, "iter_rows"), active=sheet is active)
            for sheet in workbook._sheets]


def _read_sheet(path: Path, workbook: Any, chosen: SheetInfo, sheets: list[SheetInfo], notices: list[Notice],
                cell_limit: int) -> RawTable:
    from openpyxl.utils.cell import range_boundaries

    worksheet = workbook[chosen.name]
    parser = _parser(workbook, worksheet)
    problems = DataProblems()
    cells: dict[int, list[str]] = {}
    formats: dict[int, str] = {}
    hiding = _hiding_styles(workbook)
    hidden_values: dict[tuple[int, int], HiddenValue] = {}
    last = implied = 0
    with parser.source:
        for number, row in parser.parse():
            if number <= last:
                order = _("twice") if number in cells else _("after row {last}").format(last=last)
                raise DataError(_("the sheet's data lists row {number} {order}, which Excel never writes; open the "
                                "file in Excel and save it again").format(
                        number=number, order=order), file=str(path), sheet=chosen.name, row=number)
            # The cells a sheet implies, empty rows between those it stores counted as one
            # cell each: a few bytes can imply millions of empty cells.
            implied += number - last - 1 + max(max((cell["column"] for cell in row), default=0), 1)
            if implied > cell_limit:
                raise DataError(_("the sheet has more than {cell_limit:,} cells, counting the empty cells between "
                                "those it stores; {value}").format(
                        cell_limit=cell_limit, value=exceeded('xlsx_cells', cell_limit)), file=str(path),
                                sheet=chosen.name)
            last = number
            cells[number] = _row_texts(path, chosen.name, workbook, worksheet, number, row, formats, problems)
            if hiding:
                _note_hidden_values(number, row, hiding, hidden_values)
    problems.raise_any()
    rows, columns = parser.row_dimensions, parser.column_dimensions.values()
    hidden_rows = frozenset(int(r) for r, attributes in rows.items() if _true(attributes.get("hidden")))
    hidden_columns = frozenset(n for attributes in columns if _true(attributes.get("hidden"))
                               for n in range(int(attributes["min"]) - 1, min(int(attributes["max"]), 16384)))
    zero_height_rows = frozenset(int(r) for r, attributes in rows.items() if _zero(attributes.get("ht")))
    zero_width_columns = frozenset(n for attributes in columns if _zero(attributes.get("width"))
                                   for n in range(int(attributes["min"]) - 1, min(int(attributes["max"]), 16384)))
    merged: list[Merged] = []
    for cell_range in getattr(parser.merged_cells, "mergeCell", None) or ():
        first_column, first_row, last_column, last_row = range_boundaries(cell_range.ref)
        if first_column is None or first_row is None or last_column is None or last_row is None:
            continue  # a whole row or column merged: no cell of a table is in it alone
        merged.append((first_row, first_column - 1, last_row, last_column - 1))
    return sheet_table(path, chosen, sheets, cells, hidden_rows=hidden_rows, hidden_columns=hidden_columns,
                       merged=merged, notices=notices, cell_limit=cell_limit, zero_height_rows=zero_height_rows,
                       zero_width_columns=zero_width_columns, hidden_values=hidden_values)


def _hiding_styles(workbook: Any) -> dict[int, str]:
    """The cell styles whose number format shows nothing for some values (``;;;``, ``0;;``),
    with the format.  Only a workbook's own formats can (Excel's built-in ones never do),
    so a workbook without such a format costs nothing per cell."""
    from openpyxl.styles.numbers import BUILTIN_FORMATS_MAX_SIZE

    formats = {BUILTIN_FORMATS_MAX_SIZE + n: text for n, text in enumerate(workbook._number_formats)
               if concealing(text)}
    if not formats:
        return {}
    return {index: formats[style.numFmtId] for index, style in enumerate(workbook._cell_styles)
            if style.numFmtId in formats}


def _note_hidden_values(number: int, row: list[dict[str, Any]], hiding: dict[int, str],
                        hidden_values: dict[tuple[int, int], HiddenValue]) -> None:
    for cell in row:
        number_format = hiding.get(cell["style_id"])
        # An error (#N/A) shows whatever the format; a formula without a saved result is refused.
        if number_format is not None and "formula" not in cell and cell["data_type"] != "e":
            hidden = hidden_value(number_format, cell["value"])
            if hidden is not None:
                hidden_values[number, cell["column"] - 1] = hidden


def _parser(workbook: Any, worksheet: Any) -> Any:
    """openpyxl's streaming parser of the sheet's XML, noting formulas without a saved
    result (read with saved results, a formula cell's value is its last result).

    A formula whose result is text saves it with ``t="str"``; an empty text
    (``=IF(B3="","",B3/C3)`` beside an empty cell) is saved as an empty ``<v/>``, which
    openpyxl reads as no value: that cell is saved, and empty."""
    from openpyxl.worksheet._reader import FORMULA_TAG, VALUE_TAG, WorkSheetParser

    class SheetParser(WorkSheetParser):
        def parse_cell(self, element: Any) -> dict[str, Any]:
            cell: dict[str, Any] = super().parse_cell(element)
            if cell["value"] is None:
                formula = element.find(FORMULA_TAG)
                if formula is not None and not (element.get("t") == "str" and element.find(VALUE_TAG) is not None):
                    cell["formula"] = "=" + (formula.text or "")
            return cell

    source = workbook._archive.open(worksheet._worksheet_path)
    return SheetParser(source, worksheet._shared_strings, data_only=True, epoch=workbook.epoch,
                       date_formats=set(workbook._date_formats) | _east_asian_dates(workbook),
                       timedelta_formats=workbook._timedelta_formats)


#: Built-in number formats that Excel in Chinese (and Japanese, Korean) writes by number
#: alone: all dates or times there (27 is 'yyyy"年"m"月"', 58 is 'm"月"d"日"' …).
#: openpyxl knows only the formats common to every locale, so without this a date typed
#: into a count column (3/1 becomes 3月1日) read as its serial number, 45717.
EAST_ASIAN_DATES = frozenset({*range(27, 37), *range(50, 59)})


def _east_asian_dates(workbook: Any) -> set[int]:
    """The cell styles whose number format is one of :data:`EAST_ASIAN_DATES`."""
    return {index for index, style in enumerate(workbook._cell_styles) if style.numFmtId in EAST_ASIAN_DATES}


def _row_texts(path: Path, sheet: str, workbook: Any, worksheet: Any, number: int, row: list[dict[str, Any]],
               formats: dict[int, str], problems: DataProblems) -> list[str]:
    texts: list[str] = []
    for cell in row:
        column = cell["column"]
        if cell["row"] != number or column <= len(texts):
            raise DataError(_("the sheet's data lists cell {column}{row} out of place, "
                            "which Excel never writes; open the file in Excel and save it again").format(
                    column=column_letter(column - 1), row=cell['row']), file=str(path),
                            sheet=sheet, row=number)
        texts.extend([""] * (column - 1 - len(texts)))
        if "formula" in cell:
            formula = cell["formula"] if cell["formula"] != "=" else "a formula"
            problems.add(DataProblem(_("the cell holds {formula} with no saved result; open and save the file in Excel, "
                                 "or paste values").format(formula=formula), file=str(path), sheet=sheet, row=number,
                                 cell=f"{column_letter(column - 1)}{number}"), column)
            texts.append("")
            continue
        value = cell["value"]
        style = cell["style_id"]
        number_format = _number_format(workbook, worksheet, style, formats) if isinstance(value, (int, float)) else None
        texts.append(cell_text(value, number_format))
    return texts


def _number_format(workbook: Any, worksheet: Any, style: int, formats: dict[int, str]) -> str:
    if style not in formats:
        from openpyxl.cell.read_only import ReadOnlyCell

        formats[style] = ReadOnlyCell(worksheet, 1, 1, 0, "n", style).number_format or "General"
    return formats[style]


def _true(flag: Any) -> bool:
    return str(flag).lower() in ("1", "true")


def _zero(size: Any) -> bool:
    """Whether a row height or column width given in the sheet is 0: Excel shows nothing
    of such a row or column, hidden flag or not."""
    try:
        return size is not None and float(size) == 0
    except ValueError:
        return False
