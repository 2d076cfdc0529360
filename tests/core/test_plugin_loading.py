"""Plug-ins loaded for real: an installed distribution's entry point, a folder, and the
errors a county's IT person sees when a plug-in is broken."""

from __future__ import annotations

import json
import sys
import textwrap
from pathlib import Path

import pytest

from qscore.errors import PluginError
from qscore.plugins.manager import load_plugins

from conftest import DATA

PLUGIN = '''
from pathlib import Path

import attrs
from decimal import Decimal
from typing import ClassVar

from qscore import hookimpl
from qscore.rules.base import Rule


@attrs.frozen
class Doubled(Rule):
    """Twice the value, capped at full marks (a county's own custom)."""
    type: ClassVar[str] = "doubled"
    label: ClassVar[str] = "翻倍"
    uses_target: ClassVar[bool] = False

    def points(self, value, target, baseline):
        return min(value * 2, self.full)

    def explain(self, value, target, baseline):
        return f"{value} × 2"


@hookimpl
def qscore_register_rules(register):
    register(Doubled)


@hookimpl
def qscore_register_rulesets(register):
    register(Path(__file__).with_name("{stem}.toml"))
'''

RULESET = '''
id = "{id}"
title = "测试县质量工作考核"
jurisdiction = "测试县"
base_year = 2023
horizon_year = 2027

[[indicators]]
id = "brands"
name = "区域公用品牌"
points = 10
rule = "doubled"
'''


def make_distribution(root: Path, dist: str, module: str, entry: str) -> None:
    """A distribution installed the way pip leaves one: a module and a .dist-info folder
    whose entry_points.txt declares the plug-in in the `qscore` group."""
    package = root / module
    package.mkdir(parents=True)
    (package / "__init__.py").write_text(PLUGIN.replace("{stem}", "rules"), encoding="utf-8")
    (package / "rules.toml").write_text(RULESET.replace("{id}", f"{entry}-county"), encoding="utf-8")
    info = root / f"{dist}-1.2.3.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {dist}\nVersion: 1.2.3\n", encoding="utf-8")
    (info / "entry_points.txt").write_text(f"[qscore]\n{entry} = {module}\n", encoding="utf-8")


@pytest.fixture
def installed(tmp_path, monkeypatch, allow_plugins):
    site = tmp_path / "site"
    make_distribution(site, "qscore-testcounty", "qscore_testcounty", "testcounty")
    monkeypatch.syspath_prepend(str(site))
    allow_plugins("testcounty")
    yield site
    sys.modules.pop("qscore_testcounty", None)


def test_entry_point_plugin_registers_its_rule_type_and_ruleset(installed, cli, write):
    result = cli("plugins", "--format", "json")
    assert result.exit_code == 0, result.output
    plugins = {p["name"]: p for p in json.loads(result.output)}
    assert plugins["testcounty"]["version"] == "1.2.3"
    assert plugins["testcounty"]["source"] == "qscore-testcounty"
    assert plugins["testcounty"]["hooks"] == ["qscore_register_rules", "qscore_register_rulesets"]
    rulesets = json.loads(cli("rulesets", "--format", "json").output)
    assert {"id": "testcounty-county", "plugin": "testcounty"}.items() <= rulesets[0].items()
    data = write("units.csv", "单位,区域公用品牌\n甲乡,3\n乙乡,7\n")
    ranked = json.loads(cli("rank", "testcounty-county", str(data), "--format", "json").stdout)
    assert [(u["unit"], u["total"]) for u in ranked["units"]] == [("乙乡", 10.0), ("甲乡", 6.0)]


def test_allow_list_leaves_installed_plugins_out(installed, monkeypatch, cli):
    monkeypatch.setenv("QSCORE_LOAD_PLUGINS", "")
    names = [p["name"] for p in json.loads(cli("plugins", "--format", "json").output)]
    assert names == ["qscore.builtin"]


def test_an_allow_list_naming_no_installed_plugin_is_an_error(installed, monkeypatch, cli):
    monkeypatch.setenv("QSCORE_LOAD_PLUGINS", "testcounty, someone-else")
    result = cli("plugins")
    assert result.exit_code == 1
    assert result.output == ("Error: QSCORE_LOAD_PLUGINS names 'someone-else', which no installed plug-in is; "
                             "installed: testcounty\n")


