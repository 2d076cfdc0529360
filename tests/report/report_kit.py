"""What the report tests share: the seed examples, running qscore in a subprocess, and
headless Chromium (the Debian package, never a browser playwright downloads)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).parent.parent.parent
EXAMPLES = ROOT / "examples"
DATA = ROOT / "tests" / "data"
TOWNSHIP, TOWNSHIPS = DATA / "township.toml", DATA / "townships.csv"
SEED_PLUGINS = "chongqing,guizhou,kaizhou,lixian,shizhu,yongchuan"

CHROMIUM = Path("/usr/bin/chromium")
#: How the tests start Chromium: headless, and quiet on the network by itself.
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync"]


def qscore(*args: str, cwd: Path | None = None, plugins: str = SEED_PLUGINS) -> subprocess.CompletedProcess[str]:
    """Run the real command line in a fresh process, with the seed plug-ins allowed."""
    env = {**os.environ, "QSCORE_LOAD_PLUGINS": plugins}
    env.pop("QSCORE_DEBUG", None)
    return subprocess.run([sys.executable, "-m", "qscore", *args], capture_output=True, text=True, env=env, cwd=cwd,
                          timeout=120)


#: Where the browser tests keep what they saw (a screenshot and the print-out), git-ignored.
ARTIFACTS = ROOT / "build" / "test-artifacts"


def chromium_or_skip() -> None:
    """Skip, saying why, where the browser tests cannot run; in CI (``CI`` set), where
    .ci/run installs the browser, fail instead, so that they are never skipped unseen."""
    missing = None
    if not CHROMIUM.is_file():
        missing = f"{CHROMIUM} is missing (apt-get install chromium fonts-noto-cjk; .ci/run installs them)"
    else:
        try:
            import playwright.sync_api  # noqa: F401
        except ImportError:
            missing = "playwright is not installed (pip install '.[test]')"
    if missing is not None:
        if os.environ.get("CI"):
            pytest.fail(f"the browser tests must run in CI: {missing}")
        pytest.skip(missing)
