"""Every hook in qscore/plugins/hookspecs.py, exercised through a real folder plug-in and the CLI.

tests/test_docs.py checks that each hook is named here and documented in docs/plugins.md.
"""

from __future__ import annotations

import json

import pytest

from conftest import DATA

TOWNSHIP, TOWNSHIPS = str(DATA / "township.toml"), str(DATA / "townships.csv")
TOWNSHIP_TEXT = (DATA / "township.toml").read_text(encoding="utf-8")


@pytest.fixture
def plugin(write, tmp_path):
    """Write one folder plug-in and return the CLI arguments that load it."""
    def make(source: str) -> list[str]:
        write("plugins/county.py", "from qscore import hookimpl\n\n" + source)
        return ["--plugins-dir", str(tmp_path / "plugins")]
    return make


def test_qscore_register_rules_adds_a_rule_type(cli, plugin, write):
    args = plugin('''
from decimal import Decimal
from typing import ClassVar

import attrs
from qscore.rules import Rule


@attrs.frozen
class Stars(Rule):
    """星级: points per star, up to full marks."""
    type: ClassVar[str] = "stars"
    label: ClassVar[str] = "星级"
    uses_target: ClassVar[bool] = False
    per_star: Decimal = attrs.field(converter=Decimal, kw_only=True)

    def points(self, value, target, baseline):
        return min(self.full, value * self.per_star)

    def explain(self, value, target, baseline):
        return f"{value} 星 × {self.per_star}"


@hookimpl
def qscore_register_rules(register):
    register(Stars)
''')
    ruleset = write("stars.toml", '''
        id = "stars"
        title = "星级评定"
        jurisdiction = "测试县"
        base_year = 2023
        horizon_year = 2027

        [[indicators]]
        id = "stars"
        name = "服务星级"
        points = 10
        rule = { type = "stars", per_star = 2 }
        ''')
    data = write("units.csv", "单位,服务星级\n甲,4\n乙,6\n")
    result = cli(*args, "rank", str(ruleset), str(data), "--format", "csv")
    assert result.exit_code == 0, result.output
    # 甲: 4 × 2 = 8; 乙: 6 × 2 = 12, capped at 10
    assert [line.split(",")[:3] for line in result.stdout.splitlines()[1:]] == [["1", "乙", "10.00"], ["2", "甲", "8.00"]]


def test_qscore_register_targets_adds_a_target_shape(cli, plugin, write):
    args = plugin('''
from typing import ClassVar

import attrs
from qscore import Target


@attrs.frozen
class DoubleBaseline(Target):
    """翻一番: twice the base-year value by the horizon year."""
    kind: ClassVar[str] = "double"
    needs: ClassVar[str] = "baseline"

    def horizon(self, figures, timing):
        return self._require(figures.baseline, "baseline", "基期值 (baseline) to double") * 2


@hookimpl
def qscore_register_targets(register):
    register(DoubleBaseline)
''')
    ruleset = write("double.toml", '''
        id = "double"
        title = "翻一番"
        jurisdiction = "测试县"
        base_year = 2023
        horizon_year = 2027

        [[indicators]]
        id = "brands"
        name = "品牌数量"
        baseline = 10
        target = { kind = "double", text = "较2023年翻一番" }
        points = 10
        rule = "progress"
        ''')
    data = write("units.csv", "单位,品牌数量\n甲,15\n乙,20\n")
    # 2025 is half-way from 10 to the horizon's 20: the year's target is 15.
    result = cli(*args, "explain", str(ruleset), str(data), "甲", "--year", "2025")
    assert result.exit_code == 0, result.output
    assert "2025年进度目标 = 10 + (20 − 10) × (2025 − 2023) ÷ (2027 − 2023) = 15" in result.output
    # Without the plug-in the kind is unknown, and the message lists the kinds there are.
    result = cli("validate", str(ruleset))
    assert result.exit_code == 1 and "unknown target kind 'double'; expected one of value, maintain" in result.output


def test_register_package_reads_rulesets_from_a_zipped_plugin(tmp_path, monkeypatch):
    import zipfile

    from qscore.plugins.manager import load_plugins

    archive = tmp_path / "county.zip"
    with zipfile.ZipFile(archive, "w") as bundle:
        bundle.writestr("qscore_zipped/__init__.py", "from qscore import hookimpl\n\n@hookimpl\n"
                        "def qscore_register_rulesets(register):\n    register.package(__name__)\n")
        bundle.writestr("qscore_zipped/rulesets/test-township.toml", TOWNSHIP_TEXT)
    monkeypatch.syspath_prepend(str(archive))
    import qscore_zipped

    entry = load_plugins(entry_points=False, extra=[("zipped", qscore_zipped)]).rulesets["test-township"]
    assert entry.plugin == "zipped" and len(entry.ruleset.indicators) == 3
    assert entry.ruleset.file.endswith("county.zip/qscore_zipped/rulesets/test-township.toml")


def test_qscore_register_rulesets_registers_files_by_path(cli, plugin):
    args = plugin(f'''
@hookimpl
def qscore_register_rulesets(register):
    register({TOWNSHIP!r})
''')
    result = cli(*args, "rulesets", "--format", "json")
    assert result.exit_code == 0, result.output
    assert [(r["id"], r["plugin"]) for r in json.loads(result.output)] == [("test-township", "county")]


