"""Writing results as an Excel workbook (XLSX) that explains itself.

XlsxWriter fixes zip entry dates; the document's creation date is fixed too, so the
same batch gives the same bytes.
"""

from __future__ import annotations

import contextlib
import datetime
import io
import shutil
import tempfile
import weakref
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from decimal import Decimal
from itertools import chain, islice
from pathlib import Path
from typing import Any, BinaryIO, TypeVar

import attrs

from qscore.errors import QscoreError
from qscore.i18n import _
from qscore.model import BatchResult
from qscore.writing import notes
from qscore.writing.sheetrows import (EXCEL_MAX_ROWS, RowWriter, Run, Runs, SheetRows, column_name, outside, pack,
                                      too_long)
from qscore.writing.text import FORMULA_STARTS, summary_table

T = TypeVar("T")

# Workbook metadata must not carry the time of the run, or outputs would differ byte-wise.
FIXED_CREATED = datetime.datetime(2000, 1, 1)
#: What one Excel sheet holds in columns (its rows and a cell's characters: :mod:`~qscore.writing.sheetrows`).
EXCEL_MAX_COLUMNS = 16_384
#: Rows above a table's figures: the title, then the header.
TITLE_ROWS = 2
#: The totals chart shows the first this many units (a chart of 40,000 bars shows nothing).
CHART_MAX_UNITS = 1_000
#: Column widths are worked out from a sheet's first this many rows.
WIDTH_ROWS = 200
#: A header wider than its column's cells wraps in a column at least this wide.
HEADER_WIDTH = 12
#: XlsxWriter's number for A4 paper.
A4 = 9
#: Colours of the classes in the totals chart, best first (the last repeats).
CLASS_COLOURS = ("#1F4E79", "#2E75B6", "#9DC3E6", "#F4B183", "#C55A11", "#7F7F7F")
#: The pieces :func:`xlsx_chunks` gives.
CHUNK = 1 << 20


#: The sheet of what was done with the data.
NOTICES = "数据提示"


def write_xlsx(batch: BatchResult, *, max_rows: int = EXCEL_MAX_ROWS) -> bytes:
    """A workbook that explains itself: the ranking (排名), a chart of the totals (总分图),
    the per-indicator detail (指标明细), the bonus, deduction and veto items applied to
    each unit (加减分), what was done with the data (数据提示: rows skipped, the year
    chosen …), the rules and assumptions (说明) and where the result comes from (来源).

    Each table has a title row (the ruleset's title and year) above its header, a
    filter on the header, and prints on A4 landscape, as wide as a page, with the title
    and header on every page.  Points are numbers shown to the ruleset's places; values
    and targets are numbers in Excel's general format; texts from the data are written
    as text, never formulas.  A table longer than a sheet (``max_rows`` rows with its
    title and header) goes on as many sheets as it needs, 指标明细, 指标明细(2) …, each
    with the title and header: nothing is dropped.

    XlsxWriter writes the workbook but the rows of its tables, which go to disk as they
    are made (:mod:`~qscore.writing.sheetrows`); the per-indicator detail is made a unit
    at a time from the batch's columns, so a national batch is never held as cells.

    :raises QscoreError: for a ranking wider than a sheet, or a text longer than a cell.
    """
    buffer = io.BytesIO()
    with tempfile.TemporaryDirectory(prefix="qscore-xlsx-") as scratch:
        _write(batch, max_rows, Path(scratch), buffer)
    return buffer.getvalue()


def xlsx_chunks(batch: BatchResult, *, max_rows: int = EXCEL_MAX_ROWS) -> Iterator[bytes]:
    """The bytes of :func:`write_xlsx`, in pieces read from the workbook packed on disk,
    so that a national workbook is never held whole.  The workbook is written (or
    refused) before this returns; the pieces are read as they are asked for.

    :raises QscoreError: as :func:`write_xlsx`.
    """
    return packed_chunks(lambda scratch, out: _write(batch, max_rows, scratch, out))


