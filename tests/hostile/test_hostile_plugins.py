"""Plug-in folders others may write to are not run; an allow-list naming nothing installed
is an error; a plug-in's sys.exit() is an internal error naming it, never a silent exit."""

from __future__ import annotations

import textwrap
from importlib import metadata
from pathlib import Path

import pytest

from conftest import townships_missing
from hostile_kit import RULESET, UNITS, check_cli, copy_inputs
from qscore.plugins.manager import ENTRY_POINT_GROUP

QUIET_PLUGIN = '''
from qscore import hookimpl


@hookimpl
def qscore_register_writers(register):
    register("quiet", lambda batch: b"", suffix=".quiet")
'''


def plugin_folder(tmp_path: Path, source: str = QUIET_PLUGIN, *, name: str = "county",
                  folder_mode: int = 0o755, file_mode: int = 0o644) -> Path:
    folder = tmp_path / "plugins"
    folder.mkdir(exist_ok=True)
    plugin = folder / f"{name}.py"
    plugin.write_text(textwrap.dedent(source), encoding="utf-8")
    plugin.chmod(file_mode)
    folder.chmod(folder_mode)
    return folder


@pytest.mark.parametrize(("folder_mode", "file_mode", "culprit", "shown"), [
    (0o777, 0o644, "plug-in folder '{folder}'", "0777"),
    (0o1777, 0o644, "plug-in folder '{folder}'", "1777"),
    (0o775, 0o644, "plug-in folder '{folder}'", "0775"),
    (0o755, 0o666, "plug-in file '{folder}/county.py'", "0666"),
    (0o755, 0o664, "plug-in file '{folder}/county.py'", "0664"),
], ids=["world-writable", "sticky-like-tmp", "group-writable", "world-writable-file", "group-writable-file"])
def test_a_plugin_folder_others_may_write_to_is_refused(cli, tmp_path, folder_mode, file_mode, culprit, shown):
    folder = plugin_folder(tmp_path, folder_mode=folder_mode, file_mode=file_mode)
    message = (f"Error: the {culprit.format(folder=folder)} may be written by users other than its owner (mode "
               f"{shown}), who could run code as you through it; make it writable by its owner only (chmod go-w) "
               "or pass --trust-plugins-dir\n")
    check_cli(cli, tmp_path, "--plugins-dir", str(folder), "plugins", code=1, output=message)


def test_the_environment_s_plugin_folder_is_checked_too(cli, tmp_path, monkeypatch):
    folder = plugin_folder(tmp_path, folder_mode=0o777)
    monkeypatch.setenv("QSCORE_PLUGINS_DIR", str(folder))
    result = check_cli(cli, tmp_path, "plugins", code=1, output=None)
    assert result.output.startswith(f"Error: the plug-in folder '{folder}' may be written by users other than")


def test_trust_plugins_dir_loads_it_anyway(cli, tmp_path):
    folder = plugin_folder(tmp_path, folder_mode=0o777, file_mode=0o666)
    result = cli("--plugins-dir", str(folder), "--trust-plugins-dir", "plugins")
    assert result.exit_code == 0, result.output
    assert "county" in result.output and "qscore_register_writers" in result.output


def test_a_private_plugin_folder_loads(cli, tmp_path):
    folder = plugin_folder(tmp_path, folder_mode=0o700, file_mode=0o600)
    result = cli("--plugins-dir", str(folder), "plugins")
    assert result.exit_code == 0 and "county" in result.output


def test_an_unknown_name_in_the_allow_list_is_an_error_listing_the_installed(cli, tmp_path, monkeypatch):
    installed = sorted({entry.name for entry in metadata.entry_points(group=ENTRY_POINT_GROUP)})
    assert "shizhu" in installed
    monkeypatch.setenv("QSCORE_LOAD_PLUGINS", "shizhu, shizu")
    check_cli(cli, tmp_path, "rulesets", code=1,
              output=f"Error: QSCORE_LOAD_PLUGINS names 'shizu', which no installed plug-in is; installed: "
                     f"{', '.join(installed)}\n")


EXIT_ON_IMPORT = '''
import sys

sys.exit(3)
'''

