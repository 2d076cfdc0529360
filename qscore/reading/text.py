"""Built-in readers: CSV (as Excel saves it) and JSON, each to a :class:`RawTable`."""

from __future__ import annotations

import codecs
import csv
import io
import json
import re
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

from qscore.errors import DataError, UsageError
from qscore.i18n import _, os_reason
from qscore.limits import check_json_depth, exceeded
from qscore.reading.table import RawTable, ReadOptions

# A byte-order mark decides; otherwise UTF-8, then GB18030 (what Chinese Excel saves as
# "CSV (逗号分隔)").  No statistical charset guessing: these are the encodings examiners'
# files come in, and a wrong guess would turn names into plausible-looking nonsense.
# A UTF-8 mark before text that is not UTF-8 is a GB18030 file some tool put the mark on.
BOMS = ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))
CSV_ENCODINGS = ("utf-8", "gb18030")
UTF8_MARKED = ("utf-8-sig", "gb18030")
# MS-DOS and programs since end a text file with Ctrl-Z: the file's end, not a character.
END_OF_FILE = "\x1a"
# Workbooks saved under a text file's name: say what they are rather than "not text".
FOREIGN = ((b"PK\x03\x04", "a zip file (an .xlsx workbook?)", "give it the .xlsx suffix"),
           (b"\xd0\xcf\x11\xe0", "an old Excel .xls workbook", "give it the .xls suffix"))
# Text an examiner saved never holds C0 control characters other than tab and line ends;
# bytes that do are a binary file that happened to decode.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def encodings_for(raw: bytes, forced: str | None) -> tuple[str, ...]:
    """The encodings to try for ``raw``, in order."""
    if forced:
        return (forced,)
    bom = next((name for mark, name in BOMS if raw.startswith(mark)), None)
    return UTF8_MARKED if bom == "utf-8-sig" else (bom,) if bom else CSV_ENCODINGS


def _line_of(text: str, offset: int) -> int:
    """The line of ``text`` the character at ``offset`` is on, from 1."""
    return text.count("\n", 0, offset) + 1


def csv_row_of(text: str, offset: int) -> int:
    """The row of CSV ``text`` the character at ``offset`` is in, as Excel numbers rows:
    a quoted cell's line breaks stay inside its row (see :func:`read_csv`)."""
    try:
        return sum(1 for _ in csv.reader(io.StringIO(text[:offset] + "x", newline=""), delimiter=_delimiter(text)))
    except csv.Error:  # a cell past the csv module's field size: the file is refused for that anyway
        return _line_of(text, offset)


def decode_text(path: Path, raw: bytes, options: ReadOptions, kind: str = "CSV",
                row_of: Callable[[str, int], int] = _line_of) -> str:
    """``raw`` as text, by BOM, UTF-8 or GB18030 (or the forced ``--encoding``).

    :param row_of: the row a character of the text is in, for the messages.
    :raises DataError: for bytes that are not text in any of those encodings.
    """
    for magic, what, advice in FOREIGN:
        if raw.startswith(magic):
            raise DataError(_("this is {what}, not {kind} text; {advice}").format(
                    what=what, kind=kind, advice=advice), file=str(path))
    encodings = encodings_for(raw, options.encoding)
    if encodings == CSV_ENCODINGS and b"\x00" in raw[:4096]:
        raise DataError(_("this is not a text file (it holds NUL bytes); expected {kind} text").format(
                kind=kind), file=str(path))
    failed, furthest, start = -1, encodings[0], 0
    for encoding in encodings:
        try:
            # A UTF-8 byte-order mark is no character of any other encoding (UTF-16 and
            # UTF-32 read it as one of theirs, and say so).
            marked = raw.startswith(codecs.BOM_UTF8) and not codecs.lookup(encoding).name.startswith(("utf-16",
                                                                                                      "utf-32"))
            skip = len(codecs.BOM_UTF8) if marked else 0
            text = raw[skip:].decode(encoding)
        except UnicodeDecodeError as exc:
            if skip + exc.start > failed:  # the encoding that reads furthest is the file's
                failed, furthest, start = skip + exc.start, encoding, skip
            continue
        except LookupError:
            raise DataError(_("unknown encoding '{encoding}'").format(encoding=encoding), file=str(path)) from None
        break
    else:
        raise DataError(_("cannot decode the file as {encodings}; save it as UTF-8 {kind} "
                        "or give --encoding").format(
                encodings=' or '.join(encodings), kind=kind), file=str(path),
                row=row_of(read := raw[start:failed].decode(furthest, errors="replace"), len(read)))
    text = text.removeprefix("\ufeff").removesuffix(END_OF_FILE)
    control = _CONTROL.search(text)
    if control:
        row = row_of(text, control.start())
        raise DataError(_("this is not a text file (it holds the control character {group!r}); "
                        "expected {kind} text").format(group=control.group(), kind=kind), file=str(path), row=row)
    return text


