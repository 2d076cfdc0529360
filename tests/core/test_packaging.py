"""What `pip install .` puts in site-packages: the engine with its templates and type
marker, and each seed plug-in as a package of its own carrying its rulesets; no
top-level `plugins`, `tests` or `examples` module."""

from __future__ import annotations

import json
import subprocess
import sys
from importlib import metadata
from pathlib import Path

import pytest

REPO = Path(__file__).parents[2]
SEEDS = sorted(p.parent for p in (REPO / "plugins").glob("qscore_*/__init__.py"))


def installed_files() -> list[str]:
    dist = metadata.distribution("qscore")
    direct = dist.read_text("direct_url.json")
    if direct and json.loads(direct).get("dir_info", {}).get("editable"):
        pytest.skip("an editable install maps the source tree; CI installs the wheel and checks it")
    return [str(path) for path in dist.files or ()]


def test_each_seed_is_a_top_level_package_and_nothing_else_is():
    top = {name.split("/")[0] for name in installed_files() if not name.startswith("..") and "/" in name}
    assert not top & {"plugins", "rulesets", "tests", "examples"}
    assert {"qscore", *(seed.name for seed in SEEDS)} <= top
    assert {"qscore/py.typed", "qscore/authoring/templates/plugin/__init__.py.tmpl",
            "qscore/writing/templates/report.html.j2"} <= set(installed_files())


def test_every_ruleset_in_the_repository_ships_in_the_wheel(allow_plugins):
    shipped = set(installed_files())
    in_repo = {p.relative_to(REPO / "plugins").as_posix() for seed in SEEDS for p in (seed / "rulesets").glob("*.toml")}
    assert in_repo and in_repo <= shipped
    allow_plugins(*(seed.name.removeprefix("qscore_") for seed in SEEDS))
    listed = subprocess.run([sys.executable, "-m", "qscore", "rulesets", "--format", "json"],
                            capture_output=True, text=True, check=True)
    ids = {entry["id"] for entry in json.loads(listed.stdout)}
    assert ids == {Path(name).stem for name in in_repo}


def test_every_seed_plugin_is_one_entry_point_of_the_qscore_group():
    entries = {e.name: e.value for e in metadata.entry_points(group="qscore")}
    assert {seed.name for seed in SEEDS} <= set(entries.values())
    assert all(entries[value.removeprefix("qscore_")] == value for value in entries.values())


def test_the_chinese_catalogs_ship_compiled_in_the_wheel_and_are_used(monkeypatch):
    shipped = set(installed_files())
    catalogs = {f"qscore/locale/zh/LC_MESSAGES/{domain}.mo" for domain in ("qscore", "click")}
    assert catalogs <= shipped
    assert not {name for name in shipped if name.endswith(".po")}
    monkeypatch.setenv("QSCORE_LANG", "zh")
    shown = subprocess.run([sys.executable, "-m", "qscore", "rank", "--help"], capture_output=True, text=True,
                           check=True, cwd=Path.home()).stdout
    assert shown.startswith("用法： qscore rank [OPTIONS] RULESET DATA...\n\n  为 DATA（数据）中的每个单位计分、排名并确定等次。\n")