EXIT_IN_HOOK = '''
import sys

from qscore import hookimpl


@hookimpl
def qscore_register_rulesets(register):
    sys.exit(3)
'''

EXIT_WHILE_SCORING = '''
import sys
from typing import ClassVar

import attrs

from qscore import hookimpl
from qscore.rules.base import Rule


@attrs.frozen
class Quitter(Rule):
    """A rule whose author left a sys.exit() in it."""
    type: ClassVar[str] = "quitter"
    label: ClassVar[str] = "退出"
    uses_target: ClassVar[bool] = False

    def points(self, value, target, baseline):
        sys.exit(3)

    def explain(self, value, target, baseline):
        return ""


@hookimpl
def qscore_register_rules(register):
    register(Quitter)
'''


def test_sys_exit_while_a_plugin_is_imported_names_it(cli, tmp_path):
    folder = plugin_folder(tmp_path, EXIT_ON_IMPORT, name="quitter")
    check_cli(cli, tmp_path, "--plugins-dir", str(folder), "plugins", code=1,
              output=f"Error: plug-in 'quitter': cannot import {folder / 'quitter.py'} (line 4): SystemExit: 3\n")


def test_sys_exit_in_a_plugin_hook_names_it(cli, tmp_path):
    folder = plugin_folder(tmp_path, EXIT_IN_HOOK, name="quitter")
    check_cli(cli, tmp_path, "--plugins-dir", str(folder), "rulesets", code=1,
              output="Error: plug-in 'quitter': qscore_register_rulesets failed: SystemExit: 3\n")


def test_sys_exit_in_a_plugin_rule_is_an_internal_error_naming_it(cli, tmp_path):
    folder = plugin_folder(tmp_path, EXIT_WHILE_SCORING, name="quitter")
    (data,) = copy_inputs(tmp_path / "in", UNITS)
    ruleset = tmp_path / "in" / "quit.toml"
    ruleset.write_text(RULESET.read_text(encoding="utf-8").replace('rule = "progress"', 'rule = "quitter"'),
                       encoding="utf-8")
    check_cli(cli, tmp_path, "--plugins-dir", str(folder), "rank", str(ruleset), str(data), code=1,
              output="Error: internal error in plug-in 'quitter': SystemExit: 3 (set QSCORE_DEBUG=1 to see where)\n")


ODD_RULE = '''
from decimal import Decimal
from typing import ClassVar

import attrs

from qscore import Rule, hookimpl


@attrs.frozen
class Odd(Rule):
    """A rule whose author got its points wrong."""
    type: ClassVar[str] = "odd"
    label: ClassVar[str] = "怪"
    uses_target: ClassVar[bool] = False
    batch: ClassVar[bool] = BATCH

    def points(self, value, target, baseline):
        return GIVEN

    def explain(self, value, target, baseline):
        return ""


@hookimpl
def qscore_register_rules(register):
    register(Odd)
'''


@pytest.mark.parametrize("batch", [False, True], ids=["per-value", "batch"])
@pytest.mark.parametrize(("given", "shown"), [
    ("Decimal(-5)", "Decimal('-5')"),
    ("self.full + 1", "Decimal('41')"),
    ("Decimal('NaN')", "Decimal('NaN')"),
    ("0.5", "0.5 (float)"),
    ("40", "40 (int)"),
    ("None", "None (NoneType)"),
], ids=["negative", "above-full-marks", "nan", "float", "int", "none"])
def test_a_plugin_rule_s_points_outside_0_to_full_marks_are_refused_naming_the_rule(cli, tmp_path, given, shown,
                                                                                    batch):
    # Totalled as given, -5 or 41 points would be a silently wrong score.
    folder = plugin_folder(tmp_path, ODD_RULE.replace("GIVEN", given).replace("BATCH", str(batch)), name="odd")
    (data,) = copy_inputs(tmp_path / "in", UNITS)
    ruleset = tmp_path / "in" / "odd.toml"
    ruleset.write_text(RULESET.read_text(encoding="utf-8").replace('rule = "progress"', 'rule = "odd"'),
                       encoding="utf-8")
    check_cli(cli, tmp_path, "--plugins-dir", str(folder), "rank", str(ruleset), str(data), code=1,
              output=f"Error: rule type 'odd' gave {shown} points for the value 97.5 of indicator food "
                     "(食品抽检合格率); a rule gives a Decimal from 0 to the indicator's full marks 40: the plug-in "
                     "that registers 'odd' needs fixing\n")


