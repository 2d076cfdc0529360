"""What the workbook readers (:mod:`~qscore.reading.xlsx`, :mod:`~qscore.reading.xls`) share:
which sheet to read, the text an examiner sees in a cell, a sheet as a :class:`RawTable`,
and what a file that is not a workbook of the expected kind really is.

The sheet read by default is the **active** one (the sheet Excel shows on opening), and
only when it is a visible worksheet: a hidden sheet is never read unless ``--sheet``
names it, and every message about sheets lists them with their state.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Mapping, Sequence
from decimal import Decimal
from pathlib import Path
from types import MappingProxyType
from typing import Any, Literal

import attrs

from qscore.cells import normalise
from qscore.errors import DataError, UsageError
from qscore.i18n import N_, _, os_reason
from qscore.limits import exceeded
from qscore.model import Notice
from qscore.reading.table import HiddenValue, Merged, RawTable

SheetState = Literal["visible", "hidden", "veryHidden"]
STATE_WORDS = {"visible": "", "hidden": N_("hidden"), "veryHidden": N_("very hidden")}
# Magic numbers of what arrives under a workbook's name.
ZIP = b"PK\x03\x04"
OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
# An encrypted workbook (Excel's 用密码进行加密, any format) is an OLE2 file with this stream.
ENCRYPTED_STREAM = "EncryptedPackage".encode("utf-16-le")
ENCRYPTED = N_("the workbook is encrypted (password-protected); save a copy without the password "
             "(文件 → 信息 → 保护工作簿 → 用密码进行加密, clear it) and read that")


@attrs.frozen
class SheetInfo:
    """One sheet of a workbook, as the sheet tabs show it.

    :param name: the tab's name.
    :param state: ``visible``, ``hidden`` or ``veryHidden`` (hidden so that only a macro
        can show it).
    :param chart: a chart sheet, not a table.
    :param active: the sheet Excel shows on opening.
    """

    name: str
    state: SheetState = "visible"
    chart: bool = False
    active: bool = False

    def describe(self, translated: bool = False) -> str:
        """``填报 (active)``; in qscore's language when ``translated`` (for messages: a
        table's ``sheets`` keep the English, which callers compare)."""
        words = [word for word in (STATE_WORDS.get(self.state, self.state), N_("chart") if self.chart else "",
                                   N_("active") if self.active else "") if word]
        if not words:
            return self.name
        if not translated:
            return f"{self.name} ({', '.join(words)})"
        return _("{name} ({marks})").format(name=self.name, marks=_(", ").join(_(word) for word in words))


def choose_sheet(path: Path, sheets: Sequence[SheetInfo], wanted: str | None) -> tuple[SheetInfo, list[Notice]]:
    """The sheet to read: ``wanted``, else the active sheet when it is a visible table.

    :raises UsageError: for a ``wanted`` sheet the workbook lacks.
    :raises DataError: for a workbook without sheets, a chart sheet, or (by default) an
        active sheet that is hidden; the message lists the sheets.
    """
    listing = _(", ").join(sheet.describe(translated=True) for sheet in sheets)
    if not sheets:
        raise DataError(_("the workbook has no sheets"), file=str(path))
    if wanted is not None:
        chosen = next((sheet for sheet in sheets if sheet.name == wanted), None)
        if chosen is None:
            # A tab named '数据 ' (a space typed after the name) shows as 数据: the name
            # the examiner sees picks it, when no other sheet has it.
            alike = [sheet for sheet in sheets if normalise(sheet.name) == normalise(wanted)]
            chosen = alike[0] if len(alike) == 1 else None
        if chosen is None:
            raise UsageError(_("no sheet '{wanted}' in {path}; its sheets are {listing}").format(
                    wanted=wanted, path=path, listing=listing))
        if chosen.chart:
            raise DataError(_("sheet '{wanted}' is a chart, not a table; the workbook's sheets are {listing}").format(
                    wanted=wanted, listing=listing),
                            file=str(path))
        if chosen.state != "visible":
            return chosen, [Notice("sheet", _("read the {state} sheet '{name}', as "
                                   "--sheet names it").format(
                    state=_(STATE_WORDS[chosen.state]) if STATE_WORDS[chosen.state] else "",
                    name=chosen.name), file=str(path), sheet=chosen.name)]
        return chosen, []
    active = next((sheet for sheet in sheets if sheet.active), sheets[0])
    if active.chart:
        raise DataError(_("the active sheet '{name}' is a chart, not a table; the workbook's sheets are "
                        "{listing}; give --sheet with a data sheet").format(
                name=active.name, listing=listing), file=str(path))
    if active.state != "visible":
        raise DataError(_("the active sheet '{name}' is {state}; the workbook's sheets are "
                        "{listing}; give --sheet with the sheet to read").format(
                name=active.name, state=_(STATE_WORDS[active.state]), listing=listing), file=str(path))
    notices = []
    if len(sheets) > 1:
        notices.append(Notice("sheet", _("read the active sheet '{name}'; the workbook's sheets are {listing} "
                              "(give --sheet to read another)").format(
                name=active.name, listing=listing), file=str(path), sheet=active.name))
    return active, notices


