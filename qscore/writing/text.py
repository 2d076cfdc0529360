"""Built-in output formats for a ranked batch: table, CSV and JSON (XLSX: :mod:`qscore.writing.xlsx`).

Every format is a pure function of the batch: no dates, paths or dictionary-order
accidents, so the same input gives byte-identical output."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Iterator, Sequence
from decimal import Decimal
from itertools import chain, islice, repeat
from json.encoder import encode_basestring  # type: ignore[attr-defined]
from typing import Any

from qscore.controls import escape_controls
from qscore.i18n import _
from qscore.model import BatchResult, Notice, RankedUnits, UnitResult
from qscore.numbers import plain


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
TEXT_COLUMNS = (1, 3)  # unit and tier in summary rows; 是/否 is the last but one


def safe_text(text: str) -> str:
    """A user-supplied text cell that a spreadsheet will not run as a formula."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def _number(value: Decimal | None) -> str:
    if value is None:
        return ""
    # str() is twice as fast as format() and the same unless it would use an exponent,
    # or write zero with a sign.
    text = str(value)
    return plain(value) if "E" in text or text.startswith("-0") else text


def summary_table(batch: BatchResult, *, detail: bool) -> tuple[list[str], list[list[Any]]]:
    """Header and typed rows of the ranking (int rank, Decimal points, text, ``None``):
    rank, unit, total, tier, subtotals, adjustments, and with ``detail`` each indicator's
    points."""
    units = batch.units
    columns: list[Sequence[Any]] = [units.column("rank"), units.column("unit"), units.column("total"),
                                    [tier or "" for tier in units.column("tier")]]
    columns += [units.subtotals(c.id) for c in batch.ruleset.categories]
    columns += [units.column("bonus"), units.column("deductions"),
                ["是" if vetoed else "否" for vetoed in units.column("vetoed")], units.column("gap_to_next")]
    header = _header(batch, detail)
    if not detail:
        return header, list(map(list, zip(*columns)))
    return header, list(map(list, map(chain, zip(*columns), units.points_rows(_same))))


def summary_rows(batch: BatchResult, *, detail: bool,
                 text: Callable[[str], str] = safe_text) -> tuple[list[str], list[list[str]]]:
    """:func:`summary_table` as strings; ``text`` treats the texts (by default made safe
    from formula injection), never our own numbers.

    Built a column at a time and turned into rows at the end: a national batch has
    millions of cells, and a column's figures are formatted in one sweep.
    """
    header, columns = _summary_columns(batch, detail, text)
    if not detail:
        return header, list(map(list, zip(*columns)))
    return header, list(map(list, map(chain, zip(*columns), batch.units.points_rows(_number))))


def _same(value: Decimal) -> Decimal:
    return value


def _summary_columns(batch: BatchResult, detail: bool,
                     text: Callable[[str], str]) -> tuple[list[str], list[Sequence[str]]]:
    """The header and the text columns of :func:`summary_rows` up to the indicators' points."""
    units = batch.units
    tiers = units.column("tier")
    tier_text = {tier: text(tier or "") for tier in set(tiers)}  # a handful of names
    columns: list[Sequence[str]] = [
        list(map(str, units.column("rank"))),
        list(map(text, units.column("unit"))),
        _numbers(units.column("total")),
        list(map(tier_text.__getitem__, tiers)),
    ]
    columns += [_numbers(units.subtotals(c.id)) for c in batch.ruleset.categories]
    vetoed = {True: text("是"), False: text("否")}
    columns += [_numbers(units.column("bonus")), _numbers(units.column("deductions")),
                list(map(vetoed.__getitem__, units.column("vetoed"))), _numbers(units.column("gap_to_next"))]
    return [text(h) for h in _header(batch, detail)], columns


def _header(batch: BatchResult, detail: bool) -> list[str]:
    ruleset = batch.ruleset
    header = ["排名", "单位", "总分", "等次"]
    header += [c.name for c in ruleset.categories]
    header += ["加分", "扣分", "一票否决", "距上一等次"]
    if detail:
        header += [f"{i.name}（得分）" for i in ruleset.indicators]
    return header


