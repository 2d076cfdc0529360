"""``qscore --help`` starts fast: it imports no engine, no plug-ins and no table printer."""

from __future__ import annotations

import json
import subprocess
import sys

SCRIPT = """
import json, sys
from qscore.cli import main
try:
    main(["--help"])
except SystemExit:
    pass
print(json.dumps(sorted(sys.modules)), file=sys.stderr)
"""


def test_help_imports_only_the_command_line() -> None:
    done = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True, check=True)
    assert "Score, rank and tier" in done.stdout
    loaded = set(json.loads(done.stderr))
    ours = {name for name in loaded if name.startswith("qscore")}
    assert ours == {"qscore", "qscore.plugins", "qscore.plugins.hookspecs", "qscore.cli", "qscore.cli.app",
                    "qscore.cli.analysis", "qscore.cli.authoring", "qscore.cli.collect", "qscore.cli.report",
                    "qscore.cli.rounds", "qscore.cli.rulesets", "qscore.cli.scoring"}
    assert not loaded & {"attr", "attrs", "tabulate", "decimal", "csv", "importlib.metadata"}
