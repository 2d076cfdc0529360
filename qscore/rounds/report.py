"""Comparisons and histories as an examiner reads them: a table on the terminal, CSV and
XLSX for Excel, JSON for scripts.

Every format is a pure function of its input (no dates, no paths beyond those given),
so the same comparison gives the same bytes.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from decimal import Decimal
from itertools import chain, islice
from pathlib import Path
from typing import Any, BinaryIO, Literal

from typing import TYPE_CHECKING

from qscore.numbers import fmt, plain

if TYPE_CHECKING:  # `qscore history` imports this module: it starts without the engine
    from qscore.model import Indicator
    from qscore.rounds.archive import Round, Standing
    from qscore.rounds.compare import Comparison, IndicatorChange, IndicatorFigures, Place, UnitChange
    from qscore.writing.report import YearOverYear
    from qscore.writing.sheetrows import Runs, SheetRows

#: Rows a worksheet holds under its header (Excel's limit, 1,048,576, less one).
SHEET_ROWS = 1_048_575


#: In a column of ``str()`` texts: an exponent, a negative zero or a missing figure.
_NOT_PLAIN = re.compile(r"E|-0(?:\.0+)?(?![0-9.])|None")


def _text(number: Decimal | None) -> str:
    """A figure with every digit it has (no exponent, never -0.00), "" for none."""
    return "" if number is None else plain(number)


def _texts(figures: Sequence[Decimal | None]) -> list[str]:
    """A column of figures as :func:`_text` writes them: ``str()`` in one sweep, which
    is the same text unless it chose an exponent or a negative zero (rare)."""
    texts = list(map(str, figures))
    if _NOT_PLAIN.search("\x1f".join(texts)):
        return list(map(_text, figures))
    return texts


def _signed(number: Decimal | None) -> str:
    """A change with its sign: +0.57, -0.80, 0.00."""
    if number is None:
        return ""
    return f"{number:+f}" if number else f"{abs(number):f}"


def _rank_change(old: Place | None, new: Place | None) -> str:
    if old is None or new is None:
        return ""
    moved = old.rank - new.rank
    return f"↑{moved}" if moved > 0 else f"↓{-moved}" if moved < 0 else "持平"


def _tier_change(old: Place | None, new: Place | None) -> str:
    tiers = [_tier(place) for place in (old, new) if place is not None and place.tier]
    if len(tiers) == 2 and tiers[0] != tiers[1]:
        return f"{tiers[0]} → {tiers[1]}"
    return tiers[-1] if tiers else ""


def _tier(place: Place) -> str:
    """A year's grade or tier, and the veto that put the unit there."""
    return f"{place.tier}（一票否决）" if place.vetoed else place.tier or ""


def _value(value: Decimal | str | None, indicator: Indicator) -> str:
    if value is None:
        return "无数据"
    if isinstance(value, str):
        return value
    return f"{fmt(value)}%" if indicator.unit == "%" else fmt(value)


def _years(comparison: Comparison) -> tuple[str, str]:
    return f"{comparison.old_year}年", f"{comparison.new_year}年"


# -- table -----------------------------------------------------------------------------------

def comparison_table(comparison: Comparison) -> bytes:
    """The units' totals, ranks and tiers in both years with what moved each total, then
    each unit's indicators; a unit's name on one line, its line breaks written out: the
    bytes of :func:`comparison_table_chunks`, joined."""
    return b"".join(comparison_table_chunks(comparison))


def comparison_table_chunks(comparison: Comparison) -> Iterator[bytes]:
    """:func:`comparison_table`'s text in pieces of :data:`UNITS_PER_CHUNK` units, each
    made when it is asked for.  The units' table is as wide as its widest cells: a first
    pass over the pieces keeps its columns' widths only, and the second lays out each
    piece's rows at those widths."""
    old, new = _years(comparison)
    ruleset = comparison.ruleset
    lines = [f"{ruleset.title}：{comparison.old_year}年度 → {comparison.new_year}年度",
             f"{old}：{comparison.old_source}；{new}：{comparison.new_source}",
             f"数据影响 = {new}数据按{old}目标计分 − {old}得分；目标影响 = {new}得分 − {new}数据按{old}目标计分；"
             "两者之和即变化。", ""]
    runs = [slice(start, start + UNITS_PER_CHUNK) for start in range(0, len(comparison), UNITS_PER_CHUNK)]
    header = _summary_header(comparison)
    widths = [wcswidth(name) + 2 for name in header]
    for run in runs:
        widths = list(map(max, widths, _widest(_summary_rows(comparison, run))))
    # A header as wide as its column, less the two columns every header gets: each piece
    # is then laid out as the whole table would be.
    wide = [name + " " * (width - 2 - wcswidth(name)) for name, width in zip(header, widths)]
    yield "\n".join(lines + _table(wide, [])).encode("utf-8")
    for run in runs:
        yield "".join("\n" + line for line in _table(wide, _summary_rows(comparison, run))[2:]).encode("utf-8")
    yield b"\n"  # the line between the units' table and the first unit
    sections = _unit_sections(comparison)
    for _run in runs:
        yield "".join(islice(sections, UNITS_PER_CHUNK)).encode("utf-8")


