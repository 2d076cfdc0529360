"""What `pip install .` puts in site-packages: the engine, the seed plug-ins and their
rulesets under project-prefixed names, and no top-level `plugins` module."""

from __future__ import annotations

import json
from importlib import metadata
from pathlib import Path

import pytest

REPO = Path(__file__).parents[2]


def installed_files() -> list[str]:
    dist = metadata.distribution("qscore")
    direct = dist.read_text("direct_url.json")
    if direct and json.loads(direct).get("dir_info", {}).get("editable"):
        pytest.skip("an editable install maps the source tree; CI installs the wheel and checks it")
    return [str(path) for path in dist.files or ()]


def test_no_top_level_plugins_or_rulesets_module():
    top = {name.split("/")[0] for name in installed_files() if not name.startswith("..")}
    assert not top & {"plugins", "rulesets", "tests", "examples"}
    assert {"qscore", "qscore_plugins", "qscore_rulesets"} <= top


def test_every_ruleset_in_the_repository_ships_in_the_wheel():
    shipped = {name for name in installed_files() if name.startswith("qscore_rulesets/")}
    in_repo = {f"qscore_rulesets/{p.relative_to(REPO / 'rulesets').as_posix()}"
               for p in (REPO / "rulesets").rglob("*.toml")}
    assert in_repo and in_repo <= shipped


def test_every_seed_plugin_is_an_entry_point_of_the_qscore_group():
    names = {e.name for e in metadata.entry_points(group="qscore")}
    modules = {p.stem for p in (REPO / "plugins").glob("*.py") if not p.name.startswith("_")}
    assert modules <= names