def packed_chunks(write: Callable[[Path, BinaryIO], None]) -> Iterator[bytes]:
    """The bytes of the workbook ``write`` writes to its second argument, in pieces
    read from disk (:func:`xlsx_chunks`); ``write`` is given a folder of its own for
    its files of rows (:func:`~qscore.writing.sheetrows.pack`).  The workbook is
    written (or refused, leaving nothing behind) before this returns."""
    scratch = Path(tempfile.mkdtemp(prefix="qscore-xlsx-"))
    try:
        with (scratch / PACKED).open("wb") as out:
            write(scratch, out)
    except BaseException:
        shutil.rmtree(scratch, ignore_errors=True)
        raise
    pieces = _pieces(scratch)
    # The folder goes once the pieces are read, or when they are dropped unread.
    weakref.finalize(pieces, shutil.rmtree, scratch, ignore_errors=True)
    return pieces


#: The workbook :func:`xlsx_chunks` packs, in its folder.
PACKED = "packed.xlsx"


def _pieces(scratch: Path) -> Iterator[bytes]:
    try:
        with (scratch / PACKED).open("rb") as workbook:
            while chunk := workbook.read(CHUNK):
                yield chunk
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


@attrs.define
class _Book:
    """A workbook being written: XlsxWriter's, its styles, and the rows written apart.

    :param workbook: the XlsxWriter workbook.
    :param styles: its formats by name (:func:`_styles`).
    :param scratch: the folder of the files of rows.
    :param rows: each sheet's rows written apart, by the sheet's name.
    """

    workbook: Any
    styles: dict[str, Any]
    scratch: Path
    rows: dict[str, SheetRows] = attrs.Factory(dict)

    def row_writer(self, sheet: Any, columns: int, general: set[int], out: Any) -> RowWriter:
        # XlsxWriter numbers a format when a cell of its own first uses it; these two are
        # used in rows it does not write.  (The method is XlsxWriter's, not public: see
        # pyproject.toml.)
        points, quoted = self.styles["points"]._get_xf_index(), self.styles["quoted"]._get_xf_index()
        return RowWriter(out, sheet.name, columns, general, points, quoted)


def _write(batch: BatchResult, max_rows: int, scratch: Path, out: BinaryIO) -> None:
    import xlsxwriter

    package = io.BytesIO()
    workbook = xlsxwriter.Workbook(package, {"constant_memory": True, "tmpdir": str(scratch),
                                             "strings_to_formulas": False, "strings_to_numbers": False,
                                             "strings_to_urls": False})
    book = _Book(workbook, _styles(workbook, batch.ruleset.rounding.places), scratch)
    close_and_pack(workbook, package, lambda: _write_workbook(book, batch, max_rows), book.rows, out)
    for written in book.rows.values():
        written.path.unlink()


def close_and_pack(workbook: Any, package: io.BytesIO, write: Callable[[], None], rows: Mapping[str, SheetRows],
                   out: BinaryIO) -> None:
    """Run ``write``, which adds the sheets of the XlsxWriter ``workbook`` (writing into
    ``package``) and puts the rows it writes apart in ``rows``; then close the workbook
    and pack it with those rows into ``out`` (:func:`~qscore.writing.sheetrows.pack`).
    When ``write`` fails, the workbook is closed only to close its temporary files, and
    what it wrote is dropped."""
    try:
        write()
    except BaseException:
        with contextlib.suppress(Exception):
            workbook.close()
        raise
    workbook.close()
    package.seek(0)
    pack(package, rows, out)


