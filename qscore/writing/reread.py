"""Reading qscore's own outputs back: where a result says it comes from, and its figures
cell by cell, so that ``qscore verify`` can find the first figure of a result file that
differs from the result recomputed.

Each format is read as a list of cells, each with its place in the file (``sheet 排名,
cell C5``, ``row 5, column 3``, ``units[3].total``, a report's ``data-verify`` label)
and what it holds (a figure as a Decimal, or text).  What says where a result comes from
and what was done with the data is left out (the JSON ``provenance`` and ``notices``,
the 来源 and 数据提示 sheets, the report's sections of them): they name the files as they
were found, which need not be where they are found again.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterator
from decimal import Decimal, InvalidOperation
from html.parser import HTMLParser
from typing import Any

import attrs

from qscore.errors import QscoreError
from qscore.i18n import _
from qscore.numbers import plain
from qscore.model import Provenance
from qscore.provenance import provenance_from_document
from qscore.writing import notes

#: What a JSON result holds besides its figures: where it comes from, and what was done
#: with the data (its notices name the data file as it was found).
LEFT_OUT = ("provenance", "notices")
#: The formats read cell by cell; any other format is compared byte by byte.
CELL_FORMATS = ("csv", "json", "xlsx", "html", "table")
#: A CSV cell that is a figure (as qscore writes them, or as Excel saves them again).
_FIGURE = re.compile(r"^-?\d+(\.\d+)?$")
_VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


@attrs.frozen
class Cell:
    """A cell of a result file.

    :param key: its place, the same in any file of the same format and layout.
    :param context: what it is, in words (the unit, the column, the indicator).
    :param value: a figure as a Decimal, a whole number, or text.
    """

    key: str
    context: str
    value: Decimal | int | str


@attrs.frozen
class Difference:
    """The first cell where a result file and the result recomputed differ.

    :param where: the cell's place and what it is: ``sheet 排名, cell C5 (西沱镇, 总分)``.
    :param found: what the file holds there (``None``: nothing, the file ends first).
    :param expected: what the recomputed result holds (``None``: nothing).
    """

    where: str
    found: str | None
    expected: str | None

    def __str__(self) -> str:
        found = _("nothing") if self.found is None else self.found
        expected = _("nothing") if self.expected is None else self.expected
        return _("{where}: the file says {found}, recomputed {expected}").format(
            where=self.where, found=found, expected=expected)


def first_difference(fmt: str, given: bytes, recomputed: bytes) -> Difference | None:
    """The first cell of ``given`` (a result file in format ``fmt``) that differs from
    ``recomputed`` (the same result written again), ``None`` when every cell is equal.
    Figures are compared by value (``87.5`` is ``87.50``: Excel may save a CSV so)."""
    if given == recomputed:
        return None
    if fmt not in CELL_FORMATS:
        at = next(n for n, (a, b) in enumerate(zip(given + b"\0", recomputed + b"\1")) if a != b)
        return Difference(_("byte {at:,} (the {fmt} format is compared byte by byte)").format(at=at + 1, fmt=fmt),
                          f"byte {given[at]:#04x}" if at < len(given) else None,
                          f"byte {recomputed[at]:#04x}" if at < len(recomputed) else None)
    found = {cell.key: cell for cell in cells(fmt, given)}
    expected = cells(fmt, recomputed)
    for cell in expected:  # in the recomputed file's order: a cell changed or missing
        mine = found.pop(cell.key, None)
        if mine is None or mine.value != cell.value:
            return Difference(_where(cell), None if mine is None else _shown(mine.value), _shown(cell.value))
    for cell in found.values():  # a cell the recomputed file has not
        return Difference(_where(cell), _shown(cell.value), None)
    return None


def _where(cell: Cell) -> str:
    return _("{place} ({what})").format(place=cell.key, what=cell.context) if cell.context else cell.key


def _shown(value: Decimal | int | str) -> str:
    if isinstance(value, Decimal):
        return plain(value)
    if isinstance(value, int):
        return str(value)
    return repr(value)


def cells(fmt: str, data: bytes) -> list[Cell]:
    """Every cell of a result file in format ``fmt`` (:data:`CELL_FORMATS`), in the
    file's order, without its provenance.

    :raises QscoreError: for a file that cannot be read as that format.
    """
    read = {"csv": _csv_cells, "json": _json_cells, "xlsx": _xlsx_cells, "html": _html_cells,
            "table": _table_cells}[fmt]
    try:
        return _unique(read(data))
    except (ValueError, KeyError, UnicodeDecodeError, csv.Error) as exc:  # json, zip and XML errors are ValueErrors
        raise QscoreError(_("the file cannot be read as {fmt}: {exc}").format(
                fmt=fmt, exc=exc)) from None


def _unique(found: Iterator[Cell]) -> list[Cell]:
    """The cells with a key each: a key met again is numbered (``#2``)."""
    seen: dict[str, int] = {}
    out = []
    for cell in found:
        count = seen[cell.key] = seen.get(cell.key, 0) + 1
        out.append(cell if count == 1 else attrs.evolve(cell, key=f"{cell.key} #{count}"))
    return out


# -- CSV and the table ----------------------------------------------------------------------

def _csv_cells(data: bytes) -> Iterator[Cell]:
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    header = rows[0] if rows else []
    unit = header.index("单位") if "单位" in header else None
    for number, row in enumerate(rows, 1):
        for column, text in enumerate(row):
            if not text:
                continue
            what = header[column] if column < len(header) else ""
            if number > 1 and unit is not None and unit < len(row):
                what = _("{unit}, {column}").format(unit=row[unit], column=what)
            yield Cell(_("row {number}, column {column}").format(number=number, column=column + 1), what,
                       _figure_or_text(text))


def _figure_or_text(text: str) -> Decimal | str:
    return Decimal(text) if _FIGURE.match(text) else text


def _table_cells(data: bytes) -> Iterator[Cell]:
    for number, line in enumerate(data.decode("utf-8").splitlines(), 1):
        if line.strip():
            yield Cell(_("line {number}").format(number=number), "", line.rstrip())


# -- JSON -----------------------------------------------------------------------------------

def _json_cells(data: bytes) -> Iterator[Cell]:
    document = json.loads(data.decode("utf-8"), parse_float=Decimal)
    if not isinstance(document, dict):
        raise ValueError(_("the document is not an object"))
    yield from _walk({key: value for key, value in document.items() if key not in LEFT_OUT}, "", "")


def _walk(value: Any, path: str, context: str) -> Iterator[Cell]:
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _walk(item, f"{path}.{key}" if path else key, context)
    elif isinstance(value, list):
        for number, item in enumerate(value):
            named = context
            if isinstance(item, dict):
                name = item.get("unit") if "unit" in item else item.get("name")
                if isinstance(name, str):
                    named = f"{context}, {name}" if context else name
            yield from _walk(item, f"{path}[{number}]", named)
    elif value is None or isinstance(value, (bool, str)):
        yield Cell(path, context, json.dumps(value, ensure_ascii=False) if not isinstance(value, str) else value)
    else:
        yield Cell(path, context, Decimal(value) if isinstance(value, int) else value)


def provenance_of_json(data: bytes, where: str) -> Provenance | None:
    """The ``provenance`` of a JSON result (or of a CSV's sidecar).

    :raises QscoreError: for a file that is not one.
    """
    try:
        document = json.loads(data.decode("utf-8"))
    except (ValueError, UnicodeDecodeError) as exc:
        raise QscoreError(_("{where} is not JSON: {exc}").format(where=where, exc=exc)) from None
    if not isinstance(document, dict) or "provenance" not in document:
        raise QscoreError(_("{where} has no provenance: it is not a result of qscore rank or report, the only "
                            "outputs verify recomputes").format(
                where=where))
    found = document["provenance"]
    return None if found is None else provenance_from_document(found, where)


# -- XLSX -----------------------------------------------------------------------------------

#: The sheet that says where the result comes from, and the one of what was done with the data.
PROVENANCE_SHEET, NOTICES_SHEET = "来源", "数据提示"


def _xlsx_cells(data: bytes) -> Iterator[Cell]:
    import openpyxl

    workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True)
    try:
        for sheet in workbook.worksheets:
            if sheet.title in (PROVENANCE_SHEET, NOTICES_SHEET):
                continue
            rows = [list(row) for row in sheet.iter_rows(values_only=True)]
            yield from _sheet_cells(sheet.title, rows)
    finally:
        workbook.close()