def _numbers(values: Sequence[Decimal | None]) -> list[str]:
    """A column of figures as text, as :func:`_number` writes them ("" for ``None``)."""
    texts = list(map(str, values))
    joined = "".join(texts)
    if "E" in joined or "-0" in joined or "None" in texts:  # rare: an exponent, a -0 (or -0.5), a gap
        return list(map(_number, values))
    return texts


def write_table(batch: BatchResult) -> bytes:
    """The ranking laid out for people to read.  Each text stays on its line: control
    characters in it (an escape sequence, a line break) are shown escaped (``\\x1b``),
    here as on a terminal; CSV, JSON and XLSX keep the text as read."""
    header, columns = _summary_columns(batch, False, _one_line)
    title = f"{batch.ruleset.title}（{batch.year}年度）"
    return "\n".join([title, *plain_table(header, columns), ""]).encode("utf-8")


def plain_table(header: Sequence[str], columns: Sequence[Sequence[str]]) -> list[str]:
    """The lines of a table of texts as tabulate lays it out in its ``simple`` format
    (``disable_numparse``): each column left-aligned, as wide as its widest cell and two
    more than its header (wide characters count two), two spaces apart, no trailing
    spaces.  Made a column at a time, each distinct text measured and padded once."""
    from wcwidth import wcswidth

    padded = []
    for name, column in zip(header, columns):
        texts = {text: text.strip() for text in column}
        width = {text: wcswidth(shown) for text, shown in texts.items()}
        most = max([wcswidth(name) + 2, *width.values()])
        pad = {text: shown + " " * (most - width[text]) for text, shown in texts.items()}
        padded.append([name + " " * (most - wcswidth(name)), "-" * most, *map(pad.__getitem__, column)])
    return [line.rstrip() for line in map("  ".join, zip(*padded))]


def _one_line(text: str) -> str:
    return escape_controls(text, one_line=True)


def write_csv(batch: BatchResult) -> bytes:
    """CSV with a BOM so that Excel opens the Chinese text correctly."""
    text = _joined_csv(batch)
    if text is None:
        header, rows = summary_rows(batch, detail=True)
        text = csv_text([header, *rows])
    return ("\ufeff" + text).encode("utf-8")


def _joined_csv(batch: BatchResult) -> str | None:
    """The CSV of :func:`summary_rows` joined line by line; ``None`` when some cell
    needs quoting (see :func:`csv_text`).

    Only the texts can hold a comma, a quote or a line break: the header, unit names,
    tiers and 是/否.  Our figures are digits, a sign and a point.
    """
    if not batch.ruleset.indicators:
        return None
    header, columns = _summary_columns(batch, True, safe_text)
    texts = "".join(chain(header, *(columns[n] for n in TEXT_COLUMNS), columns[-2]))
    if any(special in texts for special in ',"\r\n'):
        return None
    points = map(",".join, batch.units.points_rows(_number))
    lines = [",".join(header), *map(",".join, zip(*columns, points))]
    return "\r\n".join(lines) + "\r\n"


def csv_text(rows: list[list[str]]) -> str:
    """``rows`` as :func:`csv.writer` writes them: minimal quoting, CRLF line ends.

    Only a cell holding a comma, a double quote or a line break needs quoting.  When the
    joined text has no quote and exactly one comma between cells and one CRLF per row,
    no cell holds one, and the join is already the CSV (three times faster on a
    national batch).
    """
    text = "\r\n".join(map(",".join, rows)) + "\r\n"
    if ('"' not in text and text.count(",") == sum(map(len, rows)) - len(rows)
            and text.count("\r") == len(rows) and text.count("\n") == len(rows)):
        return text
    buffer = io.StringIO(newline="")
    csv.writer(buffer, lineterminator="\r\n").writerows(rows)
    return buffer.getvalue()


