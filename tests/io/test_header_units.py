"""A unit of measure in a header's bracket is dropped only when it is the indicator's own:
``食品抽检合格率（‰）`` holds per-mille figures and ``市级质量品牌价值（万元）`` ten-thousands of
yuan, and read under an indicator measured in % or 亿元 they would be off by 10 or 10,000
without a word.  Words that count things alike (个, 家, 件, 项) stand for one another.

The data are the seeds' examples (shizhu-township 2025, shizhu-county 2025) with one
header changed.
"""

from __future__ import annotations

from pathlib import Path

import pytest

EXAMPLES = Path(__file__).parents[2] / "examples" / "shizhu"


@pytest.fixture(autouse=True)
def seeds(allow_plugins) -> None:
    allow_plugins("shizhu")


def with_header(tmp_path: Path, example: str, old: str, new: str) -> Path:
    """The example with one header renamed, under the example's own name (its year)."""
    text = (EXAMPLES / example).read_text(encoding="utf-8-sig")
    header, rest = text.split("\n", 1)
    names = header.rstrip("\r").split(",")
    assert old in names
    path = tmp_path / example
    path.write_text(",".join(new if name == old else name for name in names) + "\n" + rest, encoding="utf-8-sig")
    return path


@pytest.mark.parametrize("example, old, new, name, unit, noted", [
    ("townships-2025.csv", "食品抽检合格率（%）", "食品抽检合格率（‰）", "食品抽检合格率", "%", "‰"),
    ("townships-2025.csv", "每万户市场主体有效注册商标量（件）", "每万户市场主体有效注册商标量（%）", "每万户市场主体有效注册商标量",
     "件", "%"),
    ("county-2025.csv", "市级质量品牌价值", "市级质量品牌价值（万元）", "市级质量品牌价值", "亿元", "万元"),
])
def test_a_bracket_naming_another_unit_is_refused(cli, tmp_path, example, old, new, name, unit, noted):
    ruleset = "shizhu-township" if example.startswith("townships") else "shizhu-county"
    path = with_header(tmp_path, example, old, new)
    result = cli("rank", ruleset, str(path))
    assert (result.exit_code, result.stdout) == (1, "")
    assert result.stderr == (
        f"Error: {path}, row 1, column '{new}': the column would be {name}, which is measured in {unit}, but the "
        f"bracket says '{noted}': figures in another unit would be read as {unit}; convert them to {unit} and head "
        f"the column {name}（{unit}）\n")


def test_a_count_word_for_another_count_word_is_read(cli, tmp_path):
    # 高新技术企业 is counted in 家; 个 counts the same things.
    path = with_header(tmp_path, "county-2025.csv", "高新技术企业（家）", "高新技术企业（个）")
    renamed = cli("rank", "shizhu-county", str(path), "--format", "csv")
    example = cli("rank", "shizhu-county", str(EXAMPLES / "county-2025.csv"), "--format", "csv")
    assert (renamed.exit_code, example.exit_code) == (0, 0), renamed.output
    assert renamed.stdout_bytes == example.stdout_bytes


def test_a_bracketed_note_suggests_the_indicators_own_unit(cli, tmp_path):
    path = with_header(tmp_path, "townships-2025.csv", "每万户市场主体有效注册商标量（件）", "每万户市场主体有效注册商标量（万件）")
    result = cli("rank", "shizhu-township", str(path))
    assert (result.exit_code, result.stderr) == (1, (
        f"Error: {path}, row 1, column '每万户市场主体有效注册商标量（万件）': the column would be 每万户市场主体有效注册商标量, "
        "but the bracket holds '万件', which is not a unit of measure; name this year's figures 每万户市场主体有效注册商标量 "
        "(or 每万户市场主体有效注册商标量（件）) and last year's 每万户市场主体有效注册商标量@上年\n"))
