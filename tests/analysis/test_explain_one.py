"""``qscore explain`` works out the asked unit's explanations alone: they are the words the
whole batch scored with explanations gives that unit, on every seed example (排序赋分,
targets from the batch, per-unit figures, exempt units and missing cells among them)."""

from __future__ import annotations

from pathlib import Path

import pytest

from qscore.analysis.case import load_case
from qscore.plugins.manager import load_plugins
from qscore.scoring.engine import score_batch

EXAMPLES = Path(__file__).parents[2] / "examples"
CASES = [("shizhu-township", "shizhu/townships-2025.csv", 2025), ("shizhu-county", "shizhu/county-2025.csv", 2025),
         ("shizhu-members", "shizhu/members-2025.csv", 2025), ("chongqing-districts", "chongqing/districts-2025.csv", 2025),
         ("guizhou-prefectures", "guizhou/prefectures-2025.csv", 2023),
         ("kaizhou-towns", "kaizhou/towns-2027.csv", 2027), ("kaizhou-departments", "kaizhou/departments-2027.csv", 2027),
         ("lixian-departments", "lixian/departments-2027.csv", 2027),
         ("yongchuan-towns", "yongchuan/towns-2027.csv", 2027),
         ("yongchuan-departments", "yongchuan/departments-2027.csv", 2025)]


@pytest.mark.parametrize("ruleset, data, year", CASES)
def test_one_units_explanations_are_the_batchs(ruleset: str, data: str, year: int, allow_plugins) -> None:
    allow_plugins(ruleset.split("-")[0])
    case = load_case(ruleset, EXAMPLES / data, year=year, catalog=load_plugins())
    batch = case.score()
    explained = score_batch(case.ruleset, case.dataset, year=year, explain=True, adjusters=case.adjusters)
    assert batch.units
    for unit in explained.units:
        alone = case.explained(batch, unit.unit)
        assert [r.explanation for r in alone.indicators] == [r.explanation for r in unit.indicators]
        assert alone == unit