def _delimiter(text: str) -> str:
    """Comma, or tab for Excel's "Unicode text" export (a tab-separated header, no commas)."""
    first = next((line for line in text[:65536].splitlines() if line.strip()), "")
    return "\t" if "\t" in first and "," not in first else ","


def no_sheets(path: Path, options: ReadOptions, kind: str) -> None:
    """A file without sheets refuses ``--sheet`` rather than ignore it."""
    if options.sheet is not None:
        raise UsageError(_("--sheet names a sheet of a workbook, but {path} is a {kind} file, which has no sheets").format(
                path=path, kind=kind))


def read_csv(path: Path, options: ReadOptions) -> RawTable:
    """Read a CSV file: UTF-8 (with or without BOM), GB18030 or UTF-16 with BOM; comma- or
    tab-separated.  Every non-blank row is kept (title and note rows too: see
    :mod:`qscore.reading.layout`)."""
    no_sheets(path, options, "CSV")
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise DataError(_("cannot read the file: {value}").format(
                value=os_reason(exc)), file=str(path)) from None
    text = decode_text(path, raw, options, row_of=csv_row_of)
    reader = csv.reader(io.StringIO(text, newline=""), strict=True, delimiter=_delimiter(text))
    header: list[str] | None = None
    rows, numbers = [], []
    header_row, number = 1, 0
    # Rows are numbered as Excel shows the file: a cell holding a line break (a quoted
    # "南宾\n街道") keeps its row one row, though it spans two lines of text.
    try:
        for number, cells in enumerate(reader, 1):
            if not (cells and cells[0].strip()) and not "".join(cells).strip():  # a blank row
                continue
            if header is None:
                header, header_row = [cell.strip() for cell in cells], number
            else:
                rows.append(cells)
                numbers.append(number)
    except csv.Error as exc:
        # The record after the last one read, numbered as above (not reader.line_num, a line).
        raise DataError(_("malformed CSV: {exc}").format(exc=exc), file=str(path), row=number + 1) from None
    return RawTable(file=str(path), header=tuple(header or ()), rows=rows, row_numbers=numbers,
                    header_row=header_row)


def read_json(path: Path, options: ReadOptions) -> RawTable:
    """Read JSON: a list of row objects, or ``{"units": [...]}``; keys are column headers."""
    no_sheets(path, options, "JSON")
    try:
        text = decode_text(path, path.read_bytes(), options, kind="JSON")
        data = json.loads(text, parse_float=Decimal, object_pairs_hook=_unique_keys)
    except OSError as exc:
        raise DataError(_("cannot read the file: {value}").format(
                value=os_reason(exc)), file=str(path)) from None
    except ValueError as exc:
        raise DataError(_("not valid JSON: {exc}").format(exc=exc), file=str(path)) from None
    except RecursionError:
        limit = options.limits.json_depth
        raise DataError(_("the JSON nests lists and objects more than {limit} deep; {value}").format(
                limit=limit, value=exceeded('json_depth', limit)),
                        file=str(path)) from None
    check_json_depth(data, str(path), options.limits.json_depth)
    records = data.get("units") if isinstance(data, dict) else data
    if not isinstance(records, list) or not all(isinstance(r, dict) for r in records):
        raise DataError(_("expected a list of objects, one per unit (or {\"units\": [...]})"), file=str(path))
    header: dict[str, None] = {}
    for record in records:
        header.update(dict.fromkeys(map(str, record)))
    rows = [[_cell(record.get(key)) for key in header] for record in records]
    # JSON has no rows on screen; number the objects from 1 so messages can point at one.
    return RawTable(file=str(path), header=tuple(header), rows=rows, row_numbers=list(range(1, len(rows) + 1)))


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """An object's keys; a key given twice would silently lose one of its values."""
    seen: set[str] = set()
    for key, _value in pairs:
        if key in seen:
            raise ValueError(_("the key {key!r} appears twice in one object").format(
                    key=key))
        seen.add(key)
    return dict(pairs)


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False, default=str)
    return str(value)
