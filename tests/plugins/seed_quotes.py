"""Reading the seed plans the seed-jurisdiction rulesets quote.

The plans are kept byte for byte in ``tests/seeds/`` so the tests need nothing outside
the repository.  Text is compared after NFKC folding, because the plans mix full-width
and ASCII punctuation.
"""

from __future__ import annotations

import functools
import json
import re
import unicodedata
from decimal import Decimal
from pathlib import Path

import attrs
import pytest

from qscore.model import Adjustments, Indicator, Ruleset
from qscore.numbers import fmt
from qscore.plugins.manager import ALLOW_ENV, load_plugins

SEEDS = Path(__file__).parents[1] / "seeds"
EXAMPLES = Path(__file__).parents[2] / "examples"


def folded(text: str) -> str:
    return unicodedata.normalize("NFKC", text)


def seed_text(name: str) -> str:
    """The seed plan ``name`` (e.g. ``003_309ac1a153ce57e6.txt``), folded."""
    return folded((SEEDS / name).read_text(encoding="utf-8"))


def quote(indicator: Indicator) -> str:
    """The plan's words an indicator quotes: its ``source`` after the section, folded."""
    section, separator, words = indicator.source.partition("：")
    assert separator and words, f"{indicator.id}: source should read '<section>：<the plan's words>'"
    return folded(words)


def target_figures(indicator: Indicator) -> list[str]:
    """The numbers a target carries, as the plan would write them (13 for 下降13%)."""
    target = indicator.target
    numbers = [getattr(target, name, None) for name in ("value", "percent", "points", "annual_percent")]
    return [fmt(abs(n)) for n in numbers if isinstance(n, Decimal)]


def installed_ruleset(allow_plugins, plugin: str, ruleset_id: str) -> Ruleset:
    """The ruleset as the plug-in registers it through its entry point."""
    allow_plugins(plugin)
    entry = load_plugins().rulesets[ruleset_id]
    assert entry.plugin == plugin
    return entry.ruleset


@functools.cache
def loaded_ruleset(plugin: str, ruleset_id: str) -> Ruleset:
    """The installed ruleset, loaded once, for property tests (which cannot use
    function-scoped fixtures); only ``plugin`` is allowed to load."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(ALLOW_ENV, plugin)
        return load_plugins().rulesets[ruleset_id].ruleset


def only(ruleset: Ruleset, *indicator_ids: str) -> Ruleset:
    """The ruleset cut down to some indicators (and no items, and no roster), so a few
    columns of a unit or two are data enough."""
    kept = tuple(i for i in ruleset.indicators if i.id in indicator_ids)
    return attrs.evolve(ruleset, indicators=kept, adjustments=Adjustments(), roster=None)


def rank_json(cli, ruleset_id: str, data: Path, *extra: str) -> dict:
    result = cli("rank", ruleset_id, str(data), "--format", "json", *extra)
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    document["by_unit"] = {unit["unit"]: unit for unit in document["units"]}
    return document


def points(unit: dict, indicator: str) -> Decimal:
    entry = next(i for i in unit["indicators"] if i["id"] == indicator)
    return Decimal(str(entry["points"]))


def annex_rows() -> list[tuple[str, str, str, str, str, str]]:
    """石柱's annex table (seed 000) as (category, name, unit, 2023, 2027, lead), read from the text."""
    text = (SEEDS / "000_ae3be324c11ee3c0.txt").read_text(encoding="utf-8")
    table = text.split("附件\n\n石柱县质量发展主要指标\n", 1)[1]
    blocks = [b for b in table.split("\n\n") if "\t" in b][1:]  # the first is the header row
    rows, category = [], ""
    for block in blocks:
        cells = [cell.replace("\n", "").strip() for cell in block.split("\t")[1:]]
        category = cells[0] or category
        name, unit = re.fullmatch(r"(.*?)(?:（([^（）]+)）)?", cells[1]).groups()
        rows.append((category, name, unit or "", cells[2], cells[3], cells[4]))
    return rows
