"""The offline installation of docs/zh/install.md, run as written: wheels built on a
connected machine, a fresh virtual environment on the office machine installing from that
folder alone, then the README's main job; and the folder prepared for a Windows office
from another platform holds everything qscore needs there.

Opt-in (``pytest -m venv``; ``.ci/run`` runs it): the build uses the package index."""

from __future__ import annotations

import email.parser
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from packaging.requirements import Requirement
from packaging.tags import compatible_tags, cpython_tags
from packaging.utils import canonicalize_name, parse_wheel_filename

from qscore.cli import main
from qscore.plugins.manager import ALLOW_ENV

from guide import ROOT, marked

pytestmark = pytest.mark.venv
MAIN_JOB = ["rank", "shizhu-township", "examples/shizhu/townships-2025.csv", "--year", "2025"]
#: What a source folder holds; the rest of a working copy (.venv, .git, caches, builds)
#: is not part of what an office receives.
LEFT_OUT = shutil.ignore_patterns(".venv", ".git", "build", "*.egg-info", "__pycache__", ".pytest_cache",
                                  ".hypothesis", ".mypy_cache", "qscore-wheels", ".benchmarks")


def source_folder(tmp_path: Path, name: str) -> Path:
    folder = tmp_path / name
    shutil.copytree(ROOT, folder, ignore=LEFT_OUT)
    return folder


def connected_env() -> dict[str, str]:
    """A connected machine: this interpreter's pip, with the package index it is configured for."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("QSCORE_", "PYTEST"))}
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    return env


def office_env() -> dict[str, str]:
    """An office machine without internet: no pip configuration, no package index, no
    extra wheel folders, and any network access sent to a closed port."""
    env = {k: v for k, v in connected_env().items()
           if not k.startswith(("PIP_", "VIRTUAL_ENV", "PYTHON")) and k.lower() not in ("http_proxy", "https_proxy")}
    env.update(PIP_CONFIG_FILE=os.devnull, HTTP_PROXY="http://127.0.0.1:9", HTTPS_PROXY="http://127.0.0.1:9",
               http_proxy="http://127.0.0.1:9", https_proxy="http://127.0.0.1:9", PIP_DISABLE_PIP_VERSION_CHECK="1")
    return env


def run_block(name: str, cwd: Path, env: dict[str, str]) -> str:
    """The guide's block ``name``, line by line in one shell, as a reader types it."""
    script = "\n".join(marked(name).lines)
    done = subprocess.run(["bash", "-euo", "pipefail", "-c", script], cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=600)
    assert done.returncode == 0, f"{name}:\n{script}\n--- stdout\n{done.stdout}\n--- stderr\n{done.stderr}"
    return done.stdout


def main_job_output(monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.chdir(ROOT)
    monkeypatch.setenv(ALLOW_ENV, ",".join(p.name.removeprefix("qscore_") for p in (ROOT / "plugins").glob("qscore_*")))
    result = CliRunner().invoke(main, MAIN_JOB, prog_name="qscore", catch_exceptions=False)
    assert result.exit_code == 0
    return result.stdout


def test_the_office_installs_from_the_folder_of_wheels_alone_and_runs_the_main_job(tmp_path, monkeypatch):
    source = source_folder(tmp_path, "qscore")
    run_block("offline-build", source, connected_env())
    office = tmp_path / "office"
    office.mkdir()
    shutil.copytree(source / "qscore-wheels", office / "qscore-wheels")
    shutil.copytree(source / "examples", office / "examples")
    shown = run_block("offline-install", office, office_env())
    # The main job's table ends what the block prints (pip's lines come first), as it
    # comes out of this source tree.
    expected = main_job_output(monkeypatch)
    assert shown.endswith(expected), shown[-3000:]
    lines = expected.splitlines()
    assert lines[0] == "石柱县乡镇（街道）质量强县工作考核（2025年度）"
    assert len(lines) == 3 + 33 and lines[3].split() == ["1", "下路街道", "100.00", "优秀", "50.00", "50.00", "0",
                                                          "0", "否"]
    # What ran is the office's own install from the wheel, not this tree.
    where = subprocess.run([str(office / ".venv" / "bin" / "python"), "-c", "import qscore; print(qscore.__file__)"],
                           cwd=office, env=office_env(), capture_output=True, text=True, check=True).stdout
    assert where.startswith(str(office / ".venv" / "lib"))


#: The tags a 64-bit Windows CPython 3.11 installs.
WINDOWS_TAGS = {*cpython_tags((3, 11), abis=["cp311", "abi3", "none"], platforms=["win_amd64"]),
                *compatible_tags((3, 11), "cp311", ["win_amd64"])}
WINDOWS = {"sys_platform": "win32", "platform_system": "Windows", "os_name": "nt", "platform_machine": "AMD64",
           "python_version": "3.11", "python_full_version": "3.11.9", "implementation_name": "cpython",
           "platform_python_implementation": "CPython", "platform_release": "10", "extra": ""}


def requirements(wheel: Path) -> list[Requirement]:
    with zipfile.ZipFile(wheel) as archive:
        name = next(n for n in archive.namelist() if n.endswith(".dist-info/METADATA"))
        metadata = email.parser.Parser().parsestr(archive.read(name).decode("utf-8"))
    return [Requirement(line) for line in metadata.get_all("Requires-Dist") or ()]


def test_the_folder_prepared_for_a_windows_office_holds_all_qscore_needs_there(tmp_path):
    source = source_folder(tmp_path, "qscore")
    run_block("download-for-windows", source, connected_env())
    wheels = {}
    for wheel in (source / "qscore-wheels").glob("*.whl"):
        name, version, _, tags = parse_wheel_filename(wheel.name)
        assert tags & WINDOWS_TAGS, f"{wheel.name} does not install on 64-bit Windows CPython 3.11"
        wheels[name] = (version, wheel)
    # Every requirement, with its markers read as on Windows (pip reads them as on the
    # machine it runs on: click before 8.5 needs colorama on Windows only), is met by a
    # wheel in the folder.
    needed, seen = [Requirement("qscore")], set()
    while needed:
        requirement = needed.pop()
        name = canonicalize_name(requirement.name)
        assert name in wheels, f"the folder lacks {requirement}, which Windows needs"
        version, wheel = wheels[name]
        assert requirement.specifier.contains(version, prereleases=True), f"{wheel.name} does not meet {requirement}"
        if name not in seen:
            seen.add(name)
            needed += [r for r in requirements(wheel) if r.marker is None or r.marker.evaluate(WINDOWS)]
    assert {"qscore", "click", "numpy", "openpyxl"} <= seen and "colorama" in wheels