def test_folder_plugin_through_option_and_environment(tmp_path, monkeypatch, cli):
    folder = tmp_path / "county"
    folder.mkdir()
    (folder / "mycounty.py").write_text(PLUGIN.replace("{stem}", "mycounty"), encoding="utf-8")
    (folder / "mycounty.toml").write_text(RULESET.replace("{id}", "my-county"), encoding="utf-8")
    result = cli("--plugins-dir", str(folder), "rulesets", "--format", "json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)[0]["plugin"] == "mycounty"
    monkeypatch.setenv("QSCORE_PLUGINS_DIR", str(folder))
    assert json.loads(cli("rulesets", "--format", "json").output)[0]["id"] == "my-county"


def test_a_plugin_that_fails_to_import_is_named(tmp_path, cli):
    (tmp_path / "broken.py").write_text("import nonexistent_module_xyz\n", encoding="utf-8")
    result = cli("--plugins-dir", str(tmp_path), "rulesets")
    assert result.exit_code == 1
    assert result.output == (f"Error: plug-in 'broken': cannot import {tmp_path / 'broken.py'} (line 1): "
                             "ModuleNotFoundError: No module named 'nonexistent_module_xyz'\n")


def test_a_misspelled_hook_fails_at_once(tmp_path, cli):
    (tmp_path / "typo.py").write_text(textwrap.dedent('''
        from qscore import hookimpl

        @hookimpl
        def qscore_register_ruleset(register):
            pass
    '''), encoding="utf-8")
    result = cli("--plugins-dir", str(tmp_path), "rulesets")
    assert result.exit_code == 1
    assert "plug-in 'typo'" in result.output and "unknown hook 'qscore_register_ruleset'" in result.output


def test_a_clashing_ruleset_id_names_both_plugins(tmp_path, cli):
    for stem in ("first", "second"):
        (tmp_path / f"{stem}.py").write_text(PLUGIN.replace("{stem}", stem).replace(
            "register(Doubled)", "pass"), encoding="utf-8")
        (tmp_path / f"{stem}.toml").write_text(RULESET.replace("{id}", "same-id").replace(
            'rule = "doubled"', 'rule = { type = "count", per_item = 1 }'), encoding="utf-8")
    result = cli("--plugins-dir", str(tmp_path), "rulesets")
    assert result.exit_code == 1
    assert result.output == "Error: plug-in 'second': ruleset 'same-id' is already registered by plug-in 'first'\n"


def test_a_ruleset_file_path_is_loaded_without_the_installed_rulesets(tmp_path, cli):
    # Two plug-ins clash on a ruleset id: naming an installed ruleset reports it, but a
    # path (a ruleset id never holds a '/') is loaded without loading installed rulesets.
    for stem in ("first", "second"):
        (tmp_path / f"{stem}.py").write_text(PLUGIN.replace("{stem}", stem).replace(
            "register(Doubled)", "pass"), encoding="utf-8")
        (tmp_path / f"{stem}.toml").write_text(RULESET.replace("{id}", "same-id").replace(
            'rule = "doubled"', 'rule = { type = "count", per_item = 1 }'), encoding="utf-8")
    data = tmp_path / "data.csv"
    data.write_text("单位,区域公用品牌\n甲镇,3\n", encoding="utf-8")
    named = cli("--plugins-dir", str(tmp_path), "rank", "same-id", str(data))
    assert named.exit_code == 1 and "already registered by plug-in 'first'" in named.output
    by_path = cli("--plugins-dir", str(tmp_path), "rank", str(tmp_path / "first.toml"), str(data), "--format", "csv")
    assert by_path.exit_code == 0, by_path.output
    # 3 brands × 1 point each = 3 of 10
    assert by_path.stdout.splitlines()[1].split(",")[:3] == ["1", "甲镇", "3.00"]


def test_a_clashing_rule_type_names_both_plugins(tmp_path):
    (tmp_path / "mine.py").write_text(textwrap.dedent('''
        from qscore import hookimpl
        from qscore.rules.library import PassFail

        @hookimpl
        def qscore_register_rules(register):
            register(PassFail)
    '''), encoding="utf-8")
    with pytest.raises(PluginError, match="plug-in 'mine': rule type 'pass_fail' is already registered "
                                          "by plug-in 'qscore.builtin'"):
        load_plugins([tmp_path]).rule_types


def test_a_plugin_bug_is_reported_without_a_traceback(tmp_path, cli):
    (tmp_path / "buggy.py").write_text(textwrap.dedent('''
        from qscore import hookimpl

        @hookimpl
        def qscore_register_rulesets(register):
            return 1 / 0
    '''), encoding="utf-8")
    result = cli("--plugins-dir", str(tmp_path), "rulesets")
    assert result.exit_code == 1
    assert result.output == ("Error: plug-in 'buggy': qscore_register_rulesets failed: "
                             "ZeroDivisionError: division by zero\n")


def test_missing_plugin_folder_is_an_error(tmp_path, cli):
    result = cli("--plugins-dir", str(tmp_path / "nowhere"), "rulesets")
    assert result.exit_code == 2
    assert "does not exist" in result.output


def test_registered_adjuster_adds_explained_lines(tmp_path, cli):
    (tmp_path / "special.py").write_text(textwrap.dedent('''
        from decimal import Decimal
        from qscore import hookimpl
        from qscore.model import AdjustmentResult

        def commended(ruleset, unit):
            if unit.unit == "西沱镇":
                return [AdjustmentResult(kind="bonus", item="special", name="县委表彰",
                                         count=Decimal(1), points=Decimal(2))]

        @hookimpl
        def qscore_register_adjusters(register):
            register("test-township", commended)
    '''), encoding="utf-8")
    args = (str(DATA / "township.toml"), str(DATA / "townships.csv"), "--year", "2025")
    plain = json.loads(cli("rank", *args, "--format", "json").stdout)
    adjusted = json.loads(cli("--plugins-dir", str(tmp_path), "rank", *args, "--format", "json").stdout)
    total = lambda doc: next(u["total"] for u in doc["units"] if u["unit"] == "西沱镇")  # noqa: E731
    assert total(adjusted) == total(plain) + 2
    explained = cli("--plugins-dir", str(tmp_path), "explain", *args[:2], "西沱镇", "--year", "2025").stdout
    assert "加分：县委表彰 1 次 → 2" in explained