def test_a_plugin_batch_rule_giving_too_few_points_is_refused(cli, tmp_path):
    source = ODD_RULE.replace("BATCH", "True").replace("GIVEN", "Decimal(1)").replace(
        "    def explain", "    def points_batch(self, values, targets, baselines):\n        return []\n\n"
                          "    def explain")
    folder = plugin_folder(tmp_path, source, name="odd")
    (data,) = copy_inputs(tmp_path / "in", UNITS)
    ruleset = tmp_path / "in" / "odd.toml"
    ruleset.write_text(RULESET.read_text(encoding="utf-8").replace('rule = "progress"', 'rule = "odd"'),
                       encoding="utf-8")
    check_cli(cli, tmp_path, "--plugins-dir", str(folder), "rank", str(ruleset), str(data), code=1,
              output="Error: rule type 'odd' gave 0 figures for the 3 values of indicator food (食品抽检合格率); a "
                     "rule gives one figure of points per value: the plug-in that registers 'odd' needs fixing\n")


ODD_ADJUSTER = '''
from decimal import Decimal

from qscore import AdjustmentResult, hookimpl


def adjust(ruleset, unit):
    return [LINE]


@hookimpl
def qscore_register_adjusters(register):
    register("test-township", adjust)
'''


@pytest.mark.parametrize(("line", "problem"), [
    ("AdjustmentResult(kind='bonus', item='x', name='奖', count=Decimal(1), points=Decimal(-50))",
     "the line 'x' with points Decimal('-50'); count and points are Decimals of 0 or more (a deduction's points are "
     "taken away)"),
    ("AdjustmentResult(kind='bonus', item='x', name='奖', count=1, points=Decimal(2))",
     "the line 'x' with count 1 (int); count and points are Decimals of 0 or more (a deduction's points are taken "
     "away)"),
    ("AdjustmentResult(kind='gift', item='x', name='奖', count=Decimal(1), points=Decimal(5))",
     "a line of kind 'gift'; the kind is 'bonus', 'deduction' or 'veto'"),
    ("('bonus', 5)", "('bonus', 5), which is no AdjustmentResult; an adjuster returns AdjustmentResult lines, or None"),
], ids=["negative-bonus", "int-count", "unknown-kind", "tuple"])
def test_a_plugin_adjuster_s_line_that_cannot_count_as_given_is_refused_naming_it(cli, tmp_path, line, problem):
    # A bonus of -50 was subtracted, a line of kind 'gift' dropped, both unseen.
    folder = plugin_folder(tmp_path, ODD_ADJUSTER.replace("LINE", line), name="odd")
    (ruleset, data) = copy_inputs(tmp_path / "in", RULESET, UNITS)
    check_cli(cli, tmp_path, "--plugins-dir", str(folder), "rank", str(ruleset), str(data), code=1,
              output=f"Error: plug-in 'odd': its adjuster for ruleset 'test-township' gave, for unit '南宾街道', "
                     f"{problem}\n")