def test_qscore_register_rulesets_clash_names_both_plugins(cli, plugin, write, tmp_path):
    args = plugin(f'''
@hookimpl
def qscore_register_rulesets(register):
    register.directory({str(DATA)!r})
''')
    write("plugins/other.py", f"from qscore import hookimpl\n\n@hookimpl\ndef qscore_register_rulesets(register):\n"
                              f"    register({TOWNSHIP!r})\n")
    result = cli(*args, "rulesets")
    assert result.exit_code == 1
    assert result.output == "Error: plug-in 'other': ruleset 'test-township' is already registered by plug-in 'county'\n"


def test_qscore_register_readers_reads_by_suffix(cli, plugin, write):
    args = plugin('''
from qscore.reading.table import RawTable


def read_tsv(path, options):
    lines = [line.split("\\t") for line in path.read_text(encoding="utf-8").splitlines()]
    return RawTable(file=str(path), header=tuple(lines[0]), rows=lines[1:], row_numbers=list(range(2, len(lines) + 1)))


@hookimpl
def qscore_register_readers(register):
    register("tsv", read_tsv, suffixes=(".tsv",))
''')
    data = write("units.tsv", "单位\t食品抽检合格率\t流通领域药品抽检合格率\t重点任务完成情况\n甲\t98\t99\t完成\n")
    result = cli(*args, "rank", TOWNSHIP, str(data), "--format", "csv")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[1].split(",")[:4] == ["1", "甲", "100.00", "优秀"]


def test_qscore_register_writers_adds_an_output_format(cli, plugin):
    args = plugin('''
@hookimpl
def qscore_register_writers(register):
    def write_markdown(batch):
        lines = ["| 排名 | 单位 | 总分 |", "|---|---|---|"]
        lines += [f"| {u.rank} | {u.unit} | {u.total} |" for u in batch.units]
        return ("\\n".join(lines) + "\\n").encode("utf-8")
    register("markdown", write_markdown, suffix=".md")
''')
    result = cli(*args, "rank", TOWNSHIP, TOWNSHIPS, "--year", "2025", "--format", "markdown")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[2] == "| 1 | 南宾街道 | 105.00 |"


def test_qscore_register_adjusters_adds_a_deduction_line(cli, plugin):
    args = plugin('''
from decimal import Decimal

from qscore import AdjustmentResult


def complaints(ruleset, unit):
    if unit.unit != "南宾街道":
        return None
    return [AdjustmentResult(kind="deduction", item="county", name="信访投诉核实", count=Decimal(1),
                             points=Decimal(10))]


@hookimpl
def qscore_register_adjusters(register):
    register("test-township", complaints)
''')
    plain = cli("rank", TOWNSHIP, TOWNSHIPS, "--year", "2025", "--format", "csv")
    adjusted = cli(*args, "rank", TOWNSHIP, TOWNSHIPS, "--year", "2025", "--format", "csv")
    assert adjusted.exit_code == 0, adjusted.output
    before = {r.split(",")[1]: r.split(",")[2] for r in plain.output.splitlines()[1:]}
    after = {r.split(",")[1]: r.split(",")[2] for r in adjusted.output.splitlines()[1:]}
    assert before["南宾街道"] == "105.00" and after["南宾街道"] == "95.00"  # 105 − 10
    assert {k: v for k, v in after.items() if k != "南宾街道"} == {k: v for k, v in before.items() if k != "南宾街道"}


def test_a_run_loads_only_the_ruleset_it_scores(cli, plugin, write, tmp_path):
    # A broken ruleset beside the test township: ranking the township never reads it,
    # listing the rulesets does and names the file.
    rulesets = tmp_path / "rulesets"
    write("rulesets/test-township.toml", TOWNSHIP_TEXT)
    broken = write("rulesets/broken.toml", 'id = "broken"\ntitle = "坏"\n')
    args = plugin(f'''
@hookimpl
def qscore_register_rulesets(register):
    register.directory({str(rulesets)!r})
''')
    ranked = cli(*args, "rank", "test-township", TOWNSHIPS, "--year", "2025", "--format", "csv")
    assert ranked.exit_code == 0, ranked.output
    listed = cli(*args, "rulesets")
    assert listed.exit_code == 1 and str(broken) in listed.output and "is required" in listed.output


def test_two_files_declaring_one_id_are_a_clash_even_when_one_is_asked_for(cli, plugin, write, tmp_path):
    write("rulesets/a.toml", TOWNSHIP_TEXT)
    write("rulesets/b.toml", TOWNSHIP_TEXT)
    args = plugin(f'''
@hookimpl
def qscore_register_rulesets(register):
    register.directory({str(tmp_path / "rulesets")!r})
''')
    result = cli(*args, "rank", "test-township", TOWNSHIPS, "--year", "2025")
    assert result.exit_code == 1
    assert result.output == ("Error: plug-in 'county': ruleset 'test-township' is already registered by plug-in "
                             "'county'\n")