def _unit_sections(comparison: Comparison) -> Iterator[str]:
    """Each unit's heading and table of indicators, each line after a line break, then a
    blank line; made :data:`UNITS_PER_CHUNK` units at a time."""
    from qscore.controls import escape_controls

    old, new = _years(comparison)
    names = {indicator.id: indicator for indicator in comparison.ruleset.indicators}
    header = ["指标", f"{old}实际值", f"{old}目标", f"{old}得分", f"{new}实际值", f"{new}目标", f"{new}得分",
              "变化", "数据影响", "目标影响"]
    for start in range(0, len(comparison), UNITS_PER_CHUNK):
        for unit in comparison.unit_changes(slice(start, start + UNITS_PER_CHUNK)):
            lines = [escape_controls(_unit_heading(unit, old, new), one_line=True),
                     *_table(header, [_indicator_row(change, names[change.indicator]) for change in unit.indicators]),
                     ""]
            yield "".join("\n" + line for line in lines)


def wcswidth(text: str) -> int:
    """Columns ``text`` takes on a terminal (wide characters count two)."""
    from wcwidth import wcswidth as width

    return int(width(text))


def _widest(rows: list[list[str]]) -> list[int]:
    """Per column, the width of its widest cell as :func:`_table` lays it out."""
    from qscore.controls import escape_controls

    if not rows:
        return []
    names, *figures = zip(*rows)
    columns = [[escape_controls(name, one_line=True) for name in names], *figures]
    return [max(map(wcswidth, {text.strip() for text in column})) for column in columns]


def _table(header: list[str], rows: list[list[str]]) -> list[str]:
    """The lines of ``rows`` under ``header``, laid out as ``qscore rank``'s table is: a
    row a line, the names in its first column (a unit's, an indicator's) with their
    line breaks and other control characters written out."""
    from qscore.controls import escape_controls
    from qscore.writing.text import plain_table

    if not rows:
        return plain_table(header, [[] for _ in header])
    names, *figures = zip(*rows)
    return plain_table(header, [[escape_controls(name, one_line=True) for name in names], *figures])


def _summary_header(comparison: Comparison) -> list[str]:
    old, new = _years(comparison)
    header = ["单位", f"{old}总分", f"{new}总分", "变化", "数据影响", "目标影响", f"{old}排名", f"{new}排名", "名次变化"]
    return header + (["等次"] if comparison.ruleset.classification is not None else [])


def _summary_rows(comparison: Comparison, run: slice) -> list[list[str]]:
    """Per unit of the run ``run`` of shown units: both years' totals, the change and its
    two effects, both ranks and the move, and the tiers."""
    tiered = comparison.ruleset.classification is not None
    places = {year: comparison.places(year, run) for year in ("old", "new")}
    totals = comparison.totals()
    rows = []
    for k, n in enumerate(range(*run.indices(len(comparison)))):
        old, new = places["old"][k], places["new"][k]
        row = [comparison.units[n], _text(_total(old)), _text(_total(new)), _signed(totals.change[n]),
               _signed(totals.data_effect[n]), _signed(totals.target_effect[n]), _rank(old), _rank(new),
               _rank_change(old, new)]
        rows.append(row + ([_tier_change(old, new)] if tiered else []))
    return rows


