"""Across every seed ruleset: a count's target is a whole number in every year of the
plan (or judged only at the horizon), and every example lists exactly its roster."""

from __future__ import annotations

import csv
from decimal import Decimal
from pathlib import Path

import pytest

from qscore.errors import MissingFigure
from qscore.reading.binding import COUNT_UNITS
from qscore.targets import Figures, Timing

ROOT = Path(__file__).parents[2]
RULESETS = sorted((ROOT / "plugins").glob("qscore_*/rulesets/*.toml"))
# Each example file and the ruleset it is data for.
EXAMPLES = {
    "shizhu/county-2024.csv": "shizhu-county", "shizhu/county-2025.csv": "shizhu-county",
    "shizhu/townships-2025.csv": "shizhu-township", "shizhu/members-2025.csv": "shizhu-members",
    "chongqing/districts-2025.csv": "chongqing-districts", "guizhou/prefectures-2025.csv": "guizhou-prefectures",
    "kaizhou/towns-2027.csv": "kaizhou-towns", "kaizhou/departments-2027.csv": "kaizhou-departments",
    "lixian/departments-2027.csv": "lixian-departments",
    "yongchuan/towns-2027.csv": "yongchuan-towns", "yongchuan/departments-2027.csv": "yongchuan-departments",
}
# Baselines a count may bring with its data where the plan gives none: whole numbers.
DATA_BASELINES = (Decimal(0), Decimal(7), Decimal(45))


def test_every_example_file_is_listed():
    assert sorted(str(p.relative_to(ROOT / "examples")) for p in (ROOT / "examples").glob("*/*.csv")) == \
        sorted(EXAMPLES)


@pytest.mark.parametrize("path", RULESETS, ids=lambda p: p.stem)
def test_a_counts_target_is_whole_in_every_year_of_the_plan(path, catalog):
    ruleset = catalog.ruleset(str(path))
    counts = [i for i in ruleset.indicators if i.unit in COUNT_UNITS and i.target is not None]
    for indicator in counts:
        target = indicator.target
        if target.interim == "none":
            # a density counted in 件 (每万人口…, 每万户…) is not a count of items
            assert indicator.name.startswith("每万"), f"{indicator.id}: a count kept fractional"
            continue
        base_year = indicator.baseline_year or ruleset.base_year
        baselines = (indicator.baseline,) if indicator.baseline is not None else (None, *DATA_BASELINES)
        for year in range(base_year, ruleset.horizon_year + 1):
            for baseline in baselines:
                try:
                    value = target.resolve(Figures(baseline=baseline), Timing(base_year, ruleset.horizon_year, year))
                except MissingFigure:
                    continue  # a reference, last year's value or the batch: the data's own figure
                assert value == value.to_integral_value(), (indicator.id, year, baseline, value)


@pytest.mark.parametrize("example, ruleset_id", sorted(EXAMPLES.items()))
def test_each_example_lists_exactly_its_roster(example, ruleset_id, catalog):
    ruleset = next(catalog.ruleset(str(p)) for p in RULESETS if p.stem == ruleset_id)
    with open(ROOT / "examples" / example, encoding="utf-8-sig", newline="") as handle:
        units = [row[0] for row in list(csv.reader(handle))[1:]]
    assert ruleset.roster is not None and ruleset.roster.source and ruleset.roster.as_of, ruleset_id
    assert len(units) == len(set(units))
    assert sorted(units) == sorted(ruleset.roster.units), (
        f"not on the roster: {sorted(set(units) - set(ruleset.roster.units))}; "
        f"missing: {sorted(set(ruleset.roster.units) - set(units))}")


@pytest.mark.parametrize("path", RULESETS, ids=lambda p: p.stem)
def test_every_ruleset_has_a_roster_with_its_source_and_date(path, catalog):
    roster = catalog.ruleset(str(path)).roster
    assert roster is not None and roster.units and roster.source and roster.as_of


@pytest.mark.parametrize("path", RULESETS, ids=lambda p: p.stem)
def test_no_score_out_of_100_is_judged_by_completion_ratio(path, catalog):
    # 84 against 85 is a 98.8 % ratio: a score (满意度, 指数, 评价, in 分) is judged by its shortfall instead
    for indicator in catalog.ruleset(str(path)).indicators:
        score = indicator.unit == "分" or any(word in indicator.name for word in ("满意度", "指数", "评价"))
        assert not (score and indicator.rule.type == "ratio"), indicator.id
