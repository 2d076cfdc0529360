"""`qscore new-plugin NAME`: a plug-in that installs with pip and passes its own tests."""

from __future__ import annotations

import os
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[2]
EXPECTED_FILES = {"pyproject.toml", "README.md", "qscore_hubei_demo/__init__.py",
                  "qscore_hubei_demo/rulesets/hubei-demo.toml", "examples/units.csv", "tests/test_qscore_hubei_demo.py"}


@pytest.fixture
def generated(cli, tmp_path) -> Path:
    result = cli("new-plugin", "hubei-demo", "-d", str(tmp_path), "--title", "湖北省某县乡镇质量工作考核",
                 "--jurisdiction", "湖北省某县")
    assert result.exit_code == 0, result.output
    return tmp_path / "hubei-demo"


def test_the_plug_in_has_every_file_filled_in(generated):
    found = {str(p.relative_to(generated)) for p in generated.rglob("*") if p.is_file()}
    assert found == EXPECTED_FILES
    for name in found:
        assert "$" not in (generated / name).read_text(encoding="utf-8"), name


def test_its_pyproject_declares_the_entry_point_and_ships_the_rulesets(generated):
    project = tomllib.loads((generated / "pyproject.toml").read_text(encoding="utf-8"))
    assert project["project"]["name"] == "qscore-hubei-demo"
    assert project["project"]["entry-points"]["qscore"] == {"hubei-demo": "qscore_hubei_demo"}
    assert project["tool"]["setuptools"]["package-data"] == {"qscore_hubei_demo": ["rulesets/*.toml"]}
    assert "-p qscore.testing" in project["tool"]["pytest"]["ini_options"]["addopts"]


def test_its_ruleset_validates_cleanly_with_its_worked_example(cli, generated):
    path = generated / "qscore_hubei_demo" / "rulesets" / "hubei-demo.toml"
    result = cli("validate", str(path))
    assert result.exit_code == 0, result.output
    assert result.output == f"✓ {path}: hubei-demo, 3 indicators, full marks 100, 1 worked example(s) agree\n"
    assert 'title = "湖北省某县乡镇质量工作考核"' in path.read_text(encoding="utf-8")


def test_its_module_registers_the_ruleset_and_ranks_its_example_data(generated, qscore_catalog, monkeypatch):
    # The generated module, imported as pip would leave it, registers its ruleset through
    # importlib.resources; its example data then ranks through the real reader and engine.
    import importlib

    from qscore.reading.binding import bind
    from qscore.scoring.engine import score_batch
    from qscore.reading.table import ReadOptions

    monkeypatch.syspath_prepend(str(generated))
    module = importlib.import_module("qscore_hubei_demo")
    catalog = qscore_catalog(extra=[("hubei-demo", module)])
    assert catalog.rulesets["hubei-demo"].plugin == "hubei-demo"
    ruleset = catalog.ruleset("hubei-demo")
    data = generated / "examples" / "units.csv"
    batch = score_batch(ruleset, bind(catalog.reader_for(data).read(data, ReadOptions()), ruleset))
    # 甲镇: 98.2 is past the target → 40; 4 × 5 = 20; 86 ≥ 85 → 40; bonus 3: 103.
    # 乙镇: the worked example, 65.  丙街道: 96.8 is below the baseline 97 → 0; 1 × 5 = 5;
    # 79 ≥ 75 → 20: 25.  丁乡: as 乙镇 but vetoed, so last and 不合格.
    assert [(u.rank, u.unit, str(u.total), u.tier) for u in batch.units] == [
        (1, "甲镇", "103.00", "优秀"), (2, "乙镇", "65.00", "合格"), (3, "丙街道", "25.00", "不合格"),
        (4, "丁乡", "65.00", "不合格")]


def test_a_name_that_cannot_be_an_id_is_misuse(cli, tmp_path):
    result = cli("new-plugin", "Hubei_Demo", "-d", str(tmp_path))
    assert result.exit_code == 2
    assert "Invalid value for NAME: 'Hubei_Demo' is not a plug-in name: use lower-case letters" in result.output
    assert list(tmp_path.iterdir()) == []


def test_an_existing_folder_is_left_alone(cli, generated):
    before = (generated / "README.md").read_text(encoding="utf-8")
    result = cli("new-plugin", "hubei-demo", "-d", str(generated.parent))
    assert result.exit_code == 1
    assert result.output == f"Error: '{generated}' already exists; choose another name or remove it\n"
    assert (generated / "README.md").read_text(encoding="utf-8") == before
    assert [p.name for p in generated.parent.iterdir()] == ["hubei-demo"]


def _clean_env(venv: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("QSCORE_", "PYTHON", "PYTEST"))}
    env["PATH"] = f"{venv / 'bin'}{os.pathsep}{env.get('PATH', '')}"
    env["VIRTUAL_ENV"] = str(venv)
    return env


def _run(args: list[str], env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(args, env=env, cwd=cwd, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, f"{' '.join(args)}\n{done.stdout}\n{done.stderr}"
    return done


@pytest.mark.venv
def test_it_installs_with_pip_in_a_fresh_venv_and_passes_its_own_tests(generated, tmp_path):
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=120)
    env = _clean_env(venv)
    python = str(venv / "bin" / "python")
    # qscore from this source tree (not editable: what a county would get), then the plug-in.
    _run([python, "-m", "pip", "install", "-q", f"{ROOT}[test]", str(generated)], env, tmp_path)
    tests = _run([python, "-m", "pytest", "-q", "-p", "no:cacheprovider"], env, generated)
    assert "4 passed" in tests.stdout
    plugins = _run([str(venv / "bin" / "qscore"), "plugins", "--format", "json"], env, tmp_path).stdout
    assert '"name": "hubei-demo"' in plugins and '"source": "qscore-hubei-demo"' in plugins
    rulesets = _run([str(venv / "bin" / "qscore"), "rulesets"], env, tmp_path).stdout
    assert "hubei-demo" in rulesets and "湖北省某县" in rulesets
    # The installed qscore (a built wheel, not this tree) ships its templates as package data.
    _run([str(venv / "bin" / "qscore"), "new-plugin", "second-county", "-d", str(tmp_path)], env, tmp_path)
    assert (tmp_path / "second-county" / "qscore_second_county" / "rulesets" / "second-county.toml").is_file()


@pytest.mark.skipif(not Path("/proc/self").is_dir(), reason="needs /proc, a folder no file can be made in")
def test_a_folder_the_plug_in_cannot_be_made_in_is_said(cli):
    # It was an internal error: FileNotFoundError: [Errno 2] No such file or directory: '/proc/.abc.…'.
    result = cli("new-plugin", "abc", "-d", "/proc")
    assert (result.exit_code, result.output) == (1, "Error: cannot create the plug-in in /proc: no such file or "
                                                    "folder\n")


def test_a_plug_in_name_too_long_for_a_folder_is_refused(cli, tmp_path):
    # It was an internal error: OSError: [Errno 36] File name too long.
    result = cli("new-plugin", "a" * 300, "-d", str(tmp_path))
    assert result.exit_code == 2
    assert result.output.splitlines()[-1] == ("Error: Invalid value for NAME: a plug-in name of 300 characters is too "
                                              "long to be a folder's name; use at most 100")
    assert list(tmp_path.iterdir()) == []
