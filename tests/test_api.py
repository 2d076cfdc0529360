"""The public face: ``qscore.score`` is the pipeline the command line runs, so it gives
the same units, totals, ranks and tiers; docs/api.md's example runs as written."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest

import qscore
from conftest import SEED_EXAMPLES

ROOT = Path(__file__).parent.parent
API_DOC = (ROOT / "docs" / "api.md").read_text(encoding="utf-8")


@pytest.mark.parametrize(("ruleset", "data", "year"), SEED_EXAMPLES, ids=lambda v: str(v))
def test_score_gives_what_rank_json_gives_for_every_seed(ruleset, data, year, allow_plugins, cli):
    allow_plugins("chongqing", "guizhou", "kaizhou", "lixian", "shizhu", "yongchuan")
    path = ROOT / "examples" / data
    result = cli("rank", ruleset, str(path), "--year", str(year), "--format", "json")
    assert result.exit_code == 0, result.output
    # Figures are JSON numbers with the Decimal's own digits: compared as written.
    figure = lambda value: None if value is None else f"{value:f}"  # noqa: E731
    expected = [(u["unit"], figure(u["total"]), u["rank"], u["tier"], u["vetoed"], figure(u["gap_to_next"]))
                for u in json.loads(result.stdout, parse_float=Decimal)["units"]]
    batch = qscore.score(ruleset, path, year=year)
    got = [(u.unit, figure(u.total), u.rank, u.tier, u.vetoed, figure(u.gap_to_next)) for u in batch.units]
    assert got == expected and len(got) > 0
    assert all(isinstance(u.total, Decimal) for u in batch.units)


def test_the_api_example_runs_as_written(allow_plugins, monkeypatch, capsys):
    allow_plugins("shizhu")
    monkeypatch.chdir(ROOT)
    code = re.search(r"```python\n(import qscore\n.*?)```", API_DOC, re.S).group(1)
    exec(compile(code, "docs/api.md", "exec"), {})
    printed = capsys.readouterr().out.splitlines()
    shown = re.search(r"print\(first.rank, first.unit, first.total, first.tier\)\s+# (.*)", code).group(1)
    assert printed[1] == shown
    assert printed[0] == "石柱县乡镇（街道）质量强县工作考核 2025 33"


def test_importing_qscore_loads_no_engine():
    script = "import json, sys, qscore; print(json.dumps(sorted(m for m in sys.modules if m.startswith('qscore'))))"
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    assert json.loads(done.stdout) == ["qscore"]


def test_the_public_names_resolve_and_unknown_ones_fail():
    for name in qscore.__all__:
        assert getattr(qscore, name) is not None
    assert qscore.Rule.__module__ == "qscore.rules.base" and qscore.RawTable.__module__ == "qscore.reading.table"
    with pytest.raises(AttributeError, match="has no attribute 'nothing'"):
        qscore.nothing  # noqa: B018