def year_over_year(comparison: Comparison) -> YearOverYear:
    """The comparison as the report's year-over-year view
    (:func:`qscore.writing.report.html_report`): the table, and each unit's change in a line."""
    from qscore.writing.report import YearOverYear

    old, new = _years(comparison)
    return YearOverYear(old_year=comparison.old_year, old_source=comparison.old_source, notes=comparison.notes,
                        header=_summary_header(comparison), rows=_summary_rows(comparison, slice(None)),
                        changes={unit.unit: _change_line(unit, old, new) for unit in comparison})


def _change_line(unit: UnitChange, old: str, new: str) -> str:
    moved = _rank_change(unit.old, unit.new)
    return _unit_heading(unit, old, new) + (f"；名次 {_rank(unit.old)} → {_rank(unit.new)}（{moved}）" if moved else "")


def _total(place: Place | None) -> Decimal | None:
    return None if place is None else place.total


def _rank(place: Place | None) -> str:
    return "" if place is None else str(place.rank)


def _unit_heading(unit: UnitChange, old: str, new: str) -> str:
    if unit.old is None:
        return f"【{unit.unit}】{old}无此单位；{new}总分 {_text(_total(unit.new))}"
    if unit.new is None:
        return f"【{unit.unit}】{old}总分 {_text(unit.old.total)}；{new}无此单位"
    vetoed = "、".join(year for year, place in ((old, unit.old), (new, unit.new)) if place.vetoed)
    return (f"【{unit.unit}】总分 {old} {_text(unit.old.total)} → {new} {_text(unit.new.total)}，"
            f"变化 {_signed(unit.change)}（数据影响 {_signed(unit.data_effect)}，目标影响 {_signed(unit.target_effect)}）"
            + (f"；{vetoed}一票否决，不论总分排在最后" if vetoed else ""))


def _indicator_row(change: IndicatorChange, indicator: Indicator) -> list[str]:
    unit = f"（{indicator.unit}）" if indicator.unit else ""
    row = [f"{indicator.name}{unit}"]
    for figures in (change.old, change.new):
        row += (["", "", ""] if figures is None else
                [_value(figures.value, indicator),
                 "" if figures.target is None else _value(figures.target, indicator), _text(figures.points)])
    return row + [_signed(change.change), _signed(change.data_effect), _signed(change.target_effect)]


# -- CSV -------------------------------------------------------------------------------------

def comparison_csv(comparison: Comparison) -> bytes:
    """One row per unit, as ``qscore rank``'s CSV: both years' rank, tier and total, the
    change and its two effects, then each indicator's data and target effects.  UTF-8
    with a BOM and CRLF line ends, for Excel: the bytes of :func:`comparison_csv_chunks`,
    joined."""
    return b"".join(comparison_csv_chunks(comparison))


def comparison_csv_chunks(comparison: Comparison) -> Iterator[bytes]:
    """:func:`comparison_csv`'s file in pieces: the header, then the rows of
    :data:`UNITS_PER_CHUNK` units at a time, each piece's effects worked out when it is
    asked for, so that a national comparison's millions of figures are never held whole
    (each row is written as :func:`~qscore.writing.text.csv_text` writes it on its own)."""
    from qscore.writing.text import csv_text, safe_text

    header, columns = _summary_columns(comparison, safe_text)
    indicators = comparison.ruleset.indicators
    for indicator in indicators:
        header += [safe_text(f"{indicator.name}（数据影响）"), safe_text(f"{indicator.name}（目标影响）")]
    yield ("\ufeff" + csv_text([header])).encode("utf-8")
    for start in range(0, len(comparison), UNITS_PER_CHUNK):
        units = slice(start, start + UNITS_PER_CHUNK)
        effects = [comparison.indicator_effect(position, units) for position in range(len(indicators))]
        figures = [texts for effect in effects for texts in (_texts(effect.data_effect), _texts(effect.target_effect))]
        yield csv_text(list(map(list, zip(*(column[units] for column in columns), *figures)))).encode("utf-8")


