"""Two years of the test township data compared, for the comparison's writers' tests."""

from __future__ import annotations

from pathlib import Path

from conftest import DATA

from qscore import load_ruleset
from qscore.model import ScoringOptions
from qscore.plugins.manager import load_plugins
from qscore.rounds.compare import Comparison, DataSource, compare

TOWNSHIP = DATA / "township.toml"
HEADER = "单位,食品抽检合格率（%）,流通领域药品抽检合格率,重点任务完成情况,获市长质量管理奖,发生重大质量安全事故\n"


def compared(folder: Path, old_rows: str, new_rows: str) -> Comparison:
    """``old_rows`` (2024) compared with ``new_rows`` (2025), each under :data:`HEADER`,
    written to ``folder``."""
    (folder / "old.csv").write_text(HEADER + old_rows, encoding="utf-8")
    (folder / "new.csv").write_text(HEADER + new_rows, encoding="utf-8")
    catalog = load_plugins()
    return compare(load_ruleset(TOWNSHIP, catalog=catalog), DataSource(str(folder / "old.csv"), 2024, ScoringOptions()),
                   DataSource(str(folder / "new.csv"), 2025, ScoringOptions()), catalog=catalog)
