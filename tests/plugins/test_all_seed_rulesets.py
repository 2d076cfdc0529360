"""Every shipped ruleset passes the lint and keeps the core properties, through the same
test kit a county's plug-in author uses."""

from __future__ import annotations

from pathlib import Path

import pytest

from qscore.testing import check_ruleset

RULESETS = sorted((Path(__file__).parents[2] / "plugins").glob("qscore_*/rulesets/*.toml"))


def test_the_seed_rulesets_are_all_here():
    assert len(RULESETS) == 10


@pytest.mark.parametrize("path", RULESETS, ids=lambda p: p.stem)
def test_seed_ruleset_validates_without_findings(path, cli):
    result = cli("validate", str(path))
    assert result.exit_code == 0, result.output
    assert result.output.startswith("✓ ") and "warning" not in result.output


@pytest.mark.parametrize("path", RULESETS, ids=lambda p: p.stem)
def test_seed_ruleset_keeps_the_core_properties(path, catalog):
    ruleset = catalog.ruleset(str(path))
    # Large rulesets (the department ones: 20–29 units × 27–44 indicators a batch) draw fewer batches.
    examples = 15 if len(ruleset.indicators) <= 25 else 8
    for year in sorted({ruleset.base_year + 1, ruleset.horizon_year}):
        check_ruleset(ruleset, catalog=catalog, year=year, max_examples=examples)
