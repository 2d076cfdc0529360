"""Rulesets a county's IT person might write from docs/rulesets.md that load but would
score every unit wrongly are refused by `qscore validate` and by `qscore rank` alike,
naming the line or the table and field."""

from __future__ import annotations

from pathlib import Path

from hostile_kit import RULESET, UNITS, check_cli, copy_inputs


def hostile_ruleset(tmp_path: Path, old: str, new: str) -> tuple[Path, Path]:
    """The test ruleset with ``old`` replaced by ``new``, and the data, in ``tmp_path/in``."""
    (data,) = copy_inputs(tmp_path / "in", UNITS)
    text = RULESET.read_text(encoding="utf-8")
    assert old in text
    ruleset = tmp_path / "in" / "rules.toml"
    ruleset.write_text(text.replace(old, new, 1), encoding="utf-8")
    return ruleset, data


def test_a_total_floor_above_full_marks_is_refused(cli, tmp_path):
    # Every unit's total would be raised to 1000: all equal, whatever their data.
    ruleset, data = hostile_ruleset(tmp_path, "bonus_cap = 5", "bonus_cap = 5\ntotal_floor = 1000")
    problem = ("adjustments: field 'total_floor': total_floor 1000 is above the full marks 100: every unit's total "
               "would be raised to it, whatever its data; the floor is the least a total may be after deductions, "
               "such as 0")
    check_cli(cli, tmp_path, "validate", str(ruleset), code=1,
              output=f"{ruleset}:44: error: {problem}\n✗ {ruleset}: 1 error(s)\nError: 1 of 1 file(s) failed "
                     "validation\n")
    check_cli(cli, tmp_path, "rank", str(ruleset), str(data), code=1, output=f"Error: {ruleset}: {problem}\n")


def test_two_classes_of_one_name_are_refused(cli, tmp_path):
    # 60 points would be "优秀" as 90 is: a unit's class would not say which it is.
    ruleset, data = hostile_ruleset(tmp_path, '{name="合格", min_score=60}', '{name="优秀", min_score=60}')
    problem = ("classification: field 'grades': two classes are named '优秀'; each class needs its own name, or a "
               "unit's class would not say which it is")
    check_cli(cli, tmp_path, "validate", str(ruleset), code=1,
              output=f"{ruleset}:10: error: {problem}\n✗ {ruleset}: 1 error(s)\nError: 1 of 1 file(s) failed "
                     "validation\n")
    check_cli(cli, tmp_path, "rank", str(ruleset), str(data), code=1, output=f"Error: {ruleset}: {problem}\n")
