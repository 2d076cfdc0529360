"""A workbook's large tables, written as worksheet rows a row at a time.

XlsxWriter writes the workbook: its styles, the chart, the print setup, the small
sheets, and each large table's title and header.  The rows under a header, a million
at national scale, are written here as SpreadsheetML ``<row>`` elements into a file of
their own (:class:`RowWriter`), and put into their sheet's ``<sheetData>`` when the
workbook is packed (:func:`pack`).
"""

from __future__ import annotations

import functools
import re
import shutil
import zipfile
from collections.abc import Collection, Mapping, Sequence
from decimal import Decimal
from itertools import chain
from pathlib import Path
from typing import IO, Any, BinaryIO, overload
from xml.etree import ElementTree

import attrs

from qscore.errors import QscoreError
from qscore.i18n import _
from qscore.writing.text import FORMULA_STARTS

#: What one Excel sheet holds: rows, and UTF-16 code units in a cell's text.
EXCEL_MAX_ROWS = 1_048_576
EXCEL_MAX_TEXT = 32_767
#: Texts written once keep their cell's XML for the texts that repeat (a unit's name on
#: each of its rows, the explanations units share), this many of them.
REMEMBERED = 1 << 14

# A text's characters as SpreadsheetML holds them (ECMA-376 ST_Xstring, as Excel writes
# it): a character XML 1.0 forbids, and the carriage return an XML reader would turn
# into a line feed, as _xHHHH_; an underscore that starts such a form as _x005F_, so that
# the text reads back as written; &, < and > as XML entities.
_ESCAPE_FORM = re.compile("_(?=x[0-9A-Fa-f]{4}_)")
_FORBIDDEN = re.compile("[\x00-\x08\x0b-\x1f\ufffe\uffff]")
_RESERVED = re.compile("[&<>_\x00-\x08\x0b-\x1f\ufffe\uffff]")
_SPACE_AT_AN_END = re.compile(r"^\s|\s$")


def escaped(text: str) -> str:
    """``text`` as a cell's ``<t>`` element holds it."""
    if not _RESERVED.search(text):
        return text
    text = _FORBIDDEN.sub(_hex_form, _ESCAPE_FORM.sub("_x005F_", text))
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _hex_form(match: re.Match[str]) -> str:
    return f"_x{ord(match.group()):04X}_"


def column_name(column: int) -> str:
    """The letters of a column, 0-based: ``A`` … ``Z``, ``AA`` …"""
    name = ""
    column += 1
    while column:
        column, rest = divmod(column - 1, 26)
        name = chr(65 + rest) + name
    return name


def too_long(sheet: str, row: int, column: int) -> QscoreError:
    """The refusal of a text longer than a cell holds, in ``sheet`` at ``row`` and ``column`` (0-based)."""
    return QscoreError(_("the text in sheet {name}, row {row}, column {column} is longer than the "
                         "{EXCEL_MAX_TEXT:,} characters an XLSX cell holds; write CSV or JSON instead").format(
        name=sheet, row=row + 1, column=column + 1, EXCEL_MAX_TEXT=EXCEL_MAX_TEXT))


def outside(sheet: str, row: int, column: int) -> QscoreError:
    """The refusal of a cell past a sheet's last row or column (0-based)."""
    return QscoreError(_("sheet {name}, row {row}, column {column} is outside what an XLSX sheet holds; write CSV or "
                         "JSON instead").format(name=sheet, row=row + 1, column=column + 1))