def _write_workbook(book: _Book, batch: BatchResult, max_rows: int) -> None:
    workbook = book.workbook
    workbook.set_properties({"title": notes.title(batch), "created": FIXED_CREATED})
    title = notes.title(batch)
    header, rows = summary_table(batch, detail=True)
    ranking = write_table(book, "排名", header, rows, general=set(), max_rows=max_rows, title=title)
    charted = min(len(rows), max_rows - TITLE_ROWS, CHART_MAX_UNITS)
    del rows
    if charted:
        _totals_chart(workbook, batch, ranking[0], charted)
    write_table(book, "指标明细", DETAIL_HEADER, _detail_rows(batch), general={5, 6}, max_rows=max_rows, title=title)
    write_table(book, "加减分", notes.ADJUSTMENT_HEADER, notes.adjustment_rows(batch), general={5}, max_rows=max_rows,
                title=title)
    write_table(book, NOTICES, notes.NOTICE_HEADER, notes.notice_rows(batch), general=set(), max_rows=max_rows,
                title=title)
    _notes_sheet(workbook, batch, book.styles)
    _provenance_sheet(book, batch)
    if charted and batch.ruleset.classification is not None:
        _chart_data(book, batch, charted)


def _styles(workbook: Any, places: int) -> dict[str, Any]:
    return {
        "title": workbook.add_format({"bold": True, "font_size": 14, "valign": "vcenter"}),
        "header": workbook.add_format({"bold": True, "text_wrap": True, "valign": "top", "bg_color": "#DDEBF7",
                                       "border": 1}),
        "wrapped": workbook.add_format({"text_wrap": True, "valign": "top"}),
        "points": workbook.add_format({"num_format": "0." + "0" * places if places else "0"}),
        # Excel's own mark for "typed with a leading apostrophe": shown as written, kept
        # as text if the cell is edited, never run as a formula.
        "quoted": workbook.add_format({"quote_prefix": True}),
    }


def write_table(book: _Book, name: str, header: list[str], rows: Iterable[Sequence[Any]], *, general: set[int],
                max_rows: int = EXCEL_MAX_ROWS, title: str | None = None) -> list[Any]:
    """``rows`` under ``header`` on sheet ``name``, and on ``name(2)``, ``name(3)`` …
    when they are more than a sheet holds; the sheets made, in order (to set up further).
    The rows are read once, in order (a generator will do): a sheet is written as its
    rows come.

    Each sheet has ``title`` in its first row (the header in the second), a filter on
    the header, its title and header frozen, and prints on A4 landscape, a page wide,
    with the title and header repeated on every page.

    :raises QscoreError: for more columns than a sheet holds.
    """
    if len(header) > EXCEL_MAX_COLUMNS:
        raise QscoreError(_("the sheet {name} would have {count:,} columns, and an XLSX sheet holds at most "
                          "{EXCEL_MAX_COLUMNS:,}; write CSV or JSON instead").format(
                name=name, count=len(header), EXCEL_MAX_COLUMNS=EXCEL_MAX_COLUMNS))
    top = TITLE_ROWS if title is not None else 1
    sheets: list[Any] = []
    for first, sheet_rows in sheets_of(rows, max_rows - top):
        number = len(sheets) + 1
        sheet = book.workbook.add_worksheet(name if number == 1 else f"{name}({number})")
        if title is not None:
            _write_title(sheet, title, len(header), book.styles)
        count = _write_sheet(book, sheet, header, sheet_rows, general=general, top=top, first=first)
        sheet.autofilter(top - 1, 0, top - 1 + count, len(header) - 1)
        _print_setup(sheet, top)
        sheets.append(sheet)
    return sheets


def sheets_of(rows: Iterable[T], per_sheet: int) -> Iterator[tuple[list[T], Iterator[T]]]:
    """``rows`` split over sheets of at most ``per_sheet`` rows, one sheet when there are
    none: each sheet's first :data:`WIDTH_ROWS` rows (which set its column widths) and
    all its rows, to be read before the next sheet is asked for."""
    rows = iter(rows)
    first = list(islice(rows, min(per_sheet, WIDTH_ROWS)))
    while True:
        yield first, chain(first, islice(rows, per_sheet - len(first)))
        first = list(islice(rows, min(per_sheet, WIDTH_ROWS)))
        if not first:
            return