def csv_columns(header: Sequence[str], columns: Sequence[Sequence[str]]) -> str:
    """:func:`csv_text` of ``header`` and the rows these columns make (each as long as
    the header), without making the rows: each line is joined straight from the columns.
    """
    lines = [",".join(header), *map(",".join, zip(*columns))]
    text = "\r\n".join(lines) + "\r\n"
    if ('"' not in text and text.count(",") == (len(header) - 1) * len(lines)
            and text.count("\r") == len(lines) and text.count("\n") == len(lines)):
        return text
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(zip(*columns))
    return buffer.getvalue()


# -- JSON ------------------------------------------------------------------------------------
#
# One encoding for every figure: a JSON number with exactly the digits of the Decimal
# (87.50, not 87.5; 28 digits stay 28 digits), never a string for one unit and a number
# for another, never Infinity or NaN, and zero never -0.  json.dumps cannot write a
# number it did not make from a float, so the few structures qscore writes go through
# this small encoder, which lays them out as json.dumps(..., indent=2) does.

# Control characters other than C0 are legal in JSON strings; escaping them too (DEL,
# C1) keeps a file shown on a terminal from running an escape sequence.
_UNSAFE_IN_STRINGS = re.compile("[\x7f-\x9f]")


def json_figure(value: Decimal) -> str:
    """A Decimal as a JSON number with exactly its digits: ``87.50``, ``0.00`` for -0.00.

    :raises ValueError: for NaN or an infinity, which JSON cannot hold.
    """
    if not value.is_finite():
        raise ValueError(_("{value} is not a finite figure and cannot be written as JSON").format(
                value=value))
    return plain(value)


def json_string(text: str) -> str:
    """``text`` as a JSON string, non-ASCII kept, every control character escaped."""
    encoded = encode_basestring(text)
    if _UNSAFE_IN_STRINGS.search(encoded):
        encoded = _UNSAFE_IN_STRINGS.sub(lambda m: f"\\u{ord(m.group()):04x}", encoded)
    return encoded


def json_text(value: Any, indent: str = "") -> str:
    """``value`` (dicts with string keys, lists, tuples, strings, Decimals, ints, bools,
    ``None``) as ``json.dumps(value, ensure_ascii=False, indent=2)`` lays it out, with
    every Decimal written by :func:`json_figure`; ``indent`` starts each inner line.

    :raises TypeError: for a value of another type (a float, say: figures are Decimals).
    """
    parts: list[str] = []
    _encode(value, "\n" + indent, parts)
    return "".join(parts)


def _encode(value: Any, newline: str, parts: list[str]) -> None:
    if isinstance(value, str):
        parts.append(json_string(value))
    elif value is None:
        parts.append("null")
    elif value is True or value is False:
        parts.append("true" if value else "false")
    elif isinstance(value, Decimal):
        parts.append(json_figure(value))
    elif isinstance(value, int):
        parts.append(int.__repr__(value))
    elif isinstance(value, dict):
        if not value:
            parts.append("{}")
            return
        inner = newline + "  "
        opening = "{"
        for key, item in value.items():
            if not isinstance(key, str):
                raise TypeError(_("JSON object keys are strings, got {key!r}").format(
                        key=key))
            parts += (opening, inner, json_string(key), ": ")
            _encode(item, inner, parts)
            opening = ","
        parts += (newline, "}")
    elif isinstance(value, (list, tuple)):
        if not value:
            parts.append("[]")
            return
        inner = newline + "  "
        opening = "["
        for item in value:
            parts += (opening, inner)
            _encode(item, inner, parts)
            opening = ","
        parts += (newline, "]")
    else:
        raise TypeError(_("cannot write {__name__} {value!r} as JSON; figures are Decimals").format(
                __name__=type(value).__name__, value=value))