def sheet_table(path: Path, sheet: SheetInfo, sheets: Sequence[SheetInfo], cells: Mapping[int, Sequence[str]], *,
                hidden_rows: frozenset[int], hidden_columns: frozenset[int], merged: Sequence[Merged],
                notices: Sequence[Notice], cell_limit: int, zero_height_rows: frozenset[int] = frozenset(),
                zero_width_columns: frozenset[int] = frozenset(),
                hidden_values: Mapping[tuple[int, int], HiddenValue] | None = None) -> RawTable:
    """A sheet's non-blank rows (row number → cell texts from column A) as a
    :class:`RawTable`: the first is the header, every row as wide as the widest.  Rows of
    ``zero_height_rows`` and columns of ``zero_width_columns`` are hidden too, unless
    ``hidden_rows`` or ``hidden_columns`` already hide them.

    :raises DataError: when the rows made as wide as the widest hold more than
        ``cell_limit`` cells (the limit ``xlsx_cells``).
    """
    rows = [(number, list(texts)) for number, texts in sorted(cells.items()) if any(t.strip() for t in texts)]
    listing = tuple(s.describe() for s in sheets)
    if rows and len(rows) * max(len(texts) for _, texts in rows) > cell_limit:
        raise DataError(_("the sheet's rows, as wide as its widest, hold more than {cell_limit:,} cells; "
                        "{value}").format(
                cell_limit=cell_limit, value=exceeded('xlsx_cells', cell_limit)), file=str(path), sheet=sheet.name)
    if not rows:
        return RawTable(file=str(path), header=(), rows=[], row_numbers=[], sheet=sheet.name, sheets=listing,
                        notices=tuple(notices), merged=tuple(merged))
    width = max(len(texts) for _, texts in rows)
    for _number, texts in rows:
        texts.extend([""] * (width - len(texts)))
    header = tuple(cell.strip() for cell in rows[0][1])
    return RawTable(file=str(path), header=header, rows=[texts for _, texts in rows[1:]],
                    row_numbers=[number for number, _ in rows[1:]], header_row=rows[0][0],
                    hidden_rows=frozenset(r for r in hidden_rows | zero_height_rows if r in cells),
                    hidden_columns=frozenset(c for c in hidden_columns | zero_width_columns if c < width),
                    zero_height_rows=frozenset(r for r in zero_height_rows - hidden_rows if r in cells),
                    zero_width_columns=frozenset(c for c in zero_width_columns - hidden_columns if c < width),
                    hidden_values=MappingProxyType(dict(hidden_values or {})), sheet=sheet.name,
                    sheets=listing, notices=tuple(notices), merged=tuple(merged))