def _summary_columns(comparison: Comparison, text: Callable[[str], str]) -> tuple[list[str], list[list[Any]]]:
    """Header and columns of the units' summary: CSV and the XLSX 单位对比 sheet."""
    old, new = _years(comparison)
    ranks = {year: comparison.column(year, "rank") for year in ("old", "new")}
    totals = comparison.totals()
    header = ["单位", f"{old}排名", f"{new}排名", "名次变化"]
    columns: list[list[Any]] = [
        list(map(text, comparison.units)),
        *(["" if rank is None else str(rank) for rank in ranks[year]] for year in ("old", "new")),
        ["" if a is None or b is None else str(a - b) for a, b in zip(ranks["old"], ranks["new"])]]
    if comparison.ruleset.classification is not None:
        header += [f"{old}等次", f"{new}等次"]
        columns += [["" if rank is None else text(tier or "") for rank, tier in
                     zip(ranks[year], comparison.column(year, "tier"))] for year in ("old", "new")]
    header += [f"{old}总分", f"{new}总分", "变化", "数据影响", "目标影响"]
    columns += [_texts(comparison.column("old", "total")), _texts(comparison.column("new", "total")),
                _texts(totals.change), _texts(totals.data_effect), _texts(totals.target_effect)]
    return [text(h) for h in header], columns


# -- JSON ------------------------------------------------------------------------------------

def comparison_json(comparison: Comparison) -> bytes:
    """Every unit with ``unit``, ``old``, ``new`` (each ``total``, ``rank``, ``tier``),
    ``change``, ``data_effect``, ``target_effect`` and ``indicators``: the bytes of
    :func:`comparison_json_chunks`, joined."""
    return b"".join(comparison_json_chunks(comparison))


#: Units per piece of :func:`comparison_csv_chunks` and :func:`comparison_json_chunks`: a
#: national comparison's piece is a third of a megabyte of CSV, a megabyte or two of JSON.
UNITS_PER_CHUNK = 500


def comparison_json_chunks(comparison: Comparison) -> Iterator[bytes]:
    """:func:`comparison_json`'s document in pieces of :data:`UNITS_PER_CHUNK` units, each
    made when it is asked for, so that a national comparison is never held whole: the
    units are laid out as :func:`~qscore.writing.text.json_text` lays out the whole
    document (``json.dumps(..., indent=2)``'s layout, figures with their exact digits)."""
    from qscore.writing.text import json_text  # imported when used: it brings the result model

    ruleset = comparison.ruleset
    head: dict[str, Any] = {
        "ruleset": ruleset.id, "title": ruleset.title,
        "old": {"year": comparison.old_year, "source": comparison.old_source},
        "new": {"year": comparison.new_year, "source": comparison.new_source},
        "notes": list(comparison.notes),
    }
    if not len(comparison):
        yield _json({**head, "units": []})
        return
    opening = json_text(head).removesuffix("\n}")
    yield f'{opening},\n  "units": [\n'.encode("utf-8")
    texts = _unit_texts(comparison)
    for start in range(0, len(comparison), UNITS_PER_CHUNK):
        piece = ",\n".join(islice(texts, UNITS_PER_CHUNK))
        yield (piece if start == 0 else ",\n" + piece).encode("utf-8")
    yield b"\n  ]\n}\n"


def _unit_texts(comparison: Comparison) -> Iterator[str]:
    """Each unit as ``json_text(unit_change_json(unit, names), "    ")`` writes it, four
    spaces in, read a column at a time, :data:`UNITS_PER_CHUNK` units at a time: the keys
    and the indicators' ids and names written once, each indicator's value, target and
    points encoded once per distinct figure, and no unit's objects made."""
    from qscore.writing.text import json_string, json_text

    heads = [f'{{\n          "id": {json_string(i.id)},\n          "name": {json_string(i.name)},\n          "old": '
             for i in comparison.ruleset.indicators]
    places = {year: list(zip(*(comparison.column(year, field) for field in ("total", "rank", "tier"))))
              for year in ("old", "new")}
    tiers = {tier: json_text(tier) for year in ("old", "new") for tier in set(comparison.column(year, "tier"))}
    nulls = ["null"] * len(heads)  # the figures of a unit not in that year's batch
    totals = comparison.totals()
    for start in range(0, len(comparison), UNITS_PER_CHUNK):
        run = slice(start, start + UNITS_PER_CHUNK)
        figures = {year: list(zip(*(comparison.result_rows(year, field, json_text, run)
                                    for field in ("value", "target", "points")))) for year in ("old", "new")}
        effects = [comparison.indicator_effect(n, run) for n in range(len(heads))]
        for k, name in enumerate(comparison.units[run]):
            n = start + k
            old, new = (_place_text(places[year][n], tiers) for year in ("old", "new"))
            if heads:
                olds, news = (nulls if row[0] is None else _figures_texts(*row)
                              for row in (figures["old"][k], figures["new"][k]))
                blocks = ",\n        ".join([
                    f'{head}{olds[i]},\n          "new": {news[i]},'
                    f'\n          "change": {json_text(effects[i].change[k])},'
                    f'\n          "data_effect": {json_text(effects[i].data_effect[k])},'
                    f'\n          "target_effect": {json_text(effects[i].target_effect[k])}\n        }}'
                    for i, head in enumerate(heads)])
                indicators = f"[\n        {blocks}\n      ]"
            else:
                indicators = "[]"
            yield (f'    {{\n      "unit": {json_string(name)},\n      "old": {old},\n      "new": {new},\n'
                   f'      "change": {json_text(totals.change[n])},\n'
                   f'      "data_effect": {json_text(totals.data_effect[n])},\n'
                   f'      "target_effect": {json_text(totals.target_effect[n])},\n'
                   f'      "indicators": {indicators}\n    }}')


