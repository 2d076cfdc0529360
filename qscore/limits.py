"""How much work qscore takes on for one input, and the bounds of every figure it reads.

A small file must never cost a large machine: a workbook that inflates to gigabytes,
a sheet of empty cells far apart, a header of a million characters or a figure of a
billion digits is refused with a message naming the limit, before the work is done.
The defaults are far above any examiner's file (the national scale, 40,000 units ×
50 indicators, fits with room to spare); ``--limit NAME=N`` on the command line and
``limits=Limits(...)`` in :func:`qscore.score` raise or lower them.  ``docs/data.md``
lists them.

Figures have fixed bounds, the same for a data cell and a ruleset figure: below 10^15
in size and at most 20 decimal places.  No indicator, target or score means more, and
a ruleset that loaded has no figure that breaks a later sum or rounding.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any

import attrs

from qscore.errors import DataError
from qscore.i18n import N_, _

MIB = 2**20

#: Figures are smaller than this in size (10^15) …
NUMBER_LIMIT = Decimal("1e15")
#: … and have at most this many decimal places (enough for the 17 significant digits
#: of a float Excel stored, 0.30000000000000004).
MAX_PLACES = 20
#: How much of a refused figure or text a message repeats.
SHOWN_CHARACTERS = 40


def _positive(instance: Any, attribute: attrs.Attribute, value: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ValueError(_("limit {name} must be a whole number of 1 or more, got {value!r}").format(
                name=attribute.name, value=value))


def _limit(default: int) -> Any:
    return attrs.field(default=default, validator=_positive)


@attrs.frozen
class Limits:
    """The most qscore reads from one input; every limit hit is refused, naming it.

    :param xlsx_compressed: bytes of a workbook's zip members as stored, in all.
    :param xlsx_member_compressed: bytes of one zip member as stored.
    :param xlsx_inflated: bytes of a workbook's zip members once inflated, in all.
    :param xlsx_member_inflated: bytes of one zip member (a sheet's XML, the shared
        strings) once inflated.
    :param xlsx_cells: cells of the sheet read, counting the empty cells a workbook
        implies between the cells it stores (an empty row counts as one).
    :param header_length: characters of one column header.
    :param cell_length: characters of one data cell (Excel's own limit is 32,767).
    :param json_depth: how deeply a JSON data file nests lists and objects.
    """

    xlsx_compressed: int = _limit(128 * MIB)
    xlsx_member_compressed: int = _limit(128 * MIB)
    xlsx_inflated: int = _limit(512 * MIB)
    xlsx_member_inflated: int = _limit(256 * MIB)
    xlsx_cells: int = _limit(4_000_000)
    header_length: int = _limit(1_000)
    cell_length: int = _limit(32_767)
    json_depth: int = _limit(32)

    @classmethod
    def names(cls) -> tuple[str, ...]:
        return tuple(field.name for field in attrs.fields(cls))

    def with_values(self, values: Iterable[tuple[str, int]]) -> Limits:
        """These limits with some changed, e.g. ``[("xlsx_cells", 10_000_000)]``.

        :raises ValueError: for an unknown name or a value below 1.
        """
        changes = dict(values)
        unknown = sorted(set(changes) - set(self.names()))
        if unknown:
            raise ValueError(_("unknown limit {unknown}; the limits are {names}").format(
                    unknown=', '.join(unknown), names=', '.join(self.names())))
        return attrs.evolve(self, **changes)


DEFAULT = Limits()


def exceeded(name: str, value: int) -> str:
    """The end of a message about a limit hit: which limit, and how to raise it."""
    return _("the limit {name} is {value:,} (raise it with --limit {name}=N)").format(
            name=name, value=value)


def shown(text: str) -> str:
    """``text`` cut to a length a message can repeat."""
    return text if len(text) <= SHOWN_CHARACTERS else text[:SHOWN_CHARACTERS] + "…"


def listed(texts: Sequence[str], limit: int = 5, separator: str = "、") -> str:
    """The first ``limit`` of ``texts`` as a message lists them, and `` …`` for more."""
    return separator.join(texts[:limit]) + (" …" if len(texts) > limit else "")


# -- figures -----------------------------------------------------------------------------

def number_problem(number: Decimal, text: str, what: str) -> str | None:
    """Why ``number`` (written ``text``) cannot be ``what``, or ``None`` when it is within
    the bounds.  One definition for data cells and ruleset figures.

    :param what: a text marked with :func:`~qscore.i18n.N_`, translated only when a
        message is made (a national file checks thousands of figures).
    """
    if not number.is_finite():
        return _("{text} is not a finite number; expected {what}").format(
                text=shown(text), what=_(what))
    # adjusted() is the power of ten of the leading digit; unlike abs() it cannot overflow.
    if not number.is_zero() and number.adjusted() >= NUMBER_LIMIT.adjusted():
        return _("{text} is too large to be {what} (limit {NUMBER_LIMIT:,.0f})").format(
                text=shown(text), what=_(what), NUMBER_LIMIT=NUMBER_LIMIT)
    exponent = number.as_tuple().exponent
    if isinstance(exponent, int) and exponent < -MAX_PLACES:
        return _("{text} has more than {MAX_PLACES} decimal places; expected {what}").format(
                text=shown(text), MAX_PLACES=MAX_PLACES, what=_(what))
    return None


# -- tables ------------------------------------------------------------------------------

def check_table(file: str, header: Sequence[str], rows: Sequence[Sequence[str]], row_numbers: Sequence[int],
                header_row: int, limits: Limits) -> None:
    """Refuse a table a reader made whose header or cells are longer than the limits,
    or that holds text no file can (a lone surrogate, from a JSON ``\\ud800`` escape).

    Bounding the text first bounds everything done with it later: matching headers to
    indicators, suggesting close names, parsing cells.

    :raises DataError: naming the file, row and column.
    """
    for number, name in enumerate(header):
        if len(name) > limits.header_length:
            raise DataError(_("the header has {count:,} characters; {value}").format(
                    count=len(name), value=exceeded('header_length', limits.header_length)),
                            file=file, row=header_row, column=f"{shown(name)}")
        if _has_surrogate(name):
            raise DataError(_(_SURROGATE), file=file, row=header_row, column=_column(header, number))
    # A row's cells joined are as long as its cells together: when no row is longer
    # than a cell may be, no cell is, and a national file is checked in one sweep.
    joined = list(map("".join, rows))
    if joined and max(map(len, joined)) > limits.cell_length:
        _check_cell_lengths(file, header, rows, row_numbers, limits)
    if _has_surrogate("".join(joined)):
        position = next(n for n, text in enumerate(joined) if _has_surrogate(text))
        column = next(n for n, cell in enumerate(rows[position]) if _has_surrogate(cell))
        raise DataError(_(_SURROGATE), file=file, row=row_numbers[position], column=_column(header, column))


def _check_cell_lengths(file: str, header: Sequence[str], rows: Sequence[Sequence[str]],
                        row_numbers: Sequence[int], limits: Limits) -> None:
    """The cell-by-cell check, for a table with a row longer than a cell may be."""
    for cells, row in zip(rows, row_numbers):
        for column, cell in enumerate(cells):
            if len(cell) > limits.cell_length:
                raise DataError(_("the cell has {count:,} characters; "
                                "{value}").format(
                        count=len(cell), value=exceeded('cell_length', limits.cell_length)),
                                file=file, row=row, column=_column(header, column))


_SURROGATE = N_("the text holds a lone surrogate (such as \\ud800 in JSON), which is half of a character "
              "and not text; correct the file")


def _has_surrogate(text: str) -> bool:
    # Only a lone surrogate cannot be encoded; encoding stops at the first one.
    if text.isascii():
        return False
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def _column(header: Sequence[str], index: int) -> str:
    name = header[index] if index < len(header) else ""
    return shown(name) if name.strip() else f"column {index + 1}"


# -- workbooks ---------------------------------------------------------------------------

def check_workbook(path: Path, limits: Limits) -> None:
    """Refuse a workbook whose zip members are larger, stored or inflated, than the
    limits, from the zip's directory alone: before anything is inflated.

    Python's zipfile never inflates a member beyond the size the directory declares
    (it stops there and reports a bad CRC), so the declared sizes bound the work.
    A file that is not a zip is left to the reader to refuse in its own words.

    :raises DataError: naming the file and the limit.
    """
    import zipfile

    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        return
    for member in members:
        part = _("the workbook's part {name}").format(name=shown(member.filename))
        _within(path, _("{part} is {compress_size:,} bytes compressed").format(
                part=part, compress_size=member.compress_size), member.compress_size,
                "xlsx_member_compressed", limits)
        _within(path, _("{part} inflates to {file_size:,} bytes").format(
                part=part, file_size=member.file_size), member.file_size,
                "xlsx_member_inflated", limits)
    compressed = sum(member.compress_size for member in members)
    inflated = sum(member.file_size for member in members)
    _within(path, _("the workbook's parts are {compressed:,} bytes compressed").format(
            compressed=compressed), compressed, "xlsx_compressed", limits)
    _within(path, _("the workbook's parts inflate to {inflated:,} bytes").format(
            inflated=inflated), inflated, "xlsx_inflated", limits)


def _within(path: Path, what: str, size: int, name: str, limits: Limits) -> None:
    limit = getattr(limits, name)
    if size > limit:
        raise DataError(_("{what}; {name}").format(
                what=what, name=exceeded(name, limit)), file=str(path))


def bounded_rows(rows: Iterable[Sequence[Any]], file: str, limit: int) -> Iterator[Sequence[Any]]:
    """``rows`` of a sheet, refused once they hold more than ``limit`` cells (an empty
    row counts as one): a sheet can imply millions of empty cells in a few bytes."""
    cells = 0
    for row in rows:
        cells += len(row) or 1
        if cells > limit:
            raise DataError(_("the sheet has more than {limit:,} cells, counting the empty cells between those it "
                            "stores; {value}").format(
                    limit=limit, value=exceeded('xlsx_cells', limit)), file=file)
        yield row


# -- JSON --------------------------------------------------------------------------------

def check_json_depth(document: Any, file: str, limit: int) -> None:
    """Refuse a JSON document that nests lists and objects more than ``limit`` deep.

    :raises DataError: naming the file and the limit.
    """
    stack = [(document, 1)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, dict):
            children: Iterable[Any] = value.values()
        elif isinstance(value, list):
            children = value
        else:
            continue
        if depth > limit:
            raise DataError(_("the JSON nests lists and objects more than {limit} deep; "
                            "{value}").format(
                    limit=limit, value=exceeded('json_depth', limit)), file=file)
        stack.extend((child, depth + 1) for child in children if isinstance(child, (dict, list)))