def unit_json(batch: BatchResult, unit: UnitResult) -> dict[str, Any]:
    indicators = {i.id: i for i in batch.ruleset.indicators}
    """One unit of the JSON output, figures as Decimals (written by :func:`json_text`);
    an indicator's ``value`` is a figure, a level name, ``不适用`` or ``None``."""
    return {
        "unit": unit.unit, "rank": unit.rank, "total": unit.total, "tier": unit.tier,
        "vetoed": unit.vetoed, "gap_to_next": unit.gap_to_next,
        "subtotals": dict(unit.subtotals),
        "bonus": unit.bonus, "deductions": unit.deductions,
        "adjustments": [{"kind": a.kind, "item": a.item, "name": a.name, "count": a.count, "points": a.points}
                        for a in unit.adjustments],
        "indicators": [{"id": r.indicator, "name": indicators[r.indicator].name, "value": r.value,
                        "target": r.target, "points": r.points, "max_points": r.max_points, "met": r.met,
                        "explanation": r.explanation}
                       for r in unit.indicators],
    }


def provenance_json(batch: BatchResult) -> dict[str, Any] | None:
    """What ``batch`` was scored from, as JSON outputs write it (``None``: scored from a
    table already read, with no file to name)."""
    from qscore.provenance import provenance_document

    return None if batch.provenance is None else provenance_document(batch.provenance)


def notice_json(notice: Notice) -> dict[str, Any]:
    return {"kind": notice.kind, "message": notice.message, "file": notice.file, "sheet": notice.sheet,
            "row": notice.row, "column": notice.column, "cell": notice.cell}


def write_json(batch: BatchResult) -> bytes:
    """The document :func:`json_text` writes (``json.dumps(..., indent=2)``'s layout,
    figures with their exact digits), as :func:`json_chunks` makes it.  It states the
    assessment year and every notice (rows skipped, the year chosen …)."""
    return b"".join(json_chunks(batch))


#: Units per piece of :func:`json_chunks`: large enough that joining costs nothing,
#: small enough that a piece is a few megabytes.
UNITS_PER_CHUNK = 500


def json_chunks(batch: BatchResult) -> Iterator[bytes]:
    """:func:`write_json`'s bytes in pieces of :data:`UNITS_PER_CHUNK` units, each made
    when it is asked for: a national batch's document is never held whole.

    The units are laid out as :func:`json_text` lays out :func:`unit_json`, read a
    column at a time (each distinct figure encoded once)."""
    ruleset = batch.ruleset
    head = {"ruleset": ruleset.id, "title": ruleset.title, "year": batch.year,
            "provenance": provenance_json(batch), "notices": [notice_json(notice) for notice in batch.notices]}
    if not batch.units:
        yield (json_text({**head, "units": []}) + "\n").encode("utf-8")
        return
    opening = json_text(head).removesuffix("\n}")
    yield f'{opening},\n  "units": [\n'.encode("utf-8")
    yield from _unit_pieces(batch)
    yield b"\n  ]\n}\n"