def _place_text(place: tuple[Decimal | None, int | None, str | None], tiers: dict[str | None, str]) -> str:
    """A unit's ``old`` or ``new`` object (total, rank, tier) laid out as in
    :func:`_unit_texts`, ``null`` for a unit not in that year's batch; ``tiers``: each
    tier's name encoded."""
    from qscore.writing.text import json_text

    total, rank, tier = place
    if rank is None:
        return "null"
    return (f'{{\n        "total": {json_text(total)},\n        "rank": {json_text(rank)},\n'
            f'        "tier": {tiers[tier]}\n      }}')


def _figures_texts(values: Sequence[str], targets: Sequence[str], points: Sequence[str]) -> list[str]:
    """A unit's figures of each indicator in one year (value, target, points, each
    encoded) laid out as in :func:`_unit_texts`."""
    return [f'{{\n            "value": {value},\n            "target": {target},\n            "points": {point}'
            '\n          }' for value, target, point in zip(values, targets, points)]


def unit_change_json(unit: UnitChange, names: dict[str, str]) -> dict[str, Any]:
    """One unit of :func:`comparison_json`'s ``units``, figures as Decimals; ``names``:
    the indicators' names by id."""
    return {"unit": unit.unit, "old": _place_json(unit.old), "new": _place_json(unit.new),
            "change": unit.change, "data_effect": unit.data_effect, "target_effect": unit.target_effect,
            "indicators": [{"id": change.indicator, "name": names[change.indicator],
                            "old": _figures_json(change.old), "new": _figures_json(change.new),
                            "change": change.change, "data_effect": change.data_effect,
                            "target_effect": change.target_effect} for change in unit.indicators]}


def _json(document: dict[str, Any]) -> bytes:
    """``document`` as the JSON outputs write it: every figure with its exact digits."""
    from qscore.writing.text import json_text  # imported when used: it brings the result model

    return (json_text(document) + "\n").encode("utf-8")


def _place_json(place: Place | None) -> dict[str, Any] | None:
    if place is None:
        return None
    return {"total": place.total, "rank": place.rank, "tier": place.tier}


def _figures_json(figures: IndicatorFigures | None) -> dict[str, Any] | None:
    if figures is None:
        return None
    return {"value": figures.value, "target": figures.target, "points": figures.points}


# -- XLSX ------------------------------------------------------------------------------------

def comparison_xlsx(comparison: Comparison) -> bytes:
    """A workbook with the units' summary (单位对比) and every unit's indicators (指标对比,
    continued on further sheets past Excel's row limit): the bytes of
    :func:`comparison_xlsx_chunks`, joined."""
    return b"".join(comparison_xlsx_chunks(comparison))


def comparison_xlsx_chunks(comparison: Comparison) -> Iterator[bytes]:
    """:func:`comparison_xlsx`'s workbook in pieces read from disk.  XlsxWriter writes the
    workbook but the rows under each header, which go to disk as they are made
    (:mod:`~qscore.writing.sheetrows`): the indicators' rows :data:`UNITS_PER_CHUNK`
    units at a time, so a national comparison is never held as cells.  The workbook is
    written (or fails, leaving nothing) before this returns."""
    from qscore.writing.xlsx import packed_chunks

    return packed_chunks(lambda scratch, out: _write_workbook(comparison, scratch, out))