def column_letter(index: int) -> str:
    """The letters of column ``index`` (0 → A, 26 → AA)."""
    letters = ""
    index += 1
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = chr(ord("A") + remainder) + letters
    return letters


# -- cell texts ---------------------------------------------------------------------------

def cell_text(value: Any, number_format: str | None = None) -> str:
    """The text of a workbook cell's value as the examiner sees it.

    - numbers: ``repr`` of the float (its shortest exact spelling), so 98.5 reads as
      ``Decimal('98.5')``, never as binary noise; a whole float as an integer (``3``);
    - under a percent format (``0.0%``): the stored fraction times 100 with a ``%`` sign,
      so 0.985 reads as ``98.5%``, exactly as a CSV cell typed ``98.5%`` does;
    - under a format with a *literal* percent sign (``0"%"``, ``0\\%``), which Excel shows
      without scaling: the number with a ``%`` sign, as shown (98 → ``98%``).
    """
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, (int, float)):
        if isinstance(value, float) and not _finite(value):
            return repr(value)
        text = str(int(value)) if isinstance(value, float) and value.is_integer() and abs(value) < 1e15 \
            else repr(value) if isinstance(value, float) else str(value)
        percent = percent_signs(number_format, value) if number_format and "%" in number_format else None
        if percent == "scaled":
            return f"{(Decimal(text) * 100).normalize():f}%"
        if percent == "literal":
            return f"{text}%"
        return text
    if isinstance(value, (datetime.datetime, datetime.date, datetime.time)):
        return value.isoformat()
    return str(value)


def percent_signs(number_format: str, value: float | int) -> Literal["scaled", "literal"] | None:
    """How the format section that shows ``value`` treats a percent sign: ``scaled`` (a
    bare ``%``: Excel multiplies by 100), ``literal`` (quoted or escaped: shown as
    typed), or ``None`` (no percent sign)."""
    sections = _sections(number_format)
    section = sections[1] if value < 0 and len(sections) > 1 else sections[2] if value == 0 and len(sections) > 2 \
        else sections[0]
    found: Literal["scaled", "literal"] | None = None
    position, quoted = 0, False
    while position < len(section):
        char = section[position]
        if quoted:
            quoted = char != '"'
            found = found or ("literal" if char == "%" else None)
        elif char == '"':
            quoted = True
        elif char in "\\_*":  # the next character is shown (or padded) as it is
            position += 1
            if char == "\\" and section[position:position + 1] == "%":
                found = found or "literal"
        elif char == "[":
            position = section.find("]", position) if "]" in section[position:] else len(section)
        elif char == "%":
            return "scaled"
        position += 1
    return found


#: The kinds of value a number format has a section for: Excel shows a positive number by
#: the first section, a negative one by the second, zero by the third, text by the fourth.
ValueKind = Literal["positive", "negative", "zero", "text"]
_CODES = re.compile(r'\[[^\]]*\]|_.|""|\s')
_CONDITION = re.compile(r"\[\s*[<>=]")


def concealing(number_format: str) -> frozenset[ValueKind]:
    """The kinds of value ``number_format`` shows as nothing: those whose section is empty
    (``;;;`` hides every value, ``0;;`` negatives and zero, ``0;0;0;`` text).  A section
    holding only a colour, a locale or padding (``[Red]``, ``_)``) shows nothing too.

    A format of one section hides nothing (an empty format is General); a format with
    conditions (``[>=100]``) picks its sections by them, not by sign, and is not judged.
    """
    if ";" not in number_format or _CONDITION.search(number_format):
        return frozenset()
    sections = _sections(number_format)
    empty = [not _CODES.sub("", section) for section in sections[:4]]
    hidden: set[ValueKind] = set()
    if empty[0]:
        hidden.add("positive")
    if empty[1]:
        hidden.add("negative")
    if empty[2 if len(sections) > 2 else 0]:
        hidden.add("zero")
    if len(sections) > 3 and empty[3]:
        hidden.add("text")
    return frozenset(hidden)