def _sheet_cells(name: str, rows: list[list[Any]]) -> Iterator[Cell]:
    from openpyxl.utils import get_column_letter

    at = next((n for n, row in enumerate(rows[:3]) if "单位" in row), None)
    header = rows[at] if at is not None else []
    unit = header.index("单位") if at is not None else None
    indicator = header.index("指标") if "指标" in header else None
    for number, row in enumerate(rows):
        for column, value in enumerate(row):
            if value is None or value == "":
                continue
            context = [] if at is None or number <= at else [row[n] for n in (unit, indicator) if n is not None]
            if header and at is not None and number > at and column < len(header) and header[column] is not None:
                context.append(header[column])
            elif at is None and row and row[0] is not None and column > 0:
                context.append(row[0])  # a sheet of labelled rows (说明)
            place = _("sheet {sheet}, cell {cell}").format(sheet=name, cell=f"{get_column_letter(column + 1)}{number + 1}")
            yield Cell(place,
                       _(", ").join(str(part) for part in context if part is not None and part != ""),
                       _xlsx_value(value))


def _xlsx_value(value: Any) -> Decimal | str:
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, (int, float)):
        try:
            return Decimal(repr(value))
        except InvalidOperation:
            return repr(value)
    return str(value)


def provenance_of_xlsx(data: bytes, where: str) -> Provenance:
    """The provenance in a workbook's 来源 sheet.

    :raises QscoreError: for a workbook without one.
    """
    import openpyxl

    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True)
    except (ValueError, KeyError, OSError) as exc:
        raise QscoreError(_("{where} cannot be read as a workbook: {exc}").format(
                where=where, exc=exc)) from None
    try:
        if PROVENANCE_SHEET not in workbook.sheetnames:
            raise QscoreError(_("{where} has no {PROVENANCE_SHEET} sheet: it is not a result of qscore rank or "
                                "report, the only outputs verify recomputes").format(
                    where=where, PROVENANCE_SHEET=PROVENANCE_SHEET))
        rows = list(workbook[PROVENANCE_SHEET].iter_rows(min_row=3, values_only=True))
    finally:
        workbook.close()
    return notes.provenance_from_rows(rows, f"{where}, sheet {PROVENANCE_SHEET}")


