"""A roster file (``--units FILE``): the units an assessment scores, one name per line or
one column of a CSV, standing in for the ruleset's ``[roster]``.

A first line that is a unit column's header (单位, 乡镇（街道） …) is skipped; blank lines
are skipped; a name on several lines of its cell is one name on one line, as in the data;
encodings as for CSV data.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from pathlib import Path

from qscore.errors import DataError, DataProblem, DataProblems
from qscore.i18n import _, os_reason
from qscore.model import Roster
from qscore.cells import normalise_all, one_line
from qscore.reading.layout import header_key
from qscore.reading.table import ReadOptions
from qscore.reading.text import decode_text


def read_roster(path: Path, *, headers: Sequence[str] = (), encoding: str | None = None) -> Roster:
    """The units listed in ``path``.

    :param headers: unit column headers: a first line that is one of them is skipped.
    :raises DataError: for a file that is not text, has more than one column, names a
        unit twice or names none.
    """
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise DataError(_("cannot read the roster file: {value}").format(
                value=os_reason(exc)), file=str(path)) from None
    text = decode_text(path, raw, ReadOptions(encoding=encoding))
    names: dict[str, int] = {}
    problems = DataProblems()
    folded = {header_key(h).lower() for h in headers}
    try:
        lines = list(csv.reader(io.StringIO(text, newline="")))
    except csv.Error as exc:
        raise DataError(_("malformed CSV: {exc}").format(exc=exc), file=str(path)) from None
    listed: list[tuple[int, str]] = []
    for number, cells in enumerate(lines, 1):
        filled = [cell for cell in cells if cell.strip()]
        if not filled:
            continue
        if len(filled) > 1:
            problems.add(DataProblem(_("expected one unit name per line, got {count} cells").format(
                    count=len(filled)), file=str(path),
                                 row=number))
            continue
        listed.append((number, filled[0]))
    for (number, _text), written in zip(listed, normalise_all([text for _number, text in listed])):
        # A name on two lines of its cell (南宾↵街道, a column copied from Excel) is read
        # on one line, as the data's unit names are.
        name = one_line(written)
        if not names and header_key(name).lower() in folded:
            continue
        if name in names:
            problems.add(DataProblem(_("unit '{name}' is listed twice (first at row {names})").format(
                    name=name, names=names[name]), file=str(path),
                                 row=number))
            continue
        names[name] = number
    problems.raise_any()
    if not names:
        raise DataError(_("the roster file lists no units; expected one unit name per line"), file=str(path))
    return Roster(units=tuple(names), source=str(path))
