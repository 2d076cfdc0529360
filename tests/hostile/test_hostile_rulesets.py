"""Rulesets a county's IT person might write from docs/rulesets.md that load but would
score every unit wrongly are refused by `qscore validate` and by `qscore rank` alike,
naming the line or the table and field."""

from __future__ import annotations

from pathlib import Path

import pytest

from hostile_kit import RULESET, UNITS, check_cli, copy_inputs, run_qscore


def hostile_ruleset(tmp_path: Path, old: str, new: str) -> tuple[Path, Path]:
    """The test ruleset with ``old`` replaced by ``new``, and the data, in ``tmp_path/in``."""
    (data,) = copy_inputs(tmp_path / "in", UNITS)
    text = RULESET.read_text(encoding="utf-8")
    assert old in text
    ruleset = tmp_path / "in" / "rules.toml"
    ruleset.write_text(text.replace(old, new, 1), encoding="utf-8")
    return ruleset, data


def check_refused(cli, tmp_path: Path, ruleset: Path, data: Path, line: int, problem: str, *year: str) -> None:
    """``validate`` fails the file naming ``problem`` at ``line``, and ``rank`` refuses it
    saying the same, the folder left as it was."""
    check_cli(cli, tmp_path, "validate", str(ruleset), code=1,
              output=f"{ruleset}:{line}: error: {problem}\n✗ {ruleset}: 1 error(s)\nError: 1 of 1 file(s) failed "
                     "validation\n")
    check_cli(cli, tmp_path, "rank", str(ruleset), str(data), *year, code=1, output=f"Error: {ruleset}: {problem}\n")


def test_a_total_floor_above_full_marks_is_refused(cli, tmp_path):
    # Every unit's total would be raised to 1000: all equal, whatever their data.
    ruleset, data = hostile_ruleset(tmp_path, "bonus_cap = 5", "bonus_cap = 5\ntotal_floor = 1000")
    problem = ("adjustments: field 'total_floor': total_floor 1000 is above the full marks 100: every unit's total "
               "would be raised to it, whatever its data; the floor is the least a total may be after deductions, "
               "such as 0")
    check_refused(cli, tmp_path, ruleset, data, 44, problem)


def test_two_classes_of_one_name_are_refused(cli, tmp_path):
    # 60 points would be "优秀" as 90 is: a unit's class would not say which it is.
    ruleset, data = hostile_ruleset(tmp_path, '{name="合格", min_score=60}', '{name="优秀", min_score=60}')
    problem = ("classification: field 'grades': two classes are named '优秀'; each class needs its own name, or a "
               "unit's class would not say which it is")
    check_refused(cli, tmp_path, ruleset, data, 10, problem)


@pytest.mark.parametrize(("target", "problem"), [
    ('{ kind = "growth", annual_percent = -200 }',
     "'annual_percent' is -200, a yearly fall of 100% or more, which leaves nothing or turns the baseline's sign "
     "year by year: a yearly fall is less than 100"),
    ('{ kind = "growth", annual_percent = -100 }',
     "'annual_percent' is -100, a yearly fall of 100% or more, which leaves nothing or turns the baseline's sign "
     "year by year: a yearly fall is less than 100"),
    ('{ kind = "change", percent = -130 }',
     "'percent' is -130, a fall of more than 100%, which would turn the baseline's sign: a fall is at most -100 "
     "(to zero)"),
], ids=["growth-minus-200", "growth-minus-100", "change-minus-130"])
def test_a_fall_past_zero_is_refused(cli, tmp_path, target, problem):
    # 95 × (1 − 200%)^1 = −95: every unit would meet 2024's target, whatever its value.
    ruleset, data = hostile_ruleset(tmp_path, "target = 98", f"target = {target}")
    located = f"indicators[1] (食品抽检合格率): field 'target': {problem}"
    check_refused(cli, tmp_path, ruleset, data, 22, located, "--year", "2024")


def test_a_year_typed_with_a_digit_too_many_is_refused(cli, tmp_path):
    # A plan of 2023 → 20277 put 2025's target 2 ÷ 18254 of the way from the baseline: every
    # unit near the baseline scored as on track.
    ruleset, data = hostile_ruleset(tmp_path, "horizon_year = 2027", "horizon_year = 20277")
    problem = "field 'horizon_year': horizon_year 20277 is outside 1949–2100, the years a plan can have; check it for " \
              "a typing error"
    check_refused(cli, tmp_path, ruleset, data, 6, problem, "--year", "2025")


def test_a_baseline_year_typed_wrong_is_refused_too(cli, tmp_path):
    # 较2002年 typed as 202: a path from the year 202 put every year's target near the plan's own.
    ruleset, data = hostile_ruleset(tmp_path, "baseline = 95\n", "baseline = 95\nbaseline_year = 202\n")
    problem = ("indicators[1] (食品抽检合格率): field 'baseline_year': baseline_year 202 is outside 1949–2100, the years "
               "a plan can have; check it for a typing error")
    check_refused(cli, tmp_path, ruleset, data, 22, problem, "--year", "2025")