# -- HTML -----------------------------------------------------------------------------------

class _Marked(HTMLParser):
    """The text of every element marked ``data-verify``, and the rows of the provenance table."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.cells: list[tuple[str, str]] = []
        self.provenance: list[list[str]] = []
        self._open: list[tuple[int, str, list[str]]] = []  # depth, label, text parts
        self._depth = 0
        self._provenance_depth: int | None = None
        self._row: list[str] | None = None
        self._cell: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _VOID:
            return
        self._depth += 1
        found = dict(attrs)
        label = found.get("data-verify")
        if label is not None:
            self._open.append((self._depth, label, []))
        if tag == "table" and "provenance" in (found.get("class") or "").split():
            self._provenance_depth = self._depth
        elif self._provenance_depth is not None and tag == "tr":
            self._row = []
        elif self._row is not None and tag == "td":
            self._cell = []

    def handle_endtag(self, tag: str) -> None:
        if tag in _VOID:
            return
        if self._cell is not None and tag == "td" and self._row is not None:
            self._row.append("".join(self._cell).strip())
            self._cell = None
        elif self._row is not None and tag == "tr":
            if self._row:
                self.provenance.append(self._row)
            self._row = None
        if self._provenance_depth == self._depth and tag == "table":
            self._provenance_depth = None
        while self._open and self._open[-1][0] == self._depth:
            _, label, parts = self._open.pop()
            self.cells.append((label, " ".join("".join(parts).split())))
        self._depth -= 1

    def handle_data(self, data: str) -> None:
        for _, _, parts in self._open:
            parts.append(data)
        if self._cell is not None:
            self._cell.append(data)


def _parsed(data: bytes) -> _Marked:
    """The page's body parsed (the head holds styles and plotly.js, no figure)."""
    text = data.decode("utf-8")
    parser = _Marked()
    parser.feed(text[max(text.find("<body"), 0):])
    parser.close()
    return parser


def _html_cells(data: bytes) -> Iterator[Cell]:
    # Cells close inner first; the report's reading order is the order they open in,
    # which for its flat marks (no mark inside another) is the order they close in.
    for label, text in _parsed(data).cells:
        yield Cell(label, "", _figure_or_text(text))


def provenance_of_html(data: bytes, where: str) -> Provenance:
    """The provenance in a report's 结果来源 section.

    :raises QscoreError: for a page without one.
    """
    try:
        rows = _parsed(data).provenance
    except UnicodeDecodeError as exc:
        raise QscoreError(_("{where} is not a UTF-8 page: {exc}").format(
                where=where, exc=exc)) from None
    if not rows:
        raise QscoreError(_("{where} has no 结果来源 section: it is not a report qscore wrote").format(
                where=where))
    return notes.provenance_from_rows(rows, f"{where}, section 结果来源")