def _unit_pieces(batch: BatchResult) -> Iterator[bytes]:
    """The units, :data:`UNITS_PER_CHUNK` at a time, each as ``json_text(unit_json(batch,
    unit), "    ")`` writes it, four spaces in, in UTF-8, after a comma but the first: the
    fixed parts (keys, indicator ids and names) written once, and each indicator's result
    laid out once per case (:meth:`~qscore.model.RankedUnits.result_cases`) with what
    goes before it in a unit's list.  A piece is joined once."""
    units, ruleset = batch.units, batch.ruleset
    subtotals = [(f'\n        {json_string(c.id)}: ', list(map(json_figure, units.subtotals(c.id))))
                 for c in ruleset.categories]
    heads = [f'{"[" if position == 0 else ","}\n        {{\n          "id": {json_string(i.id)},\n'
             f'          "name": {json_string(i.name)},\n          "value": '
             for position, i in enumerate(ruleset.indicators)]
    closing = b"\n      ]\n    }" if heads else b"[]\n    }"
    after = ",\n"  # the end of the unit before
    cases = units.result_cases()
    # Each indicator's results laid out so far, by case; forgotten past LAID_CASES (a
    # batch's cases may all differ, each with its own sentence).
    laid: list[dict[int, bytes]] = [{} for _ in heads]
    tiers = {tier: json_text(tier) for tier in set(units.column("tier"))}
    columns = zip(units.column("unit"), units.column("rank"), units.column("total"), units.column("tier"),
                  units.column("vetoed"), units.column("gap_to_next"), units.column("bonus"),
                  units.column("deductions"), units.column("adjustments"))
    for start in range(0, len(units), UNITS_PER_CHUNK):
        piece = [column[start:start + UNITS_PER_CHUNK] for column in cases]
        known: dict[int, tuple[object, str]] = {}  # the piece's texts of shared objects (_text_of)
        results = [list(map(_laid(units, position, heads[position], laid[position], named, known).__getitem__, named))
                   for position, named in enumerate(piece)]
        parts: list[bytes] = []
        for n, (unit, rank, total, tier, vetoed, gap, bonus, deductions, adjustments), own in zip(
                range(start, len(units)), islice(columns, UNITS_PER_CHUNK), zip(*results) if heads else repeat(())):
            if subtotals:
                shares = ",".join([key + column[n] for key, column in subtotals])
                subtotal = f"{{{shares}\n      }}"
            else:
                subtotal = "{}"
            adjusted = "[]" if not adjustments else "[" + ",".join([
                f'\n        {{\n          "kind": {_text_of(a.kind, known)},\n'
                f'          "item": {_text_of(a.item, known)},\n'
                f'          "name": {_text_of(a.name, known)},\n          "count": {_text_of(a.count, known)},\n'
                f'          "points": {_text_of(a.points, known)}\n        }}' for a in adjustments]) + "\n      ]"
            parts.append((f'{after if n else ""}    {{\n      "unit": {json_string(unit)},\n      "rank": {rank:d},\n'
                          f'      "total": {json_figure(total)},\n      "tier": {tiers[tier]},\n'
                          f'      "vetoed": {_text_of(vetoed, known)},\n      "gap_to_next": {_text_of(gap, known)},\n'
                          f'      "subtotals": {subtotal},\n      "bonus": {_text_of(bonus, known)},\n'
                          f'      "deductions": {_text_of(deductions, known)},\n      "adjustments": {adjusted},\n'
                          f'      "indicators": ').encode("utf-8"))
            parts += own
            parts.append(closing)
        yield b"".join(parts)


#: How many laid-out results of one indicator :func:`_unit_pieces` keeps.
LAID_CASES = 4096


def _laid(units: RankedUnits, position: int, head: str, laid: dict[int, bytes], cases: Sequence[int],
          known: dict[int, tuple[object, str]]) -> dict[int, bytes]:
    """``laid`` with the ``position``-th indicator's result of each of ``cases`` laid out
    in UTF-8 (the indicator's opening lines ``head``, value, target, points, full marks,
    met flag and explanation), read from the case's first unit."""
    if len(laid) > LAID_CASES:
        laid.clear()
    for case in set(cases).difference(laid):
        result = units.result_at(case, position)
        laid[case] = (f'{head}{_text_of(result.value, known)},\n          "target": {_text_of(result.target, known)},\n'
                      f'          "points": {_text_of(result.points, known)},\n'
                      f'          "max_points": {_text_of(result.max_points, known)},\n'
                      f'          "met": {_text_of(result.met, known)},\n'
                      f'          "explanation": {_text_of(result.explanation, known)}\n        }}').encode("utf-8")
    return laid


def _text_of(value: Any, known: dict[int, tuple[object, str]]) -> str:
    """``json_text(value)``, made once per object: results and adjustments share figures,
    flags and sentences.  ``known`` maps an object's identity to the object, kept alive
    while its identity is a key, and its text."""
    found = known.get(id(value))
    if found is None:
        found = known[id(value)] = (value, json_text(value))
    return found[1]