#: The columns of 指标对比 after the unit and the indicator's code, name and measure.
FIGURES: tuple[Literal["value", "target", "points"], ...] = ("value", "target", "points")


def _write_workbook(comparison: Comparison, scratch: Path, out: BinaryIO) -> None:
    import xlsxwriter

    from qscore.writing.xlsx import FIXED_CREATED, close_and_pack, sheets_of

    package = io.BytesIO()
    workbook = xlsxwriter.Workbook(package, {"in_memory": True, "strings_to_formulas": False,
                                             "strings_to_numbers": False, "strings_to_urls": False})
    workbook.set_properties({"title": comparison.ruleset.title, "created": FIXED_CREATED})
    styles = {"header": workbook.add_format({"bold": True, "text_wrap": True, "valign": "top"}),
              "quoted": workbook.add_format({"quote_prefix": True})}
    rows: dict[str, SheetRows] = {}

    def write() -> None:
        header, columns = _summary_columns(comparison, str)
        summary = list(zip(*columns))
        _write_sheet(workbook.add_worksheet("单位对比"), header, summary, summary, styles, scratch, rows)
        del summary, columns
        header = _detail_header(comparison)
        detail = chain.from_iterable(_detail_units(comparison))
        for number, (first, sheet_rows) in enumerate(sheets_of(detail, SHEET_ROWS)):
            name = "指标对比" if number == 0 else f"指标对比（{number + 1}）"
            _write_sheet(workbook.add_worksheet(name), header, sheet_rows, first, styles, scratch, rows)

    close_and_pack(workbook, package, write, rows, out)


def _detail_header(comparison: Comparison) -> list[str]:
    old, new = _years(comparison)
    return ["单位", "指标代码", "指标", "计量单位", f"{old}实际值", f"{old}目标", f"{old}得分",
            f"{new}实际值", f"{new}目标", f"{new}得分", "变化", "数据影响", "目标影响"]


def _detail_units(comparison: Comparison) -> Iterator[list[Runs]]:
    """Each unit's rows of 指标对比, one per indicator, made :data:`UNITS_PER_CHUNK` units at
    a time from the comparison's columns.  A row is three runs of cells (:class:`Runs`):
    the unit's name, the indicator's code, name and measure (laid out once each), and
    the figures."""
    from qscore.writing.sheetrows import Run, Runs

    labels = [Run(indicator.id, indicator.name, indicator.unit) for indicator in comparison.ruleset.indicators]
    absent = (None, None, None)
    for start in range(0, len(comparison), UNITS_PER_CHUNK):
        run = slice(start, start + UNITS_PER_CHUNK)
        figures = {year: list(zip(*(comparison.result_rows(year, field, None, run) for field in FIGURES)))
                   for year in ("old", "new")}
        effects = [comparison.indicator_effect(n, run) for n in range(len(labels))]
        for k, name in enumerate(comparison.units[run]):
            named = Run(name)
            old, new = figures["old"][k], figures["new"][k]
            yield [Runs(named, label, Run(*(absent if old[0] is None else (old[0][i], old[1][i], old[2][i])),
                                          *(absent if new[0] is None else (new[0][i], new[1][i], new[2][i])),
                                          effect.change[k], effect.data_effect[k], effect.target_effect[k]))
                   for i, (label, effect) in enumerate(zip(labels, effects))]


def _write_sheet(sheet: Any, header: list[str], rows: Iterable[Sequence[Any]], first: Sequence[Sequence[Any]],
                 styles: dict[str, Any], scratch: Path, written: dict[str, SheetRows]) -> None:
    """``header`` in the sheet's first row, then ``rows`` (to a file of rows in
    ``scratch``, put in ``written`` under the sheet's name); every figure a number in
    Excel's general format.  Column widths come from ``first``, the first rows."""
    from qscore.writing.sheetrows import RowWriter, SheetRows, column_name
    from qscore.writing.xlsx import column_widths, write_text

    for column, name in enumerate(header):
        write_text(sheet, 0, column, name, styles, styles["header"])
    path = scratch / f"rows-{len(written) + 1}.xml"
    with path.open("wb", buffering=1 << 20) as out:
        writer = RowWriter(out, sheet.name, len(header), general=range(len(header)), points=0,
                           quoted=styles["quoted"]._get_xf_index())  # XlsxWriter's, not public: see pyproject.toml
        for number, row in enumerate(rows, 1):
            writer.write(number, row)
    if writer.last >= 1:
        written[sheet.name] = SheetRows(path, f"A1:{column_name(len(header) - 1)}{writer.last + 1}")
    sheet.freeze_panes(1, 1)
    for column, width in enumerate(column_widths(header, first)):
        sheet.set_column(column, column, width)


