"""Scoring a ruleset's worked examples (``[[examples]]``) and comparing with the hand-worked figures.

An example goes through the same path as an examiner's file: its inputs become a one-row
table that the data binder reads, so a header the binder would refuse is refused here too.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from qscore.errors import QscoreError
from qscore.model import Example, Ruleset
from qscore.numbers import fmt
from qscore.pipeline import score
from qscore.reading.table import RawTable

if TYPE_CHECKING:
    from qscore.plugins.manager import Catalog

UNIT_HEADER = "单位"


def example_table(example: Example, file: str) -> RawTable:
    """The example's inputs as the one-row table a reader would produce."""
    header = (UNIT_HEADER, *(column for column, _ in example.inputs))
    row = [example.name, *(cell for _, cell in example.inputs)]
    return RawTable(file=file, header=header, rows=[row], row_numbers=[2])


def check_example(ruleset: Ruleset, example: Example, catalog: Catalog | None = None) -> list[str]:
    """What differs between the example's expected figures and qscore's; empty when all agree.

    :param catalog: the plug-ins whose adjusters apply (default: the installed ones).
    """
    where = f"{ruleset.file or ruleset.id} [[examples]] '{example.name}'"
    try:
        batch = score(ruleset, example_table(example, where), year=example.year or ruleset.horizon_year,
                      catalog=catalog, partial=True)
    except QscoreError as exc:
        return [f"cannot be scored: {exc}"]
    unit = batch.units[0]
    found = {r.indicator: r.points for r in unit.indicators}
    problems = [f"points for '{indicator}': expected {fmt(expected)}, qscore gives {fmt(found[indicator])}"
                for indicator, expected in example.points if found[indicator] != expected]
    if example.total is not None and unit.total != example.total:
        problems.append(f"total: expected {fmt(example.total)}, qscore gives {fmt(unit.total)}")
    if example.tier is not None and unit.tier != example.tier:
        problems.append(f"tier: expected {example.tier}, qscore gives {unit.tier or 'none (no [classification])'}")
    return problems
