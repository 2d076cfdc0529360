"""Reading old Excel workbooks (``.xls``, Excel 97–2003; what WPS and many office systems
still save).

xlrd is the maintained reader of the format; with ``formatting_info`` it reports each
cell's number format (a percent-formatted 0.985 is shown as 98.5%, ``;;;`` shows nothing),
the sheets' states, hidden rows and columns (with row heights and column widths: a size of
0 hides too) and merged ranges, so an ``.xls`` file is read by exactly the
rules of an ``.xlsx`` one (:mod:`qscore.reading.sheets`).
"""

from __future__ import annotations

import datetime
from pathlib import Path
from typing import Any

from qscore.errors import DataError, UsageError
from qscore.i18n import _, os_reason
from qscore.limits import exceeded
from qscore.reading.sheets import (ENCRYPTED, SheetInfo, cell_text, choose_sheet, concealing, hidden_value,
                                   sheet_table, sniff)
from qscore.reading.table import HiddenValue, Merged, RawTable, ReadOptions

STATES = {0: "visible", 1: "hidden", 2: "veryHidden"}


def read_xls(path: Path, options: ReadOptions) -> RawTable:
    """Read the active sheet (or ``options.sheet``) of an ``.xls`` workbook.

    :raises DataError: for a file that is not an ``.xls`` workbook, an encrypted one, or a
        hidden or chart sheet picked by default.
    :raises UsageError: for a ``--sheet`` the workbook lacks.
    """
    sniff(path, "xls")
    import xlrd  # type: ignore[import-untyped]

    try:
        # on_demand keeps the workbook stream until release_resources, to read the tab
        # Excel shows on opening (_active_tab); the sheets load as they are asked for.
        book = xlrd.open_workbook(str(path), formatting_info=True, on_demand=True)
    except OSError as exc:
        raise DataError(_("cannot read the file: {value}").format(
                value=os_reason(exc)), file=str(path)) from None
    except Exception as exc:  # noqa: BLE001 - xlrd fails on damaged files in many ways
        if "encrypted" in str(exc).lower():
            raise DataError(_(ENCRYPTED), file=str(path)) from None
        raise DataError(_("not a readable .xls workbook ({__name__}); expected a file saved by Excel "
                        "as .xls").format(__name__=type(exc).__name__), file=str(path)) from None
    try:
        tab = _active_tab(book)
        sheets = [SheetInfo(name=sheet.name, state=STATES.get(sheet.visibility, "hidden"),  # type: ignore[arg-type]
                            active=n == tab if tab is not None else bool(sheet.sheet_visible))
                  for n, sheet in enumerate(book.sheets())]
        if tab == NOT_A_TABLE and options.sheet is None:
            raise DataError(_("the workbook opens on a chart (or another sheet that is not a table); its "
                              "worksheets are {listing}; give --sheet with a data sheet").format(
                    listing=_(", ").join(sheet.describe(translated=True) for sheet in sheets)), file=str(path))
        if sheets and not any(sheet.active for sheet in sheets):
            sheets[0] = SheetInfo(name=sheets[0].name, state=sheets[0].state, active=True)
        chosen, notices = choose_sheet(path, sheets, options.sheet)
        sheet = book.sheet_by_name(chosen.name)
        limit = options.limits.xlsx_cells
        if sheet.nrows * max(sheet.ncols, 1) > limit:
            raise DataError(_("the sheet has more than {limit:,} cells; {value}").format(
                    limit=limit, value=exceeded('xlsx_cells', limit)),
                            file=str(path), sheet=chosen.name)
        cells = {row + 1: [_text(book, sheet.cell(row, column)) for column in range(sheet.row_len(row))]
                 for row in range(sheet.nrows)}
        hidden_rows = frozenset(row + 1 for row, info in sheet.rowinfo_map.items() if info.hidden)
        hidden_columns = frozenset(column for column, info in sheet.colinfo_map.items() if info.hidden)
        zero_height_rows = frozenset(row + 1 for row, info in sheet.rowinfo_map.items() if info.height == 0)
        zero_width_columns = frozenset(column for column, info in sheet.colinfo_map.items() if info.width == 0)
        hidden_values = _hidden_values(book, sheet)
        merged: list[Merged] = [(first_row + 1, first_column, last_row, last_column - 1)
                                for first_row, last_row, first_column, last_column in sheet.merged_cells]
    except (DataError, UsageError):
        raise
    except Exception as exc:  # noqa: BLE001 - damaged records
        raise DataError(_("not a readable .xls workbook ({__name__}); expected a file saved by Excel "
                        "as .xls").format(__name__=type(exc).__name__), file=str(path)) from None
    finally:
        book.release_resources()
    return sheet_table(path, chosen, sheets, cells, hidden_rows=hidden_rows, hidden_columns=hidden_columns,
                       merged=merged, notices=notices, cell_limit=options.limits.xlsx_cells,
                       zero_height_rows=zero_height_rows, zero_width_columns=zero_width_columns,
                       hidden_values=hidden_values)