@pytest.mark.parametrize(("old", "new", "line", "field", "figure"), [
    ("target = 98", "target = 985", 22, "target", "985"),
    ("baseline = 95", "baseline = -5", 21, "baseline", "-5"),
    ("target = 98", 'target = { kind = "top", place = 1, value = 101 }', 22, "target", "101"),
], ids=["target-985", "baseline-minus-5", "top-floor-101"])
def test_a_percentage_outside_0_to_100_is_refused(cli, tmp_path, old, new, line, field, figure):
    # A target of 985 % for 98.5 %: every unit scored by its share of an unreachable figure.
    ruleset, data = hostile_ruleset(tmp_path, old, new)
    problem = (f"indicators[1] (食品抽检合格率): field '{field}': {figure} is outside 0–100, where a percentage lies (as "
               "the data's % values must); check it for a typing error (98.5, not 985)")
    check_refused(cli, tmp_path, ruleset, data, line, problem, "--year", "2025")


def test_applies_to_naming_a_unit_the_data_does_not_hold_is_said(cli, tmp_path):
    # A name typed wrong (西陀镇 for 西沱镇) left the indicator assessed for no unit: every unit's
    # food points and full marks silently dropped.
    ruleset, data = hostile_ruleset(tmp_path, 'rule = "progress"', 'rule = "progress"\napplies_to = ["西陀镇"]')
    result = check_cli(cli, tmp_path, "rank", str(ruleset), str(data), "--year", "2025", code=0, output=None)
    assert (f"notice: {data}: indicator food (食品抽检合格率) applies to 西陀镇, none of which is in the data: no unit "
            "is assessed on it") in result.output.splitlines()


@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="needs /dev/zero, a file that never ends")
def test_validate_refuses_a_device_for_a_ruleset_without_reading_it(tmp_path):
    # validate read /dev/zero (through a link named like a ruleset) until memory ran out.
    ruleset = tmp_path / "rules.toml"
    ruleset.symlink_to("/dev/zero")
    done = run_qscore(["validate", "rules.toml"], cwd=tmp_path)
    assert (done.returncode, done.stdout) == (1, "")
    assert done.stderr == ("rules.toml: error: cannot read the ruleset: it is not a regular file (a device or a named "
                           "pipe); give a .toml file\n✗ rules.toml: 1 error(s)\nError: 1 of 1 file(s) failed "
                           "validation\n")


def test_a_ruleset_file_of_megabytes_is_refused_unread(cli, tmp_path):
    ruleset, data = hostile_ruleset(tmp_path, "[classification]", "# " + "注" * 6_000_000 + "\n[classification]")
    size = ruleset.stat().st_size
    message = (f"cannot read the ruleset: it has {size:,} bytes, and a ruleset is at most 16,777,216; give the .toml "
               "file of the ruleset")
    check_cli(cli, tmp_path, "rank", str(ruleset), str(data), code=1, output=f"Error: {ruleset}: {message}\n")


@pytest.mark.parametrize("command", [
    ("rank",), ("explain", "南宾街道"), ("whatif", "南宾街道"), ("report", "-o", "out.html"),
    ("robustness", "--samples", "2"),
], ids=["rank", "explain", "whatif", "report", "robustness"])
def test_a_ruleset_file_validate_finds_errors_in_is_not_scored(cli, tmp_path, monkeypatch, command):
    # The category declares 60 points where its indicators carry 40 + 30: the plan and
    # the file disagree, and no command may score with it as if they did not.
    ruleset, data = hostile_ruleset(tmp_path, 'name = "产品质量水平"\n', 'name = "产品质量水平"\npoints = 60\n')
    monkeypatch.chdir(tmp_path / "in")
    finding = f"{ruleset}:15: error: categories[1] (产品质量水平): declares 60 points but its indicators carry 40 + 30 = 70"
    check_cli(cli, tmp_path, "validate", str(ruleset), code=1,
              output=f"{finding}\n✗ {ruleset}: 1 error(s)\nError: 1 of 1 file(s) failed validation\n")
    name, *rest = command
    check_cli(cli, tmp_path, name, str(ruleset), str(data), *rest[:1] if name in ("explain", "whatif") else (),
              *rest[1:] if name in ("explain", "whatif") else rest, "--year", "2025", code=1,
              output=f"Error: {ruleset} loads, but `qscore validate` finds 1 error in it, and it is scored once that "
                     f"is mended:\n{finding}\n")


def test_a_ruleset_file_with_warnings_only_is_scored(cli, tmp_path):
    # A warning is legitimate but suspicious: shown by validate, never a reason to refuse.
    # A target of 90 below the baseline of 95, for an indicator where higher is better.
    ruleset, data = hostile_ruleset(tmp_path, "target = 98", "target = 90")
    validated = cli("validate", str(ruleset))
    assert validated.exit_code == 0, validated.output
    assert ": warning: " in validated.output and "1 warning(s)" in validated.output
    result = cli("rank", str(ruleset), str(data), "--year", "2025")
    assert result.exit_code == 0, result.output