def _utf16_length(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


#: Where the row's number goes in cells laid out before their row is written: a character
#: no cell's XML holds (:func:`escaped` writes U+0000 as ``_x0000_``).
ROW_NUMBER = "\x00"
_ROW_NUMBER_HELD = ROW_NUMBER.encode()
_ROW_START, _ROW_END = f'<row r="{ROW_NUMBER}">'.encode(), b"</row>"


class Run:
    """Cells that many rows have side by side (a unit's rank and name on each of its
    rows, the results the units of a case share): a :class:`RowWriter` lays them out
    once, the row's number left open, and puts that into each row they are in.

    :param cells: the cells, as a row's (:class:`RowWriter`).
    """

    __slots__ = ("cells", "laid")

    def __init__(self, *cells: Any) -> None:
        self.cells = cells
        #: The writer that laid the cells out last, the column they start at, and their XML (UTF-8).
        self.laid: tuple[RowWriter, int, bytes] | None = None


class Runs(Sequence[Any]):
    """A row made of runs of cells, read as the sequence of their cells.

    :param runs: the runs, from the first column on.
    """

    __slots__ = ("runs",)

    def __init__(self, *runs: Run) -> None:
        self.runs = runs

    def __len__(self) -> int:
        return sum(len(run.cells) for run in self.runs)

    @overload
    def __getitem__(self, index: int) -> Any: ...
    @overload
    def __getitem__(self, index: slice) -> tuple[Any, ...]: ...

    def __getitem__(self, index: int | slice) -> Any:
        return tuple(chain.from_iterable(run.cells for run in self.runs))[index]

    def __repr__(self) -> str:
        return f"Runs{tuple(self)!r}"


@attrs.define
class RowWriter:
    """Writes rows of cells to ``out`` as the ``<row>`` elements of a sheet's
    ``<sheetData>`` (UTF-8), in order, each as it comes.

    A cell is written as the rest of the workbook's cells are: ``None`` and ``""``
    not at all; a ``Decimal`` as a number (a float: our figures are rounded or short,
    and keep their 15 significant digits; ``-0`` as 0) in the points style
    ``points``, or in Excel's general format in the columns ``general``; an ``int`` as
    a number; anything else as its text, inline, in the style ``quoted`` (Excel's
    leading apostrophe) when it starts like a formula.  Styles are XlsxWriter's
    format numbers (``xf`` indices).

    A row is a sequence of cells, or :class:`Runs`: each run of cells is laid out (in
    UTF-8) where the writer first meets it, and the rows after it is in reuse that.

    :param out: where the rows go.
    :param sheet: the sheet's name, for messages.
    :param columns: how many columns a row has at most.
    :param general: the columns whose decimals are plain numbers.
    :param points: the style of points.
    :param quoted: the style of a text kept as text.
    """

    out: IO[bytes]
    sheet: str
    columns: int
    general: Collection[int]
    points: int
    quoted: int
    last: int = attrs.field(default=-1, init=False)
    _letters: list[str] = attrs.field(init=False)
    _decimal_xml: Any = attrs.field(init=False)
    _text_xml: Any = attrs.field(init=False)

    def __attrs_post_init__(self) -> None:
        self._letters = [column_name(column) for column in range(self.columns)]
        self._decimal_xml = functools.lru_cache(REMEMBERED)(self._number)
        self._text_xml = functools.lru_cache(REMEMBERED)(self._text)

    def write(self, number: int, row: Sequence[Any]) -> None:
        """Write ``row`` as the sheet's row ``number`` (0-based; after the last one written).

        :raises QscoreError: for a row past the sheet's last, or a text longer than a cell
            holds (in the first row a run of cells is in).
        """
        if number >= EXCEL_MAX_ROWS:
            raise outside(self.sheet, number, 0)
        assert number > self.last, "rows are written in order"
        self.last = number
        if type(row) is not Runs:
            reference = str(number + 1)
            self.out.write(f'<row r="{reference}">{self._cells(row, 0, number, reference)}</row>'.encode())
            return
        column, laid = 0, [_ROW_START]
        for run in row.runs:
            xml = run.laid
            if xml is None or xml[0] is not self or xml[1] != column:
                xml = run.laid = (self, column, self._cells(run.cells, column, number, ROW_NUMBER).encode())
            laid.append(xml[2])
            column += len(run.cells)
        laid.append(_ROW_END)
        self.out.write(b"".join(laid).replace(_ROW_NUMBER_HELD, b"%d" % (number + 1)))

    def _cells(self, cells: Sequence[Any], start: int, number: int, reference: str) -> str:
        """The XML of ``cells`` from column ``start`` on, in the row ``number`` (for
        messages), their references ending in ``reference``."""
        letters, general, decimal_xml, text_xml = self._letters, self.general, self._decimal_xml, self._text_xml
        parts = []
        for column, cell in enumerate(cells, start):
            kind = type(cell)
            if kind is Decimal:
                xml = decimal_xml(cell, column not in general)
            elif kind is str:
                if not cell:
                    continue
                if len(cell) > EXCEL_MAX_TEXT // 2 and _utf16_length(cell) > EXCEL_MAX_TEXT:
                    raise too_long(self.sheet, number, column)
                xml = text_xml(cell)
            elif cell is None:
                continue
            elif kind is int:
                xml = f"><v>{cell:.16G}</v></c>"
            else:
                text = str(cell)
                if len(text) > EXCEL_MAX_TEXT // 2 and _utf16_length(text) > EXCEL_MAX_TEXT:
                    raise too_long(self.sheet, number, column)
                xml = text_xml(text)
            parts.append(f'<c r="{letters[column]}{reference}"{xml}')
        return "".join(parts)

    def _number(self, value: Decimal, styled: bool) -> str:
        # Adding 0.0 turns -0.0 into 0.0; 16 significant digits is how XlsxWriter and Excel write a float.
        style = f' s="{self.points}"' if styled else ""
        return f"{style}><v>{float(value) + 0.0:.16G}</v></c>"

    def _text(self, text: str) -> str:
        style = f' s="{self.quoted}"' if text.startswith(FORMULA_STARTS) else ""
        held = escaped(text)
        space = ' xml:space="preserve"' if _SPACE_AT_AN_END.search(held) else ""
        return f'{style} t="inlineStr"><is><t{space}>{held}</t></is></c>'


# -- packing ------------------------------------------------------------------------------------

@attrs.frozen
class SheetRows:
    """The rows written for one sheet.

    :param path: the file of its ``<row>`` elements (UTF-8).
    :param dimension: the range its cells span, with the rows XlsxWriter wrote (``A1:K1042``).
    """

    path: Path
    dimension: str


_NAMESPACES = {"main": "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
               "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
               "rel": "http://schemas.openxmlformats.org/package/2006/relationships"}
_DIMENSION = re.compile('<dimension ref="[A-Z0-9:]+"/>')
_COPY_BUFFER = 1 << 20
#: The deflate level of the sheets given rows.  Their XML is most of a national workbook,
#: and zlib's fastest level deflates it about three times as fast as its default (6), for
#: a file about two fifths larger.
ROWS_LEVEL = 1
#: The size from which a part needs ZIP64 (zipfile's ``ZIP64_LIMIT``), said when the part
#: is opened, as it is written in one pass.
ZIP64_FROM = (1 << 31) - 1


def pack(package: BinaryIO, rows: Mapping[str, SheetRows], out: BinaryIO) -> None:
    """Write to ``out`` the workbook ``package`` (as XlsxWriter wrote it) with each sheet
    named in ``rows`` given its rows: they go at the end of its ``<sheetData>``, after
    the rows XlsxWriter wrote (the title and header), and its ``<dimension>`` spans them.
    Each part keeps its place and name, and is dated 1980-01-01, the first date a zip
    holds (zipfile dates a part opened by name so), whatever the day of the run; the
    other parts keep their mode and compression, and the sheets given rows are deflated
    at :data:`ROWS_LEVEL`."""
    with zipfile.ZipFile(package) as source, \
            zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=ROWS_LEVEL) as packed:
        parts = _sheet_parts(source)
        spliced = {parts[name]: written for name, written in rows.items()}
        for info in source.infolist():
            if info.filename not in spliced:
                copied = zipfile.ZipInfo(info.filename)
                copied.compress_type, copied.external_attr = info.compress_type, info.external_attr
                packed.writestr(copied, source.read(info))
                continue
            written = spliced[info.filename]
            head, tail = _around_rows(source.read(info).decode("utf-8"), written.dimension)
            size = len(head) + written.path.stat().st_size + len(tail)
            with packed.open(info.filename, "w", force_zip64=size >= ZIP64_FROM) as part, \
                    written.path.open("rb") as sheet_rows:
                part.write(head)
                shutil.copyfileobj(sheet_rows, part, _COPY_BUFFER)
                part.write(tail)


def _sheet_parts(package: zipfile.ZipFile) -> dict[str, str]:
    """Each worksheet's name and the name of its part in the package."""
    targets = {relation.get("Id"): relation.get("Target", "")
               for relation in ElementTree.fromstring(package.read("xl/_rels/workbook.xml.rels"))}
    sheets = ElementTree.fromstring(package.read("xl/workbook.xml")).iterfind("main:sheets/main:sheet", _NAMESPACES)
    return {sheet.get("name", ""): "xl/" + targets[sheet.get(f"{{{_NAMESPACES['r']}}}id")].removeprefix("/xl/")
            for sheet in sheets}


def _around_rows(xml: str, dimension: str) -> tuple[bytes, bytes]:
    """A sheet's XML before and after the place of further rows, the end of its
    ``<sheetData>``; its dimension set to ``dimension``."""
    head, end, tail = xml.partition("</sheetData>")
    assert end and _DIMENSION.search(head), "XlsxWriter wrote the sheet's rows and dimension"
    head = _DIMENSION.sub(f'<dimension ref="{dimension}"/>', head, count=1)
    return head.encode("utf-8"), (end + tail).encode("utf-8")