def _hidden_values(book: Any, sheet: Any) -> dict[tuple[int, int], HiddenValue]:
    """The cells whose number format shows nothing for their value, as ``(row number,
    column)``; a workbook none of whose formats hides anything costs nothing per cell."""
    import xlrd

    formats = {key: format.format_str for key, format in book.format_map.items()
               if format.format_str and concealing(format.format_str)}
    hiding = {index: formats[xf.format_key] for index, xf in enumerate(book.xf_list) if xf.format_key in formats}
    if not hiding:
        return {}
    found = {}
    for row in range(sheet.nrows):
        for column in range(sheet.row_len(row)):
            number_format = hiding.get(sheet.cell_xf_index(row, column))
            if number_format is None:
                continue
            kind, value = sheet.cell_type(row, column), sheet.cell_value(row, column)
            if kind not in (xlrd.XL_CELL_NUMBER, xlrd.XL_CELL_TEXT):
                continue
            hidden = hidden_value(number_format, value)
            if hidden is not None:
                found[row + 1, column] = hidden
    return found


WINDOW1, EOF = 0x003D, 0x000A
#: The active tab is a sheet xlrd does not load: a chart or macro sheet.
NOT_A_TABLE = -1


def _active_tab(book: Any) -> int | None:
    """The worksheet Excel shows on opening: the workbook window's active tab (WINDOW1's
    itabCur), as an index into ``book.sheets()``; :data:`NOT_A_TABLE` when the tab is a
    sheet xlrd does not load (a chart); ``None`` when the stream does not say.

    Each sheet's own "shown" flag, which xlrd reports, is set by Excel but not by every
    program that writes .xls files; the window's tab is what Excel itself goes by."""
    import struct

    mem, position = getattr(book, "mem", None), getattr(book, "base", 0)
    if not mem:
        return None
    while position + 4 <= len(mem):
        code, length = struct.unpack_from("<HH", mem, position)
        if code == EOF:
            return None
        if code == WINDOW1 and length >= 12:
            (tab,) = struct.unpack_from("<H", mem, position + 4 + 10)
            tabs = getattr(book, "_all_sheets_map", [])
            return (tabs[tab] if tabs[tab] >= 0 else NOT_A_TABLE) if tab < len(tabs) else None
        position += 4 + length
    return None


def _text(book: Any, cell: Any) -> str:
    import xlrd

    kind, value = cell.ctype, cell.value
    if kind in (xlrd.XL_CELL_EMPTY, xlrd.XL_CELL_BLANK):
        return ""
    if kind == xlrd.XL_CELL_TEXT:
        return str(value)
    if kind == xlrd.XL_CELL_BOOLEAN:
        return cell_text(bool(value))
    if kind == xlrd.XL_CELL_ERROR:
        return xlrd.error_text_from_code.get(value, "#ERROR")
    if kind == xlrd.XL_CELL_DATE:
        try:
            moment = xlrd.xldate_as_datetime(value, book.datemode)
        except (ValueError, OverflowError):
            return repr(value)
        return cell_text(moment.date() if moment.time() == datetime.time() else moment)
    xf = book.xf_list[cell.xf_index] if cell.xf_index is not None else None
    number_format = book.format_map[xf.format_key].format_str if xf is not None and xf.format_key in book.format_map \
        else None
    return cell_text(value, number_format)