def hidden_value(number_format: str, value: object) -> HiddenValue | None:
    """Why ``value`` shows as nothing under ``number_format``, or ``None`` if it shows."""
    kind = value_kind(value)
    hidden = concealing(number_format)
    if kind is None or kind not in hidden:
        return None
    numbers = hidden >= {"positive", "negative", "zero"}
    return HiddenValue(number_format, "all" if numbers and "text" in hidden
                       else "number" if numbers and kind != "text" else kind)


def value_kind(value: object) -> ValueKind | None:
    """Which section of a number format shows ``value``; ``None`` for what a number format
    does not govern here (TRUE/FALSE, dates, errors, blanks)."""
    if isinstance(value, str):
        return "text" if value else None
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return "positive" if value > 0 else "negative" if value < 0 else "zero"


def _sections(number_format: str) -> list[str]:
    """A number format's sections (positive; negative; zero; text), split at ``;``
    outside quotes and escapes."""
    sections, current, quoted, escaped = [], "", False, False
    for char in number_format:
        if escaped:
            escaped = False
        elif char == "\\" and not quoted:
            escaped = True
        elif char == '"':
            quoted = not quoted
        elif char == ";" and not quoted:
            sections.append(current)
            current = ""
            continue
        current += char
    return [*sections, current]


def _finite(value: float | int) -> bool:
    return value == value and value not in (float("inf"), float("-inf"))


# -- what a file is -----------------------------------------------------------------------

def sniff(path: Path, expected: Literal["xlsx", "xls"]) -> None:
    """Refuse, saying what it is, a file that is not a workbook of the ``expected`` kind:
    an encrypted workbook, the other workbook format, an HTML or XML export, a text file.

    :raises DataError: naming what the file is and what to do.
    """
    try:
        with path.open("rb") as stream:
            head = stream.read(512)
    except OSError as exc:
        raise DataError(_("cannot read the file: {value}").format(
                value=os_reason(exc)), file=str(path)) from None
    what = _kind(path, head)
    if what == expected or what == "unknown":
        return
    suffix = f".{expected}"
    messages = {
        "encrypted": _(ENCRYPTED),
        "xls": _("this is an old Excel .xls workbook, not an {suffix} workbook; give it the .xls suffix").format(
                suffix=suffix),
        "xlsx": _("this is an .xlsx workbook (a zip file), not an old Excel {suffix} workbook; give it the .xlsx "
                "suffix").format(suffix=suffix),
        "markup": _("this is an HTML or XML page, not an Excel {suffix} workbook (some systems export tables this "
                  "way); open it in Excel and save it as .xlsx").format(suffix=suffix),
        "text": _("this is a text file, not an Excel {suffix} workbook; a CSV file needs the .csv suffix").format(
                suffix=suffix),
        "empty": _("the file is empty, not an Excel {suffix} workbook").format(
                suffix=suffix),
    }
    raise DataError(messages[what], file=str(path))


def _kind(path: Path, head: bytes) -> str:
    if not head:
        return "empty"
    if head.startswith(ZIP):
        return "xlsx"
    if head.startswith(OLE2):
        try:
            raw = path.read_bytes()
        except OSError:
            return "xls"
        return "encrypted" if ENCRYPTED_STREAM in raw else "xls"
    text = head.lstrip(b"\xef\xbb\xbf").lstrip()
    if text[:1] == b"<":
        return "markup"
    if b"\x00" not in head:
        try:
            head.decode("utf-8")
            return "text"
        except UnicodeDecodeError as exc:
            if exc.start >= len(head) - 3:  # a character cut by the 512-byte window
                return "text"
            try:
                head.decode("gb18030")
                return "text"
            except UnicodeDecodeError:
                return "unknown"
    return "unknown"