#: ``compare``'s formats: name → (writer, file suffix).
COMPARISON_FORMATS: dict[str, tuple[Callable[[Comparison], bytes], str]] = {
    "table": (comparison_table, ".txt"), "csv": (comparison_csv, ".csv"), "json": (comparison_json, ".json"),
    "xlsx": (comparison_xlsx, ".xlsx"),
}
#: The formats ``compare`` writes to a file a piece at a time: name → the same bytes as
#: its writer's, in pieces.
COMPARISON_STREAMS: dict[str, Callable[[Comparison], Iterator[bytes]]] = {
    "table": comparison_table_chunks, "csv": comparison_csv_chunks, "json": comparison_json_chunks,
    "xlsx": comparison_xlsx_chunks}


# -- history ---------------------------------------------------------------------------------

def _status(round: Round) -> str:
    return "现行" if round.current else f"已被第{round.superseded_by}轮取代"


def _on_track(standing: Standing) -> str:
    interim = standing.round.year < standing.round.horizon_year
    return f"{standing.assessed}项中{standing.met}项{'进度达标' if interim else '达标'}"


def history_table(archive: str, unit: str, standings: Sequence[Standing]) -> bytes:
    """A unit's totals, ranks and tiers across the recorded years, one block per ruleset,
    laid out by :func:`_table` (without tabulate's import)."""
    lines = [f"{unit} 的历年考核结果（{archive}）", ""]
    for ruleset in dict.fromkeys(s.round.ruleset for s in standings):
        mine = [s for s in standings if s.round.ruleset == ruleset]
        tiered, tracked = any(s.tier for s in mine), any(s.on_path for s in mine)
        header = (["年度", "总分", "排名"] + (["等次"] if tiered else []) + (["进度"] if tracked else [])
                  + ["轮次", "状态"])
        rows = [[str(s.round.year), _text(s.total), f"{s.rank} / {s.round.unit_count}"]
                + ([s.tier or ""] if tiered else []) + ([_on_track(s)] if tracked else [])
                + [str(s.round.id), _status(s.round)] for s in mine]
        lines += [f"{mine[0].round.title}（{ruleset}）", *_table(header, rows), ""]
    return "\n".join(lines).encode("utf-8")


def history_json(archive: str, unit: str, standings: Sequence[Standing]) -> bytes:
    document = {"archive": archive, "unit": unit, "rounds": [
        {"round": s.round.id, "ruleset": s.round.ruleset, "year": s.round.year, "total": s.total,
         "rank": s.rank, "units": s.round.unit_count, "tier": s.tier,
         "on_track": {"assessed": s.assessed, "met": s.met} if s.on_path else None,
         "superseded_by": s.round.superseded_by} for s in standings]}
    return _json(document)


def rounds_table(archive: str, rounds: Sequence[Round]) -> bytes:
    """The rounds an archive holds."""
    from tabulate import tabulate

    rows = [[str(r.id), r.ruleset, str(r.year), str(r.unit_count), "；".join(s.name for s in r.sources),
             "；".join(s.sha256[:12] for s in r.sources), (r.ruleset_sha256 or "")[:12], r.qscore_version or "",
             _status(r)] for r in rounds]
    header = ["轮次", "规则集", "年度", "单位数", "数据文件", "数据 SHA-256", "规则集 SHA-256", "qscore 版本", "状态"]
    return (f"{archive} 中的考核轮次\n" + tabulate(rows, headers=header, disable_numparse=True) + "\n").encode("utf-8")


def rounds_json(archive: str, rounds: Sequence[Round]) -> bytes:
    document = {"archive": archive, "rounds": [
        {"round": r.id, "ruleset": r.ruleset, "title": r.title, "year": r.year, "units": r.unit_count,
         "ruleset_sha256": r.ruleset_sha256, "qscore_version": r.qscore_version,
         "sources": [{"file": s.name, "sha256": s.sha256} for s in r.sources],
         "superseded_by": r.superseded_by} for r in rounds]}
    return _json(document)
