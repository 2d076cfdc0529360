"""A merged workbook qscore wrote (``qscore merge -o 汇总.xlsx``) read back: each value's
source from its 来源 sheet, and what it still lacks.

The pipeline reads the workbook's 汇总 and 来源 sheets as it reads any data
(:func:`qscore.pipeline.read_submission`); this module only reconciles them.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal, InvalidOperation

import attrs

from qscore.collect.forms import MERGED_SHEET, SOURCE_HEADERS, SOURCES_SHEET, value_text
from qscore.collect.merge import Missing, missing_values
from qscore.model import Notice, Ruleset, Source
from qscore.reading.binding import Dataset
from qscore.reading.table import RawTable


def merged_workbook(dataset: Dataset, recorded: RawTable | None, ruleset: Ruleset, year: int) -> Dataset:
    """A merged workbook's values (bound with their cells as sources) with the sources its
    来源 sheet ``recorded`` gives (a value since changed in the workbook keeps the
    workbook's cell as its source, with a notice), and a notice of what is still missing
    from the form of ``year``."""
    notices = list(dataset.notices)
    sources = dict(dataset.sources or {})
    if recorded is not None:
        notices += _recorded_sources(recorded, dataset, sources)
    dataset = attrs.evolve(dataset, sources=sources)
    missing = missing_values(ruleset, dataset, year)
    if missing:
        notices.append(missing_notice(missing, dataset.file, f"the sheet {MERGED_SHEET} still lacks",
                                      sheet=dataset.sheet))
    return attrs.evolve(dataset, notices=tuple(notices))


def _recorded_sources(recorded: RawTable, dataset: Dataset, sources: dict[tuple[str, str], Source]) -> list[Notice]:
    """Take each value's source from the 来源 sheet where the value is still the one
    recorded; a notice for each that is not."""
    notices = []
    positions = {unit: n for n, unit in enumerate(dataset.units)}
    if tuple(recorded.header) != SOURCE_HEADERS:
        return [Notice("source", f"the sheet {SOURCES_SHEET} is not headed {', '.join(SOURCE_HEADERS)}: each value's "
                                 "source is taken to be its cell in this workbook", file=dataset.file,
                       sheet=SOURCES_SHEET)]
    for row, cells in zip(recorded.row_numbers, recorded.rows):
        unit, name, key, written, file, sheet, cell = (cell.strip() for cell in cells[:7])
        position = positions.get(unit)
        here = sources.get((unit, key))
        if position is None or not _known(dataset, key):
            notices.append(Notice("source", f"names unit '{unit}' and column '{name}', which the sheet "
                                            f"{MERGED_SHEET} does not hold: not used", file=dataset.file,
                                  sheet=SOURCES_SHEET, row=row))
            continue
        now = value_text(_value_of(dataset, position, key))
        if _same_text(now, written) and here is not None:
            sources[(unit, key)] = Source(file, cell, sheet or None)
            continue
        shown = f"{here.sheet}!{here.cell}" if here is not None else name
        notices.append(Notice("source", f"{unit} {name}: {MERGED_SHEET} holds {now or 'nothing'} where {file} "
                                        f"{sheet + '!' if sheet else ''}{cell} gave {written or 'nothing'}; it was "
                                        f"changed in this workbook, which is taken as its source ({shown})",
                              file=dataset.file, sheet=dataset.sheet, cell=here.cell if here is not None else None))
    return notices


def _known(dataset: Dataset, key: str) -> bool:
    thing, at, field = key.partition("@")
    return (thing, field) in dataset.figures if at else thing in dataset.values or thing in dataset.items


def _value_of(dataset: Dataset, position: int, key: str) -> object:
    thing, at, field = key.partition("@")
    if at:
        return dataset.figures[(thing, field)][position]
    column = dataset.values.get(thing)
    return column[position] if column is not None else dataset.items[thing][position]


def _same_text(one: str, other: str) -> bool:
    try:
        return Decimal(one) == Decimal(other)
    except InvalidOperation:
        return one == other


def missing_notice(missing: Sequence[Missing], file: str, what: str, sheet: str | None = None) -> Notice:
    """One notice of what is still missing, with the first few (``qscore merge`` lists them all)."""
    shown = "; ".join(f"{m.unit} {m.column.header}" for m in missing[:5])
    more = f" … ({len(missing) - 5} more)" if len(missing) > 5 else ""
    return Notice("missing", f"{what} {len(missing)} value(s) the form asks for, scored as missing: {shown}{more} "
                             "(qscore merge lists them all, by unit and by lead department)", file=file, sheet=sheet)