@pytest.mark.parametrize(("registration", "args", "message"), [
    ("register('md', lambda batch: 'text, not bytes', suffix='.md')", ("--format", "md"),
     "its output format 'md' gave str where a writer gives bytes; encode text first (text.encode('utf-8'))"),
    ("register('md', lambda batch: 'text, not bytes', suffix='.md')", ("-o", "ranked.md"),
     "its output format 'md' gave str where a writer gives bytes; encode text first (text.encode('utf-8'))"),
    ("register('sheet', lambda batch: b'', suffix='.csv')", ("--format", "sheet"),
     "output format 'sheet' has the suffix .csv, which output format 'csv' of plug-in 'qscore.builtin' has "
     "already; give it a suffix of its own"),
    ("register('md', lambda batch: b'', suffix='md')", ("--format", "md"),
     "output format 'md' has the suffix 'md'; a suffix is a dot and lower-case letters or digits, such as '.md'"),
], ids=["str-to-stdout", "str-to-file", "suffix-of-csv", "suffix-without-dot"])
def test_a_plugin_writer_that_breaks_its_contract_is_named(cli, tmp_path, registration, args, message):
    # A str was an internal error naming nothing; a second .csv format was never picked by -o x.csv, and a
    # suffix without its dot by no -o at all, both unseen.
    source = f"from qscore import hookimpl\n\n\n@hookimpl\ndef qscore_register_writers(register):\n    {registration}\n"
    folder = plugin_folder(tmp_path, source, name="writer")
    (ruleset, data) = copy_inputs(tmp_path / "in", RULESET, UNITS)
    check_cli(cli, tmp_path, "--plugins-dir", str(folder), "rank", str(ruleset), str(data), "--year", "2027", *args,
              code=1, output=f"Error: plug-in 'writer': {message}\n")


def test_a_plugin_registering_something_other_than_a_ruleset_is_named(cli, tmp_path):
    # register(12) was an internal error (int has no read_bytes) naming nothing.
    source = "from qscore import hookimpl\n\n\n@hookimpl\ndef qscore_register_rulesets(register):\n    register(12)\n"
    folder = plugin_folder(tmp_path, source, name="county")
    check_cli(cli, tmp_path, "--plugins-dir", str(folder), "rulesets", code=1,
              output="Error: plug-in 'county': register() takes a ruleset file's path or a qscore.Ruleset, got 12\n")


@pytest.mark.parametrize(("made", "what"), [
    ("'not a table'", "str"),
    ("RawTable(file=str(path), header=('单位', '食品抽检合格率'), rows=[['南宾街道', 97.5]], row_numbers=[2])",
     "the cell 97.5 (float) in row 2"),
], ids=["str", "float-cell"])
def test_a_plugin_reader_that_gives_no_table_of_strings_is_named(cli, tmp_path, made, what):
    # Each was an internal error (str has no attribute file; expected str instance, float found) naming nothing.
    source = ("from qscore import RawTable, hookimpl\n\n\ndef read(path, options):\n    return " + made
              + "\n\n\n@hookimpl\ndef qscore_register_readers(register):\n    register('tsv', read, suffixes=('.tsv',))\n")
    folder = plugin_folder(tmp_path, source, name="tsv")
    (ruleset,) = copy_inputs(tmp_path / "in", RULESET)
    data = tmp_path / "in" / "units.tsv"
    data.write_text("单位\t食品抽检合格率\n南宾街道\t97.5\n", encoding="utf-8")
    check_cli(cli, tmp_path, "--plugins-dir", str(folder), "rank", str(ruleset), str(data), code=1,
              output=f"Error: plug-in 'tsv': its reader 'tsv' gave {what} for {data}; a reader gives a "
                     "qscore.RawTable whose header and cells are strings, as the file shows them\n")


def test_a_plugin_rule_explaining_with_something_other_than_a_sentence_is_named(cli, tmp_path):
    # explain() returning None was printed as "怪：None" where the examiner reads the arithmetic.
    source = ODD_RULE.replace("BATCH", "False").replace("GIVEN", "Decimal(1)").replace('return ""', "return None")
    folder = plugin_folder(tmp_path, source, name="odd")
    (data,) = copy_inputs(tmp_path / "in", UNITS)
    ruleset = tmp_path / "in" / "odd.toml"
    ruleset.write_text(RULESET.read_text(encoding="utf-8").replace('rule = "progress"', 'rule = "odd"'),
                       encoding="utf-8")
    check_cli(cli, tmp_path, "--plugins-dir", str(folder), "explain", str(ruleset), str(data), "南宾街道", "--year",
              "2027", code=1,
              output=townships_missing(data) + "Error: rule type 'odd' explained indicator food (食品抽检合格率) with None (NoneType); a rule "
                     "explains each value in a sentence (a str): the plug-in that registers 'odd' needs fixing\n")
