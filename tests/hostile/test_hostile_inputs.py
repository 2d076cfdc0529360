"""An input qscore may not read is named, never an internal error."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from hostile_kit import RULESET, UNITS, copy_inputs, files, run_qscore

# As root every folder is readable; without the capability to override permissions
# (setpriv drops it) root meets them as any user does.
AS_A_USER = (["setpriv", "--bounding-set", "-dac_override,-dac_read_search"] if os.geteuid() == 0 else [])
needs_permissions = pytest.mark.skipif(os.geteuid() == 0 and not shutil.which("setpriv"),
                                       reason="running as root without setpriv: every folder is readable")


@pytest.fixture
def locked(tmp_path: Path):
    folder = tmp_path / "locked"
    copy_inputs(folder, RULESET, UNITS)
    folder.chmod(0)
    yield folder
    folder.chmod(0o755)


@needs_permissions
@pytest.mark.parametrize(("args", "message"), [
    (["rank", "township.toml", "locked/townships.csv"],
     "Error: locked/townships.csv: cannot read the file: permission denied\n"),
    (["rank", "locked/township.toml", "townships.csv"],
     "Error: locked/township.toml: cannot read the ruleset: permission denied\n"),
    (["import-table", "locked/townships.csv"],
     "Error: locked/townships.csv: cannot read the file: permission denied\n"),
], ids=["data", "ruleset", "import-table"])
def test_a_file_in_an_unreadable_folder_is_named(tmp_path, locked, args, message):
    copy_inputs(tmp_path, RULESET, UNITS)
    locked.chmod(0o755)
    before = files(tmp_path)
    locked.chmod(0)
    done = run_qscore(args, cwd=tmp_path, prefix=AS_A_USER)
    assert (done.returncode, done.stderr, done.stdout) == (1, message, "")
    locked.chmod(0o755)
    assert files(tmp_path) == before
