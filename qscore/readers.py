"""Built-in readers: CSV (as Excel saves it) and JSON, each to a :class:`RawTable`."""

from __future__ import annotations

import csv
import io
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

from qscore.data import RawTable
from qscore.errors import DataError
from qscore.plugins import ReadOptions

CSV_ENCODINGS = ("utf-8-sig", "gb18030")


def _decode(path: Path, raw: bytes, options: ReadOptions) -> str:
    if b"\x00" in raw[:4096]:
        raise DataError("this is not a text file (it holds NUL bytes); expected CSV text", file=str(path))
    encodings = (options.encoding,) if options.encoding else CSV_ENCODINGS
    for encoding in encodings:
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
        except LookupError:
            raise DataError(f"unknown encoding '{encoding}'", file=str(path)) from None
    raise DataError(f"cannot decode the file as {' or '.join(encodings)}; save it as UTF-8 CSV "
                    "or give --encoding", file=str(path))


def read_csv(path: Path, options: ReadOptions) -> RawTable:
    """Read a CSV file: UTF-8 (with or without BOM) or GB18030, comma-separated."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise DataError(f"cannot read the file: {exc.strerror or exc}", file=str(path)) from None
    text = _decode(path, raw, options)
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    header: list[str] | None = None
    rows, numbers = [], []
    try:
        start = 1
        for cells in reader:
            if not (cells and cells[0].strip()) and not "".join(cells).strip():  # a blank row
                start = reader.line_num + 1
                continue
            if header is None:
                header = [cell.strip() for cell in cells]
            else:
                rows.append(cells)
                numbers.append(start)
            start = reader.line_num + 1
    except csv.Error as exc:
        raise DataError(f"malformed CSV: {exc}", file=str(path), row=reader.line_num) from None
    return RawTable(file=str(path), header=tuple(header or ()), rows=rows, row_numbers=numbers)


def read_json(path: Path, options: ReadOptions) -> RawTable:
    """Read JSON: a list of row objects, or ``{"units": [...]}``; keys are column headers."""
    try:
        data = json.loads(path.read_bytes().decode(options.encoding or "utf-8-sig"), parse_float=Decimal)
    except OSError as exc:
        raise DataError(f"cannot read the file: {exc.strerror or exc}", file=str(path)) from None
    except (UnicodeDecodeError, LookupError, ValueError) as exc:
        raise DataError(f"not valid JSON: {exc}", file=str(path)) from None
    records = data.get("units") if isinstance(data, dict) else data
    if not isinstance(records, list) or not all(isinstance(r, dict) for r in records):
        raise DataError('expected a list of objects, one per unit (or {"units": [...]})', file=str(path))
    header: dict[str, None] = {}
    for record in records:
        header.update(dict.fromkeys(map(str, record)))
    rows = [[_cell(record.get(key)) for key in header] for record in records]
    # JSON has no rows on screen; number the objects from 1 so messages can point at one.
    return RawTable(file=str(path), header=tuple(header), rows=rows, row_numbers=list(range(1, len(rows) + 1)))


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False)
    return str(value)