def _write_title(sheet: Any, title: str, width: int, styles: dict[str, Any]) -> None:
    if width > 1:
        _written(sheet.merge_range(0, 0, 0, min(width, 12) - 1, title, styles["title"]), sheet, 0, 0)
    else:
        _written(sheet.write_string(0, 0, title, styles["title"]), sheet, 0, 0)
    sheet.set_row(0, 24)


def _print_setup(sheet: Any, top: int) -> None:
    """A4 landscape, a page wide, the rows above the figures on every page, page numbers."""
    sheet.set_paper(A4)
    sheet.set_landscape()
    sheet.fit_to_pages(1, 0)
    sheet.repeat_rows(0, top - 1)
    sheet.set_margins(left=0.4, right=0.4, top=0.6, bottom=0.6)
    sheet.set_footer("&C第 &P 页，共 &N 页")
    sheet.hide_gridlines(0)  # shown on screen and printed


#: The header of 指标明细.
DETAIL_HEADER = ["排名", "单位", "指标代码", "指标", "计量单位", "完成值", "目标值", "得分", "分值", "是否达标",
                 "计算说明"]
_MET = {None: "", True: "是", False: "否"}


#: The detail lays out each case's results once; an indicator's are dropped when it has this many.
CASES_KEPT = 1_024


def _detail_rows(batch: BatchResult) -> Iterator[Runs]:
    """One row per unit and indicator, in rank order then ruleset order.  A row is three
    runs of cells (:class:`Runs`), each laid out once by the sheet's writer: the unit's
    rank and name, the indicator's code, name and measure, and the results of the unit's
    case for the indicator (units of a case have the same results: they are read from
    its first unit)."""
    units, indicators = batch.units, batch.ruleset.indicators
    labels = [Run(indicator.id, indicator.name, indicator.unit) for indicator in indicators]
    kept: list[dict[int, Run]] = [{} for _ in indicators]
    cases = zip(*units.result_cases())
    for rank, unit, unit_cases in zip(units.column("rank"), units.column("unit"), cases):
        named = Run(rank, unit)
        for indicator, (label, case, laid) in enumerate(zip(labels, unit_cases, kept)):
            results = laid.get(case)
            if results is None:
                if len(laid) == CASES_KEPT:  # the units' results may all differ: hold a few only
                    laid.clear()
                result = units.result_at(case, indicator)
                results = laid[case] = Run(result.value, result.target, result.points, result.max_points,
                                           _MET[result.met], result.explanation)
            yield Runs(named, label, results)


def _write_sheet(book: _Book, sheet: Any, header: list[str], rows: Iterable[Sequence[Any]], *, general: set[int],
                 top: int = 1, first: Sequence[Sequence[Any]] | None = None,
                 after: Sequence[Sequence[Any]] = ()) -> int:
    """Write ``header`` in the row above ``top`` and ``rows`` from ``top`` on, in order,
    then, a row apart, the rows ``after``; Decimal cells in columns ``general`` are
    plain numbers, other Decimal cells are points.  Column widths come from ``first``,
    the first rows (``rows`` when not given, a sequence then).  Returns how many of
    ``rows`` were written."""
    if first is None:
        first = rows = list(rows)
    for column, name in enumerate(header):
        write_text(sheet, top - 1, column, name, book.styles, book.styles["header"])
    path = book.scratch / f"rows-{len(book.rows) + 1}.xml"
    with path.open("wb", buffering=CHUNK) as out:
        writer = book.row_writer(sheet, len(header), general, out)
        number = top - 1
        for number, row in enumerate(rows, top):
            writer.write(number, row)
        count = number - top + 1
        for number, row in enumerate(after, top + count + 1):
            writer.write(number, row)
    if writer.last >= top:
        book.rows[sheet.name] = SheetRows(path, f"A1:{column_name(len(header) - 1)}{writer.last + 1}")
    sheet.freeze_panes(top, min(2, len(header)))
    for column, width in enumerate(column_widths(header, first)):
        sheet.set_column(column, column, width)
    return count


def write_text(sheet: Any, row: int, column: int, text: str, styles: dict[str, Any], style: Any) -> None:
    """``text`` in a cell XlsxWriter writes, kept as text (the style ``styles["quoted"]``)
    when it starts like a formula; a cell outside the sheet or a text too long is refused."""
    if text.startswith(FORMULA_STARTS):
        style = styles["quoted"]
    _written(sheet.write_string(row, column, text, style), sheet, row, column)


def _written(status: int, sheet: Any, row: int, column: int) -> None:
    """XlsxWriter returns -1 for a cell outside the sheet and -2 for a text it cut to
    32,767 characters, and writes on: refuse both rather than drop or cut a cell."""
    if status == -2:
        raise too_long(sheet.name, row, column)
    if status:
        raise outside(sheet.name, row, column)


def column_widths(header: list[str], rows: Sequence[Sequence[Any]]) -> Iterator[int]:
    """Column widths in Excel's character units, from the widest of the first rows.  The
    header wraps: a long one (农产品质量安全例行监测合格率（得分）over a column of 25.00)
    takes up to three lines rather than the width of the page."""
    for column, name in enumerate(header):
        cells = max((text_width(_shown(row[column])) for row in rows[:WIDTH_ROWS]), default=0)
        named = text_width(name)
        yield min(60, max(6, cells + 2, min(named, max(HEADER_WIDTH, -(-named // 3))) + 2))


def text_width(text: str) -> int:
    """How many of Excel's character widths ``text`` takes (a Chinese character two)."""
    from wcwidth import wcswidth

    return max(wcswidth(text), len(text))


def _shown(value: Any) -> str:
    return "" if value is None else f"{value:f}" if isinstance(value, Decimal) else str(value)


# -- the totals chart -----------------------------------------------------------------------

def _totals_chart(workbook: Any, batch: BatchResult, ranking: Any, count: int) -> None:
    """A chartsheet 总分图: the first ``count`` units' totals in rank order, a bar per
    unit, coloured by grade or tier (a series per class, from the hidden sheet
    :data:`CHART_DATA`); the title says when not every unit is shown.

    A chart keeps a copy of the cells it draws (shown by a reader that does not
    recalculate).  In constant-memory mode XlsxWriter cannot read written cells back,
    so the copy is given here, as it would have read them: names, and totals as
    Excel's 16 significant digits."""
    units, ruleset = batch.units, batch.ruleset
    names = list(units.column("unit")[:count])
    totals = [_cached(total) for total in units.column("total")[:count]]
    chart = workbook.add_chart({"type": "column", "subtype": "stacked"})
    if ruleset.classification is None:
        last = TITLE_ROWS + count - 1
        chart.add_series({"name": "总分", "categories": [ranking.name, TITLE_ROWS, 1, last, 1],
                          "values": [ranking.name, TITLE_ROWS, 2, last, 2], "gap": 40,
                          "fill": {"color": CLASS_COLOURS[0]}, "categories_data": names, "values_data": totals})
        chart.set_legend({"none": True})
    else:
        tiers = units.column("tier")[:count]
        for number, grade in enumerate(ruleset.classification.grades, 1):
            chart.add_series({"name": grade.name, "categories": [CHART_DATA, 1, 0, count, 0],
                              "values": [CHART_DATA, 1, number, count, number], "gap": 40,
                              "fill": {"color": CLASS_COLOURS[min(number, len(CLASS_COLOURS)) - 1]},
                              "categories_data": names,
                              "values_data": [total if tier == grade.name else None
                                              for total, tier in zip(totals, tiers)]})
        chart.set_legend({"position": "top"})
    more = f"（前 {count} 名，共 {len(units)} 个单位）" if count < len(units) else ""
    chart.set_title({"name": f"{notes.title(batch)}各单位总分{more}", "name_font": {"size": 14}})
    chart.set_x_axis({"name": ruleset.unit_kind or "单位", "num_font": {"rotation": -45}})
    chart.set_y_axis({"name": "总分", "major_gridlines": {"visible": True}})
    sheet = workbook.add_chartsheet("总分图")
    sheet.set_chart(chart)
    sheet.set_paper(A4)
    sheet.set_landscape()


def _cached(total: Decimal) -> str:
    """A total as a chart's copy of its cell holds it (the cell holds the float)."""
    return f"{float(total) + 0.0:.16g}"


#: The hidden sheet the totals chart draws its classes from.
CHART_DATA = "图表数据"


def _chart_data(book: _Book, batch: BatchResult, count: int) -> None:
    """The hidden sheet of the chart's series: each unit's total in its class's column."""
    units = batch.units
    names = [grade.name for grade in batch.ruleset.classification.grades]  # type: ignore[union-attr]
    sheet = book.workbook.add_worksheet(CHART_DATA)
    _write_sheet(book, sheet, ["单位", *names], [
        [unit, *(total if tier == name else None for name in names)]
        for unit, total, tier in zip(units.column("unit")[:count], units.column("total")[:count],
                                     units.column("tier")[:count])], general=set())
    sheet.hide()


# -- what the figures rest on ---------------------------------------------------------------

def _notes_sheet(workbook: Any, batch: BatchResult, styles: dict[str, Any]) -> None:
    """说明: how the ruleset scores, the assumptions its authors made where the plan is
    silent, and every indicator with its target, points, rule and source."""
    ruleset = batch.ruleset
    sheet = workbook.add_worksheet("说明")
    _write_title(sheet, f"{notes.title(batch)}：规则与假设说明", 2, styles)
    row = 1
    for label, text in notes.ruleset_notes(ruleset):
        write_text(sheet, row, 0, label, styles, styles["header"])
        write_text(sheet, row, 1, text, styles, styles["wrapped"])
        row += 1
    row += 1
    write_text(sheet, row, 0, "规则集作者的假设", styles, styles["header"])
    write_text(sheet, row, 1, "规划文件没有规定、由规则集作者选定的做法及理由（结果依赖于这些假设）", styles,
                styles["wrapped"])
    row += 1
    for number, assumption in enumerate(ruleset.assumptions or ("无",), 1):
        write_text(sheet, row, 0, f"假设 {number}", styles, None)
        write_text(sheet, row, 1, assumption, styles, styles["wrapped"])
        row += 1
    row += 1
    write_text(sheet, row, 0, "指标与计分方法", styles, styles["header"])
    row += 1
    rows = notes.indicator_rows(ruleset)
    for column, name in enumerate(notes.INDICATOR_HEADER):
        write_text(sheet, row, column, name, styles, styles["header"])
    for number, values in enumerate(rows, row + 1):
        for column, text in enumerate(values):
            if text:
                write_text(sheet, number, column, text, styles, styles["wrapped"])
    sheet.set_column(0, 0, 16)
    sheet.set_column(1, 1, 90)
    sheet.set_column(2, len(notes.INDICATOR_HEADER) - 1, 14)
    _print_setup(sheet, 1)


def _provenance_sheet(book: _Book, batch: BatchResult) -> None:
    """来源: the qscore version, the ruleset and data files by their SHA-256, the year
    and the reading options (read back by ``qscore verify``)."""
    sheet = book.workbook.add_worksheet("来源")
    _write_title(sheet, f"{notes.title(batch)}：结果来源", len(notes.PROVENANCE_HEADER), book.styles)
    _write_sheet(book, sheet, notes.PROVENANCE_HEADER, notes.provenance_rows(batch.provenance), general=set(),
                 top=TITLE_ROWS, after=[[notes.VERIFY_NOTE]])
    sheet.set_column(1, 1, 50)
    sheet.set_column(2, 2, 68)
    _print_setup(sheet, TITLE_ROWS)
